import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ApiKeyRole } from '../storage/storage.port';

export const ROLES: readonly ApiKeyRole[] = ['ingest', 'viewer', 'metrics', 'admin'];

/**
 * A new key: `tl_<role>_<id>_<secret>`. 32 random bytes of secret make a plain SHA-256 of the key a
 * safe thing to store: there is nothing to brute-force that a slow password hash would protect, and
 * lookups stay one indexed equality.
 */
export function generateApiKey(role: ApiKeyRole): { id: string; key: string; hash: string } {
  const id = randomBytes(6).toString('hex');
  const key = `tl_${role}_${id}_${randomBytes(32).toString('base64url')}`;
  return { id, key, hash: hashApiKey(key) };
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Compares two hex hashes in constant time. */
export function sameHash(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));
}

/** The key from `Authorization: Bearer <key>` or `x-api-key: <key>`. */
export function keyFromHeaders(headers: Record<string, string | string[] | undefined>): string | null {
  const auth = headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (m) return m[1];
  }
  const apiKey = headers['x-api-key'];
  return typeof apiKey === 'string' && apiKey.trim() !== '' ? apiKey.trim() : null;
}

/**
 * What logs may show of a presented key: `tl_<role>_<id>` for a key of ours (its id, never its
 * secret), the first 4 characters of any other, or "no key".
 */
export function keyPrefix(key: string | null): string {
  if (key === null) return 'no key';
  const ours = /^(tl_[a-z]+_[0-9a-f]{12})_/.exec(key);
  return ours ? ours[1] : `${key.slice(0, 4)}…`;
}
