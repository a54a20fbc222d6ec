import { Controller, Get, Query } from '@nestjs/common';
import { CurrentPrincipal } from '../auth/principal.decorator';
import { type Principal, tenantOf } from '../auth/principal';
import { Roles } from '../auth/roles.decorator';
import { ReportEndpoint } from './report-docs';
import { oneOf, parsed, parseFilters, parseRange } from './report-query';
import { OverviewService } from './overview.service';

/** The dashboard overview's reports in one request. */
@Controller('v1/reports')
@Roles('viewer')
export class OverviewController {
  constructor(private readonly service: OverviewService) {}

  @Get('overview')
  @ReportEndpoint(
    'Summary, summary of the period before, projection, time series, and breakdowns by type, provider and model (all) and by user and agent (top 10), each as its own endpoint answers',
    [{ name: 'interval', description: 'Time series step: hour or day (default day)', enum: ['hour', 'day'] }],
  )
  overview(@Query() q: Record<string, unknown>, @CurrentPrincipal() p: Principal) {
    const a = parsed(() => ({ range: parseRange(q), filters: parseFilters(q), interval: oneOf(q, 'interval', ['hour', 'day'] as const, 'day') }));
    return this.service.overview(tenantOf(p, q.tenant), a.range, a.filters, a.interval);
  }
}
