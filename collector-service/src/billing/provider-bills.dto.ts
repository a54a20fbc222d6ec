import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { OneOf, Optional, SingleValue } from '../http/input-rules';
import { REPORT_PERIODS } from '../reports/report-query';
import { BILLED_PROVIDERS } from './billed-day';

/** The bills' queries and answers. Days are UTC days, as providers bill them; money is exact strings. */

const NANOS = { description: 'Integer nano-USD as a string', example: '1250000000' };
const USD = { description: 'USD as a decimal string, 9 places', example: '1.250000000' };
const NULLABLE_NANOS = { ...NANOS, type: String, nullable: true, description: 'Integer nano-USD as a string; null until the bill is imported' };
const NULLABLE_USD = { ...USD, type: String, nullable: true, description: 'USD as a decimal string; null until the bill is imported' };
const NULLABLE_COUNT = { type: Number, nullable: true, description: 'null until the bill is imported' };

/** Whole UTC days: from/to, or a calendar period (default this UTC month), and a provider. */
export class BilledDaysQueryDto {
  @ApiPropertyOptional({ description: 'First UTC day (YYYY-MM-DD; default the first of this UTC month)', example: '2026-11-01' })
  @Optional()
  @SingleValue(40)
  from?: string;

  @ApiPropertyOptional({ description: 'UTC day after the last (exclusive; default tomorrow)', example: '2026-12-01' })
  @Optional()
  @SingleValue(40)
  to?: string;

  @ApiPropertyOptional({ enum: REPORT_PERIODS, description: 'A calendar period in UTC up to now, in place of from/to' })
  @Optional()
  @OneOf(REPORT_PERIODS)
  period?: string;

  @ApiPropertyOptional({ enum: BILLED_PROVIDERS, description: 'Only this provider (default every one)' })
  @Optional()
  @OneOf(BILLED_PROVIDERS)
  provider?: (typeof BILLED_PROVIDERS)[number];
}

/** The days to import: from/to (default the previous and the current UTC month), and a provider. */
export class SyncQueryDto extends OmitType(BilledDaysQueryDto, ['period'] as const) {}

class BilledLineDto {
  @ApiProperty({ description: "The bill's line item" }) item!: string;
  @ApiProperty({ type: String, nullable: true }) model!: string | null;
  @ApiProperty(NANOS) costNanos!: string;
  @ApiProperty(USD) costUsd!: string;
}

/** What the provider's usage API reports for one model on the day; input tokens include cache reads and writes. */
class BilledUsageDto {
  @ApiProperty() model!: string;
  @ApiProperty() inputTokens!: number;
  @ApiProperty() outputTokens!: number;
  @ApiProperty() cacheReadTokens!: number;
  @ApiProperty() cacheWriteTokens!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'When the provider reports them' }) requests!: number | null;
  @ApiProperty() images!: number;
  @ApiProperty() audioSeconds!: number;
  @ApiProperty() characters!: number;
}

class BilledDayDto {
  @ApiProperty({ example: '2026-11-02' }) date!: string;
  @ApiProperty({ enum: BILLED_PROVIDERS }) provider!: string;
  @ApiProperty(NANOS) costNanos!: string;
  @ApiProperty(USD) costUsd!: string;
  @ApiProperty({ type: [BilledLineDto] }) lines!: BilledLineDto[];
  @ApiProperty({ type: [BilledUsageDto] }) usage!: BilledUsageDto[];
  @ApiProperty({ format: 'date-time', description: 'When it was imported' }) pulledAt!: string;
}

export class BilledDayListDto {
  @ApiProperty({ type: [BilledDayDto] }) days!: BilledDayDto[];
}

class SyncOutcomeDto {
  @ApiProperty({ enum: BILLED_PROVIDERS }) provider!: string;
  @ApiProperty() ok!: boolean;
  @ApiProperty({ description: 'Days stored, each replacing what was stored for it' }) days!: number;
  @ApiProperty({ example: '2026-11-01' }) from!: string;
  @ApiProperty({ example: '2026-12-01' }) to!: string;
  @ApiProperty({ type: String, nullable: true, description: 'Why the import failed, and what to do' }) error!: string | null;
}

export class SyncResultsDto {
  @ApiProperty({ type: [SyncOutcomeDto] }) results!: SyncOutcomeDto[];
}

/** An admin key bills are imported with; never the key itself. */
export class AdminKeyDto {
  @ApiProperty() tenant!: string;
  @ApiProperty({ enum: BILLED_PROVIDERS }) provider!: string;
  @ApiProperty({ enum: ['api', 'environment'], description: 'api: set with PUT; environment: TOKENLEDGER_<PROVIDER>_ADMIN_KEY (tenant default)' })
  source!: string;

  @ApiProperty() baseUrl!: string;
}

