import type { TraceExportResult } from './ingest.service';

/** OTLP's partial success for a trace export (the same on HTTP and gRPC), or undefined when every span was taken. */
export function partialSuccessOf(result: TraceExportResult): { rejectedSpans: number; errorMessage: string } | undefined {
  if (result.rejected.length === 0) return undefined;
  return { rejectedSpans: result.rejected.length, errorMessage: summarise(result.rejected.map((r) => `span ${r.traceId}/${r.spanId}: ${r.reason}`)) };
}

/** Up to five reasons, then a count: partial-success messages are read by people in exporter logs. */
function summarise(reasons: string[]): string {
  const shown = reasons.slice(0, 5).join('; ');
  return reasons.length > 5 ? `${shown}; and ${reasons.length - 5} more` : shown;
}
