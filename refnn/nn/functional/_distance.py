"""Distances: F.pairwise_distance and F.cosine_similarity (torch's signatures, all validation)."""
import numpy as np

from ..._functions.distance import CosineSimilarityFunction, PairwiseDistanceFunction
from ..._shape import check_allocation
from ._utils import check_float_tensor

__all__ = ["pairwise_distance", "cosine_similarity"]


def _broadcast_shape(fn, x1, x2):
    """The common shape of x1 and x2, or torch's RuntimeError naming the mismatching sizes."""
    a, b = x1.shape, x2.shape
    ndim = max(len(a), len(b))
    a = (1,) * (ndim - len(a)) + tuple(a)
    b = (1,) * (ndim - len(b)) + tuple(b)
    for i, (m, n) in enumerate(zip(a, b)):
        if m != n and m != 1 and n != 1:
            raise RuntimeError(f"{fn}: the size of tensor a ({m}) must match the size of tensor b ({n}) "
                               f"at non-singleton dimension {i}")
    return tuple(max(m, n) if min(m, n) != 0 else 0 for m, n in zip(a, b))


def _check_pair(fn, x1, x2):
    check_float_tensor(fn, "x1", x1)
    check_float_tensor(fn, "x2", x2)
    if x1.dtype != x2.dtype:
        raise RuntimeError(f"{fn}: expected x1 and x2 to have the same dtype, but got {x1.dtype} and {x2.dtype} "
                           "(refnn does not promote mixed dtypes)")
    shape = _broadcast_shape(fn, x1, x2)
    check_allocation(fn, shape, x1.data.itemsize)     # the broadcast difference / products are this size
    return shape


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """||x1 - x2 + eps||_p over the last dimension (x1 and x2 broadcast)."""
    _check_pair("pairwise_distance", x1, x2)
    if isinstance(p, bool) or not isinstance(p, (int, float, np.integer, np.floating)):
        raise TypeError(f"pairwise_distance(): argument 'p' must be float, not {type(p).__name__}")
    if isinstance(eps, bool) or not isinstance(eps, (int, float, np.integer, np.floating)):
        raise TypeError(f"pairwise_distance(): argument 'eps' must be float, not {type(eps).__name__}")
    return PairwiseDistanceFunction.apply(x1, x2, float(p), float(eps), bool(keepdim))


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """sum over dim of (x1 / max(||x1||, eps)) * (x2 / max(||x2||, eps)) (x1 and x2 broadcast)."""
    shape = _check_pair("cosine_similarity", x1, x2)
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
        raise TypeError(f"cosine_similarity(): argument 'dim' must be int, not {type(dim).__name__}")
    if isinstance(eps, bool) or not isinstance(eps, (int, float, np.integer, np.floating)):
        raise TypeError(f"cosine_similarity(): argument 'eps' must be float, not {type(eps).__name__}")
    ndim = max(len(shape), 1)
    if not -ndim <= dim < ndim:
        raise IndexError(f"cosine_similarity: dimension out of range (expected to be in range of "
                         f"[{-ndim}, {ndim - 1}], but got {dim})")
    if len(shape) == 0:  # 0-d inputs: one element along dim 0
        return CosineSimilarityFunction.apply(x1.reshape(1), x2.reshape(1), 0, float(eps)).reshape(())
    return CosineSimilarityFunction.apply(x1, x2, int(dim) % ndim, float(eps))
