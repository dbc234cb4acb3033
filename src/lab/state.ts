/**
 * The playground's whole state, and its encoding in the URL hash, so a view can be shared and a
 * reload restores it. Pure (no DOM): the browser app and the Node tests use the same functions.
 *
 * Only values that differ from the defaults are written, so a fresh view has an empty hash and a
 * shared link stays short. Parsing is forgiving: an unknown or out-of-range value falls back to its
 * default (a hand-edited link still opens) and is reported in `warnings`.
 */

import { optimizers, type OptimizerName } from '../optim/registry.js';
import { optimizerColor } from '../viz/optimizer-colors.js';

/** The test functions offered, with the start point used until the user clicks one. */
export const LAB_FUNCTIONS = {
  beale: { start: [2, -2], label: 'Beale', formula: '(1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²' },
  rosenbrock: { start: [-1.5, 2.5], label: 'Rosenbrock', formula: '100(y − x²)² + (1 − x)²' },
  saddle: { start: [-1.8, 0.01], label: 'Saddle', formula: 'x² − y²' },
  valley: { start: [-9, 2], label: 'Long valley', formula: '½(0.1x² + 10y²)' },
  himmelblau: { start: [-0.5, 0.5], label: 'Himmelblau', formula: '(x² + y − 11)² + (x + y² − 7)²' },
  booth: { start: [-8, -8], label: 'Booth', formula: '(x + 2y − 7)² + (2x + y − 5)²' },
  plateau: { start: [4, 3], label: 'Plateau', formula: '1 − exp(−(x² + y²)/2)' },
} as const satisfies Record<string, { start: readonly [number, number]; label: string; formula: string }>;
export type LabFunction = keyof typeof LAB_FUNCTIONS;
/** A function picked from the list, or `custom`: the one typed in the expression field (`expr`). */
export type LabFunctionChoice = LabFunction | 'custom';
/** The typed function a fresh page offers, its domain and start. */
export const CUSTOM_DEFAULT = { expr: 'x^2 + 10*y^2', domain: [-3, 3, -3, 3] as [number, number, number, number], start: [2, 1.5] as [number, number] };

/** One optimizer row of function mode. */
export interface LabOptimizerEntry {
  /** The torch rule behind it (a name of src/optim's registry). */
  readonly rule: OptimizerName;
  readonly label: string;
  /** The lr a fresh page starts it at. */
  readonly lr: number;
  readonly color: string;
  /** The sliders it reads: `momentum`, `betas` (β₁, β₂). */
  readonly uses: readonly ('momentum' | 'betas')[];
}
/** An optimizer of function mode: every rule of the registry, and SGD's momentum and Nesterov variants. */
export type LabOptimizer = OptimizerName | 'momentum' | 'nesterov';

/** Labels as the lectures and torch write them; a rule not named here shows its registry name. */
const LABELS: Partial<Record<LabOptimizer, string>> = {
  sgd: 'SGD', momentum: 'Momentum', nesterov: 'Nesterov', adagrad: 'Adagrad', rmsprop: 'RMSProp', adam: 'Adam', adamw: 'AdamW',
  adamax: 'Adamax', nadam: 'NAdam', radam: 'RAdam', rprop: 'Rprop', adadelta: 'Adadelta', asgd: 'ASGD', adafactor: 'Adafactor',
  'sparse-adam': 'SparseAdam', muon: 'Muon', 'rmsprop-nesterov': 'RMSProp (Nesterov)',
};
/**
 * Learning rates that make each rule move visibly on the lab's functions in a few hundred steps; a rule not
 * named here starts at its torch default lr. radam takes SGD's: its first five steps are momentum SGD on the
 * raw gradient (ρ_t ≤ 5), which at Adam's 0.05 overshoots Rosenbrock's start.
 */
const LAB_LR: Partial<Record<LabOptimizer, number>> = {
  sgd: 0.001, momentum: 0.001, nesterov: 0.001, adagrad: 0.5, rmsprop: 0.01, adam: 0.05, adamw: 0.05, adamax: 0.05, nadam: 0.05,
  radam: 0.001, adadelta: 1, asgd: 0.001, adafactor: 0.05, 'sparse-adam': 0.05, muon: 0.05, 'rmsprop-nesterov': 0.01,
};

