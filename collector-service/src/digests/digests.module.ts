import { Module } from '@nestjs/common';
import { AlertsModule } from '../alerts/alerts.module';
import { BudgetsModule } from '../budgets/budgets.module';
import { ChannelsModule } from '../channels/channels.module';
import { ReportsModule } from '../reports/reports.module';
import { DigestComposer } from './digest-composer';
import { DigestDispatcher } from './digest-dispatcher.service';
import { DigestSchedule } from './digest-schedule.service';
import { DigestsController } from './digests.controller';
import { DigestsService } from './digests.service';

/** Daily and weekly spend digests per tenant, sent once per period to its channels. The alerts' clock is theirs too. */
@Module({
  imports: [AlertsModule, BudgetsModule, ChannelsModule, ReportsModule],
  controllers: [DigestsController],
  providers: [DigestComposer, DigestDispatcher, DigestSchedule, DigestsService],
  exports: [DigestSchedule],
})
export class DigestsModule {}
