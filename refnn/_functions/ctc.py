"""CTC loss: the per-sequence negative log-likelihood and its gradient, through ``_kernels/ctc.pyx``.

Arguments arrive validated (``refnn.nn.functional._loss_ctc``): log_probs (T, N, C), targets padded
to an (N, L) int64 array, lengths as (N,) int64 arrays.  The reductions are composed on top of this
Function, as torch composes them on top of its ``_ctc_loss``.
"""
import numpy as np

from .._kernels import ctc as K
from ..autograd import Function
from ..tensor import Tensor
from ._util import contiguous, threads


class CTCLossFunction(Function):
    """(N,) negative log-likelihoods of the padded targets under log_probs (T, N, C)."""

    @staticmethod
    def forward(ctx, log_probs, targets, input_lengths, target_lengths, blank, zero_infinity):
        lp = contiguous(log_probs.data)   # (T, N, C), C-contiguous (a copy only when it is not)
        T, N, _ = lp.shape
        L = targets.shape[1]
        log_alpha = np.empty((N, T, 2 * L + 1), dtype=lp.dtype)
        nll = np.empty(N, dtype=lp.dtype)
        K.ctc_fwd(lp, targets, input_lengths, target_lengths, int(blank), log_alpha, nll, threads(N * T * L))
        ctx.arrays = (lp, targets, input_lengths, target_lengths, log_alpha, nll)
        ctx.blank, ctx.zero_infinity = int(blank), zero_infinity
        ctx.save_for_backward(log_probs)
        return Tensor(nll)

    @staticmethod
    def backward(ctx, grad):
        ctx.saved_tensors   # the version check
        lp, targets, input_lengths, target_lengths, log_alpha, nll = ctx.arrays
        T, N, C = lp.shape
        grad_out = contiguous(np.asarray(grad, dtype=lp.dtype)).reshape(N)
        log_beta = np.empty_like(log_alpha)
        grad_lp = np.full(lp.shape, -np.inf, dtype=lp.dtype)
        K.ctc_bwd(lp, targets, input_lengths, target_lengths, ctx.blank, log_alpha, nll, grad_out,
                  ctx.zero_infinity, log_beta, grad_lp, threads(N * T * max(C, targets.shape[1])))
        return grad_lp, None, None, None, None, None
