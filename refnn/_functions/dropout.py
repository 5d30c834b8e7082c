"""Dropout: a Bernoulli(1 - p) mask from refnn's seeded generator, scaled by 1 / (1 - p).

The mask is drawn in full (one uniform per element, or per (N, C) feature map
for the feature dropouts) from ``refnn.random.default_generator()``, so the same
seed gives the same mask at any thread count.  The multiplication and its
backward (the same mask) run through the activation kernels' ``multiply_fwd``.
"""
import numpy as np

from .. import random
from ._util import contiguous
from .activation import multiply


def dropout_factor(shape, p, dtype, mask_shape=None):
    """The per-element factor: 1 / (1 - p) (computed in ``dtype``, as torch's noise.div_) or 0."""
    if p == 1:  # torch: x * 0 (NaN and inf stay NaN)
        return np.zeros(shape, dtype=dtype)
    keep = random.default_generator().random(mask_shape or shape) >= p
    scale = np.asarray(1, dtype=dtype) / np.asarray(1 - p, dtype=dtype)
    factor = np.where(keep, scale, np.asarray(0, dtype=dtype)).astype(dtype, copy=False)
    return contiguous(np.broadcast_to(factor, shape))


def dropout(input, p, inplace=False, mask_shape=None):
    """x * mask / (1 - p) with mask ~ Bernoulli(1 - p); mask_shape broadcasts a mask over features."""
    return multiply(input, dropout_factor(input.shape, p, input.dtype, mask_shape), inplace)
