/** `descent demo hopfield`: the capacity curve, the energy during recall, and a digit memory, as a report page. */
import { Rng } from '../tensor/rng.js';
import { lineChartSvg } from '../viz/index.js';
import { capacityCurve, corrupt, digitPatterns, digitSide, hebbianWeights, HOPFIELD_CAPACITY, overlap, randomPatterns, recall } from './hopfield.js';
import type { CapacityPoint } from './hopfield.js';
import { imageGridSvg } from './images.js';
import type { ClassData } from './linear-models.js';
import type { DemoPage } from './page.js';

/** Settings of {@link runHopfieldDemo}: the seed and, optionally, the digits for the picture memory. */
export interface HopfieldDemoOptions {
  seed?: number;
  /** Binarized digits for the picture memory (8×8 or 28×28); left out, the section is skipped. */
  digits?: ClassData;
}

/** The energy after every single-unit update of one recall, at a load P/N and a fraction of units flipped. */
export interface EnergyTrace {
  load: number;
  patterns: number;
  flip: number;
  energy: number[];
  finalOverlap: number;
  /** Updates at which the energy rose (above rounding): the claim is that there are none. */
  rises: number;
}

/** What {@link runHopfieldDemo} measured: the capacity curve, energy traces at loads 0.05 and 0.25, and the digit memory. */
export interface HopfieldDemoResult {
  seed: number;
  n: number;
  flip: number;
  success: number;
  capacity: CapacityPoint[];
  traces: EnergyTrace[];
  digits?: { side: number; classes: number[]; stored: Int8Array[]; corrupted: Int8Array[]; recalled: Int8Array[]; overlaps: number[] };
}

/** One recall with the energy after every update. */
function energyTrace(n: number, load: number, flip: number, rng: Rng): EnergyTrace {
  const p = Math.max(1, Math.round(load * n));
  const pats = randomPatterns(p, n, rng);
  const w = hebbianWeights(pats, n);
  const xi = pats.subarray(0, n);
  const s = corrupt(xi, flip, rng);
  const energy: number[] = [];
  let rises = 0, last = Infinity;
  recall(w, s, rng, {
    onUpdate: (_u, _i, e) => {
      if (e > last + 1e-12 * Math.max(1, Math.abs(last))) rises++;
      last = e;
      energy.push(e);
    },
  });
  return { load: p / n, patterns: p, flip, energy, finalOverlap: overlap(s, xi), rises };
}

/**
 * `descent demo hopfield`: recall against the load P/N on 256 random ±1 units (capacity near 0.138), the energy
 * of asynchronous recall (it never rises), and three digits stored and recalled from 15% noise.
 */
export function runHopfieldDemo(o: HopfieldDemoOptions = {}): HopfieldDemoResult {
  const seed = o.seed ?? 0;
  const cap = capacityCurve({ seed });
  const rng = new Rng(seed + 1);
  const traces = [0.05, 0.25].map((load) => energyTrace(cap.n, load, 0.2, rng));
  let digits: HopfieldDemoResult['digits'];
  if (o.digits) {
    const side = digitSide(o.digits);
    const { classes, patterns } = digitPatterns(o.digits, 3);
    const n = side * side;
    const w = hebbianWeights(patterns, n);
    const stored: Int8Array[] = [], corrupted: Int8Array[] = [], recalled: Int8Array[] = [], overlaps: number[] = [];
    for (let q = 0; q < classes.length; q++) {
      const xi = patterns.slice(q * n, (q + 1) * n);
      const s = corrupt(xi, 0.15, rng);
      corrupted.push(s.slice());
      recall(w, s, rng);
      stored.push(xi);
      recalled.push(s);
      overlaps.push(overlap(s, xi));
    }
    digits = { side, classes, stored, corrupted, recalled, overlaps };
  }
  return { seed, n: cap.n, flip: cap.flip, success: cap.success, capacity: cap.points, traces, digits };
}

/** Recall at the load nearest to `load`. */
export function recallAt(r: HopfieldDemoResult, load: number): CapacityPoint {
  return r.capacity.reduce((a, b) => (Math.abs(b.load - load) < Math.abs(a.load - load) ? b : a));
}

