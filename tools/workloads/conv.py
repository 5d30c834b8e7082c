"""Convolution workloads: forward, and forward+backward with a fixed upstream gradient."""
import numpy as np

from tools.workloads import Workload


def _conv_inputs(x_shape, w_shape, dtype=np.float32, out_shape=None):
    def make():
        rng = np.random.default_rng(0)
        inputs = {"x": rng.standard_normal(x_shape).astype(dtype),
                  "w": (rng.standard_normal(w_shape) * 0.1).astype(dtype),
                  "b": rng.standard_normal(w_shape[0] if out_shape is None else out_shape[1]).astype(dtype)}
        if out_shape is not None:
            inputs["g"] = rng.standard_normal(out_shape).astype(dtype)
        return inputs
    return make


def _fwd(fn_name, **kw):
    def build(t):
        fn = getattr(t["F"], fn_name)
        return lambda: fn(t["x"], t["w"], t["b"], **kw)
    return build


def _fwd_bwd(fn_name, **kw):
    def build(t):
        fn = getattr(t["F"], fn_name)
        lib = t["lib"]

        def step():
            out = fn(t["x"], t["w"], t["b"], **kw)
            lib.autograd.backward([out], [t["g"]])
        return step
    return build


def _conv_out(n, size, k, s, p, d=1):
    return (size + 2 * p - d * (k - 1) - 1) // s + 1


def _conv2d(name, N, C, O, H, W, k, stride=1, padding=0, groups=1, dtype=np.float32, backward=False):
    OH, OW = _conv_out(N, H, k, stride, padding), _conv_out(N, W, k, stride, padding)
    flops = 2.0 * N * O * OH * OW * (C // groups) * k * k
    kw = dict(stride=stride, padding=padding, groups=groups)
    out_shape = (N, O, OH, OW)
    make = _conv_inputs((N, C, H, W), (O, C // groups, k, k), dtype, out_shape if backward else None)
    if backward:
        return Workload(name=name, family="conv", make_inputs=make, torch_fn=_fwd_bwd("conv2d", **kw),
                        refnn_fn=_fwd_bwd("conv2d", **kw), flops=3 * flops, grad_inputs=("x", "w", "b"),
                        dtype=np.dtype(dtype).name)
    return Workload(name=name, family="conv", make_inputs=make, torch_fn=_fwd("conv2d", **kw),
                    refnn_fn=_fwd("conv2d", **kw), flops=flops, dtype=np.dtype(dtype).name)


def _convT2d(name, N, C, O, H, W, k, stride, padding, backward=False):
    OH, OW = (H - 1) * stride - 2 * padding + k, (W - 1) * stride - 2 * padding + k
    flops = 2.0 * N * C * H * W * O * k * k
    kw = dict(stride=stride, padding=padding)
    make = _conv_inputs((N, C, H, W), (C, O, k, k), np.float32, (N, O, OH, OW))
    if backward:
        return Workload(name=name, family="conv", make_inputs=make, torch_fn=_fwd_bwd("conv_transpose2d", **kw),
                        refnn_fn=_fwd_bwd("conv_transpose2d", **kw), flops=3 * flops,
                        grad_inputs=("x", "w", "b"))
    return Workload(name=name, family="conv", make_inputs=make, torch_fn=_fwd("conv_transpose2d", **kw),
                    refnn_fn=_fwd("conv_transpose2d", **kw), flops=flops)


def _conv1d(name, N, C, O, L, k, padding, backward=False):
    OL = L + 2 * padding - k + 1
    flops = 2.0 * N * O * OL * C * k
    make = _conv_inputs((N, C, L), (O, C, k), np.float32, (N, O, OL) if backward else None)
    if backward:
        return Workload(name=name, family="conv", make_inputs=make, torch_fn=_fwd_bwd("conv1d", padding=padding),
                        refnn_fn=_fwd_bwd("conv1d", padding=padding), flops=3 * flops,
                        grad_inputs=("x", "w", "b"))
    return Workload(name=name, family="conv", make_inputs=make, torch_fn=_fwd("conv1d", padding=padding),
                    refnn_fn=_fwd("conv1d", padding=padding), flops=flops)


def _conv3d(name, N, C, O, D, H, W, k, padding, backward=False):
    OD, OH, OW = (_conv_out(N, n, k, 1, padding) for n in (D, H, W))
    flops = 2.0 * N * O * OD * OH * OW * C * k * k * k
    make = _conv_inputs((N, C, D, H, W), (O, C, k, k, k), np.float32, (N, O, OD, OH, OW) if backward else None)
    if backward:
        return Workload(name=name, family="conv", make_inputs=make, torch_fn=_fwd_bwd("conv3d", padding=padding),
                        refnn_fn=_fwd_bwd("conv3d", padding=padding), flops=3 * flops,
                        grad_inputs=("x", "w", "b"))
    return Workload(name=name, family="conv", make_inputs=make, torch_fn=_fwd("conv3d", padding=padding),
                    refnn_fn=_fwd("conv3d", padding=padding), flops=flops)


WORKLOADS = [
    _conv2d("conv2d resnet3x3 N8 64->64 56x56 fwd", 8, 64, 64, 56, 56, 3, padding=1),
    _conv2d("conv2d resnet3x3 N8 64->64 56x56 fwd+bwd", 8, 64, 64, 56, 56, 3, padding=1, backward=True),
    _conv2d("conv2d stem7x7s2 N8 3->64 224x224 fwd", 8, 3, 64, 224, 224, 7, stride=2, padding=3),
    _conv2d("conv2d 1x1 N8 256->64 56x56 fwd", 8, 256, 64, 56, 56, 1),
    _conv2d("conv2d depthwise3x3 N8 128ch 56x56 fwd", 8, 128, 128, 56, 56, 3, padding=1, groups=128),
    _convT2d("conv_transpose2d 4x4s2 N8 64->32 28x28 fwd", 8, 64, 32, 28, 28, 4, 2, 1),
    _convT2d("conv_transpose2d 4x4s2 N8 64->32 28x28 fwd+bwd", 8, 64, 32, 28, 28, 4, 2, 1, backward=True),
    _conv1d("conv1d N16 64->64 L1024 k5 fwd", 16, 64, 64, 1024, 5, 2),
    _conv2d("conv2d resnet3x3 float64 N8 64->64 56x56 fwd", 8, 64, 64, 56, 56, 3, padding=1, dtype=np.float64),
    _conv3d("conv3d 3x3x3 N2 32->32 16x56x56 fwd", 2, 32, 32, 16, 56, 56, 3, 1),
    _conv3d("conv3d 3x3x3 N2 32->32 16x56x56 fwd+bwd", 2, 32, 32, 16, 56, 56, 3, 1, backward=True),
]
