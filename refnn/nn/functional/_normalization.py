"""F.batch_norm, F.instance_norm, F.layer_norm, F.group_norm: torch's signatures and checks.

All four run through one Function (refnn/_functions/normalization.py); what differs is
the NormGeometry each builds here: how the input's axes are grouped into statistic rows.
"""
import functools
import numbers

import numpy as np

from ..._functions.normalization import NormFunction, NormGeometry
from ...tensor import Tensor
from ..._shape import check_allocation
from ._utils import FLOAT_DTYPES, check_tensor, is_float_array

__all__ = ["batch_norm", "instance_norm", "layer_norm", "group_norm"]

_TORCH_DTYPE_NAMES = {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
                      "bool": "Bool", "float16": "Half"}


def _prod(values):
    out = 1
    for v in values:
        out *= int(v)
    return out


def _verify_batch_size(size):
    """torch's check: training needs more than one value per channel."""
    size_prods = size[0]
    for i in range(len(size) - 2):
        size_prods *= size[i + 2]
    if size_prods == 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input size {list(size)}")


def _verify_spatial_size(size):
    size_prods = 1
    for i in range(2, len(size)):
        size_prods *= size[i]
    if size_prods == 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input size {list(size)}")


def _check_input(fn, input, reads_size):
    """torch's Python wrapper reads ``input.size()`` / ``input.dim()`` first when ``reads_size``."""
    if reads_size and not isinstance(input, Tensor):
        raise AttributeError(f"{fn}: '{type(input).__name__}' object has no attribute 'size' "
                             f"(argument 'input' must be Tensor)")
    check_tensor(fn, "input", input)


def _check_optional_tensors(fn, **tensors):
    for name, value in tensors.items():
        if value is not None:
            check_tensor(fn, name, value)


def _check_dtypes(fn, input, **params):
    """Floating input; parameters and buffers of the input's dtype (torch: 'mixed dtype'); an output of the
    input's size within the allocation cap."""
    if input.dtype not in FLOAT_DTYPES and input.dtype.kind == "f":
        # torch computes half precision; refnn does not (a clean refusal, not a kernel dispatch failure)
        raise RuntimeError(f"{fn}: expected input to be float32 or float64, but got {input.dtype}")
    if input.dtype not in FLOAT_DTYPES:
        name = _TORCH_DTYPE_NAMES.get(input.dtype.name, input.dtype.name)
        raise NotImplementedError(f'"{fn}" not implemented for \'{name}\' (input must be float32 or float64)')
    check_allocation(fn, input.shape, input.data.itemsize)
    for name, value in params.items():
        if value is not None and value.dtype != input.dtype:
            raise RuntimeError(f"{fn}: mixed dtype (CPU): expected {name} to have the input's dtype "
                               f"{input.dtype}, but got {value.dtype}")


def _check_flag(fn, name, value, position):
    """torch's parser takes a Python bool only for a bool argument (not 0/1, not None)."""
    if not isinstance(value, bool):
        raise TypeError(f"{fn}(): argument '{name}' (position {position}) must be bool, not {type(value).__name__}")
    return value


def _check_number(fn, name, value, position):
    """torch's parser takes any real number for a float argument, bools included (True is 1.0)."""
    if not isinstance(value, numbers.Real):
        raise TypeError(f"{fn}(): argument '{name}' (position {position}) must be float, "
                        f"not {type(value).__name__}")
    return float(value)


def _check_running_pair(fn, running_mean, running_var):
    if (running_mean is None) != (running_var is None):
        raise ValueError("running_mean and running_var must either both be None or neither be None")


def _check_channel_sizes(fn, channels, **tensors):
    for name, value in tensors.items():
        if value is None:
            continue
        if name.startswith("running") and value.dim() != 1:
            raise RuntimeError(f"{fn}: expected {name} to be 1-d with {channels} elements, "
                               f"but got shape {list(value.shape)}")
        if value.numel() != channels:
            raise RuntimeError(f"{fn}: {name} should contain {channels} elements not {value.numel()}")


def _batch_norm_consistent(input, running_mean, running_var, weight, bias, training):
    """Whether batch_norm's checks of the running buffers, dtypes and sizes all pass."""
    if (running_mean is None) != (running_var is None) or (not training and running_mean is None):
        return False
    for name, value in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight),
                        ("bias", bias)):
        if value is not None and (value.dtype != input.dtype or value.numel() != input.shape[1]
                                  or (name.startswith("running") and value.dim() != 1)):
            return False
    return True


def _check_empty_affine(fn, weight, bias):
    """torch scales an empty input by weight[0] and shifts it by bias[0]: an empty weight or bias is refused."""
    for name, value in (("weight", weight), ("bias", bias)):
        if value is not None and value.numel() == 0:
            raise IndexError(f"{fn}: select(): index 0 out of range for {name} of size [0] at dimension 0 "
                             "(an empty input is scaled by weight[0] and shifted by bias[0])")


