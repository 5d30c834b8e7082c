# Legend: N batch, C classes, S the flattened extra dims d1*d2*... of an (N, C, d1, ...) input
# (S = 1 for (N, C)), n the number of elements of an elementwise loss, B the number of
# fixed-size blocks of an ordered sum.
"""Loss kernels: ``<loss>_fwd`` / ``<loss>_bwd`` pairs and the ordered sums behind the reductions.

Elementwise losses run over flat buffers; ``grad_out`` and per-element weights may be
broadcast (stride-0) views, so they are typed with generic strides.  Every output
element is written by exactly one thread.  Reductions are never done inside a prange:
``block_sums`` gives each fixed-size block (independent of the thread count) to one
thread, and ``sequential_sum`` adds the block sums in order, so the result is the same
at any thread count.
"""
from cython.parallel cimport prange
from libc.math cimport NAN, fabs, INFINITY

from refnn._kernels._rowmath cimport exp_, floating, log_, log1p_, refnn_exp, refnn_log, refnn_log1p

cdef extern from "refnn_ce_rows.h" nogil:
    int refnn_ce_init(int max_level)
    void refnn_ce_sumexp_f32(const float *x, long D, float m, float *s)
    void refnn_ce_grad_f32(const float *x, float *grad, long D, float m, float lt, float total)
    float refnn_ce_rowmax_f32(const float *x, long D)

from refnn._isa import MAX_LEVEL, check_level


def _set_isa_level(int max_level):
    """Re-choose this module's build, up to max_level (refnn._isa.forced); the level chosen."""
    return refnn_ce_init(max_level)


check_level(refnn_ce_init(MAX_LEVEL), _set_isa_level)

cdef extern from "refnn_loss_rows.h" nogil:
    int refnn_loss_rows_init(int max_level)
    void refnn_smooth_l1_bwd_f32(const float *x, const float *y, const float *g, long gstep, float p, float norm,
                                 float *gi, float *gt, long n)
    void refnn_smooth_l1_bwd_f64(const double *x, const double *y, const double *g, long gstep, double p,
                                 double norm, double *gi, double *gt, long n)
    void refnn_huber_bwd_f32(const float *x, const float *y, const float *g, long gstep, float p, float norm,
                             float *gi, float *gt, long n)
    void refnn_huber_bwd_f64(const double *x, const double *y, const double *g, long gstep, double p,
                             double norm, double *gi, double *gt, long n)
    void refnn_kl_div_fwd_f32(const float *x, const float *t, float *out, long n, int log_target)
    void refnn_kl_div_fwd_f64(const double *x, const double *t, double *out, long n, int log_target)
    void refnn_kl_div_bwd_f32(const float *x, const float *t, const float *g, long gstep, float *gi, float *gt,
                              long n, int log_target)
    void refnn_kl_div_bwd_f64(const double *x, const double *t, const double *g, long gstep, double *gi,
                              double *gt, long n, int log_target)


def _set_rows_level(int max_level):
    """Re-choose refnn_loss_rows.h's build, up to max_level (refnn._isa.forced); the level chosen."""
    return refnn_loss_rows_init(max_level)


check_level(refnn_loss_rows_init(MAX_LEVEL), _set_rows_level)

# The elementwise losses' vectorised loops (refnn_loss_rows.h) run unless spec is set: then the Cython loops
# below, their specification, run instead (tests/test_loss_spec.py holds the two bit-identical).
cdef bint _spec = False


def set_spec(bint flag):
    """Run the specification loops (True) or the vectorised rows (False); the previous setting."""
    global _spec
    cdef bint old = _spec
    _spec = flag
    return old


cdef enum:
    CHUNK = 8192   # elements per call of a row loop (a prange's unit; elementwise, so any split gives the same bits)

# elements per block of an ordered sum (fixed: the partition never depends on threads)
cdef enum:
    BLOCK = 4096
SUM_BLOCK = BLOCK


# ---------------------------------------------------------------- ordered sums
cdef enum:
    GROUP = 8   # blocks summed side by side by one thread: 8 independent chains, each block's order kept


cdef inline void group_block_sums(const floating* v, Py_ssize_t stride, Py_ssize_t b0, Py_ssize_t nb,
                                  Py_ssize_t n, double* partials) noexcept nogil:
    """partials[b] for b in [b0, b0 + nb): each block's elements added in ascending order in double.

    A full group of GROUP whole blocks runs its GROUP sums in one loop (lane j: block b0 + j), so the
    additions of different blocks overlap instead of waiting on one long chain; each lane still adds its
    block's elements one by one in ascending order, the bits of the block-at-a-time loop."""
    cdef double acc[GROUP]
    cdef Py_ssize_t i, j, b, end
    cdef const floating* base
    if nb == GROUP and (b0 + GROUP) * BLOCK <= n:
        for j in range(GROUP):
            acc[j] = 0
        base = v + b0 * BLOCK * stride
        if stride == 1:
            for i in range(BLOCK):
                for j in range(GROUP):
                    acc[j] = acc[j] + base[j * BLOCK + i]
        else:
            for i in range(BLOCK):
                for j in range(GROUP):
                    acc[j] = acc[j] + base[(j * BLOCK + i) * stride]
        for j in range(GROUP):
            partials[b0 + j] = acc[j]
        return
    for b in range(b0, b0 + nb):
        acc[0] = 0
        end = (b + 1) * BLOCK
        if end > n:
            end = n
        for i in range(b * BLOCK, end):
            acc[0] = acc[0] + v[i * stride]
        partials[b] = acc[0]


