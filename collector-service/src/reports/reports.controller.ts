import { Controller, Get, Inject, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
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
import { ReportEndpoint } from './report-docs';
import { oneOf, parseBreakdownBy, parseFilters, parseLimit, parseRange, parseZone, QueryError } from './report-query';
import { ReportsService } from './reports.service';
import { TagKeysDto, TagKeysQueryDto } from './tag-keys.dto';
import { BREAKDOWN_BY_VALUES } from './breakdown-groups';
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
  @ReportEndpoint('Top N by cost with the rest summed as other; the calls without a value as key null', [
    {
      name: 'by',
      description: `What to group by: ${BREAKDOWN_BY_VALUES.join(', ')} (the value of that tag key; GET /v1/reports/tag-keys lists the keys used). Default model`,
    },
    { name: 'limit', description: 'Top N (1-1000, default 10)' },
  ])
  breakdown(@Query() q: Q, @Tenant() tenant: string) {
    const a = {
      range: parseRange(q),
      filters: parseFilters(q),
      by: parseBreakdownBy(q),
      limit: parseLimit(q, 10, 1000),
    };
    return this.reports.breakdown(tenant, a.range, a.filters, a.by, a.limit);
  }

  @Get('tag-keys')
  @ApiTags('reports')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'The tag keys the calls of the range carry, most calls first, each with its calls and cost (for breakdown by=tag:<key>)' })
  @ApiOkResponse({ type: TagKeysDto })
  tagKeys(@Query() q: TagKeysQueryDto, @Tenant() tenant: string) {
    const query = { ...q } as Record<string, unknown>;
    const a = { range: parseRange(query), filters: parseFilters(query), limit: parseLimit(query, 100, 1000) };
    return this.reports.tagKeys(tenant, a.range, a.filters, a.limit);
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
  @ReportEndpoint('Every matching record, streamed; format=focus: FOCUS 1.2 CSV per UTC day, SKU and attribution; by: a breakdown as CSV', [
    { name: 'format', description: 'csv or jsonl (every record, default csv), or focus (FOCUS 1.2 rows over whole UTC days)', enum: ['csv', 'jsonl', 'focus'] },
    { name: 'by', description: `With format csv: the breakdown by this (${BREAKDOWN_BY_VALUES.join(', ')}) as CSV, one row per value, instead of the records` },
    { name: 'limit', description: 'With by: top N (1-1000, default 10), the rest as one row' },
  ])
  async export(@Query() q: Q, @Tenant() tenant: string, @Res() res: Response): Promise<void> {
    const format = oneOf(q, 'format', ['csv', 'jsonl', 'focus'] as const, 'csv');
    if (q.by !== undefined) {
      if (format !== 'csv') throw new QueryError('by', `a breakdown exports as CSV: leave format out or give format=csv, got format=${format}`);
      const a = { range: parseRange(q), filters: parseFilters(q), by: parseBreakdownBy(q), limit: parseLimit(q, 10, 1000) };
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
