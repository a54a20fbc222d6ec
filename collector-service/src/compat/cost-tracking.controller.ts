import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Tenant } from '../auth/tenant.decorator';
import { Roles } from '../auth/roles.decorator';
import { parseRange, parseZone } from '../reports/report-query';
import type { StoragePort } from '../storage/storage.port';
import { STORAGE } from '../storage/storage.tokens';
import { seedDateRange, seedFilters, seedLimit } from './seed-query';
import { aiUsageRow, SeedViewsService } from './seed-views.service';

type Q = Record<string, unknown>;

/** `period=week|month|all` as the core reports take it (calendar units in `tz`), or startDate/endDate. */
const rangeOf = (q: Q) => seedDateRange(q) ?? parseRange({ period: q.period, tz: q.tz });

/** The cost-tracking seed's `/api/cost-tracking` endpoints. */
@ApiTags('seed compatibility')
@Controller('api/cost-tracking')
@Roles('viewer')
export class CostTrackingController {
  constructor(
    private readonly views: SeedViewsService,
    @Inject(STORAGE) private readonly storage: StoragePort,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Seed API: cost summary for period=week|month|all or startDate/endDate' })
  async summary(@Query() q: Q, @Tenant() tenant: string) {
    const a = { range: rangeOf(q), filters: seedFilters(q) };
    return { success: true, data: await this.views.costSummary(tenant, a.range, a.filters) };
  }

  @Get('trends')
  @ApiOperation({ summary: 'Seed API: last 7 days against the 7 before, and the last 30 days' })
  async trends(@Query() q: Q, @Tenant() tenant: string) {
    const a = { tz: parseZone(q), filters: seedFilters(q) };
    return { success: true, data: await this.views.costTrends(tenant, a.filters, a.tz) };
  }

  @Get('recent')
  @ApiOperation({ summary: 'Seed API: the most recent calls, newest first (limit default 50)' })
  async recent(@Query() q: Q, @Tenant() tenant: string) {
    const a = { limit: seedLimit(q, 50, 1000), filters: seedFilters(q) };
    const page = await this.storage.listRecords({ tenant, fromMs: 0, toMs: Number.MAX_SAFE_INTEGER, filters: a.filters, limit: a.limit });
    return { success: true, data: page.records.map(aiUsageRow) };
  }

  @Get('agents/:agentId')
  @ApiOperation({ summary: 'Seed API: cost summary of one agent' })
  async agent(@Param('agentId') agentId: string, @Query() q: Q, @Tenant() tenant: string) {
    const a = { range: rangeOf(q), filters: seedFilters(q, { agent: agentId }) };
    return { success: true, data: { agentId, ...(await this.views.costSummary(tenant, a.range, a.filters)) } };
  }
}
