import { Module } from '@nestjs/common';
import { AlertTenants } from '../alerts/tenants';
import { TenantsController } from './tenants.controller';

/** Which tenants exist, as the alert rules already track them (every tenant with data, keys, rules or channels). */
@Module({ controllers: [TenantsController], providers: [AlertTenants] })
export class TenantsModule {}
