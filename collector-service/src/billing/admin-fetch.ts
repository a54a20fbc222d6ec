import { checkHttpResponse, DeliveryError, REQUEST_TIMEOUT_MS, type RetryPolicy, withRetries } from '../channels/retry';

/** One page of a provider's admin report: buckets, and where the next page starts. */
export interface ReportPage<B> {
  data: B[];
  has_more: boolean;
  next_page: string | null;
}

/** A pull that failed; `permanent` when retrying cannot help (a refused key, a bad request). */
export class BillPullError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = 'BillPullError';
  }
}

/** More pages than a year of daily buckets needs, many times over: a provider that never stops paging is an error, not a loop. */
const MAX_PAGES = 1000;

/**
 * Every bucket of a paged admin report, following `next_page` while `has_more`. Each request is
 * retried with backoff on a network error, a 5xx, 408 or 429; any other answer fails the pull.
 * `reviver` reads the body (OpenAI's costs keep their amounts' digits through it).
 */
export async function fetchAllPages<B>(
  url: URL,
  headers: Record<string, string>,
  what: string,
  retry: RetryPolicy,
  reviver?: (this: unknown, key: string, value: unknown, context: { source?: string }) => unknown,
): Promise<B[]> {
  const buckets: B[] = [];
  let page: string | null = null;
  for (let n = 0; n < MAX_PAGES; n++) {
    const pageUrl = new URL(url);
    if (page !== null) pageUrl.searchParams.set('page', page);
    let body: ReportPage<B> | undefined;
    let permanent = false;
    const outcome = await withRetries(retry, async () => {
      try {
        body = await fetchPage<B>(pageUrl, headers, what, reviver);
      } catch (err) {
        permanent = err instanceof DeliveryError && err.permanent;
        throw err;
      }
    });
    if (!outcome.ok || body === undefined) throw new BillPullError(outcome.error ?? `${what} failed`, permanent);
    const answered: ReportPage<B> = body;
    buckets.push(...answered.data);
    if (!answered.has_more || !answered.next_page) return buckets;
    if (answered.next_page === page) throw new BillPullError(`${what} answered the same next_page twice`, true);
    page = answered.next_page;
  }
  throw new BillPullError(`${what} kept paging past ${MAX_PAGES} pages`, true);
}

async function fetchPage<B>(url: URL, headers: Record<string, string>, what: string, reviver: Parameters<typeof fetchAllPages>[4]): Promise<ReportPage<B>> {
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) }).catch((err: Error) => {
    throw new DeliveryError(`${what}: ${err.cause instanceof Error ? err.cause.message : err.message}`);
  });
  await checkHttpResponse(response, what);
  let body: ReportPage<B>;
  try {
    body = JSON.parse(await response.text(), reviver as never) as ReportPage<B>;
  } catch {
    throw new DeliveryError(`${what} answered a body that is not JSON`, true);
  }
  if (!body || !Array.isArray(body.data)) throw new DeliveryError(`${what} answered without a data list`, true);
  return body;
}
