// descent's WebAssembly SIMD kernels (AssemblyScript, compiled by scripts/build-wasm.mjs).
//
// Every kernel works on raw byte addresses into the one imported memory: the JS side
// (src/tensor/backend.ts) owns a bump arena in that memory, so tensors used by the fast
// path are plain Float32Array views and no call copies data in or out. Nothing here
// allocates: scratch space for packing is passed in by the caller (one block per thread).
//
// Layout conventions: row-major, op(A) is m×k, op(B) is k×n, C is m×n.
//   A[i,k] = transA ? a[k*m + i] : a[i*k + k]      B[k,j] = transB ? b[j*k + k] : b[k*n + j]

// Tile sizes. MR×NR is the register tile: 4 rows × 8 columns = 8 f32x4 accumulators,
// + 2 B vectors + 1 broadcast stays inside x86's 16 xmm registers (wasm SIMD is 128-bit).
// KC×NR of packed B (8 KiB) sits in L1, MC×KC of packed A (128 KiB) in L2.
const MR: i32 = 4;
const NR: i32 = 8;
const KC: i32 = 256;
const MC: i32 = 128;

/** Start of the free heap after the module's static data: where the JS arena may begin. */
export function heapBase(): usize {
  return __heap_base;
}

/** Bytes of scratch one matmul call needs: packed A (MC×KC), packed B (KC×roundup(n,NR)), one MR×NR tile. */
export function matmulScratchBytes(n: i32): i32 {
  const nPad = ((n + NR - 1) / NR) * NR;
  return (MC * KC + KC * nPad + MR * NR) * 4 + 64;
}

// Stores the 4×4 transpose of rows r0..r3: column q (lane q of each row) to dst + q·stride.
// @ts-ignore: decorator
@inline
function transpose4(r0: v128, r1: v128, r2: v128, r3: v128, dst: usize, stride: usize): void {
  const t0 = f32x4.shuffle(r0, r1, 0, 4, 1, 5); // r0[0] r1[0] r0[1] r1[1]
  const t1 = f32x4.shuffle(r0, r1, 2, 6, 3, 7);
  const t2 = f32x4.shuffle(r2, r3, 0, 4, 1, 5);
  const t3 = f32x4.shuffle(r2, r3, 2, 6, 3, 7);
  v128.store(dst, f32x4.shuffle(t0, t2, 0, 1, 4, 5));
  v128.store(dst + stride, f32x4.shuffle(t0, t2, 2, 3, 6, 7));
  v128.store(dst + 2 * stride, f32x4.shuffle(t1, t3, 0, 1, 4, 5));
  v128.store(dst + 3 * stride, f32x4.shuffle(t1, t3, 2, 3, 6, 7));
}

// Packs op(B)[k0:k0+kc, j0:j1] into panels of NR columns, each panel kc rows of NR floats,
// zero padded past j1 so the micro-kernel never branches on the width.
function packB(b: usize, transB: bool, k: i32, n: i32, k0: i32, kc: i32, j0: i32, j1: i32, dst: usize): void {
  let d = dst;
  for (let jp = j0; jp < j1; jp += NR) {
    const w = min(NR, j1 - jp);
    if (!transB) {
      let src = b + ((<usize>k0 * n + jp) << 2);
      if (w == NR) {
        for (let kk = 0; kk < kc; kk++) {
          v128.store(d, v128.load(src));
          v128.store(d, v128.load(src, 16), 16);
          d += NR << 2;
          src += <usize>n << 2;
        }
      } else {
        for (let kk = 0; kk < kc; kk++) {
          for (let jj = 0; jj < NR; jj++) store<f32>(d + (jj << 2), jj < w ? load<f32>(src + (jj << 2)) : 0);
          d += NR << 2;
          src += <usize>n << 2;
        }
      }
    } else {
      // B stored n×k: column j of op(B) is row j of b, contiguous in k. A full panel moves 4 k at a time
      // as two 4×4 SIMD transposes of its 8 rows (a scalar move per element was as slow as the products).
      let kk = 0;
      if (w == NR) {
        const rs = <usize>k << 2;
        for (; kk + 4 <= kc; kk += 4) {
          const s0 = b + ((<usize>jp * k + k0 + kk) << 2);
          const s4 = s0 + 4 * rs;
          transpose4(v128.load(s0), v128.load(s0 + rs), v128.load(s0 + 2 * rs), v128.load(s0 + 3 * rs), d, NR << 2);
          transpose4(v128.load(s4), v128.load(s4 + rs), v128.load(s4 + 2 * rs), v128.load(s4 + 3 * rs), d + 16, NR << 2);
          d += (4 * NR) << 2;
        }
      }
      for (; kk < kc; kk++) {
        const src = b + ((<usize>jp * k + k0 + kk) << 2);
        for (let jj = 0; jj < NR; jj++) store<f32>(d + (jj << 2), jj < w ? load<f32>(src + ((<usize>jj * k) << 2)) : 0);
        d += NR << 2;
      }
    }
  }
}

