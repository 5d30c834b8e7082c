"""Convolution and transposed convolution (2-d; 1-d arrives with a unit height), and the
non-zero padding modes.

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


def _phase_split(x, out_hw, kernel_hw, stride, pad4, dilation, row_kernel=True):
    """The phase planes of the padded input (N, C*sh*sw, plane) and their row length Q.

    Unstrided, unpadded convolutions whose reads stay inside each image use the input itself.  (None,
    None) when the planes would be far larger than the input and output (a padding or dilation of
    millions): the caller then runs the specification loops, which read the padding without storing it
    and give the same bits.
    """
    (OH, OW), (KH, KW) = out_hw, kernel_hw
    sh, sw = stride
    dh, dw = dilation
    N, C, H, W = x.shape
    if (sh, sw) == (1, 1) and pad4[0] == 0 and pad4[2] == 0 and OW + (KW - 1) * dw == W:
        # furthest element read: 32-wide panels over the flat outputs, and the row kernel's
        # 32-wide chunks of the last output row
        shift = (KH - 1) * dh * W + (KW - 1) * dw
        last = -(-OH * W // 32) * 32
        if row_kernel:
            last = max(last, (OH - 1) * W + -(-OW // 32) * 32)
        if shift + last <= H * W:
            return x.reshape(N, C, H * W), W
    R, Q, plane = K.phase_geometry(OH, OW, KH, KW, sh, sw, dh, dw, 32)
    if N * C * sh * sw * plane > 4 * (x.size + N * C * OH * OW) + (1 << 16):
        return None, None        # huge padding or dilation: the planes would dwarf input and output
    xs = np.empty((N, C * sh * sw, plane), dtype=x.dtype)
    K.phase_split(x, xs, R, Q, sh, sw, pad4[0], pad4[2], threads(xs.size))
    return xs, Q


def conv_out_hw(x_shape, w_shape, stride, pad4, dilation):
    """(OH, OW) of a convolution of x (N, C, H, W) by w (O, C/G, KH, KW)."""
    H, W = x_shape[2:]
    KH, KW = w_shape[2:]
    (sh, sw), (dh, dw) = stride, dilation
    return ((H + pad4[0] + pad4[1] - dh * (KH - 1) - 1) // sh + 1,
            (W + pad4[2] + pad4[3] - dw * (KW - 1) - 1) // sw + 1)


def conv_forward(x, w, bias, stride, pad4, dilation, groups, xs_cache=None):
    """x (N, C, H, W), w (O, C/G, KH, KW) -> (N, O, OH, OW); pad4 = (top, bottom, left, right)."""
    x, w = contiguous(x), contiguous(w)
    N, C, H, W = x.shape
    O, Cg, KH, KW = w.shape
    (sh, sw), (dh, dw) = stride, dilation
    OH, OW = conv_out_hw(x.shape, w.shape, stride, pad4, dilation)
    out = np.empty((N, O, OH, OW), dtype=x.dtype)
    b, has_bias = _bias_arg(bias, x.dtype)
    xs, Q = (None, None) if spec_enabled() else _phase_split(x, (OH, OW), (KH, KW), stride, pad4, dilation,
                                                             row_kernel=O // groups < 3)
    if xs is None:
        K.conv_fwd_spec(x, w, b, has_bias, out, sh, sw, pad4[0], pad4[2], dh, dw, groups, threads())
        return out
    koff = K.tap_offsets(Cg, KH, KW, sh, sw, dh, dw, Q, xs.shape[2])
    w2 = w.reshape(O, Cg * KH * KW)
    wpack = K.pack_weight_rows(w2, groups)
    K.conv_fwd_fast(xs, wpack, w2, koff, b, has_bias, out, Q, Cg * sh * sw, groups,
                    threads(out.size * w2.shape[1]))
    if xs_cache is not None:
        xs_cache.append((xs, Q, koff))
    return out


def _channels_per_chunk(KK, Cg):
    """Channels whose column rows one input-gradient task holds: a multiple of 6 rows when possible."""
    return max(1, min(Cg, 6 // math.gcd(KK, 6)))


def conv_input_grad(g, w, bias, input_hw, stride, pad4, dilation, groups):
    """g (N, O, OH, OW), w (O, C/G, KH, KW) -> (N, C, H, W): the transposed convolution of g."""
    g, w = contiguous(g), contiguous(w, g.dtype)
    N, O, OH, OW = g.shape
    _, Cg, KH, KW = w.shape
    (sh, sw), (dh, dw) = stride, dilation
    grad_input = np.empty((N, Cg * groups) + tuple(input_hw), dtype=g.dtype)
    b, has_bias = _bias_arg(bias, g.dtype)
    if spec_enabled():
        K.conv_bwd_input_spec(g, w, b, has_bias, grad_input, sh, sw, pad4[0], pad4[2], dh, dw, groups,
                              threads())
        return grad_input
    per_chunk = _channels_per_chunk(KH * KW, Cg)
    nchunks = -(-Cg // per_chunk)
    wtpack = K.pack_weight_cols(w.reshape(O, Cg * KH * KW), groups, per_chunk * KH * KW, nchunks)
    K.conv_bwd_input_fast(g, wtpack, b, has_bias, grad_input, KH, KW, per_chunk,
                          sh, sw, pad4[0], pad4[2], dh, dw, groups, threads())
    return grad_input


def conv_weight_grad(x, g, weight_shape, stride, pad4, dilation, groups, xs_cache=None):
    """x (N, C, H, W), g (N, O, OH, OW) -> grad of w (O, C/G, KH, KW)."""
    x, g = contiguous(x), contiguous(g, x.dtype)
    O, Cg, KH, KW = weight_shape
    (sh, sw), (dh, dw) = stride, dilation
    grad_weight = np.empty(weight_shape, dtype=x.dtype)
    if xs_cache:
        xs, Q, koff = xs_cache[0]
    else:
        xs, Q = (None, None) if spec_enabled() else _phase_split(x, g.shape[2:], (KH, KW), stride, pad4, dilation)
        if xs is None:
            K.conv_bwd_weight_spec(x, g, grad_weight, sh, sw, pad4[0], pad4[2], dh, dw, groups, threads())
            return grad_weight
        koff = K.tap_offsets(Cg, KH, KW, sh, sw, dh, dw, Q, xs.shape[2])
    K.conv_bwd_weight_fast(xs, g, koff, grad_weight.reshape(O, Cg * KH * KW), Q, Cg * sh * sw, groups,
                           threads())
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


class ConvFunction(Function):
    """out = conv(input, weight) + bias, 4-d tensors."""

    @staticmethod
    def forward(ctx, input, weight, bias, stride, pad4, dilation, groups):
        ctx.save_for_backward(input, weight)
        ctx.args = (stride, pad4, dilation, groups)
        ctx.has_bias = bias is not None
        ctx.cache = None
        if input.shape[1] == 0:
            # torch: an input without channels gives an output without channels (N, 0, OH, OW), whatever the
            # weight's O; the bias is not added, and every gradient is zero
            out_hw = conv_out_hw(input.shape, weight.shape, stride, pad4, dilation)
            return Tensor(np.empty((input.shape[0], 0) + out_hw, dtype=input.dtype))
        cache = [] if weight.requires_grad else None
        out = conv_forward(input.data, weight.data, None if bias is None else bias.data,
                           stride, pad4, dilation, groups, cache)
        ctx.cache = cache
        return Tensor(out)

    @staticmethod
    def backward(ctx, grad):
        input, weight = ctx.saved_tensors
        stride, pad4, dilation, groups = ctx.args
        if input.shape[1] == 0:
            return _zero_grads(ctx, input, weight, weight.shape[0], grad.dtype, 4)
        grad_input = grad_weight = grad_bias = None
        if ctx.needs_input_grad[0]:
            grad_input = conv_input_grad(grad, weight.data, None, input.shape[2:], stride, pad4, dilation,
                                         groups)
        if ctx.needs_input_grad[1]:
            grad_weight = conv_weight_grad(input.data, grad, weight.shape, stride, pad4, dilation, groups,
                                           ctx.cache)
        if ctx.has_bias and ctx.needs_input_grad[2]:
            grad_bias = bias_grad(grad)
        ctx.cache = None
        return grad_input, grad_weight, grad_bias, None, None, None, None


class ConvTransposeFunction(Function):
    """out = conv_transpose(input, weight) + bias, 4-d tensors; out_hw is the output's spatial size."""

    @staticmethod
    def forward(ctx, input, weight, bias, stride, padding, dilation, groups, out_hw):
        pad4 = (padding[0], 0, padding[1], 0)
        ctx.save_for_backward(input, weight)
        ctx.args = (stride, pad4, dilation, groups)
        ctx.has_bias = bias is not None
        if 0 in out_hw:     # an empty batch with an output size of 0 (torch builds the empty output only)
            return Tensor(np.zeros((input.shape[0], weight.shape[1] * groups) + tuple(out_hw), dtype=input.dtype))
        out = conv_input_grad(input.data, weight.data, None if bias is None else bias.data, out_hw,
                              stride, pad4, dilation, groups)
        return Tensor(out)

    @staticmethod
    def backward(ctx, grad):
        input, weight = ctx.saved_tensors
        stride, pad4, dilation, groups = ctx.args
        if 0 in grad.shape[2:]:
            return _zero_grads(ctx, input, weight, grad.shape[1], grad.dtype, 5)
        grad = contiguous(grad)
        # the transposed convolution's output is the convolution's input: crop what the
        # convolution would not reach (the bottom/right rows added by output_padding are read
        # as zero padding instead)
        H, W = grad.shape[2:]
        KH, KW = weight.shape[2:]
        pad_bottom = (input.shape[2] - 1) * stride[0] + dilation[0] * (KH - 1) + 1 - H - pad4[0]
        pad_right = (input.shape[3] - 1) * stride[1] + dilation[1] * (KW - 1) + 1 - W - pad4[2]
        conv_pad = (pad4[0], max(pad_bottom, 0), pad4[2], max(pad_right, 0))
        grad_input = grad_weight = grad_bias = None
        if ctx.needs_input_grad[0]:
            grad_input = conv_forward(grad, weight.data, None, stride, conv_pad, dilation, groups)
            grad_input = np.ascontiguousarray(grad_input[:, :, :input.shape[2], :input.shape[3]])
        if ctx.needs_input_grad[1]:
            grad_weight = conv_weight_grad(grad, contiguous(input.data, grad.dtype), weight.shape, stride,
                                           conv_pad, dilation, groups)
        if ctx.has_bias and ctx.needs_input_grad[2]:
            grad_bias = bias_grad(grad)
        return grad_input, grad_weight, grad_bias, None, None, None, None, None


from .padding import PadFunction  # noqa: E402,F401  (the conv modules' reflect/replicate/circular padding)
