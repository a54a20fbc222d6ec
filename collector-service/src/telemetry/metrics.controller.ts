import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
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
   * default; users and tenants appear only when allowlisted.
   */
  @Get('metrics')
  @ApiOperation({ summary: "The collector's own metrics in Prometheus text format (cost as floats for graphs; exact money is in the report API)" })
  @ApiProduces('text/plain')
  scrape(@Req() req: Request, @Res() res: Response): void {
    this.metrics.serve(req, res);
  }
}