// Packs op(A)[i0:i0+mc, k0:k0+kc] into panels of MR rows, each kc columns of MR floats (zero padded rows).
function packA(a: usize, transA: bool, m: i32, k: i32, i0: i32, mc: i32, k0: i32, kc: i32, dst: usize): void {
  let d = dst;
  for (let ip = 0; ip < mc; ip += MR) {
    const h = min(MR, mc - ip);
    const row = i0 + ip;
    if (!transA) {
      if (h == MR) {
        const r0 = a + ((<usize>row * k + k0) << 2);
        const rs = <usize>k << 2;
        let kk = 0;
        // 4 k at a time: one 4×4 SIMD transpose of the 4 rows
        for (; kk + 4 <= kc; kk += 4) {
          const o = r0 + (<usize>kk << 2);
          transpose4(v128.load(o), v128.load(o + rs), v128.load(o + 2 * rs), v128.load(o + 3 * rs), d, MR << 2);
          d += (4 * MR) << 2;
        }
        for (; kk < kc; kk++) {
          const o = r0 + (<usize>kk << 2);
          store<f32>(d, load<f32>(o));
          store<f32>(d, load<f32>(o + rs), 4);
          store<f32>(d, load<f32>(o + 2 * rs), 8);
          store<f32>(d, load<f32>(o + 3 * rs), 12);
          d += MR << 2;
        }
      } else {
        for (let kk = 0; kk < kc; kk++) {
          for (let ii = 0; ii < MR; ii++) store<f32>(d + (ii << 2), ii < h ? load<f32>(a + ((<usize>(row + ii) * k + k0 + kk) << 2)) : 0);
          d += MR << 2;
        }
      }
    } else {
      // A stored k×m: the MR rows of one column are contiguous
      for (let kk = 0; kk < kc; kk++) {
        const src = a + ((<usize>(k0 + kk) * m + row) << 2);
        if (h == MR) v128.store(d, v128.load(src));
        else for (let ii = 0; ii < MR; ii++) store<f32>(d + (ii << 2), ii < h ? load<f32>(src + (ii << 2)) : 0);
        d += MR << 2;
      }
    }
  }
}

// c + a·b per lane: one fused multiply-add where relaxed SIMD is enabled at build time (the *-relaxed
// variants; x86 FMA doubles the micro-kernel's throughput), else a multiply then an add.
// @ts-ignore: decorator
@inline
function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

// C[MR×NR tile] (+)= packedA panel · packedB panel over kc. h×w is the valid part of the tile.
// @ts-ignore: decorator
@inline
function microKernel(kc: i32, pa: usize, pb: usize, c: usize, ldc: i32, add: bool, h: i32, w: i32, tile: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let kk = 0; kk < kc; kk++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = v128.load32_splat(pa, 4);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    a = v128.load32_splat(pa, 8);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    a = v128.load32_splat(pa, 12);
    c30 = madd(a, b0, c30);
    c31 = madd(a, b1, c31);
    pa += MR << 2;
    pb += NR << 2;
  }
  const rs = <usize>ldc << 2;
  if (h == MR && w == NR) {
    if (add) {
      c00 = f32x4.add(c00, v128.load(c)); c01 = f32x4.add(c01, v128.load(c, 16));
      c10 = f32x4.add(c10, v128.load(c + rs)); c11 = f32x4.add(c11, v128.load(c + rs, 16));
      c20 = f32x4.add(c20, v128.load(c + 2 * rs)); c21 = f32x4.add(c21, v128.load(c + 2 * rs, 16));
      c30 = f32x4.add(c30, v128.load(c + 3 * rs)); c31 = f32x4.add(c31, v128.load(c + 3 * rs, 16));
    }
    v128.store(c, c00); v128.store(c, c01, 16);
    v128.store(c + rs, c10); v128.store(c + rs, c11, 16);
    v128.store(c + 2 * rs, c20); v128.store(c + 2 * rs, c21, 16);
    v128.store(c + 3 * rs, c30); v128.store(c + 3 * rs, c31, 16);
    return;
  }
  // edge tile: spill to scratch, write back only the valid h×w part
  v128.store(tile, c00); v128.store(tile, c01, 16);
  v128.store(tile, c10, 32); v128.store(tile, c11, 48);
  v128.store(tile, c20, 64); v128.store(tile, c21, 80);
  v128.store(tile, c30, 96); v128.store(tile, c31, 112);
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      const p = c + <usize>i * rs + (<usize>j << 2);
      const v = load<f32>(tile + ((<usize>(i * NR + j)) << 2));
      store<f32>(p, add ? load<f32>(p) + v : v);
    }
  }
}

/**
 * C[i0:i1, j0:j1] = op(A)·op(B) over that block (or += when accumulate). Row-major, fp32.
 * The block form lets several threads share one product (each takes rows or columns).
 * `scratch` holds matmulScratchBytes(j1 - j0) bytes, private to the caller.
 */
