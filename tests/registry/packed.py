"""Packed recurrent inputs: nn.utils.rnn (pad_sequence, unpad_sequence, pack_padded_sequence,
pad_packed_sequence, pack_sequence, unpack_sequence, invert_permutation, PackedSequence) and nn.RNN, nn.LSTM,
nn.GRU taking and returning a PackedSequence (outputs, batch_sizes, the sorted/unsorted indices and h_n
compared; gradients through the packed data and h0)."""
import sys

from tests.harness import ErrorCase, ModuleCase, OpCase, T


def _lib_of(F):
    return sys.modules[F.__name__.split(".")[0]]


def _R(F):
    return sys.modules[F.__name__.rsplit(".", 1)[0]].utils.rnn


def _lengths(F, lengths, kind):
    if kind == "list":
        return list(lengths)
    lib = _lib_of(F)
    return lib.tensor(list(lengths), dtype=getattr(lib, kind))


def pad(**kwargs):
    def call(F, *sequences):
        return _R(F).pad_sequence(list(sequences), **kwargs)
    return call


def pack(lengths, kind="list", **kwargs):
    def call(F, x):
        return _R(F).pack_padded_sequence(x, _lengths(F, lengths, kind), **kwargs)
    return call


def pack_then_pad(lengths, enforce_sorted=True, pack_batch_first=False, **kwargs):
    def call(F, x):
        R = _R(F)
        packed = R.pack_padded_sequence(x, lengths, batch_first=pack_batch_first, enforce_sorted=enforce_sorted)
        return R.pad_packed_sequence(packed, **kwargs)
    return call


def pack_sequence(enforce_sorted=True, unpack=False):
    def call(F, *sequences):
        R = _R(F)
        packed = R.pack_sequence(list(sequences), enforce_sorted=enforce_sorted)
        return tuple(R.unpack_sequence(packed)) if unpack else packed
    return call


def unpad(lengths, batch_first=False):
    def call(F, x):
        lib = _lib_of(F)
        # torch transposes a (T, B, *) argument in place: hand it a copy, so the case's tensor is unchanged
        return tuple(_R(F).unpad_sequence(x.clone(), lib.tensor(lengths), batch_first=batch_first))
    return call


def invert(F, perm):
    lib = _lib_of(F)
    return _R(F).invert_permutation(lib.tensor(perm))


def packed_to(F, x):
    R = _R(F)
    packed = R.pack_padded_sequence(x, [3, 2, 2], enforce_sorted=True)
    lib = _lib_of(F)
    return packed.to(lib.float64), packed.double().data, packed.float().data


def packed_rnn(name, lengths, *ctor_args, enforce_sorted=True, batch_first=False, padded_output=False, **ctor):
    """A module: pack its input with ``lengths``, run nn.<name> (as ``rnn``) on it, return what it returns
    (or the output padded again with pad_packed_sequence)."""
    def builder(nn, F):
        R = nn.utils.rnn

        class Packed(nn.Module):
            def __init__(self):
                super().__init__()
                self.rnn = getattr(nn, name)(*ctor_args, batch_first=batch_first, **ctor)

            def forward(self, x, *hx):
                packed = R.pack_padded_sequence(x, lengths, batch_first=batch_first, enforce_sorted=enforce_sorted)
                state = None if not hx else hx[0] if len(hx) == 1 else tuple(hx)
                output, hidden = self.rnn(packed, state)
                if padded_output:
                    output = R.pad_packed_sequence(output, batch_first=batch_first, total_length=x.shape[
                        1 if batch_first else 0])
                return output, hidden
        return Packed()
    return builder


NG = {"requires_grad": False}

