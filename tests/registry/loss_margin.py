"""Margin and embedding losses: soft_margin_loss, multilabel_soft_margin_loss, multilabel_margin_loss,
multi_margin_loss, margin_ranking_loss, hinge_embedding_loss, cosine_embedding_loss, triplet_margin_loss,
triplet_margin_with_distance_loss and their modules."""
import numpy as np

from tests.harness import ErrorCase, ModuleCase, OpCase, T
from tests.registry.loss import REDUCTIONS, classes, lib_tensor, probabilities, specials

CASES = []


def signs(shape, requires_grad=False):
    """Targets of -1 and 1."""
    return T(shape, dtype=None, requires_grad=requires_grad,
             gen=lambda rng, s, d: np.where(rng.random(s) < 0.5, -1.0, 1.0).astype(d))


def signs_and_others(rng, shape, dtype):
    """-1, 1 and other values (hinge_embedding_loss takes neither branch's mask for a 0 or a 2)."""
    return rng.choice(np.array([-1.0, 1.0, 0.0, 2.0]), size=shape).astype(dtype)


def binary(shape):
    return T(shape, requires_grad=False, gen=lambda rng, s, d: (rng.random(s) < 0.5).astype(d))


def multilabel_targets(shape, ends=True):
    """Rows of distinct class indices ended by -1 (the rest of the row after -1 is arbitrary)."""
    def gen(rng, shape_, dtype):
        C = shape_[-1] if shape_ else 1
        rows = int(np.prod(shape_[:-1])) if len(shape_) > 1 else 1
        out = np.empty((rows, C), dtype=np.int64)
        for r in range(rows):
            k = int(rng.integers(0, C + 1)) if ends else C
            out[r] = rng.integers(0, C, size=C)
            out[r, :k] = rng.permutation(C)[:k]
            if k < C:
                out[r, k] = -1
        return out.reshape(shape_)
    return T(shape, dtype="int64", gen=gen)


def in_range(shape, n):
    return T(shape, dtype="int64", gen=lambda rng, s, d: rng.integers(0, n, size=s).astype(np.int64))


def manhattan(lib):
    """A distance_function for triplet_margin_with_distance_loss built from either library's ops."""
    return lambda a, b: (a - b).abs().sum(dim=-1)


# ---------------------------------------------------------------- soft_margin_loss
for red in REDUCTIONS:
    CASES += [
        OpCase(op="soft_margin_loss", desc=f"basic_{red}", args=(T((4, 5), -3, 3), signs((4, 5))),
               kwargs={"reduction": red}),
        OpCase(op="soft_margin_loss", desc=f"empty_{red}", args=(T((0, 3)), signs((0, 3))), kwargs={"reduction": red}),
        OpCase(op="soft_margin_loss", desc=f"0d_{red}", args=(T(()), signs(())), kwargs={"reduction": red}),
        ModuleCase(module="SoftMarginLoss", desc=red, ctor_kwargs={"reduction": red},
                   inputs=(T((2, 3, 4), -3, 3), signs((2, 3, 4)))),
    ]
CASES += [
    OpCase(op="soft_margin_loss", desc="real_targets",
           args=(T((4, 5), -3, 3), T((4, 5), -2, 2, requires_grad=False))),
    OpCase(op="soft_margin_loss", desc="large", args=(T((4, 5), -100, 100), signs((4, 5))),
           kwargs={"reduction": "none"}),
    OpCase(op="soft_margin_loss", desc="broadcast_target", args=(T((4, 5)), signs((5,))), kwargs={"reduction": "none"}),
    OpCase(op="soft_margin_loss", desc="noncontig", args=(T((4, 5), layout="transposed"), signs((4, 5)))),
    OpCase(op="soft_margin_loss", desc="specials", args=(T((3, 4), gen=specials), signs((3, 4))),
           kwargs={"reduction": "none"}),
    OpCase(op="soft_margin_loss", desc="many_elements", args=(T((70, 300), -3, 3), signs((70, 300)))),
    OpCase(op="soft_margin_loss", desc="legacy_reduce", args=(T((3, 4)), signs((3, 4))), kwargs={"reduce": False}),
    ErrorCase(op="soft_margin_loss", desc="bad_reduction", args=(T((3, 4)), signs((3, 4))), kwargs={"reduction": "x"}),
    ErrorCase(op="soft_margin_loss", desc="target_bigger", args=(T((4,)), signs((3, 4)))),
    ErrorCase(op="soft_margin_loss", desc="int_input", args=(T((3,), 0, 3, dtype="int64"), signs((3,)))),
    ErrorCase(op="soft_margin_loss", desc="target_requires_grad", args=(T((3,)), signs((3,))),
              call=lambda lib, x, y: lib.F.soft_margin_loss(x, y.detach().requires_grad_())),
]

