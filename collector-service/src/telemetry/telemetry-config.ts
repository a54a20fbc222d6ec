import { ConfigError } from '../config/config';

/** The users whose spend may appear as a `user` label: every other user is left out of /metrics. */
export const METRICS_USER_ALLOWLIST_VARIABLE = 'TOKENLEDGER_METRICS_USER_ALLOWLIST';
const MAX_ALLOWLISTED_USERS = 1000;

/** The tenants whose budgets appear (with their names and ids) on /metrics: `*` for all. */
export const METRICS_TENANTS_VARIABLE = 'TOKENLEDGER_METRICS_TENANTS';

export interface TelemetryConfig {
  /** User ids exported as the `user` label of tokenledger_cost_usd_total; empty exports none. */
  userAllowlist: ReadonlySet<string>;
  /** Whether a tenant's budgets are labelled on /metrics. */
  showsTenant: (tenant: string) => boolean;
}

/**
 * Reads the metrics settings. A label per user would make one Prometheus series per user and model
 * and feature, so users are opt-in, by name, up to a fixed number.
 */
export function loadTelemetryConfig(env: NodeJS.ProcessEnv = process.env): TelemetryConfig {
  return { userAllowlist: userAllowlist(env), showsTenant: tenantFilter(env) };
}

/**
 * One deployment's budget names are its own business; with many tenants, only those named (default:
 * `default`, the one tenant of a single-team deployment) have their budgets labelled.
 */
function tenantFilter(env: NodeJS.ProcessEnv): (tenant: string) => boolean {
  const raw = env[METRICS_TENANTS_VARIABLE];
  if (raw === undefined || raw.trim() === '') return (tenant) => tenant === 'default';
  if (raw.trim() === '*') return () => true;
  const tenants = raw.split(',').map((tenant) => tenant.trim());
  if (tenants.some((tenant) => tenant === ''))
    throw new ConfigError(METRICS_TENANTS_VARIABLE, `must be * or tenants separated by commas with none empty, got "${raw}"`);
  const named = new Set(tenants);
  return (tenant) => named.has(tenant);
}

function userAllowlist(env: NodeJS.ProcessEnv): ReadonlySet<string> {
  const raw = env[METRICS_USER_ALLOWLIST_VARIABLE];
  if (raw === undefined || raw.trim() === '') return new Set();
  const users = raw.split(',').map((user) => user.trim());
  if (users.some((user) => user === '')) {
    throw new ConfigError(METRICS_USER_ALLOWLIST_VARIABLE, `must be user ids separated by commas with none empty, got "${raw}"`);
  }
  if (users.length > MAX_ALLOWLISTED_USERS) {
    throw new ConfigError(METRICS_USER_ALLOWLIST_VARIABLE, `may name at most ${MAX_ALLOWLISTED_USERS} users (one Prometheus series each), got ${users.length}`);
  }
  return new Set(users);
}
