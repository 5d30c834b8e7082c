"""The Tensor API beyond the registry: dtype objects, torch's print format, generators, and the
determinism of the reduction kernel (bit-identical at 1 and 2 threads, independent of the row order)."""
import copy
import pickle

import numpy as np
import pytest
import torch

import refnn

DTYPES = ["float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool"]


# ---------------------------------------------------------------- dtypes
@pytest.mark.parametrize("name", DTYPES)
def test_dtype_prints_compares_and_converts_like_torch(name):
    r, t = getattr(refnn, name), getattr(torch, name)
    assert repr(r) == repr(t).replace("torch.", "refnn.") and str(r) == str(t).replace("torch.", "refnn.")
    assert r.is_floating_point == t.is_floating_point
    assert r.is_complex == t.is_complex and r.is_signed == t.is_signed
    assert r.itemsize == t.itemsize
    np_dtype = np.dtype(np.bool_ if name == "bool" else name)
    assert r == np_dtype and np_dtype == r and r == np_dtype.type and np_dtype.type == r
    assert np.dtype(r) == np_dtype
    assert np.zeros(2, dtype=r).dtype == np_dtype and np.ones(2).astype(r).dtype == np_dtype
    assert {np_dtype: 1}[r] == 1
    assert pickle.loads(pickle.dumps(r)) is r and copy.deepcopy(r) is r


def test_dtype_aliases_and_inequality():
    assert refnn.float is refnn.float32 and refnn.double is refnn.float64 and refnn.long is refnn.int64
    assert refnn.int is refnn.int32 and refnn.half is refnn.float16 and refnn.short is refnn.int16
    assert refnn.float32 != refnn.float64 and refnn.float32 != np.float64 and refnn.float32 != "int64"
    assert refnn.float32 != None  # noqa: E711
    x = refnn.tensor([1.0])
    assert x.dtype == np.float32 and x.dtype == refnn.float32 and x.dtype is refnn.float32
    assert np.finfo(x.dtype).eps == np.finfo(np.float32).eps
    assert x.to(np.float64).dtype is refnn.float64 and x.to("double").dtype is refnn.float64


def test_tensor_dtype_inference_matches_torch():
    cases = [[1, 2], [1.5], [True], np.arange(3, dtype=np.int32), np.arange(3, dtype=np.uint8),
             np.zeros(2, dtype=np.float16), np.zeros(2), np.float64(1.0), np.int32(3), 3, 2.5,
             [np.float64(1.0), 2.0], [np.float32(1.0)], [np.int32(1), 2.5], [[np.float64(1)], [np.float64(2)]]]
    for data in cases:
        r, t = refnn.tensor(data), torch.tensor(data)
        assert str(r.dtype).split(".")[1] == str(t.dtype).split(".")[1], data
        assert r.shape == tuple(t.shape)


def test_creation_kwargs_and_devices():
    x = refnn.zeros(2, 3, dtype=refnn.float64, requires_grad=True)
    assert x.requires_grad and x.dtype is refnn.float64
    assert refnn.ones(2, device="cpu").device.type == "cpu"
    with pytest.raises(RuntimeError):
        refnn.zeros(2, device="cuda")
    with pytest.raises(RuntimeError):
        refnn.zeros(2, dtype=refnn.int64, requires_grad=True)
    y = refnn.tensor([1.0, 2.0]).to("cpu")
    assert y.cpu() is y and y.to(refnn.float32) is y


# ---------------------------------------------------------------- repr
REPR_VALUES = [
    [1.0, 2.0], [[1.0, 2.0]], [0.1, 2.5, -3.25], [1e-5, 1.0], [1e9, 1.0], [123456.0, 0.5], [0.0, 0.0],
    [float("nan"), 1.0, float("inf"), -float("inf")], [1.0, float("nan")], [-0.0, 0.0], [1e-20],
    [[1.5, -2.25], [1000.0, 0.001]], [3.0], 2.5, -7.0, [1, 2, 3], [[-1, 100], [5, 0]], [True, False],
    np.linspace(-3, 3, 30).tolist(), list(range(2000)), np.linspace(0, 1, 1500).tolist(),
    np.arange(24.0).reshape(2, 3, 4).tolist(), np.arange(2000.0).reshape(2, 1000).tolist(),
    [[[0.5]]], [],
]


@pytest.mark.parametrize("values", REPR_VALUES, ids=range(len(REPR_VALUES)))
def test_repr_matches_torch(values):
    t = torch.tensor(values)
    r = refnn.tensor(values)
    assert repr(r) == repr(t)


@pytest.mark.parametrize("dtype", ["float64", "int32", "float16", "uint8"])
def test_repr_dtype_suffix(dtype):
    values = np.array([[1.5, 2.0], [3.0, 4.0]]).astype(dtype)
    assert repr(refnn.tensor(values)) == repr(torch.tensor(values)).replace("torch.", "refnn.")
    empty = np.zeros((0, 3), dtype=dtype)
    assert repr(refnn.tensor(empty)) == repr(torch.tensor(empty)).replace("torch.", "refnn.")


def test_repr_random_values_match_torch():
    rng = np.random.default_rng(0)
    for scale in (1e-6, 1e-3, 1.0, 1e3, 1e7, 1e10):
        for shape in ((5,), (3, 4), (2, 2, 3), (40,), (7, 9)):
            a = (rng.standard_normal(shape) * scale).astype(np.float32)
            assert repr(refnn.tensor(a)) == repr(torch.tensor(a)), (scale, shape)


