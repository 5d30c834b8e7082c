# The element type and refnn's own scalar transcendentals (refnn/_kernels/include/refnn_math.h), in the
# element type, shared by the activation, softmax, loss, recurrent and Tensor API kernels: the fused
# cross-entropy must evaluate the very same expressions as log_softmax (their results are held bit-equal).
cdef extern from "refnn_math.h" nogil:
    float refnn_expf(float x)
    double refnn_exp(double x)
    float refnn_expm1f(float x)
    double refnn_expm1(double x)
    float refnn_logf(float x)
    double refnn_log(double x)
    float refnn_log1pf(float x)
    double refnn_log1p(double x)
    float refnn_tanhf(float x)
    double refnn_tanh(double x)
    float refnn_erff(float x)
    double refnn_erf(double x)
    float refnn_sigmoidf(float x)
    double refnn_sigmoid(double x)

ctypedef fused floating:
    float
    double


cdef inline floating exp_(floating x) noexcept nogil:
    if floating is float:
        return refnn_expf(x)
    else:
        return refnn_exp(x)


cdef inline floating log_(floating x) noexcept nogil:
    if floating is float:
        return refnn_logf(x)
    else:
        return refnn_log(x)


cdef inline floating expm1_(floating x) noexcept nogil:
    if floating is float:
        return refnn_expm1f(x)
    else:
        return refnn_expm1(x)


cdef inline floating log1p_(floating x) noexcept nogil:
    if floating is float:
        return refnn_log1pf(x)
    else:
        return refnn_log1p(x)


cdef inline floating tanh_(floating x) noexcept nogil:
    if floating is float:
        return refnn_tanhf(x)
    else:
        return refnn_tanh(x)


cdef inline floating erf_(floating x) noexcept nogil:
    if floating is float:
        return refnn_erff(x)
    else:
        return refnn_erf(x)


cdef inline floating sigmoid_(floating x) noexcept nogil:
    """1 / (1 + exp(-x)), float32 computed in double and rounded once."""
    if floating is float:
        return refnn_sigmoidf(x)
    else:
        return refnn_sigmoid(x)
