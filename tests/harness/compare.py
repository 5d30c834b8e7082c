"""Closeness, error metrics and ULP distance between refnn and torch results."""
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
                           f"required), first at {i}: {actual[i]} vs {expected[i]}"), metrics
        return True, "", metrics
    rtol, atol = (tol or {}).get(dtype, TOLERANCES[dtype]) if tol else TOLERANCES[dtype]
    a64 = actual.astype(np.float64)
    e64 = expected.astype(np.float64)
    nan_a, nan_e = np.isnan(a64), np.isnan(e64)
    same_inf = np.isinf(a64) & np.isinf(e64) & (np.sign(a64) == np.sign(e64))
    finite = np.isfinite(a64) & np.isfinite(e64)
    diff = np.zeros_like(a64)
    diff[finite] = np.abs(a64[finite] - e64[finite])
    bad = (nan_a != nan_e) | (~finite & ~(nan_a & nan_e) & ~same_inf)
    bad |= finite & (diff > atol + rtol * np.abs(e64))
    if finite.any():
        metrics["max_abs"] = float(diff[finite].max())
        rel = diff[finite] / np.maximum(np.abs(e64[finite]), np.finfo(actual.dtype).tiny)
        metrics["max_rel"] = float(rel.max())
    ulps = ulp_distance(actual, expected)
    metrics["max_ulp"] = float(ulps.max()) if ulps.size else 0.0
    if bad.any():
        i = tuple(np.argwhere(bad)[0])
        return False, (f"{name}: {int(bad.sum())} of {actual.size} values outside rtol={rtol}, atol={atol}; "
                       f"max abs {metrics['max_abs']:.3g}; first at {i}: refnn {actual[i]!r} vs torch "
                       f"{expected[i]!r}"), metrics
    return True, "", metrics
