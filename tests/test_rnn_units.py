"""Recurrent layers beyond the torch comparisons: initialisation, weight bookkeeping, train-mode
inter-layer dropout, seeding and thread independence."""
import math

import numpy as np
import pytest

import refnn
import refnn.nn as nn


def test_default_init_is_uniform_in_bound_and_seeded():
    refnn.manual_seed(11)
    a = nn.LSTM(5, 16, num_layers=2, bidirectional=True)
    refnn.manual_seed(11)
    b = nn.LSTM(5, 16, num_layers=2, bidirectional=True)
    bound = 1 / math.sqrt(16)
    values = np.concatenate([p.data.ravel() for p in a.parameters()])
    assert np.abs(values).max() <= bound
    assert values.std() == pytest.approx(bound / math.sqrt(3), rel=0.05)  # U(-b, b) has std b / sqrt(3)
    for pa, pb in zip(a.parameters(), b.parameters()):
        assert pa.data.tobytes() == pb.data.tobytes()


def test_weight_bookkeeping():
    m = nn.LSTM(3, 5, num_layers=2, bidirectional=True, proj_size=2, bias=False)
    assert m._flat_weights_names[:3] == ["weight_ih_l0", "weight_hh_l0", "weight_hr_l0"]
    assert [w.shape for w in m.all_weights[2]] == [(20, 4), (20, 2), (2, 5)]  # layer 1 input: 2 directions x 2
    assert len(m.all_weights) == 4
    cell = nn.GRUCell(3, 4, bias=False)
    assert cell.bias_ih is None and [n for n, _ in cell.named_parameters()] == ["weight_ih", "weight_hh"]


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
def test_interlayer_dropout_in_train_mode(name):
    refnn.manual_seed(0)
    m = getattr(nn, name)(3, 6, num_layers=2, dropout=0.5).double()
    x = refnn.Tensor(np.random.default_rng(1).standard_normal((7, 4, 3)))
    m.eval()
    eval_out = m(x)[0].data
    m.train()
    refnn.manual_seed(3)
    train_out = m(x)[0].data
    refnn.manual_seed(3)
    assert m(x)[0].data.tobytes() == train_out.tobytes()  # same seed, same masks
    assert not np.allclose(train_out, eval_out)
    m.dropout = 0.0
    assert m(x)[0].data.tobytes() == eval_out.tobytes()   # no dropout: train equals eval
    m.dropout = 1.0  # the second layer sees zeros: the output no longer depends on the input
    other = refnn.Tensor(np.random.default_rng(2).standard_normal((7, 4, 3)))
    assert m(x)[0].data.tobytes() == m(other)[0].data.tobytes()


def test_dropout_on_single_layer_warns():
    with pytest.warns(UserWarning, match="num_layers greater than 1"):
        nn.GRU(3, 4, dropout=0.2)


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
def test_threads_do_not_change_bits(name):
    saved = refnn.get_num_threads()
    try:
        refnn.manual_seed(0)
        m = getattr(nn, name)(16, 32, num_layers=2, bidirectional=True)
        x = np.random.default_rng(5).standard_normal((6, 40, 16)).astype(np.float32)
        blobs = []
        for n in (1, 2):
            refnn.set_num_threads(n)
            m.zero_grad()
            xt = refnn.Tensor(x.copy(), requires_grad=True)
            out = m(xt)[0]
            out.backward(np.ones(out.shape, dtype=np.float32))
            blobs.append([out.data.tobytes(), xt.grad.data.tobytes()] +
                         [p.grad.data.tobytes() for p in m.parameters()])
        assert blobs[0] == blobs[1]
    finally:
        refnn.set_num_threads(saved)


# sizes where the fused gate loops of refnn/_kernels/rnn.pyx run on several threads (batch x gates >= 65536)
_WIDE = {"RNN": (256, 256), "LSTM": (64, 256), "GRU": (64, 352)}   # name -> (hidden, batch)


def _wide_run(name, lib, params, x, h0, c0, grads):
    """Forward + backward of a 1-layer bidirectional float64 layer with the given parameters, in refnn or
    torch (``lib``); every output and gradient as a numpy array."""
    if lib is refnn:
        constant, leaf, as_numpy = refnn.tensor, (lambda a: refnn.Tensor(a.copy(), requires_grad=True)), \
            (lambda t: t.data)
    else:
        constant, leaf, as_numpy = (lambda a: lib.from_numpy(a.copy())), \
            (lambda a: lib.from_numpy(a.copy()).requires_grad_(True)), (lambda t: t.detach().numpy())
    m = getattr(lib.nn, name)(16, _WIDE[name][0], bidirectional=True).double()
    m.load_state_dict({k: constant(v) for k, v in params.items()})
    xt, ht = leaf(x), leaf(h0)
    leaves = [xt, ht] + ([leaf(c0)] if name == "LSTM" else [])
    out, state = m(xt, tuple(leaves[1:]) if name == "LSTM" else ht)
    results = [out] + (list(state) if name == "LSTM" else [state])
    sum((r * constant(g)).sum() for r, g in zip(results, grads)).backward()
    return ([as_numpy(r) for r in results] + [as_numpy(t.grad) for t in leaves]
            + [as_numpy(p.grad) for _, p in m.named_parameters()])


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
def test_fused_gates_on_several_threads_match_one_thread_and_torch(name):
    """The whole-sequence kernel at 1 and 2 threads (gate loops split across threads): the same bits, and
    torch's answer (float64) with a random upstream gradient for every output."""
    torch = pytest.importorskip("torch")
    hidden, batch = _WIDE[name]
    gates = {"RNN": 1, "LSTM": 4, "GRU": 3}[name]
    rng = np.random.default_rng(7)
    bound = 1 / math.sqrt(hidden)
    params = {}
    for suffix in ("", "_reverse"):
        params[f"weight_ih_l0{suffix}"] = rng.uniform(-bound, bound, (gates * hidden, 16))
        params[f"weight_hh_l0{suffix}"] = rng.uniform(-bound, bound, (gates * hidden, hidden))
        params[f"bias_ih_l0{suffix}"] = rng.uniform(-bound, bound, gates * hidden)
        params[f"bias_hh_l0{suffix}"] = rng.uniform(-bound, bound, gates * hidden)
    x = rng.standard_normal((3, batch, 16))
    h0 = rng.standard_normal((2, batch, hidden))
    c0 = rng.standard_normal((2, batch, hidden))
    shapes = [(3, batch, 2 * hidden), (2, batch, hidden)] + ([(2, batch, hidden)] if name == "LSTM" else [])
    grads = [rng.standard_normal(s) for s in shapes]
    saved = refnn.get_num_threads()
    try:
        runs = []
        for n in (1, 2):
            refnn.set_num_threads(n)
            runs.append(_wide_run(name, refnn, params, x, h0, c0, grads))
    finally:
        refnn.set_num_threads(saved)
    assert [a.tobytes() for a in runs[0]] == [a.tobytes() for a in runs[1]]
    expected = _wide_run(name, torch, params, x, h0, c0, grads)
    for got, want in zip(runs[0], expected):
        torch.testing.assert_close(torch.from_numpy(np.asarray(got)), torch.from_numpy(want))


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
def test_weight_changed_in_place_before_backward_is_refused(name):
    """As torch: backward after an in-place change of a weight the recurrence read raises RuntimeError."""
    m = getattr(nn, name)(3, 4)
    out = m(refnn.Tensor(np.ones((2, 1, 3), dtype=np.float32), requires_grad=True))[0]
    with refnn.no_grad():
        m.weight_hh_l0.zero_()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        out.backward(np.ones(out.shape, dtype=np.float32))
