"""Regression and distribution losses: F.kl_div, F.smooth_l1_loss, F.huber_loss, F.poisson_nll_loss,
F.gaussian_nll_loss.

torch's signatures, defaults and checks, before any kernel runs.  smooth_l1 and huber are ATen kernels
(here ``_kernels/loss.pyx``); kl_div is an ATen composite written out per element in one kernel (the same
expressions); poisson_nll_loss and gaussian_nll_loss are composites in torch and are composed here of the
same refnn ops.
"""
import math
import warnings

import numpy as np

from ..._functions.loss import (ClampedCopyFunction, HuberLossFunction, KLDivFunction, L1LossFunction,
                                SmoothL1LossFunction)
from ..._shape import check_allocation
from ...tensor import Tensor
from ._loss import _broadcast_pair, _check_same_dtype, _shape_str, legacy_get_string
from ._utils import check_float_tensor, check_tensor

__all__ = ["kl_div", "smooth_l1_loss", "huber_loss", "poisson_nll_loss", "gaussian_nll_loss"]

REDUCTIONS = ("none", "mean", "sum")


def _check_number(fn, name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{fn}(): argument '{name}' must be float, not {type(value).__name__}")
    return float(value)


def _float_pair(fn, input, target, integral_message=None):
    check_tensor(fn, "input", input)
    check_tensor(fn, "target", target)
    for name, t in (("input", input), ("target", target)):
        if t.dtype.kind in "iub":
            if integral_message:
                raise RuntimeError(integral_message)
            raise NotImplementedError(f'"{fn}" not implemented for {name} of dtype {t.dtype} '
                                      "(refnn's losses take float32 or float64)")
    check_float_tensor(fn, "input", input)
    check_float_tensor(fn, "target", target)
    _check_same_dtype(fn, input, "target", target)


# ---------------------------------------------------------------- kl_div
def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """target * (log(target) - input) per element (exp(target) * (target - input) with log_target), then the
    reduction: 'batchmean' is the sum over input.size(0); 'mean' (over every element) warns as torch does."""
    fn = "kl_div"
    if size_average is not None or reduce is not None:
        reduction = legacy_get_string(size_average, reduce)
    else:
        if reduction == "mean":
            warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the support size."
                          "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
                          "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
                          stacklevel=2)
        if reduction not in REDUCTIONS + ("batchmean",):
            raise ValueError(f"{reduction} is not a valid value for reduction")
    if not isinstance(log_target, (bool, np.bool_)):
        raise TypeError(f"{fn}(): argument 'log_target' must be bool, not {type(log_target).__name__}")
    _float_pair(fn, input, target, "kl_div: Integral inputs not supported (refnn takes float32 or float64).")
    batch_input = input
    if tuple(input.shape) != tuple(target.shape):     # torch's composite broadcasts silently
        try:
            shape = np.broadcast_shapes(input.shape, target.shape)
        except ValueError:
            raise RuntimeError(f"{fn}: the size of input {_shape_str(input.shape)} and the size of target "
                               f"{_shape_str(target.shape)} do not broadcast") from None
        input, target = input.expand(shape), target.expand(shape)
    check_allocation(fn, input.shape, input.data.itemsize)   # the per-element losses
    # 'batchmean' divides by the size(0) of the input as given (not of the broadcast shape); nothing when 0-d
    batch = batch_input.shape[0] if batch_input.dim() else None
    return KLDivFunction.apply(input, target, reduction, bool(log_target), batch)


