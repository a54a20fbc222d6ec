import { startMockLlmServer } from '@tokenledger/mock-llm-server';
import { type CollectorProcess, startCollectorProcess } from './collector';
import type { ReportAnswer, StoredCall } from './collector-api';
import { runApp } from './run-app';

export interface PricedAppRun {
  collector: CollectorProcess;
  /** What the app printed: one JSON document. */
  output: Record<string, unknown>;
  /** Every record the collector stored from the run. */
  records: StoredCall[];
  /** Stops the collector and the mock LLM server. */
  stop: () => Promise<void>;
}

/**
 * Runs one fixture app under a hook (REQUIRE_HOOK, IMPORT_HOOK) against the mock LLM server,
 * exporting OTLP/protobuf traces to a real collector, and reads what the collector stored.
 */
export async function runAppPricedByCollector(hook: string[], app: string): Promise<PricedAppRun> {
  const llm = await startMockLlmServer();
  const collector = await startCollectorProcess().catch(async (e: unknown) => {
    await llm.close();
    throw e;
  });
  const stop = async () => {
    await collector.stop();
    await llm.close();
  };
  try {
    const run = await runApp(hook, app, {
      MOCK_LLM_URL: llm.url,
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_METRICS_EXPORTER: 'none',
    });
    if (run.code !== 0) throw new Error(`the app failed: ${run.stderr}`);
    const { records } = (await collector.api<ReportAnswer<'usage'>>('/v1/reports/usage?period=all&limit=100')).body;
    return { collector, output: JSON.parse(run.stdout) as Record<string, unknown>, records, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
