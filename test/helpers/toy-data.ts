// A small classification dataset for tests: n rows of d standard-normal features from Rng(seed), class i mod k.
import { Rng } from '../../src/tensor/rng.js';
import type { Dataset } from '../../src/data/dataset.js';

export function gaussianClasses(n: number, d: number, k: number, seed: number): Dataset {
  const rng = new Rng(seed);
  const x = new Float32Array(n * d), y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) x[i * d + j] = rng.normal();
    y[i] = i % k;
  }
  return { x, y, n, d, featureNames: Array.from({ length: d }, (_v, j) => `f${j}`), targetName: 'y', numClasses: k };
}