export function matmulBlock(
  a: usize, b: usize, c: usize, m: i32, k: i32, n: i32,
  transA: bool, transB: bool, accumulate: bool,
  i0: i32, i1: i32, j0: i32, j1: i32, scratch: usize,
): void {
  if (i1 <= i0 || j1 <= j0) return;
  const base = (scratch + 63) & ~<usize>63;
  const packedA = base;
  const packedB = packedA + <usize>(MC * KC * 4);
  const nb = j1 - j0;
  const nPanels = (nb + NR - 1) / NR;
  const tile = packedB + <usize>(KC * nPanels * NR * 4);
  if (k == 0) {
    if (!accumulate) for (let i = i0; i < i1; i++) memory.fill(c + ((<usize>i * n + j0) << 2), 0, <usize>nb << 2);
    return;
  }
  for (let k0 = 0; k0 < k; k0 += KC) {
    const kc = min(KC, k - k0);
    const add = accumulate || k0 > 0;
    packB(b, transB, k, n, k0, kc, j0, j1, packedB);
    for (let ic = i0; ic < i1; ic += MC) {
      const mc = min(MC, i1 - ic);
      packA(a, transA, m, k, ic, mc, k0, kc, packedA);
      for (let jp = 0; jp < nPanels; jp++) {
        const jj = j0 + jp * NR;
        const w = min(NR, j1 - jj);
        const pb = packedB + <usize>(jp * kc * NR * 4);
        for (let ip = 0; ip < mc; ip += MR) {
          const h = min(MR, mc - ip);
          const pa = packedA + <usize>(ip * kc * 4);
          microKernel(kc, pa, pb, c + ((<usize>(ic + ip) * n + jj) << 2), n, add, h, w, tile);
        }
      }
    }
  }
}

/** out[i,j] = act(out[i,j] + bias[j]) for an m×n row-major block; relu when `relu`. Fused so the pre-activation is touched once. */
export function biasAct(out: usize, bias: usize, m: i32, n: i32, relu: bool): void {
  const zero = f32x4.splat(0);
  const n4 = n & ~3;
  for (let i = 0; i < m; i++) {
    const row = out + ((<usize>i * n) << 2);
    let j = 0;
    for (; j < n4; j += 4) {
      let v = f32x4.add(v128.load(row + (<usize>j << 2)), v128.load(bias + (<usize>j << 2)));
      if (relu) v = f32x4.max(v, zero);
      v128.store(row + (<usize>j << 2), v);
    }
    for (; j < n; j++) {
      let v = load<f32>(row + (<usize>j << 2)) + load<f32>(bias + (<usize>j << 2));
      if (relu) v = v > 0 ? v : 0;
      store<f32>(row + (<usize>j << 2), v);
    }
  }
}

/**
 * out[i] = a0[i] + alpha·a1[i] + beta·a2[i] over len float32s, computed in f64 and rounded once (as the TS
 * reference does): the first layer's output at a loss-landscape grid point.
 */
export function plane(a0: usize, a1: usize, a2: usize, alpha: f64, beta: f64, out: usize, len: i32): void {
  const va = f64x2.splat(alpha), vb = f64x2.splat(beta);
  const n4 = len & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const o = <usize>i << 2;
    const x = v128.load(a0 + o), y = v128.load(a1 + o), z = v128.load(a2 + o);
    const xs = v128.shuffle<u32>(x, x, 2, 3, 0, 1), ys = v128.shuffle<u32>(y, y, 2, 3, 0, 1), zs = v128.shuffle<u32>(z, z, 2, 3, 0, 1);
    const lo = f64x2.add(f64x2.add(f64x2.promote_low_f32x4(x), f64x2.mul(va, f64x2.promote_low_f32x4(y))), f64x2.mul(vb, f64x2.promote_low_f32x4(z)));
    const hi = f64x2.add(f64x2.add(f64x2.promote_low_f32x4(xs), f64x2.mul(va, f64x2.promote_low_f32x4(ys))), f64x2.mul(vb, f64x2.promote_low_f32x4(zs)));
    const l = f32x4.demote_f64x2_zero(lo), h = f32x4.demote_f64x2_zero(hi);
    v128.store(out + o, v128.shuffle<u32>(l, h, 0, 1, 4, 5));
  }
  for (; i < len; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, <f32>(<f64>load<f32>(a0 + o) + alpha * <f64>load<f32>(a1 + o) + beta * <f64>load<f32>(a2 + o)));
  }
}

/** y[i] = x[i] > 0 ? x[i] : 0 over len elements (y may be x); NaN maps to 0, exactly as the TS reference. */
export function relu(x: usize, y: usize, len: i32): void {
  const zero = f32x4.splat(0);
  const n4 = len & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const o = <usize>i << 2;
    const v = v128.load(x + o);
    // mask select rather than f32x4.max: max would propagate NaN, the reference gives 0
    v128.store(y + o, v128.and(v, f32x4.gt(v, zero)));
  }
  for (; i < len; i++) {
    const o = <usize>i << 2;
    const v = load<f32>(x + o);
    store<f32>(y + o, v > 0 ? v : 0);
  }
}

/**
 * Relu backward through its output y = relu(x): dX[i] = y[i] > 0 ? dY[i] : 0, or dX[i] += that when
 * `accumulate` (the reference kernel's form, adding into an existing gradient). dX may be dY when overwriting.
 */
export function reluBackward(dY: usize, y: usize, dX: usize, len: i32, accumulate: bool): void {
  const zero = f32x4.splat(0);
  const n4 = len & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const o = <usize>i << 2;
    const mask = f32x4.gt(v128.load(y + o), zero);
    const d = v128.and(v128.load(dY + o), mask);
    v128.store(dX + o, accumulate ? f32x4.add(v128.load(dX + o), d) : d);
  }
  for (; i < len; i++) {
    const o = <usize>i << 2;
    const d: f32 = load<f32>(y + o) > 0 ? load<f32>(dY + o) : 0;
    store<f32>(dX + o, accumulate ? load<f32>(dX + o) + d : d);
  }
}

