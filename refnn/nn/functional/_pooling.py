"""Pooling: max, average, adaptive and unpooling, 1-d, 2-d and 3-d, with torch's signatures.

All validation happens here, with the exception class torch raises, before any kernel
runs.  Every pooling is 3-d pooling: 2-d pools a volume of depth 1, 1-d one of depth and
height 1 (kernel 1, stride 1, padding 0, dilation 1 along the unit dims).
"""
import collections.abc
import math

import numpy as np

from ..._C import fastargs as _fastargs
from ..._C.fastargs import DEFER as _DEFER
from ..._functions.pooling import (AdaptiveAvgPoolFunction, AdaptiveMaxPoolFunction, AvgPoolFunction,
                                   MaxPoolFunction, MaxUnpoolFunction)
from ..._shape import MAX_ALLOCATION_BYTES, check_allocation, pool_out_size, unpool_default_size
from ...tensor import Tensor
from ._utils import as_int, check_float_tensor, check_tensor, fast_ints, is_float_array

__all__ = [
    "max_pool1d", "max_pool2d", "max_pool1d_with_indices", "max_pool2d_with_indices",
    "avg_pool1d", "avg_pool2d",
    "adaptive_avg_pool1d", "adaptive_avg_pool2d",
    "adaptive_max_pool1d", "adaptive_max_pool2d",
    "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d_with_indices",
    "max_unpool1d", "max_unpool2d",
    "max_pool3d", "max_pool3d_with_indices", "avg_pool3d", "adaptive_avg_pool3d", "adaptive_max_pool3d",
    "adaptive_max_pool3d_with_indices", "max_unpool3d",
]


# ---------------------------------------------------------------- argument normalisation
def _int_list(fn, name, value, dims, allow_empty=False):
    """An int or a sequence of 1 or ``dims`` ints -> a ``dims``-tuple (RuntimeError on a bad length)."""
    if isinstance(value, collections.abc.Iterable) and not isinstance(value, str):
        values = tuple(as_int(fn, name, v) for v in value)
        if allow_empty and len(values) == 0:
            return None
        if len(values) == 1:
            return values * dims
        if len(values) != dims:
            raise RuntimeError(f"{fn}: {name} must be a single int or a tuple of {dims} ints, "
                               f"but got {value!r} (length {len(values)})")
        return values
    if value is None:
        raise TypeError(f"{fn}(): argument '{name}' must be tuple of ints, not NoneType")
    if isinstance(value, (float, np.floating)):
        raise TypeError(f"{fn}(): argument '{name}' must be tuple of ints, not float")
    return (as_int(fn, name, value),) * dims


def _check_ndim(fn, input, dims, error=RuntimeError):
    """dims + 1 (unbatched) or dims + 2 (batched) dims, and a non-empty channel dim and plane."""
    ndim = input.dim()
    if ndim not in (dims + 1, dims + 2):
        raise error(f"{fn}: expected a {dims + 1}-d (unbatched) or {dims + 2}-d (batched) input, "
                    f"but got input of shape {tuple(input.shape)}")
    if any(n == 0 for n in input.shape[ndim - dims - 1:]):
        raise RuntimeError(f"{fn}: expected input with non-zero channel and spatial sizes "
                           f"(an optional zero batch), but got input of shape {tuple(input.shape)}")