def block_sums(const floating[:] values, double[::1] partials, int num_threads):
    """partials[b] = sum of values[b*BLOCK:(b+1)*BLOCK] in ascending order, in double."""
    cdef Py_ssize_t n = values.shape[0], nblocks = partials.shape[0], g, ngroups, nb
    cdef Py_ssize_t stride = values.strides[0] // sizeof(floating)
    if n == 0 or nblocks == 0:
        for g in range(nblocks):
            partials[g] = 0
        return
    ngroups = (nblocks + GROUP - 1) // GROUP
    for g in prange(ngroups, nogil=True, num_threads=num_threads, schedule="static"):
        nb = nblocks - g * GROUP
        if nb > GROUP:
            nb = GROUP
        group_block_sums(&values[0], stride, g * GROUP, nb, n, &partials[0])


def sequential_sum(const double[::1] partials):
    """sum_b partials[b], b ascending."""
    cdef Py_ssize_t b
    cdef double acc = 0
    with nogil:
        for b in range(partials.shape[0]):
            acc = acc + partials[b]
    return acc


# ---------------------------------------------------------------- nll_loss
def nll_fwd(const floating[:, :, :] log_prob, const long long[:, ::1] target, const floating[::1] weight,
            long long ignore_index, floating[:, ::1] out, int num_threads):
    """out[n, s] = -log_prob[n, target[n, s], s] * weight[target[n, s]]  (0 where target == ignore_index)."""
    cdef Py_ssize_t N = log_prob.shape[0], S = log_prob.shape[2], n, s
    cdef long long t
    for n in prange(N, nogil=True, num_threads=num_threads, schedule="static"):
        for s in range(S):
            t = target[n, s]
            if t == ignore_index:
                out[n, s] = 0
            else:
                out[n, s] = -log_prob[n, t, s] * weight[t]


def nll_reduce_fwd(const floating[:, :, :] log_prob, const long long[:, ::1] target,
                   const floating[::1] weight, long long ignore_index, bint has_weight, double[::1] result):
    """result = (sum -log_prob[n, t, s] * w[t], sum w[t], count) over non-ignored (n, s) in row-major order.

    The sums run through torch's 8-level cascade (level width 2**max(4, ceil(log2(N*S)) / 8)),
    flushing a level each time the flat index crosses a multiple of its width, exactly as
    ATen's nll_loss / nll_loss2d CPU kernels do, so the reduced loss matches torch's bits.
    """
    cdef Py_ssize_t N = log_prob.shape[0], S = log_prob.shape[2], n, s, j
    cdef long long t, linear_idx, numiter = N * S, mask, level_step, level_mask, count = 0
    cdef int level_power = 0, ceil_log2 = 0
    cdef floating loss_partial[8]
    cdef floating weight_partial[8]
    cdef floating data, weight_val, loss_total = 0, weight_total = 0
    with nogil:
        while (<long long>1 << ceil_log2) < numiter:
            ceil_log2 += 1
        level_power = ceil_log2 // 8
        if level_power < 4:
            level_power = 4
        level_step = <long long>1 << level_power
        level_mask = level_step - 1
        for j in range(8):
            loss_partial[j] = 0
            weight_partial[j] = 0
        for n in range(N):
            for s in range(S):
                t = target[n, s]
                if t == ignore_index:
                    continue
                count += 1
                data = log_prob[n, t, s]
                if has_weight:
                    weight_val = weight[t]
                    loss_partial[0] -= data * weight_val
                    weight_partial[0] += weight_val
                else:
                    loss_partial[0] -= data
                linear_idx = n * S + s
                for j in range(7):
                    mask = level_mask << (j * level_power)
                    if (linear_idx & mask) != 0:
                        break
                    weight_partial[j + 1] += weight_partial[j]
                    loss_partial[j + 1] += loss_partial[j]
                    weight_partial[j] = 0
                    loss_partial[j] = 0
        for j in range(8):
            loss_total = loss_total + loss_partial[j]
            weight_total = weight_total + weight_partial[j]
    result[0] = loss_total
    result[1] = weight_total
    result[2] = count


def nll_bwd(const long long[:, ::1] target, const floating[::1] weight, long long ignore_index,
            const floating[:, :] grad_scale, floating[:, :, ::1] grad_input, int num_threads):
    """grad_input[n, target[n, s], s] = -(weight[t] * grad_scale[n, s]) (not ignored); grad_input arrives zeroed.

    Every other element of grad_input keeps its 0: the caller allocates it with np.zeros.
    """
    cdef Py_ssize_t N = grad_input.shape[0], S = grad_input.shape[2], n, s
    cdef long long t
    for n in prange(N, nogil=True, num_threads=num_threads, schedule="static"):
        for s in range(S):
            t = target[n, s]
            if t != ignore_index:
                grad_input[n, t, s] = -(weight[t] * grad_scale[n, s])


