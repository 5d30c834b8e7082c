"""F.linear."""
import numpy as np

from ..._functions.linear import AddBiasFunction, LinearFunction
from ..._shape import check_allocation
from ._utils import check_float_tensor, check_same_dtype

__all__ = ["linear"]


def linear(input, weight, bias=None):
    """y = x A^T + b over the last dimension of ``input``.

    The bias follows torch's two routes: a 2-d input, or a contiguous input with a bias that is a vector
    (after squeezing) and contiguous, takes ``addmm(bias, x, A^T)`` -- one dtype for all three, the bias
    broadcast to the (rows, out_features) product, a matrix weight; any other input takes ``x @ A^T``
    and then ``add_(bias)``, which accepts a bias of another float dtype or a 1-d weight but cannot grow
    the output.
    """
    fused = check_linear_args(input, weight, bias)
    w = weight if weight.dim() == 2 else weight.reshape(1, -1)
    in_kernel = fused and tuple(bias.shape) == (w.shape[0],)       # the gemm adds it to each row
    x = input if input.dim() > 1 else input.reshape(1, -1)
    out = LinearFunction.apply(x, w, bias if in_kernel else None)
    if bias is not None and fused and not in_kernel:
        rows = out.reshape(int(np.prod(out.shape[:-1], dtype=np.int64)), out.shape[-1])
        out = (rows + bias).reshape(out.shape)                    # checked: broadcasts to (rows, N)
    if input.dim() == 1:
        out = out.reshape(out.shape[1:])
    if weight.dim() == 1:
        out = out.reshape(out.shape[:-1])
    if bias is not None and not fused:
        out = AddBiasFunction.apply(out, bias)
    return out


def check_linear_args(input, weight, bias):
    """Every condition the gemm kernel relies on (it runs without bounds checks); returns whether torch
    takes its fused addmm route for the bias."""
    check_float_tensor("linear", "input", input)
    check_float_tensor("linear", "weight", weight)
    if bias is not None:
        check_float_tensor("linear", "bias", bias)
    check_same_dtype("linear", input=input, weight=weight)
    if weight.dim() not in (1, 2):
        raise RuntimeError(f"linear: weight must be 1-d or 2-d, but got {weight.dim()}-d")
    if input.dim() == 0:
        raise RuntimeError("linear: input must have at least one dimension")
    w = weight if weight.dim() == 2 else weight.reshape(1, -1)
    if input.shape[-1] != w.shape[1]:
        rows = input.numel() // input.shape[-1] if input.shape[-1] else 0
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied "
                           f"({rows}x{input.shape[-1]} and {w.shape[1]}x{w.shape[0]})")
    fused = bias is not None and (input.dim() == 2 or (_vector_like(bias) and _contiguous(input)))
    if fused:
        if weight.dim() == 1:
            raise RuntimeError("linear: mat2 must be a matrix, got 1-D tensor (torch adds this bias with addmm, "
                               f"which needs a 2-d weight; got bias {tuple(bias.shape)}, input "
                               f"{tuple(input.shape)})")
        check_same_dtype("linear", input=input, bias=bias)
        product = (int(np.prod(input.shape[:-1], dtype=object)), w.shape[0])
        _check_bias_broadcast(bias, product, "the (rows, out_features) product")
    check_allocation("linear", tuple(input.shape[:-1]) + tuple(w.shape[:1]), input.data.itemsize)
    if bias is not None and not fused:
        out_shape = tuple(input.shape[:-1]) + (tuple(w.shape[:1]) if weight.dim() == 2 else ())
        _check_bias_broadcast(bias, out_shape, "the output")
    return fused


def _vector_like(bias):
    """torch's "likely fusable" bias: 1-d, or 1-d once its unit dims are squeezed away; and contiguous."""
    return (bias.dim() == 1 or sum(n != 1 for n in bias.shape) == 1) and _contiguous(bias)


def _contiguous(tensor):
    """torch's is_contiguous() for the tensor refnn mirrors (a negatively strided NumPy view stands for the
    contiguous tensor torch's flip returns)."""
    data = tensor.data
    return data.flags.c_contiguous or any(stride < 0 for stride in data.strides)


def _check_bias_broadcast(bias, shape, what):
    """The bias must broadcast to ``shape`` without growing it."""
    try:
        ok = np.broadcast_shapes(tuple(bias.shape), tuple(shape)) == tuple(shape)
    except ValueError:
        ok = False
    if not ok:
        raise RuntimeError(f"linear: bias of shape {tuple(bias.shape)} does not broadcast to {what}, of "
                           f"shape {tuple(shape)}")
