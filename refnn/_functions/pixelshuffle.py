"""Pixel shuffle and unshuffle: one permutation and its inverse (each the other's gradient)."""
import numpy as np

from .._C.buffers import empty
from .._kernels import pixelshuffle as K
from ..autograd import Function
from ..tensor import Tensor
from ._util import contiguous, threads


def shuffle(array, factor):
    """(*, C*r*r, H, W) -> (*, C, H*r, W*r)."""
    *lead, channels, height, width = array.shape
    B = int(np.prod(lead, dtype=np.int64))
    C = channels // (factor * factor)
    if array.size == 0:      # nothing to permute (and the factor may be too large for the 6-d view)
        return empty(tuple(lead) + (C, height * factor, width * factor), dtype=array.dtype)
    source = contiguous(array).reshape(B, C, factor, factor, height, width)
    if array.dtype.kind != "f":  # integer and bool tensors: the same permutation through NumPy
        out = np.ascontiguousarray(source.transpose(0, 1, 4, 2, 5, 3))
    else:
        out = empty((B, C, height, factor, width, factor), dtype=array.dtype)
        K.pixel_shuffle_fwd(source, out, threads())
    return out.reshape(tuple(lead) + (C, height * factor, width * factor))


def unshuffle(array, factor):
    """(*, C, H*r, W*r) -> (*, C*r*r, H, W); an empty array comes back unchanged, as torch 2.13 returns it.

    So, as in torch, the gradient of an empty pixel_shuffle (and, through ``shuffle``, of an empty
    pixel_unshuffle) has its input's shape only when the factor is 1: for a larger factor the autograd
    engine refuses it (torch's "returned an invalid gradient")."""
    if array.size == 0:
        return array.copy()
    *lead, channels, height, width = array.shape
    B = int(np.prod(lead, dtype=np.int64))
    H, W = height // factor, width // factor
    source = contiguous(array).reshape(B, channels, H, factor, W, factor)
    if array.dtype.kind != "f":
        out = np.ascontiguousarray(source.transpose(0, 1, 3, 5, 2, 4))
    else:
        out = empty((B, channels, factor, factor, H, W), dtype=array.dtype)
        K.pixel_shuffle_bwd(source, out, threads())
    return out.reshape(tuple(lead) + (channels * factor * factor, H, W))


class PixelShuffleFunction(Function):
    @staticmethod
    def forward(ctx, input, factor):
        ctx.factor = factor
        return Tensor(shuffle(input.data, factor))

    @staticmethod
    def backward(ctx, grad):
        return unshuffle(grad, ctx.factor), None


class PixelUnshuffleFunction(Function):
    @staticmethod
    def forward(ctx, input, factor):
        ctx.factor = factor
        return Tensor(unshuffle(input.data, factor))

    @staticmethod
    def backward(ctx, grad):
        return shuffle(grad, ctx.factor), None
