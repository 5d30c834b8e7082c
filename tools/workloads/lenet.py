"""LeNet, the ``Net`` of PyTorch's CIFAR-10 tutorial (3x32x32 input): forward+backward with nll_loss at
batch 64, forward at batch 1.

Both libraries build the same model with the same weights (drawn from a fixed random seed).  The
workloads exist only when refnn has every piece the model needs; otherwise
this module prints what is missing and contributes no workloads.
"""
import sys

import numpy as np

from tools.workloads import Workload

NEEDS = [("nn", "Conv2d"), ("nn", "Linear"), ("F", "relu"), ("F", "max_pool2d"), ("F", "log_softmax"),
         ("F", "nll_loss")]

# LeNet's parameters in state_dict order, with their shapes
SHAPES = [("conv1.weight", (6, 3, 5, 5)), ("conv1.bias", (6,)), ("conv2.weight", (16, 6, 5, 5)),
          ("conv2.bias", (16,)), ("fc1.weight", (120, 400)), ("fc1.bias", (120,)), ("fc2.weight", (84, 120)),
          ("fc2.bias", (84,)), ("fc3.weight", (10, 84)), ("fc3.bias", (10,))]


def build_net(nn, F):
    """LeNet's Net, for either library (``nn``/``F`` of torch or refnn): the registry's own LeNet."""
    from tests.registry.models import lenet
    return lenet(nn, F)


def _inputs(batch):
    def make():
        rng = np.random.default_rng(1234 + batch)
        arrays = {"x": rng.standard_normal((batch, 3, 32, 32), dtype=np.float32),
                  "target": rng.integers(0, 10, size=(batch,)).astype(np.int64)}
        for name, shape in SHAPES:
            fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else 16
            bound = 1.0 / np.sqrt(fan_in)
            arrays[name] = rng.uniform(-bound, bound, size=shape).astype(np.float32)
        return arrays
    return make


def _model(t):
    net = build_net(t["nn"], t["F"])
    net.load_state_dict({name: t[name] for name, _ in SHAPES})
    return net


def _forward(t):
    net = _model(t)
    x = t["x"]
    return lambda: net(x)


def _train_step(t):
    net = _model(t)
    F, x, target = t["F"], t["x"], t["target"]

    def step():
        net.zero_grad(set_to_none=True)
        loss = F.nll_loss(F.log_softmax(net(x), dim=1), target)
        loss.backward()
        return loss
    return step


def _flops(batch):
    conv1 = 2 * 6 * 28 * 28 * 3 * 25
    conv2 = 2 * 16 * 10 * 10 * 6 * 25
    fc = 2 * (400 * 120 + 120 * 84 + 84 * 10)
    return batch * (conv1 + conv2 + fc)


def _missing():
    import refnn.nn as nn
    import refnn.nn.functional as F
    libs = {"nn": nn, "F": F}
    return [f"{lib}.{name}" for lib, name in NEEDS if not hasattr(libs[lib], name)]


MISSING = _missing()
if MISSING:
    print(f"tools/workloads/lenet.py: LeNet workloads skipped, refnn lacks {', '.join(MISSING)}", file=sys.stderr)
    WORKLOADS = []
else:
    WORKLOADS = [
        Workload(name="lenet batch64 fwd+bwd nll_loss", family="lenet", make_inputs=_inputs(64),
                 torch_fn=_train_step, refnn_fn=_train_step, flops=3 * _flops(64)),
        Workload(name="lenet batch1 fwd", family="lenet", make_inputs=_inputs(1),
                 torch_fn=_forward, refnn_fn=_forward, flops=_flops(1)),
    ]
