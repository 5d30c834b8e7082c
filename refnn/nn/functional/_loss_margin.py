"""Margin and embedding losses: F.soft_margin_loss, F.multilabel_soft_margin_loss, F.multilabel_margin_loss,
F.multi_margin_loss, F.margin_ranking_loss, F.hinge_embedding_loss, F.cosine_embedding_loss,
F.triplet_margin_loss, F.triplet_margin_with_distance_loss.

soft_margin, multi_margin and multilabel_margin are ATen kernels (here ``_kernels/loss.pyx``); the others
are composites in torch (ATen's or torch.nn.functional's) and are composed here of the same refnn ops in
the same order, so the values agree.  Every check runs before any kernel, with torch's exception class.
"""
import numpy as np

from ..._functions.loss import SoftMarginLossFunction
from ..._functions.loss_margin import MultiLabelMarginLossFunction, MultiMarginLossFunction
from ..._shape import check_allocation
from ...autograd import is_grad_enabled
from ...tensor import Tensor
from ._activation import logsigmoid
from ._distance import pairwise_distance
from ._loss import _check_same_dtype, _shape_str, legacy_get_string
from ._utils import check_float_tensor, check_tensor

__all__ = ["soft_margin_loss", "multilabel_soft_margin_loss", "multilabel_margin_loss", "multi_margin_loss",
           "margin_ranking_loss", "hinge_embedding_loss", "cosine_embedding_loss", "triplet_margin_loss",
           "triplet_margin_with_distance_loss"]

REDUCTIONS = ("none", "mean", "sum")


