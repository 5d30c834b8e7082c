"""Linear and matmul, through the gemm kernel: out = x @ weight.T + bias."""
import numpy as np

from .._kernels import gemm
from ..autograd import Function
from ..tensor import Tensor
from ._util import contiguous, threads


def gemm_nt(a, b):
    """a (M, K) times b (N, K) transposed -> (M, N), summed over K in ascending order."""
    a, b = contiguous(a), contiguous(b, a.dtype)
    out = np.empty((a.shape[0], b.shape[0]), dtype=a.dtype)
    gemm.gemm_nt(a, b, out, threads())
    return out


def _rows(shape):
    """The number of rows when every leading dimension is folded into one (0-size safe)."""
    rows = 1
    for n in shape[:-1]:
        rows *= n
    return rows


class LinearFunction(Function):
    @staticmethod
    def forward(ctx, input, weight, bias=None):
        x = input.data.reshape(_rows(input.shape), input.shape[-1])
        out = gemm_nt(x, weight.data)
        if bias is not None:
            gemm.add_bias_rows(out, contiguous(bias.data), threads())
        ctx.save_for_backward(input, weight)
        ctx.has_bias = bias is not None
        return Tensor(out.reshape(input.shape[:-1] + (weight.shape[0],)))

    @staticmethod
    def backward(ctx, grad):
        input, weight = ctx.saved_tensors
        g = contiguous(grad.reshape(_rows(input.shape), weight.shape[0]))
        grad_input = grad_weight = grad_bias = None
        if ctx.needs_input_grad[0]:
            grad_input = gemm_nt(g, weight.data.T).reshape(input.shape)
        if ctx.needs_input_grad[1]:
            grad_weight = gemm_nt(g.T, input.data.reshape(_rows(input.shape), input.shape[-1]).T)
        if ctx.has_bias and ctx.needs_input_grad[2]:
            grad_bias = np.empty(weight.shape[0], dtype=g.dtype)
            gemm.sum_rows(g, grad_bias)
        return grad_input, grad_weight, grad_bias


def linear(input, weight, bias=None):
    return LinearFunction.apply(input, weight, bias)


def matmul(a, b):
    """Tensor @ Tensor for 1-d and 2-d operands, through the same kernel as Linear."""
    if not isinstance(b, Tensor):
        b = Tensor(np.asarray(b))
    if a.dim() == 0 or b.dim() == 0:
        raise RuntimeError("both arguments to matmul need to be at least 1D")
    if a.dim() > 2 or b.dim() > 2:
        raise RuntimeError("matmul: refnn supports 1-d and 2-d operands")
    a2 = a.reshape(1, -1) if a.dim() == 1 else a
    b2 = b.reshape(-1, 1) if b.dim() == 1 else b
    if a2.shape[1] != b2.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied "
                           f"({a2.shape[0]}x{a2.shape[1]} and {b2.shape[0]}x{b2.shape[1]})")
    out = LinearFunction.apply(a2, b2.T, None)
    if a.dim() == 1:
        out = out.reshape(out.shape[1:])
    if b.dim() == 1:
        out = out.reshape(out.shape[:-1])
    return out
