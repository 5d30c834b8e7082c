"""Reliability under real use: bad calls fail whole, with torch's words.

* ``backward`` is all or nothing: every root and gradient is checked before anything runs, and a
  failure part way (a freed graph, a modified saved tensor) leaves every ``.grad`` untouched;
* the messages are torch's: the checks of backward's roots and gradients, a tensor saved for
  backward and modified in place (naming the op torch names), a convolution's channel error for
  an unbatched input (printed with the batch dimension torch adds).
"""
import re

import numpy as np
import pytest
import torch

import refnn
import refnn.nn as nn
import refnn.nn.functional as F

_HINT = re.compile(r" Hint: enable anomaly detection.*$", re.S)


def _error(lib, fn):
    """(type name, message) of what fn raises, torch's anomaly-detection hint dropped."""
    try:
        fn()
    except Exception as exc:  # noqa: BLE001 - any class: it is compared with torch's
        return type(exc).__name__, _HINT.sub("", str(exc))
    raise AssertionError(f"{lib}: no error raised")


def _graphs(lib):
    """A leaf with a gradient already, and y = 2 * leaf."""
    leaf = lib.tensor(np.arange(3.0, dtype=np.float32), requires_grad=True)
    (leaf * 3).sum().backward()
    return leaf, leaf * 2


def _ones(lib, *shape):
    return lib.tensor(np.ones(shape, dtype=np.float32))


# each: (lib, leaf, y) -> the call; torch raises before touching anything
BACKWARD_ERRORS = {
    "gradient_shape_of_a_scalar": lambda lib, leaf, y: lib.autograd.backward([y.sum()], [_ones(lib, 1)]),
    "implicit_gradient_of_a_vector": lambda lib, leaf, y: lib.autograd.backward([leaf, y], [_ones(lib, 3), None]),
    "root_without_grad": lambda lib, leaf, y: lib.autograd.backward([leaf, _ones(lib, 2)],
                                                                    [_ones(lib, 3), _ones(lib, 2)]),
    "fewer_gradients_than_roots": lambda lib, leaf, y: lib.autograd.backward([leaf, y], [_ones(lib, 3)]),
    "gradient_of_a_wrong_type": lambda lib, leaf, y: lib.autograd.backward([leaf, y], [_ones(lib, 3), [1.0] * 3]),
    "tensor_backward_gradient_shape": lambda lib, leaf, y: y.backward(_ones(lib, 4)),
    "tensor_backward_implicit": lambda lib, leaf, y: y.backward(),
    "tensor_backward_list": lambda lib, leaf, y: y.backward([1.0, 1.0, 1.0]),
    "tensor_backward_without_grad": lambda lib, leaf, y: _ones(lib, 3).backward(_ones(lib, 3)),
}


@pytest.mark.parametrize("case", sorted(BACKWARD_ERRORS))
def test_backward_checks_every_root_first_and_changes_nothing(case):
    call = BACKWARD_ERRORS[case]
    leaf_t, y_t = _graphs(torch)
    leaf_r, y_r = _graphs(refnn)
    before = leaf_r.grad.data.copy()
    expected = _error("torch", lambda: call(torch, leaf_t, y_t))
    got = _error("refnn", lambda: call(refnn, leaf_r, y_r))
    assert got == expected
    np.testing.assert_array_equal(leaf_t.grad.numpy(), before)   # torch too leaves it as it was
    np.testing.assert_array_equal(leaf_r.grad.data, before)


def test_a_wrong_gradient_after_a_leaf_root_changes_nothing():
    """The issue's call: a leaf root first, then a gradient of the wrong shape.  Neither touches the
    leaf's gradient.  With more than one gradient torch's message is lost: building it, torch looks the
    gradient up with ``grads.index(grad)``, which compares tensors elementwise and fails to broadcast
    ('The size of tensor a (3) must match ...'); refnn gives the message torch means (the one it
    gives for a single root)."""
    for lib in (torch, refnn):
        leaf, y = _graphs(lib)
        with pytest.raises(RuntimeError) as info:
            lib.autograd.backward([leaf, y], [_ones(lib, 3), _ones(lib, 4)])
        grad = leaf.grad.numpy() if lib is torch else leaf.grad.data
        np.testing.assert_array_equal(grad, [3.0, 3.0, 3.0])
    assert str(info.value) == ("Mismatch in shape: grad_output[1] has a shape of torch.Size([4]) and "
                               "output[1] has a shape of torch.Size([3]).")


def test_a_freed_graph_part_way_leaves_every_grad_untouched():
    """The leaf root comes first, the freed graph after: torch and refnn add nothing to leaf.grad."""
    results = []
    for lib in (torch, refnn):
        leaf, y = _graphs(lib)
        other = lib.tensor(np.ones(3, dtype=np.float32), requires_grad=True)
        z = y * other
        z.sum().backward()                                     # frees z's graph
        grads = (leaf.grad.numpy().copy() if lib is torch else leaf.grad.data.copy(),
                 other.grad.numpy().copy() if lib is torch else other.grad.data.copy())
        error = _error(lib.__name__, lambda: lib.autograd.backward([leaf, z], [_ones(lib, 3), _ones(lib, 3)]))
        after = (leaf.grad.numpy() if lib is torch else leaf.grad.data,
                 other.grad.numpy() if lib is torch else other.grad.data)
        np.testing.assert_array_equal(after[0], grads[0])
        np.testing.assert_array_equal(after[1], grads[1])
        results.append(error)
    assert results[1] == results[0]


