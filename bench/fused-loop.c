/* The physical reference for W2: fused single-pass Adam and SGD-momentum loops in C over float32
 * buffers, the same math as src/optim/adam.ts / sgd.ts (torch 1.13). Compiled at bench time by
 * bench/run.mjs with gcc -O3 -march=native -fopenmp; prints JSON {adam, sgd} ns/param per repetition.
 * Usage: fused-loop N THREADS REPS
 */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static void adam(float *restrict p, const float *restrict g, float *restrict m, float *restrict v, long n,
                 float stepSize, float b1, float b2, float eps, float bc2Sqrt) {
#pragma omp parallel for simd schedule(static)
  for (long i = 0; i < n; i++) {
    float mm = m[i] * b1 + (1 - b1) * g[i];
    float vv = v[i] * b2 + (1 - b2) * g[i] * g[i];
    m[i] = mm;
    v[i] = vv;
    p[i] += (-stepSize * mm) / (sqrtf(vv) / bc2Sqrt + eps);
  }
}

static void sgd(float *restrict p, const float *restrict g, float *restrict b, long n, float lr, float mu) {
#pragma omp parallel for simd schedule(static)
  for (long i = 0; i < n; i++) {
    float bb = b[i] * mu + g[i];
    b[i] = bb;
    p[i] += -lr * bb;
  }
}

int main(int argc, char **argv) {
  long n = atol(argv[1]);
  int threads = atoi(argv[2]), reps = atoi(argv[3]);
  omp_set_num_threads(threads);
  float *p = aligned_alloc(64, n * 4), *g = aligned_alloc(64, n * 4), *m = aligned_alloc(64, n * 4), *v = aligned_alloc(64, n * 4);
#pragma omp parallel for schedule(static)
  for (long i = 0; i < n; i++) { p[i] = sinf(i); g[i] = cosf(i); m[i] = 0; v[i] = 0; }
  int iters = n >= 10000000 ? 20 : 200;
  printf("{\"adam\":[");
  for (int r = -1; r < reps; r++) { /* r = -1: warm-up */
    double t0 = now();
    for (int k = 1; k <= iters; k++) adam(p, g, m, v, n, 1e-3f / (1 - powf(0.9f, k)), 0.9f, 0.999f, 1e-8f, sqrtf(1 - powf(0.999f, k)));
    double ns = (now() - t0) / iters / n * 1e9;
    if (r >= 0) printf(r ? ",%.4f" : "%.4f", ns);
  }
  printf("],\"sgd\":[");
  for (int r = -1; r < reps; r++) {
    double t0 = now();
    for (int k = 0; k < iters; k++) sgd(p, g, m, n, 0.01f, 0.9f);
    double ns = (now() - t0) / iters / n * 1e9;
    if (r >= 0) printf(r ? ",%.4f" : "%.4f", ns);
  }
  printf("],\"check\":%g}\n", (double)p[n / 3]);
  return 0;
}
