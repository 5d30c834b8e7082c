"""One autograd Function for BatchNorm, InstanceNorm, GroupNorm and LayerNorm.

Each norm describes how it groups the axes of its input (:class:`NormGeometry`):
statistics are taken per row of a (A, R, B) view of the input; the normalisation is
applied per row of a second (A2, R2, B2) view whose rows each know their statistic
row and their weight index (or, for LayerNorm, an elementwise weight over B2).

Forward, per apply row r2 with statistic row r = stat_of_row[r2]:
    y = (x - mean[r]) * rstd[r] * w + b,   rstd = 1 / sqrt(var + eps),  var = var_sum / M (biased).
Backward (batch statistics), with g = dy * w and sums over the statistic row:
    dx = rstd * (g - sum(g) / M - (x - mean) * rstd^2 * sum(g * (x - mean)) / M)
    dw = sum(dy * (x - mean) * rstd),  db = sum(dy)
With fixed (running) statistics the mean and rstd are constants: dx = g * rstd.
"""
import numpy as np

from .._C.buffers import empty as empty_buffer
from .._kernels import normalization as K
from ..autograd import Function
from ..tensor import Tensor
from ._util import contiguous, threads

_EMPTY = {np.dtype(np.float32): np.empty(0, np.float32), np.dtype(np.float64): np.empty(0, np.float64)}


