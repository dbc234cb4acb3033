// A self-contained HTML file (a report) opened in the test Chromium (test/helpers/browser.ts: system or npm):
// written to a scratch folder, opened by its file: URL, with the page's script errors and any request that
// leaves the file collected for the test to assert on.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { launchChromium } from './browser.js';
import { scratchDir } from './scratch.js';

/** Runs `use` on the page showing `html`; the browser closes afterwards, whatever happens. */
export async function withHtmlPage(html: string, use: (page: Page, seen: { errors: string[]; external: string[] }) => Promise<void>): Promise<void> {
  const file = join(scratchDir('descent-page-'), 'report.html');
  writeFileSync(file, html);
  const browser = await launchChromium();
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
