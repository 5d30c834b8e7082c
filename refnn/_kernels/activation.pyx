# Legend: n the number of elements (every activation runs over a flat buffer); x the input,
# y the result, g the upstream gradient, s the saved value (x or y, as the activation's table
# entry in refnn/_functions/activation.py says); a, b, c the activation's scalar arguments,
# cast to the element type first (as ATen casts its Scalars), so that edge comparisons such
# as x <= lambd happen in the element type; N batch, C channels, S spatial (PReLU only).
"""Elementwise activations: ``<name>_fwd`` / ``<name>_bwd`` pairs over flat buffers.

Two loops serve every activation: ``forward_map`` (y = f(x)) and ``backward_map``
(grad_in = df(g, s)).  Each activation is a tag type in the fused type ``Op``
and one scalar formula in ``scalar_fwd`` / ``scalar_bwd``; Cython specialises
the loops per tag at compile time, so the formula is inlined and the simple
ones vectorise.  Adding an activation: a tag struct, one line in ``Op``, one
branch in each scalar function, and the two ``def`` wrappers.  The formulas are
ATen's CPU kernels' scalar loop (same comparisons at the kinks, same NaN behaviour): the answer
torch gives for an element alone, the same at every position and on every CPU.  ATen's
vectorised body disagrees with it at some non-finite inputs (the gradient at NaN of Hardtanh,
the shrinks, ELU and Hardswish; GELU of +inf in the AVX-512 body); docs/nonfinite.md has the table.

exp, expm1, log1p, tanh, erf and sigmoid are refnn's own (refnn/_kernels/include/refnn_math.h):
straight-line range reduction and polynomial, the same IEEE operations on every CPU, float32 computed
in double and rounded once (within 1 ulp; float64 within 2; docs/transcendentals.md).  The Cython
loops build for the baseline x86-64 ISA (SSE2; no FMA).  The forward of Sigmoid, Tanh, SiLU and GELU
(and the backward of GELU, SiLU and LogSigmoid) runs refnn_math_rows.h's row maps instead, compiled for baseline, AVX2 and AVX-512 and chosen at
import (refnn/_isa.py): the same scalar formula per element, so the same bits as the Cython loop,
which stays the specification (``_use_row_maps(False)`` runs it; tests hold the two equal).
"""
from cython.parallel cimport prange
from libc.math cimport fabs, fabsf, M_SQRT1_2, M_SQRT2, M_2_SQRTPI

from refnn._kernels._rowmath cimport erf_, exp_, expm1_, floating, log1p_, sigmoid_, tanh_

cdef extern from "refnn_math_rows.h" nogil:
    int refnn_math_init(int max_level)
    int refnn_math_force_level(int level)
    void refnn_map_sigmoid_f32(const float *x, float *y, long n)
    void refnn_map_sigmoid_f64(const double *x, double *y, long n)
    void refnn_map_tanh_f32(const float *x, float *y, long n)
    void refnn_map_tanh_f64(const double *x, double *y, long n)
    void refnn_map_silu_f32(const float *x, float *y, long n)
    void refnn_map_silu_f64(const double *x, double *y, long n)
    void refnn_map_gelu_f32(const float *x, float *y, long n)
    void refnn_map_gelu_f64(const double *x, double *y, long n)
    void refnn_map2_gelu_bwd_f32(const float *g, const float *s, float *y, long n)
    void refnn_map2_gelu_bwd_f64(const double *g, const double *s, double *y, long n)
    void refnn_map2_silu_bwd_f32(const float *g, const float *s, float *y, long n)
    void refnn_map2_silu_bwd_f64(const double *g, const double *s, double *y, long n)
    void refnn_map2_logsigmoid_bwd_f32(const float *g, const float *s, float *y, long n)
    void refnn_map2_logsigmoid_bwd_f64(const double *g, const double *s, double *y, long n)

from refnn._isa import MAX_LEVEL, check_level


def _set_isa_level(int max_level):
    """Re-choose the row maps' build, at most max_level (refnn._isa.forced)."""
    return refnn_math_init(max_level)


check_level(refnn_math_init(MAX_LEVEL), _set_isa_level)

