import type { RunningCollector } from './app';

/** A call to the service as `key`, its JSON answer read as T (null when the body is empty). */
export async function callAs<T>(
  c: Pick<RunningCollector, 'url'>,
  key: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${c.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}