def _window_args(fn, input, dims, kernel_size, stride, padding, dilation, ceil_mode):
    """Normalise and validate a sliding window; returns 2-d (kernel, stride, padding, dilation, out)."""
    kernel = _int_list(fn, "kernel_size", kernel_size, dims)
    strides = None if stride is None else _int_list(fn, "stride", stride, dims, allow_empty=True)
    if strides is None:
        strides = kernel
    pads = _int_list(fn, "padding", padding, dims)
    dilations = _int_list(fn, "dilation", dilation, dims)
    if fn != "max_pool1d":     # ATen's 2-d pooling (and 1-d avg pooling) narrows these to 32-bit int
        for name, values in (("kernel_size", kernel), ("stride", strides), ("padding", pads),
                             ("dilation", dilations)):
            if any(not -2 ** 31 <= v < 2 ** 31 for v in values):
                raise RuntimeError(f"{fn}: {name}={values}: value cannot be converted to type int "
                                   f"without overflow")
    if any(s == 0 for s in strides):
        raise RuntimeError(f"{fn}: stride should not be zero, but got stride={strides}")
    if any(k <= 0 for k in kernel):
        raise RuntimeError(f"{fn}: kernel_size should be greater than zero, but got kernel_size={kernel}")
    if any(s < 0 for s in strides):
        raise RuntimeError(f"{fn}: stride should be greater than zero, but got stride={strides}")
    if any(d <= 0 for d in dilations):
        raise RuntimeError(f"{fn}: dilation should be greater than zero, but got dilation={dilations}")
    if any(p < 0 for p in pads):
        raise RuntimeError(f"{fn}: padding must be non-negative, but got padding={pads}")
    if any(p > k // 2 for p, k in zip(pads, kernel)):
        raise RuntimeError(f"{fn}: padding should be at most half of kernel_size, but got "
                           f"padding={pads} and kernel_size={kernel}")
    spatial = input.shape[input.dim() - dims:]
    out = tuple(pool_out_size(n, k, s, p, d, ceil_mode)
                for n, k, s, p, d in zip(spatial, kernel, strides, pads, dilations))
    if any(o < 1 for o in out):
        raise RuntimeError(f"{fn}: given input of shape {tuple(input.shape)}, kernel_size={kernel}, "
                           f"stride={strides}, padding={pads}, dilation={dilations}, the computed "
                           f"output size {out} is too small")
    unit = 3 - dims
    return ((1,) * unit + kernel, (1,) * unit + strides, (0,) * unit + pads, (1,) * unit + dilations,
            (1,) * unit + out)


def _check_arg_types(fn, input, bools=(), **int_args):
    """torch's argument parser runs before any shape or dtype check: a non-Tensor input, an int
    argument of the wrong type (float, None, str) or a non-bool flag (``bools``: (name, value) pairs) is
    a TypeError first.  ``stride`` may be None."""
    check_tensor(fn, "input", input)
    for name, value in bools:
        _check_bool(fn, name, value)
    parsed = {}
    for name, value in int_args.items():      # the parser: every argument's type first
        if value is None and name == "stride":
            continue
        if isinstance(value, collections.abc.Iterable) and not isinstance(value, str):
            parsed[name] = [as_int(fn, name, v) for v in value]
        else:
            parsed[name] = _int_list(fn, name, value, 1)
    for name, values in parsed.items():
        if fn != "max_pool1d" and any(not -2 ** 31 <= v < 2 ** 31 for v in values):
            # ATen's 2-d pooling (and 1-d avg pooling) narrows these to 32-bit int, before any other check
            raise RuntimeError(f"{fn}: {name}={int_args[name]}: value cannot be converted to type int "
                               "without overflow")


def _check_bool(fn, name, value):
    if not isinstance(value, (bool, np.bool_, int)):
        raise TypeError(f"{fn}(): argument '{name}' must be bool, not {type(value).__name__}")
    return bool(value)


# ---------------------------------------------------------------- max pooling
_INT32 = 2 ** 31


def _fast_max_pool2d_args(input, kernel_size, stride, padding, dilation, ceil_mode):
    """The arguments of MaxPoolFunction for a max_pool2d call that ``_max_pool`` would accept unchanged
    (a float (C, H, W) or (N, C, H, W) input without empty dims, int windows within range, an output of at
    least one element per plane, within the allocation cap), else None: the full validation then runs."""
    if type(ceil_mode) is not bool or not isinstance(input, Tensor) or not is_float_array(input.data):
        return None
    data = input.data
    if data.ndim != 4 and data.ndim != 3:
        return None
    kernel = fast_ints(kernel_size, 2)
    strides = kernel if stride is None else fast_ints(stride, 2)
    pads = fast_ints(padding, 2)
    dilations = fast_ints(dilation, 2)
    if kernel is None or strides is None or pads is None or dilations is None:
        return None
    for k, s, p, d in zip(kernel, strides, pads, dilations):
        if not (0 < k < _INT32 and 0 < s < _INT32 and 0 <= p <= k // 2 and 0 < d < _INT32):
            return None
    out = (pool_out_size(data.shape[-2], kernel[0], strides[0], pads[0], dilations[0], ceil_mode),
           pool_out_size(data.shape[-1], kernel[1], strides[1], pads[1], dilations[1], ceil_mode))
    if out[0] < 1 or out[1] < 1:
        return None
    lead = data.size // (data.shape[-2] * data.shape[-1])
    if lead * out[0] * out[1] * 8 > MAX_ALLOCATION_BYTES:
        return None
    return (1,) + kernel, (1,) + strides, (0,) + pads, (1,) + dilations, (1,) + out


def _max_pool(fn, dims, input, kernel_size, stride, padding, dilation, ceil_mode):
    if dims == 2:
        fast = _fastargs.max_pool2d_args(input, kernel_size, stride, padding, dilation, ceil_mode)  # compiled
        if fast is _DEFER:
            fast = _fast_max_pool2d_args(input, kernel_size, stride, padding, dilation, ceil_mode)
        if fast is not None:
            return MaxPoolFunction.apply(input, 2, *fast)
    _check_arg_types(fn, input, (("ceil_mode", ceil_mode),), kernel_size=kernel_size, stride=stride,
                     padding=padding, dilation=dilation)
    check_float_tensor(fn, "input", input)
    _check_ndim(fn, input, dims)
    ceil_mode = _check_bool(fn, "ceil_mode", ceil_mode)
    kernel, strides, pads, dilations, out = _window_args(fn, input, dims, kernel_size, stride, padding,
                                                        dilation, ceil_mode)
    lead = input.shape[:input.dim() - dims]
    check_allocation(fn, tuple(lead) + out[3 - dims:], 8)
    return MaxPoolFunction.apply(input, dims, kernel, strides, pads, dilations, out)


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    """(output, indices): max over windows of the last dim; padding is -inf, NaN wins, ties keep the first."""
    return _max_pool("max_pool1d", 1, input, kernel_size, stride, padding, dilation, ceil_mode)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    """(output, indices): max over windows of the last two dims (indices are flat within each plane)."""
    return _max_pool("max_pool2d", 2, input, kernel_size, stride, padding, dilation, ceil_mode)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    result = max_pool1d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)
    return result if return_indices else result[0]


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    result = max_pool2d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)
    return result if return_indices else result[0]


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    """(output, indices): max over windows of the last three dims (indices are flat within each volume)."""
    return _max_pool("max_pool3d", 3, input, kernel_size, stride, padding, dilation, ceil_mode)


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    result = max_pool3d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)
    return result if return_indices else result[0]


