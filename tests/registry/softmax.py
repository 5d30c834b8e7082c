"""Softmax, LogSoftmax, Softmin: every dim (negative too) on 1-d to 4-d inputs, the legacy dim=None
rule, the dtype argument, big logits, -inf, NaN, non-contiguous inputs, modules and errors."""
import numpy as np

from tests.harness import ErrorCase, ModuleCase, OpCase, T


def big_logits(rng, shape, dtype):
    """Logits far beyond exp's range: only the max-subtracted form stays finite."""
    return (rng.uniform(-1, 1, size=shape) * 1e4).astype(dtype)


def with_neg_inf(rng, shape, dtype):
    """-inf in some places (masked attention), never a whole row."""
    x = rng.uniform(-3, 3, size=shape).astype(dtype)
    flat = x.reshape(-1)
    flat[1::3] = -np.inf
    return x


def with_nan_and_inf(rng, shape, dtype):
    """A NaN, a +inf and a row of -inf: torch gives NaN rows there."""
    x = rng.uniform(-3, 3, size=shape).astype(dtype)
    x[0, 1] = np.nan
    x[1, 2] = np.inf
    x[2, :] = -np.inf
    return x


def ties(rng, shape, dtype):
    return rng.integers(-2, 3, size=shape).astype(dtype)


OPS = ("softmax", "log_softmax", "softmin")
SHAPES_DIMS = [((7,), 0), ((7,), -1), ((4, 6), 0), ((4, 6), 1), ((4, 6), -1), ((2, 3, 5), 0), ((2, 3, 5), 1),
               ((2, 3, 5), 2), ((2, 3, 5), -2), ((2, 3, 4, 5), 0), ((2, 3, 4, 5), 1), ((2, 3, 4, 5), 2),
               ((2, 3, 4, 5), 3), ((2, 3, 4, 5), -1), ((2, 3, 4, 5), -3)]

CASES = []
for op in OPS:
    # softmax runs every (shape, dim); log_softmax and softmin (the same row loop) a subset
    for shape, dim in (SHAPES_DIMS if op == "softmax" else SHAPES_DIMS[1::2]):
        CASES.append(OpCase(op=op, desc=f"{len(shape)}d_dim{dim}", args=(T(shape, -3, 3),), kwargs={"dim": dim}))
    edge_cases = [
        # a 0-d input made from a (1,) leaf, the output compared as (1,) (the harness's metrics want >= 1 dim)
        OpCase(op=op, desc="0d", args=(T((1,)),),
               call=lambda F, x, op=op: getattr(F, op)(x.reshape(()), 0).reshape(1)),
        OpCase(op=op, desc="0d_dim-1", args=(T((1,)),),
               call=lambda F, x, op=op: getattr(F, op)(x.reshape(()), -1).reshape(1)),
        OpCase(op=op, desc="dim_none_1d", args=(T((5,)),), kwargs={"dim": None}),
        OpCase(op=op, desc="dim_none_2d", args=(T((3, 5)),)),
        OpCase(op=op, desc="dim_none_3d", args=(T((2, 3, 4)),)),
        OpCase(op=op, desc="dim_none_4d", args=(T((2, 3, 2, 2)),)),
        OpCase(op=op, desc="big_logits", args=(T((4, 9), gen=big_logits),), kwargs={"dim": -1}),
        OpCase(op=op, desc="big_logits_dim0", args=(T((4, 9), gen=big_logits),), kwargs={"dim": 0}),
        OpCase(op=op, desc="neg_inf", args=(T((4, 9), gen=with_neg_inf),), kwargs={"dim": -1}),
        OpCase(op=op, desc="nan_inf_rows", args=(T((4, 5), gen=with_nan_and_inf),), kwargs={"dim": 1}, grad=False),
        OpCase(op=op, desc="ties", args=(T((3, 6), gen=ties),), kwargs={"dim": 1}),
        OpCase(op=op, desc="transposed", args=(T((5, 6), layout="transposed"),), kwargs={"dim": 1}),
        OpCase(op=op, desc="transposed_dim0", args=(T((5, 6), layout="transposed"),), kwargs={"dim": 0}),
        OpCase(op=op, desc="strided", args=(T((3, 4), layout="strided"),), kwargs={"dim": -1}),
        OpCase(op=op, desc="negative_stride", args=(T((3, 4, 5), layout="negative"),), kwargs={"dim": 1}),
        OpCase(op=op, desc="empty_rows", args=(T((0, 5)),), kwargs={"dim": 1}),
        OpCase(op=op, desc="empty_dim", args=(T((3, 0)),), kwargs={"dim": 1}),
        OpCase(op=op, desc="single_element_dim", args=(T((4, 1)),), kwargs={"dim": 1}),
        OpCase(op=op, desc="long_row", args=(T((2, 1000), -5, 5),), kwargs={"dim": 1}),
        ErrorCase(op=op, desc="dim_out_of_range", args=(T((2, 3)),), kwargs={"dim": 2}),
        ErrorCase(op=op, desc="dim_negative_out_of_range", args=(T((2, 3)),), kwargs={"dim": -3}),
        ErrorCase(op=op, desc="0d_dim1", args=(T(()),), kwargs={"dim": 1}),
        ErrorCase(op=op, desc="dim_float", args=(T((2, 3)),), kwargs={"dim": 1.0}),
        ErrorCase(op=op, desc="dim_str", args=(T((2, 3)),), kwargs={"dim": "a"}),
        ErrorCase(op=op, desc="int_input", args=(T((2, 3), 0, 5, dtype="int64"),), kwargs={"dim": 1}),
        ErrorCase(op=op, desc="list_input", args=([1.0, 2.0],), kwargs={"dim": 0}),
    ]
    if op == "softmin":  # softmin is softmax(-x): a few of the edges suffice
        keep = {"0d", "dim_none_2d", "big_logits", "neg_inf", "transposed", "empty_rows", "dim_out_of_range",
                "int_input", "list_input"}
        edge_cases = [c for c in edge_cases if c.desc in keep]
    CASES += edge_cases

