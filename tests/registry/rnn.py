"""Recurrent layers: nn.RNN (tanh, relu), nn.LSTM (with proj_size), nn.GRU, nn.RNNCell, nn.LSTMCell, nn.GRUCell."""
import numpy as np

from tests.harness import ErrorCase, ModuleCase, T


def with_nan(rng, shape, dtype):
    x = rng.uniform(-1, 1, size=shape).astype(dtype)
    x.reshape(-1)[1] = np.nan
    return x


def saturating(rng, shape, dtype):
    """Large inputs: tanh and sigmoid saturate (gradients near 0, outputs near +-1)."""
    return rng.uniform(-20, 20, size=shape).astype(dtype)


def lstm_call(**ctor):
    """(lib, x, h, c) -> nn.LSTM(3, 4, **ctor)(x, (h, c)), for error cases."""
    def call(lib, x, h, c):
        return lib.nn.LSTM(3, 4, **ctor)(x, (h, c))
    return call


def module_call(name, *ctor_args, **ctor):
    """(lib, *inputs) -> nn.<name>(*ctor_args, **ctor)(*inputs), for error cases."""
    def call(lib, *inputs):
        return getattr(lib.nn, name)(*ctor_args, **ctor)(*inputs)
    return call


def lstm_cell_call(lib, x, h, *rest):
    return lib.nn.LSTMCell(3, 4)(x, (h,) + rest)


