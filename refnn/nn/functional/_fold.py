"""F.unfold (im2col) and F.fold (col2im): torch's argument parsing, checks and messages, in its order."""
import numpy as np

from ..._functions import fold as FF
from ..._shape import check_allocation
from ._utils import FLOAT_DTYPES, _pair, check_tensor, torch_int_list

__all__ = ["fold", "unfold"]

_TORCH_DTYPE_NAMES = {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
                      "bool": "Bool", "float16": "Half"}


def _ints(fn, name, position, value):
    """torch's int-list parser (after F.fold/F.unfold's ``_pair``), before its ``size == 2`` check."""
    return tuple(torch_int_list(fn, name, position, _pair(value)))


def _check_lengths(**values):
    for name, value in values.items():
        if len(value) != 2:
            raise RuntimeError(f"It is expected {name} equals to 2, but got size {len(value)}")


def _check_positive(kernel, dilation, padding, stride, fold):
    """torch's im2col/col2im shape checks: col2im checks stride before dilation, im2col after padding."""
    checks = {
        "kernel": (kernel[0] > 0 and kernel[1] > 0, "kernel size should be greater than zero, but got "
                   f"kernel_height: {kernel[0]} kernel_width: {kernel[1]}"),
        "stride": (stride[0] > 0 and stride[1] > 0, "stride should be greater than zero, but got "
                   f"stride_height: {stride[0]} stride_width: {stride[1]}"),
        "dilation": (dilation[0] > 0 and dilation[1] > 0, "dilation should be greater than zero, but got "
                     f"dilation_height: {dilation[0]} dilation_width: {dilation[1]}"),
        "padding": (padding[0] >= 0 and padding[1] >= 0, "padding should be non-negative, but got "
                    f"pad_height: {padding[0]} pad_width: {padding[1]}"),
    }
    order = ("kernel", "stride", "dilation", "padding") if fold else ("kernel", "dilation", "padding", "stride")
    for key in order:
        ok, message = checks[key]
        if not ok:
            raise RuntimeError(message)


def _blocks(size, kernel, dilation, padding, stride):
    return (size + 2 * padding - (dilation * (kernel - 1) + 1)) // stride + 1


def _check_dtype(kernel_name, input):
    if input.dtype not in FLOAT_DTYPES and input.dtype != np.bool_:
        name = _TORCH_DTYPE_NAMES.get(input.dtype.name, input.dtype.name)
        raise NotImplementedError(f"\"{kernel_name}\" not implemented for '{name}'")


