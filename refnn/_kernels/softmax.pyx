# Legend: R rows (every index but the softmax dim, which the Function moves last), D the
# length of the softmax dim; x input, y output, g upstream gradient; L = 8 lanes of a row sum.
"""Softmax and log-softmax over the last dim of a (R, D) buffer, one row per thread.

Each row: its max (NaN if any element is NaN), the exponentials of x - max, their sum,
then the scaling.  A row sum runs in a fixed order: L = 8 partial sums, lane j taking the
elements d = j (mod 8) in ascending d, then combined as ((s0+s1)+(s2+s3))+((s4+s5)+(s6+s7)).
That order is the specification (it does not depend on the thread count, and gcc can keep
the 8 lanes in vector registers); ``row_sum`` is the one place it is written.
"""
from cython.parallel cimport prange
from libc.math cimport NAN

from refnn._kernels._rowmath cimport exp_, floating, log_

cdef extern from "refnn_math_rows.h" nogil:
    int refnn_math_init(int max_level)
    int refnn_math_force_level(int level)
    void refnn_map_exp_shift_f32(const float *x, float *y, long n, float m)
    void refnn_map_exp_shift_f64(const double *x, double *y, long n, double m)
    void refnn_map_exp_f32(const float *x, float *y, long n)
    void refnn_map_exp_f64(const double *x, double *y, long n)
    void refnn_softmax_row_f32(const float *x, float *y, long D)

from refnn._isa import MAX_LEVEL, check_level


def _set_isa_level(int max_level):
    """Re-choose the row maps' build, at most max_level (refnn._isa.forced)."""
    return refnn_math_init(max_level)


check_level(refnn_math_init(MAX_LEVEL), _set_isa_level)


cdef bint _fused_rows = True


def _use_fused_rows(bint on):
    """float32 softmax rows through refnn_softmax_row_f32 (on) or the Cython loop below, which stays the
    specification (tests hold the two equal)."""
    global _fused_rows
    _fused_rows = on


def _force_build(int level):
    """Force the exponentials' build (0 baseline, 1 AVX2, 2 AVX-512); -1 where the CPU lacks it (tests)."""
    return refnn_math_force_level(level)


cdef inline void exp_shift(const floating* x, floating* y, Py_ssize_t D, floating m) noexcept nogil:
    """y[d] = exp(x[d] - m): refnn_math_rows.h's baseline, AVX2 or AVX-512 build of the loop
    ``for d: y[d] = exp_(x[d] - m)`` (the same operations per element, so the same bits)."""
    if floating is float:
        refnn_map_exp_shift_f32(x, y, D, m)
    else:
        refnn_map_exp_shift_f64(x, y, D, m)


cdef inline floating row_sum(const floating* v, Py_ssize_t D) noexcept nogil:
    """sum of v[0:D] in 8 lanes (lane j: d = j mod 8, ascending), then pairwise."""
    cdef floating s[8]
    cdef Py_ssize_t d, j, full = D - D % 8
    for j in range(8):
        s[j] = 0
    for d in range(0, full, 8):
        for j in range(8):
            s[j] = s[j] + v[d + j]
    for d in range(full, D):
        s[d - full] = s[d - full] + v[d]
    return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]))


cdef inline floating row_dot(const floating* u, const floating* v, Py_ssize_t D) noexcept nogil:
    """sum of u[d] * v[d], in row_sum's order."""
    cdef floating s[8]
    cdef Py_ssize_t d, j, full = D - D % 8
    for j in range(8):
        s[j] = 0
    for d in range(0, full, 8):
        for j in range(8):
            s[j] = s[j] + u[d + j] * v[d + j]
    for d in range(full, D):
        s[d - full] = s[d - full] + u[d] * v[d]
    return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]))


