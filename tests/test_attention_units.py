"""Attention pieces that are not torch comparisons: the batched product's summation order and thread
independence, masked fill / split gradients, and attention dropout in train mode (statistics, seeding)."""
import numpy as np
import pytest

import refnn
import refnn.nn as nn
import refnn.nn.functional as F
from refnn._functions import attention as A
from refnn._kernels import gemm


@pytest.fixture
def threads():
    saved = refnn.get_num_threads()
    yield
    refnn.set_num_threads(saved)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bmm_nt_is_gemm_per_entry(dtype, threads):
    """Each batch entry is exactly the Linear kernel's product, at any thread count."""
    rng = np.random.default_rng(0)
    for shape_a, shape_b in [((3, 5, 7), (3, 4, 7)), ((2, 64, 40), (2, 48, 40))]:  # below and above the
        a = rng.standard_normal(shape_a).astype(dtype)                               # one-thread threshold
        b = rng.standard_normal(shape_b).astype(dtype)
        expected = np.stack([_gemm(a[i], b[i]) for i in range(a.shape[0])])
        for n in (1, 2, 3):
            refnn.set_num_threads(n)
            assert A.bmm_nt(a, b).tobytes() == expected.tobytes()


def _gemm(a, b):
    out = np.empty((a.shape[0], b.shape[0]), dtype=a.dtype)
    gemm.gemm_nt(np.ascontiguousarray(a), np.ascontiguousarray(b), out, 1)
    return out


def test_bmm_sums_in_ascending_order():
    """out[m, n] = (((a0 b0) + a1 b1) + ...) in float32, term by term."""
    rng = np.random.default_rng(1)
    a = rng.standard_normal((1, 3, 9)).astype(np.float32)
    b = rng.standard_normal((1, 4, 9)).astype(np.float32)
    out = A.bmm_nt(a, b)
    for m in range(3):
        for n in range(4):
            acc = np.float32(0)
            for k in range(9):
                acc = np.float32(acc + np.float32(a[0, m, k] * b[0, n, k]))
            assert out[0, m, n] == acc


def test_matmul_broadcasts_and_differentiates():
    rng = np.random.default_rng(2)
    a = refnn.Tensor(rng.standard_normal((2, 1, 3, 4)), requires_grad=True)
    b = refnn.Tensor(rng.standard_normal((3, 4, 5)), requires_grad=True)
    out = A.matmul(a, b)
    np.testing.assert_allclose(out.data, a.data @ b.data, rtol=1e-12)
    g = rng.standard_normal(out.shape)
    out.backward(g)
    np.testing.assert_allclose(a.grad.data, (g @ np.swapaxes(b.data, -1, -2)).sum(axis=1, keepdims=True),
                               rtol=1e-12)
    np.testing.assert_allclose(b.grad.data, (np.swapaxes(a.data, -1, -2) @ g).sum(axis=0), rtol=1e-12)


def test_masked_fill_and_split_gradients():
    x = refnn.Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    mask = np.array([[True], [False]])
    y = A.masked_fill(x, mask, -np.inf)
    assert np.isneginf(y.data[0]).all() and (y.data[1] == [3, 4, 5]).all()
    y.backward(np.ones((2, 3)))
    assert (x.grad.data == [[0, 0, 0], [1, 1, 1]]).all()
    x.grad = None
    first, second = A.split(x, [1, 2], dim=1)
    (second * 2).backward(np.ones((2, 2)))  # the unused piece contributes zeros
    assert (x.grad.data == [[0, 2, 2], [0, 2, 2]]).all()


def test_sdpa_dropout_statistics_and_seeding():
    """q = k = 0 gives uniform weights 1/S; with v = I the output is the dropped weight matrix itself."""
    S, L, p = 50, 400, 0.3
    q = refnn.zeros(L, 4, dtype="float64")
    k = refnn.zeros(S, 4, dtype="float64")
    v = refnn.Tensor(np.eye(S), requires_grad=True)
    refnn.manual_seed(7)
    out = F.scaled_dot_product_attention(q, k, v, dropout_p=p)
    kept = out.data != 0
    np.testing.assert_allclose(out.data[kept], 1.0 / (S * (1 - p)), rtol=1e-12)
    assert abs((~kept).mean() - p) < 0.02
    g = np.random.default_rng(3).standard_normal((L, S))
    out.backward(g)
    np.testing.assert_allclose(v.grad.data, out.data.T @ g, rtol=1e-12)  # grad_v = dropped weights^T @ g
    refnn.manual_seed(7)
    again = F.scaled_dot_product_attention(q, k, v, dropout_p=p)
    assert again.data.tobytes() == out.data.tobytes()
    refnn.manual_seed(8)
    assert F.scaled_dot_product_attention(q, k, v, dropout_p=p).data.tobytes() != out.data.tobytes()


def test_mha_dropout_train_and_eval():
    refnn.manual_seed(0)
    m = nn.MultiheadAttention(8, 2, dropout=0.4).double()
    rng = np.random.default_rng(4)
    q, k, v = (refnn.Tensor(rng.standard_normal((30, 4, 8))) for _ in range(3))
    m.eval()
    _, clean = m(q, k, v, average_attn_weights=False)
    _, clean_again = m(q, k, v, average_attn_weights=False)
    assert clean.data.tobytes() == clean_again.data.tobytes()
    m.train()
    refnn.manual_seed(5)
    _, dropped = m(q, k, v, average_attn_weights=False)
    kept = dropped.data != 0
    assert abs((~kept).mean() - 0.4) < 0.03
    np.testing.assert_allclose(dropped.data[kept], clean.data[kept] / 0.6, rtol=1e-12)


def test_mha_structure():
    m = nn.MultiheadAttention(8, 2, kdim=3, vdim=5, add_bias_kv=True)
    names = [n for n, _ in m.named_parameters()]
    assert names == ["q_proj_weight", "k_proj_weight", "v_proj_weight", "in_proj_bias", "bias_k", "bias_v",
                     "out_proj.weight", "out_proj.bias"]
    assert m.in_proj_weight is None and m.head_dim == 4 and not m._qkv_same_embed_dim
    assert type(m.out_proj).__name__ == "NonDynamicallyQuantizableLinear"
    assert (m.in_proj_bias.data == 0).all() and (m.out_proj.bias.data == 0).all()
    bound = np.sqrt(6.0 / (8 + 3))  # xavier_uniform_ of k_proj_weight (8, 3)
    assert np.abs(m.k_proj_weight.data).max() <= bound
    with pytest.raises(AssertionError):
        nn.MultiheadAttention(10, 3)


def test_merge_masks_matches_torch():
    import torch
    rng = np.random.default_rng(6)
    attn = rng.standard_normal((4, 4))
    padding = rng.standard_normal((2, 4))
    query = np.zeros((2, 4, 8))
    tm = torch.nn.MultiheadAttention(8, 2, batch_first=True).double()
    rm = nn.MultiheadAttention(8, 2, batch_first=True).double()
    for a, p in [(attn, None), (None, padding), (attn, padding), (rng.standard_normal((4, 4, 4)), padding)]:
        expected, kind = tm.merge_masks(None if a is None else torch.tensor(a),
                                        None if p is None else torch.tensor(p), torch.tensor(query))
        got, got_kind = rm.merge_masks(None if a is None else refnn.Tensor(a),
                                       None if p is None else refnn.Tensor(p), refnn.Tensor(query))
        assert got_kind == kind
        np.testing.assert_array_equal(got.data, expected.numpy())
