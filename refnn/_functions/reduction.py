"""Reductions of the Tensor API: sum, mean, prod, var/std, max/min, logsumexp, cumsum, norm.

Summation order (the specification): every output element is one row of ``refnn._kernels.reduce``,
read in ascending order of the reduced elements (the reduced dims folded in C order), summed in
double with Neumaier's compensation and rounded once to the result's dtype.  So the bits do not
depend on the thread count or the CPU; they can differ from torch's (which sums float32 in float32
in a vectorised cascade) by the rounding of torch's own sum.  ``cumsum`` runs in double (float32)
or float64 left to right, as torch's CPU cumsum does, and so equals torch's to the bit.
max/min/argmax/argmin/all/any only compare and are exact.  ``logsumexp`` and ``norm`` with a
general ``p`` call the C library's ``exp``/``log``/``pow`` per element (refnn._kernels.elementwise),
within 1 ulp of the exact value and the same on every CPU.
"""
import numpy as np

from .._kernels import reduce as kernel
from ..autograd import Function
from ..tensor import Tensor
from ._dims import as_rows, drop_dims
from ._util import threads


def exp(x):
    from .pointwise import exp
    return exp(x)


def log(x):
    from .pointwise import log
    return log(x)


def libm_pow(x, e):
    from .pointwise import libm_pow
    return libm_pow(x, e)


def row_sums(rows):
    """The compensated double sum of each row of a (R, N) float buffer."""
    R, N = rows.shape
    out = np.zeros(R, dtype=np.float64)
    if R and N:
        if rows.dtype not in (np.float32, np.float64):
            rows = np.ascontiguousarray(rows, dtype=np.float32)
        kernel.sum_rows(rows, out, threads(R * N))
    return out


def _kept_shape(shape, dims):
    return tuple(1 if d in dims else n for d, n in enumerate(shape))


def sums(array, dims):
    """(the compensated double sum over ``dims`` of every kept index, in C order of the kept dims; the
    keepdim shape; the number of reduced elements).  Consecutive reduced dims of a C-contiguous float array
    with dims after them are reduced in place (``sum_planes``: the same sums as the rows of the moved copy)."""
    dims = sorted(dims)
    if (array.ndim and array.dtype in (np.float32, np.float64) and array.flags.c_contiguous and dims
            and dims[-1] - dims[0] == len(dims) - 1 and dims[-1] < array.ndim - 1 and array.size):
        lead = int(np.prod(array.shape[:dims[0]], dtype=np.int64))
        n = int(np.prod(array.shape[dims[0]:dims[-1] + 1], dtype=np.int64))
        trail = int(np.prod(array.shape[dims[-1] + 1:], dtype=np.int64))
        out = np.empty((lead, trail), dtype=np.float64)
        kernel.sum_planes(array.reshape(lead, n, trail), out, threads(array.size))
        return out.reshape(-1), _kept_shape(array.shape, dims), n
    rows, kept = as_rows(array, dims)
    return row_sums(rows), kept, rows.shape[1]


def sum_array(array, dims, keepdim=False):
    """``array`` summed over ``dims`` in the kernel's order, in its own float dtype."""
    total, kept, _ = sums(array, dims)
    return total.astype(array.dtype).reshape(drop_dims(kept, dims, keepdim))


def _int_sum(rows):
    return rows.astype(np.int64).sum(axis=1)   # integer sums are exact in any order (wrapping)


def _grad_to_input(grad, kept_shape, in_shape):
    """The upstream gradient of a reduction, broadcast back over the input's shape."""
    return np.broadcast_to(np.reshape(grad, kept_shape), in_shape)


class Sum(Function):
    backward_name = "SumBackward1"

    @staticmethod
    def forward(ctx, a, dims, keepdim):
        if a.dtype.kind in "biu":
            rows, kept = as_rows(a.data, dims)
            ctx.kept, ctx.shape = kept, a.shape
            return Tensor(_int_sum(rows).reshape(drop_dims(kept, dims, keepdim)))
        total, kept, _ = sums(a.data, dims)
        ctx.kept, ctx.shape = kept, a.shape
        return Tensor(total.astype(a.data.dtype).reshape(drop_dims(kept, dims, keepdim)))

    @staticmethod
    def backward(ctx, grad):
        return _grad_to_input(grad, ctx.kept, ctx.shape).copy(), None, None


class SumAll(Sum):
    backward_name = "SumBackward0"


