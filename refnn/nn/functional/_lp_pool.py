"""F.lp_pool1d/2d/3d: power-average pooling, composed from average pooling exactly as torch composes it.

    out = avg_pool(x ** p, kernel, stride, 0, ceil_mode)
    result = (sign(out) * relu(|out|) * prod(kernel)) ** (1 / p)

(p = inf: max pooling of |x|; p = -inf: minus the max pooling of -|x|).  Every step is a refnn op with
its own gradient, so the backward is torch's: zero where a window's sum of powers is zero.
"""
from ._activation import relu
from ._pooling import avg_pool1d, avg_pool2d, avg_pool3d, max_pool1d, max_pool2d, max_pool3d
from ..._shape import check_allocation
from ...tensor import Tensor
from ._utils import _pair, _triple

__all__ = ["lp_pool1d", "lp_pool2d", "lp_pool3d"]


def _kernel_product(fn, kernel_size, dims):
    """torch multiplies by kernel_size (1-d: as given, so a tuple is a TypeError) or the product of the
    pair/triple."""
    if dims == 1:
        if isinstance(kernel_size, bool) or not isinstance(kernel_size, (int, float)):
            raise TypeError(f"mul(): argument 'other' (position 1) must be Tensor, not "
                            f"{type(kernel_size).__name__}")
        return kernel_size
    sizes = (_pair if dims == 2 else _triple)(kernel_size)
    if len(sizes) != dims:
        raise ValueError(f"{fn}: kernel_size must be an int or a tuple of {dims} ints, but got {kernel_size!r}")
    product = 1
    for k in sizes:
        product *= k
    return product


def _lp_pool(fn, dims, input, norm_type, kernel_size, stride, ceil_mode):
    max_pool = {1: max_pool1d, 2: max_pool2d, 3: max_pool3d}[dims]
    avg_pool = {1: avg_pool1d, 2: avg_pool2d, 3: avg_pool3d}[dims]
    factor = None if dims == 1 else _kernel_product(fn, kernel_size, dims)
    if not isinstance(input, Tensor):
        # torch calls the input's methods (abs, pow) without a type check
        infinite = isinstance(norm_type, (int, float)) and abs(norm_type) == float("inf")
        raise AttributeError(f"'{type(input).__name__}' object has no attribute '{'abs' if infinite else 'pow'}' "
                             f"({fn} expects a Tensor input)")
    # the composition's first step (|x| or x ** p) is as large as the input: the cap applies to it
    check_allocation(fn, tuple(input.shape), input.data.itemsize)
    if isinstance(norm_type, (int, float)):
        if norm_type == float("inf"):
            return max_pool(input.abs(), kernel_size, stride, 0, 1, ceil_mode)
        if norm_type == -float("inf"):
            return -max_pool(-input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    if stride is not None:
        out = avg_pool(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    else:
        out = avg_pool(input.pow(norm_type), kernel_size, padding=0, ceil_mode=ceil_mode)
    if dims == 1:
        factor = _kernel_product(fn, kernel_size, dims)
    return (out.sign() * relu(out.abs())).mul(factor).pow(1.0 / norm_type)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Power-average pooling over the last dim: (sum of x**p over each window) ** (1/p)."""
    return _lp_pool("lp_pool1d", 1, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Power-average pooling over the last two dims."""
    return _lp_pool("lp_pool2d", 2, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Power-average pooling over the last three dims."""
    return _lp_pool("lp_pool3d", 3, input, norm_type, kernel_size, stride, ceil_mode)
