import { formatUsd } from '@tokenledger/pricing';

/** The providers whose bills are imported, as `gen_ai.provider.name` names them. */
export const BILLED_PROVIDERS = ['openai', 'anthropic'] as const;
export type BilledProvider = (typeof BILLED_PROVIDERS)[number];

/** A UTC day, `YYYY-MM-DD`: providers bucket their bills by UTC day. */
export type Day = string;

export const DAY_MS = 86_400_000;
export const dayOf = (ms: number): Day => new Date(ms).toISOString().slice(0, 10);
export const dayStartMs = (day: Day): number => Date.parse(`${day}T00:00:00Z`);

/** One cost line as the provider names it (OpenAI's line item, Anthropic's description), with the model it is for when the line says. */
export interface BilledLine {
  item: string;
  model: string | null;
  /** Exact nano-USD as a decimal string (as the API answers it; stored as an integer). */
  costNanos: string;
}

/** What the provider's usage API reports for one model on the day. Input tokens include cache reads and writes, as the GenAI conventions count them. */
export interface BilledUsage {
  model: string;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  /** Requests, when the provider reports them (OpenAI does, Anthropic's usage report does not). */
  requests: number | null;
  images: number;
  audioSeconds: number;
  characters: number;
}

/** Everything one provider billed a tenant's organization on one UTC day: replaced whole each time the day is pulled again. */
export interface BilledDay {
  provider: BilledProvider;
  day: Day;
  /** The day's total, exact nano-USD (decimal string). */
  costNanos: string;
  lines: BilledLine[];
  usage: BilledUsage[];
  pulledAtMs: number;
}

export const emptyUsage = (model: string): BilledUsage => ({
  model,
  inputTokens: 0,
  outputTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  requests: null,
  images: 0,
  audioSeconds: 0,
  characters: 0,
});

/** A billed day as the API shows it: money as exact nanos and USD strings. */
export function billedDayView(d: BilledDay) {
  return {
    date: d.day,
    provider: d.provider,
    costNanos: d.costNanos,
    costUsd: formatUsd(BigInt(d.costNanos)),
    lines: d.lines.map((l) => ({ item: l.item, model: l.model, costNanos: l.costNanos, costUsd: formatUsd(BigInt(l.costNanos)) })),
    usage: d.usage,
    pulledAt: new Date(d.pulledAtMs).toISOString(),
  };
}
