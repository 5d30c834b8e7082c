"""Normalisations torch composes from simpler ops, composed here from refnn's: F.normalize (a p-norm along a
dim), F.rms_norm (root mean square over trailing dims) and F.local_response_norm (a mean of squares over
neighbouring channels, through avg_pool2d, as torch's goes through avg_pool2d/avg_pool3d)."""
import numbers

import numpy as np


from ...tensor import Tensor, cat
from ..._shape import check_allocation
from ._pooling import avg_pool2d
from ._utils import FLOAT_DTYPES, check_tensor

__all__ = ["normalize", "rms_norm", "local_response_norm"]


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """input / max(||input||_p along dim, eps)."""
    check_tensor("normalize", "input", input)
    if out is not None:
        raise RuntimeError("normalize: out= is not supported by refnn (it returns a new tensor)")
    if input.dtype.kind == "f" and input.dtype not in FLOAT_DTYPES:
        raise RuntimeError(f"normalize: refnn computes in float32 or float64, but got {input.dtype}")
    if input.dim() and isinstance(dim, (int, np.integer)) and -input.dim() <= dim < input.dim() \
            and input.shape[dim] == 0 and isinstance(p, numbers.Real) and (p < 0 or p == float("inf")):
        raise RuntimeError(f"linalg.vector_norm cannot compute the {p:g} norm on the dimension {dim % input.dim()}"
                           "because this dimension is empty and the operation does not have an identity")
    check_allocation("normalize", tuple(input.shape), input.data.itemsize)
    denom = input.norm(p, dim, keepdim=True).clamp(min=eps).expand_as(input)
    return input / denom


def _shape_list(fn, normalized_shape):
    if not isinstance(normalized_shape, (tuple, list)):
        raise TypeError(f"{fn}(): argument 'normalized_shape' (position 2) must be tuple of ints, not "
                        f"{type(normalized_shape).__name__}")
    for i, v in enumerate(normalized_shape):
        if isinstance(v, bool) or not isinstance(v, (numbers.Integral, np.integer)):
            raise TypeError(f"{fn}(): argument 'normalized_shape' (position 2) must be tuple of ints, but found "
                            f"element of type {type(v).__name__} at pos {i}")
    return [int(v) for v in normalized_shape]


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """input * rsqrt(mean(input^2 over the trailing normalized_shape) + eps) * weight; eps None: the dtype's
    machine epsilon (torch's composite for float32 and float64)."""
    fn = "rms_norm"
    check_tensor(fn, "input", input)
    shape = _shape_list(fn, normalized_shape)
    if weight is not None:
        check_tensor(fn, "weight", weight)
    if eps is not None and (isinstance(eps, bool) or not isinstance(eps, numbers.Real)):
        raise TypeError(f"rms_norm(): argument 'eps' (position 4) must be float, not {type(eps).__name__}")
    k = len(shape)
    if k == 0:
        raise RuntimeError("Expected normalized_shape to be at least 1-dimensional, i.e., containing at least one "
                           "element, but got normalized_shape = []")
    if input.dim() < k:
        raise ValueError(f"Input tensor must have at least {k} dimensions, but got {input.dim()}")
    if weight is not None and list(weight.shape) != shape:
        raise RuntimeError(f"Expected weight to be of same shape as normalized_shape, but got weight of shape "
                           f"{list(weight.shape)} and normalized_shape = {shape}")
    if list(input.shape[input.dim() - k:]) != shape:
        raise RuntimeError(f"Given normalized_shape={shape}, expected input with shape [*"
                           f"{', '.join(str(v) for v in shape)}], but got input of size{list(input.shape)}")
    if input.dtype not in FLOAT_DTYPES:
        raise RuntimeError(f"rms_norm: expected input to be float32 or float64, but got {input.dtype}")
    if weight is not None and weight.dtype not in FLOAT_DTYPES:
        raise RuntimeError(f"rms_norm: expected weight to be float32 or float64, but got {weight.dtype}")
    check_allocation("rms_norm", tuple(input.shape), input.data.itemsize)
    eps = float(np.finfo(input.dtype).eps) if eps is None else float(eps)
    dims = tuple(range(input.dim() - k, input.dim()))
    mean_square = input.pow(2).mean(dims, keepdim=True)
    out = input * (mean_square + eps).rsqrt()
    if weight is None:
        return out
    out = out * weight
    return out if out.dtype == input.dtype else out.to(input.dtype)     # torch returns the input's dtype


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """input / (k + alpha * mean of input^2 over the `size` channels around each one)^beta (zeros beyond the
    channel range count in the mean, which always divides by `size`)."""
    check_tensor("local_response_norm", "input", input)
    dim = input.dim()
    if dim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality                          input (got {dim} "
                         "dimensions)")
    if input.numel() == 0:
        return input
    if input.dtype not in FLOAT_DTYPES:
        raise RuntimeError(f"local_response_norm: expected input to be float32 or float64, but got {input.dtype}")
    shape = tuple(input.shape)
    check_allocation("local_response_norm", shape, input.data.itemsize)
    div = input * input
    # (N, 1, C, rest): avg_pool2d with a (size, 1) window over C zero-padded by size // 2 before and
    # (size - 1) // 2 after (torch: pad + avg_pool2d for 3-d input, avg_pool3d with (size, 1, 1) otherwise)
    rest = int(np.prod(shape[2:], dtype=np.int64))
    div = div.reshape(shape[0], 1, shape[1], rest)
    before, after = size // 2, (size - 1) // 2
    parts = []
    if before:
        parts.append(Tensor(np.zeros((shape[0], 1, before, rest), dtype=input.dtype)))
    parts.append(div)
    if after:
        parts.append(Tensor(np.zeros((shape[0], 1, after, rest), dtype=input.dtype)))
    div = cat(parts, 2) if len(parts) > 1 else div
    div = avg_pool2d(div, (size, 1), stride=1).reshape(shape)
    div = (div * alpha + k).pow(beta)
    return input / div
