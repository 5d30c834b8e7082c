"""Attention: F.scaled_dot_product_attention and F.multi_head_attention_forward.

Both are compositions of refnn's verified pieces through autograd: F.linear (the
gemm kernel), the batched matrix product over the same kernel
(``refnn._functions.attention``), F.softmax and F.dropout.  Their gradients are
those pieces' gradients.  The arithmetic follows torch's CPU reference ("math")
implementation step by step, so the roundings are the same kind.
"""
import math
import numbers
import warnings

import numpy as np


from ..._functions import attention as A
from ...tensor import Tensor, cat
from ..._shape import check_allocation
from ._utils import FLOAT_DTYPES

__all__ = ["scaled_dot_product_attention", "multi_head_attention_forward"]


def _F():
    from .. import functional
    return functional


def _require_tensor(fn, name, value, position=None):
    if not isinstance(value, Tensor):
        where = f" (position {position})" if position else ""
        raise TypeError(f"{fn}(): argument '{name}'{where} must be Tensor, not {type(value).__name__}")


def _neg_inf_where(mask, dtype):
    """A bool mask (True = masked out) as an additive float mask: -inf where True, 0 elsewhere."""
    return Tensor(np.where(mask, np.array(-np.inf, dtype=dtype), np.array(0, dtype=dtype)))


# ---------------------------------------------------------------- scaled dot product attention
def _check_sdpa(query, key, value, attn_mask, dropout_p, is_causal, scale, enable_gqa):
    """torch's argument parsing and ``validate_sdpa_input``: types, ranks and dtypes."""
    fn = "scaled_dot_product_attention"
    for position, (name, t) in enumerate((("query", query), ("key", key), ("value", value)), 1):
        _require_tensor(fn, name, t, position)
    if attn_mask is not None:
        _require_tensor(fn, "attn_mask", attn_mask, 4)
    if isinstance(dropout_p, bool) or not isinstance(dropout_p, numbers.Real):
        raise TypeError(f"{fn}(): argument 'dropout_p' must be float, not {type(dropout_p).__name__}")
    if not isinstance(is_causal, bool):
        raise TypeError(f"{fn}(): argument 'is_causal' must be bool, not {type(is_causal).__name__}")
    if scale is not None and (isinstance(scale, bool) or not isinstance(scale, numbers.Real)):
        raise TypeError(f"{fn}(): argument 'scale' must be float, not {type(scale).__name__}")
    if not isinstance(enable_gqa, bool):
        raise TypeError(f"{fn}(): argument 'enable_gqa' must be bool, not {type(enable_gqa).__name__}")
    if query.dim() < 2 or key.dim() < 2 or value.dim() < 2:
        raise RuntimeError(f"{fn}: Expected query, key, and value to all be at least 2 dimensional, but got "
                           f"query.dim: {query.dim()} key.dim: {key.dim()} and value.dim: {value.dim()} instead.")
    if not (query.dtype == key.dtype == value.dtype):
        raise RuntimeError(f"{fn}: Expected query, key, and value to have the same dtype, but got query.dtype: "
                           f"{query.dtype} key.dtype: {key.dtype} and value.dtype: {value.dtype} instead.")
    if query.dtype not in FLOAT_DTYPES:
        raise RuntimeError(f"{fn}: expected query, key and value to be float32 or float64, but got {query.dtype}")
    if attn_mask is not None and attn_mask.dtype != np.bool_ and attn_mask.dtype != query.dtype:
        raise RuntimeError(f"{fn}: Expected attn_mask dtype to be bool or float or to match query dtype, but got "
                           f"attn_mask.dtype: {attn_mask.dtype} and query.dtype: {query.dtype} instead.")