# ---------------------------------------------------------------- cross_entropy (class indices)
# The fused form of nll_loss(log_softmax(x, dim=1)): it evaluates, per (n, s) row over the classes c,
# exactly the expressions of softmax.pyx's log_softmax_row / log_softmax_bwd (same max, same 8-lane
# sum of the exponentials, same rounding steps), so its bits equal the composition's
# (tests/test_perf_loss.py holds them equal); it only skips storing log_softmax and the one-hot gradient.
cdef inline floating row_max(const floating* x, Py_ssize_t D) noexcept nogil:
    """log_softmax_row's max: m = x[d] if x[d] > m else m over d ascending from m = x[0]; NaN if any x is NaN.

    That rule ends on the first element equal to the max.  Here 8 lanes (lane j: d = j mod 8, the same
    rule) give the same value without one long compare chain; when the max is 0 its sign is re-read
    from the first zero, so the bits are the sequential loop's.
    """
    cdef floating lane[8]
    cdef int nan_lane[8]
    cdef floating m
    cdef Py_ssize_t d, j, full = D - D % 8
    if floating is float:
        if not _spec:   # the same value, 16 lanes in refnn_ce_rows.h's build
            return refnn_ce_rowmax_f32(x, D)
    for j in range(8):
        lane[j] = x[0]
        nan_lane[j] = 0
    for d in range(0, full, 8):
        for j in range(8):
            lane[j] = x[d + j] if x[d + j] > lane[j] else lane[j]
            nan_lane[j] = nan_lane[j] | (x[d + j] != x[d + j])
    for d in range(full, D):
        lane[d - full] = x[d] if x[d] > lane[d - full] else lane[d - full]
        nan_lane[d - full] = nan_lane[d - full] | (x[d] != x[d])
    m = lane[0]
    for j in range(8):
        m = lane[j] if lane[j] > m else m
        if nan_lane[j]:
            return <floating>NAN
    if m == 0:
        for d in range(D):
            if x[d] == 0:
                return x[d]
    return m


cdef inline void log_softmax_terms(const floating* x, Py_ssize_t D, floating* row_max_out,
                                   floating* log_total_out) noexcept nogil:
    """row_max = max_d x[d] (NaN if any is NaN); log_total = log(sum_d exp(x[d] - row_max)), 8 lanes as row_sum."""
    cdef floating m = row_max(x, D)
    cdef floating s[8]
    cdef Py_ssize_t d, j, full = D - D % 8
    if floating is float:   # the same loops, in refnn_ce_rows.h's baseline or AVX2 build
        refnn_ce_sumexp_f32(x, D, m, s)
    else:
        for j in range(8):
            s[j] = 0
        for d in range(0, full, 8):
            for j in range(8):
                s[j] = s[j] + exp_(x[d + j] - m)
        for d in range(full, D):
            s[d - full] = s[d - full] + exp_(x[d] - m)
    row_max_out[0] = m
    log_total_out[0] = log_(((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7])))


cdef inline void cross_entropy_fwd_row(const floating* x, Py_ssize_t C, long long t, long long ignore_index,
                                       floating* picked, floating* row_max, floating* log_total) noexcept nogil:
    """One row of cross_entropy_fwd."""
    log_softmax_terms(x, C, row_max, log_total)
    if t == ignore_index:
        picked[0] = 0
    else:
        picked[0] = x[t] - row_max[0] - log_total[0]


def cross_entropy_fwd(const floating[:, ::1] x, const long long[::1] target, long long ignore_index,
                      floating[::1] picked, floating[::1] row_max, floating[::1] log_total, int num_threads):
    """picked[r] = log_softmax(x[r])[target[r]] = x[r, t] - max - log(sum_c exp(x[r, c] - max)); 0 if ignored.

    x (R, C): one row per (n, s), the classes contiguous.  row_max and log_total are kept for the backward.
    """
    cdef Py_ssize_t R = x.shape[0], C = x.shape[1], r
    if C == 0:
        return
    if num_threads == 1:            # the same rows in order, without an OpenMP region
        with nogil:
            for r in range(R):
                cross_entropy_fwd_row(&x[r, 0], C, target[r], ignore_index, &picked[r], &row_max[r], &log_total[r])
        return
    for r in prange(R, nogil=True, num_threads=num_threads, schedule="static"):
        cross_entropy_fwd_row(&x[r, 0], C, target[r], ignore_index, &picked[r], &row_max[r], &log_total[r])


cdef inline void softmax_times(const floating* x, floating* grad, Py_ssize_t D, floating m, floating log_total,
                               floating total) noexcept nogil:
    """grad[d] = 0 - exp(x[d] - m - log_total) * total: log_softmax_bwd off the one-hot class."""
    cdef Py_ssize_t d
    if floating is float:   # the same loop, in refnn_ce_rows.h's baseline or AVX2 build
        refnn_ce_grad_f32(x, grad, D, m, log_total, total)
        return
    for d in range(D):
        grad[d] = 0 - exp_(x[d] - m - log_total) * total


cdef inline void cross_entropy_bwd_row(const floating* x, floating* grad, Py_ssize_t C, long long t,
                                       const floating* weight, long long ignore_index, floating scale, floating m,
                                       floating lt) noexcept nogil:
    """One row of cross_entropy_bwd."""
    cdef floating value, total
    if t == ignore_index:
        value = 0
    else:
        value = -(weight[t] * scale)
    total = value + 0
    softmax_times(x, grad, C, m, lt, total)
    if t != ignore_index:
        grad[t] = value - exp_(x[t] - m - lt) * total


def cross_entropy_bwd(const floating[:, ::1] x, const long long[::1] target, const floating[::1] weight,
                      long long ignore_index, const floating[:] grad_scale, const floating[::1] row_max,
                      const floating[::1] log_total, floating[:, ::1] grad_input, int num_threads):
    """grad_input[r, c] = g[c] - exp(log_softmax[r, c]) * sum_c g[c], g = -(weight[t] * grad_scale[r]) at c = t, else 0.

    log_softmax_bwd's formula and order: the row sum of g is g[t] + 0 (-0 becomes +0); an ignored target
    leaves g = 0.
    """
    cdef Py_ssize_t R = x.shape[0], C = x.shape[1], r
    if C == 0:
        return
    if num_threads == 1:            # the same rows in order, without an OpenMP region
        with nogil:
            for r in range(R):
                cross_entropy_bwd_row(&x[r, 0], &grad_input[r, 0], C, target[r], &weight[0], ignore_index,
                                      grad_scale[r], row_max[r], log_total[r])
        return
    for r in prange(R, nogil=True, num_threads=num_threads, schedule="static"):
        cross_entropy_bwd_row(&x[r, 0], &grad_input[r, 0], C, target[r], &weight[0], ignore_index,
                              grad_scale[r], row_max[r], log_total[r])


