/**
 * a·b + c with one rounding, as torch's CPU kernels compute `addcmul_` (and `add_` with alpha): its AVX2
 * build contracts them into fused multiply-adds (measured on torch 1.13: `v.addcmul(g, g, value=-1)` is
 * fma(−g, g, v) for every size). JavaScript has no fma, so the product is split exactly (Dekker's
 * TwoProduct with Veltkamp's splitting) and the sum taken with its rounding error (Knuth's TwoSum): exact
 * whenever a·b + c is representable (v − ḡ² of centered RMSprop near 0, say), else within the rare tie.
 */
const SPLIT = 134217729; // 2^27 + 1

export function fusedMultiplyAdd(a: number, b: number, c: number): number {
  const p = a * b;
  const sa = SPLIT * a, sb = SPLIT * b;
  if (!Number.isFinite(p) || !Number.isFinite(sa) || !Number.isFinite(sb)) return p + c; // outside the split's range
  const ah = sa - (sa - a), al = a - ah;
  const bh = sb - (sb - b), bl = b - bh;
  const e = ((ah * bh - p) + ah * bl + al * bh) + al * bl; // a·b = p + e exactly
  const s = p + c;
  const v = s - p;
  const t = (p - (s - v)) + (c - v); // p + c = s + t exactly
  return s + (t + e);
}
