"""F.conv1d/2d/3d, F.conv_transpose1d/2d/3d: torch's signatures and checks.

One implementation for every rank: 2-d inputs get a unit depth, 1-d inputs a unit depth and
height, unbatched inputs a unit batch, and everything runs as a batched 3-d convolution.
"""
from ..._C import fastargs as _fastargs
from ..._C.fastargs import DEFER as _DEFER
from ..._functions.conv import ConvFunction, ConvTransposeFunction, PadFunction
from ..._shape import MAX_ALLOCATION_BYTES, check_allocation, conv_transpose_out_size
from ...tensor import Tensor
from ._utils import as_int, check_float_tensor, check_same_dtype, check_tensor, fast_ints, is_float_array

__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d"]


def _size_list(t):
    return "[" + ", ".join(str(n) for n in t.shape) + "]"


def _batched_size_list(input, batched):
    """The input's size as torch reports it in shape errors (an unbatched input with its batch dim)."""
    return list(input.shape) if batched else [1] + list(input.shape)


def _int_args(fn, name, value, nd):
    """An int or a sequence of nd ints (torch: 'expected stride to be a single integer value ...')."""
    if isinstance(value, str):
        raise TypeError(f"{fn}(): argument '{name}' must be tuple of ints, not str")
    if isinstance(value, (tuple, list)):
        values = tuple(as_int(fn, name, v) for v in value)
        if len(values) == 1:
            values = values * nd
        if len(values) != nd:
            raise RuntimeError(f"expected {name} to be a single integer value or a list of {nd} values to "
                               f"match the convolution dimensions, but got {name}={list(values)}")
        return values
    return (as_int(fn, name, value),) * nd


def _check_arg_types(fn, input, weight, bias, **int_args):
    """torch's argument parser runs first: every argument of the wrong type is a TypeError before any
    shape or dtype check (a str padding is parsed by the caller)."""
    check_tensor(fn, "input", input)
    check_tensor(fn, "weight", weight)
    if bias is not None:
        check_tensor(fn, "bias", bias)
    for name, value in int_args.items():
        if isinstance(value, str):
            raise TypeError(f"{fn}(): argument '{name}' must be tuple of ints, not str")
        for v in value if isinstance(value, (tuple, list)) else (value,):
            as_int(fn, name, v)


def _check_common(fn, nd, input, weight, bias, stride, dilation, groups):
    check_tensor(fn, "input", input)
    check_tensor(fn, "weight", weight)
    if bias is not None:
        check_tensor(fn, "bias", bias)
    check_float_tensor(fn, "input", input)
    check_float_tensor(fn, "weight", weight)
    if bias is not None:
        check_float_tensor(fn, "bias", bias)
    check_same_dtype(fn, input=input, weight=weight, bias=bias)
    stride = _int_args(fn, "stride", stride, nd)
    dilation = _int_args(fn, "dilation", dilation, nd)
    groups = as_int(fn, "groups", groups)
    if input.dim() not in (nd + 1, nd + 2):
        names = {1: ("2D", "3D"), 2: ("3D", "4D"), 3: ("4D", "5D")}[nd]
        raise RuntimeError(f"Expected {names[0]} (unbatched) or {names[1]} (batched) input to {fn}, "
                           f"but got input of size: {_size_list(input)}")
    if weight.dim() != nd + 2:
        raise RuntimeError(f"{fn}: expected weight to be {nd + 2}-dimensional, but got weight of size "
                           f"{_size_list(weight)}")
    if any(s <= 0 for s in stride):
        raise RuntimeError(f"{fn}: non-positive stride is not supported (stride={list(stride)})")
    if any(d <= 0 for d in dilation):
        raise RuntimeError(f"{fn}: non-positive dilation is not supported (dilation={list(dilation)})")
    if groups <= 0:
        raise RuntimeError(f"{fn}: non-positive groups is not supported (groups={groups})")
    if weight.shape[0] == 0:
        raise RuntimeError(f"Given groups={groups}, expected weight to be at least 1 at dimension 0, "
                           f"but got weight of size {_size_list(weight)} instead")
    if weight.shape[0] % groups != 0:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at "
                           f"dimension 0, but got weight of size [{_size_list(weight)}] instead")
    if any(k <= 0 for k in weight.shape[2:]):
        raise RuntimeError(f"{fn}: kernel size must be positive, but got weight of size {_size_list(weight)}")
    return stride, dilation, groups


