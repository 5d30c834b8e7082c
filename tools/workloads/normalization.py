"""Normalisation workloads (memory-bound, with per-row reductions)."""
import numpy as np

from tools.workloads import Workload


def _inputs(shape, channels):
    def make():
        rng = np.random.default_rng(0)
        return {"x": rng.standard_normal(shape, dtype=np.float32),
                "w": rng.uniform(0.5, 1.5, size=channels).astype(np.float32),
                "b": rng.standard_normal(channels, dtype=np.float32),
                "running_mean": np.zeros(channels, np.float32),
                "running_var": np.ones(channels, np.float32),
                "grad": rng.standard_normal(shape, dtype=np.float32)}
    return make


def _fwd_bwd(forward):
    """One iteration: forward, then backward with the fixed upstream gradient ``grad``."""
    def runner(t):
        def step():
            forward(t).backward(t["grad"])
        return step
    return runner


def _batch_norm(t):
    return t["F"].batch_norm(t["x"], t["running_mean"], t["running_var"], t["w"], t["b"], True, 0.1, 1e-5)


def _layer_norm(t):
    return t["F"].layer_norm(t["x"], (768,), t["w"], t["b"], 1e-5)


def _group_norm(t):
    return t["F"].group_norm(t["x"], 32, t["w"], t["b"], 1e-5)


BN_SHAPE, LN_SHAPE, GN_SHAPE = (8, 64, 56, 56), (64, 512, 768), (8, 256, 28, 28)


def _bytes(shape, passes):
    return 4 * float(np.prod(shape)) * passes


WORKLOADS = [
    Workload(name="batch_norm2d train (8,64,56,56) fwd", family="normalization",
             make_inputs=_inputs(BN_SHAPE, 64),
             torch_fn=lambda t: (lambda: _batch_norm(t)), refnn_fn=lambda r: (lambda: _batch_norm(r)),
             bytes=_bytes(BN_SHAPE, 2)),
    Workload(name="batch_norm2d train (8,64,56,56) fwd+bwd", family="normalization",
             make_inputs=_inputs(BN_SHAPE, 64), torch_fn=_fwd_bwd(_batch_norm), refnn_fn=_fwd_bwd(_batch_norm),
             grad_inputs=("x", "w", "b"), bytes=_bytes(BN_SHAPE, 5)),
    Workload(name="layer_norm (64,512,768) last dim fwd", family="normalization",
             make_inputs=_inputs(LN_SHAPE, 768),
             torch_fn=lambda t: (lambda: _layer_norm(t)), refnn_fn=lambda r: (lambda: _layer_norm(r)),
             bytes=_bytes(LN_SHAPE, 2)),
    Workload(name="layer_norm (64,512,768) last dim fwd+bwd", family="normalization",
             make_inputs=_inputs(LN_SHAPE, 768), torch_fn=_fwd_bwd(_layer_norm), refnn_fn=_fwd_bwd(_layer_norm),
             grad_inputs=("x", "w", "b"), bytes=_bytes(LN_SHAPE, 5)),
    Workload(name="group_norm 32 groups (8,256,28,28) fwd", family="normalization",
             make_inputs=_inputs(GN_SHAPE, 256),
             torch_fn=lambda t: (lambda: _group_norm(t)), refnn_fn=lambda r: (lambda: _group_norm(r)),
             bytes=_bytes(GN_SHAPE, 2)),
    Workload(name="group_norm 32 groups (8,256,28,28) fwd+bwd", family="normalization",
             make_inputs=_inputs(GN_SHAPE, 256), torch_fn=_fwd_bwd(_group_norm), refnn_fn=_fwd_bwd(_group_norm),
             grad_inputs=("x", "w", "b"), bytes=_bytes(GN_SHAPE, 5)),
]