def _check_sdpa_shapes(query, key, value, attn_mask, dropout_p, is_causal, enable_gqa):
    """The checks torch makes once it has inputs to attend over; returns whether it takes the fused path."""
    fn = "scaled_dot_product_attention"
    # torch picks its kernel here, before the shape checks (the choice itself may raise IndexError)
    fused = _fused_path(query, key, value, attn_mask, dropout_p, enable_gqa)
    if fused and dropout_p != 0:
        raise RuntimeError(f"{fn}: the fused CPU kernel torch picks for these inputs takes no dropout, got "
                           f"dropout_p={dropout_p}")
    if dropout_p > 0 and dropout_p > 1:
        raise RuntimeError(f"{fn}: dropout probability has to be between 0 and 1, but got {dropout_p}")
    if key.shape[-1] != query.shape[-1]:
        raise RuntimeError(f"{fn}: key's last dimension ({key.shape[-1]}) must equal query's "
                           f"({query.shape[-1]})")
    if value.shape[-2] != key.shape[-2]:
        raise RuntimeError(f"{fn}: value's sequence length ({value.shape[-2]}) must equal key's "
                           f"({key.shape[-2]})")
    if enable_gqa:
        if query.dim() < 3 or key.dim() < 3 or value.dim() < 3:
            raise IndexError(f"{fn}: enable_gqa needs a heads dimension (-3) in query, key and value; got "
                             f"{query.dim()}-d, {key.dim()}-d and {value.dim()}-d")
        heads = query.shape[-3]
        if key.shape[-3] == 0 or value.shape[-3] == 0 or heads % key.shape[-3] or heads % value.shape[-3]:
            raise RuntimeError(f"{fn}: Number of heads in key and value must divide the number of heads in "
                               f"query; got query {heads}, key {key.shape[-3]}, value {value.shape[-3]}")
    lead_q, lead_k, lead_v = query.shape[:-2], key.shape[:-2], value.shape[:-2]
    if enable_gqa:
        lead_k = lead_k[:-1] + (query.shape[-3],)
        lead_v = lead_v[:-1] + (query.shape[-3],)
    try:
        lead = np.broadcast_shapes(lead_q, lead_k, lead_v)
    except ValueError:
        raise RuntimeError(f"{fn}: the batch dimensions of query {tuple(query.shape)}, key {tuple(key.shape)} "
                           f"and value {tuple(value.shape)} do not broadcast") from None
    scores_shape = lead + (query.shape[-2], key.shape[-2])
    check_allocation(fn, scores_shape, query.data.itemsize)
    check_allocation(fn, lead + (query.shape[-2], value.shape[-1]), query.data.itemsize)
    if attn_mask is not None and is_causal and not fused:
        # only torch's math path refuses the pair; its fused kernel applies the causal mask, then attn_mask
        raise RuntimeError(f"{fn}: Explicit attn_mask should not be set when is_causal=True")
    if attn_mask is not None:
        try:
            ok = np.broadcast_shapes(attn_mask.shape, scores_shape) == scores_shape
        except ValueError:
            ok = False
        if not ok:
            raise RuntimeError(f"{fn}: attn_mask of shape {tuple(attn_mask.shape)} does not broadcast to the "
                               f"attention weights' shape {scores_shape}")
    return fused


def _repeat_heads(x, repeats):
    """torch's ``x.repeat_interleave(repeats, dim=-3)`` through expand and reshape."""
    if repeats == 1:
        return x
    shape = x.shape
    expanded = x.unsqueeze(-3).expand(shape[:-2] + (repeats,) + shape[-2:])
    return expanded.reshape(shape[:-3] + (shape[-3] * repeats,) + shape[-2:])


def _safe_softmax(scores, masked_rows=None):
    """softmax over the last dim; a row that is all -inf gives zeros (and zero gradient), as torch's
    ``_safe_softmax`` does.  ``masked_rows`` (bool, keepdims) overrides which rows count as empty."""
    F = _F()
    if masked_rows is None:
        masked_rows = _neg_inf_rows(scores.data)
    if masked_rows is None or not masked_rows.any():
        return F.softmax(scores, dim=-1)
    probs = F.softmax(A.masked_fill(scores, masked_rows, 0.0), dim=-1)
    return A.masked_fill(probs, masked_rows, 0.0)


def _no_neg_inf_or_nan(s):
    """Whether ``s`` (non-empty) holds neither -inf nor NaN: one reduction (its minimum propagates a NaN)."""
    return s.size > 0 and np.min(s) > -np.inf


