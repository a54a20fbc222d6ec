import { once } from 'node:events';
import type { Response } from 'express';
import type { DimensionFilters, StoragePort } from '../storage/storage.port';
import { csvHeader, csvRow, recordView } from './record-view';
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