def test_repr_grad_and_requires_grad():
    a = np.array([[1.0, 2.0]], dtype=np.float32)
    rt, tt = refnn.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    assert repr(rt) == repr(tt)
    for f in (lambda x: x * 2, lambda x: x.sum(), lambda x: x.sum(1), lambda x: x.mean(), lambda x: x.exp(),
              lambda x: x.max(), lambda x: x.abs(), lambda x: x.clone(), lambda x: x.cumsum(1)):
        assert repr(f(rt)) == repr(f(tt))


# ---------------------------------------------------------------- generators
def test_manual_seed_makes_every_random_function_repeat():
    def draw():
        return [refnn.rand(5).data, refnn.randn(3, 2).data, refnn.randint(0, 10, (4,)).data,
                refnn.randperm(6).data, refnn.normal(1.0, 2.0, size=(3,)).data,
                refnn.bernoulli(refnn.full((5,), 0.5)).data]
    refnn.manual_seed(123)
    first = draw()
    refnn.manual_seed(123)
    again = draw()
    for a, b in zip(first, again):
        assert a.tobytes() == b.tobytes()
    refnn.manual_seed(124)
    assert refnn.rand(5).data.tobytes() != first[0].tobytes()


def test_generator_state_round_trip_and_private_streams():
    g = refnn.Generator().manual_seed(7)
    assert g.initial_seed() == 7
    state = g.get_state()
    a = refnn.rand(4, generator=g).data
    g.set_state(state)
    assert refnn.rand(4, generator=g).data.tobytes() == a.tobytes()
    h = refnn.Generator().manual_seed(7)
    assert refnn.rand(4, generator=h).data.tobytes() == a.tobytes()
    assert g.uniform(0, 1) == h.uniform(0, 1)       # NumPy's methods are forwarded
    assert isinstance(refnn.manual_seed(0), refnn.Generator)
    with pytest.raises(TypeError):
        refnn.manual_seed(1.5)
    with pytest.raises(RuntimeError):
        g.set_state(refnn.tensor(np.frombuffer(b"not a state", dtype=np.uint8)))


# ---------------------------------------------------------------- reduction kernel
def test_reductions_bit_identical_across_threads_and_layouts():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((64, 3000)).astype(np.float32)
    saved = refnn.get_num_threads()
    from refnn._functions import _util
    saved_min = _util.PARALLEL_MIN_WORK
    try:
        results = []
        for n in (1, 2):
            refnn.set_num_threads(n)
            _util.PARALLEL_MIN_WORK = 0
            t = refnn.tensor(x)
            results.append([t.sum(1).data.tobytes(), t.var(1).data.tobytes(), t.norm(dim=1).data.tobytes(),
                            t.prod(0).data.tobytes(), t.mean().data.tobytes()])
        assert results[0] == results[1]
    finally:
        refnn.set_num_threads(saved)
        _util.PARALLEL_MIN_WORK = saved_min
    # a row's sum does not depend on where the row sits or on the layout it is read from
    t = refnn.tensor(x)
    assert t.sum(1).data[5].tobytes() == refnn.tensor(x[5:6].copy()).sum(1).data[0].tobytes()
    assert refnn.tensor(x.T.copy()).sum(0).data.tobytes() == t.sum(1).data.tobytes()


def test_float32_sum_is_the_rounded_exact_sum():
    rng = np.random.default_rng(2)
    x = (rng.standard_normal(100000) * 10.0 ** rng.integers(-3, 4, 100000)).astype(np.float32)
    exact = sum(map(float, x.astype(np.float64)))    # Python's float sum of the float32 values ...
    import math
    exact = math.fsum(x.astype(np.float64))          # ... and the correctly rounded one
    assert refnn.tensor(x).sum().item() == np.float32(exact)


def test_sum_of_infinities_and_nan():
    assert np.isnan(refnn.tensor([np.inf, -np.inf, 1.0]).sum().item())
    assert refnn.tensor([np.inf, 1.0, 2.0]).sum().item() == np.inf
    assert np.isnan(refnn.tensor([1.0, np.nan]).mean().item())


# ---------------------------------------------------------------- in place and graph
def test_inplace_on_graph_tensor_keeps_earlier_saved_values():
    a = np.array([0.5, 1.5, -2.0], dtype=np.float32)
    g = np.array([1.0, -2.0, 0.5], dtype=np.float32)
    for lib in (torch, refnn):
        x = lib.tensor(a, requires_grad=True)
        y = x * 2
        y.sin_()           # sin saves its input: the value before this call, not y's new one
        y.mul_(3)
        z = y.exp_()
        z.backward(lib.tensor(g) if lib is torch else g)
        if lib is torch:
            expected = x.grad.numpy()
        else:
            np.testing.assert_allclose(x.grad.data, expected, rtol=1e-6)


def test_inplace_on_leaf_without_grad_writes_through_views():
    x = refnn.tensor([[1.0, -2.0], [3.0, -4.0]])
    row = x[1]
    x.clamp_(min=0)
    assert row.tolist() == [3.0, 0.0] and x.tolist() == [[1.0, 0.0], [3.0, 0.0]]
    x += 1
    assert row.tolist() == [4.0, 1.0]


def test_namedtuple_and_top_level_functions():
    x = refnn.tensor([[1.0, 5.0], [7.0, 2.0]])
    values, indices = refnn.max(x, dim=1)
    assert values.tolist() == [5.0, 7.0] and indices.tolist() == [1, 0]
    assert x.min(0).indices.tolist() == [0, 1]
    assert refnn.matmul(x, x).tolist() == (torch.tensor(x.data) @ torch.tensor(x.data)).tolist()
    with pytest.raises(TypeError):
        refnn.sum([1.0, 2.0])