cdef bint _row_maps = True
cdef enum:
    MAP_BLOCK = 8192        # elements a thread maps at a time (every element alone: blocks change no bit)


def _use_row_maps(bint on):
    """Route Sigmoid/Tanh/SiLU/GELU forward through refnn_math_rows.h (True) or the Cython loop (tests)."""
    global _row_maps
    _row_maps = on


def _force_build(int level):
    """Force the row maps' build (0 baseline, 1 AVX2, 2 AVX-512); -1 where the CPU lacks it (tests)."""
    return refnn_math_force_level(level)


# ---------------------------------------------------------------- helpers in the element type
# (erf_, exp_, expm1_, log1p_, sigmoid_, tanh_ come from _rowmath: refnn_math.h's functions)
cdef inline floating abs_(floating x) noexcept nogil:
    if floating is float:
        return fabsf(x)
    else:
        return fabs(x)


# ---------------------------------------------------------------- tags, one per formula
cdef struct Relu:
    char tag
cdef struct LeakyRelu:
    char tag
cdef struct Elu:
    char tag
cdef struct EluResult:
    char tag
cdef struct Hardtanh:
    char tag
cdef struct Hardsigmoid:
    char tag
cdef struct Hardswish:
    char tag
cdef struct Hardshrink:
    char tag
cdef struct Softshrink:
    char tag
cdef struct Threshold:
    char tag
cdef struct Sigmoid:
    char tag
cdef struct Tanh:
    char tag
cdef struct LogSigmoid:
    char tag
cdef struct Silu:
    char tag
cdef struct Mish:
    char tag
cdef struct Softplus:
    char tag
cdef struct Softsign:
    char tag
cdef struct Tanhshrink:
    char tag
cdef struct Gelu:
    char tag
cdef struct GeluTanh:
    char tag

ctypedef fused Op:
    Relu
    LeakyRelu
    Elu
    EluResult
    Hardtanh
    Hardsigmoid
    Hardswish
    Hardshrink
    Softshrink
    Threshold
    Sigmoid
    Tanh
    LogSigmoid
    Silu
    Mish
    Softplus
    Softsign
    Tanhshrink
    Gelu
    GeluTanh


# ---------------------------------------------------------------- the scalar formulas
cdef inline floating scalar_fwd(Op op, floating x, floating a, floating b, floating c) noexcept nogil:
    """y = f(x; a, b, c)."""
    cdef floating t
    if Op is Relu:                              # -0.0 and NaN pass through (torch's clamp_min)
        return 0 if x < 0 else x
    elif Op is LeakyRelu:                       # a = negative_slope
        return x if x > 0 else x * a
    elif Op is Elu or Op is EluResult:          # a = alpha * scale, b = scale, c = input_scale
        return expm1_(x * c) * a if x <= 0 else x * b
    elif Op is Hardtanh:                        # a = min_val, b = max_val; NaN propagates
        return a if x < a else (b if x > b else x)
    elif Op is Hardsigmoid:
        t = x + 3
        t = 0 if t < 0 else (6 if t > 6 else t)
        return t / 6
    elif Op is Hardswish:
        t = x + 3
        t = 0 if t < 0 else (6 if t > 6 else t)
        return x * t / 6
    elif Op is Hardshrink:                      # a = lambd
        return 0 if (x >= -a and x <= a) else x
    elif Op is Softshrink:                      # a = lambd; x * 0 between (-0 for x < 0), NaN propagates
        return x - a if x > a else (x + a if x < -a else x * 0)
    elif Op is Threshold:                       # a = threshold, b = value
        return b if x <= a else x
    elif Op is Sigmoid:
        return sigmoid_(x)
    elif Op is Tanh:
        return tanh_(x)
    elif Op is LogSigmoid:                      # min(x, 0) - log1p(exp(-|x|)): no overflow
        return (x if x < 0 else 0) - log1p_(exp_(-abs_(x)))
    elif Op is Silu:
        return x / (1 + exp_(-x))
    elif Op is Mish:
        return x * tanh_(log1p_(exp_(x)))
    elif Op is Softplus:                        # a = beta, b = threshold
        return x if x * a > b else log1p_(exp_(x * a)) / a
    elif Op is Softsign:
        return x / (abs_(x) + 1)
    elif Op is Tanhshrink:
        return x - tanh_(x)
    elif Op is Gelu:
        return x * <floating>0.5 * (1 + erf_(x * <floating>M_SQRT1_2))
    elif Op is GeluTanh:
        t = <floating>(M_SQRT2 * M_2_SQRTPI * 0.5) * (x + <floating>0.044715 * (x * x * x))
        return <floating>0.5 * x * (1 + tanh_(t))


