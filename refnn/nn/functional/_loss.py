"""Losses: F.nll_loss, F.cross_entropy, F.mse_loss, F.l1_loss, F.binary_cross_entropy,
F.binary_cross_entropy_with_logits.

torch's signatures and defaults, the deprecated ``size_average``/``reduce`` pair mapped to a
reduction as torch maps it (with its warning), and every check, raising torch's exception
class, before any kernel runs.
"""
import warnings

import numpy as np

from ..._C import fastargs as _fastargs
from ..._functions.loss import (BCELossFunction, BCEWithLogitsFunction, CrossEntropyFunction, L1LossFunction,
                                MSELossFunction, NLLLossFunction, SoftNLLFunction)
from ...autograd import is_grad_enabled
from ...tensor import Tensor
from ..._shape import check_allocation
from ._utils import FLOAT_DTYPES, check_float_tensor, check_tensor, is_float_array

__all__ = ["nll_loss", "cross_entropy", "mse_loss", "l1_loss", "binary_cross_entropy", "linear_cross_entropy",
           "binary_cross_entropy_with_logits"]

_TARGET_DTYPES = (np.dtype(np.int64), np.dtype(np.uint8))


# ---------------------------------------------------------------- reductions
def legacy_get_string(size_average, reduce, emit_warning=True):
    """torch's mapping of the deprecated (size_average, reduce) pair to a reduction string."""
    if size_average is None:
        size_average = True
    if reduce is None:
        reduce = True
    if size_average and reduce:
        reduction = "mean"
    elif reduce:
        reduction = "sum"
    else:
        reduction = "none"
    if emit_warning:
        warnings.warn(f"size_average and reduce args will be deprecated, please use reduction='{reduction}' "
                      "instead.", stacklevel=3)
    return reduction


def _reduction(size_average, reduce, reduction):
    if size_average is not None or reduce is not None:
        reduction = legacy_get_string(size_average, reduce)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _check_not_requires_grad(fn, name, tensor):
    if tensor is not None and tensor.requires_grad and is_grad_enabled():
        raise RuntimeError(f"The function '{fn}' is not differentiable with respect to argument '{name}'. "
                           "This input cannot have requires_grad True.")


def _check_same_dtype(fn, input, name, other):
    if other is not None and other.dtype != input.dtype:
        raise RuntimeError(f"{fn}: expected {name} to have dtype {input.dtype} like the input, "
                           f"but got {other.dtype}")


def _shape_str(shape):
    return "[" + ", ".join(str(n) for n in shape) + "]"


# ---------------------------------------------------------------- nll_loss
def _check_input(fn, input):
    check_tensor(fn, "input", input)
    if input.dtype.kind in "iub":
        raise NotImplementedError(f'"{fn}" not implemented for input of dtype {input.dtype} '
                                  "(input must be float32 or float64)")
    return check_float_tensor(fn, "input", input)


def _check_class_weight(fn, input, weight, n_classes):
    if weight is None:
        return
    check_tensor(fn, "weight", weight)
    if weight.dim() != 1 or weight.numel() != n_classes:
        raise RuntimeError(f"{fn}: weight tensor should be defined either for all {n_classes} classes or no "
                           f"classes but got weight tensor of shape: {_shape_str(weight.shape)}")
    _check_same_dtype(fn, input, "weight", weight)


