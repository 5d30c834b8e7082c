"""Activations and the softmax family: torch's signatures, defaults and errors.

Every elementwise activation goes through ``_functions.activation.activation(input, name, a, b, c,
inplace)`` (one Function driven by a table); the softmax family through ``_functions.softmax``.
"""
import numbers
import warnings

import numpy as np

from ..._functions.activation import PReLUFunction, activation, integer_activation, multiply
from ..._functions.softmax import LogSoftmaxFunction, SoftmaxFunction
from ... import random
from ...tensor import Tensor, _as_dtype
from ..._shape import check_allocation
from ._utils import FLOAT_DTYPES, check_inplace, check_tensor, is_float_array

__all__ = ["relu", "relu_", "relu6", "elu", "elu_", "celu", "celu_", "selu", "selu_", "gelu",
           "hardshrink", "softshrink", "hardsigmoid", "hardswish", "hardtanh", "hardtanh_",
           "leaky_relu", "leaky_relu_", "prelu", "rrelu", "rrelu_", "logsigmoid", "sigmoid", "silu",
           "mish", "softplus", "softsign", "tanh", "tanhshrink", "threshold", "threshold_",
           "softmax", "log_softmax", "softmin"]

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


# ---------------------------------------------------------------- validation
def _check_input(fn, kernel, input):
    """A float32/float64 Tensor; other dtypes raise as ATen's dispatch does."""
    check_tensor(fn, "input", input)
    if input.dtype not in FLOAT_DTYPES:
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_torch_dtype_name(input.dtype)}\' '
                                  f"({fn}: input must be float32 or float64)")
    check_allocation(fn, input.shape, input.data.itemsize)
    return input


def _torch_dtype_name(dtype):
    return {"int64": "Long", "int32": "Int", "bool": "Bool", "float16": "Half", "int16": "Short",
            "int8": "Char", "uint8": "Byte"}.get(np.dtype(dtype).name, str(dtype))


def _number(fn, name, value):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{fn}(): argument '{name}' must be Number, not {type(value).__name__}")
    return float(value)


_INTEGER_OK = ("relu", "hardtanh", "threshold")  # torch runs these on integer tensors too


def _elementwise(fn, kernel, input, name, a=0.0, b=0.0, c=0.0, inplace=False):
    if not inplace and isinstance(input, Tensor) and is_float_array(input.data):   # the common case
        return activation(input, name, a, b, c, False)
    check_tensor(fn, "input", input)
    if name in _INTEGER_OK and input.dtype.kind == "b":
        raise RuntimeError(f"Boolean inputs not supported for {fn}")
    if name in _INTEGER_OK and input.dtype.kind in "iu":
        return integer_activation(input, name, a, b, bool(inplace))
    _check_input(fn, kernel, input)
    if inplace:
        check_inplace(fn, input)
    return activation(input, name, a, b, c, bool(inplace))


def _promote_int(fn, input):
    """sigmoid/tanh of an integer tensor: computed in float32, as torch promotes."""
    if not isinstance(input, Tensor):  # torch calls input.<fn>()
        raise AttributeError(f"'{type(input).__name__}' object has no attribute '{fn}' ({fn}: input must be a Tensor)")
    if input.dtype in FLOAT_DTYPES:
        return input
    if input.dtype.kind in "iub":
        return Tensor(input.data.astype(np.float32))
    raise NotImplementedError(f"{fn}: expected input to be float32 or float64 (or an integer type), "
                              f"but got {input.dtype}")


# ---------------------------------------------------------------- ReLU family
def relu(input, inplace=False):
    """max(0, x); NaN propagates."""
    return _elementwise("relu", "clamp_min_cpu", input, "relu", inplace=inplace)


def relu_(input):
    return relu(input, inplace=True)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """clamp(x, min_val, max_val); gradient 0 at and beyond the bounds."""
    min_val = _number("hardtanh", "min_val", min_val)
    max_val = _number("hardtanh", "max_val", max_val)
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return _elementwise("hardtanh", "hardtanh_cpu", input, "hardtanh", min_val, max_val, inplace=inplace)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    return hardtanh(input, min_val, max_val, inplace=True)


def relu6(input, inplace=False):
    """hardtanh(x, 0, 6)."""
    return hardtanh(input, 0.0, 6.0, inplace)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """x if x > 0 else negative_slope * x."""
    slope = _number("leaky_relu", "negative_slope", negative_slope)
    return _elementwise("leaky_relu", "leaky_relu_cpu", input, "leaky_relu", slope, inplace=inplace)


def leaky_relu_(input, negative_slope=0.01):
    return leaky_relu(input, negative_slope, inplace=True)


