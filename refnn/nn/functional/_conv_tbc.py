"""F.conv_tbc: a 1-d convolution over (time, batch, channels) inputs, torch's signature and checks.

Composed from refnn's convolution: the input is viewed as (batch, channels, time), padded (negative pads
crop, as torch's), convolved with the weight viewed as (out_channels, in_channels, kernel_width), and
viewed back.  The sums are the convolution's (docs/design.md), not ATen's per-tap matrix products, so
the values agree with torch's within rounding.
"""
from ...tensor import Tensor
from ._conv import conv1d
from ._padding import pad as _pad
from ._utils import check_float_tensor

__all__ = ["conv_tbc"]


def conv_tbc(input, weight, bias, pad=0):
    """(T, B, C_in) input, (K, C_in, C_out) weight, (C_out,) bias -> (T + 2 pad - K + 1, B, C_out)."""
    for name, value in (("input", input), ("weight", weight), ("bias", bias)):
        check_float_tensor("conv_tbc", name, value)
    if type(pad) is not int:
        raise TypeError(f"conv_tbc(): argument 'pad' (position 4) must be int, not {type(pad).__name__}")
    if input.dim() != 3:
        raise RuntimeError("Input must have 3 dims: time, batch, in_channel")
    if weight.dim() != 3:
        raise RuntimeError("Weight tensor must have 3 dims: kernel_width, in_channels, out_channels.")
    if bias.dim() != 1:
        raise RuntimeError("Bias must be 1-D")
    if input.shape[2] != weight.shape[1]:
        raise RuntimeError("Input dim 2 (input channels) is not == dim 1 in the weight tensor")
    if weight.shape[2] != bias.shape[0]:
        raise RuntimeError("Bias size must equal dim 2 in the weight tensor (output channels).")
    if input.dtype != weight.dtype or bias.dtype != weight.dtype:
        other = bias.dtype if input.dtype == weight.dtype else weight.dtype
        names = {"float32": "Float", "float64": "Double"}
        raise RuntimeError(f"self and mat2 must have the same dtype, but got {names[str(input.dtype).split('.')[-1]]}"
                           f" and {names[str(other).split('.')[-1]]}")
    time, batch, _ = input.shape
    kernel, _, out_channels = weight.shape
    out_time = time + 2 * pad - kernel + 1
    if out_time < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {out_time}: "
                           f"[{out_time}, {batch}, {out_channels}]")
    if kernel == 0 or out_time == 0:
        raise RuntimeError(f"conv_tbc: a kernel width of 0 or an empty output (time {out_time}) is not supported "
                           f"by refnn; torch returns the bias or an empty tensor there")
    x = input.permute(1, 2, 0)
    if pad:
        x = _pad(x, (pad, pad))
    return conv1d(x, weight.permute(2, 1, 0), bias).permute(2, 0, 1)
