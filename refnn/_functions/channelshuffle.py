"""Channel shuffle: a fixed permutation of the channel dim (a copy, no arithmetic) and its inverse."""
import numpy as np

from ..autograd import Function
from ..tensor import Tensor


def shuffle_channels(array, groups):
    """(N, G * K, *) -> (N, K * G, *): output channel k * G + g is input channel g * K + k."""
    N, C = array.shape[:2]
    rest = array.shape[2:]
    view = array.reshape((N, groups, C // groups) + rest) if C else array
    if not C:
        return array.copy()
    return np.ascontiguousarray(np.swapaxes(view, 1, 2)).reshape(array.shape)


class ChannelShuffleFunction(Function):
    @staticmethod
    def forward(ctx, input, groups):
        ctx.groups = groups
        return Tensor(shuffle_channels(input.data, groups))

    @staticmethod
    def backward(ctx, grad):
        """The inverse permutation: a shuffle with C / G groups.  With no channels that is 0 groups, which
        torch's backward refuses (as its forward would); refnn refuses it the same way."""
        inverse = grad.shape[1] // ctx.groups
        if inverse <= 0:
            raise RuntimeError(f"Number of groups to divide channels in must be positive. Value of groups:{inverse}")
        return shuffle_channels(grad, inverse), None


class NativeChannelShuffleFunction(Function):
    """torch's native_channel_shuffle has no derivative: its output requires grad, its backward refuses."""

    @staticmethod
    def forward(ctx, input, groups):
        return Tensor(shuffle_channels(input.data, groups))

    @staticmethod
    def backward(ctx, grad):
        raise RuntimeError("derivative for aten::native_channel_shuffle is not implemented")
