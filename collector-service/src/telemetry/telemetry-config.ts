import { ConfigError } from '../config/config';

/** The users whose spend may appear as a `user` label: every other user is left out of /metrics. */
export const METRICS_USER_ALLOWLIST_VARIABLE = 'TOKENLEDGER_METRICS_USER_ALLOWLIST';
const MAX_ALLOWLISTED_USERS = 1000;

export interface TelemetryConfig {
  /** User ids exported as the `user` label of tokenledger_cost_usd_total; empty exports none. */
  userAllowlist: ReadonlySet<string>;
}

/**
 * Reads the metrics settings. A label per user would make one Prometheus series per user and model
 * and feature, so users are opt-in, by name, up to a fixed number.
 */
export function loadTelemetryConfig(env: NodeJS.ProcessEnv = process.env): TelemetryConfig {
  const raw = env[METRICS_USER_ALLOWLIST_VARIABLE];
  if (raw === undefined || raw.trim() === '') return { userAllowlist: new Set() };
  const users = raw.split(',').map((user) => user.trim());
  if (users.some((user) => user === '')) {
    throw new ConfigError(METRICS_USER_ALLOWLIST_VARIABLE, `must be user ids separated by commas with none empty, got "${raw}"`);
  }
  if (users.length > MAX_ALLOWLISTED_USERS) {
    throw new ConfigError(METRICS_USER_ALLOWLIST_VARIABLE, `may name at most ${MAX_ALLOWLISTED_USERS} users (one Prometheus series each), got ${users.length}`);
  }
  return { userAllowlist: new Set(users) };
}
