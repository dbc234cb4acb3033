// The one Chromium every browser test (and scripts/docs-figures.mjs) drives through playwright-core.
// Which binary: $CHROME_PATH when set, else a system Chromium/Chrome on the usual paths, else the headless
// shell that the npm package @sparticuz/chromium ships inside itself (a devDependency), so `npm ci && npm test`
// needs no apt-installed browser. That package holds brotli-compressed files meant for AWS Lambda; they are
// unpacked once per version into a cache folder (atomically: a half-unpacked copy is never seen by a
// parallel test process), with the NSS/expat libraries it bundles on LD_LIBRARY_PATH and a fontconfig file
// that lists the system fonts plus the Open Sans it bundles (a machine with no fonts still renders text).
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import { chromium, type Browser, type BrowserContext, type LaunchOptions, type Page } from 'playwright-core';

/** Flags every test browser gets: headless, no sandbox (containers run as root), no GPU, and nothing that phones home. */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

const SYSTEM_PATHS = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

export interface ChromiumBinary {
  executablePath: string;
  /** Environment additions the binary needs (the bundled libraries and fonts for the npm one). */
  env: Record<string, string>;
  /** Where it came from: 'CHROME_PATH', 'system' or 'npm @sparticuz/chromium@VERSION'. */
  source: string;
}

let resolved: ChromiumBinary | undefined;

/** The Chromium to drive; unpacks the npm one on first use. Throws with what to do when none can be had. */
export function chromiumBinary(): ChromiumBinary {
  if (resolved) return resolved;
  const fromEnv = process.env.CHROME_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`CHROME_PATH=${fromEnv} does not exist`);
    return (resolved = { executablePath: fromEnv, env: {}, source: 'CHROME_PATH' });
  }
  // DESCENT_NPM_CHROMIUM=1 skips the system browser (CI proves the npm path with it)
  if (process.env.DESCENT_NPM_CHROMIUM !== '1') {
    const system = SYSTEM_PATHS.find((p) => existsSync(p));
    if (system) return (resolved = { executablePath: system, env: {}, source: 'system' });
  }
  return (resolved = unpackNpmChromium());
}

