"""Helpers shared by the Functions: contiguous buffers and the thread count."""
import numpy as np

from .._threads import get_num_threads


def contiguous(array, dtype=None):
    """A C-contiguous array the kernels can take (a copy only when needed)."""
    return np.ascontiguousarray(array, dtype=dtype)


def threads():
    return get_num_threads()