function labEntry(name: LabOptimizer): LabOptimizerEntry {
  const rule: OptimizerName = name === 'momentum' || name === 'nesterov' ? 'sgd' : name;
  const defaults = optimizers[rule].defaults as Readonly<Record<string, unknown>>;
  // the momentum slider feeds the variants built on momentum (and muon's); rmsprop keeps its torch default 0,
  // so its row stays plain RMSProp (rmsprop+momentum is another colour)
  const uses: ('momentum' | 'betas')[] = [];
  if (name === 'momentum' || name === 'nesterov' || name === 'muon') uses.push('momentum');
  if ('betas' in defaults) uses.push('betas');
  const lr = LAB_LR[name] ?? (defaults.lr as number);
  return { rule, label: LABELS[name] ?? name, lr, color: optimizerColor(name), uses };
}

/**
 * The optimizers shown in function mode: every rule of src/optim's registry (so a new rule appears here without
 * an edit), SGD's momentum and Nesterov variants after SGD. Each has a label, the torch rule behind it, a
 * default lr and a colour: the variant's (viz's optimizer-colors.ts), so an optimizer has the same colour in the
 * playground, in `descent compare`'s reports and in `optimize --plot`. On the lab's 2-D point every rule
 * applies: adafactor's moment is unfactored (a vector), muon sees a 1 × 2 matrix (as `descent optimize` does),
 * sparse-adam takes the gradient's nonzero entries (torch's `grad.to_sparse()`).
 */
export const LAB_OPTIMIZERS: Readonly<Record<LabOptimizer, LabOptimizerEntry>> = Object.fromEntries(
  (Object.keys(optimizers) as OptimizerName[])
    .flatMap((name): LabOptimizer[] => (name === 'sgd' ? ['sgd', 'momentum', 'nesterov'] : [name]))
    .map((name) => [name, labEntry(name)]),
) as Record<LabOptimizer, LabOptimizerEntry>;

/**
 * The line-search and second-order methods shown in function mode beside the optimizers (docs/second-order.md):
 * each runs `minimize` with its defaults (gtol 1e-10) from the start point, and the page shows one of its
 * iterations per step. They take no learning rate, so they have no slider.
 */
export const LAB_SEARCH_METHODS = {
  'gd-backtracking': { label: 'GD + backtracking', color: optimizerColor('gd-backtracking') },
  newton: { label: 'Newton', color: optimizerColor('newton') },
  bfgs: { label: 'BFGS', color: optimizerColor('bfgs') },
  lbfgs: { label: 'L-BFGS', color: optimizerColor('lbfgs') },
  cg: { label: 'CG', color: optimizerColor('cg') },
} as const satisfies Record<string, { label: string; color: string }>;
export type LabSearchMethod = keyof typeof LAB_SEARCH_METHODS;

/** The optimizers listed in dataset mode: every rule of src/optim's registry (those that cannot train the
 * lab's network are listed too, disabled, with `dataOptimizerRefusal`'s reason). */
export const DATA_OPTIMIZERS = Object.keys(optimizers) as readonly OptimizerName[];

/**
 * Why a rule cannot train dataset mode's network, or null when it can. The network is a dense MLP over two
 * input features, so every gradient is dense: torch's SparseAdam refuses dense gradients ("SparseAdam does not
 * support dense gradients"); it needs a sparse input layer (an EmbeddingBag over index lists). Muon trains
 * the hidden layers' 2-D weights with AdamW on the biases and the output layer (`descent train`'s split), so it
 * applies to any depth; adafactor factors each weight matrix's second moment.
 */
export function dataOptimizerRefusal(name: OptimizerName): string | null {
  if (name === 'sparse-adam') return "needs sparse gradients (an embedding-bag input layer); this network's gradients are dense, and torch's SparseAdam refuses dense ones";
  return null;
}
export const DATASETS = ['circles', 'xor', 'spirals', 'gaussians'] as const;
export const ACTIVATIONS = ['relu', 'tanh', 'sigmoid'] as const;

export type DataOptimizer = OptimizerName;
export type DatasetName = (typeof DATASETS)[number];
export type ActivationName = (typeof ACTIVATIONS)[number];

/** Slider ranges, shared by the UI and the parser (so a URL cannot set what a slider cannot). */
export const RANGES = {
  lr: [1e-5, 10],
  momentum: [0.1, 0.99],
  beta1: [0, 0.999],
  beta2: [0.9, 0.99999],
  speed: [1, 50],
  noise: [0, 0.5],
  seed: [0, 1_000_000],
  width: [1, 16],
  depth: [1, 4],
  l2: [0, 0.1],
  dropout: [0, 0.5],
  pitch: [5, 89],
} as const;

/**
 * A domain typed as `xmin,xmax,ymin,ymax` (or `a,b` for a square [a, b]²): four finite numbers, each min below
 * its max, spans up to 1e6. Returns the domain or what is wrong with it.
 */