# ---------------------------------------------------------------- soft-target cross entropy
def soft_nll_fwd(const floating[:, :, ::1] log_prob, const floating[:, :, ::1] target, const floating[::1] weight,
                 bint has_target, bint has_weight, floating[:, ::1] out, int num_threads):
    """out[n, s] = -sum_c (log_prob[n, c, s] * target[n, c, s]) * weight[c], c ascending.

    Without a target (label smoothing) the factor target is 1; without a weight, weight is 1.
    """
    cdef Py_ssize_t N = log_prob.shape[0], C = log_prob.shape[1], S = log_prob.shape[2], n, c, s
    cdef floating acc, term
    for n in prange(N, nogil=True, num_threads=num_threads, schedule="static"):
        for s in range(S):
            acc = 0
            for c in range(C):
                term = log_prob[n, c, s]
                if has_target:
                    term = term * target[n, c, s]
                if has_weight:
                    term = term * weight[c]
                acc = acc + term
            out[n, s] = -acc


def soft_nll_bwd(const floating[:, :, ::1] log_prob, const floating[:, :, ::1] target, const floating[::1] weight,
                 bint has_target, bint has_weight, const floating[:, :] grad_out,
                 floating[:, :, ::1] grad_log_prob, floating[:, :, ::1] grad_target, bint want_target,
                 int num_threads):
    """grad_log_prob = -grad_out * target * weight;  grad_target = -grad_out * log_prob * weight."""
    cdef Py_ssize_t N = log_prob.shape[0], C = log_prob.shape[1], S = log_prob.shape[2], n, c, s
    cdef floating g, w
    for n in prange(N, nogil=True, num_threads=num_threads, schedule="static"):
        for c in range(C):
            w = weight[c] if has_weight else 1
            for s in range(S):
                g = -grad_out[n, s] * w
                grad_log_prob[n, c, s] = g * target[n, c, s] if has_target else g
                if want_target:
                    grad_target[n, c, s] = g * log_prob[n, c, s]


# ---------------------------------------------------------------- mse_loss
def mse_fwd(const floating[::1] input, const floating[::1] target, floating[::1] out, int num_threads):
    """out = (input - target)^2."""
    cdef Py_ssize_t i
    cdef floating d
    for i in prange(input.shape[0], nogil=True, num_threads=num_threads, schedule="static"):
        d = input[i] - target[i]
        out[i] = d * d


def mse_bwd(const floating[::1] input, const floating[::1] target, const floating[:] grad_out, floating norm,
            floating[::1] grad_input, int num_threads):
    """grad_input = norm * (input - target) * grad_out, with norm = 2 (or 2/n for 'mean')."""
    cdef Py_ssize_t i
    for i in prange(input.shape[0], nogil=True, num_threads=num_threads, schedule="static"):
        grad_input[i] = norm * (input[i] - target[i]) * grad_out[i]


# ---------------------------------------------------------------- l1_loss
def l1_fwd(const floating[::1] input, const floating[::1] target, floating[::1] out, int num_threads):
    """out = |input - target|."""
    cdef Py_ssize_t i
    for i in prange(input.shape[0], nogil=True, num_threads=num_threads, schedule="static"):
        out[i] = fabs(input[i] - target[i])


def l1_bwd(const floating[::1] input, const floating[::1] target, const floating[:] grad_out, floating divisor,
           floating[::1] grad_input, int num_threads):
    """grad_input = (grad_out / divisor) * sgn(input - target), sgn = (d > 0) - (d < 0) as torch's (0 at 0 and NaN)."""
    cdef Py_ssize_t i
    cdef floating d, sign
    for i in prange(input.shape[0], nogil=True, num_threads=num_threads, schedule="static"):
        d = input[i] - target[i]
        sign = (d > 0) - (d < 0)
        grad_input[i] = (grad_out[i] / divisor) * sign


# ---------------------------------------------------------------- binary_cross_entropy
def bce_fwd(const floating[::1] input, const floating[::1] target, floating[::1] out, int num_threads):
    """out = (target - 1) * max(log1p(-input), -100) - target * max(log(input), -100)."""
    cdef Py_ssize_t i
    cdef floating log_x, log_1mx
    for i in prange(input.shape[0], nogil=True, num_threads=num_threads, schedule="static"):
        log_1mx = <floating>refnn_log1p(-input[i])
        if log_1mx < -100:
            log_1mx = -100
        log_x = <floating>refnn_log(input[i])
        if log_x < -100:
            log_x = -100
        out[i] = (target[i] - 1) * log_1mx - target[i] * log_x


def bce_bwd(const floating[::1] input, const floating[::1] target, const floating[:] weight, const floating[:] grad_out,
            floating divisor, floating[::1] grad_input, int num_threads):
    """grad_input = grad_out * (input - target) / max((1 - input) * input, 1e-12) * weight / divisor."""
    cdef Py_ssize_t i
    cdef floating x, denom
    for i in prange(input.shape[0], nogil=True, num_threads=num_threads, schedule="static"):
        x = input[i]
        denom = (1 - x) * x
        if denom < <floating>1e-12:
            denom = <floating>1e-12
        grad_input[i] = grad_out[i] * (x - target[i]) / denom * weight[i] / divisor


