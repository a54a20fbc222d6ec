import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, type ValidationArguments } from 'class-validator';
import { Optional, Required, SingleValue } from '../http/input-rules';
import { TEXT_BOUNDS } from '../usage/billable-bounds';

const DAYS_REQUIRED = ': the UTC days to price again (YYYY-MM-DD, to exclusive)';
const FLAGS = ['true', 'false', ''];
/** true or false, or given without a value (true). */
const DryRunFlag = () => IsIn(FLAGS, { message: (args: ValidationArguments) => `must be true or false, got ${JSON.stringify(args.value)}` });

/** Which calls to price again: whole UTC days, optionally one provider or model. */
export class RepriceQueryDto {
  @ApiProperty({ description: 'First UTC day (YYYY-MM-DD)', example: '2026-11-01' })
  @Required(DAYS_REQUIRED)
  @SingleValue(40)
  from!: string;

  @ApiProperty({ description: 'UTC day after the last (exclusive)', example: '2026-11-02' })
  @Required(DAYS_REQUIRED)
  @SingleValue(40)
  to!: string;

  @ApiPropertyOptional({ description: 'Only calls of this provider' }) @Optional() @SingleValue(TEXT_BOUNDS.length) provider?: string;
  @ApiPropertyOptional({ description: 'Only calls of this model' }) @Optional() @SingleValue(TEXT_BOUNDS.length) model?: string;

  @ApiPropertyOptional({ enum: FLAGS, description: 'true (or given empty): say what would change, change nothing' })
  @Optional()
  @DryRunFlag()
  dryRun?: string;

  @ApiPropertyOptional({ enum: FLAGS, description: 'The same as dryRun' })
  @Optional()
  @DryRunFlag()
  'dry-run'?: string;
}

const NANOS = { description: 'Integer nano-USD as a string' };
const USD = { description: 'USD as a decimal string, 9 places' };

/** The cost before and after, and the difference (new − old). */
class RepricedMoneyDto {
  @ApiProperty() calls!: number;
  @ApiProperty({ description: 'Calls unpriced before and priced now' }) newlyPriced!: number;
  @ApiProperty(NANOS) oldCostNanos!: string;
  @ApiProperty(NANOS) newCostNanos!: string;
  @ApiProperty(NANOS) differenceNanos!: string;
  @ApiProperty(USD) oldCostUsd!: string;
  @ApiProperty(USD) newCostUsd!: string;
  @ApiProperty(USD) differenceUsd!: string;
}

class RepricedModelDto extends RepricedMoneyDto {
  @ApiProperty() provider!: string;
  @ApiProperty() model!: string;
}

export class RepriceDto {
  @ApiProperty({ description: 'Nothing was changed' }) dryRun!: boolean;
  @ApiProperty({ description: 'The price book the calls were priced with' }) priceBookVersion!: string;
  @ApiProperty({ description: 'Calls read' }) examined!: number;
  @ApiProperty({ type: [RepricedModelDto] }) models!: RepricedModelDto[];
  @ApiProperty({ type: RepricedMoneyDto }) total!: RepricedMoneyDto;
}
