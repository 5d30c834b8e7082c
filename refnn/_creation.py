"""Creation functions: zeros/ones/full/empty/eye/arange/linspace and their ``_like`` forms.

Values are exact (``arange``'s i-th element is ``start + i * step`` in double, rounded once;
``linspace`` follows torch's two-sided rule: ``start + i * step`` for the first half and
``end - (steps - 1 - i) * step`` for the rest).  ``empty`` gives zeros: refnn never hands out
uninitialised memory.
"""
import math

import numpy as np

from .tensor import Tensor, _as_dtype, _check_device, _int

__all__ = ["zeros", "ones", "full", "empty", "eye", "arange", "linspace", "zeros_like", "ones_like",
           "full_like", "empty_like"]


def _size(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    out = []
    for n in size:
        if isinstance(n, bool) or not isinstance(n, (_int, np.integer)):
            if isinstance(n, Tensor) and n.data.ndim == 0 and n.data.dtype.kind in "iu":
                n = n.item()
            else:
                raise TypeError(f"size must be a tuple of ints, but got an element of type {type(n).__name__}")
        if n < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {n}: {list(size)}")
        out.append(_int(n))
    return tuple(out)


def _finish(array, requires_grad):
    if requires_grad and array.dtype.kind not in "fc":
        raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
    return Tensor(array, requires_grad=requires_grad)


def _filled(value):
    def make(*size, dtype=None, device=None, requires_grad=False, out=None):
        _check_device(device)
        return _finish(np.full(_size(size), value, dtype=_as_dtype(dtype) or np.float32), requires_grad)
    return make


zeros = _filled(0)
ones = _filled(1)
empty = _filled(0)
zeros.__name__, ones.__name__, empty.__name__ = "zeros", "ones", "empty"


def full(size, fill_value, *, dtype=None, device=None, requires_grad=False):
    _check_device(device)
    if dtype is None:
        fill = fill_value.item() if isinstance(fill_value, Tensor) else fill_value
        dtype = (np.bool_ if isinstance(fill, bool) else np.int64 if isinstance(fill, (_int, np.integer))
                 else np.float32)
    size = _size((size,) if isinstance(size, (tuple, list)) else (size,))
    return _finish(np.full(size, fill_value, dtype=_as_dtype(dtype)), requires_grad)


def eye(n, m=None, *, dtype=None, device=None, requires_grad=False):
    _check_device(device)
    n, m = _size((n,))[0], _size((n if m is None else m,))[0]
    return _finish(np.eye(n, m, dtype=_as_dtype(dtype) or np.float32), requires_grad)


def _like(make):
    def like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None):  # noqa: A002
        return make(input.shape, dtype=dtype or input.data.dtype, device=device, requires_grad=requires_grad)
    like.__name__ = make.__name__ + "_like"
    return like


zeros_like = _like(zeros)
ones_like = _like(ones)
empty_like = _like(empty)


def full_like(input, fill_value, *, dtype=None, device=None, requires_grad=False,  # noqa: A002
              memory_format=None):
    return full(input.shape, fill_value, dtype=dtype or input.data.dtype, device=device,
                requires_grad=requires_grad)


def _number(x):
    return x.item() if isinstance(x, Tensor) else x


def arange(start, end=None, step=1, *, dtype=None, device=None, requires_grad=False):
    """start, start + step, ... below end (above it for a negative step)."""
    _check_device(device)
    if end is None:
        start, end = 0, start
    start, end, step = _number(start), _number(end), _number(step)
    if step == 0:
        raise RuntimeError("step must be nonzero")
    for name, v in (("start", start), ("end", end)):
        if isinstance(v, float) and not math.isfinite(v):
            raise RuntimeError(f"unsupported range: {start} -> {end}")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and larger bound inconsistent with step sign")
    all_int = all(isinstance(v, (_int, np.integer)) for v in (start, end, step))
    dt = _as_dtype(dtype) or (np.dtype(np.int64) if all_int else np.dtype(np.float32))
    if all_int:
        count = max(0, -(-(end - start) // step))
    else:
        count = max(0, math.ceil((end - start) / step))
    if dt.kind in "iu" and all_int:
        values = start + step * np.arange(count, dtype=np.int64)
    else:
        values = np.float64(start) + np.arange(count, dtype=np.float64) * np.float64(step)
    return _finish(values.astype(dt), requires_grad)


def linspace(start, end, steps, *, dtype=None, device=None, requires_grad=False):
    """``steps`` points from start to end: the first half counted up from start, the rest down from end."""
    _check_device(device)
    start, end = _number(start), _number(end)
    if isinstance(steps, bool) or not isinstance(steps, (_int, np.integer)):
        raise TypeError(f"linspace(): argument 'steps' must be int, not {type(steps).__name__}")
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    dt = _as_dtype(dtype) or np.dtype(np.float32)
    work = np.float64 if dt.kind != "f" or dt == np.float64 else np.float32
    if steps == 0:
        return _finish(np.zeros(0, dtype=dt), requires_grad)
    if steps == 1:
        return _finish(np.full(1, start, dtype=dt), requires_grad)
    a, b = work(start), work(end)
    step = (b - a) / work(steps - 1)
    i = np.arange(steps)
    half = steps // 2
    values = np.where(i < half, a + step * i.astype(work), b - step * (steps - 1 - i).astype(work))
    if dt.kind in "iu":
        values = np.trunc(values)
    return _finish(values.astype(dt), requires_grad)
