"""Linear and matmul, through the gemm kernel: out = x @ weight.T + bias.

Summation order (the specification, ``refnn._kernels.gemm.gemm_nt_spec``; the fast kernel sums the same way):

* forward: ``out[m, n] = (0 + x[m,0]*w[n,0] + x[m,1]*w[n,1] + ...) + bias[n]``, k ascending, bias last;
* grad_input: ``grad_input[m, k] = 0 + g[m,0]*w[0,k] + g[m,1]*w[1,k] + ...``, n ascending;
* grad_weight: ``grad_weight[n, k] = 0 + g[0,n]*x[0,k] + g[1,n]*x[1,k] + ...``, m (rows) ascending;
* grad_bias: ``grad_bias[n] = 0 + g[0,n] + g[1,n] + ...``, m ascending.

The kernel reads transposed operands in place, so the backward makes no transposed copies, and packs
each operand once per call (the weight is not repacked per block of rows: refnn/_kernels/gemm.pyx).
"""
import numpy as np

from .._C.buffers import empty
from .._kernels import gemm
from ..autograd import Function
from ..tensor import Tensor
from ._util import contiguous, threads
from .arith import unbroadcast


_FEW_ROWS, _FEW_WORK = gemm.few_rows_limits()


def product(a, b, a_km=False, b_nk=False, bias=None):
    """A @ B for 2-d arrays, every element summed over the reduced index k in ascending order.

    A is ``a`` (M, K), or ``a`` (K, M) read transposed when ``a_km``; B is ``b`` (K, N), or ``b``
    (N, K) read transposed when ``b_nk``.  ``bias`` (N,) is added to the finished sums.  No
    transposed copies: the kernel reads either layout.
    """
    a, b = contiguous(a), contiguous(b, a.dtype)
    M = a.shape[1] if a_km else a.shape[0]
    N = b.shape[0] if b_nk else b.shape[1]
    if not a_km and 0 < M < _FEW_ROWS and 0 < N * a.shape[1] and M * N * a.shape[1] < _FEW_WORK:
        # a few rows (Linear on one sample): the kernel's own few-rows loop, through a cheaper entry
        out = np.empty((M, N), dtype=a.dtype)
        gemm.gemm_few_rows(a, b, out, b_nk, bias)
        return out
    out = np.empty((1, M, N), dtype=a.dtype)
    gemm.gemm(a[None], b[None], out, a_km, b_nk, bias, threads())
    return out[0]


def gemm_nt(a, b):
    """a (M, K) times b (N, K) transposed -> (M, N), summed over K in ascending order."""
    return product(a, b, b_nk=True)


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
        # out[m, n] = (0 + sum_{k asc} x[m, k] * weight[n, k]) + bias[n]
        out = product(x, weight.data, b_nk=True,
                      bias=None if bias is None else contiguous(bias.data, x.dtype))
        ctx.save_for_backward(input, weight)
        ctx.has_bias = bias is not None
        return Tensor(out.reshape(input.shape[:-1] + (weight.shape[0],)))

    @staticmethod
    def backward(ctx, grad):
        input, weight = ctx.saved_tensors
        g = contiguous(grad.reshape(_rows(input.shape), weight.shape[0]))
        grad_input = grad_weight = grad_bias = None
        if ctx.needs_input_grad[0]:
            # grad_input[m, k] = 0 + sum_{n asc} g[m, n] * weight[n, k]
            grad_input = product(g, weight.data).reshape(input.shape)
        if ctx.needs_input_grad[1]:
            # grad_weight[n, k] = 0 + sum_{m asc} g[m, n] * x[m, k]
            grad_weight = product(g, input.data.reshape(_rows(input.shape), input.shape[-1]), a_km=True)
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


class AddBiasFunction(Function):
    """``output + bias`` rounded to the output's dtype: torch's in-place ``output.add_(bias)``.

    A bias of the other float dtype is added in the promoted dtype and rounded back, except a 0-d one,
    which (as a 0-d tensor does in torch's type promotion) is first rounded to the output's dtype.
    """

    @staticmethod
    def forward(ctx, output, bias):
        ctx.bias_shape, ctx.bias_dtype = bias.shape, bias.dtype
        b = bias.data.astype(output.dtype) if bias.dim() == 0 else bias.data
        if b.dtype == output.dtype and np.broadcast_shapes(b.shape, output.shape) == output.shape:
            # the same one rounding per element, into an output-cache buffer (no fresh pages)
            return Tensor(np.add(output.data, b, out=empty(output.shape, output.dtype)))
        return Tensor((output.data + b).astype(output.dtype, copy=False))

    @staticmethod
    def backward(ctx, grad):
        return grad, unbroadcast(grad, ctx.bias_shape).astype(ctx.bias_dtype, copy=False)