# ---------------------------------------------------------------- multilabel_soft_margin_loss
for red in REDUCTIONS:
    CASES += [
        OpCase(op="multilabel_soft_margin_loss", desc=f"basic_{red}", args=(T((4, 5), -3, 3), binary((4, 5))),
               kwargs={"reduction": red}),
        OpCase(op="multilabel_soft_margin_loss", desc=f"weight_{red}", args=(T((4, 5), -3, 3), binary((4, 5))),
               kwargs={"reduction": red, "weight": T((5,), 0.2, 2.0)}),
        OpCase(op="multilabel_soft_margin_loss", desc=f"empty_{red}", args=(T((0, 5)), binary((0, 5))),
               kwargs={"reduction": red}),
        ModuleCase(module="MultiLabelSoftMarginLoss", desc=red, ctor_kwargs={"reduction": red},
                   inputs=(T((3, 4), -3, 3), binary((3, 4)))),
    ]
CASES += [
    OpCase(op="multilabel_soft_margin_loss", desc="soft_targets", args=(T((4, 5)), probabilities((4, 5)))),
    OpCase(op="multilabel_soft_margin_loss", desc="1d", args=(T((5,)), binary((5,))), kwargs={"reduction": "none"}),
    OpCase(op="multilabel_soft_margin_loss", desc="3d", args=(T((2, 3, 4)), binary((2, 3, 4))),
           kwargs={"reduction": "none"}),
    OpCase(op="multilabel_soft_margin_loss", desc="weight_per_row", args=(T((4, 5)), binary((4, 5))),
           kwargs={"weight": T((4, 1), 0.2, 2.0), "reduction": "none"}),
    OpCase(op="multilabel_soft_margin_loss", desc="large_logits", args=(T((4, 5), -200, 200), binary((4, 5)))),
    OpCase(op="multilabel_soft_margin_loss", desc="legacy_size_average", args=(T((4, 5)), binary((4, 5))),
           kwargs={"size_average": False}),
    ModuleCase(module=lambda nn, F: nn.MultiLabelSoftMarginLoss(weight=lib_tensor(nn, [0.5, 1.0, 2.0])),
               name="MultiLabelSoftMarginLoss", desc="weight_buffer", inputs=(T((4, 3)), binary((4, 3)))),
    ErrorCase(op="multilabel_soft_margin_loss", desc="bad_reduction", args=(T((3, 4)), binary((3, 4))),
              kwargs={"reduction": "x"}),
    ErrorCase(op="multilabel_soft_margin_loss", desc="0d", args=(T(()), binary(()))),
    ErrorCase(op="multilabel_soft_margin_loss", desc="not_broadcastable", args=(T((3, 4)), binary((3, 5)))),
]

# ---------------------------------------------------------------- multi_margin_loss
for red in REDUCTIONS:
    for p in (1, 2):
        CASES += [
            OpCase(op="multi_margin_loss", desc=f"p{p}_{red}", args=(T((6, 5), -2, 2), in_range((6,), 5)),
                   kwargs={"reduction": red, "p": p}),
            OpCase(op="multi_margin_loss", desc=f"p{p}_weight_margin_{red}", args=(T((6, 5), -2, 2), in_range((6,), 5)),
                   kwargs={"reduction": red, "p": p, "margin": 0.5, "weight": T((5,), 0.2, 2.0, requires_grad=False)}),
        ]
    CASES += [
        OpCase(op="multi_margin_loss", desc=f"1d_{red}", args=(T((5,), -2, 2), in_range((1,), 5)),
               kwargs={"reduction": red}),
        OpCase(op="multi_margin_loss", desc=f"1d_0d_target_{red}", args=(T((5,), -2, 2), in_range((), 5)),
               kwargs={"reduction": red}),
        OpCase(op="multi_margin_loss", desc=f"0d_{red}", args=(T(()), in_range((), 1)), kwargs={"reduction": red}),
        ModuleCase(module="MultiMarginLoss", desc=red, ctor_kwargs={"reduction": red, "p": 2, "margin": 2.0},
                   inputs=(T((4, 3), -2, 2), in_range((4,), 3))),
    ]
