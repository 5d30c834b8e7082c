"""Convolution and transposed convolution (3-d; 2-d arrives with a unit depth, 1-d with a unit depth
and height), and the non-zero padding modes.

Three array-level operations carry everything, each with a specification loop and a fast
path that sums in the same order (see the kernel file's docstring):

* ``conv_forward``      out = conv(x, w) + b
* ``conv_input_grad``   the input gradient of a convolution = the transposed convolution
* ``conv_weight_grad``  the weight gradient

``use_spec(True)`` (or ``REFNN_CONV_SPEC=1`` in the environment) runs the specification
loops instead of the fast path; the tests hold the two bit-identical.
"""
import contextlib
import math
import os

import numpy as np

from .._C.buffers import empty
from .._kernels import conv as K
from ..autograd import Function
from ..tensor import Tensor
from ._util import contiguous, threads

_state = {"spec": os.environ.get("REFNN_CONV_SPEC", "0") == "1"}


def spec_enabled():
    return _state["spec"]


@contextlib.contextmanager
def use_spec(flag=True):
    """Run convolutions through the specification loops (flag True) or the fast path."""
    saved = _state["spec"]
    _state["spec"] = bool(flag)
    try:
        yield
    finally:
        _state["spec"] = saved


def _bias_arg(bias, dtype):
    if bias is None:
        return np.zeros(1, dtype=dtype), False
    return contiguous(bias, dtype), True


