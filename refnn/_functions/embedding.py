"""Embeddings: row lookup (Embedding), per-bag reductions (EmbeddingBag) and max_norm renormalisation.

The weight gradient of both accumulates rows in index order (``refnn/_kernels/embedding.pyx``,
``accumulate_rows``); renormalisation measures each looked-up row with the distance kernel's p-norm.
"""
import numpy as np

from .._kernels import distance as D
from .._kernels import embedding as K
from ..autograd import Function
from ..tensor import Tensor
from ._util import contiguous, threads

_NONE = np.empty(0, np.int64)


def _empty(dtype):
    return np.empty(0, dtype)


def _freq_scale(index, num_rows, dtype, scale_grad_by_freq):
    """1 / (how often each row is looked up), for scale_grad_by_freq (torch counts padding_idx too)."""
    if not scale_grad_by_freq:
        return _empty(dtype)
    counts = np.bincount(index, minlength=num_rows)
    with np.errstate(divide="ignore"):
        return (1.0 / np.maximum(counts, 1)).astype(dtype)


def _bag_freq_scale(index, num_rows, dtype, scale_grad_by_freq):
    """scale_grad_by_freq as torch's EmbeddingBag backward applies it: the k-th distinct index (ascending)
    takes 1 / count of the k-th entry of the sorted indices (ATen's _embedding_bag_dense_backward_cpu_sum_mean
    reads counts[indices[i]] with i the distinct-index number; for a row looked up once among repeated ones
    this is not its own count).  refnn follows torch's answer."""
    if not scale_grad_by_freq:
        return _empty(dtype)
    counts = np.bincount(index, minlength=num_rows)
    ordered = np.sort(index)
    distinct = np.unique(ordered)
    scale = np.ones(num_rows, dtype=np.float64)
    scale[distinct] = 1.0 / counts[ordered[:distinct.size]]
    return scale.astype(dtype)


def renorm_rows(weight, index, max_norm, norm_type):
    """torch.embedding_renorm_: every distinct looked-up row whose norm exceeds max_norm is scaled in place
    by max_norm / (norm + 1e-7) (computed in double, the factor rounded to the weight's dtype)."""
    rows = np.unique(index)
    if rows.size == 0 or weight.shape[1] == 0:
        return
    selected = contiguous(weight[rows])
    norms = np.empty(rows.size, dtype=selected.dtype)
    D.norm_fwd(selected, float(norm_type), norms, threads(selected.size))
    for row, norm in zip(rows.tolist(), norms.astype(np.float64).tolist()):
        if norm > max_norm:
            weight[row] *= weight.dtype.type(max_norm / (norm + 1e-7))


class EmbeddingFunction(Function):
    """out[..., :] = weight[index[...], :]."""

    @staticmethod
    def forward(ctx, weight, index, padding_idx, scale_grad_by_freq):
        flat = contiguous(index.data.reshape(-1), np.int64)
        w = weight.data
        if w.dtype.kind == "f" and w.dtype.itemsize >= 4:
            out = np.empty((flat.size, w.shape[1]), dtype=w.dtype)
            K.gather_rows(contiguous(w), flat, out, threads(out.size))
        else:                          # integer or half weights: a plain copy of rows
            out = w[flat]
        ctx.index, ctx.num_rows, ctx.dim = flat, w.shape[0], w.shape[1]
        ctx.padding_idx, ctx.scale_grad_by_freq = padding_idx, scale_grad_by_freq
        return Tensor(out.reshape(tuple(index.shape) + (w.shape[1],)))

    @staticmethod
    def backward(ctx, grad):
        g = contiguous(grad).reshape(ctx.index.size, ctx.dim)
        grad_weight = np.zeros((ctx.num_rows, g.shape[1]), dtype=g.dtype)
        scale = _freq_scale(ctx.index, ctx.num_rows, g.dtype, ctx.scale_grad_by_freq)
        K.accumulate_rows(g, _NONE, _empty(g.dtype), ctx.index, ctx.padding_idx, scale, grad_weight,
                          threads(g.size))
        return grad_weight, None, None, None


class EmbeddingBagFunction(Function):
    """out[b] = sum / mean / max over the bag's members of weight[index[n]] (* per_sample_weights[n])."""

    @staticmethod
    def forward(ctx, weight, index, offsets, per_sample_weights, mode, padding_idx, scale_grad_by_freq):
        w = contiguous(weight.data)
        num_bags = offsets.size - 1
        out = np.empty((num_bags, w.shape[1]), dtype=w.dtype)
        bag_size = np.empty(num_bags, dtype=np.int64)
        max_index = np.empty((num_bags, w.shape[1]) if mode == 2 else (0, 0), dtype=np.int64)
        psw = contiguous(per_sample_weights.data) if per_sample_weights is not None else _empty(w.dtype)
        K.bag_fwd(w, index, offsets, psw, mode, padding_idx, out, bag_size, max_index, threads(index.size * w.shape[1]))
        ctx.arrays = (w, index, offsets, psw, bag_size, max_index)
        ctx.mode, ctx.padding_idx, ctx.scale_grad_by_freq = mode, padding_idx, scale_grad_by_freq
        return Tensor(out)

    @staticmethod
    def backward(ctx, grad):
        w, index, offsets, psw, bag_size, max_index = ctx.arrays
        g = contiguous(grad, w.dtype)
        work = threads(index.size * w.shape[1])
        grad_weight = grad_psw = None
        # members after offsets[-1] (include_last_offset with no bag at all) belong to no bag: no gradient
        bag_of = np.repeat(np.arange(offsets.size - 1, dtype=np.int64), np.diff(offsets))
        members = index[:bag_of.size]
        if ctx.needs_input_grad[0]:
            grad_weight = np.zeros_like(w)
            if ctx.mode == 2:
                K.bag_max_bwd(g, max_index, grad_weight, work)
            elif members.size:
                if ctx.mode == 1:      # mean: each member takes 1 / (the bag's non-padding count)
                    factor = (np.asarray(1, w.dtype) / np.maximum(bag_size, 1).astype(w.dtype))[bag_of]
                else:
                    factor = psw[:bag_of.size]
                scale = _bag_freq_scale(index, w.shape[0], w.dtype, ctx.scale_grad_by_freq)
                K.accumulate_rows(g, bag_of, contiguous(factor), members, ctx.padding_idx, scale, grad_weight, work)
        if ctx.needs_input_grad[3]:
            grad_psw = np.zeros(index.size, dtype=w.dtype)
            K.bag_weights_bwd(g, w, members, bag_of, ctx.padding_idx, grad_psw[:bag_of.size], work)
        return grad_weight, None, None, grad_psw, None, None, None