def _size_list(shape):
    return "[" + ", ".join(str(n) for n in shape) + "]"


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """(N, C, H, W) or (C, H, W) -> (N, C * prod(kernel_size), L): every sliding block as a column."""
    check_tensor("im2col", "input", input)
    kernel = _ints("im2col", "kernel_size", 2, kernel_size)
    dilation = _ints("im2col", "dilation", 3, dilation)
    padding = _ints("im2col", "padding", 4, padding)
    stride = _ints("im2col", "stride", 5, stride)
    _check_lengths(kernel_size=kernel, dilation=dilation, padding=padding, stride=stride)
    _check_positive(kernel, dilation, padding, stride, fold=False)
    ndim, shape = input.dim(), input.shape
    for axis in (1, 2):                 # torch reads input.size(1) and size(2) before checking the rank
        if axis >= max(ndim, 1) or ndim == 0:
            if ndim == 0:
                raise IndexError(f"Dimension specified as {axis} but tensor has no dimensions")
            raise IndexError(f"Dimension out of range (expected to be in range of [{-ndim}, {ndim - 1}], "
                             f"but got {axis})")
    valid = shape[1] != 0 and shape[2] != 0
    if not ((ndim == 3 and shape[0] != 0 and valid) or (ndim == 4 and valid and shape[3] != 0)):
        raise RuntimeError("Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other non-zero "
                           f"dimensions for input, but got: {_size_list(shape)}")
    height, width = shape[-2:]
    out_h, out_w = (_blocks(n, k, d, p, s) for n, k, d, p, s in zip((height, width), kernel, dilation, padding, stride))
    if out_h < 1 or out_w < 1:
        raise RuntimeError(f"Given input with spatial size ({height}, {width}), "
                           f"kernel_size=({kernel[0]}, {kernel[1]}), "
                           f"dilation=({dilation[0]}, {dilation[1]}), padding=({padding[0]}, {padding[1]}), "
                           f"calculated shape of the array of sliding blocks as ({out_h}, {out_w}), but its "
                           "components must be at least one.")
    _check_dtype("im2col_out_cpu", input)
    batched = ndim == 4
    x = input if batched else input.unsqueeze(0)
    check_allocation("unfold", (x.shape[0], x.shape[1] * kernel[0] * kernel[1], out_h * out_w), input.data.itemsize)
    geometry = kernel + dilation + padding + stride + (out_h, out_w)
    out = FF.UnfoldFunction.apply(x, geometry)
    return out if batched else out.squeeze(0)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """(N, C * prod(kernel_size), L) or (C * prod(kernel_size), L) -> (N, C, *output_size): blocks summed back."""
    check_tensor("col2im", "input", input)
    size = _ints("col2im", "output_size", 2, output_size)
    kernel = _ints("col2im", "kernel_size", 3, kernel_size)
    dilation = _ints("col2im", "dilation", 4, dilation)
    padding = _ints("col2im", "padding", 5, padding)
    stride = _ints("col2im", "stride", 6, stride)
    _check_lengths(output_size=size, kernel_size=kernel, dilation=dilation, padding=padding, stride=stride)
    _check_positive(kernel, dilation, padding, stride, fold=True)
    ndim, shape = input.dim(), input.shape
    if not ((ndim == 2 and shape[0] != 0 and shape[1] != 0) or (ndim == 3 and shape[1] != 0 and shape[2] != 0)):
        raise RuntimeError("Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and non-zero "
                           f"dimensions for input, but got: {_size_list(shape)}")
    if kernel[0] * kernel[1] >= 1 << 64:
        raise RuntimeError(f"Given kernel_width = {kernel[1]} and kernel_height = {kernel[0]} the product of "
                           "kernel_width and kernel_height overflowed.")
    planes, length = shape[-2:]
    if planes % (kernel[0] * kernel[1]) != 0:
        raise RuntimeError("Expected size of input's dimension 1 to be divisible by the product of kernel_size, but "
                           f"got input.size(1)={planes} and kernel_size=({kernel[0]}, {kernel[1]}).")
    out_h, out_w = (_blocks(n, k, d, p, s) for n, k, d, p, s in zip(size, kernel, dilation, padding, stride))
    given = (f"Given output_size=({size[0]}, {size[1]}), kernel_size=({kernel[0]}, {kernel[1]}), "
             f"dilation=({dilation[0]}, {dilation[1]}), padding=({padding[0]}, {padding[1]}), "
             f"stride=({stride[0]}, {stride[1]}), ")
    if length != out_h * out_w:
        raise RuntimeError(given + "expected size of input's dimension 2 to match the calculated number of sliding "
                           f"blocks {out_h} * {out_w} = {out_h * out_w}, but got input.size(2)={length}.")
    if out_h < 1 or out_w < 1:
        raise RuntimeError(given + f"calculated shape of the array of sliding blocks as ({out_h}, {out_w}), which "
                           "is too small (non-positive)")
    if size[0] < 1 or size[1] < 1:
        raise RuntimeError(f"Expected output spatial size to be positive, but got: output_size=({size[0]}, {size[1]}).")
    _check_dtype("col2im_out_cpu", input)
    batched = ndim == 3
    x = input if batched else input.unsqueeze(0)
    check_allocation("fold", (x.shape[0], planes // (kernel[0] * kernel[1])) + size, input.data.itemsize)
    geometry = kernel + dilation + padding + stride + (out_h, out_w)
    out = FF.FoldFunction.apply(x, size, geometry)
    return out if batched else out.squeeze(0)
