import type { TraceExportResult } from './ingest.service';

/**
 * OTLP's partial success for a trace export (the same on HTTP and gRPC), or undefined when every span
 * was taken as sent. Spans stored with a value ignored are a warning: rejected 0 and a message, as
 * OTLP allows; rejections come first in the message.
 */
export function partialSuccessOf(result: TraceExportResult): { rejectedSpans: number; errorMessage: string } | undefined {
  if (result.rejected.length === 0 && result.warnings.length === 0) return undefined;
  const reasons = [...result.rejected, ...result.warnings].map((r) => `span ${r.traceId}/${r.spanId}: ${r.reason}`);
  return { rejectedSpans: result.rejected.length, errorMessage: summarise(reasons) };
}

/** Up to five reasons, then a count: partial-success messages are read by people in exporter logs. */
function summarise(reasons: string[]): string {
  const shown = reasons.slice(0, 5).join('; ');
  return reasons.length > 5 ? `${shown}; and ${reasons.length - 5} more` : shown;
}