class Mean(Function):
    backward_name = "MeanBackward1"

    @staticmethod
    def forward(ctx, a, dims, keepdim):
        total, kept, count = sums(a.data, dims)
        ctx.kept, ctx.shape, ctx.count = kept, a.shape, count
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = total / count if count else np.full_like(total, np.nan)
        return Tensor(mean.astype(a.data.dtype).reshape(drop_dims(kept, dims, keepdim)))

    @staticmethod
    def backward(ctx, grad):
        g = _grad_to_input(grad, ctx.kept, ctx.shape)
        return (g / np.asarray(ctx.count, dtype=g.dtype)).astype(g.dtype), None, None


class MeanAll(Mean):
    backward_name = "MeanBackward0"


class Prod(Function):
    backward_name = "ProdBackward1"

    @staticmethod
    def forward(ctx, a, dims, keepdim):
        rows, kept = as_rows(a.data, dims)
        out_shape = drop_dims(kept, dims, keepdim)
        if a.dtype.kind in "biu":
            return Tensor(rows.astype(np.int64).prod(axis=1).reshape(out_shape))  # exact (wrapping)
        ctx.rows, ctx.kept, ctx.shape, ctx.dims = rows, kept, a.shape, dims
        out = np.ones(rows.shape[0], dtype=np.float64)
        if rows.size:
            kernel.prod_rows(rows, out, threads(rows.size))
        return Tensor(out.astype(a.data.dtype).reshape(out_shape))

    @staticmethod
    def backward(ctx, grad):
        rows = ctx.rows.astype(np.float64)
        # d prod / d x[n] = (x[0] * ... * x[n-1]) * (x[n+1] * ... * x[N-1]): exact where x[n] is 0
        before = np.ones_like(rows)
        after = np.ones_like(rows)
        if rows.shape[1] > 1:
            before[:, 1:] = np.cumprod(rows[:, :-1], axis=1)
            after[:, :-1] = np.cumprod(rows[:, :0:-1], axis=1)[:, ::-1]
        others = (before * after).astype(grad.dtype)
        g = np.reshape(grad, (-1, 1)) * others                    # (R, N) in row layout
        return _rows_to_input(g, ctx.shape, ctx.dims), None, None


class ProdAll(Prod):
    backward_name = "ProdBackward0"


def _rows_to_input(rows, shape, dims):
    """Undo :func:`as_rows`: a (R, N) buffer back to ``shape``."""
    if len(shape) == 0:
        return rows.reshape(())
    kept = [d for d in range(len(shape)) if d not in dims]
    order = kept + list(dims)
    moved = rows.reshape(tuple(shape[d] for d in order))
    return np.ascontiguousarray(np.transpose(moved, np.argsort(order)))


class Var(Function):
    """var (and std with ``take_sqrt``): sum((x - mean)**2) / max(0, N - correction)."""

    backward_name = "VarBackward0"

    @staticmethod
    def forward(ctx, a, dims, correction, keepdim, take_sqrt=False):
        rows, kept = as_rows(a.data, dims)
        n = rows.shape[1]
        mean = row_sums(rows) / n if n else np.full(rows.shape[0], np.nan)
        deviation = np.zeros(rows.shape[0], dtype=np.float64)
        if rows.size:
            kernel.squared_deviation_rows(rows, mean, deviation, threads(rows.size))
        with np.errstate(invalid="ignore", divide="ignore"):
            var = deviation / max(0, n - correction) if n else np.full_like(deviation, np.nan)
            result = np.sqrt(var) if take_sqrt else var
        out = result.astype(a.data.dtype)
        ctx.save_for_backward(a)
        ctx.mean, ctx.kept, ctx.dims, ctx.divisor = mean, kept, dims, max(0, n - correction)
        ctx.take_sqrt, ctx.out = take_sqrt, out
        return Tensor(out.reshape(drop_dims(kept, dims, keepdim)))

    @staticmethod
    def backward(ctx, grad):
        a, = ctx.saved_tensors
        dtype = a.data.dtype
        centred = a.data - np.reshape(ctx.mean, ctx.kept).astype(dtype)
        g = np.reshape(grad, ctx.kept)
        with np.errstate(invalid="ignore", divide="ignore"):
            if ctx.take_sqrt:   # d std = (x - mean) / (divisor * std)
                g = g / (np.asarray(ctx.divisor, dtype) * np.reshape(ctx.out, ctx.kept))
                return (g * centred).astype(dtype), None, None, None, None
            g = g * np.asarray(2.0 / ctx.divisor if ctx.divisor else np.inf, dtype)
        return (g * centred).astype(dtype), None, None, None, None


