"""The whole-sequence recurrent kernel (refnn/_kernels/rnn.pyx) against its specification, in every kernel build
this CPU runs (baseline, AVX2, AVX-512: refnn._isa.forced):

* each step product through the packed weight panels equals the gemm's specification loop ``gemm_nt_spec``
  (+ the bias afterwards) bit for bit, over shapes with edge tiles in both directions, at 1 and 2 threads;
* a layer's forward equals, bit for bit, the step-by-step composition of F.linear, the activations and Tensor
  arithmetic it replaces (the cells), so the fused gate rows (refnn_rnn_rows.h) compute the activation kernels'
  values;
* forward and backward give the same bits with the packed step products and with a gemm call per step (the
  path the products replace, held to the specification by tests/test_gemm_spec.py), at 1 and 2 threads.
"""
import itertools

import numpy as np
import pytest

import refnn
import refnn.nn as nn
from refnn import _isa
from refnn._functions import rnn as rnn_functions
from refnn._kernels import gemm
from refnn._kernels import rnn as rnn_kernel


@pytest.fixture(autouse=True, params=_isa.supported_builds())
def kernel_build(request):
    """Every test of this file runs once per kernel build the CPU supports."""
    with _isa.forced(request.param):
        assert refnn.kernel_build() == request.param
        yield request.param


class _Panels:
    """Within the block, the step products go through the packed panels (True) or a gemm call per step."""

    def __init__(self, on):
        self.on = on

    def __enter__(self):
        self.previous = rnn_kernel._set_panels(self.on)

    def __exit__(self, *exc):
        rnn_kernel._set_panels(self.previous)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("num_threads", [1, 2])
def test_step_product_equals_spec(dtype, num_threads):
    rng = np.random.default_rng(3)
    for M, N, K in itertools.product([3, 5, 6, 7, 13, 16, 49], [1, 7, 8, 16, 17, 67, 1024], [1, 5, 31, 257]):
        if M * N * K > 4 << 20:
            continue
        a = rng.standard_normal((M, K)).astype(dtype)
        w_nk = rng.standard_normal((N, K)).astype(dtype)
        bias = rng.standard_normal(N).astype(dtype)
        expected = np.empty((M, N), dtype=dtype)
        gemm.gemm_nt_spec(a, w_nk, expected, 1)
        expected_bias = expected.copy()
        gemm.add_bias_rows(expected_bias, bias, 1)
        for nk in (True, False):
            stored = w_nk if nk else np.ascontiguousarray(w_nk.T)
            weight = rnn_kernel._step_weight(stored, nk, M)
            for b, want in ((None, expected), (bias, expected_bias)):
                out = np.full((M, N), np.nan, dtype=dtype)
                rnn_kernel.step_product(weight, a, out, b, num_threads)
                assert out.tobytes() == want.tobytes(), (M, N, K, nk, b is not None)


def _cells(mode, x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr):
    """The layer's output, stepped through the cells' composition (F.linear, activations, Tensor arithmetic)."""
    F = rnn_functions._F()
    h, c, outputs = h0, c0, []
    for t in range(x.shape[0]):
        ig = F.linear(x[t], w_ih, b_ih)
        if mode == "LSTM":
            h, c = rnn_functions._lstm_step(ig, (h, c), w_hh, b_hh, w_hr)
        elif mode == "GRU":
            h = rnn_functions._gru_step(ig, h, w_hh, b_hh)
        else:
            h = rnn_functions._simple_step(F.tanh if mode == "RNN_TANH" else F.relu)(ig, h, w_hh, b_hh)
        outputs.append(h.data)
    return np.stack(outputs)


_LAYERS = [("RNN_TANH", nn.RNN, {}), ("RNN_RELU", nn.RNN, {"nonlinearity": "relu"}), ("LSTM", nn.LSTM, {}),
           ("LSTM", nn.LSTM, {"proj_size": 5}), ("GRU", nn.GRU, {})]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("layer", range(len(_LAYERS)), ids=lambda i: f"{_LAYERS[i][0]}{_LAYERS[i][2]}")
def test_forward_equals_the_cells_composition(layer, dtype):
    mode, cls, kwargs = _LAYERS[layer]
    rng = np.random.default_rng(11)
    for batch, hidden in ((1, 9), (3, 17), (7, 40), (16, 33)):
        refnn.manual_seed(batch)
        m = cls(6, hidden, **kwargs)
        if dtype == np.float64:
            m = m.double()
        P = kwargs.get("proj_size", 0) or hidden
        x = rng.standard_normal((5, batch, 6)).astype(dtype)
        h0 = rng.standard_normal((1, batch, P)).astype(dtype)
        c0 = rng.standard_normal((1, batch, hidden)).astype(dtype)
        state = (refnn.tensor(h0), refnn.tensor(c0)) if mode == "LSTM" else refnn.tensor(h0)
        with refnn.no_grad():
            out = m(refnn.tensor(x), state)[0]
            w = [getattr(m, name, None) for name in ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
                                                     "weight_hr_l0")]
            expected = _cells(mode, refnn.tensor(x), refnn.tensor(h0[0]), refnn.tensor(c0[0]), *w)
        assert out.data.tobytes() == expected.tobytes(), (mode, kwargs, batch, hidden)


def _layer_run(cls, kwargs, dtype, batch):
    refnn.manual_seed(batch)
    m = cls(6, 24, num_layers=2, bidirectional=True, **kwargs)
    if dtype == np.float64:
        m = m.double()
    rng = np.random.default_rng(batch)
    x = refnn.Tensor(rng.standard_normal((7, batch, 6)).astype(dtype), requires_grad=True)
    out = m(x)[0]
    out.backward(refnn.tensor(rng.standard_normal(out.shape).astype(dtype)))
    return [out.data.tobytes(), x.grad.data.tobytes()] + [p.grad.data.tobytes() for p in m.parameters()]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("layer", range(len(_LAYERS)), ids=lambda i: f"{_LAYERS[i][0]}{_LAYERS[i][2]}")
def test_packed_steps_equal_gemm_steps_at_any_thread_count(layer, dtype):
    _, cls, kwargs = _LAYERS[layer]
    saved = refnn.get_num_threads()
    try:
        for batch in (3, 13):
            runs = []
            for panels, threads in ((False, 1), (True, 1), (True, 2)):
                refnn.set_num_threads(threads)
                with _Panels(panels):
                    runs.append(_layer_run(cls, kwargs, dtype, batch))
            assert runs[0] == runs[1] == runs[2], batch
    finally:
        refnn.set_num_threads(saved)