/** out[j] (+)= Σ_i x[i,j] for an m×n block: the bias gradient from dY. */
export function colSum(x: usize, out: usize, m: i32, n: i32, accumulate: bool): void {
  // float64 sums, rounded once into out (a float32 running sum over 10^6 rows drifts by ~1%):
  // four columns at a time, walking down the rows, in two f64x2 accumulators
  const stride = <usize>n << 2;
  const n4 = n & ~3;
  let j = 0;
  for (; j < n4; j += 4) {
    let lo = f64x2.splat(0), hi = f64x2.splat(0);
    let p = x + (<usize>j << 2);
    for (let i = 0; i < m; i++, p += stride) {
      const v = v128.load(p);
      lo = f64x2.add(lo, f64x2.promote_low_f32x4(v));
      hi = f64x2.add(hi, f64x2.promote_low_f32x4(v128.shuffle<u32>(v, v, 2, 3, 0, 1)));
    }
    const o = out + (<usize>j << 2);
    if (accumulate) {
      const prev = v128.load(o);
      lo = f64x2.add(lo, f64x2.promote_low_f32x4(prev));
      hi = f64x2.add(hi, f64x2.promote_low_f32x4(v128.shuffle<u32>(prev, prev, 2, 3, 0, 1)));
    }
    const l = f32x4.demote_f64x2_zero(lo), h = f32x4.demote_f64x2_zero(hi);
    v128.store(o, v128.shuffle<u32>(l, h, 0, 1, 4, 5));
  }
  for (; j < n; j++) {
    let s: f64 = 0;
    let p = x + (<usize>j << 2);
    for (let i = 0; i < m; i++, p += stride) s += <f64>load<f32>(p);
    const o = out + (<usize>j << 2);
    store<f32>(o, <f32>(accumulate ? <f64>load<f32>(o) + s : s));
  }
}


/**
 * Softmax cross-entropy over m rows of n logits with integer labels (i32), mean reduction as torch's
 * F.cross_entropy: loss = (1/m) Σ_i [logsumexp(z_i) − z_i,y_i]. Writes dZ = (softmax(z) − onehot(y)) / m
 * (the gradient of the mean loss) when dZ != 0, and returns the loss (accumulated in f64).
 */
export function softmaxCrossEntropy(z: usize, labels: usize, dZ: usize, m: i32, n: i32): f64 {
  let total: f64 = 0;
  const invM: f32 = <f32>(1.0 / <f64>m);
  for (let i = 0; i < m; i++) {
    const row = z + ((<usize>i * n) << 2);
    let mx: f32 = -Infinity;
    for (let j = 0; j < n; j++) mx = max(mx, load<f32>(row + (<usize>j << 2)));
    let s: f32 = 0;
    for (let j = 0; j < n; j++) s += Mathf.exp(load<f32>(row + (<usize>j << 2)) - mx);
    const y = load<i32>(labels + (<usize>i << 2));
    // (max − z_y) + log Σ, not (max + log Σ) − z_y: near |z| = 1e4 the float32 lse has an ulp of 1e-3
    total += <f64>(mx - load<f32>(row + (<usize>y << 2))) + Math.log(<f64>s);
    if (dZ != 0) {
      const drow = dZ + ((<usize>i * n) << 2);
      const inv: f32 = 1 / s;
      // the label's p − 1 as −(Σ_{j≠y} e_j)/s: p − 1 cancels when the row is confidently right (p near 1,
      // an ulp of 6e-8), and the sign of that small gradient is what Rprop and normalized steps follow
      let rest: f32 = 0;
      for (let j = 0; j < n; j++) {
        const e = Mathf.exp(load<f32>(row + (<usize>j << 2)) - mx);
        if (j != y) rest += e;
        store<f32>(drow + (<usize>j << 2), e * inv * invM);
      }
      store<f32>(drow + (<usize>y << 2), -(rest * inv) * invM);
    }
  }
  return total / <f64>m;
}

// ---- fused optimizer steps ------------------------------------------------------------------
//
// Each step kernel updates elements [i0, i1) of contiguous fp32 buffers in one pass, evaluating the
// TS rule's expressions (src/optim/*.ts) in the same order in f32 lanes. `check` carries the
// trainer's non-finite checks with the step instead of separate passes over the buffers:
//   bit 0 (CHECK_GRADS): before touching anything, the gradient range is scanned (x·0 is 0 for a finite x,
//     NaN otherwise); a non-finite value returns STEP_BAD_GRADS with parameters and state unchanged;
//   bit 1 (CHECK_PARAMS): the new parameters are folded into the same x·0 sum as they are stored, and
//     STEP_BAD_PARAMS is returned when one of them is not finite.
// Return 0 (STEP_OK) otherwise.

const CHECK_GRADS: i32 = 1;
const CHECK_PARAMS: i32 = 2;
const STEP_OK: i32 = 0;
const STEP_BAD_GRADS: i32 = 1;
const STEP_BAD_PARAMS: i32 = 2;

