"""Embedding workloads: a language model's token lookup and its weight gradient.

The lookup copies one 2 KiB row per index; the backward zeroes the (50,000 x 512) weight gradient and adds
each upstream row into the row of its index (index order), so both are memory-bound: GB/s is the figure.
"""
import numpy as np

from tools.workloads import Workload

_VOCAB, _DIM = 50_000, 512
_INDICES = (64, 128)


def _inputs(grad=False):
    def make():
        rng = np.random.default_rng(0)
        inputs = {"weight": rng.standard_normal((_VOCAB, _DIM), dtype=np.float32),
                  "index": rng.integers(0, _VOCAB, size=_INDICES, dtype=np.int64)}
        if grad:
            inputs["grad"] = rng.standard_normal(_INDICES + (_DIM,), dtype=np.float32)
        return inputs
    return make


def _fwd(d):
    return lambda: d["F"].embedding(d["index"], d["weight"])


def _fwd_bwd(d):
    def step():
        out = d["F"].embedding(d["index"], d["weight"])
        out.backward(d["grad"])
        return out
    return step


_N = int(np.prod(_INDICES))

WORKLOADS = [
    # bytes: indices read, rows read, output written
    Workload(name="embedding lookup vocab 50000 dim 512 (64,128) fwd", family="embedding",
             make_inputs=_inputs(), torch_fn=_fwd, refnn_fn=_fwd, bytes=8 * _N + 2 * 4 * _N * _DIM),
    # backward adds: the gradient zeroed (V x D) and read-modify-written per index, the upstream rows read
    Workload(name="embedding lookup vocab 50000 dim 512 (64,128) fwd+bwd", family="embedding",
             make_inputs=_inputs(grad=True), torch_fn=_fwd_bwd, refnn_fn=_fwd_bwd,
             bytes=8 * _N + 2 * 4 * _N * _DIM + 4 * _VOCAB * _DIM + 3 * 4 * _N * _DIM, grad_inputs=("weight",)),
]
