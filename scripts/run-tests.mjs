#!/usr/bin/env node
// Runs every test/**/*.test.ts with node's test runner (TypeScript through tsx).
// Usage: node scripts/run-tests.mjs [substring-filter ...]
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const filters = process.argv.slice(2);
const files = walk('test').filter((f) => filters.length === 0 || filters.some((s) => f.includes(s))).sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
// DESCENT_TEST_DURATIONS=N: the usual TAP on stdout, and the N slowest files on stderr at the end (scripts/test-durations.mjs)
const reporters = process.env.DESCENT_TEST_DURATIONS
  ? ['--test-reporter=tap', '--test-reporter-destination=stdout', '--test-reporter=./scripts/test-durations.mjs', '--test-reporter-destination=stderr']
  : [];
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...reporters, ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
