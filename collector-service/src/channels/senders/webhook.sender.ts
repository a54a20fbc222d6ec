import type { Channel } from '../channel';
import { type Digest, digestWebhookBody } from '../digest-message';
import { type AlertNotification, idempotencyKey, webhookBody } from '../notification';
import { checkHttpResponse, REQUEST_TIMEOUT_MS } from '../retry';
import { SIGNATURE_HEADER, signatureHeader } from '../signature';

/** One signed POST; each attempt signs with its own timestamp, the idempotency key stays the same. */
async function postSigned(channel: Channel, body: string, key: string, nowMs: number): Promise<void> {
  const response = await fetch(channel.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'user-agent': 'tokenledger-alerts',
      'idempotency-key': key,
      [SIGNATURE_HEADER]: signatureHeader(channel.secret!, body, Math.floor(nowMs / 1000)),
    },
    body,
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  await checkHttpResponse(response, 'webhook');
}

export function sendWebhook(channel: Channel, n: AlertNotification, nowMs: number): Promise<void> {
  return postSigned(channel, JSON.stringify(webhookBody(n)), idempotencyKey(n), nowMs);
}

/** A digest's idempotency key is its id: one per subscription and period. */
export function sendDigestWebhook(channel: Channel, d: Digest, nowMs: number): Promise<void> {
  return postSigned(channel, JSON.stringify(digestWebhookBody(d)), d.id, nowMs);
}
