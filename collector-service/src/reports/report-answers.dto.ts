import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { INTERVALS } from './report-query.dto';

/** What the reports answer. Money is exact: ...Nanos an integer string of nano-USD, ...Usd a decimal string of 9 places. */

const NANOS = { description: 'Integer nano-USD as a string', example: '1250000000' };
const USD = { description: 'USD as a decimal string, 9 places', example: '1.250000000' };
const TRENDS = ['increasing', 'decreasing', 'stable'];

/** Token counts: input includes cacheRead and cacheWrite; output includes reasoning. */
export class TokensDto {
  @ApiProperty() input!: number;
  @ApiProperty() output!: number;
  @ApiProperty() cacheRead!: number;
  @ApiProperty() cacheWrite!: number;
  @ApiProperty() reasoning!: number;
}

export class MoneyDto {
  @ApiProperty(NANOS) costNanos!: string;
  @ApiProperty(USD) costUsd!: string;
}

/** The range a report covers, on 15-minute boundaries. */
class RangeDto {
  @ApiProperty({ format: 'date-time', description: 'Start of the range' }) from!: string;
  @ApiProperty({ format: 'date-time', description: 'End of the range, exclusive' }) to!: string;
  @ApiProperty({ example: 'UTC' }) tz!: string;
}

export class SummaryDto extends RangeDto {
  @ApiProperty(NANOS) totalCostNanos!: string;
  @ApiProperty(USD) totalCostUsd!: string;
  @ApiProperty() calls!: number;
  @ApiProperty() successfulCalls!: number;
  @ApiProperty() failedCalls!: number;
  @ApiProperty({ description: 'Calls without a price (unknown model, missing dimension); their cost is not in the total' }) unpricedCalls!: number;
  @ApiProperty({ type: TokensDto }) tokens!: TokensDto;
  @ApiProperty({ description: 'Mean call duration, 3 decimals' }) averageLatencyMs!: number;
}

export class BreakdownItemDto extends MoneyDto {
  @ApiProperty({ type: String, nullable: true, description: 'The value grouped by; null: the calls without one; "other" in other' }) key!: string | null;
  @ApiProperty() calls!: number;
  @ApiProperty() failedCalls!: number;
  @ApiProperty() unpricedCalls!: number;
  @ApiProperty({ type: TokensDto }) tokens!: TokensDto;
  @ApiProperty({ description: 'Share of the total cost in percent, for display (4 decimals)' }) sharePercent!: number;
}

export class BreakdownDto extends RangeDto {
  @ApiProperty({ example: 'model' }) by!: string;
  @ApiProperty(NANOS) totalCostNanos!: string;
  @ApiProperty(USD) totalCostUsd!: string;
  @ApiProperty({ type: [BreakdownItemDto], description: 'The top values by cost' }) items!: BreakdownItemDto[];
  @ApiProperty({ type: BreakdownItemDto, nullable: true, description: 'Every value past the top ones, summed; null when there are none' })
  other!: BreakdownItemDto | null;
}

export class TimeseriesPointDto extends MoneyDto {
  @ApiProperty({ format: 'date-time', description: 'Start of the step' }) start!: string;
  @ApiPropertyOptional({ description: 'interval=day: the local date', example: '2026-11-02' }) date?: string;
  @ApiPropertyOptional({ description: 'interval=hour: the local start of the hour with its offset', example: '2026-11-02T11:00:00+01:00' }) hour?: string;
  @ApiProperty() calls!: number;
  @ApiProperty() failedCalls!: number;
  @ApiProperty({ type: TokensDto }) tokens!: TokensDto;
}

export class TimeseriesDto extends RangeDto {
  @ApiProperty({ enum: INTERVALS }) interval!: (typeof INTERVALS)[number];
  @ApiProperty({ type: [TimeseriesPointDto], description: 'Every step of the range, zero-filled' }) points!: TimeseriesPointDto[];
}

export class ProjectionDto {
  @ApiProperty({ example: 'UTC' }) tz!: string;
  @ApiProperty({ format: 'date-time' }) monthStart!: string;
  @ApiProperty({ type: MoneyDto }) monthToDate!: MoneyDto;
  @ApiProperty({ type: MoneyDto }) dailyAverageSoFar!: MoneyDto;
  @ApiProperty({ type: MoneyDto }) last7DaysDailyAverage!: MoneyDto;
  @ApiProperty({ type: MoneyDto, description: 'Month to date + the last 7 days daily average × the days remaining' }) projectedMonthEnd!: MoneyDto;
  @ApiProperty({ enum: TRENDS }) trend!: string;
  @ApiProperty({ type: Number, nullable: true, description: 'Last 7 days against the 7 before, in percent; null when there was nothing before' })
  trendPercent!: number | null;

  @ApiProperty() daysInMonth!: number;
  @ApiProperty() daysPassed!: number;
  @ApiProperty() daysRemaining!: number;
}

class WindowDto extends MoneyDto {
  @ApiProperty() calls!: number;
}

class AveragedWindowDto extends WindowDto {
  @ApiProperty({ type: MoneyDto }) dailyAverage!: MoneyDto;
}

export class TrendsDto {
  @ApiProperty({ example: 'UTC' }) tz!: string;
  @ApiProperty({ type: AveragedWindowDto }) last7Days!: AveragedWindowDto;
  @ApiProperty({ type: WindowDto }) previous7Days!: WindowDto;
  @ApiProperty({ type: AveragedWindowDto }) last30Days!: AveragedWindowDto;
  @ApiProperty({ type: Number, nullable: true, description: 'Last 7 days against the 7 before, in percent; null when there was nothing before' })
  percentChange!: number | null;

  @ApiProperty({ enum: TRENDS }) trend!: string;
}

/** The overview's breakdowns: every type, provider and model, the top 10 users and agents. */
class OverviewBreakdownsDto {
  @ApiProperty({ type: BreakdownDto }) type!: BreakdownDto;
  @ApiProperty({ type: BreakdownDto }) provider!: BreakdownDto;
  @ApiProperty({ type: BreakdownDto }) model!: BreakdownDto;
  @ApiProperty({ type: BreakdownDto }) user!: BreakdownDto;
  @ApiProperty({ type: BreakdownDto }) agent!: BreakdownDto;
}

/** The parts asked for in sections, each as its own endpoint answers it. */
export class OverviewDto {
  @ApiPropertyOptional({ type: SummaryDto, description: 'sections totals' }) summary?: SummaryDto;
  @ApiPropertyOptional({ type: SummaryDto, description: 'sections totals: the range of the same length just before' }) previousSummary?: SummaryDto;
  @ApiPropertyOptional({ type: ProjectionDto, description: 'sections totals' }) projection?: ProjectionDto;
  @ApiPropertyOptional({ type: TimeseriesDto, description: 'sections timeseries' }) timeseries?: TimeseriesDto;
  @ApiPropertyOptional({ type: OverviewBreakdownsDto, description: 'sections breakdowns' }) breakdowns?: OverviewBreakdownsDto;
}