CASES += [
    # an empty batch: 'none' only (torch's reduced result for an empty batch is an uninitialised value)
    OpCase(op="multi_margin_loss", desc="empty_batch_none", args=(T((0, 4)), in_range((0,), 4)),
           kwargs={"reduction": "none"}),
    OpCase(op="multi_margin_loss", desc="large_margin", args=(T((5, 4)), in_range((5,), 4)), kwargs={"margin": 10}),
    OpCase(op="multi_margin_loss", desc="zero_margin_ties", args=(T((5, 4), gen=lambda r, s, d: np.round(
        r.uniform(-1, 1, s)).astype(d)), in_range((5,), 4)), kwargs={"margin": 0.0, "reduction": "none"}),
    OpCase(op="multi_margin_loss", desc="noncontig", args=(T((5, 4), layout="transposed"), in_range((5,), 4))),
    OpCase(op="multi_margin_loss", desc="specials", args=(T((3, 4), gen=specials), in_range((3,), 4)),
           kwargs={"reduction": "none"}),
    OpCase(op="multi_margin_loss", desc="many_rows", args=(T((500, 7)), in_range((500,), 7)), kwargs={"p": 2}),
    OpCase(op="multi_margin_loss", desc="legacy_reduce", args=(T((3, 4)), in_range((3,), 4)), kwargs={"reduce": False}),
    OpCase(op="multi_margin_loss", desc="p_float", args=(T((3, 4)), in_range((3,), 4)), kwargs={"p": 2.0}),
    ModuleCase(module=lambda nn, F: nn.MultiMarginLoss(weight=lib_tensor(nn, [0.5, 1.0, 2.0])),
               name="MultiMarginLoss", desc="weight_buffer", inputs=(T((4, 3)), in_range((4,), 3))),
    ErrorCase(op="multi_margin_loss", desc="p3", args=(T((3, 4)), in_range((3,), 4)), kwargs={"p": 3}),
    ErrorCase(op="multi_margin_loss", desc="bad_reduction", args=(T((3, 4)), in_range((3,), 4)),
              kwargs={"reduction": "x"}),
    ErrorCase(op="multi_margin_loss", desc="empty_classes", args=(T((3, 0)), in_range((3,), 1))),
    ErrorCase(op="multi_margin_loss", desc="3d", args=(T((1, 3, 4)), in_range((3,), 4))),
    ErrorCase(op="multi_margin_loss", desc="target_too_big", args=(T((3, 4)), T((3,), 4, 6, dtype="int64"))),
    ErrorCase(op="multi_margin_loss", desc="target_negative", args=(T((3, 4)), T((3,), -3, -1, dtype="int64"))),
    ErrorCase(op="multi_margin_loss", desc="target_size", args=(T((3, 4)), in_range((2,), 4))),
    ErrorCase(op="multi_margin_loss", desc="target_2d", args=(T((3, 4)), in_range((3, 1), 4))),
    ErrorCase(op="multi_margin_loss", desc="float_target", args=(T((3, 4)), T((3,), 0, 3))),
    ErrorCase(op="multi_margin_loss", desc="int32_target", args=(T((3, 4)), T((3,), 0, 3, dtype="int32"))),
    ErrorCase(op="multi_margin_loss", desc="weight_size", args=(T((3, 4)), in_range((3,), 4)),
              kwargs={"weight": T((3,), requires_grad=False)}),
    ErrorCase(op="multi_margin_loss", desc="weight_2d", args=(T((3, 4)), in_range((3,), 4)),
              kwargs={"weight": T((1, 4), requires_grad=False)}),
    ErrorCase(op="multi_margin_loss", desc="weight_dtype", args=(T((3, 4)), in_range((3,), 4)), dtypes=("float32",),
              kwargs={"weight": T((4,), dtype="float64", requires_grad=False)}),
    ErrorCase(op="multi_margin_loss", desc="weight_requires_grad", args=(T((3, 4)), in_range((3,), 4)),
              call=lambda lib, x, y: lib.F.multi_margin_loss(x, y, weight=lib.tensor([1.0, 2.0, 3.0, 4.0],
                                                                                     requires_grad=True))),
    ErrorCase(op="multi_margin_loss", desc="int_input", args=(T((3, 4), 0, 3, dtype="int64"), in_range((3,), 4))),
    ErrorCase(op="MultiMarginLoss", desc="module_p3", module=True, kwargs={"p": 3}),
]

