"""F.pad: torch's argument parsing, its per-mode checks and messages, then one Function per kind of padding.

``pad`` lists (before, after) pairs from the last dimension inwards, as torch's does.  Negative pads crop.
The constant mode pads any trailing dims of any rank; reflect, replicate and circular pad the last 1, 2
or 3 dims of a tensor with one or two more dims (torch's rule), all through one N-d kernel.
"""
import numpy as np

from ..._functions import padding as PF
from ..._shape import check_allocation
from ...tensor import Tensor
from ._utils import FLOAT_DTYPES, torch_int_list

__all__ = ["pad"]

_MODES = ("constant", "reflect", "replicate", "circular")
_KERNEL_NAMES = {"reflect": "reflection_pad", "replicate": "replication_pad"}
_COMBINATIONS = ("Supported combinations for non-constant padding:\n"
                 "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
                 "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
                 "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")
_INT64 = 1 << 63


def _pad_ints(value):
    """torch's int-list parser for ``pad``: a tuple, list or torch.Size of ints."""
    if not isinstance(value, (tuple, list)):
        raise TypeError(f"pad(): argument 'pad' (position 2) must be tuple of ints, not {type(value).__name__}")
    return torch_int_list("pad", "pad", 2, value)


def _size_list(shape):
    return "[" + ", ".join(str(n) for n in shape) + "]"


def _pairs(pads, ndim):
    """(before, after) per padded dim, outermost padded dim first (torch lists them innermost first)."""
    n = len(pads) // 2
    return [(pads[2 * (n - 1 - i)], pads[2 * (n - 1 - i) + 1]) for i in range(n)], ndim - n


def _constant(input, pads, value):
    """torch's constant_pad_nd: crop by the negative pads (narrow), then fill and copy."""
    pairs, first = _pairs(pads, input.dim())
    shape = list(input.shape)
    cropped = list(shape)
    for i, (before, after) in enumerate(pairs):
        d = first + i
        for crop in (before, after):
            if crop < 0:
                if cropped[d] + crop < 0:
                    raise RuntimeError("narrow(): length must be non-negative.")
                cropped[d] += crop
    out_shape = list(shape)
    if any(p > 0 for p in pads):
        for i, (before, after) in enumerate(pairs):
            d = first + i
            size = (shape[d] + before + after + _INT64) % (2 * _INT64) - _INT64     # torch's int64 sum
            if size < 0:
                raise RuntimeError(f"The input size {shape[d]}, plus negative padding {before} and {after} resulted in "
                                   f"a negative output size, which is invalid. Check dimension {d} of your input.")
            out_shape[d] = size
    else:
        out_shape = cropped
    check_allocation("pad", out_shape, input.data.itemsize)
    with np.errstate(invalid="ignore", over="ignore"):     # NaN to an integer, 1e300 to float32: C's casts
        fill = np.array(0.0 if value is None else value).astype(input.dtype)
    return PF.ConstantPadFunction.apply(input, tuple(pairs), tuple(out_shape), fill)


def _check_reflect_replicate(mode, input, pairs, nd):
    """reflection_padNd / replication_padNd: ranks, empty dims, reflect's pad < size, output sizes."""
    spatial = input.shape[-nd:]
    batched = input.dim() == nd + 2
    if any(n == 0 for n in input.shape[1 if batched else 0:]):
        raise RuntimeError(f"Expected {nd + 1}D or {nd + 2}D (batch mode) tensor with possibly 0 batch size and "
                           f"other non-zero dimensions for input, but got: {_size_list(input.shape)}")
    if input.dtype == np.bool_:
        raise NotImplementedError(f"\"{_KERNEL_NAMES[mode]}{nd}d\" not implemented for 'Bool'")
    if mode == "reflect":
        for i in range(nd):          # torch checks the last dim first (its argument #4)
            before, after = pairs[nd - 1 - i]
            d = input.dim() - 1 - i
            if not (before < input.shape[d] and after < input.shape[d]):
                raise RuntimeError(f"Argument #{4 + 2 * i}: Padding size should be less than the corresponding "
                                   f"input dimension, but got: padding ({before}, {after}) at dimension {d} of "
                                   f"input {_size_list(input.shape)}")
    out = [n + before + after for n, (before, after) in zip(spatial, pairs)]
    if nd == 1:
        if out[0] < 1:
            raise RuntimeError(f"input (W: {spatial[0]}) is too small. Calculated output W: {out[0]}")
    elif any(n < 0 for n in out):
        shape = list(input.shape[:-nd]) + out
        if mode == "reflect" and nd == 2:
            raise RuntimeError("numel: integer multiplication overflow")
        negative = next(n for n in shape if n < 0)
        raise RuntimeError(f"Trying to create tensor with negative dimension {negative}: {_size_list(shape)}")
    return out


def _check_circular(input, pairs):
    """torch's _pad_circular: no wrap more than once, no negative size; refnn also refuses a positive pad
    longer than what the negative pads leave (torch copies overlapping or unwritten memory there)."""
    out = []
    for (before, after), size in zip(pairs, input.shape[-len(pairs):]):
        if not (before <= size and after <= size):
            raise RuntimeError("Padding value causes wrapping around more than once.")
        if size + before + after < 0:
            raise RuntimeError("Negative padding value is resulting in an empty dimension")
        out.append(size + before + after)
    for (before, after), size, length in zip(pairs, input.shape[-len(pairs):], out):
        kept = size - max(-before, 0) - max(-after, 0)
        if length > 0 and (max(before, 0) > kept or max(after, 0) > kept):
            raise RuntimeError("unsupported operation: some elements of the input tensor and the written-to tensor "
                               "refer to a single memory location. Please clone() the tensor before performing "
                               "the operation.")
    return out


def pad(input, pad, mode="constant", value=None):
    """Pad (or, with negative pads, crop) the trailing dims of ``input``; ``pad`` = (last_before, last_after, ...)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"pad(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    pads = _pad_ints(pad)
    if not isinstance(mode, str):
        raise TypeError(f"pad(): argument 'mode' (position 3) must be str, not {type(mode).__name__}")
    if value is not None:
        if not isinstance(value, (int, float, np.integer, np.floating, np.bool_)):
            raise TypeError(f"pad(): argument 'value' (position 4) must be float, not {type(value).__name__}")
        value = float(value)
    if mode not in _MODES:
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if len(pads) % 2 != 0:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pads) > 2 * input.dim():
        raise RuntimeError(f"Padding length should be less than or equal to two times the input dimension but got "
                           f"padding length {len(pads)} and input of dimension {input.dim()}")
    if mode == "constant":
        return _constant(input, pads, value)
    if value is not None and value != 0:
        raise RuntimeError(f"Padding mode \"{mode}\" doesn't take in value argument")
    nd = len(pads) // 2
    if nd not in (1, 2, 3) or input.dim() not in (nd + 1, nd + 2):
        raise NotImplementedError(f"Padding size {len(pads)} is not supported for {input.dim()}D input tensor.\n"
                                  + _COMBINATIONS)
    pairs, _ = _pairs(pads, input.dim())
    if mode == "circular":
        out = _check_circular(input, pairs)
    else:
        out = _check_reflect_replicate(mode, input, pairs, nd)
    if input.dtype.kind == "f" and input.dtype not in FLOAT_DTYPES:
        raise RuntimeError(f"pad: expected a floating input to be float32 or float64, but got {input.dtype}")
    check_allocation("pad", tuple(input.shape[:-nd]) + tuple(out), input.data.itemsize)
    return PF.PadFunction.apply(input, tuple(pairs), mode)
