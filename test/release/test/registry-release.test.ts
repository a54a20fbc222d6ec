import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type MockLlmServer, startMockLlmServer } from '@tokenledger/mock-llm-server';

// Installs from the registry (warm: npm's cache; cold: a first CI run downloads everything).
jest.setTimeout(15 * 60_000);

const ROOT = join(__dirname, '..', '..', '..');
const APPS = join(__dirname, '..', 'apps');
const REGISTRY = process.env.TOKENLEDGER_TEST_REGISTRY ?? '';
// An npm cache of its own outside the repository, warm from one run to the next.
const NPM_CACHE = join(process.env.TOKENLEDGER_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'tokenledger'), 'npm-release-test');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** What a shell on this machine has, without npm's, OpenTelemetry's or tokenledger's settings. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_|NPM_CONFIG_|OTEL_|TOKENLEDGER_|NODE_OPTIONS$)/i.test(k)));
}

/**
 * A directory outside the repository where only the test registry is configured, and only for the
 * @tokenledger scope: every other package comes from the default registry.
 */
function freshApp(name: string): { dir: string; env: NodeJS.ProcessEnv } {
  const dir = mkdtempSync(join(tmpdir(), `tokenledger-${name}-`));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true }));
  writeFileSync(join(dir, '.npmrc'), `@tokenledger:registry=${REGISTRY}\n`);
  writeFileSync(join(dir, 'user.npmrc'), '');
  const env = {
    ...cleanEnv(),
    NPM_CONFIG_USERCONFIG: join(dir, 'user.npmrc'),
    npm_config_cache: NPM_CACHE,
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
  };
  return { dir, env };
}

const npmInstall = (app: { dir: string; env: NodeJS.ProcessEnv }, packages: string[]) => run('npm', ['install', ...packages], app.dir, app.env);
const failed = (what: string, r: Run) => `${what} exited ${r.code}\n${r.stdout}\n${r.stderr}`;

// Catalog list prices of the three models, nano-USD per million input / output tokens.
const PER_MILLION: Record<string, [bigint, bigint]> = {
  'gpt-4o-mini': [150_000_000n, 600_000_000n],
  'claude-sonnet-4-5': [3_000_000_000n, 15_000_000_000n],
  'gemini-2.5-flash': [300_000_000n, 2_500_000_000n],
};
/** The exact cost of a call, rounded once, half up, to the nano. */
function expectedNanos(model: string, input: number, output: number): string {
  const [inPrice, outPrice] = PER_MILLION[model];
  return ((BigInt(input) * inPrice + BigInt(output) * outPrice + 500_000n) / 1_000_000n).toString();
}

