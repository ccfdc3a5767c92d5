"""The same model, data law and sizes as EngineBench.java, in PyTorch on CPU, one thread per process.

Optional first arg, the way PyTorch is written (default plain):
  plain    masked_fill + softmax over the full score matrix, torch.optim.Adam (default: foreach)
  sdpa     F.scaled_dot_product_attention(q, k, v, is_causal=True), torch.optim.Adam(fused=True) (fused is available
           on CPU in torch >= 2.4)
  compile  the sdpa model wrapped in torch.compile (inductor, C++ codegen on CPU), Adam(fused=True); the compile
           happens in the first steps, which the warm-up excludes

Args: [mode] d T B steps warmup -> prints: torch d T B ms_per_step tokens_per_s final_train_loss
      [mode] deep L d T B steps warmup -> the deep model of EngineBench (DeepConfig: L pre-LN blocks with the
      parameter-free layer norm, 2 heads, residual branches times 1/sqrt(L), ReLU MLP 4d, tied head + bias, GPT-2 init
      std 0.02, output projections 0.02/sqrt(2L)); prints: torch-deep L d T B ms_per_step tokens_per_s final_train_loss
      cpu_ms_per_step (the last: this thread's CPU time per step after the warm-up)
      [mode] classifier P D mk mv n steps warmup -> Li et al.'s two-layer classifier (softmax over the P patches
      without 1/sqrt(d), W_Q, W_K [D,mk], W_V [D,2mv], fixed +-1/mv readout, sum over queries, N(0, 0.01^2) init,
      logistic loss) on n noisy-patch examples (signal 1 on coordinate 0 of a random patch times the +-1 label, dense
      N(0,1) noise on coordinates 1..D-1 of the others), full batch every step; prints:
      torch-cls P D mk mv n ms_per_step examples_per_s final_train_loss cpu_ms_per_step
      [mode] sweep runs workers d T B steps -> runs independent runs (seeds 0..runs-1) on `workers` processes, one thread
      each; prints: torch-sweep runs workers d T B steps wall_s runs_per_hour tokens_per_s mean_final_train_loss,
      timed from the first run's start to the last run's end (model building, data and warm-up included)."""
import multiprocessing as mp
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

P, Q, N = 0.2, 0.3, 512


def markov(T, seed):
    rng = np.random.default_rng(seed)
    x = np.empty((N, T + 1), dtype=np.int64)
    x[:, 0] = rng.random(N) < P / (P + Q)
    u = rng.random((N, T))
    for t in range(T):
        prev = x[:, t]
        x[:, t + 1] = np.where(prev == 0, u[:, t] < P, u[:, t] >= Q)
    return torch.from_numpy(x)


MODE = "plain"
MODES = ("plain", "sdpa", "compile")


class Model(nn.Module):
    def __init__(self, d, T):
        super().__init__()
        self.d = d
        self.sdpa = MODE != "plain"
        self.wte = nn.Parameter(torch.randn(2, d) * 0.02)
        self.wpe = nn.Parameter(torch.randn(T, d) * 0.02)
        self.q = nn.Linear(d, d, bias=False); self.k = nn.Linear(d, d, bias=False)
        self.v = nn.Linear(d, d, bias=False); self.o = nn.Linear(d, d, bias=False)
        self.w1 = nn.Linear(d, 4 * d, bias=False); self.w2 = nn.Linear(4 * d, d, bias=False)
        self.bias = nn.Parameter(torch.zeros(2))
        for m in (self.q, self.k, self.v, self.o, self.w1, self.w2):
            nn.init.normal_(m.weight, std=0.02)
        self.register_buffer("mask", torch.tril(torch.ones(T, T, dtype=torch.bool)))

    def forward(self, idx):
        h = self.wte[idx] + self.wpe
        if self.sdpa:
            # default scale 1/sqrt(d): the same scores as below
            h = h + self.o(F.scaled_dot_product_attention(self.q(h), self.k(h), self.v(h), is_causal=True))
        else:
            a = (self.q(h) @ self.k(h).transpose(1, 2)) / self.d ** 0.5
            a = a.masked_fill(~self.mask, float("-inf")).softmax(-1)
            h = h + self.o(a @ self.v(h))
        h = h + self.w2(F.relu(self.w1(h)))
        return h @ self.wte.t() + self.bias


