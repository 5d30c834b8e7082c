"""Attention: F.scaled_dot_product_attention, F.multi_head_attention_forward, nn.MultiheadAttention."""
import numpy as np

from tests.harness import ErrorCase, ModuleCase, OpCase, T


# ---------------------------------------------------------------- mask generators
def keep_mask_with_empty_row(rng, shape, dtype):
    """SDPA bool mask (True = attend), random, with row 1 attending to nothing."""
    mask = rng.random(shape) < 0.6
    mask[..., 1, :] = False
    mask[..., 0, 0] = True
    return mask


def float_mask_with_inf(rng, shape, dtype):
    """Additive float mask: small values, some -inf, one row entirely -inf."""
    mask = rng.uniform(-1, 1, size=shape).astype(dtype)
    mask[rng.random(shape) < 0.25] = -np.inf
    mask[..., 1, :] = -np.inf
    mask[..., 0, 0] = 0.5
    return mask


def float_mask_some_inf(rng, shape, dtype):
    """Additive float mask with -inf entries but every row keeps one finite value."""
    mask = rng.uniform(-1, 1, size=shape).astype(dtype)
    mask[rng.random(shape) < 0.3] = -np.inf
    mask[..., 0] = rng.uniform(-1, 1, size=shape[:-1])
    return mask


def masked_out_bool(rng, shape, dtype):
    """MHA bool mask (True = masked out); column 0 always kept so no row is empty."""
    mask = rng.random(shape) < 0.4
    mask[..., 0] = False
    return mask


def causal_bool(rng, shape, dtype):
    """MHA's causal mask: True above the diagonal (masked out)."""
    return ~np.tri(shape[-2], shape[-1], dtype=bool)


def padding_bool(rng, shape, dtype):
    """Key padding mask (N, S): the last keys of some sequences are padding."""
    mask = np.zeros(shape, dtype=bool)
    for n in range(shape[0] if len(shape) == 2 else 1):
        length = 1 + n % shape[-1]
        if len(shape) == 2:
            mask[n, length:] = True
        else:
            mask[length:] = True
    return mask


def padding_float(rng, shape, dtype):
    """Float key padding mask: -inf on padding, small values elsewhere."""
    mask = rng.uniform(-0.5, 0.5, size=shape).astype(dtype)
    mask[padding_bool(rng, shape, dtype)] = -np.inf
    return mask


def fully_padded_row(rng, shape, dtype):
    """Key padding mask whose first sequence is all padding (torch gives NaN there when weights are needed)."""
    mask = padding_bool(rng, shape, dtype)
    mask[0, :] = True
    return mask


def with_nan(rng, shape, dtype):
    x = rng.uniform(-1, 1, size=shape).astype(dtype)
    x.reshape(-1)[3] = np.nan
    return x


def with_large(rng, shape, dtype):
    """Large scores: the softmax must subtract the row maximum."""
    return rng.uniform(-30, 30, size=shape).astype(dtype)


# ---------------------------------------------------------------- builders
def self_attention(**kwargs):
    """query is key is value (torch's packed in-projection path)."""
    def build(nn, F):
        class SelfAttention(nn.Module):
            def __init__(self):
                super().__init__()
                self.attn = nn.MultiheadAttention(**kwargs)

            def forward(self, x, **forward_kwargs):
                return self.attn(x, x, x, **forward_kwargs)
        return SelfAttention()
    return build


def key_is_value(**kwargs):
    """key is value, query different (torch's encoder-decoder in-projection path)."""
    def build(nn, F):
        class CrossAttention(nn.Module):
            def __init__(self):
                super().__init__()
                self.attn = nn.MultiheadAttention(**kwargs)

            def forward(self, q, kv, **forward_kwargs):
                return self.attn(q, kv, kv, **forward_kwargs)
        return CrossAttention()
    return build


def mha_functional(F, q, k, v, w_in, b_in, w_out, b_out, **kwargs):
    """F.multi_head_attention_forward with embed 8, 2 heads, no bias_kv."""
    return F.multi_head_attention_forward(q, k, v, 8, 2, w_in, b_in, None, None, False, 0.0, w_out, b_out,
                                          **kwargs)


def mha_functional_separate(F, q, k, v, wq, wk, wv, b_in, w_out, b_out, bk, bv):
    return F.multi_head_attention_forward(q, k, v, 8, 2, None, b_in, bk, bv, True, 0.0, w_out, b_out,
                                          use_separate_proj_weight=True, q_proj_weight=wq, k_proj_weight=wk,
                                          v_proj_weight=wv, average_attn_weights=False)


def call_args(query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
              average_attn_weights=True, is_causal=False):
    """MultiheadAttention.forward's arguments, positionally (so masks can be tensor specs)."""
    return (query, key, value, key_padding_mask, need_weights, attn_mask, average_attn_weights, is_causal)


Q, K, V = T((2, 3, 4, 8)), T((2, 3, 5, 8)), T((2, 3, 5, 6))
MHA = {"embed_dim": 8, "num_heads": 2}


def mha_error(**ctor):
    """Build nn.MultiheadAttention(8, 2) and call it: (lib, q, k, v, **forward kwargs)."""
    def call(lib, *args):
        return lib.nn.MultiheadAttention(8, 2, **ctor)(*args)
    return call


