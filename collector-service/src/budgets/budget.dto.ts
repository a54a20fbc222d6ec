import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { formatUsd, parseUsdToNanos } from '@tokenledger/pricing';
import { IsObject, IsOptional, IsString, MaxLength, ValidateBy, ValidateNested } from 'class-validator';
import { aboutPart } from '../http/input-error';
import { ChannelIds, Flag, isText, OneOf, Optional, Required, Text, TimeZone } from '../http/input-rules';
import { MAX_LIMIT_NANOS } from '../storage/stored-budget';
import { BUDGET_ACTIONS, BUDGET_PERIODS } from './budget';

const MAX_TEXT = 200;
const MAX_TAGS = 20;

/** Tag values a budget's scope requires: non-empty strings, a wrong one named by its key. */
const ScopeTags = () =>
  ValidateBy({
    name: 'scopeTags',
    validator: {
      validate: (value) => scopeTagsProblem(value) === null,
      defaultMessage: (args) => scopeTagsProblem(args?.value) ?? '',
    },
  });

function scopeTagsProblem(value: unknown): string | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'must be an object of tag values, like { "team": "search" }';
  const entries = Object.entries(value);
  if (entries.length > MAX_TAGS) return `must have at most ${MAX_TAGS} tags`;
  for (const [key, v] of entries) {
    if (key === '' || key.length > MAX_TEXT) return `keys must be non-empty strings of at most ${MAX_TEXT} characters`;
    if (!isText(v, MAX_TEXT)) return aboutPart(`.${key}`, `must be a non-empty string of at most ${MAX_TEXT} characters`);
  }
  return null;
}

/** What a budget covers; every dimension left out means "any". */
export class BudgetScopeDto {
  @ApiPropertyOptional({ maxLength: MAX_TEXT }) @Optional() @Text() user?: string;
  @ApiPropertyOptional({ maxLength: MAX_TEXT }) @Optional() @Text() agent?: string;
  @ApiPropertyOptional({ maxLength: MAX_TEXT }) @Optional() @Text() model?: string;
  @ApiPropertyOptional({ maxLength: MAX_TEXT, description: 'Provider name; aliases (openai, gemini, anthropic...) are stored by their canonical name' })
  @Optional()
  @Text()
  provider?: string;
  @ApiPropertyOptional({ maxLength: MAX_TEXT }) @Optional() @Text() feature?: string;
  @ApiPropertyOptional({ maxLength: MAX_TEXT }) @Optional() @Text() service?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    maxProperties: MAX_TAGS,
    description: 'Only records whose tags include every one of these key=value pairs',
  })
  @Optional()
  @ScopeTags()
  tags?: Record<string, string>;

  @ApiPropertyOptional({ description: 'The limit applies to each user separately (not with user)' })
  @Optional()
  @ValidateBy({
    name: 'perUserAlone',
    validator: {
      validate: (value, args) => value !== true || (args?.object as BudgetScopeDto).user === undefined,
      defaultMessage: () => 'cannot be combined with scope.user (perUser gives every user the limit; scope.user names one)',
    },
  })
  @Flag()
  perUser?: boolean;
}

/** A USD limit as a decimal string, above zero, exact to the nano. */
const UsdLimit = () =>
  ValidateBy({
    name: 'usdLimit',
    validator: {
      validate: (value) => usdLimitProblem(value) === null,
      defaultMessage: (args) => usdLimitProblem(args?.value) ?? '',
    },
  });

function usdLimitProblem(value: unknown): string | null {
  if (typeof value !== 'string') return `must be a USD decimal string like "10.00", got ${JSON.stringify(value)}`;
  try {
    const nanos = parseUsdToNanos(value);
    if (nanos <= 0n) return `must be more than zero, got "${value}"`;
    if (nanos > MAX_LIMIT_NANOS)
      return `must be at most "${formatUsd(MAX_LIMIT_NANOS)}" (the most a store keeps as a 64-bit integer of nano-USD), got "${value}"`;
  } catch (err) {
    return `must be a USD decimal string like "10.00" with at most 9 decimals (${(err as Error).message})`;
  }
  return null;
}

const Thresholds = () =>
  ValidateBy({
    name: 'thresholds',
    validator: {
      validate: (value) => thresholdsProblem(value) === null,
      defaultMessage: (args) => thresholdsProblem(args?.value) ?? '',
    },
  });

function thresholdsProblem(value: unknown): string | null {
  if (!Array.isArray(value)) return 'must be an array of fractions of the limit, like [0.8, 1.0]';
  const bad = value.findIndex((t) => typeof t !== 'number' || !Number.isFinite(t) || t <= 0 || t > 10);
  return bad < 0 ? null : aboutPart(`[${bad}]`, `must be a fraction of the limit above 0 and at most 10 (0.8 = 80 %), got ${JSON.stringify(value[bad])}`);
}

