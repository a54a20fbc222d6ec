import type { DocumentBody } from './storage.port';

/** Checks a document's address and serialises its body, so both adapters store exactly the same JSON. */
export function encodeDocument(kind: string, tenant: string, id: string, doc: DocumentBody): string {
  checkAddress(kind, tenant, id);
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new TypeError(`document ${kind}/${id}: the body must be a JSON object`);
  try {
    return JSON.stringify(doc);
  } catch (err) {
    // BigInt is the usual culprit: documents keep money as decimal strings of nanos.
    throw new TypeError(`document ${kind}/${id}: the body is not plain JSON (${(err as Error).message}); store bigint amounts as decimal strings`);
  }
}

export function checkAddress(kind: string, tenant: string, id: string): void {
  for (const [name, value] of [
    ['kind', kind],
    ['tenant', tenant],
    ['id', id],
  ] as const) {
    if (typeof value !== 'string' || value === '') throw new TypeError(`document ${name} must be a non-empty string`);
  }
}

/**
 * The ids that start with `prefix`, as a half-open range [from, to): the prefix, and the prefix with
 * its last character one higher. Both stores compare ids by code point (UTF-8 bytes), so the range
 * holds exactly those ids.
 */
export function prefixRange(kind: string, tenant: string, prefix: string): { from: string; to: string } {
  checkAddress(kind, tenant, prefix);
  const last = prefix.charCodeAt(prefix.length - 1);
  if (last >= 0xd800 && last <= 0xdfff) throw new TypeError(`document id prefix "${prefix}" must not end inside a surrogate pair`);
  return { from: prefix, to: prefix.slice(0, -1) + String.fromCharCode(last + 1) };
}

export const decodeDocument = <T extends DocumentBody>(json: string): T => JSON.parse(json) as T;