class Std(Var):
    backward_name = "StdBackward0"


class MaxMinDim(Function):
    """(values, indices) of max or min along one dim: the first index of the extreme, NaN first."""

    @staticmethod
    def forward(ctx, a, dim, keepdim, largest):
        data = a.data if a.data.ndim else a.data.reshape(1)
        index = (np.argmax if largest else np.argmin)(data, axis=dim, keepdims=True)
        if data.dtype.kind == "f":   # NaN wins, at its first position (NumPy's argmax already does so)
            nan = np.isnan(data)
            has_nan = nan.any(axis=dim, keepdims=True)
            if has_nan.any():
                index = np.where(has_nan, np.argmax(nan, axis=dim, keepdims=True), index)
        values = np.take_along_axis(data, index, axis=dim)
        ctx.index, ctx.dim, ctx.shape = index, dim, data.shape
        ctx.in_shape = a.shape
        if not keepdim or a.data.ndim == 0:
            out_shape = tuple(n for d, n in enumerate(values.shape) if d != dim) if a.data.ndim else ()
            values, index = values.reshape(out_shape), index.reshape(out_shape)
        indices = Tensor(index.astype(np.int64))
        ctx.mark_non_differentiable(indices)
        return Tensor(values), indices

    @staticmethod
    def backward(ctx, grad, grad_indices):
        out = np.zeros(ctx.shape, dtype=grad.dtype)
        np.put_along_axis(out, ctx.index, np.reshape(grad, ctx.index.shape), axis=ctx.dim)
        return out.reshape(ctx.in_shape), None, None, None


class MaxDim(MaxMinDim):
    backward_name = "MaxBackward0"


class MinDim(MaxMinDim):
    backward_name = "MinBackward0"


class MaxMinAll(Function):
    """max() / min() over every element; the gradient is shared evenly among the tied extremes."""

    @staticmethod
    def forward(ctx, a, largest):
        data = a.data
        value = data.max() if largest else data.min()
        ctx.save_for_backward(a)
        ctx.value = value
        return Tensor(np.asarray(value, dtype=data.dtype))

    @staticmethod
    def backward(ctx, grad):
        a, = ctx.saved_tensors
        value = ctx.value
        mask = (a.data == value) | (np.isnan(a.data) & np.isnan(value))
        count = np.asarray(np.count_nonzero(mask), dtype=grad.dtype)
        return np.where(mask, grad / count, np.zeros((), grad.dtype)).astype(grad.dtype), None


class MaxAll(MaxMinAll):
    backward_name = "MaxBackward1"


class MinAll(MaxMinAll):
    backward_name = "MinBackward1"


class AmaxAmin(Function):
    """amax/amin over ``dims`` (NaN propagates); the gradient is shared evenly among each group's ties."""

    largest = True

    @classmethod
    def forward(cls, ctx, a, dims, keepdim):
        data = a.data
        out = (np.max if cls.largest else np.min)(data, axis=dims, keepdims=True) if data.ndim else data
        ctx.save_for_backward(a)
        ctx.out, ctx.dims = out, dims
        shape = out.shape if keepdim else tuple(n for d, n in enumerate(out.shape) if d not in dims)
        return Tensor(np.ascontiguousarray(out).reshape(shape))

    @classmethod
    def backward(cls, ctx, grad):
        a, = ctx.saved_tensors
        out = ctx.out
        mask = (a.data == out) | (np.isnan(a.data) & np.isnan(out))
        count = mask.sum(axis=ctx.dims, keepdims=True).astype(grad.dtype) if a.data.ndim else \
            np.ones((), grad.dtype)
        g = np.reshape(grad, out.shape) / count
        return np.where(mask, g, np.zeros((), grad.dtype)).astype(grad.dtype), None, None


class Amax(AmaxAmin):
    backward_name = "AmaxBackward0"
    largest = True


class Amin(AmaxAmin):
    backward_name = "AminBackward0"
    largest = False


