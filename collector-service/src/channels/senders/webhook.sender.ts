import type { Channel } from '../channel';
import { type AlertNotification, idempotencyKey, webhookBody } from '../notification';
import { checkHttpResponse, REQUEST_TIMEOUT_MS } from '../retry';
import { SIGNATURE_HEADER, signatureHeader } from '../signature';

/** One signed POST; each attempt signs with its own timestamp, the idempotency key stays the same. */
export async function sendWebhook(channel: Channel, n: AlertNotification, nowMs: number): Promise<void> {
  const body = JSON.stringify(webhookBody(n));
  const response = await fetch(channel.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'user-agent': 'tokenledger-alerts',
      'idempotency-key': idempotencyKey(n),
      [SIGNATURE_HEADER]: signatureHeader(channel.secret!, body, Math.floor(nowMs / 1000)),
    },
    body,
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  await checkHttpResponse(response, 'webhook');
}