def test_a_modified_saved_tensor_part_way_leaves_every_grad_untouched():
    leaf = refnn.tensor(np.arange(3.0, dtype=np.float32), requires_grad=True)
    w = refnn.tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    h = F.relu(leaf * 1)
    loss = (h * w).sum() + (leaf * 2).sum()
    F.relu_(h)                               # h, saved by the product, is now at version 1
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()
    assert leaf.grad is None and w.grad is None


def test_an_optimizer_step_after_a_failed_backward_moves_nothing():
    model = nn.Linear(3, 2)
    opt = refnn.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    before = [p.data.copy() for p in model.parameters()]
    out = model(refnn.tensor(np.ones((4, 3), dtype=np.float32)))
    with pytest.raises(RuntimeError, match="Mismatch in shape"):
        refnn.autograd.backward([out], [np.ones((4, 3), dtype=np.float32)])
    opt.step()
    for p, b in zip(model.parameters(), before):
        assert p.grad is None
        np.testing.assert_array_equal(p.data, b)


# each: lib -> the call, raising when the saved tensor is used by backward
MODIFIED_SAVED = {
    "own_output_relu": lambda lib: _modify_then_backward(lib, lambda h: lib.nn.functional.relu(h), own=True),
    "own_output_sigmoid": lambda lib: _modify_then_backward(lib, lambda h: lib.nn.functional.sigmoid(h), own=True),
    "own_output_tanh": lambda lib: _modify_then_backward(lib, lambda h: lib.nn.functional.tanh(h), own=True),
    "input_of_mul_modified_by_relu_": lambda lib: _modify_then_backward(lib, lambda h: h, own=False),
    "input_without_grad_fn": lambda lib: _modify_leaf_input(lib),
    "scalar": lambda lib: _modify_then_backward(lib, lambda h: lib.nn.functional.sigmoid(h.sum()), own=True),
    "float64_matrix": lambda lib: _modify_then_backward(lib, lambda h: lib.nn.functional.relu(h), own=True,
                                                        shape=(2, 3), dtype=np.float64),
}


def _modify_then_backward(lib, op, own, shape=(3,), dtype=np.float32):
    x = lib.tensor(np.linspace(-1, 1, int(np.prod(shape))).reshape(shape).astype(dtype), requires_grad=True)
    y = op(x * 1)
    if own:
        (lib.nn.functional.relu_(y) if y.dim() else y.mul_(2) if lib is torch else _bump(y))
        return y.sum().backward()
    z = y * y
    lib.nn.functional.relu_(y)
    return z.sum().backward()


def _bump(t):
    """refnn: an in-place change of a 0-d tensor (version + 1), as mul_ is in torch."""
    t.fill_(float(t.data) * 2)


def _modify_leaf_input(lib):
    x = lib.tensor(np.ones((2, 3), dtype=np.float32))
    w = lib.tensor(np.ones((2, 3), dtype=np.float32), requires_grad=True)
    y = w * x
    x.fill_(2.0)
    return y.sum().backward()


@pytest.mark.parametrize("case", sorted(MODIFIED_SAVED))
def test_a_modified_saved_tensor_names_the_op_torch_names(case):
    expected = _error("torch", lambda: MODIFIED_SAVED[case](torch))
    got = _error("refnn", lambda: MODIFIED_SAVED[case](refnn))
    assert got == expected


CONV_CHANNELS = {
    "conv2d_unbatched": (lambda lib: lib.nn.Conv2d(3, 4, 3), (2, 3, 8)),
    "conv2d_batched": (lambda lib: lib.nn.Conv2d(3, 4, 3), (1, 2, 3, 8)),
    "conv1d_unbatched": (lambda lib: lib.nn.Conv1d(3, 4, 3), (2, 8)),
    "conv_transpose2d_unbatched": (lambda lib: lib.nn.ConvTranspose2d(3, 4, 3), (2, 3, 8)),
    "conv2d_groups_unbatched": (lambda lib: lib.nn.Conv2d(4, 4, 3, groups=2), (3, 8, 8)),
}


@pytest.mark.parametrize("case", sorted(CONV_CHANNELS))
def test_conv_channel_error_prints_the_batched_size(case):
    make, shape = CONV_CHANNELS[case]
    data = np.zeros(shape, dtype=np.float32)
    expected = _error("torch", lambda: make(torch)(torch.from_numpy(data)))
    got = _error("refnn", lambda: make(refnn)(refnn.tensor(data)))
    assert got == expected


def test_sgd_step_with_a_gradient_of_the_wrong_size_moves_no_parameter():
    """torch refuses such a gradient when it is assigned; refnn's gradients are plain attributes, so
    SGD checks them all before moving any, with torch's words."""
    with pytest.raises(RuntimeError) as expected:
        torch.nn.Linear(3, 2).bias.grad = torch.ones(4)
    model = nn.Sequential(nn.Linear(3, 2), nn.Linear(2, 2))
    opt = refnn.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    before = [p.data.copy() for p in model.parameters()]
    params = list(model.parameters())
    for p in params:
        p.grad = refnn.tensor(np.ones(p.shape, dtype=np.float32))
    params[-1].grad = refnn.tensor(np.ones(4, dtype=np.float32))        # the last one is wrong
    with pytest.raises(RuntimeError) as got:
        opt.step()
    assert str(got.value) == str(expected.value)
    for p, b in zip(params, before):
        np.testing.assert_array_equal(p.data, b)
    assert not opt.state
