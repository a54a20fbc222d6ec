import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CONFIG, type CollectorConfig } from '../config/config';
import type { StoragePort } from './storage.port';
import { STORAGE } from './storage.tokens';

const DAY_MS = 86_400_000;
const EVERY_MS = 60 * 60 * 1000;

/**
 * Deletes raw records older than TOKENLEDGER_RETENTION_DAYS, hourly; rollups are kept, so reports
 * over any range stay exact. Without the setting raw records are kept forever.
 */
@Injectable()
export class RetentionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Retention');
  private timer: NodeJS.Timeout | null = null;

  constructor(
    @Inject(STORAGE) private readonly storage: StoragePort,
    @Inject(CONFIG) private readonly config: CollectorConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.retentionDays === null) return;
    void this.purge();
    this.timer = setInterval(() => void this.purge(), EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** One pass: returns how many raw records were deleted. */
  async purge(now = Date.now()): Promise<number> {
    if (this.config.retentionDays === null) return 0;
    try {
      const deleted = await this.storage.purgeRecordsBefore(now - this.config.retentionDays * DAY_MS);
      if (deleted > 0) this.logger.log(`deleted ${deleted} raw records older than ${this.config.retentionDays} days (rollups kept)`);
      return deleted;
    } catch (err) {
      this.logger.warn(`retention pass failed, will retry within the hour: ${(err as Error).message}`);
      return 0;
    }
  }
}
