"""Distances: pairwise_distance (the p-norm of x1 - x2 + eps over the last dim) and cosine_similarity.

Both inputs are broadcast to a common shape first (a materialised copy); their gradients
are summed back to each input's own shape.
"""
import numpy as np

from .._kernels import distance as K
from ..autograd import Function
from ..tensor import Tensor
from ._util import contiguous, threads
from .arith import unbroadcast


class PairwiseDistanceFunction(Function):
    """||x1 - x2 + eps||_p over the last dimension of the broadcast shape."""

    @staticmethod
    def forward(ctx, x1, x2, p, eps, keepdim):
        a, b = np.broadcast_arrays(x1.data, x2.data)
        shape = a.shape
        diff = np.subtract(a, b)
        diff += diff.dtype.type(eps)
        rows = contiguous(diff.reshape(int(np.prod(shape[:-1], dtype=np.int64)), shape[-1]) if shape
                          else diff.reshape(1, 1))
        norm = np.empty(rows.shape[0], dtype=rows.dtype)
        if rows.shape[1] == 1:
            # torch reduces a dimension of length 1 by its single element: the norm of (d,) is |d| for every
            # p != 0 (no overflow of d**p on the way), and (d != 0) for p = 0
            norm[:] = (rows[:, 0] != 0) if p == 0 else np.abs(rows[:, 0])
        else:
            K.norm_fwd(rows, float(p), norm, threads())
        out_shape = shape[:-1] + ((1,) if keepdim else ()) if shape else ()
        ctx.rows, ctx.norm, ctx.p = rows, norm, float(p)
        ctx.shapes = (x1.shape, x2.shape, shape)
        return Tensor(norm.reshape(out_shape))

    @staticmethod
    def backward(ctx, grad):
        shape1, shape2, shape = ctx.shapes
        if ctx.p == 0:  # the count of nonzeros is flat: torch gives no gradient at all (None)
            return None, None, None, None, None
        grad_rows = np.empty_like(ctx.rows)
        K.norm_bwd(ctx.rows, ctx.norm, contiguous(grad, ctx.norm.dtype).reshape(-1), ctx.p, grad_rows, threads())
        grad_diff = grad_rows.reshape(shape)
        grad_x1 = unbroadcast(grad_diff, shape1) if ctx.needs_input_grad[0] else None
        grad_x2 = unbroadcast(-grad_diff, shape2) if ctx.needs_input_grad[1] else None
        return grad_x1, grad_x2, None, None, None


def _as_adb(array, dim):
    """View an array as (A, D, B) around ``dim`` (C-contiguous copy when needed)."""
    shape = array.shape
    before = int(np.prod(shape[:dim], dtype=np.int64))
    after = int(np.prod(shape[dim + 1:], dtype=np.int64))
    return contiguous(array).reshape(before, shape[dim], after)


class CosineSimilarityFunction(Function):
    """sum over ``dim`` of (x1 / max(||x1||, eps)) * (x2 / max(||x2||, eps))."""

    @staticmethod
    def forward(ctx, x1, x2, dim, eps):
        a, b = np.broadcast_arrays(x1.data, x2.data)
        shape = a.shape
        a3, b3 = _as_adb(a, dim), _as_adb(b, dim)
        A, _, B = a3.shape
        dtype = a3.dtype.type
        norm1 = np.empty((A, B), dtype=a3.dtype)
        norm2 = np.empty((A, B), dtype=a3.dtype)
        out = np.empty((A, B), dtype=a3.dtype)
        K.cosine_fwd(a3, b3, dtype(eps), norm1, norm2, out, threads())
        ctx.arrays = (a3, b3, norm1, norm2)
        ctx.eps, ctx.shapes = dtype(eps), (x1.shape, x2.shape, shape)
        return Tensor(out.reshape(shape[:dim] + shape[dim + 1:]))

    @staticmethod
    def backward(ctx, grad):
        a3, b3, norm1, norm2 = ctx.arrays
        shape1, shape2, shape = ctx.shapes
        grad_a = np.empty_like(a3)
        grad_b = np.empty_like(b3)
        K.cosine_bwd(a3, b3, ctx.eps, norm1, norm2, contiguous(grad, a3.dtype).reshape(norm1.shape),
                     grad_a, grad_b, threads())
        grad_x1 = unbroadcast(grad_a.reshape(shape), shape1) if ctx.needs_input_grad[0] else None
        grad_x2 = unbroadcast(grad_b.reshape(shape), shape2) if ctx.needs_input_grad[1] else None
        return grad_x1, grad_x2, None, None
