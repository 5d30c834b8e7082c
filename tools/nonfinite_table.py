#!/usr/bin/env python
"""docs/nonfinite.md: every pointwise activation and its gradient at +-inf, NaN, +-0 and its kinks.

    python tools/nonfinite_table.py          # print the table
    python tools/nonfinite_table.py --write  # rewrite docs/nonfinite.md

The values are refnn's own (float64, upstream gradient 1); tests/test_nonfinite.py checks that the file
is what this prints and that every value equals torch's answer for the element alone, in float32 and
float64.  The rule, and the places where torch's vectorised loops answer differently, are in the page.
"""
import argparse
import math
import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
PATH = os.path.join(ROOT, "docs", "nonfinite.md")

SPECIALS = (math.inf, -math.inf, math.nan, 0.0, -0.0)

INTRO = """# Non-finite values and kinks: refnn's rule

torch's CPU kernels can answer differently for the same value depending on where it sits in a tensor
(the vectorised body or the scalar tail loop) and on the CPU (the vector width decides which elements
form the tail).  Measured with torch 2.13.0: `F.gelu` of `+inf` in float32 is `nan` inside the AVX-512
body and `inf` alone; the gradients of `hardtanh`/`relu6`, the shrinks and `hardswish` at `nan`, and of
`elu`/`celu`/`selu` at `nan`, are `0` or `nan` in the body and the upstream gradient in the tail.

**refnn's rule: torch's answer for the element alone** (a one-element tensor, which runs ATen's scalar
loop, the same C++ on every CPU and at every position).  refnn gives it at every position, on every
CPU and in every kernel build.  The conformance harness holds every pointwise case to it
(`tests/harness/pointwise.py`); where torch's answer in place differs, the case is reported under
"torch disagrees with itself" with both of torch's values and refnn's.

Where the rule departs from IEEE propagation, it is because ATen's scalar formula compares first:
a gradient whose formula is `x <= k ? a : b` takes the `b` branch at NaN (a comparison with NaN is
false), so the gradient of ELU, Hardtanh, the shrinks and Hardswish at NaN is the upstream gradient
times the branch's factor, not NaN.  refnn keeps torch's answer rather than inventing a third one.

The table is generated from refnn (`python tools/nonfinite_table.py --write`, float64, upstream
gradient 1, default arguments) and checked by `tests/test_nonfinite.py` against torch, element by
element, in float32 and float64.

"""


def _fmt(v):
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if v == 0:
        return "-0" if math.copysign(1.0, v) < 0 else "0"
    return f"{v:.6g}"


def points_of():
    """(op, kwargs, points): every activation of the registry with its default arguments and kinks."""
    from tests.registry.activation import ACTIVATIONS
    out = []
    for op, _module, variants, kinks, _inplace in ACTIVATIONS:
        values = list(SPECIALS) + [k for k in kinks if k != 0.0]
        out.append((op, variants[0], values))
        if op == "gelu":
            out.append((op, {"approximate": "tanh"}, values))
    return out


def refnn_values(op, kwargs, x, dtype):
    """refnn's f(x) and f'(x) (upstream 1) for the one value ``x``."""
    import refnn
    import refnn.nn.functional as F
    t = refnn.Tensor(np.array([x], dtype=dtype), requires_grad=True)
    y = getattr(F, op)(t, **kwargs)
    refnn.autograd.backward([y], [np.ones(1, dtype=dtype)])
    return float(y.data[0]), float(t.grad.data[0])


def rows(dtype="float64"):
    out = []
    for op, kwargs, values in points_of():
        label = op + (f"({', '.join(f'{k}={v!r}' for k, v in kwargs.items())})" if kwargs else "")
        for x in values:
            y, g = refnn_values(op, kwargs, x, dtype)
            out.append((label, op, kwargs, x, y, g))
    return out


def render():
    lines = [INTRO.rstrip(), "", "| op | x | f(x) | f'(x) |", "|---|---|---|---|"]
    for label, _op, _kw, x, y, g in rows():
        lines.append(f"| `{label}` | {_fmt(x)} | {_fmt(y)} | {_fmt(g)} |")
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="rewrite docs/nonfinite.md")
    args = parser.parse_args(argv)
    text = render()
    if args.write:
        with open(PATH, "w") as f:
            f.write(text)
        print(f"wrote {os.path.relpath(PATH, ROOT)}")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
