"""Pooling workloads: memory-bound, so GB/s is the figure of merit."""
import numpy as np

from tools.workloads import Workload

_X = (8, 64, 112, 112)        # a ResNet stem activation
_Y = (8, 64, 56, 56)          # after 3x3/2 max pooling or 2x2/2 average pooling
_FEATURES = (32, 512, 7, 7)   # a ResNet head before global average pooling


def _inputs(shape, grad_shape=None):
    def make():
        rng = np.random.default_rng(0)
        inputs = {"x": rng.standard_normal(shape, dtype=np.float32)}
        if grad_shape is not None:
            inputs["grad"] = rng.standard_normal(grad_shape, dtype=np.float32)
        return inputs
    return make


def _max_fwd(d):
    return lambda: d["F"].max_pool2d(d["x"], 3, 2, 1, return_indices=True)


def _max_fwd_bwd(d):
    def step():
        output, _ = d["F"].max_pool2d(d["x"], 3, 2, 1, return_indices=True)
        output.backward(d["grad"])
    return step


def _avg_fwd(d):
    return lambda: d["F"].avg_pool2d(d["x"], 2, 2)


def _avg_fwd_bwd(d):
    def step():
        d["F"].avg_pool2d(d["x"], 2, 2).backward(d["grad"])
    return step


def _global_avg(d):
    return lambda: d["F"].adaptive_avg_pool2d(d["x"], 1)


_NX, _NY, _NF = int(np.prod(_X)), int(np.prod(_Y)), int(np.prod(_FEATURES))

WORKLOADS = [
    # bytes: input read, output written (+ int64 indices); backward: grad_output and indices read,
    # grad_input zeroed and scattered into
    Workload(name="max_pool2d k3s2p1 indices (8,64,112,112) fwd", family="pooling",
             make_inputs=_inputs(_X), torch_fn=_max_fwd, refnn_fn=_max_fwd,
             bytes=4 * _NX + 12 * _NY),
    Workload(name="max_pool2d k3s2p1 indices (8,64,112,112) fwd+bwd", family="pooling",
             make_inputs=_inputs(_X, _Y), torch_fn=_max_fwd_bwd, refnn_fn=_max_fwd_bwd,
             bytes=4 * _NX + 12 * _NY + 12 * _NY + 4 * _NX, grad_inputs=("x",)),
    Workload(name="avg_pool2d k2s2 (8,64,112,112) fwd", family="pooling",
             make_inputs=_inputs(_X), torch_fn=_avg_fwd, refnn_fn=_avg_fwd,
             bytes=4 * _NX + 4 * _NY),
    Workload(name="avg_pool2d k2s2 (8,64,112,112) fwd+bwd", family="pooling",
             make_inputs=_inputs(_X, _Y), torch_fn=_avg_fwd_bwd, refnn_fn=_avg_fwd_bwd,
             bytes=4 * _NX + 4 * _NY + 4 * _NY + 4 * _NX, grad_inputs=("x",)),
    Workload(name="adaptive_avg_pool2d 1x1 (32,512,7,7) fwd", family="pooling",
             make_inputs=_inputs(_FEATURES), torch_fn=_global_avg, refnn_fn=_global_avg,
             bytes=4 * _NF + 4 * _NF // 49),
]