class SyncStateDto {
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) lastAttemptAt!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) lastSuccessAt!: string | null;
  @ApiProperty({ type: String, nullable: true }) lastError!: string | null;
  @ApiProperty({ description: 'Failed imports in a row' }) failures!: number;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) nextAttemptAt!: string | null;
}

class AdminKeyStateDto extends AdminKeyDto {
  @ApiProperty({ type: SyncStateDto, nullable: true, description: 'null until the first import since the service started' }) sync!: SyncStateDto | null;
}

export class AdminKeyListDto {
  @ApiProperty({ type: [AdminKeyStateDto] }) keys!: AdminKeyStateDto[];
}

/** What was tracked of a model on a day against what its provider billed. */
class ReconciledModelDto {
  @ApiProperty() model!: string;
  @ApiProperty({ description: 'tokenledger recorded calls of it' }) tracked!: boolean;
  @ApiProperty({ description: 'The bill names it' }) billed!: boolean;
  @ApiProperty() trackedCalls!: number;
  @ApiProperty(NANOS) trackedCostNanos!: string;
  @ApiProperty(USD) trackedCostUsd!: string;
  @ApiProperty(NULLABLE_NANOS) billedCostNanos!: string | null;
  @ApiProperty(NULLABLE_USD) billedCostUsd!: string | null;
  @ApiProperty() trackedInputTokens!: number;
  @ApiProperty(NULLABLE_COUNT) billedInputTokens!: number | null;
  @ApiProperty() trackedOutputTokens!: number;
  @ApiProperty(NULLABLE_COUNT) billedOutputTokens!: number | null;
}

class ReconciledDayDto {
  @ApiProperty({ example: '2026-11-02' }) date!: string;
  @ApiProperty({ enum: BILLED_PROVIDERS }) provider!: string;
  @ApiProperty({ description: "Whether the provider's bill for the day was imported" }) billImported!: boolean;
  @ApiProperty() trackedCalls!: number;
  @ApiProperty(NANOS) trackedCostNanos!: string;
  @ApiProperty(USD) trackedCostUsd!: string;
  @ApiProperty(NULLABLE_NANOS) billedCostNanos!: string | null;
  @ApiProperty(NULLABLE_USD) billedCostUsd!: string | null;
  @ApiProperty({ ...NULLABLE_NANOS, description: 'billed − tracked; null until the bill is imported' }) differenceNanos!: string | null;
  @ApiProperty(NULLABLE_USD) differenceUsd!: string | null;
  @ApiProperty({ type: Number, nullable: true, description: 'billed − tracked in percent of tracked; null when nothing was tracked or billed' })
  differencePercent!: number | null;

  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) billPulledAt!: string | null;
  @ApiProperty({ type: [ReconciledModelDto] }) models!: ReconciledModelDto[];
}

class ReconciledTotalDto {
  @ApiProperty({ enum: BILLED_PROVIDERS }) provider!: string;
  @ApiProperty({ description: 'Days whose bill was imported; the sums are over those' }) billedDays!: number;
  @ApiProperty(NANOS) trackedCostNanos!: string;
  @ApiProperty(USD) trackedCostUsd!: string;
  @ApiProperty(NANOS) billedCostNanos!: string;
  @ApiProperty(USD) billedCostUsd!: string;
  @ApiProperty(NANOS) differenceNanos!: string;
  @ApiProperty(USD) differenceUsd!: string;
  @ApiProperty({ type: Number, nullable: true }) differencePercent!: number | null;
}

class UntrackedDayDto {
  @ApiProperty({ example: '2026-11-02' }) date!: string;
  @ApiProperty({ enum: BILLED_PROVIDERS }) provider!: string;
  @ApiProperty(NANOS) billedCostNanos!: string;
  @ApiProperty(USD) billedCostUsd!: string;
}

class UntrackedModelDto extends ReconciledModelDto {
  @ApiProperty({ example: '2026-11-02' }) date!: string;
  @ApiProperty({ enum: BILLED_PROVIDERS }) provider!: string;
}

/** Billed but never tracked: days with a bill and no call, models on a bill no call was of. */
class UntrackedDto {
  @ApiProperty({ type: [UntrackedDayDto] }) days!: UntrackedDayDto[];
  @ApiProperty({ type: [UntrackedModelDto] }) models!: UntrackedModelDto[];
}

export class ReconciliationDto {
  @ApiProperty({ format: 'date-time' }) from!: string;
  @ApiProperty({ format: 'date-time', description: 'Exclusive' }) to!: string;
  @ApiProperty({ example: 'UTC' }) tz!: string;
  @ApiProperty({ type: [ReconciledDayDto] }) days!: ReconciledDayDto[];
  @ApiProperty({ type: [ReconciledTotalDto] }) totals!: ReconciledTotalDto[];
  @ApiProperty({ type: UntrackedDto }) untracked!: UntrackedDto;
}
