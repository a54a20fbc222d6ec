import { ApiProperty, getSchemaPath } from '@nestjs/swagger';
import { AlertDto } from '../alerts/alert.dto';

/**
 * The seed APIs' answers, in the seeds' shapes. An amount is USD as a number for display, with the
 * exact decimal string beside it under the same name + Usd.
 */

const USD = { description: 'USD as a decimal string, 9 places (exact)' };
const AMOUNT = { description: 'USD as a number, for display; the ...Usd string is exact' };

class SeedCostDto {
  @ApiProperty(AMOUNT) cost!: number;
  @ApiProperty(USD) costUsd!: string;
}

class SeedCountedCostDto extends SeedCostDto {
  @ApiProperty() count!: number;
}

class TypeCostDto extends SeedCountedCostDto {
  @ApiProperty({ type: String, nullable: true }) type!: string | null;
}

class ProviderCostDto extends SeedCountedCostDto {
  @ApiProperty({ type: String, nullable: true }) provider!: string | null;
}

class ModelCostDto extends SeedCountedCostDto {
  @ApiProperty({ type: String, nullable: true }) model!: string | null;
}

class AdminSummaryDto {
  @ApiProperty(AMOUNT) total!: number;
  @ApiProperty(USD) totalUsd!: string;
  @ApiProperty() callCount!: number;
  @ApiProperty({ type: [TypeCostDto] }) byType!: TypeCostDto[];
  @ApiProperty({ type: [ProviderCostDto] }) byProvider!: ProviderCostDto[];
  @ApiProperty({ type: [ModelCostDto] }) byModel!: ModelCostDto[];
}

export class SeedDayDto extends SeedCountedCostDto {
  @ApiProperty({ example: '2026-11-02' }) date!: string;
}

class TopUserDto extends SeedCountedCostDto {
  @ApiProperty() userId!: string;
}

class SeedProjectionDto {
  @ApiProperty(AMOUNT) currentMonthCost!: number;
  @ApiProperty(USD) currentMonthCostUsd!: string;
  @ApiProperty(AMOUNT) dailyAverage!: number;
  @ApiProperty(USD) dailyAverageUsd!: string;
  @ApiProperty(AMOUNT) projectedMonthEnd!: number;
  @ApiProperty(USD) projectedMonthEndUsd!: string;
  @ApiProperty() daysInMonth!: number;
  @ApiProperty() daysPassed!: number;
  @ApiProperty() daysRemaining!: number;
  @ApiProperty({ enum: ['increasing', 'decreasing', 'stable'] }) trend!: string;
  @ApiProperty({ type: Number, nullable: true }) trendPercentage!: number | null;
  @ApiProperty(AMOUNT) last7DaysAverage!: number;
  @ApiProperty(USD) last7DaysAverageUsd!: string;
}

/** GET /api/admin/costs: data is the view asked for. */
export class AdminCostsDto {
  @ApiProperty({ example: true }) success!: boolean;
  @ApiProperty({
    description: 'view=summary: the summary; daily: one entry per day; top-users: the users by cost; projection: the month projection',
    oneOf: [
      { $ref: getSchemaPath(AdminSummaryDto) },
      { type: 'array', items: { $ref: getSchemaPath(SeedDayDto) } },
      { type: 'array', items: { $ref: getSchemaPath(TopUserDto) } },
      { $ref: getSchemaPath(SeedProjectionDto) },
    ],
  })
  data!: AdminSummaryDto | SeedDayDto[] | TopUserDto[] | SeedProjectionDto;
}

class KeyCostDto extends SeedCostDto {
  @ApiProperty({ description: 'input + output tokens' }) tokens!: number;
  @ApiProperty() requests!: number;
}

class DayCostDto extends KeyCostDto {
  @ApiProperty({ example: '2026-11-02' }) date!: string;
}

/** The cost-tracking seed's CostSummary. */
export class CostSummaryDto {
  @ApiProperty(AMOUNT) totalCost!: number;
  @ApiProperty(USD) totalCostUsd!: string;
  @ApiProperty() totalTokens!: number;
  @ApiProperty() totalRequests!: number;
  @ApiProperty() successfulRequests!: number;
  @ApiProperty() failedRequests!: number;
  @ApiProperty({ description: 'Milliseconds' }) avgResponseTime!: number;
  @ApiProperty({ type: 'object', additionalProperties: { $ref: getSchemaPath(KeyCostDto) }, description: 'By model' })
  costByModel!: Record<string, KeyCostDto>;

  @ApiProperty({ type: 'object', additionalProperties: { $ref: getSchemaPath(KeyCostDto) }, description: 'By agent' })
  costByAgent!: Record<string, KeyCostDto>;

  @ApiProperty({ type: [DayCostDto] }) dailyBreakdown!: DayCostDto[];
}

export class CostSummaryAnswerDto {
  @ApiProperty({ example: true }) success!: boolean;
  @ApiProperty({ type: CostSummaryDto }) data!: CostSummaryDto;
}

class AgentCostSummaryDto extends CostSummaryDto {
  @ApiProperty() agentId!: string;
}

export class AgentCostSummaryAnswerDto {
  @ApiProperty({ example: true }) success!: boolean;
  @ApiProperty({ type: AgentCostSummaryDto }) data!: AgentCostSummaryDto;
}

class CostTrendsDto {
  @ApiProperty({ type: CostSummaryDto }) last7Days!: CostSummaryDto;
  @ApiProperty({ type: CostSummaryDto }) last30Days!: CostSummaryDto;
  @ApiProperty({ enum: ['up', 'down', 'stable'] }) trend!: string;
  @ApiProperty({ type: Number, nullable: true, description: 'Last 7 days against the 7 before, in percent' }) percentageChange!: number | null;
}

