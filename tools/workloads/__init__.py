"""Benchmark workloads, one module per family, each defining ``WORKLOADS``.

A :class:`Workload` builds the same inputs for refnn and torch (``make_inputs``
returns NumPy arrays from a fixed random seed) and says how to run one iteration in
each library.  ``tools/bench.py`` times them side by side.
"""
import importlib
import pkgutil
from dataclasses import dataclass
from typing import Callable, Optional


@dataclass
class Workload:
    name: str                       # e.g. "conv2d resnet3x3 fwd"
    family: str
    make_inputs: Callable           # () -> dict of NumPy arrays (fixed random seed)
    torch_fn: Callable              # (torch_inputs: dict of torch tensors) -> zero-arg callable (one iteration)
    refnn_fn: Callable              # (refnn_inputs: dict of refnn tensors) -> zero-arg callable
    flops: Optional[float] = None   # per iteration, for GFLOP/s
    bytes: Optional[float] = None   # per iteration, for GB/s
    grad_inputs: tuple = ()         # keys of inputs that need requires_grad=True (forward+backward workloads)
    dtype: str = "float32"


FAMILIES = sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))


def all_workloads():
    out = []
    for family in FAMILIES:
        out.extend(importlib.import_module(f"{__name__}.{family}").WORKLOADS)
    return out
