/**
 * The IDX format of the MNIST files (LeCun et al.): a big-endian header — two zero bytes, a type code
 * (0x08 = unsigned byte), the number of dimensions — then one uint32 per dimension and the values in
 * row-major order. Bytes in, arrays out: no file access here (the CLI reads the files), so this runs in
 * browsers too.
 */
import { inputError } from '../errors.js';
import { countClasses, type Dataset } from './dataset.js';

/** A parsed IDX file of unsigned bytes: its dimensions and a view of its values (no copy). */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/** Parses an IDX file of unsigned bytes (type 0x08); `source` names it in errors. */
export function parseIdx(bytes: Uint8Array, source: string): IdxArray {
  const bad = (what: string) => inputError(`${source}: not an IDX file of unsigned bytes (${what})`);
  if (bytes.length < 4) throw bad(`${bytes.length} bytes`);
  if (bytes[0] !== 0 || bytes[1] !== 0) throw bad('the magic number does not start with two zero bytes');
  if (bytes[2] !== 0x08) throw bad(`type code 0x${bytes[2].toString(16)}, expected 0x08`);
  const rank = bytes[3];
  const header = 4 + 4 * rank;
  if (rank < 1 || bytes.length < header) throw bad(`${rank} dimensions in ${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  let count = 1;
  for (let i = 0; i < rank; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    dims.push(d);
    count *= d;
  }
  if (bytes.length !== header + count) throw bad(`dimensions ${dims.join('×')} need ${header + count} bytes, the file has ${bytes.length}`);
  return { dims, data: bytes.subarray(header) };
}

/**
 * MNIST rows from IDX images (N×28×28) and labels (N): pixels scaled to [0, 1] (v/255, as torchvision's
 * ToTensor), in file order. Several (images, labels) pairs are concatenated in order: the standard
 * 60,000 training digits then the 10,000 test digits, so the held-out tail is exactly the test set.
 */
export function mnistFromIdx(parts: { images: IdxArray; labels: IdxArray; source: string }[]): Dataset {
  let n = 0;
  for (const { images, labels, source } of parts) {
    const [count, rows, cols] = images.dims;
    if (images.dims.length !== 3 || rows !== 28 || cols !== 28) throw inputError(`${source}: expected N×28×28 images, got ${images.dims.join('×')}`);
    if (labels.dims.length !== 1 || labels.dims[0] !== count) throw inputError(`${source}: ${count} images but ${labels.dims.join('×')} labels`);
    for (const v of labels.data) if (v > 9) throw inputError(`${source}: label ${v}, expected a digit 0..9`);
    n += count;
  }
  const d = 28 * 28;
  const x = new Float32Array(n * d), y = new Float64Array(n);
  let row = 0;
  for (const { images, labels } of parts) {
    const px = images.data, count = images.dims[0];
    const base = row * d;
    // v/255 in f64 rounded once to f32: the same value as torch's float32 division (ToTensor) of the byte
    for (let i = 0; i < count * d; i++) x[base + i] = px[i] / 255;
    for (let i = 0; i < count; i++) y[row + i] = labels.data[i];
    row += count;
  }
  const featureNames = Array.from({ length: d }, (_, j) => `p${j}`);
  return { x, y, n, d, featureNames, targetName: 'label', numClasses: countClasses(y) };
}
