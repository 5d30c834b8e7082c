"""Pooling Functions: max, average, adaptive max, adaptive average, fractional max and max-unpooling.

Every Function sees its input as (P, D, H, W) planes: P the product of the leading (batch and
channel) dims, and the last ``dims`` dims as the plane (2-d pooling gets D = 1, 1-d pooling
D = H = 1).  The outputs take the leading dims back.  Arguments arrive validated and normalised
to 3-d tuples by ``refnn.nn.functional``.
"""
import math

import numpy as np

from .._C.buffers import empty
from .._kernels import pooling as K
from ..autograd import Function
from ..tensor import Tensor
from ._util import contiguous, threads


def _planes(array, dims):
    """array (..., [[D,] H,] W) as a C-contiguous (P, D, H, W) block (unit D, H for fewer dims)."""
    lead = array.shape[:array.ndim - dims]
    spatial = array.shape[array.ndim - dims:]
    plane_shape = (1,) * (3 - dims) + tuple(spatial)
    if not array.flags.c_contiguous:
        array = contiguous(array)
    return array.reshape((math.prod(lead),) + plane_shape), lead


def _unplanes(block, lead, dims):
    """(P, D, H, W) back to lead + the last ``dims`` spatial dims."""
    return block.reshape(tuple(lead) + tuple(block.shape[4 - dims:]))


def _flat(array):
    """(P, ...) as (P, prod(...)): the view max_pool_bwd takes."""
    return array.reshape(array.shape[0], math.prod(array.shape[1:]))


def check_adaptive_grad(name, grad_shape, out_size):
    """torch's adaptive pooling backward refuses a gradient with an empty non-batch dimension (dims 1.. of the
    output; an unbatched 2-d output's channels are not checked), though its forward gave that output.  Its
    adaptive average with every output size 1 is a mean, whose backward has no such check."""
    if name.startswith("adaptive_avg") and all(o == 1 for o in out_size):
        return
    for dim, n in enumerate(grad_shape[1:], 1):
        if n == 0:
            raise RuntimeError(f"{name}(): Expected grad_output to have non-zero size for non-batch dimensions, "
                               f"but grad_output has sizes {list(grad_shape)} with dimension {dim} being empty")


class MaxPoolFunction(Function):
    """Max pooling with indices (flat positions within each input plane)."""

    @staticmethod
    def forward(ctx, input, dims, kernel, stride, padding, dilation, out_size):
        x, lead = _planes(input.data, dims)
        out = empty((x.shape[0],) + tuple(out_size), dtype=x.dtype)
        indices = empty(out.shape, dtype=np.int64)
        K.max_pool_fwd(x, out, indices, *kernel, *stride, *padding, *dilation, True, threads(x.size))
        ctx.dims, ctx.plane_shape, ctx.input_shape = dims, x.shape, input.shape
        ctx.indices = indices
        result, index_tensor = Tensor(_unplanes(out, lead, dims)), Tensor(_unplanes(indices, lead, dims))
        ctx.mark_non_differentiable(index_tensor)
        return result, index_tensor

    @staticmethod
    def backward(ctx, grad_output, grad_indices=None):
        grad_input = empty(ctx.plane_shape, dtype=grad_output.dtype)
        go = contiguous(grad_output).reshape(ctx.indices.shape)
        K.max_pool_bwd(_flat(go), _flat(ctx.indices), _flat(grad_input), threads(grad_input.size))
        return (grad_input.reshape(ctx.input_shape),) + (None,) * 6


class AdaptiveMaxPoolFunction(Function):
    @staticmethod
    def forward(ctx, input, dims, out_size):
        x, lead = _planes(input.data, dims)
        out = empty((x.shape[0],) + tuple(out_size), dtype=x.dtype)
        indices = empty(out.shape, dtype=np.int64)
        K.adaptive_max_pool_fwd(x, out, indices, threads())
        ctx.plane_shape, ctx.input_shape, ctx.indices = x.shape, input.shape, indices
        result, index_tensor = Tensor(_unplanes(out, lead, dims)), Tensor(_unplanes(indices, lead, dims))
        ctx.mark_non_differentiable(index_tensor)
        ctx.out_size = out_size
        ctx.name_dims = max(dims, 2)
        return result, index_tensor

    @staticmethod
    def backward(ctx, grad_output, grad_indices=None):
        check_adaptive_grad(f"adaptive_max_pool{ctx.name_dims}d_backward", grad_output.shape, ctx.out_size)
        grad_input = empty(ctx.plane_shape, dtype=grad_output.dtype)
        go = contiguous(grad_output).reshape(ctx.indices.shape)
        K.max_pool_bwd(_flat(go), _flat(ctx.indices), _flat(grad_input), threads(grad_input.size))
        return grad_input.reshape(ctx.input_shape), None, None


