"""F.fractional_max_pool2d/3d (and their _with_indices forms): torch's signatures and checks.

Each plane (batch element n, channel c) draws one sample u in [0, 1) per spatial dim (torch's
``_random_samples``, shape (N, C, dims): refnn draws them from its own generator, ``refnn.manual_seed``,
when none are given).  Along a dim of input size L, output size O and kernel k the windows start at

    alpha = (L - k) / (O - 1)             (in the input's dtype)
    start[i] = int((i + u) * alpha) - int(u * alpha)   for i < O - 1,   start[O - 1] = L - k

(torch's interval rule, C truncation), and the output is the max of each k-window, as max pooling
takes it.  2-d uses the samples (u_w, u_h), 3-d (u_t, u_h, u_w).  One N-d implementation: 2-d runs
as 3-d with a unit depth.
"""
import collections.abc
import math

import numpy as np

from ... import random as _random
from ..._functions.pooling import FractionalMaxPoolFunction
from ..._shape import check_allocation
from ...tensor import Tensor
from ._utils import as_int, check_tensor

__all__ = ["fractional_max_pool2d", "fractional_max_pool3d", "fractional_max_pool2d_with_indices",
           "fractional_max_pool3d_with_indices"]

_INT_MIN = -2 ** 31
_DIM_NAMES = ("time", "height", "width")


def _c_int(values):
    """static_cast<int> of float values as x86-64 does it: truncation, INT_MIN for NaN and out-of-range."""
    values = np.asarray(values, dtype=np.float64)
    ok = np.isfinite(values) & (values > -2.0 ** 31 - 1) & (values < 2.0 ** 31)
    out = np.full(values.shape, _INT_MIN, dtype=np.int64)
    out[ok] = np.trunc(values[ok]).astype(np.int64)
    return out


def _wrap32(values):
    """int32 wrap-around of int64 values (the C int subtraction)."""
    return ((values + 2 ** 31) % 2 ** 32) - 2 ** 31


def interval_starts(samples, in_size, out_size, kernel, dtype):
    """(P, out_size) window starts along one dim for the P planes' samples (torch's interval rule, in dtype)."""
    starts = np.empty((samples.shape[0], out_size), dtype=np.int64)
    if out_size == 0:
        return starts
    if out_size > 1:
        t = np.dtype(dtype).type
        alpha = t(in_size - kernel) / t(out_size - 1)
        u = samples.astype(dtype)[:, None]
        i = np.arange(out_size - 1, dtype=dtype)[None, :]
        starts[:, :-1] = _wrap32(_c_int((i + u) * alpha) - _c_int(u * alpha))
    starts[:, -1] = in_size - kernel
    return starts


def _sizes(fn, name, value, dims, message):
    """An int (broadcast) or a sequence of exactly ``dims`` ints (torch does not broadcast a 1-sequence here)."""
    if isinstance(value, (tuple, list)):
        values = tuple(as_int(fn, name, v) for v in value)
        if len(values) != dims:
            raise RuntimeError(message)
        return values
    return (as_int(fn, name, value),) * dims


def _ratio(fn, dims, output_ratio):
    """torch's python: 2-d takes len() of the ratio first (a bare float is a TypeError), 3-d broadcasts it."""
    if dims == 2:
        if not isinstance(output_ratio, collections.abc.Sized):
            raise TypeError(f"object of type '{type(output_ratio).__name__}' has no len()")
        if len(output_ratio) > 2:
            raise ValueError(f"{fn} requires output_ratio to either be a single Int or tuple of Ints.")
    if isinstance(output_ratio, (tuple, list)):
        ratio = tuple(output_ratio)
        if dims == 3 and len(ratio) == 1:
            ratio = ratio * 3
        if len(ratio) < dims:
            raise IndexError("tuple index out of range")
        return ratio
    return (output_ratio,) * dims


def _check_rank_for_index(input, rank):
    """torch's python reads input.size(-rank): an IndexError for fewer dims."""
    if input.dim() < rank:
        span = max(input.dim(), 1)
        raise IndexError(f"Dimension out of range (expected to be in range of [{-span}, {span - 1}], but got "
                         f"{-rank})")


