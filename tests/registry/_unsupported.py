"""What refnn deliberately does not support, each with its reason and a probe showing how it refuses.

Not a family of cases (torch supports all of these, so there is nothing to compare): the compliance
report lists them under "unsupported by design", and ``tests/test_unsupported.py`` checks that each
probe raises the stated exception, with a message naming what is missing, and that torch accepts it.
"""
from dataclasses import dataclass
from typing import Callable

import numpy as np


@dataclass
class Unsupported:
    feature: str
    reason: str
    probe: Callable          # (refnn) -> None; must raise ``raises``
    raises: type
    torch_probe: Callable    # (torch) -> anything; torch must accept it
    message: str = ""        # a word the refusal's message contains


DTYPE_REASON = ("refnn's kernels are the float32 and float64 specification; reduced-precision and "
                "integer arithmetic would need their own rounding rules per op")

UNSUPPORTED = [
    Unsupported("float16 / bfloat16 computation (convolution, linear, ...)", DTYPE_REASON,
                lambda r: r.nn.functional.conv2d(r.tensor(np.ones((1, 1, 3, 3), np.float16)),
                                                 r.tensor(np.ones((1, 1, 2, 2), np.float16))),
                RuntimeError,
                lambda t: t.nn.functional.conv2d(t.ones(1, 1, 3, 3, dtype=t.bfloat16),
                                                 t.ones(1, 1, 2, 2, dtype=t.bfloat16)),
                "float32 or float64"),
    Unsupported("float16 activations", DTYPE_REASON,
                lambda r: r.nn.functional.gelu(r.tensor(np.ones(3, np.float16))), NotImplementedError,
                lambda t: t.nn.functional.gelu(t.ones(3, dtype=t.float16)), "float32 or float64"),
    Unsupported("integer matrix products (F.linear on int64)", DTYPE_REASON,
                lambda r: r.nn.functional.linear(r.tensor(np.ones((2, 3), np.int64)),
                                                 r.tensor(np.ones((4, 3), np.int64))),
                RuntimeError,
                lambda t: t.nn.functional.linear(t.ones(2, 3, dtype=t.int64), t.ones(4, 3, dtype=t.int64)),
                "float32 or float64"),
    Unsupported("optimiser steps recorded by autograd (differentiable=True)",
                "refnn's optimisers update parameters in place in one kernel pass, outside autograd; "
                "torch's differentiable mode builds a graph through every update",
                lambda r: r.optim.Adam([r.nn.Parameter(np.ones(1, np.float32))], differentiable=True),
                RuntimeError,
                lambda t: t.optim.Adam([t.nn.Parameter(t.ones(1))], differentiable=True), "differentiable"),
    Unsupported("sparse gradients (F.embedding / nn.Embedding / nn.EmbeddingBag with sparse=True)",
                "refnn has no sparse tensors: the weight's gradient is always a dense array, which sparse=False "
                "gives with the same values",
                lambda r: r.nn.functional.embedding(r.tensor([1]), r.nn.Parameter(np.ones((3, 2), np.float32)),
                                                    sparse=True),
                RuntimeError,
                lambda t: t.nn.functional.embedding(t.tensor([1]), t.ones(3, 2, requires_grad=True), sparse=True),
                "sparse"),
    Unsupported("sparse gradients of F.embedding_bag (sparse=True)",
                "without sparse tensors, embedding_bag's weight gradient is a dense array (what sparse=False gives)",
                lambda r: r.nn.functional.embedding_bag(r.tensor([[1]]), r.nn.Parameter(np.ones((3, 2), np.float32)),
                                                        sparse=True),
                RuntimeError,
                lambda t: t.nn.functional.embedding_bag(t.tensor([[1]]), t.ones(3, 2, requires_grad=True),
                                                        sparse=True),
                "sparse"),
    Unsupported("float16 padding, grid_sample and affine_grid", DTYPE_REASON,
                lambda r: r.nn.functional.pad(r.tensor(np.ones((1, 2, 3), np.float16)), (1, 1), mode="reflect"),
                RuntimeError,
                lambda t: t.nn.functional.pad(t.ones(1, 2, 3, dtype=t.float16), (1, 1), mode="reflect"),
                "float32 or float64"),
    Unsupported("circular padding whose positive pad is longer than what the negative pads leave",
                "torch copies overlapping memory there: it raises for some shapes and returns a periodic "
                "continuation for others (F.pad of (2, 3, 5) by (-2, 4)); refnn refuses every such call with "
                "torch's error",
                lambda r: r.nn.functional.pad(r.tensor(np.ones((2, 3, 5), np.float32)), (-2, 4), mode="circular"),
                RuntimeError,
                lambda t: t.nn.functional.pad(t.ones(2, 3, 5), (-2, 4), mode="circular"), "memory location"),
]
UNSUPPORTED += [
    Unsupported("ctc_loss targets outside [0, C) (within the target lengths)",
                "torch does not check them and reads outside the row of log_probs (an undefined value); refnn "
                "refuses them with IndexError before any kernel runs",
                lambda r: r.nn.functional.ctc_loss(r.tensor(np.zeros((3, 1, 2), np.float32)),
                                                   r.tensor(np.array([[5]], np.int64)), (3,), (1,)),
                IndexError,
                lambda t: t.nn.functional.ctc_loss(t.zeros(3, 1, 2), t.tensor([[5]]), (3,), (1,)),
                "out of bounds"),
    Unsupported("linear_cross_entropy / LinearCrossEntropyLoss with options (LinearCrossEntropyOptions)",
                "options only selects torch's chunked evaluation (the batch processed in chunks to save memory, "
                "the same loss); refnn computes the reference path, options=None",
                lambda r: r.nn.functional.linear_cross_entropy(r.tensor(np.ones((2, 3), np.float32)),
                                                               r.tensor(np.ones((4, 3), np.float32)),
                                                               r.tensor(np.array([0, 1])), options=object()),
                NotImplementedError,
                lambda t: t.nn.functional.linear_cross_entropy(t.ones(2, 3), t.ones(4, 3), t.tensor([0, 1]),
                                                               options=t.nn.LinearCrossEntropyOptions()),
                "options"),
]
UNSUPPORTED += [
    Unsupported("losses given float32 and float64 inputs together (type promotion)",
                "refnn's loss kernels take one element type; torch promotes the float32 input to float64 first. "
                "refnn refuses the pair, naming both dtypes (convert one input)",
                lambda r: r.nn.functional.smooth_l1_loss(r.tensor(np.ones(3, np.float32)), r.tensor(np.ones(3))),
                RuntimeError,
                lambda t: t.nn.functional.smooth_l1_loss(t.ones(3), t.ones(3, dtype=t.float64)),
                "dtype"),
    Unsupported("F.conv_tbc with a kernel width of 0 or an empty output",
                "torch returns the bias (width 0) or an empty tensor there; refnn's convolution needs a "
                "kernel and an output to run, and a result assembled around it would need gradients of its own",
                lambda r: r.nn.functional.conv_tbc(r.tensor(np.ones((5, 2, 3), np.float32)),
                                                   r.tensor(np.ones((0, 3, 4), np.float32)),
                                                   r.tensor(np.ones(4, np.float32))),
                RuntimeError,
                lambda t: t.nn.functional.conv_tbc(t.ones(5, 2, 3), t.ones(0, 3, 4), t.ones(4)), "kernel width"),
]