CASES = [
    # ---------------------------------------------------------- RNN
    ModuleCase(module="RNN", desc="tanh", ctor_args=(3, 4), inputs=(T((5, 2, 3)),)),
    ModuleCase(module="RNN", desc="relu", ctor_args=(3, 4), ctor_kwargs={"nonlinearity": "relu"},
               inputs=(T((5, 2, 3)),)),
    ModuleCase(module="RNN", desc="relu_positional_two_layers", ctor_args=(3, 4, 2, "relu"),
               inputs=(T((4, 2, 3)),)),
    ModuleCase(module="RNN", desc="h0", ctor_args=(3, 4), inputs=(T((5, 2, 3)), T((1, 2, 4)))),
    ModuleCase(module="RNN", desc="two_layers_bidirectional_h0", ctor_args=(3, 4),
               ctor_kwargs={"num_layers": 2, "bidirectional": True}, inputs=(T((5, 2, 3)), T((4, 2, 4)))),
    ModuleCase(module="RNN", desc="batch_first_no_bias", ctor_args=(3, 4),
               ctor_kwargs={"batch_first": True, "bias": False}, inputs=(T((2, 5, 3)),)),
    ModuleCase(module="RNN", desc="unbatched", ctor_args=(3, 4), inputs=(T((5, 3)),)),
    ModuleCase(module="RNN", desc="unbatched_h0_batch_first", ctor_args=(3, 4), ctor_kwargs={"batch_first": True},
               inputs=(T((5, 3)), T((1, 4)))),
    ModuleCase(module="RNN", desc="seq_one_batch_one", ctor_args=(3, 4), inputs=(T((1, 1, 3)),)),
    ModuleCase(module="RNN", desc="batch_zero", ctor_args=(3, 4), inputs=(T((3, 0, 3)),)),
    ModuleCase(module="RNN", desc="noncontig", ctor_args=(3, 4), ctor_kwargs={"batch_first": True},
               inputs=(T((2, 5, 3), layout="strided"), T((1, 2, 4), layout="transposed"))),
    ModuleCase(module="RNN", desc="nan_input", ctor_args=(3, 4), inputs=(T((4, 2, 3), gen=with_nan),)),
    ModuleCase(module="RNN", desc="dropout_eval", ctor_args=(3, 4),
               ctor_kwargs={"num_layers": 2, "dropout": 0.5}, inputs=(T((4, 2, 3)),), train=False),

    # ---------------------------------------------------------- LSTM
    ModuleCase(module="LSTM", desc="basic", ctor_args=(3, 4), inputs=(T((5, 2, 3)),)),
    ModuleCase(module="LSTM", desc="h0_c0", ctor_args=(3, 4), inputs=(T((5, 2, 3)), (T((1, 2, 4)), T((1, 2, 4))))),
    ModuleCase(module="LSTM", desc="two_layers_bidirectional", ctor_args=(3, 4),
               ctor_kwargs={"num_layers": 2, "bidirectional": True},
               inputs=(T((4, 2, 3)), (T((4, 2, 4)), T((4, 2, 4))))),
    ModuleCase(module="LSTM", desc="proj_size", ctor_args=(3, 5), ctor_kwargs={"proj_size": 2},
               inputs=(T((4, 2, 3)),)),
    ModuleCase(module="LSTM", desc="proj_two_layers_bidirectional_h0", ctor_args=(3, 5),
               ctor_kwargs={"proj_size": 2, "num_layers": 2, "bidirectional": True},
               inputs=(T((4, 2, 3)), (T((4, 2, 2)), T((4, 2, 5))))),
    ModuleCase(module="LSTM", desc="proj_unbatched_no_bias", ctor_args=(3, 5),
               ctor_kwargs={"proj_size": 3, "bias": False}, inputs=(T((4, 3)), (T((1, 3)), T((1, 5))))),
    ModuleCase(module="LSTM", desc="batch_first_no_bias", ctor_args=(3, 4),
               ctor_kwargs={"batch_first": True, "bias": False}, inputs=(T((2, 5, 3)),)),
    ModuleCase(module="LSTM", desc="unbatched", ctor_args=(3, 4), inputs=(T((5, 3)),)),
    ModuleCase(module="LSTM", desc="unbatched_h0_c0", ctor_args=(3, 4), inputs=(T((5, 3)), (T((1, 4)), T((1, 4))))),
    ModuleCase(module="LSTM", desc="seq_one_batch_one", ctor_args=(3, 4), inputs=(T((1, 1, 3)),)),
    ModuleCase(module="LSTM", desc="batch_zero", ctor_args=(3, 4), inputs=(T((3, 0, 3)),)),
    ModuleCase(module="LSTM", desc="noncontig", ctor_args=(3, 4),
               inputs=(T((5, 2, 3), layout="negative"), (T((1, 2, 4), layout="transposed"), T((1, 2, 4))))),
    ModuleCase(module="LSTM", desc="saturating", ctor_args=(3, 4), inputs=(T((4, 2, 3), gen=saturating),)),
    ModuleCase(module="LSTM", desc="longer_sequence", ctor_args=(4, 6), inputs=(T((12, 3, 4)),)),
    ModuleCase(module="LSTM", desc="dropout_eval", ctor_args=(3, 4),
               ctor_kwargs={"num_layers": 3, "dropout": 0.3}, inputs=(T((4, 2, 3)),), train=False),

    # ---------------------------------------------------------- GRU
    ModuleCase(module="GRU", desc="basic", ctor_args=(3, 4), inputs=(T((5, 2, 3)),)),
    ModuleCase(module="GRU", desc="h0", ctor_args=(3, 4), inputs=(T((5, 2, 3)), T((1, 2, 4)))),
    ModuleCase(module="GRU", desc="three_layers_bidirectional_batch_first", ctor_args=(3, 4, 3),
               ctor_kwargs={"bidirectional": True, "batch_first": True}, inputs=(T((2, 4, 3)), T((6, 2, 4)))),
    ModuleCase(module="GRU", desc="no_bias", ctor_args=(3, 4), ctor_kwargs={"bias": False}, inputs=(T((5, 2, 3)),)),
    ModuleCase(module="GRU", desc="unbatched_h0", ctor_args=(3, 4), inputs=(T((5, 3)), T((1, 4)))),
    ModuleCase(module="GRU", desc="batch_zero", ctor_args=(3, 4), inputs=(T((3, 0, 3)),)),
    ModuleCase(module="GRU", desc="noncontig", ctor_args=(3, 4), inputs=(T((5, 2, 3), layout="strided"),)),
    ModuleCase(module="GRU", desc="saturating", ctor_args=(3, 4), inputs=(T((4, 2, 3), gen=saturating),)),
    ModuleCase(module="GRU", desc="dropout_eval", ctor_args=(3, 4),
               ctor_kwargs={"num_layers": 2, "dropout": 0.5}, inputs=(T((4, 2, 3)),), train=False),

    # ---------------------------------------------------------- cells
    ModuleCase(module="RNNCell", desc="tanh", ctor_args=(3, 4), inputs=(T((2, 3)), T((2, 4)))),
    ModuleCase(module="RNNCell", desc="relu_no_bias", ctor_args=(3, 4),
               ctor_kwargs={"bias": False, "nonlinearity": "relu"}, inputs=(T((2, 3)), T((2, 4)))),
    ModuleCase(module="RNNCell", desc="no_hidden", ctor_args=(3, 4), inputs=(T((2, 3)),)),
    ModuleCase(module="RNNCell", desc="unbatched", ctor_args=(3, 4), inputs=(T((3,)), T((4,)))),
    ModuleCase(module="RNNCell", desc="batch_zero", ctor_args=(3, 4), inputs=(T((0, 3)),)),
    ModuleCase(module="LSTMCell", desc="basic", ctor_args=(3, 4), inputs=(T((2, 3)), (T((2, 4)), T((2, 4))))),
    ModuleCase(module="LSTMCell", desc="no_hidden_no_bias", ctor_args=(3, 4), ctor_kwargs={"bias": False},
               inputs=(T((2, 3)),)),
    ModuleCase(module="LSTMCell", desc="unbatched", ctor_args=(3, 4), inputs=(T((3,)), (T((4,)), T((4,))))),
    ModuleCase(module="LSTMCell", desc="noncontig", ctor_args=(3, 4),
               inputs=(T((2, 3), layout="transposed"), (T((2, 4), layout="negative"), T((2, 4), layout="strided")))),
    ModuleCase(module="GRUCell", desc="basic", ctor_args=(3, 4), inputs=(T((2, 3)), T((2, 4)))),
    ModuleCase(module="GRUCell", desc="no_hidden_no_bias", ctor_args=(3, 4), ctor_kwargs={"bias": False},
               inputs=(T((2, 3)),)),
    ModuleCase(module="GRUCell", desc="unbatched", ctor_args=(3, 4), inputs=(T((3,)), T((4,)))),
    ModuleCase(module="GRUCell", desc="saturating", ctor_args=(3, 4), inputs=(T((2, 3), gen=saturating), T((2, 4)))),

    # ---------------------------------------------------------- constructor errors
    ErrorCase(op="RNN", desc="bad_nonlinearity", module=True, args=(3, 4), kwargs={"nonlinearity": "sigmoid"}),
    ErrorCase(op="RNN", desc="proj_size", module=True, args=(3, 4), kwargs={"proj_size": 2}),
    ErrorCase(op="GRU", desc="proj_size", module=True, args=(3, 4), kwargs={"proj_size": 2}),
    ErrorCase(op="LSTM", desc="proj_not_smaller", module=True, args=(3, 4), kwargs={"proj_size": 4}),
    ErrorCase(op="LSTM", desc="proj_negative", module=True, args=(3, 4), kwargs={"proj_size": -1}),
    ErrorCase(op="LSTM", desc="hidden_zero", module=True, args=(3, 0)),
    ErrorCase(op="GRU", desc="input_zero", module=True, args=(0, 3)),
    ErrorCase(op="RNN", desc="layers_zero", module=True, args=(3, 3), kwargs={"num_layers": 0}),
    ErrorCase(op="LSTM", desc="layers_float", module=True, args=(3, 3), kwargs={"num_layers": 1.5}),
    ErrorCase(op="LSTM", desc="dropout_above_one", module=True, args=(3, 3), kwargs={"dropout": 1.5}),
    ErrorCase(op="GRU", desc="dropout_bool", module=True, args=(3, 3), kwargs={"dropout": True}),
    ErrorCase(op="LSTM", desc="bias_int", module=True, args=(3, 3), kwargs={"bias": 1}),
    ErrorCase(op="RNN", desc="input_size_float", module=True, args=(3.0, 3)),
    ErrorCase(op="GRU", desc="hidden_size_float", module=True, args=(3, 3.0)),
    ErrorCase(op="LSTM", desc="batch_first_none", module=True, args=(3, 3), kwargs={"batch_first": None}),

    # ---------------------------------------------------------- forward errors
    ErrorCase(op="RNN", desc="input_4d", module=True, args=(3, 4), call_inputs=(T((5, 2, 2, 3)),)),
    ErrorCase(op="LSTM", desc="input_1d", module=True, args=(3, 4), call_inputs=(T((3,)),)),
    ErrorCase(op="GRU", desc="input_size_mismatch", module=True, args=(3, 4), call_inputs=(T((5, 2, 4)),)),
    ErrorCase(op="RNN", desc="seq_zero", module=True, args=(3, 4), call_inputs=(T((0, 2, 3)),)),
    ErrorCase(op="GRU", desc="hidden_batch_mismatch", module=True, args=(3, 4),
              call_inputs=(T((5, 2, 3)), T((1, 3, 4)))),
    ErrorCase(op="RNN", desc="hidden_layers_mismatch", module=True, args=(3, 4),
              call_inputs=(T((5, 2, 3)), T((2, 2, 4)))),
    ErrorCase(op="RNN", desc="batched_input_2d_hidden", module=True, args=(3, 4),
              call_inputs=(T((5, 2, 3)), T((2, 4)))),
    ErrorCase(op="GRU", desc="unbatched_input_3d_hidden", module=True, args=(3, 4),
              call_inputs=(T((5, 3)), T((1, 1, 4)))),
    ErrorCase(op="RNN", desc="dtype_mismatch", call=lambda lib, x: lib.nn.RNN(3, 4)(x.double()),
              args=(T((5, 2, 3)),), dtypes=("float32",)),
    ErrorCase(op="LSTM", desc="cell_state_size", call=lstm_call(), args=(T((5, 2, 3)), T((1, 2, 4)), T((1, 3, 4)))),
    ErrorCase(op="LSTM", desc="hidden_state_size", call=lstm_call(), args=(T((5, 2, 3)), T((1, 2, 5)), T((1, 2, 4)))),
    ErrorCase(op="LSTM", desc="proj_hidden_size", call=lstm_call(proj_size=2),
              args=(T((5, 2, 3)), T((1, 2, 4)), T((1, 2, 4)))),
    ErrorCase(op="LSTM", desc="batched_2d_states", call=lstm_call(), args=(T((5, 2, 3)), T((2, 4)), T((1, 2, 4)))),
    ErrorCase(op="LSTM", desc="unbatched_3d_states", call=lstm_call(),
              args=(T((5, 3)), T((1, 1, 4)), T((1, 1, 4)))),
    ErrorCase(op="RNNCell", desc="input_3d", module=True, args=(3, 4), call_inputs=(T((2, 2, 3)),)),
    ErrorCase(op="RNNCell", desc="hidden_3d", module=True, args=(3, 4), call_inputs=(T((2, 3)), T((1, 2, 4)))),
    ErrorCase(op="RNNCell", desc="input_size_mismatch", module=True, args=(3, 4), call_inputs=(T((2, 5)),)),
    ErrorCase(op="RNNCell", desc="bad_nonlinearity", call=module_call("RNNCell", 3, 4, nonlinearity="x"),
              args=(T((2, 3)),)),
    ErrorCase(op="GRUCell", desc="hidden_batch_mismatch", module=True, args=(3, 4),
              call_inputs=(T((2, 3)), T((3, 4)))),
    ErrorCase(op="GRUCell", desc="hidden_size_mismatch", module=True, args=(3, 4),
              call_inputs=(T((2, 3)), T((2, 5)))),
    ErrorCase(op="GRUCell", desc="unbatched_input_batched_hidden", module=True, args=(3, 4),
              call_inputs=(T((3,)), T((2, 4)))),
    ErrorCase(op="GRUCell", desc="hidden_dtype", call=lambda lib, x, h: lib.nn.GRUCell(3, 4)(x, h.double()),
              args=(T((2, 3)), T((2, 4))), dtypes=("float32",)),
    ErrorCase(op="LSTMCell", desc="one_state", call=lstm_cell_call, args=(T((2, 3)), T((2, 4)))),
    ErrorCase(op="LSTMCell", desc="cell_size_mismatch", call=lstm_cell_call, args=(T((2, 3)), T((2, 4)), T((2, 5)))),
    ErrorCase(op="LSTMCell", desc="state_3d", call=lstm_cell_call, args=(T((2, 3)), T((1, 2, 4)), T((2, 4)))),
]

