"""Recurrent layers and cells.

Cells (one step) are compositions of verified pieces through autograd: F.linear (the gemm kernel),
F.sigmoid / F.tanh / F.relu, Tensor arithmetic and :func:`refnn._functions.attention.split`.

Full layers run each layer and direction as one autograd node, :class:`Recurrence`: the input
projection of the whole sequence is one Linear, ``ig = x W_ih^T + b_ih`` (T * B rows), and the time
loop, the gates and the gradients run in :mod:`refnn._kernels.rnn` (see its docstring for the order
of every operation).  The order follows torch's CPU implementation (aten/src/ATen/native/RNN.cpp):
``gates = (h W_hh^T + b_hh) + ig[t]`` at each step.  The forward is bit-identical to the cells'
composition; the backward sums, over all T * B rows at once (row r = t * B + b, t ascending):

* ``grad_w_ih[j, k] = 0 + sum_r grad_ig[r, j] * x[r, k]``, ``grad_b_ih[j] = 0 + sum_r grad_ig[r, j]``;
* ``grad_w_hh[j, k] = 0 + sum_r grad_gh[r, j] * h_prev[r, k]``, ``grad_b_hh[j] = 0 + sum_r grad_gh[r, j]``,
  h_prev of step t being h0 at the first processed step;
* ``grad_w_hr[p, k] = 0 + sum_r grad_h[r, p] * (o tanh(c))[r, k]`` (LSTM projection);
* ``grad_input[r, k] = 0 + sum_j grad_ig[r, j] * w_ih[j, k]`` (j ascending),

each a gemm in the order of ``refnn._kernels.gemm.gemm_nt_spec`` (where grad_gh is grad_ig, RNN and LSTM, the
two weight gradients are the columns of one product with ``[x | h_prev]``: the same sums, one pass over grad_ig).

Packed input (a PackedSequence's data and batch_sizes): the stack runs on the padded layout (T, B, *),
built once from the packed rows, and the kernels run step t on its first batch_sizes[t] rows only.  Padding
rows hold zeros wherever a product over all T * B rows reads them (inputs, outputs, gradients), so they add
exact zeros to the weight gradients; each sequence's h_n is its output at its last step (the forward
direction) or at step 0 (the reverse one).  The output is packed again at the end.

Letters: T sequence length, B batch, I input features, H hidden size, P projection
size (LSTM proj_size), G gates (1, 3 or 4 blocks of H), D directions, L layers.
"""
import numpy as np

from .._kernels import gemm as _gemm
from .._kernels import rnn as _kernel
from ..autograd import Function
from ..tensor import Tensor, stack
from ._util import contiguous, threads
from .attention import chunk, split
from .linear import product
from .packed import PackPadded, PadPacked, packed_rows


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
_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _data(t, dtype):
    return None if t is None else contiguous(t.data, dtype)


def _sum_rows(g):
    out = np.empty(g.shape[1], dtype=g.dtype)
    _gemm.sum_rows(g, out)
    return out


def _alloc(packed):
    """np.empty, or np.zeros for a packed batch (padding rows that products over all rows read stay 0)."""
    return np.zeros if packed else np.empty


