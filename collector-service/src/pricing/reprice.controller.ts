import { Controller, HttpCode, Inject, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Tenant } from '../auth/tenant.decorator';
import { Roles } from '../auth/roles.decorator';
import { ApiInputErrors } from '../http/api-errors';
import { parseFilters } from '../reports/report-query';
import type { StoragePort } from '../storage/storage.port';
import { STORAGE } from '../storage/storage.tokens';
import { utcDays } from '../time/utc-days';
import { PricingService } from './pricing.service';
import { RepriceDto, RepriceQueryDto } from './reprice.dto';
import { reprice, repriceView } from './repricing';

/** dryRun or dry-run, given true or without a value. */
const dryRunOf = (q: RepriceQueryDto): boolean => [q.dryRun, q['dry-run']].some((value) => value === 'true' || value === '');

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
  @ApiOkResponse({ type: RepriceDto })
  @ApiInputErrors()
  async reprice(@Query() q: RepriceQueryDto, @Tenant() tenant: string): Promise<RepriceDto> {
    const { provider, model } = parseFilters(q);
    const request = { tenant, ...utcDays(q), filters: { ...(provider ? { provider } : {}), ...(model ? { model } : {}) }, dryRun: dryRunOf(q) };
    return repriceView(await reprice(this.storage, this.pricing, request));
  }
}
