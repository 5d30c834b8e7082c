"""Distances: F.pairwise_distance and F.cosine_similarity (torch's signatures, all validation)."""
import numpy as np

from ..._functions.distance import CosineSimilarityFunction, PairwiseDistanceFunction
from ..._shape import check_allocation
from ._utils import FLOAT_DTYPES, check_tensor

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


def _category(dtype):
    """torch's type-promotion categories: bool < integer < floating."""
    return 2 if dtype.kind == "f" else (1 if dtype.kind in "iu" else 0)


def _result_dtype(x1, x2):
    """torch.result_type(x1, x2): the highest category wins; within it, dimensioned tensors take precedence
    over 0-d ones (a 0-d float64 with a (3, 4) float32 gives float32)."""
    top = max(_category(x1.dtype), _category(x2.dtype))
    operands = [x for x in (x1, x2) if _category(x.dtype) == top]
    operands = [x for x in operands if x.dim() > 0] or operands
    return np.result_type(*[x.dtype for x in operands])


def _check_number(fn, name, value):
    """A float argument: torch's parser takes bools and ints as numbers, and nothing else."""
    if not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{fn}(): argument '{name}' must be float, not {type(value).__name__}")
    return float(value)


def _check_pair(fn, x1, x2, common):
    """Broadcast shape and allocation of x1 and x2, both already of the common dtype."""
    if common not in FLOAT_DTYPES:
        raise RuntimeError(f"{fn}: expected the common dtype of x1 ({x1.dtype}) and x2 ({x2.dtype}) to be "
                           f"float32 or float64, but got {common}")
    shape = _broadcast_shape(fn, x1, x2)
    check_allocation(fn, shape, common.itemsize)     # the broadcast difference / products are this size
    return shape


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """||x1 - x2 + eps||_p over the last dimension (x1 and x2 broadcast, in their promoted dtype)."""
    fn = "pairwise_distance"
    check_tensor(fn, "x1", x1)
    check_tensor(fn, "x2", x2)
    p = _check_number(fn, "p", p)
    eps = _check_number(fn, "eps", eps)
    if not isinstance(keepdim, bool):     # torch's parser: a Python bool only (not 1, not numpy.bool_)
        raise TypeError(f"{fn}(): argument 'keepdim' must be bool, not {type(keepdim).__name__}")
    # torch computes x1 - x2 in torch.result_type(x1, x2); refnn casts both inputs to it (exact for the
    # float16/integer/bool inputs it takes alongside a float32/float64 one)
    if np.bool_ in (x1.dtype, x2.dtype):
        raise RuntimeError(f"{fn}: x1 - x2 with a bool tensor is not supported (x1 {x1.dtype}, x2 {x2.dtype})")
    common = _result_dtype(x1, x2)
    shape = _check_pair(fn, x1, x2, common)
    if (p < 0 or p == float("inf")) and shape and shape[-1] == 0:
        # torch's vector_norm: a negative or infinite order has no identity to reduce an empty dimension to
        raise RuntimeError(f"{fn}: cannot compute the {p:g} norm over the last dimension because it is empty "
                           f"(broadcast shape {list(shape)}) and the operation does not have an identity")
    return PairwiseDistanceFunction.apply(x1.to(common), x2.to(common), p, eps, keepdim)


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """sum over dim of (x1 / max(||x1||, eps)) * (x2 / max(||x2||, eps)) (x1 and x2 broadcast)."""
    fn = "cosine_similarity"
    check_tensor(fn, "x1", x1)
    check_tensor(fn, "x2", x2)
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
        raise TypeError(f"{fn}(): argument 'dim' must be int, not {type(dim).__name__}")
    if not -2 ** 63 <= dim < 2 ** 63:
        raise ValueError(f"{fn}(): argument 'dim': overflow when unpacking long long ({dim})")
    eps = _check_number(fn, "eps", eps)
    # torch: the common dtype torch.result_type(x1, x2) must be floating; integer and bool inputs are cast
    # to it; each floating input is normalised in its own dtype and the product takes the wider one.  refnn
    # casts both to that wider dtype (float16 is not cast by torch: refnn refuses it)
    common = _result_dtype(x1, x2)
    if common.kind != "f":
        raise RuntimeError(f"{fn}: expected common dtype to be floating point, yet common dtype is {common}")
    if not eps >= 0:
        raise RuntimeError(f"{fn}: eps must be non-negative, got: {eps}")
    dtypes = [x.dtype if x.dtype.kind == "f" else common for x in (x1, x2)]
    if any(d not in FLOAT_DTYPES for d in dtypes):
        raise RuntimeError(f"{fn}: expected x1 and x2 to be float32 or float64 (or integer), but got "
                           f"{x1.dtype} and {x2.dtype}")
    common = np.result_type(*dtypes)
    shape = _check_pair(fn, x1, x2, common)
    if np.float32 in dtypes and np.isfinite(eps) and eps > np.finfo(np.float32).max:
        # torch clamps each float32 norm with eps converted to float32: a finite eps beyond float32's range
        raise RuntimeError(f"{fn}: eps={eps} cannot be converted to type float without overflow")
    ndim = max(len(shape), 1)
    if not -ndim <= dim < ndim:
        raise IndexError(f"{fn}: dimension out of range (expected to be in range of "
                         f"[{-ndim}, {ndim - 1}], but got {dim})")
    x1, x2 = x1.to(common), x2.to(common)
    if len(shape) == 0:  # 0-d inputs: one element along dim 0
        return CosineSimilarityFunction.apply(x1.reshape(1), x2.reshape(1), 0, eps).reshape(())
    return CosineSimilarityFunction.apply(x1, x2, int(dim) % ndim, eps)
