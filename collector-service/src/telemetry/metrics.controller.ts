import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '../auth/roles.decorator';
import { CollectorMetrics } from './collector-metrics';

@ApiTags('telemetry')
@Controller()
@Public()
export class MetricsController {
  constructor(private readonly metrics: CollectorMetrics) {}

  /** Prometheus scrapes this without a key, like any /metrics; it holds aggregates, and users only when allowlisted. */
  @Get('metrics')
  @ApiOperation({ summary: "The collector's own metrics in Prometheus text format (cost as floats for graphs; exact money is in the report API)" })
  @ApiProduces('text/plain')
  scrape(@Req() req: Request, @Res() res: Response): void {
    this.metrics.serve(req, res);
  }
}
