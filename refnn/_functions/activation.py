"""Elementwise activations: one Function driven by a table of (fwd kernel, bwd kernel, what to save).

``ACTIVATIONS[name]`` says which kernels compute the activation, whether its
backward reads the input or the result, and, for ``inplace=True``, which
backward reads the result (so nothing needs keeping); where the backward needs
the input and the op runs in place, the input is copied first (as torch's
autograd saves ``original_self``).  Adding an activation is one table row.
"""
from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np

from .._C.buffers import empty, empty_like
from .._kernels import activation as K
from ..autograd import Function
from ..tensor import Tensor
from .._threads import get_num_threads
from . import _util
from ._util import contiguous, threads


@dataclass(frozen=True)
class Activation:
    fwd: Callable
    bwd: Callable
    saves_result: bool = False              # bwd reads y (else x)
    inplace_bwd: Optional[Callable] = None  # in place: a bwd that reads y, so x need not be kept
    inplace_error: Optional[Callable] = None  # (a, b, c) -> message: torch refuses this in-place backward


_ELU_NEGATIVE = ("In-place elu backward calculation is triggered with a negative slope which is not supported. "
                 "This is caused by calling in-place forward function with a negative slope, please call "
                 "out-of-place version instead.")
_LEAKY_NEGATIVE = ("In-place leakyReLu backward calculation is triggered with a negative slope which is not "
                   "supported. This is caused by calling in-place forward function with a negative slope, "
                   "please call out-of-place version instead.")

ACTIVATIONS = {
    "relu": Activation(K.relu_fwd, K.relu_bwd, saves_result=True),
    "leaky_relu": Activation(K.leaky_relu_fwd, K.leaky_relu_bwd, inplace_bwd=K.leaky_relu_bwd,
                             inplace_error=lambda a, b, c: _LEAKY_NEGATIVE if a < 0 else None),
    "elu": Activation(K.elu_fwd, K.elu_bwd, inplace_bwd=K.elu_result_bwd,
                      inplace_error=lambda a, b, c: _ELU_NEGATIVE if a < 0 else None),
    "hardtanh": Activation(K.hardtanh_fwd, K.hardtanh_bwd, inplace_bwd=K.hardtanh_bwd),
    "hardsigmoid": Activation(K.hardsigmoid_fwd, K.hardsigmoid_bwd),
    "hardswish": Activation(K.hardswish_fwd, K.hardswish_bwd),
    "hardshrink": Activation(K.hardshrink_fwd, K.hardshrink_bwd),
    "softshrink": Activation(K.softshrink_fwd, K.softshrink_bwd),
    "threshold": Activation(K.threshold_fwd, K.threshold_bwd),
    "sigmoid": Activation(K.sigmoid_fwd, K.sigmoid_bwd, saves_result=True),
    "tanh": Activation(K.tanh_fwd, K.tanh_bwd, saves_result=True),
    "logsigmoid": Activation(K.logsigmoid_fwd, K.logsigmoid_bwd),
    "silu": Activation(K.silu_fwd, K.silu_bwd),
    "mish": Activation(K.mish_fwd, K.mish_bwd),
    "softplus": Activation(K.softplus_fwd, K.softplus_bwd),
    "softsign": Activation(K.softsign_fwd, K.softsign_bwd),
    "tanhshrink": Activation(K.tanhshrink_fwd, K.tanhshrink_bwd),
    "gelu": Activation(K.gelu_fwd, K.gelu_bwd),
    "gelu_tanh": Activation(K.gelu_tanh_fwd, K.gelu_tanh_bwd),
}


def _flat(array):
    return contiguous(array).reshape(-1)


def _write_back(ctx, input, out):
    """In place: the result goes into ``input``'s buffer, which is marked dirty and returned."""
    input.data[...] = out
    ctx.mark_dirty(input)
    return input


