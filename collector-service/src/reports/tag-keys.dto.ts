import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { TEXT_BOUNDS } from '../usage/billable-bounds';
import { Optional, Text } from '../http/input-rules';

/**
 * The query of GET /v1/reports/tag-keys: a report's range, time zone and filters, and a limit. The
 * rules here are the shape (single strings); parseRange, parseFilters and parseLimit check the values
 * as every report does.
 */
export class TagKeysQueryDto {
  @ApiPropertyOptional({ enum: ['today', 'week', 'month', 'all'], description: 'Calendar period in tz up to now (default month). Or use from/to.' })
  @Optional()
  @Text(20)
  period?: string;

  @ApiPropertyOptional({ description: 'ISO 8601 date (local midnight in tz) or date-time with offset' })
  @Optional()
  @Text(40)
  from?: string;

  @ApiPropertyOptional({ description: 'ISO 8601 date or date-time with offset (exclusive)' })
  @Optional()
  @Text(40)
  to?: string;

  @ApiPropertyOptional({ description: 'IANA time zone (default UTC)' })
  @Optional()
  @Text(100)
  tz?: string;

  @ApiPropertyOptional({ description: 'Only calls of this user' })
  @Optional()
  @Text(TEXT_BOUNDS.length)
  user?: string;

  @ApiPropertyOptional({ description: 'Only calls of this agent' })
  @Optional()
  @Text(TEXT_BOUNDS.length)
  agent?: string;

  @ApiPropertyOptional({ description: 'Only calls of this model' })
  @Optional()
  @Text(TEXT_BOUNDS.length)
  model?: string;

  @ApiPropertyOptional({ description: 'Only calls of this provider' })
  @Optional()
  @Text(TEXT_BOUNDS.length)
  provider?: string;

  @ApiPropertyOptional({ description: 'Only calls of this cost type' })
  @Optional()
  @Text(TEXT_BOUNDS.length)
  type?: string;

  @ApiPropertyOptional({ description: 'Only calls of this feature' })
  @Optional()
  @Text(TEXT_BOUNDS.length)
  feature?: string;

  @ApiPropertyOptional({ description: 'Only calls of this service' })
  @Optional()
  @Text(TEXT_BOUNDS.length)
  service?: string;

  @ApiPropertyOptional({ description: 'At most this many keys (1-1000, default 100)' })
  @Optional()
  @Text(10)
  limit?: string;
}

class TagKeyDto {
  @ApiProperty({ description: 'The tag key, as by=tag:<key> takes it' })
  key!: string;

  @ApiProperty({ description: 'Calls of the range carrying the key' })
  calls!: number;

  @ApiProperty({ description: 'Their cost in nano-USD, an integer string' })
  costNanos!: string;

  @ApiProperty({ description: 'Their cost in USD, a decimal string of 9 places' })
  costUsd!: string;
}

export class TagKeysDto {
  @ApiProperty({ description: 'Start of the range (ISO 8601)' })
  from!: string;

  @ApiProperty({ description: 'End of the range, exclusive (ISO 8601)' })
  to!: string;

  @ApiProperty({ description: 'The time zone of the range' })
  tz!: string;

  @ApiProperty({ type: [TagKeyDto], description: 'Most calls first, then by key' })
  keys!: TagKeyDto[];

  @ApiProperty({ description: 'Whether the range has more keys than limit' })
  more!: boolean;
}
