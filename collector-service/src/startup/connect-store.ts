import type { LoggerService } from '@nestjs/common';
import { type CollectorConfig, describeStore } from '../config/config';
import { openStore } from '../storage/storage.module';
import type { StoragePort } from '../storage/storage.port';
import { StartupError } from './startup-error';

const LOG_CONTEXT = 'Storage';
const FIRST_WAIT_MS = 1000;
const LONGEST_WAIT_MS = 30_000;

/** Driver errors that say the server is not reachable (yet): worth another try. Bad URIs and refused credentials are not. */
const UNREACHABLE = new Set([
  'MongooseServerSelectionError',
  'MongoServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoTopologyClosedError',
]);

export interface ConnectOptions {
  logger: LoggerService;
  /** Told what the start waits for, after each failed attempt (what /readyz answers meanwhile). */
  waitingFor(reason: string): void;
  /** Milliseconds before attempt `n + 1` (n from 1); doubling from 1 s up to 30 s unless a test says otherwise. */
  backoffMs?: (attempt: number) => number;
}

/**
 * Opens the configured store for the service. A SQLite file that cannot be opened stops the start
 * at once, naming the path. A MongoDB that cannot be reached is tried again and again, waiting longer
 * each time, with a log line per attempt: in a compose file or a cluster the database often comes up
 * after the service.
 */
export async function connectStore(config: CollectorConfig, options: ConnectOptions): Promise<StoragePort> {
  const backoff = options.backoffMs ?? ((attempt: number) => Math.min(FIRST_WAIT_MS * 2 ** (attempt - 1), LONGEST_WAIT_MS));
  options.waitingFor(`store: opening ${describeStore(config)}`);
  for (let attempt = 1; ; attempt++) {
    try {
      const store = await openStore(config);
      if (attempt > 1) options.logger.log(`connected to ${describeStore(config)} after ${attempt} attempts`, LOG_CONTEXT);
      return store;
    } catch (err) {
      const message = (err as Error).message;
      if (config.store === 'sqlite') {
        throw new StartupError(
          `cannot open the SQLite store at ${config.sqlitePath}: ${message}; check that its directory can be created and written, or set TOKENLEDGER_DATA_DIR or TOKENLEDGER_SQLITE_PATH`,
        );
      }
      if (!UNREACHABLE.has((err as Error).name)) throw new StartupError(`cannot use MongoDB (${describeStore(config)}): ${message}; check MONGODB_URI`);
      const waitMs = backoff(attempt);
      const reason = `cannot reach MongoDB (${describeStore(config)}) at attempt ${attempt}: ${message}`;
      options.logger.warn(`${reason}; trying again in ${waitMs / 1000} s (GET /readyz answers 503 until then)`, LOG_CONTEXT);
      options.waitingFor(`store: ${reason}`);
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  }
}
