"""grid_sample at non-finite grid coordinates: refnn's one rule where torch disagrees with itself.

torch's 3-d kernel treats a NaN/inf coordinate by ATen's scalar rules (padding first: border and
reflection clip a NaN to the last pixel; then anything non-finite or beyond the int range becomes -100,
outside, reading zeros); its 2-d bilinear kernel returns NaN there instead, and its 2-d border path can
crash.  refnn applies the 3-d rule to every rank and mode (the kernel's docstring), so it is held here
against torch's 3-d forward, a 2-d sample being the 3-d one with depth 1 (z = 0 lands on the one plane)."""
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import refnn
import refnn.nn.functional as F

BAD = [np.nan, np.inf, -np.inf, 1e300, -1e300]


@pytest.mark.parametrize("dims,mode", [(2, "bilinear"), (2, "nearest"), (3, "bilinear"), (3, "nearest")])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("align_corners", [False, True])
def test_nonfinite_coordinates_follow_torch_3d(dims, mode, padding_mode, align_corners):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 2) + (3, 4, 5)[3 - dims:])
    points = rng.uniform(-0.9, 0.9, size=(2 * len(BAD) * dims + 1, dims))
    k = 0
    for axis in range(dims):
        for value in BAD:
            points[k, axis] = value
            k += 1
            points[k, axis] = value             # twice: once with the other coordinates inside, once outside
            points[k, (axis + 1) % dims] = 1.7
            k += 1
    grid = points.reshape((1, len(points)) + (1,) * (dims - 1) + (dims,))
    xt, gt = refnn.tensor(x, requires_grad=True), refnn.tensor(grid, requires_grad=True)
    out = F.grid_sample(xt, gt, mode=mode, padding_mode=padding_mode, align_corners=align_corners)
    x3, g3 = x, grid
    if dims == 2:           # the 3-d sample with one depth plane and z = 0
        x3 = x[:, :, None]
        g3 = np.concatenate([grid, np.zeros(grid.shape[:-1] + (1,))], axis=-1)[:, None]
    expected = TF.grid_sample(torch.tensor(x3), torch.tensor(g3), mode=mode, padding_mode=padding_mode,
                              align_corners=align_corners).numpy()
    np.testing.assert_allclose(out.detach().numpy().reshape(-1), expected.reshape(-1), rtol=1e-12, atol=1e-12)
    out.backward(refnn.tensor(np.ones(out.shape)))
    assert np.all(np.isfinite(xt.grad.numpy())) and np.all(np.isfinite(gt.grad.numpy()))


def test_align_corners_default_warns_like_torch():
    x, grid = refnn.tensor(np.zeros((1, 1, 2, 2))), refnn.tensor(np.zeros((1, 1, 1, 2)))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        F.grid_sample(x, grid)
        F.affine_grid(refnn.tensor(np.zeros((1, 2, 3))), (1, 1, 2, 2))
    assert [str(w.message).startswith("Default grid_sample and affine_grid behavior") for w in caught] == [True, True]
