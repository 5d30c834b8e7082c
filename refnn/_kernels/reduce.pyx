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


DEF PLANE_CHUNK = 512   # columns r of one task of sum_planes (its compensations on the stack)


cdef void _plane_sums(const floating *x, Py_ssize_t N, Py_ssize_t R, Py_ssize_t r0, Py_ssize_t r1,
                      double *s) noexcept nogil:
    """s[r] = the compensated sum of x[0, r], x[1, r], ..., x[N-1, r] for r0 <= r < r1 (x (N, R))."""
    cdef double sum_[PLANE_CHUNK]
    cdef double c[PLANE_CHUNK]
    cdef double t, v, sr, big, small
    cdef Py_ssize_t n, r, w = r1 - r0
    cdef const floating *row
    for r in range(w):
        sum_[r] = 0
        c[r] = 0
    for n in range(N):
        row = x + n * R + r0
        for r in range(w):
            # compensated_sum's step, its two branches as one expression over the selected operands (the
            # larger first): (s - t) + v or (v - t) + s, the same operations; selects vectorise, branches not
            v = row[r]
            sr = sum_[r]
            t = sr + v
            big = sr if fabs(sr) >= fabs(v) else v
            small = v if fabs(sr) >= fabs(v) else sr
            c[r] = c[r] + ((big - t) + small)
            sum_[r] = t
    for r in range(w):
        s[r0 + r] = sum_[r] + c[r] if isfinite(sum_[r]) else sum_[r]


def sum_planes(const floating[:, :, ::1] x, double[:, ::1] out, int num_threads):
    """out[a, r] = x[a, 0, r] + x[a, 1, r] + ... + x[a, N-1, r], compensated, n ascending (N > 0).

    A middle dimension reduced in place: each element is the very sum ``sum_rows`` forms over the row
    (x[a, 0, r], ..., x[a, N-1, r]) of the transposed copy (the same operations in the same order, a column
    of lanes at a time), without the copy.  Tasks are (a, PLANE_CHUNK columns), each owned by one thread."""
    cdef Py_ssize_t A = x.shape[0], N = x.shape[1], R = x.shape[2], t, a, r0
    cdef Py_ssize_t chunks = (R + PLANE_CHUNK - 1) // PLANE_CHUNK
    for t in prange(A * chunks, nogil=True, num_threads=num_threads, schedule="static"):
        a = t // chunks
        r0 = (t % chunks) * PLANE_CHUNK
        _plane_sums(&x[a, 0, 0], N, R, r0, min(R, r0 + PLANE_CHUNK), &out[a, 0])


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