// whether the lanes of an x·0 accumulator are all zero (every folded value was finite)
@inline function lanesZero(acc: v128): bool {
  return f32x4.extract_lane(acc, 0) == 0 && f32x4.extract_lane(acc, 1) == 0
    && f32x4.extract_lane(acc, 2) == 0 && f32x4.extract_lane(acc, 3) == 0;
}

/** 1 when every value of x[i0, i1) is finite, else 0 (one SIMD pass, no early exit: no data-dependent branch). */
export function allFiniteF32(x: usize, i0: i32, i1: i32): i32 {
  const zero = f32x4.splat(0);
  let acc0 = zero, acc1 = zero;
  let i = i0;
  const end8 = i0 + ((i1 - i0) & ~7);
  for (; i < end8; i += 8) {
    const o = <usize>i << 2;
    acc0 = f32x4.add(acc0, f32x4.mul(v128.load(x + o), zero));
    acc1 = f32x4.add(acc1, f32x4.mul(v128.load(x + o, 16), zero));
  }
  let s: f32 = 0;
  for (; i < i1; i++) s += load<f32>(x + (<usize>i << 2)) * 0;
  return lanesZero(f32x4.add(acc0, acc1)) && s == 0 ? 1 : 0;
}

/**
 * Fused Adam / AdamW (torch `_single_tensor_adam`, `_single_tensor_adamw`) over [i0, i1):
 *   θ ← decay·θ (AdamW's decoupled decay 1 − lr·λ; 1 for Adam);  g ← ±∇ + λθ (Adam's L2 term)
 *   m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  amsgrad: v̂ ← max(v̂, v)
 *   θ ← θ + (−stepSize·m) / (√v / bc2Sqrt + eps)
 * stepSize = lr/(1−β₁ᵗ) and bc2Sqrt = √(1−β₂ᵗ) are computed by the caller in f64 (as torch does in Python).
 */
export function adamF32(
  p: usize, g: usize, m: usize, v: usize, vmax: usize, i0: i32, i1: i32,
  stepSize: f32, beta1In: f64, beta2In: f64, eps: f32, bc2Sqrt: f32, weightDecay: f32, maximize: bool, amsgrad: bool,
  decay: f32, check: i32,
): i32 {
  // β and 1 − β cast to float32 from the caller's doubles, as torch casts its Python scalars (1 − β formed in
  // float32 from float32(β) is off by 1.3e-5 relative at β = 0.999)
  const beta1 = <f32>beta1In, beta2 = <f32>beta2In, omb1 = <f32>(1.0 - beta1In), omb2 = <f32>(1.0 - beta2In);
  if ((check & CHECK_GRADS) != 0 && !allFiniteF32(g, i0, i1)) return STEP_BAD_GRADS;
  const zero = f32x4.splat(0);
  let fin = zero;
  const b1 = f32x4.splat(beta1), b2 = f32x4.splat(beta2);
  const ob1 = f32x4.splat(omb1), ob2 = f32x4.splat(omb2);
  const vEps = f32x4.splat(eps), vBc2 = f32x4.splat(bc2Sqrt), vWd = f32x4.splat(weightDecay);
  const negStep = f32x4.splat(-stepSize), vDecay = f32x4.splat(decay);
  const plain = !maximize && weightDecay == 0 && !amsgrad && decay == 1;
  let i = i0;
  const end4 = i0 + ((i1 - i0) & ~3);
  if (plain) {
    // the common case without per-element branches, two vectors per iteration
    const end8 = i0 + ((i1 - i0) & ~7);
    for (; i < end8; i += 8) {
      const o = <usize>i << 2;
      const g0 = v128.load(g + o), g1 = v128.load(g + o, 16);
      const m0 = f32x4.add(f32x4.mul(v128.load(m + o), b1), f32x4.mul(ob1, g0));
      const m1 = f32x4.add(f32x4.mul(v128.load(m + o, 16), b1), f32x4.mul(ob1, g1));
      const v0 = f32x4.add(f32x4.mul(v128.load(v + o), b2), f32x4.mul(f32x4.mul(ob2, g0), g0));
      const v1 = f32x4.add(f32x4.mul(v128.load(v + o, 16), b2), f32x4.mul(f32x4.mul(ob2, g1), g1));
      v128.store(m + o, m0); v128.store(m + o, m1, 16);
      v128.store(v + o, v0); v128.store(v + o, v1, 16);
      const d0 = f32x4.add(f32x4.div(f32x4.sqrt(v0), vBc2), vEps);
      const d1 = f32x4.add(f32x4.div(f32x4.sqrt(v1), vBc2), vEps);
      const p0 = f32x4.add(v128.load(p + o), f32x4.div(f32x4.mul(negStep, m0), d0));
      const p1 = f32x4.add(v128.load(p + o, 16), f32x4.div(f32x4.mul(negStep, m1), d1));
      v128.store(p + o, p0);
      v128.store(p + o, p1, 16);
      fin = f32x4.add(fin, f32x4.add(f32x4.mul(p0, zero), f32x4.mul(p1, zero)));
    }
  }
  for (; i < end4; i += 4) {
    const o = <usize>i << 2;
    let gg = v128.load(g + o);
    if (maximize) gg = f32x4.neg(gg);
    let pp = v128.load(p + o);
    if (decay != 1) pp = f32x4.mul(pp, vDecay);
    if (weightDecay != 0) gg = f32x4.add(gg, f32x4.mul(vWd, pp));
    const mm = f32x4.add(f32x4.mul(v128.load(m + o), b1), f32x4.mul(ob1, gg));
    let vv = f32x4.add(f32x4.mul(v128.load(v + o), b2), f32x4.mul(f32x4.mul(ob2, gg), gg));
    v128.store(m + o, mm);
    v128.store(v + o, vv);
    if (amsgrad) {
      vv = f32x4.max(v128.load(vmax + o), vv);
      v128.store(vmax + o, vv);
    }
    const denom = f32x4.add(f32x4.div(f32x4.sqrt(vv), vBc2), vEps);
    pp = f32x4.add(pp, f32x4.div(f32x4.mul(negStep, mm), denom));
    v128.store(p + o, pp);
    fin = f32x4.add(fin, f32x4.mul(pp, zero));
  }
  let tail: f32 = 0;
  for (; i < i1; i++) {
    const o = <usize>i << 2;
    let gg = load<f32>(g + o);
    if (maximize) gg = -gg;
    let pp = load<f32>(p + o);
    if (decay != 1) pp = pp * decay;
    if (weightDecay != 0) gg = gg + weightDecay * pp;
    const mm = load<f32>(m + o) * beta1 + omb1 * gg;
    let vv = load<f32>(v + o) * beta2 + omb2 * gg * gg;
    store<f32>(m + o, mm);
    store<f32>(v + o, vv);
    if (amsgrad) {
      vv = max(load<f32>(vmax + o), vv);
      store<f32>(vmax + o, vv);
    }
    const denom = Mathf.sqrt(vv) / bc2Sqrt + eps;
    pp = pp + (-stepSize * mm) / denom;
    store<f32>(p + o, pp);
    tail += pp * 0;
  }
  return (check & CHECK_PARAMS) != 0 && !(lanesZero(fin) && tail == 0) ? STEP_BAD_PARAMS : STEP_OK;
}

