"""Embeddings: F.embedding, F.embedding_bag and F.one_hot (torch's signatures, all validation).

Sparse gradients (sparse=True) are refused: refnn has no sparse tensors (tests/registry/_unsupported.py).
"""
import numbers
import warnings

import numpy as np

from ... import autograd
from ..._functions.embedding import EmbeddingBagFunction, EmbeddingFunction, renorm_rows
from ..._shape import check_allocation
from ...tensor import Tensor
from ._utils import FLOAT_DTYPES, check_tensor

__all__ = ["embedding", "embedding_bag", "one_hot"]

_INDEX_DTYPES = (np.dtype(np.int64), np.dtype(np.int32))
_TYPE_NAMES = {"float32": "torch.FloatTensor", "float64": "torch.DoubleTensor", "float16": "torch.HalfTensor",
               "int16": "torch.ShortTensor", "int8": "torch.CharTensor", "uint8": "torch.ByteTensor",
               "bool": "CPUBoolType", "int64": "torch.LongTensor", "int32": "torch.IntTensor"}


def _type_name(dtype):
    return _TYPE_NAMES.get(np.dtype(dtype).name, np.dtype(dtype).name)


def _check_indices(fn, position, name, index):
    if index.dtype not in _INDEX_DTYPES:
        raise RuntimeError(f"Expected tensor for argument #{position} '{name}' to have one of the following scalar "
                           f"types: Long, Int; but got {_type_name(index.dtype)} instead (while checking "
                           f"arguments for {fn})")


def _check_int(fn, name, value, position):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{fn}(): argument '{name}' (position {position}) must be int, not {type(value).__name__}")
    return int(value)


def _check_bool(fn, name, value, position):
    if not isinstance(value, bool):
        raise TypeError(f"{fn}(): argument '{name}' (position {position}) must be bool, not {type(value).__name__}")
    return value


def _check_float(fn, name, value, position):
    if not isinstance(value, numbers.Real) or isinstance(value, np.bool_):
        raise TypeError(f"{fn}(): argument '{name}' (position {position}) must be float, not "
                        f"{type(value).__name__}")
    return float(value)


def _refuse_sparse(fn):
    raise RuntimeError(f"{fn}: sparse=True is not supported by refnn: it has no sparse tensors, so the weight's "
                       "gradient is always dense (pass sparse=False)")


