"""pdist: the p-norm distance between every pair of rows (i < j) of a 2-d input.

The forward measures each pair's difference with the distance kernel's p-norm (``distance.norm_fwd``,
ascending sum over the columns); the backward takes torch's pdist gradient per pair and accumulates the pairs
into the rows in index order (``embedding.accumulate_rows``): row k gets its pairs (k, j), j ascending, then
its pairs (i, k), i ascending, each pair's term negated for the second row.
"""
import numpy as np

from .._kernels import distance as D
from .._kernels import embedding as K
from ..autograd import Function
from ..tensor import Tensor
from ._util import contiguous, threads

_NONE = np.empty(0, np.int64)


class PdistFunction(Function):
    """out[k] = ||x[i] - x[j]||_p for the k-th pair (i, j), i < j in row-major order."""

    @staticmethod
    def forward(ctx, input, p):
        x = contiguous(input.data)
        n = x.shape[0]
        first, second = np.triu_indices(n, k=1)
        diff = contiguous(x[first] - x[second])
        out = np.empty(first.size, dtype=x.dtype)
        if first.size:
            D.norm_fwd(diff, float(p), out, threads(diff.size))
        ctx.diff, ctx.out, ctx.p = diff, out, float(p)
        ctx.rows = (np.ascontiguousarray(first, np.int64), np.ascontiguousarray(second, np.int64), x.shape)
        return Tensor(out)

    @staticmethod
    def backward(ctx, grad):
        first, second, shape = ctx.rows
        diff, dist, p = ctx.diff, ctx.out, ctx.p
        g = contiguous(grad, diff.dtype).reshape(-1)
        grad_diff = np.zeros_like(diff)
        if p == float("inf"):
            # torch's pdist: the whole gradient to every element whose |d| equals the distance (ties not shared)
            grad_diff = np.sign(diff) * (np.abs(diff) == dist[:, None]).astype(diff.dtype) * g[:, None]
        elif p != 0 and diff.size:
            D.norm_bwd(diff, dist, g, p, grad_diff, threads(diff.size))
            if p < 1:      # torch's pdist: no gradient through a zero difference for p < 1
                grad_diff[diff == 0] = 0
        grad_input = np.zeros(shape, dtype=diff.dtype)
        if first.size:
            src = contiguous(np.concatenate([grad_diff, -grad_diff]))
            index = np.concatenate([first, second])
            K.accumulate_rows(src, _NONE, np.empty(0, diff.dtype), index, -1, np.empty(0, diff.dtype), grad_input,
                              threads(src.size))
        return grad_input, None
