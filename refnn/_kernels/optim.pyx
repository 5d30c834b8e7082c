# Optimiser updates, one element at a time.
#
# Legend: p parameter, g gradient, m first moment (exp_avg), v second moment (exp_avg_sq), n number of
# elements (every array is a flat, C-contiguous view of one parameter's storage).
#
# Each kernel performs, per element, the very IEEE operations torch's single-tensor (foreach=False) CPU
# update performs, in the same order, each rounded to the element type: torch runs one elementwise op per
# line of its Python code; fusing those ops into one pass changes no result, since every op is elementwise.
# Scalars arrive as Python doubles and are converted to the element type first, as torch converts a Python
# scalar operand.  torch's AVX2/AVX-512 CPU kernels fuse three of the ops, and so do these, with C's fma()
# (correctly rounded on every machine, hardware FMA or not):
#   x.add(y, alpha=a)          -> fma(a, y, x)
#   x.addcmul_(y, z, value=c)  -> fma(c * y, z, x)
#   x.lerp_(y, w)              -> fma(w, y - x, x)        if |w| < 0.5
#                                 fma(w - 1, y - x, y)    otherwise
# and one is not fused:
#   x.addcdiv_(y, z, value=c)  -> x + (c * y) / z
# torch.maximum propagates NaN, as max_nan below does.
from cython.parallel cimport prange
from libc.math cimport fma, fmaf, sqrt, sqrtf, fabs

from refnn._kernels._rowmath cimport floating


cdef inline floating fma_(floating a, floating b, floating c) noexcept nogil:
    if floating is float:
        return fmaf(a, b, c)
    else:
        return fma(a, b, c)


cdef inline floating sqrt_(floating x) noexcept nogil:
    if floating is float:
        return sqrtf(x)
    else:
        return sqrt(x)


cdef inline floating lerp_(floating start, floating end, floating weight) noexcept nogil:
    """torch.lerp: start + weight * (end - start), fused, from whichever end is nearer."""
    if fabs(weight) < 0.5:
        return fma_(weight, end - start, start)
    return fma_(weight - 1, end - start, end)


cdef inline floating max_nan(floating a, floating b) noexcept nogil:
    """torch.maximum: NaN if either is NaN."""
    if a != a or b != b:
        return a + b
    return a if a > b else b


def adam(floating[::1] p, const floating[::1] grad, floating[::1] m, floating[::1] v, floating[::1] v_max,
         double lr, double beta1, double beta2, double weight_decay, double eps, double step_size,
         double bias_correction2_sqrt, bint amsgrad, bint maximize, bint decoupled, int num_threads):
    """Adam / AdamW: m = lerp(m, g, 1-b1); v = b2 v + (1-b2) g g; p += (-step_size m) / (sqrt(v)/bc2 + eps)."""
    cdef Py_ssize_t n = p.shape[0], i
    cdef floating g, denom, one_m_b1 = <floating>(1 - beta1), b2 = <floating>beta2
    cdef floating one_m_b2 = <floating>(1 - beta2), wd = <floating>weight_decay
    cdef floating decay = <floating>(1 - lr * weight_decay), c2 = <floating>bias_correction2_sqrt
    cdef floating eps_ = <floating>eps, neg_step = <floating>(-step_size)
    for i in prange(n, nogil=True, num_threads=num_threads, schedule="static"):
        g = -grad[i] if maximize else grad[i]
        if weight_decay != 0:
            if decoupled:
                p[i] = p[i] * decay
            else:
                g = fma_(wd, p[i], g)
        m[i] = lerp_(m[i], g, one_m_b1)
        v[i] = fma_(one_m_b2 * g, g, v[i] * b2)
        if amsgrad:
            v_max[i] = max_nan(v_max[i], v[i])
            denom = sqrt_(v_max[i]) / c2 + eps_
        else:
            denom = sqrt_(v[i]) / c2 + eps_
        p[i] = p[i] + (neg_step * m[i]) / denom