def sdpa_nonfloat(lib, *args):
    """Integer query, key and value."""
    return lib.F.scaled_dot_product_attention(*(lib.tensor(np.ones(s, dtype=np.int64)) for s in
                                                ((2, 4, 8), (2, 5, 8), (2, 5, 6))))


def sdpa_long_mask(lib, q, k, v):
    return lib.F.scaled_dot_product_attention(q, k, v, attn_mask=lib.tensor(np.zeros((4, 5), dtype=np.int64)))


CASES = [
    # ---------------------------------------------------------- F.scaled_dot_product_attention
    OpCase(op="scaled_dot_product_attention", desc="4d", args=(Q, K, V)),
    OpCase(op="scaled_dot_product_attention", desc="3d", args=(T((3, 4, 8)), T((3, 5, 8)), T((3, 5, 6)))),
    OpCase(op="scaled_dot_product_attention", desc="2d", args=(T((4, 8)), T((5, 8)), T((5, 6)))),
    OpCase(op="scaled_dot_product_attention", desc="5d", args=(T((2, 1, 2, 3, 4)), T((2, 1, 2, 2, 4)),
                                                             T((2, 1, 2, 2, 3)))),
    OpCase(op="scaled_dot_product_attention", desc="bool_mask_empty_row",
           args=(Q, K, V, T((4, 5), dtype="bool", requires_grad=False, gen=keep_mask_with_empty_row))),
    OpCase(op="scaled_dot_product_attention", desc="bool_mask_4d",
           args=(Q, K, V, T((2, 3, 4, 5), dtype="bool", requires_grad=False, gen=keep_mask_with_empty_row))),
    OpCase(op="scaled_dot_product_attention", desc="float_mask_grad", args=(Q, K, V, T((4, 5)))),
    OpCase(op="scaled_dot_product_attention", desc="float_mask_inf_rows",
           args=(Q, K, V, T((2, 3, 4, 5), gen=float_mask_with_inf))),
    OpCase(op="scaled_dot_product_attention", desc="float_mask_broadcast",
           args=(Q, K, V, T((2, 1, 1, 5), gen=float_mask_some_inf))),
    OpCase(op="scaled_dot_product_attention", desc="causal_square",
           args=(T((2, 3, 5, 8)), K, V), kwargs={"is_causal": True}),
    OpCase(op="scaled_dot_product_attention", desc="causal_L_lt_S", args=(Q, K, V), kwargs={"is_causal": True}),
    OpCase(op="scaled_dot_product_attention", desc="causal_L_gt_S",
           args=(T((2, 3, 6, 8)), T((2, 3, 3, 8)), T((2, 3, 3, 6))), kwargs={"is_causal": True}),
    OpCase(op="scaled_dot_product_attention", desc="scale", args=(Q, K, V), kwargs={"scale": 0.7}),
    OpCase(op="scaled_dot_product_attention", desc="scale_negative", args=(Q, K, V), kwargs={"scale": -0.3}),
    OpCase(op="scaled_dot_product_attention", desc="scale_zero", args=(Q, K, V), kwargs={"scale": 0.0}),
    OpCase(op="scaled_dot_product_attention", desc="gqa",
           args=(T((2, 6, 4, 8)), T((2, 2, 5, 8)), T((2, 3, 5, 6))), kwargs={"enable_gqa": True}),
    OpCase(op="scaled_dot_product_attention", desc="broadcast_batch",
           args=(T((1, 3, 4, 8)), T((2, 1, 5, 8)), T((2, 1, 5, 6)))),
    OpCase(op="scaled_dot_product_attention", desc="batch_one", args=(T((1, 1, 4, 8)), T((1, 1, 5, 8)),
                                                                    T((1, 1, 5, 6)))),
    OpCase(op="scaled_dot_product_attention", desc="batch_zero", args=(T((0, 3, 4, 8)), T((0, 3, 5, 8)),
                                                                     T((0, 3, 5, 6)))),
    OpCase(op="scaled_dot_product_attention", desc="single_key", args=(T((2, 4, 8)), T((2, 1, 8)),
                                                                     T((2, 1, 6)))),
    OpCase(op="scaled_dot_product_attention", desc="noncontig",
           args=(T((2, 3, 4, 8), layout="transposed"), T((2, 3, 5, 8), layout="strided"),
                 T((2, 3, 5, 6), layout="negative"))),
    OpCase(op="scaled_dot_product_attention", desc="large_scores", args=(T((2, 4, 8), gen=with_large),
                                                                       T((2, 5, 8), gen=with_large),
                                                                       T((2, 5, 6)))),
    OpCase(op="scaled_dot_product_attention", desc="nan_query", args=(T((2, 4, 8), gen=with_nan),
                                                                    T((2, 5, 8)), T((2, 5, 6)))),
    OpCase(op="scaled_dot_product_attention", desc="dropout_one", args=(Q, K, V), kwargs={"dropout_p": 1.0}),

    # ---------------------------------------------------------- F.multi_head_attention_forward
    OpCase(op="multi_head_attention_forward", desc="packed", call=mha_functional,
           args=(T((4, 3, 8)), T((5, 3, 8)), T((5, 3, 8)), T((24, 8)), T((24,)), T((8, 8)), T((8,)))),
    OpCase(op="multi_head_attention_forward", desc="packed_no_weights_unbatched",
           call=lambda F, *a: mha_functional(F, *a, need_weights=False),
           args=(T((4, 8)), T((5, 8)), T((5, 8)), T((24, 8)), None, T((8, 8)), None)),
    OpCase(op="multi_head_attention_forward", desc="separate_bias_kv_zero_attn", call=mha_functional_separate,
           args=(T((4, 3, 8)), T((5, 3, 6)), T((5, 3, 7)), T((8, 8)), T((8, 6)), T((8, 7)), T((24,)),
                 T((8, 8)), T((8,)), T((1, 1, 8)), T((1, 1, 8)))),

    # ---------------------------------------------------------- nn.MultiheadAttention
    ModuleCase(module="MultiheadAttention", desc="basic", ctor_kwargs=MHA,
               inputs=(T((4, 3, 8)), T((5, 3, 8)), T((5, 3, 8)))),
    ModuleCase(module="MultiheadAttention", desc="one_head", ctor_args=(6, 1),
               inputs=(T((4, 2, 6)), T((5, 2, 6)), T((5, 2, 6)))),
    ModuleCase(module=self_attention(**MHA), name="MultiheadAttention", desc="self_attention",
               inputs=(T((4, 3, 8)),)),
    ModuleCase(module=self_attention(**MHA, batch_first=True), name="MultiheadAttention",
               desc="self_attention_batch_first_no_weights", inputs=(T((3, 4, 8)),),
               forward_kwargs={"need_weights": False}),
    ModuleCase(module=key_is_value(**MHA), name="MultiheadAttention", desc="key_is_value",
               inputs=(T((4, 3, 8)), T((5, 3, 8)))),
    ModuleCase(module="MultiheadAttention", desc="batch_first", ctor_kwargs={**MHA, "batch_first": True},
               inputs=(T((3, 4, 8)), T((3, 5, 8)), T((3, 5, 8)))),
    ModuleCase(module="MultiheadAttention", desc="unbatched", ctor_kwargs=MHA,
               inputs=(T((4, 8)), T((5, 8)), T((5, 8)))),
    ModuleCase(module="MultiheadAttention", desc="unbatched_batch_first_no_weights",
               ctor_kwargs={**MHA, "batch_first": True}, inputs=(T((4, 8)), T((5, 8)), T((5, 8))),
               forward_kwargs={"need_weights": False}),
    ModuleCase(module="MultiheadAttention", desc="batch_one", ctor_kwargs=MHA,
               inputs=(T((4, 1, 8)), T((5, 1, 8)), T((5, 1, 8)))),
    ModuleCase(module="MultiheadAttention", desc="batch_zero", ctor_kwargs=MHA,
               inputs=(T((4, 0, 8)), T((5, 0, 8)), T((5, 0, 8)))),
    ModuleCase(module="MultiheadAttention", desc="noncontig", ctor_kwargs={**MHA, "batch_first": True},
               inputs=(T((3, 4, 8), layout="transposed"), T((3, 5, 8), layout="strided"),
                       T((3, 5, 8), layout="negative"))),
    ModuleCase(module="MultiheadAttention", desc="no_bias", ctor_kwargs={**MHA, "bias": False},
               inputs=(T((4, 3, 8)), T((5, 3, 8)), T((5, 3, 8)))),
    ModuleCase(module="MultiheadAttention", desc="kdim_vdim", ctor_kwargs={**MHA, "kdim": 6, "vdim": 7},
               inputs=(T((4, 3, 8)), T((5, 3, 6)), T((5, 3, 7)))),
    ModuleCase(module="MultiheadAttention", desc="kdim_only_no_bias",
               ctor_kwargs={**MHA, "kdim": 5, "bias": False},
               inputs=(T((4, 3, 8)), T((5, 3, 5)), T((5, 3, 8)))),
    ModuleCase(module="MultiheadAttention", desc="add_bias_kv", ctor_kwargs={**MHA, "add_bias_kv": True},
               inputs=(T((4, 3, 8)), T((5, 3, 8)), T((5, 3, 8)))),
    ModuleCase(module="MultiheadAttention", desc="add_zero_attn", ctor_kwargs={**MHA, "add_zero_attn": True},
               inputs=(T((4, 3, 8)), T((5, 3, 8)), T((5, 3, 8)))),
    ModuleCase(module="MultiheadAttention", desc="bias_kv_zero_attn_masks",
               ctor_kwargs={**MHA, "add_bias_kv": True, "add_zero_attn": True, "kdim": 6, "vdim": 6},
               inputs=call_args(T((4, 3, 8)), T((5, 3, 6)), T((5, 3, 6)),
                                key_padding_mask=T((3, 5), dtype="bool", requires_grad=False, gen=padding_bool),
                                attn_mask=T((4, 5), dtype="bool", requires_grad=False, gen=masked_out_bool))),
    ModuleCase(module="MultiheadAttention", desc="bias_kv_zero_attn_no_weights",
               ctor_kwargs={**MHA, "add_bias_kv": True, "add_zero_attn": True},
               inputs=call_args(T((4, 3, 8)), T((5, 3, 8)), T((5, 3, 8)),
                                need_weights=False,
                                key_padding_mask=T((3, 5), dtype="bool", requires_grad=False, gen=padding_bool))),
    ModuleCase(module="MultiheadAttention", desc="need_weights_false", ctor_kwargs=MHA,
               inputs=(T((4, 3, 8)), T((5, 3, 8)), T((5, 3, 8))), forward_kwargs={"need_weights": False}),
    ModuleCase(module="MultiheadAttention", desc="per_head_weights", ctor_kwargs=MHA,
               inputs=(T((4, 3, 8)), T((5, 3, 8)), T((5, 3, 8))), forward_kwargs={"average_attn_weights": False}),
    ModuleCase(module="MultiheadAttention", desc="per_head_weights_unbatched", ctor_kwargs=MHA,
               inputs=(T((4, 8)), T((5, 8)), T((5, 8))), forward_kwargs={"average_attn_weights": False}),
    ModuleCase(module="MultiheadAttention", desc="key_padding_bool", ctor_kwargs=MHA,
               inputs=call_args(T((4, 3, 8)), T((5, 3, 8)), T((5, 3, 8)),
                                key_padding_mask=T((3, 5), dtype="bool", requires_grad=False, gen=padding_bool))),
    ModuleCase(module="MultiheadAttention", desc="key_padding_float_grad", ctor_kwargs=MHA,
               inputs=call_args(T((4, 3, 8)), T((5, 3, 8)), T((5, 3, 8)),
                                key_padding_mask=T((3, 5), gen=padding_float))),
    ModuleCase(module="MultiheadAttention", desc="key_padding_unbatched", ctor_kwargs=MHA,
               inputs=call_args(T((4, 8)), T((5, 8)), T((5, 8)),
                                key_padding_mask=T((5,), dtype="bool", requires_grad=False, gen=padding_bool))),
    ModuleCase(module="MultiheadAttention", desc="key_padding_no_weights", ctor_kwargs=MHA,
               inputs=call_args(T((4, 3, 8)), T((5, 3, 8)), T((5, 3, 8)),
                                need_weights=False,
                                key_padding_mask=T((3, 5), dtype="bool", requires_grad=False, gen=padding_bool))),
    ModuleCase(module="MultiheadAttention", desc="fully_padded_sequence", ctor_kwargs=MHA,
               inputs=call_args(T((4, 3, 8)), T((5, 3, 8)), T((5, 3, 8)),
                                key_padding_mask=T((3, 5), dtype="bool", requires_grad=False,
                                                   gen=fully_padded_row))),
    ModuleCase(module="MultiheadAttention", desc="fully_padded_sequence_no_weights", ctor_kwargs=MHA,
               inputs=call_args(T((4, 3, 8)), T((5, 3, 8)), T((5, 3, 8)),
                                need_weights=False,
                                key_padding_mask=T((3, 5), dtype="bool", requires_grad=False,
                                                   gen=fully_padded_row))),
    ModuleCase(module="MultiheadAttention", desc="attn_mask_2d_bool", ctor_kwargs=MHA,
               inputs=call_args(T((4, 3, 8)), T((5, 3, 8)), T((5, 3, 8)),
                                attn_mask=T((4, 5), dtype="bool", requires_grad=False, gen=masked_out_bool))),
    ModuleCase(module="MultiheadAttention", desc="attn_mask_2d_float_grad", ctor_kwargs=MHA,
               inputs=call_args(T((4, 3, 8)), T((5, 3, 8)), T((5, 3, 8)),
                                attn_mask=T((4, 5), gen=float_mask_some_inf))),
    ModuleCase(module="MultiheadAttention", desc="attn_mask_3d_bool", ctor_kwargs=MHA,
               inputs=call_args(T((4, 3, 8)), T((5, 3, 8)), T((5, 3, 8)),
                                attn_mask=T((6, 4, 5), dtype="bool", requires_grad=False, gen=masked_out_bool))),
    ModuleCase(module="MultiheadAttention", desc="attn_mask_3d_float_no_weights", ctor_kwargs=MHA,
               inputs=call_args(T((4, 3, 8)), T((5, 3, 8)), T((5, 3, 8)),
                                need_weights=False, attn_mask=T((6, 4, 5), gen=float_mask_some_inf))),
    ModuleCase(module="MultiheadAttention", desc="attn_mask_3d_unbatched", ctor_kwargs=MHA,
               inputs=call_args(T((4, 8)), T((5, 8)), T((5, 8)),
                                attn_mask=T((2, 4, 5), dtype="bool", requires_grad=False, gen=masked_out_bool))),
    ModuleCase(module="MultiheadAttention", desc="both_masks_float", ctor_kwargs=MHA,
               inputs=call_args(T((4, 3, 8)), T((5, 3, 8)), T((5, 3, 8)),
                                attn_mask=T((4, 5), gen=float_mask_some_inf, requires_grad=False),
                                key_padding_mask=T((3, 5), gen=padding_float, requires_grad=False))),
    ModuleCase(module="MultiheadAttention", desc="mixed_mask_types", ctor_kwargs=MHA,
               inputs=call_args(T((4, 3, 8)), T((5, 3, 8)), T((5, 3, 8)),
                                attn_mask=T((4, 5), gen=float_mask_some_inf, requires_grad=False),
                                key_padding_mask=T((3, 5), dtype="bool", requires_grad=False, gen=padding_bool))),
    ModuleCase(module="MultiheadAttention", desc="is_causal_weights", ctor_kwargs=MHA,
               inputs=call_args(T((5, 3, 8)), T((5, 3, 8)), T((5, 3, 8)),
                                is_causal=True,
                                attn_mask=T((5, 5), dtype="bool", requires_grad=False, gen=causal_bool))),
    ModuleCase(module="MultiheadAttention", desc="is_causal_no_weights", ctor_kwargs=MHA,
               inputs=call_args(T((5, 3, 8)), T((5, 3, 8)), T((5, 3, 8)),
                                is_causal=True, need_weights=False,
                                attn_mask=T((5, 5), dtype="bool", requires_grad=False, gen=causal_bool))),
    ModuleCase(module="MultiheadAttention", desc="is_causal_with_padding", ctor_kwargs=MHA,
               inputs=call_args(T((5, 3, 8)), T((5, 3, 8)), T((5, 3, 8)),
                                is_causal=True, need_weights=False,
                                attn_mask=T((5, 5), dtype="bool", requires_grad=False, gen=causal_bool),
                                key_padding_mask=T((3, 5), dtype="bool", requires_grad=False,
                                                   gen=masked_out_bool))),
    ModuleCase(module="MultiheadAttention", desc="dropout_eval", ctor_kwargs={**MHA, "dropout": 0.5},
               inputs=(T((4, 3, 8)), T((5, 3, 8)), T((5, 3, 8))), train=False),
    ModuleCase(module="MultiheadAttention", desc="large_scores", ctor_kwargs=MHA,
               inputs=(T((4, 2, 8), gen=with_large), T((5, 2, 8), gen=with_large), T((5, 2, 8))),
               tol={"float32": (1e-5, 1e-4)},
               tol_reason="scores of magnitude ~1e3 make the softmax nearly one-hot; float32 rounding of "
                          "the scores (relative 6e-8 of ~1e3) is amplified in the projection-weight gradients"),

    # ---------------------------------------------------------- errors
    ErrorCase(op="scaled_dot_product_attention", desc="mask_and_causal",
              args=(Q, K, V, T((4, 5), dtype="bool")), kwargs={"is_causal": True}),
    ErrorCase(op="scaled_dot_product_attention", desc="query_1d", args=(T((8,)), T((8,)), T((8,)))),
    ErrorCase(op="scaled_dot_product_attention", desc="key_features_mismatch",
              args=(Q, T((2, 3, 5, 7)), V)),
    ErrorCase(op="scaled_dot_product_attention", desc="value_length_mismatch",
              args=(Q, K, T((2, 3, 4, 6)))),
    ErrorCase(op="scaled_dot_product_attention", desc="batch_mismatch",
              args=(T((3, 3, 4, 8)), K, V)),
    ErrorCase(op="scaled_dot_product_attention", desc="heads_mismatch_without_gqa",
              args=(T((2, 6, 4, 8)), K, V)),
    ErrorCase(op="scaled_dot_product_attention", desc="gqa_not_divisible",
              args=(T((2, 5, 4, 8)), K, V), kwargs={"enable_gqa": True}),
    ErrorCase(op="scaled_dot_product_attention", desc="mask_shape", args=(Q, K, V, T((3, 5)))),
    ErrorCase(op="scaled_dot_product_attention", desc="mask_too_many_dims",
              args=(Q, K, V, T((1, 1, 1, 1, 4, 5)))),
    ErrorCase(op="scaled_dot_product_attention", desc="mask_long", call=sdpa_long_mask, args=(Q, K, V)),
    ErrorCase(op="scaled_dot_product_attention", desc="nonfloat", call=sdpa_nonfloat),
    ErrorCase(op="scaled_dot_product_attention", desc="mask_other_float_dtype", dtypes=("float32",),
              call=lambda lib, q, k, v, mask: lib.F.scaled_dot_product_attention(q, k, v, attn_mask=mask.double()),
              args=(Q, K, V, T((4, 5)))),
    ErrorCase(op="scaled_dot_product_attention", desc="dtype_mismatch", dtypes=("float32",),
              call=lambda lib, q, k, v: lib.F.scaled_dot_product_attention(q, k.double(), v), args=(Q, K, V)),
    ErrorCase(op="scaled_dot_product_attention", desc="dropout_above_one", args=(Q, K, V),
              kwargs={"dropout_p": 1.5}),
    ErrorCase(op="scaled_dot_product_attention", desc="query_not_tensor", args=([1.0], K, V)),
    ErrorCase(op="scaled_dot_product_attention", desc="mask_not_tensor", args=(Q, K, V, 1)),
    ErrorCase(op="scaled_dot_product_attention", desc="scale_str", args=(Q, K, V), kwargs={"scale": "a"}),
    ErrorCase(op="scaled_dot_product_attention", desc="dropout_none", args=(Q, K, V), kwargs={"dropout_p": None}),
    ErrorCase(op="scaled_dot_product_attention", desc="is_causal_none", args=(Q, K, V),
              kwargs={"is_causal": None}),
    ErrorCase(op="MultiheadAttention", desc="embed_not_divisible", module=True, args=(10, 3)),
    ErrorCase(op="MultiheadAttention", desc="embed_zero", module=True, args=(0, 2)),
    ErrorCase(op="MultiheadAttention", desc="heads_zero", module=True, args=(8, 0)),
    ErrorCase(op="MultiheadAttention", desc="query_4d", module=True, args=(8, 2),
              call_inputs=(T((2, 4, 3, 8)), T((2, 5, 3, 8)), T((2, 5, 3, 8)))),
    ErrorCase(op="MultiheadAttention", desc="key_rank_mismatch", module=True, args=(8, 2),
              call_inputs=(T((4, 3, 8)), T((5, 8)), T((5, 3, 8)))),
    ErrorCase(op="MultiheadAttention", desc="embed_mismatch", module=True, args=(8, 2),
              call_inputs=(T((4, 3, 6)), T((5, 3, 6)), T((5, 3, 6)))),
    ErrorCase(op="MultiheadAttention", desc="key_value_shape_mismatch", module=True, args=(8, 2),
              call_inputs=(T((4, 3, 8)), T((5, 3, 8)), T((6, 3, 8)))),
    ErrorCase(op="MultiheadAttention", desc="kdim_wrong_key", module=True, args=(8, 2),
              kwargs={"kdim": 6}, call_inputs=(T((4, 3, 8)), T((5, 3, 5)), T((5, 3, 8)))),
    ErrorCase(op="MultiheadAttention", desc="attn_mask_2d_shape", call=mha_error(),
              args=call_args(T((4, 3, 8)), T((5, 3, 8)), T((5, 3, 8)),
                             attn_mask=T((5, 5), dtype="bool"))),
    ErrorCase(op="MultiheadAttention", desc="attn_mask_3d_shape", call=mha_error(),
              args=call_args(T((4, 3, 8)), T((5, 3, 8)), T((5, 3, 8)),
                             attn_mask=T((3, 4, 5), dtype="bool"))),
    ErrorCase(op="MultiheadAttention", desc="attn_mask_4d", call=mha_error(),
              args=call_args(T((4, 3, 8)), T((5, 3, 8)), T((5, 3, 8)),
                             attn_mask=T((1, 6, 4, 5), dtype="bool"))),
    ErrorCase(op="MultiheadAttention", desc="attn_mask_long", call=mha_error(),
              args=call_args(T((4, 3, 8)), T((5, 3, 8)), T((5, 3, 8)),
                             attn_mask=T((4, 5), dtype="int64", low=0, high=2))),
    ErrorCase(op="MultiheadAttention", desc="key_padding_shape", call=mha_error(),
              args=call_args(T((4, 3, 8)), T((5, 3, 8)), T((5, 3, 8)),
                             key_padding_mask=T((3, 4), dtype="bool"))),
    ErrorCase(op="MultiheadAttention", desc="key_padding_rank", call=mha_error(),
              args=call_args(T((4, 3, 8)), T((5, 3, 8)), T((5, 3, 8)),
                             key_padding_mask=T((5,), dtype="bool"))),
    ErrorCase(op="MultiheadAttention", desc="unbatched_mask_3d_shape", call=mha_error(),
              args=call_args(T((4, 8)), T((5, 8)), T((5, 8)),
                             attn_mask=T((3, 4, 5), dtype="bool"))),
    ErrorCase(op="MultiheadAttention", desc="is_causal_without_mask", call=mha_error(),
              args=call_args(T((4, 3, 8)), T((5, 3, 8)), T((5, 3, 8)), is_causal=True)),
]

