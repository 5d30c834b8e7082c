"""A position- and CPU-independent oracle for pointwise ops: torch's answer for each element alone.

torch's CPU kernels can give different answers for the same value depending on where it sits in the
tensor (the vectorised body or the scalar tail) and on the CPU (the vector width, which decides which
elements form the tail).  For non-finite values and kinks the two paths of one kernel disagree: gelu of
+inf is NaN in the AVX-512 body and +inf in the scalar loop; the hardtanh gradient at NaN is 0 in the
body and the upstream gradient in the tail.

refnn's rule is the element alone: torch's answer for a one-element tensor, which runs the scalar loop,
the same C++ on every CPU.  For a case marked ``pointwise`` (every output and gradient element depends
on the same element of the first tensor input alone) the harness asks torch for every element alone and
holds refnn to those answers.  Where torch's answer in place differs from its answer alone, the case is
"torch disagrees with itself": neither passed nor failed, listed in the report with both of torch's
values and refnn's.
"""
import numpy as np

from .compare import compare, plain

MAX_ELEMENTS = 512   # pointwise cases larger than this are checked in place only


def _flat(x):
    return np.ascontiguousarray(x).reshape(-1)


def alone(run_one, x, upstream, dtype):
    """torch's output and input gradient for each element of ``x`` on its own (a one-element tensor).

    ``run_one(x1, g1)`` runs torch on the one-element array ``x1`` and returns (output array, input
    gradient array or None), backpropagating ``g1`` when given."""
    xs = _flat(x)
    gs = None if upstream is None else _flat(upstream)
    outs, grads = [], []
    for i in range(xs.size):
        o, g = run_one(xs[i:i + 1].copy(), None if gs is None else gs[i:i + 1].copy())
        outs.append(np.asarray(o).reshape(-1)[0])
        grads.append(None if g is None else np.asarray(g).reshape(-1)[0])
    out = np.array(outs)
    grad = None if upstream is None or any(g is None for g in grads) else np.array(grads)
    return out, grad


def _differs(a, b, dtype, tol):
    """Elements where ``a`` and ``b`` are not close (NaN equals NaN)."""
    ok, _, _ = compare("", a, b, dtype, tol)
    if ok:
        return np.zeros(a.shape, dtype=bool)
    out = np.zeros(a.shape, dtype=bool)
    for i in range(a.size):
        out[i] = not compare("", a[i:i + 1], b[i:i + 1], dtype, tol)[0]
    return out




def check(name, x, in_place, by_itself, refnn_values, dtype, tol, acc, disagreements):
    """Hold refnn to torch's answers alone; record the elements where torch in place differs from them."""
    in_place, by_itself = _flat(in_place), _flat(by_itself).astype(in_place.dtype)
    refnn_values = _flat(refnn_values)
    acc.check(f"{name} (torch per element alone)", refnn_values, by_itself, dtype, tol)
    split = _differs(in_place, by_itself, dtype, tol)
    xs = _flat(x)
    for i in np.flatnonzero(split):
        disagreements.append({"what": name, "index": int(i), "input": plain(xs[i]),
                              "torch_in_place": plain(in_place[i]), "torch_alone": plain(by_itself[i]),
                              "refnn": plain(refnn_values[i])})
