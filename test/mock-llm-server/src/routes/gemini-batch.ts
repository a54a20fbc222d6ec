import { type RecordedRequest, type RouteHandler, innerRequest, sendJson } from '../http';
import { generateContentResponse } from './gemini';
import type { GeminiFiles } from './gemini-files';

/**
 * Gemini's batch mode, closely enough for the real `@google/genai` (`ai.batches.create` / `get` /
 * `list` / `cancel`, with inlined requests or an uploaded file): `POST /v1beta/models/{model}:batchGenerateContent`
 * answers the batch operation, `GET /v1beta/batches/{id}` the same operation as it progresses. A batch
 * runs when it is created, each request answered by the generateContent rules (routes/gemini.ts,
 * without headers). It is `BATCH_STATE_PENDING` until it has been read once, then
 * `BATCH_STATE_SUCCEEDED` with `output.inlinedResponses` (each response with its request's
 * `metadata`) or, for an input file (`inputConfig.fileName`, JSONL lines `{ key, request }`),
 * `output.responsesFile`: a file of `{ key, response }` lines in the input's order, downloaded
 * through the Files routes (routes/gemini-files.ts).
 * `/v1/batches` is OpenAI's path too: these routes answer only requests carrying a Gemini API key
 * (`x-goog-api-key`), as the SDK sends them.
 */
interface GeminiBatch {
  name: string;
  model: string;
  displayName: string | null;
  responses: { response: unknown; metadata?: unknown }[];
  /** The results file of a batch whose requests came in a file. */
  responsesFile: string | null;
  polls: number;
  cancelled: boolean;
}

const BATCH_TYPE = 'type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch';
const CREATE = /^\/(v1beta1?|v1)\/models\/([^/:]+):batchGenerateContent$/;
const ONE = /^\/(v1beta1?|v1)\/batches\/([^/:]+)(:cancel)?$/;

function operation(b: GeminiBatch) {
  const state = b.cancelled ? 'BATCH_STATE_CANCELLED' : b.polls > 0 ? 'BATCH_STATE_SUCCEEDED' : 'BATCH_STATE_PENDING';
  const done = state === 'BATCH_STATE_SUCCEEDED';
  const output = done ? (b.responsesFile ? { responsesFile: b.responsesFile } : { inlinedResponses: { inlinedResponses: b.responses } }) : undefined;
  return {
    name: b.name,
    metadata: {
      '@type': BATCH_TYPE,
      model: `models/${b.model}`,
      ...(b.displayName ? { displayName: b.displayName } : {}),
      createTime: '2026-11-24T12:00:00Z',
      updateTime: done ? '2026-11-24T12:05:00Z' : '2026-11-24T12:00:00Z',
      ...(done ? { endTime: '2026-11-24T12:05:00Z' } : {}),
      batchStats: {
        requestCount: String(b.responses.length),
        ...(done ? { successfulRequestCount: String(b.responses.length) } : { pendingRequestCount: String(b.responses.length) }),
      },
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

/** Answers each line of an input file (`{ key, request }`) into its results file (`{ key, response }`). */
function runFile(req: RecordedRequest, input: Buffer, model: string): Buffer {
  const lines = input
    .toString('utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  const results = lines.map((line) => {
    const { key, request } = JSON.parse(line) as { key?: unknown; request?: unknown };
    return JSON.stringify({ ...(key !== undefined ? { key } : {}), response: generateContentResponse(innerRequest(req, req.path, request), model, {}) });
  });
  return Buffer.from(results.map((r) => `${r}\n`).join(''));
}

/** The batch mode routes with their own store (one per server), reading and writing files in `files`. */
export function geminiBatchRoutes(files: GeminiFiles): RouteHandler {
  const batches = new Map<string, GeminiBatch>();
  return (req, res) => {
    if (req.headers['x-goog-api-key'] === undefined) return false;
    const create = req.method === 'POST' ? CREATE.exec(req.path) : null;
    if (create) {
      const body = (req.json ?? {}) as {
        batch?: { displayName?: string; inputConfig?: { fileName?: string; requests?: { requests?: { request?: unknown; metadata?: unknown }[] } } };
      };
      const model = create[2];
      const inputFile = body.batch?.inputConfig?.fileName;
      const input = inputFile === undefined ? undefined : files.get(inputFile);
      if (inputFile !== undefined && !input) {
        sendJson(res, 400, { error: { code: 400, message: `mock-llm-server: no input file ${inputFile}`, status: 'INVALID_ARGUMENT' } });
        return true;
      }
      const responses = (body.batch?.inputConfig?.requests?.requests ?? []).map((r) => ({
        response: generateContentResponse(innerRequest(req, req.path, r.request), model, {}),
        ...(r.metadata ? { metadata: r.metadata } : {}),
      }));
      const responsesFile = input ? files.generate('batch', 'application/jsonl', runFile(req, input.content, model)).name : null;
      const batch: GeminiBatch = {
        name: `batches/mock${(++next).toString().padStart(4, '0')}`,
        model,
        displayName: body.batch?.displayName ?? null,
        responses,
        responsesFile,
        polls: 0,
        cancelled: false,
      };
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