# found by the fuzzer: an embedding of size 0 made the default scale 1/sqrt(0) a ZeroDivisionError; torch's
# scale is inf and q k^T an empty sum (0), so the weights are uniform
CASES += [
    OpCase(op="scaled_dot_product_attention", desc="zero_embedding", args=(T((1, 2, 0)), T((1, 3, 0)), T((1, 3, 4)))),
    OpCase(op="scaled_dot_product_attention", desc="zero_everything", args=(T((0, 0, 0)), T((0, 0, 0)), T((0, 0, 0)))),
]

# torch's CPU dispatcher runs a fused kernel for 4-d inputs without dropout (2-d or 4-d masks) and its math
# path otherwise; the two define different results on non-finite inputs and refnn follows the same choice.
# Found by the fuzzer (issue 10): the fused kernel overwrites the scores a causal mask hides, so an inf or
# NaN in a hidden key never reaches the output, where the math path adds -inf and gets NaN.
def _values(*values):
    return lambda rng, shape, dtype: np.array(values, dtype=dtype).reshape(shape)


def _hidden_key(bad):
    """query 0.5; key [0.3, bad]: with is_causal the one query sees only the first key."""
    return (T((1, 1, 1, 1), gen=_values(0.5)), T((1, 1, 2, 1), gen=_values(0.3, bad)),
            T((1, 1, 2, 1), gen=_values(0.2, 0.7)))


