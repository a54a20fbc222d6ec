import { Controller, HttpCode, Inject, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Tenant } from '../auth/tenant.decorator';
import { Roles } from '../auth/roles.decorator';
import { parseFilters, QueryError } from '../reports/report-query';
import type { StoragePort } from '../storage/storage.port';
import { STORAGE } from '../storage/storage.tokens';
import { utcDays } from '../time/utc-days';
import { PricingService } from './pricing.service';
import { reprice, repriceView } from './repricing';

type Q = Record<string, unknown>;

function dryRunOf(q: Q): boolean {
  const value = q.dryRun ?? q['dry-run'];
  if (value === undefined || value === 'false') return false;
  if (value === '' || value === 'true') return true;
  throw new QueryError('dryRun', `must be true or false, got "${String(value)}"`);
}

/** Prices stored calls again with the prices in force now (admin). */
@ApiTags('pricing')
@ApiBearerAuth()
@Controller('v1/reprice')
export class RepriceController {
  constructor(
    private readonly pricing: PricingService,
    @Inject(STORAGE) private readonly storage: StoragePort,
  ) {}

  @Post()
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({
    summary:
      'Price the calls of whole UTC days again with the price book and operator file in force now: per model the old and new cost and the difference; without dryRun, rewrite them (their previous pricing kept) and correct every rollup once',
  })
  @ApiQuery({ name: 'from', required: true, description: 'First UTC day (YYYY-MM-DD)' })
  @ApiQuery({ name: 'to', required: true, description: 'UTC day after the last (exclusive)' })
  @ApiQuery({ name: 'provider', required: false })
  @ApiQuery({ name: 'model', required: false })
  @ApiQuery({ name: 'dryRun', required: false, description: 'true: say what would change, change nothing' })
  async reprice(@Query() q: Q, @Tenant() tenant: string) {
    if (q.from === undefined || q.to === undefined)
      throw new QueryError(q.from === undefined ? 'from' : 'to', 'is required: the UTC days to price again (YYYY-MM-DD, to exclusive)');
    const { provider, model } = parseFilters(q);
    const request = { tenant, ...utcDays(q), filters: { ...(provider ? { provider } : {}), ...(model ? { model } : {}) }, dryRun: dryRunOf(q) };
    return repriceView(await reprice(this.storage, this.pricing, request));
  }
}
