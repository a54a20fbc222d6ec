import type { ChannelOutcome } from '../../channels/delivery.service';
import type { Digest } from '../../channels/digest-message';

/** One period's digest of one subscription: claimed by the instance that sends it, with what it says. */
export interface DigestRun {
  /** `<subscription id>.<period start ms>`: every instance derives the same id for the same period. */
  id: string;
  subscriptionId: string;
  periodStartMs: number;
  periodEndMs: number;
  claimedAtMs: number;
  /** The channels chosen when it was claimed; a redelivery goes to the same ones. */
  channels: string[];
  digest: Digest;
}

export const digestRunId = (subscriptionId: string, periodStartMs: number) => `${subscriptionId}.${periodStartMs}`;

/** The subscription of a run, from its id (see digestRunId): what precedes the last dot. */
export const subscriptionOfRun = (runId: string) => runId.slice(0, Math.max(runId.lastIndexOf('.'), 0));

/** The digests sent, once each per subscription and period across every instance sharing the store. */
export interface DigestRunsRepository {
  /** Stores the run; false when a run of that id was claimed before (here or in another instance). */
  claim(tenant: string, run: DigestRun): Promise<boolean>;
  get(tenant: string, id: string): Promise<DigestRun | null>;
  /** A subscription's runs, oldest period first. */
  ofSubscription(tenant: string, subscriptionId: string): Promise<DigestRun[]>;
  /** Marks every channel's delivery of the run as ended. */
  markSent(tenant: string, id: string, atMs: number): Promise<void>;
  sentAt(tenant: string, id: string): Promise<number | null>;
  /** When each run of a subscription was sent, by run id. */
  sentOfSubscription(tenant: string, subscriptionId: string): Promise<Map<string, number>>;
  /** The one claim to deliver an abandoned run again: true for exactly one caller. */
  claimRedelivery(tenant: string, id: string, atMs: number): Promise<boolean>;
  /** One outcome per run and channel (a redelivery's replaces the first). */
  saveDelivery(tenant: string, runId: string, outcome: ChannelOutcome): Promise<void>;
  /** The deliveries of a subscription's runs, by run id. */
  deliveriesOfSubscription(tenant: string, subscriptionId: string): Promise<Map<string, ChannelOutcome[]>>;
}

/** Document kinds the runs were kept under before they had tables (collections) of their own. */
export const DIGEST_RUN_DOCUMENT_KINDS = { run: 'digest-run', sent: 'digest-sent', redelivery: 'digest-redelivery', delivery: 'digest-delivery' } as const;

/** A run as the versions before kept it (a document, `id` its address), or null when the body holds none. */
export function digestRunOfDocument(id: string, body: unknown): DigestRun | null {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return null;
  const run = body as Record<string, unknown>;
  const digest = run.digest;
  if (
    typeof run.subscriptionId !== 'string' ||
    !Number.isSafeInteger(run.periodStartMs) ||
    digest === null ||
    typeof digest !== 'object' ||
    Array.isArray(digest)
  )
    return null;
  return { ...(body as DigestRun), id };
}

/** A channel's outcome of a run as the versions before kept it (a document: the outcome and its run), or null when the body holds none. */
export function digestDeliveryOfDocument(body: unknown): (ChannelOutcome & { runId: string }) | null {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return null;
  const d = body as Record<string, unknown>;
  return typeof d.runId === 'string' && typeof d.channelId === 'string' ? (body as ChannelOutcome & { runId: string }) : null;
}