# ---------------------------------------------------------------- multilabel_margin_loss
for red in REDUCTIONS:
    CASES += [
        OpCase(op="multilabel_margin_loss", desc=f"basic_{red}", args=(T((6, 5), -2, 2), multilabel_targets((6, 5))),
               kwargs={"reduction": red}),
        OpCase(op="multilabel_margin_loss", desc=f"1d_{red}", args=(T((5,), -2, 2), multilabel_targets((5,))),
               kwargs={"reduction": red}),
        OpCase(op="multilabel_margin_loss", desc=f"0d_{red}", args=(T(()), T((), 0, 1, dtype="int64")),
               kwargs={"reduction": red}),
        ModuleCase(module="MultiLabelMarginLoss", desc=red, ctor_kwargs={"reduction": red},
                   inputs=(T((4, 3), -2, 2), multilabel_targets((4, 3)))),
    ]
CASES += [
    # an empty batch: 'none' only (torch's reduced result for an empty batch is an uninitialised value)
    OpCase(op="multilabel_margin_loss", desc="empty_batch_none", args=(T((0, 4)), multilabel_targets((0, 4))),
           kwargs={"reduction": "none"}),
    OpCase(op="multilabel_margin_loss", desc="all_targets", args=(T((4, 5)), multilabel_targets((4, 5), ends=False))),
    OpCase(op="multilabel_margin_loss", desc="first_is_end", args=(T((3, 4)), T((3, 4), dtype="int64",
           gen=lambda r, s, d: np.full(s, -1, np.int64)))),
    OpCase(op="multilabel_margin_loss", desc="repeated_target", args=(T((2, 4)), T((2, 4), dtype="int64",
           gen=lambda r, s, d: np.array([[1, 1, 2, -1], [0, 3, 3, 3]], np.int64)))),
    OpCase(op="multilabel_margin_loss", desc="noncontig", args=(T((5, 4), layout="transposed"),
                                                                multilabel_targets((5, 4)))),
    OpCase(op="multilabel_margin_loss", desc="many_rows", args=(T((300, 6)), multilabel_targets((300, 6)))),
    OpCase(op="multilabel_margin_loss", desc="legacy_reduce", args=(T((3, 4)), multilabel_targets((3, 4))),
           kwargs={"reduce": False}),
    ErrorCase(op="multilabel_margin_loss", desc="bad_reduction", args=(T((3, 4)), multilabel_targets((3, 4))),
              kwargs={"reduction": "x"}),
    ErrorCase(op="multilabel_margin_loss", desc="target_too_big", args=(T((3, 4)), T((3, 4), 4, 6, dtype="int64"))),
    ErrorCase(op="multilabel_margin_loss", desc="target_below_minus_1",
              args=(T((3, 4)), T((3, 4), -4, -2, dtype="int64"))),
    ErrorCase(op="multilabel_margin_loss", desc="target_shape", args=(T((3, 4)), multilabel_targets((3, 2)))),
    ErrorCase(op="multilabel_margin_loss", desc="target_1d_for_2d", args=(T((3, 4)), multilabel_targets((12,)))),
    ErrorCase(op="multilabel_margin_loss", desc="target_2d_for_1d", args=(T((4,)), multilabel_targets((1, 4)))),
    OpCase(op="multilabel_margin_loss", desc="0d_with_1d_target", args=(T(()), T((1,), 0, 1, dtype="int64")),
           kwargs={"reduction": "none"}),
    ErrorCase(op="multilabel_margin_loss", desc="0d_target_out_of_range", args=(T(()), T((1,), 1, 2, dtype="int64"))),
    ErrorCase(op="multilabel_margin_loss", desc="empty_classes", args=(T((3, 0)), multilabel_targets((3, 0)))),
    ErrorCase(op="multilabel_margin_loss", desc="3d", args=(T((1, 3, 4)), multilabel_targets((1, 3, 4)))),
    ErrorCase(op="multilabel_margin_loss", desc="float_target", args=(T((3, 4)), T((3, 4), 0, 3))),
    ErrorCase(op="multilabel_margin_loss", desc="int_input", args=(T((3, 4), 0, 3, dtype="int64"),
                                                                   multilabel_targets((3, 4)))),
]