def _neg_inf_rows(s):
    """Rows (keepdims) whose scores are all -inf; None when no score is -inf or NaN (then no row is)."""
    if _no_neg_inf_or_nan(s):
        return None
    return np.all(s == -np.inf, axis=-1, keepdims=True)


def _compatible(size, target):
    return size == target or size == 1


def _fused_path(query, key, value, attn_mask, dropout_p, enable_gqa):
    """Whether torch's CPU dispatcher picks its fused ("flash") kernel over the math path for this call.

    The two paths define different results on non-finite inputs (the fused kernel overwrites the scores a
    causal mask hides and scales q k^T after the product; the math path adds -inf and scales q and k
    before it), so refnn follows the same choice.  The rules are torch's ``use_flash_attention_cpp`` gates
    in order: no dropout; q, k and v all 4-d; one batch size; equal heads (with ``enable_gqa``: key and
    value heads equal and dividing query's); a mask that is 2-d or 4-d and broadcasts without expanding its
    last two dims, and needs no gradient; one head size; non-empty sequences; and q, k and v each with a
    unit stride in the last dim (a NumPy view with a negative stride counts as the contiguous tensor
    torch's ``flip`` would give).
    """
    if dropout_p > 0.0 or not query.dim() == key.dim() == value.dim() == 4:
        return False
    (B, H, L, E), (Bk, Hk, S, Ek), (Bv, Hv, _, Ev) = query.shape, key.shape, value.shape
    if not B == Bk == Bv:
        return False
    if enable_gqa:
        if Hk != Hv or Hk == 0 or H % Hk:
            return False
    elif not H == Hk == Hv:
        return False
    if attn_mask is not None and not attn_mask.requires_grad:
        if attn_mask.dim() < 2:
            # torch reads the mask's last two sizes before it looks at its rank
            raise IndexError(f"scaled_dot_product_attention: attn_mask must have at least 2 dimensions for "
                             f"4-d query, key and value, got a {attn_mask.dim()}-d mask")
        mshape = attn_mask.shape
        if not (_compatible(mshape[-2], L) and _compatible(mshape[-1], S)):
            return False
        if not (attn_mask.dim() == 2 or (attn_mask.dim() == 4 and _compatible(mshape[0], B)
                                         and _compatible(mshape[1], H))):
            return False
    elif attn_mask is not None:
        return False
    return E == Ek == Ev and L > 0 and S > 0 and all(_unit_last_stride(t.data) for t in (query, key, value))


def _unit_last_stride(array):
    return array.strides[-1] == array.itemsize or array.strides[-1] < 0


# torch's fused kernel reduces the row maximum in 256-bit vectors (its AVX2 and default builds) and then
# the leftover elements one at a time; a scalar std::max skips a NaN, the vector maximum keeps it
_FUSED_VECTOR_BYTES = 32


