// The dashboard's two figures: JavaScript shipped (gzip -9, every script and stylesheet index.html
// loads) and time to first render of the overview (every card showing its value and the daily cost
// chart drawn, measured in the page from navigation start) with N records stored (1M by default;
// BENCH_RECORDS=10000000 for 10M). The store is the one bench/reports.bench.js generates and caches;
// when it is missing that benchmark is run first to build it. Chromium is Debian's
// (TOKENLEDGER_CHROMIUM, default /usr/bin/chromium).
// Run: ./run node bench/dashboard.bench.js
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync, readFileSync } = require('node:fs');
const { homedir } = require('node:os');
const { join } = require('node:path');
const { gzipSync } = require('node:zlib');
const { chromium } = require('playwright-core');
const { startService } = require('./service');

const N = Number(process.env.BENCH_RECORDS || 1_000_000);
const USERS = Number(process.env.BENCH_USERS || 1000);
const ROUNDS = 7;
const DIST = join(__dirname, '..', 'collector-service', 'dist', 'dashboard');
const cacheDir = join(process.env.TOKENLEDGER_CACHE || join(homedir(), '.cache', 'tokenledger'), 'bench');
const file = join(cacheDir, `reports-${N}-${USERS}.sqlite`);
// reports.bench.js spreads its records over the 30 days before 2026-11-01 (UTC).
const OVERVIEW = '/dashboard?period=custom&from=2026-10-02&to=2026-10-31&tz=UTC';

function shippedBytes() {
  const html = readFileSync(join(DIST, 'index.html'), 'utf8');
  const assets = [...html.matchAll(/(?:src|href)="\/dashboard\/(assets\/[^"]+\.(js|css))"/g)];
  const sizes = { js: { raw: 0, gzip: 0 }, css: { raw: 0, gzip: 0 } };
  for (const [, path, kind] of assets) {
    const bytes = readFileSync(join(DIST, path));
    sizes[kind].raw += bytes.length;
    sizes[kind].gzip += gzipSync(bytes, { level: 9 }).length;
  }
  return sizes;
}

/** Milliseconds from navigation start until the cards hold values and the daily chart has its columns. */
async function firstRender(browser, url) {
  const context = await browser.newContext({ locale: 'en-US', timezoneId: 'UTC', viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  await page.goto(url + OVERVIEW);
  await page.waitForFunction(
    () => {
      const values = [...document.querySelectorAll('[data-testid$="-value"]')];
      const chart = document.querySelector('[data-testid="chart-daily"] .recharts-bar-rectangle');
      return values.length === 5 && values.every((v) => v.textContent !== '…') && chart !== null;
    },
    undefined,
    { timeout: 60_000, polling: 'raf' },
  );
  const ms = await page.evaluate(() => performance.now());
  const cost = await page.getByTestId('card-cost-value').textContent();
  await context.close();
  return { ms, cost };
}

const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];

(async () => {
  if (!existsSync(join(DIST, 'index.html'))) throw new Error('build the collector service first: ./run npm run build -w @tokenledger/collector-service');
  const sizes = shippedBytes();
  console.log(`dashboard JS shipped: ${(sizes.js.gzip / 1024).toFixed(1)} KB gzip (${(sizes.js.raw / 1024).toFixed(0)} KB minified); CSS ${(sizes.css.gzip / 1024).toFixed(1)} KB gzip`);
  if (!existsSync(file)) {
    console.log(`no cached store of ${N.toLocaleString('en-US')} records: running bench/reports.bench.js to generate it`);
    const run = spawnSync(process.execPath, [join(__dirname, 'reports.bench.js')], { stdio: 'inherit', env: { ...process.env, BENCH_RECORDS: String(N), BENCH_USERS: String(USERS) } });
    if (run.status !== 0) throw new Error('generating the store failed');
  }
  const service = await startService({ TOKENLEDGER_SQLITE_PATH: file });
  const browser = await chromium.launch({ executablePath: process.env.TOKENLEDGER_CHROMIUM || '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-background-networking', '--disable-dev-shm-usage'] });
  try {
    const cold = await firstRender(browser, service.url);
    const warm = [];
    for (let i = 0; i < ROUNDS; i++) warm.push((await firstRender(browser, service.url)).ms);
    console.log(
      `overview first render, ${N.toLocaleString('en-US')} records, 30 days: first load ${cold.ms.toFixed(0)} ms; ` +
        `median of ${ROUNDS} fresh browser contexts ${median(warm).toFixed(0)} ms (min ${Math.min(...warm).toFixed(0)}, max ${Math.max(...warm).toFixed(0)}); total shown ${cold.cost}`,
    );
  } finally {
    await browser.close();
    service.child.kill('SIGTERM');
  }
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
