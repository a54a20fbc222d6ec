import { ApiPropertyOptional } from '@nestjs/swagger';
import { ValidateBy } from 'class-validator';
import { Flag, Optional, OptionalOrNull, Text, TimeZone } from '../http/input-rules';

/** A seed limit: USD as a JSON number, positive, whose text has at most 9 decimals (so it is taken exactly, never through a float). */
const SeedLimit = () =>
  ValidateBy({
    name: 'seedLimit',
    validator: { validate: (value) => seedLimitProblem(value) === null, defaultMessage: (args) => seedLimitProblem(args?.value) ?? '' },
  });

function seedLimitProblem(value: unknown): string | null {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) return 'must be a positive number of USD';
  const text = String(value);
  return /^\d+(\.\d{1,9})?$/.test(text) ? null : `must have at most 9 decimals, got ${text}`;
}

const Fraction = () =>
  ValidateBy({
    name: 'fraction',
    validator: {
      validate: (value) => typeof value === 'number' && value > 0 && value <= 1,
      defaultMessage: () => 'must be a fraction above 0 and at most 1 (0.8 = 80 %)',
    },
  });

/** PUT /api/cost-monitoring/budget: a user's limits; a limit left out is kept, null removes it. */
export class SeedBudgetDto {
  @ApiPropertyOptional({ description: 'The user (here or as the userId query parameter)', maxLength: 180 }) @Optional() @Text(180) userId?: string;
  @ApiPropertyOptional({ type: Number, nullable: true, description: 'USD per day (at most 9 decimals); null removes it', example: 5 })
  @OptionalOrNull()
  @SeedLimit()
  dailyLimit?: number | null;

  @ApiPropertyOptional({ type: Number, nullable: true, description: 'USD per month (at most 9 decimals); null removes it', example: 100 })
  @OptionalOrNull()
  @SeedLimit()
  monthlyLimit?: number | null;

  @ApiPropertyOptional({ description: 'Warn at this fraction of a limit (default 0.8)', example: 0.8 }) @Optional() @Fraction() alertThreshold?: number;
  @ApiPropertyOptional({ description: 'Warn before the limit (default true)' }) @Optional() @Flag() alertsEnabled?: boolean;
  @ApiPropertyOptional({ description: 'Block calls past the limit (the in-app guard enforces it)' }) @Optional() @Flag() pauseOnExceed?: boolean;
  @ApiPropertyOptional({ description: 'IANA time zone of the day and month (default UTC)' }) @Optional() @TimeZone() timezone?: string;
}