def _nll_layout(fn, input, target, weight, ignore_index):
    """Validate an nll_loss call; return (N, C, S) and the output shape of reduction='none'.

    input (C,) with a 0-d target, (N, C) with target (N,), or (N, C, d1, ...) with target
    (N, d1, ...).  Targets are int64 (or uint8) in [0, C) or equal to ignore_index.
    """
    _check_input(fn, input)
    check_tensor(fn, "target", target)
    check_allocation(fn, input.shape, input.data.itemsize)    # log-probabilities / per-element losses
    if input.dim() < 1:
        raise ValueError(f"{fn}: Expected 1 or more dimensions (got {input.dim()})")
    # torch counts a 0-d target as a batch of 0 when it compares batch sizes, then reads its size(0)
    target_batch = target.shape[0] if target.dim() else 0
    if input.dim() != 1 and input.shape[0] != target_batch:
        raise ValueError(f"{fn}: Expected input batch_size ({input.shape[0]}) to match target batch_size "
                         f"({target_batch}).")
    if input.dim() != 1 and target.dim() == 0:
        raise IndexError(f"{fn}: Dimension specified as 0 but tensor has no dimensions (a 0-d target for an "
                         f"input of shape {_shape_str(input.shape)})")
    if target.dtype not in _TARGET_DTYPES:
        raise RuntimeError(f"{fn}: expected target dtype to be Long or Byte, but got {target.dtype}")
    if target.dtype == np.uint8 and input.dim() > 2:   # nll_loss2d takes Long targets only
        raise RuntimeError(f"{fn}: expected scalar type Long but found Byte (target of a {input.dim()}-d input)")
    if input.dim() <= 2:
        if target.dim() > 1:
            raise RuntimeError(f"{fn}: 0D or 1D target tensor expected, multi-target not supported "
                               f"(target shape {_shape_str(target.shape)})")
        if input.dim() == 1 and target.dim() == 1 and target.shape[0] != 1:
            raise ValueError(f"{fn}: For 1D input, 1D target must have size 1, but got target size: "
                             f"{target.shape[0]}")
    elif tuple(target.shape[1:]) != tuple(input.shape[2:]):
        raise RuntimeError(f"{fn}: Expected target size {_shape_str(input.shape[:1] + input.shape[2:])}, "
                           f"got {_shape_str(target.shape)}")
    elif input.dim() != 4 and input.numel() == 0 and target.numel() > 0:
        # torch views an empty input as (N, C, 0, 0) and a non-empty target as (N, 1, -1): no classes
        raise RuntimeError(f"{fn}: size mismatch (got input: [{input.shape[0]}, {input.shape[1]}, 0, 0] , "
                           f"target: [{target.shape[0]}, 1, {target.numel() // max(target.shape[0], 1)}]")
    n_classes = input.shape[0] if input.dim() == 1 else input.shape[1]
    _check_class_weight(fn, input, weight, n_classes)
    _check_not_requires_grad(fn, "weight", weight)
    if isinstance(ignore_index, bool) or not isinstance(ignore_index, (int, np.integer)):
        raise TypeError(f"{fn}(): argument 'ignore_index' must be int, not {type(ignore_index).__name__}")
    labels = target.data.astype(np.int64, copy=False)
    bad = (labels != ignore_index) & ((labels < 0) | (labels >= n_classes))
    if bad.any():
        raise IndexError(f"{fn}: Target {int(labels[bad].reshape(-1)[0])} is out of bounds.")
    if input.dim() == 1:  # unbatched: a 0-d result even for a (1,) target, as torch
        return (1, n_classes, 1), ()
    spatial = int(np.prod(input.shape[2:], dtype=np.int64))
    return (input.shape[0], n_classes, spatial), tuple(target.shape)


_INT64 = np.dtype(np.int64)


def _fast_nll_layout(input, target, weight, ignore_index):
    """``_nll_layout``'s result for the common call it accepts: a float (N, C) input, an int64 (N,) target
    with every label in [0, C) or equal to ``ignore_index`` (a Python int), no class weight.  None
    otherwise: the full validation then runs and builds the error."""
    if weight is not None or type(ignore_index) is not int or not isinstance(input, Tensor) \
            or not isinstance(target, Tensor):
        return None
    x, labels = input.data, target.data
    if x.ndim != 2 or labels.ndim != 1 or labels.dtype != _INT64 or labels.shape[0] != x.shape[0] \
            or not is_float_array(x):
        return None
    n_classes = x.shape[1]
    in_range = _fastargs.labels_in_range(labels, n_classes, ignore_index)     # compiled, else NumPy's
    if in_range is None:
        in_range = not ((labels != ignore_index) & ((labels < 0) | (labels >= n_classes))).any()
    if not in_range:
        return None
    return (x.shape[0], n_classes, 1), (x.shape[0],)


def _nll(input, target, weight, reduction, ignore_index, layout, function=NLLLossFunction):
    """function (nll_loss, or the fused cross_entropy) over input viewed as (N, C, S)."""
    (N, C, S), out_shape = layout
    labels = np.ascontiguousarray(target.data, dtype=np.int64).reshape(N, S)
    return function.apply(input, labels, weight, reduction, int(ignore_index), (N, C, S), out_shape)


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
    """-input[n, target[n]] * weight[target[n]]; 'mean' divides by the sum of the weights of non-ignored targets."""
    reduction = _reduction(size_average, reduce, reduction)
    layout = _fast_nll_layout(input, target, weight, ignore_index) \
        or _nll_layout("nll_loss", input, target, weight, ignore_index)
    return _nll(input, target, weight, reduction, ignore_index, layout)


