"""gather, scatter, index_select and masked_fill, with torch's checks and gradients.

Forward results only move data (exact).  Gradients that add several upstream values into one place
(gather's and index_select's) add them one at a time in the index tensor's C order (``np.add.at``), a
fixed order on every CPU.
"""
import numpy as np

from ..autograd import Function
from ..tensor import Tensor
from ._dims import wrap_dim


def _index_tuple(index, dim):
    """For every element of ``index``: its coordinates, with ``index``'s value at ``dim``."""
    coords = list(np.indices(index.shape, sparse=True))
    coords[dim] = index
    return tuple(coords)


def _check_index(x, dim, index, name, src=None):
    if not isinstance(index, Tensor):
        raise TypeError(f"{name}(): argument 'index' must be Tensor, not {type(index).__name__}")
    if index.data.dtype not in (np.int64, np.int32):
        raise RuntimeError(f"{name}(): Expected dtype int64 for index")
    xd = max(x.data.ndim, 1)
    idx = index.data if index.data.ndim else index.data.reshape(1)
    if idx.ndim != xd and index.data.size:
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    if index.data.size == 0:
        return idx
    for d in range(xd):
        if d != dim and idx.shape[d] > (x.shape[d] if x.data.ndim else 1):
            raise RuntimeError(f"Size does not match at dimension {d} expected index {list(idx.shape)} to be "
                               f"no larger than self {list(x.shape)} apart from dimension {dim}")
        if src is not None and idx.shape[d] > (src.shape[d] if src.ndim else 1):
            raise RuntimeError(f"Expected index {list(idx.shape)} to be no larger than src {list(src.shape)}")
    size = x.shape[dim] if x.data.ndim else 1
    if idx.size and (idx.min() < 0 or idx.max() >= size):
        bad = idx[(idx < 0) | (idx >= size)].reshape(-1)[0]
        raise RuntimeError(f"index {bad} is out of bounds for dimension {dim} with size {size}")
    return idx.astype(np.int64)


class Gather(Function):
    backward_name = "GatherBackward0"

    @staticmethod
    def forward(ctx, a, dim, index):
        data = a.data if a.data.ndim else a.data.reshape(1)
        where = _index_tuple(index, dim)
        ctx.where, ctx.shape, ctx.in_shape, ctx.index_shape = where, data.shape, a.shape, index.shape
        return Tensor(np.ascontiguousarray(data[where]))

    @staticmethod
    def backward(ctx, grad):
        out = np.zeros(ctx.shape, dtype=grad.dtype)
        np.add.at(out, ctx.where, grad.reshape(ctx.index_shape))
        return out.reshape(ctx.in_shape), None, None


def gather(x, dim, index):
    d = wrap_dim(dim, x.data.ndim)
    idx = _check_index(x, d, index, "gather")
    out = Gather.apply(x, d, idx)
    return out.reshape(index.shape) if out.shape != index.shape else out


class Scatter(Function):
    backward_name = "ScatterBackward0"

    @staticmethod
    def forward(ctx, a, dim, index, src, reduce):
        data = np.array(a.data if a.data.ndim else a.data.reshape(1), copy=True)
        where = _index_tuple(index, dim)
        values = src.data if isinstance(src, Tensor) else np.asarray(src, dtype=data.dtype)
        if isinstance(src, Tensor):
            values = (values if values.ndim else values.reshape(1))[tuple(slice(0, n) for n in index.shape)]
        values = np.broadcast_to(np.asarray(values, dtype=data.dtype), index.shape)
        if reduce == "add":
            np.add.at(data, where, values)
        elif reduce == "multiply":
            np.multiply.at(data, where, values)
        else:
            data[where] = values
        ctx.where, ctx.index_shape, ctx.src_shape = where, index.shape, np.shape(_data(src))
        return Tensor(data.reshape(a.shape))

    @staticmethod
    def backward(ctx, grad):
        g = grad if grad.ndim else grad.reshape(1)
        grad_self = np.array(g, copy=True)
        grad_self[ctx.where] = 0
        grad_src = None
        if ctx.needs_input_grad[3]:
            grad_src = np.zeros(ctx.src_shape if ctx.src_shape else (1,), dtype=grad.dtype)
            grad_src[tuple(slice(0, n) for n in ctx.index_shape)] = g[ctx.where]
            grad_src = grad_src.reshape(ctx.src_shape)
        return grad_self.reshape(grad.shape), None, None, grad_src, None


