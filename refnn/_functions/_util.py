"""Helpers shared by the Functions: contiguous buffers and the thread count."""
import numpy as np

from .._threads import get_num_threads


def contiguous(array, dtype=None):
    """A C-contiguous array of the same shape that the kernels can take (a copy only when needed).

    Not ``np.ascontiguousarray``: that returns a 0-d array as shape (1,), and a gradient computed from it
    would come back as (1,) for a 0-d input."""
    return np.asarray(array, dtype=dtype, order="C")


# Below this much work (elements touched, or multiply-adds) a kernel runs on one thread: starting
# a team costs more than it saves.  The result is the same either way (each output element is
# owned by one thread and sums in a fixed order).
PARALLEL_MIN_WORK = 1 << 16


def threads(work=None):
    """The thread count for a kernel call; 1 when ``work`` is known to be small."""
    if work is not None and work < PARALLEL_MIN_WORK:
        return 1
    return get_num_threads()
