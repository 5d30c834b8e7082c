"""Autograd Functions behind Tensor arithmetic and shape methods (NumPy maths)."""
import numpy as np

from ..autograd import Function
from ..tensor import Tensor
from ._outputs import ufunc_into


def _data(x):
    return x.data if isinstance(x, Tensor) else x


def unbroadcast(grad, shape):
    """Sum ``grad`` over the dimensions that broadcasting added or stretched to reach it.

    Float sums run in the reduction kernel's fixed order (refnn._functions.reduction)."""
    shape = tuple(shape)
    if grad.shape == shape:
        return grad
    lead = grad.ndim - len(shape)
    dims = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(shape)
                                      if n == 1 and grad.shape[lead + i] != 1)
    if grad.dtype.kind != "f":
        return grad.sum(axis=dims).reshape(shape)
    from .reduction import sum_array
    return sum_array(grad, dims).reshape(shape)


def _result_dtype(*xs):
    """torch's type promotion: tensors decide, Python scalars follow unless they are of a higher
    category (a float with integer tensors gives float32, an int with bool tensors int64)."""
    tensor_dtypes = [x.data.dtype for x in xs if isinstance(x, Tensor)]
    if not tensor_dtypes:
        return np.dtype(np.float32)
    dtype = np.result_type(*tensor_dtypes)
    if dtype.kind in "biu" and any(isinstance(x, float) for x in xs):
        return np.dtype(np.float32)
    if dtype.kind == "b" and any(isinstance(x, int) and not isinstance(x, bool) for x in xs):
        return np.dtype(np.int64)
    return dtype