cdef inline floating scalar_bwd(Op op, floating g, floating s, floating a, floating b, floating c) noexcept nogil:
    """grad_in = g * f'(x), from s (the saved input x, or the result y where the tag says so)."""
    cdef floating t, u, v
    if Op is Relu:                              # s = y
        return 0 if s <= 0 else g
    elif Op is LeakyRelu:                       # s = x (or y when a >= 0: same sign)
        return g if s > 0 else g * a
    elif Op is Elu:                             # s = x; NaN takes the positive branch
        return g * c * a * exp_(s * c) if s <= 0 else g * b
    elif Op is EluResult:                       # s = y (in place, alpha >= 0)
        return g * c * (s + a) if s <= 0 else g * b
    elif Op is Hardtanh:                        # s = x or y: 0 on and beyond the bounds, else (NaN too) g
        return 0 if (s <= a or s >= b) else g
    elif Op is Hardsigmoid:                     # torch's one_sixth is the float 1.0f / 6.0f
        return g * <floating><float>(1.0 / 6.0) if (s > -3 and s < 3) else 0
    elif Op is Hardswish:                       # 0 at -3, g at 3 and at NaN
        return 0 if s <= -3 else (g * (s / 3 + <floating>0.5) if s < 3 else g)
    elif Op is Hardshrink or Op is Softshrink:  # 0 inside [-lambd, lambd], else (NaN too) g
        return 0 if (s >= -a and s <= a) else g
    elif Op is Threshold:
        return 0 if s <= a else g
    elif Op is Sigmoid:                         # s = y
        return g * (1 - s) * s
    elif Op is Tanh:                            # s = y
        return g * (1 - s * s)
    elif Op is LogSigmoid:
        t = exp_(-abs_(s))
        return g * ((1 if s < 0 else 0) - (1 if s < 0 else -1) * (t / (1 + t)))
    elif Op is Silu:
        t = 1 / (1 + exp_(-s))
        return g * t * (1 + s * (1 - t))
    elif Op is Mish:
        t = 1 / (1 + exp_(-s))
        u = tanh_(log1p_(exp_(s)))
        return g * (u + s * t * (1 - u * u))
    elif Op is Softplus:
        t = exp_(s * a)
        return g if s * a > b else g * t / (t + 1)
    elif Op is Softsign:                        # torch's composite x / (|x| + 1), differentiated
        t = abs_(s) + 1
        u = (1 if s > 0 else (-1 if s < 0 else 0))
        return g / t + (-g * ((s / t) / t)) * u
    elif Op is Tanhshrink:                      # torch's composite x - tanh(x), differentiated
        t = tanh_(s)
        return g + (-g) * (1 - t * t)
    elif Op is Gelu:                            # cdf(x) + x pdf(x)
        t = <floating>0.5 * (1 + erf_(s * <floating>M_SQRT1_2))
        u = <floating>(M_2_SQRTPI * M_SQRT1_2 * 0.5) * exp_(s * s * <floating>-0.5)
        return g * (t + s * u)
    elif Op is GeluTanh:
        t = tanh_(<floating>(M_SQRT2 * M_2_SQRTPI * 0.5) * (s + <floating>0.044715 * (s * s * s)))
        u = <floating>0.5 * s * (1 - t * t) * (<floating>(M_SQRT2 * M_2_SQRTPI * 0.5)
                                              * (1 + 3 * <floating>0.044715 * (s * s)))
        v = <floating>0.5 * (1 + t)
        return g * (v + u)