export function parseDomain(text: string): [number, number, number, number] | string {
  const parts = text.split(',').map((t) => (t.trim() === '' ? NaN : Number(t)));
  const v = parts.length === 2 ? [parts[0], parts[1], parts[0], parts[1]] : parts;
  if (v.length !== 4 || !v.every((x) => Number.isFinite(x) && Math.abs(x) <= 1e6)) return `expected 'xmin,xmax,ymin,ymax' (4 numbers) or 'min,max', got '${text}'`;
  if (!(v[0] < v[1]) || !(v[2] < v[3])) return `each minimum must be below its maximum, got '${text}'`;
  return [v[0], v[1], v[2], v[3]];
}

export interface FnState {
  fn: LabFunctionChoice;
  /** The typed function (used when fn is 'custom'). */
  expr: string;
  /** The plotted domain [xmin, xmax, ymin, ymax]; null: the function's own (a custom function: CUSTOM_DEFAULT's). */
  domain: [number, number, number, number] | null;
  /** Draw the gradient, momentum/velocity and adaptive-step vectors at each optimizer's current point. */
  vectors: boolean;
  /** The rotatable 3-D surface beside the contour. */
  surface: boolean;
  /** The surface's view angles (degrees): yaw about the vertical axis, pitch above the plane. */
  yaw: number;
  pitch: number;
  /** Start point; null: the function's default start. */
  x0: [number, number] | null;
  /** Enabled optimizers, in LAB_OPTIMIZERS order. */
  on: LabOptimizer[];
  /** Enabled line-search and second-order methods, in LAB_SEARCH_METHODS order. */
  search: LabSearchMethod[];
  /** Per-optimizer learning rates (all keys present). */
  lr: Record<LabOptimizer, number>;
  momentum: number;
  beta1: number;
  beta2: number;
  /** Optimizer steps per animation frame. */
  speed: number;
}

export interface DataState {
  dataset: DatasetName;
  noise: number;
  seed: number;
  width: number;
  depth: number;
  activation: ActivationName;
  l2: number;
  dropout: number;
  opt: DataOptimizer;
  lr: number;
}

export interface LabState {
  mode: 'fn' | 'data' | 'hopfield';
  fn: FnState;
  data: DataState;
}

/** A fresh default state (new objects every call, so callers may mutate it). */
export function defaultState(): LabState {
  const lr = {} as Record<LabOptimizer, number>;
  for (const k of Object.keys(LAB_OPTIMIZERS) as LabOptimizer[]) lr[k] = LAB_OPTIMIZERS[k].lr;
  return {
    mode: 'fn',
    fn: { fn: 'beale', expr: CUSTOM_DEFAULT.expr, domain: null, vectors: false, surface: false, yaw: 35, pitch: 35, x0: null, on: ['sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adam'], search: [], lr, momentum: 0.9, beta1: 0.9, beta2: 0.999, speed: 5 },
    data: { dataset: 'circles', noise: 0.1, seed: 1, width: 8, depth: 2, activation: 'tanh', l2: 0, dropout: 0, opt: 'adam', lr: 0.03 },
  };
}

/** Shortest decimal that parses back to the same double (so round trips are exact). */
function num(x: number): string {
  return String(x);
}