# ---------------------------------------------------------------- average pooling
def _avg_pool(fn, dims, input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override):
    _check_arg_types(fn, input, (("ceil_mode", ceil_mode), ("count_include_pad", count_include_pad)),
                     kernel_size=kernel_size, stride=stride, padding=padding)
    check_float_tensor(fn, "input", input)
    ceil_mode = _check_bool(fn, "ceil_mode", ceil_mode)
    count_include_pad = _check_bool(fn, "count_include_pad", count_include_pad)
    if divisor_override is not None:
        if isinstance(divisor_override, (bool, np.bool_, float, np.floating)) or \
                not isinstance(divisor_override, (int, np.integer)):
            raise TypeError(f"{fn}(): argument 'divisor_override' must be int, not "
                            f"{type(divisor_override).__name__}")
        if divisor_override == 0:
            raise RuntimeError(f"{fn}: divisor_override must be not zero, but got {divisor_override}")
    # torch indexes dim -3 before it checks the rank, so a 2-d pooling of a 0/1/2-d input is an IndexError
    _check_ndim(fn, input, dims, error=IndexError if dims == 2 and input.dim() < 3 else RuntimeError)
    kernel, strides, pads, _, out = _window_args(fn, input, dims, kernel_size, stride, padding, 1, ceil_mode)
    if dims == 3 and any(n < k for n, k in zip(input.shape[-3:], kernel)):
        # torch's 3-d average pooling wants the kernel inside the unpadded input (its 2-d one does not)
        raise RuntimeError(f"{fn}: input image (T: {input.shape[-3]} H: {input.shape[-2]} W: {input.shape[-1]}) "
                           f"smaller than kernel size (kT: {kernel[0]} kH: {kernel[1]} kW: {kernel[2]})")
    lead = input.shape[:input.dim() - dims]
    check_allocation(fn, tuple(lead) + out[3 - dims:], input.data.itemsize)
    return AvgPoolFunction.apply(input, dims, kernel, strides, pads, count_include_pad, divisor_override, out)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """Average over windows of the last dim (zero padding; see count_include_pad)."""
    return _avg_pool("avg_pool1d", 1, input, kernel_size, stride, padding, ceil_mode, count_include_pad, None)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """Average over windows of the last two dims; divisor_override replaces the window size."""
    return _avg_pool("avg_pool2d", 2, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override)


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """Average over windows of the last three dims; divisor_override replaces the window size."""
    return _avg_pool("avg_pool3d", 3, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override)


