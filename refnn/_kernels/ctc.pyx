# Legend: T input frames (log_probs is (T, N, C)), N batch, C classes (blank included), L the longest
# target, S = 2 * L + 1 the states of the extended target l' = (blank, l1, blank, l2, ..., lL, blank).
"""CTC loss kernels: the forward (alpha) and backward (beta) recursions of Graves et al. (2006) in log space.

The loops are ATen's LossCTC.cpp CPU loops, expression for expression, so the values are torch's:

* alpha[0, 0] = lp[0, blank], alpha[0, 1] = lp[0, l1], every other alpha[0, s] = -inf;
  alpha[t, s] = log(exp(a1 - m) + exp(a2 - m) + exp(a3 - m)) + m + lp[t, l'[s]] with a1 = alpha[t-1, s],
  a2 = alpha[t-1, s-1] (s > 0), a3 = alpha[t-1, s-2] (s > 1 and l'[s-2] != l'[s]), each absent term -inf,
  m their max (0 when all are -inf); the three exponentials added left to right.
* nll = -log(exp(alpha[T-1, 2L] - m) + exp(alpha[T-1, 2L-1] - m)) - m  (-alpha[T-1, 0] when L = 0;
  0 when T = 0 and L = 0, inf when T = 0 and L > 0).
* beta mirrors alpha from the last frame backwards; for every (t, s), t ascending from T-2 down to 0 and
  s descending, log(alpha * beta) is log-added into g[t, l'[s]] (log(exp(g - m) + exp(ab - m)) + m, m the
  larger; the first term is taken as it is); the last frame's two states are set directly.
* grad[t, c] = (exp(lp[t, c]) - exp((g[t, c] + nll) - lp[t, c])) * grad_out[n] for t < T_n; 0 after T_n,
  and 0 everywhere for an infinite nll under zero_infinity.

Each batch element is one thread's work from start to end (prange over n): the result does not depend
on the thread count.
"""
from cython.parallel cimport prange, threadid
from libc.math cimport INFINITY
from libc.stdint cimport int32_t
from libc.stdlib cimport free, malloc

from refnn._kernels._rowmath cimport exp_, floating, log_

cdef extern from "refnn_ctc_rows.h" nogil:
    int refnn_ctc_rows_init(int max_level)
    void refnn_ctc_row_f32(const float *a, const float *b, const float *c, const int32_t *allow, const float *lpc,
                           float *out, long n)
    void refnn_ctc_row_f64(const double *a, const double *b, const double *c, const int32_t *allow,
                           const double *lpc, double *out, long n)
    void refnn_ctc_logadd_f32(float *g, const float *ab, long n)
    void refnn_ctc_logadd_f64(double *g, const double *ab, long n)
    void refnn_ctc_grad_f32(const float *lp, const float *g, float loss, float gr, float *out, long n)
    void refnn_ctc_grad_f64(const double *lp, const double *g, double loss, double gr, double *out, long n)

from refnn._isa import MAX_LEVEL, check_level


def _set_isa_level(int max_level):
    """Re-choose refnn_ctc_rows.h's build, up to max_level (refnn._isa.forced); the level chosen."""
    return refnn_ctc_rows_init(max_level)


check_level(refnn_ctc_rows_init(MAX_LEVEL), _set_isa_level)

# ctc_fwd / ctc_bwd run the rows of refnn_ctc_rows.h unless spec is set: then ctc_fwd_spec / ctc_bwd_spec, their
# specification (tests/test_loss_spec.py holds the two bit-identical).
cdef bint _spec = False


def set_spec(bint flag):
    """Run the specification loops (True) or the vectorised rows (False); the previous setting."""
    global _spec
    cdef bint old = _spec
    _spec = flag
    return old


# refnn's own exp and log (refnn_math.h), never the C library's: the same bits on every machine
cdef inline floating exp_t(floating x) noexcept nogil:
    return exp_(x)


cdef inline floating log_t(floating x) noexcept nogil:
    return log_(x)


