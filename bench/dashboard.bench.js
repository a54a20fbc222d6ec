/* global document -- the functions passed to page.evaluate run in the dashboard page */
// The dashboard's figures: JavaScript shipped (gzip -9: every script and stylesheet of the build,
// every page's chunk included, and the part the overview's first render loads) and time to first
// render of the overview (every card showing its value and the daily cost chart's columns drawn; then
// every panel loaded and its chart drawn), measured in the page from navigation start, with N records
// stored over the last 30 days (1M by default; BENCH_RECORDS=10000000 for 10M). Records and their
// rollups are generated straight into the SQLite store's tables, the narrow rollups derived from the
// full ones as the store's own migration derives them; the file is cached per day in
// ~/.cache/tokenledger/bench. Chromium is Debian's (TOKENLEDGER_CHROMIUM, default /usr/bin/chromium).
// Run: ./run node bench/dashboard.bench.js
'use strict';
const { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } = require('node:fs');
const { join } = require('node:path');
const { gzipSync } = require('node:zlib');
const { chromium } = require('playwright-core');
const { benchCacheDir, randomBelow, seedStore } = require('./seeded-store');
const { startService } = require('./service');
const { median } = require('./stats');

const N = Number(process.env.BENCH_RECORDS || 1_000_000);
const USERS = Number(process.env.BENCH_USERS || 1000);
const ROUNDS = 7;
const DAYS = 30;
const DAY = 86_400_000;
const BUCKET = 15 * 60 * 1000;
const END = Math.floor(Date.now() / BUCKET) * BUCKET;
const DIST = join(__dirname, '..', 'collector-service', 'dist', 'dashboard');
const cacheDir = benchCacheDir();
const stamp = `dashboard-${N}-${USERS}-`;
const file = join(cacheDir, `${stamp}${new Date(END).toISOString().slice(0, 10)}.sqlite`);
const OVERVIEW = '/dashboard?period=30d&tz=UTC';
// provider, model, type, nanos per input token, per output token (null: no price, stored unpriced)
const MODELS = [
  ['openai', 'gpt-4o', 'llm', 2500, 10000],
  ['openai', 'gpt-4o-mini', 'llm', 150, 600],
  ['anthropic', 'claude-3-5-sonnet', 'llm', 3000, 15000],
  ['gcp.gemini', 'gemini-2.5-flash', 'llm', 300, 2500],
  ['openai', 'text-embedding-3-small', 'embedding', 20, 0],
  ['openai', 'acme-internal', 'llm', null, null],
];

/** Records over DAYS days from USERS users, 8 agents and 12 features; 2 % failed, 0.2 % to a model with no price. */
async function generate() {
  if (existsSync(file)) return;
  mkdirSync(cacheDir, { recursive: true });
  for (const old of readdirSync(cacheDir).filter((f) => f.startsWith(stamp))) rmSync(join(cacheDir, old), { force: true });
  await seedStore(file, N, () => {
    const [provider, model, type, inNanos, outNanos] = randomBelow(500) === 0 ? MODELS[5] : MODELS[randomBelow(5)];
    const input = 200 + randomBelow(4000);
    const output = type === 'llm' ? 50 + randomBelow(1500) : 0;
    const unpriced = inNanos === null ? 1 : 0;
    return {
      timeMs: END - 1 - randomBelow(DAYS * DAY),
      provider,
      model,
      type,
      user: `user-${randomBelow(USERS)}`,
      agent: `agent-${randomBelow(8)}`,
      feature: `feature-${randomBelow(12)}`,
      status: randomBelow(50) === 0 ? 'error' : 'ok',
      costNanos: unpriced ? 0n : BigInt(input * inNanos + output * outNanos),
      unpriced,
      input,
      output,
      durationMs: 200 + randomBelow(2000),
    };
  });
}

/** gzip -9 and raw sizes of one built asset, by its path under the dashboard's directory. */
const assetSizes = new Map();
function assetSize(path) {
  if (!assetSizes.has(path)) {
    const bytes = readFileSync(join(DIST, path));
    assetSizes.set(path, { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length });
  }
  return assetSizes.get(path);
}

/** Every script and stylesheet of the build: the entry index.html names and every chunk it may load. */
function shippedBytes() {
  const sizes = { js: { raw: 0, gzip: 0 }, css: { raw: 0, gzip: 0 } };
  for (const name of readdirSync(join(DIST, 'assets'))) {
    const kind = name.endsWith('.js') ? 'js' : name.endsWith('.css') ? 'css' : null;
    if (!kind) continue;
    const size = assetSize(`assets/${name}`);
    sizes[kind].raw += size.raw;
    sizes[kind].gzip += size.gzip;
  }
  return sizes;
}