describe('a release through a real npm registry', () => {
  const scratch: string[] = [];
  let llm: MockLlmServer;
  let release: Run;
  let appInstall: Run;
  let ownSdkInstall: Run;
  let app: ReturnType<typeof freshApp>;
  let ownSdk: ReturnType<typeof freshApp>;
  let collectorDir: ReturnType<typeof freshApp>;
  let collector: ChildProcess | undefined;
  let collectorUrl = '';
  let keys: { ingest: string; viewer: string } | undefined;
  let publisher = '';

  beforeAll(async () => {
    if (!REGISTRY) throw new Error('TOKENLEDGER_TEST_REGISTRY is not set: run this through ./run test, which starts Verdaccio');
    llm = await startMockLlmServer();
    // The publisher's npmrc holds a token for the registry, the way `npm login` leaves it.
    const user = `release-${process.pid}`;
    const login = await fetch(new URL(`-/user/org.couchdb.user:${user}`, REGISTRY), {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: user, password: `pw-${user}`, type: 'user' }),
    });
    const { token } = (await login.json()) as { token: string };
    publisher = mkdtempSync(join(tmpdir(), 'tokenledger-publisher-'));
    scratch.push(publisher);
    writeFileSync(join(publisher, '.npmrc'), `//${new URL(REGISTRY).host}/:_authToken=${token}\n`);
    release = await run(process.execPath, [join(ROOT, 'scripts', 'release.js'), '--registry', REGISTRY], ROOT, {
      ...cleanEnv(),
      NPM_CONFIG_USERCONFIG: join(publisher, '.npmrc'),
      npm_config_update_notifier: 'false',
    });

    app = freshApp('hooked-app');
    ownSdk = freshApp('own-sdk-app');
    collectorDir = freshApp('collector');
    scratch.push(app.dir, ownSdk.dir, collectorDir.dir);
    // npx keeps what it installed per package name: a previous run's collector must not be reused.
    rmSync(join(NPM_CACHE, '_npx'), { recursive: true, force: true });
    const collectorEnv = {
      ...collectorDir.env,
      TOKENLEDGER_HOST: '127.0.0.1',
      TOKENLEDGER_DATA_DIR: collectorDir.dir,
      TOKENLEDGER_SQLITE_PATH: join(collectorDir.dir, 'tokenledger.sqlite'),
    };
    const keyOf = async (role: string) => {
      const made = await run('npx', ['--yes', '@tokenledger/collector-service', 'keys', 'create', '--role', role], collectorDir.dir, collectorEnv);
      if (made.code !== 0) throw new Error(failed(`tokenledger keys create --role ${role}`, made));
      return made.stdout.trim().split('\n').pop()!;
    };
    [appInstall, ownSdkInstall, keys] = await Promise.all([
      npmInstall(app, ['@tokenledger/node', 'openai', '@anthropic-ai/sdk', '@google/genai']),
      npmInstall(ownSdk, ['@tokenledger/instrumentation-openai', '@opentelemetry/api', '@opentelemetry/sdk-node', '@opentelemetry/core', 'openai']),
      keyOf('ingest').then(async (ingest) => ({ ingest, viewer: await keyOf('viewer') })),
    ]);
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as AddressInfo;
        probe.close(() => resolve(free));
      });
    });
    collectorUrl = `http://127.0.0.1:${port}`;
    // OTLP/gRPC on a free port too: its default, 4317, is the Collector's, which another suite may run.
    collector = spawn('npx', ['--yes', '@tokenledger/collector-service', 'start'], {
      cwd: collectorDir.dir,
      env: { ...collectorEnv, TOKENLEDGER_PORT: String(port), TOKENLEDGER_GRPC_PORT: '0' },
      stdio: 'ignore',
      detached: true,
    });
    // Ready means /readyz: the process answers /healthz from its first moment, while the store opens
    // and the app is built, and tells every other request to retry in 5 s, longer than the 2 s an
    // app's exit waits for its spans to be exported.
    let readiness = 'no answer';
    for (const deadline = Date.now() + 120_000; readiness !== '200' && Date.now() < deadline;) {
      readiness = await fetch(`${collectorUrl}/readyz`).then(
        async (r) => (r.ok ? '200' : `${r.status} ${await r.text()}`),
        (err: Error) => err.message,
      );
      if (readiness !== '200') await new Promise((r) => setTimeout(r, 200));
    }
    if (readiness !== '200') throw new Error(`the installed collector was not ready within 120 s: GET /readyz answered ${readiness}`);
  });

  afterAll(async () => {
    if (collector?.pid) {
      const exited = new Promise((resolve) => collector!.on('exit', resolve));
      process.kill(-collector.pid, 'SIGTERM');
      await exited;
    }
    await llm?.close();
    for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
  });

  const reportOf = async (user: string) => {
    const res = await fetch(`${collectorUrl}/v1/reports/usage?period=all&user=${user}`, { headers: { authorization: `Bearer ${keys!.viewer}` } });
    return ((await res.json()) as { records: { provider: string; requestModel: string; tokens: Record<string, number>; costNanos: string | null }[] }).records;
  };

  /** Runs the app with the hook against the mock LLM server and the installed collector; checks every call's cost. */
  async function expectPricedExactly(hook: string[], script: string, user: string) {
    copyFileSync(join(APPS, script), join(app.dir, script));
    const ran = await run(process.execPath, [...hook, script], app.dir, {
      ...cleanEnv(),
      MOCK_LLM_URL: llm.url,
      APP_USER: user,
      OTEL_EXPORTER_OTLP_ENDPOINT: collectorUrl,
      OTEL_EXPORTER_OTLP_HEADERS: `authorization=Bearer ${keys!.ingest}`,
      OTEL_SERVICE_NAME: user,
      // The app's exit waits for its spans until the collector has answered: on a loaded machine the
      // collector's first answer can take longer than the 2 s an exit waits by default.
      TOKENLEDGER_SHUTDOWN_TIMEOUT_MS: '60000',
    });
    expect(ran).toMatchObject({ code: 0, stderr: '' });
    const reported = JSON.parse(ran.stdout) as Record<'openai' | 'anthropic' | 'gemini', [number, number]>;
    let records = await reportOf(user);
    for (let i = 0; i < 50 && records.length < 3; i++) records = (await new Promise((r) => setTimeout(r, 200)), await reportOf(user));
    const call = (model: string, [input, output]: [number, number]) => ({
      provider: expect.any(String),
      requestModel: model,
      tokens: expect.objectContaining({ input, output }),
      costNanos: expectedNanos(model, input, output),
    });
    expect(records.map(({ provider, requestModel, tokens, costNanos }) => ({ provider, requestModel, tokens, costNanos }))).toEqual(
      expect.arrayContaining([call('gpt-4o-mini', reported.openai), call('claude-sonnet-4-5', reported.anthropic), call('gemini-2.5-flash', reported.gemini)]),
    );
    expect(records).toHaveLength(3);
  }

  it('publishes every public package with the npm credentials configured for the registry, and no test helper', async () => {
    expect(release.code).toBe(0);
    const names = [
      'semconv',
      'pricing',
      'instrumentation-common',
      'instrumentation-openai',
      'instrumentation-anthropic',
      'instrumentation-google-genai',
      'node',
      'collector-service',
    ];
    for (const name of names) expect(release.stdout).toContain(`@tokenledger/${name}@`);
    const status = async (name: string) => (await fetch(new URL(`@tokenledger%2f${name}`, REGISTRY))).status;
    expect(await Promise.all(names.map(status))).toEqual(names.map(() => 200));
    expect(await status('mock-llm-server')).toBe(404);
  });

  it('publishes nothing twice: a second release skips what the registry has', async () => {
    const again = await run(process.execPath, [join(ROOT, 'scripts', 'release.js'), '--registry', REGISTRY], ROOT, {
      ...cleanEnv(),
      NPM_CONFIG_USERCONFIG: join(publisher, '.npmrc'),
      npm_config_update_notifier: 'false',
    });
    expect(again.code).toBe(0);
    expect(again.stdout.match(/already published, skipped/g)).toHaveLength(8);
  });

  it('installs @tokenledger/node from the registry alone, beside the current openai, Anthropic and Gemini SDKs', () => {
    expect(appInstall.code).toBe(0);
  });

  it('serves the API and the dashboard from the installed collector package, with keys made by its own tokenledger command', async () => {
    expect(keys?.ingest).toMatch(/\S{16,}/);
    expect((await fetch(`${collectorUrl}/healthz`)).status).toBe(200);
    const dashboard = await fetch(`${collectorUrl}/dashboard/`);
    expect(dashboard.status).toBe(200);
    expect(await dashboard.text()).toContain('<div id="root">');
  });

  it('prices each call of a CommonJS app started with --require @tokenledger/node/register to the nano', async () => {
    expect(appInstall.code).toBe(0);
    await expectPricedExactly(['--require', '@tokenledger/node/register'], 'three-sdks.cjs', 'cjs-app');
  });

  it('prices each call of an ESM app started with --import @tokenledger/node/register to the nano', async () => {
    expect(appInstall.code).toBe(0);
    await expectPricedExactly(['--import', '@tokenledger/node/register'], 'three-sdks.mjs', 'esm-app');
  });

  it("type-checks an ESM and a CommonJS app against the installed packages' types", async () => {
    for (const file of ['typed.mts', 'typed.cts']) copyFileSync(join(APPS, file), join(app.dir, file));
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const args = [
      '--noEmit',
      '--strict',
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      '--types',
      'node',
      '--typeRoots',
      join(ROOT, 'node_modules', '@types'),
    ];
    const checked = await run(process.execPath, [tsc, ...args, 'typed.mts', 'typed.cts'], app.dir, cleanEnv());
    expect(checked).toMatchObject({ code: 0, stdout: '' });
    // The check has teeth: a wrong type in the same app fails it.
    writeFileSync(
      join(app.dir, 'wrong.mts'),
      "import { withAttribution } from '@tokenledger/node';\nexport const n: number = withAttribution({ userId: 'u' }, () => 'text');\n",
    );
    const wrong = await run(process.execPath, [tsc, ...args, 'wrong.mts'], app.dir, cleanEnv());
    expect(wrong.stdout).toContain("Type 'string' is not assignable to type 'number'");
  });

  it("adds @tokenledger/instrumentation-openai alone to an app's own NodeSDK: one API instance, spans through the app's exporter", async () => {
    expect(ownSdkInstall.code).toBe(0);
    copyFileSync(join(APPS, 'own-sdk.cjs'), join(ownSdk.dir, 'own-sdk.cjs'));
    const ran = await run(process.execPath, ['own-sdk.cjs'], ownSdk.dir, { ...cleanEnv(), MOCK_LLM_URL: llm.url });
    expect(ran).toMatchObject({ code: 0, stderr: '' });
    const lines = ran.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as unknown);
    expect(lines).toContainEqual({ oneApi: true });
    expect(lines).toContainEqual({
      span: 'chat gpt-4o-mini',
      scope: '@tokenledger/instrumentation-openai',
      attributes: expect.objectContaining({
        'gen_ai.provider.name': 'openai',
        'gen_ai.usage.input_tokens': expect.any(Number),
        'gen_ai.usage.output_tokens': expect.any(Number),
      }),
    });
  });
});
