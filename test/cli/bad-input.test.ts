// Bad input across every command, through the built CLI (spawns bin/descent.js; `npm run build` first).
// The contract: exit 2, exactly one stderr line `descent: error: ...` naming the flag, field, file, row or
// column at fault, no stack trace, nothing on stdout, and no file created or changed. Each case's regex is
// what a user needs to find the fault; the files it reads are written here, each wrong in one way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { serializeSafetensors } from '../../src/io/safetensors.js';
import { scratchDir } from '../helpers/scratch.js';

const repo = join(import.meta.dirname, '..', '..');
const bin = join(repo, 'bin', 'descent.js');
const dir = scratchDir('descent-bad-input-');
const p = (name: string) => join(dir, name);

// ---- the files the cases read: each wrong in exactly one way ----
const files: Record<string, string | Uint8Array> = {
  'bad-cell.csv': 'a,b,y\n1,2,0\n3,x,1\n',
  'ragged.csv': 'a,b,y\n1,2,0\n3,4\n',
  'fraction-target.csv': 'a,b,y\n1,2,0\n3,4,1\n5,6,2.5\n',
  'seven-target.csv': 'a,b,y\n1,2,0\n3,4,1\n5,6,7\n',
  'regression.csv': 'a,b,y\n1,2,0.5\n3,4,1.5\n5,6,2.5\n7,8,3.5\n9,10,4.5\n',
  'four-features.csv': 'a,b,c,d,y\n1,2,3,4,0\n1,2,3,4,5\n',
  'two-features.csv': 'a,b,y\n1,2,0\n3,4,1\n',
  'spec-bad-json.json': '{"function": "rosenbrock", "x0": [1, 2',
  'spec-unknown-field.json': '{"function": "rosenbrock", "x0": [1, 2], "optimizer": {"name": "adam"}, "stepz": 5}',
  'spec-bad-lr.json': '{"function": "rosenbrock", "x0": [1, 2], "optimizer": {"name": "adam", "lr": -1}, "steps": 5}',
  'spec-x0.json': '{"function": "rosenbrock", "x0": [1, "2"], "optimizer": "adam"}',
  'compare-spec.json': '{"function": "beale", "x0": [1, 1], "optimizers": ["adam"], "stepz": 3}',
  'a-file': 'not a directory\n',
};
/** A safetensors file from a header object (or raw header text) and a data section of `bytes` zero bytes. */
function safetensors(header: unknown, bytes: number): Uint8Array {
  const h = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + h.length + bytes);
  new DataView(out.buffer).setUint32(0, h.length, true);
  out.set(h, 8);
  return out;
}
const f32 = (shape: number[], begin: number) => ({ dtype: 'F32', shape, data_offsets: [begin, begin + 4 * shape.reduce((a, b) => a * b, 1)] });
files['header-not-json.safetensors'] = safetensors('{"0.weight": {', 0);
files['offsets-past-end.safetensors'] = safetensors({ '0.weight': f32([3, 4], 0), '0.bias': f32([3], 48) }, 50);
files['dtype-bf16.safetensors'] = safetensors({ '0.weight': { dtype: 'BF16', shape: [3, 4], data_offsets: [0, 24] } }, 24);
files['shape-2x4.safetensors'] = safetensors({ '0.weight': f32([2, 4], 0), '0.bias': f32([2], 32) }, 40);
files['no-bias.safetensors'] = safetensors({ '0.weight': f32([3, 4], 0) }, 48);
// a valid 3-class softmax for iris's 4 features (torch names, no descent metadata: eval needs --arch)
files['softmax-4x3.safetensors'] = serializeSafetensors({ '0.weight': { shape: [3, 4], data: new Float32Array(12) }, '0.bias': { shape: [3], data: new Float32Array(3) } });
for (const [name, content] of Object.entries(files)) writeFileSync(p(name), content);
mkdirSync(p('a-directory'));

const unwritable = (name: string) => join(p('a-file'), name); // its "folder" is a file: no one, root included, can write there

interface Case {
  args: string[];
  /** What the single line must say (besides the `descent: error: ` prefix). */
  says: RegExp;
  /** Output paths the command was asked to write: none may exist afterwards. */
  outputs?: string[];
  /** Extra environment (DESCENT_MEMORY_LIMIT for the memory budget cases). */
  env?: Record<string, string>;
}

