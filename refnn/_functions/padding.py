"""Padding: constant (a fill and one copy), and reflect / replicate / circular (one N-d gather kernel).

``pairs`` is ((before, after), ...) for the trailing padded dims, outermost first; negative values crop.
A 1-d or 2-d padding runs through the 3-d kernel with unit leading padded dims.
"""
import numpy as np

from .._C.buffers import empty
from .._kernels import padding as K
from ..autograd import Function
from ..tensor import Tensor
from ._util import contiguous, threads

MODE_CODES = {"reflect": 0, "replicate": 1, "circular": 2}


def _kept_slices(shape, pairs):
    """(source, destination) index tuples: which input block survives the crop, and where it lands."""
    lead = len(shape) - len(pairs)
    source, destination = [slice(None)] * lead, [slice(None)] * lead
    for (before, after), size in zip(pairs, shape[lead:]):
        kept = size - max(-before, 0) - max(-after, 0)
        source.append(slice(max(-before, 0), max(-before, 0) + kept))
        destination.append(slice(max(before, 0), max(before, 0) + kept))
    return tuple(source), tuple(destination)


class ConstantPadFunction(Function):
    """out = fill everywhere, then the kept input block copied in; the gradient is that block of grad."""

    @staticmethod
    def forward(ctx, input, pairs, out_shape, fill):
        x = input.data
        source, destination = _kept_slices(x.shape, pairs)
        out = np.full(out_shape, fill, dtype=x.dtype)
        out[destination] = x[source]
        ctx.shape, ctx.slices = x.shape, (source, destination)
        return Tensor(out)

    @staticmethod
    def backward(ctx, grad):
        source, destination = ctx.slices
        grad_input = np.zeros(ctx.shape, dtype=grad.dtype)
        grad_input[source] = grad[destination]
        return grad_input, None, None, None


def _geometry(shape, pairs):
    """The (B, D, H, W) view of the input, its padded (OD, OH, OW) and the three (size, before, after)."""
    nd = len(pairs)
    lead = shape[:len(shape) - nd]
    B = int(np.prod(lead, dtype=np.int64))
    axes = [(1, 0, 0)] * (3 - nd) + [(size, before, after) for size, (before, after) in zip(shape[-nd:], pairs)]
    return lead, B, axes


def source_maps(mode, axes):
    """For each axis, the input index each output position copies."""
    maps = []
    for size, before, after in axes:
        out = empty(size + before + after, dtype=np.intp)
        K.source_map(MODE_CODES[mode], size, before, after, out)
        maps.append(out)
    return maps


def pad_forward(x, pairs, mode):
    lead, B, axes = _geometry(x.shape, pairs)
    maps = source_maps(mode, axes)
    out_spatial = tuple(len(m) for m in maps)
    view = contiguous(x).reshape((B,) + tuple(size for size, _, _ in axes))
    if x.dtype.kind != "f":      # integer and bool tensors: the same gather through NumPy
        out = view[:, maps[0]][:, :, maps[1]][:, :, :, maps[2]]
    else:
        out = empty((B,) + out_spatial, dtype=x.dtype)
        if out.size:
            size_w, before_w, _ = axes[2]
            w_lo = max(before_w, 0)
            w_hi = max(w_lo, min(out_spatial[2], before_w + size_w))
            K.pad_fwd(view, out, maps[0], maps[1], maps[2], w_lo, w_hi, before_w, threads(out.size))
    nd = len(pairs)
    return np.ascontiguousarray(out).reshape(tuple(lead) + out_spatial[3 - nd:])


def pad_backward(grad, shape, pairs, mode, spec=False):
    """``spec``: run the kernel's plain loop everywhere (no fast path), for the test that holds them equal."""
    lead, B, axes = _geometry(shape, pairs)
    maps = source_maps(mode, axes)
    inverse = []
    for (size, _, _), source in zip(axes, maps):
        start, index = empty(size + 1, dtype=np.intp), empty(len(source), dtype=np.intp)
        K.inverse_map(source, size, start, index)
        inverse += [start, index]
    g = contiguous(grad).reshape((B,) + tuple(len(m) for m in maps))
    grad_input = empty((B,) + tuple(size for size, _, _ in axes), dtype=grad.dtype)
    if grad_input.size:
        lo, hi = single_copy_run(inverse[4], inverse[5], axes[2][1])
        K.pad_bwd(g, grad_input, *inverse, lo, hi, axes[2][1], spec, threads(g.size + grad_input.size))
    return grad_input.reshape(shape)


def single_copy_run(start, index, before):
    """The longest run [lo, hi) of inputs along the width that exactly one output copies, output
    i + before (the backward kernel's straight-copy fast path)."""
    best, run_start = (0, 0), None
    size = len(start) - 1
    for i in range(size + 1):
        single = i < size and start[i + 1] - start[i] == 1 and index[start[i]] == i + before
        if single and run_start is None:
            run_start = i
        elif not single and run_start is not None:
            if i - run_start > best[1] - best[0]:
                best = (run_start, i)
            run_start = None
    return best


class PadFunction(Function):
    """Reflect / replicate / circular padding of the trailing len(pairs) dims."""

    @staticmethod
    def forward(ctx, input, pairs, mode):
        ctx.shape, ctx.pairs, ctx.mode = input.data.shape, pairs, mode
        return Tensor(pad_forward(input.data, pairs, mode))

    @staticmethod
    def backward(ctx, grad):
        return pad_backward(grad, ctx.shape, ctx.pairs, ctx.mode), None, None
