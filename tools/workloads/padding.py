"""Spatial rearrangement workloads: F.pad reflect, grid_sample, fold/unfold.  Padding and
fold/unfold are copies (GB/s is their figure of merit); grid_sample is gather-bound."""
import numpy as np

from tools.workloads import Workload

_X = (8, 64, 112, 112)        # a ResNet stem activation
_PAD = (3, 3, 3, 3)           # the reflect padding a 7x7 "same" convolution needs
_Y = (8, 64, 118, 118)
_GRID_X = (8, 32, 64, 64)     # a spatial-transformer feature map
_GRID = (8, 64, 64, 2)
_UNFOLD_X = (8, 64, 56, 56)   # 3x3 patches, stride 1, padding 1
_COLS = (8, 64 * 9, 56 * 56)


def _inputs(**shapes):
    def make():
        rng = np.random.default_rng(0)
        out = {}
        for name, shape in shapes.items():
            if name == "grid":
                out[name] = rng.uniform(-1.1, 1.1, size=shape).astype(np.float32)
            else:
                out[name] = rng.standard_normal(shape, dtype=np.float32)
        return out
    return make


def _pad_fwd(d):
    return lambda: d["F"].pad(d["x"], _PAD, mode="reflect")


def _pad_fwd_bwd(d):
    def step():
        d["F"].pad(d["x"], _PAD, mode="reflect").backward(d["grad"])
    return step


def _grid_fwd(d):
    return lambda: d["F"].grid_sample(d["x"], d["grid"], mode="bilinear", padding_mode="zeros", align_corners=False)


def _grid_fwd_bwd(d):
    def step():
        d["F"].grid_sample(d["x"], d["grid"], mode="bilinear", padding_mode="zeros",
                           align_corners=False).backward(d["grad"])
    return step


def _unfold_fwd(d):
    return lambda: d["F"].unfold(d["x"], 3, padding=1)


def _fold_fwd(d):
    return lambda: d["F"].fold(d["cols"], (56, 56), 3, padding=1)


_NX, _NY = int(np.prod(_X)), int(np.prod(_Y))
_NGX, _NOUT = int(np.prod(_GRID_X)), 8 * 32 * 64 * 64
_NU, _NC = int(np.prod(_UNFOLD_X)), int(np.prod(_COLS))

WORKLOADS = [
    Workload(name="pad reflect 3 (8,64,112,112) fwd", family="padding",
             make_inputs=_inputs(x=_X), torch_fn=_pad_fwd, refnn_fn=_pad_fwd, bytes=4 * _NX + 4 * _NY),
    Workload(name="pad reflect 3 (8,64,112,112) fwd+bwd", family="padding",
             make_inputs=_inputs(x=_X, grad=_Y), torch_fn=_pad_fwd_bwd, refnn_fn=_pad_fwd_bwd,
             bytes=2 * (4 * _NX + 4 * _NY), grad_inputs=("x",)),
    Workload(name="grid_sample bilinear (8,32,64,64) grid 64x64 fwd", family="padding",
             make_inputs=_inputs(x=_GRID_X, grid=_GRID), torch_fn=_grid_fwd, refnn_fn=_grid_fwd,
             bytes=4 * _NGX + 4 * _NOUT + 4 * 8 * 64 * 64 * 2),
    Workload(name="grid_sample bilinear (8,32,64,64) grid 64x64 fwd+bwd", family="padding",
             make_inputs=_inputs(x=_GRID_X, grid=_GRID, grad=(8, 32, 64, 64)), torch_fn=_grid_fwd_bwd,
             refnn_fn=_grid_fwd_bwd, grad_inputs=("x", "grid")),
    Workload(name="unfold 3x3 p1 (8,64,56,56) fwd", family="padding",
             make_inputs=_inputs(x=_UNFOLD_X), torch_fn=_unfold_fwd, refnn_fn=_unfold_fwd,
             bytes=4 * _NU + 4 * _NC),
    Workload(name="fold 3x3 p1 (8,576,3136) fwd", family="padding",
             make_inputs=_inputs(cols=_COLS), torch_fn=_fold_fwd, refnn_fn=_fold_fwd,
             bytes=4 * _NU + 4 * _NC),
]
