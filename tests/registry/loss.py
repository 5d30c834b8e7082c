"""Losses: nll_loss, mse_loss, l1_loss, binary_cross_entropy(_with_logits) and their modules.

cross_entropy and AdaptiveLogSoftmaxWithLoss (which need F.log_softmax) are in loss_ce.py.
"""
import math

import numpy as np

from tests.harness import ErrorCase, ModuleCase, OpCase, T

REDUCTIONS = ("none", "mean", "sum")


def lib_tensor(nn, values, dtype=None):
    """A tensor of ``values`` in the library that ``nn`` belongs to (torch.nn or refnn.nn)."""
    if nn.__name__.startswith("torch"):
        import torch
        return torch.tensor(values, dtype=getattr(torch, dtype) if dtype else None)
    import refnn
    return refnn.tensor(values, dtype=dtype)


def classes(shape, n_classes, ignore_index=None, every=3):
    """Class-index targets in [0, n_classes); every ``every``-th one set to ignore_index."""
    def gen(rng, shape_, dtype):
        labels = rng.integers(0, n_classes, size=shape_).astype(np.int64)
        if ignore_index is not None:
            labels.reshape(-1)[::every] = ignore_index
        return labels
    return T(shape, dtype="int64", gen=gen)


def all_ignored(shape, ignore_index=-100):
    return T(shape, dtype="int64", gen=lambda rng, s, d: np.full(s, ignore_index, dtype=np.int64))


def log_probs(shape):
    """Log-probabilities (normalised over dim 1, or dim 0 for a 1-d input).

    exp and log from the C library (``math``), not numpy's SIMD versions, whose last bit differs by CPU:
    a registry input must be the same bits on every machine."""
    def gen(rng, shape_, dtype):
        x = rng.standard_normal(shape_)
        axis = 0 if len(shape_) == 1 else 1
        total = np.vectorize(math.exp, otypes=[np.float64])(x).sum(axis=axis, keepdims=True)
        x = x - np.vectorize(math.log, otypes=[np.float64])(total)
        return x.astype(dtype)
    return T(shape, gen=gen)


def weight(n):
    return T((n,), 0.2, 2.0, requires_grad=False)


def probabilities(shape, low=0.02, high=0.98):
    return T(shape, low, high)


def with_edges(values):
    """Uniform values in [0, 1] with the first few elements set to ``values``."""
    def gen(rng, shape_, dtype):
        x = rng.uniform(0.05, 0.95, size=shape_).astype(dtype)
        flat = x.reshape(-1)
        flat[:len(values)] = values[:flat.size]
        return x
    return gen


def specials(rng, shape, dtype):
    x = rng.uniform(-2, 2, size=shape).astype(dtype)
    flat = x.reshape(-1)
    flat[:3] = [np.nan, np.inf, -np.inf][:flat.size]
    return x


def big_logits(rng, shape, dtype):
    """Logits far in both tails (exp overflows if computed naively)."""
    return (rng.uniform(-1, 1, size=shape) * 200).astype(dtype)


def ties(rng, shape, dtype):
    """Rounded values so that input == target happens (|.| has a kink there)."""
    return np.round(rng.uniform(-2, 2, size=shape) * 2) / 2


CASES = []

