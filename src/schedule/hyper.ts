/**
 * Schedules of any hyperparameter as functions of the step, e.g. momentum or β₁ annealed from 0.5 to 0.99
 * (Sutskever et al., 2013). Set them into an optimizer group's options before each step:
 *   const mom = anneal({ from: 0.5, to: 0.99, steps: 1000 });
 *   group.options.momentum = mom(t); opt.step();
 */
import { inputError } from '../errors.js';

/** A hyperparameter moved from `from` to `to` over `steps` steps, for {@link anneal} (e.g. momentum 0.5 → 0.99). */
export interface AnnealSpec {
  from: number;
  to: number;
  /** Steps over which the value moves; it stays at `to` afterwards. */
  steps: number;
  /** linear (default), cosine (half cosine), or exponential (geometric; from and to must share a sign and be non-zero). */
  shape?: 'linear' | 'cosine' | 'exponential';
}

/** Builds t ↦ value, validated once. t = 0 gives `from`; t ≥ steps gives `to`. */
export function anneal(spec: AnnealSpec): (t: number) => number {
  const { from, to, steps } = spec;
  const shape = spec.shape ?? 'linear';
  if (!Number.isFinite(from) || !Number.isFinite(to)) throw inputError('anneal: from and to: expected finite numbers');
  if (!Number.isInteger(steps) || steps < 1) throw inputError(`anneal: steps: expected an integer >= 1, got ${steps}`);
  if (shape === 'linear') return (t) => (t >= steps ? to : from + ((to - from) * t) / steps);
  if (shape === 'cosine') return (t) => (t >= steps ? to : to + ((from - to) * (1 + Math.cos((Math.PI * t) / steps))) / 2);
  if (shape === 'exponential') {
    if (!(from * to > 0)) throw inputError('anneal: exponential shape needs from and to non-zero and of one sign');
    return (t) => (t >= steps ? to : from * (to / from) ** (t / steps));
  }
  throw inputError(`anneal: shape: expected linear, cosine or exponential, got '${shape}'`);
}

/**
 * Sutskever et al.'s momentum schedule μ_t = min(1 − 2^(−1 − log₂(⌊t/250⌋ + 1)), μmax),
 * which rises from 0.5 towards μmax (0.99 by default).
 */
export function sutskeverMomentum(muMax = 0.99, every = 250): (t: number) => number {
  return (t) => Math.min(1 - 2 ** (-1 - Math.log2(Math.floor(t / every) + 1)), muMax);
}