/**
 * Fused SGD with momentum (torch `_single_tensor_sgd`) over [i0, i1), fp32, one pass:
 *   g ← ±∇ + λθ;  b ← g on the first step, else b ← μb + (1−τ)g;  g ← nesterov ? g + μb : b;  θ ← θ − lr·g
 */
export function sgdF32(
  p: usize, g: usize, buf: usize, i0: i32, i1: i32,
  lr: f32, momentum: f32, dampening: f32, nesterov: bool, weightDecay: f32, maximize: bool, first: bool, check: i32,
): i32 {
  if ((check & CHECK_GRADS) != 0 && !allFiniteF32(g, i0, i1)) return STEP_BAD_GRADS;
  const zero = f32x4.splat(0);
  let fin = zero;
  const vMu = f32x4.splat(momentum), vDamp = f32x4.splat(1 - dampening);
  const vNegLr = f32x4.splat(-lr), vWd = f32x4.splat(weightDecay);
  const useMomentum = momentum != 0;
  let i = i0;
  const end4 = i0 + ((i1 - i0) & ~3);
  if (useMomentum && !first && !nesterov && !maximize && weightDecay == 0) {
    // the common case, branch-free and two vectors per iteration: at 128-bit width the loop is
    // instruction-bound even on data that streams from cache
    const end8 = i0 + ((i1 - i0) & ~7);
    for (; i < end8; i += 8) {
      const o = <usize>i << 2;
      const b0 = f32x4.add(f32x4.mul(v128.load(buf + o), vMu), f32x4.mul(vDamp, v128.load(g + o)));
      const b1 = f32x4.add(f32x4.mul(v128.load(buf + o, 16), vMu), f32x4.mul(vDamp, v128.load(g + o, 16)));
      v128.store(buf + o, b0);
      v128.store(buf + o, b1, 16);
      const p0 = f32x4.add(v128.load(p + o), f32x4.mul(vNegLr, b0));
      const p1 = f32x4.add(v128.load(p + o, 16), f32x4.mul(vNegLr, b1));
      v128.store(p + o, p0);
      v128.store(p + o, p1, 16);
      fin = f32x4.add(fin, f32x4.add(f32x4.mul(p0, zero), f32x4.mul(p1, zero)));
    }
  }
  for (; i < end4; i += 4) {
    const o = <usize>i << 2;
    let d = v128.load(g + o);
    if (maximize) d = f32x4.neg(d);
    if (weightDecay != 0) d = f32x4.add(d, f32x4.mul(vWd, v128.load(p + o)));
    if (useMomentum) {
      const b = first ? d : f32x4.add(f32x4.mul(v128.load(buf + o), vMu), f32x4.mul(vDamp, d));
      v128.store(buf + o, b);
      d = nesterov ? f32x4.add(d, f32x4.mul(vMu, b)) : b;
    }
    const pp = f32x4.add(v128.load(p + o), f32x4.mul(vNegLr, d));
    v128.store(p + o, pp);
    fin = f32x4.add(fin, f32x4.mul(pp, zero));
  }
  let tail: f32 = 0;
  for (; i < i1; i++) {
    const o = <usize>i << 2;
    let d = load<f32>(g + o);
    if (maximize) d = -d;
    if (weightDecay != 0) d = d + weightDecay * load<f32>(p + o);
    if (useMomentum) {
      const b = first ? d : load<f32>(buf + o) * momentum + (1 - dampening) * d;
      store<f32>(buf + o, b);
      d = nesterov ? d + momentum * b : b;
    }
    const pp = load<f32>(p + o) + -lr * d;
    store<f32>(p + o, pp);
    tail += pp * 0;
  }
  return (check & CHECK_PARAMS) != 0 && !(lanesZero(fin) && tail == 0) ? STEP_BAD_PARAMS : STEP_OK;
}

