import { ApiProperty } from '@nestjs/swagger';
import { DeliveryDto } from '../channels/delivery.dto';
import { DIGEST_CADENCES, WEEKDAYS } from './digest-subscription';

/** The answers of the digests API, for the OpenAPI document. Money as `...Nanos` (integer nano-USD) and `...Usd` strings. */
export class DigestSubscriptionDto {
  @ApiProperty({ example: 'dg_3709a275d927e8af' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: DIGEST_CADENCES }) cadence!: string;
  @ApiProperty({ enum: WEEKDAYS, nullable: true, type: String }) weekday!: string | null;
  @ApiProperty({ minimum: 0, maximum: 23 }) hour!: number;
  @ApiProperty({ example: 'Europe/Madrid' }) timezone!: string;
  @ApiProperty({ type: [String] }) channels!: string[];
  @ApiProperty() enabled!: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class DigestSubscriptionListDto {
  @ApiProperty({ type: [DigestSubscriptionDto] }) digests!: DigestSubscriptionDto[];
}

class DigestAmountDto {
  @ApiProperty() costNanos!: string;
  @ApiProperty({ example: '2.500000003' }) costUsd!: string;
  @ApiProperty() calls!: number;
}

class DigestLineDto extends DigestAmountDto {
  @ApiProperty({ type: String, nullable: true, description: 'The model, user or agent; null for calls without one' }) key!: string | null;
}

class DigestRankingDto {
  @ApiProperty({ type: [DigestLineDto], description: 'The top 5 by cost' }) items!: DigestLineDto[];
  @ApiProperty({ type: DigestAmountDto, nullable: true, description: 'Everything after the top 5, summed; null when there is nothing after them' })
  rest!: DigestAmountDto | null;
}

class DigestPreviousDto {
  @ApiProperty({ format: 'date-time' }) periodStart!: string;
  @ApiProperty({ format: 'date-time' }) periodEnd!: string;
  @ApiProperty() totalCostNanos!: string;
  @ApiProperty() totalCostUsd!: string;
  @ApiProperty() calls!: number;
}

class DigestBudgetDto {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ['day', 'week', 'month'] }) period!: string;
  @ApiProperty({ format: 'date-time' }) periodStart!: string;
  @ApiProperty({ format: 'date-time' }) periodEnd!: string;
  @ApiProperty() limitNanos!: string;
  @ApiProperty() limitUsd!: string;
  @ApiProperty() spentNanos!: string;
  @ApiProperty() spentUsd!: string;
  @ApiProperty({ enum: ['ok', 'warning', 'exceeded'] }) state!: string;
  @ApiProperty() projectedNanos!: string;
  @ApiProperty() projectedUsd!: string;
  @ApiProperty({ type: String, nullable: true, format: 'date-time', description: 'When the run rate reaches the limit before the period ends' })
  exhaustsAt!: string | null;
}

/** A digest as sent (the webhook body adds `type: "tokenledger.digest"` and `version: 1` before it). */
export class DigestDto {
  @ApiProperty({ example: 'dg_3709a275d927e8af.1795478400000', description: 'The subscription and the period start in ms' }) id!: string;
  @ApiProperty() tenant!: string;
  @ApiProperty() subscriptionId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: DIGEST_CADENCES }) cadence!: string;
  @ApiProperty() timezone!: string;
  @ApiProperty({ format: 'date-time' }) periodStart!: string;
  @ApiProperty({ format: 'date-time' }) periodEnd!: string;
  @ApiProperty() totalCostNanos!: string;
  @ApiProperty() totalCostUsd!: string;
  @ApiProperty() calls!: number;
  @ApiProperty() unpricedCalls!: number;
  @ApiProperty({ type: DigestPreviousDto }) previous!: DigestPreviousDto;
  @ApiProperty() changeNanos!: string;
  @ApiProperty({ type: Number, nullable: true, description: 'Percent (20 = +20 %); null when the period before spent nothing' }) changePercent!: number | null;
  @ApiProperty({ type: DigestRankingDto }) topModels!: DigestRankingDto;
  @ApiProperty({ type: DigestRankingDto }) topUsers!: DigestRankingDto;
  @ApiProperty({ type: DigestRankingDto }) topAgents!: DigestRankingDto;
  @ApiProperty({ type: [DigestBudgetDto] }) budgets!: DigestBudgetDto[];
  @ApiProperty({ format: 'date-time' }) generatedAt!: string;
}

class SentDigestDto {
  @ApiProperty() id!: string;
  @ApiProperty({ format: 'date-time' }) periodStart!: string;
  @ApiProperty({ format: 'date-time' }) periodEnd!: string;
  @ApiProperty({ format: 'date-time' }) claimedAt!: string;
  @ApiProperty({ type: String, nullable: true, format: 'date-time', description: 'Null while its deliveries run' }) sentAt!: string | null;
  @ApiProperty({ type: [DeliveryDto] }) deliveries!: DeliveryDto[];
  @ApiProperty({ type: DigestDto }) digest!: DigestDto;
}

export class SentDigestListDto {
  @ApiProperty({ type: [SentDigestDto], description: 'Newest period first' }) digests!: SentDigestDto[];
}
