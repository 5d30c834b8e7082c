"""Elementwise maths of the Tensor API and their gradients.

Exact (IEEE-rounded per element, the same bits on every CPU and as torch's): ``abs``, ``neg``,
``sqrt``, ``rsqrt`` (1 / sqrt(x), as torch's CPU kernel computes it), ``sign``, ``floor``, ``ceil``,
``round``, ``clamp``, ``maximum``, ``minimum``, ``where``, and the powers torch special-cases
(0.5, 2, 3, -0.5, -1, -2).
Through the C library, one scalar call per element (``refnn._kernels.elementwise``; within 1 ulp of
the exact value, so the last bit can differ from torch's, but the same on every CPU and at every
position): ``exp``, ``log``, ``log1p``, ``sin``, ``cos``, other powers, and the gradients that need them.
``sigmoid``, ``tanh``, ``relu``, ``softmax`` and ``log_softmax`` go through ``refnn.nn.functional``'s
kernels.
"""
import numpy as np

from .._C.buffers import empty_like
from .._kernels import elementwise as kernel
from ..autograd import Function
from ..tensor import Tensor
from ._outputs import ufunc_into
from ._util import threads
from .arith import _result_dtype, unbroadcast


def libm(op, x):
    """f(x) elementwise by the C library's scalar function (op: kernel.EXP, LOG, LOG1P, SIN, COS)."""
    x = np.asarray(x)
    if x.dtype not in (np.float32, np.float64):   # float16: computed in float32, rounded back
        return libm(op, x.astype(np.float32)).astype(x.dtype)
    flat = np.ascontiguousarray(x).reshape(-1)
    out = empty_like(flat)
    kernel.unary(op, flat, out, threads(flat.size))
    return out.reshape(x.shape)


def libm_pow(x, e):
    """pow(x, e) elementwise by the C library (x and e broadcast; both of x's float dtype)."""
    x = np.asarray(x)
    if x.dtype not in (np.float32, np.float64):
        return libm_pow(x.astype(np.float32), e).astype(x.dtype)
    x, e = np.broadcast_arrays(x, np.asarray(e, dtype=x.dtype))
    flat_x, flat_e = np.ascontiguousarray(x).reshape(-1), np.ascontiguousarray(e).reshape(-1)
    out = empty_like(flat_x)
    kernel.power(flat_x, flat_e, out, threads(flat_x.size))
    return out.reshape(x.shape)


def exp(x):
    return libm(kernel.EXP, x)


def log(x):
    return libm(kernel.LOG, x)


def _float_input(a):
    """The data of ``a`` as torch's floating functions see it: integers and bools become float32."""
    data = a.data
    return data if data.dtype.kind in "fc" else data.astype(np.float32)


class _Unary(Function):
    """y = f(x); subclasses give ``f``, ``grad(x, y, g)`` and whether integers stay integers."""

    keeps_integers = False

    @classmethod
    def f(cls, x):
        raise NotImplementedError

    @classmethod
    def grad(cls, x, y, g):
        raise NotImplementedError

    @classmethod
    def forward(cls, ctx, a):
        x = a.data if cls.keeps_integers else _float_input(a)
        with np.errstate(all="ignore"):
            y = np.asarray(cls.f(x), dtype=x.dtype)
        ctx.x, ctx.y = x, y
        ctx.save_for_backward(a)
        return Tensor(y)

    @classmethod
    def backward(cls, ctx, grad):
        ctx.saved_tensors  # refuses a gradient through an input changed in place since
        with np.errstate(all="ignore"):
            return np.asarray(cls.grad(ctx.x, ctx.y, grad), dtype=grad.dtype)


def _zero_grad(x, y, g):
    return np.zeros_like(g)


def _unary(name, f, grad, keeps_integers=False):
    return type(name, (_Unary,), {"f": staticmethod(f), "grad": staticmethod(grad),
                                  "keeps_integers": keeps_integers,
                                  "__doc__": f"Elementwise {name.lower()}."})


def _sign(x):
    return np.where(np.isnan(x), np.zeros((), x.dtype), np.sign(x)) if x.dtype.kind == "f" else np.sign(x)


def _round(x):
    return np.round(x) if x.dtype.kind == "f" else x


