"""A small 3-d convolutional network (issue 20): Conv3d, BatchNorm3d, ReLU, MaxPool3d, AdaptiveAvgPool3d,
Linear and CrossEntropyLoss, built identically from torch.nn and refnn.nn.

The module case compares repr, state_dict names, outputs, gradients and the BatchNorm buffers as every
model case does; the training case runs three SGD steps (momentum, weight decay) from the same initial
state in each library and compares every step's logits and loss, the last step's gradients and the final
state_dict (parameters and running statistics).
"""
import numpy as np

from tests.harness import ModuleCase, OpCase, T


def conv3d_net(nn, F):
    class Conv3dNet(nn.Module):
        def __init__(self, classes=5):
            super().__init__()
            self.features = nn.Sequential(
                nn.Conv3d(2, 6, 3, padding=1), nn.BatchNorm3d(6), nn.ReLU(),
                nn.MaxPool3d(2),
                nn.Conv3d(6, 8, (3, 3, 3), stride=(1, 2, 2), padding=1, bias=False), nn.BatchNorm3d(8), nn.ReLU())
            self.pool = nn.AdaptiveAvgPool3d((1, 2, 2))
            self.classifier = nn.Linear(8 * 4, classes)

        def forward(self, x):
            x = self.pool(self.features(x))
            return self.classifier(x.flatten(1))
    return Conv3dNet()


def _lib(F):
    if F.__name__.startswith("torch"):
        import torch
        return torch, torch.from_numpy
    import refnn
    return refnn, refnn.tensor


def _train_steps(steps=3):
    def call(F, x, target):
        lib, to_tensor = _lib(F)
        model = conv3d_net(lib.nn, F).to(x.dtype)
        rng = np.random.default_rng(3)
        # the same initial state in both libraries: every parameter drawn from one NumPy stream, in order
        state = {k: to_tensor(rng.uniform(-0.3, 0.3, size=tuple(v.shape)).astype(np.dtype(str(x.dtype).split(".")[-1])))
                 if k.endswith(("weight", "bias")) else v for k, v in model.state_dict().items()}
        model.load_state_dict(state)
        optimizer = lib.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-3)
        criterion = lib.nn.CrossEntropyLoss()
        outputs = []
        for _ in range(steps):
            optimizer.zero_grad()
            logits = model(x)
            loss = criterion(logits, target)
            loss.backward()
            optimizer.step()
            outputs += [logits.detach(), loss.detach()]
        outputs += [p.grad for p in model.parameters()]
        outputs += [v for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")]
        return tuple(outputs)
    return call


CASES = [
    ModuleCase(module=conv3d_net, name="Conv3d net", desc="batch3", inputs=(T((3, 2, 6, 8, 8)),)),
    ModuleCase(module=conv3d_net, name="Conv3d net", desc="eval", inputs=(T((2, 2, 6, 8, 8)),), train=False),
    OpCase(op="Conv3d net SGD", desc="train_3_steps",
           args=(T((4, 2, 6, 8, 8), requires_grad=False), T((4,), low=0, high=5, dtype="int64")),
           call=_train_steps(3), grad=False),
]