class ElementwiseFunction(Function):
    """y = f(x; a, b, c) for the activation ``name`` of ``ACTIVATIONS``."""

    @staticmethod
    def forward(ctx, input, name, a=0.0, b=0.0, c=0.0, inplace=False):
        spec = ACTIVATIONS[name]
        if not inplace:     # the common call, in as few steps as it takes (a per-call cost of microseconds)
            data = input.data
            x = data.ravel()        # C order: a view of a contiguous buffer, else a contiguous copy
            out = empty_like(x)
            ctx.params = params = (float(a), float(b), float(c))
            n = x.size
            # the cutoff is read at call time (the determinism audit lowers it to run 2 threads)
            spec.fwd(x, out, *params, 1 if n < _util.PARALLEL_MIN_WORK else get_num_threads())
            result = Tensor(out.reshape(data.shape))
            ctx.spec, ctx.shape, ctx.bwd = spec, data.shape, spec.bwd
            ctx.save_for_backward(result if spec.saves_result else input)
            return result
        x = _flat(input.data)
        reads_result = spec.saves_result or spec.inplace_bwd is not None
        # in place, when no backward needs the input: the kernel writes over it (no buffer of its size)
        overwrite = inplace and input.data.flags.c_contiguous and (reads_result or not ctx.needs_input_grad[0])
        out = x if overwrite else empty_like(x)
        spec.fwd(x, out, float(a), float(b), float(c), threads(x.size))
        out = out.reshape(input.shape)
        ctx.spec, ctx.params, ctx.shape = spec, (float(a), float(b), float(c)), input.shape
        ctx.bwd = spec.bwd
        if not inplace:
            result = Tensor(out)
            ctx.save_for_backward(result if spec.saves_result else input)
            return result
        ctx.error = spec.inplace_error(a, b, c) if spec.inplace_error else None
        if overwrite:
            ctx.mark_dirty(input)
            if reads_result:
                ctx.bwd = spec.inplace_bwd or spec.bwd
                ctx.save_for_backward(input)
            return input
        if reads_result:
            ctx.bwd = spec.inplace_bwd or spec.bwd
            result = _write_back(ctx, input, out)
            ctx.save_for_backward(result)
        else:  # the backward needs the input the op overwrites: keep a copy
            ctx.original = Tensor(x.reshape(input.shape).copy())
            result = _write_back(ctx, input, out)
            ctx.save_for_backward(ctx.original)
        return result

    @staticmethod
    def backward(ctx, grad):
        if getattr(ctx, "error", None):
            raise RuntimeError(ctx.error)
        (saved,) = ctx.saved_tensors
        s = _flat(saved.data)
        grad_input = empty_like(s)
        ctx.bwd(_flat(grad), s, grad_input, *ctx.params, threads(grad_input.size))
        return grad_input.reshape(ctx.shape), None, None, None, None, None


def activation(input, name, a=0.0, b=0.0, c=0.0, inplace=False):
    return ElementwiseFunction.apply(input, name, a, b, c, inplace)


def integer_activation(input, name, a=0.0, b=0.0, inplace=False):
    """relu / hardtanh / threshold of an integer tensor (no gradient): torch truncates the bounds to int."""
    x = input.data
    if name == "relu":
        out = np.where(x < 0, np.zeros((), x.dtype), x)
    elif name == "hardtanh":
        out = np.clip(x, int(a), int(b)).astype(x.dtype)
    else:  # threshold: value if x <= threshold else x
        out = np.where(x <= int(a), np.asarray(int(b)).astype(x.dtype), x)
    if inplace:
        input.data[...] = out
        input._version += 1
        return input
    return Tensor(out.astype(x.dtype, copy=False))


class MultiplyFunction(Function):
    """y = x * factor for a fixed per-element factor (Dropout's scaled mask, RReLU's slopes)."""

    @staticmethod
    def forward(ctx, input, factor, inplace=False):
        x = _flat(input.data)
        out = empty_like(x)
        K.multiply_fwd(x, _flat(factor), out, threads(x.size))
        ctx.factor = factor
        out = out.reshape(input.shape)
        return _write_back(ctx, input, out) if inplace else Tensor(out)

    @staticmethod
    def backward(ctx, grad):
        grad_input = empty(grad.size, dtype=grad.dtype)
        K.multiply_fwd(_flat(grad), _flat(ctx.factor), grad_input, threads(grad_input.size))
        return grad_input.reshape(ctx.factor.shape), None, None


def multiply(input, factor, inplace=False):
    return MultiplyFunction.apply(input, factor, inplace)


def _as_ncs(array, channels):
    """(N, C, S) view of an input whose channels are dim 1 (dim 0 for 1-d, none for 0-d)."""
    if array.ndim == 0:
        return array.reshape(1, 1, 1)
    if array.ndim == 1:
        return array.reshape(1, array.size, 1) if channels > 1 else array.reshape(1, 1, array.size)
    return array.reshape(array.shape[0], array.shape[1], int(np.prod(array.shape[2:], dtype=np.int64)))


class PReLUFunction(Function):
    """y = x if x > 0 else weight[c] * x, c the channel (dim 1; dim 0 of a 1-d input)."""

    @staticmethod
    def forward(ctx, input, weight):
        channels = weight.data.size
        x = contiguous(input.data)
        w = contiguous(weight.data, x.dtype).reshape(-1)
        x3 = _as_ncs(x, channels)
        if channels == 1 and x3.shape[1] != 1:
            x3 = x3.reshape(1, 1, x3.size)
        out = empty_like(x3)
        K.prelu_fwd(x3, w, out, threads())
        ctx.save_for_backward(input, weight)
        ctx.x3, ctx.w = x3, w
        return Tensor(out.reshape(input.shape))

    @staticmethod
    def backward(ctx, grad):
        input, weight = ctx.saved_tensors
        g3 = contiguous(grad).reshape(ctx.x3.shape)
        grad_input = grad_weight = None
        if ctx.needs_input_grad[0]:
            grad_input = empty_like(g3)
            K.prelu_bwd(g3, ctx.x3, ctx.w, grad_input, threads())
            grad_input = grad_input.reshape(input.shape)
        if ctx.needs_input_grad[1]:
            grad_weight = empty_like(ctx.w)
            K.prelu_weight_bwd(g3, ctx.x3, grad_weight, threads())
            grad_weight = grad_weight.reshape(weight.shape)
        return grad_input, grad_weight
