/**
 * What a provider bills, day by day: the data the mock admin APIs serve. A test writes the bill it
 * wants (costs and usage per UTC day) and points the collector at the mock; the mock pages and shapes
 * it as the real Costs, Usage and Admin APIs do.
 */

/** A UTC day, `YYYY-MM-DD`. */
export type Day = string;

/** One line of OpenAI's Costs API: `line_item` (as `group_by=line_item` names it) and its amount in USD. */
export interface OpenAiCostLine {
  lineItem: string;
  /** USD as decimal text; served as a JSON number with exactly these digits, as the API sends them. */
  amountUsd: string;
  projectId?: string | null;
}

/** Per-model usage of one OpenAI Usage API endpoint on one day. */
export interface OpenAiCompletionsUsage {
  model: string;
  inputTokens: number;
  outputTokens: number;
  inputCachedTokens?: number;
  inputAudioTokens?: number;
  outputAudioTokens?: number;
  requests: number;
}
export interface OpenAiEmbeddingsUsage {
  model: string;
  inputTokens: number;
  requests: number;
}
export interface OpenAiImagesUsage {
  model: string;
  images: number;
  size?: string | null;
  requests: number;
}
export interface OpenAiSpeechUsage {
  model: string;
  characters: number;
  requests: number;
}
export interface OpenAiTranscriptionUsage {
  model: string;
  seconds: number;
  requests: number;
}

export interface OpenAiUsageByEndpoint {
  completions: OpenAiCompletionsUsage;
  embeddings: OpenAiEmbeddingsUsage;
  images: OpenAiImagesUsage;
  audio_speeches: OpenAiSpeechUsage;
  audio_transcriptions: OpenAiTranscriptionUsage;
}
export type OpenAiUsageEndpoint = keyof OpenAiUsageByEndpoint;

/** One item of Anthropic's cost report, as `group_by[]=description` splits it. */
export interface AnthropicCostLine {
  /** In cents, as decimal text ("123.45" is $1.2345). */
  amountCents: string;
  model: string | null;
  description: string;
  costType: 'tokens' | 'web_search' | 'code_execution';
  tokenType: string | null;
  serviceTier?: string | null;
  contextWindow?: string | null;
}

/** Per-model usage of Anthropic's Messages API on one day. */
export interface AnthropicMessagesUsage {
  model: string;
  uncachedInputTokens: number;
  cacheReadInputTokens?: number;
  cacheCreation5mInputTokens?: number;
  cacheCreation1hInputTokens?: number;
  outputTokens: number;
  webSearchRequests?: number;
}

/** A failure the next requests get, to exercise retries: `times` answers with `status`. */
interface Failure {
  status: number;
  times: number;
}

const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

function checkDay(day: Day): Day {
  if (!DAY_PATTERN.test(day) || Number.isNaN(Date.parse(`${day}T00:00:00Z`))) throw new TypeError(`a billed day is YYYY-MM-DD, got ${JSON.stringify(day)}`);
  return day;
}

function push<T>(map: Map<Day, T[]>, day: Day, item: T): void {
  const items = map.get(checkDay(day));
  if (items) items.push(item);
  else map.set(day, [item]);
}

/** The bill of an OpenAI organization. */
export class OpenAiBill {
  readonly costs = new Map<Day, OpenAiCostLine[]>();
  readonly usage: { [E in OpenAiUsageEndpoint]: Map<Day, OpenAiUsageByEndpoint[E][]> } = {
    completions: new Map(),
    embeddings: new Map(),
    images: new Map(),
    audio_speeches: new Map(),
    audio_transcriptions: new Map(),
  };

  addCost(day: Day, line: OpenAiCostLine): this {
    push(this.costs, day, line);
    return this;
  }

  addUsage<E extends OpenAiUsageEndpoint>(endpoint: E, day: Day, result: OpenAiUsageByEndpoint[E]): this {
    push(this.usage[endpoint] as Map<Day, OpenAiUsageByEndpoint[E][]>, day, result);
    return this;
  }

  /** Forgets every line (a test rewrites the bill, as a provider revises a day). */
  clear(): void {
    this.costs.clear();
    for (const map of Object.values(this.usage)) map.clear();
  }
}

/** The bill of an Anthropic organization. */
export class AnthropicBill {
  readonly costs = new Map<Day, AnthropicCostLine[]>();
  readonly messages = new Map<Day, AnthropicMessagesUsage[]>();

  addCost(day: Day, line: AnthropicCostLine): this {
    push(this.costs, day, line);
    return this;
  }

  addUsage(day: Day, result: AnthropicMessagesUsage): this {
    push(this.messages, day, result);
    return this;
  }

  clear(): void {
    this.costs.clear();
    this.messages.clear();
  }
}

/** The bills the admin APIs serve, the admin keys they accept, and failures to answer with next. */
export class MockBilling {
  readonly openai = new OpenAiBill();
  readonly anthropic = new AnthropicBill();
  private readonly failures: Record<'openai' | 'anthropic', Failure | null> = { openai: null, anthropic: null };

  constructor(readonly adminKeys: { openai: string; anthropic: string } = { openai: 'sk-admin-mock-openai', anthropic: 'sk-ant-admin-mock-anthropic' }) {}

  /** The next `times` requests to this provider's admin API answer `status` (e.g. 500, 429). */
  failNext(provider: 'openai' | 'anthropic', status: number, times = 1): void {
    this.failures[provider] = { status, times };
  }

  /** The failure this request gets, if one is pending (counted down). */
  takeFailure(provider: 'openai' | 'anthropic'): number | null {
    const failure = this.failures[provider];
    if (!failure) return null;
    if (--failure.times <= 0) this.failures[provider] = null;
    return failure.status;
  }
}

export const DAY_MS = 86_400_000;
export const dayOf = (ms: number): Day => new Date(ms).toISOString().slice(0, 10);
export const dayStartMs = (day: Day): number => Date.parse(`${day}T00:00:00Z`);
