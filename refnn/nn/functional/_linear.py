"""F.linear."""
import numpy as np

from ..._functions.linear import LinearFunction
from ..._shape import check_allocation
from ._utils import check_float_tensor, check_same_dtype

__all__ = ["linear"]


def linear(input, weight, bias=None):
    """y = x A^T + b over the last dimension of ``input``."""
    check_linear_args(input, weight, bias)
    w = weight if weight.dim() == 2 else weight.reshape(1, -1)
    fused = bias is not None and weight.dim() == 2 and tuple(bias.shape) == (w.shape[0],)
    x = input if input.dim() > 1 else input.reshape(1, -1)
    out = LinearFunction.apply(x, w, bias if fused else None)
    if input.dim() == 1:
        out = out.reshape(out.shape[1:])
    if weight.dim() == 1:
        out = out.reshape(out.shape[:-1])
    if bias is not None and not fused:
        out = _add_broadcast_bias(out, bias, strict=weight.dim() == 2)
    return out


def check_linear_args(input, weight, bias):
    """Every condition the gemm kernel relies on (it runs without bounds checks)."""
    check_float_tensor("linear", "input", input)
    check_float_tensor("linear", "weight", weight)
    if bias is not None:
        check_float_tensor("linear", "bias", bias)
    check_same_dtype("linear", input=input, weight=weight, bias=bias)
    if weight.dim() not in (1, 2):
        raise RuntimeError(f"linear: weight must be 1-d or 2-d, but got {weight.dim()}-d")
    if input.dim() == 0:
        raise RuntimeError("linear: input must have at least one dimension")
    w = weight if weight.dim() == 2 else weight.reshape(1, -1)
    if input.shape[-1] != w.shape[1]:
        rows = input.numel() // input.shape[-1] if input.shape[-1] else 0
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied "
                           f"({rows}x{input.shape[-1]} and {w.shape[1]}x{w.shape[0]})")
    if weight.dim() == 1 and bias is not None and (bias.dim() != 0 or input.dim() == 2):
        # torch routes a 1-d weight with a bias through addmm, which wants a matrix
        raise RuntimeError("linear: mat2 must be a matrix, got 1-D tensor (a 1-d weight takes only a 0-d "
                           f"bias and a non-2-d input; got bias {tuple(bias.shape)}, input {tuple(input.shape)})")
    check_allocation("linear", tuple(input.shape[:-1]) + tuple(w.shape[:1]), input.data.itemsize)


def _add_broadcast_bias(out, bias, strict):
    """torch adds a bias that broadcasts to the output (addmm: to the output's shape exactly)."""
    try:
        shape = np.broadcast_shapes(tuple(bias.shape), tuple(out.shape))
    except ValueError:
        shape = None
    if shape is None or (strict and shape != tuple(out.shape)):
        raise RuntimeError(f"linear: bias of shape {tuple(bias.shape)} does not broadcast to the output "
                           f"shape {tuple(out.shape)}")
    return out + bias