def bce_target_bwd(const floating[::1] input, const floating[:] weight, const floating[:] grad_out,
                   floating divisor, floating[::1] grad_target, int num_threads):
    """grad_target = -log(input / (1 - input)) * grad_out * weight / divisor."""
    cdef Py_ssize_t i
    cdef floating x
    for i in prange(input.shape[0], nogil=True, num_threads=num_threads, schedule="static"):
        x = input[i]
        grad_target[i] = -(<floating>refnn_log(x / (1 - x))) * grad_out[i] * weight[i] / divisor


# ---------------------------------------------------------------- binary_cross_entropy_with_logits
cdef inline floating log_sigmoid(floating x) noexcept nogil:
    """log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|)) (no overflow for any x)."""
    cdef floating low = x if x < 0 else 0
    return low - <floating>refnn_log1p(refnn_exp(-fabs(x)))


def bce_logits_fwd(const floating[::1] input, const floating[::1] target, const floating[:] weight,
                   const floating[:] pos_weight, bint has_pos_weight, floating[::1] out, int num_threads):
    """out = ((1 - target) * input - log_sigmoid(input) * ((pos_weight - 1) * target + 1)) * weight."""
    cdef Py_ssize_t i
    cdef floating ls
    for i in prange(input.shape[0], nogil=True, num_threads=num_threads, schedule="static"):
        ls = log_sigmoid(input[i])
        if has_pos_weight:
            ls = ls * ((pos_weight[i] - 1) * target[i] + 1)
        out[i] = ((1 - target[i]) * input[i] - ls) * weight[i]


def bce_logits_bwd(const floating[::1] input, const floating[::1] target, const floating[:] weight,
                   const floating[:] pos_weight, bint has_pos_weight, const floating[:] grad_out, floating divisor,
                   floating[::1] grad_input, int num_threads):
    """grad_input = ((pw*t + 1 - t) * sigmoid(x) - pw*t) * grad_out * weight / divisor (sigmoid(x) - t without pw)."""
    cdef Py_ssize_t i
    cdef floating x, t, sig, pt, g
    for i in prange(input.shape[0], nogil=True, num_threads=num_threads, schedule="static"):
        x = input[i]
        t = target[i]
        sig = 1 / (1 + <floating>refnn_exp(-x))
        if has_pos_weight:
            pt = pos_weight[i] * t
            g = (pt + 1 - t) * sig - pt
        else:
            g = sig - t
        grad_input[i] = g * grad_out[i] * weight[i] / divisor


def bce_logits_target_bwd(const floating[::1] input, const floating[:] weight, const floating[:] pos_weight,
                          bint has_pos_weight, const floating[:] grad_out, floating divisor,
                          floating[::1] grad_target, int num_threads):
    """grad_target = (log_sigmoid(-x) - log_sigmoid(x) * pw) * grad_out * weight / divisor; -x * grad_out * ... without pw."""
    cdef Py_ssize_t i
    cdef floating x, g
    for i in prange(input.shape[0], nogil=True, num_threads=num_threads, schedule="static"):
        x = input[i]
        if has_pos_weight:
            g = (log_sigmoid(-x) - log_sigmoid(x) * pos_weight[i]) * grad_out[i]
        else:
            g = -x * grad_out[i]
        grad_target[i] = g * weight[i] / divisor


# ---------------------------------------------------------------- exp, log, log1p of the element type
# refnn's own (refnn_math.h, through _rowmath), never the C library's: the same bits on every machine

cdef inline floating exp_t(floating x) noexcept nogil:
    return exp_(x)


cdef inline floating log_t(floating x) noexcept nogil:
    return log_(x)


cdef inline floating log1p_t(floating x) noexcept nogil:
    return log1p_(x)


# ---------------------------------------------------------------- smooth_l1_loss and huber_loss
# ATen's expressions, operation for operation, in the element type (its 0.5 is a scalar_t), from the
# binary-op and pointwise-op kernels of smooth_l1 / huber.  Both branches are computed and one is selected
# (no branch in the loop: it vectorises); the selected value is the one ATen's branch computes.
def smooth_l1_fwd(const floating[::1] input, const floating[::1] target, floating beta, floating[::1] out,
                  int num_threads):
    """z = |input - target|; out = z < beta ? ((0.5 * z) * z) / beta : z - 0.5 * beta."""
    cdef Py_ssize_t i
    cdef floating z, quadratic, linear, half = 0.5
    for i in prange(input.shape[0], nogil=True, num_threads=num_threads, schedule="static"):
        z = fabs(input[i] - target[i])
        quadratic = half * z * z / beta
        linear = z - half * beta
        out[i] = quadratic if z < beta else linear


cdef inline floating smooth_l1_grad(floating x, floating beta, floating norm, floating g) noexcept nogil:
    """(norm * (|x| >= beta ? (x > 0 ? 1 : -1) : x / beta)) * g, both sides computed and one selected."""
    cdef floating one = 1, sign, quotient, output
    sign = one if x > 0 else -one
    quotient = x / beta
    output = sign if fabs(x) >= beta else quotient
    return norm * output * g


def smooth_l1_bwd_spec(const floating[::1] input, const floating[::1] target, const floating[:] grad_out,
                       floating beta, floating norm, floating[::1] grad_input, int num_threads):
    """x = input - target; grad = (norm * (|x| >= beta ? (x > 0 ? 1 : -1) : x / beta)) * g.

    The expression of ATen's vectorised loop, which computes every element but a short tail (its scalar
    loop writes norm * x * g / beta, a last-bit difference for beta != 1)."""
    cdef Py_ssize_t i
    cdef floating x, sign, output, one = 1
    for i in prange(input.shape[0], nogil=True, num_threads=num_threads, schedule="static"):
        x = input[i] - target[i]
        sign = one if x > 0 else -one
        output = sign if fabs(x) >= beta else x / beta
        grad_input[i] = norm * output * grad_out[i]


