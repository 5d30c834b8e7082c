"""nn.utils beyond the registry: torch's warnings, and vector_to_parameters' sharing of memory."""
import warnings

import numpy as np


def _caught(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fn()
    return [(w.category, str(w.message)) for w in caught]


def test_warnings_are_torchs():
    import torch

    import refnn

    def empty_generator(lib):
        lib.nn.utils.clip_grad_norm_((q for q in []), 1.0)

    def deprecated_alias(lib):
        p = lib.nn.Parameter(lib.ones(3))
        p.grad = lib.ones(3)
        lib.nn.utils.clip_grad_norm([p], 1.0)

    def old_weight_norm(lib):
        lib.nn.utils.weight_norm(lib.nn.Linear(2, 2))

    for fn, category in ((empty_generator, UserWarning), (deprecated_alias, FutureWarning),
                         (old_weight_norm, FutureWarning)):
        got = [_caught(lambda lib=lib: fn(lib)) for lib in (torch, refnn)]
        assert got[0] == got[1]
        assert len(got[0]) == 1 and got[0][0][0] is category


def test_vector_to_parameters_shares_the_vector():
    import refnn
    vec = refnn.tensor(np.arange(7, dtype=np.float32))
    params = [refnn.nn.Parameter(np.zeros((2, 2), np.float32)), refnn.nn.Parameter(np.zeros(3, np.float32))]
    refnn.nn.utils.vector_to_parameters(vec, params)
    assert params[1].tolist() == [4.0, 5.0, 6.0]
    vec.data[4] = -1
    assert params[1].tolist()[0] == -1.0
