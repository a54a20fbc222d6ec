import { once } from 'node:events';
import type { Response } from 'express';
import type { DimensionFilters, StoragePort } from '../storage/storage.port';
import { type CsvCell, csvField, csvHeader, csvRow, recordView } from './record-view';
import type { ReportsService } from './reports.service';
import type { ReportRange } from './report-query';

export interface ExportRequest {
  tenant: string;
  range: ReportRange;
  filters: DimensionFilters;
  format: 'csv' | 'jsonl';
}

/**
 * Streams every matching record to the response as it is read: any size in constant memory, and
 * it respects back-pressure (waits for `drain`) and stops when the client goes away.
 */
export async function streamExport(storage: StoragePort, jaegerUrl: string | null, req: ExportRequest, res: Response): Promise<void> {
  res.status(200);
  res.setHeader('Content-Type', req.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson');
  res.setHeader('Content-Disposition', `attachment; filename="tokenledger-usage-${req.tenant}.${req.format}"`);
  const write = async (chunk: string) => {
    if (!res.write(chunk)) await once(res, 'drain');
  };
  if (req.format === 'csv') await write(csvHeader());
  for await (const r of storage.streamRecords({ tenant: req.tenant, fromMs: req.range.fromMs, toMs: req.range.toMs, filters: req.filters })) {
    if (res.destroyed) return;
    const view = recordView(r, jaegerUrl);
    await write(req.format === 'csv' ? csvRow(view) : `${JSON.stringify(view)}\n`);
  }
  res.end();
}

type Breakdown = Awaited<ReturnType<ReportsService['breakdown']>>;
type BreakdownItem = Breakdown['items'][number];

/** A breakdown's CSV columns; `row` says what the row is: a value, the calls without one (none), or the rest summed (other). */
const BREAKDOWN_COLUMNS: [header: string, value: (i: BreakdownItem, row: 'value' | 'none' | 'other') => CsvCell][] = [
  ['row', (_, row) => row],
  ['key', (i, row) => (row === 'value' ? i.key : '')],
  ['cost_nanos', (i) => i.costNanos],
  ['cost_usd', (i) => i.costUsd],
  ['share_percent', (i) => i.sharePercent],
  ['calls', (i) => i.calls],
  ['failed_calls', (i) => i.failedCalls],
  ['unpriced_calls', (i) => i.unpricedCalls],
  ['input_tokens', (i) => i.tokens.input],
  ['output_tokens', (i) => i.tokens.output],
  ['cache_read_tokens', (i) => i.tokens.cacheRead],
  ['cache_write_tokens', (i) => i.tokens.cacheWrite],
  ['reasoning_tokens', (i) => i.tokens.reasoning],
];

/** A breakdown as CSV, its rows in the answer's order and other last; cells neutralised as the record export's are (keys come from spans). */
export function sendBreakdownCsv(breakdown: Breakdown, tenant: string, res: Response): void {
  const line = (cells: CsvCell[]) => `${cells.map(csvField).join(',')}\r\n`;
  const rows = breakdown.items.map((i) => line(BREAKDOWN_COLUMNS.map(([, get]) => get(i, i.key === null ? 'none' : 'value'))));
  if (breakdown.other) rows.push(line(BREAKDOWN_COLUMNS.map(([, get]) => get(breakdown.other!, 'other'))));
  res.status(200);
  res.setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="tokenledger-breakdown-${tenant}.csv"`);
  res.end(line(BREAKDOWN_COLUMNS.map(([header]) => header)) + rows.join(''));
}
