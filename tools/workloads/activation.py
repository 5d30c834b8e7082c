"""Activation workloads: memory-bound elementwise ops and softmax on 4096 x 4096 float32.

fwd: one forward; fwd+bwd: forward and backward with a fixed upstream gradient.
"""
import numpy as np

from tools.workloads import Workload

SHAPE = (4096, 4096)
NBYTES = SHAPE[0] * SHAPE[1] * 4


def _inputs():
    rng = np.random.default_rng(0)
    return {"x": rng.standard_normal(SHAPE, dtype=np.float32),
            "g": rng.standard_normal(SHAPE, dtype=np.float32)}


def _fwd(call):
    return lambda t: (lambda: call(t["F"], t["x"]))


def _fwd_bwd(call):
    def make(t):
        def step():
            call(t["F"], t["x"]).backward(t["g"])
        return step
    return make


OPS = {
    "relu": lambda F, x: F.relu(x),
    "gelu": lambda F, x: F.gelu(x),
    "sigmoid": lambda F, x: F.sigmoid(x),
    "softmax": lambda F, x: F.softmax(x, dim=-1),
}

WORKLOADS = []
for _name, _call in OPS.items():
    WORKLOADS.append(Workload(name=f"{_name} 4096x4096 fwd", family="activation", make_inputs=_inputs,
                              torch_fn=_fwd(_call), refnn_fn=_fwd(_call), bytes=2 * NBYTES))
    WORKLOADS.append(Workload(name=f"{_name} 4096x4096 fwd+bwd", family="activation", make_inputs=_inputs,
                              torch_fn=_fwd_bwd(_call), refnn_fn=_fwd_bwd(_call), bytes=5 * NBYTES,
                              grad_inputs=("x",)))