# ---------------------------------------------------------------- cross_entropy
def _log_softmax(input, dim):
    from . import log_softmax  # F.log_softmax lives with the activations
    return log_softmax(input, dim=dim)


def _check_label_smoothing(fn, label_smoothing):
    if isinstance(label_smoothing, bool) or not isinstance(label_smoothing, (int, float, np.integer, np.floating)):
        raise TypeError(f"{fn}(): argument 'label_smoothing' must be float, not {type(label_smoothing).__name__}")
    if label_smoothing > 1.0:
        raise RuntimeError(f"{fn}: label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    """nll_loss(log_softmax(input, class dim)) for class indices; -sum(log_softmax * p) for probabilities.

    label_smoothing mixes (1 - s) * loss with s / C times the loss against the uniform distribution.
    """
    fn = "cross_entropy"
    reduction = _reduction(size_average, reduce, reduction)
    if (type(label_smoothing) is float or type(label_smoothing) is int) and label_smoothing <= 0.0:
        layout = _fast_nll_layout(input, target, weight, ignore_index)
        if layout is not None:   # the common case: log_softmax and nll_loss fused
            return _nll(input, target, weight, reduction, ignore_index, layout, CrossEntropyFunction)
    _check_input(fn, input)
    check_tensor(fn, "target", target)
    if input.dim() == 0:   # torch's log_softmax over dim 1 fails, after the checks of a same-shape target
        if target.dim() == 0 and target.dtype.kind != "f":
            raise RuntimeError(f"{fn}: Expected floating point type for target with class probabilities, got "
                               f"{target.dtype}")
        if (target.dim() == 0 and isinstance(ignore_index, (int, np.integer)) and ignore_index >= 0):
            raise RuntimeError(f"{fn}: ignore_index is not supported for floating point target "
                               f"(ignore_index={ignore_index})")
        raise IndexError(f"{fn}: Dimension specified as 1 but tensor has no dimensions (input of shape ())")
    _check_label_smoothing(fn, label_smoothing)
    label_smoothing = float(label_smoothing)
    class_dim = 0 if input.dim() == 1 else 1
    if tuple(input.shape) == tuple(target.shape):
        return _cross_entropy_probabilities(input, target, weight, reduction, ignore_index, label_smoothing)
    layout = _nll_layout(fn, input, target, weight, ignore_index)
    if label_smoothing <= 0.0:   # log_softmax and nll_loss fused (the same bits as the composition)
        return _nll(input, target, weight, reduction, ignore_index, layout, CrossEntropyFunction)
    log_prob = _log_softmax(input, class_dim)
    nll = _nll(log_prob, target, weight, reduction, ignore_index, layout)
    (N, C, S), out_shape = layout
    labels = target.data.astype(np.int64, copy=False).reshape(N, S)
    ignored = labels == ignore_index
    kept = labels[~ignored]
    if weight is not None:
        denominator = weight.data[kept].sum(dtype=weight.dtype)
    else:
        denominator = kept.size
    smooth = SoftNLLFunction.apply(log_prob.reshape(N, C, S), None, weight, ignored, reduction, denominator)
    if reduction == "none":
        smooth = smooth.reshape(out_shape)
    return (1 - label_smoothing) * nll + smooth * (label_smoothing / C)


def _cross_entropy_probabilities(input, target, weight, reduction, ignore_index, label_smoothing):
    fn = "cross_entropy"
    if target.dtype not in FLOAT_DTYPES:
        raise RuntimeError(f"{fn}: Expected floating point type for target with class probabilities, "
                           f"got {target.dtype}")
    if ignore_index >= 0:
        raise RuntimeError(f"{fn}: ignore_index is not supported for floating point target "
                           f"(ignore_index={ignore_index})")
    _check_same_dtype(fn, input, "target", target)
    class_dim = 0 if input.dim() == 1 else 1
    n_classes = input.shape[class_dim]
    _check_class_weight(fn, input, weight, n_classes)
    _check_not_requires_grad(fn, "weight", weight)
    if input.dim() == 1:
        N, S, out_shape = 1, 1, ()
    else:
        N, S = input.shape[0], int(np.prod(input.shape[2:], dtype=np.int64))
        out_shape = input.shape[:1] + input.shape[2:]
    log_prob = _log_softmax(input, class_dim)
    if label_smoothing > 0.0 and n_classes:   # zero classes: the target is empty, nothing to smooth
        target = target * (1 - label_smoothing) + label_smoothing / n_classes
    denominator = input.numel() // n_classes if n_classes else 0
    loss = SoftNLLFunction.apply(log_prob.reshape(N, n_classes, S), target.reshape(N, n_classes, S), weight,
                                 None, reduction, denominator)
    return loss.reshape(out_shape) if reduction == "none" else loss


# ---------------------------------------------------------------- mse_loss and l1_loss
def _broadcast_pair(fn, input, target):
    """torch.broadcast_tensors(input, target), refusing shapes that do not broadcast."""
    if tuple(target.shape) != tuple(input.shape):
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input size "
                      f"({input.shape}). This will likely lead to incorrect results due to broadcasting. "
                      "Please ensure they have the same size.", stacklevel=3)
        try:
            shape = np.broadcast_shapes(input.shape, target.shape)
        except ValueError:
            raise RuntimeError(f"{fn}: the size of input {_shape_str(input.shape)} and the size of target "
                               f"{_shape_str(target.shape)} do not broadcast") from None
        check_allocation(fn, shape, input.data.itemsize)
        if tuple(input.shape) != shape:
            input = input.expand(shape)
        if tuple(target.shape) != shape:
            target = target.expand(shape)
    return input, target


def _pointwise_loss(fn, function, input, target, size_average, reduce, reduction, weight):
    check_float_tensor(fn, "input", input)
    check_float_tensor(fn, "target", target)
    _check_same_dtype(fn, input, "target", target)
    if size_average is not None or reduce is not None:
        reduction = legacy_get_string(size_average, reduce)
    input, target = _broadcast_pair(fn, input, target)
    if weight is not None:
        check_float_tensor(fn, "weight", weight)
        if tuple(weight.shape) != tuple(input.shape):
            raise ValueError(f"{fn}: Weights and input must have the same size "
                             f"(weight {_shape_str(weight.shape)}, input {_shape_str(input.shape)}).")
        _check_same_dtype(fn, input, "weight", weight)
        if reduction not in ("none", "mean", "sum"):
            raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', 'sum'.")
        weighted = function.apply(input, target, "none") * weight
        if reduction == "none":
            return weighted
        if reduction == "sum":
            return weighted.sum()
        return weighted.sum() / weight.sum()
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return function.apply(input, target, reduction)


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """(input - target)^2 (optionally times weight), then the reduction."""
    return _pointwise_loss("mse_loss", MSELossFunction, input, target, size_average, reduce, reduction, weight)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """|input - target| (optionally times weight), then the reduction."""
    return _pointwise_loss("l1_loss", L1LossFunction, input, target, size_average, reduce, reduction, weight)


# ---------------------------------------------------------------- binary cross entropy
def _check_elementwise_weight(fn, name, input, weight):
    """weight must broadcast to exactly input's shape (torch refuses a bigger broadcast)."""
    if weight is None:
        return
    check_float_tensor(fn, name, weight)
    _check_same_dtype(fn, input, name, weight)
    try:
        shape = np.broadcast_shapes(input.shape, weight.shape)
    except ValueError:
        raise RuntimeError(f"{fn}: {name} of shape {_shape_str(weight.shape)} does not broadcast to the input "
                           f"shape {_shape_str(input.shape)}") from None
    if tuple(shape) != tuple(input.shape):
        raise RuntimeError(f"{fn}: output with shape {_shape_str(input.shape)} doesn't match the broadcast shape "
                           f"{_shape_str(shape)} of {name}")
    _check_not_requires_grad(fn, name, weight)


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """-weight * (target * max(log(input), -100) + (1 - target) * max(log(1 - input), -100))."""
    fn = "binary_cross_entropy"
    reduction = _reduction(size_average, reduce, reduction)
    check_float_tensor(fn, "input", input)
    check_float_tensor(fn, "target", target)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"{fn}: Using a target size ({_shape_str(target.shape)}) that is different to the input "
                         f"size ({_shape_str(input.shape)}) is deprecated. Please ensure they have the same size.")
    _check_same_dtype(fn, input, "target", target)
    _check_elementwise_weight(fn, "weight", input, weight)
    with np.errstate(invalid="ignore"):
        if not np.all((input.data >= 0) & (input.data <= 1)):
            raise RuntimeError(f"{fn}: all elements of input should be between 0 and 1")
        if not np.all((target.data >= 0) & (target.data <= 1)):
            raise RuntimeError(f"{fn}: all elements of target should be between 0 and 1")
    return BCELossFunction.apply(input, target, weight, reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    """(1 - target) * x - log_sigmoid(x) * (1 + (pos_weight - 1) * target), times weight, computed stably."""
    fn = "binary_cross_entropy_with_logits"
    reduction = _reduction(size_average, reduce, reduction)
    check_float_tensor(fn, "input", input)
    check_tensor(fn, "target", target)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"{fn}: Target size ({_shape_str(target.shape)}) must be the same as input size "
                         f"({_shape_str(input.shape)})")
    if target.dtype not in FLOAT_DTYPES:
        raise RuntimeError(f"{fn}: result type Float can't be cast to the desired output type {target.dtype} "
                           "(target must be float32 or float64)")
    _check_same_dtype(fn, input, "target", target)
    _check_elementwise_weight(fn, "weight", input, weight)
    _check_elementwise_weight(fn, "pos_weight", input, pos_weight)
    return BCEWithLogitsFunction.apply(input, target, weight, pos_weight, reduction)


