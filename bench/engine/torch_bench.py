"""ms per training step of the same model in PyTorch eager on CPU (one thread), same data law and sizes.
Args: d T B steps warmup. Prints: torch d T B ms_per_step tokens_per_s final_train_loss."""
import sys, time
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
d, T, B, steps, warm = (int(x) for x in sys.argv[1:6])
rng = np.random.default_rng(1)
p, q = 0.2, 0.3
n = 512
x = np.empty((n, T + 1), dtype=np.int64)
x[:, 0] = rng.random(n) < p / (p + q)
u = rng.random((n, T))
for t in range(T):
    prev = x[:, t]
    x[:, t + 1] = np.where(prev == 0, u[:, t] < p, u[:, t] >= q)
data = torch.from_numpy(x)


class Model(nn.Module):
    def __init__(self):
        super().__init__()
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
        a = (self.q(h) @ self.k(h).transpose(1, 2)) / d ** 0.5
        a = a.masked_fill(~self.mask, float("-inf")).softmax(-1)
        h = h + self.o(a @ self.v(h))
        h = h + self.w2(F.relu(self.w1(h)))
        return h @ self.wte.t() + self.bias


torch.manual_seed(0)
model = Model()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
g = torch.Generator().manual_seed(0)
times = []
for step in range(steps):
    idx = torch.randint(0, n, (B,), generator=g)
    batch = data[idx]
    logits = model(batch[:, :-1])
    loss = F.cross_entropy(logits.reshape(-1, 2), batch[:, 1:].reshape(-1))
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    times.append(time.perf_counter())
ms = (times[-1] - times[warm - 1]) * 1000 / (steps - warm)
print(f"torch {d} {T} {B} {ms:.2f} {B * T / (ms / 1000):.0f} {loss.item():.4f}")