def _renorm(fn, weight, index, max_norm, norm_type):
    """torch's _no_grad_embedding_renorm_: rows looked up whose norm exceeds max_norm are scaled in place."""
    max_norm = _check_float("embedding_renorm_", "max_norm", max_norm, 3)
    norm_type = _check_float("embedding_renorm_", "norm_type", norm_type, 4)
    if weight.dim() != 2:
        raise RuntimeError("'self' must be 2-D")
    _check_indices("embedding_renorm_", 2, "indices", index)
    flat = np.asarray(index.data, dtype=np.int64).reshape(-1)
    rows = weight.shape[0]
    bad = flat[(flat < -rows) | (flat >= rows)]
    if bad.size:
        raise IndexError(f"select(): index {int(bad[0])} out of range for tensor of size "
                         f"[{', '.join(str(n) for n in weight.shape)}] at dimension 0")
    if weight.dtype not in FLOAT_DTYPES:
        raise RuntimeError(f"{fn}: max_norm needs a float32 or float64 weight, but got {weight.dtype}")
    with autograd.no_grad():
        renorm_rows(weight.data, np.where(flat < 0, flat + rows, flat), max_norm, norm_type)
    weight._version += 1


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
              sparse=False):
    """weight[input]: a row of weight per index; padding_idx's row takes no gradient."""
    check_tensor("embedding", "weight", weight)
    if padding_idx is not None:
        if padding_idx > 0:
            if padding_idx >= weight.shape[0]:
                raise AssertionError("Padding_idx must be within num_embeddings")
        elif padding_idx < 0:
            if padding_idx < -weight.shape[0]:
                raise AssertionError("Padding_idx must be within num_embeddings")
            padding_idx = weight.shape[0] + padding_idx
    else:
        padding_idx = -1
    if not isinstance(input, Tensor):
        raise TypeError(f"embedding(): argument 'indices' (position 2) must be Tensor, not {type(input).__name__}")
    if max_norm is not None:
        _renorm("embedding", weight, input, max_norm, norm_type)
    padding_idx = _check_int("embedding", "padding_idx", padding_idx, 3)
    _check_bool("embedding", "scale_grad_by_freq", scale_grad_by_freq, 4)
    _check_bool("embedding", "sparse", sparse, 5)
    if weight.dim() != 2:
        raise RuntimeError("'weight' must be 2-D")
    _check_indices("embedding", 1, "indices", input)
    if sparse:
        _refuse_sparse("embedding")
    check_allocation("embedding", tuple(input.shape) + (weight.shape[1],), weight.data.itemsize)
    flat = np.asarray(input.data).reshape(-1)
    if flat.size and weight.shape[0] == 0:
        raise RuntimeError("index_select(): self indexing axis dim should be positive")
    bad = flat[(flat < 0) | (flat >= weight.shape[0])]
    if bad.size:
        if weight.shape[1] == 0:     # torch's index_select of an empty row takes another kernel's check
            raise RuntimeError(f"INDICES element is out of DATA bounds, id={int(bad[0])} "
                               f"axis_dim={weight.shape[0]}")
        raise IndexError("index out of range in self")
    check_allocation("embedding", tuple(input.shape) + (weight.shape[1],), weight.data.itemsize)
    if weight.requires_grad and weight.dtype not in FLOAT_DTYPES:
        raise RuntimeError(f"embedding: the gradient needs a float32 or float64 weight, but got {weight.dtype}")
    return EmbeddingFunction.apply(weight, input, padding_idx, scale_grad_by_freq)


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False, mode="mean",
                  sparse=False, per_sample_weights=None, include_last_offset=False, padding_idx=None):
    """Sums, means or maxima of bags of embeddings: bags are rows of a 2-d input, or runs of a 1-d input that
    start at ``offsets``; per_sample_weights (mode='sum') weight each member."""
    fn = "embedding_bag"
    check_tensor(fn, "input", input)
    check_tensor(fn, "weight", weight)
    if weight.dtype == np.int64 and input.dtype.kind == "f":
        warnings.warn("Argument order of nn.functional.embedding_bag was changed. Usage `embedding_bag(weight, "
                      "input, ...)` is deprecated, and should now be `embedding_bag(input, weight, ...)`.",
                      stacklevel=2)
        weight, input = input, weight
    if per_sample_weights is not None and tuple(input.shape) != tuple(per_sample_weights.shape):
        raise ValueError(f"embedding_bag: If per_sample_weights (torch.Size({list(per_sample_weights.shape)})) is "
                         f"not None, then it must have the same shape as the input "
                         f"(torch.Size({list(input.shape)}))")
    if weight.dim() != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension {weight.dim()}")
    if input.dim() == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated is a mini-batch of "
                             f"fixed length sequences. However, found offsets of type {type(offsets)}")
        if input.shape[1] == 0:                      # torch.arange(0, numel, 0)
            raise RuntimeError("step must be nonzero")
        check_allocation(fn, (input.shape[0], weight.shape[-1] if weight.dim() else 1), weight.data.itemsize)
        check_allocation(fn, tuple(input.shape), 8)
        offsets_array = np.arange(0, input.numel(), input.shape[1], dtype=np.int64)
        include_last_offset = False
        offsets_dtype = input.dtype
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights.reshape(-1)
    elif input.dim() == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        check_tensor(fn, "offsets", offsets)
        if offsets.dim() != 1:
            raise ValueError("offsets has to be a 1D Tensor")
        check_allocation(fn, tuple(offsets.shape) + (weight.shape[-1] if weight.dim() else 1,),
                         weight.data.itemsize)
        check_allocation(fn, tuple(input.shape), 8)
        offsets_array, offsets_dtype = np.asarray(offsets.data), offsets.dtype
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.dim()}")
    modes = {"sum": 0, "mean": 1, "max": 2}
    if mode not in modes:
        raise ValueError("mode has to be one of sum, mean or max")
    if mode == "max":
        if scale_grad_by_freq:
            raise ValueError("max mode does not support scaling the gradient by the frequency")
        if sparse:
            raise ValueError("max mode does not support sparse weights")
    index = input.reshape(-1)
    if max_norm is not None:
        _renorm(fn, weight, index, max_norm, norm_type)
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError("embedding_bag: per_sample_weights was not None. per_sample_weights is only "
                                  f"supported for mode='sum' (got mode='{mode}'). Please open a feature request "
                                  "on GitHub.")
    # torch.embedding_bag (ATen): indices and offsets are first promoted to their common dtype, which must be
    # int64 or int32 (so int16 or bool indices pass with int64 offsets)
    index_dtype, offsets_dtype = np.dtype(index.dtype), np.dtype(offsets_dtype)
    floats = [d for d in (index_dtype, offsets_dtype) if d.kind in "fc"]
    common = floats[0] if floats else np.result_type(index_dtype, offsets_dtype)
    if common not in _INDEX_DTYPES:
        raise RuntimeError(f"Expected tensor for argument #1 'indices' to have one of the following scalar types: "
                           f"Long, Int; but got {_type_name(common)} instead (while checking arguments for {fn})")
    if weight.dtype not in FLOAT_DTYPES:
        raise RuntimeError(f"Expected tensor for argument #1 'weight' to have one of the following scalar types: "
                           f"Half, BFloat16, Float, Double; but got {_type_name(weight.dtype)} instead (while "
                           f"checking arguments for {fn})")
    if per_sample_weights is not None:
        check_tensor(fn, "per_sample_weights", per_sample_weights)
        if per_sample_weights.dtype != weight.dtype:
            raise RuntimeError(f"Expected tensor for argument #1 'weight' to have the same type as tensor for "
                               f"argument #1 'per_sample_weights'; but type {_type_name(weight.dtype)} does not "
                               f"equal {_type_name(per_sample_weights.dtype)} (while checking arguments for {fn})")
    rows = weight.shape[0]
    if padding_idx is None:
        padding_idx = -1
    else:
        padding_idx = _check_int(fn, "padding_idx", padding_idx, 9)
        if not -rows <= padding_idx < rows:
            raise RuntimeError(f"padding_idx must be within the number of embeddings, -{rows} through {rows - 1}, "
                               f"but got {padding_idx}")
        padding_idx %= rows
    if sparse:
        _refuse_sparse(fn)
    offsets_array = offsets_array.astype(np.int64)
    flat = np.asarray(index.data, dtype=np.int64).reshape(-1)
    if include_last_offset:
        if offsets_array.size < 1:
            raise RuntimeError("include_last_offset: number of offset should be at least 1")
        bounds = offsets_array
    else:
        bounds = np.concatenate([offsets_array, np.array([flat.size], np.int64)])
    if offsets_array.size:
        if offsets_array[0] != 0:
            raise RuntimeError("offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start "
                               f"from position 0. However, got {int(offsets_array[0])}")
        if offsets_array[-1] > flat.size:
            raise RuntimeError(f"offsets[-1] can not be greater than input's length {flat.size} but got "
                               f"offsets[-1] of {int(offsets_array[-1])}")
    if np.any(np.diff(bounds) < 0):
        # torch's answer here depends on its kernel (float32's raises, float64's mixes bags): refnn refuses
        raise RuntimeError(f"{fn}: offsets must be nondecreasing, but got {offsets_array.tolist()}")
    bad = np.flatnonzero((flat < 0) | (flat >= rows))
    if bad.size:
        raise RuntimeError(f"Index {int(bad[0])} of input takes value {int(flat[bad[0]])} which is not in the "
                           f"valid range [0, {rows})")
    check_allocation(fn, (bounds.size - 1, weight.shape[1]), weight.data.itemsize)
    if include_last_offset:
        bounds = bounds.copy()
        bounds[-1] = flat.size      # members after the last offset belong to no bag
    return EmbeddingBagFunction.apply(weight, np.ascontiguousarray(flat), np.ascontiguousarray(bounds),
                                      per_sample_weights, modes[mode], padding_idx, bool(scale_grad_by_freq))


def one_hot(tensor, num_classes=-1):
    """An int64 tensor of shape tensor.shape + (num_classes,) with a 1 at each value's position."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"one_hot(): argument 'input' (position 1) must be Tensor, not {type(tensor).__name__}")
    num_classes = _check_int("one_hot", "num_classes", num_classes, 2)
    if tensor.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    values = np.asarray(tensor.data)
    check_allocation("one_hot", tuple(values.shape), 8)
    if values.size == 0:
        if num_classes <= 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
    else:
        if values.min() < 0:
            raise RuntimeError("Class values must be non-negative.")
        if num_classes == -1:
            num_classes = int(values.max()) + 1
        elif values.max() >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    check_allocation("one_hot", tuple(values.shape) + (num_classes,), 8)
    out = np.zeros(values.shape + (num_classes,), dtype=np.int64)
    np.put_along_axis(out, values[..., None], 1, axis=-1)
    return Tensor(out)
