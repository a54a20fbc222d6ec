import type { IncomingMessage } from 'node:http';

/** Where a request comes from and whom it addresses: what open mode is decided on. */
export interface RequestOrigin {
  /** The peer's address as the socket reports it. */
  peer: string | undefined;
  /** The Host header, if any. */
  host: string | undefined;
}

export function originOf(req: Pick<IncomingMessage, 'socket' | 'headers'>): RequestOrigin {
  return { peer: req.socket?.remoteAddress, host: req.headers.host };
}

/** The loopback addresses of this machine's own processes (IPv4-mapped IPv6 included); no other 127.x address. */
const LOOPBACK_PEERS = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
/** Names a page on this machine uses to reach it; a DNS name rebound to 127.0.0.1 is none of them. */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

export const isLoopbackAddress = (address: string): boolean => LOOPBACK_PEERS.has(address) || address === 'localhost';

/**
 * A request open mode may answer: from 127.0.0.1 or ::1, and addressed to localhost, 127.0.0.1 or
 * [::1] (any port). A browser always sends Host, so a page of another site whose DNS name was rebound
 * to 127.0.0.1 still names its own host and is refused; a request without Host comes from no browser.
 */
export function isLocalOrigin(origin: RequestOrigin): boolean {
  if (origin.peer === undefined || !LOOPBACK_PEERS.has(origin.peer)) return false;
  if (origin.host === undefined) return true;
  const host = origin.host.trim().toLowerCase().replace(/:\d+$/, '');
  return LOOPBACK_HOSTS.has(host);
}
