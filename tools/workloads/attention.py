"""Attention and recurrent workloads: MultiheadAttention (batch 8, seq 128, embed 256, 8 heads) forward and
forward+backward, LSTM (seq 64, batch 16, 128 -> 256) forward+backward.

Both libraries build the same module and load the same weights (drawn from a fixed random seed).
"""
import numpy as np

from tools.workloads import Workload

BATCH, SEQ, EMBED, HEADS = 8, 128, 256, 8
MHA_SHAPES = [("in_proj_weight", (3 * EMBED, EMBED)), ("in_proj_bias", (3 * EMBED,)),
              ("out_proj.weight", (EMBED, EMBED)), ("out_proj.bias", (EMBED,))]

LSTM_SEQ, LSTM_BATCH, LSTM_IN, LSTM_HIDDEN = 64, 16, 128, 256
LSTM_SHAPES = [("weight_ih_l0", (4 * LSTM_HIDDEN, LSTM_IN)), ("weight_hh_l0", (4 * LSTM_HIDDEN, LSTM_HIDDEN)),
               ("bias_ih_l0", (4 * LSTM_HIDDEN,)), ("bias_hh_l0", (4 * LSTM_HIDDEN,))]


def _uniform(rng, shapes, bound):
    return {name: rng.uniform(-bound, bound, size=shape).astype(np.float32) for name, shape in shapes}


def _mha_inputs():
    rng = np.random.default_rng(2024)
    arrays = {"x": rng.standard_normal((BATCH, SEQ, EMBED), dtype=np.float32),
              "grad": rng.standard_normal((BATCH, SEQ, EMBED), dtype=np.float32)}
    arrays.update(_uniform(rng, MHA_SHAPES, 1.0 / np.sqrt(EMBED)))
    return arrays


def _mha(t):
    """Self-attention, batch_first, attention weights returned (the module's default)."""
    m = t["nn"].MultiheadAttention(EMBED, HEADS, batch_first=True)
    m.load_state_dict({name: t[name] for name, _ in MHA_SHAPES})
    return m


def _mha_forward(t):
    m, x = _mha(t), t["x"]
    return lambda: m(x, x, x)


def _mha_train_step(t):
    m, x, grad = _mha(t), t["x"], t["grad"]

    def step():
        m.zero_grad(set_to_none=True)
        out = m(x, x, x)
        out[0].backward(grad)
        return out
    return step


def _lstm_inputs():
    rng = np.random.default_rng(2025)
    arrays = {"x": rng.standard_normal((LSTM_SEQ, LSTM_BATCH, LSTM_IN), dtype=np.float32),
              "grad": rng.standard_normal((LSTM_SEQ, LSTM_BATCH, LSTM_HIDDEN), dtype=np.float32)}
    arrays.update(_uniform(rng, LSTM_SHAPES, 1.0 / np.sqrt(LSTM_HIDDEN)))
    return arrays


def _lstm_train_step(t):
    m = t["nn"].LSTM(LSTM_IN, LSTM_HIDDEN)
    m.load_state_dict({name: t[name] for name, _ in LSTM_SHAPES})
    x, grad = t["x"], t["grad"]

    def step():
        m.zero_grad(set_to_none=True)
        out = m(x)
        out[0].backward(grad)
        return out
    return step


def _mha_flops():
    projections = 2 * BATCH * SEQ * EMBED * (3 * EMBED + EMBED)
    attention = 2 * 2 * BATCH * SEQ * SEQ * EMBED
    return projections + attention


def _lstm_flops():
    return 2 * LSTM_SEQ * LSTM_BATCH * 4 * LSTM_HIDDEN * (LSTM_IN + LSTM_HIDDEN)


WORKLOADS = [
    Workload(name="mha b8 s128 e256 h8 fwd", family="attention", make_inputs=_mha_inputs,
             torch_fn=_mha_forward, refnn_fn=_mha_forward, flops=_mha_flops()),
    Workload(name="mha b8 s128 e256 h8 fwd+bwd", family="attention", make_inputs=_mha_inputs,
             torch_fn=_mha_train_step, refnn_fn=_mha_train_step, flops=3 * _mha_flops(), grad_inputs=("x",)),
    Workload(name="lstm s64 b16 128->256 fwd+bwd", family="rnn", make_inputs=_lstm_inputs,
             torch_fn=_lstm_train_step, refnn_fn=_lstm_train_step, flops=3 * _lstm_flops(),
             grad_inputs=("x",)),
]
