# Legend: every normalisation views its input as x[A, R, B]:
#   A  outer extent reduced together with B (the batch N for BatchNorm, 1 for the others),
#   R  rows: one statistic (or one set of coefficients) per row
#      (BatchNorm: channel C; InstanceNorm: (N, C); GroupNorm: (N, G); LayerNorm: leading index),
#   B  inner contiguous extent (spatial S, or the normalized shape K for LayerNorm),
#   M = A * B the number of elements a row's statistic is taken over.
#   (Python side: N batch, C channels, G groups, S spatial size, K normalized size.)
#   Lanes: reductions keep LANES = 32 partial sums in double; element b of a contiguous segment of
#   length B goes to lane b % 32 (segments a = 0, 1, ... in order).  Within a segment each lane
#   first sums chunks of 8 of its elements (256 elements per chunk) in x's type, then adds the
#   chunk into its double; the last B % 32 elements go straight to double.  The lanes are combined
#   pairwise: lane k += lane k + h for h = 16, 8, 4, 2, 1.  This fixed order is the specification
#   (tests/test_normalization_numerics.py replays it in NumPy bit for bit); it never depends on
#   the thread count: threads split rows R (or LayerNorm's weight columns), never a reduction.
"""Normalisation kernels shared by BatchNorm, InstanceNorm, GroupNorm and LayerNorm.

``row_moments`` (statistics) and ``row_affine_fwd`` (apply) are the forward;
``row_grad_sums`` / ``row_affine_bwd`` / ``col_grad_sums`` the backward.  The four norms
differ only in how their Python layer groups the axes into (A, R, B).
"""
from cython.parallel cimport prange
from libc.math cimport sqrt

ctypedef fused floating:
    float
    double

cdef enum:
    LANES = 32
    COL_BLOCK = 512     # the widest column block of col_grad_sums (its double sums stay in L1)


cdef Py_ssize_t stream_min_bytes = 4 << 20    # grouped_rows_bwd's float32 grad_input this large: streaming stores


def _set_stream_min_bytes(Py_ssize_t n):
    """Set the size from which grouped_rows_bwd streams its float32 output (tests: both paths on small
    inputs); returns the previous value."""
    global stream_min_bytes
    old = stream_min_bytes
    stream_min_bytes = n
    return old


cdef inline double _lanes_total(double* acc) noexcept nogil:
    """Pairwise: acc[k] += acc[k + h] for h = 16, 8, 4, 2, 1 (acc is consumed)."""
    cdef Py_ssize_t h = LANES // 2, k
    while h > 0:
        for k in range(h):
            acc[k] = acc[k] + acc[k + h]
        h = h // 2
    return acc[0]


cdef extern from "refnn_norm_rows.h" nogil:
    int refnn_norm_init(int max_level)
    void refnn_norm_sum_segment_float(const float* seg, Py_ssize_t B, float centre, int squares,
                                      double* acc) noexcept nogil
    void refnn_norm_sum_segment_double(const double* seg, Py_ssize_t B, double centre, int squares,
                                       double* acc) noexcept nogil
    void refnn_norm_grad_segment_float(const float* xs, const float* gs, const float* cw, int col, Py_ssize_t B,
                                       float centre, double* acc_g, double* acc_gx) noexcept nogil
    void refnn_norm_grad_segment_double(const double* xs, const double* gs, const double* cw, int col,
                                        Py_ssize_t B, double centre, double* acc_g, double* acc_gx) noexcept nogil
    void refnn_norm_apply_float(const float* x, float* out, Py_ssize_t B, float centre, float scale,
                                float shift) noexcept nogil
    void refnn_norm_apply_double(const double* x, double* out, Py_ssize_t B, double centre, double scale,
                                 double shift) noexcept nogil
    void refnn_norm_apply_bwd_float(const float* x, const float* grad, float* out, Py_ssize_t B, float centre,
                                    float weight, float mean_g, float slope, float rstd) noexcept nogil
    void refnn_norm_apply_bwd_stream_float(const float* x, const float* grad, float* out, Py_ssize_t B,
                                           float centre, float weight, float mean_g, float slope,
                                           float rstd) noexcept nogil
    void refnn_norm_stream_fence() noexcept nogil
    void refnn_norm_apply_bwd_double(const double* x, const double* grad, double* out, Py_ssize_t B,
                                     double centre, double weight, double mean_g, double slope,
                                     double rstd) noexcept nogil

from refnn._isa import MAX_LEVEL, check_level


def _set_isa_level(int max_level):
    """Re-choose this module's build of its row loops (refnn_norm_rows.h), up to max_level
    (refnn._isa.forced); the level chosen."""
    return refnn_norm_init(max_level)