def _as_3d(nd, batched, t):
    """(N, C, L) -> (N, C, 1, 1, L) for 1-d, (N, C, H, W) -> (N, C, 1, H, W) for 2-d; add the batch dim
    of an unbatched input."""
    if not batched:
        t = t.unsqueeze(0)
    for _ in range(3 - nd):
        t = t.unsqueeze(2)
    return t


def _from_3d(nd, batched, t):
    for _ in range(3 - nd):
        t = t.squeeze(2)
    if not batched:
        t = t.squeeze(0)
    return t


def _weight_3d(nd, weight):
    for _ in range(3 - nd):
        weight = weight.unsqueeze(2)
    return weight


def _conv(fn, nd, input, weight, bias, stride, padding, dilation, groups):
    _check_arg_types(fn, input, weight, bias, stride=stride, dilation=dilation, groups=groups,
                     **({} if isinstance(padding, str) else {"padding": padding}))
    stride, dilation, groups = _check_common(fn, nd, input, weight, bias, stride, dilation, groups)
    kernel = tuple(weight.shape[2:])
    if isinstance(padding, str):
        if padding == "valid":
            pads = [(0, 0)] * nd
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            pads = []
            for d, k in zip(dilation, kernel):
                total = d * (k - 1)
                pads.append((total // 2, total - total // 2))
        else:
            raise RuntimeError(f"Invalid padding string: {padding!r}")
    else:
        pads = [(p, p) for p in _int_args(fn, "padding", padding, nd)]
        if any(p < 0 for p, _ in pads):
            raise RuntimeError(f"{fn}: negative padding is not supported (padding={[p for p, _ in pads]})")
    batched = input.dim() == nd + 2
    channels = input.shape[1] if batched else input.shape[0]
    if channels != weight.shape[1] * groups:
        raise RuntimeError(f"Given groups={groups}, weight of size {_size_list(weight)}, expected "
                           f"input{_batched_size_list(input, batched)} to have {weight.shape[1] * groups} channels, but got "
                           f"{channels} channels instead")
    if bias is not None and (bias.dim() != 1 or bias.shape[0] != weight.shape[0]):
        raise RuntimeError(f"Given weight of size {_size_list(weight)}, expected bias to be 1-dimensional "
                           f"with {weight.shape[0]} elements, but got bias of size {_size_list(bias)} instead")
    spatial = input.shape[-nd:]
    padded = [n + a + b for n, (a, b) in zip(spatial, pads)]
    dilated = [d * (k - 1) + 1 for d, k in zip(dilation, kernel)]
    if any(p < k for p, k in zip(padded, dilated)):
        raise RuntimeError(f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). "
                           f"Kernel size: ({' x '.join(map(str, dilated))}). Kernel size can't be greater "
                           f"than actual input size")
    out_spatial = [(p - k) // s + 1 for p, k, s in zip(padded, dilated, stride)]
    batch = input.shape[0] if batched else 1
    check_allocation(fn, (batch, weight.shape[0], *out_spatial), input.data.itemsize)
    # a stride with one output position, or a dilation of a unit kernel, changes nothing: make it 1 so that
    # values beyond the kernels' 32/64-bit arguments (torch accepts dilation=2**31 with a 1x1 kernel) pass
    stride = tuple(min(s, p - k + 1) if o == 1 else s for o, s, p, k in zip(out_spatial, stride, padded, dilated))
    dilation = tuple(1 if k == 1 else d for k, d in zip(kernel, dilation))
    unit = 3 - nd
    stride, dilation, pads = (1,) * unit + stride, (1,) * unit + dilation, [(0, 0)] * unit + pads
    pad6 = tuple(p for pair in pads for p in pair)
    out = ConvFunction.apply(input if batched else input.unsqueeze(0), weight, bias, stride, pad6,
                             dilation, groups)
    return out if batched else out.squeeze(0)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-d convolution over (N, C, L) or (C, L); padding an int, a 1-tuple, 'valid' or 'same'."""
    return _conv("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


def _fast_conv2d_args(input, weight, bias, stride, padding, dilation, groups):
    """ConvFunction's (stride, pad6, dilation), 3-d with a unit depth, for a conv2d call that ``_conv`` would
    accept and pass on unchanged: a float (N, C, H, W) input without empty dims, a 4-d weight and a matching
    1-d bias of its dtype, int (not str) padding, positive int stride/dilation/groups, a kernel that fits, an output within
    the allocation cap.  None otherwise (the full validation then runs and builds the error)."""
    if type(groups) is not int or groups <= 0 or not (isinstance(input, Tensor) and isinstance(weight, Tensor)):
        return None
    x, w = input.data, weight.data
    if x.ndim != 4 or w.ndim != 4 or not is_float_array(x) or w.dtype != x.dtype:
        return None
    if bias is not None:
        if not isinstance(bias, Tensor):
            return None
        b = bias.data
        if b.ndim != 1 or b.dtype != x.dtype or b.shape[0] != w.shape[0]:
            return None
    out_channels, _, kh, kw = w.shape
    if out_channels == 0 or out_channels % groups or kh <= 0 or kw <= 0 or x.shape[1] != w.shape[1] * groups:
        return None
    strides, pads, dilations = fast_ints(stride, 2), fast_ints(padding, 2), fast_ints(dilation, 2)
    if strides is None or pads is None or dilations is None:
        return None
    out = []
    for n, k, s, p, d in zip(x.shape[2:], (kh, kw), strides, pads, dilations):
        if s <= 0 or p < 0 or d <= 0 or n + 2 * p < d * (k - 1) + 1:
            return None
        out.append((n + 2 * p - d * (k - 1) - 1) // s + 1)
    if x.shape[0] * out_channels * out[0] * out[1] * x.itemsize > MAX_ALLOCATION_BYTES:
        return None
    # as _conv: a stride with one output position, or a dilation of a unit kernel, made 1
    strides = tuple(min(s, n + 2 * p - (d * (k - 1) + 1) + 1) if o == 1 else s
                    for o, s, n, p, d, k in zip(out, strides, x.shape[2:], pads, dilations, (kh, kw)))
    dilations = tuple(1 if k == 1 else d for k, d in zip((kh, kw), dilations))
    return (1,) + strides, (0, 0, pads[0], pads[0], pads[1], pads[1]), (1,) + dilations


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-d convolution over (N, C, H, W) or (C, H, W); padding an int, a pair, 'valid' or 'same'."""
    fast = _fastargs.conv2d_args(input, weight, bias, stride, padding, dilation, groups)   # compiled
    if fast is _DEFER:
        fast = _fast_conv2d_args(input, weight, bias, stride, padding, dilation, groups)
    if fast is not None:
        return ConvFunction.apply(input, weight, bias, fast[0], fast[1], fast[2], groups)
    return _conv("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """3-d convolution over (N, C, D, H, W) or (C, D, H, W); padding an int, a triple, 'valid' or 'same'."""
    return _conv("conv3d", 3, input, weight, bias, stride, padding, dilation, groups)


def _conv_transpose(fn, nd, input, weight, bias, stride, padding, output_padding, groups, dilation):
    _check_arg_types(fn, input, weight, bias, stride=stride, padding=padding, output_padding=output_padding,
                     groups=groups, dilation=dilation)
    stride, dilation, groups = _check_common(fn, nd, input, weight, bias, stride, dilation, groups)
    padding = _int_args(fn, "padding", padding, nd)
    output_padding = _int_args(fn, "output_padding", output_padding, nd)
    if any(p < 0 for p in padding):
        raise RuntimeError(f"{fn}: negative padding is not supported (padding={list(padding)})")
    if any(p < 0 for p in output_padding):
        raise RuntimeError(f"{fn}: negative output_padding is not supported "
                           f"(output_padding={list(output_padding)})")
    if any(op >= s and op >= d for op, s, d in zip(output_padding, stride, dilation)):
        raise RuntimeError(f"{fn}: output padding must be smaller than either stride or dilation, but got "
                           f"output_padding={list(output_padding)}, stride={list(stride)}, "
                           f"dilation={list(dilation)}")
    batched = input.dim() == nd + 2
    channels = input.shape[1] if batched else input.shape[0]
    if channels != weight.shape[0]:
        raise RuntimeError(f"Given transposed=1, weight of size {_size_list(weight)}, expected "
                           f"input{_batched_size_list(input, batched)} to have {weight.shape[0]} channels, but got "
                           f"{channels} channels instead")
    out_channels = weight.shape[1] * groups
    if bias is not None and (bias.dim() != 1 or bias.shape[0] != out_channels):
        raise RuntimeError(f"Given transposed=1, weight of size {_size_list(weight)}, expected bias to be "
                           f"1-dimensional with {out_channels} elements, but got bias of size "
                           f"{_size_list(bias)} instead")
    kernel = tuple(weight.shape[2:])
    spatial = input.shape[-nd:]
    if any(n <= 0 for n in spatial):
        raise RuntimeError(f"{fn}: expected non-empty spatial dimensions, but got input of size "
                           f"{_size_list(input)}")
    out_spatial = [conv_transpose_out_size(n, k, s, p, d, op)
                   for n, k, s, p, d, op in zip(spatial, kernel, stride, padding, dilation, output_padding)]
    empty_batch = batched and input.shape[0] == 0
    if any(n < 0 for n in out_spatial) or (any(n == 0 for n in out_spatial) and not empty_batch):
        # with an empty batch torch only builds the (empty) output: a zero size passes, a negative fails
        raise RuntimeError(f"Given input size per channel: ({' x '.join(map(str, spatial))}). Calculated "
                           f"output size per channel: ({' x '.join(map(str, out_spatial))}). "
                           f"Output size is too small")
    if weight.shape[1] == 0:
        # torch: an empty batch reaches its empty-input path, which reads weight[0] of the flattened (empty)
        # weight; any other batch reaches the CPU kernel's weight check
        if empty_batch:
            raise IndexError(f"{fn}: select(): index 0 out of range for tensor of size [0] at dimension 0 "
                             f"(weight of size {_size_list(weight)} has no output channels)")
        raise RuntimeError(f"{fn}: non-empty 2D or 4D weight tensor expected, but got: {_size_list(weight)}")
    batch = input.shape[0] if batched else 1
    check_allocation(fn, (batch, out_channels, *out_spatial), input.data.itemsize)
    # as in _conv: the dilation of a unit kernel is immaterial
    dilation = tuple(1 if k == 1 else d for k, d in zip(weight.shape[2:], dilation))
    unit = 3 - nd
    stride, dilation = (1,) * unit + stride, (1,) * unit + dilation
    padding, out_spatial = (0,) * unit + padding, [1] * unit + out_spatial
    out = ConvTransposeFunction.apply(_as_3d(nd, batched, input), _weight_3d(nd, weight), bias, stride, padding,
                                      dilation, groups, tuple(out_spatial))
    return _from_3d(nd, batched, out)


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """1-d transposed convolution (the input gradient of conv1d) over (N, C, L) or (C, L)."""
    return _conv_transpose("conv_transpose1d", 1, input, weight, bias, stride, padding, output_padding,
                           groups, dilation)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """2-d transposed convolution (the input gradient of conv2d) over (N, C, H, W) or (C, H, W)."""
    return _conv_transpose("conv_transpose2d", 2, input, weight, bias, stride, padding, output_padding,
                           groups, dilation)


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """3-d transposed convolution (the input gradient of conv3d) over (N, C, D, H, W) or (C, D, H, W)."""
    return _conv_transpose("conv_transpose3d", 3, input, weight, bias, stride, padding, output_padding,
                           groups, dilation)


_PAD_MODES = ("reflect", "replicate", "circular")


def _pad_nonzero(input, reversed_pads, mode):
    """What torch's ``F.pad(input, pads, mode)`` does for the conv modules' padding modes.

    ``reversed_pads`` is torch's ``_reversed_padding_repeated_twice`` (last dim first).
    """
    check_tensor("pad", "input", input)
    nd = len(reversed_pads) // 2
    pads = [(reversed_pads[2 * i], reversed_pads[2 * i + 1]) for i in range(nd)][::-1]
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"pad: expected {nd + 1}D or {nd + 2}D input for {mode} padding of {nd} "
                           f"dimensions, but got input of size {_size_list(input)}")
    spatial = input.shape[-nd:]
    for i, ((before, after), size) in enumerate(zip(pads, spatial)):
        dim = input.dim() - nd + i
        if mode == "reflect" and (before >= size or after >= size):
            raise RuntimeError(f"Argument #4: Padding size should be less than the corresponding input "
                               f"dimension, but got: padding ({before}, {after}) at dimension {dim} of input "
                               f"{_size_list(input)}")
        if mode == "circular" and (before > size or after > size):
            raise RuntimeError("Padding value causes wrapping around more than once.")
        if mode == "replicate" and size == 0 and (before or after):
            raise RuntimeError(f"pad: cannot replicate-pad an empty dimension {dim} of input "
                               f"{_size_list(input)}")
    return PadFunction.apply(input, pads, mode)
