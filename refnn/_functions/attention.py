"""Autograd pieces of attention: batched matrix product, masked fill and splits.

The batched product runs the whole batch through the same gemm kernel as
Linear (``refnn._kernels.gemm.gemm_strided``), so each output element sums its terms
in ascending order of the reduced index, whatever the thread count.  The operands are
read in place at their own strides (the heads of a packed q/k/v projection, transposed
keys, broadcast operands): the product makes no copies.
"""
import numpy as np

from .._C.buffers import empty
from .._kernels import gemm
from ..autograd import Function
from ..tensor import Tensor
from ._util import threads


def strided_product(a, b):
    """out[..., m, n] = 0 + sum_{k asc} a[..., m, k] * b[..., k, n] for a (..., M, K) and b (..., K, N) with
    the same 1 or 2 leading dims, at any strides (views are read in place); a C-contiguous result."""
    a = np.asarray(a)
    b = np.asarray(b, dtype=a.dtype)
    squeeze = a.ndim == 3
    if squeeze:
        a, b = a[None], b[None]
    out = empty(a.shape[:3] + (b.shape[3],), a.dtype)
    gemm.gemm_strided(a, b, out, threads())
    return out[0] if squeeze else out


def batched_product(a, b, a_km=False, b_nk=False):
    """out[i] = A[i] @ B[i], every element summed over the reduced index k in ascending order.

    A[i] is a[i] (M, K), or a[i] (K, M) read transposed when ``a_km``; B[i] is b[i] (K, N), or
    b[i] (N, K) read transposed when ``b_nk``.  One kernel call for the whole batch (its tasks are
    output blocks of every entry), no transposed copies; a and b may be 3-d or 4-d views.
    """
    a = np.asarray(a)
    b = np.asarray(b)
    return strided_product(np.swapaxes(a, -1, -2) if a_km else a, np.swapaxes(b, -1, -2) if b_nk else b)


def bmm_nt(a, b):
    """a (B, M, K) times b (B, N, K) transposed -> (B, M, N): out[i] = a[i] @ b[i].T, k ascending."""
    return batched_product(a, b, b_nk=True)


class BatchedMatmulFunction(Function):
    """out (B, M, N) = a (B, M, K) @ b (B, K, N), batch by batch (or (B1, B2, ...) batches: 4-d operands)."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        # out[i, m, n] = 0 + sum_{k asc} a[i, m, k] * b[i, k, n]
        return Tensor(strided_product(a.data, b.data))

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        grad_a = grad_b = None
        if ctx.needs_input_grad[0]:
            # grad_a[m, k] = 0 + sum_{n asc} grad[m, n] * b[k, n]
            grad_a = batched_product(grad, b.data, b_nk=True)
        if ctx.needs_input_grad[1]:
            # grad_b[k, n] = 0 + sum_{m asc} a[m, k] * grad[m, n]
            grad_b = batched_product(a.data, grad, a_km=True)
        return grad_a, grad_b


def bmm(a, b):
    """Batched matrix product of two 3-d (or two 4-d) Tensors with the same batch dims (no validation here)."""
    return BatchedMatmulFunction.apply(a, b)


def matmul(a, b):
    """a (..., M, K) @ b (..., K, N) with broadcast leading dimensions, through :func:`bmm`.

    One or two leading dims go to the kernel as they are (views, broadcast ones included: no copies);
    more are folded into one batch dim first."""
    lead = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    a = a.expand(lead + a.shape[-2:]) if a.shape[:-2] != lead else a
    b = b.expand(lead + b.shape[-2:]) if b.shape[:-2] != lead else b
    if len(lead) in (1, 2):
        return bmm(a, b)
    batch = int(np.prod(lead, dtype=np.int64))
    out = bmm(a.reshape((batch,) + a.shape[-2:]), b.reshape((batch,) + b.shape[-2:]))
    return out.reshape(lead + out.shape[-2:])


class MaskedFillFunction(Function):
    """out = value where mask else input; the gradient is zero where mask holds."""

    @staticmethod
    def forward(ctx, input, mask, value):
        ctx.mask = np.broadcast_to(mask, input.shape)
        return Tensor(np.where(ctx.mask, np.asarray(value, dtype=input.dtype), input.data))

    @staticmethod
    def backward(ctx, grad):
        return np.where(ctx.mask, np.zeros((), dtype=grad.dtype), grad), None, None


def masked_fill(input, mask, value):
    """``input`` with ``value`` written where the NumPy bool array ``mask`` (broadcast) holds."""
    return MaskedFillFunction.apply(input, mask, value)


class SplitFunction(Function):
    """Pieces of ``input`` of the given sizes along ``dim`` (copies); backward concatenates."""

    @staticmethod
    def forward(ctx, input, sizes, dim):
        ctx.dim, ctx.shape = dim, input.shape
        bounds = np.cumsum(sizes)[:-1]
        return tuple(Tensor(np.ascontiguousarray(piece)) for piece in np.split(input.data, bounds, axis=dim))

    @staticmethod
    def backward(ctx, *grads):
        return np.concatenate(grads, axis=ctx.dim), None, None


def split(input, sizes, dim=-1):
    """torch's ``input.split(sizes, dim)`` for a list of sizes: a tuple of Tensors."""
    return SplitFunction.apply(input, tuple(int(n) for n in sizes), dim)


def chunk(input, chunks, dim=-1):
    """``chunks`` equal pieces along ``dim`` (the size must divide evenly)."""
    size = input.shape[dim] // chunks
    return split(input, [size] * chunks, dim)


class SplitViewFunction(Function):
    """Pieces of ``input`` of the given sizes along ``dim`` as views of it (no copies; for intermediate
    results nobody else holds, such as attention's packed q/k/v projection); backward concatenates."""

    @staticmethod
    def forward(ctx, input, sizes, dim):
        ctx.dim = dim
        bounds = np.cumsum(sizes)[:-1]
        return tuple(Tensor(piece) for piece in np.split(input.data, bounds, axis=dim))

    @staticmethod
    def backward(ctx, *grads):
        return np.concatenate(grads, axis=ctx.dim), None, None


def chunk_views(input, chunks, dim=-1):
    """``chunks`` equal pieces of ``input`` along ``dim``, as views (see :class:`SplitViewFunction`)."""
    size = input.shape[dim] // chunks
    return SplitViewFunction.apply(input, (size,) * chunks, dim)
