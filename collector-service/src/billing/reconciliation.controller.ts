import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Tenant } from '../auth/tenant.decorator';
import { Roles } from '../auth/roles.decorator';
import { ApiInputErrors } from '../http/api-errors';
import { BilledDaysQueryDto, ReconciliationDto } from './provider-bills.dto';
import { ReconciliationService } from './reconciliation.service';
import { utcDays } from '../time/utc-days';

@ApiTags('reports')
@ApiBearerAuth()
@Controller('v1/reports/reconciliation')
@Roles('viewer')
export class ReconciliationController {
  constructor(private readonly reconciliation: ReconciliationService) {}

  @Get()
  @ApiOperation({ summary: 'Tracked against billed, per UTC day and provider, with per-model tokens, and the days and models billed but never tracked' })
  @ApiOkResponse({ type: ReconciliationDto })
  @ApiInputErrors()
  report(@Query() q: BilledDaysQueryDto, @Tenant() tenant: string) {
    const { fromMs, toMs } = utcDays(q);
    return this.reconciliation.report(tenant, fromMs, toMs, q.provider ?? null);
  }
}