class Deep(nn.Module):
    """DeepConfig(V=2, T, d, heads 2, L, inv-sqrt-depth, beta 1, pre-LN, MLP 4d, tied, softmax, standard, gpt2 0.02)."""

    def __init__(self, L, d, T, heads=2):
        super().__init__()
        self.d, self.h, self.r = d, heads, L ** -0.5
        self.sdpa = MODE != "plain"
        std, out_std = 0.02, 0.02 / (2 * L) ** 0.5
        self.wte = nn.Parameter(torch.randn(2, d) * std)
        self.wpe = nn.Parameter(torch.randn(T, d) * std)
        self.qkv = nn.ModuleList(nn.Linear(d, 3 * d, bias=False) for _ in range(L))
        self.o = nn.ModuleList(nn.Linear(d, d, bias=False) for _ in range(L))
        self.w1 = nn.ModuleList(nn.Linear(d, 4 * d, bias=False) for _ in range(L))
        self.w2 = nn.ModuleList(nn.Linear(4 * d, d, bias=False) for _ in range(L))
        for m in (*self.qkv, *self.w1):
            nn.init.normal_(m.weight, std=std)
        for m in (*self.o, *self.w2):
            nn.init.normal_(m.weight, std=out_std)
        self.bias = nn.Parameter(torch.zeros(2))
        self.register_buffer("mask", torch.tril(torch.ones(T, T, dtype=torch.bool)))

    def forward(self, idx):
        B, T = idx.shape
        d, nh = self.d, self.h
        h = self.wte[idx] + self.wpe
        for qkv, o, w1, w2 in zip(self.qkv, self.o, self.w1, self.w2):
            a = F.layer_norm(h, (d,), eps=1e-5)
            q, k, v = qkv(a).view(B, T, 3, nh, d // nh).permute(2, 0, 3, 1, 4)
            if self.sdpa:
                c = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            else:
                s = (q @ k.transpose(-1, -2)) / (d // nh) ** 0.5
                c = s.masked_fill(~self.mask, float("-inf")).softmax(-1) @ v
            h = h + self.r * o(c.transpose(1, 2).reshape(B, T, d))
            h = h + self.r * w2(F.relu(w1(F.layer_norm(h, (d,), eps=1e-5))))
        return F.layer_norm(h, (d,), eps=1e-5) @ self.wte.t() + self.bias


class Classifier(nn.Module):
    """ClassifierConfig.li(P, D, mk, mv, 0.01): one softmax attention layer over the patches, fixed readout."""

    def __init__(self, D, mk, mv):
        super().__init__()
        self.sdpa = MODE != "plain"
        self.wq = nn.Parameter(torch.randn(D, mk) * 0.01)
        self.wk = nn.Parameter(torch.randn(D, mk) * 0.01)
        self.wv = nn.Parameter(torch.randn(D, 2 * mv) * 0.01)
        self.register_buffer("r", torch.cat([torch.full((mv,), 1.0 / mv), torch.full((mv,), -1.0 / mv)]))

    def forward(self, x):
        q, k, v = x @ self.wq, x @ self.wk, x @ self.wv
        if self.sdpa:
            c = F.scaled_dot_product_attention(q, k, v, scale=1.0)
        else:
            c = (q @ k.transpose(1, 2)).softmax(-1) @ v
        return c.sum(1) @ self.r


def patches(P, D, n, seed):
    rng = np.random.default_rng(seed)
    y = np.where(rng.random(n) < 0.5, -1.0, 1.0)
    x = np.zeros((n, P, D), dtype=np.float32)
    x[:, :, 1:] = rng.standard_normal((n, P, D - 1))
    sig = rng.integers(0, P, n)
    x[np.arange(n), sig, :] = 0.0
    x[np.arange(n), sig, 0] = y
    return torch.from_numpy(x), torch.from_numpy((y > 0).astype(np.float32))


def optimizer(model):
    if MODE == "plain":
        return torch.optim.Adam(model.parameters(), lr=1e-3)
    return torch.optim.Adam(model.parameters(), lr=1e-3, fused=True)


def train_deep(L, d, T, B, steps, times):
    torch.set_num_threads(1)
    data = markov(T, 1)
    torch.manual_seed(0)
    model = Deep(L, d, T)
    opt = optimizer(model)
    if MODE == "compile":
        model = torch.compile(model)
    g = torch.Generator().manual_seed(0)
    loss = None
    for step in range(steps):
        batch = data[torch.randint(0, N, (B,), generator=g)]
        logits = model(batch[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, 2), batch[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        times.append((time.perf_counter(), time.thread_time()))
    return loss.item()


def train_classifier(P, D, mk, mv, n, steps, times):
    torch.set_num_threads(1)
    x, y = patches(P, D, n, 1)
    torch.manual_seed(0)
    model = Classifier(D, mk, mv)
    opt = optimizer(model)
    if MODE == "compile":
        model = torch.compile(model)
    loss = None
    for step in range(steps):
        loss = F.binary_cross_entropy_with_logits(model(x), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        times.append((time.perf_counter(), time.thread_time()))
    return loss.item()


def train(d, T, B, steps, seed, times=None):
    torch.set_num_threads(1)
    data = markov(T, 1 + 2 * seed)
    torch.manual_seed(seed)
    model = Model(d, T)
    if MODE == "plain":
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    else:
        opt = torch.optim.Adam(model.parameters(), lr=1e-3, fused=True)
    if MODE == "compile":
        model = torch.compile(model)
    g = torch.Generator().manual_seed(seed)
    loss = None
    for step in range(steps):
        idx = torch.randint(0, N, (B,), generator=g)
        batch = data[idx]
        logits = model(batch[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, 2), batch[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if times is not None:
            times.append(time.perf_counter())
    return loss.item()


def _sweep_run(args):
    return train(*args)


if __name__ == "__main__":
    torch.set_num_threads(1)
    if sys.argv[1] in MODES:
        MODE = sys.argv.pop(1)
    if sys.argv[1] == "deep":
        L, d, T, B, steps, warm = (int(x) for x in sys.argv[2:8])
        times = []
        last = train_deep(L, d, T, B, steps, times)
        ms = (times[-1][0] - times[warm - 1][0]) * 1000 / (steps - warm)
        cpu = (times[-1][1] - times[warm - 1][1]) * 1000 / (steps - warm)
        print(f"torch-deep {L} {d} {T} {B} {ms:.2f} {B * T / (ms / 1000):.0f} {last:.4f} {cpu:.3f}")
    elif sys.argv[1] == "classifier":
        P, D, mk, mv, n, steps, warm = (int(x) for x in sys.argv[2:9])
        times = []
        last = train_classifier(P, D, mk, mv, n, steps, times)
        ms = (times[-1][0] - times[warm - 1][0]) * 1000 / (steps - warm)
        cpu = (times[-1][1] - times[warm - 1][1]) * 1000 / (steps - warm)
        print(f"torch-cls {P} {D} {mk} {mv} {n} {ms:.2f} {n / (ms / 1000):.0f} {last:.4f} {cpu:.3f}")
    elif sys.argv[1] == "sweep":
        runs, workers, d, T, B, steps = (int(x) for x in sys.argv[2:8])
        ctx = mp.get_context("fork")
        with ctx.Pool(workers) as pool:
            t0 = time.perf_counter()
            losses = pool.map(_sweep_run, [(d, T, B, steps, r) for r in range(runs)], chunksize=1)
            s = time.perf_counter() - t0
        print(f"torch-sweep {runs} {workers} {d} {T} {B} {steps} {s:.2f} {runs * 3600 / s:.1f} "
              f"{runs * steps * B * T / s:.0f} {sum(losses) / runs:.4f}")
    else:
        d, T, B, steps, warm = (int(x) for x in sys.argv[1:6])
        times = []
        last = train(d, T, B, steps, 0, times)
        ms = (times[-1] - times[warm - 1]) * 1000 / (steps - warm)
        print(f"torch {d} {T} {B} {ms:.2f} {B * T / (ms / 1000):.0f} {last:.4f}")
