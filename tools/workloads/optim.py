"""Optimiser workloads: one Adam step on 10 million float32 parameters (torch's single-tensor update,
foreach=False, against refnn's)."""
import numpy as np

from tools.workloads import Workload

N = 10_000_000


def _inputs():
    rng = np.random.default_rng(0)
    return {"p": rng.standard_normal(N, dtype=np.float32), "g": rng.standard_normal(N, dtype=np.float32)}


def _torch_adam(t):
    torch = t["lib"]
    param = torch.nn.Parameter(t["p"])
    param.grad = t["g"]
    optimizer = torch.optim.Adam([param], lr=1e-3, foreach=False)

    def step():
        optimizer.step()
        return param.detach()
    return step


def _refnn_adam(r):
    refnn = r["lib"]
    param = refnn.nn.Parameter(r["p"].data)
    param.grad = r["g"]
    optimizer = refnn.optim.Adam([param], lr=1e-3)

    def step():
        optimizer.step()
        return param.data
    return step


WORKLOADS = [
    Workload(name="adam step 10M float32", family="optim", make_inputs=_inputs,
             torch_fn=_torch_adam, refnn_fn=_refnn_adam,
             flops=12 * N, bytes=7 * 4 * N),         # reads p, g, m, v; writes p, m, v
]