def _reduction(size_average, reduce, reduction):
    if size_average is not None or reduce is not None:
        return legacy_get_string(size_average, reduce)
    if reduction not in REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _apply_reduction(loss, reduction):
    """ATen's apply_loss_reduction: mean() or sum() of the elementwise loss, or the loss itself."""
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _check_number(fn, name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{fn}(): argument '{name}' must be float, not {type(value).__name__}")
    return float(value)


def _float_input(fn, name, value):
    check_tensor(fn, name, value)
    if value.dtype.kind in "iub":
        raise NotImplementedError(f'"{fn}" not implemented for {name} of dtype {value.dtype} '
                                  "(refnn's losses take float32 or float64)")
    return check_float_tensor(fn, name, value)


def _broadcast_shape(fn, *tensors):
    """The broadcast shape of the tensors (refused when they do not broadcast, or when a loss of that shape
    would pass the allocation cap)."""
    try:
        shape = np.broadcast_shapes(*(t.shape for t in tensors))
    except ValueError:
        shapes = ", ".join(_shape_str(t.shape) for t in tensors)
        raise RuntimeError(f"{fn}: the sizes of the inputs {shapes} do not broadcast") from None
    check_allocation(fn, shape, tensors[0].data.itemsize)
    return shape


def _check_long_target(fn, target):
    check_tensor(fn, "target", target)
    if target.dtype != np.int64:
        raise RuntimeError(f"{fn}: expected scalar type Long but found {target.dtype} (target)")


# ---------------------------------------------------------------- soft_margin_loss
def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """log(1 + exp(-target * input)) per element (target broadcast to input's shape), then the reduction."""
    fn = "soft_margin_loss"
    reduction = _reduction(size_average, reduce, reduction)
    check_tensor(fn, "input", input)
    if input.dtype.kind in "iub":   # torch writes the float result into an integer output
        raise RuntimeError(f"result type Float can't be cast to the desired output type {input.dtype} "
                           "(soft_margin_loss takes float32 or float64)")
    _float_input(fn, "input", input)
    _float_input(fn, "target", target)
    _check_same_dtype(fn, input, "target", target)
    check_allocation(fn, input.shape, input.data.itemsize)   # the per-element losses
    if target.requires_grad and is_grad_enabled():
        raise RuntimeError("The function 'soft_margin_loss' is not differentiable with respect to argument 'target'. "
                           "This input cannot have requires_grad True.")
    if tuple(target.shape) != tuple(input.shape):
        # torch multiplies -input by target in place: target must broadcast to input's shape
        if tuple(_broadcast_shape(fn, input, target)) != tuple(input.shape):
            raise RuntimeError(f"{fn}: output with shape {_shape_str(input.shape)} doesn't match the broadcast "
                               f"shape {_shape_str(np.broadcast_shapes(input.shape, target.shape))}")
        target = target.expand(input.shape)
    return SoftMarginLossFunction.apply(input, target, reduction)


# ---------------------------------------------------------------- multilabel_soft_margin_loss
def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """-(target * logsigmoid(input) + (1 - target) * logsigmoid(-input)) (times weight), summed over the
    last dimension and divided by its size, then the reduction (torch.nn.functional's composite)."""
    fn = "multilabel_soft_margin_loss"
    if size_average is not None or reduce is not None:
        reduction = legacy_get_string(size_average, reduce)
    _float_input(fn, "input", input)
    _float_input(fn, "target", target)
    _check_same_dtype(fn, input, "target", target)
    tensors = (input, target) if weight is None else (input, target, _float_input(fn, "weight", weight))
    if weight is not None:
        _check_same_dtype(fn, input, "weight", weight)
    shape = _broadcast_shape(fn, *tensors)
    if len(shape) == 0 or input.dim() == 0:
        raise IndexError("Dimension specified as -1 but tensor has no dimensions")
    if reduction not in REDUCTIONS:
        raise ValueError(reduction + " is not valid")
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.dim() - 1
    C = input.shape[class_dim]
    loss = loss.sum(dim=class_dim) / C
    return _apply_reduction(loss, reduction)


# ---------------------------------------------------------------- multi_margin_loss
def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None, reduce=None,
                      reduction="mean"):
    """sum over i != y of max(0, margin - x[y] + x[i])^p * weight[y], divided by C, per sample (p = 1 or 2)."""
    fn = "multi_margin_loss"
    reduction = _reduction(size_average, reduce, reduction)
    if p != 1 and p != 2:
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None:
        check_tensor(fn, "weight", weight)
        if weight.dim() != 1:
            raise ValueError("weight must be one-dimensional")
    margin = _check_number(fn, "margin", margin)
    _float_input(fn, "input", input)
    check_tensor(fn, "target", target)
    ndim = input.dim()
    if not ((input.numel() > 0 and ndim <= 2) or (ndim == 2 and input.shape[1] != 0)):
        raise RuntimeError("Expected non-empty vector or matrix with optional 0-dim batch size, but got: "
                           f"{_shape_str(input.shape)}")
    N = 1 if ndim <= 1 else input.shape[0]
    C = 1 if ndim == 0 else input.shape[-1]
    if target.dim() > 1 or target.numel() != N:
        raise RuntimeError(f"{fn}: target tensor should be 1-D with size equal to the number of input samples "
                           f"(batch size). Expected target size [{N}], but got {_shape_str(target.shape)}. Input has "
                           f"shape {_shape_str(input.shape)}.")
    if weight is not None:
        if weight.numel() != C:
            raise RuntimeError(f"inconsistent weight size, expected {C} but got {_shape_str(weight.shape)}")
        if weight.requires_grad and is_grad_enabled():
            raise RuntimeError("The function 'multi_margin_loss' is not differentiable with respect to argument "
                               "'weight'. This input cannot have requires_grad True.")
        check_float_tensor(fn, "weight", weight)
        if weight.dtype != input.dtype and N:
            raise RuntimeError(f"{fn}: expected scalar type {input.dtype} but found {weight.dtype} (weight)")
    if N:   # torch reads the target (and checks its dtype) only when there are samples
        _check_long_target(fn, target)
    check_allocation(fn, (N, C), input.data.itemsize)   # the gradient rows
    labels = np.ascontiguousarray(target.data).astype(np.int64).reshape(N)
    if labels.size and (labels.min() < 0 or labels.max() >= C):
        raise RuntimeError("target out of range")
    out_shape = (N,) if target.dim() > 0 else ()
    return MultiMarginLossFunction.apply(input, labels, int(p), margin, weight, reduction, (N, C), out_shape)


