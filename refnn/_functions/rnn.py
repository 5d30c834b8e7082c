"""Recurrent layers and cells as compositions of verified pieces, through autograd.

Every step is F.linear (the gemm kernel), F.sigmoid / F.tanh / F.relu, Tensor
arithmetic and :func:`refnn._functions.attention.split`; the gradients are those
pieces' gradients.  The order of operations follows torch's CPU implementation
(aten/src/ATen/native/RNN.cpp): the input projection of a whole layer is computed
once, ``gates = linear(h, w_hh, b_hh) + input_gates[t]`` at each step.

Letters: T sequence length, B batch, I input features, H hidden size, P projection
size (LSTM proj_size), G gates (1, 3 or 4 blocks of H), D directions, L layers.
"""
from ..tensor import stack
from .attention import chunk, split


def _F():
    from ..nn import functional
    return functional


# ---------------------------------------------------------------- cells (one step)
def _simple_step(activation):
    def step(input_gates, hidden, w_hh, b_hh):
        """h' = act(W_hh h + b_hh + input_gates)."""
        return activation(_F().linear(hidden, w_hh, b_hh) + input_gates)
    return step


def _lstm_step(input_gates, hidden, w_hh, b_hh, w_hr=None):
    """gates = W_hh h + b_hh + input_gates -> i, f, g, o; c' = f c + i g; h' = W_hr (o tanh(c'))."""
    F = _F()
    hx, cx = hidden
    gates = F.linear(hx, w_hh, b_hh) + input_gates
    ingate, forgetgate, cellgate, outgate = chunk(gates, 4, dim=1)
    ingate = F.sigmoid(ingate)
    forgetgate = F.sigmoid(forgetgate)
    cellgate = F.tanh(cellgate)
    outgate = F.sigmoid(outgate)
    cy = forgetgate * cx + ingate * cellgate
    hy = outgate * F.tanh(cy)
    if w_hr is not None:
        hy = F.linear(hy, w_hr)
    return hy, cy


def _gru_step(input_gates, hidden, w_hh, b_hh):
    """r = sig(h_r + i_r), z = sig(h_z + i_z), n = tanh(i_n + r h_n); h' = (h - n) z + n."""
    F = _F()
    i_r, i_z, i_n = chunk(input_gates, 3, dim=1)
    h_r, h_z, h_n = chunk(F.linear(hidden, w_hh, b_hh), 3, dim=1)
    reset_gate = F.sigmoid(h_r + i_r)
    input_gate = F.sigmoid(h_z + i_z)
    new_gate = F.tanh(i_n + h_n * reset_gate)
    return (hidden - new_gate) * input_gate + new_gate


def rnn_tanh_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    return _simple_step(_F().tanh)(_F().linear(input, w_ih, b_ih), hx, w_hh, b_hh)


def rnn_relu_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    return _simple_step(_F().relu)(_F().linear(input, w_ih, b_ih), hx, w_hh, b_hh)


def lstm_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    return _lstm_step(_F().linear(input, w_ih, b_ih), hx, w_hh, b_hh)


def gru_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    return _gru_step(_F().linear(input, w_ih, b_ih), hx, w_hh, b_hh)


# ---------------------------------------------------------------- full layers
def _unbind0(x):
    """(n, ...) -> n Tensors of shape (...), through one split node."""
    if x.shape[0] == 1:
        return [x.reshape(x.shape[1:])]
    return [piece.reshape(piece.shape[1:]) for piece in split(x, [1] * x.shape[0], dim=0)]


def _direction(step, input, hidden, params, reverse, output_of):
    """Run one direction of one layer over input (T, B, I): returns (outputs (T, B, H), last hidden)."""
    w_ih, w_hh, b_ih, b_hh, extra = params
    input_gates = _unbind0(_F().linear(input, w_ih, b_ih))       # T x (B, G)
    steps = range(len(input_gates) - 1, -1, -1) if reverse else range(len(input_gates))
    outputs = [None] * len(input_gates)
    for t in steps:
        hidden = step(input_gates[t], hidden, w_hh, b_hh, *extra)
        outputs[t] = output_of(hidden)
    return stack(outputs), hidden


def _layer_params(flat_weights, has_biases, has_projection, index):
    per = 2 + (2 if has_biases else 0) + (1 if has_projection else 0)
    group = flat_weights[index * per:(index + 1) * per]
    w_ih, w_hh = group[0], group[1]
    b_ih, b_hh = (group[2], group[3]) if has_biases else (None, None)
    extra = (group[-1],) if has_projection else ()
    return w_ih, w_hh, b_ih, b_hh, extra


def _run(step, input, hiddens, flat_weights, has_biases, num_layers, dropout, train, bidirectional,
         batch_first, has_projection, output_of):
    """Stack of layers: hiddens is a list of L * D per-(layer, direction) states, each (B, H)."""
    F = _F()
    from ..tensor import cat
    if batch_first:
        input = input.transpose(0, 1)
    num_directions = 2 if bidirectional else 1
    layer_input = input
    finals = []
    for layer in range(num_layers):
        outputs = []
        for direction in range(num_directions):
            index = layer * num_directions + direction
            params = _layer_params(flat_weights, has_biases, has_projection, index)
            out, last = _direction(step, layer_input, hiddens[index], params, direction == 1, output_of)
            outputs.append(out)
            finals.append(last)
        layer_output = outputs[0] if num_directions == 1 else cat(outputs, dim=2)
        if dropout != 0 and train and layer < num_layers - 1:
            layer_output = F.dropout(layer_output, p=dropout, training=True)
        layer_input = layer_output
    output = layer_input.transpose(0, 1) if batch_first else layer_input
    return output, finals


def _simple(activation):
    def run(input, hx, flat_weights, has_biases, num_layers, dropout, train, bidirectional, batch_first):
        """input (T, B, I) (or (B, T, I)), hx (L * D, B, H) -> (output (T, B, D * H), h_n (L * D, B, H))."""
        output, finals = _run(_simple_step(activation), input, _unbind0(hx), flat_weights, has_biases,
                              num_layers, dropout, train, bidirectional, batch_first, False, lambda h: h)
        return output, stack(finals)
    return run


def rnn_tanh(input, hx, flat_weights, has_biases, num_layers, dropout, train, bidirectional, batch_first):
    return _simple(_F().tanh)(input, hx, flat_weights, has_biases, num_layers, dropout, train, bidirectional,
                              batch_first)


def rnn_relu(input, hx, flat_weights, has_biases, num_layers, dropout, train, bidirectional, batch_first):
    return _simple(_F().relu)(input, hx, flat_weights, has_biases, num_layers, dropout, train, bidirectional,
                              batch_first)


def gru(input, hx, flat_weights, has_biases, num_layers, dropout, train, bidirectional, batch_first):
    output, finals = _run(_gru_step, input, _unbind0(hx), flat_weights, has_biases, num_layers, dropout,
                          train, bidirectional, batch_first, False, lambda h: h)
    return output, stack(finals)


def lstm(input, hx, flat_weights, has_biases, num_layers, dropout, train, bidirectional, batch_first,
         has_projection=False):
    """hx = (h_0 (L * D, B, P or H), c_0 (L * D, B, H)) -> (output, h_n, c_n)."""
    hiddens = list(zip(_unbind0(hx[0]), _unbind0(hx[1])))
    output, finals = _run(_lstm_step, input, hiddens, flat_weights, has_biases, num_layers, dropout, train,
                          bidirectional, batch_first, has_projection, lambda state: state[0])
    return output, stack([h for h, _ in finals]), stack([c for _, c in finals])
