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
    Unsupported("3-d convolution and pooling (Conv3d, MaxPool3d, F.conv3d, ...)",
                "not built yet; the N-d loops would take a third spatial index",
                lambda r: r.nn.functional.conv3d, AttributeError,
                lambda t: t.nn.functional.conv3d(t.ones(1, 1, 2, 2, 2), t.ones(1, 1, 1, 1, 1)), "conv3d"),
    Unsupported("PackedSequence (nn.utils.rnn.pack_padded_sequence)",
                "not built yet; the recurrent layers take padded batches",
                lambda r: r.nn.utils, AttributeError,
                lambda t: t.nn.utils.rnn.pack_padded_sequence(t.ones(3, 2, 1), [3, 2]), "utils"),
    Unsupported("optimiser steps recorded by autograd (differentiable=True)",
                "refnn's optimisers update parameters in place in one kernel pass, outside autograd; "
                "torch's differentiable mode builds a graph through every update",
                lambda r: r.optim.Adam([r.nn.Parameter(np.ones(1, np.float32))], differentiable=True),
                RuntimeError,
                lambda t: t.optim.Adam([t.nn.Parameter(t.ones(1))], differentiable=True), "differentiable"),
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
]