/** The memory budget of the limit cases, in bytes; the sizes in their messages are closed forms below. */
const LIMIT = 1_000_000;
const limitEnv = { DESCENT_MEMORY_LIMIT: String(LIMIT) };
/** Parameters of mlp:100000 on iris (4 features, 3 classes): 4·1e5 + 1e5 + 1e5·3 + 3. */
const MLP_1E5_IRIS = 4e5 + 1e5 + 3e5 + 3;

const rosen = ['optimize', '--fn', 'rosenbrock', '--x0', '1,2'];
const trainIris = ['train', '--data', 'iris', '--epochs', '1'];
const ens = ['ensemble', '--data', 'iris', '--val', '0.2', '--epochs', '1'];
const km = ['kmeans', '--data', 'iris'];
const cmpFn = ['compare', '--fn', 'beale', '--x0', '1,1', '--out', p('compare-out')];

const cases: Case[] = [
  // ---- optimize: hyperparameter ranges (torch's), function dimensions, names, numbers, spec files, outputs
  { args: [...rosen, '--opt', 'adam', '--lr', '-1'], says: /^--lr: expected a number >= 0, got -1 \(invalid learning rate\)$/ },
  { args: [...rosen, '--opt', 'adam', '--betas', '0.9,1'], says: /^--betas\[1\]: expected a number in \[0, 1\), got 1/ },
  { args: [...rosen, '--opt', 'adamw', '--betas=-0.1,0.9'], says: /^--betas\[0\]: expected a number in \[0, 1\)/ },
  { args: [...rosen, '--opt', 'adam', '--eps', '-1e-8'], says: /^--eps: expected a number >= 0, got -1e-8/ },
  { args: [...rosen, '--opt', 'sgd', '--lr', '0.1', '--momentum', '-0.5'], says: /^--momentum: expected a number >= 0, got -0\.5/ },
  { args: [...rosen, '--opt', 'adam', '--weight-decay', '-1'], says: /^--weight-decay: expected a number >= 0/ },
  { args: [...rosen, '--opt', 'nadam', '--torch113', '--maximize'], says: /^--torch113: torch 1\.13's NAdam has no maximize/ },
  { args: [...rosen, '--opt', 'rmsprop', '--alpha', '1.5'], says: /^--alpha: expected a number in \[0, 1\]/ },
  { args: ['optimize', '--fn', 'rosenbrock', '--x0', '1', '--opt', 'adam'], says: /rosenbrock.*x0 of length at least 2, got 1/ },
  { args: ['optimize', '--fn', 'beale', '--x0', '1,2,3', '--opt', 'adam'], says: /beale.*x0 of length 2, got 3/ },
  { args: ['optimize', '--fn', 'nope', '--x0', '1,2', '--opt', 'adam'], says: /unknown function 'nope'; expected one of: .*rosenbrock, beale/ },
  { args: [...rosen, '--opt', 'adamm'], says: /unknown optimizer 'adamm'; expected one of: sgd, .*adam, .*lbfgs/ },
  { args: ['optimize', '--fn', 'rosenbrock', '--x0', '1,a', '--opt', 'adam'], says: /^--x0: expected comma-separated numbers, got '1,a'/ },
  { args: [...rosen, '--opt', 'adam', '--steps', '1.5'], says: /^--steps: expected an integer >= 0, got '1\.5'/ },
  { args: [...rosen, '--opt', 'adam', '--schedule', 'foo:x=1'], says: /unknown schedule 'foo'; expected one of: step, multistep/ },
  { args: [...rosen, '--opt', 'adam', '--schedule', 'step:stepSize=-1'], says: /stepSize: expected an integer >= 1, got -1/ },
  { args: [...rosen, '--opt', 'lbfgs', '--history-size', '0'], says: /^--history-size: expected an integer >= 1, got '0'$/ },
  { args: [...rosen, '--opt', 'adam', '--bogus'], says: /unknown option '--bogus'/ },
  { args: [...rosen, '--opt', 'adam', '--lr'], says: /option '--lr <x>' argument missing/ },
  { args: ['optimize', '--spec', p('missing.json')], says: /^--spec: cannot read '.*missing\.json'/ },
  { args: ['optimize', '--spec', p('spec-bad-json.json')], says: /^--spec .*spec-bad-json\.json: not valid JSON/ },
  { args: ['optimize', '--spec', p('spec-unknown-field.json')], says: /spec-unknown-field\.json: unknown field 'stepz'; expected one of: function, x0/ },
  { args: ['optimize', '--spec', p('spec-bad-lr.json')], says: /spec-bad-lr\.json: optimizer\.lr: expected a number >= 0, got -1/ },
  { args: ['optimize', '--spec', p('spec-x0.json')], says: /spec-x0\.json: x0: expected a non-empty list of finite numbers/ },
  { args: [...rosen, '--opt', 'adam', '--plot', unwritable('path.svg')], says: /^--plot: cannot write '.*path\.svg': '.*a-file' is not a directory/, outputs: [unwritable('path.svg')] },
  { args: [...rosen, '--opt', 'adam', '--plot', p('a-directory')], says: /^--plot: expected a file name ending in \.svg/ },

  // ---- train: CSV cells and targets, names, ranges, safetensors headers, files in and out
  { args: ['train', '--data', p('bad-cell.csv')], says: /bad-cell\.csv: row 2 \(line 3\), column 'b': expected a number, got 'x'/ },
  { args: ['train', '--data', p('ragged.csv')], says: /ragged\.csv: row 2 \(line 3\): expected 3 fields as in the header, got 2/ },
  { args: ['train', '--data', p('fraction-target.csv'), '--loss', 'ce'], says: /^--loss ce: target 'y' must hold class indices 0\.\.K-1 \(K >= 2\); row 3 has 2\.5/ },
  { args: ['train', '--data', p('seven-target.csv'), '--model', 'logistic'], says: /^--loss bce: target 'y' must be 0 or 1; row 3 has 7/ },
  { args: ['train', '--data', p('missing.csv')], says: /^--data: cannot read '.*missing\.csv' \(no such file\)/ },
  { args: ['train', '--data', 'nosuch'], says: /^--data: unknown dataset 'nosuch'; expected one of: mnist, digits, iris/ },
  { args: ['train', '--data', p('two-features.csv'), '--target', 'z'], says: /^--target: no column 'z' in .*two-features\.csv; columns: a, b, y/ },
  { args: [...trainIris, '--dropout', '1'], says: /^--dropout: expected a probability in \[0, 1\), got '1'$/ },
  { args: [...trainIris, '--model', 'mlp:0'], says: /^--model: expected linear, logistic, softmax or mlp:H1,H2,\.\.\. \(positive widths\), got 'mlp:0'/ },
  { args: [...trainIris, '--activation', 'gelu'], says: /unknown activation 'gelu'; expected one of: relu, sigmoid, tanh/ },
  { args: [...trainIris, '--loss', 'l2'], says: /unknown loss 'l2'; expected one of: mse, bce, ce, hinge/ },
  { args: [...trainIris, '--batch', '0'], says: /^--batch: expected 'full' or an integer >= 1, got '0'/ },
  { args: ['train', '--data', 'iris', '--epochs', '-1'], says: /^--epochs: expected an integer >= 0, got '-1'/ },
  { args: [...trainIris, '--seed', '1.5'], says: /^--seed: expected an integer >= 0/ },
  { args: [...trainIris, '--val', '1'], says: /^--val: expected a number >= 0 and <= 0\.99, got '1'/ },
  { args: [...trainIris, '--opt', 'adam', '--lr', '-0.1'], says: /^--lr: expected a number >= 0, got -0\.1/ },
  { args: [...trainIris, '--opt', 'nadam', '--momentum-decay', '-1'], says: /^--momentum-decay: expected a number >= 0/ },
  { args: [...trainIris, '--opt', 'lbfgs'], says: /^--batch: 'lbfgs' needs --batch full/ },
  { args: [...trainIris, '--on-nonfinite', 'ignore'], says: /^--on-nonfinite: expected stop or skip-batch, got 'ignore'/ },
  { args: [...trainIris, '--schedule-every', 'week'], says: /^--schedule-every: expected epoch or batch, got 'week'/ },
  { args: [...trainIris, '--save', unwritable('model.safetensors')], says: /^--save: cannot write '.*model\.safetensors': '.*a-file' is not a directory/, outputs: [unwritable('model.safetensors')] },
  { args: [...trainIris, '--save', p('a-directory')], says: /^--save: '.*a-directory' is a directory; expected a file name/ },
  { args: [...trainIris, '--checkpoint', unwritable('ck.safetensors')], says: /^--checkpoint: cannot write/, outputs: [unwritable('ck.safetensors')] },
  { args: [...trainIris, '--out', join(p('a-file'), 'run')], says: /^--out: cannot create '.*run': '.*a-file' is not a directory/, outputs: [join(p('a-file'), 'run')] },
  { args: [...trainIris, '--init', p('header-not-json.safetensors')], says: /^--init .*header-not-json\.safetensors: header is not valid UTF-8 JSON/ },
  { args: [...trainIris, '--init', p('offsets-past-end.safetensors')], says: /^--init .*: tensor '0\.bias': data_offsets \[48, 60\] past the end of the data \(50 bytes\)/ },
  { args: [...trainIris, '--init', p('dtype-bf16.safetensors')], says: /^--init .*: tensor '0\.weight': dtype 'BF16' is not supported; expected F32 or F64/ },
  { args: [...trainIris, '--model', 'softmax', '--init', p('shape-2x4.safetensors')], says: /^--init .*: '0\.weight' has shape \[2, 4\], the model expects \[3, 4\]/ },
  { args: [...trainIris, '--model', 'softmax', '--init', p('no-bias.safetensors')], says: /^--init .*: missing tensor '0\.bias' \(shape \[3\]\)/ },
  { args: [...trainIris, '--init', p('missing.safetensors')], says: /^--init: cannot read '.*missing\.safetensors'; expected a \.safetensors file/ },
  { args: [...trainIris, '--resume', p('two-features.csv')], says: /^--resume .*two-features\.csv: /, outputs: [] },

  // ---- eval: required flags, files, the loss against the model, targets against its classes
  { args: ['eval', '--data', 'iris'], says: /^--model: required/ },
  { args: ['eval', '--model', p('missing.safetensors'), '--data', 'iris'], says: /^--model: cannot read '.*missing\.safetensors'/ },
  { args: ['eval', '--model', p('softmax-4x3.safetensors'), '--data', 'iris'], says: /^--arch: .*softmax-4x3\.safetensors has no descent metadata/ },
  { args: ['eval', '--model', p('softmax-4x3.safetensors'), '--arch', 'softmax', '--loss', 'bce', '--data', 'iris'], says: /^--loss bce: the model in .* has 3 outputs; bce needs 1/ },
  { args: ['eval', '--model', p('softmax-4x3.safetensors'), '--arch', 'softmax', '--data', p('four-features.csv')], says: /^--data .*four-features\.csv: row 2, target 'y': expected a class index 0\.\.2 \(the model has 3 outputs\), got 5/ },
  { args: ['eval', '--model', p('softmax-4x3.safetensors'), '--arch', 'softmax', '--data', p('two-features.csv')], says: /'0\.weight' takes 4 features, --data .*two-features\.csv has 2/ },
  { args: ['eval', '--model', p('softmax-4x3.safetensors'), '--arch', 'softmax', '--data', 'iris', '--standardize', 'no'], says: /^--standardize: expected true or false, got 'no'$/ },
  { args: ['eval', '--model', p('softmax-4x3.safetensors'), '--arch', 'softmax', '--data', 'iris', '--val', '2'], says: /^--val: expected a fraction in \[0, 1\), got '2'/ },

  // ---- ensemble
  { args: [...ens], says: /^ensemble: give exactly one of --bagging K or --snapshots M/ },
  { args: [...ens, '--bagging', '0'], says: /^--bagging: expected an integer >= 1, got '0'/ },
  { args: [...ens, '--bagging', '2', '--dropout', 'x'], says: /^--dropout: expected a probability in \[0, 1\), got 'x'/ },
  { args: [...ens, '--bagging', '2', '--opt', 'lbfgs'], says: /^--opt: expected a first-order optimizer \(sgd, .*\), got 'lbfgs'/ },
  { args: [...ens, '--bagging', '2', '--lr', '-1'], says: /^--lr: expected a number >= 0, got -1/ },
  { args: ['ensemble', '--data', p('regression.csv'), '--val', '0.4', '--bagging', '2'], says: /regression\.csv: ensembles here are for classification; target 'y'/ },
  { args: [...ens, '--bagging', '2', '--out', join(p('a-file'), 'members')], says: /^--out: cannot create/, outputs: [join(p('a-file'), 'members')] },

  // ---- kmeans
  { args: [...km, '--k', '0'], says: /^--k: expected an integer >= 1, got '0'/ },
  { args: [...km, '--k', '1000'], says: /^--k: expected at most the number of rows \(150\), got 1000/ },
  { args: [...km, '--k', '3', '--method', 'sgd'], says: /^--method: expected one of batch, online, minibatch, all, got 'sgd'/ },
  { args: [...km, '--k', '3', '--init', 'farthest'], says: /^--init: expected kmeans\+\+ or random, got 'farthest'/ },
  { args: ['kmeans', '--data', p('bad-cell.csv'), '--k', '2'], says: /bad-cell\.csv: row 2 \(line 3\), column 'b': expected a number, got 'x'/ },
  { args: [...km, '--k', '3', '--plot', unwritable('k.svg')], says: /^--plot: cannot write '.*k\.svg'/, outputs: [unwritable('k.svg')] },

  // ---- compare
  { args: ['compare'], says: /^compare: give --fn NAME --x0 A,B/ },
  { args: [...cmpFn, '--opt', 'adam:lr=-1'], says: /^--opt 'adam:lr=-1': lr: expected a number >= 0, got -1/, outputs: [p('compare-out')] },
  { args: [...cmpFn, '--opt', 'adamm'], says: /unknown optimizer 'adamm'; expected one of: sgd/, outputs: [p('compare-out')] },
  { args: [...cmpFn, '--opt', 'adam:foo=1'], says: /^--opt: adam has no hyperparameter 'foo'; expected one of: lr, betas/, outputs: [p('compare-out')] },
  { args: [...cmpFn, '--opt', 'adam', '--steps', '0'], says: /^--steps: expected an integer >= 1, got '0'/, outputs: [p('compare-out')] },
  // search methods race on test functions; a training race (--data) takes first-order rules and lbfgs-torch only
  { args: ['compare', '--data', 'iris', '--opt', 'bfgs', '--out', p('compare-out')], says: /^--opt: 'bfgs' races on a test function only \(--fn\); training races \(--data\) take first-order optimizers or lbfgs-torch, since a line search needs one fixed full-batch loss/, outputs: [p('compare-out')] },
  { args: [...cmpFn, '--opt', 'newton', '--data', 'iris'], says: /^--opt: 'newton' races on a test function only \(--fn\)/, outputs: [p('compare-out')] },
  { args: [...cmpFn, '--opt', 'bfgs:gtol=-1'], says: /^--opt 'bfgs:gtol=-1': bfgs: gtol: expected a number >= 0, got -1$/, outputs: [p('compare-out')] },
  { args: [...cmpFn, '--opt', 'lbfgs-torch:lineSearchFn=wolfe'], says: /^--opt 'lbfgs-torch:lineSearchFn=wolfe': lineSearchFn: expected strong_wolfe or none, got "wolfe"$/, outputs: [p('compare-out')] },
  { args: ['compare', '--data', 'iris', '--opt', 'adam', '--batch', '0', '--out', p('compare-out')], says: /^--batch: expected 'full' or an integer >= 1, got '0'/, outputs: [p('compare-out')] },
  { args: ['compare', '--data', 'iris', '--opt', 'adam', '--model', 'cnn', '--out', p('compare-out')], says: /^--model: expected linear, logistic, softmax or mlp/, outputs: [p('compare-out')] },
  { args: ['compare', '--preset', 'nope'], says: /^--preset: unknown preset 'nope'; expected one of: headline/ },
  { args: ['compare', '--spec', p('compare-spec.json')], says: /compare-spec\.json: unknown field 'stepz'/ },
  { args: ['compare', '--fn', 'beale', '--x0', '1,1', '--opt', 'adam', '--out', join(p('a-file'), 'report')], says: /^--out: cannot create/, outputs: [join(p('a-file'), 'report')] },

  // ---- lab and the program itself
  { args: ['lab', '--port', '99999', '--no-open'], says: /^--port: expected an integer 0\.\.65535, got '99999'/ },
  { args: ['frobnicate'], says: /unknown command 'frobnicate'/ },

  // ---- the memory budget (DESCENT_MEMORY_LIMIT) in every command that builds models or holds data: refused
  // before anything is allocated, naming the bytes (float32: 4 per parameter, times the copies held) and the limit
  {
    args: [...ens, '--bagging', '2', '--model', 'mlp:100000'], env: limitEnv,
    // bagging keeps both members' weights and gradients, and one optimizer state: 2·2 + 3 copies
    says: new RegExp(`^--model mlp:100000: ${MLP_1E5_IRIS} parameters need about ${MLP_1E5_IRIS * 4 * 7} bytes for 2 members .*, over the limit of ${LIMIT} bytes \\(DESCENT_MEMORY_LIMIT\\); use smaller hidden widths or fewer members \\(--bagging\\)$`),
  },
  {
    args: [...ens, '--snapshots', '3', '--model', 'mlp:100000'], env: limitEnv,
    // the trained model (weights, gradients, 3 optimizer buffers), 3 snapshots, a same-budget model (2): 10 copies
    says: new RegExp(`^--model mlp:100000: ${MLP_1E5_IRIS} parameters need about ${MLP_1E5_IRIS * 4 * 10} bytes for 3 snapshots .*over the limit of ${LIMIT} bytes`),
  },
  {
    args: ['eval', '--model', p('softmax-4x3.safetensors'), '--arch', 'mlp:100000', '--data', 'iris'], env: limitEnv,
    // weights, gradients and the float64 initial values while building: 4 float32 copies
    says: new RegExp(`^--arch mlp:100000: ${MLP_1E5_IRIS} parameters need about ${MLP_1E5_IRIS * 4 * 4} bytes to evaluate .*over the limit of ${LIMIT} bytes \\(DESCENT_MEMORY_LIMIT\\); expected the architecture of the tensors in .*softmax-4x3\\.safetensors$`),
  },
  { args: ['eval', '--model', p('softmax-4x3.safetensors'), '--data', 'iris'], env: { DESCENT_MEMORY_LIMIT: '100' }, says: new RegExp(`^--model .*softmax-4x3\\.safetensors: the file has ${files['softmax-4x3.safetensors'].length} bytes, over the limit of 100 bytes \\(DESCENT_MEMORY_LIMIT\\)`) },
  {
    args: ['compare', '--data', 'iris', '--opt', 'adam', '--model', 'mlp:100000', '--out', p('compare-out')], env: limitEnv, outputs: [p('compare-out')],
    // checked in compare itself, before any training child starts: train's 5 copies
    says: new RegExp(`^--model mlp:100000: ${MLP_1E5_IRIS} parameters need about ${MLP_1E5_IRIS * 4 * 5} bytes to train \\(float32 weights, gradients and optimizer state\\), over the limit of ${LIMIT} bytes`),
  },
  // 3 methods × 3 seeds, each keeping 100×4 float64 centers and 150 int32 assignments, and one run's working arrays
  { args: [...km, '--k', '100'], env: { DESCENT_MEMORY_LIMIT: '20000' }, says: new RegExp(`^--seeds 3, --k 100: 9 runs of 100 centers × 4 features on 150 rows need about ${9 * (8 * 400 + 4 * 150 + 16384) + 12 * 150 + 16 * 400} bytes .*over the limit of 20000 bytes \\(DESCENT_MEMORY_LIMIT\\); use a smaller --k`) },
  // kmeans reads CSV files with train's reader: float64 features here (no 'label'/'target' column: y is a feature), 24 bytes a row
  { args: ['kmeans', '--data', p('two-features.csv'), '--k', '1'], env: { DESCENT_MEMORY_LIMIT: '30' }, says: /two-features\.csv: the data needs more than 30 bytes in memory \(over 1 rows × \(3 float64 features\)\), over the limit of 30 bytes \(DESCENT_MEMORY_LIMIT\)/ },
  { args: ['kmeans', '--data', p('ragged.csv'), '--k', '1'], says: /ragged\.csv: row 2 \(line 3\): expected 3 fields as in the header, got 2/ },
  { args: ['kmeans', '--data', p('two-features.csv'), '--k', '1', '--target', 'z'], says: /^--target: no column 'z' in .*two-features\.csv; columns: a, b, y/ },
  { args: ['kmeans', '--data', p('missing.csv'), '--k', '1'], says: /^--data: cannot read '.*missing\.csv' \(no such file\); expected a CSV file/ },

  // ---- found by running every command's flags with absurd values (negative, NaN, 1e309, empty, blank, lists, repeats)
  // an option given twice is refused, not silently last-wins; lists (compare --opt, --x0) may repeat
  { args: [...trainIris, '--lr', '0.1', '--lr', '1'], says: /^--lr: given twice \(--lr 0\.1, then --lr 1\); expected it once$/ },
  { args: [...cmpFn, '--opt', 'adam', '--steps', '3', '--steps', '4'], says: /^--steps: given twice \(--steps 3, then --steps 4\); expected it once$/, outputs: [p('compare-out')] },
  { args: [...trainIris, '--no-shuffle', '--no-shuffle'], says: /^--no-shuffle: given twice/ },
  // line-search hyperparameters name the flag and the text typed (was 'lbfgs: c1: ..., got null' after the data note on stdout)
  { args: [...trainIris, '--opt', 'lbfgs', '--batch', 'full', '--c1', '1e309'], says: /^--c1: expected a number in \(0, 1\), got '1e309'$/ },
  { args: [...trainIris, '--opt', 'bfgs', '--batch', 'full', '--wolfe', 'nw'], says: /^--wolfe: expected "more-thuente" or "nocedal-wright", got 'nw'$/ },
  // torch.optim.LBFGS's line_search_fn: strong_wolfe or none, in optimize and train alike; its name in the list of known ones
  { args: [...rosen, '--opt', 'lbfgs-torch', '--line-search-fn', 'wolfe'], says: /^--line-search-fn: expected strong_wolfe or none, got 'wolfe'$/ },
  { args: [...trainIris, '--opt', 'lbfgs-torch', '--line-search-fn', 'Strong_Wolfe'], says: /^--line-search-fn: expected strong_wolfe or none, got 'Strong_Wolfe'$/ },
  { args: [...rosen, '--opt', 'lbfgs-torch', '--max-iter', '0'], says: /^--max-iter: expected an integer >= 1, got '0'$/ },
  { args: [...rosen, '--opt', 'lbfgs-tourch'], says: /^unknown optimizer 'lbfgs-tourch'; expected one of: sgd, .*lbfgs, .*lbfgs-torch/ },
  // empty and blank values were read as 0 or as the current folder
  { args: [...trainIris, '--out', ''], says: /^--out: expected a directory name, got ''$/ },
  { args: [...ens, '--bagging', '2', '--out', ' '], says: /^--out: expected a directory name, got ' '$/ },
  { args: [...ens, '--bagging', '2', '--seed', ' '], says: /^--seed: expected an integer >= 0, got ' '$/ },
  { args: [...km, '--k', '3', '--seeds', ''], says: /^--seeds: expected an integer >= 1, got ''$/ },
  { args: [...rosen, '--opt', 'adam', '--steps', ''], says: /^--steps: expected an integer >= 0, got ''$/ },
  { args: ['optimize', '--fn', 'quadratic:scale=', '--x0', '1,2', '--opt', 'adam'], says: /^--fn: expected NAME:KEY=NUMBER,\.\.\., got 'quadratic:scale='$/ },
  { args: ['eval', '--model', p('softmax-4x3.safetensors'), '--arch', 'softmax', '--data', 'iris', '--val', ''], says: /^--val: expected a fraction in \[0, 1\), got ''$/ },
  // training flags of a function-only comparison are checked too
  { args: [...cmpFn, '--opt', 'adam', '--batch', 'abc'], says: /^--batch: expected 'full' or an integer >= 1, got 'abc'/, outputs: [p('compare-out')] },
  // --epochs 0 is train's (the initial model); a comparison or an ensemble needs training
  { args: ['ensemble', '--data', 'iris', '--val', '0.2', '--bagging', '2', '--epochs', '0'], says: /^--epochs: expected an integer >= 1, got '0'; an ensemble of untrained members .*descent train --epochs 0 --save FILE\)$/ },
  { args: [...cmpFn, '--opt', 'adam', '--data', 'iris', '--epochs', '0'], says: /^--epochs: expected an integer >= 1, got '0'; a comparison needs training/, outputs: [p('compare-out')] },
  // no command at all: one line listing the commands (commander printed the whole help as an "error", with exit 0)
  { args: [], says: /^missing command; expected one of: optimize, .*train.*compare.* \(descent --help describes them\)$/ },
];

