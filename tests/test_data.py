"""refnn.utils.data against torch.utils.data: the same batches (contents, dtypes, lengths) for the same
order; shuffled orders come from refnn's generator (not torch's stream), so they are checked to be
permutations, deterministic under refnn.manual_seed."""
import collections

import numpy as np
import pytest
import torch
import torch.utils.data as tdata

import refnn
import refnn.utils.data as rdata

X = np.arange(46, dtype=np.float32).reshape(23, 2)
Y = np.arange(23, dtype=np.int64) % 5


def _datasets():
    return (tdata.TensorDataset(torch.from_numpy(X), torch.from_numpy(Y)),
            rdata.TensorDataset(refnn.tensor(X), refnn.tensor(Y)))


def _same(r, t):
    if isinstance(t, torch.Tensor):
        assert isinstance(r, refnn.Tensor), type(r)
        assert r.dtype == t.numpy().dtype and r.shape == tuple(t.shape)
        np.testing.assert_array_equal(r.data, t.numpy())
    elif isinstance(t, dict):
        assert type(r) is type(t) and list(r) == list(t)
        for k in t:
            _same(r[k], t[k])
    elif isinstance(t, (list, tuple)):
        assert type(r) is type(t) and len(r) == len(t), (type(r), type(t))
        for a, b in zip(r, t):
            _same(a, b)
    else:
        assert r == t and type(r) is type(t)


@pytest.mark.parametrize("kwargs", [dict(), dict(batch_size=4), dict(batch_size=4, drop_last=True),
                                    dict(batch_size=23), dict(batch_size=50), dict(batch_size=None)])
def test_sequential_batches_equal_torch(kwargs):
    tds, rds = _datasets()
    tl, rl = tdata.DataLoader(tds, **kwargs), rdata.DataLoader(rds, **kwargs)
    assert len(rl) == len(tl)
    tb, rb = list(tl), list(rl)
    assert len(rb) == len(tb)
    for r, t in zip(rb, tb):
        _same(r, t)


def test_samplers_and_subsets_give_torch_batches_for_the_same_indices():
    tds, rds = _datasets()
    order = [5, 3, 22, 0, 9, 9, 14]
    bs = [[1, 2], [7], [20, 3, 4]]
    for kwargs in (dict(sampler=order, batch_size=3), dict(batch_sampler=bs)):
        for r, t in zip(rdata.DataLoader(rds, **kwargs), tdata.DataLoader(tds, **kwargs)):
            _same(r, t)
    _same(rdata.Subset(rds, [4, 1])[1], tdata.Subset(tds, [4, 1])[1])
    rc, tc = rdata.ConcatDataset([rds, rds]), tdata.ConcatDataset([tds, tds])
    assert len(rc) == len(tc)
    for i in (0, 22, 23, 45, -1, -46):
        _same(rc[i], tc[i])
    assert list(rdata.BatchSampler(range(10), 3, False)) == list(tdata.BatchSampler(range(10), 3, False))
    assert list(rdata.BatchSampler(range(10), 3, True)) == list(tdata.BatchSampler(range(10), 3, True))
    assert list(rdata.SequentialSampler(rds)) == list(tdata.SequentialSampler(tds))


Point = collections.namedtuple("Point", "x y")


@pytest.mark.parametrize("batch", [
    [1.5, 2.0, -3.0], [1, 2, 3], [True, False], ["a", "b"],
    [np.float32(1.5), np.float32(2)], [np.int32(1), np.int32(4)],
    [np.ones((2, 3), np.float32), np.zeros((2, 3), np.float32)], [np.arange(3, dtype=np.int32)] * 2,
    [{"a": 1.0, "b": np.ones(2)}, {"a": 2.0, "b": np.zeros(2)}],
    [(1, 2.0), (3, 4.0)], [[1, 2.0], [3, 4.0]], [Point(1, 2.0), Point(3, 4.0)],
])
def test_default_collate_equals_torch(batch):
    t = tdata.default_collate(batch)
    r = rdata.default_collate(batch)
    _same(r, t)


def test_default_collate_of_tensors_and_errors():
    a = np.random.default_rng(0).standard_normal((3, 4))
    _same(rdata.default_collate([refnn.tensor(a), refnn.tensor(a * 2)]),
          tdata.default_collate([torch.from_numpy(a), torch.from_numpy(a * 2)]))
    for bad, exc in (([[1, 2], [3]], RuntimeError), ([object(), object()], TypeError),
                     ([np.array(["x"]), np.array(["y"])], TypeError)):
        with pytest.raises(exc) as t_info:
            tdata.default_collate(bad)
        with pytest.raises(exc) as r_info:
            rdata.default_collate(bad)
        assert str(r_info.value) == str(t_info.value)


