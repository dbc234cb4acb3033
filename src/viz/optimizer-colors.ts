/**
 * One colour per optimizer, the same in every chart: the CLI reports (function race, contours, training
 * charts), `optimize --plot`, the convergence plot and the playground. A colour belongs to the optimizer
 * and its variant (sgd, momentum, nesterov, rmsprop+momentum, ...), never to its position in a list, so adam
 * is the same purple on the Beale charts, on the MNIST charts and in the playground.
 */

/**
 * The colours by variant. The first seven are the lectures' Beale comparison (`npm start`) in Tableau 10
 * order, but rmsprop+momentum is an olive gold (Tableau's light yellow is hard to see on white); the rest are
 * picked so that any two colours differ by at least 80 in summed channel differences.
 */
export const OPTIMIZER_COLORS: Readonly<Record<string, string>> = {
  sgd: '#4e79a7',
  momentum: '#f28e2b',
  nesterov: '#e15759',
  adagrad: '#76b7b2',
  rmsprop: '#59a14f',
  'rmsprop+momentum': '#a08c00',
  adam: '#b07aa1',
  adamw: '#ff9da7',
  nadam: '#9c755f',
  adadelta: '#4d4d4d',
  adamax: '#1f3a93',
  radam: '#8cd17d',
  rprop: '#17becf',
  'rmsprop-nesterov': '#1b7837',
  // the line-search methods of `minimize` and the convergence plot
  'gd-backtracking': '#a0cbe8',
  newton: '#6a3d9a',
  bfgs: '#e7298a',
  lbfgs: '#8c2d04',
  cg: '#d95f02',
  // torch.optim.LBFGS (step(closure) calls), apart from the SciPy-style lbfgs's brown: both can race side by side
  'lbfgs-torch': '#006d77',
};

/** Colours for names outside the table, chosen by a hash of the name (stable across runs and charts). */
const EXTRA = ['#0b6e4f', '#a6761d', '#66a61e', '#7570b3', '#d95f02', '#1b9e77', '#e6ab02', '#666666'];

/**
 * The variant an optimizer run shows as: torch's sgd with momentum > 0 is `momentum`, with nesterov
 * `nesterov`; rmsprop with momentum > 0 is `rmsprop+momentum`; any other rule is its own name.
 */
export function optimizerVariant(name: string, options: Readonly<Record<string, unknown>> = {}): string {
  const momentum = typeof options.momentum === 'number' ? options.momentum : 0;
  if (name === 'sgd') return options.nesterov === true ? 'nesterov' : momentum > 0 ? 'momentum' : 'sgd';
  if (name === 'rmsprop' && momentum > 0) return 'rmsprop+momentum';
  return name;
}

/** The colour of one variant (`optimizerVariant`'s result, or any method name). */
export function optimizerColor(variant: string): string {
  const fixed = OPTIMIZER_COLORS[variant];
  if (fixed) return fixed;
  let h = 0x811c9dc5;
  for (let i = 0; i < variant.length; i++) h = Math.imul(h ^ variant.charCodeAt(i), 0x01000193) >>> 0;
  return EXTRA[h % EXTRA.length];
}

/** How far the j-th extra run of one variant moves from its colour: negative toward black, positive toward white. */
const SHADES = [-0.4, 0.45, -0.6, 0.6, -0.2, 0.25, -0.75, 0.75];

/**
 * `hex` moved toward black (t < 0) or white (t > 0) by |t|, as #rrggbb. Extra runs of one optimizer (an lr
 * grid) get such shades of its colour: the family stays recognisable and the runs stay apart.
 */
export function shade(hex: string, t: number): string {
  const c = /^#([0-9a-f]{6})$/i.exec(hex);
  if (!c) return hex;
  const v = parseInt(c[1], 16);
  const target = t < 0 ? 0 : 255;
  const a = Math.min(1, Math.abs(t));
  const ch = (s: number) => Math.round(((v >> s) & 255) * (1 - a) + target * a).toString(16).padStart(2, '0');
  return `#${ch(16)}${ch(8)}${ch(0)}`;
}

/** Sum of the channel differences of two #rrggbb colours (0 to 765). */
function distance(a: string, b: string): number {
  const u = parseInt(a.slice(1), 16), v = parseInt(b.slice(1), 16);
  return Math.abs((u >> 16) - (v >> 16)) + Math.abs(((u >> 8) & 255) - ((v >> 8) & 255)) + Math.abs((u & 255) - (v & 255));
}

/** Colours closer than this (channel differences summed) read as one colour in a thin line. */
const APART = 80;

/**
 * The colours of one chart's runs, given each run's variant in chart order: the first run of a variant has
 * the variant's colour; a later run of it (a grid) gets the first shade, in a fixed order, that stays apart
 * from every colour the chart already uses (else the farthest one) (a darkened orange is nearly nadam's brown), so the same input
 * always gives the same colours.
 */
export function runColors(variants: readonly string[]): string[] {
  const seen = new Map<string, number>();
  const used = [...new Set(variants)].map(optimizerColor);
  return variants.map((v) => {
    const j = seen.get(v) ?? 0;
    seen.set(v, j + 1);
    const base = optimizerColor(v);
    if (j === 0) return base;
    // the first shade in order that is apart from every colour used, else the one farthest from them
    let pick = '';
    let best = -1;
    for (let k = 0; k < SHADES.length; k++) {
      const c = shade(base, SHADES[(j - 1 + k) % SHADES.length]);
      const d = Math.min(...used.map((u) => distance(u, c)));
      if (d >= APART) { pick = c; break; }
      if (d > best) { best = d; pick = c; }
    }
    used.push(pick);
    return pick;
  });
}
