# Legend: n the number of elements (every activation runs over a flat buffer).
"""Elementwise activations: ``<name>_fwd`` / ``<name>_bwd`` pairs over flat buffers."""
from cython.parallel cimport prange

ctypedef fused floating:
    float
    double


def relu_fwd(const floating[::1] x, floating[::1] out, int num_threads):
    """out = x if x > 0 else 0 (NaN propagates)."""
    cdef Py_ssize_t i, n = x.shape[0]
    for i in prange(n, nogil=True, num_threads=num_threads, schedule="static"):
        out[i] = 0 if x[i] <= 0 else x[i]


def relu_bwd(const floating[::1] grad_out, const floating[::1] out, floating[::1] grad_in, int num_threads):
    """grad_in = 0 where out <= 0, else grad_out (torch's threshold_backward on the result)."""
    cdef Py_ssize_t i, n = out.shape[0]
    for i in prange(n, nogil=True, num_threads=num_threads, schedule="static"):
        grad_in[i] = 0 if out[i] <= 0 else grad_out[i]
