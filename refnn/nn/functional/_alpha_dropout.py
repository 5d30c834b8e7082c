"""Alpha dropout (SELU's dropout): dropped elements take SELU's negative saturation, and an affine map keeps
the mean and variance; the mask comes from refnn's seeded generator (one draw per element, or per (N, C)
feature map for feature_alpha_dropout)."""
import math

import numpy as np

from ... import random
from ..._functions._util import contiguous
from ..._shape import check_allocation
from ...tensor import Tensor
from ._dropout import _check_p
from ._utils import FLOAT_DTYPES, check_inplace, check_tensor

__all__ = ["alpha_dropout", "feature_alpha_dropout"]

_ALPHA = 1.7580993408473766     # SELU's scale * alpha: -_ALPHA is SELU's limit at -inf


def alpha_factors(shape, p, dtype, mask_shape=None):
    """(factor, shift) with output = input * factor + shift, as torch's _dropout_impl builds them in ``dtype``:
    a = 1 / sqrt((ALPHA^2 p + 1)(1 - p)); factor = mask * a; shift = (mask - 1) * (ALPHA a) + ALPHA a p, the
    three scalars rounded to ``dtype`` first."""
    keep = random.default_generator().random(mask_shape or shape) >= p
    a = 1.0 / math.sqrt((_ALPHA * _ALPHA * p + 1) * (1 - p))
    scalar = np.dtype(dtype).type
    mask = keep.astype(dtype)
    factor = mask * scalar(a)
    shift = (mask - scalar(1)) * scalar(_ALPHA * a) + scalar(_ALPHA * a * p)
    return np.broadcast_to(factor, shape), np.broadcast_to(shift, shape)


def _alpha(fn, input, p, training, inplace, feature):
    p = _check_p(p)
    check_tensor(fn, "input", input)
    if p == 0 or not training or input.numel() == 0:
        return input
    if inplace:
        check_inplace(fn, input)
    if input.dtype not in FLOAT_DTYPES:
        raise RuntimeError(f"{fn}: input must be float32 or float64, but got {input.dtype}")
    mask_shape = None
    if feature:
        if input.dim() < 2:
            raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
        mask_shape = tuple(input.shape[:2]) + (1,) * (input.dim() - 2)
    check_allocation(fn, input.shape, input.data.itemsize)
    if p == 1:      # torch: input * 0 (NaN and inf stay NaN), no shift
        zero = Tensor(np.zeros((), dtype=input.dtype))
        return input.mul_(zero) if inplace else input * zero
    factor, shift = alpha_factors(tuple(input.shape), p, input.dtype, mask_shape)
    if inplace:
        return input.mul_(Tensor(contiguous(factor))).add_(Tensor(contiguous(shift)))
    return input * Tensor(contiguous(factor)) + Tensor(contiguous(shift))


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """input * mask * a + ((mask - 1) * ALPHA * a + ALPHA * a * p), mask ~ Bernoulli(1 - p) per element."""
    return _alpha("alpha_dropout", input, p, bool(training), bool(inplace), False)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    """alpha_dropout with one mask value per (N, C) feature map."""
    return _alpha("feature_alpha_dropout", input, p, bool(training), bool(inplace), True)
