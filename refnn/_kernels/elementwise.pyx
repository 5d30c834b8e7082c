# Legend: n the element index of a flat C-contiguous buffer; x input, e exponent, out output.
"""Transcendental maps of the Tensor API (exp, log, log1p, sin, cos, pow), one scalar call per element.

exp, log and log1p (and expm1, tanh, erf, sigmoid, for tools/ulp_table.py and the tests) are refnn's own
(refnn/_kernels/include/refnn_math.h; float32 computed in double and rounded once, within 1 ulp of the
exact value; float64 within 2: docs/transcendentals.md), mapped by refnn_math_rows.h's baseline, AVX2 or
AVX-512 build in blocks of MAP_BLOCK elements per thread: each element is computed alone by the same
operations, so the result does not depend on its position, the thread count or the CPU.  sin, cos and
pow are still the C library's (within 1 ulp; their last bit can differ between C libraries).
"""
from cython.parallel cimport prange
from libc.math cimport cos, cosf, pow, powf, sin, sinf

from refnn._kernels._rowmath cimport floating

cdef extern from "refnn_math_rows.h" nogil:
    int refnn_math_init(int max_level)
    int refnn_math_force_level(int level)
    void refnn_map_exp_f32(const float *x, float *y, long n)
    void refnn_map_exp_f64(const double *x, double *y, long n)
    void refnn_map_log_f32(const float *x, float *y, long n)
    void refnn_map_log_f64(const double *x, double *y, long n)
    void refnn_map_log1p_f32(const float *x, float *y, long n)
    void refnn_map_log1p_f64(const double *x, double *y, long n)
    void refnn_map_expm1_f32(const float *x, float *y, long n)
    void refnn_map_expm1_f64(const double *x, double *y, long n)
    void refnn_map_tanh_f32(const float *x, float *y, long n)
    void refnn_map_tanh_f64(const double *x, double *y, long n)
    void refnn_map_erf_f32(const float *x, float *y, long n)
    void refnn_map_erf_f64(const double *x, double *y, long n)
    void refnn_map_sigmoid_f32(const float *x, float *y, long n)
    void refnn_map_sigmoid_f64(const double *x, double *y, long n)

from refnn._isa import MAX_LEVEL, check_level


def _set_isa_level(int max_level):
    """Re-choose the row maps' build, at most max_level (refnn._isa.forced)."""
    return refnn_math_init(max_level)


check_level(refnn_math_init(MAX_LEVEL), _set_isa_level)

# the ops of ``unary``
EXP, LOG, LOG1P, SIN, COS, EXPM1, TANH, ERF, SIGMOID = 0, 1, 2, 3, 4, 5, 6, 7, 8

cdef enum:
    MAP_BLOCK = 8192


def _force_build(int level):
    """Force the maps' build (0 baseline, 1 AVX2, 2 AVX-512); -1 where the CPU lacks it (tests, tools)."""
    return refnn_math_force_level(level)


cdef inline floating sin_cos(int op, floating v) noexcept nogil:
    if floating is float:
        return sinf(v) if op == 3 else cosf(v)
    else:
        return sin(v) if op == 3 else cos(v)


cdef inline void map_block(int op, const floating* x, floating* y, long n) noexcept nogil:
    cdef long i
    if floating is float:
        if op == 0:
            refnn_map_exp_f32(x, y, n)
        elif op == 1:
            refnn_map_log_f32(x, y, n)
        elif op == 2:
            refnn_map_log1p_f32(x, y, n)
        elif op == 5:
            refnn_map_expm1_f32(x, y, n)
        elif op == 6:
            refnn_map_tanh_f32(x, y, n)
        elif op == 7:
            refnn_map_erf_f32(x, y, n)
        elif op == 8:
            refnn_map_sigmoid_f32(x, y, n)
        else:
            for i in range(n):
                y[i] = sin_cos(op, x[i])
    else:
        if op == 0:
            refnn_map_exp_f64(x, y, n)
        elif op == 1:
            refnn_map_log_f64(x, y, n)
        elif op == 2:
            refnn_map_log1p_f64(x, y, n)
        elif op == 5:
            refnn_map_expm1_f64(x, y, n)
        elif op == 6:
            refnn_map_tanh_f64(x, y, n)
        elif op == 7:
            refnn_map_erf_f64(x, y, n)
        elif op == 8:
            refnn_map_sigmoid_f64(x, y, n)
        else:
            for i in range(n):
                y[i] = sin_cos(op, x[i])


def unary(int op, const floating[::1] x, floating[::1] out, int num_threads):
    """out[n] = f(x[n]) for f = exp, log, log1p, sin, cos, expm1, tanh, erf or sigmoid (``op``)."""
    cdef Py_ssize_t N = x.shape[0], blk, nblk, start, stop
    if N == 0:
        return
    nblk = (N + MAP_BLOCK - 1) // MAP_BLOCK
    for blk in prange(nblk, nogil=True, num_threads=num_threads, schedule="static"):
        start = blk * MAP_BLOCK
        stop = N if start + MAP_BLOCK > N else start + MAP_BLOCK
        map_block(op, &x[start], &out[start], stop - start)


def power(const floating[::1] x, const floating[::1] e, floating[::1] out, int num_threads):
    """out[n] = pow(x[n], e[n])."""
    cdef Py_ssize_t N = x.shape[0], n
    for n in prange(N, nogil=True, num_threads=num_threads, schedule="static"):
        if floating is float:
            out[n] = powf(x[n], e[n])
        else:
            out[n] = pow(x[n], e[n])
