"""Shape ops of the Tensor API: clone, repeat, flip, roll, split, chunk.  All exact (data moves only);
the gradients of repeat sum the copies in the reduction kernel's fixed order."""
import numpy as np

from ..autograd import Function
from ..tensor import Tensor
from ._dims import wrap_dim
from ._outputs import copy
from .reduction import sum_array


class Clone(Function):
    @staticmethod
    def forward(ctx, a):
        return Tensor(copy(a.data))

    @staticmethod
    def backward(ctx, grad):
        return grad


class Repeat(Function):
    @staticmethod
    def forward(ctx, a, reps):
        lead = len(reps) - a.data.ndim
        data = a.data.reshape((1,) * lead + a.shape)
        ctx.shape, ctx.reps, ctx.inner = a.shape, reps, data.shape
        return Tensor(np.tile(data, reps))

    @staticmethod
    def backward(ctx, grad):
        # grad (r0*n0, r1*n1, ...) -> (r0, n0, r1, n1, ...), summed over every r
        split = []
        for r, n in zip(ctx.reps, ctx.inner):
            split += [r, n]
        g = grad.reshape(split)
        dims = tuple(range(0, len(split), 2))
        if g.dtype.kind == "f":
            g = sum_array(g, dims)
        else:
            g = g.sum(axis=dims)
        return g.reshape(ctx.shape), None


def repeat(x, *sizes):
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = tuple(sizes[0])
    sizes = tuple(int(n) for n in sizes)
    if len(sizes) < x.data.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of "
                           "dimensions of tensor")
    if any(n < 0 for n in sizes):
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(sizes)}: {list(sizes)}")
    return Repeat.apply(x, sizes)


class Flip(Function):
    @staticmethod
    def forward(ctx, a, dims):
        ctx.dims = dims
        return Tensor(np.ascontiguousarray(np.flip(a.data, dims)) if dims else a.data.copy())

    @staticmethod
    def backward(ctx, grad):
        return (np.ascontiguousarray(np.flip(grad, ctx.dims)) if ctx.dims else grad), None


def flip(x, *dims):
    if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
        dims = tuple(dims[0])
    wrapped = tuple(wrap_dim(d, x.data.ndim) for d in dims)
    if len(set(wrapped)) != len(wrapped):
        raise RuntimeError(f"dims has duplicates, original flip dims size={len(dims)}, "
                           f"but unique flip dims size={len(set(wrapped))}")
    if x.data.ndim == 0:
        wrapped = ()
    return Flip.apply(x, wrapped)


class Roll(Function):
    @staticmethod
    def forward(ctx, a, shifts, dims):
        ctx.shifts, ctx.dims, ctx.shape = shifts, dims, a.shape
        if dims is None:
            return Tensor(np.roll(a.data.reshape(-1), shifts[0]).reshape(a.shape))
        return Tensor(np.roll(a.data, shifts, axis=dims))

    @staticmethod
    def backward(ctx, grad):
        back = tuple(-s for s in ctx.shifts)
        if ctx.dims is None:
            return np.roll(grad.reshape(-1), back[0]).reshape(ctx.shape), None, None
        return np.roll(grad, back, axis=ctx.dims), None, None


def roll(x, shifts, dims=None):
    shifts = tuple(shifts) if isinstance(shifts, (tuple, list)) else (int(shifts),)
    if dims is None:
        if len(shifts) != 1:
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:0")
        return Roll.apply(x, shifts, None)
    dims = tuple(dims) if isinstance(dims, (tuple, list)) else (dims,)
    if len(shifts) != len(dims):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}")
    wrapped = tuple(wrap_dim(d, x.data.ndim) for d in dims)
    if x.data.ndim == 0:
        return Roll.apply(x, shifts[:1], None)
    return Roll.apply(x, shifts, wrapped)


def _narrow(x, dim, start, stop):
    return x[(slice(None),) * dim + (slice(start, stop),)]


def split(x, split_size, dim=0):
    if x.data.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    d = wrap_dim(dim, x.data.ndim)
    n = x.shape[d]
    if isinstance(split_size, (tuple, list)):
        sizes = [int(s) for s in split_size]
        if sum(sizes) != n or any(s < 0 for s in sizes):
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size "
                               f"at dimension {d}), but got split_sizes={sizes}")
    else:
        step = int(split_size)
        if step < 0 or (step == 0 and n != 0):
            raise RuntimeError(f"split expects split_size be non-negative, but got split_size={step}"
                               if step < 0 else "split_size can only be 0 if dimension size is 0, but got "
                               f"dimension size of {n}")
        sizes = [min(step, n - i) for i in range(0, n, step)] if step else [0]
    out, start = [], 0
    for s in sizes:
        out.append(_narrow(x, d, start, start + s))
        start += s
    return tuple(out)


def chunk(x, chunks, dim=0):
    if x.data.ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    chunks = int(chunks)
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    d = wrap_dim(dim, x.data.ndim)
    n = x.shape[d]
    step = -(-n // chunks) if n else 0
    if step == 0:
        return tuple(_narrow(x, d, 0, 0) for _ in range(chunks)) if n == 0 else split(x, 1, d)
    return split(x, step, d)