class Recurrence(Function):
    """One layer and direction over the whole sequence: (input (T, B, I), h0 (B, P), c0 (B, H) or None,
    w_ih, w_hh, b_ih, b_hh, w_hr) -> output (T, B, P), h_n (B, P)[, c_n (B, H)].

    ``batch_sizes`` (a list of T ints, non-increasing) runs a packed batch on the padded layout: step t
    runs the first batch_sizes[t] rows; the output's padding rows are 0."""

    @staticmethod
    def forward(ctx, mode, reverse, input, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, batch_sizes=None):
        x = input.data
        packed = batch_sizes is not None
        alloc = _alloc(packed)
        dtype = x.dtype
        T, B, I = x.shape
        H = w_hh.shape[0] // _GATES[mode]
        P = w_hh.shape[1]
        G = w_hh.shape[0]
        num_threads, pw_threads = threads(), threads(B * G)
        x2 = x.reshape(T * B, I)
        # ig[r, j] = (0 + sum_{k asc} x[r, k] * w_ih[j, k]) + b_ih[j]: Linear over all T * B rows.  With 3
        # rows or more the gemm reads w_ih^T (I, G) in place, where it would pack w_ih for every block of rows
        # (the same sums either way)
        if T * B >= 3:
            ig = product(x2, contiguous(w_ih.data.T, dtype), bias=_data(b_ih, dtype))
        else:
            ig = product(x2, w_ih.data, b_nk=True, bias=_data(b_ih, dtype))
        ig = ig.reshape(T, B, G)
        wh, bh = contiguous(w_hh.data, dtype), _data(b_hh, dtype)
        hx = contiguous(h0.data, dtype)
        out = alloc((T, B, P), dtype=dtype)
        last = 0 if reverse else T - 1
        ctx.mode, ctx.reverse, ctx.batch_sizes = mode, reverse, batch_sizes
        # the version check: backward reads these tensors' arrays (an in-place change is refused, never misused)
        ctx.save_for_backward(input, h0, c0, w_ih, w_hh, w_hr)
        ctx.weights = (contiguous(w_ih.data, dtype), wh, None if w_hr is None else contiguous(w_hr.data, dtype))
        ctx.has_bias = (b_ih is not None, b_hh is not None)
        ctx.x2, ctx.h0, ctx.out = x2, hx, out
        if mode == "LSTM":
            cx = contiguous(c0.data, dtype)
            act = alloc((T, B, G), dtype=dtype)
            cell = alloc((T, B, H), dtype=dtype)
            tcell = alloc((T, B, H), dtype=dtype)
            h = out if w_hr is None else alloc((T, B, H), dtype=dtype)
            wr = ctx.weights[2]
            _kernel.lstm_fwd(ig, wh, bh, wr, hx, cx, out, act, cell, tcell, h, reverse, num_threads, pw_threads,
                             batch_sizes)
            ctx.saved = (cx, act, cell, tcell, h)
            if packed:
                return Recurrence._packed_results(out, batch_sizes, reverse, cell)
            return Tensor(out), Tensor(out[last].copy()), Tensor(cell[last].copy())
        if mode == "GRU":
            act = alloc((T, B, G), dtype=dtype)
            gh_n = alloc((T, B, H), dtype=dtype)
            _kernel.gru_fwd(ig, wh, bh, hx, out, act, gh_n, reverse, num_threads, pw_threads, batch_sizes)
            ctx.saved = (act, gh_n)
        else:
            _kernel.rnn_fwd(mode == "RNN_RELU", ig, wh, bh, hx, out, reverse, num_threads, pw_threads, batch_sizes)
        if packed:
            return Recurrence._packed_results(out, batch_sizes, reverse)
        return Tensor(out), Tensor(out[last].copy())

    @staticmethod
    def _packed_results(out, batch_sizes, reverse, cell=None):
        """(output with 0 in the padding rows, h_n[, c_n]): each row's state at its sequence's last step (the
        forward direction) or at step 0 (reverse)."""
        steps, rows = packed_rows(batch_sizes)
        output = np.zeros_like(out)
        output[steps, rows] = out[steps, rows]
        B = out.shape[1]
        if reverse:
            last = np.zeros(B, dtype=np.int64)
        else:   # the last step a row runs: the number of steps whose batch includes it, less one
            last = (np.asarray(batch_sizes)[None, :] > np.arange(B)[:, None]).sum(axis=1) - 1
        results = [Tensor(output), Tensor(out[last, np.arange(B)])]
        if cell is not None:
            results.append(Tensor(cell[last, np.arange(B)]))
        return tuple(results)

    @staticmethod
    def backward(ctx, grad_out, grad_hn, grad_cn=None):
        ctx.saved_tensors   # the version check
        mode, reverse = ctx.mode, ctx.reverse
        w_ih, w_hh, w_hr = ctx.weights
        x2, h0, out = ctx.x2, ctx.h0, ctx.out
        dtype = out.dtype
        T, B, P = out.shape
        G = w_hh.shape[0]
        num_threads, pw_threads = threads(), threads(B * G)
        grad_out = contiguous(grad_out, dtype)
        batch_sizes = ctx.batch_sizes
        alloc = _alloc(batch_sizes is not None)
        carry = np.array(grad_hn, dtype=dtype, order="C", copy=True)
        grad_ig = alloc((T, B, G), dtype=dtype)
        grad_gh = grad_ig
        grad_c0 = grad_w_hr = None
        if mode == "LSTM":
            cx, act, cell, tcell, h = ctx.saved
            carry_c = np.array(grad_cn, dtype=dtype, order="C", copy=True)
            grad_h = alloc((T, B, P), dtype=dtype)
            grad_r = grad_h if w_hr is None else alloc((T, B, w_hr.shape[1]), dtype=dtype)
            _kernel.lstm_bwd(grad_out, w_hh, w_hr, act, tcell, cell, cx, grad_h, grad_r, grad_ig, carry, carry_c,
                             reverse, num_threads, pw_threads, batch_sizes)
            grad_h0, grad_c0 = carry, carry_c
            if w_hr is not None and ctx.needs_input_grad[9]:
                grad_w_hr = product(grad_h.reshape(T * B, P), h.reshape(T * B, h.shape[2]), a_km=True)
        elif mode == "GRU":
            act, gh_n = ctx.saved
            grad_gh = alloc((T, B, G), dtype=dtype)
            carry_lin = np.zeros_like(carry)
            _kernel.gru_bwd(grad_out, w_hh, act, gh_n, out, h0, grad_ig, grad_gh, carry, carry_lin, reverse,
                            num_threads, pw_threads, batch_sizes)
            grad_h0 = carry + carry_lin
        else:
            _kernel.rnn_bwd(mode == "RNN_RELU", grad_out, out, w_hh, grad_ig, carry, reverse, num_threads,
                            pw_threads, batch_sizes)
            grad_h0 = carry
        needs = ctx.needs_input_grad
        gi = grad_ig.reshape(T * B, G)
        gh = grad_gh.reshape(T * B, G)
        grad_input = grad_w_ih = grad_w_hh = grad_b_ih = grad_b_hh = None
        if needs[2]:
            grad_input = product(gi, w_ih).reshape(T, B, w_ih.shape[1])
        if needs[6]:
            # h_prev of every step, rows in time order: h0 then out[:-1] (reverse: out[1:] then h0).  Where both
            # weight gradients are wanted and share grad_gates (RNN, LSTM), one product gives both: the columns of
            # [x | h_prev] (T * B, I + P), each element the same row-ascending sum as in its own product
            I = x2.shape[1] if needs[5] and gh is gi else 0
            rows = np.empty((T, B, I + P), dtype=dtype)
            if I:
                rows[:, :, :I] = x2.reshape(T, B, I)
            first, rest = (T - 1, slice(0, T - 1)) if reverse else (0, slice(1, T))
            rows[first, :, I:] = h0
            rows[rest, :, I:] = out[1:] if reverse else out[:-1]
            both = product(gh, rows.reshape(T * B, I + P), a_km=True)
            if I:
                grad_w_ih = np.ascontiguousarray(both[:, :I])
            grad_w_hh = np.ascontiguousarray(both[:, I:])
        if needs[5] and grad_w_ih is None:
            grad_w_ih = product(gi, x2, a_km=True)
        if ctx.has_bias[0] and needs[7]:
            grad_b_ih = _sum_rows(gi)
        if ctx.has_bias[1] and needs[8]:
            grad_b_hh = _sum_rows(gh)
        return (None, None, grad_input, grad_h0 if needs[3] else None, grad_c0 if needs[4] else None,
                grad_w_ih, grad_w_hh, grad_b_ih, grad_b_hh, grad_w_hr, None)


