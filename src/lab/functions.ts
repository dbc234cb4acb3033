/**
 * The objective function mode races on: a listed test function, or the typed one (expression.ts) with its
 * estimated minimum; over the chosen or typed domain. Pure (no DOM): the page and the Node tests build it alike.
 */
import { makeObjective, type Objective } from '../objectives/index.js';
import { estimateMinimum, typedFunction } from './expression.js';
import { CUSTOM_DEFAULT, LAB_FUNCTIONS, type FnState } from './state.js';

export interface LabObjective {
  objective: Objective;
  /** f(x, y) as a plain function (the contour and the surface sample it). */
  value: (x: number, y: number) => number;
  domain: [[number, number], [number, number]];
  title: string;
  /** Why no minimum is marked for a typed function whose f falls past the domain's edge; '' otherwise. */
  note: string;
}

/** The objective of a state, or the typed expression's error (message and column) for the page to show. */
export function labObjective(f: Pick<FnState, 'fn' | 'expr' | 'domain'>): { ok: true; lab: LabObjective } | { ok: false; message: string; at: number } {
  if (f.fn === 'custom') {
    const t = typedFunction(f.expr);
    if (!t.ok) return t;
    const d = f.domain ?? CUSTOM_DEFAULT.domain;
    const domain: [[number, number], [number, number]] = [[d[0], d[1]], [d[2], d[3]]];
    const m = estimateMinimum(t.fn, domain);
    // the estimated minimum becomes the objective's: the race measures reaching it, the plot stars it
    const objective: Objective = m && m.interior ? { ...t.fn.objective, minimum: m.point, minimumValue: m.value, domain } : { ...t.fn.objective, domain };
    const note = m === null ? 'f is not finite anywhere on the domain' : m.interior ? '' : 'f keeps falling past the domain’s edge: no minimum is marked';
    return { ok: true, lab: { objective, value: t.fn.value, domain, title: `f = ${t.fn.text}`, note } };
  }
  const objective = makeObjective(f.fn, 2);
  const own = objective.domain ?? [[-5, 5], [-5, 5]];
  const domain: [[number, number], [number, number]] = f.domain ? [[f.domain[0], f.domain[1]], [f.domain[2], f.domain[3]]] : [[own[0][0], own[0][1]], [own[1][0], own[1][1]]];
  const p = new Float64Array(2);
  const info = LAB_FUNCTIONS[f.fn];
  return {
    ok: true,
    lab: { objective, value: (a, b) => { p[0] = a; p[1] = b; return objective.value(p); }, domain, title: `${info.label}: f = ${info.formula}`, note: '' },
  };
}
