# Legend: R rows (every dimension but the reduced one, flattened), D the reduced dimension,
# A the dimensions before the reduced one and B those after it (an input seen as (A, D, B)).
"""Distance kernels: the p-norm of rows (pairwise_distance) and cosine similarity along a dimension.

Each output element (one row's norm, one (a, b) similarity) is owned by one thread, which sums
its D terms in ascending order.
"""
from cython.parallel cimport prange
from libc.math cimport fabs, isinf, isnan, pow, sqrt

ctypedef fused floating:
    float
    double


cdef inline floating sgn(floating x) noexcept nogil:
    """(x > 0) - (x < 0): -1, 0 or 1, and 0 for NaN, as torch's sgn of a real number."""
    return (x > 0) - (x < 0)


# ---------------------------------------------------------------- p-norm of rows
def norm_fwd(const floating[:, ::1] x, double p, floating[::1] out, int num_threads):
    """out[r] = (sum_d |x[r, d]|^p)^(1/p); p = 2: sqrt(sum x^2), 1: sum |x|, inf: max |x|, -inf: min |x|, 0: #nonzero."""
    cdef Py_ssize_t R = x.shape[0], D = x.shape[1], r, d
    cdef floating acc, a, fp = <floating>p, inv_p = <floating>(1.0 / p) if p != 0 else 0
    for r in prange(R, nogil=True, num_threads=num_threads, schedule="static"):
        if isinf(p) and p > 0:
            acc = 0
            for d in range(D):
                a = fabs(x[r, d])
                if isnan(a) or a > acc:
                    acc = a
                    if isnan(a):
                        break
        elif isinf(p):
            acc = 0 if D == 0 else fabs(x[r, 0])
            for d in range(D):
                a = fabs(x[r, d])
                if isnan(a) or a < acc:
                    acc = a
                    if isnan(a):
                        break
        elif p == 0:
            acc = 0
            for d in range(D):
                if x[r, d] != 0:
                    acc = acc + 1
        elif p == 1:
            acc = 0
            for d in range(D):
                acc = acc + fabs(x[r, d])
        elif p == 2:
            acc = 0
            for d in range(D):
                acc = acc + x[r, d] * x[r, d]
            acc = sqrt(acc)
        else:
            acc = 0
            for d in range(D):
                acc = acc + <floating>pow(fabs(x[r, d]), fp)
            acc = <floating>pow(acc, inv_p)
        out[r] = acc


def norm_bwd(const floating[:, ::1] x, const floating[::1] norm, const floating[:] grad_out, double p,
             floating[:, ::1] grad_x, int num_threads):
    """grad_x = d norm / d x * grad_out, with torch's conventions (0 where norm == 0; inf-norm shares among ties)."""
    cdef Py_ssize_t R = x.shape[0], D = x.shape[1], r, d
    cdef floating g, n, a, scale, count, fp = <floating>p
    for r in prange(R, nogil=True, num_threads=num_threads, schedule="static"):
        g = grad_out[r]
        n = norm[r]
        if p == 0:
            for d in range(D):
                grad_x[r, d] = 0
        elif p == 1:
            for d in range(D):
                grad_x[r, d] = sgn(x[r, d]) * g
        elif p == 2:
            for d in range(D):
                grad_x[r, d] = g * (0 if n == 0 else x[r, d] / n)
        elif isinf(p):
            # the gradient goes, shared equally, to every element whose |x| equals the norm (or is NaN)
            count = 0
            for d in range(D):
                a = fabs(x[r, d])
                if a == n or isnan(a):
                    count = count + 1
            for d in range(D):
                a = fabs(x[r, d])
                grad_x[r, d] = sgn(x[r, d]) * ((g / count) * (1 if (a == n or isnan(a)) else 0))
        elif p < 1:
            scale = g * <floating>pow(n, 1 - fp)
            for d in range(D):
                if x[r, d] == 0:
                    grad_x[r, d] = 0 * scale
                else:
                    grad_x[r, d] = sgn(x[r, d]) * <floating>pow(fabs(x[r, d]), fp - 1) * scale
        elif p < 2:
            scale = 0 if n == 0 else g / <floating>pow(n, fp - 1)
            for d in range(D):
                grad_x[r, d] = sgn(x[r, d]) * <floating>pow(fabs(x[r, d]), fp - 1) * scale
        else:
            scale = 0 if n == 0 else g / <floating>pow(n, fp - 1)
            for d in range(D):
                grad_x[r, d] = x[r, d] * <floating>pow(fabs(x[r, d]), fp - 2) * scale


