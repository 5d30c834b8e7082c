"""F.linear."""
from ..._functions.linear import LinearFunction
from ._utils import check_float_tensor, check_same_dtype

__all__ = ["linear"]


def linear(input, weight, bias=None):
    """y = x A^T + b over the last dimension of ``input``."""
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
    if bias is not None and bias.shape not in ((w.shape[0],), ()):
        raise RuntimeError(f"linear: bias must have shape ({w.shape[0]},), but got {tuple(bias.shape)}")
    if bias is not None and bias.dim() == 0:
        bias = bias.expand(w.shape[0])
    x = input if input.dim() > 1 else input.reshape(1, -1)
    out = LinearFunction.apply(x, w, bias)
    if input.dim() == 1:
        out = out.reshape(out.shape[1:])
    if weight.dim() == 1:
        out = out.reshape(out.shape[:-1])
    return out
