"""Embeddings: F.embedding / nn.Embedding, F.embedding_bag / nn.EmbeddingBag, F.one_hot.

Index tensors are int64 (some int32); the weight's gradient is what the backward computes.  max_norm
renormalises the weight in place: those cases also return a copy of the weight after the call.
"""
import numpy as np

from tests.harness import ErrorCase, ModuleCase, OpCase, T

V, E = 10, 4


def idx(shape, high=V, dtype="int64", layout="contiguous"):
    return T(shape, 0, high, dtype=dtype, layout=layout)


def repeated(rng, shape, dtype):
    """Indices with many repeats (rows accumulate several gradient terms; scale_grad_by_freq counts > 1)."""
    return rng.integers(0, 4, size=shape).astype(dtype)


def specials(rng, shape, dtype):
    w = rng.uniform(-2, 2, size=shape).astype(dtype)
    w.reshape(-1)[:4] = [np.nan, np.inf, -np.inf, -0.0]
    return w


def ties(rng, shape, dtype):
    """Integer-valued weights: equal entries across rows (max ties go to the first member)."""
    return rng.integers(-1, 2, size=shape).astype(dtype)


def large(rng, shape, dtype):
    """Rows with norms from about 0.5 to 8: some above max_norm, some below."""
    return (rng.uniform(-1, 1, size=shape) * rng.choice([0.3, 1, 4], size=(shape[0], 1))).astype(dtype)


def with_weight_after(fn, **kw):
    """The output and a copy of the weight after the call (max_norm renormalises it in place)."""
    def call(F, input, weight, *rest):
        out = getattr(F, fn)(input, weight, *rest, **kw)
        return out, weight.detach().clone()
    return call


