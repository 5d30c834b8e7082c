# Legend: R rows (every index the reduction keeps, folded into one), N the reduced elements of a row
#         (every reduced dim, folded and moved last by the Function); x input, out one double per row.
"""Row reductions of the Tensor API (sum, mean, prod, var), each row summed in one fixed order.

Every row is owned by one thread and read left to right, n = 0, 1, ..., N-1, so the result does not
depend on the thread count or the CPU.  Sums are compensated (Neumaier) in double: ``s`` is the running
sum, ``c`` collects each addition's rounding error, and the row's value is ``s + c`` (or ``s`` alone
once ``s`` is not finite: an infinity or NaN is then the answer).  float32 rows are read into double,
so a float32 sum is the compensated double sum rounded once.  Products run in double, left to right.
"""
from cython.parallel cimport prange
from libc.math cimport fabs, isfinite

ctypedef fused floating:
    float
    double


cdef inline double compensated_sum(const floating *v, Py_ssize_t N) noexcept nogil:
    """v[0] + v[1] + ... + v[N-1] in double, n ascending, with Neumaier's compensation."""
    cdef double s = 0, c = 0, t, x
    cdef Py_ssize_t n
    for n in range(N):
        x = v[n]
        t = s + x
        if fabs(s) >= fabs(x):
            c = c + ((s - t) + x)
        else:
            c = c + ((x - t) + s)
        s = t
    return s + c if isfinite(s) else s


cdef inline double compensated_squared_deviation(const floating *v, double centre, Py_ssize_t N) noexcept nogil:
    """(v[0] - centre)**2 + ... in double, n ascending, with Neumaier's compensation."""
    cdef double s = 0, c = 0, t, x
    cdef Py_ssize_t n
    for n in range(N):
        x = (v[n] - centre) * (v[n] - centre)
        t = s + x
        if fabs(s) >= fabs(x):
            c = c + ((s - t) + x)
        else:
            c = c + ((x - t) + s)
        s = t
    return s + c if isfinite(s) else s


cdef inline double sequential_product(const floating *v, Py_ssize_t N) noexcept nogil:
    cdef double p = 1
    cdef Py_ssize_t n
    for n in range(N):
        p = p * v[n]
    return p


def sum_rows(const floating[:, ::1] x, double[::1] out, int num_threads):
    """out[r] = x[r, 0] + x[r, 1] + ... + x[r, N-1], compensated, n ascending (N > 0)."""
    cdef Py_ssize_t R = x.shape[0], N = x.shape[1], r
    for r in prange(R, nogil=True, num_threads=num_threads, schedule="static"):
        out[r] = compensated_sum(&x[r, 0], N)


def squared_deviation_rows(const floating[:, ::1] x, const double[::1] centre, double[::1] out,
                           int num_threads):
    """out[r] = (x[r, 0] - centre[r])**2 + ..., compensated, n ascending (the numerator of var; N > 0)."""
    cdef Py_ssize_t R = x.shape[0], N = x.shape[1], r
    for r in prange(R, nogil=True, num_threads=num_threads, schedule="static"):
        out[r] = compensated_squared_deviation(&x[r, 0], centre[r], N)


def prod_rows(const floating[:, ::1] x, double[::1] out, int num_threads):
    """out[r] = ((1 * x[r, 0]) * x[r, 1]) * ..., in double, n ascending (N > 0)."""
    cdef Py_ssize_t R = x.shape[0], N = x.shape[1], r
    for r in prange(R, nogil=True, num_threads=num_threads, schedule="static"):
        out[r] = sequential_product(&x[r, 0], N)