# ---------------------------------------------------------------- the two shared loops
# A call on one thread over at most SERIAL_MAX elements runs its loop in place: entering an OpenMP
# region, even of one thread, costs microseconds, more than such a loop.  Every element is computed
# alone, so the bits are the same either way.  (Larger single-thread calls keep the prange, which
# releases the GIL while they run.)
cdef Py_ssize_t SERIAL_MAX = 1 << 16
cdef void forward_map(Op op, const floating[::1] x, floating[::1] out, floating a, floating b,
                      floating c, int num_threads) noexcept nogil:
    """out[i] = f(x[i]) for every i."""
    cdef Py_ssize_t i, n = x.shape[0], blk, nblk, start, stop
    if _row_maps and n > 0 and (Op is Sigmoid or Op is Tanh or Op is Silu or Op is Gelu):
        nblk = (n + MAP_BLOCK - 1) // MAP_BLOCK
        if nblk == 1:                            # one block: no OpenMP region
            map_rows(op, &x[0], &out[0], n)
            return
        for blk in prange(nblk, nogil=True, num_threads=num_threads, schedule="static"):
            start = blk * MAP_BLOCK
            stop = n if start + MAP_BLOCK > n else start + MAP_BLOCK
            map_rows(op, &x[start], &out[start], stop - start)
        return
    if num_threads == 1 and n <= SERIAL_MAX:     # the same loop, without entering an OpenMP region
        for i in range(n):
            out[i] = scalar_fwd(op, x[i], a, b, c)
        return
    for i in prange(n, nogil=True, num_threads=num_threads, schedule="static"):
        out[i] = scalar_fwd(op, x[i], a, b, c)


cdef inline void map2_rows(Op op, const floating* g, const floating* s, floating* y, Py_ssize_t n) noexcept nogil:
    """y[i] = df(g[i], s[i]) by refnn_math_rows.h's build of scalar_bwd's formula (GELU, SiLU, LogSigmoid)."""
    if Op is Gelu:
        if floating is float:
            refnn_map2_gelu_bwd_f32(g, s, y, n)
        else:
            refnn_map2_gelu_bwd_f64(g, s, y, n)
    elif Op is Silu:
        if floating is float:
            refnn_map2_silu_bwd_f32(g, s, y, n)
        else:
            refnn_map2_silu_bwd_f64(g, s, y, n)
    elif Op is LogSigmoid:
        if floating is float:
            refnn_map2_logsigmoid_bwd_f32(g, s, y, n)
        else:
            refnn_map2_logsigmoid_bwd_f64(g, s, y, n)


cdef inline void map_rows(Op op, const floating* x, floating* y, Py_ssize_t n) noexcept nogil:
    """y[i] = f(x[i]) by refnn_math_rows.h's build of scalar_fwd's formula (Sigmoid, Tanh, SiLU, GELU)."""
    if Op is Sigmoid:
        if floating is float:
            refnn_map_sigmoid_f32(x, y, n)
        else:
            refnn_map_sigmoid_f64(x, y, n)
    elif Op is Tanh:
        if floating is float:
            refnn_map_tanh_f32(x, y, n)
        else:
            refnn_map_tanh_f64(x, y, n)
    elif Op is Silu:
        if floating is float:
            refnn_map_silu_f32(x, y, n)
        else:
            refnn_map_silu_f64(x, y, n)
    elif Op is Gelu:
        if floating is float:
            refnn_map_gelu_f32(x, y, n)
        else:
            refnn_map_gelu_f64(x, y, n)