check_level(refnn_norm_init(MAX_LEVEL), _set_isa_level)


cdef inline void _apply_row(const floating* x, floating* out, Py_ssize_t B, floating centre, floating scale,
                            floating shift) noexcept nogil:
    """out[b] = (x[b] - centre) * scale + shift, b < B (in x's type)."""
    if floating is float:
        refnn_norm_apply_float(x, out, B, centre, scale, shift)
    else:
        refnn_norm_apply_double(x, out, B, centre, scale, shift)


cdef inline void _sum_segment(const floating* seg, Py_ssize_t B, floating centre, bint squares,
                              double* acc) noexcept nogil:
    """acc[b % 8] += v(seg[b]) for b < B, v(x) = x or (x - centre)^2 (chunks of 64 in x's type, then double)."""
    if floating is float:
        refnn_norm_sum_segment_float(seg, B, centre, squares, acc)
    else:
        refnn_norm_sum_segment_double(seg, B, centre, squares, acc)


cdef inline void _moments_one_row(const floating* first, Py_ssize_t A, Py_ssize_t B, Py_ssize_t seg_stride,
                                  double* mean_out, double* var_sum_out) noexcept nogil:
    """Two passes over one row: mean = sum x / M, then var_sum = sum (x - mean)^2 (mean rounded to x's type)."""
    cdef double acc[LANES]
    cdef Py_ssize_t a, k
    cdef double mean
    for k in range(LANES):
        acc[k] = 0
    for a in range(A):
        _sum_segment(first + a * seg_stride, B, 0, False, acc)
    mean = _lanes_total(acc) / <double>(A * B)
    for k in range(LANES):
        acc[k] = 0
    for a in range(A):
        _sum_segment(first + a * seg_stride, B, <floating>mean, True, acc)
    mean_out[0] = mean
    var_sum_out[0] = _lanes_total(acc)


def row_moments(const floating[:, :, ::1] x, double[::1] mean, double[::1] var_sum, int num_threads):
    """mean[r] = sum_{a,b} x[a,r,b] / M;  var_sum[r] = sum_{a,b} (x[a,r,b] - mean[r])^2  (M = A*B > 0)."""
    cdef Py_ssize_t A = x.shape[0], R = x.shape[1], B = x.shape[2], r
    if A == 0 or R == 0 or B == 0:
        return
    for r in prange(R, nogil=True, num_threads=num_threads, schedule="static"):
        _moments_one_row(&x[0, r, 0], A, B, R * B, &mean[r], &var_sum[r])


def grouped_rows_fwd(const floating[:, ::1] x, Py_ssize_t rows_per_stat, const double[::1] weight_rows,
                     const double[::1] bias_rows, bint has_weight, bint has_bias, double eps,
                     double[::1] mean, double[::1] rstd, floating[:, ::1] out, int num_threads):
    """GroupNorm / InstanceNorm forward fused per statistic: x is (R, k * B), statistic r the row x[r]
    (k = rows_per_stat apply rows of B elements: GroupNorm's channels of one (sample, group)).

    For each r, on one thread while the group is in cache: row_moments' two passes (mean, then
    var_sum), rstd[r] = 1 / sqrt(var_sum / M + eps) in double, then row_affine_fwd's apply for each of
    its k rows j = r k + i: out = (x - centre) * scale + shift with centre = mean[r], scale =
    rstd[r] * weight_rows[j] (rstd[r] without weight), shift = bias_rows[j] (0 without bias), each
    rounded to x's type first.  The same operations as row_moments + NormFunction's numpy + row_affine_fwd,
    so the same bits; one pass over memory fewer.
    """
    cdef Py_ssize_t R = x.shape[0], W = x.shape[1], r, i, b, j, B
    cdef double var_sum, sd
    cdef const floating* xp
    cdef floating* op
    cdef floating c, sc, t
    if R == 0 or W == 0:
        return
    B = W // rows_per_stat
    for r in prange(R, nogil=True, num_threads=num_threads, schedule="static"):
        _moments_one_row(&x[r, 0], 1, W, W, &mean[r], &var_sum)
        sd = 1.0 / sqrt(var_sum / <double>W + eps)
        rstd[r] = sd
        c = <floating>mean[r]
        for i in range(rows_per_stat):
            j = r * rows_per_stat + i
            sc = <floating>(sd * weight_rows[j]) if has_weight else <floating>sd
            t = <floating>bias_rows[j] if has_bias else 0
            _apply_row(&x[r, i * B], &out[r, i * B], B, c, sc, t)


