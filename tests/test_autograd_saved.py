"""Saved outputs (torch's SavedVariable): an op that saves its own output for the backward keeps the
output's array and a shared version counter, not the output Tensor, so the graph has no reference cycle
(output -> grad_fn -> ctx -> output) and is freed by reference counting alone; an in-place change of the
output after it was saved still raises torch's error, with torch's text."""
import gc
import weakref

import numpy as np
import pytest
import torch

import refnn

RNG = np.random.default_rng(17)

# ops whose backward reads their own result (torch saves the result for each of these)
SAVES_RESULT = {
    "relu": lambda lib, x: lib.nn.functional.relu(x),
    "sigmoid": lambda lib, x: lib.sigmoid(x),
    "tanh": lambda lib, x: lib.tanh(x),
    "softmax": lambda lib, x: lib.nn.functional.softmax(x, dim=1),
    "log_softmax": lambda lib, x: lib.nn.functional.log_softmax(x, dim=1),
    "relu_inplace": lambda lib, x: lib.nn.functional.relu(x * 1.0, inplace=True),
    "elu_inplace": lambda lib, x: lib.nn.functional.elu(x * 1.0, inplace=True),
}


@pytest.fixture
def gc_off():
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _input(lib, dtype=np.float32):
    data = RNG.standard_normal((3, 5)).astype(dtype)
    return lib.tensor(data, requires_grad=True)


@pytest.mark.parametrize("name", sorted(SAVES_RESULT))
def test_saved_output_leaves_no_reference_cycle(name, gc_off):
    x = _input(refnn)
    y = SAVES_RESULT[name](refnn, x)
    assert y.grad_fn is not None
    ref = weakref.ref(y)
    del y
    assert ref() is None, "the output outlived its last reference: a reference cycle holds it"
    assert gc.collect() == 0


@pytest.mark.parametrize("name", sorted(SAVES_RESULT))
def test_graph_through_saved_output_is_freed_after_backward(name, gc_off):
    x = _input(refnn)
    y = SAVES_RESULT[name](refnn, x)
    z = (y * y).sum()
    ref = weakref.ref(y)
    z.backward()
    del y, z
    assert ref() is None
    assert gc.collect() == 0
    assert x.grad is not None


def _torch_text(exc):
    """torch's message less its trailing "Hint: ..." sentence (refnn does not print the hint)."""
    text = str(exc)
    return text.split(" Hint:")[0]


@pytest.mark.parametrize("name", ["relu", "sigmoid", "tanh", "softmax", "log_softmax"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_inplace_change_of_saved_output_raises_torchs_error(name, dtype):
    messages = []
    for lib in (torch, refnn):
        x = lib.tensor(RNG.standard_normal((2, 3)).astype(dtype), requires_grad=True)
        y = SAVES_RESULT[name](lib, x)
        loss = y.sum()                  # (sum saves nothing)
        y.add_(1.0)                     # version 0 -> 1 after the op saved y
        with pytest.raises(RuntimeError) as info:
            loss.backward()
        messages.append(_torch_text(info.value))
    assert messages[1] == messages[0]
    assert "one of the variables needed for gradient computation has been modified by an inplace" in messages[1]


def test_inplace_change_then_del_of_saved_output_still_raises():
    """The record shares the output's version counter: the change is seen after the output is gone."""
    messages = []
    for lib in (torch, refnn):
        x = lib.tensor(RNG.standard_normal((4,)).astype(np.float32), requires_grad=True)
        y = lib.sigmoid(x)
        loss = y.sum()
        y.mul_(2.0)
        del y
        with pytest.raises(RuntimeError) as info:
            loss.backward()
        messages.append(_torch_text(info.value))
    assert messages[1] == messages[0]


def test_inplace_op_result_saved_then_changed_again_raises_torchs_error():
    """relu_ saves its (dirty) result at version 1; a second in-place change makes it 2."""
    messages = []
    for lib in (torch, refnn):
        x = lib.tensor(RNG.standard_normal((2, 2)).astype(np.float32), requires_grad=True)
        y = lib.nn.functional.relu(x * 1.0, inplace=True)
        loss = y.sum()
        y.mul_(2.0)
        with pytest.raises(RuntimeError) as info:
            loss.backward()
        messages.append(_torch_text(info.value))
    assert messages[1] == messages[0]


def test_saved_output_unchanged_gives_torchs_gradient():
    g = RNG.standard_normal((3, 5)).astype(np.float32)
    for name in SAVES_RESULT:
        xt, xr = _input(torch), None
        xr = refnn.tensor(xt.detach().numpy().copy(), requires_grad=True)
        SAVES_RESULT[name](torch, xt).backward(torch.from_numpy(g))
        SAVES_RESULT[name](refnn, xr).backward(g)
        np.testing.assert_allclose(xr.grad.data, xt.grad.numpy(), rtol=1.3e-6, atol=1e-5, err_msg=name)


def test_version_property_counts_in_place_changes():
    x = refnn.tensor(np.zeros(3, dtype=np.float32), requires_grad=True)
    y = refnn.sigmoid(x)
    assert y._version == 0
    y.add_(1.0)
    assert y._version == 1
    y._version += 1
    assert y._version == 2


@pytest.mark.parametrize("scalar_side", ["right", "left"])
def test_mul_by_a_number_saves_no_tensor(scalar_side):
    """torch's Mul saves an operand only for the other operand's gradient: ``y * 2.0`` keeps nothing of
    ``y``, so changing ``y`` in place afterwards does not stop the backward."""
    grads = []
    for lib in (torch, refnn):
        x = lib.tensor(RNG.standard_normal((2, 3)).astype(np.float32), requires_grad=True)
        y = x * 1.0
        z = y * 2.0 if scalar_side == "right" else 2.0 * y
        y.add_(1.0)
        z.sum().backward()
        grads.append(np.asarray(x.grad.detach().numpy() if lib is torch else x.grad.data))
    np.testing.assert_array_equal(grads[1], grads[0])


def test_mul_of_two_tensors_still_checks_both_operands():
    messages = []
    for lib in (torch, refnn):
        x = lib.tensor(RNG.standard_normal((2, 3)).astype(np.float32), requires_grad=True)
        y = x * 1.0
        z = y * x
        y.add_(1.0)
        with pytest.raises(RuntimeError) as info:
            z.sum().backward()
        messages.append(_torch_text(info.value))
    assert messages[1] == messages[0]


def test_second_backward_accumulates_into_the_same_grad_like_torch():
    """torch's AccumulateGrad adds a later gradient in place (``variable_grad += new_grad``): a reference
    to ``.grad`` taken after the first backward sees the sum, and the version of ``.grad`` moves."""
    seen = []
    data = RNG.standard_normal((3, 4)).astype(np.float32)
    for lib in (torch, refnn):
        x = lib.tensor(data.copy(), requires_grad=True)
        lib.sigmoid(x).sum().backward()
        first = x.grad
        version = first._version
        (x * 3.0).sum().backward()
        assert x.grad is first
        assert first._version == version + 1
        seen.append(np.array(first.detach().numpy() if lib is torch else first.data))
    np.testing.assert_allclose(seen[1], seen[0], rtol=1.3e-6, atol=1e-6)


def test_grad_of_another_dtype_is_not_added_in_place():
    x = refnn.tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    x.grad = refnn.tensor(np.ones(3, dtype=np.float64))
    held = x.grad.data
    (x * 2.0).sum().backward()
    np.testing.assert_array_equal(held, np.ones(3))         # the float64 array was not written
    np.testing.assert_array_equal(x.grad.data, np.full(3, 3.0))
