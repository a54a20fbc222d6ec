import { Controller, Get, Inject, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Tenant } from '../auth/tenant.decorator';
import { Roles } from '../auth/roles.decorator';
import { CONFIG, type CollectorConfig } from '../config/config';
import type { StoragePort } from '../storage/storage.port';
import { STORAGE } from '../storage/storage.tokens';
import { PricingService } from '../pricing/pricing.service';
import { utcDays } from '../time/utc-days';
import { sendBreakdownCsv, streamExport } from './export-stream';
import { streamFocus } from './focus/focus-export';
import { recordView } from './record-view';
import { UsagePageDto } from './record-view.dto';
import { BreakdownDto, ProjectionDto, SummaryDto, TimeseriesDto, TrendsDto } from './report-answers.dto';
import { ExportEndpoint, ReportEndpoint } from './report-docs';
import { parseFilters, parseRange, parseZone, QueryError } from './report-query';
import {
  BreakdownQueryDto,
  ExportQueryDto,
  ReportFiltersQueryDto,
  ReportQueryDto,
  TagKeysQueryDto,
  TimeseriesQueryDto,
  UsageQueryDto,
} from './report-query.dto';
import { ReportsService } from './reports.service';
import { TagKeysDto } from './tag-keys.dto';
import { TrendsService } from './trends.service';

/** Cost reports for finance: filters on every endpoint, money as exact strings. */
@Controller('v1/reports')
@Roles('viewer')
export class ReportsController {
  constructor(
    private readonly reports: ReportsService,
    private readonly trendsService: TrendsService,
    @Inject(STORAGE) private readonly storage: StoragePort,
    @Inject(CONFIG) private readonly config: CollectorConfig,
    private readonly pricing: PricingService,
  ) {}

  @Get('summary')
  @ReportEndpoint('Total cost, calls, failures, unpriced calls, tokens by kind and average latency', SummaryDto)
  summary(@Query() q: ReportQueryDto, @Tenant() tenant: string): Promise<SummaryDto> {
    const { range, filters } = { range: parseRange(q), filters: parseFilters(q) };
    return this.reports.summary(tenant, range, filters);
  }

  @Get('breakdown')
  @ReportEndpoint('Top N by cost with the rest summed as other; the calls without a value as key null', BreakdownDto)
  breakdown(@Query() q: BreakdownQueryDto, @Tenant() tenant: string): Promise<BreakdownDto> {
    const a = { range: parseRange(q), filters: parseFilters(q), by: q.by ?? 'model', limit: Number(q.limit ?? 10) };
    return this.reports.breakdown(tenant, a.range, a.filters, a.by, a.limit);
  }

  @Get('tag-keys')
  @ReportEndpoint('The tag keys the calls of the range carry, most calls first, each with its calls and cost (for breakdown by=tag:<key>)', TagKeysDto)
  tagKeys(@Query() q: TagKeysQueryDto, @Tenant() tenant: string): Promise<TagKeysDto> {
    const a = { range: parseRange(q), filters: parseFilters(q), limit: Number(q.limit ?? 100) };
    return this.reports.tagKeys(tenant, a.range, a.filters, a.limit);
  }

  @Get('timeseries')
  @ReportEndpoint('Cost per local hour or day, zero-filled', TimeseriesDto)
  timeseries(@Query() q: TimeseriesQueryDto, @Tenant() tenant: string): Promise<TimeseriesDto> {
    const a = { range: parseRange(q), filters: parseFilters(q), interval: q.interval ?? 'day' };
    return this.reports.timeseries(tenant, a.range, a.filters, a.interval);
  }

  @Get('projection')
  @ReportEndpoint('Month to date, averages, projected month end and trend', ProjectionDto)
  projection(@Query() q: ReportFiltersQueryDto, @Tenant() tenant: string): Promise<ProjectionDto> {
    const a = { tz: parseZone(q), filters: parseFilters(q) };
    return this.trendsService.projection(tenant, a.filters, a.tz);
  }

  @Get('trends')
  @ReportEndpoint('Last 7 days against the 7 before, and the last 30 days', TrendsDto)
  trends(@Query() q: ReportFiltersQueryDto, @Tenant() tenant: string): Promise<TrendsDto> {
    const a = { tz: parseZone(q), filters: parseFilters(q) };
    return this.trendsService.trends(tenant, a.filters, a.tz);
  }

  /** Raw records, newest first; pass `nextCursor` back as `cursor` for the next page. */
  @Get('usage')
  @ReportEndpoint('Raw records, newest first, cursor-paginated', UsagePageDto)
  async usage(@Query() q: UsageQueryDto, @Tenant() tenant: string): Promise<UsagePageDto> {
    const a = { range: parseRange(q), filters: parseFilters(q), limit: Number(q.limit ?? 100) };
    try {
      const page = await this.storage.listRecords({
        tenant,
        fromMs: a.range.fromMs,
        toMs: a.range.toMs,
        filters: a.filters,
        limit: a.limit,
        cursor: q.cursor,
      });
      return { records: page.records.map((r) => recordView(r, this.config.jaegerUrl)), nextCursor: page.nextCursor };
    } catch (err) {
      if (err instanceof TypeError && /cursor/.test(err.message)) throw new QueryError('cursor', err.message);
      throw err;
    }
  }

  /** Every matching record, streamed as it is read (any size, constant memory); or, as FOCUS, the cost and usage data FinOps tools read. */
  @Get('export')
  @ExportEndpoint('Every matching record, streamed; format=focus: FOCUS 1.2 CSV per UTC day, SKU and attribution; by: a breakdown as CSV')
  async export(@Query() q: ExportQueryDto, @Tenant() tenant: string, @Res() res: Response): Promise<void> {
    const format = q.format ?? 'csv';
    if (q.by !== undefined) {
      if (format !== 'csv') throw new QueryError('by', `a breakdown exports as CSV: leave format out or give format=csv, got format=${format}`);
      const a = { range: parseRange(q), filters: parseFilters(q), by: q.by, limit: Number(q.limit ?? 10) };
      sendBreakdownCsv(await this.reports.breakdown(tenant, a.range, a.filters, a.by, a.limit), tenant, res);
      return;
    }
    if (format === 'focus') {
      const filters = parseFilters(q);
      await streamFocus(this.storage, this.pricing, { tenant, ...utcDays(q), filters }, res);
      return;
    }
    const a = { range: parseRange(q), filters: parseFilters(q) };
    await streamExport(this.storage, this.config.jaegerUrl, { tenant, ...a, format }, res);
  }
}