# ---------------------------------------------------------------- margin_ranking_loss
for red in REDUCTIONS:
    CASES += [
        OpCase(op="margin_ranking_loss", desc=f"basic_{red}", args=(T((6,)), T((6,)), signs((6,), True)),
               kwargs={"reduction": red}),
        OpCase(op="margin_ranking_loss", desc=f"margin_{red}", args=(T((3, 4)), T((3, 4)), signs((3, 4))),
               kwargs={"reduction": red, "margin": 0.5}),
        OpCase(op="margin_ranking_loss", desc=f"empty_{red}", args=(T((0,)), T((0,)), signs((0,))),
               kwargs={"reduction": red}),
        ModuleCase(module="MarginRankingLoss", desc=red, ctor_kwargs={"reduction": red, "margin": 0.2},
                   inputs=(T((5,)), T((5,)), signs((5,)))),
    ]
CASES += [
    OpCase(op="margin_ranking_loss", desc="0d", args=(T(()), T(()), signs((), True))),
    OpCase(op="margin_ranking_loss", desc="broadcast", args=(T((3, 4)), T((1, 4)), signs((3, 1))),
           kwargs={"reduction": "none"}),
    OpCase(op="margin_ranking_loss", desc="real_target", args=(T((5,)), T((5,)), T((5,), -2, 2))),
    OpCase(op="margin_ranking_loss", desc="legacy_size_average", args=(T((5,)), T((5,)), signs((5,))),
           kwargs={"size_average": False}),
    ErrorCase(op="margin_ranking_loss", desc="dims_differ", args=(T((3, 4)), T((3, 4)), signs((4,)))),
    ErrorCase(op="margin_ranking_loss", desc="bad_reduction", args=(T((3,)), T((3,)), signs((3,))),
              kwargs={"reduction": "x"}),
    ErrorCase(op="margin_ranking_loss", desc="not_broadcastable", args=(T((3,)), T((4,)), signs((3,)))),
]

# ---------------------------------------------------------------- hinge_embedding_loss
for red in REDUCTIONS:
    CASES += [
        OpCase(op="hinge_embedding_loss", desc=f"basic_{red}", args=(T((4, 5), -2, 2), signs((4, 5))),
               kwargs={"reduction": red}),
        OpCase(op="hinge_embedding_loss", desc=f"margin_{red}", args=(T((4, 5), 0, 3), signs((4, 5))),
               kwargs={"reduction": red, "margin": 2.0}),
        OpCase(op="hinge_embedding_loss", desc=f"empty_{red}", args=(T((0, 5)), signs((0, 5))),
               kwargs={"reduction": red}),
        ModuleCase(module="HingeEmbeddingLoss", desc=red, ctor_kwargs={"reduction": red, "margin": 0.5},
                   inputs=(T((3, 4), 0, 2), signs((3, 4)))),
    ]
