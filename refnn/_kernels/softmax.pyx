# Legend: R rows (every index but the softmax dim, which the Function moves last), D the
# length of the softmax dim; x input, y output, g upstream gradient.
"""Softmax and log-softmax over the last dim of a (R, D) buffer, one row per thread.

Each row is read max-first (NaN propagates), then exponentials summed in
ascending order, so the result does not depend on the thread count.
"""
from cython.parallel cimport prange
from libc.math cimport exp, expf, log, logf

ctypedef fused floating:
    float
    double


cdef inline floating exp_(floating x) noexcept nogil:
    if floating is float:
        return expf(x)
    else:
        return exp(x)


cdef inline floating log_(floating x) noexcept nogil:
    if floating is float:
        return logf(x)
    else:
        return log(x)


cdef inline floating row_max(const floating[:, ::1] x, Py_ssize_t r) noexcept nogil:
    """max over x[r, :], NaN if any is NaN (torch's maximum)."""
    cdef Py_ssize_t d
    cdef floating m = x[r, 0]
    for d in range(1, x.shape[1]):
        if x[r, d] > m or x[r, d] != x[r, d]:
            m = x[r, d]
        if m != m:
            break
    return m


def softmax_fwd(const floating[:, ::1] x, floating[:, ::1] out, int num_threads):
    """y[r, d] = exp(x[r, d] - max_r) * (1 / sum_d exp(x[r, d] - max_r))."""
    cdef Py_ssize_t r, d, R = x.shape[0], D = x.shape[1]
    cdef floating m, total, scale
    if D == 0:
        return
    for r in prange(R, nogil=True, num_threads=num_threads, schedule="static"):
        m = row_max(x, r)
        total = 0
        for d in range(D):
            out[r, d] = exp_(x[r, d] - m)
            total = total + out[r, d]
        scale = 1 / total
        for d in range(D):
            out[r, d] = out[r, d] * scale


def softmax_bwd(const floating[:, ::1] grad_out, const floating[:, ::1] out, floating[:, ::1] grad_in,
                int num_threads):
    """grad_in[r, d] = y[r, d] * (g[r, d] - sum_d g[r, d] * y[r, d])."""
    cdef Py_ssize_t r, d, R = out.shape[0], D = out.shape[1]
    cdef floating dot
    for r in prange(R, nogil=True, num_threads=num_threads, schedule="static"):
        dot = 0
        for d in range(D):
            dot = dot + grad_out[r, d] * out[r, d]
        for d in range(D):
            grad_in[r, d] = out[r, d] * (grad_out[r, d] - dot)


def log_softmax_fwd(const floating[:, ::1] x, floating[:, ::1] out, int num_threads):
    """y[r, d] = x[r, d] - max_r - log(sum_d exp(x[r, d] - max_r))."""
    cdef Py_ssize_t r, d, R = x.shape[0], D = x.shape[1]
    cdef floating m, total, log_total
    if D == 0:
        return
    for r in prange(R, nogil=True, num_threads=num_threads, schedule="static"):
        m = row_max(x, r)
        total = 0
        for d in range(D):
            total = total + exp_(x[r, d] - m)
        log_total = log_(total)
        for d in range(D):
            out[r, d] = x[r, d] - m - log_total


def log_softmax_bwd(const floating[:, ::1] grad_out, const floating[:, ::1] out, floating[:, ::1] grad_in,
                    int num_threads):
    """grad_in[r, d] = g[r, d] - exp(y[r, d]) * sum_d g[r, d]."""
    cdef Py_ssize_t r, d, R = out.shape[0], D = out.shape[1]
    cdef floating total
    for r in prange(R, nogil=True, num_threads=num_threads, schedule="static"):
        total = 0
        for d in range(D):
            total = total + grad_out[r, d]
        for d in range(D):
            grad_in[r, d] = grad_out[r, d] - exp_(out[r, d]) * total