# ---------------------------------------------------------------- linear_cross_entropy
def linear_cross_entropy(input, linear_weight, target, *, linear_bias=None, weight=None, reduction="mean",
                         ignore_index=None, label_smoothing=0.0, options=None):
    """cross_entropy(linear(input, linear_weight, linear_bias) reshaped to (*batch, C, *out_features), target).

    torch's reference path, composed the same way.  ``options`` selects torch's chunked evaluation (the
    same loss, computed batch-chunk by batch-chunk to save memory); refnn refuses it (see
    tests/registry/_unsupported.py)."""
    from ._linear import linear   # the linear layers' module imports the losses' helpers
    fn = "linear_cross_entropy"
    check_tensor(fn, "input", input)
    check_tensor(fn, "linear_weight", linear_weight)
    check_tensor(fn, "target", target)
    if input.dim() < 1 or input.dim() > 2:
        raise RuntimeError(f"expected input with dimensionality 1 or 2, got {input.dim()}")
    if linear_weight.dim() < 2:
        raise RuntimeError(f"expected linear_weight with dimensionality at least 2, got {linear_weight.dim()}")
    num_batches = tuple(input.shape[:-1])
    in_features = input.shape[-1]
    if in_features != linear_weight.shape[-1]:
        raise RuntimeError("expected equal input and linear_weight last dimensions (in_features), "
                           f"got {input.shape[-1]} and {linear_weight.shape[-1]}, respectively")
    num_classes = linear_weight.shape[0]
    out_features = tuple(linear_weight.shape[1:-1])
    if linear_bias is not None:
        check_tensor(fn, "linear_bias", linear_bias)
        if tuple(linear_bias.shape) != (num_classes, *out_features):
            raise RuntimeError(f"expected linear_bias shape {(num_classes, *out_features)}, "
                               f"got {tuple(linear_bias.shape)}")
    if out_features and not num_batches:
        raise RuntimeError(f"K-dimensional loss defined by linear_weight shape {tuple(linear_weight.shape)} requires"
                           f" batched input, (N, {in_features}), got unbatched input with shape {tuple(input.shape)}")
    logits_shape = (*num_batches, num_classes, *out_features)
    if tuple(target.shape) == logits_shape and ignore_index is not None:
        raise RuntimeError("ignore_index cannot be specified when target contains probabilities")
    ignore_index = ignore_index if ignore_index is not None else -100
    if options is not None:
        raise NotImplementedError("linear_cross_entropy: options (torch's chunked evaluation) is not supported by "
                                  "refnn; pass options=None: the reference path computes the same loss")
    if out_features:
        rows = int(np.prod(out_features, dtype=np.int64)) * num_classes
        linear_weight = linear_weight.reshape((rows, in_features))
        if linear_bias is not None:
            linear_bias = linear_bias.reshape(rows)
    logits = linear(input, linear_weight, linear_bias).reshape(logits_shape)
    return cross_entropy(logits, target, weight=weight, reduction=reduction, ignore_index=ignore_index,
                         label_smoothing=label_smoothing)