CASES += [
    OpCase(op="hinge_embedding_loss", desc="other_target_values", args=(T((4, 5)), T((4, 5), gen=signs_and_others,
                                                                                    requires_grad=False)),
           kwargs={"reduction": "none"}),
    OpCase(op="hinge_embedding_loss", desc="int_target", args=(T((4, 5)), T((4, 5), dtype="int64", gen=lambda r, s, d:
                                                                          np.where(r.random(s) < 0.5, -1, 1)))),
    OpCase(op="hinge_embedding_loss", desc="broadcast_target", args=(T((4, 5)), signs((5,))),
           kwargs={"reduction": "none"}),
    OpCase(op="hinge_embedding_loss", desc="0d", args=(T(()), signs(()))),
    OpCase(op="hinge_embedding_loss", desc="legacy_reduce", args=(T((3, 4)), signs((3, 4))), kwargs={"reduce": False}),
    ErrorCase(op="hinge_embedding_loss", desc="bad_reduction", args=(T((3, 4)), signs((3, 4))),
              kwargs={"reduction": "x"}),
    ErrorCase(op="hinge_embedding_loss", desc="not_broadcastable", args=(T((3, 4)), signs((3,)))),
]

# ---------------------------------------------------------------- cosine_embedding_loss
for red in REDUCTIONS:
    CASES += [
        OpCase(op="cosine_embedding_loss", desc=f"basic_{red}", args=(T((4, 5)), T((4, 5)), signs((4,))),
               kwargs={"reduction": red}),
        OpCase(op="cosine_embedding_loss", desc=f"margin_{red}", args=(T((4, 5)), T((4, 5)), signs((4,))),
               kwargs={"reduction": red, "margin": -0.3}),
        OpCase(op="cosine_embedding_loss", desc=f"1d_{red}", args=(T((5,)), T((5,)), signs(())),
               kwargs={"reduction": red}),
        OpCase(op="cosine_embedding_loss", desc=f"empty_{red}", args=(T((0, 5)), T((0, 5)), signs((0,))),
               kwargs={"reduction": red}),
        ModuleCase(module="CosineEmbeddingLoss", desc=red, ctor_kwargs={"reduction": red, "margin": 0.1},
                   inputs=(T((3, 4)), T((3, 4)), signs((3,)))),
    ]
CASES += [
    OpCase(op="cosine_embedding_loss", desc="zero_vectors", args=(T((3, 4), gen=lambda r, s, d: np.zeros(s, d)),
                                                                  T((3, 4)), signs((3,)))),
    OpCase(op="cosine_embedding_loss", desc="broadcast_input", args=(T((4, 5)), T((1, 5)), signs((4,)))),
    OpCase(op="cosine_embedding_loss", desc="other_target_values", args=(T((4, 5)), T((4, 5)),
           T((4,), gen=signs_and_others, requires_grad=False)), kwargs={"reduction": "none"}),
    OpCase(op="cosine_embedding_loss", desc="int_target", args=(T((4, 5)), T((4, 5)), T((4,), dtype="int64",
           gen=lambda r, s, d: np.array([1, -1, 1, -1], np.int64)))),
    OpCase(op="cosine_embedding_loss", desc="legacy_size_average", args=(T((4, 5)), T((4, 5)), signs((4,))),
           kwargs={"size_average": False}),
    ErrorCase(op="cosine_embedding_loss", desc="2d_target", args=(T((4, 5)), T((4, 5)), signs((1, 4)))),
    ErrorCase(op="cosine_embedding_loss", desc="1d_target_1d_inputs", args=(T((5,)), T((5,)), signs((4,)))),
    ErrorCase(op="cosine_embedding_loss", desc="0d_target_2d_inputs", args=(T((4, 5)), T((4, 5)), signs(()))),
    ErrorCase(op="cosine_embedding_loss", desc="sizes_differ", args=(T((4, 5)), T((2, 5)), signs((4,)))),
    ErrorCase(op="cosine_embedding_loss", desc="bad_reduction", args=(T((4, 5)), T((4, 5)), signs((4,))),
              kwargs={"reduction": "x"}),
]

# ---------------------------------------------------------------- triplet_margin_loss
for red in REDUCTIONS:
    CASES += [
        OpCase(op="triplet_margin_loss", desc=f"basic_{red}", args=(T((5, 4)), T((5, 4)), T((5, 4))),
               kwargs={"reduction": red}),
        OpCase(op="triplet_margin_loss", desc=f"swap_{red}", args=(T((5, 4)), T((5, 4)), T((5, 4))),
               kwargs={"reduction": red, "swap": True}),
        OpCase(op="triplet_margin_loss", desc=f"p1_margin_{red}", args=(T((5, 4)), T((5, 4)), T((5, 4))),
               kwargs={"reduction": red, "p": 1, "margin": 0.5}),
        ModuleCase(module="TripletMarginLoss", desc=red, ctor_kwargs={"reduction": red, "p": 3.0, "swap": True},
                   inputs=(T((4, 3)), T((4, 3)), T((4, 3)))),
    ]