def _fractional(fn, dims, input, kernel_size, output_size, output_ratio, _random_samples):
    check_tensor(fn, "input", input)
    if output_size is None and output_ratio is None:
        raise ValueError(f"{fn} requires specifying either an output_size or an output_ratio")
    if output_size is None:
        ratio = _ratio(fn, dims, output_ratio)
        _check_rank_for_index(input, dims)
        output_size = [int(input.shape[input.dim() - dims + i] * ratio[i]) for i in range(dims)]
    batched = input.dim() == dims + 2
    if _random_samples is None:
        _check_rank_for_index(input, dims + 1)
        if input.data.dtype not in (np.float32, np.float64):
            raise NotImplementedError(f"{fn}: \"check_uniform_bounds\" not implemented for input of dtype "
                                      f"{input.dtype} (float32 or float64 expected)")
        n_batch = input.shape[0] if batched else 1
        # uniform on [0, 1) drawn in the input's dtype (as torch.rand does), from refnn's generator
        _random_samples = Tensor(_random.default_generator().random(
            (n_batch, input.shape[input.dim() - dims - 1], dims), dtype=input.data.dtype.type))
    check_tensor(fn, "_random_samples", _random_samples)
    for name, value in (("kernel_size", kernel_size), ("output_size", output_size)):   # the parser: types first
        for v in value if isinstance(value, (tuple, list)) else (value,):
            as_int(fn, name, v)
    kernel = _sizes(fn, "kernel_size", kernel_size, dims,
                    f"{fn}: kernel_size must either be a single Int or tuple of {'three ' if dims == 3 else ''}Ints")
    out = _sizes(fn, "output_size", output_size, dims,
                 f"{fn}: output_size must either be a single Int or tuple of {'three ' if dims == 3 else ''}Ints")
    samples = _random_samples.data
    if samples.dtype != input.data.dtype:
        raise RuntimeError(f"{fn}: Expect _random_samples to have the same dtype as input "
                           f"({samples.dtype} vs {input.dtype})")
    if samples.ndim != 3:
        raise RuntimeError(f"{fn}: Expect _random_samples to have 3 dimensions, got {samples.ndim}")
    if input.dim() not in (dims + 1, dims + 2):
        raise RuntimeError(f"{fn}: non-empty {dims + 1}D or {dims + 2}D (batch mode) tensor expected for input, "
                           f"but got input of shape {tuple(input.shape)}")
    n_batch = input.shape[0] if batched else 1
    channels = input.shape[input.dim() - dims - 1]
    if samples.shape[0] < n_batch:
        raise RuntimeError(f"{fn}: Expect _random_samples.size(0) no less then input batch size "
                           f"({samples.shape[0]} < {n_batch}).")
    if samples.shape[1] != channels:
        raise RuntimeError(f"{fn}: Expect _random_samples.size(1) equals to input channel size "
                           f"({samples.shape[1]} vs {channels}).")
    if samples.shape[2] != dims:
        raise RuntimeError(f"{fn}: Expect _random_samples.size(2) equals to {dims}; got {samples.shape[2]}.")
    for d, n in enumerate(input.shape[1:] if batched else input.shape):
        if n == 0:
            raise RuntimeError(f"{fn}(): Expected input to have non-zero size for non-batch dimensions, but got "
                               f"{list(input.shape)} with dimension {d + int(batched)} being empty.")
    spatial = tuple(input.shape[input.dim() - dims:])
    names = _DIM_NAMES[3 - dims:]
    # torch: 2-d checks height then width, o + k - 1 <= L; 3-d checks time, width, height, o + k - 1 < L
    for i in ((0, 1) if dims == 2 else (0, 2, 1)):
        o, k, n = out[i], kernel[i], spatial[i]
        if o + k - 1 > n or (dims == 3 and o + k - 1 == n):
            raise RuntimeError(f"{fn}(): pool {names[i]} {k} too large relative to input {names[i]} {n}")
    if any(o < 0 for o in out):
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(out)}: "
                           f"{list(input.shape[:input.dim() - dims]) + list(out)}")
    lead = tuple(input.shape[:input.dim() - dims])
    check_allocation(fn, lead + out, 8)
    # the planes' samples: (P, dims), plane p = n * C + c; the sample order per plane is the
    # dims' order reversed for 2-d (u_w, u_h) and in order for 3-d (u_t, u_h, u_w)
    per_plane = np.ascontiguousarray(samples[:n_batch]).reshape(n_batch * channels, dims)
    order = (1, 0) if dims == 2 else (0, 1, 2)
    starts = [interval_starts(per_plane[:, j], n, o, k, input.data.dtype)
              for j, n, o, k in zip(order, spatial, out, kernel)]
    for name, st, n, k in zip(names, starts, spatial, kernel):
        # torch reads the windows unchecked; these starts always lie in [0, L - k] for finite samples
        # and may not otherwise (a NaN or huge sample): refuse them rather than read outside the plane
        if st.size and (st.min() < 0 or st.max() > max(n - k, 0)):
            raise RuntimeError(f"{fn}(): _random_samples give a window outside the input along the {name} "
                               f"(starts from {st.min()} to {st.max()} for input {name} {n}, kernel {k})")
    unit = 3 - dims
    planes = max(math.prod(lead), 0)
    starts = [np.zeros((planes, 1), dtype=np.int64)] * unit + starts
    return FractionalMaxPoolFunction.apply(input, dims, (1,) * unit + kernel, starts, (1,) * unit + out)


def fractional_max_pool2d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=False, _random_samples=None):
    """(output, indices): max over k-windows at pseudo-random starts over the last two dims."""
    return _fractional("fractional_max_pool2d", 2, input, kernel_size, output_size, output_ratio, _random_samples)


def fractional_max_pool3d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=False, _random_samples=None):
    """(output, indices): max over k-windows at pseudo-random starts over the last three dims."""
    return _fractional("fractional_max_pool3d", 3, input, kernel_size, output_size, output_ratio, _random_samples)


def fractional_max_pool2d(input, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                          _random_samples=None):
    result = fractional_max_pool2d_with_indices(input, kernel_size, output_size, output_ratio,
                                                _random_samples=_random_samples)
    return result if return_indices else result[0]


def fractional_max_pool3d(input, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                          _random_samples=None):
    result = fractional_max_pool3d_with_indices(input, kernel_size, output_size, output_ratio,
                                                _random_samples=_random_samples)
    return result if return_indices else result[0]