class LogSumExp(Function):
    """log(sum(exp(x - m))) + m, m the row's max (0 where the max is infinite)."""

    backward_name = "LogsumexpBackward0"

    @staticmethod
    def forward(ctx, a, dims, keepdim):
        data = a.data
        rows, kept = as_rows(data, dims)
        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
            if rows.shape[1]:
                m = rows.max(axis=1)
            else:
                m = np.full(rows.shape[0], -np.inf, dtype=data.dtype)
            m = np.where(np.isinf(m), np.zeros((), data.dtype), m)
            shifted = exp(rows - m[:, None])
            out = (log(row_sums(shifted)) + m).astype(data.dtype)
        ctx.save_for_backward(a)
        ctx.out, ctx.kept = out.reshape(kept), kept
        return Tensor(out.reshape(drop_dims(kept, dims, keepdim)))

    @staticmethod
    def backward(ctx, grad):
        a, = ctx.saved_tensors
        with np.errstate(invalid="ignore", over="ignore"):
            return np.reshape(grad, ctx.kept) * exp(a.data - ctx.out), None, None


class CumSum(Function):
    backward_name = "CumsumBackward0"

    @staticmethod
    def forward(ctx, a, dim):
        ctx.dim = dim
        data = a.data if a.data.ndim else a.data.reshape(1)
        if data.dtype.kind in "biu":
            out = np.cumsum(data.astype(np.int64), axis=dim)
        else:  # left to right, float32 in double (torch's CPU accumulate type)
            acc = np.float64 if data.dtype == np.float32 or data.dtype == np.float16 else data.dtype
            out = np.cumsum(data.astype(acc), axis=dim).astype(data.dtype)
        return Tensor(out.reshape(a.shape))

    @staticmethod
    def backward(ctx, grad):
        g = grad if grad.ndim else grad.reshape(1)
        acc = np.float64 if g.dtype == np.float32 else g.dtype
        flipped = np.flip(g, axis=ctx.dim).astype(acc)
        out = np.flip(np.cumsum(flipped, axis=ctx.dim), axis=ctx.dim).astype(g.dtype)
        return out.reshape(grad.shape), None


class Norm(Function):
    """The vector p-norm over ``dims``: (sum |x|**p)**(1/p); p = 2 sums squares in the kernel's order."""

    backward_name = "LinalgVectorNormBackward0"

    @staticmethod
    def forward(ctx, a, p, dims, keepdim):
        data = a.data
        rows, kept = as_rows(data, dims)
        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
            if p == 2:
                total = np.zeros(rows.shape[0], dtype=np.float64)
                if rows.size:
                    kernel.squared_deviation_rows(rows, np.zeros(rows.shape[0]), total, threads(rows.size))
                out = np.sqrt(total)
            elif p == 1:
                out = row_sums(np.abs(rows))
            elif p == np.inf:
                out = np.abs(rows).max(axis=1) if rows.shape[1] else np.zeros(rows.shape[0])
            elif p == -np.inf:
                out = np.abs(rows).min(axis=1) if rows.shape[1] else np.full(rows.shape[0], np.inf)
            elif p == 0:
                out = np.count_nonzero(rows, axis=1).astype(np.float64)
            else:
                out = libm_pow(row_sums(libm_pow(np.abs(rows).astype(np.float64), p)), 1.0 / p)
        out = np.asarray(out).astype(data.dtype)
        ctx.save_for_backward(a)
        ctx.p, ctx.out, ctx.kept, ctx.dims = p, out.reshape(kept), kept, dims
        return Tensor(out.reshape(drop_dims(kept, dims, keepdim)))

    @staticmethod
    def backward(ctx, grad):
        a, = ctx.saved_tensors
        x, p, norm = a.data, ctx.p, ctx.out
        g = np.reshape(grad, ctx.kept)
        zero = np.zeros((), x.dtype)
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            if p == 0:
                result = np.zeros_like(x)
            elif p == 1:
                result = np.sign(x) * g
            elif p == 2:
                result = np.where(norm == 0, zero, x * (g / norm))
            elif p in (np.inf, -np.inf):
                mask = np.abs(x) == norm
                count = mask.sum(axis=ctx.dims, keepdims=True).astype(x.dtype)
                result = np.sign(x) * np.where(mask, g / count, zero)
            else:
                scale = x * libm_pow(np.abs(x), p - 2) if p < 1 else np.sign(x) * libm_pow(np.abs(x), p - 1)
                result = np.where(norm == 0, zero, scale * g / libm_pow(norm, p - 1))
        return np.asarray(result, dtype=x.dtype), None, None, None