class NormGeometry:
    """How a normalisation groups its input's axes (see refnn/_kernels/normalization.pyx).

    stats_shape   (A, R, B): one statistic per R, over A*B elements.
    apply_shape   (A2, R2, B2): the same memory, rows that share coefficients.
    stat_of_row   (R2,) int: the statistic row of each apply row.
    weight_of_row (R2,) int or None: the weight/bias index of each apply row; None when the
                  weight is elementwise over B2 (LayerNorm).
    running_of_stat (R,) int or None: the running-buffer index of each statistic row; rows that
                  share an index average their updates (InstanceNorm over the batch).
    empty_rstd    the 1/std of a statistic over no elements: 0 (torch's batch and instance norm: zero
                  parameter gradients) or NaN (torch's group norm: 1/sqrt(0/0 + eps), so the weight's
                  gradient, sum(dy * x_hat) * rstd, is NaN).
    """

    def __init__(self, stats_shape, apply_shape, stat_of_row, weight_of_row, running_of_stat=None,
                 empty_rstd=0.0):
        self.stats_shape = tuple(int(n) for n in stats_shape)
        self.apply_shape = tuple(int(n) for n in apply_shape)
        self.stat_of_row = stat_of_row
        self.weight_of_row = weight_of_row
        self.running_of_stat = running_of_stat
        self.empty_rstd = empty_rstd

    @property
    def col_affine(self):
        return self.weight_of_row is None

    @property
    def rows_are_stats(self):
        """True when every row is its own statistic, A = 1, with an elementwise weight (LayerNorm)."""
        if not hasattr(self, "_rows_are_stats"):
            self._rows_are_stats = (self.col_affine and self.stats_shape == self.apply_shape
                                    and self.stats_shape[0] == 1)
        return self._rows_are_stats

    @property
    def grouped_rows(self):
        """k when A = 1 for both shapes and statistic r is exactly apply rows r k .. r k + k - 1 with a
        per-row weight (GroupNorm, InstanceNorm): the fused kernel's case; else 0."""
        if not hasattr(self, "_grouped_rows"):
            A, R, B = self.stats_shape
            A2, R2, B2 = self.apply_shape
            k = R2 // R if R else 0
            self._grouped_rows = (k if (not self.col_affine and A == 1 and A2 == 1 and k * R == R2 and k * B2 == B
                                        and np.array_equal(self.stat_of_row, np.arange(R2) // k)) else 0)
        return self._grouped_rows

    @property
    def count(self):
        """M: the number of elements per statistic."""
        return self.stats_shape[0] * self.stats_shape[2]


def _update_running(geometry, running_mean, running_var, momentum, mean, var_sum):
    """running = (1 - momentum) * running + momentum * batch (unbiased variance), in place."""
    count = geometry.count
    idx = geometry.running_of_stat
    with np.errstate(divide="ignore", invalid="ignore"):
        unbiased = var_sum / (count - 1)
    size = running_mean.data.size
    uses = np.bincount(idx, minlength=size).astype(np.float64)
    for buffer, batch in ((running_mean, mean), (running_var, unbiased)):
        old = buffer.data.reshape(-1).astype(np.float64)
        new = (1.0 - momentum) * old[idx] + momentum * batch
        averaged = np.bincount(idx, weights=new, minlength=size) / np.maximum(uses, 1)
        buffer.data.reshape(-1)[...] = np.where(uses > 0, averaged, old).astype(buffer.dtype)
        buffer._version += 1


def _col_param_grads(ctx, x, dy, weight):
    """grad_weight, grad_bias of an elementwise weight/bias (col_grad_sums), None where not wanted."""
    geometry, needs = ctx.geometry, ctx.needs_input_grad
    grad_weight = grad_bias = None
    if (weight is not None and needs[1]) or (ctx.has_bias and needs[2]):
        width = geometry.apply_shape[2]
        gw = np.empty(width, x.dtype)
        gb = np.empty(width, x.dtype)
        num_rows_total = geometry.apply_shape[0] * geometry.apply_shape[1]
        K.col_grad_sums(x.reshape(num_rows_total, width), dy.reshape(num_rows_total, width), ctx.mean, ctx.rstd,
                        gw, gb, threads())
        if weight is not None and needs[1]:
            grad_weight = gw.reshape(weight.shape)
        if ctx.has_bias and needs[2]:
            grad_bias = gb.reshape(ctx.bias_shape)
    return grad_weight, grad_bias


def _layer_rows_backward(ctx, x, dy, col_weight, col, input, weight):
    """NormFunction.backward for rows that are their own statistic (LayerNorm, batch statistics): the row
    sums and the input gradient in one kernel (K.layer_rows_bwd, the bits of row_grad_sums + row_affine_bwd)."""
    geometry = ctx.geometry
    grad_weight, grad_bias = _col_param_grads(ctx, x, dy, weight)
    rows, width = geometry.apply_shape[1], geometry.apply_shape[2]
    out = empty_buffer((rows, width), x.dtype)
    K.layer_rows_bwd(x.reshape(rows, width), dy.reshape(rows, width), ctx.mean, ctx.rstd, col_weight, col,
                     float(geometry.count), out, threads())
    return out.reshape(input.shape), grad_weight, grad_bias, None, None, None, None, None, None


def _grouped_backward(ctx, x, dy, input, weight):
    """NormFunction.backward for GroupNorm / InstanceNorm with batch statistics: the row sums and the input
    gradient fused per group (K.grouped_rows_bwd, the bits of row_grad_sums + the numpy below + row_affine_bwd)."""
    geometry, needs = ctx.geometry, ctx.needs_input_grad
    dtype = x.dtype
    R, k = geometry.stats_shape[1], geometry.grouped_rows
    num_rows = geometry.apply_shape[1]
    which = geometry.weight_of_row
    w_row = weight.data.reshape(-1).astype(np.float64)[which] if weight is not None else np.ones(num_rows)
    sum_g = np.empty(num_rows, np.float64)
    sum_g_xc = np.empty(num_rows, np.float64)
    out = empty_buffer((R, geometry.stats_shape[2]), dtype)
    K.grouped_rows_bwd(x.reshape(R, -1), dy.reshape(R, -1), k, ctx.mean, ctx.rstd, w_row, float(geometry.count),
                       sum_g, sum_g_xc, out, threads())
    grad_weight = grad_bias = None
    if weight is not None and needs[1]:
        rstd_row = ctx.rstd[geometry.stat_of_row]
        grad_weight = np.bincount(which, weights=sum_g_xc * rstd_row, minlength=weight.data.size).astype(dtype)
        grad_weight = grad_weight.reshape(weight.shape)
    if ctx.has_bias and needs[2]:
        size = int(np.prod(ctx.bias_shape))
        grad_bias = np.bincount(which, weights=sum_g, minlength=size).astype(dtype).reshape(ctx.bias_shape)
    return out.reshape(input.shape), grad_weight, grad_bias, None, None, None, None, None, None


def _grouped_forward(ctx, input, weight, bias, x, geometry, eps):
    """NormFunction.forward for GroupNorm / InstanceNorm with batch statistics and no running buffers:
    statistics and apply fused per group (K.grouped_rows_fwd, the bits of row_moments + row_affine_fwd)."""
    dtype = x.dtype
    R, k = geometry.stats_shape[1], geometry.grouped_rows
    which = geometry.weight_of_row
    w = weight.data.reshape(-1).astype(np.float64)[which] if weight is not None else _EMPTY[np.dtype(np.float64)]
    b = bias.data.reshape(-1).astype(np.float64)[which] if bias is not None else _EMPTY[np.dtype(np.float64)]
    mean = np.zeros(R, np.float64)
    rstd = np.zeros(R, np.float64)
    out = empty_buffer((R, geometry.stats_shape[2]), dtype=dtype)
    K.grouped_rows_fwd(x.reshape(R, -1), k, w, b, weight is not None, bias is not None, float(eps), mean, rstd,
                       out, threads())
    ctx.save_for_backward(input, weight)
    ctx.x = x
    ctx.geometry = geometry
    ctx.mean, ctx.rstd = mean, rstd
    ctx.use_batch_stats = True
    ctx.has_bias = bias is not None
    ctx.bias_shape = bias.shape if bias is not None else None
    return Tensor(out.reshape(input.shape))


class NormFunction(Function):
    """y = normalise(x) * weight + bias over a NormGeometry; running buffers updated in place."""

    @staticmethod
    def forward(ctx, input, weight, bias, geometry, eps, use_batch_stats=True,
                running_mean=None, running_var=None, momentum=0.0):
        x = contiguous(input.data)
        dtype = x.dtype
        num_stats = geometry.stats_shape[1]
        empty = x.size == 0
        if use_batch_stats and running_mean is None and not empty and geometry.grouped_rows:
            return _grouped_forward(ctx, input, weight, bias, x, geometry, eps)
        if use_batch_stats:
            mean = np.zeros(num_stats, np.float64)
            var_sum = np.zeros(num_stats, np.float64)
            if not empty:
                K.row_moments(x.reshape(geometry.stats_shape), mean, var_sum, threads())
            var = var_sum / geometry.count if not empty else var_sum
            if running_mean is not None and not empty:
                _update_running(geometry, running_mean, running_var, momentum, mean, var_sum)
        else:
            idx = geometry.running_of_stat
            mean = running_mean.data.reshape(-1).astype(np.float64)[idx]
            var = running_var.data.reshape(-1).astype(np.float64)[idx]
        with np.errstate(divide="ignore", invalid="ignore"):
            rstd = 1.0 / np.sqrt(var + eps)
        if empty and use_batch_stats:
            rstd = np.full_like(rstd, geometry.empty_rstd)
        rows = geometry.stat_of_row
        centre_row = mean[rows]
        rstd_row = rstd[rows]
        w = weight.data.reshape(-1) if weight is not None else None
        b = bias.data.reshape(-1) if bias is not None else None
        out = empty_buffer(geometry.apply_shape, dtype=dtype)
        if geometry.col_affine:
            scale, shift = rstd_row, np.zeros_like(rstd_row)
            col = w is not None or b is not None
            col_weight = contiguous(w, dtype) if w is not None else np.ones(geometry.apply_shape[2], dtype)
            col_bias = contiguous(b, dtype) if b is not None else np.zeros(geometry.apply_shape[2], dtype)
            if not col:
                col_weight = col_bias = _EMPTY[dtype]
        else:
            which = geometry.weight_of_row
            scale = rstd_row * (w.astype(np.float64)[which] if w is not None else 1.0)
            shift = b.astype(np.float64)[which] if b is not None else np.zeros_like(rstd_row)
            col, col_weight, col_bias = False, _EMPTY[dtype], _EMPTY[dtype]
        K.row_affine_fwd(x.reshape(geometry.apply_shape), contiguous(centre_row, dtype), contiguous(scale, dtype),
                         contiguous(shift, dtype), col_weight, col_bias, col, out, threads())
        ctx.save_for_backward(input, weight)
        ctx.x = x
        ctx.geometry = geometry
        ctx.mean, ctx.rstd = mean, rstd
        ctx.use_batch_stats = use_batch_stats
        ctx.has_bias = bias is not None
        ctx.bias_shape = bias.shape if bias is not None else None
        return Tensor(out.reshape(input.shape))

    @staticmethod
    def backward(ctx, grad):
        input, weight = ctx.saved_tensors
        geometry = ctx.geometry
        x = ctx.x.reshape(geometry.apply_shape)
        dtype = x.dtype
        dy = contiguous(grad, dtype).reshape(geometry.apply_shape)
        rows = geometry.stat_of_row
        mean, rstd = ctx.mean, ctx.rstd
        centre_row = mean[rows]
        rstd_row = rstd[rows]
        w = weight.data.reshape(-1).astype(np.float64) if weight is not None else None
        needs = ctx.needs_input_grad
        grad_input = grad_weight = grad_bias = None
        num_rows = geometry.apply_shape[1]

        col_weight = contiguous(weight.data.reshape(-1), dtype) if (geometry.col_affine and weight is not None) \
            else _EMPTY[dtype]
        col = geometry.col_affine and weight is not None
        if needs[0] and ctx.use_batch_stats and geometry.rows_are_stats and x.size:
            return _layer_rows_backward(ctx, x, dy, col_weight, col, input, weight)
        if needs[0] and ctx.use_batch_stats and geometry.grouped_rows and x.size:
            return _grouped_backward(ctx, x, dy, input, weight)
        sum_g = np.zeros(num_rows, np.float64)
        sum_g_xc = np.zeros(num_rows, np.float64)
        K.row_grad_sums(x, dy, centre_row, col_weight, col, sum_g, sum_g_xc, threads())

        if geometry.col_affine:
            grad_weight, grad_bias = _col_param_grads(ctx, x, dy, weight)
            w_row = np.ones(num_rows)
        else:
            which = geometry.weight_of_row
            if weight is not None and needs[1]:
                grad_weight = np.bincount(which, weights=sum_g_xc * rstd_row, minlength=weight.data.size).astype(dtype)
                grad_weight = grad_weight.reshape(weight.shape)
            if ctx.has_bias and needs[2]:
                size = int(np.prod(ctx.bias_shape))
                grad_bias = np.bincount(which, weights=sum_g, minlength=size).astype(dtype).reshape(ctx.bias_shape)
            w_row = w[which] if w is not None else np.ones(num_rows)

        if needs[0]:
            if ctx.use_batch_stats:
                num_stats = geometry.stats_shape[1]
                count = geometry.count
                if geometry.col_affine:
                    stat_g, stat_g_xc = sum_g, sum_g_xc
                else:
                    stat_g = np.bincount(rows, weights=w_row * sum_g, minlength=num_stats)
                    stat_g_xc = np.bincount(rows, weights=w_row * sum_g_xc, minlength=num_stats)
                with np.errstate(divide="ignore", invalid="ignore"):
                    mean_g = (stat_g / count)[rows]
                    slope = (rstd * rstd * stat_g_xc / count)[rows]
            else:
                mean_g = slope = np.zeros(num_rows)
            out = empty_buffer(geometry.apply_shape, dtype)
            K.row_affine_bwd(x, dy, contiguous(centre_row, dtype), contiguous(rstd_row, dtype),
                             contiguous(w_row, dtype), contiguous(mean_g, dtype), contiguous(slope, dtype), col_weight, col, ctx.use_batch_stats, out,
                             threads())
            grad_input = out.reshape(input.shape)
        return grad_input, grad_weight, grad_bias, None, None, None, None, None, None
