/**
 * `npm run docs` (TypeDoc over every package entry point) builds the API reference with no warning: an
 * undocumented public export, a broken {@link} in a doc comment or a type referenced but not exported fails it
 * (typedoc.json: validation on, treatWarningsAsErrors). Every public export is documented: typedoc.json lists
 * none as intentionally undocumented. A small project checked with typedoc.json's own settings shows that an
 * undocumented export and a broken link each fail the build (and that a clean one passes), so the real build
 * passing means something.
 *
 * The Markdown pages beside the reference (README.md, docs/, src/**) link to files and headings that exist.
 *
 * Cost: the real build skips TypeScript's error check (test/arch/typecheck.test.ts runs tsc over the same
 * sources), which leaves about 9 s of CPU for parsing, validation and the HTML; the small project takes ~2 s a run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';

const repo = join(import.meta.dirname, '..', '..');
const typedocBin = join(repo, 'node_modules', 'typedoc', 'bin', 'typedoc');

interface TypedocConfig {
  entryPoints: string[];
  validation: Record<string, boolean>;
  treatWarningsAsErrors: boolean;
  treatValidationWarningsAsErrors: boolean;
  requiredToBeDocumented: string[];
  intentionallyNotDocumented?: string[];
}
const cfg = JSON.parse(readFileSync(join(repo, 'typedoc.json'), 'utf8')) as TypedocConfig;

/** Runs TypeDoc with these arguments; its output without colours. */
function typedoc(args: string[], cwd: string): { status: number | null; text: string } {
  const r = spawnSync(process.execPath, [typedocBin, ...args], { cwd, encoding: 'utf8' });
  return { status: r.status, text: (r.stdout + r.stderr).replace(/\x1b\[[0-9;]*m/g, '') };
}

test('typedoc.json fails the build on undocumented exports, broken links and warnings, over every package entry point', () => {
  assert.equal(cfg.treatWarningsAsErrors, true);
  assert.equal(cfg.treatValidationWarningsAsErrors, true);
  for (const k of ['notExported', 'invalidLink', 'notDocumented']) assert.equal(cfg.validation[k], true, k);
  for (const kind of ['Function', 'Class', 'Interface', 'TypeAlias', 'Variable']) assert.ok(cfg.requiredToBeDocumented.includes(kind), kind);
  assert.deepEqual(cfg.intentionallyNotDocumented ?? [], [], 'every public export has a doc comment: typedoc.json excuses none');
  const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { exports: Record<string, { types: string }>; scripts: Record<string, string> };
  assert.equal(pkg.scripts.docs, 'typedoc');
  const fromExports = Object.values(pkg.exports).map((e) => e.types.replace('./dist/', 'src/').replace(/\.d\.ts$/, '.ts')).sort();
  assert.deepEqual([...cfg.entryPoints].sort(), fromExports, 'every package.json export is documented');
});

test("typedoc.json's settings fail a build on an undocumented export and on a broken {@link}, and pass a clean one", () => {
  const dir = mkdtempSync(join(tmpdir(), 'descent-docs-check-'));
  try {
    // no DOM or @types: the TypeScript program stays small, so a run costs TypeDoc's start-up and little more
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { target: 'ES2022', lib: ['ES2022'], types: [], module: 'NodeNext', strict: true }, include: ['*.ts'] }));
    // the repository's checking settings, over one file
    const settings = {
      name: 'check', tsconfig: 'tsconfig.json', emit: 'none', readme: 'none', disableSources: true,
      validation: cfg.validation, treatWarningsAsErrors: cfg.treatWarningsAsErrors,
      treatValidationWarningsAsErrors: cfg.treatValidationWarningsAsErrors, requiredToBeDocumented: cfg.requiredToBeDocumented,
    };
    writeFileSync(join(dir, 'typedoc.json'), JSON.stringify(settings));
    const run = (source: string) => {
      writeFileSync(join(dir, 'api.ts'), source);
      return typedoc(['--options', 'typedoc.json', '--entryPoints', 'api.ts'], dir);
    };
    const clean = run('/** One, as {@link two} is two. */\nexport function one(): number { return 1; }\n/** Two. */\nexport const two = 2;\n');
    assert.equal(clean.status, 0, clean.text);
    assert.doesNotMatch(clean.text, /\[warning\]|\[error\]/, clean.text);

    // the same file with a new export left undocumented and a misspelt link: each is a warning, and any warning fails
    const bad = run('/** One, as {@link twoo} is two. */\nexport function one(): number { return 1; }\n/** Two. */\nexport const two = 2;\nexport interface Added { x: number }\n');
    assert.notEqual(bad.status, 0, bad.text);
    assert.match(bad.text, /\[warning\] Added \(Interface\).*does not have any documentation/, bad.text);
    assert.match(bad.text, /\[warning\] Failed to resolve link to "twoo"/, bad.text);
    assert.match(bad.text, /Found 0 errors and 2 warnings/, bad.text);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('npm run docs builds the API reference with no warning', () => {
  const out = mkdtempSync(join(tmpdir(), 'descent-api-'));
  try {
    const r = typedoc(['--out', out, '--skipErrorChecking'], repo);
    assert.equal(r.status, 0, r.text);
    assert.doesNotMatch(r.text, /\[warning\]|\[error\]/, r.text);
    const index = readFileSync(join(out, 'index.html'), 'utf8');
    // a page per entry point: src/index.ts is module "index", src/optim/index.ts "optim", ...
    for (const entry of cfg.entryPoints) {
      const name = entry === 'src/index.ts' ? 'index' : entry.split('/')[1];
      assert.ok(index.includes(`href="modules/${name}.html"`), `module ${name} in the index`);
      assert.ok(readFileSync(join(out, 'modules', `${name}.html`), 'utf8').length > 1000, `modules/${name}.html`);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

/** Markdown files under dir (node_modules and dist aside). */
function markdownUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...markdownUnder(p));
    else if (name.endsWith('.md')) out.push(p);
  }
  return out;
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
const anchorOf = (heading: string) => heading.trim().toLowerCase().replace(/[^\p{L}\p{N}_\- ]/gu, '').replace(/ /g, '-');

/** The headings' anchors of a Markdown text, code blocks aside. */
const anchorsIn = (text: string) => new Set([...text.replace(/```[\s\S]*?```/g, '').matchAll(/^#+\s+(.*)$/gm)].map((m) => anchorOf(m[1])));

test('every relative link of README.md, docs/ and src/**/*.md reaches a file (and a heading, given one) that exists', () => {
  const pages = [join(repo, 'README.md'), ...markdownUnder(join(repo, 'docs')), ...markdownUnder(join(repo, 'src'))];
  let links = 0;
  const broken: string[] = [];
  for (const page of pages) {
    const text = readFileSync(page, 'utf8');
    for (const m of text.replace(/```[\s\S]*?```/g, '').matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1];
      if (/^[a-z]+:/i.test(target)) continue; // https:, mailto:
      links++;
      const [path, anchor] = target.split('#');
      const file = path === '' ? page : join(dirname(page), decodeURIComponent(path));
      if (!existsSync(file)) broken.push(`${relative(repo, page)}: ${target} (no such file)`);
      else if (anchor !== undefined && file.endsWith('.md') && !anchorsIn(readFileSync(file, 'utf8')).has(anchor)) broken.push(`${relative(repo, page)}: ${target} (no such heading)`);
    }
  }
  assert.ok(links >= 30, `only ${links} relative links found: the scan is broken`);
  assert.deepEqual(broken, []);
});
