import { Injectable } from '@nestjs/common';
import type { DimensionFilters } from '../storage/storage.port';
import type { OverviewDto } from './report-answers.dto';
import type { ReportRange } from './report-query';
import { ReportsService } from './reports.service';
import { TrendsService } from './trends.service';

/** The breakdowns the overview draws: every type, provider and model (up to 1000), the top 10 users and agents. */
export const OVERVIEW_BREAKDOWNS = { type: 1000, provider: 1000, model: 1000, user: 10, agent: 10 } as const;

/**
 * The parts a client may ask for: `totals` (summary, the period before, projection), `timeseries` and
 * `breakdowns`. Asked for separately, the small first parts are answered while the breakdowns (the
 * costly part with many users) are still being summed.
 */
export const OVERVIEW_SECTIONS = ['totals', 'timeseries', 'breakdowns'] as const;
export type OverviewSection = (typeof OVERVIEW_SECTIONS)[number];

/**
 * Everything the dashboard's overview draws, in one answer: each part is the same report service call
 * its own endpoint makes, so every figure equals that endpoint's. One request instead of ten means one
 * round trip and no queue of requests behind the browser's six connections.
 */
@Injectable()
export class OverviewService {
  constructor(
    private readonly reports: ReportsService,
    private readonly trends: TrendsService,
  ) {}

  async overview(
    tenant: string,
    range: ReportRange,
    filters: DimensionFilters,
    interval: 'hour' | 'day',
    sections: readonly OverviewSection[] = OVERVIEW_SECTIONS,
  ): Promise<OverviewDto> {
    // The range of the same length just before, for the trend against the previous period.
    const previous: ReportRange = { fromMs: range.fromMs - (range.toMs - range.fromMs), toMs: range.fromMs, tz: range.tz };
    const answer: OverviewDto = {};
    const totals = async () => {
      [answer.summary, answer.previousSummary, answer.projection] = await Promise.all([
        this.reports.summary(tenant, range, filters),
        this.reports.summary(tenant, previous, filters),
        this.trends.projection(tenant, filters, range.tz),
      ]);
    };
    const timeseries = async () => {
      answer.timeseries = await this.reports.timeseries(tenant, range, filters, interval);
    };
    const breakdowns = async () => {
      const breakdown = (by: keyof typeof OVERVIEW_BREAKDOWNS) => this.reports.breakdown(tenant, range, filters, by, OVERVIEW_BREAKDOWNS[by]);
      const [type, provider, model, user, agent] = await Promise.all([
        breakdown('type'),
        breakdown('provider'),
        breakdown('model'),
        breakdown('user'),
        breakdown('agent'),
      ]);
      answer.breakdowns = { type, provider, model, user, agent };
    };
    const run = { totals, timeseries, breakdowns };
    await Promise.all(sections.map((section) => run[section]()));
    return answer;
  }
}