W = T((V, E))
CASES = [
    OpCase(op="embedding", desc="2d_indices", args=(idx((3, 5)), W)),
    OpCase(op="embedding", desc="1d_indices", args=(idx((7,)), W)),
    OpCase(op="embedding", desc="0d_index", args=(idx(()), W)),
    OpCase(op="embedding", desc="3d_indices", args=(idx((2, 3, 2)), W)),
    OpCase(op="embedding", desc="int32_indices", args=(idx((3, 5), dtype="int32"), W)),
    OpCase(op="embedding", desc="empty_indices", args=(idx((0, 3)), W)),
    OpCase(op="embedding", desc="empty_dim", args=(idx((3, 2)), T((V, 0)))),
    OpCase(op="embedding", desc="repeats", args=(T((6, 5), gen=repeated, dtype="int64"), W)),
    OpCase(op="embedding", desc="noncontig_indices", args=(idx((4, 5), layout="transposed"), W)),
    OpCase(op="embedding", desc="noncontig_weight", args=(idx((4, 3)), T((V, E), layout="transposed"))),
    OpCase(op="embedding", desc="strided_weight", args=(idx((4, 3)), T((V, E), layout="strided"))),
    OpCase(op="embedding", desc="negative_stride_weight", args=(idx((4, 3)), T((V, E), layout="negative"))),
    OpCase(op="embedding", desc="nan_inf_weight", args=(idx((4, 3)), T((V, E), gen=specials))),
    OpCase(op="embedding", desc="padding_idx", args=(T((6, 5), gen=repeated, dtype="int64"), W),
           kwargs={"padding_idx": 2}),
    OpCase(op="embedding", desc="padding_idx_0", args=(T((6, 5), gen=repeated, dtype="int64"), W),
           kwargs={"padding_idx": 0}),
    OpCase(op="embedding", desc="padding_idx_negative", args=(idx((6, 5)), W), kwargs={"padding_idx": -1}),
    OpCase(op="embedding", desc="padding_idx_most_negative", args=(idx((6, 5)), W), kwargs={"padding_idx": -V}),
    OpCase(op="embedding", desc="scale_grad_by_freq", args=(T((6, 5), gen=repeated, dtype="int64"), W),
           kwargs={"scale_grad_by_freq": True}),
    OpCase(op="embedding", desc="scale_grad_by_freq_padding", args=(T((6, 5), gen=repeated, dtype="int64"), W),
           kwargs={"scale_grad_by_freq": True, "padding_idx": 1}),
    OpCase(op="embedding", desc="max_norm", args=(T((6, 5), gen=repeated, dtype="int64"), T((V, E), gen=large)),
           call=with_weight_after("embedding", max_norm=1.0)),
    OpCase(op="embedding", desc="max_norm_p1", args=(idx((6, 5)), T((V, E), gen=large)),
           call=with_weight_after("embedding", max_norm=2.0, norm_type=1.0)),
    OpCase(op="embedding", desc="max_norm_p3", args=(idx((6, 5)), T((V, E), gen=large)),
           call=with_weight_after("embedding", max_norm=1.5, norm_type=3.0)),
    OpCase(op="embedding", desc="max_norm_pinf", args=(idx((6, 5)), T((V, E), gen=large)),
           call=with_weight_after("embedding", max_norm=1.0, norm_type=float("inf"))),
    OpCase(op="embedding", desc="max_norm_not_reached", args=(idx((6, 5)), T((V, E), gen=large)),
           call=with_weight_after("embedding", max_norm=100.0)),
    OpCase(op="embedding", desc="max_norm_negative_indices_padding", args=(idx((4, 3)), T((V, E), gen=large)),
           call=with_weight_after("embedding", max_norm=1.0, padding_idx=-2)),
    OpCase(op="embedding", desc="max_norm_empty", args=(idx((0,)), T((V, E), gen=large)),
           call=with_weight_after("embedding", max_norm=1.0)),
    ModuleCase(module="Embedding", desc="default", ctor_args=(V, E), inputs=(idx((3, 5)),)),
    ModuleCase(module="Embedding", desc="padding_idx", ctor_args=(V, E), ctor_kwargs={"padding_idx": 3},
               inputs=(T((4, 6), gen=repeated, dtype="int64"),)),
    ModuleCase(module="Embedding", desc="padding_idx_negative", ctor_args=(V, E), ctor_kwargs={"padding_idx": -3},
               inputs=(idx((4, 6)),)),
    ModuleCase(module="Embedding", desc="max_norm_repr", ctor_args=(V, E),
               ctor_kwargs={"max_norm": 1.0, "norm_type": 3.0}, inputs=(idx((4, 6)),), steps=2),
    ModuleCase(module="Embedding", desc="scale_grad_by_freq", ctor_args=(V, E),
               ctor_kwargs={"scale_grad_by_freq": True}, inputs=(T((4, 6), gen=repeated, dtype="int64"),)),
    ModuleCase(module="Embedding", desc="frozen", ctor_args=(V, E), ctor_kwargs={"_freeze": True},
               inputs=(idx((4, 6)),)),
    ModuleCase(module="Embedding", desc="0d_input", ctor_args=(V, E), inputs=(idx(()),)),
    ModuleCase(module="Embedding", desc="empty_input", ctor_args=(V, E), inputs=(idx((2, 0)),)),
    ModuleCase(module="Embedding", desc="eval", ctor_args=(V, E), inputs=(idx((3, 4)),), train=False),
    ModuleCase(module=lambda nn, F: nn.Embedding.from_pretrained(nn.Embedding(V, E).weight.detach()),
               name="Embedding.from_pretrained", desc="frozen", inputs=(idx((3, 4)),)),
    ModuleCase(module=lambda nn, F: nn.Embedding.from_pretrained(nn.Embedding(V, E).weight.detach(), freeze=False,
                                                                 padding_idx=1, max_norm=2.0),
               name="Embedding.from_pretrained", desc="trainable_padding_max_norm", inputs=(idx((3, 4)),)),
    ErrorCase(op="embedding", desc="index_too_large", args=(T((2,), V, V + 1, dtype="int64"), W)),
    ErrorCase(op="embedding", desc="index_negative", args=(T((2,), -1, 0, dtype="int64"), W)),
    ErrorCase(op="embedding", desc="float_indices", args=(T((2, 3)), W)),
    ErrorCase(op="embedding", desc="int16_indices", args=(idx((2, 3), dtype="int16"), W)),
    ErrorCase(op="embedding", desc="bool_indices", args=(T((2, 3), dtype="bool"), W)),
    ErrorCase(op="embedding", desc="weight_1d", args=(idx((2,)), T((V,)))),
    ErrorCase(op="embedding", desc="weight_3d", args=(idx((2,)), T((V, E, 2)))),
    ErrorCase(op="embedding", desc="padding_idx_too_large", args=(idx((2,)), W), kwargs={"padding_idx": V}),
    ErrorCase(op="embedding", desc="padding_idx_too_negative", args=(idx((2,)), W), kwargs={"padding_idx": -V - 1}),
    ErrorCase(op="embedding", desc="padding_idx_float", args=(idx((2,)), W), kwargs={"padding_idx": 1.5}),
    ErrorCase(op="embedding", desc="indices_list", args=([1, 2], W)),
    ErrorCase(op="embedding", desc="scale_grad_by_freq_int", args=(idx((2,)), W), kwargs={"scale_grad_by_freq": 1}),
    ErrorCase(op="embedding", desc="max_norm_index_too_large", args=(T((2,), V, V + 1, dtype="int64"), W),
              kwargs={"max_norm": 1.0}),
    ErrorCase(op="embedding", desc="max_norm_float_indices", args=(T((2,)), W), kwargs={"max_norm": 1.0}),
    ErrorCase(op="embedding", desc="max_norm_str", args=(idx((2,)), W), kwargs={"max_norm": "1"}),
    ErrorCase(op="embedding", desc="empty_weight", args=(idx((2,), high=1), T((0, E)))),
    ErrorCase(op="Embedding", desc="padding_idx_too_large", args=(V, E), kwargs={"padding_idx": V}, module=True),
    ErrorCase(op="Embedding", desc="padding_idx_too_negative", args=(V, E), kwargs={"padding_idx": -V - 1},
              module=True),
    ErrorCase(op="Embedding", desc="index_too_large", args=(V, E), module=True,
              call_inputs=(T((3,), V, V + 2, dtype="int64"),)),
    ErrorCase(op="Embedding", desc="weight_shape_mismatch", call=lambda lib, w: lib.nn.Embedding(V + 1, E, _weight=w),
              args=(W,)),
    ErrorCase(op="Embedding", desc="from_pretrained_1d", call=lambda lib, w: lib.nn.Embedding.from_pretrained(w),
              args=(T((V,)),)),
]


