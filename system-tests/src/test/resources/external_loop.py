"""A researcher's own training loop, faked with a known curve, through the tdlab Python client (ExternalClientIT).

Submits an external experiment over a (data.p, data.q) sweep, downloads each run's data through the lab, logs a
curve that reaches the run's exact optimum in the cells with p = 0.2 and stays on the unigram plateau in the others,
finishes the runs and prints what the lab concluded as one JSON object.
"""
import json
import math
import sys

import tdlab

SPEC = {
    "name": "external-client-it",
    "data": {"family": "markov", "order": 1, "vocab": 2, "p": 0.2, "q": 0.2, "seqLen": 16, "trainSequences": 64, "evalSequences": 16},
    "model": {"family": "single-layer", "dModel": 4},
    "train": {"steps": 500, "evalEvery": 10},
    "seeds": [0],
    "sweep": {"data.p": [0.2, 0.3], "data.q": [0.2, 0.4]},
}

lab = tdlab.Lab()
exp = lab.submit_external(SPEC)
out = {"experiment": exp.id, "runs": {}}
for run in exp.runs():
    data = run.dataset(use_numpy=False)
    assert len(data.train) == 64 and len(data.eval) == 16, (len(data.train), len(data.eval))
    assert all(len(x) == 17 and set(x) <= {0, 1} for x in data.train), "bad sequences"
    b = data.baselines
    opt = b["optimalLoss"] if b.get("optimalLoss") is not None else b["entropyRate"]
    uni = b["unigramEntropy"]
    converges = run.cell["data.p"] == 0.2
    with run.logger(flush_every=300) as log:
        for t in range(501):
            log(t, train_loss=opt + (uni - opt) * math.exp(-t / 80.0) if converges else uni)
            if t % 10 == 0:
                log(t, eval_loss=opt + (uni - opt) * math.exp(-t / 100.0) if converges else uni)
    # a retried batch (same id) changes nothing
    run.log_points([("eval_loss", 500, 123.0)], batch_id="retry")
    run.log_points([("eval_loss", 500, 123.0)], batch_id="retry")
    run.finish(final_eval_stderr=0.001, seconds_elapsed=1.0)
    curves = run.curves(["eval_loss"], max_points=1000)
    out["runs"][run.id] = {"cell": run.cell, "verdict": run.verdict, "optimum": opt,
                           "evalPoints": len(curves["eval_loss"][0]), "lastEval": curves["eval_loss"][1][-1]}
exp.wait(timeout=120)
out["status"] = exp.status
out["verdicts"] = exp.verdicts()
out["phase"] = exp.phase()
out["claims"] = exp.claims()
try:
    out["curvesCsvLines"] = len(exp.curves_csv().splitlines())
except tdlab.LabError as e:
    out["curvesCsvLines"] = -e.status
try:
    import pandas  # noqa: F401
    out["pandasRows"] = len(exp.to_pandas("runs"))
except ImportError:
    out["pandasRows"] = None
json.dump(out, sys.stdout)
