// A self-contained HTML file (a report) opened in the test Chromium (test/helpers/browser.ts: system or npm):
// written to a scratch folder, opened by its file: URL, with the page's script errors and any request that
// leaves the file collected for the test to assert on.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { launchChromium } from './browser.js';
import { scratchDir } from './scratch.js';

/**
 * Runs `use` on the page showing `html` (at `viewport`, default 1280×720); the browser closes afterwards,
 * whatever happens. `errors` collects script errors and console errors; `external` every request that is not
 * the file itself or a blob:/data: URL the page made.
 */
export async function withHtmlPage(
  html: string,
  use: (page: Page, seen: { errors: string[]; external: string[] }) => Promise<void>,
  options: { viewport?: { width: number; height: number }; colorScheme?: 'light' | 'dark' } = {},
): Promise<void> {
  const file = join(scratchDir('descent-page-'), 'report.html');
  writeFileSync(file, html);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: options.viewport ?? { width: 1280, height: 720 }, colorScheme: options.colorScheme ?? 'light', acceptDownloads: true });
    const seen = { errors: [] as string[], external: [] as string[] };
    page.on('request', (r) => { if (!/^(file|blob|data):/.test(r.url())) seen.external.push(r.url()); });
    page.on('pageerror', (e) => seen.errors.push(String(e)));
    page.on('console', (m) => { if (m.type() === 'error') seen.errors.push(m.text()); });
    await page.goto(pathToFileURL(file).href);
    await use(page, seen);
  } finally {
    await browser.close();
  }
}
