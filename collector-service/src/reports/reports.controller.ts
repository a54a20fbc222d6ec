import { BadRequestException, Controller, Get, Query } from '@nestjs/common';
import { CurrentPrincipal } from '../auth/principal.decorator';
import { type Principal, tenantOf } from '../auth/principal';
import { Roles } from '../auth/roles.decorator';
import { parseFilters, parseRange, QueryError } from './report-query';
import { BREAKDOWN_DIMENSIONS, ReportsService } from './reports.service';

/** Turns a bad parameter into 400 naming it. */
function parsed<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof QueryError) throw new BadRequestException({ statusCode: 400, error: 'Bad Request', parameter: err.parameter, message: err.message });
    throw err;
  }
}

@Controller('v1/reports')
@Roles('viewer')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  @Get('summary')
  summary(@Query() query: Record<string, unknown>, @CurrentPrincipal() principal: Principal) {
    const { range, filters } = parsed(() => ({ range: parseRange(query), filters: parseFilters(query) }));
    return this.reports.summary(tenantOf(principal, query.tenant), range, filters);
  }

  @Get('breakdown')
  breakdown(@Query() query: Record<string, unknown>, @CurrentPrincipal() principal: Principal) {
    const { range, filters, by, limit } = parsed(() => {
      const by = String(query.by ?? 'model');
      if (!(by in BREAKDOWN_DIMENSIONS)) throw new QueryError('by', `must be one of ${Object.keys(BREAKDOWN_DIMENSIONS).join(', ')}, got "${by}"`);
      const limit = query.limit === undefined ? 10 : Number(query.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new QueryError('limit', `must be a whole number from 1 to 1000, got "${String(query.limit)}"`);
      return { range: parseRange(query), filters: parseFilters(query), by, limit };
    });
    return this.reports.breakdown(tenantOf(principal, query.tenant), range, filters, by, limit);
  }
}
