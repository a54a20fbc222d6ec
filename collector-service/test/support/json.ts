import type { ReportsController } from '../../src/reports/reports.controller';

/**
 * Reading the service's JSON answers as declared types, so a test says what it expects to read: the
 * response DTO class where the service has one, the service method's own return type (`AnswerOf`), or
 * the test's own narrow type for what it checks.
 */

/** What JSON.stringify writes for a value of type T: bigints as the strings the service sends, dates as ISO strings. */
export type Json<T> = T extends bigint | Date ? string : T extends (infer U)[] ? Json<U>[] : T extends object ? { [K in keyof T]: Json<T[K]> } : T;

/** The JSON answer of a route whose controller returns what `method` resolves to. */
export type AnswerOf<F extends (...args: never[]) => unknown> = Json<Awaited<ReturnType<F>>>;

/** A response's JSON body, read as T. */
export async function json<T>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

/** The answer of a report route (GET /v1/reports/<route>). */
export type ReportAnswer<M extends 'summary' | 'breakdown' | 'tagKeys' | 'timeseries' | 'projection' | 'trends' | 'usage'> = AnswerOf<ReportsController[M]>;
