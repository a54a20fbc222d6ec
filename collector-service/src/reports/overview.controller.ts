import { Controller, Get, Query } from '@nestjs/common';
import { Tenant } from '../auth/tenant.decorator';
import { Roles } from '../auth/roles.decorator';
import { ReportEndpoint } from './report-docs';
import { oneOf, parseFilters, parseRange, QueryError } from './report-query';
import { OVERVIEW_SECTIONS, type OverviewSection, OverviewService } from './overview.service';

function parseSections(q: Record<string, unknown>): OverviewSection[] {
  if (q.sections === undefined) return [...OVERVIEW_SECTIONS];
  const asked = typeof q.sections === 'string' ? q.sections.split(',').map((s) => s.trim()) : [];
  const unknown = asked.filter((s) => !(OVERVIEW_SECTIONS as readonly string[]).includes(s));
  if (asked.length === 0 || unknown.length > 0)
    throw new QueryError('sections', `must be a comma-separated list of ${OVERVIEW_SECTIONS.join(', ')}, got "${String(q.sections)}"`);
  return asked as OverviewSection[];
}

/** The dashboard overview's reports in one request. */
@Controller('v1/reports')
@Roles('viewer')
export class OverviewController {
  constructor(private readonly service: OverviewService) {}

  @Get('overview')
  @ReportEndpoint(
    'Summary, summary of the period before, projection, time series, and breakdowns by type, provider and model (all) and by user and agent (top 10), each exactly as its own endpoint answers',
    [
      { name: 'interval', description: 'Time series step: hour or day (default day)', enum: ['hour', 'day'] },
      { name: 'sections', description: 'Comma-separated parts to answer: totals (summary, previousSummary, projection), timeseries, breakdowns (default all)' },
    ],
  )
  overview(@Query() q: Record<string, unknown>, @Tenant() tenant: string) {
    const a = { range: parseRange(q), filters: parseFilters(q), interval: oneOf(q, 'interval', ['hour', 'day'] as const, 'day'), sections: parseSections(q) };
    return this.service.overview(tenant, a.range, a.filters, a.interval, a.sections);
  }
}
