/**
 * Parsing of compare's optimizer specs: `[label=]name[:key=value,...]`, for example
 * `sgd:lr=0.01`, `momentum=sgd:lr=0.01,momentum=0.9`, `adam:lr=0.001;0.01;0.1` (an lr grid).
 * In a value, `;` separates a list: for a hyperparameter whose default is a list (betas, etas, stepSizes) it
 * is that list; for a scalar one it is a grid, one run per value.
 * The line-search and second-order methods (gd-backtracking, newton, bfgs, lbfgs, cg, and lbfgs-torch) take
 * the same form (`bfgs:gtol=1e-8`, `lbfgs:historySize=3;10`); their text options (wolfe, lineSearch,
 * lineSearchFn) are taken as written and checked by the method's own validator.
 */
import { DescentError, inputError, unknownName } from '../errors.js';
import { optimizers, isOptimizerName, resolveOptions } from '../optim/index.js';
import type { OptimizerRule, HyperOptions } from '../optim/index.js';
import { isSearchMethodName, resolveSearchOptions, searchMethods } from '../search/minimize.js';
import { resolveLbfgsTorchOptions } from '../search/lbfgs-torch.js';
import { lbfgsTorchFlagDefaults } from '../search/lbfgs-torch-run.js';

/** One optimizer run of a comparison: a label, an optimizer name, its options (camelCase, as torch). */
export interface RunSpec {
  label: string;
  name: string;
  options: Record<string, number | boolean | number[] | string>;
}

/** Every name compare races on a function: the torch.optim rules, then the search methods. */
export function raceMethodNames(): string[] {
  return [...Object.keys(optimizers), ...Object.keys(searchMethods), 'lbfgs-torch'];
}

/** True for the line-search and second-order methods (and lbfgs-torch): they run to a stop reason, not a step count. */
export function isRaceSearchMethod(name: string): boolean {
  return name === 'lbfgs-torch' || isSearchMethodName(name);
}

/** A method's defaults and its validator (which throws an input error on a bad value). */
function methodRule(name: string): { defaults: Readonly<Record<string, unknown>>; check: (options: Record<string, unknown>) => void } {
  if (isOptimizerName(name)) {
    const rule = optimizers[name] as unknown as OptimizerRule<HyperOptions, unknown>;
    return { defaults: rule.defaults as Record<string, unknown>, check: (o) => rule.check(resolveOptions(rule, o as HyperOptions)) };
  }
  if (name === 'lbfgs-torch') return { defaults: lbfgsTorchFlagDefaults, check: (o) => void resolveLbfgsTorchOptions(o) };
  if (isSearchMethodName(name)) return { defaults: searchMethods[name], check: (o) => void resolveSearchOptions(name, o) };
  throw unknownName('optimizer', name, raceMethodNames());
}

function parseScalar(flag: string, key: string, text: string, kind: 'number' | 'boolean'): number | boolean {
  if (kind === 'boolean') {
    if (text === 'true' || text === '') return true;
    if (text === 'false') return false;
    throw inputError(`${flag}: '${key}' expected true or false, got '${text}'`);
  }
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v)) throw inputError(`${flag}: '${key}' expected a number, got '${text}'`);
  return v;
}

/**
 * Parses one spec into one or more runs (several with a grid: the cartesian product of every grid value,
 * labelled `label key=value`). Unknown optimizer names and hyperparameters are input errors naming the flag;
 * the values are range-checked by the optimizer's own `check`.
 */
export function parseRunSpec(text: string, flag = '--opt'): RunSpec[] {
  const t = text.trim();
  if (t === '') throw inputError(`${flag}: expected [label=]name[:key=value,...], got ''`);
  const colon = t.indexOf(':');
  const head = colon < 0 ? t : t.slice(0, colon);
  const body = colon < 0 ? '' : t.slice(colon + 1);
  let label: string | undefined;
  let name = head;
  const eq = head.indexOf('=');
  if (eq >= 0) {
    label = head.slice(0, eq).trim();
    name = head.slice(eq + 1).trim();
    if (label === '') throw inputError(`${flag}: empty label in '${text}'; expected label=name[:key=value,...]`);
  }
  let rule: ReturnType<typeof methodRule>;
  try {
    rule = methodRule(name);
  } catch (e) {
    if (!(e instanceof DescentError)) throw e;
    throw inputError(`${flag}: ${e.message}`);
  }
  const defaults = rule.defaults;
  const fixed: RunSpec['options'] = {};
  const grids: Array<{ key: string; values: number[] }> = [];
  const fixedText: string[] = [];
  if (body.trim() !== '') {
    for (const part of body.split(',')) {
      const i = part.indexOf('=');
      const key = (i < 0 ? part : part.slice(0, i)).trim();
      const val = i < 0 ? '' : part.slice(i + 1).trim();
      if (!(key in defaults)) {
        throw inputError(`${flag}: ${name} has no hyperparameter '${key}'; expected one of: ${Object.keys(defaults).join(', ')}`);
      }
      const d = defaults[key];
      if (Array.isArray(d)) {
        const items = val.split(';').map((s) => parseScalar(flag, key, s, 'number') as number);
        if (items.length !== d.length) throw inputError(`${flag}: '${key}' expected ${d.length} numbers separated by ';', got '${val}'`);
        fixed[key] = items;
      } else if (typeof d === 'boolean') {
        fixed[key] = parseScalar(flag, key, val, 'boolean');
      } else if (typeof d === 'string') {
        fixed[key] = val; // a method's text option (wolfe=nocedal-wright): its validator checks it below
      } else if (val.includes(';')) {
        grids.push({ key, values: val.split(';').map((s) => parseScalar(flag, key, s, 'number') as number) });
        continue;
      } else {
        fixed[key] = parseScalar(flag, key, val, 'number');
      }
      fixedText.push(part.trim());
    }
  }
  // the default label is the spec itself, less its grid values (each grid run appends its own `key=value`)
  const base = label ?? (fixedText.length ? `${name}:${fixedText.join(',')}` : name);
  let runs: RunSpec[] = [{ label: base, name, options: fixed }];
  for (const g of grids) {
    const next: RunSpec[] = [];
    for (const r of runs) for (const v of g.values) next.push({ label: `${r.label} ${g.key}=${v}`, name, options: { ...r.options, [g.key]: v } });
    runs = next;
  }
  for (const r of runs) {
    try {
      rule.check(r.options);
    } catch (e) {
      throw inputError(`${flag} '${text}': ${(e as Error).message}`);
    }
  }
  return runs;
}
