#!/usr/bin/env python3
"""numpy side of the data-generation benchmark (bench/datagen/README.md).

Each case produces the same data, in the same storage format, as the Java generator (DatagenBench.java):
bit-packed tokens for V = 2, one byte per token otherwise, float32 records for the patch families.
The numpy code is vectorized over sequences/examples and loops over time only where the chain forces it.
Prints one line per case:  case<TAB>units<TAB>best seconds<TAB>units per second
"""
import sys
import time

import numpy as np

REPS = int(sys.argv[1]) if len(sys.argv) > 1 else 5
N, T = 65536, 256               # sequences x (seqLen + 1 tokens)
rng = np.random.default_rng(12345)


def best_of(fn, reps=REPS):
    fn()  # warm-up
    best = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def markov_binary(p=0.2, q=0.3):
    """Binary first-order chain: x0 ~ pi, then x_t = [u_t < P(1 | x_{t-1})]."""
    thr = np.array([p, 1.0 - q])
    u = rng.random((T + 1, N))
    x = np.empty((T + 1, N), dtype=np.uint8)
    x[0] = u[0] < p / (p + q)
    for t in range(1, T + 1):
        x[t] = u[t] < thr[x[t - 1]]
    return np.packbits(x.T, bitorder="little").tobytes()


def random_table(v, k, seed=1):
    r = np.random.default_rng(seed)
    return r.dirichlet(np.ones(v), size=v ** k)


def stationary(table, v, k):
    n = v ** k
    a = np.zeros((n, n))
    for s in range(n):
        succ = (s % (n // v)) * v + np.arange(v)
        a[succ, s] += table[s]
    a -= np.eye(n)
    a[-1] = 1.0
    b = np.zeros(n)
    b[-1] = 1.0
    return np.linalg.solve(a, b)


V8, K3 = 8, 3
TABLE = random_table(V8, K3)
PI = stationary(TABLE, V8, K3)


def markov_v8k3():
    """Order 3 on 8 tokens: first 3-gram from pi, then inverse CDF per row: token = number of the row's first V-1
    cumulative probabilities at or below u (the rows of all sequences gathered at once). This was 2x faster here than
    offsetting the rows' CDFs into one increasing array and calling searchsorted once per step."""
    v, k, n = V8, K3, V8 ** K3
    cdf = np.ascontiguousarray(np.cumsum(TABLE, axis=1)[:, : v - 1])
    u = rng.random((T + 1, N))
    x = np.empty((T + 1, N), dtype=np.uint8)
    s = np.searchsorted(np.cumsum(PI), u[0], side="right").clip(0, n - 1)
    x[0], x[1], x[2] = s // 64, (s // 8) % 8, s % 8
    for t in range(k, T + 1):
        y = (u[t][:, None] >= cdf[s]).sum(axis=1)
        x[t] = y
        s = ((s << 3) | y) & (n - 1)
    return np.ascontiguousarray(x.T).tobytes()


def in_context_binary(alpha=1.0):
    """Every sequence draws its own binary first-order chain from Beta(alpha, alpha) rows; uniform first token."""
    p1 = rng.beta(alpha, alpha, size=(N, 2))       # P(1 | 0), P(1 | 1) per sequence
    u = rng.random((T + 1, N))
    x = np.empty((T + 1, N), dtype=np.uint8)
    x[0] = u[0] < 0.5
    idx = np.arange(N)
    for t in range(1, T + 1):
        x[t] = u[t] < p1[idx, x[t - 1]]
    return np.packbits(x.T, bitorder="little").tobytes()


def seqcls_binary():
    """Label = which of two binary first-order sources made the sequence."""
    thr = np.array([[0.2, 1 - 0.3], [0.3, 1 - 0.2]])   # P(1 | x) for source 0 and 1
    pi1 = np.array([0.2 / 0.5, 0.3 / 0.5])
    lab = (rng.random(N) < 0.5).astype(np.uint8)
    u = rng.random((T + 1, N))
    x = np.empty((T + 1, N), dtype=np.uint8)
    x[0] = u[0] < pi1[lab]
    for t in range(1, T + 1):
        x[t] = u[t] < thr[lab, x[t - 1]]
    return lab.tobytes() + np.packbits(x.T, bitorder="little").tobytes()


NP_N, NP_P, NP_D = 4096, 8, 256


def noisy_patch(signal=1.0, sigma=1.0, eta=0.1):
    """Li et al.: one signal patch y*mu (mu = signal*e1), P-1 dense noise patches orthogonal to mu, label noise."""
    n, P, D = NP_N, NP_P, NP_D
    clean = np.where(rng.random(n) < 0.5, 1, -1).astype(np.int8)
    sig = rng.integers(0, P, n)
    y = np.where(rng.random(n) < eta, -clean, clean).astype(np.int8)
    x = rng.standard_normal((n, P, D), dtype=np.float32)
    x *= np.float32(sigma)
    x[:, :, 0] = 0
    x[np.arange(n), sig] = 0
    x[np.arange(n), sig, 0] = clean * np.float32(signal)
    rec = np.empty(n, dtype=[("y", "i1"), ("yc", "i1"), ("a0", "u1"), ("a1", "u1"), ("x", "<f4", (P, D))])
    rec["y"], rec["yc"], rec["a0"], rec["a1"], rec["x"] = y, clean, sig, 0, x
    return rec.tobytes()


PI_N, S, PS, L = 16384, 16, 4, 4


def patch_image(signal=1.0, sigma=1.0):
    """A horizontal (0) or vertical (1) bar of L pixels in an SxS Gaussian image, cut into (S/PS)^2 patches."""
    n = PI_N
    cls = (rng.random(n) < 0.5).astype(np.int8)
    span = S - L + 1
    k = rng.integers(0, S * span, n)
    row = np.where(cls == 0, k // span, k % span)
    col = np.where(cls == 0, k % span, k // span)
    img = rng.standard_normal((n, S, S), dtype=np.float32) * np.float32(sigma)
    j = np.arange(L)
    rr = np.where(cls[:, None] == 0, row[:, None], row[:, None] + j)
    cc = np.where(cls[:, None] == 0, col[:, None] + j, col[:, None])
    img[np.arange(n)[:, None], rr, cc] += np.float32(signal)
    side = S // PS
    patches = img.reshape(n, side, PS, side, PS).transpose(0, 1, 3, 2, 4).reshape(n, side * side, PS * PS)
    rec = np.empty(n, dtype=[("y", "i1"), ("yc", "i1"), ("a0", "u1"), ("a1", "u1"), ("x", "<f4", (side * side, PS * PS))])
    rec["y"], rec["yc"], rec["a0"], rec["a1"], rec["x"] = cls, cls, row, col, patches
    return rec.tobytes()


CASES = [
    ("markov-binary-k1", "tokens", N * (T + 1), markov_binary),
    ("markov-v8-k3", "tokens", N * (T + 1), markov_v8k3),
    ("markov-incontext-binary-k1", "tokens", N * (T + 1), in_context_binary),
    ("sequence-classification-binary-k1", "tokens", N * (T + 1), seqcls_binary),
    ("noisy-patch-P8-d256", "values", NP_N * NP_P * NP_D, noisy_patch),
    ("patch-image-16x16-p4", "values", PI_N * S * S, patch_image),
]

if __name__ == "__main__":
    print("# numpy", np.__version__, "python", sys.version.split()[0])
    for name, unit, count, fn in CASES:
        secs = best_of(fn)
        print(f"{name}\t{unit}\t{secs:.6f}\t{count / secs:.1f}")
