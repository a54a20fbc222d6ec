import { type RecordedRequest, type RouteHandler, innerRequest, sendBytes, sendJson } from '../http';
import { chatCompletion, embeddingsResponse, parseMultipart } from './openai';

/**
 * The OpenAI Files and Batch APIs, closely enough for the real `openai` SDK: `files.create` (a JSONL
 * upload, purpose `batch`), `files.retrieve`, `files.content`, `batches.create` / `retrieve` / `list` /
 * `cancel`, each shaped like the API reference's objects.
 *
 * A batch runs the moment it is created: every input line (`{ custom_id, method, url, body }`) is
 * answered by the same rules as the synchronous endpoint (`/v1/chat/completions`, `/v1/embeddings`;
 * see routes/openai.ts), into an output file of `{ id, custom_id, response: { status_code,
 * request_id, body }, error }` lines. Its status moves as the API's does, one step per poll:
 * `validating` when created, `in_progress` at the first retrieve, `completed` (with
 * `output_file_id`) from the second on. A line for another endpoint gets an error line instead.
 */
interface StoredFile {
  id: string;
  filename: string;
  purpose: string;
  content: Buffer;
  createdAt: number;
}

interface Batch {
  id: string;
  endpoint: string;
  inputFileId: string;
  outputFileId: string;
  completionWindow: string;
  metadata: Record<string, string> | null;
  createdAt: number;
  polls: number;
  total: number;
  cancelled: boolean;
}

const CREATED = 1_764_000_000;
const ENDPOINTS: Record<string, (req: RecordedRequest) => Record<string, unknown>> = {
  '/v1/chat/completions': (req) => chatCompletion(req, {}),
  '/v1/embeddings': embeddingsResponse,
};

function fileObject(f: StoredFile) {
  return {
    id: f.id,
    object: 'file',
    bytes: f.content.length,
    created_at: f.createdAt,
    filename: f.filename,
    purpose: f.purpose,
    status: 'processed',
    expires_at: null,
    status_details: null,
  };
}

function batchObject(b: Batch) {
  const status = b.cancelled ? 'cancelled' : b.polls === 0 ? 'validating' : b.polls === 1 ? 'in_progress' : 'completed';
  const done = status === 'completed';
  return {
    id: b.id,
    object: 'batch',
    endpoint: b.endpoint,
    errors: null,
    input_file_id: b.inputFileId,
    completion_window: b.completionWindow,
    status,
    output_file_id: done ? b.outputFileId : null,
    error_file_id: null,
    created_at: b.createdAt,
    in_progress_at: b.polls >= 1 ? b.createdAt + 1 : null,
    expires_at: b.createdAt + 86_400,
    finalizing_at: done ? b.createdAt + 2 : null,
    completed_at: done ? b.createdAt + 3 : null,
    failed_at: null,
    expired_at: null,
    cancelling_at: null,
    cancelled_at: b.cancelled ? b.createdAt + 1 : null,
    request_counts: { total: b.total, completed: done ? b.total : 0, failed: 0 },
    metadata: b.metadata,
  };
}

const notFound = (what: string, id: string) => ({
  error: { message: `No ${what} found with id '${id}'.`, type: 'invalid_request_error', param: null, code: null },
});

/** Ids are unique in the process, as the API's are, though each server keeps its own jobs. */
let next = 0;

/** The Files and Batch routes with their own store (one per server). */
export function openAiBatchRoutes(): RouteHandler {
  const files = new Map<string, StoredFile>();
  const batches = new Map<string, Batch>();
  const id = (prefix: string) => `${prefix}${(++next).toString().padStart(4, '0')}`;

  function run(req: RecordedRequest, input: StoredFile, endpoint: string): { output: StoredFile; total: number } {
    const lines = input.content
      .toString('utf8')
      .split('\n')
      .filter((l) => l.trim() !== '');
    const out = lines.map((line, i) => {
      const request = JSON.parse(line) as { custom_id?: string; url?: string; body?: unknown };
      const answer = ENDPOINTS[request.url ?? endpoint];
      const base = { id: `batch_req_mock${i.toString().padStart(4, '0')}`, custom_id: request.custom_id ?? null };
      if (!answer) return { ...base, response: null, error: { code: 'invalid_url', message: `mock-llm-server: no batch endpoint ${request.url}` } };
      return {
        ...base,
        response: { status_code: 200, request_id: `req_mock_batch${i}`, body: answer(innerRequest(req, request.url ?? endpoint, request.body)) },
        error: null,
      };
    });
    const output: StoredFile = {
      id: id('file-mockout'),
      filename: 'batch_output.jsonl',
      purpose: 'batch_output',
      content: Buffer.from(out.map((o) => `${JSON.stringify(o)}\n`).join('')),
      createdAt: CREATED,
    };
    files.set(output.id, output);
    return { output, total: lines.length };
  }

  return (req, res) => {
    const path = req.path.replace(/^\/v1/, '');
    if (req.method === 'POST' && path === '/files') {
      const form = parseMultipart(req);
      const upload = form.files.file?.[0];
      const file: StoredFile = {
        id: id('file-mock'),
        filename: upload?.filename ?? 'upload.jsonl',
        purpose: form.fields.purpose ?? 'batch',
        content: upload?.content ?? Buffer.alloc(0),
        createdAt: CREATED,
      };
      files.set(file.id, file);
      sendJson(res, 200, fileObject(file));
      return true;
    }
    const file = /^\/files\/([^/]+)(\/content)?$/.exec(path);
    if (req.method === 'GET' && file) {
      const found = files.get(file[1]);
      if (!found) sendJson(res, 404, notFound('file', file[1]));
      else if (file[2]) sendBytes(res, 200, found.content, 'application/octet-stream');
      else sendJson(res, 200, fileObject(found));
      return true;
    }
    if (req.method === 'POST' && path === '/batches') {
      const body = (req.json ?? {}) as { input_file_id?: string; endpoint?: string; completion_window?: string; metadata?: Record<string, string> };
      const input = files.get(body.input_file_id ?? '');
      if (!input) {
        sendJson(res, 400, notFound('file', body.input_file_id ?? ''));
        return true;
      }
      const endpoint = body.endpoint ?? '/v1/chat/completions';
      const { output, total } = run(req, input, endpoint);
      const batch: Batch = {
        id: id('batch_mock'),
        endpoint,
        inputFileId: input.id,
        outputFileId: output.id,
        completionWindow: body.completion_window ?? '24h',
        metadata: body.metadata ?? null,
        createdAt: CREATED,
        polls: 0,
        total,
        cancelled: false,
      };
      batches.set(batch.id, batch);
      sendJson(res, 200, batchObject(batch));
      return true;
    }
    if (req.method === 'GET' && path === '/batches') {
      const data = [...batches.values()].reverse().map(batchObject);
      sendJson(res, 200, { object: 'list', data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: false });
      return true;
    }
    const one = /^\/batches\/([^/]+)(\/cancel)?$/.exec(path);
    if (one && ((req.method === 'GET' && !one[2]) || (req.method === 'POST' && one[2]))) {
      const batch = batches.get(one[1]);
      if (!batch) {
        sendJson(res, 404, notFound('batch', one[1]));
        return true;
      }
      if (one[2]) batch.cancelled = true;
      else batch.polls++;
      sendJson(res, 200, batchObject(batch));
      return true;
    }
    return false;
  };
}
