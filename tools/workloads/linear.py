"""Linear workloads: forward, forward+backward, and a batch-1 forward (matrix-vector); a large layer
(256x1024 -> 1024) forward and forward+backward."""
import numpy as np

from tools.workloads import Workload


def _inputs(rows=64, fin=512, fout=256):
    def make():
        rng = np.random.default_rng(0)
        return {"x": rng.standard_normal((rows, fin), dtype=np.float32),
                "w": rng.standard_normal((fout, fin), dtype=np.float32),
                "b": rng.standard_normal((fout,), dtype=np.float32),
                "grad": rng.standard_normal((rows, fout), dtype=np.float32)}
    return make


def _train_step(t):
    F, x, w, b, grad = t["F"], t["x"], t["w"], t["b"], t["grad"]

    def step():
        out = F.linear(x, w, b)
        out.backward(grad)
        return out
    return step


WORKLOADS = [
    Workload(
        name="linear 64x512->256 fwd", family="linear", make_inputs=_inputs(),
        torch_fn=lambda t: (lambda: t["F"].linear(t["x"], t["w"], t["b"])),
        refnn_fn=lambda r: (lambda: r["F"].linear(r["x"], r["w"], r["b"])),
        flops=2 * 64 * 512 * 256),
    Workload(
        name="linear 64x512->256 fwd+bwd", family="linear", make_inputs=_inputs(),
        torch_fn=_train_step, refnn_fn=_train_step, flops=3 * 2 * 64 * 512 * 256, grad_inputs=("x", "w", "b")),
    Workload(
        name="linear 1x512->256 fwd", family="linear", make_inputs=_inputs(1),
        torch_fn=lambda t: (lambda: t["F"].linear(t["x"], t["w"], t["b"])),
        refnn_fn=lambda r: (lambda: r["F"].linear(r["x"], r["w"], r["b"])),
        flops=2 * 512 * 256),
    Workload(
        name="linear 256x1024->1024 fwd", family="linear", make_inputs=_inputs(256, 1024, 1024),
        torch_fn=lambda t: (lambda: t["F"].linear(t["x"], t["w"], t["b"])),
        refnn_fn=lambda r: (lambda: r["F"].linear(r["x"], r["w"], r["b"])),
        flops=2 * 256 * 1024 * 1024),
    Workload(
        name="linear 256x1024->1024 fwd+bwd", family="linear", make_inputs=_inputs(256, 1024, 1024),
        torch_fn=_train_step, refnn_fn=_train_step, flops=3 * 2 * 256 * 1024 * 1024, grad_inputs=("x", "w", "b")),
]
