import { Body, Controller, Get, Inject, Put, Query, Res } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Tenant } from '../auth/tenant.decorator';
import { Roles } from '../auth/roles.decorator';
import { CONFIG, type CollectorConfig } from '../config/config';
import { streamExport } from '../reports/export-stream';
import { ApiInputErrors } from '../http/api-errors';
import { ExportEndpoint } from '../reports/report-docs';
import { parseRange, parseZone, QueryError } from '../reports/report-query';
import type { StoragePort } from '../storage/storage.port';
import { STORAGE } from '../storage/storage.tokens';
import { seedDateRange, seedFilters, seedLimit } from './seed-query';
import { AlertsQueryDto } from '../alerts/alert.dto';
import { AlertsService, parseAlertQuery } from '../alerts/alerts.service';
import {
  MonitoringDashboardDto,
  MonitoringSummaryAnswerDto,
  SEED_REFERENCED_MODELS,
  SeedAlertsDto,
  SeedBudgetAnswerDto,
  UsageLogsDto,
} from './seed-answers.dto';
import { SeedBudgetDto } from './seed-budget.dto';
import { SeedBudgetService, seedBudgetOf } from './seed-budget.service';
import {
  MONITORING_PERIODS,
  MonitoringExportQueryDto,
  MonitoringSummaryQueryDto,
  SeedFiltersQueryDto,
  SeedUserQueryDto,
  UsageLogsQueryDto,
} from './seed-query.dto';
import { apiUsageLogRow, SeedViewsService } from './seed-views.service';

/**
 * The cost-monitoring seed's `/api/cost-monitoring` endpoints. Its "service" (whisper, gpt-4o,
 * tts-1-hd) was the model that served the call, so `service` here is tokenledger's model.
 */
@ApiTags('seed compatibility')
@ApiExtraModels(...SEED_REFERENCED_MODELS)
@Controller('api/cost-monitoring')
@Roles('viewer')
export class CostMonitoringController {
  constructor(
    private readonly views: SeedViewsService,
    @Inject(STORAGE) private readonly storage: StoragePort,
    @Inject(CONFIG) private readonly config: CollectorConfig,
    private readonly seedBudgets: SeedBudgetService,
    private readonly alerts: AlertsService,
  ) {}

  @Put('budget')
  @Roles('admin')
  @ApiOperation({ summary: "Seed API: set a user's daily and monthly limits (kept as that user's day and month budgets)" })
  @ApiOkResponse({ type: SeedBudgetAnswerDto })
  @ApiInputErrors()
  async putBudget(@Body() body: SeedBudgetDto, @Query() q: SeedUserQueryDto, @Tenant() tenant: string): Promise<SeedBudgetAnswerDto> {
    const settings = seedBudgetOf(body, q.userId);
    return { success: true, budget: await this.seedBudgets.put(tenant, settings) };
  }

  @Get('budget')
  @ApiOperation({ summary: "Seed API: a user's limits and what they spent today and this month" })
  @ApiOkResponse({ type: SeedBudgetAnswerDto })
  @ApiInputErrors()
  async getBudget(@Query() q: SeedUserQueryDto, @Tenant() tenant: string): Promise<SeedBudgetAnswerDto> {
    const userId = q.userId;
    if (!userId) throw new QueryError('userId', 'is required');
    return { success: true, budget: await this.seedBudgets.status(tenant, userId) };
  }

  @Get('alerts')
  @ApiOperation({ summary: 'Seed API: cost alerts, newest first (unreadOnly=true for the unacknowledged)' })
  @ApiOkResponse({ type: SeedAlertsDto })
  @ApiInputErrors()
  async listAlerts(@Query() q: AlertsQueryDto, @Tenant() tenant: string): Promise<SeedAlertsDto> {
    const { alerts } = await this.alerts.list(tenant, parseAlertQuery(q));
    return { success: true, alerts };
  }

  @Get('summary')
  @ApiOperation({ summary: 'Seed API: total cost, count and cost by service for period=today|week|month' })
  @ApiOkResponse({ type: MonitoringSummaryAnswerDto })
  @ApiInputErrors()
  async summary(@Query() q: MonitoringSummaryQueryDto, @Tenant() tenant: string): Promise<MonitoringSummaryAnswerDto> {
    const a = { range: parseRange({ period: q.period ?? 'month', tz: q.tz }), filters: seedFilters(q) };
    return { success: true, summary: await this.views.monitoringSummary(tenant, a.range, a.filters) };
  }

  @Get('dashboard')
  @ApiOperation({ summary: 'Seed API: everything the monitoring dashboard shows, in one call' })
  @ApiOkResponse({ type: MonitoringDashboardDto })
  @ApiInputErrors()
  async dashboard(@Query() q: SeedFiltersQueryDto, @Tenant() tenant: string): Promise<MonitoringDashboardDto> {
    const a = { tz: parseZone(q), filters: seedFilters(q) };
    const period = (name: (typeof MONITORING_PERIODS)[number]) => this.views.monitoringSummary(tenant, parseRange({ period: name, tz: a.tz }), a.filters);
    const [today, week, month, daily, recent] = await Promise.all([
      period('today'),
      period('week'),
      period('month'),
      this.views.daily(tenant, parseRange({ period: 'month', tz: a.tz }), a.filters),
      this.storage.listRecords({ tenant, fromMs: 0, toMs: Number.MAX_SAFE_INTEGER, filters: a.filters, limit: 10 }),
    ]);
    return { success: true, summary: { today, week, month }, dailyCosts: daily, recentLogs: recent.records.map(apiUsageLogRow) };
  }

  @Get('usage-logs')
  @ApiOperation({ summary: 'Seed API: recent calls, newest first, optionally of one service (model)' })
  @ApiOkResponse({ type: UsageLogsDto })
  @ApiInputErrors()
  async usageLogs(@Query() q: UsageLogsQueryDto, @Tenant() tenant: string): Promise<UsageLogsDto> {
    const a = { limit: seedLimit(q, 100, 1000), filters: seedFilters(q, q.service === undefined ? {} : { model: q.service }) };
    const page = await this.storage.listRecords({ tenant, fromMs: 0, toMs: Number.MAX_SAFE_INTEGER, filters: a.filters, limit: a.limit });
    return { success: true, logs: page.records.map(apiUsageLogRow) };
  }

  @Get('export')
  @ExportEndpoint('Seed API: every call as CSV (or format=jsonl), streamed')
  async export(@Query() q: MonitoringExportQueryDto, @Tenant() tenant: string, @Res() res: Response): Promise<void> {
    const a = {
      range: seedDateRange(q) ?? parseRange({ period: 'all', tz: q.tz }),
      filters: seedFilters(q),
      format: q.format ?? 'csv',
    };
    await streamExport(this.storage, this.config.jaegerUrl, { tenant, ...a }, res);
  }
}
