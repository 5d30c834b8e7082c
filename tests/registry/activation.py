"""Activations (ReLU here; the activation family's issue extends this registry)."""
import numpy as np

from tests.harness import ModuleCase, OpCase, T


def with_specials(rng, shape, dtype):
    x = rng.uniform(-2, 2, size=shape).astype(dtype)
    flat = x.reshape(-1)
    flat[:4] = [0.0, -0.0, np.inf, -np.inf][: flat.size]
    return x


CASES = [
    OpCase(op="relu", desc="basic", args=(T((3, 4, 5)),)),
    OpCase(op="relu", desc="zeros_and_infs", args=(T((2, 8), gen=with_specials),)),
    OpCase(op="relu", desc="noncontig", args=(T((4, 6), layout="transposed"),)),
    OpCase(op="relu", desc="empty", args=(T((0, 3)),)),
    ModuleCase(module="ReLU", desc="basic", inputs=(T((2, 3)),)),
    ModuleCase(module="ReLU", desc="inplace_repr", ctor_kwargs={"inplace": True}, inputs=(T((2, 3)),),
               grad=False),
]

CASES += [
    OpCase(op="sigmoid", desc="basic", args=(T((3, 4, 5), -6, 6),)),
    OpCase(op="tanh", desc="basic", args=(T((3, 4, 5), -6, 6),)),
    ModuleCase(module="Sigmoid", desc="basic", inputs=(T((2, 3)),)),
    ModuleCase(module="Tanh", desc="basic", inputs=(T((2, 3)),)),
]
