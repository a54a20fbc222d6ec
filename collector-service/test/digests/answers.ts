import type { Digest } from '../../src/channels/digest-message';
import type { subscriptionView } from '../../src/digests/digest-subscription';
import type { DigestsService } from '../../src/digests/digests.service';
import type { RunningCollector } from '../support/app';
import { api } from '../alerts/harness';

/** The answers of the digests API and of the reports the digests are checked against, as the tests read them. */
export type Subscription = ReturnType<typeof subscriptionView>;
export type SentDigests = Awaited<ReturnType<DigestsService['sent']>>;
export type WebhookDigest = Digest & { type: string; version: number };
export interface Refusal {
  field: string;
  message: string;
}
export interface Summary {
  totalCostNanos: string;
  totalCostUsd: string;
  calls: number;
}
export interface Breakdown {
  items: { key: string | null; costNanos: string; costUsd: string; calls: number }[];
}

/** A call to the service with the admin key (or `key`), its answer read as `T`. */
export async function call<T>(c: RunningCollector, method: string, path: string, body?: unknown, key?: string): Promise<{ status: number; body: T }> {
  const answer = await api(c, method, path, body, key);
  return { status: answer.status, body: answer.body as T };
}
