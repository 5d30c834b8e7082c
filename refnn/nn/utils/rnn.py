"""Packed and padded recurrent inputs (torch's ``torch.nn.utils.rnn``): PackedSequence, pad_sequence,
unpad_sequence, pack_padded_sequence, pad_packed_sequence, pack_sequence, unpack_sequence, invert_permutation.

A PackedSequence holds ``data`` (N, *): for t = 0, 1, ..., the rows of the batch_sizes[t] longest sequences at
step t; ``batch_sizes`` (T,) int64, non-increasing; ``sorted_indices`` (the batch order by decreasing length,
or None when the input was sorted) and ``unsorted_indices`` (its inverse).  The row moves are autograd
functions (:mod:`refnn._functions.packed`), so gradients flow through ``data``.
"""
from collections import namedtuple
from collections.abc import Iterable

import numpy as np

from ..._functions import packed as _packed
from ..._shape import check_allocation
from ...tensor import Tensor

__all__ = ["PackedSequence", "invert_permutation", "pack_padded_sequence", "pad_packed_sequence", "pad_sequence",
           "unpad_sequence", "pack_sequence", "unpack_sequence"]

_PackedSequenceBase = namedtuple("PackedSequence_", ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])


def _bind(optional, fn):
    return None if optional is None else fn(optional)


class PackedSequence(_PackedSequenceBase):
    """(data, batch_sizes, sorted_indices, unsorted_indices), built by pack_padded_sequence or pack_sequence."""

    __slots__ = ()

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        return super().__new__(cls, *_packed_sequence_init_args(data, batch_sizes, sorted_indices,
                                                                 unsorted_indices))

    def to(self, *args, **kwargs):
        """data.to(...); the index tensors stay as they are (refnn has one device)."""
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        return type(self)(data, self.batch_sizes, self.sorted_indices, self.unsorted_indices)

    def cpu(self, *args, **kwargs):
        return self.to(*args, **kwargs)

    def pin_memory(self):
        return self

    def double(self):
        return self.to(dtype=np.float64)

    def float(self):
        return self.to(dtype=np.float32)

    def half(self):
        return self.to(dtype=np.float16)

    def long(self):
        return self.to(dtype=np.int64)

    def int(self):
        return self.to(dtype=np.int32)

    def short(self):
        return self.to(dtype=np.int16)

    def char(self):
        return self.to(dtype=np.int8)

    def byte(self):
        return self.to(dtype=np.uint8)

    @property
    def is_cuda(self):
        return False

    def is_pinned(self):
        return False