/**
 * Fused RMSprop (torch `_single_tensor_rmsprop`) over [i0, i1):
 *   g ← ±∇ + λθ;  v ← αv + (1−α)g²;  centered: ḡ ← αḡ + (1−α)g, v' = v − ḡ²
 *   avg = √v' + eps (or √(v' + eps) with epsInside);  momentum: b ← μb + g/avg, θ ← θ − lr·b;  else θ ← θ − lr·g/avg
 */
export function rmspropF32(
  p: usize, g: usize, sq: usize, gavg: usize, buf: usize, i0: i32, i1: i32,
  lr: f32, alphaIn: f64, eps: f32, weightDecay: f32, momentum: f32, centered: bool, maximize: bool, epsInside: bool, check: i32,
): i32 {
  // α and 1 − α cast to float32 from the caller's doubles, as torch casts its Python scalars
  const alpha = <f32>alphaIn, oma = <f32>(1.0 - alphaIn);
  if ((check & CHECK_GRADS) != 0 && !allFiniteF32(g, i0, i1)) return STEP_BAD_GRADS;
  const zero = f32x4.splat(0);
  let fin = zero;
  const vA = f32x4.splat(alpha), vOA = f32x4.splat(oma), vEps = f32x4.splat(eps);
  const vWd = f32x4.splat(weightDecay), vMu = f32x4.splat(momentum), vNegLr = f32x4.splat(-lr);
  let i = i0;
  const end4 = i0 + ((i1 - i0) & ~3);
  for (; i < end4; i += 4) {
    const o = <usize>i << 2;
    let gg = v128.load(g + o);
    if (maximize) gg = f32x4.neg(gg);
    let pp = v128.load(p + o);
    if (weightDecay != 0) gg = f32x4.add(gg, f32x4.mul(vWd, pp));
    const vv = f32x4.add(f32x4.mul(v128.load(sq + o), vA), f32x4.mul(f32x4.mul(vOA, gg), gg));
    v128.store(sq + o, vv);
    let v2 = vv;
    if (centered) {
      const ga = f32x4.add(f32x4.mul(v128.load(gavg + o), vA), f32x4.mul(vOA, gg));
      v128.store(gavg + o, ga);
      v2 = f32x4.sub(vv, f32x4.mul(ga, ga));
    }
    const avg = epsInside ? f32x4.sqrt(f32x4.add(v2, vEps)) : f32x4.add(f32x4.sqrt(v2), vEps);
    if (momentum > 0) {
      const b = f32x4.add(f32x4.mul(v128.load(buf + o), vMu), f32x4.div(gg, avg));
      v128.store(buf + o, b);
      pp = f32x4.add(pp, f32x4.mul(vNegLr, b));
    } else {
      pp = f32x4.add(pp, f32x4.div(f32x4.mul(vNegLr, gg), avg));
    }
    v128.store(p + o, pp);
    fin = f32x4.add(fin, f32x4.mul(pp, zero));
  }
  let tail: f32 = 0;
  for (; i < i1; i++) {
    const o = <usize>i << 2;
    let gg = load<f32>(g + o);
    if (maximize) gg = -gg;
    let pp = load<f32>(p + o);
    if (weightDecay != 0) gg = gg + weightDecay * pp;
    const vv = load<f32>(sq + o) * alpha + oma * gg * gg;
    store<f32>(sq + o, vv);
    let v2 = vv;
    if (centered) {
      const ga = load<f32>(gavg + o) * alpha + oma * gg;
      store<f32>(gavg + o, ga);
      v2 = vv - ga * ga;
    }
    const avg = epsInside ? Mathf.sqrt(v2 + eps) : Mathf.sqrt(v2) + eps;
    if (momentum > 0) {
      const b = load<f32>(buf + o) * momentum + gg / avg;
      store<f32>(buf + o, b);
      pp = pp + -lr * b;
    } else {
      pp = pp + (-lr * gg) / avg;
    }
    store<f32>(p + o, pp);
    tail += pp * 0;
  }
  return (check & CHECK_PARAMS) != 0 && !(lanesZero(fin) && tail == 0) ? STEP_BAD_PARAMS : STEP_OK;
}

/**
 * Fused Adagrad (torch `_single_tensor_adagrad`) over [i0, i1):
 *   g ← ±∇ + λθ;  s ← s + g²;  θ ← θ − clr·g / (√s + eps) (√(s + eps) with epsInside); clr = lr/(1 + (t−1)·lrDecay)
 */
