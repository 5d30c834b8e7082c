"""Distances: F.pairwise_distance / nn.PairwiseDistance and F.cosine_similarity / nn.CosineSimilarity."""
import numpy as np

from tests.harness import ErrorCase, ModuleCase, OpCase, T


def ties(rng, shape, dtype):
    """Integer-valued entries: equal |x1 - x2| in a row (ties of the inf-norm) and exact zeros."""
    return rng.integers(-2, 3, size=shape).astype(dtype)


def specials(rng, shape, dtype):
    x = rng.uniform(-2, 2, size=shape).astype(dtype)
    x.reshape(-1)[:2] = [np.nan, np.inf][:x.size]
    return x


def tiny(rng, shape, dtype):
    """Rows with norms below cosine_similarity's eps (the clamp), and one all-zero row."""
    x = (rng.uniform(-1, 1, size=shape) * 1e-9).astype(dtype)
    x[0] = 0
    return x


CASES = []
for p in (2.0, 1.0, 3.0, 1.5, 0.5, 0.0, float("inf"), float("-inf"), -1.0):
    CASES.append(OpCase(op="pairwise_distance", desc=f"p{p}", args=(T((4, 6)), T((4, 6))), kwargs={"p": p}))
CASES += [
    OpCase(op="pairwise_distance", desc="defaults", args=(T((5, 3)), T((5, 3)))),
    OpCase(op="pairwise_distance", desc="keepdim", args=(T((5, 3)), T((5, 3))), kwargs={"keepdim": True}),
    OpCase(op="pairwise_distance", desc="eps", args=(T((5, 3)), T((5, 3))), kwargs={"eps": 0.1}),
    OpCase(op="pairwise_distance", desc="1d", args=(T((7,)), T((7,)))),
    OpCase(op="pairwise_distance", desc="1d_keepdim", args=(T((7,)), T((7,))), kwargs={"keepdim": True}),
    OpCase(op="pairwise_distance", desc="0d", args=(T(()), T(()))),
    OpCase(op="pairwise_distance", desc="3d", args=(T((2, 3, 4)), T((2, 3, 4))), kwargs={"p": 3.0}),
    OpCase(op="pairwise_distance", desc="broadcast_x2_row", args=(T((4, 5)), T((5,)))),
    OpCase(op="pairwise_distance", desc="broadcast_both", args=(T((3, 1, 4)), T((2, 4))), kwargs={"p": 1.0}),
    OpCase(op="pairwise_distance", desc="batch_zero", args=(T((0, 4)), T((0, 4)))),
    OpCase(op="pairwise_distance", desc="batch_one", args=(T((1, 4)), T((1, 4)))),
    OpCase(op="pairwise_distance", desc="empty_feature", args=(T((3, 0)), T((3, 0)))),
    OpCase(op="pairwise_distance", desc="noncontig", args=(T((4, 5), layout="transposed"), T((4, 5), layout="strided"))),
    OpCase(op="pairwise_distance", desc="negative_stride", args=(T((4, 5), layout="negative"), T((4, 5)))),
    OpCase(op="pairwise_distance", desc="identical_inputs_eps_zero",
           args=(T((3, 4), gen=ties), T((3, 4), gen=ties)), kwargs={"eps": 0.0}, grad=False),
    OpCase(op="pairwise_distance", desc="inf_norm_ties", args=(T((6, 5), gen=ties), T((6, 5), gen=ties)),
           kwargs={"p": float("inf"), "eps": 0.0}),
    OpCase(op="pairwise_distance", desc="p1_ties", args=(T((6, 5), gen=ties), T((6, 5), gen=ties)),
           kwargs={"p": 1.0, "eps": 0.0}),
    OpCase(op="pairwise_distance", desc="specials", args=(T((3, 4), gen=specials), T((3, 4))), grad=False),
    OpCase(op="pairwise_distance", desc="inf_norm_nan", args=(T((3, 4), gen=specials), T((3, 4))),
           kwargs={"p": float("inf")}, grad=False),
    ModuleCase(module="PairwiseDistance", desc="default", inputs=(T((4, 6)), T((4, 6)))),
    ModuleCase(module="PairwiseDistance", desc="p1_keepdim", ctor_kwargs={"p": 1.0, "keepdim": True},
               inputs=(T((4, 6)), T((4, 6)))),
    ModuleCase(module="PairwiseDistance", desc="pinf_eps", ctor_kwargs={"p": float("inf"), "eps": 1e-3},
               inputs=(T((4, 6)), T((4, 6)))),
    ErrorCase(op="pairwise_distance", desc="not_broadcastable", args=(T((3, 4)), T((3,)))),
    ErrorCase(op="pairwise_distance", desc="x1_not_tensor", args=([[1.0, 2.0]], T((1, 2)))),
    ErrorCase(op="PairwiseDistance", desc="module_not_broadcastable", module=True,
              call_inputs=(T((3, 4)), T((2, 4)))),

    OpCase(op="cosine_similarity", desc="defaults", args=(T((5, 4)), T((5, 4)))),
    OpCase(op="cosine_similarity", desc="dim0", args=(T((5, 4)), T((5, 4))), kwargs={"dim": 0}),
    OpCase(op="cosine_similarity", desc="dim_neg1", args=(T((5, 4)), T((5, 4))), kwargs={"dim": -1}),
    OpCase(op="cosine_similarity", desc="3d_dim1", args=(T((2, 3, 4)), T((2, 3, 4)))),
    OpCase(op="cosine_similarity", desc="4d_dim2", args=(T((2, 3, 4, 2)), T((2, 3, 4, 2))), kwargs={"dim": 2}),
    OpCase(op="cosine_similarity", desc="1d", args=(T((6,)), T((6,))), kwargs={"dim": 0}),
    OpCase(op="cosine_similarity", desc="0d", args=(T(()), T(())), kwargs={"dim": 0}),
    OpCase(op="cosine_similarity", desc="broadcast_row", args=(T((5, 4)), T((1, 4)))),
    OpCase(op="cosine_similarity", desc="broadcast_1d", args=(T((5, 4)), T((4,))), kwargs={"dim": -1}),
    OpCase(op="cosine_similarity", desc="eps_large", args=(T((5, 4)), T((5, 4))), kwargs={"eps": 0.5}),
    OpCase(op="cosine_similarity", desc="norms_below_eps", args=(T((4, 3), gen=tiny), T((4, 3)))),
    OpCase(op="cosine_similarity", desc="norms_below_eps_both", args=(T((4, 3), gen=tiny), T((4, 3), gen=tiny))),
    OpCase(op="cosine_similarity", desc="batch_zero", args=(T((0, 4)), T((0, 4)))),
    OpCase(op="cosine_similarity", desc="batch_one", args=(T((1, 4)), T((1, 4)))),
    OpCase(op="cosine_similarity", desc="noncontig", args=(T((4, 5), layout="transposed"), T((4, 5), layout="negative"))),
    OpCase(op="cosine_similarity", desc="specials", args=(T((3, 4), gen=specials), T((3, 4))), grad=False),
    ModuleCase(module="CosineSimilarity", desc="default", inputs=(T((4, 6)), T((4, 6)))),
    ModuleCase(module="CosineSimilarity", desc="dim0_eps", ctor_kwargs={"dim": 0, "eps": 1e-4},
               inputs=(T((4, 6)), T((4, 6)))),
    ErrorCase(op="cosine_similarity", desc="not_broadcastable", args=(T((3, 4)), T((3, 5)))),
    ErrorCase(op="cosine_similarity", desc="dim_out_of_range", args=(T((3, 4)), T((3, 4))), kwargs={"dim": 2}),
    ErrorCase(op="cosine_similarity", desc="default_dim_on_1d", args=(T((4,)), T((4,)))),
    ErrorCase(op="cosine_similarity", desc="int_inputs", args=(T((3, 4), 0, 5, dtype="int64"),
                                                               T((3, 4), 0, 5, dtype="int64"))),
    ErrorCase(op="CosineSimilarity", desc="module_dim_out_of_range", module=True, kwargs={"dim": 3},
              call_inputs=(T((3, 4)), T((3, 4)))),
]

