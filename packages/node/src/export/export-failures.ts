import { notice } from '../notice';
import type { SendFailure } from './retries';
import type { OtlpProtocol, Signal } from './transport';

/** A send that failed, or one that was never tried because too many were already waiting. */
export type ExportFailure = SendFailure | { kind: 'backlog'; limit: number };

const reported = new Set<string>();

function what(failure: ExportFailure): string {
  switch (failure.kind) {
    case 'unreachable':
      return `nothing accepts connections there (${failure.detail})`;
    case 'timeout':
      return `no answer within ${failure.timeoutMs} ms`;
    case 'unauthorized':
      return `the collector refused the credentials (${failure.status})`;
    case 'server-error':
      return `the collector answered ${failure.status}${failure.attempts > 1 ? ` to ${failure.attempts} attempts` : ''}`;
    case 'rejected':
      return `the collector rejected the request (${failure.status}${failure.detail ? `: ${failure.detail}` : ''})`;
    case 'backlog':
      return `${failure.limit} exports are already waiting for it`;
    case 'error':
      return failure.detail;
  }
}

function whatToDo(failure: ExportFailure, protocol: OtlpProtocol): string {
  switch (failure.kind) {
    case 'unreachable':
      return 'Start the collector, or set OTEL_EXPORTER_OTLP_ENDPOINT to the address it listens on.';
    case 'timeout':
    case 'backlog':
      return 'The collector is hanging or overloaded: check its health (GET /readyz) and its log. OTEL_EXPORTER_OTLP_TIMEOUT sets how long an export may take.';
    case 'unauthorized':
      return 'Set OTEL_EXPORTER_OTLP_HEADERS=authorization=Bearer <key> with an ingest key (`tokenledger keys create --role ingest`).';
    case 'server-error':
      return "Check the collector's health (GET /readyz) and its log: its store may be down.";
    case 'rejected':
      return protocol === 'grpc'
        ? 'Check that OTEL_EXPORTER_OTLP_ENDPOINT is the address of an OTLP/gRPC receiver (the collector service listens on TOKENLEDGER_GRPC_PORT, 4317 by default), or set OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf for an OTLP/HTTP one.'
        : 'Check that OTEL_EXPORTER_OTLP_ENDPOINT is the base URL of an OTLP/HTTP receiver (the hook adds /v1/traces and /v1/metrics), or set OTEL_EXPORTER_OTLP_PROTOCOL=grpc for an OTLP/gRPC one (such as port 4317).';
    case 'error':
      return 'Check OTEL_EXPORTER_OTLP_ENDPOINT and the OTEL_EXPORTER_OTLP_* settings.';
  }
}

/**
 * Tells the person running the app, once per signal, endpoint and cause, that telemetry is being lost
 * and what to do about it; every later failure of the same kind stays quiet. The app itself is never
 * affected.
 */
export function reportExportFailure(signal: Signal, protocol: OtlpProtocol, endpoint: string, failure: ExportFailure): void {
  const key = `${signal} ${endpoint} ${failure.kind}`;
  if (reported.has(key)) return;
  reported.add(key);
  notice(
    `could not send ${signal} to ${endpoint}: ${what(failure)}. ${whatToDo(failure, protocol)} The app is not affected; these ${signal} are dropped, and further failures of this kind are not reported.`,
  );
}