function unpackNpmChromium(): ChromiumBinary {
  const require = createRequire(import.meta.url);
  let pkgJson = '';
  try {
    // its `exports` hide package.json: walk up from the entry point
    for (let d = dirname(require.resolve('@sparticuz/chromium')); d !== dirname(d); d = dirname(d))
      if (existsSync(join(d, 'package.json')) && existsSync(join(d, 'bin', 'chromium.br'))) {
        pkgJson = join(d, 'package.json');
        break;
      }
  } catch {
    // not installed: said below
  }
  if (!pkgJson) throw new Error('no Chromium: set CHROME_PATH, install a system chromium, or run `npm ci` (the devDependency @sparticuz/chromium ships one)');
  const version = (JSON.parse(readFileSync(pkgJson, 'utf8')) as { version: string }).version;
  const bin = join(dirname(pkgJson), 'bin');
  const cacheRoot = process.env.DESCENT_BROWSER_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'descent');
  const dir = join(cacheRoot, `chromium-${version}`);
  const exe = join(dir, 'chromium');
  if (!existsSync(join(dir, '.complete'))) {
    mkdirSync(cacheRoot, { recursive: true });
    const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
    mkdirSync(tmp, { recursive: true });
    try {
      writeFileSync(join(tmp, 'chromium'), brotliDecompressSync(readFileSync(join(bin, 'chromium.br'))));
      chmodSync(join(tmp, 'chromium'), 0o755);
      // al2023: NSS + expat (absent on a bare machine); swiftshader: the software GL libraries beside the binary
      for (const [archive, into] of [['al2023.tar.br', tmp], ['swiftshader.tar.br', tmp], ['fonts.tar.br', tmp]] as const) {
        const r = spawnSync('tar', ['-x', '-C', into], { input: brotliDecompressSync(readFileSync(join(bin, archive))), maxBuffer: 1 << 30 });
        if (r.status !== 0) throw new Error(`unpacking ${archive}: ${r.stderr?.toString() || r.error}`);
      }
      // the bundled fonts.conf points at Lambda's /tmp/fonts; this one keeps the system's fonts and adds Open Sans
      writeFileSync(
        join(tmp, 'fonts', 'fonts.conf'),
        `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n` +
          `  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n` +
          `  <dir>/usr/share/fonts</dir>\n  <dir>${join(dir, 'fonts', 'fonts')}</dir>\n` +
          `  <cachedir>${join(dir, 'fonts', 'cache')}</cachedir>\n</fontconfig>\n`,
      );
      writeFileSync(join(tmp, '.complete'), version);
      try {
        renameSync(tmp, dir);
      } catch {
        // another process finished first: its copy is complete, this one is dropped
        if (!existsSync(join(dir, '.complete'))) throw new Error(`could not place the unpacked Chromium at ${dir}`);
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  const libs = join(dir, 'al2023', 'lib');
  return {
    executablePath: exe,
    env: {
      LD_LIBRARY_PATH: [libs, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':'),
      FONTCONFIG_PATH: join(dir, 'fonts'),
      FONTCONFIG_FILE: join(dir, 'fonts', 'fonts.conf'),
    },
    source: `npm @sparticuz/chromium@${version}`,
  };
}

function launchEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  return { ...env, ...extra };
}

/** A headless browser with the test flags. */
export async function launchChromium(options: LaunchOptions = {}): Promise<Browser> {
  const b = chromiumBinary();
  return chromium.launch({
    ...options,
    executablePath: b.executablePath,
    headless: true,
    args: [...CHROMIUM_FLAGS, ...(options.args ?? [])],
    env: launchEnv(b.env),
  });
}

/** A persistent context (a profile folder) with the test flags, as the lab tests use. */
export async function launchChromiumContext(
  profile: string,
  options: Parameters<typeof chromium.launchPersistentContext>[1] = {},
): Promise<BrowserContext> {
  const b = chromiumBinary();
  return chromium.launchPersistentContext(profile, {
    ...options,
    executablePath: b.executablePath,
    headless: true,
    args: [...CHROMIUM_FLAGS, ...(options.args ?? [])],
    env: launchEnv(b.env),
  });
}

/** A `descent lab --port 0 --no-open` server and one browser context on it, as the lab's browser tests use. */
export interface LabSession {
  /** The served page, e.g. http://127.0.0.1:PORT/ */
  url: string;
  origin: string;
  context: BrowserContext;
  /** Ctrl-C to the server (SIGINT, as a person would); resolves with its exit code. */
  stopServer(): Promise<number | null>;
  /** Closes the browser, stops the server if it runs, removes the profile. */
  close(): Promise<void>;
}

/**
 * Starts the lab server from bin/descent.js (the built dist/: `npm run build` first) and a browser context with a
 * fresh profile; fails with the server's output when it prints no URL within 15 s or exits.
 */
export async function startLab(options: Parameters<typeof chromium.launchPersistentContext>[1] = {}): Promise<LabSession> {
  const repo = join(import.meta.dirname, '..', '..');
  if (!existsSync(join(repo, 'dist', 'lab', 'www', 'index.html'))) throw new Error('dist/lab/www/index.html is missing: run `npm run build` (it builds the playground with Vite)');
  const server = spawn(process.execPath, [join(repo, 'bin', 'descent.js'), 'lab', '--port', '0', '--no-open'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '', err = '';
    const timer = setTimeout(() => reject(new Error(`descent lab printed no URL in 15 s; stdout: ${out} stderr: ${err}`)), 15_000);
    server.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[0]);
      }
    });
    server.stderr.on('data', (c: Buffer) => (err += c.toString()));
    server.on('exit', (code) => reject(new Error(`descent lab exited with ${code}: ${err}`)));
  });
  const profile = mkdtempSync(join(tmpdir(), 'descent-chromium-'));
  const context = await launchChromiumContext(profile, { args: ['--disable-quic'], ...options });
  const stopServer = (): Promise<number | null> => {
    if (server.exitCode !== null || server.signalCode !== null) return Promise.resolve(server.exitCode);
    const exited = new Promise<number | null>((r) => server.once('exit', (code) => r(code)));
    server.kill('SIGINT');
    return exited;
  };
  return {
    url,
    origin: new URL(url).origin,
    context,
    stopServer,
    async close() {
      await context.close();
      await stopServer();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A page opened by `openPage`, with what it did wrong as it ran. */
export interface WatchedPage {
  page: Page;
  /** Uncaught exceptions and console errors, in order. */
  errors: string[];
  /** Every URL it requested. */
  requested: string[];
  /** The requests off `origin` (data: and blob: URLs are the page's own). */
  offOrigin: string[];
}

/**
 * A new page in `context` that records its errors and requests, at `viewport` when given, navigated to `url`
 * and waited on until `ready` (a selector; default the lab's body[data-ready="true"]) is there. `errors` and
 * `requested` may be lists shared by several pages (a test file that checks them once at the end).
 */
export async function openPage(
  context: BrowserContext,
  url: string,
  o: { viewport?: { width: number; height: number }; origin?: string; ready?: string | null; errors?: string[]; requested?: string[] } = {},
): Promise<WatchedPage> {
  const page = await context.newPage();
  if (o.viewport) await page.setViewportSize(o.viewport);
  const origin = o.origin ?? new URL(url).origin;
  const w: WatchedPage = { page, errors: o.errors ?? [], requested: o.requested ?? [], offOrigin: [] };
  page.on('pageerror', (e) => w.errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') w.errors.push(m.text()); });
  page.on('request', (r) => {
    w.requested.push(r.url());
    if (!r.url().startsWith(origin) && !/^(data|blob):/.test(r.url())) w.offOrigin.push(r.url());
  });
  await page.goto(url);
  const ready = o.ready === undefined ? 'body[data-ready="true"]' : o.ready;
  if (ready) await page.waitForSelector(ready, { timeout: 15_000 });
  return w;
}