# ---------------------------------------------------------------- EmbeddingBag
def bag(F, input, weight, offsets=None, per_sample_weights=None, **kw):
    return F.embedding_bag(input, weight, offsets, per_sample_weights=per_sample_weights, **kw)


def bag_call(**kw):
    return lambda F, *args: bag(F, *args, **kw)


def offsets_of(values):
    values = np.array(values, dtype=np.int64)
    return T(values.shape, dtype="int64", gen=lambda rng, shape, dtype: values.astype(dtype))


def bag_with_weight_after(**kw):
    def call(F, input, weight, *rest):
        return bag(F, input, weight, *rest, **kw), weight.detach().clone()
    return call


N = 12
OFFSETS = offsets_of([0, 3, 3, 7, 11])            # an empty bag, a bag of one
LAST = offsets_of([0, 3, 3, 7, 12])               # include_last_offset: the last offset is N
PSW = T((N,))
for mode in ("sum", "mean", "max"):
    CASES += [
        OpCase(op="embedding_bag", desc=f"{mode}_2d", args=(idx((4, 3)), W), kwargs={"mode": mode}),
        OpCase(op="embedding_bag", desc=f"{mode}_1d_offsets", args=(idx((N,)), W, OFFSETS), call=bag_call(mode=mode)),
        OpCase(op="embedding_bag", desc=f"{mode}_include_last_offset", args=(idx((N,)), W, LAST),
               call=bag_call(mode=mode, include_last_offset=True)),
        OpCase(op="embedding_bag", desc=f"{mode}_padding_idx", args=(T((N,), gen=repeated, dtype="int64"), W, OFFSETS),
               call=bag_call(mode=mode, padding_idx=1)),
        OpCase(op="embedding_bag", desc=f"{mode}_padding_idx_negative", args=(idx((4, 3)), W),
               kwargs={"mode": mode, "padding_idx": -2}),
        OpCase(op="embedding_bag", desc=f"{mode}_all_padding_bag",
               args=(T((3, 2), 0, 1, dtype="int64"), W), kwargs={"mode": mode, "padding_idx": 0}),
        OpCase(op="embedding_bag", desc=f"{mode}_max_norm", args=(idx((N,)), T((V, E), gen=large), OFFSETS),
               call=bag_with_weight_after(mode=mode, max_norm=1.0)),
        OpCase(op="embedding_bag", desc=f"{mode}_nan_inf_weight", args=(idx((4, 3)), T((V, E), gen=specials)),
               kwargs={"mode": mode}),
        OpCase(op="embedding_bag", desc=f"{mode}_ties", args=(T((N,), gen=repeated, dtype="int64"),
                                                             T((V, E), gen=ties), OFFSETS),
               call=bag_call(mode=mode)),
        OpCase(op="embedding_bag", desc=f"{mode}_int32", args=(idx((N,), dtype="int32"), W, OFFSETS),
               call=bag_call(mode=mode)),
        OpCase(op="embedding_bag", desc=f"{mode}_empty_2d", args=(idx((0, 3)), W), kwargs={"mode": mode}),
        OpCase(op="embedding_bag", desc=f"{mode}_empty_1d", args=(idx((0,)), W, offsets_of([0, 0])),
               call=bag_call(mode=mode)),
        OpCase(op="embedding_bag", desc=f"{mode}_noncontig", args=(idx((3, 4), layout="transposed"),
                                                                   T((V, E), layout="transposed")),
               kwargs={"mode": mode}),
        ModuleCase(module="EmbeddingBag", desc=f"{mode}", ctor_args=(V, E), ctor_kwargs={"mode": mode},
                   inputs=(idx((4, 3)),)),
        ModuleCase(module="EmbeddingBag", desc=f"{mode}_offsets_padding_last", ctor_args=(V, E),
                   ctor_kwargs={"mode": mode, "padding_idx": 2, "include_last_offset": True},
                   inputs=(T((N,), gen=repeated, dtype="int64"), LAST)),
    ]
    if mode != "max":
        CASES += [
            OpCase(op="embedding_bag", desc=f"{mode}_scale_grad_by_freq",
                   args=(T((N,), gen=repeated, dtype="int64"), W, OFFSETS),
                   call=bag_call(mode=mode, scale_grad_by_freq=True)),
            OpCase(op="embedding_bag", desc=f"{mode}_scale_grad_by_freq_padding",
                   args=(T((N,), gen=repeated, dtype="int64"), W, OFFSETS),
                   call=bag_call(mode=mode, scale_grad_by_freq=True, padding_idx=0)),
            OpCase(op="embedding_bag", desc=f"{mode}_scale_grad_by_freq_distinct",
                   args=(idx((N,)), W, OFFSETS), call=bag_call(mode=mode, scale_grad_by_freq=True)),
        ]