def row_affine_fwd(const floating[:, :, ::1] x, const floating[::1] centre, const floating[::1] scale,
                   const floating[::1] shift, const floating[::1] col_weight, const floating[::1] col_bias,
                   bint col_affine, floating[:, :, ::1] out, int num_threads):
    """out[a,r,b] = (x[a,r,b] - centre[r]) * scale[r] + shift[r], then * col_weight[b] + col_bias[b] if col_affine.

    Evaluated in the input's type (centre, scale and shift rounded to it first).
    """
    cdef Py_ssize_t A = x.shape[0], R = x.shape[1], B = x.shape[2], ar, b
    cdef const floating* xp
    cdef floating* op
    cdef floating c, s, t
    if A == 0 or R == 0 or B == 0:
        return
    for ar in prange(A * R, nogil=True, num_threads=num_threads, schedule="static"):
        xp = &x[ar // R, ar % R, 0]
        op = &out[ar // R, ar % R, 0]
        c = centre[ar % R]
        s = scale[ar % R]
        t = shift[ar % R]
        if col_affine:
            for b in range(B):
                op[b] = ((xp[b] - c) * s + t) * col_weight[b] + col_bias[b]
        else:
            _apply_row(xp, op, B, c, s, t)


cdef inline void _grad_sums_one_row(const floating* x_first, const floating* g_first, const floating* col_weight,
                                    bint col_affine, Py_ssize_t A, Py_ssize_t B, Py_ssize_t seg_stride,
                                    floating centre, double* sum_g_out, double* sum_g_xc_out) noexcept nogil:
    """One pass: sum g and sum g * (x - centre), g = grad_out (* col_weight[b]); lanes as row_moments."""
    cdef double acc_g[LANES]
    cdef double acc_gx[LANES]
    cdef Py_ssize_t a, k
    for k in range(LANES):
        acc_g[k] = 0
        acc_gx[k] = 0
    for a in range(A):
        if floating is float:
            refnn_norm_grad_segment_float(x_first + a * seg_stride, g_first + a * seg_stride, col_weight,
                                          col_affine, B, centre, acc_g, acc_gx)
        else:
            refnn_norm_grad_segment_double(x_first + a * seg_stride, g_first + a * seg_stride, col_weight,
                                           col_affine, B, centre, acc_g, acc_gx)
    sum_g_out[0] = _lanes_total(acc_g)
    sum_g_xc_out[0] = _lanes_total(acc_gx)


def row_grad_sums(const floating[:, :, ::1] x, const floating[:, :, ::1] grad_out, const double[::1] centre,
                  const floating[::1] col_weight, bint col_affine, double[::1] sum_g, double[::1] sum_g_xc,
                  int num_threads):
    """g = grad_out (* col_weight[b]);  sum_g[r] = sum_{a,b} g;  sum_g_xc[r] = sum_{a,b} g * (x[a,r,b] - centre[r]).

    g and g * (x - centre) are formed in x's type (centre rounded to it), summed in the lanes of row_moments.
    """
    cdef Py_ssize_t A = x.shape[0], R = x.shape[1], B = x.shape[2], r
    cdef const floating* cw = NULL
    if R == 0:
        return
    if A == 0 or B == 0:
        for r in range(R):
            sum_g[r] = 0
            sum_g_xc[r] = 0
        return
    if col_affine:
        cw = &col_weight[0]
    for r in prange(R, nogil=True, num_threads=num_threads, schedule="static"):
        _grad_sums_one_row(&x[0, r, 0], &grad_out[0, r, 0], cw, col_affine, A, B, R * B, <floating>centre[r],
                           &sum_g[r], &sum_g_xc[r])


def row_affine_bwd(const floating[:, :, ::1] x, const floating[:, :, ::1] grad_out, const floating[::1] centre,
                   const floating[::1] rstd, const floating[::1] weight, const floating[::1] mean_g,
                   const floating[::1] slope, const floating[::1] col_weight, bint col_affine, bint centred,
                   floating[:, :, ::1] grad_input, int num_threads):
    """grad_input = ((g - mean_g[r]) - (x - centre[r]) * slope[r]) * rstd[r], g = grad_out * weight[r] (* col_weight[b]).

    centred False (fixed statistics): grad_input = g * rstd[r], x unused.  Evaluated in the input's type.
    """
    cdef Py_ssize_t A = x.shape[0], R = x.shape[1], B = x.shape[2], ar, b
    cdef const floating* xp
    cdef const floating* gp
    cdef floating* op
    cdef floating c, rs, w, mg, sl, g
    if A == 0 or R == 0 or B == 0:
        return
    for ar in prange(A * R, nogil=True, num_threads=num_threads, schedule="static"):
        xp = &x[ar // R, ar % R, 0]
        gp = &grad_out[ar // R, ar % R, 0]
        op = &grad_input[ar // R, ar % R, 0]
        c = centre[ar % R]
        rs = rstd[ar % R]
        w = weight[ar % R]
        mg = mean_g[ar % R]
        sl = slope[ar % R]
        if centred:
            if col_affine:
                for b in range(B):
                    g = gp[b] * col_weight[b] * w
                    op[b] = ((g - mg) - (xp[b] - c) * sl) * rs
            else:
                for b in range(B):
                    g = gp[b] * w
                    op[b] = ((g - mg) - (xp[b] - c) * sl) * rs
        else:
            if col_affine:
                for b in range(B):
                    op[b] = (gp[b] * col_weight[b] * w) * rs
            else:
                for b in range(B):
                    op[b] = (gp[b] * w) * rs


def grouped_rows_bwd(const floating[:, ::1] x, const floating[:, ::1] grad_out, Py_ssize_t rows_per_stat,
                     const double[::1] mean, const double[::1] rstd, const double[::1] weight_rows, double count,
                     double[::1] sum_g, double[::1] sum_g_xc, floating[:, ::1] grad_input, int num_threads):
    """GroupNorm / InstanceNorm input gradient (batch statistics) fused per statistic: x is (R, k * B),
    statistic r the row x[r], its k = rows_per_stat apply rows j = r k + i of B elements each.

    For each r, on one thread while the group is in cache: row_grad_sums' sums of each apply row j
    (sum_g[j], sum_g_xc[j], about centre = mean[r] rounded to x's type, returned for the parameter
    gradients), then NormFunction's numpy in the same double operations (np.bincount adds in row order
    from 0.0): stat_g = sum_i weight_rows[j] * sum_g[j], stat_g_xc likewise, mean_g = stat_g / count,
    slope = rstd[r] * rstd[r] * stat_g_xc / count, then row_affine_bwd's apply for each row j (centre,
    rstd, weight_rows[j], mean_g and slope rounded to x's type).  The bits of row_grad_sums + the
    numpy + row_affine_bwd; x and grad_out are read from memory once.  A float32 grad_input of 4 MiB or
    more is written with streaming stores (refnn_norm_apply_bwd_stream_float, the same operations): not
    reading its lines before overwriting them saved a third of the kernel (0.85 -> 0.57 ms for
    (8, 256, 28, 28)); smaller ones stay in cache for their consumer.
    """
    cdef Py_ssize_t R = x.shape[0], W = x.shape[1], r, i, j, B
    cdef double stat_g, stat_g_xc
    cdef floating c, mg, sl, rs
    cdef bint stream = R * W * <Py_ssize_t>sizeof(floating) >= stream_min_bytes
    if R == 0 or W == 0:
        return
    B = W // rows_per_stat
    for r in prange(R, nogil=True, num_threads=num_threads, schedule="static"):
        c = <floating>mean[r]
        stat_g = 0
        stat_g_xc = 0
        for i in range(rows_per_stat):
            j = r * rows_per_stat + i
            _grad_sums_one_row(&x[r, i * B], &grad_out[r, i * B], NULL, False, 1, B, B, c, &sum_g[j],
                               &sum_g_xc[j])
            stat_g = stat_g + weight_rows[j] * sum_g[j]
            stat_g_xc = stat_g_xc + weight_rows[j] * sum_g_xc[j]
        mg = <floating>(stat_g / count)
        sl = <floating>(rstd[r] * rstd[r] * stat_g_xc / count)
        rs = <floating>rstd[r]
        for i in range(rows_per_stat):
            j = r * rows_per_stat + i
            if floating is float:
                if stream:
                    refnn_norm_apply_bwd_stream_float(&x[r, i * B], &grad_out[r, i * B], &grad_input[r, i * B], B,
                                                      c, <float>weight_rows[j], mg, sl, rs)
                else:
                    refnn_norm_apply_bwd_float(&x[r, i * B], &grad_out[r, i * B], &grad_input[r, i * B], B, c,
                                               <float>weight_rows[j], mg, sl, rs)
            else:
                refnn_norm_apply_bwd_double(&x[r, i * B], &grad_out[r, i * B], &grad_input[r, i * B], B, c,
                                            weight_rows[j], mg, sl, rs)
        if floating is float:
            if stream:
                refnn_norm_stream_fence()


def layer_rows_bwd(const floating[:, ::1] x, const floating[:, ::1] grad_out, const double[::1] mean,
                   const double[::1] rstd, const floating[::1] col_weight, bint col_affine, double count,
                   floating[:, ::1] grad_input, int num_threads):
    """row_grad_sums then row_affine_bwd for rows that are their own statistic (LayerNorm), one row at a time.

    Per row r of x (R, B), with g = grad_out (* col_weight[b]) and the sums of row_grad_sums:
    grad_input[r, b] = ((g - mean_g) - (x[r, b] - mean[r]) * slope) * rstd[r], mean_g = sum_g / count,
    slope = rstd[r] * rstd[r] * sum_g_xc / count (in double, then rounded to x's type, as the Function does).
    The row is read from memory once; the second pass finds it in cache.
    """
    cdef Py_ssize_t R = x.shape[0], B = x.shape[1], r, b
    cdef const floating* cw = NULL
    cdef const floating* xp
    cdef const floating* gp
    cdef floating* op
    cdef floating c, rs, mg, sl, g
    cdef double sum_g, sum_g_xc
    if R == 0 or B == 0:
        return
    if col_affine:
        cw = &col_weight[0]
    for r in prange(R, nogil=True, num_threads=num_threads, schedule="static"):
        xp = &x[r, 0]
        gp = &grad_out[r, 0]
        op = &grad_input[r, 0]
        c = <floating>mean[r]
        sum_g = 0          # assigned in the loop body: private to each thread (only their addresses are passed)
        sum_g_xc = 0
        _grad_sums_one_row(xp, gp, cw, col_affine, 1, B, B, c, &sum_g, &sum_g_xc)
        mg = <floating>(sum_g / count)
        sl = <floating>(rstd[r] * rstd[r] * sum_g_xc / count)
        rs = <floating>rstd[r]
        if col_affine:
            for b in range(B):
                g = gp[b] * cw[b]
                op[b] = ((g - mg) - (xp[b] - c) * sl) * rs
        else:
            for b in range(B):
                op[b] = ((gp[b] - mg) - (xp[b] - c) * sl) * rs


cdef void _col_block(const floating* x, const floating* grad_out, const double* mean, const double* rstd,
                     floating* grad_weight, floating* grad_bias, Py_ssize_t R, Py_ssize_t B,
                     Py_ssize_t b0, Py_ssize_t b1) noexcept nogil:
    """Columns [b0, b1): sums over r ascending, in double."""
    cdef double acc_w[COL_BLOCK]
    cdef double acc_b[COL_BLOCK]
    cdef Py_ssize_t r, b, width = b1 - b0
    cdef const floating* xp
    cdef const floating* gp
    cdef double m, s
    for b in range(width):
        acc_w[b] = 0
        acc_b[b] = 0
    for r in range(R):
        xp = x + r * B + b0
        gp = grad_out + r * B + b0
        m = mean[r]
        s = rstd[r]
        for b in range(width):
            acc_w[b] = acc_w[b] + <double>gp[b] * ((<double>xp[b] - m) * s)
            acc_b[b] = acc_b[b] + <double>gp[b]
    for b in range(width):
        grad_weight[b0 + b] = <floating>acc_w[b]
        grad_bias[b0 + b] = <floating>acc_b[b]


def col_grad_sums(const floating[:, ::1] x, const floating[:, ::1] grad_out, const double[::1] mean,
                  const double[::1] rstd, floating[::1] grad_weight, floating[::1] grad_bias, int num_threads):
    """grad_weight[b] = sum_r grad_out[r,b] * (x[r,b] - mean[r]) * rstd[r];  grad_bias[b] = sum_r grad_out[r,b].

    r ascending, accumulated in double.  Threads split the columns into blocks (one per thread, at most
    COL_BLOCK wide, so that each row's slice is read contiguously); a column's sum never depends on the
    block it falls in.
    """
    cdef Py_ssize_t R = x.shape[0], B = x.shape[1], block, b1
    cdef Py_ssize_t width = (B + num_threads - 1) // num_threads
    cdef Py_ssize_t num_blocks
    if B == 0:
        return
    if R == 0:
        for b1 in range(B):
            grad_weight[b1] = 0
            grad_bias[b1] = 0
        return
    width = (width + 15) // 16 * 16
    if width > COL_BLOCK:
        width = COL_BLOCK
    num_blocks = (B + width - 1) // width
    for block in prange(num_blocks, nogil=True, num_threads=num_threads, schedule="static"):
        b1 = block * width + width
        if b1 > B:
            b1 = B
        _col_block(&x[0, 0], &grad_out[0, 0], &mean[0], &rstd[0], &grad_weight[0], &grad_bias[0], R, B,
                   block * width, b1)
