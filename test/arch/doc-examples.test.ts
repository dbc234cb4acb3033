/**
 * The @example of each main entry point's doc comment (the API reference shows them) runs as written, and
 * the figures its comments show are the ones it computes. In an example, a line
 *   `console.log(X); // TEXT`  must print TEXT;
 *   `EXPR; // { key: value, ... }`  must give those fields (numbers to the digits shown; `...` ends a prefix);
 *   `EXPR; // "TEXT"` or `// 123`  must give that string (a prefix when it ends in `...`) or number.
 * `from 'descent'` and `from 'descent/node'` are the sources; an example without imports sees the names
 * of `descent` it uses.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as descent from '../../src/index.js';

const repo = join(import.meta.dirname, '..', '..');
const src = (p: string) => join(repo, 'src', p);

/** The main entry points and where their doc comments are. */
const entries: [file: string, name: string][] = [
  ['train/train.ts', 'train'],
  ['train/trainer.ts', 'Trainer'],
  ['node/datasets.ts', 'loadDataset'],
  ['optim/optimizer.ts', 'createOptimizer'],
  ['schedule/schedule.ts', 'createSchedule'],
  ['search/minimize.ts', 'minimize'],
];

/** The code of the @example in the doc comment right above `export function|class NAME`. */
function exampleOf(file: string, name: string): string {
  const text = readFileSync(src(file), 'utf8');
  const at = text.search(new RegExp(`^export (async )?(function|class) ${name}\\b`, 'm'));
  assert.ok(at > 0, `${file}: export ${name} not found`);
  const open = text.lastIndexOf('/**', at), close = text.indexOf('*/', open);
  assert.equal(text.slice(close + 2, at).trim(), '', `${file}: the doc comment of ${name} is not right above it`);
  const lines = text.slice(open + 3, close).split('\n').map((l) => l.replace(/^\s*\* ?/, ''));
  const from = lines.findIndex((l) => l.startsWith('@example'));
  assert.ok(from >= 0, `${file}: ${name} has no @example`);
  let body = lines.slice(from + 1);
  const fence = body.findIndex((l) => l.startsWith('```'));
  if (fence >= 0) body = body.slice(fence + 1, body.findIndex((l, i) => i > fence && l.startsWith('```')));
  else body = body.slice(0, body.findIndex((l) => l.startsWith('@') || l.startsWith('(')) >>> 0);
  return body.join('\n');
}

/** The example as a module: sources for 'descent', and each shown figure turned into a check. */
function runnable(code: string): { module: string; checks: number } {
  let checks = 0;
  const out = code.split('\n').map((line) => {
    let m = /^(\s*)console\.log\((.*)\);\s*\/\/ (.+)$/.exec(line);
    if (m) {
      checks++;
      return `${m[1]}__printed([${m[2]}].join(' '), ${JSON.stringify(m[3].trim())});`;
    }
    m = /^(\s*)(?!\s|(const|let|var|for|while|if|import|return)\b)([^/]+?);\s*\/\/ ([{"].*|-?\d[\d.e-]*(\.\.\.)?)\s*$/.exec(line);
    if (m) {
      checks++;
      return `${m[1]}__shown(${m[3]}, ${JSON.stringify(m[4].trim())});`;
    }
    return line;
  });
  let module = out.join('\n')
    .replace(/from 'descent'/g, `from ${JSON.stringify(pathToFileURL(src('index.ts')).href)}`)
    .replace(/from 'descent\/node'/g, `from ${JSON.stringify(pathToFileURL(src('node/index.ts')).href)}`);
  if (!/^import /m.test(code)) {
    const used = Object.keys(descent).filter((k) => new RegExp(`\\b${k}\\b`).test(code));
    module = `import { ${used.join(', ')} } from ${JSON.stringify(pathToFileURL(src('index.ts')).href)};\n${module}`;
  }
  return { module: `const { __printed, __shown } = (globalThis as any).__docExample;\n${module}\n`, checks };
}

/** A number shown with d decimals (and `...` when cut rather than rounded) against the value. */
function sameNumber(actual: unknown, shown: string, what: string): void {
  const digits = shown.replace(/\.\.\.$/, '');
  const decimals = (digits.split('.')[1] ?? '').replace(/e.*/, '').length;
  assert.equal(typeof actual, 'number', `${what}: expected a number, got ${String(actual)}`);
  assert.ok(Math.abs((actual as number) - Number(digits)) < 10 ** -decimals, `${what}: shown ${shown}, computed ${String(actual)}`);
}

function shown(actual: unknown, text: string): void {
  if (text.startsWith('"')) {
    const s = text.slice(1, -1);
    assert.equal(typeof actual, 'string', `expected a string for ${text}`);
    if (s.endsWith('...')) assert.ok((actual as string).startsWith(s.slice(0, -3).trimEnd()), `shown ${text}, computed ${String(actual)}`);
    else assert.equal(actual, s);
    return;
  }
  if (!text.startsWith('{')) return sameNumber(actual, text, 'value');
  const fields = [...text.matchAll(/(\w+): ('([^']*)'|-?\d[\d.e-]*(\.\.\.)?)/g)];
  assert.ok(fields.length > 0, `no fields in ${text}`);
  for (const [, key, value, str] of fields) {
    const got = (actual as Record<string, unknown>)[key];
    if (str !== undefined) assert.equal(got, str, key);
    else sameNumber(got, value, key);
  }
}

for (const [file, name] of entries) {
  test(`the @example of ${name} (src/${file}) runs and computes the figures it shows`, async () => {
    const { module, checks } = runnable(exampleOf(file, name));
    assert.ok(checks >= 1, `${name}'s example shows no figure to check:\n${module}`);
    let done = 0;
    (globalThis as Record<string, unknown>).__docExample = {
      __printed: (actual: string, expected: string) => { assert.equal(actual, expected); done++; },
      __shown: (actual: unknown, text: string) => { shown(actual, text); done++; },
    };
    const dir = mkdtempSync(join(tmpdir(), 'descent-example-'));
    try {
      const path = join(dir, `${name}.mts`);
      writeFileSync(path, module);
      await import(pathToFileURL(path).href);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    assert.equal(done, checks, `${name}: every figure shown was checked`);
  });
}
