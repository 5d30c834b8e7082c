"""multi_margin_loss and multilabel_margin_loss: one autograd Function each, through ``_kernels/loss.pyx``.

Inputs arrive validated and viewed as (N, C) rows (``refnn.nn.functional._loss_margin``); reduction codes
0 'none', 1 'mean', 2 'sum'.  The reduced losses add the row sums in order (n ascending), as ATen's
loops do, in the element type; the result is the same at any thread count.
"""
import numpy as np

from .._C.buffers import empty, empty_like
from .._kernels import loss as K
from ..autograd import Function
from ..tensor import Tensor
from ._util import contiguous, threads

REDUCTION_CODES = {"none": 0, "mean": 1, "sum": 2}


def _grad_rows(grad, N, reduction, dtype):
    """grad_out of each row: (N,) for 'none', a stride-0 view of the scalar otherwise."""
    grad = np.asarray(grad, dtype=dtype)
    if reduction == "none":
        return contiguous(grad).reshape(N)
    return np.broadcast_to(grad.reshape(1), (N,))


def _row_scale(N, C, reduction, dtype):
    """ATen's g: 1. / (N * C) for 'mean', 1. / C otherwise (computed in double, then the element type)."""
    count = N * C if reduction == "mean" else C
    return dtype.type(1.0 / count if count else np.inf)   # an empty batch: nothing is scaled


class MultiMarginLossFunction(Function):
    """input viewed as ``layout`` (N, C), labels (N,) int64; weight (C,) or None; out_shape the result's shape."""

    @staticmethod
    def forward(ctx, input, labels, p, margin, weight, reduction, layout, out_shape):
        x = contiguous(input.data).reshape(layout)
        dtype = x.dtype
        w = contiguous(weight.data, dtype).reshape(-1) if weight is not None else np.zeros(1, dtype)
        N = x.shape[0]
        out = empty(N if reduction == "none" else 1, dtype=dtype)
        K.multi_margin_fwd(x, labels, p, dtype.type(margin), w, weight is not None, REDUCTION_CODES[reduction], out)
        ctx.arrays, ctx.params = (x, labels, w), (p, margin, weight is not None, reduction)
        ctx.input_shape = input.shape
        return Tensor(out.reshape(out_shape) if reduction == "none" else out.reshape(()))

    @staticmethod
    def backward(ctx, grad):
        x, labels, w = ctx.arrays
        p, margin, has_weight, reduction = ctx.params
        N, C = x.shape
        grad_input = empty_like(x)
        K.multi_margin_bwd(x, labels, p, x.dtype.type(margin), w, has_weight, _row_scale(N, C, reduction, x.dtype),
                           _grad_rows(grad, N, reduction, x.dtype), grad_input, threads(x.size))
        return grad_input.reshape(ctx.input_shape), None, None, None, None, None, None, None


class MultiLabelMarginLossFunction(Function):
    """x (N, C), labels (N, C) int64 (each row's list ends at its first negative entry)."""

    @staticmethod
    def forward(ctx, input, labels, reduction, out_shape):
        N, C = labels.shape
        x = contiguous(input.data).reshape(N, C)
        dtype = x.dtype
        is_target = np.zeros((N, C), dtype=dtype)
        K.multilabel_margin_targets(labels, is_target)
        out = empty(N if reduction == "none" else 1, dtype=dtype)
        K.multilabel_margin_fwd(x, labels, is_target, REDUCTION_CODES[reduction], out)
        ctx.arrays, ctx.reduction, ctx.input_shape = (x, labels, is_target), reduction, input.shape
        return Tensor(out.reshape(out_shape) if reduction == "none" else out.reshape(()))

    @staticmethod
    def backward(ctx, grad):
        x, labels, is_target = ctx.arrays
        N, C = x.shape
        grad_input = np.zeros_like(x)
        K.multilabel_margin_bwd(x, labels, is_target, _row_scale(N, C, ctx.reduction, x.dtype),
                                _grad_rows(grad, N, ctx.reduction, x.dtype), grad_input, threads(x.size))
        return grad_input.reshape(ctx.input_shape), None, None, None