F32 = ("float32",)


def huge(rng, shape, dtype):
    """Values whose square overflows float32 (and 1e-30, whose square underflows it)."""
    return np.resize(np.array([1e30, -3e25, 1e-30, 2.0], dtype=dtype), shape)


# pinned by the differential fuzzer (tests/fuzz): torch's promotion, argument parsing and norm edges
CASES += [
    # x1 - x2 and the cosine products take torch.result_type(x1, x2): float32 with float64 gives float64,
    # an integer input takes the other's float dtype, a 0-d float64 gives way to a dimensioned float32
    OpCase(op="pairwise_distance", desc="mixed_float32_float64", dtypes=F32,
           args=(T((4, 5)), T((4, 5), dtype="float64"))),
    OpCase(op="cosine_similarity", desc="mixed_float32_float64", dtypes=F32,
           args=(T((4, 5)), T((4, 5), dtype="float64"))),
    OpCase(op="pairwise_distance", desc="int64_with_float", args=(T((3, 4)), T((3, 4), -3, 4, dtype="int64"))),
    OpCase(op="cosine_similarity", desc="int64_with_float", args=(T((3, 4), -3, 4, dtype="int64"), T((3, 4)))),
    OpCase(op="pairwise_distance", desc="0d_float64_with_float32", dtypes=F32,
           args=(T((), dtype="float64", requires_grad=False), T((3, 4)))),
    # torch's float parser takes a bool as a number (p=True is p=1)
    OpCase(op="pairwise_distance", desc="p_bool", args=(T((3, 4)), T((3, 4))), kwargs={"p": True}),
    # a last dimension of length 1 reduces to |d| for every p != 0 (no overflow of d**p), to d != 0 for p = 0
    OpCase(op="pairwise_distance", desc="length1_huge_p2", args=(T((4, 1), gen=huge), T((4, 1), 0, 0)),
           kwargs={"p": 2.0, "eps": 0.0}, grad=False),
    OpCase(op="pairwise_distance", desc="length1_huge_p3", args=(T((4, 1), gen=huge), T((4, 1), 0, 0)),
           kwargs={"p": 3.0, "eps": 0.0}, grad=False),
    OpCase(op="pairwise_distance", desc="length1_p0", args=(T((4, 1), gen=ties), T((4, 1), gen=ties)),
           kwargs={"p": 0.0, "eps": 0.0}),
    OpCase(op="pairwise_distance", desc="length1", args=(T((4, 1)), T((4, 1))), kwargs={"p": 1.5}),
    ErrorCase(op="pairwise_distance", desc="keepdim_int", args=(T((3, 4)), T((3, 4))), kwargs={"keepdim": 1}),
    ErrorCase(op="pairwise_distance", desc="p_none", args=(T((3, 4)), T((3, 4))), kwargs={"p": None}),
    ErrorCase(op="pairwise_distance", desc="bool_input", args=(T((3, 4), dtype="bool"), T((3, 4)))),
    # an empty last dimension has no identity for a negative or infinite order
    ErrorCase(op="pairwise_distance", desc="empty_dim_inf_norm", args=(T((2, 0)), T((2, 0))),
              kwargs={"p": float("inf")}),
    ErrorCase(op="pairwise_distance", desc="empty_dim_negative_norm", args=(T((0, 0)), T((0, 0))),
              kwargs={"p": -1.0}),
    ErrorCase(op="cosine_similarity", desc="dim_overflows_int64", args=(T((3, 4)), T((3, 4))),
              kwargs={"dim": 2 ** 63}),
    ErrorCase(op="cosine_similarity", desc="eps_negative", args=(T((3, 4)), T((3, 4))), kwargs={"eps": -1.0}),
    ErrorCase(op="cosine_similarity", desc="eps_nan", args=(T((3, 4)), T((3, 4))), kwargs={"eps": float("nan")}),
    ErrorCase(op="cosine_similarity", desc="eps_overflows_float32", dtypes=F32, args=(T((3, 4)), T((3, 4))),
              kwargs={"eps": 1e308}),
    ErrorCase(op="cosine_similarity", desc="int64_both", args=(T((3, 4), 0, 5, dtype="int64"),
                                                               T((3, 4), 0, 5, dtype="int64"))),
]

