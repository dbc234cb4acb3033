/**
 * The lab offers the optimizer registry (src/optim/registry.ts), not a list of its own: function mode has a row
 * for every rule (and SGD's momentum and Nesterov variants), dataset mode lists every rule and trains with each
 * one that can train its dense MLP, the param groups built as `descent train` builds them; the one that cannot
 * (sparse-adam: torch's SparseAdam refuses dense gradients) is refused with its reason, in the trainer and
 * when a link names it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { optimizers, type OptimizerName } from '../../src/optim/index.js';
import { DATA_OPTIMIZERS, LAB_OPTIMIZERS, dataOptimizerRefusal, decodeState, defaultState, optimizerOptions } from '../../src/lab/state.js';
import { ToyTrainer } from '../../src/lab/toy-trainer.js';
import { Race } from '../../src/lab/race.js';
import { DescentError } from '../../src/errors.js';

const names = Object.keys(optimizers) as OptimizerName[];

test('function mode has a row for every registry rule, plus momentum and nesterov; each runs on the 2-D point', () => {
  assert.deepEqual(Object.keys(LAB_OPTIMIZERS).filter((k) => k !== 'momentum' && k !== 'nesterov'), names);
  for (const n of names) assert.equal(LAB_OPTIMIZERS[n].rule, n);
  assert.equal(LAB_OPTIMIZERS.momentum.rule, 'sgd');
  assert.deepEqual(optimizerOptions('nesterov', defaultState().fn), { lr: 0.001, momentum: 0.9, nesterov: true });
  // betas go to every rule whose torch defaults have them (adam's family, sparse-adam), and to no other
  for (const n of names) assert.equal(LAB_OPTIMIZERS[n].uses.includes('betas'), 'betas' in optimizers[n].defaults, n);
  // every rule moves from Rosenbrock's start in 20 steps and stays finite (the race as the page runs it)
  const s = defaultState();
  s.fn.fn = 'rosenbrock';
  s.fn.on = [...names, 'momentum', 'nesterov'];
  const race = new Race(s.fn);
  for (let t = 0; t < 20; t++) race.step();
  for (const r of race.runners) {
    assert.ok(!r.diverged, `${r.name} diverged`);
    assert.ok(r.path.length >= 4 && (r.path[r.path.length - 2] !== -1.5 || r.path[r.path.length - 1] !== 2.5), `${r.name} did not move`);
  }
});

test('dataset mode lists every registry rule; each but sparse-adam trains the MLP (loss falls by 10% in 100 full-batch steps)', () => {
  assert.deepEqual([...DATA_OPTIMIZERS], names);
  const lrs: Partial<Record<OptimizerName, number>> = { sgd: 1, adagrad: 0.1, adadelta: 1, rprop: 0.01, asgd: 0.5, muon: 0.05, 'rmsprop-nesterov': 0.01 };
  for (const opt of names) {
    if (dataOptimizerRefusal(opt)) continue;
    const tr = new ToyTrainer({ ...defaultState().data, dataset: 'circles', opt, lr: lrs[opt] ?? 0.03 });
    for (let t = 0; t < 100; t++) tr.step();
    assert.ok(tr.losses[99] < 0.9 * tr.losses[0] && !tr.diverged(), `${opt}: loss ${tr.losses[0]} → ${tr.losses[99]}`);
  }
});

test('dataset mode builds param groups as descent train does: muon on the hidden 2-D weights, AdamW on the rest; adafactor per tensor', () => {
  const muon = new ToyTrainer({ ...defaultState().data, depth: 2, width: 8, opt: 'muon', lr: 0.05 });
  const params = muon.model.parameters();
  assert.deepEqual(params.map((p) => p.name), ['0.weight', '0.bias', '2.weight', '2.bias', '4.weight', '4.bias']);
  // torch.optim.Muon's docs: Muon for the hidden layers' matrices, AdamW for biases and the output layer
  assert.deepEqual(muon.optimizer.paramGroups.map((g) => g.optimizer ?? 'muon'), ['muon', 'adamw', 'muon', 'adamw', 'adamw', 'adamw']);
  assert.deepEqual(muon.optimizer.paramGroups.map((g) => g.shape), params.map((p) => p.shape));
  muon.state.lr = 0.02;
  muon.applyOptions();
  assert.deepEqual(muon.optimizer.paramGroups.map((g) => g.options.lr), [0.02, 0.02, 0.02, 0.02, 0.02, 0.02]);
  const ada = new ToyTrainer({ ...defaultState().data, depth: 1, width: 5, opt: 'adafactor', lr: 0.05 });
  // a matrix's second moment factored into row and column sums (torch's row_var [5], col_var [2]), a bias's not
  const st = ada.optimizer.state as Record<string, ArrayLike<number>>[];
  assert.deepEqual(st.map((s) => [s.rowVar.length, s.colVar.length, s.variance.length]), [[5, 2, 0], [0, 0, 5], [2, 5, 0], [0, 0, 2]]);
});

test('sparse-adam is refused in dataset mode with its reason: by the trainer and by a link that names it', () => {
  const why = dataOptimizerRefusal('sparse-adam');
  assert.match(why ?? '', /sparse gradients/);
  assert.deepEqual(names.filter((n) => dataOptimizerRefusal(n) !== null), ['sparse-adam']);
  assert.throws(() => new ToyTrainer({ ...defaultState().data, opt: 'sparse-adam' }), (e: unknown) => e instanceof DescentError && /^sparse-adam: needs sparse gradients/.test(e.message));
  const { state, warnings } = decodeState('#mode=data&dopt=sparse-adam');
  assert.equal(state.data.opt, 'adam');
  assert.deepEqual(warnings, [`dopt: sparse-adam ${why}; kept adam`]);
  assert.equal(decodeState('#mode=data&dopt=muon').state.data.opt, 'muon');
});
