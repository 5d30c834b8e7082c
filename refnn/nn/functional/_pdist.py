"""F.pdist: distances between all pairs of rows (torch's checks, in its order)."""
import numbers

from ..._functions.pdist import PdistFunction
from ..._shape import check_allocation
from ._utils import FLOAT_DTYPES, check_tensor

__all__ = ["pdist"]


def pdist(input, p=2):
    """||input[i] - input[j]||_p for every i < j, in row-major order of the pairs."""
    check_tensor("pdist", "input", input)
    if isinstance(p, bool) or not isinstance(p, numbers.Real):
        raise TypeError(f"pdist(): argument 'p' (position 2) must be float, not {type(p).__name__}")
    if input.dim() != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.dim()}D")
    if input.dtype.kind != "f":
        raise RuntimeError("pdist only supports floating-point dtypes")
    if not p >= 0:
        raise RuntimeError("pdist only supports non-negative p values")
    if input.dtype not in FLOAT_DTYPES:
        raise RuntimeError(f"pdist: refnn computes in float32 or float64, but got {input.dtype}")
    n = input.shape[0]
    pairs = n * (n - 1) // 2
    check_allocation("pdist", (pairs, input.shape[1]), input.data.itemsize)
    return PdistFunction.apply(input, float(p))
