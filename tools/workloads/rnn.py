"""Recurrent workloads, forward + backward: a 2-layer LSTM (input 64, hidden 128, seq 32, batch 16) and a
1-layer GRU over a long sequence of one sample (input 64, hidden 128, seq 100, batch 1).

Both libraries build the module from the same seeded weights; the upstream gradient of the output is a
fixed random array (never ``.sum()``), and the weight gradients are cleared before every iteration.
"""
import numpy as np

from tools.workloads import Workload


def _names(num_layers):
    return [f"{kind}_l{layer}" for layer in range(num_layers)
            for kind in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]


def _inputs(mode, input_size, hidden, seq, batch, num_layers):
    gates = {"LSTM": 4, "GRU": 3}[mode]

    def make():
        rng = np.random.default_rng(17)
        bound = 1.0 / np.sqrt(hidden)
        arrays = {"x": rng.standard_normal((seq, batch, input_size), dtype=np.float32),
                  "grad": rng.standard_normal((seq, batch, hidden), dtype=np.float32)}
        for layer in range(num_layers):
            width = input_size if layer == 0 else hidden
            shapes = {"weight_ih": (gates * hidden, width), "weight_hh": (gates * hidden, hidden),
                      "bias_ih": (gates * hidden,), "bias_hh": (gates * hidden,)}
            for kind, shape in shapes.items():
                arrays[f"{kind}_l{layer}"] = rng.uniform(-bound, bound, size=shape).astype(np.float32)
        return arrays
    return make


def _fwd_bwd(mode, input_size, hidden, num_layers):
    def make(t):
        module = getattr(t["nn"], mode)(input_size, hidden, num_layers=num_layers)
        module.load_state_dict({name: t[name] for name in _names(num_layers)})
        x, grad = t["x"], t["grad"]

        def step():
            module.zero_grad(set_to_none=True)
            out = module(x)[0]
            out.backward(grad)
            return out
        return step
    return make


def _flops(gates, input_size, hidden, seq, batch, num_layers):
    """Multiply-adds of the products (x2 for FLOPs), forward and backward (3x forward)."""
    total = 0
    for layer in range(num_layers):
        width = input_size if layer == 0 else hidden
        total += 2 * seq * batch * gates * hidden * (width + hidden)
    return 3 * total


WORKLOADS = [
    Workload(
        name="LSTM 2 layers 64->128 seq 32 batch 16 fwd+bwd", family="rnn",
        make_inputs=_inputs("LSTM", 64, 128, 32, 16, 2), torch_fn=_fwd_bwd("LSTM", 64, 128, 2),
        refnn_fn=_fwd_bwd("LSTM", 64, 128, 2), flops=_flops(4, 64, 128, 32, 16, 2), grad_inputs=("x",)),
    Workload(
        name="GRU 1 layer 64->128 seq 100 batch 1 fwd+bwd", family="rnn",
        make_inputs=_inputs("GRU", 64, 128, 100, 1, 1), torch_fn=_fwd_bwd("GRU", 64, 128, 1),
        refnn_fn=_fwd_bwd("GRU", 64, 128, 1), flops=_flops(3, 64, 128, 100, 1, 1), grad_inputs=("x",)),
]