cdef void backward_map(Op op, const floating[::1] grad_out, const floating[::1] saved, floating[::1] grad_in,
                       floating a, floating b, floating c, int num_threads) noexcept nogil:
    """grad_in[i] = df(grad_out[i], saved[i]) for every i."""
    cdef Py_ssize_t i, n = saved.shape[0], blk, nblk, start, stop
    if _row_maps and n > 0 and (Op is Gelu or Op is Silu or Op is LogSigmoid):   # refnn_math_rows.h's builds
        nblk = (n + MAP_BLOCK - 1) // MAP_BLOCK
        if nblk == 1:                            # one block: no OpenMP region
            map2_rows(op, &grad_out[0], &saved[0], &grad_in[0], n)
            return
        for blk in prange(nblk, nogil=True, num_threads=num_threads, schedule="static"):
            start = blk * MAP_BLOCK
            stop = n if start + MAP_BLOCK > n else start + MAP_BLOCK
            map2_rows(op, &grad_out[start], &saved[start], &grad_in[start], stop - start)
        return
    if num_threads == 1 and n <= SERIAL_MAX:     # the same loop, without entering an OpenMP region
        for i in range(n):
            grad_in[i] = scalar_bwd(op, grad_out[i], saved[i], a, b, c)
        return
    for i in prange(n, nogil=True, num_threads=num_threads, schedule="static"):
        grad_in[i] = scalar_bwd(op, grad_out[i], saved[i], a, b, c)


# ---------------------------------------------------------------- the kernels
# Every pair takes (x, out, a, b, c, num_threads) and (grad_out, saved, grad_in, a, b, c, num_threads).

def relu_fwd(const floating[::1] x, floating[::1] out, double a, double b, double c, int num_threads):
    """y = 0 if x < 0 else x (NaN and -0.0 pass through)."""
    forward_map(Relu(0), x, out, <floating>a, <floating>b, <floating>c, num_threads)


def relu_bwd(const floating[::1] grad_out, const floating[::1] saved, floating[::1] grad_in,
             double a, double b, double c, int num_threads):
    """grad_in = 0 where y <= 0, else g (torch's threshold_backward on the result)."""
    backward_map(Relu(0), grad_out, saved, grad_in, <floating>a, <floating>b, <floating>c, num_threads)


def leaky_relu_fwd(const floating[::1] x, floating[::1] out, double a, double b, double c, int num_threads):
    """y = x if x > 0 else a * x (a = negative_slope)."""
    forward_map(LeakyRelu(0), x, out, <floating>a, <floating>b, <floating>c, num_threads)


def leaky_relu_bwd(const floating[::1] grad_out, const floating[::1] saved, floating[::1] grad_in,
                   double a, double b, double c, int num_threads):
    """grad_in = g if s > 0 else a * g."""
    backward_map(LeakyRelu(0), grad_out, saved, grad_in, <floating>a, <floating>b, <floating>c, num_threads)


def elu_fwd(const floating[::1] x, floating[::1] out, double a, double b, double c, int num_threads):
    """y = alpha * scale * expm1(x * input_scale) if x <= 0 else scale * x (a, b, c = alpha, scale, input_scale)."""
    forward_map(Elu(0), x, out, <floating>a * <floating>b, <floating>b, <floating>c, num_threads)


def elu_bwd(const floating[::1] grad_out, const floating[::1] saved, floating[::1] grad_in,
            double a, double b, double c, int num_threads):
    """grad_in = g * input_scale * alpha * scale * exp(x * input_scale) if x <= 0 else g * scale (s = x)."""
    backward_map(Elu(0), grad_out, saved, grad_in, <floating>a * <floating>b, <floating>b, <floating>c,
                 num_threads)


def elu_result_bwd(const floating[::1] grad_out, const floating[::1] saved, floating[::1] grad_in,
                   double a, double b, double c, int num_threads):
    """grad_in = g * input_scale * (y + alpha * scale) if y <= 0 else g * scale (s = y, in place)."""
    backward_map(EluResult(0), grad_out, saved, grad_in, <floating>a * <floating>b, <floating>b, <floating>c,
                 num_threads)


def hardtanh_fwd(const floating[::1] x, floating[::1] out, double a, double b, double c, int num_threads):
    """y = min(max(x, min_val), max_val) (a, b = min_val, max_val; NaN propagates)."""
    forward_map(Hardtanh(0), x, out, <floating>a, <floating>b, <floating>c, num_threads)


def hardtanh_bwd(const floating[::1] grad_out, const floating[::1] saved, floating[::1] grad_in,
                 double a, double b, double c, int num_threads):
    """grad_in = g where min_val < s < max_val, else 0 (NaN too)."""
    backward_map(Hardtanh(0), grad_out, saved, grad_in, <floating>a, <floating>b, <floating>c, num_threads)


