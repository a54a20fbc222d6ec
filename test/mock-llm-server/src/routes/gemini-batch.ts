import { type RouteHandler, innerRequest, sendJson } from '../http';
import { generateContentResponse } from './gemini';

/**
 * Gemini's batch mode, closely enough for the real `@google/genai` (`ai.batches.create` / `get` /
 * `list` / `cancel` with inlined requests): `POST /v1beta/models/{model}:batchGenerateContent`
 * answers the batch operation, `GET /v1beta/batches/{id}` the same operation as it progresses. A batch
 * runs when it is created, each inlined request answered by the generateContent rules
 * (routes/gemini.ts, without headers). It is `BATCH_STATE_PENDING` until it has been read once, then
 * `BATCH_STATE_SUCCEEDED` with `output.inlinedResponses` (each response with its request's `metadata`).
 * `/v1/batches` is OpenAI's path too: these routes answer only requests carrying a Gemini API key
 * (`x-goog-api-key`), as the SDK sends them.
 */
interface GeminiBatch {
  name: string;
  model: string;
  displayName: string | null;
  responses: { response: unknown; metadata?: unknown }[];
  polls: number;
  cancelled: boolean;
}

const BATCH_TYPE = 'type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch';
const CREATE = /^\/(v1beta1?|v1)\/models\/([^/:]+):batchGenerateContent$/;
const ONE = /^\/(v1beta1?|v1)\/batches\/([^/:]+)(:cancel)?$/;

function operation(b: GeminiBatch) {
  const state = b.cancelled ? 'BATCH_STATE_CANCELLED' : b.polls > 0 ? 'BATCH_STATE_SUCCEEDED' : 'BATCH_STATE_PENDING';
  const done = state === 'BATCH_STATE_SUCCEEDED';
  const output = done ? { inlinedResponses: { inlinedResponses: b.responses } } : undefined;
  return {
    name: b.name,
    metadata: {
      '@type': BATCH_TYPE,
      model: `models/${b.model}`,
      ...(b.displayName ? { displayName: b.displayName } : {}),
      createTime: '2026-11-24T12:00:00Z',
      updateTime: done ? '2026-11-24T12:05:00Z' : '2026-11-24T12:00:00Z',
      ...(done ? { endTime: '2026-11-24T12:05:00Z' } : {}),
      batchStats: { requestCount: String(b.responses.length), ...(done ? { successfulRequestCount: String(b.responses.length) } : { pendingRequestCount: String(b.responses.length) }) },
      state,
      name: b.name,
      ...(output ? { output } : {}),
    },
    done: done || b.cancelled,
    ...(output ? { response: { '@type': `${BATCH_TYPE}Output`, ...output } } : {}),
  };
}

/** Ids are unique in the process, as the API's are, though each server keeps its own jobs. */
let next = 0;

/** The batch mode routes with their own store (one per server). */
export function geminiBatchRoutes(): RouteHandler {
  const batches = new Map<string, GeminiBatch>();
  return (req, res) => {
    if (req.headers['x-goog-api-key'] === undefined) return false;
    const create = req.method === 'POST' ? CREATE.exec(req.path) : null;
    if (create) {
      const body = (req.json ?? {}) as { batch?: { displayName?: string; inputConfig?: { requests?: { requests?: { request?: unknown; metadata?: unknown }[] } } } };
      const model = create[2];
      const responses = (body.batch?.inputConfig?.requests?.requests ?? []).map((r) => ({
        response: generateContentResponse(innerRequest(req, req.path, r.request), model, {}),
        ...(r.metadata ? { metadata: r.metadata } : {}),
      }));
      const batch: GeminiBatch = { name: `batches/mock${(++next).toString().padStart(4, '0')}`, model, displayName: body.batch?.displayName ?? null, responses, polls: 0, cancelled: false };
      batches.set(batch.name, batch);
      sendJson(res, 200, operation(batch));
      return true;
    }
    const one = ONE.exec(req.path);
    if (one && ((req.method === 'GET' && !one[3]) || (req.method === 'POST' && one[3]))) {
      const batch = batches.get(`batches/${one[2]}`);
      if (!batch) sendJson(res, 404, { error: { code: 404, message: `mock-llm-server: no batch batches/${one[2]}`, status: 'NOT_FOUND' } });
      else {
        if (one[3]) batch.cancelled = true;
        else batch.polls++;
        sendJson(res, 200, one[3] ? {} : operation(batch));
      }
      return true;
    }
    if (req.method === 'GET' && /^\/(v1beta1?|v1)\/batches$/.test(req.path)) {
      sendJson(res, 200, { operations: [...batches.values()].reverse().map(operation) });
      return true;
    }
    return false;
  };
}