/** Writes the state as a hash fragment body (`mode=data&ds=xor&...`); empty for the defaults. */
export function encodeState(s: LabState): string {
  const d = defaultState();
  const q = new URLSearchParams();
  if (s.mode !== d.mode) q.set('mode', s.mode);
  const f = s.fn, fd = d.fn;
  if (f.fn !== fd.fn) q.set('fn', f.fn);
  if (f.fn === 'custom' && f.expr !== fd.expr) q.set('expr', f.expr);
  if (f.domain !== null) q.set('dom', f.domain.map(num).join(','));
  if (f.vectors) q.set('vectors', '1');
  if (f.surface) q.set('surface', '1');
  if (f.yaw !== fd.yaw) q.set('yaw', num(f.yaw));
  if (f.pitch !== fd.pitch) q.set('pitch', num(f.pitch));
  if (f.x0 !== null) q.set('x0', `${num(f.x0[0])},${num(f.x0[1])}`);
  const on = orderOptimizers(f.on);
  if (on.join(',') !== fd.on.join(',')) q.set('on', on.length ? on.join(',') : 'none');
  const search = orderSearch(f.search);
  if (search.length) q.set('search', search.join(','));
  const lrs = (Object.keys(LAB_OPTIMIZERS) as LabOptimizer[]).filter((k) => f.lr[k] !== fd.lr[k]).map((k) => `${k}:${num(f.lr[k])}`);
  if (lrs.length) q.set('lr', lrs.join(','));
  if (f.momentum !== fd.momentum) q.set('momentum', num(f.momentum));
  if (f.beta1 !== fd.beta1) q.set('beta1', num(f.beta1));
  if (f.beta2 !== fd.beta2) q.set('beta2', num(f.beta2));
  if (f.speed !== fd.speed) q.set('speed', num(f.speed));
  const g = s.data, gd = d.data;
  if (g.dataset !== gd.dataset) q.set('ds', g.dataset);
  if (g.noise !== gd.noise) q.set('noise', num(g.noise));
  if (g.seed !== gd.seed) q.set('seed', num(g.seed));
  if (g.width !== gd.width) q.set('width', num(g.width));
  if (g.depth !== gd.depth) q.set('depth', num(g.depth));
  if (g.activation !== gd.activation) q.set('act', g.activation);
  if (g.l2 !== gd.l2) q.set('l2', num(g.l2));
  if (g.dropout !== gd.dropout) q.set('dropout', num(g.dropout));
  if (g.opt !== gd.opt) q.set('dopt', g.opt);
  if (g.lr !== gd.lr) q.set('dlr', num(g.lr));
  return q.toString();
}

