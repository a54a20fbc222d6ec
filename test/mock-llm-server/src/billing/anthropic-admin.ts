import type { ServerResponse } from 'node:http';
import { type RecordedRequest, type RouteHandler, sendJson } from '../http';
import { boundedInt, bucketPage, queryList, sumDecimals } from './admin-http';
import { type AnthropicMessagesUsage, DAY_MS, dayStartMs, type MockBilling } from './ledger';

/**
 * Anthropic's Admin API usage and cost reports, as documented:
 *
 * - `GET /v1/organizations/usage_report/messages?starting_at=&ending_at=&bucket_width=1d&group_by[]=model&limit=&page=`:
 *   `{ data: [{ starting_at, ending_at, results }], has_more, next_page }`, each result
 *   `{ uncached_input_tokens, cache_creation: { ephemeral_1h_input_tokens, ephemeral_5m_input_tokens },
 *   cache_read_input_tokens, output_tokens, server_tool_use: { web_search_requests }, api_key_id,
 *   workspace_id, model, service_tier, context_window }` (the grouping fields null unless grouped by).
 * - `GET /v1/organizations/cost_report?starting_at=&ending_at=&group_by[]=description&limit=&page=`:
 *   the same page shape, each result `{ currency: "USD", amount, workspace_id, description,
 *   cost_type, context_window, model, service_tier, token_type }` where `amount` is a decimal string
 *   in cents ("123.45" is $1.2345); without `group_by[]=description` a day's items are one result
 *   with those fields null.
 *
 * Times are RFC 3339; buckets are UTC days; `limit` is 1–31 buckets (default 7). The admin key
 * travels as `x-api-key`, with `anthropic-version`.
 */
export function anthropicAdminRoutes(billing: MockBilling): RouteHandler {
  return (req, res) => {
    if (req.method !== 'GET' || (req.path !== '/v1/organizations/usage_report/messages' && req.path !== '/v1/organizations/cost_report')) return false;
    if (req.headers['x-api-key'] !== billing.adminKeys.anthropic) {
      anthropicError(res, 401, 'authentication_error', 'invalid x-api-key: the usage and cost reports need an admin key (sk-ant-admin...)');
      return true;
    }
    if (!req.headers['anthropic-version']) {
      anthropicError(res, 400, 'invalid_request_error', 'anthropic-version: header is required');
      return true;
    }
    const failure = billing.takeFailure('anthropic');
    if (failure !== null) {
      anthropicError(res, failure, failure === 429 ? 'rate_limit_error' : failure === 529 ? 'overloaded_error' : 'api_error', `mock failure ${failure}`);
      return true;
    }
    if (req.path.endsWith('/messages')) messagesPage(billing, req, res);
    else costPage(billing, req, res);
    return true;
  };
}

function anthropicError(res: ServerResponse, status: number, type: string, message: string): void {
  sendJson(res, status, { type: 'error', error: { type, message } }, status === 429 ? { 'retry-after': '1' } : {});
}

function pageOf(req: RecordedRequest, res: ServerResponse) {
  const from = Date.parse(req.query.get('starting_at') ?? '');
  if (Number.isNaN(from)) {
    anthropicError(res, 400, 'invalid_request_error', 'starting_at: required, an RFC 3339 timestamp');
    return null;
  }
  const endText = req.query.get('ending_at');
  const to = endText === null ? Math.floor(Date.now() / DAY_MS) * DAY_MS + DAY_MS : Date.parse(endText);
  if (Number.isNaN(to)) {
    anthropicError(res, 400, 'invalid_request_error', 'ending_at: an RFC 3339 timestamp');
    return null;
  }
  if ((req.query.get('bucket_width') ?? '1d') !== '1d') {
    anthropicError(res, 400, 'invalid_request_error', 'bucket_width: this mock serves 1d only');
    return null;
  }
  const limit = boundedInt(req, 'limit', 7, 1, 31);
  if (limit === null) {
    anthropicError(res, 400, 'invalid_request_error', 'limit: from 1 to 31 for bucket_width 1d');
    return null;
  }
  try {
    return bucketPage(from, to, limit, req.query.get('page'));
  } catch (err) {
    anthropicError(res, 400, 'invalid_request_error', `page: ${(err as Error).message}`);
    return null;
  }
}