cdef inline long long prime(const long long* target, Py_ssize_t s, long long blank) noexcept nogil:
    """l'[s]: blank at even s, target[s // 2] at odd s (target: the row of batch element n)."""
    if s % 2 == 0:
        return blank
    return target[s // 2]


cdef inline bint alpha_first_frame(const floating[:, :, ::1] log_probs, const long long* target, Py_ssize_t n,
                                   Py_ssize_t in_len, Py_ssize_t tg_len, long long blank,
                                   floating[:, :, ::1] log_alpha, floating* nll_n) noexcept nogil:
    """log_alpha[n, 0, :], the first frame (-inf but for l'[0] and l'[1]); False, with nll_n set (0 for an
    empty target, inf otherwise), when the input is empty.  target: read only when tg_len > 0."""
    cdef Py_ssize_t s
    if log_probs.shape[0] > 0:
        for s in range(log_alpha.shape[2]):
            log_alpha[n, 0, s] = -INFINITY
    if in_len == 0:
        nll_n[0] = 0 if tg_len == 0 else INFINITY
        return False
    log_alpha[n, 0, 0] = log_probs[0, n, blank]
    if tg_len > 0:
        log_alpha[n, 0, 1] = log_probs[0, n, prime(target, 1, blank)]
    return True


def ctc_fwd_spec(const floating[:, :, ::1] log_probs, const long long[:, ::1] targets, const long long[::1] input_lengths,
            const long long[::1] target_lengths, long long blank, floating[:, :, ::1] log_alpha,
            floating[::1] nll, int num_threads):
    """nll[n] = -log p(targets[n] | log_probs[:T_n, n]); log_alpha (N, T, S) kept for the backward."""
    cdef Py_ssize_t N = log_probs.shape[1], T = log_probs.shape[0], S = log_alpha.shape[2]
    cdef Py_ssize_t L = targets.shape[1], n, t, s, in_len, tg_len
    cdef long long cur
    cdef floating la1, la2, la3, lamax, l1, l2, m
    cdef floating neginf = -INFINITY
    cdef const long long* target
    cdef const floating* prev
    cdef const floating* lp
    cdef floating* row
    for n in prange(N, nogil=True, num_threads=num_threads, schedule="static"):
        in_len = input_lengths[n]
        tg_len = target_lengths[n]
        target = &targets[n, 0] if L > 0 else NULL   # read only at odd s < 2 * tg_len (so never when L == 0)
        if not alpha_first_frame(log_probs, target, n, in_len, tg_len, blank, log_alpha, &nll[n]):
            continue
        for t in range(1, in_len):
            prev = &log_alpha[n, t - 1, 0]
            row = &log_alpha[n, t, 0]
            lp = &log_probs[t, n, 0]
            for s in range(2 * tg_len + 1):
                cur = prime(target, s, blank)
                la1 = prev[s]
                lamax = la1
                if s > 0:
                    la2 = prev[s - 1]
                    if la2 > lamax:
                        lamax = la2
                else:
                    la2 = neginf
                if s > 1 and prime(target, s - 2, blank) != cur:
                    la3 = prev[s - 2]
                    if la3 > lamax:
                        lamax = la3
                else:
                    la3 = neginf
                if lamax == neginf:
                    lamax = 0
                row[s] = log_t(exp_t(la1 - lamax) + exp_t(la2 - lamax) + exp_t(la3 - lamax)) + lamax + lp[cur]
        if tg_len == 0:
            nll[n] = -log_alpha[n, in_len - 1, 0]
        else:
            l1 = log_alpha[n, in_len - 1, 2 * tg_len]
            l2 = log_alpha[n, in_len - 1, 2 * tg_len - 1]
            m = l2 if l1 < l2 else l1   # std::max(l1, l2)
            if m == neginf:
                m = 0
            nll[n] = -(log_t(exp_t(l1 - m) + exp_t(l2 - m)) + m)


def ctc_bwd_spec(const floating[:, :, ::1] log_probs, const long long[:, ::1] targets, const long long[::1] input_lengths,
            const long long[::1] target_lengths, long long blank, const floating[:, :, ::1] log_alpha,
            const floating[::1] nll, const floating[:] grad_out, bint zero_infinity,
            floating[:, :, ::1] log_beta, floating[:, :, ::1] grad, int num_threads):
    """grad (T, N, C) of sum_n grad_out[n] * nll[n] with respect to log_probs; grad arrives filled with -inf."""
    cdef Py_ssize_t N = log_probs.shape[1], T = log_probs.shape[0], C = log_probs.shape[2], S = log_beta.shape[2]
    cdef Py_ssize_t L = targets.shape[1], n, t, s, c, in_len, tg_len
    cdef long long cur
    cdef floating lb1, lb2, lb3, lbmax, ab, mx, lp, gr, loss
    cdef floating neginf = -INFINITY
    cdef const long long* target
    cdef const floating* nxt
    cdef const floating* alpha
    cdef const floating* lp_row
    cdef floating* row
    cdef floating* g
    for n in prange(N, nogil=True, num_threads=num_threads, schedule="static"):
        loss = nll[n]
        if zero_infinity and loss == INFINITY:
            for t in range(T):
                for c in range(C):
                    grad[t, n, c] = 0
            continue
        in_len = input_lengths[n]
        tg_len = target_lengths[n]
        target = &targets[n, 0] if L > 0 else NULL   # read only at odd s < 2 * tg_len (so never when L == 0)
        if in_len > 0:
            for s in range(S):
                log_beta[n, in_len - 1, s] = neginf
            log_beta[n, in_len - 1, 2 * tg_len] = log_probs[in_len - 1, n, blank]
            grad[in_len - 1, n, blank] = log_alpha[n, in_len - 1, 2 * tg_len] + log_beta[n, in_len - 1, 2 * tg_len]
            if tg_len > 0:
                cur = prime(target, 2 * tg_len - 1, blank)
                log_beta[n, in_len - 1, 2 * tg_len - 1] = log_probs[in_len - 1, n, cur]
                grad[in_len - 1, n, cur] = (log_alpha[n, in_len - 1, 2 * tg_len - 1]
                                            + log_beta[n, in_len - 1, 2 * tg_len - 1])
        t = in_len - 2
        while t >= 0:
            nxt = &log_beta[n, t + 1, 0]
            row = &log_beta[n, t, 0]
            alpha = &log_alpha[n, t, 0]
            lp_row = &log_probs[t, n, 0]
            g = &grad[t, n, 0]
            s = 2 * tg_len
            while s >= 0:
                lb1 = nxt[s]
                lbmax = lb1
                cur = prime(target, s, blank)
                if s < 2 * tg_len:
                    lb2 = nxt[s + 1]
                    if lb2 > lbmax:
                        lbmax = lb2
                else:
                    lb2 = neginf
                if s < 2 * tg_len - 1 and prime(target, s + 2, blank) != cur:
                    lb3 = nxt[s + 2]
                    if lb3 > lbmax:
                        lbmax = lb3
                else:
                    lb3 = neginf
                if lbmax == neginf:
                    lbmax = 0
                row[s] = log_t(exp_t(lb1 - lbmax) + exp_t(lb2 - lbmax) + exp_t(lb3 - lbmax)) + lbmax + lp_row[cur]
                ab = alpha[s] + row[s]
                if g[cur] == neginf:
                    g[cur] = ab
                else:
                    mx = ab if g[cur] < ab else g[cur]   # std::max(g, ab)
                    g[cur] = log_t(exp_t(g[cur] - mx) + exp_t(ab - mx)) + mx
                s = s - 1
            t = t - 1
        gr = grad_out[n]
        for t in range(in_len):
            lp_row = &log_probs[t, n, 0]
            g = &grad[t, n, 0]
            for c in range(C):
                lp = lp_row[c]
                g[c] = (exp_t(lp) - exp_t(g[c] + loss - lp)) * gr
        for t in range(in_len, T):
            for c in range(C):
                grad[t, n, c] = 0


# ---------------------------------------------------------------- the vectorised form
# The same recursions, reorganised so that the transcendentals run over whole rows (refnn_ctc_rows.h):
# * an alpha row is a function of the previous row only, so all its states s are computed at once, from the
#   previous row padded with two -inf in front (a, b, c = prev[s], prev[s - 1], prev[s - 2]) and allow[s] =
#   (s > 1 and l'[s - 2] != l'[s]); a beta row likewise from the next row padded with -inf behind (next[s],
#   next[s + 1], next[s + 2], allow[s + 2]);
# * the log-additions into g[t, c] keep their order for each (t, c) (s descending), but run for all frames t
#   at once: for s = 2L, ..., 0, g[., l'[s]] log-add ab[., s] over t in one row (g and ab kept per class and
#   per state with the frames contiguous);
# * the gradient row over the classes of each frame.
cdef inline void ctc_row(const floating* a, const floating* b, const floating* c, const int32_t* allow,
                         const floating* lpc, floating* out, Py_ssize_t n) noexcept nogil:
    if floating is float:
        refnn_ctc_row_f32(a, b, c, allow, lpc, out, n)
    else:
        refnn_ctc_row_f64(a, b, c, allow, lpc, out, n)


cdef inline void ctc_alpha_one(const floating[:, :, ::1] log_probs, const long long* target, Py_ssize_t n,
                               Py_ssize_t in_len, Py_ssize_t tg_len, long long blank, floating[:, :, ::1] log_alpha,
                               floating* nll_n, floating* buf, int32_t* allow) noexcept nogil:
    """One batch element's alpha rows and nll (in_len > 0); buf holds 3 * (S + 2) scratch values."""
    cdef Py_ssize_t Sn = 2 * tg_len + 1, s, t
    cdef floating neginf = -INFINITY
    cdef floating* prev = buf            # [-inf, -inf, alpha[t - 1, 0 .. Sn)]
    cdef floating* lpc = buf + (Sn + 2)
    cdef floating* row = buf + 2 * (Sn + 2)
    cdef floating l1, l2, m
    cdef long long* lab = <long long*>(allow + 2 * ((Sn + 3) // 2))   # l'[s], 8-byte aligned after allow
    cdef const floating* lp_row
    for s in range(Sn):
        lab[s] = prime(target, s, blank)
        allow[s] = 1 if (s > 1 and prime(target, s - 2, blank) != lab[s]) else 0
    prev[0] = neginf
    prev[1] = neginf
    for s in range(Sn):
        prev[2 + s] = log_alpha[n, 0, s]
    for t in range(1, in_len):
        lp_row = &log_probs[t, n, 0]
        for s in range(Sn):
            lpc[s] = lp_row[lab[s]]
        ctc_row(prev + 2, prev + 1, prev, allow, lpc, row, Sn)
        for s in range(Sn):
            prev[2 + s] = row[s]
            log_alpha[n, t, s] = row[s]
    if tg_len == 0:
        nll_n[0] = -log_alpha[n, in_len - 1, 0]
    else:
        l1 = log_alpha[n, in_len - 1, 2 * tg_len]
        l2 = log_alpha[n, in_len - 1, 2 * tg_len - 1]
        m = l2 if l1 < l2 else l1   # std::max(l1, l2)
        if m == neginf:
            m = 0
        nll_n[0] = -(log_(exp_(l1 - m) + exp_(l2 - m)) + m)


def ctc_fwd(const floating[:, :, ::1] log_probs, const long long[:, ::1] targets, const long long[::1] input_lengths,
            const long long[::1] target_lengths, long long blank, floating[:, :, ::1] log_alpha,
            floating[::1] nll, int num_threads):
    """ctc_fwd_spec's results through refnn_ctc_rows.h (the same bits)."""
    cdef Py_ssize_t N = log_probs.shape[1], T = log_probs.shape[0], S = log_alpha.shape[2]
    cdef Py_ssize_t L = targets.shape[1], n, in_len, tg_len
    cdef const long long* target
    cdef floating* buf
    cdef int32_t* allow
    cdef Py_ssize_t nbuf = 3 * (S + 2), nallow = ((S + 4) * sizeof(int32_t) + (S + 1) * sizeof(long long) + 63) // 64 * 64
    cdef floating* bufs
    cdef char* allows
    if _spec:
        ctc_fwd_spec(log_probs, targets, input_lengths, target_lengths, blank, log_alpha, nll, num_threads)
        return
    if num_threads < 1:
        num_threads = 1
    # one scratch row per thread, allocated before the parallel region (a failed allocation raises here)
    bufs = <floating*>malloc(num_threads * nbuf * sizeof(floating))
    allows = <char*>malloc(num_threads * nallow)
    if bufs == NULL or allows == NULL:
        free(bufs)
        free(allows)
        raise MemoryError("ctc_loss: cannot allocate the forward's scratch rows")
    for n in prange(N, nogil=True, num_threads=num_threads, schedule="static"):
        in_len = input_lengths[n]
        tg_len = target_lengths[n]
        target = &targets[n, 0] if L > 0 else NULL   # read only at odd s < 2 * tg_len (so never when L == 0)
        if not alpha_first_frame(log_probs, target, n, in_len, tg_len, blank, log_alpha, &nll[n]):
            continue
        buf = bufs + threadid() * nbuf
        allow = <int32_t*>(allows + threadid() * nallow)
        ctc_alpha_one(log_probs, target, n, in_len, tg_len, blank, log_alpha, &nll[n], buf, allow)
    free(bufs)
    free(allows)


cdef inline void ctc_grad_one(const floating[:, :, ::1] log_probs, const long long* target, Py_ssize_t n,
                              Py_ssize_t in_len, Py_ssize_t tg_len, long long blank,
                              const floating[:, :, ::1] log_alpha, floating loss, floating gr,
                              floating[:, :, ::1] grad, floating* buf, int32_t* allow) noexcept nogil:
    """One batch element's beta rows, log-additions and gradient rows for t < in_len (in_len > 0).

    buf: 2 * (Sn + 2) + Sn for the rows, Sn * in_len for ab (state-major), C * in_len for g (class-major), C."""
    cdef Py_ssize_t Sn = 2 * tg_len + 1, C = log_probs.shape[2], s, t, c, Tn = in_len
    cdef long long cur
    cdef floating neginf = -INFINITY
    cdef floating* nxt = buf                    # [beta[t + 1, 0 .. Sn), -inf, -inf]
    cdef floating* lpc = buf + (Sn + 2)
    cdef floating* row = buf + 2 * (Sn + 2)
    cdef floating* ab = row + Sn                # ab[s * Tn + t] = alpha[t, s] + beta[t, s], t < in_len - 1
    cdef floating* g = ab + Sn * Tn             # g[c * Tn + t]
    cdef floating* tmp = g + C * Tn
    cdef long long* lab = <long long*>(allow + 2 * ((Sn + 3) // 2))   # l'[s], 8-byte aligned after allow
    cdef const floating* lp_row
    for s in range(Sn):
        lab[s] = prime(target, s, blank)
    for s in range(Sn + 2):
        allow[s] = 1 if (s > 1 and s < Sn and prime(target, s - 2, blank) != lab[s]) else 0
    for c in range(C * Tn):
        g[c] = neginf
    # the last frame: its beta and its two entries of g set directly
    for s in range(Sn + 2):
        nxt[s] = neginf
    nxt[2 * tg_len] = log_probs[in_len - 1, n, blank]
    g[blank * Tn + in_len - 1] = log_alpha[n, in_len - 1, 2 * tg_len] + nxt[2 * tg_len]
    if tg_len > 0:
        cur = prime(target, 2 * tg_len - 1, blank)
        nxt[2 * tg_len - 1] = log_probs[in_len - 1, n, cur]
        g[cur * Tn + in_len - 1] = log_alpha[n, in_len - 1, 2 * tg_len - 1] + nxt[2 * tg_len - 1]
    t = in_len - 2
    while t >= 0:
        lp_row = &log_probs[t, n, 0]
        for s in range(Sn):
            lpc[s] = lp_row[lab[s]]
        ctc_row(nxt, nxt + 1, nxt + 2, allow + 2, lpc, row, Sn)
        for s in range(Sn):
            nxt[s] = row[s]
            ab[s * Tn + t] = log_alpha[n, t, s] + row[s]
        t = t - 1
    if in_len > 1:
        s = 2 * tg_len
        while s >= 0:
            cur = lab[s]
            if floating is float:
                refnn_ctc_logadd_f32(g + cur * Tn, ab + s * Tn, in_len - 1)
            else:
                refnn_ctc_logadd_f64(g + cur * Tn, ab + s * Tn, in_len - 1)
            s = s - 1
    for t in range(in_len):
        for c in range(C):
            tmp[c] = g[c * Tn + t]
        if floating is float:
            refnn_ctc_grad_f32(&log_probs[t, n, 0], tmp, loss, gr, &grad[t, n, 0], C)
        else:
            refnn_ctc_grad_f64(&log_probs[t, n, 0], tmp, loss, gr, &grad[t, n, 0], C)


def ctc_bwd(const floating[:, :, ::1] log_probs, const long long[:, ::1] targets, const long long[::1] input_lengths,
            const long long[::1] target_lengths, long long blank, const floating[:, :, ::1] log_alpha,
            const floating[::1] nll, const floating[:] grad_out, bint zero_infinity,
            floating[:, :, ::1] log_beta, floating[:, :, ::1] grad, int num_threads):
    """ctc_bwd_spec's gradient through refnn_ctc_rows.h (the same bits); log_beta is not written."""
    cdef Py_ssize_t N = log_probs.shape[1], T = log_probs.shape[0], C = log_probs.shape[2], S = log_beta.shape[2]
    cdef Py_ssize_t L = targets.shape[1], n, t, c, in_len, tg_len
    cdef floating loss
    cdef const long long* target
    cdef floating* buf
    cdef int32_t* allow
    cdef Py_ssize_t nbuf = 3 * (S + 2) + (S + C) * T + C
    cdef Py_ssize_t nallow = ((S + 4) * sizeof(int32_t) + (S + 1) * sizeof(long long) + 63) // 64 * 64
    cdef floating* bufs
    cdef char* allows
    if _spec:
        ctc_bwd_spec(log_probs, targets, input_lengths, target_lengths, blank, log_alpha, nll, grad_out,
                     zero_infinity, log_beta, grad, num_threads)
        return
    if num_threads < 1:
        num_threads = 1
    # one scratch block per thread (sized for the longest input), allocated before the parallel region
    bufs = <floating*>malloc(num_threads * nbuf * sizeof(floating))
    allows = <char*>malloc(num_threads * nallow)
    if bufs == NULL or allows == NULL:
        free(bufs)
        free(allows)
        raise MemoryError("ctc_loss: cannot allocate the backward's scratch rows")
    for n in prange(N, nogil=True, num_threads=num_threads, schedule="static"):
        loss = nll[n]
        in_len = input_lengths[n]
        if zero_infinity and loss == INFINITY:
            in_len = 0
        tg_len = target_lengths[n]
        target = &targets[n, 0] if L > 0 else NULL   # read only at odd s < 2 * tg_len (so never when L == 0)
        if in_len > 0:
            buf = bufs + threadid() * nbuf
            allow = <int32_t*>(allows + threadid() * nallow)
            ctc_grad_one(log_probs, target, n, in_len, tg_len, blank, log_alpha, loss, grad_out[n], grad, buf,
                         allow)
        for t in range(in_len, T):
            for c in range(C):
                grad[t, n, c] = 0
    free(bufs)
    free(allows)
