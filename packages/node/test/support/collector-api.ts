import type { ModelsController } from '../../../../collector-service/dist/dashboard-api/models.controller';
import type { ReportsController } from '../../../../collector-service/dist/reports/reports.controller';
import type { BudgetDto } from '../../../../collector-service/dist/budgets/budget-answers.dto';

/** A call to the collector's API at `url`: a GET, or a POST of `body` as JSON; its answer read as T (null when empty). */
export async function collectorApi<T>(url: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(
    url + path,
    body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
  );
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

/** The answer of a report route (GET /v1/reports/<route>), as the built collector declares it. */
export type ReportAnswer<M extends 'summary' | 'breakdown' | 'usage'> = Awaited<ReturnType<ReportsController[M]>>;
/** One stored call as GET /v1/reports/usage lists it. */
export type StoredCall = ReportAnswer<'usage'>['records'][number];
/** GET /v1/ui/models. */
export type ModelsAnswer = Awaited<ReturnType<ModelsController['models']>>;
export type { BudgetDto };
