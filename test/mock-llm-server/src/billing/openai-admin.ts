import type { ServerResponse } from 'node:http';
import { type RecordedRequest, type RouteHandler, sendJson } from '../http';
import { boundedInt, bucketPage, queryList, RawNumber, sendRawJson, sumDecimals } from './admin-http';
import { DAY_MS, dayStartMs, type MockBilling, type OpenAiUsageByEndpoint, type OpenAiUsageEndpoint } from './ledger';

/**
 * OpenAI's organization Costs and Usage APIs, as documented (and as the `openai` SDK's
 * `client.admin.organization.usage` types describe them):
 *
 * - `GET /v1/organization/costs?start_time=&end_time=&bucket_width=1d&group_by[]=line_item&limit=&page=`:
 *   a page of daily buckets `{ object: "bucket", start_time, end_time, results }`, each result
 *   `{ object: "organization.costs.result", amount: { value, currency: "usd" }, line_item, project_id }`;
 *   `value` is a JSON number in USD. Without `group_by=line_item` a day's lines are one result.
 *   `limit` is 1–180 buckets (default 7).
 * - `GET /v1/organization/usage/{completions,embeddings,images,audio_speeches,audio_transcriptions}`
 *   with `group_by[]=model`: per-model results (`input_tokens`, `output_tokens`,
 *   `input_cached_tokens`, `num_model_requests`, ...; `images`, `characters`, `seconds` for the
 *   others); without it, one result per day summing every model. `limit` 1–31 (default 7).
 *
 * Pages: `has_more` and `next_page`; the next request passes `page=<next_page>`. Times are Unix
 * seconds; buckets are UTC days. The admin key travels as `Authorization: Bearer`.
 */
export function openAiAdminRoutes(billing: MockBilling): RouteHandler {
  return (req, res) => {
    if (req.method !== 'GET') return false;
    const usage = /^\/v1\/organization\/usage\/(completions|embeddings|images|audio_speeches|audio_transcriptions)$/.exec(req.path);
    if (req.path !== '/v1/organization/costs' && !usage) return false;
    if (req.headers.authorization !== `Bearer ${billing.adminKeys.openai}`) {
      openAiError(res, 401, 'Incorrect API key provided. You need an admin key for the organization APIs.', 'invalid_api_key');
      return true;
    }
    const failure = billing.takeFailure('openai');
    if (failure !== null) {
      openAiError(res, failure, `mock failure ${failure}`, failure === 429 ? 'rate_limit_exceeded' : 'server_error');
      return true;
    }
    if (usage) usagePage(billing, usage[1] as OpenAiUsageEndpoint, req, res);
    else costsPage(billing, req, res);
    return true;
  };
}

function openAiError(res: ServerResponse, status: number, message: string, code: string, param: string | null = null): void {
  sendJson(res, status, {
    error: { message, type: status === 401 ? 'invalid_request_error' : status >= 500 ? 'server_error' : 'invalid_request_error', param, code },
  });
}

/** The request's range and page, or null after answering 400. */
function pageOf(req: RecordedRequest, res: ServerResponse, maxLimit: number) {
  const start = Number(req.query.get('start_time'));
  if (!req.query.has('start_time') || !Number.isInteger(start)) {
    openAiError(res, 400, 'start_time is required: Unix seconds', 'invalid_value', 'start_time');
    return null;
  }
  const bucketWidth = req.query.get('bucket_width') ?? '1d';
  if (bucketWidth !== '1d') {
    openAiError(res, 400, 'this mock serves bucket_width=1d only', 'invalid_value', 'bucket_width');
    return null;
  }
  const end = req.query.has('end_time') ? Number(req.query.get('end_time')) : Math.floor(Date.now() / DAY_MS) * (DAY_MS / 1000) + DAY_MS / 1000;
  const limit = boundedInt(req, 'limit', 7, 1, maxLimit);
  if (limit === null) {
    openAiError(res, 400, `limit must be from 1 to ${maxLimit}`, 'invalid_value', 'limit');
    return null;
  }
  try {
    return bucketPage(start * 1000, end * 1000, limit, req.query.get('page'));
  } catch (err) {
    openAiError(res, 400, (err as Error).message, 'invalid_value', 'page');
    return null;
  }
}

const bucket = (day: string, results: unknown[]) => ({
  object: 'bucket',
  start_time: dayStartMs(day) / 1000,
  end_time: (dayStartMs(day) + DAY_MS) / 1000,
  results,
});