def test_shuffle_is_a_permutation_and_deterministic_under_manual_seed():
    _, rds = _datasets()
    epochs = []
    for _ in range(2):
        refnn.manual_seed(7)
        loader = rdata.DataLoader(rds, batch_size=5, shuffle=True)
        epochs.append([np.concatenate([b[1].data for b in loader]) for _ in range(2)])
    assert all(np.array_equal(a, b) for a, b in zip(*epochs))
    assert not np.array_equal(epochs[0][0], epochs[0][1])          # a new order each epoch
    seen = np.sort(np.concatenate([b[0].data[:, 0] for b in rdata.DataLoader(rds, batch_size=5, shuffle=True)]))
    np.testing.assert_array_equal(seen, X[:, 0])
    g1, g2 = np.random.default_rng(3), np.random.default_rng(3)
    assert list(rdata.RandomSampler(rds, generator=g1)) == list(rdata.RandomSampler(rds, generator=g2))
    assert sorted(rdata.SubsetRandomSampler([3, 8, 1], generator=g1)) == [1, 3, 8]
    with_replacement = list(rdata.RandomSampler(rds, replacement=True, num_samples=40))
    assert len(with_replacement) == 40 and all(0 <= i < 23 for i in with_replacement)
    assert len(list(rdata.RandomSampler(rds, num_samples=50))) == 50


@pytest.mark.parametrize("lengths", [[10, 13], [0.5, 0.5], [0.3, 0.3, 0.4], [0.1, 0.9]])
def test_random_split_lengths_equal_torch_and_partition(lengths):
    tds, rds = _datasets()
    t_parts = tdata.random_split(tds, lengths, generator=torch.Generator().manual_seed(0))
    refnn.manual_seed(0)
    r_parts = rdata.random_split(rds, lengths)
    assert [len(p) for p in r_parts] == [len(p) for p in t_parts]
    assert sorted(i for p in r_parts for i in p.indices) == list(range(23))
    refnn.manual_seed(0)
    assert [p.indices for p in rdata.random_split(rds, lengths)] == [p.indices for p in r_parts]
    with pytest.raises(ValueError, match="Sum of input lengths does not equal"):
        rdata.random_split(rds, [3, 4])


def test_iterable_dataset_batches_equal_torch():
    def make(base):
        class Stream(base):
            def __iter__(self):
                return iter([np.float32(i) for i in range(11)])

            def __len__(self):
                return 11
        return Stream()
    for kwargs in (dict(batch_size=4), dict(batch_size=4, drop_last=True), dict(batch_size=None)):
        tl, rl = tdata.DataLoader(make(tdata.IterableDataset), **kwargs), \
            rdata.DataLoader(make(rdata.IterableDataset), **kwargs)
        tb, rb = list(tl), list(rl)
        assert len(rb) == len(tb) and len(rl) == len(tl)
        for r, t in zip(rb, tb):
            _same(r, t)


def test_argument_errors_match_torch():
    tds, rds = _datasets()
    cases = [dict(sampler=[1, 2], shuffle=True), dict(batch_sampler=[[1]], batch_size=2),
             dict(batch_size=None, drop_last=True), dict(num_workers=-1), dict(batch_size=0)]
    for kwargs in cases:
        with pytest.raises(ValueError) as t_info:
            tdata.DataLoader(tds, **kwargs)
        with pytest.raises(ValueError) as r_info:
            rdata.DataLoader(rds, **kwargs)
        assert str(r_info.value) == str(t_info.value)
    with pytest.raises(AssertionError, match="Size mismatch between tensors"):
        rdata.TensorDataset(refnn.zeros(3), refnn.zeros(4))


def test_workers_return_the_single_process_batches_in_order():
    _, rds = _datasets()
    refnn.manual_seed(3)
    single = list(rdata.DataLoader(rds, batch_size=3, shuffle=True))
    refnn.manual_seed(3)
    forked = list(rdata.DataLoader(rds, batch_size=3, shuffle=True, num_workers=2))
    assert len(forked) == len(single)
    for a, b in zip(forked, single):
        np.testing.assert_array_equal(a[0].data, b[0].data)
        np.testing.assert_array_equal(a[1].data, b[1].data)