def _fused_empty_rows(scores):
    """Rows torch's fused kernel treats as fully masked when no attn_mask is given: its row maximum is -inf.

    That maximum propagates a NaN from the vector-width head of the row but skips one in the leftover tail,
    so a row whose NaN scores all lie in the tail and whose other scores are all -inf comes out as zeros
    (a single key with a NaN score, say), where softmax would give NaN.  None when no score is -inf or NaN
    (then no row is empty).
    """
    s = scores.data
    if _no_neg_inf_or_nan(s):
        return None     # every row has a finite (or +inf) score: its maximum is not -inf
    head = s.shape[-1] - s.shape[-1] % (_FUSED_VECTOR_BYTES // s.itemsize)
    nan = np.isnan(s)
    rest_max = np.max(np.where(nan, -np.inf, s), axis=-1, keepdims=True, initial=-np.inf)
    return (rest_max == -np.inf) & ~np.any(nan[..., :head], axis=-1, keepdims=True)


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False,
                                 scale=None, enable_gqa=False):
    """softmax(Q K^T * scale + mask) V over the last two dims, with broadcast batch dims.

    Boolean ``attn_mask``: True takes part.  A row with nothing to attend to gives zeros.

    Where torch would run its fused CPU kernel (see :func:`_fused_path`) a causal mask overwrites the hidden
    scores of Q K^T with -inf before they are scaled (so a non-finite key that no query sees does not reach
    the output, and, as in torch, a scale of 0 or below makes the hidden scores NaN or +inf), then
    ``attn_mask`` is added: that kernel accepts both masks together.  Otherwise the arithmetic is torch's
    math path: Q and K are each scaled by sqrt(scale), and the mask is added.  The two agree on finite
    inputs up to rounding.
    """
    _check_sdpa(query, key, value, attn_mask, dropout_p, is_causal, scale, enable_gqa)
    if value.numel() == 0 or query.shape[-2] == 0:
        # no value to mix, or no query: torch returns zeros of shape query.shape[:-1] + (Ev,) at once, without
        # its other checks, tied to the inputs through 0 * (sum q + sum k + sum v) -- so one non-finite query
        # makes every output (and gradient) NaN
        shape = tuple(query.shape[:-1]) + (value.shape[-1],)
        check_allocation("scaled_dot_product_attention", shape, query.data.itemsize)
        return Tensor(np.zeros(shape, dtype=query.dtype)) + (query.sum() + key.sum() + value.sum()) * 0.0
    fused = _check_sdpa_shapes(query, key, value, attn_mask, dropout_p, is_causal, enable_gqa)
    F = _F()
    L, S = query.shape[-2], key.shape[-2]
    # an embedding of size 0 gives scale 1/sqrt(0) = inf in torch (q k^T is an empty sum, 0, either way)
    if scale is not None:
        scale_factor = float(scale)
    else:
        scale_factor = 1.0 / math.sqrt(query.shape[-1]) if query.shape[-1] else math.inf
    k, v = key, value
    if enable_gqa:
        k = _repeat_heads(key, query.shape[-3] // key.shape[-3])
        v = _repeat_heads(value, query.shape[-3] // value.shape[-3])
    hidden = ~np.tri(L, S, dtype=bool) if is_causal else None
    bias = None
    if attn_mask is not None:
        bias = _neg_inf_where(~attn_mask.data, query.dtype) if attn_mask.dtype == np.bool_ else attn_mask
    if fused:
        # the kernel writes -inf over the hidden scores of q k^T and scales afterwards: a scale of 0 turns
        # them to NaN and a negative one to +inf, and torch returns NaN rows for those; so does refnn
        scores = A.matmul(query, k.transpose(-2, -1))
        if hidden is not None:
            scores = A.masked_fill(scores, hidden, -np.inf)
        scores = scores * scale_factor
    else:
        # torch's math path: both q and k are multiplied by sqrt(|scale|) before the product
        root = math.sqrt(abs(scale_factor))
        scores = A.matmul(query * (-root if scale_factor < 0 else root), (k * root).transpose(-2, -1))
        if hidden is not None:
            bias = _neg_inf_where(hidden, query.dtype)
    if bias is not None:
        scores = scores + bias
    if fused and bias is None:
        empty_rows = _fused_empty_rows(scores)
        weights = _F().softmax(scores, dim=-1) if empty_rows is None else _safe_softmax(scores, empty_rows)
    else:
        weights = _safe_softmax(scores)
    if dropout_p > 0.0:
        weights = F.dropout(weights, dropout_p, training=True)
    return A.matmul(weights, v)


# ---------------------------------------------------------------- multi-head attention
def _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads):
    """torch's checks (it raises AssertionError for these); returns whether the input is batched."""
    if query.dim() == 3:
        if key.dim() != 3 or value.dim() != 3:
            raise AssertionError("For batched (3-D) `query`, expected `key` and `value` to be 3-D"
                                 f" but found {key.dim()}-D and {value.dim()}-D tensors respectively")
        if key_padding_mask is not None and key_padding_mask.dim() != 2:
            raise AssertionError("For batched (3-D) `query`, expected `key_padding_mask` to be `None` or 2-D"
                                 f" but found {key_padding_mask.dim()}-D tensor instead")
        if attn_mask is not None and attn_mask.dim() not in (2, 3):
            raise AssertionError("For batched (3-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D"
                                 f" but found {attn_mask.dim()}-D tensor instead")
        return True
    if query.dim() == 2:
        if key.dim() != 2 or value.dim() != 2:
            raise AssertionError("For unbatched (2-D) `query`, expected `key` and `value` to be 2-D"
                                 f" but found {key.dim()}-D and {value.dim()}-D tensors respectively")
        if key_padding_mask is not None and key_padding_mask.dim() != 1:
            raise AssertionError("For unbatched (2-D) `query`, expected `key_padding_mask` to be `None` or 1-D"
                                 f" but found {key_padding_mask.dim()}-D tensor instead")
        if attn_mask is not None:
            if attn_mask.dim() not in (2, 3):
                raise AssertionError("For unbatched (2-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D"
                                     f" but found {attn_mask.dim()}-D tensor instead")
            expected = (num_heads, query.shape[0], key.shape[0])
            if attn_mask.dim() == 3 and tuple(attn_mask.shape) != expected:
                raise AssertionError(f"Expected `attn_mask` shape to be {expected} but got "
                                     f"{tuple(attn_mask.shape)}")
        return False
    raise AssertionError("query should be unbatched 2D or batched 3D tensor but received "
                         f"{query.dim()}-D query tensor")


def _canonical_mask(mask, mask_name, other_type, other_name, target_type, check_other=True):
    """A bool mask becomes an additive float mask (-inf where True); float masks pass through."""
    if mask is None:
        return None
    if mask.dtype != np.bool_ and mask.dtype.kind != "f":
        raise AssertionError(f"only bool and floating types of {mask_name} are supported")
    if check_other and other_type is not None and mask.dtype != other_type:
        warnings.warn(f"Support for mismatched {mask_name} and {other_name} is deprecated. "
                      "Use same type for both instead.", stacklevel=3)
    if mask.dtype == np.bool_:
        return _neg_inf_where(mask.data, target_type)
    return mask


def _none_or_dtype(input):
    if input is None:
        return None
    if isinstance(input, Tensor):
        return input.dtype
    raise RuntimeError("input to _none_or_dtype() must be None or torch.Tensor")


def _heads(x, bsz, num_heads, head_dim):
    """(S, N, E) -> (N, heads, S, head_dim): a view (the heads of a packed projection are not copied)."""
    return x.reshape(x.shape[0], bsz, num_heads, head_dim).permute(1, 2, 0, 3)


def _heads_into_batch(x, static, name, bsz, num_heads, head_dim):
    """(S, N, E) -> (N, heads, S, head_dim), or the given ``static`` (N * heads, S, head_dim) tensor, once its
    shape is checked, as (N, heads, S, head_dim)."""
    if static is None:
        return _heads(x, bsz, num_heads, head_dim)
    if static.shape[0] != bsz * num_heads:
        raise AssertionError(f"expecting {name}.size(0) of {bsz * num_heads}, but got {static.shape[0]}")
    if static.shape[2] != head_dim:
        raise AssertionError(f"expecting {name}.size(2) of {head_dim}, but got {static.shape[2]}")
    return static.reshape(bsz, num_heads, static.shape[1], head_dim)


def _pad_last(mask):
    """torch's ``pad(mask, (0, 1))``: one zero column appended to the last dim."""
    zeros = Tensor(np.zeros(mask.shape[:-1] + (1,), dtype=mask.dtype))
    return cat([mask, zeros], dim=-1)


def _in_projection_packed(q, k, v, w, b=None):
    F = _F()
    E = q.shape[-1]
    if k is v:
        if q is k:  # self-attention: one product, then the three column blocks
            return A.chunk_views(F.linear(q, w, b), 3, dim=-1)
        w_q, w_kv = A.split(w, [E, 2 * E], dim=0)
        b_q, b_kv = (None, None) if b is None else A.split(b, [E, 2 * E], dim=0)
        return (F.linear(q, w_q, b_q),) + A.chunk_views(F.linear(k, w_kv, b_kv), 2, dim=-1)
    w_q, w_k, w_v = A.chunk(w, 3, dim=0)
    b_q, b_k, b_v = (None, None, None) if b is None else A.chunk(b, 3, dim=0)
    return F.linear(q, w_q, b_q), F.linear(k, w_k, b_k), F.linear(v, w_v, b_v)


def _in_projection(q, k, v, w_q, w_k, w_v, b_q=None, b_k=None, b_v=None):
    F = _F()
    Eq, Ek, Ev = q.shape[-1], k.shape[-1], v.shape[-1]
    for name, w, expected in (("query", w_q, (Eq, Eq)), ("key", w_k, (Eq, Ek)), ("value", w_v, (Eq, Ev))):
        if tuple(w.shape) != expected:
            raise AssertionError(f"expecting {name} weights shape of {expected}, but got {tuple(w.shape)}")
    for name, b in (("query", b_q), ("key", b_k), ("value", b_v)):
        if b is not None and tuple(b.shape) != (Eq,):
            raise AssertionError(f"expecting {name} bias shape of {(Eq,)}, but got {tuple(b.shape)}")
    return F.linear(q, w_q, b_q), F.linear(k, w_k, b_k), F.linear(v, w_v, b_v)


def multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads, in_proj_weight,
                                 in_proj_bias, bias_k, bias_v, add_zero_attn, dropout_p, out_proj_weight,
                                 out_proj_bias, training=True, key_padding_mask=None, need_weights=True,
                                 attn_mask=None, use_separate_proj_weight=False, q_proj_weight=None,
                                 k_proj_weight=None, v_proj_weight=None, static_k=None, static_v=None,
                                 average_attn_weights=True, is_causal=False):
    """torch.nn.functional.multi_head_attention_forward: inputs (L, N, E) or unbatched (L, E)."""
    F = _F()
    fn = "multi_head_attention_forward"
    for name, t in (("query", query), ("key", key), ("value", value)):
        _require_tensor(fn, name, t)
    is_batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not is_batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    src_len = key.shape[0]
    key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask", _none_or_dtype(attn_mask),
                                       "attn_mask", query.dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the Transformer "
                           "module method `generate_square_subsequent_mask` to create this mask.")
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None  # SDPA applies the causal mask itself
    else:
        attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", query.dtype, check_other=False)
        if key_padding_mask is not None:
            is_causal = False
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        if key.shape[:2] != value.shape[:2]:
            raise AssertionError(f"key's sequence and batch dims {tuple(key.shape[:2])} do not match value's "
                                 f"{tuple(value.shape[:2])}")
    elif key.shape != value.shape:
        raise AssertionError(f"key shape {tuple(key.shape)} does not match value shape {tuple(value.shape)}")

    # in-projection
    if not use_separate_proj_weight:
        if in_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
        q, k, v = _in_projection_packed(query, key, value, in_proj_weight, in_proj_bias)
    else:
        for name, w in (("q", q_proj_weight), ("k", k_proj_weight), ("v", v_proj_weight)):
            if w is None:
                raise AssertionError(f"use_separate_proj_weight is True but {name}_proj_weight is None")
        b_q, b_k, b_v = (None, None, None) if in_proj_bias is None else A.chunk(in_proj_bias, 3, dim=0)
        q, k, v = _in_projection(query, key, value, q_proj_weight, k_proj_weight, v_proj_weight, b_q, b_k, b_v)

    # attention mask as (1 or N * heads, L, S)
    if attn_mask is not None:
        if attn_mask.dim() == 2:
            if tuple(attn_mask.shape) != (tgt_len, src_len):
                raise RuntimeError(f"The shape of the 2D attn_mask is {tuple(attn_mask.shape)}, but should be "
                                   f"{(tgt_len, src_len)}.")
            attn_mask = attn_mask.unsqueeze(0)
        elif attn_mask.dim() == 3:
            if tuple(attn_mask.shape) != (bsz * num_heads, tgt_len, src_len):
                raise RuntimeError(f"The shape of the 3D attn_mask is {tuple(attn_mask.shape)}, but should be "
                                   f"{(bsz * num_heads, tgt_len, src_len)}.")
        else:
            raise RuntimeError(f"attn_mask's dimension {attn_mask.dim()} is not supported")

    # bias_k / bias_v: one more key and value position
    if bias_k is not None and bias_v is not None:
        if static_k is not None:
            raise AssertionError("bias cannot be added to static key.")
        if static_v is not None:
            raise AssertionError("bias cannot be added to static value.")
        k = cat([k, bias_k.expand(1, bsz, bias_k.shape[-1])])
        v = cat([v, bias_v.expand(1, bsz, bias_v.shape[-1])])
        if attn_mask is not None:
            attn_mask = _pad_last(attn_mask)
        if key_padding_mask is not None:
            key_padding_mask = _pad_last(key_padding_mask)
    elif bias_k is not None:
        raise AssertionError("bias_k is set but bias_v is None")
    elif bias_v is not None:
        raise AssertionError("bias_v is set but bias_k is None")

    # heads: (N, heads, L, head_dim) views, torch's (N * heads, L, head_dim) batch split in two (the products
    # read them in place)
    q = _heads(q, bsz, num_heads, head_dim)
    k = _heads_into_batch(k, static_k, "static_k", bsz, num_heads, head_dim)
    v = _heads_into_batch(v, static_v, "static_v", bsz, num_heads, head_dim)

    if add_zero_attn:
        zeros = Tensor(np.zeros((bsz, num_heads, 1, head_dim), dtype=k.dtype))
        k = cat([k, zeros], dim=2)
        v = cat([v, zeros], dim=2)
        if attn_mask is not None:
            attn_mask = _pad_last(attn_mask)
        if key_padding_mask is not None:
            key_padding_mask = _pad_last(key_padding_mask)
    src_len = k.shape[2]

    # merge the key padding mask into the attention mask
    if key_padding_mask is not None:
        if key_padding_mask.shape[0] != bsz:
            raise AssertionError(f"Expected key_padded_mask.shape[0] to be {bsz}, but got "
                                 f"{key_padding_mask.shape[0]}")
        if key_padding_mask.shape[1] != src_len:
            raise AssertionError(f"Expected key_padded_mask.shape[1] to be {src_len}, but got "
                                 f"{key_padding_mask.shape[1]}")
        key_padding_mask = (key_padding_mask.reshape(bsz, 1, 1, src_len)
                            .expand(bsz, num_heads, 1, src_len).reshape(bsz * num_heads, 1, src_len))
        attn_mask = key_padding_mask if attn_mask is None else attn_mask + key_padding_mask

    if not training:
        dropout_p = 0.0

    if need_weights:
        E = q.shape[-1]
        q_scaled = q * math.sqrt(1.0 / float(E))
        if is_causal and attn_mask is None:
            raise AssertionError("FIXME: is_causal not implemented for need_weights")
        weights = A.bmm(q_scaled, k.transpose(-2, -1)).reshape(bsz * num_heads, tgt_len, src_len)
        if attn_mask is not None:
            weights = weights + attn_mask  # torch.baddbmm(attn_mask, q_scaled, k^T)
        weights = F.softmax(weights, dim=-1)
        if dropout_p > 0.0:
            weights = F.dropout(weights, p=dropout_p)
        attn_output = A.bmm(weights.reshape(bsz, num_heads, tgt_len, src_len), v)
        attn_output = attn_output.permute(2, 0, 1, 3).reshape(tgt_len * bsz, embed_dim)
        attn_output = F.linear(attn_output, out_proj_weight, out_proj_bias)
        attn_output = attn_output.reshape(tgt_len, bsz, attn_output.shape[1])
        weights = weights.reshape(bsz, num_heads, tgt_len, src_len)
        if average_attn_weights:
            weights = weights.mean(dim=1)
        if not is_batched:
            attn_output = attn_output.squeeze(1)
            weights = weights.squeeze(0)
        return attn_output, weights

    if attn_mask is not None:
        if attn_mask.shape[0] == 1 and attn_mask.dim() == 3:
            attn_mask = attn_mask.unsqueeze(0)
        else:
            attn_mask = attn_mask.reshape(bsz, num_heads, attn_mask.shape[-2], src_len)
    attn_output = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)
    attn_output = attn_output.permute(2, 0, 1, 3).reshape(bsz * tgt_len, embed_dim)
    attn_output = F.linear(attn_output, out_proj_weight, out_proj_bias)
    attn_output = attn_output.reshape(tgt_len, bsz, attn_output.shape[1])
    if not is_batched:
        attn_output = attn_output.squeeze(1)
    return attn_output, None
