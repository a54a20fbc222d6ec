import { Controller, Get, Query } from '@nestjs/common';
import { Tenant } from '../auth/tenant.decorator';
import { Roles } from '../auth/roles.decorator';
import { OverviewDto } from './report-answers.dto';
import { ReportEndpoint } from './report-docs';
import { parseFilters, parseRange, QueryError } from './report-query';
import { OverviewQueryDto } from './report-query.dto';
import { OVERVIEW_SECTIONS, type OverviewSection, OverviewService } from './overview.service';

function parseSections(q: OverviewQueryDto): OverviewSection[] {
  if (q.sections === undefined) return [...OVERVIEW_SECTIONS];
  const asked = q.sections.split(',').map((s) => s.trim());
  const unknown = asked.filter((s) => !(OVERVIEW_SECTIONS as readonly string[]).includes(s));
  if (asked.length === 0 || unknown.length > 0)
    throw new QueryError('sections', `must be a comma-separated list of ${OVERVIEW_SECTIONS.join(', ')}, got "${q.sections}"`);
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
    OverviewDto,
  )
  overview(@Query() q: OverviewQueryDto, @Tenant() tenant: string): Promise<OverviewDto> {
    const a = { range: parseRange(q), filters: parseFilters(q), interval: q.interval ?? 'day', sections: parseSections(q) };
    return this.service.overview(tenant, a.range, a.filters, a.interval, a.sections);
  }
}
