import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Tenant } from '../auth/tenant.decorator';
import { Roles } from '../auth/roles.decorator';
import { oneOf, parseZone } from '../reports/report-query';
import { lastDays, seedDateRange, seedFilters, seedLimit } from './seed-query';
import { SeedViewsService } from './seed-views.service';

type Q = Record<string, unknown>;
const VIEWS = ['summary', 'daily', 'top-users', 'projection'] as const;

/** The first seed's `GET /api/admin/costs?view=...`, answered from tokenledger's rollups. */
@ApiTags('seed compatibility')
@Controller('api/admin/costs')
@Roles('viewer')
export class AdminCostsController {
  constructor(private readonly views: SeedViewsService) {}

  @Get()
  @ApiOperation({ summary: 'Seed API: summary, daily, top-users or projection view; amounts in USD as numbers with exact ...Usd strings' })
  @ApiQuery({ name: 'view', required: false, enum: VIEWS })
  @ApiQuery({ name: 'userId', required: false })
  @ApiQuery({ name: 'startDate', required: false })
  @ApiQuery({ name: 'endDate', required: false, description: 'a date-only endDate includes that day' })
  @ApiQuery({ name: 'days', required: false, description: 'days back, today included, when no dates are given (default 30)' })
  @ApiQuery({ name: 'limit', required: false, description: 'top-users only (default 10)' })
  @ApiQuery({ name: 'tz', required: false })
  async get(@Query() q: Q, @Tenant() tenant: string) {
    const a = {
      view: oneOf(q, 'view', VIEWS, 'summary'),
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
