"""Makkuva et al. (2024) in your own PyTorch loop, judged by the lab against exact theory.

The lab plans the runs and makes their data (a binary first-order Markov chain, p = 0.2, q = 0.3, as in
examples/reference.yaml); this script trains a single-layer transformer on each run's data in PyTorch, logs its
train and eval losses to the lab, finishes the runs and prints the lab's verdicts: GLOBAL when the final eval loss
reached the chain's entropy rate (the global minimum), LOCAL when it stalled at the unigram entropy.

    ./lab up
    pip install ./clients/python torch
    TDLAB_TOKEN=$(cat .lab/token) python3 examples/pytorch_makkuva.py [--steps 1000] [--seeds 0 1 2]

Uses only the tdlab client (standard library) and torch; numpy is used by the client when installed.
"""
import argparse
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

import tdlab

SPEC = {
    "name": "makkuva-pytorch",
    "data": {"family": "markov", "order": 1, "vocab": 2, "p": 0.2, "q": 0.3, "seqLen": 64,
             "trainSequences": 2048, "evalSequences": 256},
    # the model as you describe it; the lab uses its family for the findings
    "model": {"family": "single-layer", "dModel": 4, "heads": 1, "attention": "softmax", "mlp": True,
              "tiedEmbedding": True},
    "train": {"optimizer": "adam", "lr": 0.005, "batch": 16, "steps": 1000, "evalEvery": 50},
    "seeds": [0, 1, 2],
}


class SingleLayer(nn.Module):
    """Makkuva et al.'s model: token + position embedding, one causal softmax attention head, a ReLU MLP, both with
    residual connections, and a readout tied to the embedding."""

    def __init__(self, vocab, d, seq_len):
        super().__init__()
        self.emb = nn.Embedding(vocab, d)                   # [V,d]
        self.pos = nn.Parameter(torch.zeros(seq_len, d))    # [T,d]
        self.q = nn.Linear(d, d, bias=False)
        self.k = nn.Linear(d, d, bias=False)
        self.v = nn.Linear(d, d, bias=False)
        self.o = nn.Linear(d, d, bias=False)
        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.ReLU(), nn.Linear(4 * d, d))
        self.bias = nn.Parameter(torch.zeros(vocab))
        for p in self.parameters():
            if p.dim() > 1:
                nn.init.normal_(p, std=0.02)
        self.register_buffer("mask", torch.tril(torch.ones(seq_len, seq_len, dtype=torch.bool)))

    def forward(self, x):                                   # x: [B,T] tokens
        t = x.shape[1]
        h = self.emb(x) + self.pos[:t]                      # [B,T,d]
        att = self.q(h) @ self.k(h).transpose(1, 2) / math.sqrt(h.shape[-1])  # [B,T,T]
        att = att.masked_fill(~self.mask[:t, :t], float("-inf")).softmax(-1)
        h = h + self.o(att @ self.v(h))                     # [B,T,d]
        h = h + self.mlp(h)                                 # [B,T,d]
        return h @ self.emb.weight.T + self.bias            # [B,T,V] logits


def losses(model, seqs):
    """Cross-entropy of every next token: [N,T] nats."""
    logits = model(seqs[:, :-1])
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), seqs[:, 1:].reshape(-1),
                           reduction="none").reshape(seqs.shape[0], -1)


def train(run, steps, lr, batch, eval_every):
    data = run.dataset()                                    # numpy arrays when numpy is installed, else lists
    train_x = torch.as_tensor(data.train, dtype=torch.long)  # [N, seqLen+1]
    eval_x = torch.as_tensor(data.eval, dtype=torch.long)
    torch.manual_seed(run.seed)
    model = SingleLayer(vocab=2, d=SPEC["model"]["dModel"], seq_len=train_x.shape[1] - 1)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    g = torch.Generator().manual_seed(run.seed)
    start = time.time()
    stderr = None
    with run.logger() as log:
        for step in range(1, steps + 1):
            idx = torch.randint(0, train_x.shape[0], (batch,), generator=g)
            loss = losses(model, train_x[idx]).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            log(step, train_loss=loss.item())
            if step % eval_every == 0 or step == steps:
                with torch.no_grad():
                    per_seq = losses(model, eval_x).mean(1)  # [N]
                eval_loss = per_seq.mean().item()
                stderr = per_seq.std().item() / math.sqrt(per_seq.shape[0])
                log(step, eval_loss=eval_loss)           # the last one is at the last step: the lab judges it
    run.finish(final_eval_stderr=stderr, seconds_elapsed=time.time() - start)
    return data.baselines


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", default=None)
    ap.add_argument("--token", default=None)
    ap.add_argument("--steps", type=int, default=SPEC["train"]["steps"])
    ap.add_argument("--seeds", type=int, nargs="+", default=SPEC["seeds"])
    a = ap.parse_args()
    SPEC["train"]["steps"] = a.steps
    SPEC["seeds"] = a.seeds
    lab = tdlab.Lab(a.url, a.token)
    exp = lab.submit_external(SPEC)
    print("experiment", exp.id)
    for run in exp.runs():
        b = train(run, a.steps, SPEC["train"]["lr"], SPEC["train"]["batch"], SPEC["train"]["evalEvery"])
        print("run %s seed %d trained (entropy rate %.6f, unigram %.6f)" % (run.id[:8], run.seed,
                                                                           b["entropyRate"], b["unigramEntropy"]))
    exp.wait()
    print("%-8s %4s  %-13s %10s %10s %10s" % ("run", "seed", "verdict", "eval loss", "optimum", "gap"))
    for v in exp.verdicts():
        print("%-8s %4d  %-13s %10.6f %10.6f %10.6f" % (v["run"][:8], v["seed"], v["verdict"], v["finalEvalLoss"],
                                                        v["optimum"], v["gapToOptimum"]))


if __name__ == "__main__":
    main()
