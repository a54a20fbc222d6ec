import { chromium, type Locator, type Page } from 'playwright-core';

/**
 * Opens the collector's dashboard overview (the last 30 days, in UTC) in Debian's chromium, as the
 * collector's browser tests use it (the test command installs it), and closes the browser after `use`.
 */
export async function onDashboard<T>(collectorUrl: string, use: (page: Page) => Promise<T>): Promise<T> {
  const browser = await chromium.launch({
    executablePath: process.env.TOKENLEDGER_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
  try {
    const page = await browser.newPage({ locale: 'en-US', timezoneId: 'UTC' });
    await page.goto(`${collectorUrl}/dashboard?period=30d&tz=UTC`);
    return await use(page);
  } finally {
    await browser.close();
  }
}

/** The overview's cost-by-model table, once the row of `model` is drawn (the table is drawn before its data arrives). */
export async function modelTable(page: Page, model: string): Promise<Locator> {
  const models = page.getByRole('table', { name: 'Cost by model: cost, tokens and calls' });
  await models.locator('tbody tr', { hasText: model }).waitFor();
  return models;
}
