"""tdlab: the Python client of the Transformer Dynamics Lab.

Bring your own training loop (PyTorch, JAX, numpy...): submit an *external* experiment, train its runs on the lab's
data, log their metrics, finish them, and read the lab's verdicts against exact theory, its claims and its phase
diagram. Standard library only; numpy and pandas are used when installed.

    import tdlab
    lab = tdlab.Lab("http://localhost:8080", token="tdl_...")
    exp = lab.submit_external({"name": "mine", "data": {...}, "train": {"steps": 1000}, "seeds": [0, 1]})
    for run in exp.runs():
        data = run.dataset()                      # train/eval token sequences (lists, or numpy arrays)
        with run.logger() as log:                 # batched, idempotent, retried
            for step in range(1000):
                log(step, train_loss=...)
            log(999, eval_loss=...)
        run.finish(final_eval_stderr=...)
    print(exp.wait().verdicts())
"""

from .client import Lab, Experiment, Run, Dataset, MetricLogger, LabError
from .shards import decode_shard

__all__ = ["Lab", "Experiment", "Run", "Dataset", "MetricLogger", "LabError", "decode_shard"]
__version__ = "0.1.0"