Exp = _unary("Exp", exp, lambda x, y, g: g * y)
Log = _unary("Log", log, lambda x, y, g: g / x)
Log1p = _unary("Log1P", lambda x: libm(kernel.LOG1P, x), lambda x, y, g: g / (x + 1))
Sqrt = _unary("Sqrt", lambda x: ufunc_into(np.sqrt, x), lambda x, y, g: g / (2 * y))
Rsqrt = _unary("Rsqrt", lambda x: 1 / np.sqrt(x), lambda x, y, g: -0.5 * g * (y * y * y))
Sin = _unary("Sin", lambda x: libm(kernel.SIN, x), lambda x, y, g: g * libm(kernel.COS, x))
Cos = _unary("Cos", lambda x: libm(kernel.COS, x), lambda x, y, g: g * -libm(kernel.SIN, x))
Abs = _unary("Abs", lambda x: ufunc_into(np.abs, x), lambda x, y, g: g * _sign(x), keeps_integers=True)
Neg = _unary("Neg", lambda x: ufunc_into(np.negative, x), lambda x, y, g: -g, keeps_integers=True)
Sign = _unary("Sign", _sign, _zero_grad, keeps_integers=True)
Floor = _unary("Floor", np.floor, _zero_grad, keeps_integers=True)
Ceil = _unary("Ceil", np.ceil, _zero_grad, keeps_integers=True)
Round = _unary("Round", _round, _zero_grad, keeps_integers=True)

UNARY = {"exp": Exp, "log": Log, "log1p": Log1p, "sqrt": Sqrt, "rsqrt": Rsqrt, "sin": Sin, "cos": Cos,
         "abs": Abs, "neg": Neg, "sign": Sign, "floor": Floor, "ceil": Ceil, "round": Round}


class RoundDecimals(Function):
    """round(x * 10**d) / 10**d (d < 0: round(x / 10**-d) * 10**-d), as torch computes it."""

    backward_name = "RoundBackward1"

    @staticmethod
    def forward(ctx, a, decimals):
        x = a.data
        with np.errstate(all="ignore"):
            if decimals >= 0:
                scale = np.asarray(10.0 ** decimals, x.dtype)
                y = np.round(x * scale) / scale
            else:
                scale = np.asarray(10.0 ** -decimals, x.dtype)
                y = np.round(x / scale) * scale
        return Tensor(np.asarray(y, dtype=x.dtype))

    @staticmethod
    def backward(ctx, grad):
        return np.zeros_like(grad), None


def _data(x):
    return x.data if isinstance(x, Tensor) else x


class Clamp(Function):
    """min(max(x, lo), hi): hi wins where lo > hi; NaN stays NaN.  Gradient where lo <= x <= hi."""

    backward_name = "ClampBackward1"

    @staticmethod
    def forward(ctx, a, lo, hi):
        dtype = _result_dtype(a, *(b for b in (lo, hi) if isinstance(b, Tensor)))
        if a.dtype.kind != "f" and any(isinstance(b, float) for b in (lo, hi)):
            dtype = np.float32
        x = a.data.astype(dtype, copy=False)
        y = x
        if lo is not None:
            lo_d = np.asarray(_data(lo), dtype=dtype)
            y = np.where(np.isnan(y) | (y >= lo_d), y, lo_d)
        if hi is not None:
            hi_d = np.asarray(_data(hi), dtype=dtype)
            y = np.where(np.isnan(y) | (y <= hi_d), y, hi_d)
        y = np.array(np.broadcast_to(y, np.broadcast_shapes(*(np.shape(_data(b)) for b in (a, lo, hi)
                                                               if b is not None))), dtype=dtype)
        ctx.x, ctx.lo, ctx.hi = x, lo, hi
        ctx.save_for_backward(a)
        return Tensor(y)

    @staticmethod
    def backward(ctx, grad):
        ctx.saved_tensors
        x, lo, hi = ctx.x, ctx.lo, ctx.hi
        zero = np.zeros((), grad.dtype)
        lo_d = None if lo is None else np.asarray(_data(lo), dtype=grad.dtype)
        hi_d = None if hi is None else np.asarray(_data(hi), dtype=grad.dtype)
        keep = np.ones(grad.shape, dtype=bool)
        if lo_d is not None:
            keep &= x >= lo_d
        if hi_d is not None:
            keep &= x <= hi_d
        grads = [unbroadcast(np.where(keep, grad, zero), x.shape) if ctx.needs_input_grad[0] else None]
        if isinstance(lo, Tensor) and ctx.needs_input_grad[1]:
            took_lo = x < lo_d
            if hi_d is not None:
                took_lo &= lo_d <= hi_d
            grads.append(unbroadcast(np.where(took_lo, grad, zero), lo.shape))
        else:
            grads.append(None)
        if isinstance(hi, Tensor) and ctx.needs_input_grad[2]:
            took_hi = x > hi_d
            if lo_d is not None:
                took_hi = (took_hi & (lo_d <= hi_d)) | (lo_d > hi_d)
            grads.append(unbroadcast(np.where(took_hi, grad, zero), hi.shape))
        else:
            grads.append(None)
        return tuple(grads)


