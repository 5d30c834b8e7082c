"""Unfold (im2col) and Fold (col2im): one copy and its adjoint sum, each the other's gradient.

``geometry`` = (KH, KW, DH, DW, PH, PW, SH, SW, OH, OW): kernel, dilation, padding, stride and the grid of
sliding blocks.  Inputs are batched here (the functional layer adds and removes the unbatched dim).
"""
import numpy as np

from .._kernels import fold as K
from ..autograd import Function
from ..tensor import Tensor
from ._util import contiguous, threads


def _block_slices(geometry):
    """For each kernel tap (ki, kj), the strided window of the zero-padded image it reads."""
    KH, KW, DH, DW, PH, PW, SH, SW, OH, OW = geometry
    for ki in range(KH):
        for kj in range(KW):
            yield ki, kj, (Ellipsis, slice(ki * DH, ki * DH + (OH - 1) * SH + 1, SH),
                           slice(kj * DW, kj * DW + (OW - 1) * SW + 1, SW))


def _unfold_bool(x, geometry):
    """Bool tensors (torch accepts them): the same copy through NumPy."""
    KH, KW, DH, DW, PH, PW, SH, SW, OH, OW = geometry
    padded = np.pad(x, ((0, 0), (0, 0), (PH, PH), (PW, PW)))
    columns = np.empty(x.shape[:2] + (KH, KW, OH, OW), dtype=x.dtype)
    for ki, kj, window in _block_slices(geometry):
        columns[:, :, ki, kj] = padded[window]
    return columns.reshape(x.shape[0], -1, OH * OW)


def _fold_bool(columns, image_size, geometry):
    """Bool tensors: torch's col2im accumulates with ``+=``, which on bool is a logical or."""
    KH, KW, DH, DW, PH, PW, SH, SW, OH, OW = geometry
    N, C = columns.shape[0], columns.shape[1] // (KH * KW)
    blocks = columns.reshape(N, C, KH, KW, OH, OW)
    padded = np.zeros((N, C, image_size[0] + 2 * PH, image_size[1] + 2 * PW), dtype=columns.dtype)
    for ki, kj, window in _block_slices(geometry):
        padded[window] |= blocks[:, :, ki, kj]
    return np.ascontiguousarray(padded[:, :, PH:PH + image_size[0], PW:PW + image_size[1]])


def unfold_array(x, geometry):
    """(N, C, H, W) -> (N, C * KH * KW, OH * OW)."""
    KH, KW, *_, OH, OW = geometry
    N, C = x.shape[:2]
    if x.dtype == np.bool_:
        return _unfold_bool(x, geometry)
    columns = np.empty((N, C * KH * KW, OH * OW), dtype=x.dtype)
    if columns.size:
        K.unfold_fwd(contiguous(x), columns, *geometry, threads(columns.size))
    return columns


def fold_array(columns, image_size, geometry):
    """(N, C * KH * KW, OH * OW) -> (N, C, H, W), overlapping entries summed (kernel.fold_fwd's order)."""
    KH, KW = geometry[:2]
    N = columns.shape[0]
    if columns.dtype == np.bool_:
        return _fold_bool(columns, image_size, geometry)
    _, _, DH, DW, PH, PW, SH, SW, OH, OW = geometry
    out = np.empty((N, columns.shape[1] // (KH * KW)) + tuple(image_size), dtype=columns.dtype)
    if out.size:
        rows = np.empty(image_size[0] * KH, dtype=np.intp)
        cols = np.empty(image_size[1] * KW, dtype=np.intp)
        K.block_index(image_size[0], KH, DH, PH, SH, OH, rows)
        K.block_index(image_size[1], KW, DW, PW, SW, OW, cols)
        K.fold_fwd(contiguous(columns), out, rows, cols, KH, KW, OW, threads(columns.size + out.size))
    return out


class UnfoldFunction(Function):
    @staticmethod
    def forward(ctx, input, geometry):
        ctx.image_size, ctx.geometry = input.data.shape[2:], geometry
        return Tensor(unfold_array(input.data, geometry))

    @staticmethod
    def backward(ctx, grad):
        return fold_array(grad, ctx.image_size, ctx.geometry), None


class FoldFunction(Function):
    @staticmethod
    def forward(ctx, input, image_size, geometry):
        ctx.geometry = geometry
        return Tensor(fold_array(input.data, image_size, geometry))

    @staticmethod
    def backward(ctx, grad):
        return unfold_array(grad, ctx.geometry), None, None
