import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../auth/principal.decorator';
import type { Principal } from '../auth/principal';
import { Tenant } from '../auth/tenant.decorator';
import { Roles } from '../auth/roles.decorator';
import { ApiInputErrors } from '../http/api-errors';
import { parseFilters, parseRange } from '../reports/report-query';
import { ReportQueryDto } from '../reports/report-query.dto';
import { ModelsReportDto } from './ui.dto';
import { ModelsService } from './models.service';

/** Models and prices: the models used, each one's price source, unpriced ones and the operator file in force. */
@ApiTags('dashboard')
@ApiBearerAuth()
@Controller('v1/ui')
@Roles('viewer')
export class ModelsController {
  constructor(private readonly service: ModelsService) {}

  @Get('models')
  @ApiOperation({
    summary:
      'Models used in the range with cost, calls, unpriced calls and the price source of the newest call (for a fine-tuned model without rates, the price-file entry that would price it); the price book in force',
  })
  @ApiOkResponse({ type: ModelsReportDto })
  @ApiInputErrors()
  models(@Query() q: ReportQueryDto, @Tenant() tenant: string, @CurrentPrincipal() p: Principal): Promise<ModelsReportDto> {
    return this.service.models(tenant, parseRange(q), parseFilters(q), p.role === 'admin');
  }
}