def _packed_sequence_init_args(data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
    if unsorted_indices is None:
        unsorted_indices = invert_permutation(sorted_indices)
    if batch_sizes is not None:
        return data, batch_sizes, sorted_indices, unsorted_indices
    if not (isinstance(data, (list, tuple)) and len(data) == 2):
        raise AssertionError("Expected data to be a list or tuple of length 2")
    return data[0], data[1], sorted_indices, unsorted_indices


def _checked_batch_sizes(data, batch_sizes):
    """batch_sizes as int64 values, refused (RuntimeError) unless they describe ``data``: a non-empty 1-d
    integer tensor of positive, non-increasing counts summing to data's rows.  torch reads past or ignores rows
    for some of these; refnn never lets a kernel see them."""
    if not isinstance(batch_sizes, Tensor) or batch_sizes.data.dtype.kind not in "iu":
        raise TypeError(f"PackedSequence: batch_sizes must be an integer Tensor, got "
                        f"{getattr(batch_sizes, 'dtype', type(batch_sizes).__name__)}")
    sizes = batch_sizes.data.astype(np.int64)
    if sizes.ndim != 1 or sizes.shape[0] == 0:
        raise RuntimeError(f"PackedSequence: batch_sizes must be a non-empty 1-D tensor, got shape "
                           f"{list(sizes.shape)}")
    if sizes.min() < 1 or (sizes[1:] > sizes[:-1]).any():
        raise RuntimeError(f"PackedSequence: batch_sizes must be positive and non-increasing, got {sizes.tolist()}")
    rows = data.shape[0] if data.dim() else 0
    if int(sizes.sum()) != rows:
        raise RuntimeError(f"PackedSequence: batch_sizes sum to {int(sizes.sum())}, but data has {rows} rows")
    return sizes


def invert_permutation(permutation):
    """output[permutation[i]] = i (None for None)."""
    if permutation is None:
        return None
    perm = permutation.data.reshape(-1).astype(np.int64)
    output = np.empty_like(perm)
    output[perm] = np.arange(perm.shape[0], dtype=np.int64)
    return Tensor(output.reshape(permutation.shape))


def _torch_type(array):
    return {"int64": "Long", "int32": "Int", "float32": "Float", "float64": "Double", "bool": "Bool",
            "int16": "Short", "int8": "Char", "uint8": "Byte"}.get(array.dtype.name, array.dtype.name)


def _check_sort_order(input, batch_dim, order):
    """torch's index_select errors when there are more lengths than sequences (its kernel's messages)."""
    size = input.shape[batch_dim]
    bad = order[order >= size]
    if not bad.size:
        return
    if size == 0 and input.dim() > 1:
        raise RuntimeError("index_select(): self indexing axis dim should be positive")
    if batch_dim == 0 and (input.numel() or input.dim() == 1):
        raise IndexError("index out of range in self")
    raise RuntimeError(f"INDICES element is out of DATA bounds, id={int(bad[0])} axis_dim={size}")


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Pack a padded batch (T, B, *) (or (B, T, *) with batch_first) of sequences of the given lengths."""
    if isinstance(lengths, Tensor):
        lengths = lengths.data.astype(np.int64)
    else:
        lengths = np.asarray(lengths, dtype=np.int64)
    sorted_indices = None
    if not enforce_sorted:
        # torch.sort(descending=True) on the CPU is stable: ties keep their order
        order = np.argsort(-lengths, kind="stable")
        lengths = lengths[order]
        sorted_indices = Tensor(order.astype(np.int64))
        batch_dim = 0 if batch_first else 1
        if input.dim() > batch_dim:
            _check_sort_order(input, batch_dim, order)
        input = input.index_select(batch_dim, sorted_indices)
    # torch's checks, in its order: the lengths' rank, an empty input, then the input's rank
    if lengths.ndim != 1:
        raise RuntimeError(f"'lengths' argument should be a 1D CPU int64 tensor, but got {lengths.ndim}D cpu "
                           f"{_torch_type(lengths)} tensor")
    if input.numel() == 0:
        raise RuntimeError("Cannot pack empty tensors.")
    if input.dim() < 2:
        low = -max(input.dim(), 1)
        raise IndexError(f"Dimension out of range (expected to be in range of [{low}, {-low - 1}], but got 1)")
    if batch_first:
        input = input.transpose(0, 1)
    batch_size = input.shape[1]
    if lengths.shape[0] != batch_size:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got {lengths.shape[0]} "
                           f"(batch_size={batch_size})")
    if lengths[-1] <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element in 'lengths' "
                           "that is <= 0")
    if (lengths[1:] > lengths[:-1]).any():
        raise RuntimeError("`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. You "
                           "can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to "
                           "sidestep this requirement if you do not need ONNX exportability.")
    if lengths[0] > input.shape[0]:
        # torch builds a PackedSequence whose batch_sizes promise more rows than its data holds; refnn refuses
        raise RuntimeError(f"pack_padded_sequence: the longest length ({int(lengths[0])}) exceeds the padded "
                           f"sequence length ({input.shape[0]})")
    batch_sizes = (lengths[None, :] > np.arange(lengths[0], dtype=np.int64)[:, None]).sum(axis=1).astype(np.int64)
    steps, rows = _packed.packed_rows(batch_sizes)
    data = _packed.PackPadded.apply(input, steps, rows)
    return PackedSequence(data, Tensor(batch_sizes), sorted_indices, None)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """(padded (T, B, *) or (B, T, *), lengths (B,) int64), in the original batch order."""
    batch_sizes = _checked_batch_sizes(sequence.data, sequence.batch_sizes)
    max_seq_length = batch_sizes.shape[0]
    if total_length is not None:
        if total_length < max_seq_length:
            raise ValueError("Expected total_length to be at least the length of the longest sequence in input, but "
                             f"got total_length={total_length} and max sequence length being {max_seq_length}")
        max_seq_length = total_length
    steps, rows = _packed.packed_rows(batch_sizes)
    batch = int(batch_sizes[0])
    check_allocation("pad_packed_sequence", (max_seq_length, batch) + tuple(sequence.data.shape[1:]),
                     sequence.data.data.dtype.itemsize)
    padded = _packed.PadPacked.apply(sequence.data, steps, rows, max_seq_length, batch, padding_value)
    lengths = (batch_sizes[None, :] > np.arange(batch, dtype=np.int64)[:, None]).sum(axis=1).astype(np.int64)
    if batch_first:
        padded = padded.transpose(0, 1)
    lengths = Tensor(lengths)
    if sequence.unsorted_indices is not None:
        unsorted = sequence.unsorted_indices
        return padded.index_select(0 if batch_first else 1, unsorted), Tensor(lengths.data[unsorted.data])
    return padded, lengths


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stack sequences (L_i, *) into (max L, B, *) (or (B, max L, *)), padded with padding_value on the
    padding_side."""
    if not isinstance(sequences, Iterable):
        raise RuntimeError(f"pad_sequence: Expected iterable for input sequences, but got arg of type: "
                           f"{type(sequences)}")
    sequences = tuple(sequences)
    if len(sequences) == 0:
        raise RuntimeError("received an empty list of sequences")
    if padding_side not in ("left", "right"):
        raise RuntimeError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    first = sequences[0]
    for s in sequences:
        if s.dim() == 0:
            raise RuntimeError("pad_sequence: every sequence needs at least one dimension (its length), got a 0-d "
                               "tensor")
        # each sequence is copied into its (L_i, *first.shape[1:]) slot: its shape must broadcast to that
        slot = (s.shape[0],) + tuple(first.shape[1:])
        if s.dim() > len(slot):
            raise RuntimeError(f"pad_sequence: a sequence of shape {list(s.shape)} does not fit the slot "
                               f"{list(slot)} the first sequence sets")
        for d in range(1, s.dim() + 1):
            a, b = slot[-d], s.shape[-d]
            if b != a and b != 1:
                raise RuntimeError(f"The size of tensor a ({a}) must match the size of tensor b ({b}) at "
                                   f"non-singleton dimension {len(slot) - d}")
    sequences = tuple(s if s.dtype == first.dtype else s.to(first.dtype) for s in sequences)
    check_allocation("pad_sequence", (len(sequences), max(s.shape[0] for s in sequences)) + tuple(first.shape[1:]),
                     first.data.dtype.itemsize)
    return _packed.PadSequence.apply(bool(batch_first), padding_value, padding_side == "left", *sequences)


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """The list of sequences padded[:, b][:lengths[b]] (batch_first: padded[b][:lengths[b]]).

    torch transposes a (T, B, *) argument in place (``transpose_``); refnn leaves the argument as it is."""
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    unpadded_sequences = []
    for seq, length in zip(padded_sequences, lengths, strict=True):
        unpadded_sequences.append(seq.narrow(0, 0, min(max(int(length), 0), seq.shape[0])))
    return unpadded_sequences


def pack_sequence(sequences, enforce_sorted=True):
    """pack_padded_sequence(pad_sequence(sequences), their lengths)."""
    lengths = [v.size(0) for v in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences):
    """The list of sequences a PackedSequence holds, in the original order."""
    padded_sequences, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded_sequences, lengths, batch_first=True)
