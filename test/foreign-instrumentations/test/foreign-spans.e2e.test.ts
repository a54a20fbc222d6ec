import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type MockLlmServer, startMockLlmServer } from '@tokenledger/mock-llm-server';
import { PriceBook } from '@tokenledger/pricing';

/**
 * Other projects' GenAI instrumentations, installed from npm and run for real: each patches the real
 * SDK in its own process, calls the loopback mock LLM server, and exports OTLP/protobuf to the real
 * collector. The collector must recognise each one's attributes and price exactly what the mock
 * server billed (its usage is a documented function of the request).
 */
jest.setTimeout(120_000);

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..', '..');
const APP = join(__dirname, '..', 'apps', 'instrumented-app.cjs');
const prices = PriceBook.load();

interface Collector {
  url: string;
  process: ChildProcess;
  dir: string;
}

/** The built collector service, started the way `./run start` does, on an ephemeral port. */
async function startCollector(): Promise<Collector> {
  const dir = mkdtempSync(join(tmpdir(), 'tokenledger-foreign-'));
  const child = spawn(process.execPath, [join(ROOT, 'collector-service', 'dist', 'main.js')], {
    env: {
      ...process.env,
      TOKENLEDGER_PORT: '0',
      TOKENLEDGER_GRPC_PORT: '0',
      TOKENLEDGER_HOST: '127.0.0.1',
      TOKENLEDGER_SQLITE_PATH: join(dir, 'store.sqlite'),
      TOKENLEDGER_ADMIN_KEY: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const seen = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (m) resolve(m[1]);
    };
    child.stdout.on('data', seen);
    child.stderr.on('data', seen);
    child.on('exit', (code) => reject(new Error(`collector exited with ${code}: ${output}`)));
  });
  return { url, process: child, dir };
}

interface RecordView {
  source: string;
  provider: string;
  model: string;
  operation: string;
  costType: string;
  tokens: { input: number; output: number };
  costNanos: string | null;
  unpricedReason: string | null;
  service: string;
}

/** What the mock server bills for the app's calls (see test/mock-llm-server/src/routes/openai.ts). */
const PROMPT = 'What does this cost?';
const chatInput = 10 * 1 + Math.floor(PROMPT.length / 4);
const chatOutput = (model: string) => `Hello from ${model}!`.split(' ').length;
const embeddingInput = Math.floor('four score and seven years ago'.length / 4);

function expectedCost(provider: string, model: string, operation: string, input: number, output: number): string {
  const result = prices.price({ provider, model, operation, inputTokens: input, outputTokens: output });
  if (result.status !== 'priced') throw new Error(`the price book cannot price ${provider}/${model}`);
  return result.costNanos.toString();
}

describe('spans from other GenAI instrumentations, priced by the collector', () => {
  let collector: Collector;
  let mock: MockLlmServer;
  beforeAll(async () => {
    [collector, mock] = await Promise.all([startCollector(), startMockLlmServer()]);
  });
  afterAll(async () => {
    collector?.process.kill('SIGTERM');
    await mock?.close();
    if (collector) rmSync(collector.dir, { recursive: true, force: true });
  });

  async function recordsOf(which: string): Promise<RecordView[]> {
    const { stdout } = await run(process.execPath, [APP, which, `${collector.url}/v1/traces`, mock.url], { cwd: ROOT });
    expect(stdout).toContain('exported');
    const res = await fetch(`${collector.url}/v1/reports/usage?period=all&service=app-${which}&limit=100`);
    const body = (await res.json()) as { records: RecordView[] };
    return body.records;
  }

  // What each call was billed, as the mock server answers it (the response model is the dated snapshot).
  const chatMini = { model: 'gpt-4o-mini-2024-07-18', operation: 'chat', input: chatInput, output: chatOutput('gpt-4o-mini') };
  const chatStream = { model: 'gpt-4o-2024-08-06', operation: 'chat', input: chatInput, output: chatOutput('gpt-4o') };
  const embedding = { model: 'text-embedding-3-small', operation: 'embeddings', input: embeddingInput, output: 0 };
  type Call = typeof chatMini;
  /** A call whose span carried no usage: stored unpriced ("missing_usage"), never as $0. */
  const withoutUsage = (c: Call, model = c.model) => ({ ...c, model, input: 0, output: 0, missingUsage: true });

  function expectRecords(records: RecordView[], source: string, calls: (Call & { missingUsage?: boolean })[]) {
    const seen = records.map((r) => ({
      source: r.source,
      provider: r.provider,
      model: r.model,
      input: r.tokens.input,
      output: r.tokens.output,
      costNanos: r.costNanos,
      unpricedReason: r.unpricedReason,
    }));
    const expected = calls.map((c) => ({
      source,
      provider: 'openai',
      model: c.model,
      input: c.input,
      output: c.output,
      costNanos: c.missingUsage ? null : expectedCost('openai', c.model, c.operation, c.input, c.output),
      unpricedReason: c.missingUsage ? 'missing_usage' : null,
    }));
    const order = (xs: { model: string; input: number }[]) => [...xs].sort((a, b) => a.model.localeCompare(b.model) || a.input - b.input);
    expect(order(seen)).toEqual(order(expected));
  }

  it('the official @opentelemetry/instrumentation-openai (gen_ai.system and the current token names)', async () => {
    expectRecords(await recordsOf('official'), 'genai-semconv', [chatMini, chatStream, embedding]);
  });

  it('OpenLLMetry: priced where it reports usage; its streams carry none; it does not trace embeddings', async () => {
    expectRecords(await recordsOf('openllmetry'), 'openllmetry', [chatMini, withoutUsage(chatStream)]);
  });

  it('OpenInference: llm.token_count.* priced; its streams and embeddings carry no counts', async () => {
    expectRecords(await recordsOf('openinference'), 'openinference', [chatMini, withoutUsage(chatStream, 'gpt-4o'), withoutUsage(embedding)]);
  });

  it('the Vercel AI SDK 7 OpenTelemetry integration: the calls count, not invoke_agent or wrapper spans', async () => {
    expectRecords(await recordsOf('vercel-ai'), 'genai-semconv', [{ ...chatMini }, embedding]);
  });

  it('the Vercel AI SDK legacy ai.* spans: only the provider calls (doGenerate, doEmbed) count', async () => {
    expectRecords(await recordsOf('vercel-ai-legacy'), 'vercel-ai', [chatMini, embedding]);
  });
});
