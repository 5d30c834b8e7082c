"""F.pixel_shuffle / F.pixel_unshuffle: torch's checks, then one permutation kernel each way."""
import numpy as np

from ..._functions import pixelshuffle as PF
from ..._shape import check_allocation
from ._utils import FLOAT_DTYPES, check_tensor

__all__ = ["pixel_shuffle", "pixel_unshuffle"]


def _factor(fn, name, value):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{fn}(): argument '{name}' (position 2) must be int, not {type(value).__name__}")
    value = int(value)
    if not -2 ** 63 <= value < 2 ** 63:     # torch's int64 argument parser
        raise ValueError(f"{fn}(): argument '{name}' (position 2): overflow when unpacking long long ({value})")
    if value <= 0:
        raise RuntimeError(f"{fn} expects a positive {name}, but got {value}")
    return value


def _check_dtype(fn, input):
    """Integer and bool tensors are permuted through NumPy; floats through the float32/float64 kernel only."""
    if input.dtype.kind == "f" and input.dtype not in FLOAT_DTYPES:
        raise RuntimeError(f"{fn}: expected a floating input to be float32 or float64, but got {input.dtype}")


def _check_dims(fn, input):
    if input.dim() < 3:
        raise RuntimeError(f"{fn} expects input to have at least 3 dimensions, but got input with "
                           f"{input.dim()} dimension(s)")


def pixel_shuffle(input, upscale_factor):
    """(*, C*r*r, H, W) -> (*, C, H*r, W*r)."""
    check_tensor("pixel_shuffle", "input", input)
    factor = _factor("pixel_shuffle", "upscale_factor", upscale_factor)
    _check_dims("pixel_shuffle", input)
    if factor * factor > 2 ** 63 - 1:
        raise ValueError(f"pixel_shuffle: upscale factor is too large, (upscale_factor)^2 overflowed: "
                         f"upscale_factor={factor}")
    channels = input.shape[-3]
    if channels % (factor * factor) != 0:
        raise RuntimeError("pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of "
                           f"upscale_factor, but input.size(-3)={channels} is not divisible by {factor * factor}")
    _check_dtype("pixel_shuffle", input)
    check_allocation("pixel_shuffle", input.shape, input.data.itemsize)
    return PF.PixelShuffleFunction.apply(input, factor)


def pixel_unshuffle(input, downscale_factor):
    """(*, C, H*r, W*r) -> (*, C*r*r, H, W)."""
    check_tensor("pixel_unshuffle", "input", input)
    factor = _factor("pixel_unshuffle", "downscale_factor", downscale_factor)
    _check_dims("pixel_unshuffle", input)
    for name, axis in (("height", -2), ("width", -1)):
        if input.shape[axis] % factor != 0:
            raise RuntimeError(f"pixel_unshuffle expects {name} to be divisible by downscale_factor, but "
                               f"input.size({axis})={input.shape[axis]} is not divisible by {factor}")
    if input.numel() != 0:     # torch 2.13 returns an empty input unchanged, whatever the factor and dtype
        _check_dtype("pixel_unshuffle", input)
        check_allocation("pixel_unshuffle", input.shape, input.data.itemsize)
    return PF.PixelUnshuffleFunction.apply(input, factor)
