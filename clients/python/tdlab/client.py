"""The REST client: experiments, runs, their data, metric logging and the lab's results. Standard library only."""

import json
import math
import os
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

from .shards import decode_shard

try:  # optional
    import numpy as _np
except ImportError:  # pragma: no cover
    _np = None

TERMINAL_EXPERIMENT = ("FINISHED", "FAILED", "CANCELLED")
#: points per request when logging: MLflow's log-batch limit; the lab takes up to 10,000
DEFAULT_CHUNK = 1000
MAX_CHUNK = 10000


class LabError(Exception):
    """An API error: ``status`` (HTTP), ``problem`` (the problem+json body) and its ``violations``."""

    def __init__(self, status, problem, method="", path=""):
        self.status = status
        self.problem = problem if isinstance(problem, dict) else {"detail": str(problem)}
        self.violations = self.problem.get("violations") or []
        detail = self.problem.get("detail") or self.problem.get("title") or ""
        lines = ["%s %s: %s %s" % (method, path, status, detail)]
        lines += ["  %s: %s" % (v.get("field"), v.get("message")) for v in self.violations]
        super().__init__("\n".join(lines))


def _default_token():
    if os.environ.get("TDLAB_TOKEN"):
        return os.environ["TDLAB_TOKEN"]
    path = os.path.join(".lab", "token")
    if os.path.exists(path):
        with open(path) as f:
            return f.read().strip()
    return None


def _number(v):
    """A JSON value for a metric value: a float, or "NaN" / "Infinity" / "-Infinity"."""
    v = float(v)  # numpy scalars, 0-d tensors, ints
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    return v


def _float(v):
    return float(v) if not isinstance(v, str) else float(v.replace("Infinity", "inf"))


class Lab:
    """A connection to the lab's API (analysis-service).

    ``url`` defaults to ``$TDLAB_URL`` or http://localhost:8080; ``token`` to ``$TDLAB_TOKEN`` or ``.lab/token``.
    Requests that are safe to repeat (reads, metric batches with their batch id, finish) are retried on connection
    errors and 500/502/503/504, ``retries`` times with exponential back-off.
    """

    def __init__(self, url=None, token=None, timeout=60.0, retries=5):
        self.url = (url or os.environ.get("TDLAB_URL") or "http://localhost:8080").rstrip("/")
        self.token = token if token is not None else _default_token()
        self.timeout = timeout
        self.retries = retries

    # -- HTTP -------------------------------------------------------------------------------------------------
    def request(self, method, path, body=None, content_type="application/json", raw=False, retry=None):
        """Sends a request; returns the parsed JSON (or ``(bytes, headers)`` when ``raw``). Raises LabError."""
        retry = (method == "GET") if retry is None else retry
        data = None
        if body is not None:
            data = body.encode("utf-8") if isinstance(body, str) else json.dumps(body, allow_nan=False).encode("utf-8")
        headers = {"Accept": "*/*" if raw else "application/json"}
        if data is not None:
            headers["Content-Type"] = content_type
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        attempts = (self.retries + 1) if retry else 1
        for attempt in range(attempts):
            req = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
            try:
                with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                    payload = resp.read()
                    if raw:
                        return payload, dict(resp.headers.items())
                    return json.loads(payload) if payload else None
            except urllib.error.HTTPError as e:
                text = e.read().decode("utf-8", "replace")
                if e.code in (500, 502, 503, 504) and attempt + 1 < attempts:
                    time.sleep(min(30.0, 0.5 * 2 ** attempt))
                    continue
                try:
                    problem = json.loads(text)
                except ValueError:
                    problem = {"detail": text}
                raise LabError(e.code, problem, method, path) from None
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                if attempt + 1 >= attempts:
                    raise
                time.sleep(min(30.0, 0.5 * 2 ** attempt))
        raise AssertionError("unreachable")

    # -- experiments ------------------------------------------------------------------------------------------
    def submit(self, spec, template=None):
        """Submits a spec (a dict, or JSON/YAML text) and returns its Experiment."""
        path = "/api/v1/experiments" + ("?template=" + urllib.parse.quote(template) if template else "")
        if isinstance(spec, str):
            created = self.request("POST", path, spec, content_type="application/yaml")
        else:
            created = self.request("POST", path, spec)
        return Experiment(self, created["id"])

    def submit_external(self, spec):
        """Submits a spec whose runs you train yourself: ``train.external`` is set to true.

        ``spec``: a dict, or JSON text, or YAML text (parsed with PyYAML when installed; without it the text must say
        ``external: true`` under ``train`` itself).
        """
        if isinstance(spec, str):
            parsed = None
            try:
                parsed = json.loads(spec)
            except ValueError:
                try:
                    import yaml  # optional
                    parsed = yaml.safe_load(spec)
                except ImportError:
                    parsed = None
            if parsed is None:
                exp = self.submit(spec)
                if not (exp.view.get("spec") or {}).get("train", {}).get("external"):
                    exp.cancel()
                    raise ValueError("the YAML spec does not set train.external: true (install PyYAML to have it set)")
                return exp
            spec = parsed
        spec = json.loads(json.dumps(spec))  # a copy
        spec.setdefault("train", {})
        if spec["train"] is None:
            spec["train"] = {}
        spec["train"]["external"] = True
        return self.submit(spec)

    def experiment(self, experiment_id):
        return Experiment(self, experiment_id)

    def experiments(self, status=None, name=None, page=0, size=50):
        q = {"page": page, "size": size}
        if status:
            q["status"] = status
        if name:
            q["name"] = name
        return self.request("GET", "/api/v1/experiments?" + urllib.parse.urlencode(q))["items"]

    def run(self, run_id):
        return Run(self, run_id)