const rfc3339 = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const bucket = (day: string, results: unknown[]) => ({ starting_at: rfc3339(dayStartMs(day)), ending_at: rfc3339(dayStartMs(day) + DAY_MS), results });

function messagesPage(billing: MockBilling, req: RecordedRequest, res: ServerResponse): void {
  const groupBy = queryList(req, 'group_by');
  const unknown = groupBy.find(
    (g) => !['api_key_id', 'workspace_id', 'model', 'service_tier', 'context_window', 'inference_geo', 'speed', 'account_id', 'service_account_id'].includes(g),
  );
  if (unknown) return anthropicError(res, 400, 'invalid_request_error', `group_by: unknown value ${unknown}`);
  const page = pageOf(req, res);
  if (!page) return;
  const byModel = groupBy.includes('model');
  const data = page.days.map((day) => {
    const usage = billing.anthropic.messages.get(day) ?? [];
    const rows = byModel || usage.length === 0 ? usage : [totalUsage(usage)];
    return bucket(
      day,
      rows.map((u) => ({
        uncached_input_tokens: u.uncachedInputTokens,
        cache_creation: { ephemeral_1h_input_tokens: u.cacheCreation1hInputTokens ?? 0, ephemeral_5m_input_tokens: u.cacheCreation5mInputTokens ?? 0 },
        cache_read_input_tokens: u.cacheReadInputTokens ?? 0,
        output_tokens: u.outputTokens,
        server_tool_use: { web_search_requests: u.webSearchRequests ?? 0 },
        api_key_id: null,
        workspace_id: null,
        model: byModel ? u.model : null,
        service_tier: null,
        context_window: null,
      })),
    );
  });
  sendJson(res, 200, { data, has_more: page.nextPage !== null, next_page: page.nextPage });
}

function costPage(billing: MockBilling, req: RecordedRequest, res: ServerResponse): void {
  const groupBy = queryList(req, 'group_by');
  const unknown = groupBy.find((g) => !['workspace_id', 'description'].includes(g));
  if (unknown) return anthropicError(res, 400, 'invalid_request_error', `group_by: unknown value ${unknown}`);
  const page = pageOf(req, res);
  if (!page) return;
  const byDescription = groupBy.includes('description');
  const data = page.days.map((day) => {
    const lines = billing.anthropic.costs.get(day) ?? [];
    if (lines.length === 0) return bucket(day, []);
    if (!byDescription) {
      return bucket(day, [
        {
          currency: 'USD',
          amount: sumDecimals(lines.map((l) => l.amountCents)),
          workspace_id: null,
          description: null,
          cost_type: null,
          context_window: null,
          model: null,
          service_tier: null,
          token_type: null,
        },
      ]);
    }
    return bucket(
      day,
      lines.map((l) => ({
        currency: 'USD',
        amount: l.amountCents,
        workspace_id: null,
        description: l.description,
        cost_type: l.costType,
        context_window: l.contextWindow ?? null,
        model: l.model,
        service_tier: l.serviceTier ?? null,
        token_type: l.tokenType,
      })),
    );
  });
  sendJson(res, 200, { data, has_more: page.nextPage !== null, next_page: page.nextPage });
}

/** A day's usage across every model (what an ungrouped report answers). */
function totalUsage(usage: AnthropicMessagesUsage[]): AnthropicMessagesUsage {
  const sum = (field: keyof AnthropicMessagesUsage) => usage.reduce((n, u) => n + ((u[field] as number | undefined) ?? 0), 0);
  return {
    model: '',
    uncachedInputTokens: sum('uncachedInputTokens'),
    cacheReadInputTokens: sum('cacheReadInputTokens'),
    cacheCreation5mInputTokens: sum('cacheCreation5mInputTokens'),
    cacheCreation1hInputTokens: sum('cacheCreation1hInputTokens'),
    outputTokens: sum('outputTokens'),
    webSearchRequests: sum('webSearchRequests'),
  };
}