/** The hopfield demo's page: the capacity curve, the energy traces and the digits; `command` is shown on it. */
export function hopfieldPage(r: HopfieldDemoResult, command: string): DemoPage {
  const at05 = recallAt(r, 0.05), at25 = recallAt(r, 0.25);
  const rises = r.traces.reduce((a, t) => a + t.rises, 0), updates = r.traces.reduce((a, t) => a + t.energy.length, 0);
  const capacityChart = lineChartSvg({
    title: `recall from ${Math.round(r.flip * 100)}% flipped units, N = ${r.n} random ±1 patterns`,
    xLabel: 'load P/N', yLabel: `fraction recalled (overlap ≥ ${r.success})`,
    series: [
      { label: 'recall', x: r.capacity.map((p) => p.load), y: r.capacity.map((p) => p.recall) },
      { label: 'mean final overlap', x: r.capacity.map((p) => p.load), y: r.capacity.map((p) => p.meanOverlap) },
      { label: `capacity ${HOPFIELD_CAPACITY}`, x: [HOPFIELD_CAPACITY, HOPFIELD_CAPACITY], y: [0, 1], color: '#888' },
    ],
  });
  const energyChart = lineChartSvg({
    title: 'energy −½ sᵀWs after every asynchronous update',
    xLabel: 'update (one unit each)', yLabel: 'energy',
    series: r.traces.map((t) => ({ label: `P/N = ${t.load.toFixed(3)} (final overlap ${t.finalOverlap.toFixed(3)})`, x: t.energy.map((_v, i) => i + 1), y: t.energy })),
  });
  const sections: DemoPage['sections'] = [
    {
      heading: 'capacity: recall against load',
      text: [
        `For each load P/N (P = round(load·N)) ${r.capacity[0]?.probes ?? 0} or fewer probes: fresh random patterns stored with the Hebbian rule, one of them corrupted by flipping ${Math.round(r.flip * 100)}% of its units, recalled by asynchronous updates until a sweep changes nothing. A probe counts as recalled when the final overlap with the stored pattern is at least ${r.success}. The grey line marks the classic capacity 0.138.`,
      ],
      figures: [capacityChart],
      tables: [{ name: 'capacity', head: ['load P/N', 'patterns P', 'probes', 'recalled', 'mean overlap'], rows: r.capacity.map((p) => [p.load.toFixed(3), p.patterns, p.probes, p.recall, p.meanOverlap]) }],
    },
    {
      heading: 'energy during recall',
      text: [`The energy after every single-unit update (${updates} updates in all): it rose ${rises} times. At a low load the state falls into the stored pattern; past the capacity it still runs downhill, into a spurious minimum.`],
      figures: [energyChart],
    },
  ];
  if (r.digits) {
    const dg = r.digits;
    const tiles = dg.classes.flatMap((c, q) => [
      { pixels: Array.from(dg.stored[q], (v) => (v + 1) / 2), caption: `digit ${c}` },
      { pixels: Array.from(dg.corrupted[q], (v) => (v + 1) / 2), caption: 'corrupted' },
      { pixels: Array.from(dg.recalled[q], (v) => (v + 1) / 2), caption: `recalled ${dg.overlaps[q].toFixed(2)}` },
    ]);
    sections.push({
      heading: 'a digit memory',
      text: [`Three binarized class-mean digits (${dg.side}×${dg.side}, the classes whose patterns overlap least) stored in one network of ${dg.side * dg.side} units (load ${(3 / (dg.side * dg.side)).toFixed(3)}), each recalled from a copy with 15% of its pixels flipped; the caption gives the final overlap.`],
      figures: [imageGridSvg({ tiles, side: dg.side, columns: 3, cell: dg.side > 16 ? 3 : 10, title: 'stored, corrupted, recalled' })],
    });
  }
  return {
    title: 'descent demo hopfield: associative memory',
    command,
    claim: 'Lecture 003: a Hopfield network stores patterns as minima of an energy; asynchronous updates never raise the energy, so a corrupted pattern settles into the stored one, as long as the load stays below about 0.138 patterns per unit.',
    verdict: `Measured: recall ${(at05.recall * 100).toFixed(1)}% at P/N = ${at05.load.toFixed(3)}, ${(at25.recall * 100).toFixed(1)}% at P/N = ${at25.load.toFixed(3)}; the energy rose at ${rises} of ${updates} updates.`,
    sections,
  };
}
