import { Injectable } from '@nestjs/common';
import type { Condition } from './condition';

/** Budget threshold crossings: one condition per budget (and user, for per-user budgets) and threshold reached. */
@Injectable()
export class BudgetConditions {
  async conditions(_tenant: string, _nowMs: number): Promise<Condition[]> {
    return [];
  }

  /** Tenants that have budgets (evaluated right after their ingest). */
  async tenants(): Promise<string[]> {
    return [];
  }
}
