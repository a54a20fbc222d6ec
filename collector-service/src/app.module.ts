import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { InputErrorFilter } from './http/input-error.filter';
import { InputPipe } from './http/input.pipe';
import type { CollectorConfig } from './config/config';
import type { StoragePort } from './storage/storage.port';
import { AlertsModule } from './alerts/alerts.module';
import { AuthModule } from './auth/auth.module';
import { BillingModule } from './billing/billing.module';
import { BudgetsModule } from './budgets/budgets.module';
import { ChannelsModule } from './channels/channels.module';
import { CompatModule } from './compat/compat.module';
import { DigestsModule } from './digests/digests.module';
import { ConfigModule } from './config/config.module';
import { HealthModule } from './health/health.module';
import { IngestModule } from './ingest/ingest.module';
import { ReportsModule } from './reports/reports.module';
import { StorageModule } from './storage/storage.module';
import { TelemetryModule } from './telemetry/telemetry.module';
import { TenantsModule } from './tenants/tenants.module';
import { DashboardApiModule } from './dashboard-api/dashboard-api.module';

@Module({})
export class AppModule {
  /** `store`: the store the start opened already (else the app opens the configured one). */
  static forRoot(config: CollectorConfig, store?: StoragePort): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        StorageModule.forRoot(store),
        AuthModule,
        HealthModule,
        IngestModule,
        ReportsModule,
        BudgetsModule,
        ChannelsModule,
        AlertsModule,
        DigestsModule,
        BillingModule,
        TenantsModule,
        TelemetryModule,
        DashboardApiModule,
        CompatModule,
      ],
      providers: [
        { provide: APP_PIPE, useClass: InputPipe },
        { provide: APP_FILTER, useClass: InputErrorFilter },
      ],
    };
  }
}
