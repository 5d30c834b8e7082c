"""refnn's scaled_dot_product_attention picks the kernel torch's CPU dispatcher picks.

torch's fused ("flash") CPU kernel and its math path give different results on non-finite input, so
``refnn.nn.functional._attention._fused_path`` reproduces torch's choice; here it is held against
``torch._fused_sdp_choice`` (1 = flash, 0 = math) over drawn shapes, masks, strides and flags.
"""
import os

import numpy as np
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import refnn
from refnn.nn.functional._attention import _fused_path

EXAMPLES = int(os.environ.get("REFNN_FUZZ_EXAMPLES", "150")) * 2


@st.composite
def sdpa_call(draw):
    rank = draw(st.sampled_from([4, 4, 4, 3, 5]))
    batch, heads, length, source, embed = (draw(st.sampled_from([1, 2, 3, 1, 2, 3, 0])) for _ in range(5))
    lead = (batch, heads, 1, 1)[:rank - 2]
    gqa = rank >= 3 and draw(st.integers(0, 3)) == 0

    def heads_of():
        return draw(st.sampled_from([heads, 1, heads + 1] if heads else [0]))

    kv_lead = lead[:-1] + (heads_of(),) if gqa else lead
    if rank >= 3 and draw(st.integers(0, 9)) == 0:          # another batch size
        kv_lead = (batch + 1,) + kv_lead[1:]
    value_lead = kv_lead[:-1] + (heads_of(),) if gqa else kv_lead
    shapes = [lead + (length, embed), kv_lead + (source, embed),
              value_lead + (source, embed + draw(st.sampled_from([0, 0, 0, 1])))]
    arrays = []
    for shape in shapes:
        array = np.zeros(shape, dtype=np.float32)
        if shape and draw(st.integers(0, 9)) == 0:          # a last dim without unit stride
            array = np.zeros(shape[:-1] + (2 * shape[-1],), dtype=np.float32)[..., ::2]
        arrays.append(array)
    mask = None
    if draw(st.booleans()):
        mshape = draw(st.sampled_from([(length, source), (1, source), (length, 1), (1, 1), lead + (length, source),
                                       (1, 1, length, source), (heads, length, source), (batch, 1, length, source),
                                       (1,) * (rank - 2) + (length, source)]))
        mask = (draw(st.sampled_from(["bool", "float32"])), mshape, draw(st.booleans()))
    return arrays, mask, draw(st.sampled_from([0.0, 0.0, 0.0, 0.3, -0.5])), gqa


@settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(sdpa_call())
def test_kernel_choice_matches_torch(call):
    arrays, mask, dropout_p, gqa = call
    q, k, v = (torch.from_numpy(a) for a in arrays)
    rq, rk, rv = (refnn.Tensor(a) for a in arrays)
    torch_mask = refnn_mask = None
    if mask is not None:
        dtype, shape, requires_grad = mask
        data = np.zeros(shape, dtype=dtype)
        torch_mask = torch.from_numpy(data.copy()).requires_grad_(requires_grad and dtype != "bool")
        refnn_mask = refnn.Tensor(data, requires_grad=requires_grad and dtype != "bool")
    if gqa and (k.dim() < 3 or k.shape[-3] == 0):
        return                  # torch's choice function divides by the key heads (SIGFPE on zero)
    try:
        expected = torch._fused_sdp_choice(q, k, v, attn_mask=torch_mask, dropout_p=dropout_p,
                                           enable_gqa=gqa) == 1
    except Exception as exc:  # noqa: BLE001
        expected = type(exc)
    try:
        actual = _fused_path(rq, rk, rv, refnn_mask, dropout_p, gqa)
    except Exception as exc:  # noqa: BLE001
        actual = type(exc)
    assert actual == expected, (expected, actual)
