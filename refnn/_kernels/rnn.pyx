# Legend: T sequence length, B batch, H hidden size, P the size of h (the LSTM projection size, else H),
#         G the gate width (4H LSTM, 3H GRU, H RNN), s the step in processing order (t ascending, or
#         descending for the reverse direction), t' the step processed before t.
"""Whole-sequence recurrences: one call runs one layer and direction forward, one call runs its backward.

The caller computes the input projection of every step at once, ``ig = x W_ih^T + b_ih`` (T, B, G), as
one Linear.  Each step then computes ``gh = h_prev W_hh^T + b_hh`` (each element
``(0 + sum_{k asc} h[b,k] W_hh[j,k]) + b_hh[j]``, the Linear specification: the step products below) and the
gates, fused, in C:

* RNN:  ``h = act(gh + ig[t])``, act = tanh or relu;
* LSTM: ``i, f, g, o = sig, sig, tanh, sig of (gh + ig[t])`` (blocks of H);
  ``c = (f * c_prev) + (i * g)``; ``h = o * tanh(c)``, and with a projection ``h = (o * tanh(c)) W_hr^T``;
* GRU:  ``r = sig(gh_r + ig_r)``, ``z = sig(gh_z + ig_z)``, ``n = tanh(ig_n + gh_n * r)``;
  ``h = (h_prev - n) * z + n``;

with ``sig(x) = 1 / (1 + exp(-x))`` and tanh the activation kernels' own scalar functions, in the order
written, each evaluated as the activation kernel evaluates it (the same Cython expressions: for float32 the
constant 1 is a double, so ``1 / (1 + e)`` and the derivatives' ``(1 - y)`` factors are formed in double
and rounded once to float; the gate, cell and LSTM-derivative rows are ``refnn_rnn_rows.h``, built baseline,
AVX2 and AVX-512, vectorised).
Sums and products of gates are rounded in the element type.  The forward is bit-identical to the
composition of Linear, Add, Mul, Sigmoid and Tanh it replaces.

Backward, per step in reverse processing order, elementwise: the gradient of h at step t is
``grad_output[t] + carry`` (carry: what step t+1 sent back), and for the GRU, where h_prev reaches
step t+1 twice, ``(grad_output[t] + grad_d) + grad_lin`` (grad_d through ``h_prev - n``, grad_lin through
``gh``).  Derivatives: sigmoid ``(g * (1 - y)) * y``, tanh ``g * (1 - y * y)``, relu ``0 if y <= 0 else g``,
products ``g * other``.  ``grad_h_prev`` through ``gh`` is ``grad_gates W_hh`` (a step product, j ascending).
The weight gradients are not summed here: the caller takes them as single products over all T * B rows
(see ``refnn._functions.rnn``).

Packed sequences (``batch_sizes``, one int per step, non-increasing in t): step t runs the first
batch_sizes[t] rows only (the sequences still running), so each row's arithmetic is the unpacked one.  In the
reverse direction a row starts where its sequence ends: before step t, the rows that start there take h0 (and
c0) by a copy into the previous step's rows, which are padding for them.  The carries need nothing more: a row
outside step t's batch keeps its carry (grad_h_n until its last step, grad_h0 after its first).  Without
``batch_sizes`` every step runs all B rows (the same calls as before).

Every element is written by one thread, and each sum runs in a fixed order: the bits do not depend on
the thread count.
"""
from cython.parallel cimport prange
from refnn._kernels._rowmath cimport floating, sigmoid_

from cython.parallel cimport threadid

cdef extern from "refnn_rnn_rows.h" nogil:
    int refnn_rnn_init(int max_level)
    void refnn_sigmoid_sum_f32(const float *a, const float *b, float *out, long n)
    void refnn_tanh_sum_f32(const float *a, const float *b, float *out, long n)
    void refnn_tanh_sum_f64(const double *a, const double *b, double *out, long n)
    void refnn_lstm_cell_f32(const float *ig, const float *fg, const float *gg, const float *og, const float *c_prev,
                             float *c, float *tc, float *h, long n)
    void refnn_lstm_cell_f64(const double *ig, const double *fg, const double *gg, const double *og,
                             const double *c_prev, double *c, double *tc, double *h, long n)
    void refnn_lstm_dgates_f32(const float *grad_h, const float *act, const float *tc, const float *c_prev,
                               float *carry_c, float *grad_gates, long H)
    void refnn_lstm_dgates_f64(const double *grad_h, const double *act, const double *tc, const double *c_prev,
                               double *carry_c, double *grad_gates, long H)
    void refnn_gru_new_f32(const float *ig_n, const float *gh_n, const float *r, const float *z, const float *h_prev,
                           float *n_out, float *h, long n)
    void refnn_gru_new_f64(const double *ig_n, const double *gh_n, const double *r, const double *z,
                           const double *h_prev, double *n_out, double *h, long n)