def _empty_affine(input, weight, bias):
    """torch's result for an empty input: input.clone() * weight[0] + bias[0], in the graph, so that the weight
    and bias get their (zero) gradients.  The 0-d factors keep the input's dtype (they do not promote it)."""
    out = input.clone()
    if weight is not None:
        out = out * weight[0].to(input.dtype)
    if bias is not None:
        out = out + bias[0].to(input.dtype)
    return out


def _as_1d(tensor):
    """A 0-d tensor as its 1-element 1-d view (None stays None)."""
    return tensor.reshape(1) if tensor is not None and tensor.dim() == 0 else tensor


def _frozen(array):
    array.flags.writeable = False
    return array


@functools.lru_cache(maxsize=64)
def _geometry(kind, n, c, s, groups=1):
    """The NormGeometry of each norm, cached by size (its index arrays are read-only).

    batch:    (N, C, S): statistics per C over N and S.
    instance: (1, N*C, S): statistics per (N, C) over S; weights and running buffers per C.
    group:    statistics (1, N*G, C/G*S) per (N, G); applied per (N, C) row of (1, N*C, S).
    layer:    (1, N, C): statistics per leading index over the C = prod(normalized_shape) trailing elements.
    """
    channels = _frozen(np.arange(c, dtype=np.intp))
    if kind == "batch":
        return NormGeometry((n, c, s), (n, c, s), channels, channels, channels)
    if kind == "instance":
        per_channel = _frozen(np.tile(channels, n))
        return NormGeometry((1, n * c, s), (1, n * c, s), _frozen(np.arange(n * c, dtype=np.intp)), per_channel,
                            per_channel)
    if kind == "group":
        per_group = c // groups
        return NormGeometry((1, n * groups, per_group * s), (1, n * c, s),
                            _frozen(np.arange(n * c, dtype=np.intp) // per_group), _frozen(np.tile(channels, n)),
                            empty_rstd=np.nan)
    return NormGeometry((1, n, c), (1, n, c), _frozen(np.arange(n, dtype=np.intp)), None)


def _channel_geometry(input, per_sample):
    return _geometry("instance" if per_sample else "batch", input.shape[0], input.shape[1],
                     _prod(input.shape[2:]))


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1,
               eps=1e-5):
    """Normalise each channel C of (N, C, *) over N and the spatial dims (batch or running statistics)."""
    fn = "batch_norm"
    _check_input(fn, input, training)
    _check_optional_tensors(fn, running_mean=running_mean, running_var=running_var, weight=weight, bias=bias)
    if training:
        _verify_batch_size(input.shape)
    if training and eps <= 0.0:
        raise ValueError(f"batch_norm eps must be positive during training, but got {eps}")
    elif eps < 0.0:
        raise ValueError(f"batch_norm eps must be non-negative, but got {eps}")
    _check_flag(fn, "training", training, 6)
    momentum = _check_number(fn, "momentum", momentum, 7)
    eps = _check_number(fn, "eps", eps, 8)
    # torch returns input.clone() (* weight[0] + bias[0]) for an empty input, before it checks the running
    # buffers, their dtypes and all sizes (and, for a 1-d input, before it looks for the channel dimension)
    empty = input.dim() >= 1 and input.numel() == 0
    if empty and (input.dim() < 2 or not _batch_norm_consistent(input, running_mean, running_var, weight, bias,
                                                                 training)):
        if weight is not None or bias is not None:
            _check_dtypes(fn, input)
            _check_empty_affine(fn, weight, bias)
        return _empty_affine(input, weight, bias)
    # in evaluation mode torch asks for each running buffer by name (RuntimeError); in training mode a
    # lone running_mean or running_var is refused as a pair (ValueError)
    for name, value in (("running_mean", running_mean), ("running_var", running_var)):
        if not training and value is None:
            raise RuntimeError(f"{name} must be defined in evaluation mode")
    _check_running_pair(fn, running_mean, running_var)
    if input.dim() < 2:
        if running_mean is not None and running_mean.numel() != 0:
            raise RuntimeError(f"batch_norm: running_mean should contain 0 elements not {running_mean.numel()} "
                               f"(input of shape {list(input.shape)} has no channel dimension)")
        for name, value in (("weight", weight), ("bias", bias)):
            if value is not None and value.numel() != 0:
                raise RuntimeError(f"batch_norm: {name} should contain 0 elements not {value.numel()} "
                                   f"(input of shape {list(input.shape)} has no channel dimension)")
        raise IndexError(f"batch_norm: Dimension out of range (expected to be in range of "
                         f"[{-max(input.dim(), 1)}, {max(input.dim(), 1) - 1}], but got 1)")
    _check_dtypes(fn, input, running_mean=running_mean, running_var=running_var, weight=weight, bias=bias)
    _check_channel_sizes(fn, input.shape[1], running_mean=running_mean, running_var=running_var,
                         weight=weight, bias=bias)
    if empty:
        _check_empty_affine(fn, weight, bias)
    geometry = _channel_geometry(input, per_sample=False)
    if training:
        return NormFunction.apply(input, weight, bias, geometry, eps, True, running_mean, running_var, momentum)
    return NormFunction.apply(input, weight, bias, geometry, eps, False, running_mean, running_var, 0.0)


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None, use_input_stats=True,
                  momentum=0.1, eps=1e-5):
    """Normalise each (sample, channel) of (N, C, *) over its spatial dims."""
    fn = "instance_norm"
    _check_input(fn, input, use_input_stats)
    _check_optional_tensors(fn, running_mean=running_mean, running_var=running_var, weight=weight, bias=bias)
    if use_input_stats:
        _verify_spatial_size(input.shape)
    _check_flag(fn, "use_input_stats", use_input_stats, 6)
    momentum = _check_number(fn, "momentum", momentum, 7)
    eps = _check_number(fn, "eps", eps, 8)
    if not use_input_stats and (running_mean is None or running_var is None):
        raise RuntimeError("Expected running_mean and running_var to be defined when use_input_stats is false")
    if input.dim() < 2:
        raise IndexError(f"instance_norm: Dimension out of range (expected to be in range of "
                         f"[{-max(input.dim(), 1)}, {max(input.dim(), 1) - 1}], but got 1)")
    # torch repeats weight, bias and the running buffers once per sample (tensor.repeat(N)), which refuses a
    # tensor of more than one dimension before any size check
    for name, value in (("weight", weight), ("bias", bias), ("running_mean", running_mean),
                        ("running_var", running_var)):
        if value is not None and value.dim() > 1:
            raise RuntimeError(f"instance_norm: {name} of shape {list(value.shape)} is repeated per sample: the "
                               "number of dimensions of repeat dims can not be smaller than number of dimensions "
                               "of tensor")
    # then batch_norm on the (1, N*C, *) view: an empty input is returned (times weight[0], plus bias[0])
    # before the pair of running buffers is checked
    if input.numel() == 0:
        repeated = [t for t in (weight, bias) if t is not None]
        if repeated and (input.shape[0] == 0 or any(t.numel() == 0 for t in repeated)):
            raise IndexError("instance_norm: select(): index 0 out of range for tensor of size [0] at dimension 0 "
                             "(weight and bias repeated per sample are empty)")
    else:
        _check_running_pair(fn, running_mean, running_var)
    _check_dtypes(fn, input, running_mean=running_mean, running_var=running_var, weight=weight, bias=bias)
    # (repeat(N) makes a 0-d running buffer 1-d: one for C = 1 is accepted, but with use_input_stats torch
    # then copies the updated (C,) statistics back into it, which a 0-d buffer refuses)
    _check_channel_sizes(fn, input.shape[1], running_mean=_as_1d(running_mean), running_var=_as_1d(running_var),
                         weight=weight, bias=bias)
    for name, value in (("running_mean", running_mean), ("running_var", running_var)):
        if use_input_stats and value is not None and value.dim() == 0:
            raise RuntimeError(f"instance_norm: the updated {name} of shape [{input.shape[1]}] cannot be copied "
                               "back into a 0-d running buffer (output with shape [] doesn't match the broadcast "
                               f"shape [{input.shape[1]}])")
    if (weight is not None or bias is not None) and (input.shape[0] == 0 or input.shape[1] == 0):
        raise IndexError("instance_norm: select(): index 0 out of range for tensor of size [0] at dimension 0 "
                         "(weight and bias are repeated per sample: a batch of 0 samples, or 0 channels, is refused)")
    geometry = _channel_geometry(input, per_sample=True)
    return NormFunction.apply(input, weight, bias, geometry, eps, bool(use_input_stats), running_mean,
                              running_var, momentum)


