"""F.gumbel_softmax: softmax((logits + Gumbel noise) / tau), or its one-hot argmax with the soft gradient.

The noise is -log(E), E ~ Exponential(1) = -log(U) with U uniform in (0, 1] from refnn's seeded generator; both
logarithms are refnn's own (the same bits on every run and thread count)."""
import warnings

import numpy as np

from ... import random
from ...autograd import no_grad
from ...tensor import Tensor
from ..._shape import check_allocation
from ._activation import softmax
from ._utils import FLOAT_DTYPES, check_tensor

__all__ = ["gumbel_softmax"]


def gumbel_noise(shape, dtype):
    uniform = 1.0 - random.default_generator().random(shape)         # (0, 1]
    with no_grad():
        exponential = -Tensor(uniform.astype(dtype)).log()
        exponential = exponential.clamp(min=float(np.finfo(dtype).tiny))   # never 0 (torch's exponential_)
        return -exponential.log()


def gumbel_softmax(logits, tau=1, hard=False, eps=1e-10, dim=-1):
    """A sample from the Gumbel-softmax distribution; hard=True returns one-hot vectors with y_soft's gradient."""
    check_tensor("gumbel_softmax", "logits", logits)
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    if logits.dtype not in FLOAT_DTYPES:
        raise RuntimeError(f"gumbel_softmax: expected logits to be float32 or float64, but got {logits.dtype}")
    check_allocation("gumbel_softmax", tuple(logits.shape), 8)
    gumbels = (logits + gumbel_noise(tuple(logits.shape), logits.dtype)) / tau
    y_soft = softmax(gumbels, dim)
    if not hard:
        return y_soft
    index = y_soft.max(dim, keepdim=True)[1]
    y_hard = Tensor(np.zeros(tuple(logits.shape), dtype=logits.dtype)).scatter(dim, index, 1.0)
    return y_hard - y_soft.detach() + y_soft