class Add(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = (np.shape(_data(a)), np.shape(_data(b)))
        dtype = _result_dtype(a, b)
        return Tensor(np.asarray(ufunc_into(np.add, _data(a), _data(b)), dtype=dtype))

    @staticmethod
    def backward(ctx, grad):
        return unbroadcast(grad, ctx.shapes[0]), unbroadcast(grad, ctx.shapes[1])


class Sub(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = (np.shape(_data(a)), np.shape(_data(b)))
        return Tensor(np.asarray(ufunc_into(np.subtract, _data(a), _data(b)), dtype=_result_dtype(a, b)))

    @staticmethod
    def backward(ctx, grad):
        return unbroadcast(grad, ctx.shapes[0]), unbroadcast(-grad, ctx.shapes[1])


class Mul(Function):
    @staticmethod
    def forward(ctx, a, b):
        # as torch's autograd saves them: each operand only if the other operand's gradient reads it
        need = ctx.needs_input_grad
        ctx.save_for_backward(a if need[1] and isinstance(a, Tensor) else None,
                              b if need[0] and isinstance(b, Tensor) else None)
        ctx.scalars = (a, b)
        return Tensor(np.asarray(ufunc_into(np.multiply, _data(a), _data(b)), dtype=_result_dtype(a, b)))

    @staticmethod
    def backward(ctx, grad):
        ctx.saved_tensors  # raises if an operand was modified in place since the forward
        a, b = ctx.scalars
        ga = unbroadcast(grad * _data(b), np.shape(_data(a))) if ctx.needs_input_grad[0] else None
        gb = unbroadcast(grad * _data(a), np.shape(_data(b))) if ctx.needs_input_grad[1] else None
        return ga, gb


class Div(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.scalars = (a, b)
        dtype = _result_dtype(a, b)
        if dtype.kind != "f":
            dtype = np.dtype(np.float32)     # true division of integers gives the default float
        with np.errstate(divide="ignore", invalid="ignore"):
            return Tensor(np.asarray(np.true_divide(_data(a), _data(b), dtype=dtype), dtype=dtype))

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.scalars
        ga = unbroadcast(grad / _data(b), np.shape(_data(a))) if ctx.needs_input_grad[0] else None
        gb = (unbroadcast(-grad * _data(a) / (_data(b) * _data(b)), np.shape(_data(b)))
              if ctx.needs_input_grad[1] else None)
        return ga, gb


def power(x, exponent):
    """x ** exponent for a Python-number exponent, as torch's CPU kernel evaluates it: the exponents
    0.5, 2, 3, -0.5, -1 and -2 as sqrt, x*x, x*x*x, 1/sqrt, 1/x and 1/(x*x) (exact IEEE operations),
    any other through the C library's scalar pow (within 1 ulp; the same on every CPU)."""
    one = np.ones((), x.dtype)
    with np.errstate(all="ignore"):
        if exponent == 0.5:
            return np.sqrt(x)
        if exponent == 2:
            return x * x
        if exponent == 3:
            return x * x * x
        if exponent == -0.5:
            return one / np.sqrt(x)
        if exponent == -1:
            return one / x
        if exponent == -2:
            return one / (x * x)
        if exponent == 1:
            return x.copy()
        if exponent == 0:
            return np.ones_like(x)
        if x.dtype.kind != "f":
            return np.power(x, exponent)            # integer powers are exact
        from .pointwise import libm_pow
        return libm_pow(x, exponent)


class Pow(Function):
    """x ** a Python number; gradient exponent * x ** (exponent - 1) (0 for exponent 0)."""

    @staticmethod
    def forward(ctx, a, exponent):
        ctx.a, ctx.exponent = a.data, exponent
        return Tensor(np.asarray(power(a.data, exponent), dtype=a.dtype))

    @staticmethod
    def backward(ctx, grad):
        if ctx.exponent == 0:
            return np.zeros_like(grad), None
        with np.errstate(all="ignore"):
            return grad * (np.asarray(ctx.exponent, grad.dtype) * power(ctx.a, ctx.exponent - 1)), None

class Reshape(Function):
    backward_name = "ViewBackward0"

    @staticmethod
    def forward(ctx, a, shape):
        ctx.shape = a.shape
        return Tensor(a.data.reshape(shape))

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.shape)


class Permute(Function):
    @staticmethod
    def forward(ctx, a, dims):
        ctx.dims = dims
        return Tensor(np.transpose(a.data, dims))

    @staticmethod
    def backward(ctx, grad):
        return np.transpose(grad, np.argsort(ctx.dims))


class Expand(Function):
    @staticmethod
    def forward(ctx, a, shape):
        ctx.shape = a.shape
        return Tensor(np.broadcast_to(a.data, shape))

    @staticmethod
    def backward(ctx, grad):
        return unbroadcast(grad, ctx.shape)


class Index(Function):
    @staticmethod
    def forward(ctx, a, key):
        ctx.shape, ctx.dtype, ctx.key = a.shape, a.dtype, key
        return Tensor(a.data[key])

    @staticmethod
    def backward(ctx, grad):
        out = np.zeros(ctx.shape, dtype=ctx.dtype)
        np.add.at(out, ctx.key, grad)
        return out


class Cat(Function):
    @staticmethod
    def forward(ctx, dim, *tensors):
        ctx.dim = dim
        ctx.sizes = [t.shape[dim] for t in tensors]
        return Tensor(np.concatenate([t.data for t in tensors], axis=dim))

    @staticmethod
    def backward(ctx, grad):
        splits = np.cumsum(ctx.sizes)[:-1]
        return (None,) + tuple(np.split(grad, splits, axis=ctx.dim))


class Stack(Function):
    @staticmethod
    def forward(ctx, dim, *tensors):
        ctx.dim = dim
        return Tensor(np.stack([t.data for t in tensors], axis=dim))

    @staticmethod
    def backward(ctx, grad):
        n = grad.shape[ctx.dim]
        return (None,) + tuple(np.take(grad, i, axis=ctx.dim) for i in range(n))


class Cast(Function):
    backward_name = "ToCopyBackward0"

    @staticmethod
    def forward(ctx, a, dtype):
        ctx.dtype = a.dtype
        return Tensor(a.data.astype(dtype))

    @staticmethod
    def backward(ctx, grad):
        return grad.astype(ctx.dtype), None
