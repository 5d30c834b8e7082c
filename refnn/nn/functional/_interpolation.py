"""F.interpolate and the deprecated F.upsample* wrappers: torch's argument handling and errors.

The checks follow torch 2.13.0's Python ``interpolate`` in order (align_corners per mode, size vs
scale_factor, recompute_scale_factor, antialias), then the checks its C++ kernels make (output size
arithmetic, sizes > 0, non-empty channels), all before any kernel runs.
"""
import math
import numbers
import warnings

import numpy as np

from ..._functions import interpolation as IF
from ..._shape import check_allocation
from ...tensor import Tensor
from ._utils import FLOAT_DTYPES, check_tensor

__all__ = ["interpolate", "upsample", "upsample_nearest", "upsample_bilinear"]

_MODES = ("nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact")
_INT64_MAX = 2 ** 63 - 1


def _is_integer(x):
    """torch's _is_integer: Python ints (bools included), NumPy integers, integer tensors."""
    if isinstance(x, (int, np.integer)):
        return True
    return isinstance(x, Tensor) and x.dtype.kind in "iub"


def _size_element(x, size):
    """One output-size element as the C++ int-list parser takes it (bools and floats refused)."""
    if isinstance(x, Tensor):
        x = x.item()
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, (int, np.integer)):
        raise TypeError(f"interpolate(): argument 'size' must be tuple of ints, but got {size!r}")
    return int(x)


def _scale_element(x, scale_factor):
    """One scale factor as the C++ float-list parser takes it."""
    if isinstance(x, Tensor):
        x = x.item()
    if not isinstance(x, (numbers.Real, np.integer, np.floating)):
        raise TypeError(f"interpolate(): argument 'scale_factor' must be tuple of floats, but got {scale_factor!r}")
    return float(x)


def _checked_int(value):
    """c10::checked_convert<int64_t, double>: truncation, refusing NaN, inf and overflow."""
    if not math.isfinite(value) or not -_INT64_MAX - 1 <= value <= _INT64_MAX:
        raise RuntimeError(f"interpolate: value {value} cannot be converted to type int64_t without overflow")
    return int(value)


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Down/up-sample ``input`` to ``size`` or by ``scale_factor`` (torch.nn.functional.interpolate)."""
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating modes: "
                             f"linear | bilinear | bicubic | trilinear (got mode={mode!r}, "
                             f"align_corners={align_corners!r})")
    elif align_corners is None:
        align_corners = False
    check_tensor("interpolate", "input", input)
    dim = input.dim() - 2
    spatial = list(input.shape[2:])

    if size is not None and scale_factor is not None:
        raise ValueError(f"interpolate: only one of size or scale_factor should be defined "
                         f"(got size={size!r}, scale_factor={scale_factor!r})")
    if size is not None:
        scale_factors = None
        if isinstance(size, (list, tuple)):
            if len(size) != dim:
                raise ValueError("Input and output must have the same number of spatial dimensions, but got "
                                 f"input with spatial dimensions of {spatial} and output size of {size}. Please "
                                 "provide input tensor in (N, C, d1, d2, ...,dK) format and output size in "
                                 "(o1, o2, ...,oK) format.")
            if not all(_is_integer(x) for x in size):
                raise TypeError("expected size to be one of int or Tuple[int] or Tuple[int, int] or "
                                f"Tuple[int, int, int], but got size with types {[type(x) for x in size]}")
            output_size = list(size)
        else:
            output_size = [size for _ in range(dim)]
    elif scale_factor is not None:
        output_size = None
        if isinstance(scale_factor, (list, tuple)):
            if len(scale_factor) != dim:
                raise ValueError("Input and scale_factor must have the same number of spatial dimensions, but "
                                 f"got input with spatial dimensions of {spatial} and scale_factor of shape "
                                 f"{scale_factor}. Please provide input tensor in (N, C, d1, d2, ...,dK) format "
                                 "and scale_factor in (s1, s2, ...,sK) format.")
            scale_factors = list(scale_factor)
        else:
            scale_factors = [scale_factor for _ in range(dim)]
    else:
        raise ValueError("interpolate: either size or scale_factor should be defined")

    if recompute_scale_factor and size is not None:
        raise ValueError("interpolate: recompute_scale_factor is not meaningful with an explicit size "
                         f"(size={size!r}).")
    if mode == "area" and output_size is None:
        recompute_scale_factor = True
    if recompute_scale_factor:
        # the output size from the scale factor (Python's int(): NaN -> ValueError, inf -> OverflowError)
        output_size = [int(spatial[i] * scale_factors[i]) for i in range(dim)]
        scale_factors = None

    if antialias and not (mode in ("bilinear", "bicubic", "lanczos") and input.dim() == 4):
        raise ValueError("Anti-alias option is restricted to bilinear, bicubic, and lanczos modes and requires "
                         f"a 4-D tensor as input (got mode={mode!r}, input.dim()={input.dim()})")

    family = _family(input.dim(), mode, align_corners, antialias)
    return _run(input, family, mode, output_size, scale_factors, align_corners)


def _family(ndim, mode, align_corners, antialias):
    """Which implementation runs (torch's dispatch on input.dim() and mode), or its error."""
    if 3 <= ndim <= 5 and mode in ("nearest", "nearest-exact", "area"):
        return mode
    if (ndim, mode) in ((3, "linear"), (4, "bilinear"), (5, "trilinear")):
        return "antialias" if antialias else "linear"
    if ndim == 4 and mode == "bicubic":
        return "antialias" if antialias else "bicubic"
    if ndim == 4 and mode == "lanczos":
        if align_corners:
            raise ValueError("Lanczos mode does not support align_corners=True")
        if not antialias:
            raise ValueError("Lanczos mode requires antialias=True")
        return "antialias"
    needs = {"linear": 3, "bilinear": 4, "trilinear": 5}
    if 3 <= ndim <= 5 and mode in needs:
        raise NotImplementedError(f"Got {ndim}D input, but {mode} mode needs {needs[mode]}D input")
    raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {ndim}D) for the "
                              f"modes: {_MODES} (got {mode})")