export class CostTrendsAnswerDto {
  @ApiProperty({ example: true }) success!: boolean;
  @ApiProperty({ type: CostTrendsDto }) data!: CostTrendsDto;
}

/** A call as the cost-tracking seed's aiUsage rows looked. */
class AiUsageRowDto extends SeedCostDto {
  @ApiProperty() id!: string;
  @ApiProperty({ type: String, nullable: true }) agentId!: string | null;
  @ApiProperty({ type: String, nullable: true }) userId!: string | null;
  @ApiProperty() model!: string;
  @ApiProperty() promptTokens!: number;
  @ApiProperty() completionTokens!: number;
  @ApiProperty() totalTokens!: number;
  @ApiProperty({ description: 'false: unpriced, cost 0' }) priced!: boolean;
  @ApiProperty() responseTimeMs!: number;
  @ApiProperty() success!: boolean;
  @ApiProperty({ type: String, nullable: true }) errorType!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class RecentCallsDto {
  @ApiProperty({ example: true }) success!: boolean;
  @ApiProperty({ type: [AiUsageRowDto] }) data!: AiUsageRowDto[];
}

/** A call as the cost-monitoring seed's ApiUsageLog rows looked (service: the model). */
class ApiUsageLogDto extends SeedCostDto {
  @ApiProperty() id!: string;
  @ApiProperty({ type: String, nullable: true }) userId!: string | null;
  @ApiProperty() service!: string;
  @ApiProperty() provider!: string;
  @ApiProperty() type!: string;
  @ApiProperty() inputTokens!: number;
  @ApiProperty() outputTokens!: number;
  @ApiProperty({ type: Number, nullable: true }) audioSeconds!: number | null;
  @ApiProperty({ type: Number, nullable: true }) characters!: number | null;
  @ApiProperty({ description: 'false: unpriced, cost 0' }) priced!: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class UsageLogsDto {
  @ApiProperty({ example: true }) success!: boolean;
  @ApiProperty({ type: [ApiUsageLogDto] }) logs!: ApiUsageLogDto[];
}

class MonitoringSummaryDto {
  @ApiProperty(AMOUNT) totalCost!: number;
  @ApiProperty(USD) totalCostUsd!: string;
  @ApiProperty() count!: number;
  @ApiProperty({ type: 'object', additionalProperties: { $ref: getSchemaPath(SeedCountedCostDto) }, description: 'By the model that served the calls' })
  byService!: Record<string, SeedCountedCostDto>;
}

export class MonitoringSummaryAnswerDto {
  @ApiProperty({ example: true }) success!: boolean;
  @ApiProperty({ type: MonitoringSummaryDto }) summary!: MonitoringSummaryDto;
}

class MonitoringPeriodsDto {
  @ApiProperty({ type: MonitoringSummaryDto }) today!: MonitoringSummaryDto;
  @ApiProperty({ type: MonitoringSummaryDto }) week!: MonitoringSummaryDto;
  @ApiProperty({ type: MonitoringSummaryDto }) month!: MonitoringSummaryDto;
}

export class MonitoringDashboardDto {
  @ApiProperty({ example: true }) success!: boolean;
  @ApiProperty({ type: MonitoringPeriodsDto }) summary!: MonitoringPeriodsDto;
  @ApiProperty({ type: [SeedDayDto], description: 'This month, one entry per day' }) dailyCosts!: SeedDayDto[];
  @ApiProperty({ type: [ApiUsageLogDto], description: 'The 10 most recent calls' }) recentLogs!: ApiUsageLogDto[];
}

export class SeedAlertsDto {
  @ApiProperty({ example: true }) success!: boolean;
  @ApiProperty({ type: [AlertDto] }) alerts!: AlertDto[];
}

class BudgetIdsDto {
  @ApiProperty({ type: String, nullable: true }) daily!: string | null;
  @ApiProperty({ type: String, nullable: true }) monthly!: string | null;
}

/** A user's seed limits (kept as the user's day and month budgets) and what they spent. */
class SeedBudgetStatusDto {
  @ApiProperty() userId!: string;
  @ApiProperty({ type: Number, nullable: true, ...AMOUNT }) dailyLimit!: number | null;
  @ApiProperty({ type: String, nullable: true, ...USD }) dailyLimitUsd!: string | null;
  @ApiProperty({ type: Number, nullable: true, ...AMOUNT }) monthlyLimit!: number | null;
  @ApiProperty({ type: String, nullable: true, ...USD }) monthlyLimitUsd!: string | null;
  @ApiProperty(AMOUNT) dailySpent!: number;
  @ApiProperty(USD) dailySpentUsd!: string;
  @ApiProperty(AMOUNT) monthlySpent!: number;
  @ApiProperty(USD) monthlySpentUsd!: string;
  @ApiProperty({ type: Number, nullable: true, description: 'The warning threshold, a fraction of the limit' }) alertThreshold!: number | null;
  @ApiProperty() alertsEnabled!: boolean;
  @ApiProperty() pauseOnExceed!: boolean;
  @ApiProperty({ type: BudgetIdsDto }) budgetIds!: BudgetIdsDto;
}

export class SeedBudgetAnswerDto {
  @ApiProperty({ example: true }) success!: boolean;
  @ApiProperty({ type: SeedBudgetStatusDto }) budget!: SeedBudgetStatusDto;
}

/** The classes the answers above name by reference only, for the document to define them (@ApiExtraModels). */
export const SEED_REFERENCED_MODELS = [AdminSummaryDto, SeedDayDto, TopUserDto, SeedProjectionDto, KeyCostDto, SeedCountedCostDto];