# ---------------------------------------------------------------- nll_loss
for red in REDUCTIONS:
    CASES += [
        OpCase(op="nll_loss", desc=f"2d_{red}", args=(log_probs((6, 5)), classes((6,), 5)),
               kwargs={"reduction": red}),
        OpCase(op="nll_loss", desc=f"2d_weight_ignore_{red}", args=(log_probs((7, 4)), classes((7,), 4, -100)),
               kwargs={"reduction": red, "weight": weight(4)}),
        OpCase(op="nll_loss", desc=f"unbatched_{red}", args=(log_probs((5,)), classes((), 5)),
               kwargs={"reduction": red}),
        OpCase(op="nll_loss", desc=f"3d_weight_{red}", args=(log_probs((3, 4, 5)), classes((3, 5), 4)),
               kwargs={"reduction": red, "weight": weight(4)}),
        OpCase(op="nll_loss", desc=f"4d_ignore_{red}", args=(log_probs((2, 3, 4, 5)), classes((2, 4, 5), 3, 1)),
               kwargs={"reduction": red, "ignore_index": 1}),
        OpCase(op="nll_loss", desc=f"5d_weight_ignore_{red}",
               args=(log_probs((2, 3, 2, 3, 2)), classes((2, 2, 3, 2), 3, 0, every=4)),
               kwargs={"reduction": red, "weight": weight(3), "ignore_index": 0}),
        OpCase(op="nll_loss", desc=f"all_ignored_{red}", args=(log_probs((4, 3)), all_ignored((4,))),
               kwargs={"reduction": red}),
        OpCase(op="nll_loss", desc=f"all_ignored_weight_{red}", args=(log_probs((2, 3, 4)), all_ignored((2, 4), 2)),
               kwargs={"reduction": red, "weight": weight(3), "ignore_index": 2}),
        OpCase(op="nll_loss", desc=f"batch_zero_{red}", args=(T((0, 4)), classes((0,), 4)),
               kwargs={"reduction": red}),
        OpCase(op="nll_loss", desc=f"batch_zero_3d_{red}", args=(T((0, 4, 3)), classes((0, 3), 4)),
               kwargs={"reduction": red}),
    ]