# ---------------------------------------------------------------- adaptive pooling
def _adaptive_output(fn, input, dims, output_size):
    """torch's output_size handling: an int, or a sequence whose None entries take the input's size."""
    if isinstance(output_size, (int, np.integer)) and not isinstance(output_size, (bool, np.bool_)):
        return (int(output_size),) * dims
    if dims == 1 and not (isinstance(output_size, (tuple, list))):
        raise TypeError(f"{fn}(): argument 'output_size' must be tuple of ints, not {type(output_size).__name__}")
    if not isinstance(output_size, collections.abc.Sized):
        raise TypeError(f"{fn}: output_size must be an int or a tuple, but got {type(output_size).__name__}")
    sizes = list(output_size)
    if dims == 1:
        if any(v is None for v in sizes):
            raise TypeError(f"{fn}(): argument 'output_size' must be tuple of ints, but found None")
    else:
        if input.dim() <= len(sizes):
            raise ValueError(f"{fn}: input dimension should be at least {len(sizes) + 1}, but got input "
                             f"of shape {tuple(input.shape)}")
        sizes = [input.shape[input.dim() - len(sizes) + i] if v is None else v for i, v in enumerate(sizes)]
    sizes = [as_int(fn, "output_size", v) for v in sizes]
    if len(sizes) != dims:
        raise RuntimeError(f"{fn}: output_size must have {dims} elements, but got {output_size!r}")
    return tuple(sizes)


def adaptive_avg_pool2d(input, output_size):
    """Average over torch's adaptive windows [floor(i*L/O), ceil((i+1)*L/O)) of the last two dims."""
    return _adaptive_avg("adaptive_avg_pool2d", 2, input, output_size)


def adaptive_avg_pool1d(input, output_size):
    """Average over torch's adaptive windows of the last dim."""
    return _adaptive_avg("adaptive_avg_pool1d", 1, input, output_size)


def adaptive_avg_pool3d(input, output_size):
    """Average over torch's adaptive windows of the last three dims."""
    return _adaptive_avg("adaptive_avg_pool3d", 3, input, output_size)