def hardsigmoid_fwd(const floating[::1] x, floating[::1] out, double a, double b, double c, int num_threads):
    """y = min(max(x + 3, 0), 6) / 6."""
    forward_map(Hardsigmoid(0), x, out, <floating>a, <floating>b, <floating>c, num_threads)


def hardsigmoid_bwd(const floating[::1] grad_out, const floating[::1] saved, floating[::1] grad_in,
                    double a, double b, double c, int num_threads):
    """grad_in = g / 6 where -3 < x < 3, else 0."""
    backward_map(Hardsigmoid(0), grad_out, saved, grad_in, <floating>a, <floating>b, <floating>c, num_threads)


def hardswish_fwd(const floating[::1] x, floating[::1] out, double a, double b, double c, int num_threads):
    """y = x * min(max(x + 3, 0), 6) / 6."""
    forward_map(Hardswish(0), x, out, <floating>a, <floating>b, <floating>c, num_threads)


def hardswish_bwd(const floating[::1] grad_out, const floating[::1] saved, floating[::1] grad_in,
                  double a, double b, double c, int num_threads):
    """grad_in = 0 if x <= -3, g if x >= 3, else g * (x / 3 + 1/2)."""
    backward_map(Hardswish(0), grad_out, saved, grad_in, <floating>a, <floating>b, <floating>c, num_threads)


def hardshrink_fwd(const floating[::1] x, floating[::1] out, double a, double b, double c, int num_threads):
    """y = 0 if -lambd <= x <= lambd else x (a = lambd)."""
    forward_map(Hardshrink(0), x, out, <floating>a, <floating>b, <floating>c, num_threads)


def hardshrink_bwd(const floating[::1] grad_out, const floating[::1] saved, floating[::1] grad_in,
                   double a, double b, double c, int num_threads):
    """grad_in = g if |x| > lambd else 0 (NaN too)."""
    backward_map(Hardshrink(0), grad_out, saved, grad_in, <floating>a, <floating>b, <floating>c, num_threads)


def softshrink_fwd(const floating[::1] x, floating[::1] out, double a, double b, double c, int num_threads):
    """y = x - lambd if x > lambd, x + lambd if x < -lambd, else 0 (NaN stays NaN; a = lambd)."""
    forward_map(Softshrink(0), x, out, <floating>a, <floating>b, <floating>c, num_threads)


def softshrink_bwd(const floating[::1] grad_out, const floating[::1] saved, floating[::1] grad_in,
                   double a, double b, double c, int num_threads):
    """grad_in = g if |x| > lambd else 0 (NaN too)."""
    backward_map(Softshrink(0), grad_out, saved, grad_in, <floating>a, <floating>b, <floating>c, num_threads)


def threshold_fwd(const floating[::1] x, floating[::1] out, double a, double b, double c, int num_threads):
    """y = value if x <= threshold else x (a, b = threshold, value)."""
    forward_map(Threshold(0), x, out, <floating>a, <floating>b, <floating>c, num_threads)


def threshold_bwd(const floating[::1] grad_out, const floating[::1] saved, floating[::1] grad_in,
                  double a, double b, double c, int num_threads):
    """grad_in = 0 if x <= threshold else g."""
    backward_map(Threshold(0), grad_out, saved, grad_in, <floating>a, <floating>b, <floating>c, num_threads)


def sigmoid_fwd(const floating[::1] x, floating[::1] out, double a, double b, double c, int num_threads):
    """y = 1 / (1 + exp(-x))."""
    forward_map(Sigmoid(0), x, out, <floating>a, <floating>b, <floating>c, num_threads)


def sigmoid_bwd(const floating[::1] grad_out, const floating[::1] saved, floating[::1] grad_in,
                double a, double b, double c, int num_threads):
    """grad_in = g * (1 - y) * y (s = y)."""
    backward_map(Sigmoid(0), grad_out, saved, grad_in, <floating>a, <floating>b, <floating>c, num_threads)


def tanh_fwd(const floating[::1] x, floating[::1] out, double a, double b, double c, int num_threads):
    """y = tanh(x)."""
    forward_map(Tanh(0), x, out, <floating>a, <floating>b, <floating>c, num_threads)