# 0-d and empty inputs with gradients: empty batches (every layer, with states, batch_first, bidirectional,
# projections), cells with no input features or no hidden units (empty weights, zero gradients), and the
# 0-d and 1-d inputs torch refuses
CASES += [
    ModuleCase(module="RNN", desc="batch_zero_batch_first_bidirectional", ctor_args=(3, 4),
               ctor_kwargs={"num_layers": 2, "batch_first": True, "bidirectional": True}, inputs=(T((0, 5, 3)),)),
    ModuleCase(module="RNN", desc="batch_zero_h0_relu", ctor_args=(3, 4), ctor_kwargs={"nonlinearity": "relu"},
               inputs=(T((2, 0, 3)), T((1, 0, 4)))),
    ModuleCase(module="LSTM", desc="batch_zero_proj_states", ctor_args=(3, 5), ctor_kwargs={"proj_size": 2},
               inputs=(T((2, 0, 3)), (T((1, 0, 2)), T((1, 0, 5))))),
    ModuleCase(module="LSTM", desc="batch_zero_batch_first_two_layers", ctor_args=(3, 4),
               ctor_kwargs={"num_layers": 2, "batch_first": True}, inputs=(T((0, 3, 3)),)),
    ModuleCase(module="GRU", desc="batch_zero_h0_bidirectional", ctor_args=(3, 4), ctor_kwargs={"bidirectional": True},
               inputs=(T((2, 0, 3)), T((2, 0, 4)))),
    ModuleCase(module="RNNCell", desc="batch_zero_h0", ctor_args=(3, 4), inputs=(T((0, 3)), T((0, 4)))),
    ModuleCase(module="LSTMCell", desc="batch_zero", ctor_args=(3, 4), inputs=(T((0, 3)),)),
    ModuleCase(module="LSTMCell", desc="batch_zero_states", ctor_args=(3, 4), inputs=(T((0, 3)), (T((0, 4)), T((0, 4))))),
    ModuleCase(module="GRUCell", desc="batch_zero", ctor_args=(3, 4), inputs=(T((0, 3)),)),
    ModuleCase(module="RNNCell", desc="input_size_zero", ctor_args=(0, 4), inputs=(T((2, 0)), T((2, 4)))),
    ModuleCase(module="LSTMCell", desc="input_size_zero", ctor_args=(0, 3), inputs=(T((2, 0)),)),
    ModuleCase(module="GRUCell", desc="input_size_zero_unbatched", ctor_args=(0, 3), inputs=(T((0,)), T((3,)))),
    ModuleCase(module="RNNCell", desc="hidden_size_zero", ctor_args=(3, 0), inputs=(T((2, 3)),)),
    ModuleCase(module="LSTMCell", desc="hidden_size_zero", ctor_args=(3, 0), inputs=(T((2, 3)),)),
    ModuleCase(module="GRUCell", desc="hidden_size_zero", ctor_args=(3, 0), inputs=(T((2, 3)),)),
    ErrorCase(op="RNN", desc="input_0d", module=True, args=(3, 4), call_inputs=(T(()),)),
    ErrorCase(op="LSTM", desc="input_0d", module=True, args=(3, 4), call_inputs=(T(()),)),
    ErrorCase(op="GRU", desc="input_1d", module=True, args=(3, 4), call_inputs=(T((3,)),)),
    ErrorCase(op="RNNCell", desc="input_0d", module=True, args=(3, 4), call_inputs=(T(()),)),
    ErrorCase(op="LSTMCell", desc="input_0d", module=True, args=(3, 4), call_inputs=(T(()),)),
    ErrorCase(op="GRUCell", desc="input_0d", module=True, args=(3, 4), call_inputs=(T(()),)),
    ErrorCase(op="LSTM", desc="batch_zero_seq_zero", module=True, args=(3, 4), call_inputs=(T((0, 0, 3)),)),
]