def _squeeze_batch(args):
    """The same tensors as 3-d (the math path)."""
    return tuple(T(a.shape[1:], gen=a.gen) for a in args)


def _inf_first(rng, shape, dtype):
    x = rng.uniform(-1, 1, size=shape).astype(dtype)
    x.reshape(-1)[0] = np.inf
    return x


# q = [1e20], k = [1e20, 1]: scaled after the product (fused) q k^T overflows float32 to inf and the row is
# NaN; scaled before it (math, q and k each by sqrt(scale)) the scores stay finite
_OVERFLOW = (T((1, 1, 1, 1), gen=_values(1e20)), T((1, 1, 2, 1), gen=_values(1e20, 1.0)),
             T((1, 1, 2, 1), gen=_values(0.2, 0.7)))
CASES += [
    OpCase(op="scaled_dot_product_attention", desc="causal_inf_in_hidden_key", args=_hidden_key(np.inf),
           kwargs={"is_causal": True}),
    OpCase(op="scaled_dot_product_attention", desc="causal_nan_in_hidden_key", args=_hidden_key(np.nan),
           kwargs={"is_causal": True}),
    OpCase(op="scaled_dot_product_attention", desc="causal_negative_scale_3d_math",
           args=(T((2, 3, 4)), T((2, 3, 4)), T((2, 3, 4))), kwargs={"is_causal": True, "scale": -0.5}),
    # a last dim without unit stride sends 4-d inputs to the math path too (a reversed view counts as the
    # contiguous tensor torch's flip gives)
    OpCase(op="scaled_dot_product_attention", desc="causal_inf_in_hidden_key_transposed_key_math",
           args=(_hidden_key(np.inf)[0], T((1, 1, 2, 1), gen=_values(0.3, np.inf), layout="transposed"),
                 _hidden_key(np.inf)[2]), kwargs={"is_causal": True}),
    OpCase(op="scaled_dot_product_attention", desc="causal_inf_in_hidden_key_strided_value_math",
           args=_hidden_key(np.inf)[:2] + (T((1, 1, 2, 1), layout="strided"),), kwargs={"is_causal": True}),
    OpCase(op="scaled_dot_product_attention", desc="causal_inf_in_hidden_key_reversed_key_fused",
           args=(_hidden_key(np.inf)[0], T((1, 1, 2, 1), gen=_values(0.3, np.inf), layout="negative"),
                 _hidden_key(np.inf)[2]), kwargs={"is_causal": True}),
    OpCase(op="scaled_dot_product_attention", desc="causal_inf_in_hidden_key_3d_math",
           args=_squeeze_batch(_hidden_key(np.inf)), kwargs={"is_causal": True}),
    OpCase(op="scaled_dot_product_attention", desc="scale_after_product_overflow", args=_OVERFLOW,
           kwargs={"scale": 1e-30}),
    OpCase(op="scaled_dot_product_attention", desc="scale_before_product_3d_math",
           args=_squeeze_batch(_OVERFLOW), kwargs={"scale": 1e-30}),
    # the mask's rank and whether it needs a gradient choose the path too
    OpCase(op="scaled_dot_product_attention", desc="overflow_mask_2d_fused",
           args=_OVERFLOW + (T((1, 2), requires_grad=False, gen=_values(0.0, 0.0)),), kwargs={"scale": 1e-30}),
    OpCase(op="scaled_dot_product_attention", desc="overflow_mask_3d_math",
           args=_OVERFLOW + (T((1, 1, 2), requires_grad=False, gen=_values(0.0, 0.0)),), kwargs={"scale": 1e-30}),
    OpCase(op="scaled_dot_product_attention", desc="overflow_mask_requires_grad_math",
           args=_OVERFLOW + (T((1, 2), gen=_values(0.0, 0.0)),), kwargs={"scale": 1e-30}),
    OpCase(op="scaled_dot_product_attention", desc="overflow_dropout_zero_fused", args=_OVERFLOW,
           kwargs={"scale": 1e-30, "dropout_p": 0.0}),
    # no key at all: torch returns zeros tied to the inputs by 0 * sum(q), so one inf query makes every
    # output (and every gradient) NaN
    OpCase(op="scaled_dot_product_attention", desc="empty_key_inf_query",
           args=(T((2, 2, 3), gen=_inf_first), T((2, 0, 3)), T((2, 0, 4)))),
    OpCase(op="scaled_dot_product_attention", desc="empty_key_4d",
           args=(T((2, 3, 4, 8)), T((2, 3, 0, 8)), T((2, 3, 0, 6)))),
    # an empty value or an empty query sequence returns before any shape check
    OpCase(op="scaled_dot_product_attention", desc="empty_value_inf_query_unequal_lengths",
           args=(T((3, 1, 3), gen=_inf_first), T((3, 2, 3)), T((3, 0, 4)))),
    OpCase(op="scaled_dot_product_attention", desc="empty_query_unbroadcastable_batch",
           args=(T((3, 0, 3)), T((2, 1, 5)), T((7, 1, 4)))),
    # masks of fewer than 2 dims: the math path broadcasts them; for 4-d inputs torch's fused-kernel gate
    # reads the mask's size(-2) first and raises IndexError
    OpCase(op="scaled_dot_product_attention", desc="mask_1d_3d_math",
           args=(T((3, 4, 8)), T((3, 5, 8)), T((3, 5, 6)), T((5,), gen=float_mask_some_inf))),
    OpCase(op="scaled_dot_product_attention", desc="mask_0d_bool_3d_math",
           args=(T((3, 4, 8)), T((3, 5, 8)), T((3, 5, 6)),
                 T((), dtype="bool", requires_grad=False, gen=lambda rng, shape, dtype: np.array(True)))),
    ErrorCase(op="scaled_dot_product_attention", desc="mask_1d_4d", args=(Q, K, V, T((5,)))),
    ErrorCase(op="scaled_dot_product_attention", desc="mask_0d_4d", args=(Q, K, V, T(()))),
]


