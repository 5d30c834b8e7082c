"""Per-call overhead: F.relu and F.linear on a 1-element input, with and without requires_grad, forward and
forward + backward.  The work is nil, so the time is the library's own cost per call (bench.py prints it in
microseconds beside the ms columns); the upstream gradient is a fixed array."""
import numpy as np

from tools.workloads import Workload


def _one():
    return {"x": np.full((1,), 0.5, dtype=np.float32), "w": np.full((1, 1), 0.25, dtype=np.float32),
            "b": np.full((1,), 0.125, dtype=np.float32), "xg": np.full((1,), 0.5, dtype=np.float32),
            "wg": np.full((1, 1), 0.25, dtype=np.float32), "bg": np.full((1,), 0.125, dtype=np.float32),
            "g": np.full((1,), 0.75, dtype=np.float32)}


def _fwd(call):
    return lambda t: (lambda: call(t))


def _fwd_bwd(call):
    def make(t):
        def step():
            out = call(t)
            out.backward(t["g"])
            return out
        return step
    return make


def _relu(t, grad=False):
    return t["F"].relu(t["xg"] if grad else t["x"])


def _linear(t, grad=False):
    return t["F"].linear(t["xg"], t["wg"], t["bg"]) if grad else t["F"].linear(t["x"], t["w"], t["b"])


WORKLOADS = [
    Workload(name="overhead relu 1 element fwd", family="overhead", make_inputs=_one,
             torch_fn=_fwd(_relu), refnn_fn=_fwd(_relu)),
    Workload(name="overhead relu 1 element requires_grad fwd", family="overhead", make_inputs=_one,
             torch_fn=_fwd(lambda t: _relu(t, True)), refnn_fn=_fwd(lambda t: _relu(t, True)),
             grad_inputs=("xg",)),
    Workload(name="overhead relu 1 element fwd+bwd", family="overhead", make_inputs=_one,
             torch_fn=_fwd_bwd(lambda t: _relu(t, True)), refnn_fn=_fwd_bwd(lambda t: _relu(t, True)),
             grad_inputs=("xg",)),
    Workload(name="overhead linear 1 element fwd", family="overhead", make_inputs=_one,
             torch_fn=_fwd(_linear), refnn_fn=_fwd(_linear)),
    Workload(name="overhead linear 1 element requires_grad fwd", family="overhead", make_inputs=_one,
             torch_fn=_fwd(lambda t: _linear(t, True)), refnn_fn=_fwd(lambda t: _linear(t, True)),
             grad_inputs=("xg", "wg", "bg")),
    Workload(name="overhead linear 1 element fwd+bwd", family="overhead", make_inputs=_one,
             torch_fn=_fwd_bwd(lambda t: _linear(t, True)), refnn_fn=_fwd_bwd(lambda t: _linear(t, True)),
             grad_inputs=("xg", "wg", "bg")),
]
