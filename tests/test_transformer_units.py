"""Transformers beyond the registry: torch really takes its fast path in the registry's ``torch_fast_path``
cases, and the constructor's warning is torch's."""
import warnings

import pytest

from tests.harness.runner import _substitute, build_modules, case_seed, make_inputs, torch_tensors
from tests.registry import cases_of

FAST = [c for c in cases_of("transformer") if "torch_fast_path" in c.desc]


@pytest.mark.parametrize("case", FAST, ids=[c.desc for c in FAST])
def test_torch_takes_its_fast_path(case, monkeypatch):
    import torch
    calls = {"layer": 0, "nested": 0}
    layer_fwd, from_mask = torch._transformer_encoder_layer_fwd, torch._nested_tensor_from_mask

    def counting_layer(*args, **kwargs):
        calls["layer"] += 1
        return layer_fwd(*args, **kwargs)

    def counting_nested(*args, **kwargs):
        calls["nested"] += 1
        return from_mask(*args, **kwargs)

    monkeypatch.setattr(torch, "_transformer_encoder_layer_fwd", counting_layer)
    monkeypatch.setattr(torch, "_nested_tensor_from_mask", counting_nested)
    tm, _ = build_modules(case, "float32")
    arrays, args_p, kwargs_p = make_inputs(case.inputs, case.forward_kwargs, "float32", case_seed(case, "float32"))
    tt = torch_tensors(arrays, case.grad)
    tm(*_substitute(args_p, tt), **_substitute(kwargs_p, tt))
    assert calls["layer"] >= 1
    assert (calls["nested"] == 1) == ("nested" in case.desc)


@pytest.mark.parametrize("kwargs", [{}, {"batch_first": True, "norm_first": True}, {"batch_first": True, "nhead": 1},
                                    {"batch_first": True, "bias": False}, {"batch_first": True, "activation": "tanh"}])
def test_nested_tensor_warning(kwargs):
    import torch

    import refnn
    messages = []
    for lib in (torch, refnn):
        layer_kwargs = {"d_model": 8, "nhead": 2, "dim_feedforward": 16, **kwargs}
        activation = layer_kwargs.pop("activation", None)
        if activation == "tanh":
            layer_kwargs["activation"] = lib.tanh
        layer = lib.nn.TransformerEncoderLayer(**layer_kwargs)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            lib.nn.TransformerEncoder(layer, 2)
            lib.nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
        messages.append([str(w.message) for w in caught if "nested" in str(w.message)])
    assert messages[0] == messages[1]
    assert len(messages[0]) == (0 if kwargs == {"batch_first": True} else 1)
