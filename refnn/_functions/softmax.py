"""Softmax and log-softmax over one dim: the dim is moved last, the kernels run over rows."""
import numpy as np

from .._C.buffers import empty_like
from .._kernels import softmax as K
from ..autograd import Function
from ..tensor import Tensor
from ._util import contiguous, threads


def _rows(array, dim):
    """(rows, D) C-contiguous buffer with ``dim`` last (a copy only when dim is not last)."""
    moved = np.moveaxis(array, dim, -1)
    rows = int(np.prod(moved.shape[:-1], dtype=np.int64))
    return contiguous(moved).reshape(rows, moved.shape[-1]), moved.shape


def _unrows(buffer, moved_shape, dim):
    return np.moveaxis(buffer.reshape(moved_shape), -1, dim)


class _SoftmaxBase(Function):
    fwd = bwd = None

    @classmethod
    def forward(cls, ctx, input, dim):
        data = input.data.reshape(1) if input.data.ndim == 0 else input.data
        x, moved_shape = _rows(data, dim)
        out = empty_like(x)
        cls.fwd(x, out, threads())
        ctx.dim, ctx.moved_shape, ctx.shape = dim, moved_shape, input.shape
        result = Tensor(np.ascontiguousarray(_unrows(out, moved_shape, dim)).reshape(input.shape))
        ctx.save_for_backward(result)  # version-checked: an in-place change to y is refused
        return result

    @classmethod
    def backward(cls, ctx, grad):
        g = grad.reshape(1) if grad.ndim == 0 else grad
        (result,) = ctx.saved_tensors
        y = result.data.reshape(1) if result.data.ndim == 0 else result.data
        g, _ = _rows(g, ctx.dim)
        grad_input = empty_like(g)
        cls.bwd(g, _rows(y, ctx.dim)[0], grad_input, threads())
        return np.ascontiguousarray(_unrows(grad_input, ctx.moved_shape, ctx.dim)).reshape(ctx.shape), None


class SoftmaxFunction(_SoftmaxBase):
    """y = exp(x - max) / sum(exp(x - max)) over ``dim``."""
    fwd = staticmethod(K.softmax_fwd)
    bwd = staticmethod(K.softmax_bwd)


class LogSoftmaxFunction(_SoftmaxBase):
    """y = x - max - log(sum(exp(x - max))) over ``dim``."""
    fwd = staticmethod(K.log_softmax_fwd)
    bwd = staticmethod(K.log_softmax_bwd)
