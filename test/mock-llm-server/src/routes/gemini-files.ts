import type { ServerResponse } from 'node:http';
import { type RecordedRequest, type RouteHandler, sendBytes, sendJson } from '../http';

/**
 * The Gemini API's Files, closely enough for the real `@google/genai` (`ai.files.upload` / `get` /
 * `download`), as the API documents them:
 * - an upload is resumable: `POST /upload/{version}/files` with `X-Goog-Upload-Command: start` and the
 *   file's metadata (`{ file: { displayName, mimeType, sizeBytes } }`) answers with the session's
 *   `X-Goog-Upload-URL`; the bytes go there in chunks (`X-Goog-Upload-Command: upload`, the last
 *   `upload, finalize`, each at its `X-Goog-Upload-Offset`), answered `X-Goog-Upload-Status: active`
 *   until the finalizing chunk, which is answered `final` with `{ file }`;
 * - `GET /{version}/files/{id}` is the File resource;
 * - `GET [/download]/{version}/files/{id}:download?alt=media` is its bytes. Only files the API wrote
 *   (batch results) can be downloaded, as on the API; an uploaded file answers 400.
 */
export interface GeminiFile {
  /** `files/{id}`. */
  name: string;
  displayName?: string;
  mimeType: string;
  content: Buffer;
  /** `UPLOADED` by the app, `GENERATED` by the API (batch results). */
  source: 'UPLOADED' | 'GENERATED';
}

interface Upload {
  file: Omit<GeminiFile, 'content' | 'source'>;
  size: number;
  chunks: Buffer[];
  received: number;
}

const START = /^\/upload\/(v1beta1?|v1)\/files\/?$/;
const ONE = /^(?:\/download)?\/(v1beta1?|v1)\/files\/([^/:]+)(:download)?$/;

function fileResource(origin: string, f: GeminiFile) {
  const id = f.name.slice('files/'.length);
  return {
    name: f.name,
    ...(f.displayName ? { displayName: f.displayName } : {}),
    mimeType: f.mimeType,
    sizeBytes: String(f.content.length),
    createTime: '2026-11-24T12:00:00Z',
    updateTime: '2026-11-24T12:00:00Z',
    expirationTime: '2026-11-26T12:00:00Z',
    sha256Hash: 'bW9jay1zaGEyNTY=',
    uri: `${origin}/v1beta/files/${id}`,
    ...(f.source === 'GENERATED' ? { downloadUri: `${origin}/download/v1beta/files/${id}:download?alt=media` } : {}),
    state: 'ACTIVE',
    source: f.source,
  };
}

const fileError = (res: ServerResponse, status: number, message: string) =>
  sendJson(res, status, { error: { code: status, message, status: status === 404 ? 'NOT_FOUND' : 'INVALID_ARGUMENT' } });
const headerOf = (req: RecordedRequest, name: string) => String(req.headers[name] ?? '');

/** Ids are unique in the process, as the API's are, though each server keeps its own files. */
let next = 0;

/** The files of one server, with their routes; batch mode reads its input files and writes its results here. */
export class GeminiFiles {
  private readonly files = new Map<string, GeminiFile>();
  private readonly uploads = new Map<string, Upload>();

  get(name: string): GeminiFile | undefined {
    return this.files.get(name);
  }

  /** Stores a file the API wrote (`files/{prefix}-mockNNNN`). */
  generate(prefix: string, mimeType: string, content: Buffer): GeminiFile {
    const file: GeminiFile = { name: `files/${prefix}-mock${(++next).toString().padStart(4, '0')}`, mimeType, content, source: 'GENERATED' };
    this.files.set(file.name, file);
    return file;
  }

  readonly routes: RouteHandler = (req, res) => {
    if (req.headers['x-goog-api-key'] === undefined) return false;
    if (req.method === 'POST' && START.test(req.path)) {
      const uploadId = req.query.get('upload_id');
      if (uploadId) this.chunk(req, res, uploadId);
      else this.start(req, res);
      return true;
    }
    const one = req.method === 'GET' ? ONE.exec(req.path) : null;
    if (!one) return false;
    const file = this.files.get(`files/${one[2]}`);
    if (!file) fileError(res, 404, `mock-llm-server: no file files/${one[2]}`);
    else if (!one[3]) sendJson(res, 200, fileResource(req.origin, file));
    else if (file.source !== 'GENERATED') fileError(res, 400, 'Only generated or batch files can be downloaded.');
    else sendBytes(res, 200, file.content, file.mimeType);
    return true;
  };

  private start(req: RecordedRequest, res: ServerResponse): void {
    if (headerOf(req, 'x-goog-upload-protocol') !== 'resumable' || headerOf(req, 'x-goog-upload-command') !== 'start') {
      fileError(res, 400, 'mock-llm-server: an upload starts with X-Goog-Upload-Protocol: resumable and X-Goog-Upload-Command: start');
      return;
    }
    const meta = ((req.json ?? {}) as { file?: { displayName?: string; mimeType?: string; name?: string } }).file ?? {};
    const id = meta.name?.replace(/^files\//, '') ?? `upload-mock${(++next).toString().padStart(4, '0')}`;
    const uploadId = `mock-upload-${id}`;
    const file = { name: `files/${id}`, displayName: meta.displayName, mimeType: meta.mimeType ?? headerOf(req, 'x-goog-upload-header-content-type') };
    this.uploads.set(uploadId, { file, size: Number(headerOf(req, 'x-goog-upload-header-content-length')), chunks: [], received: 0 });
    const url = `${req.origin}/upload/${START.exec(req.path)![1]}/files?upload_id=${uploadId}&upload_protocol=resumable`;
    res.writeHead(200, { 'x-goog-upload-url': url, 'x-goog-upload-status': 'active', 'content-length': 0 });
    res.end();
  }

  private chunk(req: RecordedRequest, res: ServerResponse, uploadId: string): void {
    const upload = this.uploads.get(uploadId);
    if (!upload) return fileError(res, 404, `mock-llm-server: no upload session ${uploadId}`);
    const command = headerOf(req, 'x-goog-upload-command')
      .split(',')
      .map((c) => c.trim());
    if (!command.includes('upload') || Number(headerOf(req, 'x-goog-upload-offset')) !== upload.received) {
      return fileError(res, 400, `mock-llm-server: expected X-Goog-Upload-Command: upload at X-Goog-Upload-Offset ${upload.received}`);
    }
    upload.chunks.push(req.rawBody);
    upload.received += req.rawBody.length;
    if (!command.includes('finalize')) {
      res.writeHead(200, { 'x-goog-upload-status': 'active', 'content-length': 0 });
      res.end();
      return;
    }
    this.uploads.delete(uploadId);
    const file: GeminiFile = { ...upload.file, content: Buffer.concat(upload.chunks), source: 'UPLOADED' };
    if (file.content.length !== upload.size)
      return fileError(res, 400, `mock-llm-server: the upload announced ${upload.size} bytes and sent ${file.content.length}`);
    this.files.set(file.name, file);
    sendJson(res, 200, { file: fileResource(req.origin, file) }, { 'x-goog-upload-status': 'final' });
  }
}