cdef extern from "conv_ukernel.h" nogil:
    int refnn_conv_init(int max_level)
    enum: REFNN_MR
    enum: REFNN_NR_F32
    enum: REFNN_NR_F64
    void refnn_ukernel_f32(long kc, const float *A, const float *B, long ldb, const float *init, float *C, long ldc)
    void refnn_ukernel_f64(long kc, const double *A, const double *B, long ldb, const double *init, double *C,
                           long ldc)

from refnn._isa import MAX_LEVEL, check_level


def _set_isa_level(int max_level):
    """Re-choose this module's builds (the sigmoid rows and the step products' micro-kernel), up to max_level
    (refnn._isa.forced); the level chosen."""
    refnn_conv_init(max_level)
    return refnn_rnn_init(max_level)


refnn_conv_init(MAX_LEVEL)
check_level(refnn_rnn_init(MAX_LEVEL), _set_isa_level)

import numpy as np

from refnn._kernels.gemm import gemm as _gemm


cdef inline void sigmoid_sum(const floating *a, const floating *b, floating *out, Py_ssize_t n) noexcept nogil:
    """out[i] = sigmoid(a[i] + b[i]) (float32: refnn_rnn_rows.h's baseline or AVX2 build of this loop)."""
    cdef Py_ssize_t i
    if floating is float:
        refnn_sigmoid_sum_f32(a, b, out, n)
    else:
        for i in range(n):
            out[i] = sigmoid_(a[i] + b[i])


cdef inline void tanh_sum(const floating *a, const floating *b, floating *out, Py_ssize_t n) noexcept nogil:
    """out[i] = tanh(a[i] + b[i]) (refnn_rnn_rows.h)."""
    if floating is float:
        refnn_tanh_sum_f32(a, b, out, n)
    else:
        refnn_tanh_sum_f64(a, b, out, n)


cdef inline floating dsigmoid(floating g, floating y) noexcept nogil:
    return g * (1 - y) * y


cdef inline floating dtanh(floating g, floating y) noexcept nogil:
    return g * (1 - y * y)


def _matmul(a, b, out, bint b_nk, bias, int num_threads):
    """out (M, N) = a (M, K) times b (N, K) read transposed (b_nk) or b (K, N): refnn's gemm."""
    _gemm(a[None], b[None], out[None], False, b_nk, bias, num_threads)


# ================================================================ the step products
# Every step multiplies a few rows (the batch) by the same weight: h_prev W_hh^T (+ b_hh) forward, grad_gates W_hh
# backward, and the LSTM projection's two.  A gemm call per step would pack the whole weight at every step; with
# PANEL_MIN_ROWS rows or more the weight is instead packed once per layer call, into the column panels of the
# gemm's micro-kernel (conv_ukernel.h: panels[c, k, j] = w(k, c NR + j), 0 past N), and each step packs its rows
# (MR-row panels, 0 past M) and runs the register tiles over the whole K:
#
#     out[m, n] = (0 + sum_{k asc} a[m, k] w(k, n)) + bias[n]     (the bias only where there is one),
#
# one running sum per element, each product rounded then added: the order of gemm_nt_spec, the very sums of the
# gemm call it replaces (tests/test_rnn_spec.py holds the two paths bit-equal on every build).  Tasks are column
# panels, each written by one thread, so the bits do not depend on the thread count.  Fewer rows (a batch of 1 or
# 2) keep the gemm's row-dot path, which reads the weight in place.
DEF PANEL_MIN_ROWS = 3
DEF PRODUCT_MIN_WORK = 1048576   # multiply-adds below which one thread runs a step (as the gemm decides)

cdef bint _panels_on = True


def _set_panels(bint on):
    """Use the packed step products (True, the default) or a gemm call per step (False: the reference the spec
    tests compare with); returns the previous setting."""
    global _panels_on
    previous = _panels_on
    _panels_on = on
    return previous


cdef class _StepWeight:
    """One step product's weight: out (M, N) = a (M, K) w(k, n), with w(k, n) = w[n, k] (``nk``) or w[k, n].

    Either the column panels and a row-panel buffer (packed steps), or the gemm's operand and layout."""
    cdef object panels
    cdef object apk
    cdef object w
    cdef bint w_nk