CASES += [
    OpCase(op="triplet_margin_loss", desc="eps", args=(T((5, 4)), T((5, 4)), T((5, 4))), kwargs={"eps": 0.1}),
    OpCase(op="triplet_margin_loss", desc="1d", args=(T((4,)), T((4,)), T((4,)))),
    OpCase(op="triplet_margin_loss", desc="0d", args=(T(()), T(()), T(()))),
    OpCase(op="triplet_margin_loss", desc="3d", args=(T((2, 3, 4)), T((2, 3, 4)), T((2, 3, 4))),
           kwargs={"reduction": "none"}),
    OpCase(op="triplet_margin_loss", desc="empty", args=(T((0, 4)), T((0, 4)), T((0, 4)))),
    OpCase(op="triplet_margin_loss", desc="broadcast", args=(T((5, 4)), T((1, 4)), T((5, 4))), kwargs={"swap": True}),
    OpCase(op="triplet_margin_loss", desc="legacy_reduce", args=(T((5, 4)), T((5, 4)), T((5, 4))),
           kwargs={"reduce": False}),
    ErrorCase(op="triplet_margin_loss", desc="dims_differ", args=(T((5, 4)), T((5, 4)), T((4,)))),
    ErrorCase(op="triplet_margin_loss", desc="bad_reduction", args=(T((5, 4)), T((5, 4)), T((5, 4))),
              kwargs={"reduction": "x"}),
    ErrorCase(op="TripletMarginLoss", desc="module_margin_0", module=True, kwargs={"margin": 0.0}),
]

# ---------------------------------------------------------------- triplet_margin_with_distance_loss
for red in REDUCTIONS:
    CASES += [
        OpCase(op="triplet_margin_with_distance_loss", desc=f"default_distance_{red}",
               args=(T((5, 4)), T((5, 4)), T((5, 4))), kwargs={"reduction": red}),
        OpCase(op="triplet_margin_with_distance_loss", desc=f"cosine_distance_swap_{red}",
               args=(T((5, 4)), T((5, 4)), T((5, 4))),
               call=lambda F, a, p, n, reduction=red: F.triplet_margin_with_distance_loss(
                   a, p, n, distance_function=lambda x, y: 1.0 - F.cosine_similarity(x, y), swap=True,
                   margin=0.5, reduction=reduction)),
    ]
CASES += [
    OpCase(op="triplet_margin_with_distance_loss", desc="manhattan",
           args=(T((5, 4)), T((5, 4)), T((5, 4))),
           call=lambda F, a, p, n: F.triplet_margin_with_distance_loss(a, p, n, distance_function=manhattan(F),
                                                                       margin=2.0)),
    ModuleCase(module="TripletMarginWithDistanceLoss", desc="default", inputs=(T((4, 3)), T((4, 3)), T((4, 3)))),
    ModuleCase(module=lambda nn, F: nn.TripletMarginWithDistanceLoss(distance_function=nn.PairwiseDistance(p=1.0),
                                                                     swap=True, reduction="sum"),
               name="TripletMarginWithDistanceLoss", desc="pairwise_p1_submodule",
               inputs=(T((4, 3)), T((4, 3)), T((4, 3)))),
    ErrorCase(op="triplet_margin_with_distance_loss", desc="margin_0", args=(T((5, 4)), T((5, 4)), T((5, 4))),
              kwargs={"margin": 0.0}),
    ErrorCase(op="triplet_margin_with_distance_loss", desc="bad_reduction", args=(T((5, 4)), T((5, 4)), T((5, 4))),
              kwargs={"reduction": "x"}),
    ErrorCase(op="triplet_margin_with_distance_loss", desc="dims_differ", args=(T((5, 4)), T((5, 4)), T((4,)))),
    ErrorCase(op="TripletMarginWithDistanceLoss", desc="module_margin_negative", module=True,
              kwargs={"margin": -1.0}),
]
