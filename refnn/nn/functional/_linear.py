"""F.linear."""
import numpy as np

from ..._C import fastargs as _fastargs
from ..._C.core import is_grad_enabled
from ..._functions.linear import AddBiasFunction, LinearFunction
from ..._shape import MAX_ALLOCATION_BYTES, check_allocation
from ...tensor import Tensor
from ._utils import check_float_tensor, check_same_dtype, is_float_array

__all__ = ["linear"]


def linear(input, weight, bias=None):
    """y = x A^T + b over the last dimension of ``input``.

    The bias follows torch's two routes: a 2-d input, or a contiguous input with a bias that is a vector
    (after squeezing) and contiguous, takes ``addmm(bias, x, A^T)`` -- one dtype for all three, the bias
    broadcast to the (rows, out_features) product, a matrix weight; any other input takes ``x @ A^T``
    and then ``add_(bias)``, which accepts a bias of another float dtype or a 1-d weight but cannot grow
    the output.
    """
    if _fastargs.linear_common(input, weight, bias) or _common_case(input, weight, bias):   # compiled first
        if input.data.ndim != 1 or not _records(input, weight, bias):
            # LinearFunction folds the leading dims into rows (a 1-d input is one row); a recorded 1-d
            # call keeps the view nodes around it
            return LinearFunction.apply(input, weight, bias)
        out = LinearFunction.apply(input.reshape(1, -1), weight, bias)
        return out.reshape(out.shape[1:])
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


def _records(input, weight, bias):
    """Whether a call on these operands records a graph (grad mode on, an operand requiring a gradient)."""
    return is_grad_enabled() and (input.requires_grad or weight.requires_grad
                                  or (bias is not None and bias.requires_grad))


def _common_case(input, weight, bias):
    """Whether the call is one ``check_linear_args`` accepts and ``linear`` sends to one LinearFunction with
    the bias in the kernel: an input of at least 1 dim (2-d, or contiguous), a 2-d weight and a contiguous
    (out_features,) bias of one float dtype, no empty operand, and an output within the allocation cap."""
    if not (isinstance(input, Tensor) and isinstance(weight, Tensor)):
        return False
    x, w = input.data, weight.data
    if x.ndim < 1 or w.ndim != 2 or not is_float_array(x) or w.dtype != x.dtype:
        return False
    out_features, in_features = w.shape
    if x.shape[-1] != in_features or out_features == 0 or w.size == 0:
        return False
    if bias is not None:
        if not isinstance(bias, Tensor):
            return False
        b = bias.data
        if b.dtype != x.dtype or b.shape != (out_features,) or not b.flags.c_contiguous:
            return False
        if x.ndim != 2 and not x.flags.c_contiguous:
            return False
    return (x.size // in_features) * out_features * x.itemsize <= MAX_ALLOCATION_BYTES


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
