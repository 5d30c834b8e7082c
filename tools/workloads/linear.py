"""Linear workloads."""
import numpy as np

from tools.workloads import Workload


def _inputs():
    rng = np.random.default_rng(0)
    return {"x": rng.standard_normal((64, 512), dtype=np.float32),
            "w": rng.standard_normal((256, 512), dtype=np.float32),
            "b": rng.standard_normal((256,), dtype=np.float32)}


WORKLOADS = [
    Workload(
        name="linear 64x512->256 fwd", family="linear", make_inputs=_inputs,
        torch_fn=lambda t: (lambda: t["F"].linear(t["x"], t["w"], t["b"])),
        refnn_fn=lambda r: (lambda: r["F"].linear(r["x"], r["w"], r["b"])),
        flops=2 * 64 * 512 * 256),
]
