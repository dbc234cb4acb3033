/**
 * Transfer learning on torch-named Sequential models:
 *  - `initFrom`: start from a pretrained state dict (e.g. a `.safetensors` file), loading every parameter
 *    whose name and shape match and keeping the fresh initialization for the rest, so a pretrained body
 *    can take a new output head of another width (`newHead` re-initializes the last Linear even when it matches);
 *  - `parseFreeze`: `--freeze 0,2` (layer indices, or parameter names such as `2.bias`) to the set of
 *    parameter names left out of the optimizer (see `trainableGroups` / `fitClassifier` in ensemble-fit.ts):
 *    they are never updated, so they stay bit-identical, and layers before the first trainable one run
 *    without a backward pass.
 */
import { inputError } from '../errors.js';
import type { Sequential, StateEntry } from '../nn/index.js';

/** What {@link initFrom} did, by state_dict name (`descent train --init` prints it). */
export interface InitReport {
  /** Parameters copied from the pretrained dict. */
  loaded: string[];
  /** Parameters that kept their fresh initialization (absent, another shape, or the new head). */
  reinitialized: string[];
  /** Pretrained tensors the model has no place for. */
  ignored: string[];
}

/** Index of the last layer that has parameters (the output head of a classifier). */
export function headLayerIndex(model: Sequential): number {
  for (let i = model.layers.length - 1; i >= 0; i--) if (model.layers[i].parameters().length > 0) return i;
  throw inputError('model: no layer has parameters');
}

/**
 * Copies pretrained parameters into `model` by state_dict name where the shapes agree.
 * With `newHead`, the last parameterized layer keeps its fresh initialization whatever the dict holds;
 * with `requireBody`, every other parameter must be in the dict with its shape (an input error otherwise).
 * Throws when nothing at all matches (almost certainly the wrong file).
 */
export function initFrom(model: Sequential, dict: Record<string, StateEntry>, options: { newHead?: boolean; source?: string; requireBody?: boolean } = {}): InitReport {
  const source = options.source ?? '--init';
  const head = options.newHead ? `${headLayerIndex(model)}.` : null;
  const report: InitReport = { loaded: [], reinitialized: [], ignored: [] };
  const names = new Set<string>();
  for (const p of model.parameters()) {
    names.add(p.name);
    const e = dict[p.name];
    const same = e !== undefined && e.shape.length === p.shape.length && e.shape.every((s, i) => s === p.shape[i]) && e.data.length === p.size;
    const isHead = head !== null && p.name.startsWith(head);
    if (!same && !isHead && options.requireBody) {
      throw inputError(e === undefined
        ? `${source}: missing tensor '${p.name}' (shape [${p.shape.join(', ')}]); only the new head may be absent`
        : `${source}: '${p.name}' has shape [${e.shape.join(', ')}], the model expects [${p.shape.join(', ')}]; only the new head may differ`);
    }
    if (!same || isHead) { report.reinitialized.push(p.name); continue; }
    for (let i = 0; i < p.size; i++) p.data[i] = e.data[i];
    report.loaded.push(p.name);
  }
  for (const name of Object.keys(dict)) if (!names.has(name)) report.ignored.push(name);
  if (report.loaded.length === 0) {
    throw inputError(`${source}: no tensor matches the model by name and shape (file has ${Object.keys(dict).join(', ') || 'nothing'}; model has ${[...names].join(', ')})`);
  }
  return report;
}

/**
 * `--freeze` text to parameter names: comma-separated layer indices (`0,2`: every parameter of
 * those layers) or parameter names (`0.weight`). An index of a layer without parameters, or a name the
 * model does not have, is an input error that lists what exists.
 */
export function parseFreeze(text: string, model: Sequential): Set<string> {
  const out = new Set<string>();
  const params = model.parameters().map((p) => p.name);
  const layers = [...new Set(params.map((n) => n.split('.')[0]))];
  for (const raw of text.split(',')) {
    const tok = raw.trim();
    if (tok === '') continue;
    if (/^\d+$/.test(tok)) {
      const hits = params.filter((n) => n.startsWith(`${tok}.`));
      if (hits.length === 0) throw inputError(`--freeze: layer ${tok} has no parameters; layers with parameters: ${layers.join(', ')}`);
      hits.forEach((h) => out.add(h));
    } else if (params.includes(tok)) out.add(tok);
    else throw inputError(`--freeze: expected layer indices or parameter names (${layers.join(', ')}; ${params.join(', ')}), got '${tok}'`);
  }
  if (out.size === 0) throw inputError('--freeze: expected at least one layer index or parameter name');
  return out;
}
