"""Losses: one autograd Function per loss, through the kernels in ``_kernels/loss.pyx``.

Arguments arrive validated (``refnn.nn.functional._loss``).  Reductions: 'none' keeps the
elementwise loss; 'sum' and 'mean' add it up with ``ordered_sum`` (fixed blocks, one thread
each, then the block sums in order), except nll_loss, whose kernel replays torch's cascade.
"""
import functools

import numpy as np

from .._C.buffers import empty, empty_like
from .._kernels import loss as K
from ..autograd import Function
from ..tensor import Tensor
from ._util import contiguous, threads


def ordered_sum(values):
    """Sum of a flat array in a fixed order (independent of the thread count), accumulated in double."""
    values = values.reshape(-1)
    partials = empty(-(-values.size // K.SUM_BLOCK), dtype=np.float64)
    K.block_sums(values, partials, threads())
    return K.sequential_sum(partials)


def reduce_loss(loss, reduction):
    """loss as an array of the result: unchanged for 'none', its sum or mean (NaN when empty) otherwise."""
    if reduction == "none":
        return loss
    total = ordered_sum(loss)
    if reduction == "mean":
        total = total / loss.size if loss.size else np.nan
    return np.asarray(total, dtype=loss.dtype)


def grad_per_element(grad, shape, reduction):
    """The upstream gradient seen by every element: itself ('none') or a stride-0 broadcast of the scalar."""
    grad = np.asarray(grad)
    if reduction == "none":
        return contiguous(grad).reshape(-1)
    return np.broadcast_to(grad.reshape(1), (int(np.prod(shape, dtype=np.int64)),))


def _flat(array, dtype=None):
    return contiguous(array, dtype).reshape(-1)


def _weight_view(weight, shape, dtype):
    """A flat per-element weight: the weight broadcast to ``shape``, or a stride-0 view of 1 when absent."""
    size = int(np.prod(shape, dtype=np.int64))
    if weight is None:
        return np.broadcast_to(np.ones(1, dtype=dtype), (size,))
    return contiguous(np.broadcast_to(weight.data, shape), dtype).reshape(-1)


# ---------------------------------------------------------------- nll_loss
@functools.lru_cache(maxsize=16)
def _unit_weights(C, dtype):
    """A read-only (C,) array of ones (the absent class weight), kept between calls."""
    ones = np.ones(C, dtype=dtype)
    ones.flags.writeable = False
    return ones


def _nll_forward(ctx, log_prob, labels, weight, reduction, ignore_index, out_shape):
    """nll_loss of the (N, C, S) log-probabilities ``log_prob`` (any strides); saves what backward needs."""
    has_weight = weight is not None
    dtype = log_prob.dtype
    weights = contiguous(weight.data) if has_weight else _unit_weights(log_prob.shape[1], dtype)
    ctx.labels, ctx.weights, ctx.shape = labels, weights, log_prob.shape
    ctx.reduction, ctx.ignore_index = reduction, ignore_index
    if reduction == "none":
        out = empty(labels.shape, dtype=dtype)
        K.nll_fwd(log_prob, labels, weights, ignore_index, out, threads(labels.size))
        return Tensor(out.reshape(out_shape))
    result = empty(3, dtype=np.float64)
    K.nll_reduce_fwd(log_prob, labels, weights, ignore_index, has_weight, result)
    loss_sum = dtype.type(result[0])
    total_weight = dtype.type(result[1]) if has_weight else dtype.type(result[2])
    ctx.total_weight = total_weight
    ctx.counted = not has_weight        # total_weight is the number of targets not ignored
    if reduction == "mean":
        if has_weight or not total_weight:
            with np.errstate(invalid="ignore", divide="ignore"):
                loss_sum = loss_sum / total_weight
        else:   # a count of targets (finite, not 0): the division raises no flag, np.errstate is not needed
            loss_sum = loss_sum / total_weight
    return Tensor(np.asarray(loss_sum, dtype=dtype))


def _nll_grad_scale(ctx, grad):
    """The upstream gradient of each (n, s): (N, S) ('none'), or the scalar (/ total weight for 'mean') broadcast."""
    N, C, S = ctx.shape
    grad = np.asarray(grad, dtype=ctx.weights.dtype)
    if ctx.reduction == "none":
        return contiguous(grad).reshape(N, S)
    value = grad.reshape(())
    if ctx.reduction == "mean":
        if ctx.counted and ctx.total_weight:
            value = value / ctx.total_weight    # by a count of targets (finite, not 0): no flag to silence
        else:
            with np.errstate(invalid="ignore", divide="ignore"):
                value = value / ctx.total_weight
    # a stride-0 (N, S) view of the one value (np.ndarray over its buffer: cheaper than np.broadcast_to)
    return np.ndarray((N, S), dtype=grad.dtype, buffer=np.array(value, dtype=grad.dtype).reshape(1),
                      strides=(0, 0))


class NLLLossFunction(Function):
    """input log-probabilities viewed as (N, C, S), labels (N, S) int64 array; weight (C,) or None.

    The result has shape ``out_shape`` for reduction 'none' (a scalar otherwise); the input
    gradient has the input's shape.
    """

    @staticmethod
    def forward(ctx, input, labels, weight, reduction, ignore_index, layout, out_shape):
        ctx.input_shape = input.shape
        log_prob = contiguous(input.data).reshape(layout)
        return _nll_forward(ctx, log_prob, labels, weight, reduction, ignore_index, out_shape)

    @staticmethod
    def backward(ctx, grad):
        N, C, S = ctx.shape
        scale = _nll_grad_scale(ctx, grad)
        grad_input = np.zeros(ctx.shape, dtype=ctx.weights.dtype)   # calloc: only the targets are written
        K.nll_bwd(ctx.labels, ctx.weights, ctx.ignore_index, scale, grad_input, threads(N * S))
        return grad_input.reshape(ctx.input_shape), None, None, None, None, None, None


def _class_rows(array, layout):
    """(N*S, C) C-contiguous rows of an (N, C, S) buffer: the class dim last (a copy only when S > 1)."""
    N, C, S = layout
    if S == 1:
        return contiguous(array).reshape(N, C)
    return contiguous(np.moveaxis(array.reshape(layout), 1, 2)).reshape(N * S, C)


class CrossEntropyFunction(Function):
    """nll_loss(log_softmax(input, class dim)) for class-index targets, fused, with the composition's bits.

    input viewed as (N, C, S) logits; the rest as NLLLossFunction.  Forward keeps only each row's
    max and log-sum-exp; backward forms the log_softmax gradient of the one-hot nll gradient in one pass.
    """

    @staticmethod
    def forward(ctx, input, labels, weight, reduction, ignore_index, layout, out_shape):
        N, C, S = layout
        rows = _class_rows(input.data, layout)
        picked = empty(N * S, dtype=rows.dtype)
        row_max = empty(N * S, dtype=rows.dtype)
        log_total = empty(N * S, dtype=rows.dtype)
        K.cross_entropy_fwd(rows, labels.reshape(-1), ignore_index, picked, row_max, log_total, threads(rows.size))
        ctx.rows, ctx.row_max, ctx.log_total, ctx.input_shape = rows, row_max, log_total, input.shape
        ctx.save_for_backward(input)   # rows may share its memory: an in-place change is refused, never misused
        # the picked log-probability stands for log_prob[n, c, s] at every c (a stride-0 view)
        item = picked.itemsize
        log_prob = np.ndarray(layout, dtype=picked.dtype, buffer=picked, strides=(S * item, 0, item))
        return _nll_forward(ctx, log_prob, labels, weight, reduction, ignore_index, out_shape)

    @staticmethod
    def backward(ctx, grad):
        ctx.saved_tensors   # the version check
        N, C, S = ctx.shape
        scale = _nll_grad_scale(ctx, grad).reshape(N * S)
        rows = ctx.rows
        grad_rows = empty(rows.shape, dtype=rows.dtype)
        K.cross_entropy_bwd(rows, ctx.labels.reshape(-1), ctx.weights, ctx.ignore_index, scale, ctx.row_max,
                            ctx.log_total, grad_rows, threads(rows.size))
        if S != 1:
            grad_rows = contiguous(np.moveaxis(grad_rows.reshape(N, S, C), 2, 1))
        return grad_rows.reshape(ctx.input_shape), None, None, None, None, None, None


# ---------------------------------------------------------------- soft-target cross entropy
class SoftNLLFunction(Function):
    """-sum_c log_prob * target * weight over the class dim; then ignore mask and reduction.

    log_prob (N, C, S); target (N, C, S) probabilities or None (label smoothing: every class
    counts 1); ``ignored`` an (N, S) bool mask set to 0 before reducing; ``denominator`` the
    divisor of 'mean'.
    """

    @staticmethod
    def forward(ctx, log_prob, target, weight, ignored, reduction, denominator):
        lp = contiguous(log_prob.data)
        N, C, S = lp.shape
        has_target, has_weight = target is not None, weight is not None
        tg = contiguous(target.data) if has_target else np.zeros((1, 1, 1), dtype=lp.dtype)
        w = contiguous(weight.data) if has_weight else np.zeros(1, dtype=lp.dtype)
        out = empty((N, S), dtype=lp.dtype)
        K.soft_nll_fwd(lp, tg, w, has_target, has_weight, out, threads())
        if ignored is not None:
            out[ignored] = 0
        ctx.save_for_backward(log_prob, target)
        ctx.arrays = (lp, tg, w, has_target, has_weight)
        ctx.ignored, ctx.reduction, ctx.denominator = ignored, reduction, denominator
        if reduction == "none":
            return Tensor(out)
        total = lp.dtype.type(ordered_sum(out))
        if reduction == "mean":
            with np.errstate(invalid="ignore", divide="ignore"):
                total = total / lp.dtype.type(denominator)
        return Tensor(np.asarray(total, dtype=lp.dtype))

    @staticmethod
    def backward(ctx, grad):
        lp, tg, w, has_target, has_weight = ctx.arrays
        N, C, S = lp.shape
        grad = np.asarray(grad, dtype=lp.dtype)
        if ctx.reduction == "none":
            grad_out = contiguous(grad).reshape(N, S).copy()
        else:
            value = grad.reshape(())
            if ctx.reduction == "mean":
                with np.errstate(invalid="ignore", divide="ignore"):
                    value = value / lp.dtype.type(ctx.denominator)
            grad_out = np.full((N, S), value, dtype=lp.dtype)
        if ctx.ignored is not None:
            grad_out[ctx.ignored] = 0
        want_target = has_target and ctx.needs_input_grad[1]
        grad_log_prob = empty_like(lp)
        grad_target = empty_like(lp) if want_target else np.zeros((1, 1, 1), dtype=lp.dtype)
        K.soft_nll_bwd(lp, tg, w, has_target, has_weight, grad_out, grad_log_prob, grad_target,
                       want_target, threads())
        return (grad_log_prob if ctx.needs_input_grad[0] else None,
                grad_target if want_target else None, None, None, None, None)


# ---------------------------------------------------------------- mse_loss and l1_loss
class _PointwiseLossFunction(Function):
    """loss(x, y) per element, then the reduction; the gradient of y is minus that of x.

    Subclasses name their kernels and the factor of the per-element gradient kernel:
    ``scale(n, reduction)`` is passed to ``bwd(x, y, g, scale, grad_input, threads)``.
    """
    @classmethod
    def forward(cls, ctx, input, target, reduction):
        x, y = _flat(input.data), _flat(target.data)
        out = empty_like(x)
        cls.fwd(x, y, out, threads())
        ctx.arrays, ctx.shape, ctx.reduction = (x, y), input.shape, reduction
        ctx.kernels = cls
        return Tensor(reduce_loss(out.reshape(input.shape), reduction))

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.arrays
        grad_input = empty_like(x)
        ctx.kernels.bwd(x, y, grad_per_element(grad, ctx.shape, ctx.reduction),
                        x.dtype.type(ctx.kernels.scale(x.size, ctx.reduction)), grad_input, threads())
        grad_input = grad_input.reshape(ctx.shape)
        return (grad_input if ctx.needs_input_grad[0] else None,
                -grad_input if ctx.needs_input_grad[1] else None, None)


class MSELossFunction(_PointwiseLossFunction):
    """(x - y)^2; the gradient kernel multiplies by 2/n (mean) or 2."""
    fwd, bwd = staticmethod(K.mse_fwd), staticmethod(K.mse_bwd)

    @staticmethod
    def scale(n, reduction):
        return (2.0 / n if n else np.inf) if reduction == "mean" else 2.0


class L1LossFunction(_PointwiseLossFunction):
    """|x - y|; the gradient kernel divides by n (mean) or 1."""
    fwd, bwd = staticmethod(K.l1_fwd), staticmethod(K.l1_bwd)

    @staticmethod
    def scale(n, reduction):
        return n if reduction == "mean" else 1


# ---------------------------------------------------------------- binary_cross_entropy
class BCELossFunction(Function):
    @staticmethod
    def forward(ctx, input, target, weight, reduction):
        x, y = _flat(input.data), _flat(target.data)
        out = empty_like(x)
        K.bce_fwd(x, y, out, threads())
        if weight is not None:
            out *= _weight_view(weight, input.shape, x.dtype)
        ctx.arrays, ctx.weight, ctx.shape, ctx.reduction = (x, y), weight, input.shape, reduction
        return Tensor(reduce_loss(out.reshape(input.shape), reduction))

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.arrays
        w = _weight_view(ctx.weight, ctx.shape, x.dtype)
        g = grad_per_element(grad, ctx.shape, ctx.reduction)
        divisor = x.dtype.type(x.size if ctx.reduction == "mean" else 1)
        grad_input = grad_target = None
        if ctx.needs_input_grad[0]:
            grad_input = empty_like(x)
            K.bce_bwd(x, y, w, g, divisor, grad_input, threads())
            grad_input = grad_input.reshape(ctx.shape)
        if ctx.needs_input_grad[1]:
            grad_target = empty_like(x)
            with np.errstate(divide="ignore", invalid="ignore"):
                K.bce_target_bwd(x, w, g, divisor, grad_target, threads())
            grad_target = grad_target.reshape(ctx.shape)
        return grad_input, grad_target, None, None


class BCEWithLogitsFunction(Function):
    @staticmethod
    def forward(ctx, input, target, weight, pos_weight, reduction):
        x, y = _flat(input.data), _flat(target.data)
        w = _weight_view(weight, input.shape, x.dtype)
        has_pos_weight = pos_weight is not None
        pw = _weight_view(pos_weight, input.shape, x.dtype)
        out = empty_like(x)
        K.bce_logits_fwd(x, y, w, pw, has_pos_weight, out, threads())
        ctx.arrays, ctx.shape, ctx.reduction = (x, y, w, pw, has_pos_weight), input.shape, reduction
        return Tensor(reduce_loss(out.reshape(input.shape), reduction))

    @staticmethod
    def backward(ctx, grad):
        x, y, w, pw, has_pos_weight = ctx.arrays
        g = grad_per_element(grad, ctx.shape, ctx.reduction)
        divisor = x.dtype.type(x.size if ctx.reduction == "mean" else 1)
        grad_input = grad_target = None
        if ctx.needs_input_grad[0]:
            grad_input = empty_like(x)
            K.bce_logits_bwd(x, y, w, pw, has_pos_weight, g, divisor, grad_input, threads())
            grad_input = grad_input.reshape(ctx.shape)
        if ctx.needs_input_grad[1]:
            grad_target = empty_like(x)
            K.bce_logits_target_bwd(x, w, pw, has_pos_weight, g, divisor, grad_target, threads())
            grad_target = grad_target.reshape(ctx.shape)
        return grad_input, grad_target, None, None, None


# ---------------------------------------------------------------- smooth_l1_loss, huber_loss, soft_margin_loss
def _mean_norm(n, reduction, dtype):
    """ATen's norm of an elementwise loss's gradient: 1. / numel for 'mean' (inf when empty), else 1."""
    if reduction != "mean":
        return dtype.type(1)
    return dtype.type(1.0 / n if n else np.inf)


class _ParamPointwiseLossFunction(Function):
    """loss(x, y; param) per element, then the reduction; the kernels are ``fwd(x, y, param, out, threads)``
    and ``bwd(x, y, g, param, norm, grad_input, grad_target, want_target, threads)``; the gradient of y is
    minus that of x (written by the same kernel pass)."""

    @classmethod
    def forward(cls, ctx, input, target, reduction, param):
        x, y = _flat(input.data), _flat(target.data)
        out = empty_like(x)
        cls.fwd(x, y, x.dtype.type(param), out, threads())
        ctx.arrays, ctx.shape, ctx.reduction, ctx.param, ctx.kernels = (x, y), input.shape, reduction, param, cls
        return Tensor(reduce_loss(out.reshape(input.shape), reduction))

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.arrays
        want_target = bool(ctx.needs_input_grad[1])
        grad_input = empty_like(x)
        grad_target = empty_like(x) if want_target else grad_input   # written in the same pass as grad_input
        ctx.kernels.bwd(x, y, grad_per_element(grad, ctx.shape, ctx.reduction), x.dtype.type(ctx.param),
                        _mean_norm(x.size, ctx.reduction, x.dtype), grad_input, grad_target, want_target, threads())
        return (grad_input.reshape(ctx.shape) if ctx.needs_input_grad[0] else None,
                grad_target.reshape(ctx.shape) if want_target else None, None, None)


class SmoothL1LossFunction(_ParamPointwiseLossFunction):
    """0.5 (x - y)^2 / beta where |x - y| < beta, else |x - y| - 0.5 beta (beta > 0)."""
    fwd, bwd = staticmethod(K.smooth_l1_fwd), staticmethod(K.smooth_l1_bwd)


class HuberLossFunction(_ParamPointwiseLossFunction):
    """0.5 (x - y)^2 where |x - y| < delta, else delta (|x - y| - 0.5 delta)."""
    fwd, bwd = staticmethod(K.huber_fwd), staticmethod(K.huber_bwd)


class SoftMarginLossFunction(Function):
    """log(1 + exp(-y x)) per element, then the reduction; differentiable in x only (as torch)."""

    @staticmethod
    def forward(ctx, input, target, reduction):
        x, y = _flat(input.data), _flat(target.data)
        out = empty_like(x)
        K.soft_margin_fwd(x, y, out, threads())
        ctx.arrays, ctx.shape, ctx.reduction = (x, y), input.shape, reduction
        return Tensor(reduce_loss(out.reshape(input.shape), reduction))

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.arrays
        grad_input = empty_like(x)
        K.soft_margin_bwd(x, y, grad_per_element(grad, ctx.shape, ctx.reduction),
                          _mean_norm(x.size, ctx.reduction, x.dtype), grad_input, threads())
        return grad_input.reshape(ctx.shape), None, None


# ---------------------------------------------------------------- kl_div
class KLDivFunction(Function):
    """torch's composite kl_div per element (xlogy(t, t) - t x, or exp(t) (t - x) with log_target), then
    'none', 'sum', 'mean' (over every element) or 'batchmean' (the sum over size(0)).  Both inputs are
    differentiable; each element's upstream gradient is g, g / numel ('mean') or g / size(0) ('batchmean')."""

    @staticmethod
    def forward(ctx, input, target, reduction, log_target, batch):
        x, y = _flat(input.data), _flat(target.data)
        out = empty_like(x)
        K.kl_div_fwd(x, y, log_target, out, threads())
        ctx.arrays, ctx.shape, ctx.reduction, ctx.log_target = (x, y), input.shape, reduction, log_target
        ctx.batch = batch
        if reduction == "batchmean":
            total = reduce_loss(out, "sum")
            if batch is not None:
                with np.errstate(invalid="ignore", divide="ignore"):
                    total = np.asarray(total / x.dtype.type(batch), dtype=x.dtype)
            return Tensor(total)
        return Tensor(reduce_loss(out.reshape(input.shape), reduction))

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.arrays
        dtype = x.dtype
        if ctx.reduction == "none":
            g = contiguous(np.asarray(grad, dtype=dtype)).reshape(-1)
        else:
            value = np.asarray(grad, dtype=dtype).reshape(())
            with np.errstate(invalid="ignore", divide="ignore"):
                if ctx.reduction == "mean":
                    value = value / dtype.type(x.size)
                elif ctx.reduction == "batchmean" and ctx.batch is not None:
                    value = value / dtype.type(ctx.batch)
            g = np.broadcast_to(np.asarray(value, dtype=dtype).reshape(1), (x.size,))
        want_input, want_target = ctx.needs_input_grad[0], ctx.needs_input_grad[1]
        grad_input = empty_like(x) if want_input else empty(1, dtype)
        grad_target = empty_like(x) if want_target else empty(1, dtype)
        with np.errstate(invalid="ignore", divide="ignore"):
            K.kl_div_bwd(x, y, g, ctx.log_target, want_input, want_target, grad_input, grad_target, threads())
        return (grad_input.reshape(ctx.shape) if want_input else None,
                grad_target.reshape(ctx.shape) if want_target else None, None, None, None)


class ClampedCopyFunction(Function):
    """max(x, low) (NaN kept) whose gradient is the identity: torch's ``x.clone()`` clamped in place under
    no_grad (gaussian_nll_loss's variance)."""

    @staticmethod
    def forward(ctx, x, low):
        with np.errstate(invalid="ignore"):
            return Tensor(np.where(x.data < low, x.data.dtype.type(low), x.data))

    @staticmethod
    def backward(ctx, grad):
        return grad, None
