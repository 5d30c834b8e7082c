"""Transformer workloads: TransformerEncoderLayer (d_model 512, 8 heads, feed-forward 2048, seq 128, batch 8,
batch_first) forward in eval mode under no_grad (torch takes its fused fast path there) and forward+backward
in training mode with dropout 0.

Both libraries build the same layer and load the same weights (drawn from a fixed random seed).
"""
import numpy as np

from tools.workloads import Workload

BATCH, SEQ, D_MODEL, HEADS, FF = 8, 128, 512, 8, 2048
SHAPES = [("self_attn.in_proj_weight", (3 * D_MODEL, D_MODEL)), ("self_attn.in_proj_bias", (3 * D_MODEL,)),
          ("self_attn.out_proj.weight", (D_MODEL, D_MODEL)), ("self_attn.out_proj.bias", (D_MODEL,)),
          ("linear1.weight", (FF, D_MODEL)), ("linear1.bias", (FF,)),
          ("linear2.weight", (D_MODEL, FF)), ("linear2.bias", (D_MODEL,)),
          ("norm1.weight", (D_MODEL,)), ("norm1.bias", (D_MODEL,)),
          ("norm2.weight", (D_MODEL,)), ("norm2.bias", (D_MODEL,))]


def _inputs():
    rng = np.random.default_rng(2026)
    arrays = {"x": rng.standard_normal((BATCH, SEQ, D_MODEL), dtype=np.float32),
              "grad": rng.standard_normal((BATCH, SEQ, D_MODEL), dtype=np.float32)}
    for name, shape in SHAPES:
        bound = 1.0 / np.sqrt(shape[-1])
        arrays[name] = rng.uniform(-bound, bound, size=shape).astype(np.float32)
    return arrays


def _layer(t):
    m = t["nn"].TransformerEncoderLayer(D_MODEL, HEADS, FF, dropout=0.0, batch_first=True)
    m.load_state_dict({name: t[name] for name, _ in SHAPES})
    return m


def _forward_eval(t):
    m, x, lib = _layer(t).eval(), t["x"], t["lib"]

    def step():
        with lib.no_grad():
            return m(x)
    return step


def _train_step(t):
    m, x, grad = _layer(t), t["x"], t["grad"]

    def step():
        m.zero_grad(set_to_none=True)
        out = m(x)
        out.backward(grad)
        return out
    return step


def _flops():
    tokens = BATCH * SEQ
    projections = 2 * tokens * D_MODEL * (3 * D_MODEL + D_MODEL)
    attention = 2 * 2 * BATCH * SEQ * SEQ * D_MODEL
    feed_forward = 2 * 2 * tokens * D_MODEL * FF
    return projections + attention + feed_forward


WORKLOADS = [
    Workload(name="transformer enc d512 h8 s128 b8 fwd eval", family="transformer", make_inputs=_inputs,
             torch_fn=_forward_eval, refnn_fn=_forward_eval, flops=_flops()),
    Workload(name="transformer enc d512 h8 s128 b8 fwd+bwd", family="transformer", make_inputs=_inputs,
             torch_fn=_train_step, refnn_fn=_train_step, flops=3 * _flops(), grad_inputs=("x",)),
]
