"""The convolution fast path sums every output element in the specification loops' order:
outputs and all gradients bit-identical to the spec loops over every conv registry case, in every kernel
build this CPU runs (baseline, AVX2, AVX-512, switched in this process by refnn._isa.forced; CI runs this
file again under REFNN_ISA=baseline)."""
import numpy as np
import pytest

import refnn
from refnn import _isa
from refnn._functions import conv as conv_functions
from tests.harness import golden, run_refnn_only
from tests.harness.runner import case_id
from tests.registry import expanded


@pytest.fixture(autouse=True, params=_isa.supported_builds())
def kernel_build(request):
    """Every test of this file runs once per kernel build the CPU supports."""
    with _isa.forced(request.param):
        assert refnn.kernel_build() == request.param
        yield request.param


PAIRS = [(c, d) for c, d in expanded(["conv", "conv3d"])
         if type(c).__name__ != "ErrorCase" and not c.skip and not c.xfail]


@pytest.mark.parametrize("case,dtype", PAIRS, ids=[case_id(c, d) for c, d in PAIRS])
def test_conv_fast_equals_spec(case, dtype):
    saved = refnn.get_num_threads()
    try:
        refnn.set_num_threads(2)
        with conv_functions.use_spec(False):
            fast = run_refnn_only(case, dtype)
        with conv_functions.use_spec(True):
            spec = run_refnn_only(case, dtype)
    finally:
        refnn.set_num_threads(saved)
    assert len(fast) == len(spec)
    for i, (a, b) in enumerate(zip(fast, spec)):
        # every NaN counts as one value (tests/harness/golden.py): which NaN 0 * inf gives follows the operand
        # order of the instruction the compiler chose, and the baseline build's vector code orders them otherwise
        assert a[0] == b[0] and golden.canonical(*a) == golden.canonical(*b), (
            f"blob {i} (output, then gradients) differs between the fast path and the spec loops")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", [
    # (N, C, H, W, O, KH, KW, stride, padding, dilation, groups): tiles with partial edges
    (2, 16, 11, 13, 13, 3, 3, (1, 1), (1, 1), (1, 1), 1),
    (1, 20, 9, 17, 7, 3, 5, (2, 3), (2, 1), (1, 2), 1),
    (2, 12, 10, 10, 18, 1, 1, (1, 1), (0, 0), (1, 1), 3),
    (1, 6, 12, 12, 12, 4, 4, (2, 2), (1, 1), (1, 1), 6),
    (3, 9, 7, 30, 2, 3, 3, (1, 2), (1, 1), (2, 1), 1),
    # K = 576 taps: three K blocks of the forward (KC = 256), a partial last block and a partial row panel
    (1, 64, 9, 11, 10, 3, 3, (1, 1), (1, 1), (1, 1), 1),
    # 36 k-panels of the weight gradient: 3 tasks of 16 re-cut into 4 of 9 at two threads
    (1, 24, 8, 9, 7, 3, 3, (1, 1), (1, 1), (1, 1), 1),
    # input gradient: 4 channels per task over 10 (a partial last task); weight gradient: rows of 21
    # positions (8 x 8 transposes and single positions in one A panel)
    (2, 10, 9, 21, 7, 3, 3, (1, 1), (1, 1), (1, 1), 1),
    # 8-row forward tiles under AVX-512 (16 and 40 channels per group: whole tiles stored in place; 13: a
    # partial last tile), 6-row ones in the other builds
    (1, 8, 9, 37, 16, 3, 3, (1, 1), (1, 1), (1, 1), 1),
    (2, 6, 7, 19, 80, 3, 2, (1, 1), (1, 0), (1, 1), 2),
    (1, 5, 6, 40, 13, 1, 3, (1, 2), (0, 1), (1, 1), 1),
])
def test_conv_fast_equals_spec_tiles(shape, dtype):
    """Larger shapes than the registry's: several row panels, column panels and k-panel blocks."""
    N, C, H, W, O, KH, KW, stride, padding, dilation, groups = shape
    rng = np.random.default_rng(0)
    x = rng.standard_normal((N, C, H, W)).astype(dtype)
    w = rng.standard_normal((O, C // groups, KH, KW)).astype(dtype)
    b = rng.standard_normal(O).astype(dtype)
    results = []
    for spec in (False, True):
        with conv_functions.use_spec(spec):
            xt, wt, bt = (refnn.Tensor(a.copy(), requires_grad=True) for a in (x, w, b))
            out = refnn.nn.functional.conv2d(xt, wt, bt, stride, padding, dilation, groups)
            g = np.random.default_rng(1).standard_normal(out.shape).astype(dtype)
            refnn.autograd.backward([out], [g])
            yt = refnn.nn.functional.conv_transpose2d(refnn.Tensor(g.copy(), requires_grad=True), wt, None,
                                                      stride, padding, 0, groups, dilation)
            results.append([out.data, xt.grad.data, wt.grad.data, bt.grad.data, yt.data])
    for a, b in zip(*results):
        assert a.tobytes() == b.tobytes()


def test_forward_tile_rows(kernel_build):
    """The forward's tile height: 8 rows only under the AVX-512 build and only where they compute no more rows
    than 6-row tiles (the choice changes the speed, never a bit: the tests above hold every build to the spec)."""
    from refnn._kernels import conv as K
    for rows, eight in [(32, True), (64, True), (16, True), (13, True), (7, True), (12, False), (6, False),
                        (18, False), (3, False)]:
        assert K.tile_rows(rows) == (8 if eight and kernel_build == "avx512" else 6), rows


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", [
    # (N, C, D, H, W, O, K, stride, padding, dilation, groups): several depth slices per panel, partial
    # edges, the row kernel (O/G < 3) and the in-place (unpadded, unstrided) planes
    (2, 8, 5, 7, 9, 13, (3, 3, 3), (1, 1, 1), (1, 1, 1), (1, 1, 1), 1),
    (1, 6, 6, 9, 8, 7, (2, 3, 2), (2, 1, 3), (1, 2, 0), (2, 1, 1), 1),
    (2, 6, 4, 6, 7, 6, (3, 1, 3), (1, 2, 1), (0, 0, 1), (1, 1, 2), 3),
    (1, 4, 5, 6, 40, 4, (3, 3, 3), (1, 1, 1), (1, 1, 1), (1, 1, 1), 4),
    (1, 5, 6, 7, 8, 9, (2, 2, 2), (1, 1, 1), (0, 0, 0), (2, 1, 3), 1),
    (2, 6, 4, 4, 16, 7, (2, 3, 1), (1, 1, 1), (0, 0, 0), (1, 1, 1), 1),
    # 32 output channels: four 8-row tiles of the forward under AVX-512 (six 6-row ones elsewhere)
    (1, 4, 4, 6, 21, 32, (3, 3, 3), (1, 1, 1), (1, 1, 1), (1, 1, 1), 1),
])
def test_conv3d_fast_equals_spec_tiles(shape, dtype):
    """3-d shapes larger than the registry's: the flat panels cross depth slices."""
    N, C, D, H, W, O, K, stride, padding, dilation, groups = shape
    rng = np.random.default_rng(0)
    x = rng.standard_normal((N, C, D, H, W)).astype(dtype)
    w = rng.standard_normal((O, C // groups) + K).astype(dtype)
    b = rng.standard_normal(O).astype(dtype)
    results = []
    for spec in (False, True):
        with conv_functions.use_spec(spec):
            xt, wt, bt = (refnn.Tensor(a.copy(), requires_grad=True) for a in (x, w, b))
            out = refnn.nn.functional.conv3d(xt, wt, bt, stride, padding, dilation, groups)
            g = np.random.default_rng(1).standard_normal(out.shape).astype(dtype)
            refnn.autograd.backward([out], [g])
            yt = refnn.nn.functional.conv_transpose3d(refnn.Tensor(g.copy(), requires_grad=True), wt, None,
                                                      stride, padding, 0, groups, dilation)
            results.append([out.data, xt.grad.data, wt.grad.data, bt.grad.data, yt.data])
    for a, b in zip(*results):
        assert a.tobytes() == b.tobytes()


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("O", [1, 7, 8, 13, 16, 17])
@pytest.mark.parametrize("threads", [1, 2])
def test_bias_grad_is_one_running_sum_per_channel(O, dtype, threads):
    """conv_bwd_bias (shared by the fast path and the spec loops) advances eight channels' chains together;
    each must still be 0 + g[0, o, 0] + g[0, o, 1] + ... in ascending (n, p): numpy's cumsum, a sequential
    running sum, gives that order (no zeros in the data, so the leading 0 + x is x exactly)."""
    from refnn._kernels import conv as K
    g = np.random.default_rng(O).standard_normal((3, O, 37)).astype(dtype) * 1e3
    out = np.empty(O, dtype=dtype)
    K.conv_bwd_bias(g, out, threads)
    expected = np.cumsum(g.transpose(1, 0, 2).reshape(O, -1), axis=1, dtype=dtype)[:, -1]
    assert out.tobytes() == expected.tobytes()


@pytest.mark.parametrize("block_bytes", [1, 5000])
@pytest.mark.parametrize("shape", [
    # (N, C, D, H, W, O, K, stride, padding, dilation, groups)
    (2, 8, 5, 7, 9, 13, (3, 3, 3), (1, 1, 1), (1, 1, 1), (1, 1, 1), 1),
    (1, 6, 6, 9, 8, 7, (2, 3, 2), (2, 1, 3), (1, 2, 0), (2, 1, 1), 1),
    (2, 6, 1, 11, 13, 9, (1, 3, 3), (1, 2, 2), (0, 1, 1), (1, 1, 1), 3),
    (1, 4, 1, 9, 37, 5, (1, 4, 4), (1, 2, 2), (0, 1, 1), (1, 1, 1), 1),
    (1, 3, 1, 6, 30, 4, (1, 3, 5), (1, 1, 1), (0, 2, 2), (1, 2, 1), 1),
])
def test_input_grad_position_blocks(shape, block_bytes, monkeypatch):
    """The input gradient (and transposed convolution) in blocks of column panels, the last block first: one
    panel per block (block_bytes 1) and a few, every input element still meets its taps in the spec's order."""
    monkeypatch.setattr(conv_functions, "_DGRAD_COLUMN_BYTES", block_bytes)
    N, C, D, H, W, O, K, stride, padding, dilation, groups = shape
    rng = np.random.default_rng(2)
    w = rng.standard_normal((O, C // groups) + K).astype("float32")
    b = rng.standard_normal(C).astype("float32")
    x_shape = (N, C, D, H, W)
    out_dhw = conv_functions.conv_out_dhw(x_shape, w.shape, stride, sum(([p, p] for p in padding), []), dilation)
    g = rng.standard_normal((N, O) + tuple(out_dhw)).astype("float32")
    pad6 = tuple(sum(([p, p] for p in padding), []))
    results = []
    for dtype in ("float32", "float64"):
        for spec in (False, True):
            with conv_functions.use_spec(spec):
                results.append(conv_functions.conv_input_grad(g.astype(dtype), w.astype(dtype), b.astype(dtype),
                                                              (D, H, W), stride, pad6, dilation, groups))
    assert results[0].tobytes() == results[1].tobytes()
    assert results[2].tobytes() == results[3].tobytes()
