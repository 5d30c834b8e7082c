"""F.ctc_loss: connectionist temporal classification (Graves et al., 2006).

torch's argument rules and checks, in torch's order, before any kernel runs: log_probs (T, N, C) or
unbatched (T, C); targets padded (N, S) or concatenated (sum(target_lengths),); the lengths both tensors
(any integer dtype, any shape, read flat) or both sequences of ints.  The per-sequence loss is
``_functions.ctc.CTCLossFunction`` (``_kernels/ctc.pyx``); zero_infinity and the reductions are composed
on top of it as torch composes them: 'mean' is mean(nll / clamp_min(target_lengths, 1)).
"""
import numpy as np

from ..._functions.ctc import CTCLossFunction
from ..._shape import check_allocation
from ...tensor import Tensor
from ._loss import _shape_str
from ._utils import check_tensor

__all__ = ["ctc_loss"]

_WHERE = " (while checking arguments for ctc_loss_allocate_outputs)"


def _signature_error(log_probs, targets, input_lengths, target_lengths, blank, zero_infinity):
    got = ", ".join(type(v).__name__ if not isinstance(v, Tensor) else "Tensor"
                    for v in (log_probs, targets, input_lengths, target_lengths, blank))
    return TypeError(f"ctc_loss() received an invalid combination of arguments - got ({got}, int, "
                     f"{type(zero_infinity).__name__}), but expected one of:\n"
                     " * (Tensor log_probs, Tensor targets, tuple of ints input_lengths, tuple of ints target_lengths, "
                     "int blank, int reduction, bool zero_infinity)\n"
                     " * (Tensor log_probs, Tensor targets, Tensor input_lengths, Tensor target_lengths, int blank, "
                     "int reduction, bool zero_infinity)")


def _is_int(value):
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def _lengths(name, value):
    """A length argument as an int64 array (a tensor read flat, or a sequence of ints)."""
    if isinstance(value, Tensor):
        if value.dtype.kind not in "iu":
            raise RuntimeError(f"{name} must be integral")
        return np.ascontiguousarray(value.data, dtype=np.int64).reshape(-1)
    return np.asarray([int(v) for v in value], dtype=np.int64).reshape(-1)


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean", zero_infinity=False):
    """-log p(target | log_probs) summed over every alignment, per sequence, then the reduction."""
    fn = "ctc_loss"
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    tensors = isinstance(input_lengths, Tensor) and isinstance(target_lengths, Tensor)
    sequences = all(isinstance(v, (tuple, list)) and all(_is_int(x) for x in v)
                    for v in (input_lengths, target_lengths))
    if (not isinstance(log_probs, Tensor) or not isinstance(targets, Tensor) or not (tensors or sequences)
            or not _is_int(blank) or not isinstance(zero_infinity, (bool, np.bool_))):
        raise _signature_error(log_probs, targets, input_lengths, target_lengths, blank, zero_infinity)
    in_lens = _lengths("input_lengths", input_lengths)
    tg_lens = _lengths("target_lengths", target_lengths)
    if log_probs.dtype.kind != "f":
        raise NotImplementedError(f'"ctc_loss_cpu" not implemented for log_probs of dtype {log_probs.dtype}')
    check_tensor(fn, "log_probs", log_probs)
    if log_probs.dtype not in (np.float32, np.float64):
        raise NotImplementedError(f'"ctc_loss_cpu" not implemented for log_probs of dtype {log_probs.dtype} '
                                  "(refnn computes in float32 or float64)")
    batched = log_probs.dim() == 3
    lp = log_probs if batched else log_probs.unsqueeze(1)
    if lp.numel() == 0:
        raise RuntimeError("log_probs tensor must not be empty")
    if lp.dim() != 3:
        raise RuntimeError(f"Expected 3-dimensional tensor, but got {lp.dim()}-dimensional tensor for argument #1 "
                           f"'log_probs'{_WHERE}")
    if targets.dim() not in (1, 2):
        raise RuntimeError(f"Expected 1 to 2 dimensions, but got {targets.dim()}-dimensional tensor for argument "
                           f"#2 'targets'{_WHERE}")
    T, N, C = lp.shape
    blank = int(blank)
    if not 0 <= blank < C:
        raise RuntimeError("blank must be in label range")
    if in_lens.size != N:
        raise RuntimeError("input_lengths must be of size batch_size")
    if tg_lens.size != N:
        raise RuntimeError("target_lengths must be of size batch_size")
    for length in tg_lens:
        if length < 0:
            raise RuntimeError(f"Expected target_lengths to have value at least 0, but got value {length}{_WHERE}")
    max_len = int(tg_lens.max()) if N else 0
    check_allocation(fn, (N, T, 2 * max_len + 1), lp.data.itemsize)   # log_alpha (and log_beta)
    labels = targets.data
    if labels.dtype.kind == "f":
        with np.errstate(invalid="ignore"):
            labels = labels.astype(np.int64)   # torch's targets.to(kLong): toward zero
    labels = labels.astype(np.int64, copy=False)
    if targets.dim() == 1:
        total = int(tg_lens.sum())
        if labels.shape[0] != total:
            raise RuntimeError(f"Expected tensor to have size {total} at dimension 0, but got size "
                               f"{labels.shape[0]} for argument #2 'targets'{_WHERE}")
        padded = np.zeros((N, max_len), dtype=np.int64)
        starts = np.concatenate(([0], np.cumsum(tg_lens)[:-1])) if N else np.zeros(0, np.int64)
        for n in range(N):
            padded[n, :tg_lens[n]] = labels[starts[n]:starts[n] + tg_lens[n]]
    else:
        if labels.shape[0] != N:
            raise RuntimeError(f"Expected tensor to have size {N} at dimension 0, but got size {labels.shape[0]} "
                               f"for argument #2 'targets'{_WHERE}")
        if labels.shape[1] < max_len:
            raise RuntimeError(f"Expected tensor to have size at least {max_len} at dimension 1, but got size "
                               f"{labels.shape[1]} for argument #2 'targets'{_WHERE}")
        padded = np.ascontiguousarray(labels[:, :max_len])
    for length in in_lens:
        if length < 0:
            raise RuntimeError(f"Expected input_lengths to have value at least 0, but got value {length}{_WHERE}")
        if length > T:
            raise RuntimeError(f"Expected input_lengths to have value at most {T}, but got value {length}{_WHERE}")
    used = np.arange(max_len)[None, :] < tg_lens[:, None]
    bad = used & ((padded < 0) | (padded >= C))
    if bad.any():
        raise IndexError(f"{fn}: target {int(padded[bad][0])} is out of bounds for {C} classes (torch reads "
                         "outside the row of log_probs there; refnn refuses it)")
    nll = CTCLossFunction.apply(lp, padded, in_lens, tg_lens, blank, bool(zero_infinity))
    if zero_infinity:
        nll = nll.where(nll != np.inf, 0.0)
    if reduction == "mean":
        lengths = Tensor(np.maximum(tg_lens.astype(lp.dtype), 1))
        return (nll / lengths).mean()
    if reduction == "sum":
        return nll.sum()
    return nll if batched else nll.squeeze(0)
