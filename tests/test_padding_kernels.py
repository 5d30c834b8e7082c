"""The padding backward's fast path (a straight pass over the singly-copied interior) equals its plain
loop bit for bit, signed zeros and NaN included, at 1 and 2 threads; and the kernel's summation order is
the one its docstring gives (folding one padded axis at a time, first padded axis first)."""
import numpy as np
import pytest

import refnn
from refnn._functions.padding import pad_backward

CASES = [
    ((2, 3, 7), ((2, 3),)), ((2, 3, 7), ((-2, 3),)), ((1, 2, 5, 6), ((2, 1), (3, -1))),
    ((2, 4, 5, 6), ((1, 1), (0, 0))), ((1, 2, 3, 4, 5), ((1, 2), (2, 1), (2, 2))), ((3, 8), ((0, 0),)),
    ((2, 2, 3, 9), ((-1, -1), (4, 4))),
]


def _grad(rng, shape, dtype):
    g = rng.standard_normal(shape).astype(dtype)
    flat = g.reshape(-1)
    flat[::7] = -0.0
    flat[3::11] = np.nan
    return g


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fast_path_equals_spec(mode, dtype):
    rng = np.random.default_rng(0)
    for shape, pairs in CASES:
        if mode == "reflect" and any(max(p) >= n for p, n in zip(pairs, shape[-len(pairs):])):
            continue
        out_shape = shape[:-len(pairs)] + tuple(n + a + b for n, (a, b) in zip(shape[-len(pairs):], pairs))
        g = _grad(rng, out_shape, dtype)
        results = []
        for threads in (1, 2):
            refnn.set_num_threads(threads)
            for spec in (False, True):
                results.append(pad_backward(g, shape, pairs, mode, spec=spec))
        refnn.set_num_threads(1)
        for r in results[1:]:
            assert r.tobytes() == results[0].tobytes(), (mode, shape, pairs)


def _fold_axis_by_axis(g, shape, pairs, mode):
    """The documented order, written with numpy.add.at one padded axis at a time (first padded axis first)."""
    numpy_mode = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}[mode]
    lead = len(shape) - len(pairs)
    for i, (before, after) in enumerate(pairs):
        axis, size = lead + i, shape[lead + i]
        source = np.pad(np.arange(size), (max(before, 0), max(after, 0)), mode=numpy_mode)
        source = source[max(-before, 0):len(source) - max(-after, 0)]
        moved = np.moveaxis(g, axis, 0)
        folded = np.zeros((size,) + moved.shape[1:], dtype=g.dtype)
        np.add.at(folded, source, moved)
        g = np.moveaxis(folded, 0, axis)
    return g


@pytest.mark.parametrize("mode", ["reflect", "replicate"])
def test_summation_order_is_axis_by_axis(mode):
    rng = np.random.default_rng(1)
    for shape, pairs in CASES:
        if any(min(p) < 0 for p in pairs) or (mode == "reflect" and any(max(p) >= n for p, n in
                                                                        zip(pairs, shape[-len(pairs):]))):
            continue
        out_shape = shape[:-len(pairs)] + tuple(n + a + b for n, (a, b) in zip(shape[-len(pairs):], pairs))
        g = _grad(rng, out_shape, np.float32)
        assert pad_backward(g, shape, pairs, mode).tobytes() == _fold_axis_by_axis(g, shape, pairs, mode).tobytes()