const presence = (required: boolean, hint?: string) => (required ? Required(hint) : Optional());

/** The fields of a budget; a new budget needs name, period and limitUsd, a change names only what changes. */
function budgetFields(required: boolean) {
  class BudgetFields {
    @ApiProperty({ required, maxLength: MAX_TEXT, example: 'support bot' })
    @presence(required)
    @Text()
    name?: string;

    @ApiPropertyOptional({ type: BudgetScopeDto, description: 'Empty (the default) for the whole tenant' })
    @Optional()
    @ValidateNested()
    @IsObject({ message: 'must be an object (empty for the whole tenant)' })
    scope?: BudgetScopeDto;

    @ApiProperty({ required, enum: BUDGET_PERIODS })
    @presence(required, ` (${BUDGET_PERIODS.join(', ')})`)
    @OneOf(BUDGET_PERIODS)
    period?: (typeof BUDGET_PERIODS)[number];

    @ApiPropertyOptional({ default: 'UTC', example: 'Europe/Madrid', description: 'IANA time zone the periods start in' })
    @Optional()
    @TimeZone()
    @Text()
    timezone?: string;

    @ApiProperty({ required, example: '10.00', description: 'USD as a decimal string, at most 9 decimals, above zero' })
    @presence(required, ' (a USD decimal string like "10.00")')
    @UsdLimit()
    limitUsd?: string;

    @ApiPropertyOptional({ type: [Number], default: [0.8, 1], description: 'Fractions of the limit that alert (0.8 = 80 %), each above 0 and at most 10' })
    @Optional()
    @Thresholds()
    thresholds?: number[];

    @ApiPropertyOptional({ enum: BUDGET_ACTIONS, default: 'notify', description: 'block: checks answer block once the limit is reached' })
    @Optional()
    @OneOf(BUDGET_ACTIONS)
    action?: (typeof BUDGET_ACTIONS)[number];

    @ApiPropertyOptional({ type: [String], maxItems: 20, description: 'Ids of the channels notified (empty: the default channels)' })
    @Optional()
    @ChannelIds()
    channels?: string[];
  }
  return BudgetFields;
}

export class CreateBudgetDto extends budgetFields(true) {}
export class UpdateBudgetDto extends budgetFields(false) {}

/** A call's tags as the SDK's attribution sends them: string values (empty ones too). */
const CallTags = () =>
  ValidateBy({
    name: 'callTags',
    validator: {
      validate: (value) => callTagsProblem(value) === null,
      defaultMessage: (args) => callTagsProblem(args?.value) ?? '',
    },
  });

function callTagsProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'must be an object of string values, like { "team": "search" }';
  const bad = Object.entries(value).find(([, v]) => typeof v !== 'string');
  return bad ? aboutPart(`.${bad[0]}`, `must be a string, got ${JSON.stringify(bad[1])}`) : null;
}

const CALL_TEXT = { message: `must be a string of at most ${MAX_TEXT} characters` };

/** Who is about to call: every field optional (null and "" count as not given). */
export class CheckBudgetDto {
  @ApiPropertyOptional({ maxLength: MAX_TEXT }) @IsOptional() @MaxLength(MAX_TEXT, CALL_TEXT) @IsString(CALL_TEXT) user?: string | null;
  @ApiPropertyOptional({ maxLength: MAX_TEXT }) @IsOptional() @MaxLength(MAX_TEXT, CALL_TEXT) @IsString(CALL_TEXT) agent?: string | null;
  @ApiPropertyOptional({ maxLength: MAX_TEXT }) @IsOptional() @MaxLength(MAX_TEXT, CALL_TEXT) @IsString(CALL_TEXT) model?: string | null;
  @ApiPropertyOptional({ maxLength: MAX_TEXT }) @IsOptional() @MaxLength(MAX_TEXT, CALL_TEXT) @IsString(CALL_TEXT) provider?: string | null;
  @ApiPropertyOptional({ maxLength: MAX_TEXT }) @IsOptional() @MaxLength(MAX_TEXT, CALL_TEXT) @IsString(CALL_TEXT) feature?: string | null;
  @ApiPropertyOptional({ maxLength: MAX_TEXT }) @IsOptional() @MaxLength(MAX_TEXT, CALL_TEXT) @IsString(CALL_TEXT) service?: string | null;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' } })
  @IsOptional()
  @CallTags()
  tags?: Record<string, string> | null;

  @ApiPropertyOptional({ description: 'The tenant to check, for a key of every tenant (else the query parameter tenant)' })
  @IsOptional()
  @IsString({ message: 'must be a string' })
  tenant?: string | null;
}