# ---------------------------------------------------------------- multilabel_margin_loss
def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """sum over target classes j (the row's list, up to its first -1) and non-target i of
    max(0, 1 - (x[j] - x[i])), divided by C, per sample."""
    fn = "multilabel_margin_loss"
    reduction = _reduction(size_average, reduce, reduction)
    _float_input(fn, "input", input)
    check_tensor(fn, "target", target)
    ndim = input.dim()
    if not ((ndim == 2 and input.shape[1] != 0) or (ndim == 1 and input.shape[0] != 0) or ndim == 0):
        raise RuntimeError("Expected non-empty vector or matrix with optional 0-dim batch size, but got: "
                           f"{_shape_str(input.shape)}")
    if ndim <= 1:
        N, C = 1, (1 if ndim == 0 else input.shape[0])
        if target.dim() > 1 or target.numel() != C:
            raise RuntimeError(f"inconsistent target size: {_shape_str(target.shape)} for input of size: "
                               f"{_shape_str(input.shape)}")
    else:
        N, C = input.shape
        if target.dim() != 2 or tuple(target.shape) != (N, C):
            raise RuntimeError(f"inconsistent target size: {_shape_str(target.shape)} for input of size: "
                               f"{_shape_str(input.shape)}")
    if N:   # torch reads the target (and checks its dtype) only when there are samples
        _check_long_target(fn, target)
    check_allocation(fn, (N, C), input.data.itemsize)   # the target mask and the gradient rows
    labels = np.ascontiguousarray(target.data).astype(np.int64).reshape(N, C)
    if labels.size and (labels.min() < -1 or labels.max() >= C):
        raise RuntimeError("argument #2 'target' is out of range")
    out_shape = (N,) if (reduction == "none" and target.dim() > 1) else ()
    return MultiLabelMarginLossFunction.apply(input, labels, reduction, out_shape)


# ---------------------------------------------------------------- margin_ranking_loss
def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean"):
    """max(0, -target * (input1 - input2) + margin) (ATen's composite), then the reduction."""
    fn = "margin_ranking_loss"
    reduction = _reduction(size_average, reduce, reduction)
    for name, t in (("input1", input1), ("input2", input2), ("target", target)):
        check_tensor(fn, name, t)
    if input1.dim() != input2.dim() or input1.dim() != target.dim():
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same dimension but got sizes: "
                           f"input1: {_shape_str(input1.shape)}, input2: {_shape_str(input2.shape)}, "
                           f"target: {_shape_str(target.shape)} ")
    margin = _check_number(fn, "margin", margin)
    for name, t in (("input1", input1), ("input2", input2), ("target", target)):
        _float_input(fn, name, t)
    _check_same_dtype(fn, input1, "input2", input2)
    _check_same_dtype(fn, input1, "target", target)
    _broadcast_shape(fn, input1, input2, target)
    return _apply_reduction((-target * (input1 - input2) + margin).clamp(min=0), reduction)


# ---------------------------------------------------------------- hinge_embedding_loss
def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None, reduction="mean"):
    """where(target != 1, max(0, margin - input), 0) + where(target != -1, input, 0) (ATen's composite)."""
    fn = "hinge_embedding_loss"
    reduction = _reduction(size_average, reduce, reduction)
    margin = _check_number(fn, "margin", margin)
    _float_input(fn, "input", input)
    check_tensor(fn, "target", target)
    if target.dtype.kind == "b":
        raise RuntimeError(f"{fn}: a bool target is not supported (target must be -1 or 1, in float32 or float64 "
                           "or an integer type)")
    _broadcast_shape(fn, input, target)
    zeros = Tensor(np.zeros(input.shape, dtype=input.dtype))
    margin_clamp = (margin - input).clamp(min=0)
    output_margin = margin_clamp.where(target != 1, zeros)
    output_self = input.where(target != -1, zeros)
    return _apply_reduction(output_margin + output_self, reduction)


# ---------------------------------------------------------------- cosine_embedding_loss
EPSILON = 1e-12