function run(args: string[], env: Record<string, string> = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let stdout = '', stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const guard = setTimeout(() => child.kill('SIGKILL'), 30_000); // a hang fails the case instead of the suite
    child.on('close', (status) => {
      clearTimeout(guard);
      resolve({ status, stdout, stderr });
    });
  });
}

/** Every file under `root` with its size, modification time and bytes: a changed or new file shows. */
function snapshot(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const f = join(d, name);
      const st = statSync(f);
      if (st.isDirectory()) walk(f);
      else out.set(f, `${st.size}:${st.mtimeMs}:${readFileSync(f).toString('base64')}`);
    }
  };
  walk(root);
  return out;
}

test(`bad input: ${cases.length} cases across every command exit 2 with one 'descent: error:' line naming the fault, and write nothing`, async () => {
  assert.ok(cases.length >= 40);
  assert.equal(new Set(cases.map((c) => `${c.args.join(' ')} ${JSON.stringify(c.env ?? {})}`)).size, cases.length, 'cases are distinct');
  const commands = new Set(cases.map((c) => c.args[0]));
  for (const c of ['optimize', 'train', 'eval', 'ensemble', 'kmeans', 'compare', 'lab']) assert.ok(commands.has(c), `a case for ${c}`);
  const before = snapshot(dir);
  const repoReports = existsSync(join(repo, 'reports')) ? readdirSync(join(repo, 'reports')).join(',') : '';
  const failures: string[] = [];
  const batch = 8; // small concurrent batches: fast on two cores without starving the other test files
  for (let i = 0; i < cases.length; i += batch) {
    const part = cases.slice(i, i + batch);
    const results = await Promise.all(part.map((c) => run(c.args, c.env)));
    part.forEach((c, j) => {
      const r = results[j];
      const what = `descent ${c.args.join(' ')}`;
      const lines = r.stderr.split('\n');
      const problems: string[] = [];
      if (r.status !== 2) problems.push(`exit ${r.status}, expected 2`);
      if (lines.length !== 2 || lines[1] !== '') problems.push(`stderr is ${lines.length - 1} lines, expected exactly one`);
      if (!lines[0].startsWith('descent: error: ')) problems.push('stderr does not start with "descent: error: "');
      else if (!c.says.test(lines[0].slice('descent: error: '.length))) problems.push(`does not match ${c.says}`);
      if (/\n\s+at .*:\d+:\d+/.test(r.stderr) || /internal error/.test(r.stderr)) problems.push('a stack trace or internal error');
      if (r.stdout !== '') problems.push(`stdout is not empty: ${JSON.stringify(r.stdout.slice(0, 80))}`);
      for (const o of c.outputs ?? []) if (existsSync(o)) problems.push(`${o} was created`);
      if (problems.length) failures.push(`${what}\n    ${problems.join('; ')}\n    stderr: ${JSON.stringify(r.stderr)}`);
    });
  }
  assert.deepEqual(failures, [], `\n${failures.join('\n')}`);
  const after = snapshot(dir);
  assert.deepEqual([...after.keys()].sort(), [...before.keys()].sort(), 'no file created or removed');
  for (const [f, sig] of before) assert.equal(after.get(f), sig, `${f} unchanged`);
  assert.equal(existsSync(join(repo, 'reports')) ? readdirSync(join(repo, 'reports')).join(',') : '', repoReports, 'no report folder written');
});
