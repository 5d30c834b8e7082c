"""grid_sample and affine_grid: autograd Functions over refnn/_kernels/gridsample.pyx.

2-d and 3-d share every loop: a 4-d input is viewed as (N, C, 1, H, W) and its grid as (N, P, 2).
"""
import numpy as np

from .._C.buffers import empty
from .._kernels import gridsample as K
from ..autograd import Function
from ..tensor import Tensor
from ._util import contiguous, threads

MODES = {"bilinear": 0, "nearest": 1, "bicubic": 2}
PADDINGS = {"zeros": 0, "border": 1, "reflection": 2}


def _volume(x):
    """(N, C, H, W) -> (N, C, 1, H, W); a 5-d input as it is."""
    x = contiguous(x)
    return x.reshape(x.shape[:2] + (1,) + x.shape[2:]) if x.ndim == 4 else x


def _points(grid):
    """(N, *out, K) -> (N, P, K)."""
    grid = contiguous(grid)
    return grid.reshape(grid.shape[0], int(np.prod(grid.shape[1:-1], dtype=np.int64)), grid.shape[-1])


class GridSampleFunction(Function):
    @staticmethod
    def forward(ctx, input, grid, mode, padding_mode, align_corners):
        x, g = _volume(input.data), _points(grid.data)
        ctx.save_for_backward(input, grid)
        ctx.args = (MODES[mode], PADDINGS[padding_mode], bool(align_corners))
        out = empty(x.shape[:2] + (g.shape[1],), dtype=x.dtype)
        if out.size:
            K.grid_sample_fwd(x, g, out, *ctx.args, threads(out.size * 8))
        return Tensor(out.reshape(x.shape[:2] + grid.shape[1:-1]))

    @staticmethod
    def backward(ctx, grad):
        input, grid = ctx.saved_tensors
        x, g = _volume(input.data), _points(grid.data)
        grad_out = contiguous(grad).reshape(x.shape[:2] + (g.shape[1],))
        grad_input = empty(x.shape, dtype=x.dtype) if ctx.needs_input_grad[0] else None
        grad_grid = empty(g.shape, dtype=g.dtype) if ctx.needs_input_grad[1] else None
        if (grad_input is not None and grad_input.size) or (grad_grid is not None and grad_grid.size):
            K.grid_sample_bwd(x, grad_out, g, grad_input, grad_grid, *ctx.args, threads(grad_out.size * 8))
        if grad_input is not None:
            grad_input = grad_input.reshape(input.shape)
        if grad_grid is not None:
            grad_grid = grad_grid.reshape(grid.shape)
        return grad_input, grad_grid, None, None, None


def _linspace(steps, align_corners, dtype):
    """torch's linspace(-1, 1, steps) (the first half counted from -1, the rest back from 1), scaled by
    (steps - 1) / steps without align_corners; a single step is 0."""
    if steps <= 1:
        return np.zeros(max(steps, 0), dtype=dtype)
    one = dtype.type(1)
    step = (one - (-one)) / dtype.type(steps - 1)
    index = np.arange(steps)
    half = steps // 2
    values = np.where(index < half, -one + step * index.astype(dtype),
                      one - step * (steps - index - 1).astype(dtype)).astype(dtype)
    if not align_corners:
        values = (values * dtype.type(steps - 1)).astype(dtype) / dtype.type(steps)
    return values.astype(dtype)


def base_grid(spatial, align_corners, dtype):
    """(P, K + 1): each output point's (x, y[, z], 1), x fastest."""
    dtype = np.dtype(dtype)
    axes = [_linspace(n, align_corners, dtype) for n in spatial]        # (D,) H, W
    mesh = np.meshgrid(*axes, indexing="ij")
    columns = [m.reshape(-1) for m in reversed(mesh)]                   # x, y(, z)
    return np.ascontiguousarray(np.stack(columns + [np.ones_like(columns[0])], axis=1))


class AffineGridFunction(Function):
    @staticmethod
    def forward(ctx, theta, spatial, align_corners):
        base = base_grid(spatial, align_corners, theta.dtype)
        ctx.base = base
        N, dims = theta.shape[0], len(spatial)
        grid = np.empty((N, base.shape[0], dims), dtype=theta.dtype)
        if grid.size:
            K.affine_grid_fwd(contiguous(theta.data), base, grid, threads(grid.size * dims))
        return Tensor(grid.reshape((N,) + tuple(spatial) + (dims,)))

    @staticmethod
    def backward(ctx, grad):
        base = ctx.base
        N, dims = grad.shape[0], grad.shape[-1]
        g = contiguous(grad).reshape(N, base.shape[0], dims)
        grad_theta = np.empty((N, dims, dims + 1), dtype=grad.dtype)
        K.affine_grid_bwd(g, base, grad_theta, threads(g.size * (dims + 1)))
        return grad_theta, None, None