def tanh_bwd(const floating[::1] grad_out, const floating[::1] saved, floating[::1] grad_in,
             double a, double b, double c, int num_threads):
    """grad_in = g * (1 - y * y) (s = y)."""
    backward_map(Tanh(0), grad_out, saved, grad_in, <floating>a, <floating>b, <floating>c, num_threads)


def logsigmoid_fwd(const floating[::1] x, floating[::1] out, double a, double b, double c, int num_threads):
    """y = min(x, 0) - log1p(exp(-|x|))."""
    forward_map(LogSigmoid(0), x, out, <floating>a, <floating>b, <floating>c, num_threads)


def logsigmoid_bwd(const floating[::1] grad_out, const floating[::1] saved, floating[::1] grad_in,
                   double a, double b, double c, int num_threads):
    """grad_in = g * ([x < 0] - sign * z / (1 + z)), z = exp(-|x|), sign = 1 if x < 0 else -1."""
    backward_map(LogSigmoid(0), grad_out, saved, grad_in, <floating>a, <floating>b, <floating>c, num_threads)


def silu_fwd(const floating[::1] x, floating[::1] out, double a, double b, double c, int num_threads):
    """y = x / (1 + exp(-x))."""
    forward_map(Silu(0), x, out, <floating>a, <floating>b, <floating>c, num_threads)


def silu_bwd(const floating[::1] grad_out, const floating[::1] saved, floating[::1] grad_in,
             double a, double b, double c, int num_threads):
    """grad_in = g * sig * (1 + x * (1 - sig)), sig = sigmoid(x)."""
    backward_map(Silu(0), grad_out, saved, grad_in, <floating>a, <floating>b, <floating>c, num_threads)


def mish_fwd(const floating[::1] x, floating[::1] out, double a, double b, double c, int num_threads):
    """y = x * tanh(log1p(exp(x)))."""
    forward_map(Mish(0), x, out, <floating>a, <floating>b, <floating>c, num_threads)


def mish_bwd(const floating[::1] grad_out, const floating[::1] saved, floating[::1] grad_in,
             double a, double b, double c, int num_threads):
    """grad_in = g * (tsp + x * sig * (1 - tsp^2)), tsp = tanh(softplus(x)), sig = sigmoid(x)."""
    backward_map(Mish(0), grad_out, saved, grad_in, <floating>a, <floating>b, <floating>c, num_threads)


def softplus_fwd(const floating[::1] x, floating[::1] out, double a, double b, double c, int num_threads):
    """y = x if x * beta > threshold else log1p(exp(x * beta)) / beta (a, b = beta, threshold)."""
    forward_map(Softplus(0), x, out, <floating>a, <floating>b, <floating>c, num_threads)


def softplus_bwd(const floating[::1] grad_out, const floating[::1] saved, floating[::1] grad_in,
                 double a, double b, double c, int num_threads):
    """grad_in = g if x * beta > threshold else g * z / (z + 1), z = exp(x * beta)."""
    backward_map(Softplus(0), grad_out, saved, grad_in, <floating>a, <floating>b, <floating>c, num_threads)


def softsign_fwd(const floating[::1] x, floating[::1] out, double a, double b, double c, int num_threads):
    """y = x / (|x| + 1)."""
    forward_map(Softsign(0), x, out, <floating>a, <floating>b, <floating>c, num_threads)


def softsign_bwd(const floating[::1] grad_out, const floating[::1] saved, floating[::1] grad_in,
                 double a, double b, double c, int num_threads):
    """grad_in = g / t - g * (x / t / t) * sgn(x), t = |x| + 1 (torch's composite, term by term)."""
    backward_map(Softsign(0), grad_out, saved, grad_in, <floating>a, <floating>b, <floating>c, num_threads)


def tanhshrink_fwd(const floating[::1] x, floating[::1] out, double a, double b, double c, int num_threads):
    """y = x - tanh(x)."""
    forward_map(Tanhshrink(0), x, out, <floating>a, <floating>b, <floating>c, num_threads)