def _unbind0(x):
    """(n, ...) -> n Tensors of shape (...), through one split node."""
    if x.shape[0] == 1:
        return [x.reshape(x.shape[1:])]
    return [piece.reshape(piece.shape[1:]) for piece in split(x, [1] * x.shape[0], dim=0)]


def _layer_params(flat_weights, has_biases, has_projection, index):
    per = 2 + (2 if has_biases else 0) + (1 if has_projection else 0)
    group = flat_weights[index * per:(index + 1) * per]
    w_ih, w_hh = group[0], group[1]
    b_ih, b_hh = (group[2], group[3]) if has_biases else (None, None)
    w_hr = group[-1] if has_projection else None
    return w_ih, w_hh, b_ih, b_hh, w_hr


def _run(mode, input, h0s, c0s, flat_weights, has_biases, num_layers, dropout, train, bidirectional,
         batch_first, has_projection=False, batch_sizes=None):
    """Stack of layers: h0s (and c0s) are lists of L * D per-(layer, direction) states, each (B, P) / (B, H).
    Returns (output, [h_n per layer and direction], [c_n ...] or None).  With batch_sizes, input and output
    are packed data (N, I) and (N, D * P)."""
    F = _F()
    from ..tensor import cat
    if batch_sizes is not None:
        batch_sizes = [int(b) for b in np.asarray(batch_sizes.data if isinstance(batch_sizes, Tensor)
                                                  else batch_sizes).reshape(-1)]
        # the kernels run step t on rows 0..batch_sizes[t]-1 of a batch_sizes[0]-row buffer: refuse anything else
        if (not batch_sizes or min(batch_sizes) < 1 or any(b > a for a, b in zip(batch_sizes, batch_sizes[1:]))
                or sum(batch_sizes) != input.shape[0]):
            raise RuntimeError(f"packed recurrence: batch_sizes {batch_sizes} do not describe {input.shape[0]} "
                               "packed rows (positive, non-increasing, summing to the rows)")
        steps, rows = packed_rows(batch_sizes)
        input = PadPacked.apply(input, steps, rows, len(batch_sizes), batch_sizes[0], 0.0)
        batch_first = False
    if batch_first:
        input = input.transpose(0, 1)
    num_directions = 2 if bidirectional else 1
    layer_input = input
    h_finals, c_finals = [], []
    for layer in range(num_layers):
        outputs = []
        for direction in range(num_directions):
            index = layer * num_directions + direction
            w_ih, w_hh, b_ih, b_hh, w_hr = _layer_params(flat_weights, has_biases, has_projection, index)
            result = Recurrence.apply(mode, direction == 1, layer_input, h0s[index],
                                      None if c0s is None else c0s[index], w_ih, w_hh, b_ih, b_hh, w_hr,
                                      batch_sizes)
            outputs.append(result[0])
            h_finals.append(result[1])
            if c0s is not None:
                c_finals.append(result[2])
        layer_output = outputs[0] if num_directions == 1 else cat(outputs, dim=2)
        if dropout != 0 and train and layer < num_layers - 1:
            layer_output = F.dropout(layer_output, p=dropout, training=True)
        layer_input = layer_output
    if batch_sizes is not None:
        output = PackPadded.apply(layer_input, steps, rows)
    else:
        output = layer_input.transpose(0, 1) if batch_first else layer_input
    return output, h_finals, (c_finals if c0s is not None else None)