/** Reads a hash (with or without the leading `#`); bad values keep their defaults and are listed in `warnings`. */
export function decodeState(hash: string): { state: LabState; warnings: string[] } {
  const s = defaultState();
  const warnings: string[] = [];
  const q = new URLSearchParams(hash.replace(/^#/, ''));
  const known = new Set(['mode', 'fn', 'expr', 'dom', 'vectors', 'surface', 'yaw', 'pitch', 'x0', 'on', 'search', 'lr', 'momentum', 'beta1', 'beta2', 'speed', 'ds', 'noise', 'seed', 'width', 'depth', 'act', 'l2', 'dropout', 'dopt', 'dlr']);
  for (const k of q.keys()) if (!known.has(k)) warnings.push(`unknown key '${k}'`);

  const pick = <T extends string>(key: string, options: readonly T[], set: (v: T) => void): void => {
    const v = q.get(key);
    if (v === null) return;
    if ((options as readonly string[]).includes(v)) set(v as T);
    else warnings.push(`${key}: expected one of ${options.join(', ')}, got '${v}'`);
  };
  const number = (key: string, range: readonly [number, number], set: (v: number) => void, integer = false): void => {
    const v = q.get(key);
    if (v === null) return;
    const x = Number(v);
    if (v.trim() !== '' && Number.isFinite(x) && x >= range[0] && x <= range[1] && (!integer || Number.isInteger(x))) set(x);
    else warnings.push(`${key}: expected ${integer ? 'an integer' : 'a number'} in [${range[0]}, ${range[1]}], got '${v}'`);
  };

  pick('mode', ['fn', 'data', 'hopfield'] as const, (v) => (s.mode = v));
  pick('fn', [...(Object.keys(LAB_FUNCTIONS) as LabFunction[]), 'custom'] as LabFunctionChoice[], (v) => (s.fn.fn = v));
  const expr = q.get('expr');
  if (expr !== null) {
    // kept as typed, even when it does not parse: the page shows the error inline, as when it was typed
    if (expr.length <= 400) s.fn.expr = expr;
    else warnings.push('expr: at most 400 characters');
  }
  const dom = q.get('dom');
  if (dom !== null) {
    const d = parseDomain(dom);
    if (typeof d === 'string') warnings.push(`dom: ${d}`);
    else s.fn.domain = d;
  }
  const flag = (key: string, set: (v: boolean) => void): void => {
    const v = q.get(key);
    if (v === null) return;
    if (v === '1' || v === '0') set(v === '1');
    else warnings.push(`${key}: expected 1 or 0, got '${v}'`);
  };
  flag('vectors', (v) => (s.fn.vectors = v));
  flag('surface', (v) => (s.fn.surface = v));
  number('yaw', [-360, 360], (v) => (s.fn.yaw = v));
  number('pitch', RANGES.pitch, (v) => (s.fn.pitch = v));
  const x0 = q.get('x0');
  if (x0 !== null) {
    const parts = x0.split(',').map((t) => (t.trim() === '' ? NaN : Number(t)));
    if (parts.length === 2 && parts.every((x) => Number.isFinite(x) && Math.abs(x) <= 1e6)) s.fn.x0 = [parts[0], parts[1]];
    else warnings.push(`x0: expected two numbers 'x,y', got '${x0}'`);
  }
  const on = q.get('on');
  if (on !== null) {
    const names = on === 'none' ? [] : on.split(',');
    const bad = names.filter((n) => !Object.hasOwn(LAB_OPTIMIZERS, n));
    if (bad.length) warnings.push(`on: unknown optimizer(s) ${bad.join(', ')}; expected ${Object.keys(LAB_OPTIMIZERS).join(', ')}`);
    s.fn.on = orderOptimizers(names.filter((n): n is LabOptimizer => Object.hasOwn(LAB_OPTIMIZERS, n)));
  }
  const search = q.get('search');
  if (search !== null) {
    const names = search.split(',');
    const bad = names.filter((n) => !Object.hasOwn(LAB_SEARCH_METHODS, n));
    if (bad.length) warnings.push(`search: unknown method(s) ${bad.join(', ')}; expected ${Object.keys(LAB_SEARCH_METHODS).join(', ')}`);
    s.fn.search = orderSearch(names);
  }
  const lr = q.get('lr');
  if (lr !== null) {
    for (const item of lr.split(',')) {
      const [name, value] = item.split(':');
      const x = Number(value);
      if (!Object.hasOwn(LAB_OPTIMIZERS, name)) warnings.push(`lr: unknown optimizer '${name}'`);
      else if (value === undefined || value.trim() === '' || !(x >= RANGES.lr[0] && x <= RANGES.lr[1])) {
        warnings.push(`lr: ${name}: expected a number in [${RANGES.lr[0]}, ${RANGES.lr[1]}], got '${value ?? ''}'`);
      } else s.fn.lr[name as LabOptimizer] = x;
    }
  }
  number('momentum', RANGES.momentum, (v) => (s.fn.momentum = v));
  number('beta1', RANGES.beta1, (v) => (s.fn.beta1 = v));
  number('beta2', RANGES.beta2, (v) => (s.fn.beta2 = v));
  number('speed', RANGES.speed, (v) => (s.fn.speed = v), true);
  pick('ds', DATASETS, (v) => (s.data.dataset = v));
  number('noise', RANGES.noise, (v) => (s.data.noise = v));
  number('seed', RANGES.seed, (v) => (s.data.seed = v), true);
  number('width', RANGES.width, (v) => (s.data.width = v), true);
  number('depth', RANGES.depth, (v) => (s.data.depth = v), true);
  pick('act', ACTIVATIONS, (v) => (s.data.activation = v));
  number('l2', RANGES.l2, (v) => (s.data.l2 = v));
  number('dropout', RANGES.dropout, (v) => (s.data.dropout = v));
  pick('dopt', DATA_OPTIMIZERS, (v) => {
    const why = dataOptimizerRefusal(v);
    if (why) warnings.push(`dopt: ${v} ${why}; kept ${s.data.opt}`);
    else s.data.opt = v;
  });
  number('dlr', RANGES.lr, (v) => (s.data.lr = v));
  return { state: s, warnings };
}

/** The start point in use: the clicked or dragged one, or the function's default. */
export function startOf(f: Pick<FnState, 'fn' | 'x0'>): [number, number] {
  if (f.x0) return f.x0;
  if (f.fn === 'custom') return [CUSTOM_DEFAULT.start[0], CUSTOM_DEFAULT.start[1]];
  return [LAB_FUNCTIONS[f.fn].start[0], LAB_FUNCTIONS[f.fn].start[1]];
}

/**
 * The torch options for one function-mode optimizer under the current sliders: the variant's fixed
 * options (momentum for Momentum, momentum + nesterov for Nesterov) and betas for Adam-like rules.
 */
export function optimizerOptions(name: LabOptimizer, f: FnState): Record<string, number | boolean | [number, number]> {
  const o: Record<string, number | boolean | [number, number]> = { lr: f.lr[name] };
  if (name === 'momentum') o.momentum = f.momentum;
  if (name === 'nesterov') {
    o.momentum = f.momentum;
    o.nesterov = true;
  }
  if ((LAB_OPTIMIZERS[name].uses as readonly string[]).includes('betas')) o.betas = [f.beta1, f.beta2];
  return o;
}

function orderSearch(names: readonly string[]): LabSearchMethod[] {
  return (Object.keys(LAB_SEARCH_METHODS) as LabSearchMethod[]).filter((k) => names.includes(k));
}

function orderOptimizers(names: readonly string[]): LabOptimizer[] {
  return (Object.keys(LAB_OPTIMIZERS) as LabOptimizer[]).filter((k) => names.includes(k));
}