# ---------------------------------------------------------------- cosine similarity
def cosine_fwd(const floating[:, :, ::1] x1, const floating[:, :, ::1] x2, floating eps,
               floating[:, ::1] norm1, floating[:, ::1] norm2, floating[:, ::1] out, int num_threads):
    """out[a, b] = sum_d (x1[a, d, b] / max(|x1[a, :, b]|, eps)) * (x2[a, d, b] / max(|x2[a, :, b]|, eps)).

    norm1, norm2 receive the unclamped 2-norms (the backward needs them).
    """
    cdef Py_ssize_t A = x1.shape[0], D = x1.shape[1], B = x1.shape[2], a, b, d
    cdef floating s1, s2, c1, c2, acc
    for a in prange(A, nogil=True, num_threads=num_threads, schedule="static"):
        for b in range(B):
            s1 = 0
            s2 = 0
            for d in range(D):
                s1 = s1 + x1[a, d, b] * x1[a, d, b]
                s2 = s2 + x2[a, d, b] * x2[a, d, b]
            s1 = sqrt(s1)
            s2 = sqrt(s2)
            norm1[a, b] = s1
            norm2[a, b] = s2
            c1 = s1 if s1 > eps else eps
            c2 = s2 if s2 > eps else eps
            acc = 0
            for d in range(D):
                acc = acc + (x1[a, d, b] / c1) * (x2[a, d, b] / c2)
            out[a, b] = acc


def cosine_bwd(const floating[:, :, ::1] x1, const floating[:, :, ::1] x2, floating eps,
               const floating[:, ::1] norm1, const floating[:, ::1] norm2, const floating[:, :] grad_out,
               floating[:, :, ::1] grad_x1, floating[:, :, ::1] grad_x2, int num_threads):
    """torch's gradient of cosine_similarity: the clamp to eps is invisible to autograd.

    With u = x1 / c1, v = x2 / c2 (c = max(norm, eps)) and g the upstream gradient:
    grad_x1[d] = g v[d] / c1 + (sum_k -g v[k] x1[k] / c1^2) * x1[d] / norm1  (second term 0 if norm1 == 0),
    and symmetrically for x2.
    """
    cdef Py_ssize_t A = x1.shape[0], D = x1.shape[1], B = x1.shape[2], a, b, d
    cdef floating n1, n2, c1, c2, g, grad_c1, grad_c2, v, u
    for a in prange(A, nogil=True, num_threads=num_threads, schedule="static"):
        for b in range(B):
            g = grad_out[a, b]
            n1 = norm1[a, b]
            n2 = norm2[a, b]
            c1 = n1 if n1 > eps else eps
            c2 = n2 if n2 > eps else eps
            grad_c1 = 0
            grad_c2 = 0
            for d in range(D):
                v = x2[a, d, b] / c2
                u = x1[a, d, b] / c1
                grad_c1 = grad_c1 + (-(g * v) * x1[a, d, b] / (c1 * c1))
                grad_c2 = grad_c2 + (-(g * u) * x2[a, d, b] / (c2 * c2))
            for d in range(D):
                v = x2[a, d, b] / c2
                u = x1[a, d, b] / c1
                grad_x1[a, d, b] = (g * v) / c1 + grad_c1 * (0 if n1 == 0 else x1[a, d, b] / n1)
                grad_x2[a, d, b] = (g * u) / c2 + grad_c2 * (0 if n2 == 0 else x2[a, d, b] / n2)
