"""F.multi_head_attention_forward with static_k / static_v: keys and values given per (batch * heads) entry,
(N * heads, S, head_dim), in place of the projected ones (with and without the weights, with add_zero_attn,
unbatched), and torch's AssertionErrors for their shapes."""
from tests.harness import ErrorCase, OpCase, T


def mha_static(F, q, k, v, w_in, b_in, w_out, b_out, static_k, static_v, need_weights=True, add_zero_attn=False,
               **kwargs):
    """embed 8, 2 heads (head_dim 4); static_k / static_v replace the projected keys / values."""
    return F.multi_head_attention_forward(q, k, v, 8, 2, w_in, b_in, None, None, add_zero_attn, 0.0, w_out, b_out,
                                          need_weights=need_weights, static_k=static_k, static_v=static_v,
                                          **kwargs)


def _args(L=4, S=5, N=3, static_len=6):
    return (T((L, N, 8)), T((S, N, 8)), T((S, N, 8)), T((24, 8)), T((24,)), T((8, 8)), T((8,)),
            T((2 * N, static_len, 4)), T((2 * N, static_len, 4)))


CASES = [
    OpCase(op="multi_head_attention_forward", desc="static_kv_weights", call=mha_static, args=_args()),
    OpCase(op="multi_head_attention_forward", desc="static_kv_no_weights",
           call=lambda F, *a: mha_static(F, *a, need_weights=False), args=_args()),
    OpCase(op="multi_head_attention_forward", desc="static_kv_zero_attn_per_head_weights",
           call=lambda F, *a: mha_static(F, *a, add_zero_attn=True, average_attn_weights=False), args=_args()),
    OpCase(op="multi_head_attention_forward", desc="static_kv_zero_attn_no_weights",
           call=lambda F, *a: mha_static(F, *a, need_weights=False, add_zero_attn=True), args=_args()),
    OpCase(op="multi_head_attention_forward", desc="static_k_only_padding_mask",
           call=lambda F, q, k, v, wi, bi, wo, bo, sk, sv, mask: mha_static(F, q, k, v, wi, bi, wo, bo, sk, None,
                                                                              key_padding_mask=mask),
           args=(T((4, 3, 8)), T((6, 3, 8)), T((6, 3, 8)), T((24, 8)), T((24,)), T((8, 8)), T((8,)),
                 T((6, 6, 4)), None, T((3, 6), dtype="bool", gen=lambda rng, shape, dtype: rng.random(shape) < 0.3))),
    OpCase(op="multi_head_attention_forward", desc="static_kv_unbatched", call=mha_static,
           args=(T((4, 8)), T((5, 8)), T((5, 8)), T((24, 8)), T((24,)), T((8, 8)), T((8,)), T((2, 6, 4)),
                 T((2, 6, 4)))),

    ErrorCase(op="multi_head_attention_forward", desc="static_k_batch_heads", call=mha_static,
              args=_args()[:7] + (T((5, 6, 4)), T((6, 6, 4)))),
    ErrorCase(op="multi_head_attention_forward", desc="static_v_head_dim", call=mha_static,
              args=_args()[:7] + (T((6, 6, 4)), T((6, 6, 3)))),
]
