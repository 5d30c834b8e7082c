# Legend: n the element index of a flat C-contiguous buffer; x input, e exponent, out output.
"""Transcendental maps of the Tensor API (exp, log, log1p, sin, cos, pow), one scalar call per element.

Each element is computed alone by the C library's scalar function (float32: expf's replacement
refnn_expf, the one softmax uses, then logf, log1pf, sinf, cosf, powf; float64: exp, log, log1p, sin,
cos, pow), so the result does not depend on the element's position, the thread count or the CPU's
vector width.  These functions are within 1 ulp of the exact value (not correctly rounded), so a
result can differ from torch's in the last bit.
"""
from cython.parallel cimport prange
from libc.math cimport cos, cosf, log, log1p, log1pf, logf, pow, powf, sin, sinf

from refnn._kernels._rowmath cimport exp_, floating

# the ops of ``unary``
EXP, LOG, LOG1P, SIN, COS = 0, 1, 2, 3, 4


cdef inline floating apply_op(int op, floating v) noexcept nogil:
    if op == 0:
        return exp_(v)
    if floating is float:
        if op == 1:
            return logf(v)
        if op == 2:
            return log1pf(v)
        if op == 3:
            return sinf(v)
        return cosf(v)
    else:
        if op == 1:
            return log(v)
        if op == 2:
            return log1p(v)
        if op == 3:
            return sin(v)
        return cos(v)


def unary(int op, const floating[::1] x, floating[::1] out, int num_threads):
    """out[n] = f(x[n]) for f = exp, log, log1p, sin or cos (``op``: EXP, LOG, LOG1P, SIN, COS)."""
    cdef Py_ssize_t N = x.shape[0], n
    for n in prange(N, nogil=True, num_threads=num_threads, schedule="static"):
        out[n] = apply_op(op, x[n])


def power(const floating[::1] x, const floating[::1] e, floating[::1] out, int num_threads):
    """out[n] = pow(x[n], e[n])."""
    cdef Py_ssize_t N = x.shape[0], n
    for n in prange(N, nogil=True, num_threads=num_threads, schedule="static"):
        if floating is float:
            out[n] = powf(x[n], e[n])
        else:
            out[n] = pow(x[n], e[n])
