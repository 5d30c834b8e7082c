"""Hypothesis strategies for arguments across the whole space, valid and invalid."""
import numpy as np
from hypothesis import strategies as st

# values around the edges of int32/int64 arithmetic, and the ordinary small ones
EDGE_INTS = [0, -1, -2, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), 2 ** 62, 2 ** 63 - 1, -(2 ** 63)]


def small_or_edge_int(low=-2, high=6):
    return st.one_of(st.integers(low, high), st.sampled_from(EDGE_INTS))


def int_or_tuple(n, low=-2, high=6, edge=True):
    element = small_or_edge_int(low, high) if edge else st.integers(low, high)
    return st.one_of(element, st.lists(element, min_size=max(n - 1, 0), max_size=n + 1).map(tuple))


@st.composite
def arrays(draw, min_rank=0, max_rank=5, max_side=5, dtypes=("float32", "float64"), extra_dtypes=True,
           shape=None):
    """An array of a drawn rank (zero sizes included), dtype, layout and special values."""
    if shape is None:
        rank = draw(st.integers(min_rank, max_rank))
        shape = tuple(draw(st.lists(st.integers(0, max_side), min_size=rank, max_size=rank)))
    pool = list(dtypes) + (["float16", "int64", "bool"] if extra_dtypes else [])
    dtype = draw(st.sampled_from(pool))
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1)))
    layout = draw(st.sampled_from(["contiguous", "contiguous", "transposed", "strided", "negative"]))
    base_shape = list(shape)
    if layout == "strided" and shape:
        base_shape[-1] *= 2
    if layout == "transposed" and len(shape) >= 2:
        base_shape[-1], base_shape[-2] = base_shape[-2], base_shape[-1]
    if dtype == "bool":
        base = rng.random(base_shape) < 0.5
    elif dtype == "int64":
        base = rng.integers(-3, 4, size=base_shape)
    else:
        base = rng.standard_normal(base_shape).astype(dtype)
        if base.size and draw(st.booleans()):
            flat = base.reshape(-1)
            flat[rng.integers(0, flat.size)] = draw(st.sampled_from([np.nan, np.inf, -np.inf, 0.0, -0.0]))
    if layout == "strided" and shape:
        base = base[..., ::2]
    elif layout == "transposed" and len(shape) >= 2:
        base = np.swapaxes(base, -1, -2)
    elif layout == "negative" and shape:
        base = base[..., ::-1]
    return base
