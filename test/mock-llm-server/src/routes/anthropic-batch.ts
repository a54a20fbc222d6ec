import { type RouteHandler, innerRequest, sendBytes, sendJson } from '../http';
import { messageBody } from './anthropic';

/**
 * Anthropic's Message Batches API, closely enough for the real `@anthropic-ai/sdk`:
 * `messages.batches.create` / `retrieve` / `list` / `cancel` / `results`, shaped like the API
 * reference's MessageBatch. A batch runs when it is created: each request's `params` is answered by
 * the Messages rules (routes/anthropic.ts, without headers, so no cache tokens). It is
 * `in_progress` until it has been retrieved once, then `ended` with its `results_url`, which
 * serves the results as JSON lines `{ custom_id, result: { type: 'succeeded', message } }`.
 */
interface MessageBatch {
  id: string;
  results: string;
  counts: number;
  polls: number;
  cancelled: boolean;
}

const CREATED_AT = '2026-11-24T12:00:00Z';

/** Ids are unique in the process, as the API's are, though each server keeps its own jobs. */
let next = 0;

/** The Message Batches routes with their own store (one per server). */
export function anthropicBatchRoutes(): RouteHandler {
  const batches = new Map<string, MessageBatch>();

  const view = (b: MessageBatch, origin: string) => {
    const ended = b.cancelled || b.polls > 0;
    return {
      id: b.id,
      type: 'message_batch',
      processing_status: ended ? 'ended' : 'in_progress',
      request_counts: {
        processing: ended ? 0 : b.counts,
        succeeded: ended && !b.cancelled ? b.counts : 0,
        errored: 0,
        canceled: b.cancelled ? b.counts : 0,
        expired: 0,
      },
      ended_at: ended ? '2026-11-24T12:05:00Z' : null,
      created_at: CREATED_AT,
      expires_at: '2026-11-25T12:00:00Z',
      archived_at: null,
      cancel_initiated_at: b.cancelled ? '2026-11-24T12:01:00Z' : null,
      results_url: ended ? `${origin}/v1/messages/batches/${b.id}/results` : null,
    };
  };

  return (req, res) => {
    if (!req.path.startsWith('/v1/messages/batches')) return false;
    const rest = req.path.slice('/v1/messages/batches'.length);
    if (req.method === 'POST' && rest === '') {
      const requests = ((req.json ?? {}) as { requests?: { custom_id?: string; params?: unknown }[] }).requests ?? [];
      const lines = requests.map((r) =>
        JSON.stringify({ custom_id: r.custom_id, result: { type: 'succeeded', message: messageBody(innerRequest(req, '/v1/messages', r.params)) } }),
      );
      const batch: MessageBatch = {
        id: `msgbatch_mock${(++next).toString().padStart(4, '0')}`,
        results: lines.map((l) => `${l}\n`).join(''),
        counts: requests.length,
        polls: 0,
        cancelled: false,
      };
      batches.set(batch.id, batch);
      sendJson(res, 200, view(batch, req.origin));
      return true;
    }
    if (req.method === 'GET' && rest === '') {
      const data = [...batches.values()].reverse().map((b) => view(b, req.origin));
      sendJson(res, 200, { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null });
      return true;
    }
    const m = /^\/([^/]+)(\/results|\/cancel)?$/.exec(rest);
    const batch = m ? batches.get(m[1]) : undefined;
    if (!m || !batch) {
      sendJson(res, 404, { type: 'error', error: { type: 'not_found_error', message: `mock-llm-server: no message batch at ${req.path}` } });
      return true;
    }
    if (m[2] === '/results') sendBytes(res, 200, Buffer.from(batch.results), 'application/binary');
    else {
      if (m[2] === '/cancel') batch.cancelled = true;
      else batch.polls++;
      sendJson(res, 200, view(batch, req.origin));
    }
    return true;
  };
}