def smooth_l1_bwd(const floating[::1] input, const floating[::1] target, const floating[:] grad_out, floating beta,
                  floating norm, floating[::1] grad_input, floating[::1] grad_target, bint want_target,
                  int num_threads):
    """smooth_l1_bwd_spec's grad_input through refnn_loss_rows.h; grad_target = -grad_input when want_target."""
    _param_bwd(0, input, target, grad_out, beta, norm, grad_input, grad_target, want_target, num_threads)


def huber_bwd(const floating[::1] input, const floating[::1] target, const floating[:] grad_out, floating delta,
              floating norm, floating[::1] grad_input, floating[::1] grad_target, bint want_target,
              int num_threads):
    """huber_bwd_spec's grad_input through refnn_loss_rows.h; grad_target = -grad_input when want_target."""
    _param_bwd(1, input, target, grad_out, delta, norm, grad_input, grad_target, want_target, num_threads)


cdef void _param_bwd(int which, const floating[::1] input, const floating[::1] target, const floating[:] grad_out,
                     floating p, floating norm, floating[::1] grad_input, floating[::1] grad_target,
                     bint want_target, int num_threads):
    cdef Py_ssize_t n = input.shape[0], nchunks, c, start, length, i
    cdef Py_ssize_t gstep = 0 if grad_out.strides[0] == 0 else 1
    cdef floating* gt = NULL
    if n == 0:
        return
    if _spec or (gstep and grad_out.strides[0] != sizeof(floating)):
        if which == 0:
            smooth_l1_bwd_spec(input, target, grad_out, p, norm, grad_input, num_threads)
        else:
            huber_bwd_spec(input, target, grad_out, p, norm, grad_input, num_threads)
        if want_target:
            for i in range(n):
                grad_target[i] = -grad_input[i]
        return
    nchunks = (n + CHUNK - 1) // CHUNK
    for c in prange(nchunks, nogil=True, num_threads=num_threads, schedule="static"):
        start = c * CHUNK
        length = n - start
        if length > CHUNK:
            length = CHUNK
        gt = &grad_target[start] if want_target else NULL
        if floating is float:
            if which == 0:
                refnn_smooth_l1_bwd_f32(&input[start], &target[start], &grad_out[start * gstep], gstep, p, norm,
                                        &grad_input[start], gt, length)
            else:
                refnn_huber_bwd_f32(&input[start], &target[start], &grad_out[start * gstep], gstep, p, norm,
                                    &grad_input[start], gt, length)
        else:
            if which == 0:
                refnn_smooth_l1_bwd_f64(&input[start], &target[start], &grad_out[start * gstep], gstep, p, norm,
                                        &grad_input[start], gt, length)
            else:
                refnn_huber_bwd_f64(&input[start], &target[start], &grad_out[start * gstep], gstep, p, norm,
                                    &grad_input[start], gt, length)


def huber_fwd(const floating[::1] input, const floating[::1] target, floating delta, floating[::1] out,
              int num_threads):
    """z = |input - target|; out = z < delta ? (0.5 * z) * z : delta * (z - 0.5 * delta)."""
    cdef Py_ssize_t i
    cdef floating z, quadratic, linear, half = 0.5
    for i in prange(input.shape[0], nogil=True, num_threads=num_threads, schedule="static"):
        z = fabs(input[i] - target[i])
        quadratic = half * z * z
        linear = delta * (z - half * delta)
        out[i] = quadratic if z < delta else linear


def huber_bwd_spec(const floating[::1] input, const floating[::1] target, const floating[:] grad_out,
                   floating delta, floating norm, floating[::1] grad_input, int num_threads):
    """x = input - target; grad = (norm * (|x| >= delta ? (x > 0 ? 1 : -1) * delta : x)) * g.

    The expression of ATen's vectorised loop, which computes every element but a short tail (its scalar
    loop writes ((norm * g) * delta) outside the quadratic part, a last-bit difference when norm != 1)."""
    cdef Py_ssize_t i
    cdef floating x, sign, output, one = 1
    for i in prange(input.shape[0], nogil=True, num_threads=num_threads, schedule="static"):
        x = input[i] - target[i]
        sign = one if x > 0 else -one
        output = sign * delta if fabs(x) >= delta else x
        grad_input[i] = norm * output * grad_out[i]


# ---------------------------------------------------------------- soft_margin_loss
def soft_margin_fwd(const floating[::1] input, const floating[::1] target, floating[::1] out, int num_threads):
    """out = log1p(exp((-input) * target)), ATen's neg, mul, exp, log1p in that order."""
    cdef Py_ssize_t i
    for i in prange(input.shape[0], nogil=True, num_threads=num_threads, schedule="static"):
        out[i] = log1p_t(exp_t(-input[i] * target[i]))


def soft_margin_bwd(const floating[::1] input, const floating[::1] target, const floating[:] grad_out,
                    floating norm, floating[::1] grad_input, int num_threads):
    """z = exp((-target) * input); grad_input = (((target * z) * -norm) / (z + 1)) * grad_out (ATen's order)."""
    cdef Py_ssize_t i
    cdef floating z, one = 1   # a typed 1: a bare literal would make the float expression double
    for i in prange(input.shape[0], nogil=True, num_threads=num_threads, schedule="static"):
        z = exp_t(-target[i] * input[i])
        grad_input[i] = target[i] * z * (-norm) / (z + one) * grad_out[i]