CASES += [
    OpCase(op="softmax", desc="dtype_arg_float64", args=(T((3, 5), dtype="float32"),), dtypes=("float32",),
           call=lambda F, x: F.softmax(x, 1, dtype=_float64(F))),
    OpCase(op="log_softmax", desc="dtype_arg_float64", args=(T((3, 5), dtype="float32"),), dtypes=("float32",),
           call=lambda F, x: F.log_softmax(x, 1, dtype=_float64(F))),
    OpCase(op="softmin", desc="dtype_arg_float64", args=(T((3, 5), dtype="float32"),), dtypes=("float32",),
           call=lambda F, x: F.softmin(x, 1, dtype=_float64(F))),
    OpCase(op="softmax", desc="dtype_arg_from_int", args=(T((3, 5), -4, 4, dtype="int64"),), dtypes=("float32",),
           call=lambda F, x: F.softmax(x, 1, dtype=_float64(F)), grad=False),
    ModuleCase(module="Softmax", desc="dim1", ctor_kwargs={"dim": 1}, inputs=(T((2, 3, 4)),)),
    ModuleCase(module="Softmax", desc="dim-1", ctor_args=(-1,), inputs=(T((2, 5)),)),
    ModuleCase(module="Softmax", desc="dim_none", inputs=(T((2, 5)),)),
    ModuleCase(module="LogSoftmax", desc="dim1", ctor_kwargs={"dim": 1}, inputs=(T((2, 3, 4)),)),
    ModuleCase(module="LogSoftmax", desc="dim0", ctor_args=(0,), inputs=(T((4,)),)),
    ModuleCase(module="Softmin", desc="dim1", ctor_kwargs={"dim": 1}, inputs=(T((2, 3, 4)),)),
    ModuleCase(module="Softmin", desc="dim-2", ctor_kwargs={"dim": -2}, inputs=(T((3, 4)),)),
]


def _float64(F):
    """torch.float64 for torch.nn.functional, numpy's float64 for refnn.nn.functional."""
    if F.__name__.startswith("torch"):
        import torch
        return torch.float64
    return np.float64


# 0-d and empty inputs with gradients: a 0-d leaf itself (its gradient must stay 0-d), the modules on 0-d and
# empty inputs, and an empty softmin dim
CASES += [OpCase(op=op, desc=f"0d_leaf_dim{dim}", args=(T(()),), kwargs={"dim": dim})
          for op in OPS for dim in (0, -1)]
CASES += [OpCase(op=op, desc="0d_leaf_dim_none", args=(T(()),)) for op in OPS]
CASES += [
    OpCase(op="softmin", desc="empty_dim", args=(T((3, 0)),), kwargs={"dim": 1}),
    OpCase(op="log_softmax", desc="empty_3d", args=(T((2, 0, 4)),), kwargs={"dim": -1}),
    ModuleCase(module="Softmax", desc="0d", ctor_args=(0,), inputs=(T(()),)),
    ModuleCase(module="LogSoftmax", desc="0d", ctor_args=(-1,), inputs=(T(()),)),
    ModuleCase(module="Softmin", desc="0d", ctor_kwargs={"dim": 0}, inputs=(T(()),)),
    ModuleCase(module="Softmax", desc="empty_batch", ctor_args=(1,), inputs=(T((0, 4)),)),
    ModuleCase(module="LogSoftmax", desc="empty_dim", ctor_args=(1,), inputs=(T((2, 0)),)),
    ModuleCase(module="Softmin", desc="empty_batch", ctor_args=(-1,), inputs=(T((0, 3, 2)),)),
    ErrorCase(op="Softmax", desc="0d_dim1", module=True, args=(1,), call_inputs=(T(()),)),
]