def tanhshrink_bwd(const floating[::1] grad_out, const floating[::1] saved, floating[::1] grad_in,
                   double a, double b, double c, int num_threads):
    """grad_in = g - g * (1 - tanh(x)^2) (torch's composite, term by term)."""
    backward_map(Tanhshrink(0), grad_out, saved, grad_in, <floating>a, <floating>b, <floating>c, num_threads)


def gelu_fwd(const floating[::1] x, floating[::1] out, double a, double b, double c, int num_threads):
    """y = x * 0.5 * (1 + erf(x / sqrt(2)))."""
    forward_map(Gelu(0), x, out, <floating>a, <floating>b, <floating>c, num_threads)


def gelu_bwd(const floating[::1] grad_out, const floating[::1] saved, floating[::1] grad_in,
             double a, double b, double c, int num_threads):
    """grad_in = g * (cdf(x) + x * pdf(x)) for the standard normal."""
    backward_map(Gelu(0), grad_out, saved, grad_in, <floating>a, <floating>b, <floating>c, num_threads)


def gelu_tanh_fwd(const floating[::1] x, floating[::1] out, double a, double b, double c, int num_threads):
    """y = 0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * x^3)))."""
    forward_map(GeluTanh(0), x, out, <floating>a, <floating>b, <floating>c, num_threads)


def gelu_tanh_bwd(const floating[::1] grad_out, const floating[::1] saved, floating[::1] grad_in,
                  double a, double b, double c, int num_threads):
    """grad_in = g * (0.5 * (1 + t) + 0.5 * x * (1 - t^2) * sqrt(2/pi) * (1 + 3 * 0.044715 * x^2))."""
    backward_map(GeluTanh(0), grad_out, saved, grad_in, <floating>a, <floating>b, <floating>c, num_threads)


# ---------------------------------------------------------------- by a per-element factor
def multiply_fwd(const floating[::1] x, const floating[::1] factor, floating[::1] out, int num_threads):
    """out = x * factor (Dropout's mask * 1/(1-p), RReLU's slopes; also their backward)."""
    cdef Py_ssize_t i, n = x.shape[0]
    for i in prange(n, nogil=True, num_threads=num_threads, schedule="static"):
        out[i] = x[i] * factor[i]


# ---------------------------------------------------------------- PReLU over (N, C, S)
def prelu_fwd(const floating[:, :, ::1] x, const floating[::1] weight, floating[:, :, ::1] out,
              int num_threads):
    """out[n, c, s] = x if x > 0 else weight[c] * x."""
    cdef Py_ssize_t n, c, s, N = x.shape[0], C = x.shape[1], S = x.shape[2]
    cdef floating v
    for n in prange(N, nogil=True, num_threads=num_threads, schedule="static"):
        for c in range(C):
            for s in range(S):
                v = x[n, c, s]
                out[n, c, s] = v if v > 0 else weight[c] * v


def prelu_bwd(const floating[:, :, ::1] grad_out, const floating[:, :, ::1] x, const floating[::1] weight,
              floating[:, :, ::1] grad_in, int num_threads):
    """grad_in[n, c, s] = g if x > 0 else weight[c] * g."""
    cdef Py_ssize_t n, c, s, N = x.shape[0], C = x.shape[1], S = x.shape[2]
    for n in prange(N, nogil=True, num_threads=num_threads, schedule="static"):
        for c in range(C):
            for s in range(S):
                grad_in[n, c, s] = grad_out[n, c, s] if x[n, c, s] > 0 else weight[c] * grad_out[n, c, s]


def prelu_weight_bwd(const floating[:, :, ::1] grad_out, const floating[:, :, ::1] x, floating[::1] grad_weight,
                     int num_threads):
    """grad_weight[c] = sum over n, then s (in that order) of g * x where x <= 0."""
    cdef Py_ssize_t n, c, s, N = x.shape[0], C = x.shape[1], S = x.shape[2]
    cdef floating total
    for c in prange(C, nogil=True, num_threads=num_threads, schedule="static"):
        total = 0
        for n in range(N):
            for s in range(S):
                if not (x[n, c, s] > 0):
                    total = total + grad_out[n, c, s] * x[n, c, s]
        grad_weight[c] = total
