# Legend: M rows of A and C, N rows of B (columns of C), K the reduced dimension.
"""Matrix product with a fixed summation order: the specification of Linear."""
from cython.parallel cimport prange

ctypedef fused floating:
    float
    double


def gemm_nt(const floating[:, ::1] a, const floating[:, ::1] b, floating[:, ::1] out, int num_threads):
    """out[m, n] = sum_k a[m, k] * b[n, k], k ascending from 0."""
    cdef Py_ssize_t M = a.shape[0], K = a.shape[1], N = b.shape[0]
    cdef Py_ssize_t m, n, k
    cdef floating acc
    for m in prange(M, nogil=True, num_threads=num_threads, schedule="static"):
        for n in range(N):
            acc = 0
            for k in range(K):
                acc = acc + a[m, k] * b[n, k]
            out[m, n] = acc


def add_bias_rows(floating[:, ::1] out, const floating[::1] bias, int num_threads):
    """out[m, n] += bias[n]."""
    cdef Py_ssize_t M = out.shape[0], N = out.shape[1], m, n
    for m in prange(M, nogil=True, num_threads=num_threads, schedule="static"):
        for n in range(N):
            out[m, n] = out[m, n] + bias[n]


def sum_rows(const floating[:, ::1] a, floating[::1] out):
    """out[n] = sum_m a[m, n], m ascending from 0."""
    cdef Py_ssize_t M = a.shape[0], N = a.shape[1], m, n
    with nogil:
        for n in range(N):
            out[n] = 0
        for m in range(M):
            for n in range(N):
                out[n] = out[n] + a[m, n]
