# The element type and the scalar exp and log the activation, softmax and loss kernels share: the fused
# cross-entropy must evaluate the very same expressions as log_softmax (their results are held bit-equal).
from libc.math cimport exp, log, logf

cdef extern from "refnn_vexp.h" nogil:
    float refnn_expf(float x)        # branch-free, vectorisable, within 1 ulp of expf

ctypedef fused floating:
    float
    double


cdef inline floating exp_(floating x) noexcept nogil:
    if floating is float:
        return refnn_expf(x)
    else:
        return exp(x)


cdef inline floating log_(floating x) noexcept nogil:
    if floating is float:
        return logf(x)
    else:
        return log(x)