class PowTensor(Function):
    """base ** exponent with either a tensor (the other may be a Python number)."""

    backward_name = "PowBackward1"

    @staticmethod
    def forward(ctx, base, exponent):
        dtype = _result_dtype(base, exponent)
        if not isinstance(base, Tensor) or not isinstance(exponent, Tensor):
            scalar = exponent if isinstance(base, Tensor) else base
            tensor = base if isinstance(base, Tensor) else exponent
            dtype = tensor.dtype.dtype
            if dtype.kind != "f" and isinstance(scalar, float):
                dtype = np.dtype(np.float32)
        b = np.asarray(_data(base), dtype=dtype)
        e = np.asarray(_data(exponent), dtype=dtype)
        with np.errstate(all="ignore"):
            if dtype.kind == "f":
                out = libm_pow(b, e)
            else:
                out = np.asarray(np.power(b, e), dtype=dtype)   # integer powers are exact
        ctx.base, ctx.exponent, ctx.out = b, e, out
        ctx.shapes = (np.shape(_data(base)), np.shape(_data(exponent)))
        return Tensor(out)

    @staticmethod
    def backward(ctx, grad):
        b, e, out = ctx.base, ctx.exponent, ctx.out
        zero = np.zeros((), grad.dtype)
        gb = ge = None
        with np.errstate(all="ignore"):
            if ctx.needs_input_grad[0]:
                gb = np.where(e == 0, zero, grad * (e * libm_pow(b, e - 1)))
                gb = unbroadcast(np.asarray(gb, dtype=grad.dtype), ctx.shapes[0])
            if ctx.needs_input_grad[1]:
                ge = np.where((b == 0) & (e >= 0), zero, grad * (out * log(b)))
                ge = unbroadcast(np.asarray(ge, dtype=grad.dtype), ctx.shapes[1])
        return gb, ge


class Where(Function):
    backward_name = "WhereBackward0"

    @staticmethod
    def forward(ctx, condition, a, b):
        dtype = _result_dtype(a, b)
        if not isinstance(a, Tensor) and not isinstance(b, Tensor):
            dtype = np.float32
        cond = np.asarray(_data(condition), dtype=bool)
        out = np.where(cond, np.asarray(_data(a), dtype=dtype), np.asarray(_data(b), dtype=dtype))
        ctx.cond = cond
        ctx.shapes = (np.shape(_data(a)), np.shape(_data(b)))
        return Tensor(np.asarray(out, dtype=dtype))

    @staticmethod
    def backward(ctx, grad):
        zero = np.zeros((), grad.dtype)
        ga = unbroadcast(np.where(ctx.cond, grad, zero), ctx.shapes[0]) if ctx.needs_input_grad[1] else None
        gb = unbroadcast(np.where(ctx.cond, zero, grad), ctx.shapes[1]) if ctx.needs_input_grad[2] else None
        return None, ga, gb


class MaximumMinimum(Function):
    """maximum/minimum (NaN propagates); a tie sends half of the gradient to each side, as torch does."""

    largest = True

    @classmethod
    def forward(cls, ctx, a, b):
        dtype = _result_dtype(a, b)
        x, y = np.asarray(a.data, dtype=dtype), np.asarray(b.data, dtype=dtype)
        out = np.maximum(x, y) if cls.largest else np.minimum(x, y)
        ctx.x, ctx.y = x, y
        return Tensor(np.asarray(out, dtype=dtype))

    @classmethod
    def backward(cls, ctx, grad):
        x, y = ctx.x, ctx.y
        zero = np.zeros((), grad.dtype)
        half = grad / np.asarray(2, grad.dtype)
        a_wins = (x > y) if cls.largest else (x < y)
        b_wins = (x < y) if cls.largest else (x > y)
        ga = np.where(x == y, half, np.where(b_wins, zero, grad))
        gb = np.where(x == y, half, np.where(a_wins, zero, grad))
        return unbroadcast(ga, x.shape), unbroadcast(gb, y.shape)


class Maximum(MaximumMinimum):
    largest = True


class Minimum(MaximumMinimum):
    largest = False