def _nan_rows(desc, args, kwargs):
    """A case whose forward gives NaN rows in torch: the values are checked; the gradients are an expected
    failure (torch's fused backward recomputes the weights from a NaN log-sum-exp and has its own NaN
    pattern, which refnn's composed backward does not reproduce)."""
    case = dict(op="scaled_dot_product_attention", args=args, kwargs=kwargs)
    return [OpCase(desc=desc, grad=False, **case),
            OpCase(desc=desc + "_grad", xfail="gradients through torch's fused kernel on rows it makes NaN "
                                              "(hidden scores -inf scaled by 0 or a negative scale) are not "
                                              "emulated: torch returns its own pattern of zeros and NaN", **case)]


# the fused kernel scales after writing -inf over the hidden scores: -inf * 0 = NaN, -inf * -0.5 = +inf,
# and torch returns NaN rows (the math path, 3-d, has finite results for these)
CASES += _nan_rows("causal_inf_in_hidden_key_scale_zero", _hidden_key(np.inf), {"is_causal": True, "scale": 0.0})
CASES += _nan_rows("causal_negative_scale_fused", (T((1, 2, 3, 4)), T((1, 2, 3, 4)), T((1, 2, 3, 4))),
                   {"is_causal": True, "scale": -0.5})

# 0-d and empty inputs with gradients: empty batches, queries, keys and embeddings of the 2-d to 4-d forms,
# with masks and causal; multi_head_attention_forward and the module on empty batches and sequences; the
# 0-d and 1-d inputs torch refuses
_SDPA = "scaled_dot_product_attention"
CASES += [
    OpCase(op=_SDPA, desc="2d_inputs", args=(T((4, 8)), T((5, 8)), T((5, 6)))),
    OpCase(op=_SDPA, desc="2d_empty_query", args=(T((0, 8)), T((5, 8)), T((5, 6)))),
    OpCase(op=_SDPA, desc="2d_empty_key", args=(T((4, 8)), T((0, 8)), T((0, 6)))),
    OpCase(op=_SDPA, desc="empty_query_3d", args=(T((2, 0, 8)), T((2, 5, 8)), T((2, 5, 6)))),
    OpCase(op=_SDPA, desc="empty_query_causal", args=(T((2, 0, 8)), T((2, 5, 8)), T((2, 5, 6))),
           kwargs={"is_causal": True}),
    OpCase(op=_SDPA, desc="empty_query_float_mask", args=(T((2, 0, 8)), T((2, 5, 8)), T((2, 5, 6)), T((0, 5)))),
    OpCase(op=_SDPA, desc="empty_value_dim", args=(T((2, 3, 8)), T((2, 5, 8)), T((2, 5, 0)))),
    OpCase(op=_SDPA, desc="batch_zero_3d_scale", args=(T((0, 3, 8)), T((0, 5, 8)), T((0, 5, 6))),
           kwargs={"scale": 0.5}),
    OpCase(op=_SDPA, desc="heads_zero_4d", args=(T((2, 0, 3, 8)), T((2, 0, 5, 8)), T((2, 0, 5, 6)))),
    OpCase(op=_SDPA, desc="zero_embedding_4d_causal", args=(T((1, 2, 3, 0)), T((1, 2, 3, 0)), T((1, 2, 3, 4))),
           kwargs={"is_causal": True}),
    OpCase(op="multi_head_attention_forward", desc="packed_batch_zero", call=mha_functional,
           args=(T((4, 0, 8)), T((5, 0, 8)), T((5, 0, 8)), T((24, 8)), T((24,)), T((8, 8)), T((8,)))),
    OpCase(op="multi_head_attention_forward", desc="packed_empty_query_unbatched", call=mha_functional,
           args=(T((0, 8)), T((5, 8)), T((5, 8)), T((24, 8)), T((24,)), T((8, 8)), T((8,)))),
    ModuleCase(module="MultiheadAttention", desc="empty_query", ctor_kwargs=MHA,
               inputs=(T((0, 3, 8)), T((5, 3, 8)), T((5, 3, 8)))),
    ModuleCase(module="MultiheadAttention", desc="empty_key", ctor_kwargs=MHA,
               inputs=(T((4, 3, 8)), T((0, 3, 8)), T((0, 3, 8)))),
    ModuleCase(module="MultiheadAttention", desc="unbatched_empty_query", ctor_kwargs=MHA,
               inputs=(T((0, 8)), T((5, 8)), T((5, 8)))),
    ModuleCase(module=self_attention(**MHA, batch_first=True), name="MultiheadAttention",
               desc="self_attention_batch_zero", inputs=(T((0, 4, 8)),)),
    ErrorCase(op=_SDPA, desc="inputs_0d", args=(T(()), T(()), T(()))),
    ErrorCase(op=_SDPA, desc="inputs_1d", args=(T((8,)), T((8,)), T((8,)))),
    ErrorCase(op="MultiheadAttention", desc="query_0d", call=mha_error(), args=(T(()), T(()), T(()))),
]