def rmsprop(floating[::1] p, const floating[::1] grad, floating[::1] square_avg, floating[::1] grad_avg,
            floating[::1] buf, double lr, double alpha, double eps, double weight_decay, double momentum,
            bint centered, bint maximize, int num_threads):
    """RMSprop: s = a s + (1-a) g g; avg = sqrt(s - ga ga) or sqrt(s), + eps; momentum buffer or direct step."""
    cdef Py_ssize_t n = p.shape[0], i
    cdef floating g, avg, a = <floating>alpha, one_m_a = <floating>(1 - alpha), wd = <floating>weight_decay
    cdef floating eps_ = <floating>eps, mom = <floating>momentum, neg_lr = <floating>(-lr)
    for i in prange(n, nogil=True, num_threads=num_threads, schedule="static"):
        g = -grad[i] if maximize else grad[i]
        if weight_decay != 0:
            g = fma_(wd, p[i], g)
        square_avg[i] = fma_(one_m_a * g, g, square_avg[i] * a)
        if centered:
            grad_avg[i] = lerp_(grad_avg[i], g, one_m_a)
            avg = sqrt_(fma_(-grad_avg[i], grad_avg[i], square_avg[i]))
        else:
            avg = sqrt_(square_avg[i])
        avg = avg + eps_
        if momentum > 0:
            buf[i] = buf[i] * mom + g / avg
            p[i] = fma_(neg_lr, buf[i], p[i])
        else:
            p[i] = p[i] + (neg_lr * g) / avg


def adagrad(floating[::1] p, const floating[::1] grad, floating[::1] state_sum, double clr, double eps,
            double weight_decay, bint maximize, int num_threads):
    """Adagrad: sum += g g; p += (-clr g) / (sqrt(sum) + eps)."""
    cdef Py_ssize_t n = p.shape[0], i
    cdef floating g, wd = <floating>weight_decay, eps_ = <floating>eps, neg_clr = <floating>(-clr)
    for i in prange(n, nogil=True, num_threads=num_threads, schedule="static"):
        g = -grad[i] if maximize else grad[i]
        if weight_decay != 0:
            g = fma_(wd, p[i], g)
        state_sum[i] = fma_(g, g, state_sum[i])
        p[i] = p[i] + (neg_clr * g) / (sqrt_(state_sum[i]) + eps_)


def adadelta(floating[::1] p, const floating[::1] grad, floating[::1] square_avg, floating[::1] acc_delta,
             double lr, double rho, double eps, double weight_decay, bint maximize, int num_threads):
    """Adadelta: s = rho s + (1-rho) g g; d = sqrt(acc + eps) / sqrt(s + eps) * g; acc likewise; p -= lr d."""
    cdef Py_ssize_t n = p.shape[0], i
    cdef floating g, delta, r = <floating>rho, one_m_r = <floating>(1 - rho), wd = <floating>weight_decay
    cdef floating eps_ = <floating>eps, neg_lr = <floating>(-lr)
    for i in prange(n, nogil=True, num_threads=num_threads, schedule="static"):
        g = -grad[i] if maximize else grad[i]
        if weight_decay != 0:
            g = fma_(wd, p[i], g)
        square_avg[i] = fma_(one_m_r * g, g, square_avg[i] * r)
        delta = sqrt_(acc_delta[i] + eps_) / sqrt_(square_avg[i] + eps_)
        delta = delta * g
        acc_delta[i] = fma_(one_m_r * delta, delta, acc_delta[i] * r)
        p[i] = fma_(neg_lr, delta, p[i])


def adamax(floating[::1] p, const floating[::1] grad, floating[::1] m, floating[::1] exp_inf, double beta1,
           double beta2, double eps, double weight_decay, double clr, bint maximize, int num_threads):
    """Adamax: m = lerp(m, g, 1-b1); u = max(b2 u, |g| + eps); p += (-clr m) / u."""
    cdef Py_ssize_t n = p.shape[0], i
    cdef floating g, one_m_b1 = <floating>(1 - beta1), b2 = <floating>beta2, wd = <floating>weight_decay
    cdef floating eps_ = <floating>eps, neg_clr = <floating>(-clr)
    for i in prange(n, nogil=True, num_threads=num_threads, schedule="static"):
        g = -grad[i] if maximize else grad[i]
        if weight_decay != 0:
            g = fma_(wd, p[i], g)
        m[i] = lerp_(m[i], g, one_m_b1)
        exp_inf[i] = max_nan(exp_inf[i] * b2, fabs(g) + eps_)
        p[i] = p[i] + (neg_clr * m[i]) / exp_inf[i]


