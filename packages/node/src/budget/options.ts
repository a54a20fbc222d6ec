/** How the budget guard reaches the collector and what it does when it cannot. */
export interface BudgetGuardOptions {
  /** The collector's base URL, e.g. `http://collector:8080` (TOKENLEDGER_URL). */
  url: string;
  /** An API key of any role (TOKENLEDGER_API_KEY); omitted for a collector in open mode. */
  apiKey?: string;
  /** What a call does when no decision can be had in time: `open` (allowed, one warning; default) or `closed` (blocked). TOKENLEDGER_BUDGET_FAIL. */
  fail?: 'open' | 'closed';
  /** How long a decision is used before it is refreshed in the background, ms (default 1000; TOKENLEDGER_BUDGET_CACHE_MS). */
  cacheMs?: number;
  /** How long a first call for an attribution waits for its decision, ms (default 250). */
  coldWaitMs?: number;
  /** Timeout of one check request, ms (default 2000). */
  timeoutMs?: number;
  /** A decision older than this is not used any more (the collector has not answered since), ms (default 60000). */
  maxStaleMs?: number;
  /** The service name checks are made for (default OTEL_SERVICE_NAME, else `service.name` in OTEL_RESOURCE_ATTRIBUTES). */
  service?: string;
  /** The clock, in ms (tests). */
  now?: () => number;
}

export interface ResolvedGuardOptions {
  url: string;
  apiKey: string | null;
  fail: 'open' | 'closed';
  cacheMs: number;
  coldWaitMs: number;
  timeoutMs: number;
  maxStaleMs: number;
  service: string | null;
  now: () => number;
}

/** A bad setting: the message names the variable (or option) and says what it must be. */
export class TokenledgerConfigError extends Error {
  override readonly name = 'TokenledgerConfigError';
}

function positive(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    throw new TokenledgerConfigError(`${name} must be a whole number of milliseconds, got ${JSON.stringify(value)}`);
  return value;
}

function serviceFromEnv(env: NodeJS.ProcessEnv): string | null {
  if (env.OTEL_SERVICE_NAME) return env.OTEL_SERVICE_NAME;
  for (const pair of (env.OTEL_RESOURCE_ATTRIBUTES ?? '').split(',')) {
    const [key, ...value] = pair.split('=');
    if (key?.trim() === 'service.name' && value.length) return decodeURIComponent(value.join('=').trim());
  }
  return null;
}

/** Checks the options (naming `budgetGuard.<field>` in errors) and fills in defaults. */
export function resolveGuardOptions(options: BudgetGuardOptions, env: NodeJS.ProcessEnv = process.env, prefix = 'budgetGuard.'): ResolvedGuardOptions {
  if (!options || typeof options !== 'object') throw new TokenledgerConfigError(`${prefix.replace(/\.$/, '')} must be an object like { url, apiKey }`);
  let url: URL;
  try {
    url = new URL(String(options.url));
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http');
  } catch {
    throw new TokenledgerConfigError(`${prefix}url must be the collector's http(s) base URL, e.g. http://127.0.0.1:8080, got ${JSON.stringify(options.url)}`);
  }
  if (options.fail !== undefined && options.fail !== 'open' && options.fail !== 'closed')
    throw new TokenledgerConfigError(`${prefix}fail must be "open" or "closed", got ${JSON.stringify(options.fail)}`);
  if (options.apiKey !== undefined && (typeof options.apiKey !== 'string' || options.apiKey === ''))
    throw new TokenledgerConfigError(`${prefix}apiKey must be a non-empty string`);
  return {
    url: url.href.replace(/\/+$/, ''),
    apiKey: options.apiKey ?? null,
    fail: options.fail ?? 'open',
    cacheMs: positive(`${prefix}cacheMs`, options.cacheMs, 1000),
    coldWaitMs: positive(`${prefix}coldWaitMs`, options.coldWaitMs, 250),
    timeoutMs: positive(`${prefix}timeoutMs`, options.timeoutMs, 2000),
    maxStaleMs: positive(`${prefix}maxStaleMs`, options.maxStaleMs, 60_000),
    service: options.service ?? serviceFromEnv(env),
    now: options.now ?? Date.now,
  };
}

/**
 * The guard's options from TOKENLEDGER_BUDGET_GUARD / TOKENLEDGER_URL / TOKENLEDGER_API_KEY /
 * TOKENLEDGER_BUDGET_FAIL / TOKENLEDGER_BUDGET_CACHE_MS, or null when the guard is off. Asking for
 * the guard with a missing or bad setting is an error naming the variable: a guard that silently
 * does not guard would let spending through.
 */
export function guardOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): ResolvedGuardOptions | null {
  const switch_ = (env.TOKENLEDGER_BUDGET_GUARD ?? '').trim().toLowerCase();
  if (switch_ === '' || switch_ === 'off' || switch_ === 'false' || switch_ === '0') return null;
  if (switch_ !== 'on' && switch_ !== 'true' && switch_ !== '1')
    throw new TokenledgerConfigError(`TOKENLEDGER_BUDGET_GUARD must be "on" or "off", got "${env.TOKENLEDGER_BUDGET_GUARD}"`);
  if (!env.TOKENLEDGER_URL)
    throw new TokenledgerConfigError("TOKENLEDGER_URL is required when TOKENLEDGER_BUDGET_GUARD=on: the collector's base URL, e.g. http://127.0.0.1:8080");
  const fail = env.TOKENLEDGER_BUDGET_FAIL?.trim().toLowerCase() || undefined;
  if (fail !== undefined && fail !== 'open' && fail !== 'closed')
    throw new TokenledgerConfigError(`TOKENLEDGER_BUDGET_FAIL must be "open" or "closed", got "${env.TOKENLEDGER_BUDGET_FAIL}"`);
  const cache = env.TOKENLEDGER_BUDGET_CACHE_MS?.trim();
  if (cache && !/^\d+$/.test(cache)) throw new TokenledgerConfigError(`TOKENLEDGER_BUDGET_CACHE_MS must be a whole number of milliseconds, got "${cache}"`);
  try {
    return resolveGuardOptions(
      { url: env.TOKENLEDGER_URL, apiKey: env.TOKENLEDGER_API_KEY || undefined, fail, cacheMs: cache ? Number(cache) : undefined },
      env,
      '',
    );
  } catch (err) {
    throw new TokenledgerConfigError(
      String((err as Error).message)
        .replace(/^url /, 'TOKENLEDGER_URL ')
        .replace(/^apiKey /, 'TOKENLEDGER_API_KEY '),
    );
  }
}