def _data(x):
    return x.data if isinstance(x, Tensor) else x


def scatter(x, dim, index, src, reduce=None):
    d = wrap_dim(dim, x.data.ndim)
    if src is None:
        raise TypeError("scatter() missing the 'src' (or 'value') argument")
    if reduce not in (None, "add", "multiply"):
        raise RuntimeError(f"reduce argument must be either add or multiply, got {reduce}")
    if isinstance(src, Tensor):
        if src.data.dtype != x.data.dtype:
            raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
        if src.data.ndim != x.data.ndim and index.data.size:
            raise RuntimeError("Index tensor must have the same number of dimensions as src tensor")
    idx = _check_index(x, d, index, "scatter", src.data if isinstance(src, Tensor) else None)
    return Scatter.apply(x, d, idx, src, reduce)


class IndexSelect(Function):
    backward_name = "IndexSelectBackward0"

    @staticmethod
    def forward(ctx, a, dim, index):
        data = a.data if a.data.ndim else a.data.reshape(1)
        ctx.dim, ctx.index, ctx.shape, ctx.in_shape = dim, index, data.shape, a.shape
        out = np.take(data, index, axis=dim)
        return Tensor(out if a.data.ndim else out.reshape(()))

    @staticmethod
    def backward(ctx, grad):
        out = np.zeros(ctx.shape, dtype=grad.dtype)
        g = grad if grad.ndim else grad.reshape(1)
        np.add.at(out, (slice(None),) * ctx.dim + (ctx.index,), g)
        return out.reshape(ctx.in_shape), None, None


def index_select(x, dim, index):
    d = wrap_dim(dim, x.data.ndim)
    if not isinstance(index, Tensor):
        raise TypeError(f"index_select(): argument 'index' must be Tensor, not {type(index).__name__}")
    if index.data.dtype not in (np.int64, np.int32):
        raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
    if index.data.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    idx = index.data.reshape(-1).astype(np.int64)
    size = x.shape[d] if x.data.ndim else 1
    if idx.size and (idx.min() < 0 or idx.max() >= size):
        bad = idx[(idx < 0) | (idx >= size)][0]
        raise RuntimeError(f"index_select(): index {bad} is out of range for dimension {d} of size {size}")
    return IndexSelect.apply(x, d, idx)


class MaskedFill(Function):
    backward_name = "MaskedFillBackward0"

    @staticmethod
    def forward(ctx, a, mask, value):
        v = value.data if isinstance(value, Tensor) else value
        out = np.where(mask, np.asarray(v, dtype=a.data.dtype), a.data)
        ctx.mask = mask
        # order='C', not np.ascontiguousarray: that turns a 0-d result into shape (1,)
        return Tensor(np.asarray(out, dtype=a.data.dtype, order="C"))

    @staticmethod
    def backward(ctx, grad):
        zero = np.zeros((), grad.dtype)
        grad_value = None
        if ctx.needs_input_grad[2]:
            from .reduction import sum_array
            grad_value = sum_array(np.where(ctx.mask, grad, zero), tuple(range(grad.ndim)))
        return np.where(ctx.mask, zero, grad), None, grad_value


def masked_fill(x, mask, value):
    if not isinstance(mask, Tensor):
        raise TypeError(f"masked_fill(): argument 'mask' must be Tensor, not {type(mask).__name__}")
    if mask.data.dtype != np.bool_:
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype "
                           f"{mask.data.dtype}")
    try:
        shape = np.broadcast_shapes(x.shape, mask.shape)
    except ValueError:
        shape = None
    if shape != x.shape:
        raise RuntimeError(f"The size of tensor a ({x.shape[-1] if x.data.ndim else 1}) must match the size of "
                           f"tensor b ({mask.shape[-1] if mask.data.ndim else 1}) at non-singleton dimension")
    if isinstance(value, Tensor) and value.data.ndim != 0:
        raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                           f"{value.data.ndim} dimension(s).")
    return MaskedFill.apply(x, np.broadcast_to(mask.data, x.shape), value)