def nadam(floating[::1] p, const floating[::1] grad, floating[::1] m, floating[::1] v, double lr, double beta1,
          double beta2, double weight_decay, double eps, double bias_correction2, double grad_coef,
          double exp_avg_coef, bint decoupled, bint maximize, int num_threads):
    """NAdam: m, v as Adam; d = sqrt(v / bc2) + eps; p += (grad_coef g) / d; p += (exp_avg_coef m) / d."""
    cdef Py_ssize_t n = p.shape[0], i
    cdef floating g, denom, one_m_b1 = <floating>(1 - beta1), b2 = <floating>beta2
    cdef floating one_m_b2 = <floating>(1 - beta2), wd = <floating>weight_decay
    cdef floating decay = <floating>(1 - lr * weight_decay), bc2 = <floating>bias_correction2
    cdef floating eps_ = <floating>eps, cg = <floating>grad_coef, cm = <floating>exp_avg_coef
    for i in prange(n, nogil=True, num_threads=num_threads, schedule="static"):
        g = -grad[i] if maximize else grad[i]
        if weight_decay != 0:
            if decoupled:
                p[i] = p[i] * decay
            else:
                g = fma_(wd, p[i], g)
        m[i] = lerp_(m[i], g, one_m_b1)
        v[i] = fma_(one_m_b2 * g, g, v[i] * b2)
        denom = sqrt_(v[i] / bc2) + eps_
        p[i] = p[i] + (cg * g) / denom
        p[i] = p[i] + (cm * m[i]) / denom


def radam(floating[::1] p, const floating[::1] grad, floating[::1] m, floating[::1] v, double lr, double beta1,
          double beta2, double weight_decay, double eps, double bias_correction1, double bias_correction2_sqrt,
          double rect, bint rectify, bint decoupled, bint maximize, int num_threads):
    """RAdam: m, v as Adam; u = m / bc1 * lr, times (1 / (sqrt(v) + eps)) * sqrt(bc2) * rect when rectified;
    p -= u."""
    cdef Py_ssize_t n = p.shape[0], i
    cdef floating g, update, one_m_b1 = <floating>(1 - beta1), b2 = <floating>beta2
    cdef floating one_m_b2 = <floating>(1 - beta2), wd = <floating>weight_decay
    cdef floating decay = <floating>(1 - lr * weight_decay), bc1 = <floating>bias_correction1
    cdef floating c2 = <floating>bias_correction2_sqrt, eps_ = <floating>eps, lr_ = <floating>lr
    cdef floating rect_ = <floating>rect
    for i in prange(n, nogil=True, num_threads=num_threads, schedule="static"):
        g = -grad[i] if maximize else grad[i]
        if weight_decay != 0:
            if decoupled:
                p[i] = p[i] * decay
            else:
                g = fma_(wd, p[i], g)
        m[i] = lerp_(m[i], g, one_m_b1)
        v[i] = fma_(one_m_b2 * g, g, v[i] * b2)
        update = (m[i] / bc1) * lr_
        if rectify:
            update = (update * ((<floating>1) / (sqrt_(v[i]) + eps_) * c2)) * rect_
        p[i] = p[i] - update


def sgd(floating[::1] p, const floating[::1] grad, floating[::1] buf, double lr, double momentum,
        double dampening, double weight_decay, bint nesterov, bint maximize, bint first_step,
        int num_threads):
    """SGD: d = g + wd p; b = d (first step) or mom b + (1-damp) d; d = d + mom b (Nesterov) or b; p -= lr d."""
    cdef Py_ssize_t n = p.shape[0], i
    cdef floating d, wd = <floating>weight_decay, mom = <floating>momentum
    cdef floating one_m_damp = <floating>(1 - dampening), neg_lr = <floating>(-lr)
    for i in prange(n, nogil=True, num_threads=num_threads, schedule="static"):
        d = -grad[i] if maximize else grad[i]
        if weight_decay != 0:
            d = fma_(wd, p[i], d)
        if momentum != 0:
            if first_step:
                buf[i] = d
            else:
                buf[i] = fma_(one_m_damp, d, buf[i] * mom)
            if nesterov:
                d = fma_(mom, buf[i], d)
            else:
                d = buf[i]
        p[i] = fma_(neg_lr, d, p[i])
