"""Dropout unit tests that are not torch comparisons: seeding, thread independence, p = 0 / 1, eval."""
import numpy as np
import pytest

import refnn
import refnn.nn as nn
import refnn.nn.functional as F


def _x(shape=(64, 64)):
    return refnn.Tensor(np.random.default_rng(0).uniform(0.5, 2, size=shape))


def test_same_seed_same_mask_different_seed_different_mask():
    x = _x()
    refnn.manual_seed(1)
    a = F.dropout(x, 0.5).data
    refnn.manual_seed(1)
    b = F.dropout(x, 0.5).data
    refnn.manual_seed(2)
    c = F.dropout(x, 0.5).data
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_mask_independent_of_threads():
    x = _x()
    saved = refnn.get_num_threads()
    try:
        outs = []
        for n in (1, 2, 3):
            refnn.set_num_threads(n)
            refnn.manual_seed(7)
            outs.append(F.dropout(x, 0.3).data)
    finally:
        refnn.set_num_threads(saved)
    np.testing.assert_array_equal(outs[0], outs[1])
    np.testing.assert_array_equal(outs[0], outs[2])


def test_p0_and_eval_return_the_input():
    x = _x()
    assert F.dropout(x, 0.0) is x
    assert F.dropout(x, 0.5, training=False) is x
    m = nn.Dropout(0.5).eval()
    assert m(x) is x


def test_p1_zeroes_and_keeps_nan():
    x = refnn.Tensor(np.array([1.0, -2.0, np.nan, np.inf]))
    y = F.dropout(x, 1.0).data
    np.testing.assert_array_equal(y[:2], 0)
    assert np.isnan(y[2]) and np.isnan(y[3])  # x * 0, as torch


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_scale_and_fraction(p):
    x = _x((200, 200))
    refnn.manual_seed(3)
    y = F.dropout(x, p).data
    kept = y != 0
    np.testing.assert_array_equal(y[kept], x.data[kept] * (1 / (1 - p)))
    assert abs(kept.mean() - (1 - p)) < 6 * np.sqrt(p * (1 - p) / kept.size)


def test_gradient_uses_the_mask_and_inplace_returns_input():
    x = refnn.Tensor(np.random.default_rng(0).uniform(0.5, 2, size=(30, 30)), requires_grad=True)
    z = x * 1
    refnn.manual_seed(4)
    y = F.dropout(z, 0.4, inplace=True)
    assert y is z
    g = np.random.default_rng(1).standard_normal((30, 30))
    y.backward(g)
    kept = y.data != 0
    np.testing.assert_array_equal(x.grad.data, np.where(kept, g / 0.6, 0))


def test_feature_dropout_masks_whole_channels():
    x = refnn.Tensor(np.ones((4, 50, 3, 3)))
    refnn.manual_seed(0)
    y = F.dropout2d(x, 0.5).data
    per_channel = y.reshape(4, 50, 9)
    assert ((per_channel == 0).all(-1) | (per_channel != 0).all(-1)).all()
