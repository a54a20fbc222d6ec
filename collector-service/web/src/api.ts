/** The collector's API as the dashboard calls it: same origin, the signed-in key on every request. */
const KEY_STORAGE = 'tokenledger.apiKey';

export const storedKey = () => sessionStorage.getItem(KEY_STORAGE);
export const storeKey = (key: string | null) => (key ? sessionStorage.setItem(KEY_STORAGE, key) : sessionStorage.removeItem(KEY_STORAGE));

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export type Query = Record<string, string | number | undefined | null>;

export function queryString(q: Query): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}

function headers(key = storedKey()): HeadersInit {
  return key ? { authorization: `Bearer ${key}` } : {};
}

/**
 * The tenant an all-tenant key is looking at (null: the key's own, or "default"). Sent as `tenant` on
 * every API request but the two that concern the key itself, so reports, budgets, alerts and exports
 * all follow the tenant picker.
 */
let tenant: string | null = null;

/** A key of every tenant (`keyTenant` null) asks for the tenant picked, if any (else the service's "default"); a key of one tenant never names one. */
export const setTenant = (keyTenant: string | null, picked: string | undefined) => {
  tenant = keyTenant === null ? (picked ?? null) : null;
};

function withTenant(url: string): string {
  if (tenant === null || !url.startsWith('/v1/') || url.startsWith('/v1/ui/config') || url.startsWith('/v1/tenants')) return url;
  return url + (url.includes('?') ? '&' : '?') + new URLSearchParams({ tenant }).toString();
}

export async function request(path: string, init: RequestInit = {}, key?: string | null): Promise<Response> {
  const res = await fetch(withTenant(path), {
    ...init,
    headers: { ...headers(key ?? undefined), ...(init.body ? { 'content-type': 'application/json' } : {}), ...init.headers },
  });
  if (!res.ok) {
    let message = `${res.status} ${res.statusText}`;
    try {
      // The error body (ErrorBodyDto): message is a string; Nest's own errors may list several.
      const body = (await res.json()) as { message?: string | string[] } | null;
      if (body?.message) message = Array.isArray(body.message) ? body.message.join('; ') : body.message;
    } catch {
      // not JSON: keep the status line
    }
    throw new ApiError(res.status, message);
  }
  return res;
}

/** Identical GETs in flight at once share one request (several panels read the same breakdown). */
const inflight = new Map<string, Promise<unknown>>();
/** Answers asked for before the page that shows them was loaded; each is handed out once. */
const prefetched = new Map<string, Promise<unknown>>();
/** The same answers once they have arrived, so a page can render with them at once. */
const arrived = new Map<string, unknown>();

const requestKey = (path: string, q: Query) => `${withTenant(path + queryString(q))}#${storedKey() ?? ''}`;

export function getJson<T>(path: string, q: Query = {}): Promise<T> {
  const url = requestKey(path, q);
  const early = prefetched.get(url) as Promise<T> | undefined;
  if (early) {
    prefetched.delete(url);
    arrived.delete(url);
    return early;
  }
  let pending = inflight.get(url) as Promise<T> | undefined;
  if (!pending) {
    pending = request(path + queryString(q)).then((res) => res.json() as Promise<T>);
    inflight.set(url, pending);
    const forget = () => inflight.delete(url);
    pending.then(forget, forget);
  }
  return pending;
}

/** Starts a GET now (while the app's code still loads); the first getJson of the same request takes its answer. */
export function prefetchJson(path: string, q: Query = {}): void {
  const pending = getJson(path, q);
  const key = requestKey(path, q);
  pending.then(
    (value) => prefetched.get(key) === pending && arrived.set(key, value),
    () => undefined, // a failure is shown by the page that takes it
  );
  prefetched.set(key, pending);
}

/** A prefetched answer that has already arrived, taken (as getJson would take it); else undefined. */
export function takeArrived<T>(path: string, q: Query = {}): T | undefined {
  const key = requestKey(path, q);
  if (!arrived.has(key)) return undefined;
  const value = arrived.get(key) as T;
  arrived.delete(key);
  prefetched.delete(key);
  return value;
}

export async function sendJson<T>(method: 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const res = await request(path, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  return (res.status === 204 ? null : await res.json()) as T;
}

/** Downloads a response as a file: exports need the key header, so a plain link cannot fetch them. */
export async function download(path: string, q: Query, fallbackName: string): Promise<void> {
  const res = await request(path + queryString(q));
  const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? fallbackName;
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export interface UiConfig {
  openMode: boolean;
  jaegerUrl: string | null;
  role: 'ingest' | 'viewer' | 'metrics' | 'admin' | null;
  tenant: string | null;
}

export const loadUiConfig = async (key: string | null) => (await request('/v1/ui/config', {}, key)).json() as Promise<UiConfig>;
