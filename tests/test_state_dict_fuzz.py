"""Module.load_state_dict fuzzed against torch (issue 10).

Each example takes a model's state_dict and damages it: keys dropped or added (at the top, inside a child,
under a parameter's name), values reshaped, retyped (float64, float16, integers, bool) or replaced by
non-tensors (None, a float, a list, a string), NaN/inf written in, a non-string key; then loads it with
``strict`` and ``assign`` drawn, into the same model built from torch.nn and from refnn.nn.

- Both raise the same exception class with the same message, or both succeed and report the same
  missing and unexpected keys, and the models then hold the same values, dtypes and shapes.
- When refnn raises, its model is exactly as it was: every entry is validated before any is copied in
  (torch copies the good entries before it reports the bad ones; refnn deliberately does not).

The budget is ``REFNN_FUZZ_EXAMPLES`` (default 150) examples.
"""
import os
import warnings

import numpy as np
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import refnn

EXAMPLES = int(os.environ.get("REFNN_FUZZ_EXAMPLES", "150"))


def _build(nn):
    return nn.Sequential(nn.Conv2d(2, 3, 3), nn.BatchNorm2d(3), nn.Flatten(), nn.Linear(12, 2))


torch.manual_seed(0)
TORCH_STATE = {k: v.numpy().copy() for k, v in _build(torch.nn).state_dict().items()}
KEYS = list(TORCH_STATE)
NON_TENSORS = [None, 1.5, [1.0, 2.0], "w"]


@st.composite
def damaged_state(draw):
    state = dict(TORCH_STATE)
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["drop", "add", "reshape", "retype", "non_tensor", "special", "int_key"]))
        key = draw(st.sampled_from(KEYS))
        if kind == "drop":
            state.pop(key, None)
        elif kind == "add":
            name = draw(st.sampled_from(["extra", "0.extra", "1.weight.x", "4.weight", "3", "2.weight"]))
            state[name] = np.zeros(draw(st.sampled_from([(), (1,), (3,)])), dtype=np.float32)
        elif key in state and isinstance(state[key], np.ndarray):
            value = state[key]
            if kind == "reshape":
                shape = draw(st.sampled_from([(), (1,), (0,), value.shape + (1,), (value.size + 1,),
                                              value.shape[::-1]]))
                state[key] = np.ones(shape, dtype=value.dtype)
            elif kind == "retype":
                dtype = draw(st.sampled_from(["float64", "float16", "int64", "int32", "bool", "uint8"]))
                state[key] = np.asarray(value * 3).astype(dtype)
            elif kind == "non_tensor":
                state[key] = draw(st.sampled_from(NON_TENSORS))
            elif kind == "special" and value.dtype.kind == "f" and value.size:
                value = value.copy()
                value.reshape(-1)[draw(st.integers(0, value.size - 1))] = draw(
                    st.sampled_from([np.nan, np.inf, -np.inf]))
                state[key] = value
        if kind == "int_key":
            state[5] = np.zeros(1, dtype=np.float32)
    return state


def _as(lib, state):
    wrap = (lambda a: torch.from_numpy(a.copy())) if lib == "torch" else (lambda a: refnn.Tensor(a.copy()))
    return {k: wrap(v) if isinstance(v, np.ndarray) else v for k, v in state.items()}


def _snapshot(model):
    return {k: (v.data.copy(), v.data.dtype) for k, v in model.state_dict().items()}


def _call(model, state, strict, assign):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return model.load_state_dict(state, strict=strict, assign=assign), None
    except Exception as exc:  # noqa: BLE001
        return None, exc


@settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(damaged_state(), st.booleans(), st.booleans())
def test_load_state_dict_matches_torch(state, strict, assign):
    torch_model = _build(torch.nn)
    torch_model.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in TORCH_STATE.items()})
    refnn_model = _build(refnn.nn)
    refnn_model.load_state_dict(_as("refnn", TORCH_STATE))
    before = _snapshot(refnn_model)

    expected, torch_exc = _call(torch_model, _as("torch", state), strict, assign)
    actual, refnn_exc = _call(refnn_model, _as("refnn", state), strict, assign)

    if torch_exc is not None:
        assert refnn_exc is not None, f"torch raised {torch_exc!r}; refnn loaded the state"
        assert type(refnn_exc) is type(torch_exc), (torch_exc, refnn_exc)
        assert str(refnn_exc) == str(torch_exc)
    else:
        assert refnn_exc is None, f"torch loaded the state; refnn raised {refnn_exc!r}"
        assert list(actual.missing_keys) == list(expected.missing_keys)
        assert list(actual.unexpected_keys) == list(expected.unexpected_keys)
        torch_after = torch_model.state_dict()
        for key, value in refnn_model.state_dict().items():
            want = torch_after[key].detach().numpy()
            assert value.data.dtype == want.dtype and value.data.shape == want.shape, key
            assert np.array_equal(value.data, want, equal_nan=True), key
    if refnn_exc is not None:
        after = _snapshot(refnn_model)
        for key, (data, dtype) in before.items():
            assert after[key][1] == dtype and np.array_equal(after[key][0], data, equal_nan=True), (
                f"{key} changed although load_state_dict raised")


def test_fuzzer_finds_a_missing_tensor_check(monkeypatch):
    """The guard works: with the Tensor-like check removed from load_state_dict, the fuzzer above finds
    a state torch refuses (a None, a float or a list as a value) that refnn then mishandles."""
    from refnn.nn.modules import module
    monkeypatch.setattr(module, "_tensor_like_array", lambda value: np.asarray(
        value.data if isinstance(value, refnn.Tensor) else value))
    try:
        test_load_state_dict_matches_torch()
    except AssertionError as exc:
        assert "refnn" in str(exc) or "torch" in str(exc), exc
    else:
        raise AssertionError("the fuzzer did not notice the missing check")
