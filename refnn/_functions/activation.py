"""Elementwise activations: one Function class per activation, through flat kernels."""
import numpy as np

from .._kernels import activation as K
from ..autograd import Function
from ..tensor import Tensor
from ._util import contiguous, threads


def _flat_out(x):
    return np.empty(x.size, dtype=x.dtype)


class ReLUFunction(Function):
    @staticmethod
    def forward(ctx, input, inplace=False):
        x = contiguous(input.data).reshape(-1)
        out = _flat_out(x)
        K.relu_fwd(x, out, threads())
        out = out.reshape(input.shape)
        if inplace:
            input.data[...] = out
            ctx.mark_dirty(input)
            result = input
        else:
            result = Tensor(out)
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad):
        (result,) = ctx.saved_tensors
        out = contiguous(result.data).reshape(-1)
        grad_in = _flat_out(out)
        K.relu_bwd(contiguous(grad).reshape(-1), out, grad_in, threads())
        return grad_in.reshape(result.shape), None