# ---------------------------------------------------------------- kl_div
# torch composes kl_div: xlogy(t, t) - t * x, or exp(t) * (t - x) with log_target; these are those
# expressions per element, and their autograd gradients (xlogy's two partials, then the product's).
def kl_div_fwd_spec(const floating[::1] input, const floating[::1] target, bint log_target, floating[::1] out,
                    int num_threads):
    """out = xlogy(t, t) - t * x (xlogy(t, t) = 0 at t == 0, NaN at NaN), or exp(t) * (t - x) with log_target."""
    cdef Py_ssize_t i
    cdef floating x, t, a
    for i in prange(input.shape[0], nogil=True, num_threads=num_threads, schedule="static"):
        x = input[i]
        t = target[i]
        if log_target:
            out[i] = exp_t(t) * (t - x)
        else:
            if t != t:
                a = t
            elif t == 0:
                a = 0
            else:
                a = t * log_t(t)
            out[i] = a - t * x


def kl_div_bwd_spec(const floating[::1] input, const floating[::1] target, const floating[:] grad_out,
                    bint log_target, bint want_input, bint want_target, floating[::1] grad_input,
                    floating[::1] grad_target, int num_threads):
    """g the upstream gradient of each element (already divided by n for 'mean').

    plain: grad_input = -(g * t); grad_target = (g * xlogy(t != 0, t) + (g * t) / t) + -(g * x).
    log_target: e = exp(t); grad_input = -(g * e); grad_target = (g * (t - x)) * e + g * e.
    """
    cdef Py_ssize_t i
    cdef floating x, t, g, e, a
    for i in prange(input.shape[0], nogil=True, num_threads=num_threads, schedule="static"):
        x = input[i]
        t = target[i]
        g = grad_out[i]
        if log_target:
            e = exp_t(t)
            if want_input:
                grad_input[i] = -(g * e)
            if want_target:
                grad_target[i] = g * (t - x) * e + g * e
        else:
            if want_input:
                grad_input[i] = -(g * t)
            if want_target:
                if t == 0:
                    a = 0
                else:
                    a = g * log_t(t)
                grad_target[i] = (a + g * t / t) + -(g * x)


def kl_div_fwd(const floating[::1] input, const floating[::1] target, bint log_target, floating[::1] out,
               int num_threads):
    """kl_div_fwd_spec through refnn_loss_rows.h (the same bits)."""
    cdef Py_ssize_t n = input.shape[0], nchunks, c, start, length
    if _spec:
        kl_div_fwd_spec(input, target, log_target, out, num_threads)
        return
    nchunks = (n + CHUNK - 1) // CHUNK
    for c in prange(nchunks, nogil=True, num_threads=num_threads, schedule="static"):
        start = c * CHUNK
        length = n - start
        if length > CHUNK:
            length = CHUNK
        if floating is float:
            refnn_kl_div_fwd_f32(&input[start], &target[start], &out[start], length, log_target)
        else:
            refnn_kl_div_fwd_f64(&input[start], &target[start], &out[start], length, log_target)


def kl_div_bwd(const floating[::1] input, const floating[::1] target, const floating[:] grad_out, bint log_target,
               bint want_input, bint want_target, floating[::1] grad_input, floating[::1] grad_target,
               int num_threads):
    """kl_div_bwd_spec through refnn_loss_rows.h (the same bits); grad_out contiguous or stride 0."""
    cdef Py_ssize_t n = input.shape[0], nchunks, c, start, length
    cdef Py_ssize_t gstep = 0 if grad_out.strides[0] == 0 else 1
    cdef floating* gi = NULL
    cdef floating* gt = NULL
    if _spec or n == 0 or (gstep and grad_out.strides[0] != sizeof(floating)):
        kl_div_bwd_spec(input, target, grad_out, log_target, want_input, want_target, grad_input, grad_target,
                        num_threads)
        return
    nchunks = (n + CHUNK - 1) // CHUNK
    for c in prange(nchunks, nogil=True, num_threads=num_threads, schedule="static"):
        start = c * CHUNK
        length = n - start
        if length > CHUNK:
            length = CHUNK
        gi = &grad_input[start] if want_input else NULL
        gt = &grad_target[start] if want_target else NULL
        if floating is float:
            refnn_kl_div_bwd_f32(&input[start], &target[start], &grad_out[start * gstep], gstep, gi, gt, length,
                                 log_target)
        else:
            refnn_kl_div_bwd_f64(&input[start], &target[start], &grad_out[start * gstep], gstep, gi, gt, length,
                                 log_target)


# ---------------------------------------------------------------- multi_margin_loss
# (N, C) rows, target (N,) class indices in [0, C) (checked by the caller).  ATen's CPU loops: each row's
# terms summed over d ascending in the element type, each row's loss (that sum / C) rounded to it; the
# reduced loss adds the row losses over n ascending in double.
cdef inline floating multi_margin_row(const floating* x, long long y, Py_ssize_t C, int p, floating margin,
                                      const floating* weight, bint has_weight) noexcept nogil:
    """sum over d != y of h(margin - x[y] + x[d]) (h(z) = z or z*z where z > 0), times weight[y] term by term."""
    cdef floating xt = x[y], total = 0, z, h
    cdef Py_ssize_t d
    for d in range(C):
        if d == y:
            continue
        z = margin - xt + x[d]
        if z > 0:
            h = z if p == 1 else z * z
            if has_weight:
                h = h * weight[y]
            total = total + h
    return total


