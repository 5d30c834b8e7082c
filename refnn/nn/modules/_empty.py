"""A parameter's storage as torch.empty makes it: its size checks and messages."""
import numbers

import numpy as np


def empty_parameter_data(shape, dtype):
    """np.empty(shape, dtype), refusing what torch.empty refuses (a non-int size, a negative one) with its error."""
    for i, n in enumerate(shape):
        if isinstance(n, bool) or not isinstance(n, (numbers.Integral, np.integer)):
            raise TypeError(f"empty(): argument 'size' (position 1) must be tuple of ints, but found element of "
                            f"type {type(n).__name__} at pos {i}")
    for n in shape:
        if n < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{', '.join(map(str, shape))}]")
    return np.empty(tuple(int(n) for n in shape), dtype=np.dtype(dtype or np.float32))