def prelu(input, weight):
    """x if x > 0 else weight[c] * x, c the channel dim (1; 0 for a 1-d input)."""
    check_tensor("prelu", "input", input)
    check_tensor("prelu", "weight", weight)
    _check_input("prelu", "prelu_cpu", input)
    if weight.dim() > 1:
        raise RuntimeError(f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = {weight.dim()}")
    count = weight.numel()
    if count != 1:
        if input.dim() == 0:
            raise RuntimeError("Not allow zero-dim input tensor.")
        channels = input.shape[1] if input.dim() >= 2 else 1
        if count != channels:
            raise RuntimeError("Mismatch of parameter numbers and input channel size. Found parameter numbers = "
                               f"{count} and channel size = {channels}.")
    if weight.dtype != input.dtype:
        raise RuntimeError(f"prelu: expected weight to have the input's dtype ({input.dtype}), got {weight.dtype}")
    return PReLUFunction.apply(input, weight)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """Training: x if x >= 0 else r * x with r ~ U(lower, upper) per element; eval: slope (lower+upper)/2."""
    lower = _number("rrelu", "lower", lower)
    upper = _number("rrelu", "upper", upper)
    _check_input("rrelu", "leaky_relu_cpu", input)
    if lower > upper:
        raise RuntimeError("Lower bound should be less than or equal to the upper bound")
    if inplace:
        check_inplace("rrelu", input)
    if not training:
        return activation(input, "leaky_relu", (lower + upper) / 2, inplace=bool(inplace))
    slopes = random.default_generator().uniform(lower, upper, size=input.shape).astype(input.dtype)
    factor = np.where(input.data <= 0, slopes, np.asarray(1, dtype=input.dtype)).astype(input.dtype)
    return multiply(input, factor, bool(inplace))   # a fresh C-contiguous array of the input's shape


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    return rrelu(input, lower, upper, training, inplace=True)


def threshold(input, threshold, value, inplace=False):
    """value if x <= threshold else x."""
    threshold = _number("threshold", "threshold", threshold)
    value = _number("threshold", "value", value)
    return _elementwise("threshold", "threshold_cpu", input, "threshold", threshold, value, inplace=inplace)


def threshold_(input, threshold, value):
    return globals()["threshold"](input, threshold, value, inplace=True)


# ---------------------------------------------------------------- ELU family
def elu(input, alpha=1.0, inplace=False):
    """alpha * (exp(x) - 1) if x <= 0 else x."""
    alpha = _number("elu", "alpha", alpha)
    return _elementwise("elu", "elu_cpu", input, "elu", alpha, 1.0, 1.0, inplace)


def elu_(input, alpha=1.0):
    return elu(input, alpha, inplace=True)


def celu(input, alpha=1.0, inplace=False):
    """alpha * (exp(x / alpha) - 1) if x <= 0 else x."""
    alpha = _number("celu", "alpha", alpha)
    check_tensor("celu", "input", input)        # the parser's type checks come before the alpha check
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    return _elementwise("celu", "elu_cpu", input, "elu", alpha, 1.0, 1.0 / alpha, inplace)


def celu_(input, alpha=1.0):
    return celu(input, alpha, inplace=True)


def selu(input, inplace=False):
    """scale * (x if x > 0 else alpha * (exp(x) - 1)), torch's constants."""
    return _elementwise("selu", "elu_cpu", input, "elu", SELU_ALPHA, SELU_SCALE, 1.0, inplace)


def selu_(input):
    return selu(input, inplace=True)


# ---------------------------------------------------------------- smooth activations
def gelu(input, approximate="none"):
    """x * Phi(x); approximate='tanh' uses torch's tanh formula."""
    check_tensor("gelu", "input", input)
    if not isinstance(approximate, str):
        raise TypeError(f"gelu(): argument 'approximate' must be str, not {type(approximate).__name__}")
    if approximate not in ("none", "tanh"):
        raise RuntimeError(f"approximate argument must be either none or tanh. (gelu: got {approximate!r})")
    return _elementwise("gelu", "GeluKernelImpl", input, "gelu" if approximate == "none" else "gelu_tanh")


def sigmoid(input):
    """1 / (1 + exp(-x))."""
    return activation(_promote_int("sigmoid", input), "sigmoid")


def tanh(input):
    return activation(_promote_int("tanh", input), "tanh")


def logsigmoid(input):
    """min(x, 0) - log1p(exp(-|x|))."""
    return _elementwise("logsigmoid", "log_sigmoid_cpu", input, "logsigmoid")


def silu(input, inplace=False):
    """x * sigmoid(x)."""
    return _elementwise("silu", "silu_cpu", input, "silu", inplace=inplace)


def mish(input, inplace=False):
    """x * tanh(softplus(x))."""
    return _elementwise("mish", "mish_cpu", input, "mish", inplace=inplace)


def softplus(input, beta=1.0, threshold=20.0):
    """log1p(exp(beta * x)) / beta, or x where beta * x > threshold."""
    beta = _number("softplus", "beta", beta)
    threshold = _number("softplus", "threshold", threshold)
    return _elementwise("softplus", "softplus_cpu", input, "softplus", beta, threshold)


def softsign(input):
    """x / (1 + |x|)."""
    if isinstance(input, Tensor) and input.dtype.kind == "b":   # torch: input / (input.abs() + 1)
        raise NotImplementedError('softsign: "abs_cpu" not implemented for \'Bool\'')
    return activation(_promote_int("softsign", input), "softsign")


def tanhshrink(input):
    """x - tanh(x)."""
    if isinstance(input, Tensor) and input.dtype.kind == "b":   # torch: input - input.tanh()
        raise RuntimeError("tanhshrink: Subtraction, the `-` operator, with a bool tensor is not supported")
    return activation(_promote_int("tanhshrink", input), "tanhshrink")


def hardsigmoid(input, inplace=False):
    """min(max(x + 3, 0), 6) / 6."""
    return _elementwise("hardsigmoid", "hardsigmoid_cpu", input, "hardsigmoid", inplace=inplace)


def hardswish(input, inplace=False):
    """x * min(max(x + 3, 0), 6) / 6."""
    return _elementwise("hardswish", "hardswish_cpu", input, "hardswish", inplace=inplace)


def hardshrink(input, lambd=0.5):
    """0 on [-lambd, lambd], x elsewhere."""
    lambd = _number("hardshrink", "lambd", lambd)
    return _elementwise("hardshrink", "hardshrink_cpu", input, "hardshrink", lambd)


def softshrink(input, lambd=0.5):
    """x - lambd above lambd, x + lambd below -lambd, 0 between."""
    lambd = _number("softshrink", "lambd", lambd)
    check_tensor("softshrink", "input", input)
    if lambd < 0 or (input.dtype == np.float32 and lambd > float(np.finfo(np.float32).max)):
        name = "Float" if input.dtype == np.float32 else "Double"
        limit = float(np.finfo(input.dtype).max) if input.dtype in FLOAT_DTYPES else 0.0
        raise RuntimeError(f"lambda must be in range [0, {limit:g}] for input dtype {name}, but found {lambd:g}")
    return _elementwise("softshrink", "softshrink_cpu", input, "softshrink", lambd)


# ---------------------------------------------------------------- softmax family
def _softmax_dim(name, ndim, dim):
    """torch's legacy rule when dim is None (with its warning); range-checked dim otherwise."""
    if dim is None:
        warnings.warn(f"Implicit dimension choice for {name} has been deprecated. "
                      "Change the call to include dim=X as an argument.", stacklevel=4)
        return 0 if ndim in (0, 1, 3) else 1
    if isinstance(dim, (bool, np.bool_)) or not isinstance(dim, (int, np.integer)):
        raise TypeError(f"{name}(): argument 'dim' (position 1) must be int, not {type(dim).__name__}")
    dim = int(dim)
    low, high = (-1, 0) if ndim == 0 else (-ndim, ndim - 1)
    if not low <= dim <= high:
        raise IndexError(f"Dimension out of range (expected to be in range of [{low}, {high}], but got {dim})")
    return dim % max(ndim, 1)


def _softmax_input(name, kernel, input, dim, dtype):
    if not isinstance(input, Tensor) and name == "softmin":  # torch evaluates -input first
        raise TypeError(f"bad operand type for unary -: '{type(input).__name__}' (softmin: input must be a Tensor)")
    if not isinstance(input, Tensor):
        raise AttributeError(f"'{type(input).__name__}' object has no attribute '{name}'")
    dim = _softmax_dim(name, input.dim(), dim)
    if dtype is not None:
        input = input.to(_as_dtype(dtype))
    _check_input(name, kernel, input)
    return input, dim


def _fast_softmax_dim(input, dim, dtype):
    """The class dim of a call the full validation would accept unchanged, else None (fast path)."""
    if dtype is None and type(dim) is int and isinstance(input, Tensor) and is_float_array(input.data):
        ndim = input.data.ndim
        if -ndim <= dim < ndim:
            return dim % ndim
    return None


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """exp(x) / sum(exp(x)) over ``dim`` (max subtracted first); dtype casts the input first."""
    fast = _fast_softmax_dim(input, dim, dtype)
    if fast is not None:
        return SoftmaxFunction.apply(input, fast)
    input, dim = _softmax_input("softmax", "softmax_kernel_impl", input, dim, dtype)
    return SoftmaxFunction.apply(input, dim)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """x - log(sum(exp(x))) over ``dim`` (max subtracted first)."""
    fast = _fast_softmax_dim(input, dim, dtype)
    if fast is not None:
        return LogSoftmaxFunction.apply(input, fast)
    input, dim = _softmax_input("log_softmax", "log_softmax_kernel_impl", input, dim, dtype)
    return LogSoftmaxFunction.apply(input, dim)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """softmax(-x) over ``dim``."""
    if isinstance(input, Tensor) and input.dtype.kind == "b":   # torch negates first
        raise RuntimeError("softmin: Negation, the `-` operator, on a bool tensor is not supported")
    input, dim = _softmax_input("softmin", "softmax_kernel_impl", input, dim, dtype)
    return SoftmaxFunction.apply(-input, dim)
