import { Controller, Get, Inject, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Tenant } from '../auth/tenant.decorator';
import { Roles } from '../auth/roles.decorator';
import { CONFIG, type CollectorConfig } from '../config/config';
import type { StoragePort } from '../storage/storage.port';
import { STORAGE } from '../storage/storage.tokens';
import { PricingService } from '../pricing/pricing.service';
import { utcDays } from '../time/utc-days';
import { streamExport } from './export-stream';
import { streamFocus } from './focus/focus-export';
import { recordView } from './record-view';
import { ReportEndpoint } from './report-docs';
import { oneOf, parseFilters, parseLimit, parseRange, parseZone, QueryError } from './report-query';
import { BREAKDOWN_DIMENSIONS, ReportsService } from './reports.service';
import { TrendsService } from './trends.service';

type Q = Record<string, unknown>;

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
  @ReportEndpoint('Total cost, calls, failures, unpriced calls, tokens by kind and average latency')
  summary(@Query() q: Q, @Tenant() tenant: string) {
    const { range, filters } = { range: parseRange(q), filters: parseFilters(q) };
    return this.reports.summary(tenant, range, filters);
  }

  @Get('breakdown')
  @ReportEndpoint('Top N by cost with the rest summed as other', [
    { name: 'by', description: 'Dimension', enum: ['type', 'provider', 'model', 'user', 'agent', 'feature', 'service'] },
    { name: 'limit', description: 'Top N (1-1000, default 10)' },
  ])
  breakdown(@Query() q: Q, @Tenant() tenant: string) {
    const a = {
      range: parseRange(q),
      filters: parseFilters(q),
      by: oneOf(q, 'by', Object.keys(BREAKDOWN_DIMENSIONS), 'model'),
      limit: parseLimit(q, 10, 1000),
    };
    return this.reports.breakdown(tenant, a.range, a.filters, a.by, a.limit);
  }

  @Get('timeseries')
  @ReportEndpoint('Cost per local hour or day, zero-filled', [{ name: 'interval', description: 'hour or day (default day)', enum: ['hour', 'day'] }])
  timeseries(@Query() q: Q, @Tenant() tenant: string) {
    const a = { range: parseRange(q), filters: parseFilters(q), interval: oneOf(q, 'interval', ['hour', 'day'] as const, 'day') };
    return this.reports.timeseries(tenant, a.range, a.filters, a.interval);
  }

  @Get('projection')
  @ReportEndpoint('Month to date, averages, projected month end and trend', [], false)
  projection(@Query() q: Q, @Tenant() tenant: string) {
    const a = { tz: parseZone(q), filters: parseFilters(q) };
    return this.trendsService.projection(tenant, a.filters, a.tz);
  }

  @Get('trends')
  @ReportEndpoint('Last 7 days against the 7 before, and the last 30 days', [], false)
  trends(@Query() q: Q, @Tenant() tenant: string) {
    const a = { tz: parseZone(q), filters: parseFilters(q) };
    return this.trendsService.trends(tenant, a.filters, a.tz);
  }

  /** Raw records, newest first; pass `nextCursor` back as `cursor` for the next page. */
  @Get('usage')
  @ReportEndpoint('Raw records, newest first, cursor-paginated', [
    { name: 'limit', description: 'Page size (1-1000, default 100)' },
    { name: 'cursor', description: 'nextCursor of the previous page' },
  ])
  async usage(@Query() q: Q, @Tenant() tenant: string) {
    const a = { range: parseRange(q), filters: parseFilters(q), limit: parseLimit(q, 100, 1000) };
    try {
      const page = await this.storage.listRecords({
        tenant,
        fromMs: a.range.fromMs,
        toMs: a.range.toMs,
        filters: a.filters,
        limit: a.limit,
        cursor: q.cursor === undefined ? undefined : String(q.cursor),
      });
      return { records: page.records.map((r) => recordView(r, this.config.jaegerUrl)), nextCursor: page.nextCursor };
    } catch (err) {
      if (err instanceof TypeError && /cursor/.test(err.message)) throw new QueryError('cursor', err.message);
      throw err;
    }
  }

  /** Every matching record, streamed as it is read (any size, constant memory); or, as FOCUS, the cost and usage data FinOps tools read. */
  @Get('export')
  @ReportEndpoint('Every matching record, streamed; format=focus: FOCUS 1.2 CSV per UTC day, SKU and attribution', [
    { name: 'format', description: 'csv or jsonl (every record, default csv), or focus (FOCUS 1.2 rows over whole UTC days)', enum: ['csv', 'jsonl', 'focus'] },
  ])
  async export(@Query() q: Q, @Tenant() tenant: string, @Res() res: Response): Promise<void> {
    const format = oneOf(q, 'format', ['csv', 'jsonl', 'focus'] as const, 'csv');
    if (format === 'focus') {
      const filters = parseFilters(q);
      await streamFocus(this.storage, this.pricing, { tenant, ...utcDays(q), filters }, res);
      return;
    }
    const a = { range: parseRange(q), filters: parseFilters(q) };
    await streamExport(this.storage, this.config.jaegerUrl, { tenant, ...a, format }, res);
  }
}
