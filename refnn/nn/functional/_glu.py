"""F.glu: the first half of a dimension gated by the sigmoid of the second half (torch's checks)."""
import numpy as np

from ..._shape import check_allocation
from ._utils import FLOAT_DTYPES, check_tensor

__all__ = ["glu"]


def glu(input, dim=-1):
    """a * sigmoid(b), where a and b are the two halves of ``input`` along ``dim``."""
    check_tensor("glu", "input", input)
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
        raise TypeError(f"glu(): argument 'dim' (position 2) must be int, not {type(dim).__name__}")
    if input.dim() == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    ndim = input.dim()
    if not -ndim <= dim < ndim:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-ndim}, {ndim - 1}], but got {dim})")
    dim = int(dim) % ndim
    if input.shape[dim] % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {dim} is size {input.shape[dim]}")
    if input.dtype not in FLOAT_DTYPES:
        raise NotImplementedError(f"\"glu_cpu\" not implemented for '{np.dtype(input.dtype).name}' (refnn: "
                                  "float32 or float64)")
    check_allocation("glu", tuple(input.shape), input.data.itemsize)
    half = input.shape[dim] // 2
    return input.narrow(dim, 0, half) * input.narrow(dim, half, half).sigmoid()