def _adaptive_avg(fn, dims, input, output_size):
    check_tensor(fn, "input", input)
    if dims == 1:       # torch's argument parser checks output_size's type before the input's dtype/rank
        _adaptive_output(fn, input, dims, output_size)
    check_float_tensor(fn, "input", input)
    if dims == 1 and input.dim() not in (2, 3):
        raise RuntimeError(f"{fn}: expected a 2-d or 3-d input, but got input of shape {tuple(input.shape)}")
    out = _adaptive_output(fn, input, dims, output_size)
    if any(o < 0 for o in out):
        raise RuntimeError(f"{fn}: elements of output_size must be greater than or equal to 0, but got {out}")
    if all(o == 1 for o in out):
        # torch takes the mean of the last two (three) dims here: any rank >= 2 (3), empty planes give NaN
        if input.dim() < max(dims, 2):
            raise IndexError(f"{fn}: expected at least {max(dims, 2)} dims, but got input of shape "
                             f"{tuple(input.shape)}")
    else:
        if input.dim() not in (dims + 1, dims + 2) and dims >= 2:
            raise RuntimeError(f"{fn}: expected a {dims + 1}-d or {dims + 2}-d input, but got input of shape "
                               f"{tuple(input.shape)}")
        if any(n == 0 for n in input.shape[input.dim() - dims:]):
            raise RuntimeError(f"{fn}: expected non-zero spatial sizes, but got input of shape "
                               f"{tuple(input.shape)}")
        if dims == 3 and any(n == 0 for n in input.shape[1:]):
            # torch's 3-d kernel checks every non-batch dim (a batched input without channels too)
            raise RuntimeError(f"{fn}: expected input to have non-zero size for non-batch dimensions, but got "
                               f"input of shape {tuple(input.shape)}")
    lead = input.shape[:input.dim() - dims]
    check_allocation(fn, tuple(lead) + out, input.data.itemsize)
    return AdaptiveAvgPoolFunction.apply(input, dims, (1,) * (3 - dims) + out)


def _adaptive_max(fn, dims, input, output_size):
    check_tensor(fn, "input", input)
    if dims == 1:       # torch's argument parser checks output_size's type before the input's dtype/rank
        _adaptive_output(fn, input, dims, output_size)
    check_float_tensor(fn, "input", input)
    if dims == 1 and input.dim() not in (2, 3):
        raise RuntimeError(f"{fn}: expected a 2-d or 3-d input, but got input of shape {tuple(input.shape)}")
    out = _adaptive_output(fn, input, dims, output_size)
    if input.dim() not in (dims + 1, dims + 2):
        raise RuntimeError(f"{fn}: expected a {dims + 1}-d or {dims + 2}-d input, but got input of shape "
                           f"{tuple(input.shape)}")
    if any(n == 0 for n in input.shape[1:]):
        raise RuntimeError(f"{fn}: expected input to have non-zero size for non-batch dimensions, but got "
                           f"input of shape {tuple(input.shape)}")
    if any(o < 0 for o in out):
        raise RuntimeError(f"{fn}: output_size must be non-negative, but got {out}")
    lead = input.shape[:input.dim() - dims]
    check_allocation(fn, tuple(lead) + out, 8)
    return AdaptiveMaxPoolFunction.apply(input, dims, (1,) * (3 - dims) + out)


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=False):
    return _adaptive_max("adaptive_max_pool1d", 1, input, output_size)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=False):
    return _adaptive_max("adaptive_max_pool2d", 2, input, output_size)


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """Max over torch's adaptive windows of the last dim (NaN wins, ties keep the first)."""
    result = adaptive_max_pool1d_with_indices(input, output_size)
    return result if return_indices else result[0]


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Max over torch's adaptive windows of the last two dims (NaN wins, ties keep the first)."""
    result = adaptive_max_pool2d_with_indices(input, output_size)
    return result if return_indices else result[0]


def adaptive_max_pool3d_with_indices(input, output_size, return_indices=False):
    return _adaptive_max("adaptive_max_pool3d", 3, input, output_size)


def adaptive_max_pool3d(input, output_size, return_indices=False):
    """Max over torch's adaptive windows of the last three dims (NaN wins, ties keep the first)."""
    result = adaptive_max_pool3d_with_indices(input, output_size)
    return result if return_indices else result[0]


