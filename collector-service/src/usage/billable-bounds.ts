/**
 * The most one call can bill, per attribute. Far above any real call (the largest context windows
 * hold about 10 million tokens; an image request makes at most a handful of images), and far below
 * what would let a handful of spans fill the store's integers: a span beyond any bound is rejected,
 * naming the attribute, and never stored. The collector README lists them.
 */
export const BILLABLE_BOUNDS = {
  /** Every token count: input, output, cache reads and writes, reasoning, audio. */
  tokens: 1_000_000_000,
  images: 10_000,
  /** A transcription of almost 12 days of audio. */
  audioSeconds: 1_000_000,
  /** Text-to-speech characters. */
  characters: 1_000_000_000,
  /** A payment whose gateway fee is recorded: $10,000,000 in nano-USD. */
  paymentNanos: 10_000_000n * 1_000_000_000n,
  /** The cost one call may have, ours or the one its emitter computed: $1,000,000 in nano-USD. */
  costNanos: 1_000_000n * 1_000_000_000n,
} as const;

/** Text a call carries into records and reports: names, ids, tags. */
export const TEXT_BOUNDS = {
  /** A model, user, agent, feature, service, tag key or value... */
  length: 256,
  tags: 50,
  /** A failed call's status message is kept to this many characters (it is a description, not a name). */
  errorMessageLength: 1000,
} as const;

/** Span times: from the year 2000 to a day past the collector's clock, and at most a week long. */
export const TIME_BOUNDS = {
  earliestStartMs: Date.UTC(2000, 0, 1),
  /** Clocks of senders run ahead by seconds, not days. */
  maxAheadMs: 24 * 60 * 60 * 1000,
  /** The longest a call may take, start to end (a batch job's window is a day). */
  maxDurationMs: 7 * 24 * 60 * 60 * 1000,
} as const;

/** 1,000,000,000 with thousands separators, for messages. */
export const grouped = (n: number | bigint): string => n.toLocaleString('en-US');
