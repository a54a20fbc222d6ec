import { ApiPropertyOptional } from '@nestjs/swagger';
import { ValidateBy } from 'class-validator';
import { OneOf, Optional, SingleValue, WholeNumber } from '../http/input-rules';
import { TEXT_BOUNDS } from '../usage/billable-bounds';
import { BREAKDOWN_BY_VALUES, isBreakdownBy } from './breakdown-groups';
import { REPORT_PERIODS } from './report-query';

/**
 * The queries of the reports. Each parameter's own rules are checked here; what depends on several
 * (period against from/to, dates read in tz, to after from) is checked by parseRange.
 */

const BY_PROBLEM = `must be one of ${BREAKDOWN_BY_VALUES.join(', ')} (a tag key of 1 to ${TEXT_BOUNDS.length} characters)`;

/** `by` of a breakdown: a dimension, `conversation`, or `tag:<key>`. */
const BreakdownBy = () =>
  ValidateBy({
    name: 'breakdownBy',
    validator: {
      validate: (value) => typeof value === 'string' && isBreakdownBy(value),
      defaultMessage: (args) => (typeof args?.value === 'string' ? `${BY_PROBLEM}, got ${JSON.stringify(args.value)}` : 'must be a single value'),
    },
  });

/** The time zone and the filters every report takes. */
export class ReportFiltersQueryDto {
  @ApiPropertyOptional({ description: 'IANA time zone (default UTC)', example: 'Europe/Paris' })
  @Optional()
  @SingleValue(100)
  tz?: string;

  @ApiPropertyOptional({ description: 'Only calls of this user' })
  @Optional()
  @SingleValue(TEXT_BOUNDS.length)
  user?: string;

  @ApiPropertyOptional({ description: 'Only calls of this agent' })
  @Optional()
  @SingleValue(TEXT_BOUNDS.length)
  agent?: string;

  @ApiPropertyOptional({ description: 'Only calls of this model' })
  @Optional()
  @SingleValue(TEXT_BOUNDS.length)
  model?: string;

  @ApiPropertyOptional({ description: 'Only calls of this provider (gen_ai.provider.name; older names such as gemini are read as theirs)' })
  @Optional()
  @SingleValue(TEXT_BOUNDS.length)
  provider?: string;

  @ApiPropertyOptional({ description: 'Only calls of this cost type (chat, embedding, image, ...)' })
  @Optional()
  @SingleValue(TEXT_BOUNDS.length)
  type?: string;

  @ApiPropertyOptional({ description: 'Only calls of this feature' })
  @Optional()
  @SingleValue(TEXT_BOUNDS.length)
  feature?: string;

  @ApiPropertyOptional({ description: 'Only calls of this service' })
  @Optional()
  @SingleValue(TEXT_BOUNDS.length)
  service?: string;
}

/** A report over a time range: a calendar period, or from/to. */
export class ReportQueryDto extends ReportFiltersQueryDto {
  @ApiPropertyOptional({ enum: REPORT_PERIODS, description: 'Calendar period in tz up to now (default month). Or use from/to.' })
  @Optional()
  @OneOf(REPORT_PERIODS)
  period?: (typeof REPORT_PERIODS)[number];

  @ApiPropertyOptional({ description: 'ISO 8601 date (local midnight in tz) or date-time with offset', example: '2026-11-01' })
  @Optional()
  @SingleValue(40)
  from?: string;

  @ApiPropertyOptional({ description: 'ISO 8601 date or date-time with offset (exclusive)', example: '2026-12-01' })
  @Optional()
  @SingleValue(40)
  to?: string;
}

export class BreakdownQueryDto extends ReportQueryDto {
  @ApiPropertyOptional({
    description: `What to group by: ${BREAKDOWN_BY_VALUES.join(', ')} (the value of that tag key; GET /v1/reports/tag-keys lists the keys used). Default model`,
    example: 'tag:team',
  })
  @Optional()
  @BreakdownBy()
  by?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 1000, description: 'Top N (default 10), the rest summed as other' })
  @Optional()
  @WholeNumber(1, 1000)
  limit?: string;
}

export const INTERVALS = ['hour', 'day'] as const;

export class TimeseriesQueryDto extends ReportQueryDto {
  @ApiPropertyOptional({ enum: INTERVALS, description: 'A point per local hour or day (default day)' })
  @Optional()
  @OneOf(INTERVALS)
  interval?: (typeof INTERVALS)[number];
}

export class UsageQueryDto extends ReportQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 1000, description: 'Page size (default 100)' })
  @Optional()
  @WholeNumber(1, 1000)
  limit?: string;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @Optional()
  @SingleValue(1000)
  cursor?: string;
}

export const EXPORT_FORMATS = ['csv', 'jsonl', 'focus'] as const;

export class ExportQueryDto extends ReportQueryDto {
  @ApiPropertyOptional({ enum: EXPORT_FORMATS, description: 'csv or jsonl (every record, default csv), or focus (FOCUS 1.2 rows over whole UTC days)' })
  @Optional()
  @OneOf(EXPORT_FORMATS)
  format?: (typeof EXPORT_FORMATS)[number];

  @ApiPropertyOptional({
    description: `With format csv: the breakdown by this (${BREAKDOWN_BY_VALUES.join(', ')}) as CSV, one row per value, instead of the records`,
  })
  @Optional()
  @BreakdownBy()
  by?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 1000, description: 'With by: top N (default 10), the rest as one row' })
  @Optional()
  @WholeNumber(1, 1000)
  limit?: string;
}

export class OverviewQueryDto extends ReportQueryDto {
  @ApiPropertyOptional({ enum: INTERVALS, description: 'Time series step: hour or day (default day)' })
  @Optional()
  @OneOf(INTERVALS)
  interval?: (typeof INTERVALS)[number];

  @ApiPropertyOptional({
    description: 'Comma-separated parts to answer: totals (summary, previousSummary, projection), timeseries, breakdowns (default all)',
    example: 'totals,timeseries',
  })
  @Optional()
  @SingleValue(100)
  sections?: string;
}

export class TagKeysQueryDto extends ReportQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 1000, description: 'At most this many keys (default 100)' })
  @Optional()
  @WholeNumber(1, 1000)
  limit?: string;
}