CASES += [
    # torch's own backward raises for a (C,) input with a (1,) target: forward only
    OpCase(op="nll_loss", desc="unbatched_1d_target", args=(log_probs((5,)), classes((1,), 5)),
           kwargs={"reduction": "none"}, grad=False),
    OpCase(op="nll_loss", desc="empty_spatial", args=(T((2, 3, 0)), classes((2, 0), 3))),
    OpCase(op="nll_loss", desc="empty_spatial_none", args=(T((2, 3, 0)), classes((2, 0), 3)),
           kwargs={"reduction": "none"}),
    OpCase(op="nll_loss", desc="batch_one", args=(log_probs((1, 6)), classes((1,), 6))),
    OpCase(op="nll_loss", desc="ignore_index_positive_weight", args=(log_probs((8, 4)), classes((8,), 4, 3)),
           kwargs={"ignore_index": 3, "weight": weight(4)}),
    OpCase(op="nll_loss", desc="ignore_index_outside_classes", args=(log_probs((8, 4)), classes((8,), 4, 9)),
           kwargs={"ignore_index": 9}),
    OpCase(op="nll_loss", desc="noncontig_input", args=(T((5, 6), layout="transposed"), classes((5,), 6))),
    OpCase(op="nll_loss", desc="noncontig_3d", args=(T((3, 4, 5), layout="strided"), classes((3, 5), 4))),
    OpCase(op="nll_loss", desc="specials", args=(T((6, 4), gen=specials), classes((6,), 4)),
           kwargs={"reduction": "none"}),
    OpCase(op="nll_loss", desc="uint8_target", args=(log_probs((5, 4)), T((5,), 0, 4, dtype="uint8"))),
    OpCase(op="nll_loss", desc="long_cascade", args=(log_probs((300, 3)), classes((300,), 3, -100, every=7)),
           kwargs={"weight": weight(3)}),
    OpCase(op="nll_loss", desc="legacy_size_average", args=(log_probs((5, 4)), classes((5,), 4)),
           kwargs={"size_average": False}),
    OpCase(op="nll_loss", desc="legacy_reduce", args=(log_probs((5, 4)), classes((5,), 4)),
           kwargs={"reduce": False}),
    ModuleCase(module="NLLLoss", desc="default", inputs=(log_probs((5, 4)), classes((5,), 4))),
    ModuleCase(module="NLLLoss", desc="sum_ignore", ctor_kwargs={"reduction": "sum", "ignore_index": 2},
               inputs=(log_probs((6, 4)), classes((6,), 4, 2))),
    ModuleCase(module="NLLLoss", desc="none_4d", ctor_kwargs={"reduction": "none"},
               inputs=(log_probs((2, 3, 2, 2)), classes((2, 2, 2), 3))),
    ModuleCase(module="NLLLoss", desc="legacy_reduce", ctor_kwargs={"reduce": False},
               inputs=(log_probs((3, 4)), classes((3,), 4))),
    ModuleCase(module=lambda nn, F: nn.NLLLoss(weight=lib_tensor(nn, [0.5, 1.0, 2.0, 0.25])), name="NLLLoss",
               desc="weight_buffer", inputs=(log_probs((6, 4)), classes((6,), 4, -100))),
    ErrorCase(op="nll_loss", desc="target_out_of_range", args=(T((3, 4)), T((3,), 4, 6, dtype="int64"))),
    ErrorCase(op="nll_loss", desc="target_negative", args=(T((3, 4)), T((3,), -3, -1, dtype="int64"))),
    ErrorCase(op="nll_loss", desc="target_out_of_range_none", args=(T((3, 4)), T((3,), 4, 6, dtype="int64")),
              kwargs={"reduction": "none"}),
    ErrorCase(op="nll_loss", desc="target_out_of_range_3d", args=(T((2, 4, 3)), T((2, 3), 4, 9, dtype="int64"))),
    ErrorCase(op="nll_loss", desc="target_out_of_range_4d",
              args=(T((2, 4, 2, 2)), T((2, 2, 2), 4, 9, dtype="int64"))),
    ErrorCase(op="nll_loss", desc="float_target", args=(T((3, 4)), T((3,), 0, 3))),
    ErrorCase(op="nll_loss", desc="int32_target", args=(T((3, 4)), T((3,), 0, 3, dtype="int32"))),
    ErrorCase(op="nll_loss", desc="bool_target", args=(T((3, 4)), T((3,), dtype="bool"))),
    ErrorCase(op="nll_loss", desc="bad_reduction", args=(T((3, 4)), classes((3,), 4)), kwargs={"reduction": "avg"}),
    ErrorCase(op="nll_loss", desc="batch_mismatch", args=(T((3, 4)), classes((2,), 4))),
    ErrorCase(op="nll_loss", desc="0d_input", args=(T(()), classes((), 1))),
    ErrorCase(op="nll_loss", desc="2d_target_for_2d_input", args=(T((3, 4)), classes((3, 1), 4))),
    ErrorCase(op="nll_loss", desc="3d_target_shape", args=(T((3, 4, 2)), classes((3, 3), 4))),
    ErrorCase(op="nll_loss", desc="weight_wrong_size", args=(T((3, 4)), classes((3,), 4)),
              kwargs={"weight": T((3,), requires_grad=False)}),
    ErrorCase(op="nll_loss", desc="unbatched_target_size_2", args=(T((4,)), classes((2,), 4))),
    ErrorCase(op="nll_loss", desc="weight_dtype_mismatch", args=(T((3, 4)), classes((3,), 4)), dtypes=("float32",),
              kwargs={"weight": T((4,), dtype="float64", requires_grad=False)}),
    ErrorCase(op="nll_loss", desc="weight_2d", args=(T((3, 4)), classes((3,), 4)),
              kwargs={"weight": T((1, 4), requires_grad=False)}),
    ErrorCase(op="nll_loss", desc="weight_requires_grad", args=(T((3, 4)), classes((3,), 4)),
              call=lambda lib, x, y: lib.F.nll_loss(x, y, weight=lib.tensor([1.0, 2.0, 3.0, 4.0],
                                                                             requires_grad=True))),
    ErrorCase(op="nll_loss", desc="input_not_tensor", args=([[0.1, 0.2]], classes((1,), 2))),
    ErrorCase(op="NLLLoss", desc="module_bad_reduction", module=True, kwargs={"reduction": "bad"},
              call_inputs=(T((3, 4)), classes((3,), 4))),
]

