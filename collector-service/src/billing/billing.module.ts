import { Module } from '@nestjs/common';
import { AdminKeysService } from './admin-keys.service';
import { BillSyncService } from './bill-sync.service';
import { ProviderBillsController } from './provider-bills.controller';
import { ReconciliationController } from './reconciliation.controller';
import { ReconciliationService } from './reconciliation.service';

/** What the providers bill, imported day by day, and its reconciliation with what tokenledger tracked. */
@Module({
  controllers: [ProviderBillsController, ReconciliationController],
  providers: [AdminKeysService, BillSyncService, ReconciliationService],
  exports: [BillSyncService, ReconciliationService],
})
export class BillingModule {}
