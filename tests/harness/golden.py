"""Golden digests: the SHA-256 of refnn's raw output, gradient and index bytes for every value case.

``tests/golden/digests.json`` is committed.  The determinism test recomputes each case's digest and
requires the committed one, so a change of any bit anywhere is caught, on every machine and under
every kernel build (``REFNN_ISA``).  A deliberate change is a reviewed commit made with
``python tools/golden_digests.py --update``, which prints what changed.
"""
import hashlib
import json
import os

import numpy as np

PATH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "golden", "digests.json")


def canonical(dtype, raw):
    """The bytes with every NaN written as the one quiet NaN of its type.

    Which NaN an operation returns (its sign and payload) is not specified by IEEE 754 and follows the
    order of the operands in the instruction the compiler chose: refnn's baseline and AVX2 builds give
    -NaN and +NaN for the same 0 * inf.  Every other bit counts."""
    dt = np.dtype(dtype)
    if dt.kind != "f":
        return raw
    values = np.frombuffer(raw, dtype=dt).copy()
    values[np.isnan(values)] = np.nan
    return values.tobytes()


def digest(blobs):
    """SHA-256 of (dtype, bytes) pairs in order, each prefixed with its dtype and length, NaNs canonical."""
    h = hashlib.sha256()
    for dtype, raw in blobs:
        raw = canonical(dtype, raw)
        h.update(dtype.encode() + len(raw).to_bytes(8, "little"))
        h.update(raw)
    return h.hexdigest()


_cache = None


def load():
    """{case id with dtype: hex digest} as committed (empty when the file does not exist)."""
    global _cache
    if _cache is None:
        try:
            with open(PATH) as f:
                _cache = json.load(f)["digests"]
        except FileNotFoundError:
            _cache = {}
    return _cache


def save(digests):
    with open(PATH, "w") as f:
        json.dump({"about": "SHA-256 of refnn's output, gradient and index bytes per registry value case "
                            "(tests/harness/golden.py); regenerate with tools/golden_digests.py --update",
                   "digests": dict(sorted(digests.items()))}, f, indent=0)
        f.write("\n")
