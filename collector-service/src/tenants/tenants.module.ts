import { Module } from '@nestjs/common';
import { AlertsModule } from '../alerts/alerts.module';
import { TenantsController } from './tenants.controller';

/** Which tenants exist, as the alert rules already track them (every tenant with data, keys, rules or channels). */
@Module({ imports: [AlertsModule], controllers: [TenantsController] })
export class TenantsModule {}
