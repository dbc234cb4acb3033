// The library examples of docs/optimizers.md, run as written: each ```ts block after an
// `<!-- example: NAME -->` marker is imported (with 'descent' and 'descent/SUB' pointed at src/), what it
// prints must equal its `// prints:` lines, and the printed numbers are checked against an independent
// reference: a PyTorch 1.13 fixture or a closed form worked out here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { pathToFileURL } from 'node:url';
import { atomicWrite } from '../../src/io/atomic-write.js';
import { optimizers, createOptimizer } from '../../src/optim/index.js';
import { scheduleFamilies, plateauDefaults } from '../../src/schedule/index.js';

const root = join(import.meta.dirname, '..', '..');
const docs = readFileSync(join(root, 'docs', 'optimizers.md'), 'utf8');
const fixture = (rel: string): { path: number[][]; values?: number[] } => JSON.parse(readFileSync(join(root, 'test', 'fixtures', rel), 'utf8'));
const lastPoint = (rel: string): number[] => fixture(rel).path.at(-1)!;

const blocks = [...docs.matchAll(/<!-- example: ([\w-]+) -->\n```ts\n([\s\S]*?)\n```/g)].map((m) => ({ name: m[1], code: m[2] }));

const numbers = (line: string): number[] => line.trim().split(/\s+/).filter((w) => /^-?[\d.]/.test(w)).map(Number);
function near(got: number[], want: number[], rel: number, what: string): void {
  assert.equal(got.length, want.length, `${what}: ${got} vs ${want}`);
  got.forEach((v, i) => assert.ok(Math.abs(v - want[i]) <= rel * Math.max(1, Math.abs(want[i])), `${what}[${i}]: printed ${v}, reference ${want[i]}`));
}

/** Per example: its printed lines against the reference (torch fixture or closed form). */
const references: Record<string, (lines: string[]) => void> = {
  'port-a-recipe': ([l]) => near(numbers(l), lastPoint('optimize-options/adam-amsgrad/expected.json'), 1e-9, 'adam amsgrad, 100 steps'),
  'lectures-momentum': ([l]) => near(numbers(l), lastPoint('optimize/sgd-momentum/expected.json'), 1e-9, 'torch SGD momentum'),
  nesterov: ([look, rewritten]) => {
    const torch = lastPoint('optimize-options/sgd-nesterov/expected.json');
    near(numbers(look), torch, 1e-9, 'look-ahead form');
    near(numbers(rewritten), torch, 1e-9, 'rewritten form');
  },
  'eps-and-bias-correction': ([rms, adam]) => {
    // v = (1 − 0.99)·(1e-3)² = 1e-8: outside −0.01·1e-3/(1e-4 + 1e-8), inside −0.01·1e-3/√(1e-8 + 1e-8)
    near(numbers(rms), [-1e-5 / (1e-4 + 1e-8), -1e-5 / Math.sqrt(2e-8)], 1e-6, 'rmsprop eps');
    // corrected: m̂ = g, v̂ = g², step −0.01·g/(|g| + 1e-8); uncorrected: m = 0.1g, v = 0.001g², −0.01·0.1g/(√0.001·|g| + 1e-8)
    near(numbers(adam), [-1e-5 / (1e-3 + 1e-8), -1e-6 / (Math.sqrt(1e-3) * 1e-3 + 1e-8)], 1e-6, 'adam first step');
  },
  'weight-decay': ([adam, adamw]) => {
    near(numbers(adam), lastPoint('optimize-options/adam-weight-decay-booth/expected.json'), 1e-4, 'adam L2 vs torch');
    near(numbers(adamw), lastPoint('optimize-options/adamw-weight-decay-booth/expected.json'), 1e-4, 'adamw vs torch');
    // Booth: ∇f = Hx − c with H = [[10, 8], [8, 10]], c = (34, 38); L2 minimizer solves (H + 0.5I)x = c
    const det = 10.5 * 10.5 - 64, l2 = [(10.5 * 34 - 8 * 38) / det, (10.5 * 38 - 8 * 34) / det];
    near(numbers(adam), l2, 1e-3, 'adam + L2 settles at the minimizer of f + ½λ‖x‖²');
    assert.ok(Math.abs(numbers(adamw)[1] - l2[1]) > 1, 'decoupled decay stops elsewhere');
  },
  clipping: ([norm, value]) => {
    near(numbers(norm), [-0.1 * 3 / (5 + 1e-6), -0.1 * 4 / (5 + 1e-6)], 1e-8, 'clip_grad_norm_ then an SGD step');
    near(numbers(value), [-0.5, 0.25, 0.5], 0, 'clip_grad_value_');
  },
  'warmup-cosine': ([l]) => {
    const lrs = JSON.parse(readFileSync(join(root, 'test', 'fixtures', 'schedule', 'lrs.json'), 'utf8'));
    const c = lrs.cases.find((x: { spec: { name: string; schedules?: { name: string }[] } }) =>
      x.spec.name === 'sequential' && x.spec.schedules?.length === 2 && x.spec.schedules[1].name === 'cosine');
    assert.deepEqual(c.spec.schedules[0], { name: 'linear', startFactor: 0.1, totalIters: 5 });
    assert.equal(c.baseLr, 0.1);
    near(numbers(l), c.lrs.slice(0, 16), 1e-5, 'torch SequentialLR');
  },
  'lbfgs-torch': ([l]) => {
    const cases = JSON.parse(readFileSync(join(root, 'test', 'fixtures', 'lbfgs-torch', 'optimize.json'), 'utf8')).cases;
    const c = cases.find((k: { name: string }) => k.name === 'rosenbrock-strong-wolfe');
    assert.deepEqual([c.spec.x0, c.spec.optimizer, c.spec.steps], [[-1.5, 2], { name: 'lbfgs-torch', lineSearchFn: 'strong_wolfe' }, 4]);
    near(numbers(l).slice(0, 2), c.path.at(-1), 1e-9, 'torch LBFGS, 4 steps');
    assert.equal(numbers(l)[2], c.evaluations, "torch's func_evals");
  },
  'momentum-annealing': ([mus, end]) => {
    near(numbers(mus), [0.5, 0.5 + 0.49 * 0.5, 0.99, 0.99], 1e-15, 'linear anneal');
    near(numbers(end), lastPoint('optimize-anneal/momentum.json'), 1e-9, 'torch SGD with momentum set per step');
  },
};

