import { Controller, ForbiddenException, Get, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { AuthenticatedRequest } from '../auth/auth.guard';
import { PublicWhen, Roles } from '../auth/roles.decorator';
import { CollectorMetrics } from './collector-metrics';

@ApiTags('telemetry')
@Controller()
@Roles('metrics')
@PublicWhen((config) => config.metricsPublic)
export class MetricsController {
  constructor(private readonly metrics: CollectorMetrics) {}

  /**
   * Prometheus scrapes this with a `metrics` key (its scrape config's `authorization`), or without one
   * when TOKENLEDGER_METRICS_PUBLIC=true: it names budgets, models and features, so it is not public by
   * default; users and tenants appear only when allowlisted. Its counters add up every tenant's calls,
   * so a key of one tenant (even its admin's) is refused.
   */
  @Get('metrics')
  @ApiOperation({ summary: "The collector's own metrics in Prometheus text format (cost as floats for graphs; exact money is in the report API)" })
  @ApiOkResponse({
    description: 'Every metric of the collector',
    content: { 'text/plain': { schema: { type: 'string', description: 'The Prometheus text exposition format' } } },
  })
  scrape(@Req() req: Request, @Res() res: Response): void {
    const principal = (req as AuthenticatedRequest).principal;
    if (principal && principal.tenant !== null) {
      throw new ForbiddenException(
        `/metrics counts every tenant's calls, so a key of tenant "${principal.tenant}" cannot read it: use a metrics or admin key of every tenant (a key created without a tenant)`,
      );
    }
    this.metrics.serve(req, res);
  }
}
