"""Interpolation and pixel shuffle workloads."""
import numpy as np

from tools.workloads import Workload

SHAPE = (8, 64, 56, 56)


def _image():
    rng = np.random.default_rng(0)
    return {"x": rng.standard_normal(SHAPE, dtype=np.float32),
            "grad": rng.standard_normal(SHAPE[:2] + (112, 112), dtype=np.float32)}


def _channels():
    rng = np.random.default_rng(0)
    return {"x": rng.standard_normal((8, 256, 56, 56), dtype=np.float32),
            "grad": rng.standard_normal((8, 64, 112, 112), dtype=np.float32)}


def _fwd(**kwargs):
    return lambda t: (lambda: t["F"].interpolate(t["x"], **kwargs))


def _fwd_bwd(**kwargs):
    def make(t):
        def step():
            t["F"].interpolate(t["x"], **kwargs).backward(t["grad"])
        return step
    return make


_OUT = 8 * 64 * 112 * 112
BILINEAR = {"scale_factor": 2, "mode": "bilinear"}
NEAREST = {"scale_factor": 2, "mode": "nearest"}

WORKLOADS = [
    Workload(name="bilinear 2x (8,64,56,56) fwd", family="interpolation", make_inputs=_image,
             torch_fn=_fwd(**BILINEAR), refnn_fn=_fwd(**BILINEAR), flops=7 * _OUT, bytes=4 * (_OUT + 8 * 64 * 56 * 56)),
    Workload(name="bilinear 2x (8,64,56,56) fwd+bwd", family="interpolation", make_inputs=_image,
             torch_fn=_fwd_bwd(**BILINEAR), refnn_fn=_fwd_bwd(**BILINEAR), grad_inputs=("x",), flops=16 * _OUT),
    Workload(name="nearest 2x (8,64,56,56) fwd", family="interpolation", make_inputs=_image,
             torch_fn=_fwd(**NEAREST), refnn_fn=_fwd(**NEAREST), bytes=4 * (_OUT + 8 * 64 * 56 * 56)),
    Workload(name="pixel_shuffle r=2 (8,256,56,56) fwd", family="interpolation", make_inputs=_channels,
             torch_fn=lambda t: (lambda: t["F"].pixel_shuffle(t["x"], 2)),
             refnn_fn=lambda r: (lambda: r["F"].pixel_shuffle(r["x"], 2)), bytes=2 * 4 * 8 * 256 * 56 * 56),
]