function costsPage(billing: MockBilling, req: RecordedRequest, res: ServerResponse): void {
  const groupBy = queryList(req, 'group_by');
  const unknown = groupBy.find((g) => !['project_id', 'line_item', 'user_id', 'api_key_id', 'api_source'].includes(g));
  if (unknown) return openAiError(res, 400, `group_by: unknown field ${unknown}`, 'invalid_value', 'group_by');
  const page = pageOf(req, res, 180);
  if (!page) return;
  const byLine = groupBy.includes('line_item');
  const data = page.days.map((day) => {
    const lines = billing.openai.costs.get(day) ?? [];
    if (lines.length === 0) return bucket(day, []);
    if (!byLine)
      return bucket(day, [
        {
          object: 'organization.costs.result',
          amount: { value: new RawNumber(sumDecimals(lines.map((l) => l.amountUsd))), currency: 'usd' },
          line_item: null,
          project_id: null,
        },
      ]);
    return bucket(
      day,
      lines.map((l) => ({
        object: 'organization.costs.result',
        amount: { value: new RawNumber(l.amountUsd), currency: 'usd' },
        line_item: l.lineItem,
        project_id: groupBy.includes('project_id') ? (l.projectId ?? null) : null,
      })),
    );
  });
  sendRawJson(res, 200, { object: 'page', data, has_more: page.nextPage !== null, next_page: page.nextPage });
}

type Result<E extends OpenAiUsageEndpoint> = OpenAiUsageByEndpoint[E];

/** The documented result object of each usage endpoint. */
const RESULT_SHAPES: { [E in OpenAiUsageEndpoint]: (r: Result<E>, model: string | null) => Record<string, unknown> } = {
  completions: (r, model) => ({
    object: 'organization.usage.completions.result',
    input_tokens: r.inputTokens,
    output_tokens: r.outputTokens,
    input_cached_tokens: r.inputCachedTokens ?? 0,
    input_audio_tokens: r.inputAudioTokens ?? 0,
    output_audio_tokens: r.outputAudioTokens ?? 0,
    num_model_requests: r.requests,
    project_id: null,
    user_id: null,
    api_key_id: null,
    model,
    batch: null,
  }),
  embeddings: (r, model) => ({
    object: 'organization.usage.embeddings.result',
    input_tokens: r.inputTokens,
    num_model_requests: r.requests,
    project_id: null,
    user_id: null,
    api_key_id: null,
    model,
  }),
  images: (r, model) => ({
    object: 'organization.usage.images.result',
    images: r.images,
    num_model_requests: r.requests,
    size: model === null ? null : (r.size ?? null),
    source: null,
    project_id: null,
    user_id: null,
    api_key_id: null,
    model,
  }),
  audio_speeches: (r, model) => ({
    object: 'organization.usage.audio_speeches.result',
    characters: r.characters,
    num_model_requests: r.requests,
    project_id: null,
    user_id: null,
    api_key_id: null,
    model,
  }),
  audio_transcriptions: (r, model) => ({
    object: 'organization.usage.audio_transcriptions.result',
    seconds: r.seconds,
    num_model_requests: r.requests,
    project_id: null,
    user_id: null,
    api_key_id: null,
    model,
  }),
};

function usagePage<E extends OpenAiUsageEndpoint>(billing: MockBilling, endpoint: E, req: RecordedRequest, res: ServerResponse): void {
  const groupBy = queryList(req, 'group_by');
  const unknown = groupBy.find((g) => !['project_id', 'user_id', 'api_key_id', 'model', 'batch', 'service_tier', 'api_source', 'size', 'source'].includes(g));
  if (unknown) return openAiError(res, 400, `group_by: unknown field ${unknown}`, 'invalid_value', 'group_by');
  const page = pageOf(req, res, 31);
  if (!page) return;
  const shape = RESULT_SHAPES[endpoint] as (r: Result<E>, model: string | null) => Record<string, unknown>;
  const byModel = groupBy.includes('model');
  const data = page.days.map((day) => {
    const results = (billing.openai.usage[endpoint].get(day) ?? []) as Result<E>[];
    if (results.length === 0) return bucket(day, []);
    return bucket(day, byModel ? results.map((r) => shape(r, r.model)) : [shape(sumResults(results), null)]);
  });
  sendJson(res, 200, { object: 'page', data, has_more: page.nextPage !== null, next_page: page.nextPage });
}

/** Every numeric field summed (the day's total across models). */
function sumResults<T>(results: T[]): T {
  const total: Record<string, unknown> = {};
  for (const r of results) {
    for (const [k, v] of Object.entries(r as Record<string, unknown>)) if (typeof v === 'number') total[k] = ((total[k] as number | undefined) ?? 0) + v;
  }
  return total as T;
}