# ---------------------------------------------------------------- mse_loss and l1_loss
for op, module in (("mse_loss", "MSELoss"), ("l1_loss", "L1Loss")):
    for red in REDUCTIONS:
        CASES += [
            OpCase(op=op, desc=f"basic_{red}", args=(T((4, 5)), T((4, 5))), kwargs={"reduction": red}),
            OpCase(op=op, desc=f"weight_{red}", args=(T((3, 4)), T((3, 4)), ),
                   kwargs={"reduction": red, "weight": T((3, 4), 0.1, 2.0)}),
            ModuleCase(module=module, desc=f"{red}", ctor_kwargs={"reduction": red},
                       inputs=(T((2, 3, 4)), T((2, 3, 4)))),
        ]
    CASES += [
        OpCase(op=op, desc="scalar", args=(T(()), T(()))),
        OpCase(op=op, desc="empty_mean", args=(T((0, 3)), T((0, 3)))),
        OpCase(op=op, desc="empty_sum", args=(T((0, 3)), T((0, 3))), kwargs={"reduction": "sum"}),
        OpCase(op=op, desc="broadcast_target", args=(T((4, 3)), T((3,)))),
        OpCase(op=op, desc="broadcast_both_none", args=(T((4, 1)), T((1, 3))), kwargs={"reduction": "none"}),
        OpCase(op=op, desc="noncontig", args=(T((5, 4), layout="transposed"), T((5, 4), layout="negative"))),
        OpCase(op=op, desc="specials_none", args=(T((3, 4), gen=specials), T((3, 4))), kwargs={"reduction": "none"}),
        OpCase(op=op, desc="specials_mean", args=(T((3, 4), gen=specials), T((3, 4)))),
        OpCase(op=op, desc="ties", args=(T((6, 5), gen=ties), T((6, 5), gen=ties)), kwargs={"reduction": "none"}),
        OpCase(op=op, desc="many_elements", args=(T((70, 300)), T((70, 300)))),
        OpCase(op=op, desc="legacy_sum", args=(T((3, 4)), T((3, 4))), kwargs={"size_average": False}),
        ModuleCase(module=module, desc="legacy_reduce_false", ctor_kwargs={"reduce": False},
                   inputs=(T((3, 4)), T((3, 4)))),
        ErrorCase(op=op, desc="bad_reduction", args=(T((3, 4)), T((3, 4))), kwargs={"reduction": "avg"}),
        ErrorCase(op=op, desc="not_broadcastable", args=(T((3, 4)), T((5,)))),
        ErrorCase(op=op, desc="weight_wrong_size", args=(T((3, 4)), T((3, 4))), kwargs={"weight": T((4,))}),
        ErrorCase(op=op, desc="weight_bad_reduction", args=(T((3, 4)), T((3, 4))),
                  kwargs={"weight": T((3, 4)), "reduction": "avg"}),
        ErrorCase(op=module, desc="module_bad_reduction", module=True, kwargs={"reduction": "bad"},
                  call_inputs=(T((3, 4)), T((3, 4)))),
    ]

# ---------------------------------------------------------------- binary_cross_entropy
for red in REDUCTIONS:
    CASES += [
        OpCase(op="binary_cross_entropy", desc=f"basic_{red}", args=(probabilities((4, 5)), probabilities((4, 5))),
               kwargs={"reduction": red}),
        OpCase(op="binary_cross_entropy", desc=f"weight_{red}", args=(probabilities((3, 4)), probabilities((3, 4))),
               kwargs={"reduction": red, "weight": T((3, 4), 0.1, 2.0, requires_grad=False)}),
        OpCase(op="binary_cross_entropy_with_logits", desc=f"basic_{red}", args=(T((4, 5), -3, 3), probabilities((4, 5))),
               kwargs={"reduction": red}),
        OpCase(op="binary_cross_entropy_with_logits", desc=f"weight_pos_weight_{red}",
               args=(T((3, 4), -3, 3), probabilities((3, 4))),
               kwargs={"reduction": red, "weight": T((3, 4), 0.1, 2.0, requires_grad=False),
                       "pos_weight": T((4,), 0.5, 3.0, requires_grad=False)}),
        ModuleCase(module="BCELoss", desc=red, ctor_kwargs={"reduction": red},
                   inputs=(probabilities((2, 3, 4)), probabilities((2, 3, 4)))),
        ModuleCase(module="BCEWithLogitsLoss", desc=red, ctor_kwargs={"reduction": red},
                   inputs=(T((2, 3, 4), -4, 4), probabilities((2, 3, 4)))),
    ]
