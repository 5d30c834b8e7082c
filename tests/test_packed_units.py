"""Packed sequences beyond the registry: a packed batch gives each sequence the bits it gets alone, the
refusal of lengths longer than the padded input, and PackedSequence's tuple behaviour."""
import numpy as np
import pytest

import refnn
from refnn.nn.utils import rnn as R

CONFIGS = [("LSTM", {}), ("LSTM", {"bidirectional": True, "num_layers": 2, "proj_size": 2}),
           ("GRU", {"bidirectional": True}), ("RNN", {"nonlinearity": "relu", "num_layers": 2}),
           ("RNN", {"bidirectional": True})]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,kwargs", CONFIGS, ids=[f"{n}-{'-'.join(k)}" for n, k in CONFIGS])
def test_packed_rows_have_the_bits_of_each_sequence_alone(name, kwargs, dtype):
    """Step t of a packed batch runs its first batch_sizes[t] rows with the unpacked per-row arithmetic (the
    gemm's sums do not depend on the row count), so outputs, h_n and the input gradient are bit-identical to
    running every sequence alone."""
    refnn.manual_seed(3)
    m = getattr(refnn.nn, name)(3, 5, **kwargs).to(dtype)
    rng = np.random.default_rng(0)
    lengths = [2, 6, 1, 4, 6]
    x = rng.uniform(-1, 1, (6, 5, 3)).astype(dtype)
    xt = refnn.tensor(x, requires_grad=True)
    out, hidden = m(R.pack_padded_sequence(xt, lengths, enforce_sorted=False))
    padded, _ = R.pad_packed_sequence(out)
    h_n = hidden[0] if name == "LSTM" else hidden
    grad = rng.standard_normal(padded.shape).astype(dtype)
    padded.backward(refnn.tensor(grad))
    for b, n in enumerate(lengths):
        xb = refnn.tensor(x[:n, b:b + 1].copy(), requires_grad=True)
        out_b, hidden_b = m(xb)
        assert np.array_equal(out_b.data[:, 0], padded.data[:n, b])
        assert np.array_equal((hidden_b[0] if name == "LSTM" else hidden_b).data[:, 0], h_n.data[:, b])
        out_b.backward(refnn.tensor(grad[:n, b:b + 1].copy()))
        assert np.array_equal(xb.grad.data[:, 0], xt.grad.data[:n, b])
        assert not xt.grad.data[n:, b].any()


def test_lengths_longer_than_the_input_are_refused():
    """torch returns a PackedSequence whose batch_sizes promise more rows than its data holds (and an RNN then
    reads past them); refnn refuses it before anything runs."""
    import torch
    from torch.nn.utils import rnn as TR
    broken = TR.pack_padded_sequence(torch.ones(2, 2, 3), [3, 1])
    assert int(broken.batch_sizes.sum()) > broken.data.shape[0]
    with pytest.raises(RuntimeError, match="exceeds the padded sequence length"):
        R.pack_padded_sequence(refnn.ones(2, 2, 3), [3, 1])


def test_packed_sequence_is_a_named_tuple():
    packed = R.pack_sequence([refnn.ones(3, 2), refnn.ones(1, 2), refnn.ones(2, 2)], enforce_sorted=False)
    data, batch_sizes, sorted_indices, unsorted_indices = packed
    assert packed._fields == ("data", "batch_sizes", "sorted_indices", "unsorted_indices")
    assert batch_sizes.tolist() == [3, 2, 1] and sorted_indices.tolist() == [0, 2, 1]
    assert unsorted_indices.tolist() == [0, 2, 1]
    assert packed.to(refnn.float32) is packed
    assert packed.double().data.dtype == refnn.float64 and packed.double().batch_sizes is batch_sizes
    assert R.PackedSequence((data, batch_sizes)).sorted_indices is None


@pytest.mark.parametrize("batch_sizes", [[1, 3], [3, 0], [2, 1], [2, -1], [[2, 2]], []])
def test_inconsistent_batch_sizes_are_refused(batch_sizes):
    """A hand-made PackedSequence whose batch_sizes do not describe its data (torch reads past, or ignores,
    rows for some of these) is refused before any kernel runs, by the layers and by pad_packed_sequence."""
    packed = R.PackedSequence(refnn.ones(4, 3), refnn.tensor(np.array(batch_sizes, dtype=np.int64)))
    with pytest.raises(RuntimeError, match="batch_sizes"):
        refnn.nn.LSTM(3, 4)(packed)
    with pytest.raises(RuntimeError, match="batch_sizes"):
        R.pad_packed_sequence(packed)
    with pytest.raises(TypeError, match="batch_sizes"):
        refnn.nn.GRU(3, 4)(R.PackedSequence(refnn.ones(4, 3), refnn.ones(2) * 2))


def test_huge_total_length_is_refused_by_the_allocation_cap():
    packed = R.pack_sequence([refnn.ones(2, 3), refnn.ones(1, 3)])
    with pytest.raises(RuntimeError, match="allocation cap"):
        R.pad_packed_sequence(packed, total_length=1 << 40)