CASES += [
    OpCase(op="embedding_bag", desc="per_sample_weights_1d", args=(idx((N,)), W, OFFSETS, PSW),
           call=bag_call(mode="sum")),
    OpCase(op="embedding_bag", desc="per_sample_weights_2d", args=(idx((4, 3)), W, None, T((4, 3))),
           call=bag_call(mode="sum")),
    OpCase(op="embedding_bag", desc="per_sample_weights_padding", args=(T((N,), gen=repeated, dtype="int64"), W,
                                                                       OFFSETS, PSW),
           call=bag_call(mode="sum", padding_idx=2)),
    OpCase(op="embedding_bag", desc="per_sample_weights_last_offset", args=(idx((N,)), W, LAST, PSW),
           call=bag_call(mode="sum", include_last_offset=True)),
    OpCase(op="embedding_bag", desc="default_mode_mean", args=(idx((4, 3)), W)),
    OpCase(op="embedding_bag", desc="offsets_int32", call=bag_call(mode="sum"),
           args=(idx((N,)), W, T((3,), dtype="int32", gen=lambda rng, shape, dtype: np.array([0, 2, 5], dtype)))),
    # members after the last offset with include_last_offset: torch's float32 sum/mean kernel (fbgemm) drops
    # them, its float64 and padding_idx kernels add them to the last bag; refnn adds them (float64 compared)
    OpCase(op="embedding_bag", desc="include_last_offset_trailing_members", dtypes=("float64",),
           args=(idx((N,)), W, offsets_of([0, 3, 7])), call=bag_call(mode="sum", include_last_offset=True)),
    OpCase(op="embedding_bag", desc="max_include_last_offset_trailing_members",
           args=(idx((N,)), W, offsets_of([0, 3, 7])), call=bag_call(mode="max", include_last_offset=True)),
    # (zero bags over members (include_last_offset with offsets [0], or offsets []): torch's float64 kernel crashes and its float32
    # gradient reads memory it never wrote, so there is nothing to compare; refnn returns (0, E), no gradient)
    ModuleCase(module="EmbeddingBag", desc="repr_all", ctor_args=(V, E),
               ctor_kwargs={"max_norm": 1.0, "norm_type": 3.0, "scale_grad_by_freq": True, "mode": "sum",
                            "padding_idx": -1}, inputs=(idx((4, 3)),)),
    ModuleCase(module="EmbeddingBag", desc="per_sample_weights", ctor_args=(V, E), ctor_kwargs={"mode": "sum"},
               inputs=(idx((N,)), OFFSETS, PSW)),
    ModuleCase(module=lambda nn, F: nn.EmbeddingBag.from_pretrained(nn.Embedding(V, E).weight.detach(), mode="max"),
               name="EmbeddingBag.from_pretrained", desc="frozen_max", inputs=(idx((4, 3)),)),
    ModuleCase(module=lambda nn, F: nn.EmbeddingBag.from_pretrained(nn.Embedding(V, E).weight.detach(),
                                                                    freeze=False, padding_idx=0),
               name="EmbeddingBag.from_pretrained", desc="trainable_padding", inputs=(idx((4, 3)),)),
    ErrorCase(op="embedding_bag", desc="offsets_first_not_zero", call=bag, args=(idx((N,)), W, offsets_of([1, 3]))),
    ErrorCase(op="embedding_bag", desc="offsets_last_too_large", call=bag, args=(idx((N,)), W, offsets_of([0, 13]))),
    ErrorCase(op="embedding_bag", desc="offsets_decreasing", dtypes=("float32",), call=bag,
              args=(idx((N,)), W, offsets_of([0, 5, 2])), kwargs={"mode": "sum"}),
    ErrorCase(op="embedding_bag", desc="index_too_large", call=bag,
              args=(T((3,), V, V + 1, dtype="int64"), W, offsets_of([0]))),
    ErrorCase(op="embedding_bag", desc="index_negative", call=bag,
              args=(T((3,), -2, -1, dtype="int64"), W, offsets_of([0]))),
    ErrorCase(op="embedding_bag", desc="float_indices", call=bag, args=(T((3,)), W, offsets_of([0]))),
    ErrorCase(op="embedding_bag", desc="float_offsets", call=bag, args=(idx((3,)), W, T((1,), 0, 0))),
    ErrorCase(op="embedding_bag", desc="offsets_with_2d_input", call=bag, args=(idx((2, 3)), W, offsets_of([0]))),
    ErrorCase(op="embedding_bag", desc="1d_without_offsets", args=(idx((3,)), W)),
    ErrorCase(op="embedding_bag", desc="offsets_2d", call=bag, args=(idx((3,)), W, T((1, 1), 0, 1, dtype="int64"))),
    ErrorCase(op="embedding_bag", desc="offsets_0d", call=bag, args=(idx((3,)), W, T((), 0, 1, dtype="int64"))),
    ErrorCase(op="embedding_bag", desc="input_3d", args=(idx((2, 2, 2)), W)),
    ErrorCase(op="embedding_bag", desc="input_0d", call=bag, args=(idx(()), W, offsets_of([0]))),
    ErrorCase(op="embedding_bag", desc="weight_1d", args=(idx((2, 3)), T((V,)))),
    ErrorCase(op="embedding_bag", desc="weight_int64", args=(idx((2, 3)), T((V, E), 0, 3, dtype="int64"))),
    ErrorCase(op="embedding_bag", desc="bad_mode", args=(idx((2, 3)), W), kwargs={"mode": "min"}),
    ErrorCase(op="embedding_bag", desc="max_scale_grad_by_freq", args=(idx((2, 3)), W),
              kwargs={"mode": "max", "scale_grad_by_freq": True}),
    ErrorCase(op="embedding_bag", desc="max_sparse", args=(idx((2, 3)), W), kwargs={"mode": "max", "sparse": True}),
    ErrorCase(op="embedding_bag", desc="per_sample_weights_mean", call=bag_call(mode="mean"),
              args=(idx((2, 3)), W, None, T((2, 3)))),
    ErrorCase(op="embedding_bag", desc="per_sample_weights_max", call=bag_call(mode="max"),
              args=(idx((2, 3)), W, None, T((2, 3)))),
    ErrorCase(op="embedding_bag", desc="per_sample_weights_shape", call=bag_call(mode="sum"),
              args=(idx((2, 3)), W, None, T((6,)))),
    ErrorCase(op="embedding_bag", desc="per_sample_weights_dtype", dtypes=("float32",), call=bag_call(mode="sum"),
              args=(idx((2, 3)), W, None, T((2, 3), dtype="float64"))),
    ErrorCase(op="embedding_bag", desc="padding_idx_too_large", args=(idx((2, 3)), W), kwargs={"padding_idx": V}),
    ErrorCase(op="embedding_bag", desc="padding_idx_too_negative", args=(idx((2, 3)), W),
              kwargs={"padding_idx": -V - 1}),
    ErrorCase(op="embedding_bag", desc="2d_empty_bags", args=(idx((2, 0)), W)),
    ErrorCase(op="embedding_bag", desc="include_last_offset_no_offsets", call=bag_call(include_last_offset=True),
              args=(idx((3,)), W, offsets_of([]))),
    ErrorCase(op="EmbeddingBag", desc="padding_idx_too_large", args=(V, E), kwargs={"padding_idx": V}, module=True),
    ErrorCase(op="EmbeddingBag", desc="index_too_large", args=(V, E), module=True,
              call_inputs=(T((2, 3), V, V + 2, dtype="int64"),)),
]


