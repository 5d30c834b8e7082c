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