def rnn_tanh(input, hx, flat_weights, has_biases, num_layers, dropout, train, bidirectional, batch_first,
             batch_sizes=None):
    """input (T, B, I) (or (B, T, I), or packed (N, I) with batch_sizes), hx (L * D, B, H) ->
    (output (T, B, D * H), h_n (L * D, B, H))."""
    output, finals, _ = _run("RNN_TANH", input, _unbind0(hx), None, flat_weights, has_biases, num_layers,
                             dropout, train, bidirectional, batch_first, batch_sizes=batch_sizes)
    return output, stack(finals)


def rnn_relu(input, hx, flat_weights, has_biases, num_layers, dropout, train, bidirectional, batch_first,
             batch_sizes=None):
    output, finals, _ = _run("RNN_RELU", input, _unbind0(hx), None, flat_weights, has_biases, num_layers,
                             dropout, train, bidirectional, batch_first, batch_sizes=batch_sizes)
    return output, stack(finals)


def gru(input, hx, flat_weights, has_biases, num_layers, dropout, train, bidirectional, batch_first,
        batch_sizes=None):
    output, finals, _ = _run("GRU", input, _unbind0(hx), None, flat_weights, has_biases, num_layers, dropout,
                             train, bidirectional, batch_first, batch_sizes=batch_sizes)
    return output, stack(finals)


def lstm(input, hx, flat_weights, has_biases, num_layers, dropout, train, bidirectional, batch_first,
         has_projection=False, batch_sizes=None):
    """hx = (h_0 (L * D, B, P or H), c_0 (L * D, B, H)) -> (output, h_n, c_n)."""
    output, h_finals, c_finals = _run("LSTM", input, _unbind0(hx[0]), _unbind0(hx[1]), flat_weights, has_biases,
                                      num_layers, dropout, train, bidirectional, batch_first, has_projection,
                                      batch_sizes)
    return output, stack(h_finals), stack(c_finals)
