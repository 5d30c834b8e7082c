"""The tutorials' BatchNorm examples, checked against PyTorch 2.13.0 (PyTorch is right where
the posts differ, e.g. the posts' running-average formula '1 - momentum * x_hat')."""
import numpy as np
import pytest
import torch

import refnn
import refnn.nn as rnn
import refnn.nn.functional as RF
from tests.registry.normalization import naming_example1_linear, naming_example2_linear

EXAMPLE1_KEYS = (
    ["conv1.weight", "conv1.bias"]
    + [f"bn1.{n}" for n in ("weight", "bias", "running_mean", "running_var", "num_batches_tracked")]
    + ["stage1.0.weight", "stage1.0.bias"]
    + [f"stage1.1.{n}" for n in ("weight", "bias", "running_mean", "running_var", "num_batches_tracked")]
    + ["conv2.weight", "conv2.bias"]
    + [f"bn2.{n}" for n in ("weight", "bias", "running_mean", "running_var", "num_batches_tracked")]
    + ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"])

_BN = ("weight", "bias", "running_mean", "running_var", "num_batches_tracked")
EXAMPLE2_KEYS = (
    ["module.stage1.0.weight", "module.stage1.0.bias"] + [f"module.stage1.1.{n}" for n in _BN]
    + ["module.stage2.module.0.weight", "module.stage2.module.0.bias"]
    + [f"module.stage2.module.1.{n}" for n in _BN]
    + ["module.conv2.weight", "module.conv2.bias"] + [f"module.bn2.{n}" for n in _BN]
    + ["module.fc1.weight", "module.fc1.bias", "module.fc2.weight", "module.fc2.bias"])


def test_tutorial_rand_100x16x784_running_stats():
    """nn.BatchNorm1d(16) on one batch of torch.rand(100, 16, 784): the tutorial prints running_mean ~0.0500
    and running_var ~0.9083 (= 0.9 * 1 + 0.1 * 1/12, the unbiased variance of U[0, 1))."""
    x = torch.rand(100, 16, 784, generator=torch.Generator().manual_seed(0))
    tm = torch.nn.BatchNorm1d(16)
    tm(x)
    rm = rnn.BatchNorm1d(16)
    out = rm(refnn.Tensor(x.numpy().copy()))
    assert out.shape == (100, 16, 784)
    np.testing.assert_allclose(rm.running_mean.data, tm.running_mean.numpy(), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(rm.running_var.data, tm.running_var.numpy(), rtol=1e-6, atol=1e-7)
    assert np.all(np.abs(rm.running_mean.data - 0.05) < 5e-4)
    assert np.all(np.abs(rm.running_var.data - (0.9 + 0.1 / 12)) < 5e-4)
    assert int(rm.num_batches_tracked.data) == 1
    assert rm.num_batches_tracked.dtype == np.int64


def test_tutorial_running_average_is_torchs_formula():
    """x_new = (1 - momentum) * x_hat + momentum * x_t (not the post's '1 - momentum * x_hat + ...')."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal((6, 3, 5)).astype(np.float64)
    m = rnn.BatchNorm1d(3, momentum=0.25).double()
    m.running_mean.data[...] = [1.0, -2.0, 0.5]
    m.running_var.data[...] = [2.0, 3.0, 0.5]
    m(refnn.Tensor(x))
    batch_mean = x.mean(axis=(0, 2))
    batch_var_unbiased = x.var(axis=(0, 2), ddof=1)
    np.testing.assert_allclose(m.running_mean.data, 0.75 * np.array([1.0, -2.0, 0.5]) + 0.25 * batch_mean,
                               rtol=1e-12)
    np.testing.assert_allclose(m.running_var.data, 0.75 * np.array([2.0, 3.0, 0.5]) + 0.25 * batch_var_unbiased,
                               rtol=1e-12)


def test_tutorial_batchnorm2d_single_image_and_vars():
    """nn.BatchNorm2d(16) on rand(1, 16, 7, 7): one image is fine (49 values per channel)."""
    x = torch.rand(1, 16, 7, 7, generator=torch.Generator().manual_seed(1))
    tm, rm = torch.nn.BatchNorm2d(16), rnn.BatchNorm2d(16)
    yt, yr = tm(x), rm(refnn.Tensor(x.numpy().copy()))
    np.testing.assert_allclose(yr.data, yt.detach().numpy(), rtol=1.3e-6, atol=1e-5)
    assert rm.weight.shape == (16,) and rm.bias.shape == (16,)
    assert list(rm._parameters) == ["weight", "bias"]
    assert list(rm._buffers) == ["running_mean", "running_var", "num_batches_tracked"]
    assert (rm.num_features, rm.eps, rm.momentum, rm.affine, rm.track_running_stats) == (16, 1e-05, 0.1, True, True)
    np.testing.assert_allclose(rm.running_var.data, tm.running_var.numpy(), rtol=1e-6)


def test_tutorial_affine_flag():
    """affine=True: weight ones and bias zeros, trained; affine=False: both None."""
    m = rnn.BatchNorm2d(2, affine=True)
    assert np.all(m.weight.data == 1) and np.all(m.bias.data == 0) and m.weight.requires_grad
    x = np.arange(1 * 2 * 3 * 4, dtype=np.float32).reshape(1, 2, 3, 4)
    expected = torch.nn.BatchNorm2d(2, affine=True)(torch.from_numpy(x.copy())).detach().numpy()
    np.testing.assert_allclose(m(refnn.Tensor(x)).data, expected, rtol=1.3e-6, atol=1e-5)
    m = rnn.BatchNorm2d(2, affine=False)
    assert m.weight is None and m.bias is None
    assert repr(m) == repr(torch.nn.BatchNorm2d(2, affine=False))


@pytest.mark.parametrize("builder,keys", [(naming_example1_linear, EXAMPLE1_KEYS), (naming_example2_linear, EXAMPLE2_KEYS)],
                         ids=["example1", "example2"])
def test_tutorial_state_dict_names(builder, keys):
    """The posts' printed key lists (Sequential numbering, shared modules listed twice, DataParallel's module.)."""
    model_r = builder(rnn, RF)
    model_t = builder(torch.nn, torch.nn.functional)
    assert list(model_t.state_dict()) == keys
    assert list(model_r.state_dict()) == keys
    assert repr(model_r) == repr(model_t)
    assert [n for n, _ in model_r.named_buffers()] == [n for n, _ in model_t.named_buffers()]
