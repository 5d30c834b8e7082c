"""Dropout: torch's signatures and checks; the mask comes from refnn's seeded generator."""
import math
import numbers
import warnings

import numpy as np

from ..._functions.dropout import dropout as _dropout
from ...tensor import Tensor
from ..._shape import check_allocation
from ._utils import FLOAT_DTYPES, check_inplace, check_tensor

__all__ = ["dropout", "dropout1d", "dropout2d", "dropout3d"]


def _check_p(p):
    if isinstance(p, (bool, np.bool_)) or not isinstance(p, numbers.Real):
        raise TypeError(f"dropout(): argument 'p' must be float, not {type(p).__name__}")
    if math.isnan(p):            # passes torch's Python check, refused by ATen (RuntimeError)
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    return float(p)


def _apply(fn, input, p, training, inplace, mask_shape=None):
    """torch's _dropout_impl: identity when p == 0, eval or empty; x * 0 when p == 1; else the mask."""
    if p == 0 or not training or input.numel() == 0:
        return input
    if inplace:
        check_inplace(fn, input)
    if input.dtype not in FLOAT_DTYPES:
        raise RuntimeError(f"result type Float can't be cast to the desired output type "
                           f"{input.dtype} ({fn}: input must be float32 or float64)")
    check_allocation(fn, input.shape, input.data.itemsize)
    if p == 1:
        return _dropout(input, 1.0, inplace, mask_shape)
    return _dropout(input, p, inplace, mask_shape)


def dropout(input, p=0.5, training=True, inplace=False):
    """x * mask / (1 - p), mask ~ Bernoulli(1 - p) per element; the identity in eval."""
    if isinstance(p, float) and math.isnan(p):
        check_tensor("dropout", "input", input)    # torch's parser sees a non-Tensor before the NaN check
    p = _check_p(p)
    check_tensor("dropout", "input", input)
    return _apply("dropout", input, p, bool(training), bool(inplace))


_FEATURE_WARNING = ("{fn}: Received a {ndim}-D input to {fn}, which is deprecated and will result in an error "
                    "in a future release. To retain the behavior and silence this warning, please use dropout "
                    "instead. Note that {fn} exists to provide channel-wise dropout on inputs with {spatial} "
                    "spatial dimensions, a channel dimension, and an optional batch dimension (i.e. {low}D or "
                    "{high}D inputs).")


def _feature_dropout(fn, input, p, training, inplace, spatial):
    """One mask value per feature map: torch's feature_dropout over (N, C, ...), 1 per trailing dim."""
    if isinstance(p, float) and math.isnan(p):
        check_tensor(fn, "input", input)    # torch reads input.dim() before ATen refuses the NaN
    p = _check_p(p)
    check_tensor(fn, "input", input)
    ndim = input.dim()
    if fn == "dropout1d" and ndim not in (2, 3):
        raise RuntimeError(f"dropout1d: Expected 2D or 3D input, but received a {ndim}D input. Note that "
                           "dropout1d exists to provide channel-wise dropout on inputs with 1 spatial dimension, "
                           "a channel dimension, and an optional batch dimension (i.e. 2D or 3D inputs).")
    if fn != "dropout1d" and ndim not in (spatial + 1, spatial + 2):
        warnings.warn(_FEATURE_WARNING.format(fn=fn, ndim=ndim, spatial=spatial, low=spatial + 1,
                                              high=spatial + 2), stacklevel=3)
    if fn == "dropout2d" and ndim == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout "
                      "behavior is desired - input is interpreted as shape (N, C, L), where C is the channel "
                      "dim. This behavior will change in a future release to interpret the input as one "
                      "without a batch dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise "
                      "dropout behavior, please switch to using dropout1d instead.", stacklevel=3)
    # dropout2d takes dims 0 and 1 as (N, C) whatever the rank; 1d/3d add a batch dim to unbatched input
    batched = fn == "dropout2d" or ndim == spatial + 2
    lead = 2 if batched else 1
    if ndim < lead and 0 < p < 1 and training and input.numel() != 0:   # torch: input or input*0 before this check
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    mask_shape = input.shape[:lead] + (1,) * (ndim - lead)
    return _apply(fn, input, p, bool(training), bool(inplace), mask_shape)


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zeroes whole channels of (N, C, L) or (C, L) inputs."""
    return _feature_dropout("dropout1d", input, p, training, inplace, 1)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zeroes whole channels of (N, C, H, W) or (C, H, W) inputs (3-d taken as (N, C, L), as torch does)."""
    return _feature_dropout("dropout2d", input, p, training, inplace, 2)


def dropout3d(input, p=0.5, training=True, inplace=False):
    """Zeroes whole channels of (N, C, D, H, W) or (C, D, H, W) inputs."""
    return _feature_dropout("dropout3d", input, p, training, inplace, 3)
