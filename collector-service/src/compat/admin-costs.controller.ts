import { Controller, Get, Query } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Tenant } from '../auth/tenant.decorator';
import { Roles } from '../auth/roles.decorator';
import { ApiInputErrors } from '../http/api-errors';
import { parseZone } from '../reports/report-query';
import { AdminCostsDto, SEED_REFERENCED_MODELS } from './seed-answers.dto';
import { AdminCostsQueryDto } from './seed-query.dto';
import { lastDays, seedDateRange, seedFilters, seedLimit } from './seed-query';
import { SeedViewsService } from './seed-views.service';

/** The first seed's `GET /api/admin/costs?view=...`, answered from tokenledger's rollups. */
@ApiTags('seed compatibility')
@ApiExtraModels(...SEED_REFERENCED_MODELS)
@Controller('api/admin/costs')
@Roles('viewer')
export class AdminCostsController {
  constructor(private readonly views: SeedViewsService) {}

  @Get()
  @ApiOperation({ summary: 'Seed API: summary, daily, top-users or projection view; amounts in USD as numbers with exact ...Usd strings' })
  @ApiOkResponse({ type: AdminCostsDto })
  @ApiInputErrors()
  async get(@Query() q: AdminCostsQueryDto, @Tenant() tenant: string) {
    const a = {
      view: q.view ?? 'summary',
      range: seedDateRange(q) ?? lastDays(q),
      filters: seedFilters(q),
      tz: parseZone(q),
      limit: seedLimit(q, 10, 1000),
    };
    switch (a.view) {
      case 'summary':
        return { success: true, data: await this.views.adminSummary(tenant, a.range, a.filters) };
      case 'daily':
        return { success: true, data: await this.views.daily(tenant, a.range, a.filters) };
      case 'top-users':
        return { success: true, data: await this.views.topUsers(tenant, a.range, a.filters, a.limit) };
      case 'projection':
        return { success: true, data: await this.views.projection(tenant, a.filters, a.tz) };
    }
  }
}
