"""Decoding of the lab's dataset shards (the encodings of data-gen-service's README), with or without numpy."""

import struct

try:  # optional
    import numpy as _np
except ImportError:  # pragma: no cover - depends on the environment
    _np = None


def _bits(body, count):
    """The first `count` bits of `body`, least significant bit of each byte first, as a list of 0/1."""
    out = []
    for byte in body:
        for k in range(8):
            out.append((byte >> k) & 1)
        if len(out) >= count:
            break
    return out[:count]


def decode_shard(body, encoding, items, tokens_per_item=None, patches=None, dim=None, use_numpy=None):
    """Decodes one shard's body.

    Returns a dict: ``tokens`` (items × tokens_per_item: a list of lists, or a numpy uint8 array) for the token
    encodings, with ``labels`` for the labeled ones; for ``patch-f32`` ``labels``, ``clean_labels``, ``aux0``,
    ``aux1`` and ``x`` (items × patches × dim floats).
    """
    np = _np if use_numpy is None or use_numpy else None
    if use_numpy and _np is None:
        raise ImportError("numpy is not installed")
    labels = None
    if encoding.startswith("labeled-"):
        labels = list(body[:items]) if np is None else np.frombuffer(body[:items], dtype=np.uint8).copy()
        body = body[items:]
        encoding = encoding[len("labeled-"):]
    if encoding in ("bits1", "u8"):
        n = items * tokens_per_item
        if np is not None:
            if encoding == "bits1":
                flat = np.unpackbits(np.frombuffer(body, dtype=np.uint8), bitorder="little")[:n]
            else:
                flat = np.frombuffer(body, dtype=np.uint8)[:n]
            tokens = flat.reshape(items, tokens_per_item).copy()
        else:
            flat = _bits(body, n) if encoding == "bits1" else list(body[:n])
            tokens = [flat[i * tokens_per_item:(i + 1) * tokens_per_item] for i in range(items)]
        out = {"tokens": tokens}
        if labels is not None:
            out["labels"] = labels
        return out
    if encoding == "patch-f32":
        rec = 4 + 4 * patches * dim
        out = {"labels": [], "clean_labels": [], "aux0": [], "aux1": [], "x": []}
        for i in range(items):
            r = body[i * rec:(i + 1) * rec]
            label, clean, a0, a1 = struct.unpack_from("<bbBB", r, 0)
            floats = struct.unpack_from("<%df" % (patches * dim), r, 4)
            out["labels"].append(label)
            out["clean_labels"].append(clean)
            out["aux0"].append(a0)
            out["aux1"].append(a1)
            out["x"].append([list(floats[p * dim:(p + 1) * dim]) for p in range(patches)])
        if np is not None:
            out = {k: np.asarray(v) for k, v in out.items()}
        return out
    raise ValueError("unknown shard encoding %r" % encoding)