class Experiment:
    """An experiment: its runs, verdicts, claims, cells, phase diagram and curves."""

    def __init__(self, lab, experiment_id):
        self.lab = lab
        self.id = experiment_id
        self.view = None
        self.refresh()

    def refresh(self):
        self.view = self.lab.request("GET", "/api/v1/experiments/" + self.id)
        return self

    @property
    def status(self):
        return self.view["status"]

    def runs(self):
        """The runs, in cell and seed order (each a Run with its view as of the last refresh)."""
        return [Run(self.lab, r["id"], view=r) for r in self.view["runs"]]

    def wait(self, timeout=600.0, poll=1.0):
        """Refreshes until the experiment has ended (FINISHED, FAILED, CANCELLED); returns self."""
        deadline = time.time() + timeout
        while True:
            self.refresh()
            if self.status in TERMINAL_EXPERIMENT:
                return self
            if time.time() > deadline:
                raise TimeoutError("experiment %s still %s after %s s" % (self.id, self.status, timeout))
            time.sleep(poll)

    def verdicts(self):
        """One dict per run: id, cell, seed, status, verdict, finalEvalLoss, optimum (optimalLoss or entropyRate),
        gapToOptimum with gapLow/gapHigh, tolerance, convergenceStep, findings, error."""
        out = []
        for r in self.view["runs"]:
            b = r.get("baselines") or {}
            out.append({"run": r["id"], "cell": r.get("cell") or {}, "seed": r.get("seed"), "status": r.get("status"),
                        "verdict": r.get("verdict"), "finalEvalLoss": r.get("finalEvalLoss"),
                        "optimum": b.get("optimalLoss") if b.get("optimalLoss") is not None else b.get("entropyRate"),
                        "gapToOptimum": r.get("gapToOptimum"), "gapLow": r.get("gapLow"), "gapHigh": r.get("gapHigh"),
                        "tolerance": r.get("tolerance"), "convergenceStep": r.get("convergenceStep"),
                        "findings": r.get("findings"), "error": r.get("error")})
        return out

    def claims(self):
        return self.view.get("claims") or []

    def cells(self):
        return self.view.get("cells") or []

    def report(self):
        """report.json: the experiment view and ``phase`` (the phase diagram of a two-numeric-axis sweep)."""
        return self.lab.request("GET", "/api/v1/experiments/%s/report.json" % self.id)

    def phase(self):
        return self.report().get("phase")

    def curves(self, names=None, max_points=1000):
        """{run id: {metric: (steps, values)}} for every run."""
        return {r.id: r.curves(names, max_points) for r in self.runs()}

    def curves_csv(self):
        """Every curve of the experiment in long format, as CSV text (GET .../curves.csv)."""
        body, _ = self.lab.request("GET", "/api/v1/experiments/%s/curves.csv" % self.id, raw=True)
        return body.decode("utf-8")

    def cancel(self):
        return self.lab.request("DELETE", "/api/v1/experiments/" + self.id)

    def to_pandas(self, kind="runs"):
        """A pandas DataFrame: ``runs`` (one row per run: verdicts and cell parameters as columns), ``curves`` (long
        format: run, cell parameters, seed, metric, step, value), ``claims`` or ``cells``."""
        import pandas as pd  # optional
        if kind == "runs":
            rows = []
            for v in self.verdicts():
                row = {k: x for k, x in v.items() if k not in ("cell", "findings")}
                row.update(v["cell"])
                rows.append(row)
            return pd.DataFrame(rows)
        if kind == "curves":
            rows = []
            for r in self.runs():
                for name, (steps, values) in r.curves(max_points=100000).items():
                    for s, x in zip(steps, values):
                        row = {"experiment": self.id, "run": r.id, "seed": r.seed, "metric": name, "step": s, "value": x}
                        row.update(r.cell)
                        rows.append(row)
            return pd.DataFrame(rows)
        if kind in ("claims", "cells"):
            return pd.DataFrame(self.claims() if kind == "claims" else self.cells())
        raise ValueError("kind must be runs, curves, claims or cells")