CASES += [
    OpCase(op="binary_cross_entropy", desc="hard_targets", args=(probabilities((5, 4)), T((5, 4), dtype=None,
           gen=lambda rng, s, d: (rng.random(s) < 0.5).astype(d)))),
    OpCase(op="binary_cross_entropy", desc="input_0_and_1_clamped",
           args=(T((3, 4), gen=with_edges([0.0, 1.0, 0.0, 1.0])), T((3, 4), gen=with_edges([0.0, 1.0, 1.0, 0.0]),
                                                                   requires_grad=False)),
           kwargs={"reduction": "none"}),
    OpCase(op="binary_cross_entropy", desc="weight_broadcast", args=(probabilities((3, 4)), probabilities((3, 4))),
           kwargs={"weight": T((4,), 0.1, 2.0, requires_grad=False)}),
    OpCase(op="binary_cross_entropy", desc="1d", args=(probabilities((7,)), probabilities((7,)))),
    OpCase(op="binary_cross_entropy", desc="scalar", args=(probabilities(()), probabilities(()))),
    OpCase(op="binary_cross_entropy", desc="empty", args=(probabilities((0, 2)), probabilities((0, 2)))),
    OpCase(op="binary_cross_entropy", desc="noncontig",
           args=(T((4, 3), 0.05, 0.95, layout="transposed"), T((4, 3), 0.0, 1.0, layout="strided"))),
    OpCase(op="binary_cross_entropy", desc="legacy_reduce_false", args=(probabilities((3, 2)), probabilities((3, 2))),
           kwargs={"reduce": False}),
    OpCase(op="binary_cross_entropy_with_logits", desc="large_logits_stable",
           args=(T((4, 6), gen=big_logits), probabilities((4, 6))), kwargs={"reduction": "none"}),
    OpCase(op="binary_cross_entropy_with_logits", desc="large_logits_pos_weight",
           args=(T((4, 6), gen=big_logits), probabilities((4, 6))),
           kwargs={"pos_weight": T((6,), 0.5, 3.0, requires_grad=False)}),
    OpCase(op="binary_cross_entropy_with_logits", desc="pos_weight_only_sum",
           args=(T((5, 3), -2, 2), probabilities((5, 3))),
           kwargs={"pos_weight": T((3,), 0.5, 3.0, requires_grad=False), "reduction": "sum"}),
    OpCase(op="binary_cross_entropy_with_logits", desc="weight_broadcast_row",
           args=(T((5, 3), -2, 2), probabilities((5, 3))),
           kwargs={"weight": T((5, 1), 0.1, 2.0, requires_grad=False)}),
    OpCase(op="binary_cross_entropy_with_logits", desc="specials", args=(T((3, 4), gen=specials), probabilities((3, 4))),
           kwargs={"reduction": "none"}, grad=False),
    OpCase(op="binary_cross_entropy_with_logits", desc="4d_pos_weight_channels_last_dim",
           args=(T((2, 3, 2, 4), -2, 2), probabilities((2, 3, 2, 4))),
           kwargs={"pos_weight": T((4,), 0.5, 3.0, requires_grad=False)}),
    OpCase(op="binary_cross_entropy_with_logits", desc="empty", args=(T((0, 3)), probabilities((0, 3)))),
    OpCase(op="binary_cross_entropy_with_logits", desc="noncontig",
           args=(T((4, 3), layout="transposed"), T((4, 3), 0.0, 1.0, layout="negative"))),
    OpCase(op="binary_cross_entropy_with_logits", desc="legacy_size_average", args=(T((3, 2)), probabilities((3, 2))),
           kwargs={"size_average": False}),
    ModuleCase(module=lambda nn, F: nn.BCELoss(weight=lib_tensor(nn, [0.5, 1.0, 2.0])), name="BCELoss",
               desc="weight_buffer", inputs=(probabilities((4, 3)), probabilities((4, 3)))),
    ModuleCase(module=lambda nn, F: nn.BCEWithLogitsLoss(weight=lib_tensor(nn, [[0.5], [2.0]]),
                                                         pos_weight=lib_tensor(nn, [1.0, 3.0, 0.5])),
               name="BCEWithLogitsLoss", desc="weight_pos_weight_buffers", inputs=(T((2, 3)), probabilities((2, 3)))),
    ErrorCase(op="binary_cross_entropy", desc="input_above_one", args=(T((3,), 1.1, 1.5), probabilities((3,)))),
    ErrorCase(op="binary_cross_entropy", desc="input_nan", args=(T((3,), gen=lambda r, s, d: np.full(s, np.nan, d)),
                                                                  probabilities((3,)))),
    ErrorCase(op="binary_cross_entropy", desc="target_out_of_range", args=(probabilities((3,)), T((3,), 1.5, 2.0))),
    ErrorCase(op="binary_cross_entropy", desc="size_mismatch", args=(probabilities((3,)), probabilities((3, 1)))),
    ErrorCase(op="binary_cross_entropy", desc="weight_not_broadcastable", args=(probabilities((2, 3)), probabilities((2, 3))),
              kwargs={"weight": T((2,), requires_grad=False)}),
    ErrorCase(op="binary_cross_entropy", desc="weight_bigger_than_input", args=(probabilities((2, 3)), probabilities((2, 3))),
              kwargs={"weight": T((4, 2, 3), requires_grad=False)}),
    ErrorCase(op="binary_cross_entropy", desc="target_dtype_mismatch", dtypes=("float32",),
              args=(probabilities((3,)), T((3,), 0, 1, dtype="float64"))),
    ErrorCase(op="binary_cross_entropy", desc="bad_reduction", args=(probabilities((2, 3)), probabilities((2, 3))),
              kwargs={"reduction": "avg"}),
    ErrorCase(op="binary_cross_entropy", desc="weight_requires_grad", args=(probabilities((3,)), probabilities((3,))),
              call=lambda lib, x, y: lib.F.binary_cross_entropy(x, y, weight=lib.tensor([1.0, 2.0, 3.0],
                                                                                         requires_grad=True))),
    ErrorCase(op="binary_cross_entropy_with_logits", desc="size_mismatch", args=(T((3,)), probabilities((3, 1)))),
    ErrorCase(op="binary_cross_entropy_with_logits", desc="int_target", args=(T((3,)), T((3,), 0, 2, dtype="int64"))),
    ErrorCase(op="binary_cross_entropy_with_logits", desc="pos_weight_not_broadcastable",
              args=(T((2, 3)), probabilities((2, 3))), kwargs={"pos_weight": T((2,), requires_grad=False)}),
    ErrorCase(op="binary_cross_entropy_with_logits", desc="pos_weight_bigger_than_input",
              args=(T((2, 3)), probabilities((2, 3))), kwargs={"pos_weight": T((4, 2, 3), requires_grad=False)}),
    ErrorCase(op="binary_cross_entropy_with_logits", desc="weight_bigger_than_input",
              args=(T((2, 3)), probabilities((2, 3))), kwargs={"weight": T((4, 2, 3), requires_grad=False)}),
    ErrorCase(op="binary_cross_entropy_with_logits", desc="bad_reduction", args=(T((2, 3)), probabilities((2, 3))),
              kwargs={"reduction": "avg"}),
    ErrorCase(op="binary_cross_entropy_with_logits", desc="pos_weight_requires_grad",
              args=(T((3,)), probabilities((3,))),
              call=lambda lib, x, y: lib.F.binary_cross_entropy_with_logits(
                  x, y, pos_weight=lib.tensor([1.0, 2.0, 3.0], requires_grad=True))),
    ErrorCase(op="BCELoss", desc="module_bad_reduction", module=True, kwargs={"reduction": "bad"},
              call_inputs=(probabilities((3,)), probabilities((3,)))),
]