/**
 * Milliseconds from navigation start until the cards hold values and the daily chart has its columns
 * (first render), and until every panel has loaded and drawn its chart (complete).
 */
async function firstRender(browser, url) {
  const context = await browser.newContext({ locale: 'en-US', timezoneId: 'UTC', viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  await page.goto(url + OVERVIEW);
  await page.waitForFunction(
    () => {
      const values = [...document.querySelectorAll('[data-testid$="-value"]')];
      const chart = document.querySelector('[data-testid="chart-daily"] rect.column');
      return values.length === 5 && values.every((v) => v.textContent !== '…') && chart !== null;
    },
    undefined,
    { timeout: 60_000, polling: 'raf' },
  );
  const ms = await page.evaluate(() => performance.now());
  // Where the time went, as of the first render: the entry script run (DOMContentLoaded), the app's
  // chunk received, and the cards' and daily chart's data received.
  const phases = await page.evaluate(
    (at) => ({
      scriptMs: performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd,
      appChunkMs: Math.max(
        0,
        ...performance
          .getEntriesByType('resource')
          .filter((e) => /\/assets\/root-[^/]*\.js$/.test(e.name) && e.responseEnd <= at)
          .map((e) => e.responseEnd),
      ),
      firstDataMs: Math.max(
        0,
        ...performance
          .getEntriesByType('resource')
          .filter((e) => e.name.includes('/v1/reports/overview') && e.name.includes('sections=totals'))
          .map((e) => e.responseEnd),
      ),
      scripts: performance
        .getEntriesByType('resource')
        .filter((e) => e.responseEnd <= at)
        .map((e) => new URL(e.name).pathname)
        .filter((p) => p.endsWith('.js')),
    }),
    ms,
  );
  await page.waitForFunction(() => document.querySelectorAll('.panel').length >= 7 && document.querySelector('[aria-busy="true"]') === null, undefined, {
    timeout: 60_000,
    polling: 'raf',
  });
  const complete = await page.evaluate(() => performance.now());
  const cost = await page.getByTestId('card-cost-value').textContent();
  await context.close();
  return { ms, complete, cost, ...phases };
}

(async () => {
  if (!existsSync(join(DIST, 'index.html'))) throw new Error('build the collector service first: ./run npm run build -w @tokenledger/collector-service');
  const sizes = shippedBytes();
  console.log(
    `dashboard JS shipped: ${(sizes.js.gzip / 1024).toFixed(1)} KB gzip (${(sizes.js.raw / 1024).toFixed(0)} KB minified), every page's chunk included; CSS ${(sizes.css.gzip / 1024).toFixed(1)} KB gzip`,
  );
  await generate();
  const service = await startService({ TOKENLEDGER_SQLITE_PATH: file });
  const browser = await chromium.launch({
    executablePath: process.env.TOKENLEDGER_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-dev-shm-usage'],
  });
  try {
    const cold = await firstRender(browser, service.url);
    const warm = [];
    for (let i = 0; i < ROUNDS; i++) warm.push(await firstRender(browser, service.url));
    const overviewJs = [...new Set(cold.scripts)].map((p) => assetSize(p.replace(/^\/dashboard\//, ''))).reduce((sum, x) => sum + x.gzip, 0);
    console.log(`  the overview's first render loads ${new Set(cold.scripts).size} of those scripts, ${(overviewJs / 1024).toFixed(1)} KB gzip`);
    const first = warm.map((r) => r.ms);
    const complete = warm.map((r) => r.complete);
    console.log(
      `overview, ${N.toLocaleString('en-US')} records over 30 days: first render on the service's first load ${cold.ms.toFixed(0)} ms (every panel ${cold.complete.toFixed(0)} ms); ` +
        `median of ${ROUNDS} fresh browser contexts: first render ${median(first).toFixed(0)} ms (min ${Math.min(...first).toFixed(0)}, max ${Math.max(...first).toFixed(0)}), every panel ${median(complete).toFixed(0)} ms; total shown ${cold.cost}`,
    );
    console.log(
      `  phases (medians): entry script run by ${median(warm.map((r) => r.scriptMs)).toFixed(0)} ms, app chunk received by ${median(warm.map((r) => r.appChunkMs)).toFixed(0)} ms, the cards' data received by ${median(warm.map((r) => r.firstDataMs)).toFixed(0)} ms; ` +
        `machine load average during the run ${require('node:os').loadavg()[0].toFixed(1)} on ${require('node:os').availableParallelism()} cores`,
    );
  } finally {
    await browser.close();
    service.child.kill('SIGTERM');
  }
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
