"""Units for the embedding kernels' specification order and the parameter containers' API (held to torch)."""
import collections

import numpy as np
import pytest
import torch

import refnn
import refnn.nn as rnn
from refnn._kernels import embedding as K


def _accumulate_spec(src, src_row, factor, index, padding_idx, row_scale, out):
    """The documented order: out[index[n]] += src[src_row[n]] * factor[n] * row_scale[index[n]], n ascending."""
    out = out.copy()
    for n, k in enumerate(index):
        if k == padding_idx:
            continue
        term = src[src_row[n] if len(src_row) else n]
        if len(factor) and len(row_scale):
            term = term * factor[n] * row_scale[k]
        elif len(factor) or len(row_scale):
            term = term * (factor[n] if len(factor) else row_scale[k])
        out[k] = out[k] + term
    return out


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("threads", [1, 2, 3, 8])
@pytest.mark.parametrize("variant", ["plain", "rows", "factor", "scale", "both", "padding"])
def test_accumulate_rows_is_its_spec_loop(dtype, threads, variant):
    rng = np.random.default_rng(7)
    rows, dim, n = 6, 5, 40
    index = rng.integers(0, rows, n).astype(np.int64)
    src = rng.standard_normal((n, dim)).astype(dtype)
    src_row = rng.integers(0, n, n).astype(np.int64) if variant in ("rows", "both") else np.empty(0, np.int64)
    factor = rng.standard_normal(n).astype(dtype) if variant in ("factor", "both") else np.empty(0, dtype)
    scale = rng.standard_normal(rows).astype(dtype) if variant in ("scale", "both") else np.empty(0, dtype)
    padding = 2 if variant == "padding" else -1
    start = rng.standard_normal((rows, dim)).astype(dtype)
    out = start.copy()
    K.accumulate_rows(src, src_row, factor, index, padding, scale, out, threads)
    expected = _accumulate_spec(src, src_row, factor, index, padding, scale, start)
    assert out.tobytes() == expected.tobytes()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("mode", [0, 1, 2])
@pytest.mark.parametrize("threads", [1, 3])
def test_bag_fwd_is_its_spec_loop(dtype, mode, threads):
    rng = np.random.default_rng(3)
    rows, dim = 5, 4
    weight = rng.integers(-2, 3, (rows, dim)).astype(dtype) + rng.standard_normal((rows, dim)).astype(dtype) * (
        rng.random((rows, dim)) < 0.5)
    index = rng.integers(0, rows, 13).astype(np.int64)
    offsets = np.array([0, 3, 3, 8, 13], np.int64)
    psw = rng.standard_normal(13).astype(dtype) if mode == 0 else np.empty(0, dtype)
    out = np.empty((4, dim), dtype)
    size = np.empty(4, np.int64)
    argmax = np.empty((4, dim) if mode == 2 else (0, 0), np.int64)
    K.bag_fwd(weight, index, offsets, psw, mode, 1, out, size, argmax, threads)
    for b in range(4):
        members = [n for n in range(offsets[b], offsets[b + 1]) if index[n] != 1]
        assert size[b] == len(members)
        acc = np.zeros(dim, dtype)
        for i, n in enumerate(members):
            row = weight[index[n]]
            if mode == 2:
                better = (row > acc) | (i == 0)
                acc = np.where(better, row, acc)
            else:
                acc = acc + (row * psw[n] if mode == 0 else row)
        if mode == 1 and members:
            acc = acc / dtype(len(members))
        assert out[b].tobytes() == acc.tobytes()


def test_embedding_gradient_same_bits_at_any_thread_count():
    rng = np.random.default_rng(0)
    weight = rng.standard_normal((50, 16)).astype(np.float32)
    index = rng.integers(0, 50, (30, 20))
    grad = rng.standard_normal((30, 20, 16)).astype(np.float32)
    results = []
    for threads in (1, 2, 5):
        refnn.set_num_threads(threads)
        w = refnn.Tensor(weight.copy(), requires_grad=True)
        refnn.nn.functional.embedding(refnn.tensor(index), w, scale_grad_by_freq=True).backward(grad)
        results.append(w.grad.data.tobytes())
    refnn.set_num_threads(1)
    assert results[0] == results[1] == results[2]


