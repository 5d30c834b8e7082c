"""Reliability under real use: memory.

* no leak: RSS and the number of live Python objects stay flat over thousands of training steps;
* in-place ops allocate nothing of their input's size (tracemalloc sees NumPy's buffers);
* a tensor of more than 2**31 elements pools exactly (int64 indices past 2**31, no wraparound),
  when the machine has the memory.
"""
import ctypes
import gc
import os
import sys
import time
import tracemalloc

import numpy as np
import pytest

import refnn
import refnn.nn as nn
import refnn.nn.functional as F


def _rss_bytes():
    """Resident memory, after handing the C allocator's free pages back to the system (glibc keeps freed
    blocks in its per-thread arenas: without the trim, the RSS tracks what earlier tests on this worker
    left fragmented, not what is alive; likewise refnn's cache of output blocks)."""
    refnn.utils.release_cached_memory()      # refnn's cache of freed output blocks (1 MiB and more) too
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class _LeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 4 * 4, 32)
        self.fc2 = nn.Linear(32, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc2(F.relu(self.fc1(x.reshape(x.shape[0], -1))))


@pytest.mark.slow
@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="RSS is read from /proc/self/statm (Linux)")
def test_training_steps_do_not_leak():
    refnn.manual_seed(0)
    model = _LeNet()
    opt = refnn.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    rng = np.random.default_rng(0)
    x = refnn.tensor(rng.standard_normal((4, 1, 28, 28), dtype=np.float32))
    target = refnn.tensor(rng.integers(0, 10, size=4))

    def steps(n):
        for _ in range(n):
            opt.zero_grad()
            F.cross_entropy(model(x), target).backward()
            opt.step()

    steps(300)                       # warm up: caches, allocator pools, momentum buffers
    gc.collect()
    rss0, objects0 = _rss_bytes(), len(gc.get_objects())
    start = time.monotonic()
    steps(1500)
    gc.collect()
    rss1 = _rss_bytes()
    steps(1500)
    seconds = time.monotonic() - start
    gc.collect()
    rss2, object_growth = _rss_bytes(), len(gc.get_objects()) - objects0
    print(f"3000 LeNet steps in {seconds:.1f} s: RSS {(rss1 - rss0) / 2**20:+.2f} then {(rss2 - rss1) / 2**20:+.2f} "
          f"MiB, {object_growth:+d} live objects")
    assert object_growth < 100          # one leaked object a step would be 3000
    # a leak grows in both windows alike; what a worker's earlier tests leave (arena fragmentation, lazily
    # made buffers) shows once, in the first
    assert rss2 - rss1 < 4 * 2**20      # one leaked 4x6x24x24 activation a step would be 80 MiB
    assert rss2 - rss0 < 16 * 2**20


def _peak_fraction(op, x):
    op()                             # first call: imports and caches
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        op()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / x.data.nbytes


@pytest.mark.parametrize("name", ["relu_", "relu inplace", "leaky_relu inplace", "hardtanh_", "elu_",
                                  "threshold_", "fill_", "zero_", "copy_", "setitem"])
def test_inplace_ops_allocate_nothing_of_the_input_size(name):
    x = refnn.tensor(np.random.default_rng(0).standard_normal(1 << 20).astype(np.float32))
    other = refnn.tensor(np.ones(1 << 20, dtype=np.float32))
    ops = {
        "relu_": lambda: F.relu_(x),
        "relu inplace": lambda: F.relu(x, inplace=True),
        "leaky_relu inplace": lambda: F.leaky_relu(x, 0.1, inplace=True),
        "hardtanh_": lambda: F.hardtanh_(x),
        "elu_": lambda: F.elu_(x),
        "threshold_": lambda: F.threshold_(x, 0.1, 0.0),
        "fill_": lambda: x.fill_(0.5),
        "zero_": lambda: x.zero_(),
        "copy_": lambda: x.copy_(other),
        "setitem": lambda: x.__setitem__(slice(None), 1.0),
    }
    fraction = _peak_fraction(ops[name], x)
    print(f"{name}: peak {fraction:.4f} of the input's bytes")
    assert fraction < 0.05


def test_inplace_activation_with_a_gradient_keeps_what_its_backward_needs():
    """Where the backward reads the input (elu with alpha != 1 ... here silu), in place still copies it."""
    import torch

    data = np.random.default_rng(1).standard_normal((3, 5)).astype(np.float32)
    g = np.random.default_rng(2).standard_normal((3, 5)).astype(np.float32)
    xt = torch.tensor(data, requires_grad=True)
    xr = refnn.tensor(data, requires_grad=True)
    yt = torch.nn.functional.silu(xt * 1, inplace=True)
    yr = F.silu(xr * 1, inplace=True)
    yt.backward(torch.from_numpy(g))
    yr.backward(g)
    np.testing.assert_allclose(yr.data, yt.detach().numpy(), rtol=1.3e-6, atol=1e-5)
    np.testing.assert_allclose(xr.grad.data, xt.grad.numpy(), rtol=1.3e-6, atol=1e-5)


_BIG = 2**31 + 2**20                 # elements of the big plane: past 2**31
_BIG_BYTES = _BIG * 4


def _available_bytes():
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return 0


@pytest.mark.slow
@pytest.mark.skipif(sys.maxsize < 2**40, reason="a 64-bit Python is needed for 2**31 elements")
@pytest.mark.skipif(_available_bytes() < _BIG_BYTES + 2**30,
                    reason=f"needs {(_BIG_BYTES + 2**30) / 2**30:.1f} GiB of free memory, the machine has "
                           f"{_available_bytes() / 2**30:.1f} GiB free")
def test_max_pool_over_more_than_2_to_the_31_elements():
    """One plane of 2**31 + 2**20 float32 zeros with two known maxima, pooled in windows of 2**20:
    values and int64 flat indices are exact, the last window's past 2**31."""
    window = 2**20
    x = np.zeros((1, 1, _BIG), dtype=np.float32)
    x[0, 0, 5] = 3.0
    x[0, 0, 2**31 + 12345] = 7.0
    x[0, 0, 2**31 + 12346] = 7.0     # a tie: the first maximum's index is kept
    start = time.monotonic()
    out, idx = F.max_pool1d(refnn.tensor(x), window, return_indices=True)
    seconds = time.monotonic() - start
    windows = _BIG // window
    expected = np.zeros(windows, dtype=np.float32)
    expected[0], expected[-1] = 3.0, 7.0
    expected_idx = np.arange(windows, dtype=np.int64) * window   # all zeros: the first element wins
    expected_idx[0], expected_idx[-1] = 5, 2**31 + 12345
    print(f"max_pool1d over {_BIG} elements: {seconds:.1f} s")
    assert out.shape == (1, 1, windows) and idx.data.dtype == np.int64
    np.testing.assert_array_equal(out.data[0, 0], expected)
    np.testing.assert_array_equal(idx.data[0, 0], expected_idx)