def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean"):
    """1 - cos(x1, x2) where target == 1, max(0, cos(x1, x2) - margin) where target == -1 (ATen's composite:
    cos = sum(x1 x2) / sqrt((sum(x1 x1) + 1e-12) * (sum(x2 x2) + 1e-12)))."""
    fn = "cosine_embedding_loss"
    reduction = _reduction(size_average, reduce, reduction)
    for name, t in (("input1", input1), ("input2", input2), ("target", target)):
        check_tensor(fn, name, t)
    margin = _check_number(fn, "margin", margin)
    targ_dim = target.dim()
    if targ_dim not in (0, 1):
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if targ_dim == 1 and not (input1.dim() == 2 and input2.dim() == 2):
        raise RuntimeError(f"1D target tensor expects 2D input tensors, but found inputs with sizes "
                           f"{_shape_str(input1.shape)} and {_shape_str(input2.shape)}.")
    if targ_dim == 0 and not (input1.dim() == 1 and input2.dim() == 1):
        raise RuntimeError(f"0D target tensor expects 1D input tensors, but found inputs with sizes "
                           f"{_shape_str(input1.shape)} and {_shape_str(input2.shape)}.")
    _float_input(fn, "input1", input1)
    _float_input(fn, "input2", input2)
    _check_same_dtype(fn, input1, "input2", input2)
    if target.dtype.kind == "b":
        raise RuntimeError(f"{fn}: a bool target is not supported (target must be -1 or 1, in float32 or float64 "
                           "or an integer type)")
    _broadcast_shape(fn, input1, input2)
    prod_sum = (input1 * input2).sum(targ_dim)
    mag_square1 = (input1 * input1).sum(targ_dim) + EPSILON
    mag_square2 = (input2 * input2).sum(targ_dim) + EPSILON
    denom = (mag_square1 * mag_square2).sqrt()
    cos = prod_sum / denom
    _broadcast_shape(fn, cos, target)
    zeros = Tensor(np.zeros(cos.shape, dtype=cos.dtype))
    pos = 1 - cos
    neg = (cos - margin).clamp(min=0)
    output_pos = pos.where(target == 1, zeros)
    output_neg = neg.where(target == -1, zeros)
    return _apply_reduction(output_pos + output_neg, reduction)


# ---------------------------------------------------------------- triplet losses
def _check_triplet_dims(anchor, positive, negative):
    a_dim, p_dim, n_dim = anchor.dim(), positive.dim(), negative.dim()
    if not (a_dim == p_dim and p_dim == n_dim):
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the same number of "
                           f"dimensions, but got: anchor {a_dim}D, positive {p_dim}D, and negative {n_dim}D inputs")


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False, size_average=None,
                        reduce=None, reduction="mean"):
    """max(0, margin + d(a, p) - d(a, n)), d = pairwise_distance(., ., p, eps); with swap, d(a, n) is
    min(d(a, n), d(p, n)) (ATen's composite)."""
    fn = "triplet_margin_loss"
    reduction = _reduction(size_average, reduce, reduction)
    for name, t in (("anchor", anchor), ("positive", positive), ("negative", negative)):
        check_tensor(fn, name, t)
    margin = _check_number(fn, "margin", margin)
    p = _check_number(fn, "p", p)
    eps = _check_number(fn, "eps", eps)
    if not isinstance(swap, (bool, np.bool_)):
        raise TypeError(f"{fn}(): argument 'swap' must be bool, not {type(swap).__name__}")
    _check_triplet_dims(anchor, positive, negative)
    for name, t in (("anchor", anchor), ("positive", positive), ("negative", negative)):
        _float_input(fn, name, t)
    _check_same_dtype(fn, anchor, "positive", positive)
    _check_same_dtype(fn, anchor, "negative", negative)
    dist_pos = pairwise_distance(anchor, positive, p, eps)
    dist_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        dist_swap = pairwise_distance(positive, negative, p, eps)
        dist_neg = dist_neg.minimum(dist_swap)
    return _apply_reduction((margin + dist_pos - dist_neg).clamp(min=0), reduction)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None, margin=1.0,
                                      swap=False, reduction="mean"):
    """max(0, margin + d(a, p) - d(a, n)) for a callable distance d (pairwise_distance when None); with
    swap, d(a, n) is min(d(a, n), d(p, n)) (torch.nn.functional's composite)."""
    if reduction not in REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    _check_triplet_dims(anchor, positive, negative)
    if distance_function is None:
        distance_function = pairwise_distance
    dist_pos = distance_function(anchor, positive)
    dist_neg = distance_function(anchor, negative)
    if swap:
        dist_swap = distance_function(positive, negative)
        dist_neg = dist_neg.minimum(dist_swap)
    loss = (margin + dist_pos - dist_neg).clamp(min=0)
    if reduction == "sum":
        return loss.sum()
    if reduction == "mean":
        return loss.mean()
    return loss