def _run(input, family, mode, output_size, scale_factors, align_corners):
    dim = input.dim() - 2
    spatial = list(input.shape[2:])
    if output_size is not None:
        output_size = [_size_element(x, output_size) for x in output_size]
        if any(not -_INT64_MAX - 1 <= n <= _INT64_MAX for n in output_size):
            # a Python int beyond int64 (an explicit size, or one recomputed from the scale) fails in
            # torch's argument unpacking
            raise TypeError(f"interpolate(): argument 'output_size' failed to unpack: {output_size} "
                            f"overflows int64 (Overflow when unpacking long long)")
        scales = [None] * dim
    else:
        scales = [_scale_element(x, scale_factors) for x in scale_factors]
        output_size = [_checked_int(spatial[i] * scales[i]) for i in range(dim)]

    if input.dtype not in FLOAT_DTYPES:
        raise NotImplementedError(f"interpolate: mode {mode!r} is not implemented for dtype {input.dtype} "
                                  "(input must be float32 or float64)")
    if family == "area":
        if any(o < 0 for o in output_size):
            raise RuntimeError(f"interpolate (area, adaptive_avg_pool{dim}d): elements of output_size must be "
                               f"greater than or equal to 0 but received {output_size}")
        if any(s == 0 for s in spatial) or (dim == 3 and input.shape[1] == 0 and any(o != 1 for o in output_size)):
            # adaptive_avg_pool3d also refuses zero channels (unless every output size is 1: then it is a mean)
            raise RuntimeError(f"interpolate (area, adaptive_avg_pool{dim}d): expected input to have non-zero "
                               f"size for non-batch dimensions, but input has sizes {list(input.shape)}")
    else:
        if any(s <= 0 for s in spatial) or any(o <= 0 for o in output_size):
            raise RuntimeError(f"interpolate: Input and output sizes should be greater than 0, but got input "
                               f"{spatial} and output {output_size}")
        if input.shape[1] == 0:
            raise RuntimeError(f"interpolate: Non-empty {input.dim()}D data tensor expected but got a tensor with "
                               f"sizes {list(input.shape)}")
    check_allocation("interpolate", list(input.shape[:2]) + output_size, input.data.itemsize)

    if family in ("nearest", "nearest-exact"):
        return IF.NearestFunction.apply(input, output_size, scales, family == "nearest-exact")
    if family == "area":
        return IF.AreaFunction.apply(input, output_size)
    if family in ("linear", "bicubic"):
        return IF.SeparableFunction.apply(input, output_size, scales, bool(align_corners), family == "bicubic")
    return IF.AntialiasFunction.apply(input, output_size, scales, bool(align_corners), mode)


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """Deprecated alias of interpolate (warns as torch does)."""
    warnings.warn("`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    """Deprecated: interpolate(..., mode='nearest')."""
    warnings.warn("`nn.functional.upsample_nearest` is deprecated. Use `nn.functional.interpolate` instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    """Deprecated: interpolate(..., mode='bilinear', align_corners=True)."""
    warnings.warn("`nn.functional.upsample_bilinear` is deprecated. Use `nn.functional.interpolate` instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)
