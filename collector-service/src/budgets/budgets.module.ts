import { Module } from '@nestjs/common';
import { IngestModule } from '../ingest/ingest.module';
import { BudgetClock } from './budget-clock';
import { BudgetsController } from './budgets.controller';
import { BudgetsService } from './budgets.service';

/** Budgets per tenant: CRUD, status from the rollups, and the fast check the in-process guard asks. */
@Module({
  imports: [IngestModule],
  controllers: [BudgetsController],
  providers: [{ provide: BudgetClock, useFactory: () => new BudgetClock() }, BudgetsService],
  exports: [BudgetsService, BudgetClock],
})
export class BudgetsModule {}