# found by the fuzzer (issue 10): a 0-d target counts as a batch of 0 in torch's batch-size comparison
CASES += [
    ErrorCase(op="nll_loss", desc="target_0d_batch_mismatch_value_error",
              args=(T((1, 3)), T((), dtype="int64", low=0, high=1))),
    ErrorCase(op="nll_loss", desc="target_0d_empty_batch_index_error",
              args=(T((0, 3)), T((), dtype="int64", low=0, high=1))),
]
CASES += [
    # a 0-d input with a same-shape integer target: torch's class-probabilities dtype check comes first
    ErrorCase(op="cross_entropy", desc="input_0d_target_0d_long", args=(T(()), T((), dtype="int64", low=0, high=1))),
    # no classes in a 3-d input with a non-empty target: torch views them as (N, C, 0, 0) and (N, 1, S)
    ErrorCase(op="nll_loss", desc="no_classes_3d_nonempty_target",
              args=(T((1, 0, 1)), T((1, 1), dtype="int64", low=0, high=1))),
]

# 0-d and empty inputs with gradients, for every reduction (a mean over nothing is NaN, a sum 0): 0-d inputs
# and targets (both require grad where torch differentiates the target), a 0-d input broadcast against a
# target, 0-d weights, empty inputs, the modules, and a target whose size differs from a 0-d input's
_W0 = T((), 0.2, 2.0, requires_grad=False)
for red in REDUCTIONS:
    for op in ("mse_loss", "l1_loss"):
        CASES += [
            OpCase(op=op, desc=f"0d_{red}", args=(T(()), T(())), kwargs={"reduction": red}),
            OpCase(op=op, desc=f"0d_weight_{red}", args=(T(()), T(())), kwargs={"reduction": red, "weight": _W0}),
            OpCase(op=op, desc=f"0d_input_broadcast_{red}", args=(T(()), T((3,))), kwargs={"reduction": red}),
            OpCase(op=op, desc=f"empty_3d_{red}", args=(T((2, 0, 3)), T((2, 0, 3))), kwargs={"reduction": red}),
            OpCase(op=op, desc=f"empty_broadcast_{red}", args=(T((0, 3)), T((3,))), kwargs={"reduction": red}),
        ]
    CASES += [
        OpCase(op="binary_cross_entropy", desc=f"0d_{red}", args=(probabilities(()), probabilities(())),
               kwargs={"reduction": red}),
        OpCase(op="binary_cross_entropy", desc=f"0d_weight_{red}", args=(probabilities(()), probabilities(())),
               kwargs={"reduction": red, "weight": _W0}),
        OpCase(op="binary_cross_entropy", desc=f"empty_{red}", args=(probabilities((2, 0)), probabilities((2, 0))),
               kwargs={"reduction": red, "weight": T((2, 0), 0.2, 2.0, requires_grad=False)}),
        OpCase(op="binary_cross_entropy_with_logits", desc=f"0d_{red}", args=(T((), -3, 3), probabilities(())),
               kwargs={"reduction": red}),
        OpCase(op="binary_cross_entropy_with_logits", desc=f"0d_weights_{red}",
               args=(T((), -3, 3), probabilities(())), kwargs={"reduction": red, "weight": _W0, "pos_weight": _W0}),
        OpCase(op="binary_cross_entropy_with_logits", desc=f"empty_pos_weight_{red}",
               args=(T((0, 3)), probabilities((0, 3))),
               kwargs={"reduction": red, "pos_weight": T((3,), 0.5, 3.0, requires_grad=False)}),
        OpCase(op="nll_loss", desc=f"unbatched_weight_ignored_{red}", args=(log_probs((4,)), all_ignored((), 2)),
               kwargs={"reduction": red, "weight": weight(4), "ignore_index": 2}),
        OpCase(op="nll_loss", desc=f"batch_zero_weight_{red}", args=(T((0, 4)), classes((0,), 4)),
               kwargs={"reduction": red, "weight": weight(4)}),
        OpCase(op="nll_loss", desc=f"empty_spatial_4d_{red}", args=(T((2, 3, 0, 2)), classes((2, 0, 2), 3)),
               kwargs={"reduction": red}),
    ]