# 0-d and empty inputs with gradients
CASES += [
    OpCase(op="pairwise_distance", desc="0d_p1_keepdim", args=(T(()), T(())), kwargs={"p": 1.0, "keepdim": True}),
    OpCase(op="pairwise_distance", desc="0d_with_1d", args=(T(()), T((3,)))),
    OpCase(op="pairwise_distance", desc="batch_zero_3d", args=(T((0, 2, 4)), T((0, 2, 4)))),
    OpCase(op="pairwise_distance", desc="empty_feature_keepdim", args=(T((3, 0)), T((3, 0))), kwargs={"keepdim": True}),
    OpCase(op="pairwise_distance", desc="empty_feature_broadcast", args=(T((2, 0)), T((1, 0))), kwargs={"p": 3.0}),
    OpCase(op="cosine_similarity", desc="0d_dim_-1", args=(T(()), T(())), kwargs={"dim": -1}),
    OpCase(op="cosine_similarity", desc="0d_with_1d", args=(T(()), T((3,))), kwargs={"dim": 0}),
    OpCase(op="cosine_similarity", desc="empty_feature", args=(T((2, 0)), T((2, 0)))),
    OpCase(op="cosine_similarity", desc="empty_other_dim", args=(T((0, 3)), T((0, 3))), kwargs={"dim": 0}),
    OpCase(op="cosine_similarity", desc="batch_zero_3d", args=(T((2, 0, 4)), T((2, 0, 4))), kwargs={"dim": -1}),
    ModuleCase(module="PairwiseDistance", desc="0d", inputs=(T(()), T(()))),
    ModuleCase(module="PairwiseDistance", desc="batch_zero", inputs=(T((0, 3)), T((0, 3)))),
    ModuleCase(module="CosineSimilarity", desc="0d", ctor_kwargs={"dim": 0}, inputs=(T(()), T(()))),
    ModuleCase(module="CosineSimilarity", desc="batch_zero", inputs=(T((0, 3)), T((0, 3)))),
    ErrorCase(op="cosine_similarity", desc="0d_dim1", args=(T(()), T(())), kwargs={"dim": 1}),
]
