import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { OneOf, Optional, SingleValue, WholeNumber } from '../http/input-rules';
import { BadParameterAnsweredAsField } from '../http/input.pipe';
import { DeliveryDto } from '../channels/delivery.dto';
import { DEFAULT_PAGE, MAX_PAGE } from './alert-page';
import { RULE_TYPES } from './alert-rule';

const STATES = ['firing', 'resolved'];

/** The budget a budget alert is about. */
export class AlertBudgetDto {
  @ApiProperty() id!: string;
  @ApiProperty({ type: String, nullable: true, description: 'null once the budget is deleted' }) name!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'perUser budgets: the user' }) user!: string | null;
  @ApiProperty({ type: Number, nullable: true, description: 'The fraction of the limit crossed; null for a projected exhaustion' }) threshold!: number | null;
}

/** One attempt to tell a channel about the alert firing or resolving. */
export class AlertDeliveryDto extends DeliveryDto {
  @ApiProperty({ enum: STATES, description: 'Which notification: the alert firing or resolving' }) state!: string;
}

/** An alert as the API answers it. */
export class AlertDto {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: STATES }) state!: string;
  @ApiProperty({ enum: RULE_TYPES }) rule!: string;
  @ApiProperty() ruleId!: string;
  @ApiProperty({ enum: ['warning', 'critical'] }) severity!: string;
  @ApiProperty({ description: 'What the alert is about within its rule (a user, a budget and threshold, the tenant)' }) subject!: string;
  @ApiProperty({ type: AlertBudgetDto, nullable: true }) budget!: AlertBudgetDto | null;
  @ApiProperty({ type: String, nullable: true, description: 'Integer nano-USD' }) valueNanos!: string | null;
  @ApiProperty({ type: String, nullable: true }) valueUsd!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Integer nano-USD' }) thresholdNanos!: string | null;
  @ApiProperty({ type: String, nullable: true }) thresholdUsd!: string | null;
  @ApiProperty({ type: Number, nullable: true, description: 'unpriced_usage: the calls without a price' }) count!: number | null;
  @ApiProperty() message!: string;
  @ApiProperty({ format: 'date-time' }) periodStart!: string;
  @ApiProperty({ format: 'date-time' }) periodEnd!: string;
  @ApiProperty({ format: 'date-time' }) firedAt!: string;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) resolvedAt!: string | null;
  @ApiProperty({ type: String, nullable: true }) resolvedReason!: string | null;
  @ApiProperty() acknowledged!: boolean;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) acknowledgedAt!: string | null;
  @ApiProperty({ type: [AlertDeliveryDto] }) deliveries!: AlertDeliveryDto[];
}

export class AlertPageDto {
  @ApiProperty({ type: [AlertDto] }) alerts!: AlertDto[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as cursor for the next page; null on the last' }) nextCursor!: string | null;
}

const FLAGS = ['true', 'false'];

/** The query of GET /v1/alerts. A cursor continues only the listing it came from (the same state, unreadOnly and unreadFirst). */
@BadParameterAnsweredAsField()
export class AlertsQueryDto {
  @ApiPropertyOptional({ enum: STATES }) @Optional() @OneOf(STATES) state?: 'firing' | 'resolved';
  @ApiPropertyOptional({ enum: FLAGS, description: 'Only the alerts nobody acknowledged' }) @Optional() @OneOf(FLAGS) unreadOnly?: string;
  @ApiPropertyOptional({ enum: FLAGS, description: 'Unread alerts before read ones, each newest first' }) @Optional() @OneOf(FLAGS) unreadFirst?: string;
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_PAGE, default: DEFAULT_PAGE, description: 'Alerts per page' })
  @Optional()
  @WholeNumber(1, MAX_PAGE)
  limit?: string;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page, with the same state, unreadOnly and unreadFirst' })
  @Optional()
  @SingleValue(1000)
  cursor?: string;
}