def multi_margin_fwd(const floating[:, ::1] x, const long long[::1] target, int p, floating margin,
                     const floating[::1] weight, bint has_weight, int reduction, floating[::1] out):
    """reduction 0 ('none'): out[n] = row(n) / C (in the element type); 1 ('mean') / 2 ('sum'): out[0] = the
    sum of those row losses in double (ATen's accscalar_t), n ascending (/ N in double for 'mean'), rounded once."""
    cdef Py_ssize_t N = x.shape[0], C = x.shape[1], n
    cdef double total = 0
    cdef floating row_loss
    with nogil:
        for n in range(N):
            row_loss = multi_margin_row(&x[n, 0], target[n], C, p, margin, &weight[0], has_weight) / C
            if reduction == 0:
                out[n] = row_loss
            else:
                total = total + row_loss
        if reduction != 0:
            if reduction == 1:
                total = total / N
            out[0] = total


def multi_margin_bwd(const floating[:, ::1] x, const long long[::1] target, int p, floating margin,
                     const floating[::1] weight, bint has_weight, floating g, const floating[:] grad_out,
                     floating[:, ::1] grad_input, int num_threads):
    """ATen's backward: h = g (p = 1) or (2 * g) * z where z = margin - x[y] + x[d] > 0 (else 0), times weight[y];
    grad[d] = h, grad[y] = -(sum of the h, d ascending); then every element of row n times grad_out[n]
    (a stride-0 view of the scalar for the reductions).  g = 1 / C, or 1 / (N * C) for 'mean'."""
    cdef Py_ssize_t N = x.shape[0], C = x.shape[1], n, d
    cdef long long y
    cdef floating xt, acc, z, h, go, two = 2   # typed: a bare literal would make the float expression double
    for n in prange(N, nogil=True, num_threads=num_threads, schedule="static"):
        y = target[n]
        xt = x[n, y]
        acc = 0
        for d in range(C):
            z = margin - xt + x[n, d]
            if d == y:
                continue
            if z > 0:
                h = g if p == 1 else two * g * z
                if has_weight:
                    h = h * weight[y]
                acc = acc - h
                grad_input[n, d] = h
            else:
                grad_input[n, d] = 0
        grad_input[n, y] = acc
        go = grad_out[n]
        for d in range(C):
            grad_input[n, d] = grad_input[n, d] * go


# ---------------------------------------------------------------- multilabel_margin_loss
# (N, C) rows, target (N, C) class indices, each row's list ending at its first negative entry (checked
# in [-1, C) up to there by the caller); is_target[n, c] = 1 for the listed classes.
def multilabel_margin_targets(const long long[:, ::1] target, floating[:, ::1] is_target):
    """is_target[n, target[n, k]] = 1 for k before the first negative target[n, k]; is_target arrives zeroed."""
    cdef Py_ssize_t N = target.shape[0], C = target.shape[1], n, k
    with nogil:
        for n in range(N):
            for k in range(C):
                if target[n, k] < 0:
                    break
                is_target[n, target[n, k]] = 1


cdef inline double multilabel_margin_row(const floating* x, const long long* target, const floating* is_target,
                                         Py_ssize_t C) noexcept nogil:
    """sum over listed j (in list order), then over non-target i ascending, of max(0, (1 - x[j]) + x[i]) (each
    term in the element type, the sum in double: ATen's accscalar_t)."""
    cdef double total = 0
    cdef floating xt, z, one = 1   # typed: a bare literal 1 would make (1 - x[j]) double
    cdef Py_ssize_t k, i
    for k in range(C):
        if target[k] < 0:
            break
        xt = x[target[k]]
        for i in range(C):
            if not is_target[i]:
                z = one - xt + x[i]
                if z > 0:
                    total = total + z
    return total


def multilabel_margin_fwd(const floating[:, ::1] x, const long long[:, ::1] target,
                          const floating[:, ::1] is_target, int reduction, floating[::1] out):
    """Each row's sum (accumulated in double) rounded to the element type, r(n).  reduction 0: out[n] = r(n) / C
    in the element type; else out[0] = (sum_n r(n) in double, n ascending) / C (/ N for 'mean'), rounded once."""
    cdef Py_ssize_t N = x.shape[0], C = x.shape[1], n
    cdef double total = 0
    cdef floating row
    with nogil:
        for n in range(N):
            row = <floating>multilabel_margin_row(&x[n, 0], &target[n, 0], &is_target[n, 0], C)
            if reduction == 0:
                out[n] = row / C
            else:
                total = total + row
        if reduction != 0:
            total = total / C
            if reduction == 1:
                total = total / N
            out[0] = total


def multilabel_margin_bwd(const floating[:, ::1] x, const long long[:, ::1] target,
                          const floating[:, ::1] is_target, floating g, const floating[:] grad_out,
                          floating[:, ::1] grad_input, int num_threads):
    """For each listed j and non-target i with (1 - x[j]) + x[i] > 0: grad[j] -= g, grad[i] += g (ATen's order);
    then row n times grad_out[n].  grad_input arrives zeroed; g = 1 / C, or 1 / (N * C) for 'mean'."""
    cdef Py_ssize_t N = x.shape[0], C = x.shape[1], n, k, i
    cdef long long j
    cdef floating xt, z, go, one = 1
    for n in prange(N, nogil=True, num_threads=num_threads, schedule="static"):
        for k in range(C):
            j = target[n, k]
            if j < 0:
                break
            xt = x[n, j]
            for i in range(C):
                if not is_target[n, i]:
                    z = one - xt + x[n, i]
                    if z > 0:
                        grad_input[n, j] = grad_input[n, j] - g
                        grad_input[n, i] = grad_input[n, i] + g
        go = grad_out[n]
        for i in range(C):
            grad_input[n, i] = grad_input[n, i] * go