def test_parameter_list_api_as_torch():
    values = [np.ones((2, 3), np.float32), np.zeros(4, np.float32)]
    t = torch.nn.ParameterList([torch.nn.Parameter(torch.from_numpy(v.copy())) for v in values])
    r = rnn.ParameterList([rnn.Parameter(v.copy()) for v in values])
    t.append(torch.ones(5))
    r.append(refnn.ones(5))
    assert isinstance(r[2], rnn.Parameter) and r[2].requires_grad
    assert len(r) == len(t) == 3
    assert repr(r) == repr(t)
    assert repr(r[1:]) == repr(t[1:])
    assert list(r.state_dict()) == list(t.state_dict())
    assert r[-1].shape == tuple(t[-1].shape)
    for lib, obj in ((torch, t), (refnn, r)):
        with pytest.raises(IndexError, match="out of range"):
            obj[3]
        with pytest.raises(TypeError, match="iterable"):
            obj.extend(lib.ones(2))
        with pytest.raises(RuntimeError, match="should not be called"):
            obj()
    assert repr(rnn.ParameterList()) == repr(torch.nn.ParameterList())


def test_parameter_dict_api_as_torch():
    t = torch.nn.ParameterDict({"b": torch.nn.Parameter(torch.ones(2)), "a": torch.nn.Parameter(torch.ones(3))})
    r = rnn.ParameterDict({"b": rnn.Parameter(np.ones(2, np.float32)), "a": rnn.Parameter(np.ones(3, np.float32))})
    assert list(r.keys()) == list(t.keys()) == ["a", "b"]            # a plain dict is taken sorted
    t2 = torch.nn.ParameterDict(collections.OrderedDict([("z", torch.nn.Parameter(torch.ones(1))),
                                                         ("y", torch.nn.Parameter(torch.ones(1)))]))
    r2 = rnn.ParameterDict(collections.OrderedDict([("z", rnn.Parameter(np.ones(1, np.float32))),
                                                    ("y", rnn.Parameter(np.ones(1, np.float32)))]))
    assert list(r2.keys()) == list(t2.keys()) == ["z", "y"]
    t["c"] = torch.zeros(2, 2)
    r["c"] = refnn.zeros(2, 2)
    assert isinstance(r["c"], rnn.Parameter)
    assert repr(r) == repr(t)
    assert list(r.state_dict()) == list(t.state_dict())
    assert "a" in r and "q" not in r
    assert r.pop("a").shape == tuple(t.pop("a").shape)
    assert list(r.keys()) == list(t.keys())
    assert r.get("q") is None
    r.setdefault("q", None)
    t.setdefault("q", None)
    assert repr(r) == repr(t)
    for obj in (t, r):
        with pytest.raises(TypeError, match="not a string"):
            obj[1] = None
        with pytest.raises(ValueError, match="length 1"):
            obj.update([("x",)])
    assert repr(rnn.ParameterDict()) == repr(torch.nn.ParameterDict())


def test_embedding_init_and_from_pretrained_as_torch():
    e = rnn.Embedding(6, 3, padding_idx=-2)
    assert e.padding_idx == 4 and not np.any(e.weight.data[4])
    w = refnn.Tensor(np.arange(6.0, dtype=np.float32).reshape(3, 2))
    frozen = rnn.Embedding.from_pretrained(w)
    assert not frozen.weight.requires_grad
    assert rnn.Embedding.from_pretrained(w, freeze=False).weight.requires_grad
    assert not rnn.EmbeddingBag.from_pretrained(w).weight.requires_grad
    with pytest.raises(AssertionError, match="2-dimensional"):
        rnn.Embedding.from_pretrained(refnn.Tensor(np.ones(3, np.float32)))
    with pytest.raises(AssertionError, match="padding_idx must be within num_embeddings"):
        rnn.EmbeddingBag(3, 2, padding_idx=3)
