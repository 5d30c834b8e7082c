"""Packed sequences: moving rows between the padded layout (T, B, *) and the packed one (N, *).

A packed batch lists, for t = 0, 1, ..., the rows of the batch_sizes[t] sequences still running at step t
(sequences sorted by decreasing length): packed row r is padded element (t_r, b_r).  Every function here only
moves data (exact); each gradient element is one upstream element or zero (no sums).

Letters: T steps, B batch (the longest step's batch), N packed rows (sum of batch_sizes).
"""
import numpy as np

from ..autograd import Function
from ..tensor import Tensor


def packed_rows(batch_sizes):
    """(t, b) of every packed row, in packed order, for batch_sizes (T,) non-increasing."""
    batch_sizes = np.asarray(batch_sizes, dtype=np.int64)
    steps = np.repeat(np.arange(batch_sizes.shape[0], dtype=np.int64), batch_sizes)
    starts = np.repeat(np.cumsum(batch_sizes) - batch_sizes, batch_sizes)
    return steps, np.arange(steps.shape[0], dtype=np.int64) - starts


class PackPadded(Function):
    """padded (T, B, *) -> data (N, *): data[r] = padded[t_r, b_r]."""

    @staticmethod
    def forward(ctx, padded, steps, rows):
        ctx.where, ctx.shape = (steps, rows), padded.shape
        return Tensor(np.ascontiguousarray(padded.data[steps, rows]))

    @staticmethod
    def backward(ctx, grad):
        out = np.zeros(ctx.shape, dtype=grad.dtype)
        out[ctx.where] = grad
        return out, None, None


class PadPacked(Function):
    """data (N, *) -> padded (T, B, *): padded[t_r, b_r] = data[r], padding_value elsewhere."""

    @staticmethod
    def forward(ctx, data, steps, rows, total_length, batch, padding_value):
        out = np.full((total_length, batch) + data.shape[1:], padding_value, dtype=data.data.dtype)
        out[steps, rows] = data.data
        ctx.where = (steps, rows)
        return Tensor(out)

    @staticmethod
    def backward(ctx, grad):
        return np.ascontiguousarray(grad[ctx.where]), None, None, None, None, None


def _sum_to_shape(grad, shape):
    """The gradient of broadcasting ``shape`` to grad's shape: grad summed over each broadcast axis, its
    elements added one after another in index order (plain elementwise adds, the same on every CPU)."""
    lead = grad.ndim - len(shape)
    for _ in range(lead):
        acc = grad[0].copy()
        for k in range(1, grad.shape[0]):
            acc += grad[k]
        grad = acc
    for axis, n in enumerate(shape):
        if n == 1 and grad.shape[axis] != 1:
            parts = np.moveaxis(grad, axis, 0)
            acc = parts[0].copy()
            for k in range(1, parts.shape[0]):
                acc += parts[k]
            grad = np.expand_dims(acc, axis)
    return np.ascontiguousarray(grad.reshape(shape))


class PadSequence(Function):
    """sequences (L_i, *) -> (max L, B, *) or (B, max L, *); each sequence at the start of its column
    (padding_side 'right') or at its end ('left'), padding_value elsewhere.  A sequence whose trailing dims
    broadcast to the first's is broadcast (as torch's copy does); its gradient sums over those dims."""

    @staticmethod
    def forward(ctx, batch_first, padding_value, left, *sequences):
        first = sequences[0].data
        longest = max(s.shape[0] for s in sequences)
        out = np.full((len(sequences), longest) + first.shape[1:], padding_value, dtype=first.dtype)
        spans = []
        for i, s in enumerate(sequences):
            n = s.shape[0]
            start = longest - n if left else 0
            out[i, start:start + n] = s.data
            spans.append((start, n))
        ctx.spans, ctx.batch_first, ctx.shapes = spans, batch_first, [s.shape for s in sequences]
        return Tensor(out if batch_first else np.ascontiguousarray(out.swapaxes(0, 1)))

    @staticmethod
    def backward(ctx, grad):
        if not ctx.batch_first:
            grad = grad.swapaxes(0, 1)
        return (None, None, None) + tuple(_sum_to_shape(grad[i, start:start + n], shape)
                                          for i, ((start, n), shape) in enumerate(zip(ctx.spans, ctx.shapes)))
