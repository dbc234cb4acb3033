// A self-contained HTML file (a report) opened in Debian's Chromium (playwright-core; CI installs the package):
// written to a scratch folder, opened by its file: URL, with the page's script errors and any request that
// leaves the file collected for the test to assert on.
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { scratchDir } from './scratch.js';

export const CHROMIUM = '/usr/bin/chromium';

/** Runs `use` on the page showing `html`; the browser closes afterwards, whatever happens. */
export async function withHtmlPage(html: string, use: (page: Page, seen: { errors: string[]; external: string[] }) => Promise<void>): Promise<void> {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium`);
  const file = join(scratchDir('descent-page-'), 'report.html');
  writeFileSync(file, html);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage();
    const seen = { errors: [] as string[], external: [] as string[] };
    page.on('request', (r) => { if (!r.url().startsWith('file:')) seen.external.push(r.url()); });
    page.on('pageerror', (e) => seen.errors.push(String(e)));
    await page.goto(pathToFileURL(file).href);
    await use(page, seen);
  } finally {
    await browser.close();
  }
}