# ---------------------------------------------------------------- one_hot
def one_hot_input(values):
    values = np.array(values, dtype=np.int64)
    return T(values.shape, dtype="int64", gen=lambda rng, shape, dtype: values.astype(dtype))


CASES += [
    OpCase(op="one_hot", desc="infer_classes", args=(idx((3, 4)),), grad=False),
    OpCase(op="one_hot", desc="num_classes", args=(idx((3, 4)),), kwargs={"num_classes": 12}, grad=False),
    OpCase(op="one_hot", desc="num_classes_exact", args=(one_hot_input([0, 4, 2]),), kwargs={"num_classes": 5},
           grad=False),
    OpCase(op="one_hot", desc="0d", args=(one_hot_input(3),), grad=False),
    OpCase(op="one_hot", desc="1d", args=(idx((6,)),), grad=False),
    OpCase(op="one_hot", desc="3d_noncontig", args=(idx((2, 3, 4), layout="transposed"),), grad=False),
    OpCase(op="one_hot", desc="empty_with_classes", args=(idx((0, 2)),), kwargs={"num_classes": 3}, grad=False),
    ErrorCase(op="one_hot", desc="value_too_large", args=(one_hot_input([1, 5]),), kwargs={"num_classes": 5}),
    ErrorCase(op="one_hot", desc="negative_value", args=(one_hot_input([1, -1]),)),
    ErrorCase(op="one_hot", desc="int32_input", args=(idx((3,), dtype="int32"),)),
    ErrorCase(op="one_hot", desc="float_input", args=(T((3,)),)),
    ErrorCase(op="one_hot", desc="empty_infer", args=(idx((0,)),)),
    ErrorCase(op="one_hot", desc="empty_zero_classes", args=(idx((0,)),), kwargs={"num_classes": 0}),
    ErrorCase(op="one_hot", desc="num_classes_below_minus_one", args=(idx((3,)),), kwargs={"num_classes": -2}),
    ErrorCase(op="one_hot", desc="num_classes_zero", args=(idx((3,)),), kwargs={"num_classes": 0}),
    ErrorCase(op="one_hot", desc="num_classes_float", args=(idx((3,)),), kwargs={"num_classes": 2.0}),
    ErrorCase(op="one_hot", desc="list_input", args=([1, 2],)),
]

# constructors refuse what torch.empty refuses
CASES += [
    ErrorCase(op="Embedding", desc="negative_rows", args=(-1, 3), module=True),
    ErrorCase(op="Embedding", desc="float_rows", args=(3.0, 2), module=True),
    ErrorCase(op="EmbeddingBag", desc="negative_dim", args=(3, -2), module=True),
]