def _phase_split(x, out_dhw, kernel_dhw, stride, pad6, dilation, row_kernel=True):
    """The phase planes of the padded input (N, C*sd*sh*sw, plane) and their rows per slice R and row
    length Q.

    Unstrided, unpadded convolutions whose reads stay inside each volume use the input itself.  (None,
    None, None) when the planes would be far larger than the input and output (a padding or dilation of
    millions): the caller then runs the specification loops, which read the padding without storing it
    and give the same bits.
    """
    (OD, OH, OW), (KD, KH, KW) = out_dhw, kernel_dhw
    sd, sh, sw = stride
    dd, dh, dw = dilation
    N, C, D, H, W = x.shape
    if (sd, sh, sw) == (1, 1, 1) and pad6[0] == pad6[2] == pad6[4] == 0 and OW + (KW - 1) * dw == W \
            and OH + (KH - 1) * dh == H:
        # furthest element read: 32-wide panels over the flat outputs, and the row kernel's
        # 32-wide chunks of the last output row
        shift = (KD - 1) * dd * H * W + (KH - 1) * dh * W + (KW - 1) * dw
        last = -(-((OD - 1) * H * W + OH * W) // 32) * 32
        if row_kernel:
            last = max(last, (OD - 1) * H * W + (OH - 1) * W + -(-OW // 32) * 32)
        if shift + last <= D * H * W:
            return x.reshape(N, C, D * H * W), H, W
    Z, R, Q, plane = K.phase_geometry(OD, OH, OW, KD, KH, KW, sd, sh, sw, dd, dh, dw, 32)
    if N * C * sd * sh * sw * plane > 4 * (x.size + N * C * OD * OH * OW) + (1 << 16):
        return None, None, None  # huge padding or dilation: the planes would dwarf input and output
    xs = empty((N, C * sd * sh * sw, plane), dtype=x.dtype)
    K.phase_split(x, xs, Z, R, Q, sd, sh, sw, pad6[0], pad6[2], pad6[4], threads(xs.size))
    return xs, R, Q


def conv_out_dhw(x_shape, w_shape, stride, pad6, dilation):
    """(OD, OH, OW) of a convolution of x (N, C, D, H, W) by w (O, C/G, KD, KH, KW)."""
    return tuple((n + pad6[2 * i] + pad6[2 * i + 1] - d * (k - 1) - 1) // s + 1
                 for i, (n, k, s, d) in enumerate(zip(x_shape[2:], w_shape[2:], stride, dilation)))


def _spec_args(stride, pad6, dilation):
    """The kernels' (sd, sh, sw, pf, pt, pl, dd, dh, dw)."""
    return (*stride, pad6[0], pad6[2], pad6[4], *dilation)


def conv_forward(x, w, bias, stride, pad6, dilation, groups, xs_cache=None):
    """x (N, C, D, H, W), w (O, C/G, KD, KH, KW) -> (N, O, OD, OH, OW);
    pad6 = (front, back, top, bottom, left, right)."""
    x, w = contiguous(x), contiguous(w)
    O, Cg, KD, KH, KW = w.shape
    sd, sh, sw = stride
    dd, dh, dw = dilation
    out_dhw = conv_out_dhw(x.shape, w.shape, stride, pad6, dilation)
    out = empty((x.shape[0], O) + out_dhw, dtype=x.dtype)
    b, has_bias = _bias_arg(bias, x.dtype)
    xs, R, Q = (None, None, None) if spec_enabled() else _phase_split(
        x, out_dhw, (KD, KH, KW), stride, pad6, dilation, row_kernel=O // groups < 3)
    if xs is None:
        K.conv_fwd_spec(x, w, b, has_bias, out, *_spec_args(stride, pad6, dilation), groups, threads())
        return out
    koff = K.tap_offsets(Cg, KD, KH, KW, sd, sh, sw, dd, dh, dw, R, Q, xs.shape[2])
    w2 = w.reshape(O, Cg * KD * KH * KW)
    wpack = K.pack_weight_rows(w2, groups, K.tile_rows(O // groups))
    K.conv_fwd_fast(xs, wpack, w2, koff, b, has_bias, out, R, Q, Cg * sd * sh * sw, groups,
                    threads(out.size * w2.shape[1]))
    if xs_cache is not None:
        xs_cache.append((xs, R, Q, koff))
    return out


def _channels_per_chunk(KK, Cg, P=0, itemsize=4):
    """Channels whose column rows one input-gradient task holds: a multiple of 6 rows when possible, and
    more of them (up to 48 rows, 512 KiB of columns per depth slice of P positions) so that each copied
    panel of the output gradient serves more row tiles and the gradient is read by fewer tasks."""
    base = max(1, min(Cg, 6 // math.gcd(KK, 6)))
    per = base
    while per + base <= Cg and (per + base) * KK <= 48 and (per + base) * KK * (P + 16) * itemsize <= 1 << 19:
        per += base
    return per


# The input gradient's columns of one block of positions (nkp*6 rows of NR-column panels): at most this
# many bytes, so that they and the block's gradient panels stay in L2 between the tiles and the col2im
_DGRAD_COLUMN_BYTES = 1 << 18


def conv_input_grad(g, w, bias, input_dhw, stride, pad6, dilation, groups):
    """g (N, O, OD, OH, OW), w (O, C/G, KD, KH, KW) -> (N, C, D, H, W): the transposed convolution of g."""
    g, w = contiguous(g), contiguous(w, g.dtype)
    N, O = g.shape[:2]
    _, Cg, KD, KH, KW = w.shape
    grad_input = empty((N, Cg * groups) + tuple(input_dhw), dtype=g.dtype)
    b, has_bias = _bias_arg(bias, g.dtype)
    if spec_enabled():
        K.conv_bwd_input_spec(g, w, b, has_bias, grad_input, *_spec_args(stride, pad6, dilation), groups,
                              threads())
        return grad_input
    KK = KD * KH * KW
    per_chunk = _channels_per_chunk(KK, Cg, g.shape[3] * g.shape[4], g.dtype.itemsize)
    nchunks = -(-Cg // per_chunk)
    wtpack = K.pack_weight_cols(w.reshape(O, Cg * KK), groups, per_chunk * KK, nchunks)
    nkp = wtpack.shape[2]
    panels = max(1, _DGRAD_COLUMN_BYTES // (nkp * 6 * (16 if g.dtype.itemsize == 4 else 8) * g.dtype.itemsize))
    K.conv_bwd_input_fast(g, wtpack, b, has_bias, grad_input, KD, KH, KW, per_chunk,
                          *_spec_args(stride, pad6, dilation), groups, threads(), panels)
    return grad_input


def conv_weight_grad(x, g, weight_shape, stride, pad6, dilation, groups, xs_cache=None):
    """x (N, C, D, H, W), g (N, O, OD, OH, OW) -> grad of w (O, C/G, KD, KH, KW)."""
    x, g = contiguous(x), contiguous(g, x.dtype)
    O, Cg, KD, KH, KW = weight_shape
    sd, sh, sw = stride
    dd, dh, dw = dilation
    grad_weight = np.empty(weight_shape, dtype=x.dtype)
    if xs_cache:
        xs, R, Q, koff = xs_cache[0]
    else:
        xs, R, Q = (None, None, None) if spec_enabled() else _phase_split(x, g.shape[2:], (KD, KH, KW), stride,
                                                                         pad6, dilation)
        if xs is None:
            K.conv_bwd_weight_spec(x, g, grad_weight, *_spec_args(stride, pad6, dilation), groups, threads())
            return grad_weight
        koff = K.tap_offsets(Cg, KD, KH, KW, sd, sh, sw, dd, dh, dw, R, Q, xs.shape[2])
    K.conv_bwd_weight_fast(xs, g, koff, grad_weight.reshape(O, Cg * KD * KH * KW), R, Q, Cg * sd * sh * sw,
                           groups, threads())
    return grad_weight


def bias_grad(g):
    g = contiguous(g)
    grad_bias = np.empty(g.shape[1], dtype=g.dtype)
    K.conv_bwd_bias(g.reshape(g.shape[0], g.shape[1], int(np.prod(g.shape[2:]))), grad_bias, threads())
    return grad_bias


def _zero_grads(ctx, input, weight, bias_size, dtype, nargs):
    """The gradients of a convolution whose output has no elements (no kernel runs): all zero."""
    grads = [np.zeros(t.shape, dtype=dtype) if ctx.needs_input_grad[i] else None
             for i, t in enumerate((input, weight))]
    grads.append(np.zeros(bias_size, dtype=dtype) if ctx.has_bias and ctx.needs_input_grad[2] else None)
    return tuple(grads) + (None,) * nargs


def _as_5d(array):
    """(N, C, L) -> (N, C, 1, 1, L) and (N, C, H, W) -> (N, C, 1, H, W): a view, the same elements."""
    return array.reshape(array.shape[:2] + (1,) * (5 - array.ndim) + array.shape[2:])


def _as_nd(array, ndim):
    """The 5-d result back at the caller's rank (the unit depth/height dims dropped)."""
    return array.reshape(array.shape[:2] + array.shape[7 - ndim:])


class ConvFunction(Function):
    """out = conv(input, weight) + bias for batched 3-, 4- or 5-d tensors (1-d and 2-d run as 3-d with unit
    dims); stride and dilation are 3-tuples, pad6 = (front, back, top, bottom, left, right)."""

    @staticmethod
    def forward(ctx, input, weight, bias, stride, pad6, dilation, groups):
        ctx.save_for_backward(input, weight)
        ctx.args = (stride, pad6, dilation, groups)
        ctx.has_bias = bias is not None
        ctx.cache = None
        x, w = _as_5d(input.data), _as_5d(weight.data)
        if x.shape[1] == 0:
            # torch: an input without channels gives an output without channels (N, 0, OD, OH, OW), whatever
            # the weight's O; the bias is not added, and every gradient is zero
            out_dhw = conv_out_dhw(x.shape, w.shape, stride, pad6, dilation)
            return Tensor(_as_nd(np.empty((x.shape[0], 0) + out_dhw, dtype=x.dtype), input.ndim))
        cache = [] if weight.requires_grad else None
        out = conv_forward(x, w, None if bias is None else bias.data, stride, pad6, dilation, groups, cache)
        ctx.cache = cache
        return Tensor(_as_nd(out, input.ndim))

    @staticmethod
    def backward(ctx, grad):
        input, weight = ctx.saved_tensors
        stride, pad6, dilation, groups = ctx.args
        if input.shape[1] == 0:
            return _zero_grads(ctx, input, weight, weight.shape[0], grad.dtype, 4)
        x, w, grad = _as_5d(input.data), _as_5d(weight.data), _as_5d(grad)
        grad_input = grad_weight = grad_bias = None
        if ctx.needs_input_grad[0]:
            grad_input = conv_input_grad(grad, w, None, x.shape[2:], stride, pad6, dilation, groups)
            grad_input = grad_input.reshape(input.shape)
        if ctx.needs_input_grad[1]:
            grad_weight = conv_weight_grad(x, grad, w.shape, stride, pad6, dilation, groups, ctx.cache)
            grad_weight = grad_weight.reshape(weight.shape)
        if ctx.has_bias and ctx.needs_input_grad[2]:
            grad_bias = bias_grad(grad)
        ctx.cache = None
        return grad_input, grad_weight, grad_bias, None, None, None, None


class ConvTransposeFunction(Function):
    """out = conv_transpose(input, weight) + bias, 5-d tensors; out_dhw is the output's spatial size."""

    @staticmethod
    def forward(ctx, input, weight, bias, stride, padding, dilation, groups, out_dhw):
        pad6 = (padding[0], 0, padding[1], 0, padding[2], 0)
        ctx.save_for_backward(input, weight)
        ctx.args = (stride, pad6, dilation, groups)
        ctx.has_bias = bias is not None
        if 0 in out_dhw:    # an empty batch with an output size of 0 (torch builds the empty output only)
            return Tensor(np.zeros((input.shape[0], weight.shape[1] * groups) + tuple(out_dhw), dtype=input.dtype))
        out = conv_input_grad(input.data, weight.data, None if bias is None else bias.data, out_dhw,
                              stride, pad6, dilation, groups)
        return Tensor(out)

    @staticmethod
    def backward(ctx, grad):
        input, weight = ctx.saved_tensors
        stride, pad6, dilation, groups = ctx.args
        if 0 in grad.shape[2:]:
            return _zero_grads(ctx, input, weight, grad.shape[1], grad.dtype, 5)
        grad = contiguous(grad)
        # the transposed convolution's output is the convolution's input: crop what the
        # convolution would not reach (the back/bottom/right slices added by output_padding are read
        # as zero padding instead)
        conv_pad = []
        for i in range(3):
            after = (input.shape[2 + i] - 1) * stride[i] + dilation[i] * (weight.shape[2 + i] - 1) + 1 \
                - grad.shape[2 + i] - pad6[2 * i]
            conv_pad += [pad6[2 * i], max(after, 0)]
        conv_pad = tuple(conv_pad)
        grad_input = grad_weight = grad_bias = None
        if ctx.needs_input_grad[0]:
            grad_input = conv_forward(grad, weight.data, None, stride, conv_pad, dilation, groups)
            grad_input = np.ascontiguousarray(grad_input[:, :, :input.shape[2], :input.shape[3], :input.shape[4]])
        if ctx.needs_input_grad[1]:
            grad_weight = conv_weight_grad(grad, contiguous(input.data, grad.dtype), weight.shape, stride,
                                           conv_pad, dilation, groups)
        if ctx.has_bias and ctx.needs_input_grad[2]:
            grad_bias = bias_grad(grad)
        return grad_input, grad_weight, grad_bias, None, None, None, None, None


from .padding import PadFunction  # noqa: E402,F401  (the conv modules' reflect/replicate/circular padding)
