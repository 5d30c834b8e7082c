"""Closeness, error metrics and ULP distance between refnn and torch results.

Pass or fail: an element passes when both values are NaN, both are the same infinity, or both are
finite with ``|refnn - torch| <= atol + rtol * |torch|`` (torch.testing.assert_close's rule).

How errors are measured (the figures the compliance report shows; they decide nothing):

- ``max_abs``: the largest ``|refnn - torch|`` over elements finite in both;
- ``max_rel``: the largest ``|refnn - torch| / |torch|`` over elements finite in both with
  ``|torch| > atol``.  Below atol a value passes on its absolute error, and dividing by a tiny or
  zero reference says nothing (an output of 1e-38 off by 1e-45 is not "100% wrong");
- ``max_ulp``: the largest distance in units in the last place over the same elements (finite in
  both, ``|torch| > atol``), counted in the case's precision (a float64 gradient of a float32 case,
  say of a float64 bias, counts float32 ULPs); +0 and -0 are 0 apart.

A non-finite mismatch (NaN, an infinity or a finite value against something else) is named as such in
the message, never folded into those figures.
"""
import numpy as np

# torch.testing.assert_close's defaults (DESIGN.md)
TOLERANCES = {"float32": (1.3e-6, 1e-5), "float64": (1e-7, 1e-7)}


def ulp_distance(a, b):
    """Per-element distance in units in the last place; +0 == -0, NaN == NaN, inf == inf."""
    a = np.asarray(a).reshape(-1)
    b = np.asarray(b).reshape(-1)
    itype = {4: np.int32, 8: np.int64}[a.dtype.itemsize]
    ai = a.view(itype).astype(np.int64)
    bi = b.astype(a.dtype).view(itype).astype(np.int64)
    bits = 8 * a.dtype.itemsize
    # map sign-magnitude to a monotone integer line
    ai = np.where(ai < 0, -(ai & ((1 << (bits - 1)) - 1)), ai)
    bi = np.where(bi < 0, -(bi & ((1 << (bits - 1)) - 1)), bi)
    dist = np.array(np.abs(ai - bi), dtype=np.float64)  # an array even for 0-d inputs
    both_nan = np.isnan(a) & np.isnan(b)
    dist[both_nan] = 0
    dist[np.isnan(a) ^ np.isnan(b)] = np.inf
    return dist


def plain(value):
    """A number as a person writes it: ``inf``, ``-0.0``, ``0.1``, ``5`` (never ``np.float32(inf)``)."""
    if isinstance(value, np.generic):
        value = value.item() if value.dtype.kind in "biu" else value
    return str(value)


def index_text(index):
    """``(5,)`` or ``(0, 3)``: an element index with plain integers."""
    return str(tuple(int(i) for i in index))


def error_metrics(actual, expected, atol, dtype):
    """``{"max_abs", "max_rel", "max_ulp"}`` of float arrays of one shape and dtype (see the module doc);
    ``dtype`` is the case's dtype, whose precision the ULPs count in when it is the coarser."""
    metrics = {"max_abs": 0.0, "max_rel": 0.0, "max_ulp": 0.0}
    a64 = actual.astype(np.float64).reshape(-1)
    e64 = expected.astype(np.float64).reshape(-1)
    finite = np.isfinite(a64) & np.isfinite(e64)
    if not finite.any():
        return metrics
    diff = np.abs(a64[finite] - e64[finite])
    metrics["max_abs"] = float(diff.max())
    scale = np.abs(e64[finite])
    significant = scale > atol
    if significant.any():
        metrics["max_rel"] = float((diff[significant] / scale[significant]).max())
        unit = min(actual.dtype, np.dtype(dtype), key=lambda d: d.itemsize)
        ulps = ulp_distance(actual.reshape(-1)[finite][significant].astype(unit),
                            expected.reshape(-1)[finite][significant].astype(unit))
        metrics["max_ulp"] = float(ulps.max())
    return metrics


def compare(name, actual, expected, dtype, tol=None):
    """Return (ok, message, metrics) comparing refnn's ``actual`` with torch's ``expected``."""
    actual = np.asarray(actual)
    expected = np.asarray(expected)
    metrics = {"max_abs": 0.0, "max_rel": 0.0, "max_ulp": 0.0}
    if actual.shape != expected.shape:
        return False, f"{name}: shape {actual.shape} != torch's {expected.shape}", metrics
    if actual.dtype != expected.dtype:
        return False, f"{name}: dtype {actual.dtype} != torch's {expected.dtype}", metrics
    if actual.size == 0:
        return True, "", metrics
    if actual.dtype.kind != "f":
        bad = actual != expected
        if bad.any():
            i = tuple(np.argwhere(bad)[0])
            return False, (f"{name}: {int(bad.sum())} of {actual.size} values differ (exact match "
                           f"required), first at {index_text(i)}: refnn {plain(actual[i])} vs torch "
                           f"{plain(expected[i])}"), metrics
        return True, "", metrics
    rtol, atol = (tol or {}).get(dtype, TOLERANCES[dtype]) if tol else TOLERANCES[dtype]
    a64 = actual.astype(np.float64)
    e64 = expected.astype(np.float64)
    finite = np.isfinite(a64) & np.isfinite(e64)
    same_nonfinite = (np.isnan(a64) & np.isnan(e64)) | (np.isinf(a64) & np.isinf(e64) & (a64 == e64))
    nonfinite_bad = ~finite & ~same_nonfinite
    diff = np.zeros_like(a64)
    diff[finite] = np.abs(a64[finite] - e64[finite])
    finite_bad = finite & (diff > atol + rtol * np.abs(e64))
    metrics = error_metrics(actual, expected, atol, dtype)
    if not (finite_bad.any() or nonfinite_bad.any()):
        return True, "", metrics
    parts = []
    if finite_bad.any():
        i = tuple(np.argwhere(finite_bad)[0])
        parts.append(f"{int(finite_bad.sum())} of {actual.size} values outside rtol={rtol}, atol={atol}, first "
                     f"at {index_text(i)}: refnn {plain(actual[i])} vs torch {plain(expected[i])}")
    if nonfinite_bad.any():
        i = tuple(np.argwhere(nonfinite_bad)[0])
        count = int(nonfinite_bad.sum())
        parts.append(f"{count} non-finite mismatch{'es' if count > 1 else ''} (first at {index_text(i)}: "
                     f"refnn {plain(actual[i])} vs torch {plain(expected[i])})")
    parts.append(f"max abs of finite differences {metrics['max_abs']:.3g}")
    return False, f"{name}: " + "; ".join(parts), metrics
