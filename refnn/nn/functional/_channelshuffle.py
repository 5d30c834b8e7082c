"""F.channel_shuffle / F.native_channel_shuffle: torch's checks, then one channel permutation."""
import numpy as np

from ..._functions import channelshuffle as CF
from ..._shape import check_allocation
from ...tensor import Tensor

__all__ = ["channel_shuffle", "native_channel_shuffle"]


def _checked(fn, input, groups):
    if not isinstance(input, Tensor):
        raise TypeError(f"{fn}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if isinstance(groups, (bool, np.bool_)) or not isinstance(groups, (int, np.integer)):
        raise TypeError(f"{fn}(): argument 'groups' (position 2) must be int, not {type(groups).__name__}")
    groups = int(groups)
    if not -2 ** 63 <= groups < 2 ** 63:
        raise ValueError("Overflow when unpacking long long")
    if input.dim() <= 2:
        raise RuntimeError("channel_shuffle expects input with > 2 dims, but got input with sizes "
                           f"[{', '.join(str(n) for n in input.shape)}]")
    if groups <= 0:
        raise RuntimeError(f"Number of groups to divide channels in must be positive. Value of groups:{groups}")
    channels = input.shape[1]
    if channels % groups != 0:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {channels} channels and "
                           f"{groups} groups.")
    check_allocation(fn, input.shape, input.data.itemsize)
    return groups


def channel_shuffle(input, groups):
    """(N, G * K, *) -> (N, K * G, *): the channels read group-interleaved."""
    groups = _checked("channel_shuffle", input, groups)
    return CF.ChannelShuffleFunction.apply(input, groups)


def native_channel_shuffle(input, groups):
    """channel_shuffle without a derivative (torch's native_channel_shuffle)."""
    groups = _checked("native_channel_shuffle", input, groups)
    return CF.NativeChannelShuffleFunction.apply(input, groups)
