import { notice } from './notice';
import type { OtlpProtocol } from './export/transport';

/**
 * The standard OTEL_* variables the hook's SDK honours, read the way the OpenTelemetry Node SDK reads
 * them. What the hook does not support is said once on stderr with what to do, and the default used.
 */

export type ExporterChoice = { kind: 'otlp'; protocol: OtlpProtocol } | { kind: 'console' };

const list = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((v) => v.trim().toLowerCase())
    .filter(Boolean);

/** A positive number from the environment, else undefined (the SDK component's default). */
export function positiveNumber(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  const value = Number(raw);
  if (Number.isFinite(value) && value > 0) return value;
  notice(`${name}=${raw} is not a positive number; the default is used.`);
  return undefined;
}

const PROTOCOLS: readonly OtlpProtocol[] = ['http/protobuf', 'http/json', 'grpc'];

/** OTEL_EXPORTER_OTLP_[signal_]PROTOCOL: http/protobuf (default), http/json or grpc. */
function protocol(env: NodeJS.ProcessEnv, signal: 'TRACES' | 'METRICS'): OtlpProtocol {
  const name = env[`OTEL_EXPORTER_OTLP_${signal}_PROTOCOL`] ? `OTEL_EXPORTER_OTLP_${signal}_PROTOCOL` : 'OTEL_EXPORTER_OTLP_PROTOCOL';
  const value = (env[name] ?? '').trim().toLowerCase() || 'http/protobuf';
  if ((PROTOCOLS as readonly string[]).includes(value)) return value as OtlpProtocol;
  notice(`${name}=${value} is not an OTLP protocol; the hook sends http/protobuf. Use http/protobuf, http/json or grpc.`);
  return 'http/protobuf';
}

/** The exporters OTEL_TRACES_EXPORTER / OTEL_METRICS_EXPORTER name: otlp (default), console, none. */
export function exportersFor(env: NodeJS.ProcessEnv, signal: 'TRACES' | 'METRICS'): ExporterChoice[] {
  const variable = `OTEL_${signal}_EXPORTER`;
  const names = [...new Set(list(env[variable]))];
  if (names.includes('none')) return [];
  const chosen: ExporterChoice[] = [];
  for (const name of names.length ? names : ['otlp']) {
    if (name === 'otlp') chosen.push({ kind: 'otlp', protocol: protocol(env, signal) });
    else if (name === 'console') chosen.push({ kind: 'console' });
    else notice(`${variable}=${name} is not supported by the hook (otlp, console or none); it is ignored.`);
  }
  return chosen;
}

/** OTEL_PROPAGATORS: tracecontext and baggage (the default, both), or none. */
export function propagatorNames(env: NodeJS.ProcessEnv): ('tracecontext' | 'baggage')[] {
  const names = list(env.OTEL_PROPAGATORS);
  if (names.includes('none')) return [];
  const supported = (names.length ? names : ['tracecontext', 'baggage']).filter((name): name is 'tracecontext' | 'baggage' => {
    if (name === 'tracecontext' || name === 'baggage') return true;
    notice(`OTEL_PROPAGATORS=${name} is not supported by the hook (tracecontext, baggage or none); it is ignored.`);
    return false;
  });
  return [...new Set(supported)];
}
