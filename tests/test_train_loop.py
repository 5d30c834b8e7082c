"""The README's training example: it runs as written, and the same loop (a small CNN, Adam, OneCycleLR, a
DataLoader over a TensorDataset) gives torch's loss curve from the same initial state and batch order."""
import os
import re

import numpy as np
import torch

import refnn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_readme_training_example_runs():
    text = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    block = next(b for b in re.findall(r"```python\n(.*?)```", text, re.S) if "OneCycleLR" in b)
    namespace = {}
    exec(compile(block, "README.md", "exec"), namespace)
    assert namespace["loss"].item() < 0.69                 # it learned something (chance is log 2)
    assert list(namespace["checkpoint"]["optimizer"]) == ["state", "param_groups"]


def _data():
    rng = np.random.default_rng(0)
    images = rng.standard_normal((96, 1, 12, 12)).astype("float32")
    labels = (images[:, 0, :6].mean(axis=(1, 2)) > images[:, 0, 6:].mean(axis=(1, 2))).astype("int64")
    order = rng.permutation(96).tolist()                   # the same batch order for both libraries
    return images, labels, order


def _train(lib, state, images, labels, order, epochs=3):
    nn, F = lib.nn, lib.nn.functional
    data = lib.utils.data
    to_tensor = torch.from_numpy if lib is torch else refnn.tensor
    model = nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(8 * 5 * 5, 2))
    model.load_state_dict({k: to_tensor(v.copy()) for k, v in state.items()})
    loader = data.DataLoader(data.TensorDataset(to_tensor(images), to_tensor(labels)), batch_size=16,
                             sampler=order)
    optimizer = lib.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4)
    scheduler = lib.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.02, epochs=epochs,
                                                  steps_per_epoch=len(loader))
    losses, lrs = [], []
    for _ in range(epochs):
        for x, y in loader:
            optimizer.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
            scheduler.step()
            losses.append(loss.item())
            lrs.append(scheduler.get_last_lr())
    params = [p.detach().numpy().copy() if lib is torch else p.data.copy() for p in model.parameters()]
    return np.array(losses), lrs, optimizer.state_dict(), params


def test_training_loop_follows_torch():
    images, labels, order = _data()
    torch.manual_seed(0)
    reference = torch.nn.Sequential(torch.nn.Conv2d(1, 8, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                                    torch.nn.Flatten(), torch.nn.Linear(8 * 5 * 5, 2))
    state = {k: v.detach().numpy() for k, v in reference.state_dict().items()}
    t_loss, t_lrs, t_sd, t_params = _train(torch, state, images, labels, order)
    r_loss, r_lrs, r_sd, r_params = _train(refnn, state, images, labels, order)
    # the forward and backward passes agree with torch to float32 rounding (not bit for bit: the
    # convolution's sums run in another order), and the optimiser carries those differences on
    np.testing.assert_allclose(r_loss, t_loss, rtol=1e-4, atol=1e-5)
    assert t_loss[-1] < t_loss[0]
    assert r_lrs == t_lrs
    for r, t in zip(r_params, t_params):
        np.testing.assert_allclose(r, t, rtol=1e-3, atol=1e-4)
    assert list(r_sd) == list(t_sd)
    assert {k: list(v) for k, v in r_sd["state"].items()} == {k: list(v) for k, v in t_sd["state"].items()}
    assert r_sd["param_groups"] == t_sd["param_groups"]
