/** The collector's answer to `POST /v1/budgets/check` (issue 6's contract). */
export interface BudgetDecision {
  allowed: boolean;
  decision: 'allow' | 'warn' | 'block';
  budgets: BudgetState[];
  /** When the blocking budget's period ends (ISO 8601), or null. */
  resetsAt: string | null;
  /** Set (true) only on a decision made without the collector: it could not be reached in time. */
  unavailable?: boolean;
}

export interface BudgetState {
  id: string;
  name: string;
  /** Absent when the key may not read the tenant's money (an ingest key of every tenant). */
  spentUsd?: string;
  limitUsd?: string;
  state: 'ok' | 'warning' | 'exceeded';
  /** Sent by collectors that say which budgets block. */
  action?: 'notify' | 'block';
}

/** What a check asks about: the call's attribution, provider and model, and the service making it. */
export interface BudgetCheckRequest {
  user?: string;
  agent?: string;
  model?: string;
  provider?: string;
  feature?: string;
  service?: string;
  tags?: Record<string, string>;
}

const DECISIONS = new Set(['allow', 'warn', 'block']);

/** Validates a response body; a collector that answers something else is treated as unreachable. */
export function parseDecision(body: unknown): BudgetDecision {
  const b = body as Partial<BudgetDecision> | null;
  if (!b || typeof b !== 'object' || typeof b.allowed !== 'boolean' || typeof b.decision !== 'string' || !DECISIONS.has(b.decision)) {
    throw new Error(`unexpected budget check response: ${JSON.stringify(body)?.slice(0, 200)}`);
  }
  return {
    allowed: b.allowed,
    decision: b.decision,
    budgets: Array.isArray(b.budgets) ? b.budgets : [],
    resetsAt: typeof b.resetsAt === 'string' ? b.resetsAt : null,
  };
}

/** A stable cache key: the same attribution, model and provider in any property order is one key. */
export function requestKey(request: BudgetCheckRequest): string {
  const tags = request.tags
    ? Object.keys(request.tags)
        .sort()
        .map((k) => [k, request.tags![k]])
    : [];
  return JSON.stringify([
    request.user ?? null,
    request.agent ?? null,
    request.feature ?? null,
    request.service ?? null,
    request.provider ?? null,
    request.model ?? null,
    tags,
  ]);
}