cdef inline floating row_max(const floating* v, Py_ssize_t D) noexcept nogil:
    """max of v[0:D]; NaN if any element is NaN (torch's maximum)."""
    cdef floating m = v[0]
    cdef Py_ssize_t d
    cdef int has_nan = 0
    for d in range(D):
        m = v[d] if v[d] > m else m
        has_nan = has_nan | (v[d] != v[d])
    if has_nan:
        return <floating>NAN
    return m


cdef inline void softmax_row(const floating* x, floating* y, Py_ssize_t D) noexcept nogil:
    cdef Py_ssize_t d
    if floating is float:
        if _fused_rows:             # the loop below in one baseline/AVX2/AVX-512 build (the same bits)
            refnn_softmax_row_f32(x, y, D)
            return
    cdef floating m = row_max(x, D), scale
    exp_shift(x, y, D, m)
    scale = 1 / row_sum(y, D)
    for d in range(D):
        y[d] = y[d] * scale


cdef inline void log_softmax_row(const floating* x, floating* y, Py_ssize_t D) noexcept nogil:
    cdef Py_ssize_t d
    cdef floating m = row_max(x, D), log_total
    exp_shift(x, y, D, m)
    log_total = log_(row_sum(y, D))
    for d in range(D):
        y[d] = x[d] - m - log_total


def softmax_fwd(const floating[:, ::1] x, floating[:, ::1] out, int num_threads):
    """y[r, d] = exp(x[r, d] - max_r) * (1 / sum_d exp(x[r, d] - max_r))."""
    cdef Py_ssize_t r, R = x.shape[0], D = x.shape[1]
    if D == 0:
        return
    if num_threads == 1:            # the same rows in order, without an OpenMP region
        with nogil:
            for r in range(R):
                softmax_row(&x[r, 0], &out[r, 0], D)
        return
    for r in prange(R, nogil=True, num_threads=num_threads, schedule="static"):
        softmax_row(&x[r, 0], &out[r, 0], D)


def softmax_bwd(const floating[:, ::1] grad_out, const floating[:, ::1] out, floating[:, ::1] grad_in,
                int num_threads):
    """grad_in[r, d] = y[r, d] * (g[r, d] - sum_d g[r, d] * y[r, d])."""
    cdef Py_ssize_t r, d, R = out.shape[0], D = out.shape[1]
    cdef floating dot
    if D == 0:
        return
    for r in prange(R, nogil=True, num_threads=num_threads, schedule="static"):
        dot = row_dot(&grad_out[r, 0], &out[r, 0], D)
        for d in range(D):
            grad_in[r, d] = out[r, d] * (grad_out[r, d] - dot)


def log_softmax_fwd(const floating[:, ::1] x, floating[:, ::1] out, int num_threads):
    """y[r, d] = x[r, d] - max_r - log(sum_d exp(x[r, d] - max_r))."""
    cdef Py_ssize_t r, R = x.shape[0], D = x.shape[1]
    if D == 0:
        return
    if num_threads == 1:            # the same rows in order, without an OpenMP region
        with nogil:
            for r in range(R):
                log_softmax_row(&x[r, 0], &out[r, 0], D)
        return
    for r in prange(R, nogil=True, num_threads=num_threads, schedule="static"):
        log_softmax_row(&x[r, 0], &out[r, 0], D)


def log_softmax_bwd(const floating[:, ::1] grad_out, const floating[:, ::1] out, floating[:, ::1] grad_in,
                    int num_threads):
    """grad_in[r, d] = g[r, d] - exp(y[r, d]) * sum_d g[r, d]."""
    cdef Py_ssize_t r, d, R = out.shape[0], D = out.shape[1]
    cdef floating total
    if D == 0:
        return
    for r in prange(R, nogil=True, num_threads=num_threads, schedule="static"):
        total = row_sum(&grad_out[r, 0], D)
        exp_shift(&out[r, 0], &grad_in[r, 0], D, 0)       # grad_in := exp(y) (y - 0 == y, also for -0)
        for d in range(D):
            grad_in[r, d] = grad_out[r, d] - grad_in[r, d] * total
