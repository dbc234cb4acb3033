/**
 * The published types stand alone (issue 15): `npm pack` output unpacked into a fresh consumer project's
 * node_modules, beside exactly the packages `npm install` would add (package.json "dependencies" and theirs,
 * from this checkout's node_modules, so no network), type-checks with skipLibCheck false, strict, no global
 * types, under moduleResolution node16 and bundler. A .d.ts that imports a devDependency's types fails here
 * (TS7016, as it did for dist/viz and @types/d3-scale).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const repo = join(import.meta.dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; exports: Record<string, unknown> };

/** The dependency closure npm would install for the published package (names only; each from this checkout). */
function runtimeClosure(): string[] {
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    const file = join(repo, 'node_modules', name, 'package.json');
    assert.ok(existsSync(file), `${name} is a dependency but not in node_modules: run npm ci`);
    const p = JSON.parse(readFileSync(file, 'utf8')) as { dependencies?: Record<string, string> };
    for (const d of Object.keys(p.dependencies ?? {})) if (existsSync(join(repo, 'node_modules', d))) visit(d);
  };
  for (const d of Object.keys(pkg.dependencies)) visit(d);
  return [...seen];
}

const consumerSource = `
import { train, createOptimizer, minimize, makeObjective, buildModel, Rng, evaluate, loadRows, type TrainConfig, type LoadedDataset } from 'descent';
import { loadDataset, nodeRunFiles } from 'descent/node';
import { lineChartSvg, contourPlotSvg } from 'descent/viz';
import { parseCsv, splitDataset } from 'descent/data';
import { Trainer } from 'descent/train';
import { Var } from 'descent/autograd';
import { Tensor } from 'descent/tensor';
import { Linear } from 'descent/nn';
import { optimizers } from 'descent/optim';
import { createSchedule } from 'descent/schedule';
import { minimizeParams } from 'descent/search';
import { objectives } from 'descent/objectives';
import { parseSafetensors } from 'descent/io';

const data: LoadedDataset = loadDataset('iris');
const config: TrainConfig = { data, model: 'softmax', optimizer: { name: 'lbfgs' }, batch: 'full', epochs: 3, dtype: 'float64' };
export const run = train(config, { files: nodeRunFiles });
export const used = [createOptimizer, minimize, makeObjective, buildModel, Rng, evaluate, loadRows, lineChartSvg, contourPlotSvg, parseCsv,
  splitDataset, Trainer, Var, Tensor, Linear, optimizers, createSchedule, minimizeParams, objectives, parseSafetensors];
`;

test('npm pack output type-checks in a fresh consumer (skipLibCheck false; node16 and bundler resolution)', () => {
  assert.ok(existsSync(join(repo, 'dist', 'index.d.ts')), 'dist/ is missing: run npm run build');
  const dir = mkdtempSync(join(tmpdir(), 'descent-consumer-'));
  try {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const packed = execFileSync(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: repo, encoding: 'utf8' });
    const tarball = join(dir, (JSON.parse(packed) as { filename: string }[])[0].filename);
    const app = join(dir, 'app');
    const nm = join(app, 'node_modules');
    mkdirSync(join(nm, 'descent'), { recursive: true });
    execFileSync('tar', ['-xzf', tarball, '-C', join(nm, 'descent'), '--strip-components=1']);
    for (const name of runtimeClosure()) {
      mkdirSync(dirname(join(nm, name)), { recursive: true });
      symlinkSync(join(repo, 'node_modules', name), join(nm, name), 'dir');
    }
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: { descent: `file:${tarball}` } }));
    writeFileSync(join(app, 'index.ts'), consumerSource);
    const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
    for (const [module, moduleResolution] of [['node16', 'node16'], ['esnext', 'bundler']]) {
      const cfg = `tsconfig.${moduleResolution}.json`;
      writeFileSync(join(app, cfg), JSON.stringify({
        compilerOptions: { target: 'es2022', module, moduleResolution, strict: true, skipLibCheck: false, noEmit: true, types: [], lib: ['es2022', 'dom'] },
        files: ['index.ts'],
      }));
      const r = spawnSync(process.execPath, [tsc, '-p', cfg], { cwd: app, encoding: 'utf8' });
      assert.equal(r.status, 0, `tsc (${moduleResolution}) in the consumer:\n${r.stdout}${r.stderr}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