def _step_weight(w, bint nk, Py_ssize_t rows):
    """The weight w of a product with ``rows`` rows at most, ready for every step (see _StepWeight)."""
    cdef _StepWeight sw = _StepWeight()
    cdef Py_ssize_t NR, K, N, full, ncp, MR = REFNN_MR
    wk = w.T if nk else w       # (K, N)
    K, N = wk.shape
    if _panels_on and rows >= PANEL_MIN_ROWS and K > 0 and N > 0:
        NR = REFNN_NR_F32 if w.dtype.itemsize == 4 else REFNN_NR_F64
        ncp = (N + NR - 1) // NR
        full = N // NR
        sw.panels = np.zeros((ncp, K, NR), dtype=w.dtype)
        sw.panels[:full] = wk[:, :full * NR].reshape(K, full, NR).transpose(1, 0, 2)
        if full < ncp:
            sw.panels[full, :, :N - full * NR] = wk[:, full * NR:]
        sw.apk = np.zeros(((rows + MR - 1) // MR) * MR * K, dtype=w.dtype)
    elif nk:
        # the gemm: with 3 rows or more (its packed path) a C-contiguous (K, N) copy, whose panels it reads in
        # place; with fewer w itself (its row-dot path reads it (N, K)).  The same sums either way
        sw.w, sw.w_nk = (np.ascontiguousarray(w.T), False) if rows >= 3 else (w, True)
    else:
        sw.w, sw.w_nk = (w, False) if rows >= 3 else (np.ascontiguousarray(w.T), True)
    return sw


cdef void _pack_rows(const floating *a, Py_ssize_t M, Py_ssize_t K, floating *apk) noexcept nogil:
    """apk[(p K + k) MR + i] = a[p MR + i, k] (a (M, K) C-contiguous; 0 past M)."""
    cdef Py_ssize_t MR = REFNN_MR, p, i, k, m
    for p in range((M + MR - 1) // MR):
        for i in range(MR):
            m = p * MR + i
            if m < M:
                for k in range(K):
                    apk[(p * K + k) * MR + i] = a[m * K + k]
            else:
                for k in range(K):
                    apk[(p * K + k) * MR + i] = 0


cdef void _panel_columns(const floating *apk, Py_ssize_t M, Py_ssize_t K, const floating *panel,
                         const floating *bias, floating *out, Py_ssize_t N, Py_ssize_t n0) noexcept nogil:
    """out[:, n0:n0 + NR] = (0 + sum_{k asc} a[m, k] panel[k, j]) + bias[n0 + j]: one column panel, every row."""
    cdef Py_ssize_t MR = REFNN_MR
    cdef Py_ssize_t NR = REFNN_NR_F32 if floating is float else REFNN_NR_F64
    cdef Py_ssize_t p, i, j, mb, nb = min(NR, N - n0)
    cdef floating zeros[REFNN_MR]
    cdef floating edge[REFNN_MR * REFNN_NR_F32]
    cdef floating *dst
    for i in range(MR):
        zeros[i] = 0
    for p in range((M + MR - 1) // MR):
        mb = min(MR, M - p * MR)
        dst = out + p * MR * N + n0
        if mb == MR and nb == NR:
            if floating is float:
                refnn_ukernel_f32(K, apk + p * K * MR, panel, NR, zeros, dst, N)
            else:
                refnn_ukernel_f64(K, apk + p * K * MR, panel, NR, zeros, dst, N)
        else:
            if floating is float:
                refnn_ukernel_f32(K, apk + p * K * MR, panel, NR, zeros, edge, NR)
            else:
                refnn_ukernel_f64(K, apk + p * K * MR, panel, NR, zeros, edge, NR)
            for i in range(mb):
                for j in range(nb):
                    dst[i * N + j] = edge[i * NR + j]
        if bias != NULL:
            for i in range(mb):
                for j in range(nb):
                    dst[i * N + j] = dst[i * N + j] + bias[n0 + j]


cdef void _panel_step(const floating[:, ::1] a, const floating[:, :, ::1] panels, floating[:, ::1] out,
                      const floating[::1] bias, floating[::1] apk, int num_threads):
    """out = a w (+ bias) through the packed panels: the rows packed, then the column panels in parallel."""
    cdef Py_ssize_t M = a.shape[0], K = a.shape[1], N = out.shape[1], ncp = panels.shape[0], c
    cdef Py_ssize_t NR = panels.shape[2]
    cdef const floating *bias_ptr = NULL
    if M == 0:
        return
    if bias is not None:
        bias_ptr = &bias[0]
    if M * N * K < PRODUCT_MIN_WORK or ncp < 2:
        num_threads = 1
    with nogil:
        _pack_rows(&a[0, 0], M, K, &apk[0])
        for c in prange(ncp, num_threads=num_threads, schedule="static"):
            _panel_columns(&apk[0], M, K, &panels[c, 0, 0], bias_ptr, &out[0, 0], N, c * NR)


cdef _step(_StepWeight sw, a, out, bias, int num_threads):
    """out = a w(k, n) (+ bias): a few rows (M, K) by the step's weight, the gemm's sums."""
    if sw.panels is None:
        _matmul(a, sw.w, out, sw.w_nk, bias, num_threads)
    elif a.dtype.itemsize == 4:
        _panel_step[float](a, sw.panels, out, bias, sw.apk, num_threads)
    else:
        _panel_step[double](a, sw.panels, out, bias, sw.apk, num_threads)


cdef inline object _rows(object a, Py_ssize_t n, Py_ssize_t B):
    """The first n rows of a (B, ...) buffer: a itself when n == B."""
    return a if n == B else a[:n]


cdef inline Py_ssize_t _batch(object batch_sizes, Py_ssize_t t, Py_ssize_t B):
    """The rows step t runs: B, or batch_sizes[t] for a packed batch."""
    return B if batch_sizes is None else <Py_ssize_t>batch_sizes[t]


def _enter_rows(prev, start, Py_ssize_t lo, Py_ssize_t hi):
    """Rows lo..hi-1 start at this step (reverse direction, packed): their h_prev (c_prev) is h0 (c0)."""
    if hi > lo:
        prev[lo:hi] = start[lo:hi]


# ================================================================ RNN (tanh, relu)
cdef void _rnn_gates(bint relu, floating *gh, const floating *ig, floating *h, Py_ssize_t B, Py_ssize_t H,
                     int num_threads) noexcept nogil:
    """h[b, j] = act(gh[b, j] + ig[b, j])."""
    cdef Py_ssize_t b, j
    cdef floating x
    for b in prange(B, num_threads=num_threads, schedule="static"):
        if relu:
            for j in range(H):
                x = gh[b * H + j] + ig[b * H + j]
                h[b * H + j] = 0 if x < 0 else x
        else:
            tanh_sum(gh + b * H, ig + b * H, h + b * H, H)


cdef void _rnn_fwd(floating[:, :, ::1] igv, floating[:, :, ::1] outv, floating[:, ::1] ghv, bint relu,
                   object ig, object w_hh_t, object b_hh, object h0, object out, object gh, bint reverse,
                   object batch_sizes, int num_threads, int pw_threads):
    cdef Py_ssize_t T = igv.shape[0], B = igv.shape[1], H = igv.shape[2], s, t, tp, Bt
    for s in range(T):
        t = T - 1 - s if reverse else s
        tp = t + 1 if reverse else t - 1
        Bt = _batch(batch_sizes, t, B)
        if s > 0 and batch_sizes is not None:
            _enter_rows(out[tp], h0, _batch(batch_sizes, tp, B), Bt)
        _step(w_hh_t, _rows(h0 if s == 0 else out[tp], Bt, B), _rows(gh, Bt, B), b_hh, num_threads)
        if Bt > 0:
            with nogil:
                _rnn_gates(relu, &ghv[0, 0], &igv[t, 0, 0], &outv[t, 0, 0], Bt, H, pw_threads)


def rnn_fwd(bint relu, ig, w_hh, b_hh, h0, out, bint reverse, int num_threads, int pw_threads, batch_sizes=None):
    """out[t] = act(h_prev W_hh^T + b_hh + ig[t]) for every step, h_prev = h0 at the first step."""
    gh = ig[0].copy()
    w_hh = _step_weight(w_hh, True, ig.shape[1])
    if ig.dtype.itemsize == 4:
        _rnn_fwd[float](ig, out, gh, relu, ig, w_hh, b_hh, h0, out, gh, reverse, batch_sizes, num_threads,
                        pw_threads)
    else:
        _rnn_fwd[double](ig, out, gh, relu, ig, w_hh, b_hh, h0, out, gh, reverse, batch_sizes, num_threads,
                         pw_threads)


cdef void _rnn_dgates(bint relu, const floating *grad_out, const floating *carry, const floating *h,
                      floating *grad_gates, Py_ssize_t n, int num_threads) noexcept nogil:
    """grad_gates = act'(grad_out + carry) at h."""
    cdef Py_ssize_t i
    cdef floating g
    for i in prange(n, num_threads=num_threads, schedule="static"):
        g = grad_out[i] + carry[i]
        if relu:
            grad_gates[i] = 0 if h[i] <= 0 else g
        else:
            grad_gates[i] = dtanh(g, h[i])


cdef void _rnn_bwd(const floating[:, :, ::1] gov, floating[:, :, ::1] outv, floating[:, :, ::1] ggv,
                   floating[:, ::1] carryv, bint relu, object w_hh, object grad_gates, object carry,
                   bint reverse, object batch_sizes, int num_threads, int pw_threads):
    cdef Py_ssize_t T = gov.shape[0], B = gov.shape[1], H = gov.shape[2], s, t, Bt
    for s in range(T - 1, -1, -1):
        t = T - 1 - s if reverse else s
        Bt = _batch(batch_sizes, t, B)
        if Bt > 0:
            with nogil:
                _rnn_dgates(relu, &gov[t, 0, 0], &carryv[0, 0], &outv[t, 0, 0], &ggv[t, 0, 0], Bt * H, pw_threads)
        _step(w_hh, _rows(grad_gates[t], Bt, B), _rows(carry, Bt, B), None, num_threads)


def rnn_bwd(bint relu, grad_out, out, w_hh, grad_gates, carry, bint reverse, int num_threads, int pw_threads,
            batch_sizes=None):
    """grad_gates[t] = act'(grad_out[t] + carry) with carry = grad_gates[t+1] W_hh (grad_h_n at the
    last step); on return carry holds grad_h0."""
    w_hh = _step_weight(w_hh, False, out.shape[1])
    if out.dtype.itemsize == 4:
        _rnn_bwd[float](grad_out, out, grad_gates, carry, relu, w_hh, grad_gates, carry, reverse, batch_sizes,
                        num_threads, pw_threads)
    else:
        _rnn_bwd[double](grad_out, out, grad_gates, carry, relu, w_hh, grad_gates, carry, reverse, batch_sizes,
                         num_threads, pw_threads)


# ================================================================ LSTM
cdef void _lstm_gates(floating *gh, const floating *ig, const floating *c_prev, floating *act, floating *c,
                      floating *tc, floating *h, Py_ssize_t B, Py_ssize_t H, int num_threads) noexcept nogil:
    """act = [sig i, sig f, tanh g, sig o] of gh + ig; c = f c_prev + i g; tc = tanh(c); h = o tc.

    Per row, the gates' rows (sigmoid and tanh of the sums), then the cell's row (refnn_rnn_rows.h, vectorised:
    every function is branch-free); the operations per element are the same as in one scalar loop.
    """
    cdef Py_ssize_t b, r, k, G = 4 * H
    for b in prange(B, num_threads=num_threads, schedule="static"):
        r = b * G
        k = b * H
        sigmoid_sum(gh + r, ig + r, act + r, 2 * H)                               # i, f
        tanh_sum(gh + r + 2 * H, ig + r + 2 * H, act + r + 2 * H, H)              # g
        sigmoid_sum(gh + r + 3 * H, ig + r + 3 * H, act + r + 3 * H, H)          # o
        if floating is float:
            refnn_lstm_cell_f32(act + r, act + r + H, act + r + 2 * H, act + r + 3 * H, c_prev + k, c + k, tc + k,
                                h + k, H)
        else:
            refnn_lstm_cell_f64(act + r, act + r + H, act + r + 2 * H, act + r + 3 * H, c_prev + k, c + k, tc + k,
                                h + k, H)


cdef void _lstm_fwd(floating[:, :, ::1] igv, floating[:, :, ::1] actv, floating[:, :, ::1] cv,
                    floating[:, :, ::1] tcv, floating[:, :, ::1] hv, const floating[:, ::1] c0v, floating[:, ::1] ghv,
                    object w_hh_t, object b_hh, object w_hr_t, object h0, object c0, object out, object gh,
                    object h, object c, bint reverse, object batch_sizes, int num_threads, int pw_threads):
    cdef Py_ssize_t T = igv.shape[0], B = igv.shape[1], H = cv.shape[2], s, t, tp, Bt, Bp
    cdef const floating *c_prev
    for s in range(T):
        t = T - 1 - s if reverse else s
        tp = t + 1 if reverse else t - 1
        Bt = _batch(batch_sizes, t, B)
        if s > 0 and batch_sizes is not None:
            Bp = _batch(batch_sizes, tp, B)
            _enter_rows(out[tp], h0, Bp, Bt)
            _enter_rows(c[tp], c0, Bp, Bt)
        _step(w_hh_t, _rows(h0 if s == 0 else out[tp], Bt, B), _rows(gh, Bt, B), b_hh, num_threads)
        if Bt > 0:
            if s == 0:
                c_prev = &c0v[0, 0]
            else:
                c_prev = &cv[tp, 0, 0]
            with nogil:
                _lstm_gates(&ghv[0, 0], &igv[t, 0, 0], c_prev, &actv[t, 0, 0], &cv[t, 0, 0], &tcv[t, 0, 0],
                            &hv[t, 0, 0], Bt, H, pw_threads)
        if w_hr_t is not None:
            _step(w_hr_t, _rows(h[t], Bt, B), _rows(out[t], Bt, B), None, num_threads)


def lstm_fwd(ig, w_hh, b_hh, w_hr, h0, c0, out, act, c, tc, h, bint reverse, int num_threads, int pw_threads,
             batch_sizes=None):
    """Every step of one LSTM layer and direction: act, c, tanh(c), h = o tanh(c) (T, B, 4H / H) and
    out (T, B, P): h, or h W_hr^T with a projection (then ``h`` is a separate buffer, else it is ``out``)."""
    gh = ig[0].copy()
    w_hh = _step_weight(w_hh, True, ig.shape[1])
    w_hr = None if w_hr is None else _step_weight(w_hr, True, ig.shape[1])
    if ig.dtype.itemsize == 4:
        _lstm_fwd[float](ig, act, c, tc, h, c0, gh, w_hh, b_hh, w_hr, h0, c0, out, gh, h, c, reverse,
                         batch_sizes, num_threads, pw_threads)
    else:
        _lstm_fwd[double](ig, act, c, tc, h, c0, gh, w_hh, b_hh, w_hr, h0, c0, out, gh, h, c, reverse,
                          batch_sizes, num_threads, pw_threads)


cdef void _lstm_dgates(const floating *grad_h, const floating *act, const floating *tc, const floating *c_prev,
                       floating *carry_c, floating *grad_gates, Py_ssize_t B, Py_ssize_t H,
                       int num_threads) noexcept nogil:
    """From grad_h (of o tanh(c)) and carry_c (grad of c from step t+1): grad_gates, and carry_c := grad c_prev.

    Per element j of a row (refnn_rnn_rows.h's refnn_lstm_dgates, vectorised; the operations of dsigmoid and
    dtanh above): gc = dtanh(grad_h o, tanh c) + carry_c; grad i = dsigmoid(gc g, i); grad f = dsigmoid(gc c_prev,
    f); grad g = dtanh(gc i, g); grad o = dsigmoid(grad_h tanh c, o); carry_c = gc f."""
    cdef Py_ssize_t b, G = 4 * H
    for b in prange(B, num_threads=num_threads, schedule="static"):
        if floating is float:
            refnn_lstm_dgates_f32(grad_h + b * H, act + b * G, tc + b * H, c_prev + b * H, carry_c + b * H,
                                  grad_gates + b * G, H)
        else:
            refnn_lstm_dgates_f64(grad_h + b * H, act + b * G, tc + b * H, c_prev + b * H, carry_c + b * H,
                                  grad_gates + b * G, H)


cdef void _add(const floating *a, const floating *b, floating *out, Py_ssize_t n, int num_threads) noexcept nogil:
    """out = a + b."""
    cdef Py_ssize_t i
    for i in prange(n, num_threads=num_threads, schedule="static"):
        out[i] = a[i] + b[i]


cdef void _lstm_bwd(const floating[:, :, ::1] gov, floating[:, :, ::1] ghfv, floating[:, :, ::1] grv,
                    floating[:, :, ::1] actv, floating[:, :, ::1] tcv, floating[:, :, ::1] cv,
                    const floating[:, ::1] c0v, floating[:, ::1] carryhv, floating[:, ::1] carrycv,
                    floating[:, :, ::1] ggv, object w_hh, object w_hr, object grad_h, object grad_r,
                    object grad_gates, object carry_h, bint reverse, object batch_sizes, int num_threads,
                    int pw_threads):
    cdef Py_ssize_t T = gov.shape[0], B = gov.shape[1], P = gov.shape[2], H = cv.shape[2], s, t, tp, Bt
    cdef const floating *c_prev
    for s in range(T - 1, -1, -1):
        t = T - 1 - s if reverse else s
        tp = t + 1 if reverse else t - 1
        Bt = _batch(batch_sizes, t, B)
        if Bt > 0:
            with nogil:
                _add(&gov[t, 0, 0], &carryhv[0, 0], &ghfv[t, 0, 0], Bt * P, pw_threads)
        if w_hr is not None:
            _step(w_hr, _rows(grad_h[t], Bt, B), _rows(grad_r[t], Bt, B), None, num_threads)
        if Bt > 0:
            if s == 0:
                c_prev = &c0v[0, 0]
            else:
                c_prev = &cv[tp, 0, 0]
            with nogil:
                _lstm_dgates(&grv[t, 0, 0], &actv[t, 0, 0], &tcv[t, 0, 0], c_prev, &carrycv[0, 0],
                             &ggv[t, 0, 0], Bt, H, pw_threads)
        _step(w_hh, _rows(grad_gates[t], Bt, B), _rows(carry_h, Bt, B), None, num_threads)


def lstm_bwd(grad_out, w_hh, w_hr, act, tc, c, c0, grad_h, grad_r, grad_gates, carry_h, carry_c, bint reverse,
             int num_threads, int pw_threads, batch_sizes=None):
    """grad_h[t] = grad_out[t] + carry_h (T, B, P); grad_r[t] = grad_h[t] W_hr with a projection (else
    ``grad_r`` is ``grad_h``); grad_gates[t] (T, B, 4H); carry_h, carry_c enter as grad_h_n, grad_c_n
    and leave as grad_h0, grad_c0."""
    w_hh = _step_weight(w_hh, False, act.shape[1])
    w_hr = None if w_hr is None else _step_weight(w_hr, False, act.shape[1])
    if act.dtype.itemsize == 4:
        _lstm_bwd[float](grad_out, grad_h, grad_r, act, tc, c, c0, carry_h, carry_c, grad_gates, w_hh, w_hr,
                         grad_h, grad_r, grad_gates, carry_h, reverse, batch_sizes, num_threads, pw_threads)
    else:
        _lstm_bwd[double](grad_out, grad_h, grad_r, act, tc, c, c0, carry_h, carry_c, grad_gates, w_hh, w_hr,
                          grad_h, grad_r, grad_gates, carry_h, reverse, batch_sizes, num_threads,
                          pw_threads)


# ================================================================ GRU
cdef void _gru_gates(const floating *gh, const floating *ig, const floating *h_prev, floating *act,
                     floating *gh_n, floating *h, Py_ssize_t B, Py_ssize_t H, int num_threads) noexcept nogil:
    """act = [r, z, n]; gh_n = the n block of gh; h = (h_prev - n) z + n (the sigmoids first, vectorisable)."""
    cdef Py_ssize_t b, j, r, k, G = 3 * H
    for b in prange(B, num_threads=num_threads, schedule="static"):
        r = b * G
        k = b * H
        sigmoid_sum(gh + r, ig + r, act + r, 2 * H)                               # r, z
        for j in range(H):
            gh_n[k + j] = gh[r + 2 * H + j]
        if floating is float:
            refnn_gru_new_f32(ig + r + 2 * H, gh + r + 2 * H, act + r, act + r + H, h_prev + k, act + r + 2 * H,
                              h + k, H)
        else:
            refnn_gru_new_f64(ig + r + 2 * H, gh + r + 2 * H, act + r, act + r + H, h_prev + k, act + r + 2 * H,
                              h + k, H)


cdef void _gru_fwd(floating[:, :, ::1] igv, floating[:, :, ::1] actv, floating[:, :, ::1] ghnv,
                   floating[:, :, ::1] outv, const floating[:, ::1] h0v, floating[:, ::1] ghv,
                   object w_hh_t, object b_hh, object h0, object out, object gh, bint reverse,
                   object batch_sizes, int num_threads, int pw_threads):
    cdef Py_ssize_t T = igv.shape[0], B = igv.shape[1], H = outv.shape[2], s, t, tp, Bt
    cdef const floating *h_prev
    for s in range(T):
        t = T - 1 - s if reverse else s
        tp = t + 1 if reverse else t - 1
        Bt = _batch(batch_sizes, t, B)
        if s > 0 and batch_sizes is not None:
            _enter_rows(out[tp], h0, _batch(batch_sizes, tp, B), Bt)
        _step(w_hh_t, _rows(h0 if s == 0 else out[tp], Bt, B), _rows(gh, Bt, B), b_hh, num_threads)
        if Bt > 0:
            if s == 0:
                h_prev = &h0v[0, 0]
            else:
                h_prev = &outv[tp, 0, 0]
            with nogil:
                _gru_gates(&ghv[0, 0], &igv[t, 0, 0], h_prev, &actv[t, 0, 0], &ghnv[t, 0, 0], &outv[t, 0, 0],
                           Bt, H, pw_threads)


def gru_fwd(ig, w_hh, b_hh, h0, out, act, gh_n, bint reverse, int num_threads, int pw_threads, batch_sizes=None):
    """Every step of one GRU layer and direction: out (T, B, H), act = [r, z, n] (T, B, 3H), gh_n (T, B, H)."""
    gh = ig[0].copy()
    w_hh = _step_weight(w_hh, True, ig.shape[1])
    if ig.dtype.itemsize == 4:
        _gru_fwd[float](ig, act, gh_n, out, h0, gh, w_hh, b_hh, h0, out, gh, reverse, batch_sizes, num_threads,
                        pw_threads)
    else:
        _gru_fwd[double](ig, act, gh_n, out, h0, gh, w_hh, b_hh, h0, out, gh, reverse, batch_sizes, num_threads,
                         pw_threads)


cdef void _gru_dgates(const floating *grad_out, floating *carry_d, const floating *carry_lin,
                      const floating *act, const floating *gh_n, const floating *h_prev,
                      floating *grad_ig, floating *grad_gh, Py_ssize_t B, Py_ssize_t H,
                      int num_threads) noexcept nogil:
    """g = (grad_out + carry_d) + carry_lin; grad_ig = [dr, dz, dn]; grad_gh = [dr, dz, dn r]; carry_d := g z."""
    cdef Py_ssize_t b, j, r, k, G = 3 * H
    cdef floating r_, z_, n_, g, gd, gn
    for b in prange(B, num_threads=num_threads, schedule="static"):
        for j in range(H):
            r = b * G + j
            k = b * H + j
            r_ = act[r]
            z_ = act[r + H]
            n_ = act[r + 2 * H]
            g = (grad_out[k] + carry_d[k]) + carry_lin[k]
            gd = g * z_
            gn = dtanh(g + (-gd), n_)
            grad_ig[r] = dsigmoid(gn * gh_n[k], r_)
            grad_ig[r + H] = dsigmoid(g * (h_prev[k] - n_), z_)
            grad_ig[r + 2 * H] = gn
            grad_gh[r] = grad_ig[r]
            grad_gh[r + H] = grad_ig[r + H]
            grad_gh[r + 2 * H] = gn * r_
            carry_d[k] = gd


cdef void _gru_bwd(const floating[:, :, ::1] gov, floating[:, :, ::1] actv, floating[:, :, ::1] ghnv,
                   floating[:, :, ::1] outv, const floating[:, ::1] h0v, floating[:, :, ::1] givv,
                   floating[:, :, ::1] gghv, floating[:, ::1] cdv, floating[:, ::1] clv,
                   object w_hh, object grad_gh, object carry_lin, bint reverse, object batch_sizes,
                   int num_threads, int pw_threads):
    cdef Py_ssize_t T = gov.shape[0], B = gov.shape[1], H = outv.shape[2], s, t, tp, Bt
    cdef const floating *h_prev
    for s in range(T - 1, -1, -1):
        t = T - 1 - s if reverse else s
        tp = t + 1 if reverse else t - 1
        Bt = _batch(batch_sizes, t, B)
        if Bt > 0:
            if s == 0:
                h_prev = &h0v[0, 0]
            else:
                h_prev = &outv[tp, 0, 0]
            with nogil:
                _gru_dgates(&gov[t, 0, 0], &cdv[0, 0], &clv[0, 0], &actv[t, 0, 0], &ghnv[t, 0, 0], h_prev,
                            &givv[t, 0, 0], &gghv[t, 0, 0], Bt, H, pw_threads)
        _step(w_hh, _rows(grad_gh[t], Bt, B), _rows(carry_lin, Bt, B), None, num_threads)


def gru_bwd(grad_out, w_hh, act, gh_n, out, h0, grad_ig, grad_gh, carry_d, carry_lin, bint reverse,
            int num_threads, int pw_threads, batch_sizes=None):
    """grad_ig, grad_gh (T, B, 3H) of every step.  carry_d enters as grad_h_n and carry_lin as zeros;
    on return grad_h0 = carry_d + carry_lin."""
    w_hh = _step_weight(w_hh, False, act.shape[1])
    if act.dtype.itemsize == 4:
        _gru_bwd[float](grad_out, act, gh_n, out, h0, grad_ig, grad_gh, carry_d, carry_lin, w_hh,
                        grad_gh, carry_lin, reverse, batch_sizes, num_threads, pw_threads)
    else:
        _gru_bwd[double](grad_out, act, gh_n, out, h0, grad_ig, grad_gh, carry_d, carry_lin, w_hh,
                         grad_gh, carry_lin, reverse, batch_sizes, num_threads, pw_threads)


def step_product(_StepWeight sw, a, out, bias, int num_threads):
    """out = a w(k, n) (+ bias) for one step (the tests' and benchmarks' entry to the step products)."""
    _step(sw, a, out, bias, num_threads)
