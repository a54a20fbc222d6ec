import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Tenant } from '../auth/tenant.decorator';
import { Roles } from '../auth/roles.decorator';
import { checkProvider } from './admin-keys.service';
import { BILLED_PROVIDERS } from './billed-day';
import { ReconciliationService } from './reconciliation.service';
import { utcDays } from '../time/utc-days';

type Q = Record<string, unknown>;

@ApiTags('reports')
@ApiBearerAuth()
@Controller('v1/reports/reconciliation')
@Roles('viewer')
export class ReconciliationController {
  constructor(private readonly reconciliation: ReconciliationService) {}

  @Get()
  @ApiOperation({ summary: 'Tracked against billed, per UTC day and provider, with per-model tokens, and the days and models billed but never tracked' })
  @ApiQuery({ name: 'from', required: false, description: 'First UTC day (YYYY-MM-DD; default the first of this UTC month)' })
  @ApiQuery({ name: 'to', required: false, description: 'UTC day after the last (exclusive; default tomorrow)' })
  @ApiQuery({ name: 'period', required: false, enum: ['today', 'week', 'month', 'all'] })
  @ApiQuery({ name: 'provider', required: false, enum: [...BILLED_PROVIDERS] })
  report(@Query() q: Q, @Tenant() tenant: string) {
    const { fromMs, toMs } = utcDays(q);
    return this.reconciliation.report(tenant, fromMs, toMs, q.provider === undefined ? null : checkProvider(q.provider));
  }
}
