import type { Digest } from '../../src/channels/digest-message';
import type { subscriptionView } from '../../src/digests/digest-subscription';
import type { DigestsService } from '../../src/digests/digests.service';

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
