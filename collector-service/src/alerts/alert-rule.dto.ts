import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { parseUsdToNanos } from '@tokenledger/pricing';
import { IsIn, IsOptional, ValidateBy } from 'class-validator';
import { ChannelIds, Optional, TrueOrFalse } from '../http/input-rules';
import { checkZone, TimeZoneError } from '../time/periods';
import { MAX_WITHIN_HOURS, RULE_TYPES } from './alert-rule';

/** A USD amount as a decimal string, zero or more, exact to the nano. */
const UsdAmount = () =>
  ValidateBy({
    name: 'usdAmount',
    validator: { validate: (value) => usdProblem(value) === null, defaultMessage: (args) => usdProblem(args?.value) ?? '' },
  });

function usdProblem(value: unknown): string | null {
  if (typeof value !== 'string') return `must be a USD decimal string like "50.00", got ${JSON.stringify(value)}`;
  try {
    return parseUsdToNanos(value) < 0n ? 'must not be negative' : null;
  } catch (err) {
    return (err as Error).message;
  }
}

/** A number above `min` and at most `max`. */
const Above = (min: number, max: number) =>
  ValidateBy({
    name: 'above',
    validator: {
      validate: (value) => typeof value === 'number' && Number.isFinite(value) && value > min && value <= max,
      defaultMessage: (args) => `must be a number above ${min} and at most ${max}, got ${JSON.stringify(args?.value)}`,
    },
  });

const Zone = () =>
  ValidateBy({
    name: 'zone',
    validator: { validate: (value) => zoneProblem(value) === null, defaultMessage: (args) => zoneProblem(args?.value) ?? '' },
  });

function zoneProblem(value: unknown): string | null {
  if (typeof value !== 'string') return 'must be an IANA time zone such as "Europe/Madrid"';
  try {
    checkZone(value);
    return null;
  } catch (err) {
    if (err instanceof TimeZoneError) return err.message;
    throw err;
  }
}

const THRESHOLD_DOC =
  'USD decimal string: the limit of daily_cost_above, projected_month_above and user_daily_cost_above; for spike and reconciliation_drift the floor below which nothing alerts';

/** The fields every rule may have beside its type; which ones a type needs is checked on the whole rule. */
class RuleFields {
  @ApiPropertyOptional({ nullable: true, example: '50.00', description: THRESHOLD_DOC }) @IsOptional() @UsdAmount() thresholdUsd?: string | null;
  @ApiPropertyOptional({
    nullable: true,
    description: 'trend_increase_above and reconciliation_drift: percent (20 = 20 %)',
    exclusiveMinimum: true,
    minimum: 0,
    maximum: 100_000,
  })
  @IsOptional()
  @Above(0, 100_000)
  percent?: number | null;

  @ApiPropertyOptional({
    nullable: true,
    description: 'spike: times the hourly mean of the previous 7 days (default 3)',
    exclusiveMinimum: true,
    minimum: 1,
    maximum: 1000,
  })
  @IsOptional()
  @Above(1, 1000)
  multiplier?: number | null;

  @ApiPropertyOptional({
    nullable: true,
    description: 'budget_exhaustion: how many hours ahead to warn (48 = two days)',
    exclusiveMinimum: true,
    minimum: 0,
    maximum: MAX_WITHIN_HOURS,
  })
  @IsOptional()
  @Above(0, MAX_WITHIN_HOURS)
  withinHours?: number | null;

  @ApiPropertyOptional({ default: 'UTC', example: 'Europe/Madrid', description: 'The IANA zone whose days and months the rule counts in' })
  @Optional()
  @Zone()
  timezone?: string;

  @ApiPropertyOptional({ type: [String], maxItems: 20, description: "Channel ids; empty (the default): the tenant's default channels" })
  @Optional()
  @ChannelIds()
  channels?: string[];
  @ApiPropertyOptional({ default: true }) @Optional() @TrueOrFalse() enabled?: boolean;
}

export class CreateAlertRuleDto extends RuleFields {
  @ApiProperty({ enum: RULE_TYPES })
  @IsIn([...RULE_TYPES], { message: `must be one of ${RULE_TYPES.join(', ')}` })
  type!: (typeof RULE_TYPES)[number];
}

/** A change to a rule: the fields that change (null clears a threshold, percent, multiplier or withinHours); the type stays. */
export class UpdateAlertRuleDto extends RuleFields {
  @ApiPropertyOptional({ enum: RULE_TYPES, description: "Only the rule's own type: a rule cannot change type" }) @Optional() type?: string;
}

/** A rule as the API answers it. */
export class AlertRuleDto {
  @ApiProperty({ example: 'default-daily-cost' }) id!: string;
  @ApiProperty({ enum: RULE_TYPES }) type!: string;
  @ApiProperty({ type: String, nullable: true, description: 'Integer nano-USD' }) thresholdNanos!: string | null;
  @ApiProperty({ type: String, nullable: true, example: '50.000000000' }) thresholdUsd!: string | null;
  @ApiProperty({ type: Number, nullable: true }) percent!: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'spike: the multiplier in force (default 3); null for other types' }) multiplier!: number | null;
  @ApiProperty({ type: Number, nullable: true }) withinHours!: number | null;
  @ApiProperty() timezone!: string;
  @ApiProperty({ type: [String] }) channels!: string[];
  @ApiProperty() enabled!: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class AlertRuleListDto {
  @ApiProperty({ type: [AlertRuleDto] }) rules!: AlertRuleDto[];
}