class Dataset:
    """A run's data: ``train`` and ``eval`` token sequences (lists of lists, or numpy uint8 arrays of items ×
    (seqLen+1)), ``train_labels``/``eval_labels`` for labeled families, ``meta`` (data-gen's metadata with the
    baselines and theory), ``data`` (the run's data spec) and ``seed`` (the same bytes come from them)."""

    def __init__(self, meta, data, seed, train, eval_, train_labels=None, eval_labels=None):
        self.meta = meta
        self.data = data
        self.seed = seed
        self.train = train
        self.eval = eval_
        self.train_labels = train_labels
        self.eval_labels = eval_labels

    @property
    def baselines(self):
        return self.meta.get("baselines") or {}


class Run:
    """One run: its dataset, metric logging, its end, its verdict and curves."""

    def __init__(self, lab, run_id, view=None):
        self.lab = lab
        self.id = run_id
        self.view = view if view is not None else lab.request("GET", "/api/v1/runs/" + run_id)

    def refresh(self):
        self.view = self.lab.request("GET", "/api/v1/runs/" + self.id)
        return self

    cell = property(lambda self: self.view.get("cell") or {})
    seed = property(lambda self: self.view.get("seed"))
    status = property(lambda self: self.view.get("status"))
    verdict = property(lambda self: self.view.get("verdict"))

    def __repr__(self):
        return "Run(%s, cell=%s, seed=%s, %s, %s)" % (self.id, self.cell, self.seed, self.status, self.verdict)

    # -- data -------------------------------------------------------------------------------------------------
    def dataset_info(self, wait=120.0):
        """The run's data spec, seed, dataset metadata and shard URLs; waits up to ``wait`` s for data-gen."""
        deadline = time.time() + wait
        while True:
            try:
                return self.lab.request("GET", "/api/v1/runs/%s/dataset" % self.id)
            except LabError as e:
                if e.status != 409 or time.time() > deadline:
                    raise
                time.sleep(1.0)

    def dataset(self, use_numpy=None, wait=120.0):
        """Downloads and decodes every shard of the run's dataset (checksums verified). ``use_numpy``: None = numpy
        when installed, False = plain lists."""
        import hashlib
        info = self.dataset_info(wait)
        meta = info["dataset"]
        np = _np if use_numpy is None else (_np if use_numpy else None)
        if use_numpy and _np is None:
            raise ImportError("numpy is not installed")
        parts = {"train": [], "eval": []}
        for n, url in enumerate(info["shards"]):
            body, headers = self.lab.request("GET", url, raw=True)
            h = {k.lower(): v for k, v in headers.items()}
            want = h.get("x-checksum-sha256")
            if want and hashlib.sha256(body).hexdigest() != want:
                raise IOError("shard %d of run %s: checksum mismatch" % (n, self.id))
            split = h.get("x-split") or ("train" if n < info["shardCount"] else "eval")
            parts[split].append(decode_shard(body, h.get("x-encoding") or meta["format"]["encoding"],
                                             int(h.get("x-sequences")), meta.get("tokensPerSequence"),
                                             meta.get("patches"), meta.get("dim"), use_numpy=np is not None))
        def join(split, key):
            chunks = [p[key] for p in parts[split] if key in p]
            if not chunks:
                return None
            if np is not None:
                return np.concatenate(chunks)
            out = []
            for c in chunks:
                out.extend(c)
            return out
        key = "x" if meta.get("format", {}).get("encoding") == "patch-f32" else "tokens"
        return Dataset(meta, info.get("data"), info.get("seed"), join("train", key), join("eval", key),
                       join("train", "labels"), join("eval", "labels"))

    # -- logging ----------------------------------------------------------------------------------------------
    def log_points(self, points, chunk=DEFAULT_CHUNK, batch_id=None):
        """Logs ``points`` — an iterable of (name, step, value) — in batches of ``chunk`` points (≤ 10,000), each
        stored atomically under its batch id and retried with the same id (so never twice). Returns the batch ids.

        ``batch_id``: a prefix for the ids (default: random); give a stable one to make a re-run of your script
        idempotent too.
        """
        chunk = max(1, min(int(chunk), MAX_CHUNK))
        prefix = batch_id or uuid.uuid4().hex
        ids, buf, k = [], [], 0
        for name, step, value in points:
            buf.append({"name": str(name), "step": int(step), "value": _number(value)})
            if len(buf) >= chunk:
                ids.append(self._send(prefix + "-" + str(k), buf))
                buf, k = [], k + 1
        if buf:
            ids.append(self._send(prefix + "-" + str(k), buf))
        return ids

    def log(self, step, **values):
        """Logs the values of one step at once (one request): ``run.log(100, train_loss=0.61, eval_loss=0.63)``."""
        return self.log_points((name, step, v) for name, v in values.items())

    def log_series(self, series, chunk=DEFAULT_CHUNK, batch_id=None):
        """Logs whole series: ``{name: (steps, values)}``."""
        return self.log_points(((name, s, v) for name, (steps, values) in series.items()
                                for s, v in zip(steps, values)), chunk, batch_id)

    def logger(self, flush_every=DEFAULT_CHUNK):
        """A buffering logger for a training loop (a context manager: flushes at the end)."""
        return MetricLogger(self, flush_every)

    def _send(self, batch_id, points):
        self.lab.request("POST", "/api/v1/runs/%s/metrics" % self.id, {"batchId": batch_id, "metrics": points},
                         retry=True)
        return batch_id

    def finish(self, status="FINISHED", final_eval_loss=None, final_eval_stderr=None, final_train_loss=None,
               seconds_elapsed=None, error=None):
        """Ends the run (FINISHED or FAILED). The lab judges the final eval loss — by default the last logged
        ``eval_loss``, which must be logged at the run's last step; give its standard error over your eval set
        (``final_eval_stderr``) for honest bands. Returns the run (with its verdict when its baselines are known)."""
        body = {"status": status}
        for k, v in (("finalEvalLoss", final_eval_loss), ("finalEvalStdErr", final_eval_stderr),
                     ("finalTrainLoss", final_train_loss), ("secondsElapsed", seconds_elapsed)):
            if v is not None:
                body[k] = float(v)
        if error is not None:
            body["error"] = str(error)
        self.view = self.lab.request("POST", "/api/v1/runs/%s/finish" % self.id, body, retry=True)
        return self

    def fail(self, error):
        return self.finish("FAILED", error=error)

    # -- results ----------------------------------------------------------------------------------------------
    def verdict_info(self):
        return self.lab.request("GET", "/api/v1/runs/%s/verdict" % self.id)

    def curves(self, names=None, max_points=1000):
        """{metric: (steps, values)} (values as floats, NaN/inf included), at most max_points per metric."""
        q = {"maxPoints": max_points}
        if names:
            q["names"] = ",".join(names)
        m = self.lab.request("GET", "/api/v1/runs/%s/metrics?%s" % (self.id, urllib.parse.urlencode(q)))["metrics"]
        return {name: (s["steps"], [_float(v) for v in s["values"]]) for name, s in m.items()}


class MetricLogger:
    """Buffers points and sends them in batches of ``flush_every`` (each with its own batch id, retried safely).

        with run.logger() as log:
            log(step, train_loss=loss)
    """

    def __init__(self, run, flush_every=DEFAULT_CHUNK):
        self.run = run
        self.flush_every = max(1, min(int(flush_every), MAX_CHUNK))
        self.prefix = uuid.uuid4().hex
        self.sent = 0
        self.buffer = []

    def __call__(self, step, **values):
        for name, v in values.items():
            self.buffer.append((name, int(step), v))
        if len(self.buffer) >= self.flush_every:
            self.flush()

    log = __call__

    def flush(self):
        while self.buffer:
            part, self.buffer = self.buffer[:self.flush_every], self.buffer[self.flush_every:]
            self.run.log_points(part, self.flush_every, batch_id="%s-%d" % (self.prefix, self.sent))
            self.sent += 1

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.flush()
        return False
