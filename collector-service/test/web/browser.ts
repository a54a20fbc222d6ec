import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import axe from 'axe-core';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { dashboardBuilt } from '../../src/dashboard-api/dashboard-files';
import { type RunningCollector, startCollector } from '../support/app';

/** Debian's chromium, installed by scripts/test-servers/chromium.start.sh; never a Playwright browser download. */
export const CHROMIUM = process.env.TOKENLEDGER_CHROMIUM || '/usr/bin/chromium';

/** Screenshots land here (gitignored); the test command keeps test-artifacts/. */
export const ARTIFACTS = resolve(__dirname, '..', '..', '..', 'test-artifacts', 'dashboard');

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`chromium is not installed at ${CHROMIUM}: run the tests with ./run test (it installs Debian's chromium) or set TOKENLEDGER_CHROMIUM`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-background-networking', '--disable-dev-shm-usage'] });
}

/** A page in a fixed locale and time zone, collecting every console error and uncaught exception. */
export async function openPage(browser: Browser): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ locale: 'en-US', timezoneId: 'UTC', viewport: { width: 1400, height: 1000 }, acceptDownloads: true });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(`console: ${m.text()}`));
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  return { context, page, errors };
}

/** axe-core's violations of impact serious or critical, as "rule: target" lines. */
export async function seriousA11yViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: axe.source });
  const violations = await page.evaluate(
    async () => (await (window as unknown as { axe: typeof axe }).axe.run(document, { resultTypes: ['violations'] })).violations,
  );
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}): ${n.target.join(' ')} — ${v.help}`));
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

export interface DashboardSuite {
  collector: RunningCollector;
  browser: Browser;
  /** A fresh page for each test, in its own context. */
  page: Page;
  /** The page's console errors and uncaught exceptions. */
  errors: string[];
}

/**
 * Registers a browser suite's hooks: the real service with `env` and the built dashboard, what `seed`
 * sends it, chromium, and a fresh page per test. Read the fields inside the tests.
 */
export function dashboardSuite(env: Record<string, string>, seed: (collector: RunningCollector) => Promise<void>): DashboardSuite {
  const suite = {} as DashboardSuite;
  beforeAll(async () => {
    if (!dashboardBuilt()) throw new Error('the dashboard is not built: run `./run npm run build -w @tokenledger/collector-service` first');
    suite.collector = await startCollector(env);
    await seed(suite.collector);
    suite.browser = await launchBrowser();
  });
  afterAll(async () => {
    await suite.browser?.close();
    await suite.collector?.close();
  });
  beforeEach(async () => {
    ({ page: suite.page, errors: suite.errors } = await openPage(suite.browser));
  });
  afterEach(async () => {
    await suite.page?.context().close();
  });
  return suite;
}
