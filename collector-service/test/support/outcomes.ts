import type { ChannelOutcome, DeliveryRecord } from '../../src/channels/delivery.service';

const NOW = Date.UTC(2026, 10, 30, 12);

/** How sending a digest to a webhook channel went: once, or five failed attempts. */
export const channelOutcome = (channelId: string, ok: boolean, atMs = NOW): ChannelOutcome => ({
  channelId,
  channelType: 'webhook',
  channelName: 'ops',
  ok,
  attempts: ok ? 1 : 5,
  error: ok ? null : 'webhook answered 503',
  atMs,
});

/** How delivering an alert's firing or resolution to a webhook channel went: once, or three failed attempts. */
export const alertDelivery = (channelId: string, state: DeliveryRecord['state'], ok: boolean, atMs = NOW): DeliveryRecord => ({
  channelId,
  channelType: 'webhook',
  channelName: 'ops',
  state,
  ok,
  attempts: ok ? 1 : 3,
  error: ok ? null : 'HTTP 500',
  atMs,
});
