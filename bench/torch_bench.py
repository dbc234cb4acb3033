#!/usr/bin/env python3
"""PyTorch side of the benchmark (run by bench/run.mjs with /usr/bin/python3): prints one JSON object.

Usage: torch_bench.py THREADS DATA_DIR [--quick]
DATA_DIR holds x.f32 (count×784) and y.i32 written by run.mjs from the same MNIST digits descent uses.
Same workloads and timing scheme as bench/descent.mjs: warm-up + calibration, then repetitions of
~target seconds; per-repetition figures, summarised by run.mjs.
"""
import json, math, os, sys, time
import numpy as np
import torch

threads = int(sys.argv[1])
data_dir = sys.argv[2]
quick = '--quick' in sys.argv
reps = 3 if quick else 5
target = 0.15 if quick else 0.4
torch.set_num_threads(threads)
torch.manual_seed(1)


def time_it(step, reps=reps, target=target):
    iters = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(iters):
            step()
        dt = time.perf_counter() - t0
        if dt >= 0.05:
            iters = max(1, round(target / dt * iters))
            break
        iters *= 4
    per = []
    for _ in range(reps):
        t0 = time.perf_counter()
        for _ in range(iters):
            step()
        per.append((time.perf_counter() - t0) / iters)
    return per


def stats(xs):
    s = sorted(xs)
    n = len(s)
    med = s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2
    return {'median': med, 'min': s[0], 'max': s[-1], 'n': n, 'values': list(xs)}


out = {'peer': f'pytorch {torch.__version__} {threads}t', 'threads': threads, 'w1': {}, 'w2': {}, 'w3': {}, 'w4': {}}
x = torch.from_numpy(np.fromfile(os.path.join(data_dir, 'x.f32'), dtype=np.float32).reshape(-1, 784))
y = torch.from_numpy(np.fromfile(os.path.join(data_dir, 'y.i32'), dtype=np.int32).astype(np.int64))
count = x.shape[0]

for name, hidden, batch in [('784-128-10 b64', 128, 64), ('784-512-10 b256', 512, 256)]:
    model = torch.nn.Sequential(torch.nn.Linear(784, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    xb = [x[i:i + batch] for i in range(0, count, batch)]
    yb = [y[i:i + batch] for i in range(0, count, batch)]
    state = {'i': 0, 'loss': 0.0}

    def step():
        i = state['i']
        state['i'] = (i + 1) % len(xb)
        opt.zero_grad(set_to_none=False)
        loss = torch.nn.functional.cross_entropy(model(xb[i]), yb[i])
        loss.backward()
        opt.step()
        state['loss'] = loss

    step()
    first = float(state['loss'])
    per = time_it(step)
    out['w1'][name] = {'samplesPerSec': stats([batch / t for t in per]), 'firstLoss': first, 'lastLoss': float(state['loss'])}

for n in [1_000_000, 10_000_000]:
    for name, make in [('adam', lambda p: torch.optim.Adam([p], lr=1e-3)),
                       ('sgd-momentum', lambda p: torch.optim.SGD([p], lr=0.01, momentum=0.9))]:
        p = torch.nn.Parameter(torch.rand(n) - 0.5)
        p.grad = torch.rand(n) - 0.5
        opt = make(p)
        per = time_it(opt.step)
        out['w2'][f'{name} {n // 1_000_000}M'] = {'nsPerParam': stats([t * 1e9 / n for t in per])}
        del opt, p

for n in [256, 1024]:
    a = torch.rand(n, n) - 0.5
    b = torch.rand(n, n) - 0.5
    c = torch.empty(n, n)
    per = time_it(lambda: torch.mm(a, b, out=c))
    out['w3'][f'matmul {n}'] = {'gflops': stats([2 * n ** 3 / t / 1e9 for t in per])}

# W4: L-BFGS (torch.optim.LBFGS, strong Wolfe) on the n-dimensional Rosenbrock function from x0 = (-1.2, 1, -1.2, 1, ...)
def rosen(z):
    return torch.sum(100.0 * (z[1:] - z[:-1] ** 2) ** 2 + (1 - z[:-1]) ** 2)

n = 1000
res = {}
def run_lbfgs():
    z = torch.tensor([-1.2 if i % 2 == 0 else 1.0 for i in range(n)], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([z], lr=1, max_iter=5000, history_size=10, tolerance_grad=1e-8, tolerance_change=1e-12, line_search_fn='strong_wolfe')
    def closure():
        opt.zero_grad()
        f = rosen(z)
        f.backward()
        return f
    opt.step(closure)
    st = opt.state[opt._params[0]]
    res['f'] = float(rosen(z))
    res['iterations'] = st['n_iter']
    res['evaluations'] = st['func_evals']
per = time_it(run_lbfgs, reps=3, target=0.0)
out['w4']['lbfgs rosenbrock 1000'] = {'seconds': stats(per), **res}
print(json.dumps(out))