CASES = [
    # ---------------------------------------------------------- pad_sequence / unpad_sequence
    OpCase(op="pad_sequence", desc="right", call=pad(), args=(T((4, 3)), T((2, 3)), T((5, 3)))),
    OpCase(op="pad_sequence", desc="batch_first_value", call=pad(batch_first=True, padding_value=-2.5),
           args=(T((4, 3)), T((2, 3)), T((5, 3)))),
    OpCase(op="pad_sequence", desc="left", call=pad(padding_side="left"), args=(T((1, 2, 2)), T((3, 2, 2)))),
    OpCase(op="pad_sequence", desc="left_batch_first", call=pad(padding_side="left", batch_first=True),
           args=(T((4,)), T((2,)), T((3,)))),
    OpCase(op="pad_sequence", desc="one_sequence", call=pad(), args=(T((3, 2)),)),
    OpCase(op="pad_sequence", desc="empty_sequence", call=pad(batch_first=True), args=(T((0, 2)), T((2, 2)))),
    OpCase(op="pad_sequence", desc="noncontig", call=pad(), args=(T((3, 4), layout="transposed"), T((2, 4)))),
    OpCase(op="pad_sequence", desc="broadcast_into_slot", call=pad(batch_first=True),
           args=(T((3, 2, 3)), T((2, 1, 3)), T((1, 2, 1)), T((2, 3)))),
    OpCase(op="pack_padded_sequence", desc="two_dim_input", call=pack([3, 1], enforce_sorted=False),
           args=(T((3, 2)),)),
    OpCase(op="unpad_sequence", desc="time_major", call=unpad([3, 1, 4]), args=(T((4, 3, 2)),)),
    OpCase(op="unpad_sequence", desc="batch_first", call=unpad([2, 5], batch_first=True), args=(T((2, 5, 3)),)),

    # ---------------------------------------------------------- pack_padded_sequence / pad_packed_sequence
    OpCase(op="pack_padded_sequence", desc="sorted_list", call=pack([4, 2, 1]), args=(T((4, 3, 2)),)),
    OpCase(op="pack_padded_sequence", desc="sorted_int64_tensor", call=pack([4, 4, 2], "int64"),
           args=(T((5, 3, 2)),)),
    OpCase(op="pack_padded_sequence", desc="int32_tensor_batch_first", call=pack([3, 1], "int32", batch_first=True),
           args=(T((2, 4, 3)),)),
    OpCase(op="pack_padded_sequence", desc="float_lengths", call=pack([3.0, 2.0], "float32"),
           args=(T((3, 2, 2)),)),
    OpCase(op="pack_padded_sequence", desc="unsorted", call=pack([2, 4, 1, 4], enforce_sorted=False),
           args=(T((4, 4, 3)),)),
    OpCase(op="pack_padded_sequence", desc="unsorted_batch_first_ties",
           call=pack([2, 3, 2, 3, 1], "int64", enforce_sorted=False, batch_first=True), args=(T((5, 3, 2)),)),
    OpCase(op="pack_padded_sequence", desc="all_full_length", call=pack([3, 3]), args=(T((3, 2, 1, 2)),)),
    OpCase(op="pack_padded_sequence", desc="batch_one", call=pack([2]), args=(T((3, 1, 2)),)),
    OpCase(op="pack_padded_sequence", desc="noncontig", call=pack([3, 1], enforce_sorted=False),
           args=(T((3, 2, 4), layout="strided"),)),
    OpCase(op="pad_packed_sequence", desc="round_trip", call=pack_then_pad([4, 2, 1]), args=(T((4, 3, 2)),)),
    OpCase(op="pad_packed_sequence", desc="batch_first_value_total_length",
           call=pack_then_pad([3, 2], batch_first=True, padding_value=7.0, total_length=6), args=(T((3, 2, 2)),)),
    OpCase(op="pad_packed_sequence", desc="unsorted", call=pack_then_pad([1, 3, 2], enforce_sorted=False),
           args=(T((3, 3, 2)),)),
    OpCase(op="pad_packed_sequence", desc="unsorted_batch_first_both",
           call=pack_then_pad([2, 4, 1], enforce_sorted=False, pack_batch_first=True, batch_first=True,
                              total_length=4), args=(T((3, 4, 2)),)),
    OpCase(op="pack_sequence", desc="sorted", call=pack_sequence(), args=(T((4, 2)), T((3, 2)), T((1, 2)))),
    OpCase(op="pack_sequence", desc="unsorted", call=pack_sequence(enforce_sorted=False),
           args=(T((2, 3)), T((4, 3)), T((1, 3)), T((4, 3)))),
    OpCase(op="unpack_sequence", desc="unsorted", call=pack_sequence(enforce_sorted=False, unpack=True),
           args=(T((2, 3)), T((4, 3)), T((1, 3)))),
    OpCase(op="invert_permutation", desc="five", call=invert, args=([3, 0, 4, 1, 2],), grad=False,
           dtypes=("float32",)),
    OpCase(op="PackedSequence.to", desc="dtypes", call=packed_to, args=(T((3, 3, 2)),), dtypes=("float32",)),

    # ---------------------------------------------------------- recurrent layers on packed input
    ModuleCase(module=packed_rnn("LSTM", [5, 3, 3, 1], 3, 4), name="LSTM", desc="packed_sorted",
               inputs=(T((5, 4, 3)),)),
    ModuleCase(module=packed_rnn("LSTM", [3, 5, 1, 4], 3, 4, enforce_sorted=False), name="LSTM",
               desc="packed_unsorted_h0_c0", inputs=(T((5, 4, 3)), T((1, 4, 4)), T((1, 4, 4)))),
    ModuleCase(module=packed_rnn("LSTM", [2, 5, 4], 3, 5, enforce_sorted=False, num_layers=2, bidirectional=True,
                                 proj_size=2), name="LSTM", desc="packed_proj_two_layers_bidirectional",
               inputs=(T((5, 3, 3)),)),
    ModuleCase(module=packed_rnn("LSTM", [4, 2, 2], 3, 4, batch_first=True, bidirectional=True, padded_output=True),
               name="LSTM", desc="packed_batch_first_bidirectional_padded",
               inputs=(T((3, 4, 3)), T((2, 3, 4)), T((2, 3, 4)))),
    ModuleCase(module=packed_rnn("LSTM", [3, 3, 2], 3, 4, num_layers=3, dropout=0.4), name="LSTM",
               desc="packed_dropout_eval", inputs=(T((3, 3, 3)),), train=False),
    ModuleCase(module=packed_rnn("GRU", [4, 3, 1], 3, 4), name="GRU", desc="packed_sorted", inputs=(T((4, 3, 3)),)),
    ModuleCase(module=packed_rnn("GRU", [1, 4, 2, 4], 3, 4, enforce_sorted=False, bidirectional=True, num_layers=2),
               name="GRU", desc="packed_unsorted_bidirectional_h0",
               inputs=(T((4, 4, 3)), T((4, 4, 4)))),
    ModuleCase(module=packed_rnn("GRU", [3, 1], 3, 4, batch_first=True, bias=False, padded_output=True),
               name="GRU", desc="packed_batch_first_no_bias_padded", inputs=(T((2, 3, 3)),)),
    ModuleCase(module=packed_rnn("RNN", [5, 2, 2, 1], 3, 4), name="RNN", desc="packed_tanh", inputs=(T((5, 4, 3)),)),
    ModuleCase(module=packed_rnn("RNN", [2, 3, 1], 3, 4, enforce_sorted=False, nonlinearity="relu",
                                 bidirectional=True), name="RNN", desc="packed_relu_unsorted_bidirectional",
               inputs=(T((3, 3, 3)), T((2, 3, 4)))),
    ModuleCase(module=packed_rnn("RNN", [1], 3, 4, num_layers=2), name="RNN", desc="packed_one_step_batch_one",
               inputs=(T((1, 1, 3)),)),
    ModuleCase(module=packed_rnn("LSTM", [6, 6, 5, 3, 3, 1], 4, 6, enforce_sorted=False, bidirectional=True),
               name="LSTM", desc="packed_longer_bidirectional", inputs=(T((6, 6, 4)),)),

    # ---------------------------------------------------------- errors
    ErrorCase(op="pack_padded_sequence", desc="unsorted_enforced", call=lambda lib, x: pack([2, 3])(lib.F, x),
              args=(T((3, 2, 2)),)),
    ErrorCase(op="pack_padded_sequence", desc="zero_length", call=lambda lib, x: pack([3, 0])(lib.F, x),
              args=(T((3, 2, 2)),)),
    ErrorCase(op="pack_padded_sequence", desc="zero_length_unsorted",
              call=lambda lib, x: pack([0, 3], enforce_sorted=False)(lib.F, x), args=(T((3, 2, 2)),)),
    ErrorCase(op="pack_padded_sequence", desc="lengths_count", call=lambda lib, x: pack([3, 2, 1])(lib.F, x),
              args=(T((3, 2, 2)),)),
    ErrorCase(op="pack_padded_sequence", desc="lengths_2d",
              call=lambda lib, x: lib.nn.utils.rnn.pack_padded_sequence(x, lib.tensor([[3, 2]])),
              args=(T((3, 2, 2)),)),
    ErrorCase(op="pack_padded_sequence", desc="empty_input", call=lambda lib, x: pack([1, 1])(lib.F, x),
              args=(T((0, 2, 2)),)),
    ErrorCase(op="pad_sequence", desc="empty_list", call=lambda lib: lib.nn.utils.rnn.pad_sequence([])),
    ErrorCase(op="pad_sequence", desc="not_iterable", call=lambda lib: lib.nn.utils.rnn.pad_sequence(3)),
    ErrorCase(op="pad_sequence", desc="padding_side", call=lambda lib, a: pad(padding_side="middle")(lib.F, a),
              args=(T((2, 3)),)),
    ErrorCase(op="pad_sequence", desc="trailing_mismatch", call=lambda lib, a, b: pad()(lib.F, a, b),
              args=(T((2, 3)), T((1, 4)))),
    ErrorCase(op="pad_packed_sequence", desc="total_length_short",
              call=lambda lib, x: pack_then_pad([3, 2], total_length=2)(lib.F, x), args=(T((3, 2, 2)),)),
    ErrorCase(op="pack_sequence", desc="empty_list", call=lambda lib: lib.nn.utils.rnn.pack_sequence([])),
    ErrorCase(op="PackedSequence", desc="data_not_pair",
              call=lambda lib, x: lib.nn.utils.rnn.PackedSequence(x), args=(T((3, 2)),)),
    ErrorCase(op="LSTM", desc="packed_hidden_batch", dtypes=("float32",), call=lambda lib, x, h, c: packed_rnn("LSTM", [3, 2], 3, 4)(
        lib.nn, lib.F)(x, h, c), args=(T((3, 2, 3)), T((1, 3, 4)), T((1, 3, 4)))),
    ErrorCase(op="GRU", desc="packed_input_size", dtypes=("float32",), call=lambda lib, x: packed_rnn("GRU", [3, 2], 4, 4)(
        lib.nn, lib.F)(x), args=(T((3, 2, 3)),)),
    ErrorCase(op="RNN", desc="packed_hidden_layers", dtypes=("float32",), call=lambda lib, x, h: packed_rnn("RNN", [3, 2], 3, 4)(
        lib.nn, lib.F)(x, h), args=(T((3, 2, 3)), T((2, 2, 4)))),
]
