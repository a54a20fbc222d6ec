import { ApiPropertyOptional } from '@nestjs/swagger';
import { OneOf, Optional, SingleValue } from '../http/input-rules';
import { REPORT_PERIODS } from '../reports/report-query';
import { TEXT_BOUNDS } from '../usage/billable-bounds';

/**
 * The seed APIs' queries. Each parameter's own rules are checked here; the range they make together
 * (startDate/endDate read in tz, endDate after startDate, days back) is checked by seed-query.ts.
 */

/** The seeds' one filter, userId. */
export class SeedUserQueryDto {
  @ApiPropertyOptional({ description: 'Only calls of this user' }) @Optional() @SingleValue(TEXT_BOUNDS.length) userId?: string;
}

/** The time zone and the user. */
export class SeedFiltersQueryDto extends SeedUserQueryDto {
  @ApiPropertyOptional({ description: 'IANA time zone (default UTC)' }) @Optional() @SingleValue(100) tz?: string;
}

/** startDate/endDate as the seeds took them. */
export class SeedDatesQueryDto extends SeedFiltersQueryDto {
  @ApiPropertyOptional({ description: 'ISO 8601 date or date-time', example: '2026-11-01' }) @Optional() @SingleValue(40) startDate?: string;
  @ApiPropertyOptional({ description: 'ISO 8601 date or date-time; a date-only endDate includes that day', example: '2026-11-30' })
  @Optional()
  @SingleValue(40)
  endDate?: string;
}

const LIMIT = { type: 'integer', minimum: 1, maximum: 1000 } as const;

export const ADMIN_VIEWS = ['summary', 'daily', 'top-users', 'projection'] as const;

export class AdminCostsQueryDto extends SeedDatesQueryDto {
  @ApiPropertyOptional({ enum: ADMIN_VIEWS, description: 'Default summary' }) @Optional() @OneOf(ADMIN_VIEWS) view?: (typeof ADMIN_VIEWS)[number];
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 3660, description: 'Days back, today included, when no dates are given (default 30)' })
  @Optional()
  @SingleValue(10)
  days?: string;

  @ApiPropertyOptional({ ...LIMIT, description: 'top-users only (default 10)' }) @Optional() @SingleValue(10) limit?: string;
}

export class CostTrackingQueryDto extends SeedDatesQueryDto {
  @ApiPropertyOptional({ enum: REPORT_PERIODS, description: 'Calendar period in tz up to now (default month), or startDate/endDate' })
  @Optional()
  @OneOf(REPORT_PERIODS)
  period?: string;
}

export class SeedRecentQueryDto extends SeedFiltersQueryDto {
  @ApiPropertyOptional({ ...LIMIT, description: 'Calls, newest first' }) @Optional() @SingleValue(10) limit?: string;
}

export class UsageLogsQueryDto extends SeedRecentQueryDto {
  @ApiPropertyOptional({ description: 'Only calls of this service (the model that served them)' })
  @Optional()
  @SingleValue(TEXT_BOUNDS.length)
  service?: string;
}

export const MONITORING_PERIODS = ['today', 'week', 'month'] as const;

export class MonitoringSummaryQueryDto extends SeedFiltersQueryDto {
  @ApiPropertyOptional({ enum: MONITORING_PERIODS, description: 'Default month' }) @Optional() @OneOf(MONITORING_PERIODS) period?: string;
}

export const SEED_EXPORT_FORMATS = ['csv', 'jsonl'] as const;

export class MonitoringExportQueryDto extends SeedDatesQueryDto {
  @ApiPropertyOptional({ enum: SEED_EXPORT_FORMATS, description: 'Default csv' })
  @Optional()
  @OneOf(SEED_EXPORT_FORMATS)
  format?: (typeof SEED_EXPORT_FORMATS)[number];
}
