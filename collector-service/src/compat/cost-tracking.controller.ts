import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Tenant } from '../auth/tenant.decorator';
import { Roles } from '../auth/roles.decorator';
import { ApiInputErrors } from '../http/api-errors';
import { parseRange, parseZone } from '../reports/report-query';
import type { StoragePort } from '../storage/storage.port';
import { STORAGE } from '../storage/storage.tokens';
import { seedDateRange, seedFilters, seedLimit } from './seed-query';
import { AgentCostSummaryAnswerDto, CostSummaryAnswerDto, CostTrendsAnswerDto, RecentCallsDto, SEED_REFERENCED_MODELS } from './seed-answers.dto';
import { CostTrackingQueryDto, SeedFiltersQueryDto, SeedRecentQueryDto } from './seed-query.dto';
import { aiUsageRow, SeedViewsService } from './seed-views.service';

/** `period=week|month|all` as the core reports take it (calendar units in `tz`), or startDate/endDate. */
const rangeOf = (q: CostTrackingQueryDto) => seedDateRange(q) ?? parseRange({ period: q.period, tz: q.tz });

/** The cost-tracking seed's `/api/cost-tracking` endpoints. */
@ApiTags('seed compatibility')
@ApiExtraModels(...SEED_REFERENCED_MODELS)
@Controller('api/cost-tracking')
@Roles('viewer')
export class CostTrackingController {
  constructor(
    private readonly views: SeedViewsService,
    @Inject(STORAGE) private readonly storage: StoragePort,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Seed API: cost summary for period=week|month|all or startDate/endDate' })
  @ApiOkResponse({ type: CostSummaryAnswerDto })
  @ApiInputErrors()
  async summary(@Query() q: CostTrackingQueryDto, @Tenant() tenant: string): Promise<CostSummaryAnswerDto> {
    const a = { range: rangeOf(q), filters: seedFilters(q) };
    return { success: true, data: await this.views.costSummary(tenant, a.range, a.filters) };
  }

  @Get('trends')
  @ApiOperation({ summary: 'Seed API: last 7 days against the 7 before, and the last 30 days' })
  @ApiOkResponse({ type: CostTrendsAnswerDto })
  @ApiInputErrors()
  async trends(@Query() q: SeedFiltersQueryDto, @Tenant() tenant: string): Promise<CostTrendsAnswerDto> {
    const a = { tz: parseZone(q), filters: seedFilters(q) };
    return { success: true, data: await this.views.costTrends(tenant, a.filters, a.tz) };
  }

  @Get('recent')
  @ApiOperation({ summary: 'Seed API: the most recent calls, newest first (limit default 50)' })
  @ApiOkResponse({ type: RecentCallsDto })
  @ApiInputErrors()
  async recent(@Query() q: SeedRecentQueryDto, @Tenant() tenant: string): Promise<RecentCallsDto> {
    const a = { limit: seedLimit(q, 50, 1000), filters: seedFilters(q) };
    const page = await this.storage.listRecords({ tenant, fromMs: 0, toMs: Number.MAX_SAFE_INTEGER, filters: a.filters, limit: a.limit });
    return { success: true, data: page.records.map(aiUsageRow) };
  }

  @Get('agents/:agentId')
  @ApiOperation({ summary: 'Seed API: cost summary of one agent' })
  @ApiOkResponse({ type: AgentCostSummaryAnswerDto })
  @ApiInputErrors()
  async agent(@Param('agentId') agentId: string, @Query() q: CostTrackingQueryDto, @Tenant() tenant: string): Promise<AgentCostSummaryAnswerDto> {
    const a = { range: rangeOf(q), filters: seedFilters(q, { agent: agentId }) };
    return { success: true, data: { agentId, ...(await this.views.costSummary(tenant, a.range, a.filters)) } };
  }
}