CASES += [
    ModuleCase(module="MSELoss", desc="0d", inputs=(T(()), T(()))),
    ModuleCase(module="L1Loss", desc="empty_sum", ctor_kwargs={"reduction": "sum"}, inputs=(T((0, 3)), T((0, 3)))),
    ModuleCase(module="BCELoss", desc="0d_none", ctor_kwargs={"reduction": "none"},
               inputs=(probabilities(()), probabilities(()))),
    ModuleCase(module="BCEWithLogitsLoss", desc="empty", inputs=(T((0, 2)), probabilities((0, 2)))),
    ModuleCase(module="NLLLoss", desc="unbatched", inputs=(log_probs((4,)), classes((), 4))),
    ModuleCase(module="NLLLoss", desc="batch_zero_sum", ctor_kwargs={"reduction": "sum"},
               inputs=(T((0, 4)), classes((0,), 4))),
    ErrorCase(op="binary_cross_entropy", desc="0d_input_1d_target", args=(probabilities(()), probabilities((1,)))),
    ErrorCase(op="binary_cross_entropy_with_logits", desc="0d_input_1d_target", args=(T(()), probabilities((1,)))),
    ErrorCase(op="nll_loss", desc="0d_input_1d_target", args=(T(()), classes((1,), 1))),
    ErrorCase(op="nll_loss", desc="unbatched_empty_classes", args=(T((0,)), classes((), 1))),
]