def _fast_layer_norm_geometry(input, normalized_shape, weight, bias, eps):
    """The geometry of a layer_norm call the full validation would accept unchanged: a float input without
    empty dims, a non-empty tuple/list of Python ints matching its trailing dims, weight and bias None or of
    that shape and the input's dtype, a float eps.  None otherwise (the full validation then runs)."""
    if type(eps) is not float or not isinstance(input, Tensor) or not is_float_array(input.data):
        return None
    if type(normalized_shape) is not tuple and type(normalized_shape) is not list:
        return None
    x = input.data
    k = len(normalized_shape)
    if k == 0 or k > x.ndim:
        return None
    width = 1
    for v, n in zip(normalized_shape, x.shape[x.ndim - k:]):
        if type(v) is not int or v != n:
            return None
        width *= n
    shape = x.shape[x.ndim - k:]
    for value in (weight, bias):
        if value is not None and not (isinstance(value, Tensor) and value.data.shape == shape
                                      and value.data.dtype == x.dtype):
            return None
    return _geometry("layer", x.size // width, width, 1)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalise over the trailing dims ``normalized_shape``; weight and bias are elementwise over them."""
    fn = "layer_norm"
    geometry = _fast_layer_norm_geometry(input, normalized_shape, weight, bias, eps)
    if geometry is not None:
        return NormFunction.apply(input, weight, bias, geometry, eps)
    check_tensor(fn, "input", input)
    if not isinstance(normalized_shape, (tuple, list)):
        raise TypeError(f"layer_norm(): argument 'normalized_shape' (position 2) must be tuple of ints, "
                        f"not {type(normalized_shape).__name__}")
    for i, v in enumerate(normalized_shape):
        if isinstance(v, bool) or not isinstance(v, (numbers.Integral, np.integer)):
            raise TypeError(f"layer_norm(): argument 'normalized_shape' (position 2) must be tuple of ints, "
                            f"but found element of type {type(v).__name__} at pos {i}")
        if not -2 ** 63 <= v < 2 ** 63:
            raise TypeError(f"layer_norm(): argument 'normalized_shape' failed to unpack the object at pos {i + 1} "
                            f"with error \"Overflow when unpacking long long\" ({v})")
    shape = [int(v) for v in normalized_shape]
    _check_optional_tensors(fn, weight=weight, bias=bias)
    eps = _check_number(fn, "eps", eps, 5)
    if len(shape) == 0:
        raise RuntimeError("Expected normalized_shape to be at least 1-dimensional, i.e., containing at least "
                           "one element, but got normalized_shape = []")
    for name, value in (("weight", weight), ("bias", bias)):
        if value is not None and list(value.shape) != shape:
            raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but got {name} of shape "
                               f"{list(value.shape)} and normalized_shape = {shape}")
    k = len(shape)
    if input.dim() < k or list(input.shape[input.dim() - k:]) != shape:
        raise RuntimeError(f"Given normalized_shape={shape}, expected input with shape [*, "
                           f"{', '.join(str(v) for v in shape)}], but got input of size{list(input.shape)}")
    _check_dtypes(fn, input, weight=weight, bias=bias)
    width = _prod(shape)
    rows = _prod(input.shape[:input.dim() - k])
    geometry = _geometry("layer", rows, width, 1)
    return NormFunction.apply(input, weight, bias, geometry, eps)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Normalise each group of C // num_groups channels of each sample over those channels and the spatial dims."""
    fn = "group_norm"
    _check_input(fn, input, True)
    if input.dim() < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received {input.dim()}")
    if isinstance(num_groups, bool) or not isinstance(num_groups, (numbers.Integral, np.integer)):
        raise TypeError(f"group_norm(): argument 'num_groups' (position 2) must be int, "
                        f"not {type(num_groups).__name__}")
    num_groups = int(num_groups)
    if not -2 ** 63 <= num_groups < 2 ** 63:
        raise ValueError(f"group_norm(): argument 'num_groups' (position 2): overflow when unpacking long long "
                         f"({num_groups})")
    _verify_batch_size([input.shape[0] * input.shape[1] // num_groups, num_groups] + list(input.shape[2:]))
    _check_optional_tensors(fn, weight=weight, bias=bias)
    eps = _check_number(fn, "eps", eps, 5)
    n, c = input.shape[0], input.shape[1]
    if num_groups <= 0:
        raise RuntimeError(f"Expected num groups to be greater than 0, got {num_groups}")
    if c % num_groups != 0:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, but got input "
                           f"of shape {list(input.shape)} and num_groups={num_groups}")
    for name, value in (("weight", weight), ("bias", bias)):
        if value is not None and (value.dim() != 1 or value.numel() != c):
            raise RuntimeError(f"Expected {name} to be a vector of size equal to the number of channels in input, "
                               f"but got {name} of shape {list(value.shape)} and input of shape {list(input.shape)}")
    _check_dtypes(fn, input, weight=weight, bias=bias)
    # the per-(sample, group) statistics (mean and inverse std) are allocated too: with zero channels any
    # num_groups divides C, so num_groups=2**31 would ask for N * 2**31 of them
    if n:
        check_allocation(fn, (n, num_groups, 2), input.data.itemsize)
    geometry = _geometry("group", n, c, _prod(input.shape[2:]), num_groups)
    return NormFunction.apply(input, weight, bias, geometry, eps)
