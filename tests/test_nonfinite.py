"""docs/nonfinite.md is refnn's table, and every entry is torch's answer for the element alone."""
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

from tools import nonfinite_table

POINTS = [(op, kw, x) for op, kw, values in nonfinite_table.points_of() for x in values]


def test_doc_is_the_generated_table():
    with open(nonfinite_table.PATH) as f:
        assert f.read() == nonfinite_table.render(), "run python tools/nonfinite_table.py --write"


def _same(a, b):
    return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("op,kwargs,x", POINTS, ids=[f"{op}-{kw}-{x}" for op, kw, x in POINTS])
def test_value_is_torch_alone(op, kwargs, x, dtype):
    t = torch.tensor([x], dtype=getattr(torch, dtype), requires_grad=True)
    y = getattr(TF, op)(t, **kwargs)
    y.backward(torch.ones(1, dtype=t.dtype))
    ry, rg = nonfinite_table.refnn_values(op, kwargs, x, dtype)
    ty, tg = float(y.detach()[0]), float(t.grad[0])
    tol = 1e-6 if dtype == "float32" else 1e-12   # finite values may differ in the last bits
    for name, r, e in (("f(x)", ry, ty), ("f'(x)", rg, tg)):
        if math.isfinite(e) and math.isfinite(r):
            assert abs(r - e) <= tol * max(1.0, abs(e)), f"{name}: refnn {r} vs torch alone {e}"
            assert e != 0 or math.copysign(1, r) == math.copysign(1, e), f"{name}: sign of zero {r} vs {e}"
        else:
            assert _same(r, e), f"{name}: refnn {r} vs torch alone {e}"


def test_table_covers_every_special():
    text = open(nonfinite_table.PATH).read()
    for op, _kw, _values in nonfinite_table.points_of():
        for x in ("inf", "-inf", "nan", "| 0 |", "-0"):
            assert f"`{op}" in text and x in text
    assert np.isnan(float("nan"))