export function adagradF32(
  p: usize, g: usize, sum: usize, i0: i32, i1: i32,
  clr: f32, weightDecay: f32, eps: f32, maximize: bool, epsInside: bool, check: i32,
): i32 {
  if ((check & CHECK_GRADS) != 0 && !allFiniteF32(g, i0, i1)) return STEP_BAD_GRADS;
  const zero = f32x4.splat(0);
  let fin = zero;
  const vEps = f32x4.splat(eps), vWd = f32x4.splat(weightDecay), vNegLr = f32x4.splat(-clr);
  let i = i0;
  const end4 = i0 + ((i1 - i0) & ~3);
  for (; i < end4; i += 4) {
    const o = <usize>i << 2;
    let gg = v128.load(g + o);
    if (maximize) gg = f32x4.neg(gg);
    let pp = v128.load(p + o);
    if (weightDecay != 0) gg = f32x4.add(gg, f32x4.mul(vWd, pp));
    const s = f32x4.add(v128.load(sum + o), f32x4.mul(gg, gg));
    v128.store(sum + o, s);
    const std = epsInside ? f32x4.sqrt(f32x4.add(s, vEps)) : f32x4.add(f32x4.sqrt(s), vEps);
    pp = f32x4.add(pp, f32x4.div(f32x4.mul(vNegLr, gg), std));
    v128.store(p + o, pp);
    fin = f32x4.add(fin, f32x4.mul(pp, zero));
  }
  let tail: f32 = 0;
  for (; i < i1; i++) {
    const o = <usize>i << 2;
    let gg = load<f32>(g + o);
    if (maximize) gg = -gg;
    let pp = load<f32>(p + o);
    if (weightDecay != 0) gg = gg + weightDecay * pp;
    const s = load<f32>(sum + o) + gg * gg;
    store<f32>(sum + o, s);
    const std = epsInside ? Mathf.sqrt(s + eps) : Mathf.sqrt(s) + eps;
    pp = pp + (-clr * gg) / std;
    store<f32>(p + o, pp);
    tail += pp * 0;
  }
  return (check & CHECK_PARAMS) != 0 && !(lanesZero(fin) && tail == 0) ? STEP_BAD_PARAMS : STEP_OK;
}

/**
 * Fused Adamax (torch `_single_tensor_adamax`) over [i0, i1):
 *   g ← ±∇ + λθ;  m ← β₁m + (1−β₁)g;  u ← max(β₂u, |g| + eps) (NaN propagates, as torch.amax);  θ ← θ − clr·m/u
 */
export function adamaxF32(
  p: usize, g: usize, m: usize, u: usize, i0: i32, i1: i32,
  clr: f32, beta1In: f64, beta2: f32, eps: f32, weightDecay: f32, maximize: bool, check: i32,
): i32 {
  // β₁ and 1 − β₁ cast to float32 from the caller's doubles, as torch casts its Python scalars
  const beta1 = <f32>beta1In, omb1 = <f32>(1.0 - beta1In);
  if ((check & CHECK_GRADS) != 0 && !allFiniteF32(g, i0, i1)) return STEP_BAD_GRADS;
  const zero = f32x4.splat(0);
  let fin = zero;
  const b1 = f32x4.splat(beta1), ob1 = f32x4.splat(omb1), b2 = f32x4.splat(beta2);
  const vEps = f32x4.splat(eps), vWd = f32x4.splat(weightDecay), vNegLr = f32x4.splat(-clr);
  let i = i0;
  const end4 = i0 + ((i1 - i0) & ~3);
  for (; i < end4; i += 4) {
    const o = <usize>i << 2;
    let gg = v128.load(g + o);
    if (maximize) gg = f32x4.neg(gg);
    let pp = v128.load(p + o);
    if (weightDecay != 0) gg = f32x4.add(gg, f32x4.mul(vWd, pp));
    const mm = f32x4.add(f32x4.mul(v128.load(m + o), b1), f32x4.mul(ob1, gg));
    v128.store(m + o, mm);
    // f32x4.max propagates NaN (IEEE maximum semantics in wasm), as Math.max and torch.amax
    const uu = f32x4.max(f32x4.mul(v128.load(u + o), b2), f32x4.add(f32x4.abs(gg), vEps));
    v128.store(u + o, uu);
    pp = f32x4.add(pp, f32x4.div(f32x4.mul(vNegLr, mm), uu));
    v128.store(p + o, pp);
    fin = f32x4.add(fin, f32x4.mul(pp, zero));
  }
  let tail: f32 = 0;
  for (; i < i1; i++) {
    const o = <usize>i << 2;
    let gg = load<f32>(g + o);
    if (maximize) gg = -gg;
    let pp = load<f32>(p + o);
    if (weightDecay != 0) gg = gg + weightDecay * pp;
    const mm = load<f32>(m + o) * beta1 + omb1 * gg;
    store<f32>(m + o, mm);
    const uu = max(load<f32>(u + o) * beta2, Mathf.abs(gg) + eps);
    store<f32>(u + o, uu);
    pp = pp + (-clr * mm) / uu;
    store<f32>(p + o, pp);
    tail += pp * 0;
  }
  return (check & CHECK_PARAMS) != 0 && !(lanesZero(fin) && tail == 0) ? STEP_BAD_PARAMS : STEP_OK;
}