# ---------------------------------------------------------------- max unpooling
def _max_unpool(fn, dims, input, indices, kernel_size, stride, padding, output_size):
    check_float_tensor(fn, "input", input)
    check_tensor(fn, "indices", indices)
    kernel = _int_list(fn, "kernel_size", kernel_size, dims)
    strides = kernel if stride is None else _int_list(fn, "stride", stride, dims)
    pads = _int_list(fn, "padding", padding, dims)
    if input.dim() < dims:
        raise IndexError(f"{fn}: input of shape {tuple(input.shape)} has fewer than {dims} dims")
    spatial_in = input.shape[input.dim() - dims:]
    default = tuple(unpool_default_size(n, k, s, p) for n, k, s, p in zip(spatial_in, kernel, strides, pads))
    if output_size is None:
        out = default
    else:
        if not isinstance(output_size, collections.abc.Sized):
            raise TypeError(f"{fn}: output_size must be a sequence, not {type(output_size).__name__}")
        sizes = list(output_size)
        if len(sizes) == dims + 2:
            sizes = sizes[2:]
        if len(sizes) != dims:
            raise ValueError(f"{fn}: output_size should be a sequence containing {dims} or {dims + 2} "
                             f"elements, but it has a length of '{len(sizes)}'")
        sizes = tuple(int(v) for v in sizes)
        for d in range(dims):
            low, high = default[d] - strides[d], default[d] + strides[d]
            if not low < sizes[d] < high:
                raise ValueError(f'{fn}: invalid output_size "{tuple(output_size)}" (dim {d} must be '
                                 f'between {low} and {high})')
        out = sizes
    if any(n > 2 ** 63 - 1 for n in out) and all(n >= 0 for n in out):   # negative: ValueError below
        raise TypeError(f"{fn}(): argument 'output_size' failed to unpack: the output size {tuple(out)} "
                        f"overflows int64 (kernel_size={kernel}, stride={strides}, padding={pads})")
    for d, n in enumerate(out):
        if n < 0:
            raise ValueError(f"{fn}: output_size must contain non-negative spatial dimensions, but got "
                             f"output_size[{d}]={n}")
    # torch runs 1-d unpooling as 2-d with a trailing unit dim: the rank rule is the 2-d one, shifted
    if input.dim() not in (dims + 1, dims + 2):
        raise RuntimeError(f"{fn}: input should be a {dims + 1}-d or {dims + 2}-d tensor, but got a tensor "
                           f"with {input.dim()} dimensions")
    if indices.dtype != np.int64:
        raise RuntimeError(f"{fn}: elements in indices should be type int64, but got {indices.dtype}")
    if tuple(indices.shape) != tuple(input.shape):
        raise RuntimeError(f"{fn}: expected indices of the input's shape {tuple(input.shape)}, but got "
                           f"indices of shape {tuple(indices.shape)}")
    if any(n == 0 for n in input.shape[1:]):
        raise RuntimeError(f"{fn}: expected input to have non-zero size for non-batch dimensions, but got "
                           f"input of shape {tuple(input.shape)}")
    if dims == 3 and any(s <= 0 for s in strides):
        raise RuntimeError(f"{fn}: strides should be greater than zero, but got stride: {list(strides)}")
    lead = input.shape[:input.dim() - dims]
    check_allocation(fn, tuple(lead) + tuple(out), input.data.itemsize)
    check_unpool_indices(fn, indices, out, lead)
    return MaxUnpoolFunction.apply(input, indices, dims, tuple(out))


def check_unpool_indices(fn, indices, out, lead):
    """Every index must address the output plane: the unpooling kernel writes output[index] unchecked."""
    plane = math.prod(out)
    if plane > 0 and math.prod(lead) > 0:
        idx = indices.data
        bad = (idx < 0) | (idx >= plane)
        if bad.any():
            value = int(idx[bad].reshape(-1)[0])
            raise RuntimeError(f"{fn}: found an invalid max index {value} in indices (output planes are "
                               f"of size {'x'.join(str(n) for n in out)})")


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The partial inverse of max_pool1d: zeros, with input[i] written at indices[i] in each plane."""
    return _max_unpool("max_unpool1d", 1, input, indices, kernel_size, stride, padding, output_size)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The partial inverse of max_pool2d: zeros, with input[i] written at indices[i] in each plane."""
    return _max_unpool("max_unpool2d", 2, input, indices, kernel_size, stride, padding, output_size)


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The partial inverse of max_pool3d: zeros, with input[i] written at indices[i] in each volume."""
    return _max_unpool("max_unpool3d", 3, input, indices, kernel_size, stride, padding, output_size)
