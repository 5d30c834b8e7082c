"""CrossMapLRN2d: torch's legacy cross-channel LRN (torch.nn._functions.CrossMapLRN2d), step for step.

The scale of channel c is a running sum of squares over channels, built as torch builds it: channel 0 sums
squares 0 .. pre_pad - 1 (pre_pad = (size - 1) / 2 + 1, truncated), each later channel adds square
c + pre_pad - 1 (while it exists) and, once c > pre_pad, subtracts square c - pre_pad.  (So channel pre_pad
keeps square 0 in its window: torch's arithmetic, followed here.)  scale = k + alpha / size * sum;
out = scale^-beta * x.  The backward is torch's own formula with its running sum over size - 1 channels.
Every step is an elementwise IEEE operation on whole (N, H, W) slices, in torch's order; the powers go
through refnn's pow.
"""
import numpy as np

from ..autograd import Function, no_grad
from ..tensor import Tensor


def _pow(array, exponent):
    with no_grad():
        return Tensor(array).pow(exponent).data


class CrossMapLRN2dFunction(Function):
    @staticmethod
    def forward(ctx, input, size, alpha, beta, k):
        with np.errstate(all="ignore"):         # NaN and inf inputs propagate as IEEE says, silently
            return CrossMapLRN2dFunction._forward(ctx, input, size, alpha, beta, k)

    @staticmethod
    def backward(ctx, grad):
        with np.errstate(all="ignore"):
            return CrossMapLRN2dFunction._backward(ctx, grad)

    @staticmethod
    def _forward(ctx, input, size, alpha, beta, k):
        x = np.asarray(input.data)
        dtype = x.dtype.type
        channels = x.shape[1]
        square = x * x
        pre_pad = int((size - 1) / 2 + 1)
        scale = np.empty_like(x)
        first = np.zeros_like(x[:, 0])
        for c in range(min(pre_pad, channels)):
            first = first + square[:, c]
        scale[:, 0] = first
        for c in range(1, channels):
            current = scale[:, c - 1].copy()
            if c < channels - pre_pad + 1:
                current = current + square[:, c + pre_pad - 1]
            if c > pre_pad:
                current = current + square[:, c - pre_pad] * dtype(-1)
            scale[:, c] = current
        scale = scale * dtype(alpha / size) + dtype(k)
        output = _pow(scale, -beta) * x
        ctx.saved = (x, output, scale)
        ctx.params = (size, alpha, beta)
        return Tensor(output)

    @staticmethod
    def _backward(ctx, grad):
        x, output, scale = ctx.saved
        size, alpha, beta = ctx.params
        grad = np.asarray(grad, dtype=x.dtype)
        dtype = x.dtype.type
        batch, channels = x.shape[:2]
        cache_ratio_value = dtype(-(2 * alpha * beta / size))
        inverse_pre_pad = int(size - (size - 1) / 2)
        if inverse_pre_pad + channels > channels + size - 1:     # torch's narrow of its padded buffer (size 1)
            raise RuntimeError(f"start ({inverse_pre_pad}) + length ({channels}) exceeds dimension size "
                               f"({channels + size - 1}).")
        grad_input = _pow(scale, -beta) * grad
        padded = np.zeros((channels + size - 1,) + x.shape[2:], dtype=x.dtype)
        for n in range(batch):
            padded[inverse_pre_pad:inverse_pre_pad + channels] = grad[n] * output[n] / scale[n]
            accum = np.zeros(x.shape[2:], dtype=x.dtype)
            for c in range(size - 1):
                accum = accum + padded[c]
            for c in range(channels):
                accum = accum + padded[c + size - 1]
                grad_input[n, c] = grad_input[n, c] + cache_ratio_value * x[n, c] * accum
                accum = accum + padded[c] * dtype(-1)
        return grad_input, None, None, None, None
