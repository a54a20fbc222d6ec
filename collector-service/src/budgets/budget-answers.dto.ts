import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { BUDGET_ACTIONS, BUDGET_PERIODS } from './budget';
import { BudgetScopeDto } from './budget.dto';

const STATES = ['ok', 'warning', 'exceeded'];
const NANOS = { description: 'Integer nano-USD as a string', example: '10000000000' };
const USD = { description: 'USD as a decimal string, 9 places', example: '10.000000000' };

/** A budget as the API answers it. */
export class BudgetDto {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: BudgetScopeDto }) scope!: BudgetScopeDto;
  @ApiProperty({ enum: BUDGET_PERIODS }) period!: string;
  @ApiProperty({ example: 'UTC' }) timezone!: string;
  @ApiProperty(NANOS) limitNanos!: string;
  @ApiProperty(USD) limitUsd!: string;
  @ApiProperty({ type: [Number] }) thresholds!: number[];
  @ApiProperty({ enum: BUDGET_ACTIONS }) action!: string;
  @ApiProperty({ type: [String] }) channels!: string[];
  @ApiProperty() createdAtMs!: number;
  @ApiProperty() updatedAtMs!: number;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class BudgetListDto {
  @ApiProperty({ type: [BudgetDto] }) budgets!: BudgetDto[];
}

/** Spend against the limit in the current period. */
export class BudgetFiguresDto {
  @ApiProperty(NANOS) spentNanos!: string;
  @ApiProperty(USD) spentUsd!: string;
  @ApiProperty({ description: 'Spent over the limit (1 = the limit reached)' }) ratio!: number;
  @ApiProperty({ enum: STATES }) state!: string;
  @ApiProperty({ ...NANOS, description: 'The spend the run rate reaches by the end of the period, integer nano-USD' }) projectedNanos!: string;
  @ApiProperty(USD) projectedUsd!: string;
  @ApiProperty({ type: String, nullable: true, format: 'date-time', description: 'When the run rate uses up the limit within the period' }) exhaustsAt!:
    string | null;
}

export class BudgetUserFiguresDto extends BudgetFiguresDto {
  @ApiProperty() user!: string;
}

/** A budget's standing; for a perUser budget, that of its highest-spending user, with the top users. */
export class BudgetStatusDto extends BudgetFiguresDto {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: BUDGET_ACTIONS }) action!: string;
  @ApiProperty(NANOS) limitNanos!: string;
  @ApiProperty(USD) limitUsd!: string;
  @ApiProperty({ format: 'date-time' }) periodStart!: string;
  @ApiProperty({ format: 'date-time' }) periodEnd!: string;
  @ApiPropertyOptional({ ...NANOS, description: 'perUser: every user together' }) totalSpentNanos?: string;
  @ApiPropertyOptional(USD) totalSpentUsd?: string;
  @ApiPropertyOptional({ description: 'perUser: users who spent in the period' }) users?: number;
  @ApiPropertyOptional({ description: 'perUser: users at or over the limit' }) usersExceeded?: number;
  @ApiPropertyOptional({ type: [BudgetUserFiguresDto] }) topUsers?: BudgetUserFiguresDto[];
}

/** A budget that applies to the checked call. Amounts are left out for an ingest key of every tenant. */
export class CheckedBudgetDto {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: BUDGET_ACTIONS }) action!: string;
  @ApiPropertyOptional(NANOS) spentNanos?: string;
  @ApiPropertyOptional(USD) spentUsd?: string;
  @ApiPropertyOptional(NANOS) limitNanos?: string;
  @ApiPropertyOptional(USD) limitUsd?: string;
  @ApiProperty({ enum: STATES }) state!: string;
  @ApiProperty({ format: 'date-time', description: 'When its period ends' }) resetsAt!: string;
}

/** The decision for a call about to be made. */
export class BudgetCheckDto {
  @ApiProperty({ description: 'false when decision is block' }) allowed!: boolean;
  @ApiProperty({ enum: ['allow', 'warn', 'block'] }) decision!: string;
  @ApiProperty({ type: [CheckedBudgetDto] }) budgets!: CheckedBudgetDto[];
  @ApiProperty({ type: String, nullable: true, format: 'date-time', description: 'When a block lifts, else when the next applying budget resets' })
  resetsAt!: string | null;
}
