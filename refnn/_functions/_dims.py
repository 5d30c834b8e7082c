"""Dimension arguments of the Tensor API: wrapping negative dims and laying reductions out as rows."""
import operator

import numpy as np

from ._util import contiguous


def wrap_dim(dim, ndim):
    """``dim`` in [0, ndim) (a 0-d tensor accepts -1 and 0), or torch's IndexError."""
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
        try:
            dim = operator.index(dim)
        except TypeError:
            raise TypeError(f"dim must be an int, but got {type(dim).__name__}") from None
    dim = int(dim)
    span = max(ndim, 1)
    if not -span <= dim < span:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-span}, {span - 1}], "
                         f"but got {dim})")
    return dim % span


def reduction_dims(dim, ndim):
    """The sorted tuple of dims a reduction runs over: all of them for None or an empty list."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (tuple, list)):
        dims = [wrap_dim(d, ndim) for d in dim]
        if not dims:
            return tuple(range(ndim))
        for d in dims:
            if dims.count(d) > 1:
                raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
        return tuple(sorted(dims))
    return (wrap_dim(dim, ndim),)


def as_rows(array, dims):
    """``array`` with the reduced ``dims`` moved last and folded: a C-contiguous (R, N) buffer.

    Returns the buffer and the shape of the result with keepdim (1 in every reduced dim).
    """
    if array.ndim == 0:
        return contiguous(array.reshape(1, 1)), ()
    kept = [d for d in range(array.ndim) if d not in dims]
    rows = 1
    for d in kept:
        rows *= array.shape[d]
    n = 1
    for d in dims:
        n *= array.shape[d]
    moved = np.transpose(array, kept + list(dims)) if kept + list(dims) != list(range(array.ndim)) else array
    kept_shape = tuple(1 if d in dims else array.shape[d] for d in range(array.ndim))
    return contiguous(moved).reshape(rows, n), kept_shape


def drop_dims(kept_shape, dims, keepdim):
    """The result's shape: ``kept_shape`` without the reduced dims unless keepdim."""
    if keepdim:
        return kept_shape
    return tuple(n for d, n in enumerate(kept_shape) if d not in dims)