# ---------------------------------------------------------------- smooth_l1_loss and huber_loss
def _warn_size(input, target):
    if tuple(target.shape) != tuple(input.shape):
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input size "
                      f"({input.shape}). This will likely lead to incorrect results due to broadcasting. "
                      "Please ensure they have the same size.", stacklevel=3)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """0.5 (x - y)^2 / beta where |x - y| < beta, |x - y| - 0.5 beta elsewhere; l1_loss when beta == 0."""
    fn = "smooth_l1_loss"
    _float_pair(fn, input, target)
    if size_average is not None or reduce is not None:
        reduction = legacy_get_string(size_average, reduce)
    if reduction not in REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    beta = _check_number(fn, "beta", beta)
    input, target = _broadcast_pair(fn, input, target)
    if beta == 0.0:
        return L1LossFunction.apply(input, target, reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    return SmoothL1LossFunction.apply(input, target, reduction, beta)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """0.5 (x - y)^2 where |x - y| < delta, delta (|x - y| - 0.5 delta) elsewhere; times weight if given."""
    fn = "huber_loss"
    _float_pair(fn, input, target)
    delta = _check_number(fn, "delta", delta)
    input_shape = tuple(input.shape)
    input, target = _broadcast_pair(fn, input, target)
    if weight is None:
        if reduction not in REDUCTIONS:
            raise ValueError(f"{reduction} is not a valid value for reduction")
        if delta <= 0:
            raise RuntimeError("huber_loss does not support non-positive values for delta.")
        return HuberLossFunction.apply(input, target, reduction, delta)
    check_float_tensor(fn, "weight", weight)
    if tuple(weight.shape) != input_shape:
        raise ValueError("Weights and input must have the same size.")
    _check_same_dtype(fn, input, "weight", weight)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    weighted = HuberLossFunction.apply(input, target, "none", delta) * weight
    if reduction == "none":
        return weighted
    if reduction == "sum":
        return weighted.sum()
    if reduction == "mean":
        return weighted.mean()
    raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', 'sum'.")


# ---------------------------------------------------------------- poisson_nll_loss
def _reduce(loss, reduction):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8, reduce=None,
                     reduction="mean"):
    """exp(input) - target * input (log_input), else input - target * log(input + eps); with full, the
    Stirling term target * log(target) - target + 0.5 * log(2 pi target) where target > 1 (torch's composite)."""
    fn = "poisson_nll_loss"
    if size_average is not None or reduce is not None:
        reduction = legacy_get_string(size_average, reduce)
    if reduction not in REDUCTIONS:
        raise ValueError(reduction + " is not a valid value for reduction")
    _float_pair(fn, input, target)
    eps = _check_number(fn, "eps", eps)
    try:
        shape = np.broadcast_shapes(input.shape, target.shape)
    except ValueError:
        raise RuntimeError(f"{fn}: the size of input {_shape_str(input.shape)} and the size of target "
                           f"{_shape_str(target.shape)} do not broadcast") from None
    check_allocation(fn, shape, input.data.itemsize)
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        stirling = target * target.log() - target + 0.5 * (2 * math.pi * target).log()
        loss = loss + stirling.masked_fill(target <= 1, 0)
    return _reduce(loss, reduction)


# ---------------------------------------------------------------- gaussian_nll_loss
def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """0.5 * (log(max(var, eps)) + (input - target)^2 / max(var, eps)) (+ 0.5 log(2 pi) with full).

    var has input's shape, or input's shape without its last dimension, or input's with one dimension
    of size 1 (homoscedastic); a float var is a constant.  The clamp is not differentiated (torch clamps
    a copy under no_grad)."""
    fn = "gaussian_nll_loss"
    check_tensor(fn, "input", input)
    check_tensor(fn, "target", target)
    if isinstance(var, float):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = Tensor(np.ones(input.shape, dtype=input.dtype)) * var
    elif not isinstance(var, Tensor):
        raise TypeError(f"any() received an invalid combination of arguments - got ({type(var).__name__}), "
                        "but expected a Tensor (var must be a Tensor or a float)")
    else:
        check_float_tensor(fn, "var", var)
        with np.errstate(invalid="ignore"):
            if np.any(var.data < 0):
                raise ValueError("var has negative entry/entries")
    if tuple(var.shape) != tuple(input.shape):
        if tuple(input.shape[:-1]) == tuple(var.shape):
            var = var.unsqueeze(-1)
        elif input.dim() == var.dim() and sum(b for a, b in zip(input.shape, var.shape) if a != b) == 1:
            pass
        else:
            raise ValueError("var is of incorrect size")
    if reduction not in REDUCTIONS:
        raise ValueError(reduction + " is not valid")
    _float_pair(fn, input, target)
    _check_same_dtype(fn, input, "var", var)
    try:
        check_allocation(fn, np.broadcast_shapes(input.shape, target.shape, var.shape), input.data.itemsize)
    except ValueError:
        raise RuntimeError(f"{fn}: the sizes of input {_shape_str(input.shape)}, target {_shape_str(target.shape)} "
                           f"and var {_shape_str(var.shape)} do not broadcast") from None
    # var.clone().clamp_(min=eps) under no_grad: the gradient passes to var unchanged, clamped or not
    var = ClampedCopyFunction.apply(var, eps)
    loss = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)
