"""Tensor arithmetic and autograd against torch."""
import numpy as np
import pytest
import torch

import refnn

RNG = np.random.default_rng(0)


def pair(shape, dtype=np.float32):
    x = RNG.standard_normal(shape).astype(dtype)
    return torch.tensor(x, requires_grad=True), refnn.tensor(x, requires_grad=True)


def check(rt, tt, rtol=1.3e-6, atol=1e-5):
    assert (rt is None) == (tt is None)
    if tt is None:
        return
    np.testing.assert_allclose(np.asarray(rt.data), tt.detach().numpy(), rtol=rtol, atol=atol)


@pytest.mark.parametrize("expr", [
    lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a * b, lambda a, b: a / (b * b + 1),
    lambda a, b: -a + 2.0 * b - 1.5, lambda a, b: (a * b).sum(dim=1), lambda a, b: (a + b).mean(),
    lambda a, b: a.reshape(-1) @ b.reshape(-1), lambda a, b: a @ b.T,
    lambda a, b: (a ** 2).exp().sqrt() + b.abs(), lambda a, b: a.transpose(0, 1)[1:3] * 2,
    lambda a, b: (a[:, :1] + b).flatten(), lambda a, b: a.unsqueeze(0).expand(2, 3, 4).sum(),
])
def test_arithmetic_and_grad(expr):
    at, ar = pair((3, 4))
    bt, br = pair((3, 4))
    yt, yr = expr(at, bt), expr(ar, br)
    check(yr, yt)
    g = RNG.standard_normal(tuple(yt.shape)).astype(np.float32)
    yt.backward(torch.from_numpy(g))
    yr.backward(g)
    check(ar.grad, at.grad)
    check(br.grad, bt.grad)


def test_broadcasting_grad():
    at, ar = pair((3, 1))
    bt, br = pair((4,))
    (at * bt).sum().backward()
    (ar * br).sum().backward()
    check(ar.grad, at.grad)
    check(br.grad, bt.grad)


def test_grad_accumulates_and_shared_use():
    at, ar = pair((5,))
    for _ in range(2):
        (at * at + at).sum().backward()
        (ar * ar + ar).sum().backward()
    check(ar.grad, at.grad)


def test_dtype_rules():
    assert refnn.tensor([1.0, 2.0]).dtype == np.float32
    assert refnn.tensor(np.ones(2)).dtype == np.float64
    assert refnn.tensor([1, 2]).dtype == np.int64
    assert refnn.tensor([True]).dtype == np.bool_
    assert (refnn.tensor([1.0]) * 2.5).dtype == np.float32
    assert np.asarray(refnn.tensor([1.0, 2.0]), dtype=np.float64).dtype == np.float64


def test_no_grad_and_errors():
    x = refnn.tensor([1.0, 2.0], requires_grad=True)
    with refnn.no_grad():
        y = x * 2
    assert not y.requires_grad and y.grad_fn is None
    with pytest.raises(RuntimeError):
        (x * 2).backward()           # non-scalar without gradient
    with pytest.raises(RuntimeError):
        x.numpy()
    with pytest.raises(RuntimeError):
        refnn.nn.functional.relu(x, inplace=True)   # leaf that requires grad
    y = (x * 2).sum()
    y.backward()
    with pytest.raises(RuntimeError):
        y.backward()                 # graph freed


def test_inplace_relu_on_nonleaf_matches_torch():
    at, ar = pair((6,))
    yt = torch.nn.functional.relu(at * 1.0, inplace=True)
    yr = refnn.nn.functional.relu(ar * 1.0, inplace=True)
    g = RNG.standard_normal(6).astype(np.float32)
    yt.backward(torch.from_numpy(g))
    yr.backward(g)
    check(ar.grad, at.grad)


def test_inplace_modification_of_saved_tensor_is_detected():
    for lib in (torch, refnn):
        x = lib.tensor([1.0, -2.0], requires_grad=True)
        h = x * 1.0
        q = h * h                                  # Mul saves h for its backward
        lib.nn.functional.relu(h, inplace=True)    # ... and h is then modified in place
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            q.sum().backward()


@pytest.mark.parametrize("route", ["root", "view", "op", "loss"])
def test_leaf_grad_holds_its_values_after_the_caller_changes_its_arrays(route):
    """The engine keeps a leaf's first gradient without a copy only when nothing else holds it: a gradient
    the caller passed (or a view of it) is copied, so changing the caller's array afterwards leaves .grad
    at torch's values (taken right after torch's backward)."""
    at, ar = pair((3, 4))
    g = RNG.standard_normal((12,) if route == "view" else (3, 4)).astype(np.float32)
    if route == "loss":
        target = np.array([1, 0, 3])
        torch.nn.functional.nll_loss(at, torch.tensor(target)).backward()
        refnn.nn.functional.nll_loss(ar, refnn.tensor(target)).backward()
    else:
        make = {"root": lambda a: a, "view": lambda a: a.reshape(12), "op": lambda a: a * 1.5}[route]
        make(at).backward(torch.tensor(g))
        make(ar).backward(g)
    expected = at.grad.detach().clone().numpy()
    g[...] = 7.0
    np.testing.assert_array_equal(ar.grad.data, expected)
    ar.grad.data[...] = -1.0          # and the other way: the caller's array is not the leaf's .grad
    assert (g == 7.0).all()
