import { availableParallelism, homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { CACHED_ROWS } from '../storage/mongo/rollup-docs';

/** The service's configuration, from TOKENLEDGER_* environment variables, validated at start. */
export interface CollectorConfig {
  host: string;
  port: number;
  /** The OTLP/gRPC receiver's port on `host` (0: any free port), or null when it is off. */
  grpcPort: number | null;
  store: 'sqlite' | 'mongo';
  /** Where the service and the CLI keep their files, whatever the working directory (absolute). */
  dataDir: string;
  /** The SQLite file: TOKENLEDGER_SQLITE_PATH, else tokenledger.sqlite in the data directory (absolute, or `:memory:`). */
  sqlitePath: string;
  mongodbUri: string | null;
  /** Rows of compacted documents each mongo instance keeps decoded (see RollupDocs); 0 keeps none. */
  mongoCachedRows: number;
  pricesFile: string | null;
  maxBodyBytes: number;
  /** Request bytes (raw and inflated) held at once by every receiver; beyond it, "retry later". */
  maxInflightBytes: number;
  /** Worker threads that decode and price OTLP requests off the event loop; 0 prices them on it. */
  ingestWorkers: number;
  /** Seconds a keep-alive connection may stay idle between requests before it is closed. */
  httpIdleTimeoutSeconds: number;
  /** Seconds a request may take to send its headers, and the whole request, before its connection is closed. */
  httpHeadersTimeoutSeconds: number;
  httpRequestTimeoutSeconds: number;
  retentionDays: number | null;
  jaegerUrl: string | null;
  /** A first admin key (all tenants), so keys can be created over the API before any exists. */
  adminKey: string | null;
  /** Open mode again on a store that had API keys, once none is live (otherwise such a store refuses every request). */
  allowOpenMode: boolean;
  /** /metrics without a key (otherwise a `metrics` or `admin` key). */
  metricsPublic: boolean;
  /** Milliseconds between the starts of the budget sync's rounds; 0: no timed rounds, only those the code asks for. */
  budgetSyncMs: number;
  /** Seconds between alert rule evaluations; 0 turns the schedule off. */
  alertIntervalSeconds: number;
  /** Tries per alert delivery before it is recorded as failed, and the delay before the first retry (doubling). */
  alertDeliveryAttempts: number;
  alertRetryBaseMs: number;
  /** Sender address of e-mail alerts. */
  alertEmailFrom: string;
  /** The service's URL as people reach it: links in alerts (Alertmanager's generatorURL). */
  publicUrl: string | null;
  /** Organization admin keys of the `default` tenant, for importing what the providers bill (other tenants set theirs through the API). */
  openaiAdminKey: string | null;
  anthropicAdminKey: string | null;
  /** Where the providers' admin APIs are (the real ones unless a test or a proxy says otherwise). */
  openaiAdminBaseUrl: string;
  anthropicAdminBaseUrl: string;
  /** Hours between imports of the providers' bills; 0 turns the schedule off (imports on demand still run). */
  billSyncHours: number;
  /** Wait before retrying a failed request to a provider's admin API; doubles each time. */
  billRetryBaseMs: number;
  /** The most values (conversations, a tag key's values) one breakdown reads; a range holding more is refused. */
  breakdownMaxValues: number;
}

/** Every core but the event loop's, at least one, at most four: pricing a 512-span request takes milliseconds, storing it is the store's. */
const DEFAULT_INGEST_WORKERS = Math.min(4, Math.max(1, availableParallelism() - 1));

/** A bad setting: the message names the variable and says what it must be. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable} ${message}`);
    this.name = 'ConfigError';
  }
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || value < min || value > max) throw new ConfigError(name, `must be a whole number from ${min} to ${max}, got "${raw}"`);
  return value;
}

/** A port, or "off" for a listener the service can run without. */
function portOrOff(env: NodeJS.ProcessEnv, name: string, fallback: number): number | null {
  const raw = env[name];
  if (raw === 'off') return null;
  if (raw !== undefined && raw !== '' && !(/^\d+$/.test(raw.trim()) && Number(raw) <= 65535)) {
    throw new ConfigError(name, `must be a port from 0 to 65535, or "off", got "${raw}"`);
  }
  return integer(env, name, fallback, 0, 65535);
}

function flag(env: NodeJS.ProcessEnv, name: string): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '' || raw === 'false') return false;
  if (raw === 'true') return true;
  throw new ConfigError(name, `must be "true" or "false", got "${raw}"`);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): CollectorConfig {
  const store = env.TOKENLEDGER_STORE || 'sqlite';
  if (store !== 'sqlite' && store !== 'mongo') throw new ConfigError('TOKENLEDGER_STORE', `must be "sqlite" or "mongo", got "${store}"`);
  const mongodbUri = env.MONGODB_URI || null;
  if (store === 'mongo' && !mongodbUri) throw new ConfigError('MONGODB_URI', 'is required when TOKENLEDGER_STORE=mongo');
  const dataDir = dataDirectory(env);
  const sqlitePath = env.TOKENLEDGER_SQLITE_PATH || join(dataDir, 'tokenledger.sqlite');
  const retention = env.TOKENLEDGER_RETENTION_DAYS;
  const jaegerUrl = env.TOKENLEDGER_JAEGER_URL || null;
  const httpHeadersTimeoutSeconds = integer(env, 'TOKENLEDGER_HTTP_HEADERS_TIMEOUT_SECONDS', 20, 1, 600);
  const maxBodyBytes = integer(env, 'TOKENLEDGER_MAX_BODY_BYTES', 16 * 1024 * 1024, 1024, 1024 * 1024 * 1024);
  if (jaegerUrl !== null && !/^https?:\/\//.test(jaegerUrl)) throw new ConfigError('TOKENLEDGER_JAEGER_URL', `must be an http(s) URL, got "${jaegerUrl}"`);
  return {
    host: env.TOKENLEDGER_HOST || '127.0.0.1',
    port: integer(env, 'TOKENLEDGER_PORT', 8080, 0, 65535),
    grpcPort: portOrOff(env, 'TOKENLEDGER_GRPC_PORT', 4317),
    store,
    dataDir,
    sqlitePath: isAbsolute(sqlitePath) || sqlitePath === ':memory:' ? sqlitePath : resolve(sqlitePath),
    mongodbUri,
    mongoCachedRows: integer(env, 'TOKENLEDGER_MONGO_CACHED_ROWS', CACHED_ROWS, 0, 100_000_000),
    pricesFile: env.TOKENLEDGER_PRICES_FILE || null,
    maxBodyBytes,
    maxInflightBytes: integer(env, 'TOKENLEDGER_MAX_INFLIGHT_BYTES', Math.max(64 * 1024 * 1024, 2 * maxBodyBytes), 2 * maxBodyBytes, 64 * 1024 * 1024 * 1024),
    ingestWorkers: integer(env, 'TOKENLEDGER_INGEST_WORKERS', DEFAULT_INGEST_WORKERS, 0, 64),
    httpIdleTimeoutSeconds: integer(env, 'TOKENLEDGER_HTTP_IDLE_TIMEOUT_SECONDS', 60, 1, 3600),
    httpHeadersTimeoutSeconds,
    // The whole request includes its headers, so it cannot have less time than they have.
    httpRequestTimeoutSeconds: integer(env, 'TOKENLEDGER_HTTP_REQUEST_TIMEOUT_SECONDS', 120, httpHeadersTimeoutSeconds, 3600),
    retentionDays: retention === undefined || retention === '' ? null : integer(env, 'TOKENLEDGER_RETENTION_DAYS', 0, 1, 36500),
    jaegerUrl,
    adminKey: adminKey(env),
    allowOpenMode: flag(env, 'TOKENLEDGER_ALLOW_OPEN_MODE'),
    metricsPublic: flag(env, 'TOKENLEDGER_METRICS_PUBLIC'),
    budgetSyncMs: integer(env, 'TOKENLEDGER_BUDGET_SYNC_MS', 1000, 0, 600_000),
    alertIntervalSeconds: integer(env, 'TOKENLEDGER_ALERT_INTERVAL_SECONDS', 60, 0, 86400),
    alertDeliveryAttempts: integer(env, 'TOKENLEDGER_ALERT_DELIVERY_ATTEMPTS', 5, 1, 20),
    alertRetryBaseMs: integer(env, 'TOKENLEDGER_ALERT_RETRY_BASE_MS', 1000, 0, 60000),
    alertEmailFrom: env.TOKENLEDGER_ALERT_EMAIL_FROM || 'tokenledger <alerts@localhost>',
    publicUrl: httpUrl(env, 'TOKENLEDGER_PUBLIC_URL'),
    openaiAdminKey: env.TOKENLEDGER_OPENAI_ADMIN_KEY || null,
    anthropicAdminKey: env.TOKENLEDGER_ANTHROPIC_ADMIN_KEY || null,
    openaiAdminBaseUrl: httpUrl(env, 'TOKENLEDGER_OPENAI_ADMIN_BASE_URL') ?? 'https://api.openai.com/v1',
    anthropicAdminBaseUrl: httpUrl(env, 'TOKENLEDGER_ANTHROPIC_ADMIN_BASE_URL') ?? 'https://api.anthropic.com',
    billSyncHours: integer(env, 'TOKENLEDGER_BILL_SYNC_HOURS', 24, 0, 168),
    billRetryBaseMs: integer(env, 'TOKENLEDGER_BILL_RETRY_BASE_MS', 1000, 0, 60000),
    breakdownMaxValues: integer(env, 'TOKENLEDGER_BREAKDOWN_MAX_VALUES', 1_000_000, 1, 100_000_000),
  };
}

/**
 * One data directory for the service, the CLI and `./run start` alike, so a key the CLI creates is in
 * the store the service reads wherever each was started: TOKENLEDGER_DATA_DIR, else the XDG data
 * directory (`$XDG_DATA_HOME/tokenledger`, by default `~/.local/share/tokenledger`).
 */
function dataDirectory(env: NodeJS.ProcessEnv): string {
  if (env.TOKENLEDGER_DATA_DIR) return resolve(env.TOKENLEDGER_DATA_DIR);
  // The XDG spec says to ignore a relative XDG_DATA_HOME.
  const xdg = env.XDG_DATA_HOME && isAbsolute(env.XDG_DATA_HOME) ? env.XDG_DATA_HOME : join(env.HOME || homedir(), '.local', 'share');
  return join(xdg, 'tokenledger');
}

/** The store a configuration opens, as people should see it in logs: the SQLite file, or the MongoDB URI without its password. */
export function describeStore(config: Pick<CollectorConfig, 'store' | 'sqlitePath' | 'mongodbUri'>): string {
  return config.store === 'sqlite' ? `sqlite ${config.sqlitePath}` : `mongo ${redactUri(config.mongodbUri!)}`;
}

function redactUri(uri: string): string {
  return uri.replace(/^(mongodb(?:\+srv)?:\/\/[^:@/]+):[^@/]*@/, '$1:***@');
}

function httpUrl(env: NodeJS.ProcessEnv, name: string): string | null {
  const url = env[name];
  if (url === undefined || url === '') return null;
  if (!/^https?:\/\/[^\s]+$/.test(url)) throw new ConfigError(name, `must be an http(s) URL, got "${url}"`);
  return url.replace(/\/+$/, '');
}

function adminKey(env: NodeJS.ProcessEnv): string | null {
  const key = env.TOKENLEDGER_ADMIN_KEY;
  if (key === undefined || key === '') return null;
  if (key.length < 24 || /\s/.test(key))
    throw new ConfigError('TOKENLEDGER_ADMIN_KEY', 'must be at least 24 characters with no spaces (e.g. `openssl rand -base64 32`)');
  return key;
}

export const CONFIG = Symbol('CONFIG');