class AvgPoolFunction(Function):
    @staticmethod
    def forward(ctx, input, dims, kernel, stride, padding, count_include_pad, divisor_override, out_size):
        x, lead = _planes(input.data, dims)
        out = empty((x.shape[0],) + tuple(out_size), dtype=x.dtype)
        ctx.params = (*kernel, *stride, *padding, bool(count_include_pad),
                      0 if divisor_override is None else int(divisor_override))
        K.avg_pool_fwd(x, out, *ctx.params, True, threads(x.size))
        ctx.plane_shape, ctx.input_shape, ctx.out_shape = x.shape, input.shape, out.shape
        return Tensor(_unplanes(out, lead, dims))

    @staticmethod
    def backward(ctx, grad_output):
        grad_input = empty(ctx.plane_shape, dtype=grad_output.dtype)
        K.avg_pool_bwd(contiguous(grad_output).reshape(ctx.out_shape), grad_input, *ctx.params, threads())
        return (grad_input.reshape(ctx.input_shape),) + (None,) * 7


class AdaptiveAvgPoolFunction(Function):
    """Adaptive average pooling over the last ``dims`` dims (any number of leading dims)."""

    @staticmethod
    def forward(ctx, input, dims, out_size):
        x, lead = _planes(input.data, dims)
        out = empty((x.shape[0],) + tuple(out_size), dtype=x.dtype)
        K.adaptive_avg_pool_fwd(x, out, threads())
        ctx.plane_shape, ctx.input_shape, ctx.out_shape = x.shape, input.shape, out.shape
        ctx.out_size = out_size
        ctx.name_dims = max(dims, 2)
        return Tensor(_unplanes(out, lead, dims))

    @staticmethod
    def backward(ctx, grad_output):
        check_adaptive_grad(f"adaptive_avg_pool{ctx.name_dims}d_backward", grad_output.shape, ctx.out_size)
        grad_input = empty(ctx.plane_shape, dtype=grad_output.dtype)
        K.adaptive_avg_pool_bwd(contiguous(grad_output).reshape(ctx.out_shape), grad_input, threads())
        return grad_input.reshape(ctx.input_shape), None, None


class FractionalMaxPoolFunction(Function):
    """Max over windows of ``kernel`` starting at each plane's pseudo-random interval starts
    (``starts``: one (P, O_i) int64 array per spatial dim, depth first, unit dims included)."""

    @staticmethod
    def forward(ctx, input, dims, kernel, starts, out_size):
        x, lead = _planes(input.data, dims)
        out = empty((x.shape[0],) + tuple(out_size), dtype=x.dtype)
        indices = empty(out.shape, dtype=np.int64)
        K.fractional_max_pool_fwd(x, *starts, out, indices, *kernel, threads(x.size))
        ctx.plane_shape, ctx.input_shape, ctx.indices = x.shape, input.shape, indices
        result, index_tensor = Tensor(_unplanes(out, lead, dims)), Tensor(_unplanes(indices, lead, dims))
        ctx.mark_non_differentiable(index_tensor)
        return result, index_tensor

    @staticmethod
    def backward(ctx, grad_output, grad_indices=None):
        grad_input = empty(ctx.plane_shape, dtype=grad_output.dtype)
        go = contiguous(grad_output).reshape(ctx.indices.shape)
        K.max_pool_bwd(_flat(go), _flat(ctx.indices), _flat(grad_input), threads(grad_input.size))
        return grad_input.reshape(ctx.input_shape), None, None, None, None


class MaxUnpoolFunction(Function):
    """out[p, indices[p, i]] = input[p, i] over planes of ``out_plane`` values (indices checked)."""

    @staticmethod
    def forward(ctx, input, indices, dims, out_size):
        lead = input.shape[:input.dim() - dims]
        count = math.prod(lead)
        in_plane = math.prod(input.shape[input.dim() - dims:])
        out_plane = math.prod(out_size)
        x = contiguous(input.data).reshape(count, in_plane)
        idx = contiguous(indices.data, np.int64).reshape(count, in_plane)
        out = empty((count, out_plane), dtype=x.dtype)
        K.max_unpool_fwd(x, idx, out, threads())
        ctx.idx, ctx.input_shape, ctx.out_plane = idx, input.shape, out_plane
        return Tensor(out.reshape(tuple(lead) + tuple(out_size)))

    @staticmethod
    def backward(ctx, grad_output):
        if ctx.out_plane == 0:  # nothing was written (torch checks no index then): no gradient flows
            return np.zeros(ctx.input_shape, dtype=grad_output.dtype), None, None, None
        grad_input = empty(ctx.idx.shape, dtype=grad_output.dtype)
        go = contiguous(grad_output).reshape(ctx.idx.shape[0], ctx.out_plane)
        K.max_unpool_bwd(go, ctx.idx, grad_input, threads())
        return grad_input.reshape(ctx.input_shape), None, None, None