/** A default as the docs write it: 1e-8 rather than 0.00000001, lists in brackets, sgd's missing lr as "required". */
function asWritten(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(asWritten).join(', ')}]`;
  if (typeof v === 'number') return Number.isNaN(v) ? 'required' : v !== 0 && Math.abs(v) < 1e-3 ? v.toExponential() : String(v);
  return String(v);
}

test('docs/optimizers.md: each optimizer section states every default of its defaults object', () => {
  for (const [name, rule] of Object.entries(optimizers)) {
    const section = new RegExp(String.raw`### \`${name}\`[^\n]*\n([\s\S]*?)\n\n`).exec(docs);
    assert.ok(section, `a section for ${name}`);
    const text = section[1].replace(/`/g, '').replace(/\n/g, ' ');
    assert.match(text, /Defaults: /, name);
    for (const [key, value] of Object.entries(rule.defaults)) {
      const written = asWritten(value).replace(/[[\].]/g, (c) => `\\${c}`);
      // "lr 1.0" states lr 1; "lr 1" must not pass for lr 10
      assert.match(text, new RegExp(`\\b${key} ${written}(?![\\d])`), `${name}: ${key} ${asWritten(value)}`);
    }
  }
});

test('docs/optimizers.md: the schedule table states every default of the schedule families and plateau', () => {
  const families: [string, Record<string, unknown>][] = [...Object.entries(scheduleFamilies).map(([n, f]) => [n, f.params] as [string, Record<string, unknown>]), ['plateau', plateauDefaults]];
  for (const [name, params] of families) {
    const row = new RegExp(String.raw`^\| \`${name}\` \(([^)]*)\)`, 'm').exec(docs);
    assert.ok(row, `a table row for ${name}`);
    const listed = row[1].split(', ').map((p) => p.split(' ')[0]);
    assert.deepEqual(listed, Object.keys(params), name);
    for (const [key, value] of Object.entries(params)) {
      if (value === undefined) continue; // required: named without a value
      const written = Math.abs((value as number) - 1 / 3) < 1e-15 ? '1/3' : asWritten(value);
      assert.ok(row[1].split(', ').includes(`${key} ${written}`), `${name}: ${key} ${written} in "${row[1]}"`);
    }
  }
});

test("docs/optimizers.md: Adam's step without bias correction under a constant gradient is lr·(1 − β₁ᵗ)/√(1 − β₂ᵗ), as the numbers quoted", () => {
  const x = Float64Array.of(0), g = Float64Array.of(2);
  const opt = createOptimizer('adam', { params: x, grads: g }, { lr: 1, biasCorrection: false, eps: 1e-300 });
  let prev = 0;
  for (let t = 1; t <= 1000; t++) {
    opt.step();
    const step = prev - x[0];
    prev = x[0];
    const closed = (1 - 0.9 ** t) / Math.sqrt(1 - 0.999 ** t);
    assert.ok(Math.abs(step - closed) < 1e-12 * closed, `t = ${t}: ${step} vs ${closed}`);
    const quoted: Record<number, string> = { 1: '3.16γ', 12: '6.57γ', 100: '3.24γ', 1000: '1.26γ' };
    if (quoted[t]) assert.ok(docs.includes(quoted[t]) && quoted[t] === `${step.toFixed(2)}γ`, `t = ${t}: ${step.toFixed(2)}γ`);
  }
});

test('docs/optimizers.md: every example has a reference here and every reference an example', () => {
  assert.deepEqual(blocks.map((b) => b.name).sort(), Object.keys(references).sort());
  // and no unlabelled TypeScript block escapes the test
  assert.equal((docs.match(/```ts\n/g) ?? []).length, blocks.length);
});

const dir = mkdtempSync(join(tmpdir(), 'descent-docs-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

for (const block of blocks) {
  test(`docs/optimizers.md example '${block.name}' prints what the docs say, and that agrees with its reference`, async () => {
    const src = (sub: string): string => pathToFileURL(join(root, 'src', sub ? `${sub}/index.ts` : 'index.ts')).href;
    const code = block.code.replace(/from '(descent)(?:\/(\w+))?'/g, (_m, _d, sub) => `from '${src(sub ?? '')}'`);
    const file = join(dir, `${block.name}.ts`);
    atomicWrite(file, code);
    const printed: string[] = [];
    const log = console.log;
    console.log = (...args: unknown[]) => { printed.push(args.map(String).join(' ')); };
    try {
      await import(pathToFileURL(file).href);
    } finally {
      console.log = log;
    }
    const documented = [...block.code.matchAll(/^\/\/ prints: (.*)$/gm)].map((m) => m[1]);
    assert.deepEqual(printed, documented);
    references[block.name](printed);
  });
}
