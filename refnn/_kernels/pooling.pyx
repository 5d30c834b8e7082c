# Legend: P planes (N*C: batch times channels, each pooled on its own), D H W input depth, height
#         and width, OD OH OW output depth/height/width, KD KH KW kernel, SD SH SW stride,
#         PD PH PW padding, DD DH DW dilation, od oh ow output position, id ih iw input position
#         (a plane's flat index is (id*H + ih)*W + iw).
"""Pooling kernels over (P, D, H, W) planes: max, average, adaptive max, adaptive average,
fractional max, max-unpool.

2-d pooling runs through these loops with D = 1 (kernel 1, stride 1, padding 0, dilation 1 in
depth), 1-d pooling with D = H = 1: the same operations in the same order.  Every loop is
parallel over planes only
(``prange`` over P), so each plane (its outputs, and in the backward its scatter into the
input gradient) is owned by one thread and the order of every sum is fixed: the bits do
not depend on the thread count.

The plain per-output loop of each kernel is its specification.  The fast paths (the
"interior" column loops of max and average pooling, the plane-interleaved global
average) run the same comparisons and the same additions in the same order per output,
only for several outputs at once so that gcc can vectorise them; they give the same bits.
Every window is scanned in (depth, row, column) order, ascending; a max keeps the first of
equal maxima and any NaN wins (the last NaN's index is kept), as torch's CPU loops do; sums
start at 0 and add the in-bounds taps in that order.
A signal handler that raises (Ctrl-C) stops a pooling between output rows (_interrupt.pxd).
"""
from cython.parallel cimport prange, threadid
from libc.stdint cimport int64_t, int32_t
from libc.stdlib cimport malloc, free
from libc.string cimport memset

from ._interrupt cimport refnn_interrupt, refnn_interrupt_finish, refnn_interrupt_init, refnn_stop

cdef extern from "refnn_pool_simd.h" nogil:
    void refnn_plane_sums_f32x8(const float* x, Py_ssize_t n, float* sums)
    int refnn_plane_sums_f32x32(const float* x, Py_ssize_t n, float* sums)
    int refnn_pool_init(int max_level)

from refnn._isa import MAX_LEVEL, check_level


def _set_isa_level(int max_level):
    """Re-choose this module's build of the 32-plane global average loop (refnn_pool_simd.h), up to
    max_level (refnn._isa.forced); the level chosen."""
    return refnn_pool_init(max_level)


check_level(refnn_pool_init(MAX_LEVEL), _set_isa_level)

ctypedef fused floating:
    float
    double

cdef double NEG_INF = -float("inf")

cdef enum:
    GLOBAL_PLANES = 32      # planes per task of the global average (a 1x1x1 adaptive output)


# ---------------------------------------------------------------- window arithmetic
cdef inline Py_ssize_t _first_tap(Py_ssize_t start, Py_ssize_t step) noexcept nogil:
    """The first tap start + j*step that is >= 0 (padding taps never take part)."""
    while start < 0:
        start += step
    return start


cdef inline Py_ssize_t _adaptive_start(Py_ssize_t o, Py_ssize_t O, Py_ssize_t L) noexcept nogil:
    """floor(o * L / O): torch's adaptive window start."""
    return (o * L) // O


cdef inline Py_ssize_t _adaptive_end(Py_ssize_t o, Py_ssize_t O, Py_ssize_t L) noexcept nogil:
    """ceil((o + 1) * L / O): torch's adaptive window end (exclusive)."""
    return ((o + 1) * L + O - 1) // O


cdef inline void _interior_columns(Py_ssize_t OW, Py_ssize_t W, Py_ssize_t KW, Py_ssize_t SW,
                                   Py_ssize_t PW, Py_ssize_t DW,
                                   Py_ssize_t* lo, Py_ssize_t* hi) noexcept nogil:
    """[lo, hi): the output columns whose whole window lies inside the input (no clipping)."""
    cdef Py_ssize_t ow
    lo[0] = OW
    hi[0] = OW
    for ow in range(OW):
        if ow * SW - PW >= 0:
            lo[0] = ow
            break
    for ow in range(lo[0], OW):
        if ow * SW - PW + (KW - 1) * DW >= W:
            hi[0] = ow
            break


# ---------------------------------------------------------------- max pooling
cdef void _max_pool_plane(const floating* x, floating* out, int64_t* indices, int32_t* scratch,
                          Py_ssize_t D, Py_ssize_t H, Py_ssize_t W,
                          Py_ssize_t OD, Py_ssize_t OH, Py_ssize_t OW,
                          Py_ssize_t KD, Py_ssize_t KH, Py_ssize_t KW,
                          Py_ssize_t SD, Py_ssize_t SH, Py_ssize_t SW,
                          Py_ssize_t PD, Py_ssize_t PH, Py_ssize_t PW,
                          Py_ssize_t DD, Py_ssize_t DH, Py_ssize_t DW,
                          bint fast, refnn_interrupt *st, int thread) noexcept nogil:
    """out[od, oh, ow] = the first max of the window's in-bounds taps, scanned (depth, row, column)
    ascending; a NaN always wins (so the last NaN's index is kept), as torch's CPU loop does."""
    cdef Py_ssize_t od, oh, ow, id_, ih, iw, id0, id1, ih0, ih1, iw0, iw1, kw, base, lo, hi
    cdef Py_ssize_t best_index, orow
    cdef floating best, value
    cdef bint take
    _interior_columns(OW, W, KW, SW, PW, DW, &lo, &hi)
    if not fast:
        lo = hi = OW
    for od in range(OD):
        id0 = od * SD - PD
        id1 = min(id0 + (KD - 1) * DD + 1, D)
        id0 = _first_tap(id0, DD)
        for oh in range(OH):
            if refnn_stop(st, thread):
                return
            orow = (od * OH + oh) * OW
            ih0 = oh * SH - PH
            ih1 = min(ih0 + (KH - 1) * DH + 1, H)
            ih0 = _first_tap(ih0, DH)
            # plain loop: the specification (edge columns; every column when not fast)
            for ow in range(OW):
                if lo <= ow < hi:
                    continue
                iw0 = ow * SW - PW
                iw1 = min(iw0 + (KW - 1) * DW + 1, W)
                iw0 = _first_tap(iw0, DW)
                best_index = (id0 * H + ih0) * W + iw0
                best = NEG_INF
                id_ = id0
                while id_ < id1:
                    ih = ih0
                    while ih < ih1:
                        iw = iw0
                        while iw < iw1:
                            value = x[(id_ * H + ih) * W + iw]
                            if value > best or value != value:
                                best = value
                                best_index = (id_ * H + ih) * W + iw
                            iw = iw + DW
                        ih = ih + DH
                    id_ = id_ + DD
                out[orow + ow] = best
                indices[orow + ow] = best_index
            if lo >= hi:
                continue
            # interior columns: the same scan, taps outer and columns inner (vectorisable);
            # scratch holds each column's winning flat index while the row is scanned
            for ow in range(lo, hi):
                out[orow + ow] = NEG_INF
                scratch[ow] = <int32_t>((id0 * H + ih0) * W + ow * SW - PW)
            id_ = id0
            while id_ < id1:
                ih = ih0
                while ih < ih1:
                    for kw in range(KW):
                        base = (id_ * H + ih) * W + kw * DW - PW
                        for ow in range(lo, hi):
                            value = x[base + ow * SW]
                            take = (value > out[orow + ow]) | (value != value)
                            out[orow + ow] = value if take else out[orow + ow]
                            scratch[ow] = <int32_t>(base + ow * SW) if take else scratch[ow]
                    ih = ih + DH
                id_ = id_ + DD
            for ow in range(lo, hi):
                indices[orow + ow] = scratch[ow]


def max_pool_fwd(const floating[:, :, :, ::1] x, floating[:, :, :, ::1] out, int64_t[:, :, :, ::1] indices,
                 Py_ssize_t KD, Py_ssize_t KH, Py_ssize_t KW, Py_ssize_t SD, Py_ssize_t SH, Py_ssize_t SW,
                 Py_ssize_t PD, Py_ssize_t PH, Py_ssize_t PW, Py_ssize_t DD, Py_ssize_t DH, Py_ssize_t DW,
                 bint fast, int num_threads):
    """out[p, od, oh, ow] = max over kd, kh, kw of x[p, od*SD - PD + kd*DD, oh*SH - PH + kh*DH,
    ow*SW - PW + kw*DW] (padding is -inf)."""
    cdef Py_ssize_t P = x.shape[0], D = x.shape[1], H = x.shape[2], W = x.shape[3]
    cdef Py_ssize_t OD = out.shape[1], OH = out.shape[2], OW = out.shape[3], p
    cdef int32_t* scratch
    cdef refnn_interrupt st
    if P == 0 or OD == 0 or OH == 0 or OW == 0:
        return
    fast = fast and (D * H + DH + 1) * W < 2147483647   # every flat index fits the int32 scratch
    refnn_interrupt_init(&st)
    if num_threads == 1:            # the same planes in the same order, without an OpenMP region
        with nogil:
            scratch = <int32_t*>malloc(OW * sizeof(int32_t))
            for p in range(P):
                _max_pool_plane(&x[p, 0, 0, 0], &out[p, 0, 0, 0], &indices[p, 0, 0, 0], scratch,
                                D, H, W, OD, OH, OW, KD, KH, KW, SD, SH, SW, PD, PH, PW, DD, DH, DW,
                                fast and scratch != NULL, &st, 0)
            free(scratch)
        refnn_interrupt_finish(&st)
        return
    for p in prange(P, nogil=True, num_threads=num_threads, schedule="static"):
        scratch = <int32_t*>malloc(OW * sizeof(int32_t))
        _max_pool_plane(&x[p, 0, 0, 0], &out[p, 0, 0, 0], &indices[p, 0, 0, 0], scratch,
                        D, H, W, OD, OH, OW, KD, KH, KW, SD, SH, SW, PD, PH, PW, DD, DH, DW,
                        fast and scratch != NULL, &st, threadid())
        free(scratch)
    refnn_interrupt_finish(&st)


cdef inline void _max_pool_scatter(const floating* go, const int64_t* idx, floating* gi, Py_ssize_t n,
                                   Py_ssize_t plane) noexcept nogil:
    """gi = 0, then gi[idx[o]] += go[o], o ascending (one plane of max_pool_bwd)."""
    cdef Py_ssize_t o
    memset(gi, 0, plane * sizeof(floating))
    for o in range(n):
        # a window of padding taps only (possible with dilation) has out = -inf and an index
        # past the plane, as in torch; its gradient goes nowhere
        if 0 <= idx[o] < plane:
            gi[idx[o]] = gi[idx[o]] + go[o]


def max_pool_bwd(const floating[:, ::1] grad_output, const int64_t[:, ::1] indices,
                 floating[:, ::1] grad_input, int num_threads):
    """grad_input[p] = 0, then grad_input[p, indices[p, o]] += grad_output[p, o], o ascending
    (max, adaptive max and fractional max pooling over flattened planes; overlapping windows
    accumulate in output order; indices outside the plane are skipped)."""
    cdef Py_ssize_t P = grad_input.shape[0], plane = grad_input.shape[1]
    cdef Py_ssize_t n = grad_output.shape[1], p
    cdef refnn_interrupt st
    if P == 0 or plane == 0:
        return
    if n == 0:
        memset(&grad_input[0, 0], 0, P * plane * sizeof(floating))
        return
    refnn_interrupt_init(&st)
    if num_threads == 1:            # the same planes in the same order, without an OpenMP region
        with nogil:
            for p in range(P):
                if refnn_stop(&st, 0):
                    break
                _max_pool_scatter(&grad_output[p, 0], &indices[p, 0], &grad_input[p, 0], n, plane)
        refnn_interrupt_finish(&st)
        return
    for p in prange(P, nogil=True, num_threads=num_threads, schedule="static"):
        if refnn_stop(&st, threadid()):
            continue
        _max_pool_scatter(&grad_output[p, 0], &indices[p, 0], &grad_input[p, 0], n, plane)
    refnn_interrupt_finish(&st)


# ---------------------------------------------------------------- adaptive max pooling
def adaptive_max_pool_fwd(const floating[:, :, :, ::1] x, floating[:, :, :, ::1] out,
                          int64_t[:, :, :, ::1] indices, int num_threads):
    """out[p, od, oh, ow] = max of x[p, floor(od*D/OD):ceil((od+1)*D/OD), (likewise h, w)], scanned
    (depth, row, column) ascending, first max wins, a NaN always wins (torch's CPU loop)."""
    cdef Py_ssize_t P = x.shape[0], D = x.shape[1], H = x.shape[2], W = x.shape[3]
    cdef Py_ssize_t OD = out.shape[1], OH = out.shape[2], OW = out.shape[3], p, od, oh, ow
    cdef Py_ssize_t id_, ih, iw, id0, id1, ih0, ih1, iw0, iw1, best_index
    cdef floating best, value
    cdef refnn_interrupt st
    if P == 0 or OD == 0 or OH == 0 or OW == 0:
        return
    refnn_interrupt_init(&st)
    for p in prange(P, nogil=True, num_threads=num_threads, schedule="static"):
        for od in range(OD):
            id0 = _adaptive_start(od, OD, D)
            id1 = _adaptive_end(od, OD, D)
            for oh in range(OH):
                if refnn_stop(&st, threadid()):
                    break
                ih0 = _adaptive_start(oh, OH, H)
                ih1 = _adaptive_end(oh, OH, H)
                for ow in range(OW):
                    iw0 = _adaptive_start(ow, OW, W)
                    iw1 = _adaptive_end(ow, OW, W)
                    best_index = (id0 * H + ih0) * W + iw0
                    best = NEG_INF
                    for id_ in range(id0, id1):
                        for ih in range(ih0, ih1):
                            for iw in range(iw0, iw1):
                                value = x[p, id_, ih, iw]
                                if value > best or value != value:
                                    best = value
                                    best_index = (id_ * H + ih) * W + iw
                    out[p, od, oh, ow] = best
                    indices[p, od, oh, ow] = best_index
    refnn_interrupt_finish(&st)


# ---------------------------------------------------------------- fractional max pooling
def fractional_max_pool_fwd(const floating[:, :, :, ::1] x, const int64_t[:, ::1] start_d,
                            const int64_t[:, ::1] start_h, const int64_t[:, ::1] start_w,
                            floating[:, :, :, ::1] out, int64_t[:, :, :, ::1] indices,
                            Py_ssize_t KD, Py_ssize_t KH, Py_ssize_t KW, int num_threads):
    """out[p, od, oh, ow] = max of x[p, sd:sd+KD, sh:sh+KH, sw:sw+KW] with sd = start_d[p, od] (likewise
    h, w: the plane's pseudo-random intervals), scanned (depth, row, column) ascending, first max wins, a
    NaN always wins.  Every window was checked to lie inside the plane."""
    cdef Py_ssize_t P = x.shape[0], H = x.shape[2], W = x.shape[3]
    cdef Py_ssize_t OD = out.shape[1], OH = out.shape[2], OW = out.shape[3], p, od, oh, ow
    cdef Py_ssize_t id_, ih, iw, id0, ih0, iw0, best_index
    cdef floating best, value
    cdef refnn_interrupt st
    if P == 0 or OD == 0 or OH == 0 or OW == 0:
        return
    refnn_interrupt_init(&st)
    for p in prange(P, nogil=True, num_threads=num_threads, schedule="static"):
        for od in range(OD):
            id0 = start_d[p, od]
            for oh in range(OH):
                if refnn_stop(&st, threadid()):
                    break
                ih0 = start_h[p, oh]
                for ow in range(OW):
                    iw0 = start_w[p, ow]
                    best_index = (id0 * H + ih0) * W + iw0
                    best = NEG_INF
                    for id_ in range(id0, id0 + KD):
                        for ih in range(ih0, ih0 + KH):
                            for iw in range(iw0, iw0 + KW):
                                value = x[p, id_, ih, iw]
                                if value > best or value != value:
                                    best = value
                                    best_index = (id_ * H + ih) * W + iw
                    out[p, od, oh, ow] = best
                    indices[p, od, oh, ow] = best_index
    refnn_interrupt_finish(&st)


# ---------------------------------------------------------------- average pooling
cdef inline Py_ssize_t _avg_divisor(Py_ssize_t pool_size, Py_ssize_t count,
                                    bint count_include_pad, Py_ssize_t divisor_override) noexcept nogil:
    """torch's divisor: divisor_override if given (non-zero), else the window's size counting the
    padding it covers (count_include_pad) or only its in-bounds taps."""
    if divisor_override != 0:
        return divisor_override
    if count_include_pad:
        return pool_size
    return count


cdef void _avg_pool_plane(const floating* x, floating* out,
                          Py_ssize_t D, Py_ssize_t H, Py_ssize_t W,
                          Py_ssize_t OD, Py_ssize_t OH, Py_ssize_t OW,
                          Py_ssize_t KD, Py_ssize_t KH, Py_ssize_t KW,
                          Py_ssize_t SD, Py_ssize_t SH, Py_ssize_t SW,
                          Py_ssize_t PD, Py_ssize_t PH, Py_ssize_t PW, bint count_include_pad,
                          Py_ssize_t divisor_override, bint fast, refnn_interrupt *st, int thread) noexcept nogil:
    """out[od, oh, ow] = (sum of the window's in-bounds taps, (depth, row, column) ascending from 0) / divisor."""
    cdef Py_ssize_t od, oh, ow, id_, ih, iw, id0, id1, ih0, ih1, iw0, iw1, pool_d, pool_h, pool_w
    cdef Py_ssize_t kw, base, lo, hi, divisor, orow
    cdef floating total, factor
    _interior_columns(OW, W, KW, SW, PW, 1, &lo, &hi)
    if not fast:
        lo = hi = OW
    for od in range(OD):
        id0 = od * SD - PD
        id1 = min(id0 + KD, D + PD)
        pool_d = id1 - id0
        id0 = max(id0, 0)
        id1 = min(id1, D)
        for oh in range(OH):
            if refnn_stop(st, thread):
                return
            orow = (od * OH + oh) * OW
            ih0 = oh * SH - PH
            ih1 = min(ih0 + KH, H + PH)
            pool_h = ih1 - ih0
            ih0 = max(ih0, 0)
            ih1 = min(ih1, H)
            for ow in range(OW):
                if lo <= ow < hi:
                    continue
                iw0 = ow * SW - PW
                iw1 = min(iw0 + KW, W + PW)
                pool_w = iw1 - iw0
                iw0 = max(iw0, 0)
                iw1 = min(iw1, W)
                if id0 >= id1 or ih0 >= ih1 or iw0 >= iw1:
                    out[orow + ow] = 0
                    continue
                divisor = _avg_divisor(pool_d * pool_h * pool_w, (id1 - id0) * (ih1 - ih0) * (iw1 - iw0),
                                       count_include_pad, divisor_override)
                total = 0
                for id_ in range(id0, id1):
                    for ih in range(ih0, ih1):
                        for iw in range(iw0, iw1):
                            total = total + x[(id_ * H + ih) * W + iw]
                out[orow + ow] = total / <floating>divisor
            if lo >= hi:
                continue
            if id0 >= id1 or ih0 >= ih1:
                for ow in range(lo, hi):
                    out[orow + ow] = 0
                continue
            # interior columns (full width KW, no clipping): same sums, taps outer, columns inner
            divisor = _avg_divisor(pool_d * pool_h * KW, (id1 - id0) * (ih1 - ih0) * KW, count_include_pad,
                                   divisor_override)
            factor = <floating>divisor
            for ow in range(lo, hi):
                out[orow + ow] = 0
            for id_ in range(id0, id1):
                for ih in range(ih0, ih1):
                    for kw in range(KW):
                        base = (id_ * H + ih) * W + kw - PW
                        for ow in range(lo, hi):
                            out[orow + ow] = out[orow + ow] + x[base + ow * SW]
            for ow in range(lo, hi):
                out[orow + ow] = out[orow + ow] / factor


def avg_pool_fwd(const floating[:, :, :, ::1] x, floating[:, :, :, ::1] out,
                 Py_ssize_t KD, Py_ssize_t KH, Py_ssize_t KW, Py_ssize_t SD, Py_ssize_t SH, Py_ssize_t SW,
                 Py_ssize_t PD, Py_ssize_t PH, Py_ssize_t PW,
                 bint count_include_pad, Py_ssize_t divisor_override, bint fast, int num_threads):
    """out[p, od, oh, ow] = sum of x[p, od*SD - PD + kd, oh*SH - PH + kh, ow*SW - PW + kw] over in-bounds
    taps / divisor (divisor_override 0 means none: the functional layer refuses a zero override)."""
    cdef Py_ssize_t P = x.shape[0], D = x.shape[1], H = x.shape[2], W = x.shape[3]
    cdef Py_ssize_t OD = out.shape[1], OH = out.shape[2], OW = out.shape[3], p
    cdef refnn_interrupt st
    if P == 0 or OD == 0 or OH == 0 or OW == 0:
        return
    refnn_interrupt_init(&st)
    for p in prange(P, nogil=True, num_threads=num_threads, schedule="static"):
        _avg_pool_plane(&x[p, 0, 0, 0], &out[p, 0, 0, 0], D, H, W, OD, OH, OW, KD, KH, KW, SD, SH, SW,
                        PD, PH, PW, count_include_pad, divisor_override, fast, &st, threadid())
    refnn_interrupt_finish(&st)


def avg_pool_bwd(const floating[:, :, :, ::1] grad_output, floating[:, :, :, ::1] grad_input,
                 Py_ssize_t KD, Py_ssize_t KH, Py_ssize_t KW, Py_ssize_t SD, Py_ssize_t SH, Py_ssize_t SW,
                 Py_ssize_t PD, Py_ssize_t PH, Py_ssize_t PW,
                 bint count_include_pad, Py_ssize_t divisor_override, int num_threads):
    """grad_input[p] = 0, then for each output (od, oh, ow ascending) every in-bounds tap of its window
    gets += grad_output[p, od, oh, ow] / divisor (torch's order)."""
    cdef Py_ssize_t P = grad_input.shape[0], D = grad_input.shape[1], H = grad_input.shape[2]
    cdef Py_ssize_t W = grad_input.shape[3]
    cdef Py_ssize_t OD = grad_output.shape[1], OH = grad_output.shape[2], OW = grad_output.shape[3]
    cdef Py_ssize_t p, od, oh, ow, id_, ih, iw, id0, id1, ih0, ih1, iw0, iw1, pool_d, pool_h, pool_w, divisor
    cdef floating delta
    cdef floating* gi
    cdef const floating* go
    cdef refnn_interrupt st
    if P == 0 or D * H * W == 0:
        return
    refnn_interrupt_init(&st)
    for p in prange(P, nogil=True, num_threads=num_threads, schedule="static"):
        gi = &grad_input[p, 0, 0, 0]
        memset(gi, 0, D * H * W * sizeof(floating))
        if OD * OH * OW == 0:
            continue
        go = &grad_output[p, 0, 0, 0]
        for od in range(OD):
            id0 = od * SD - PD
            id1 = min(id0 + KD, D + PD)
            pool_d = id1 - id0
            id0 = max(id0, 0)
            id1 = min(id1, D)
            for oh in range(OH):
                if refnn_stop(&st, threadid()):
                    break
                ih0 = oh * SH - PH
                ih1 = min(ih0 + KH, H + PH)
                pool_h = ih1 - ih0
                ih0 = max(ih0, 0)
                ih1 = min(ih1, H)
                for ow in range(OW):
                    iw0 = ow * SW - PW
                    iw1 = min(iw0 + KW, W + PW)
                    pool_w = iw1 - iw0
                    iw0 = max(iw0, 0)
                    iw1 = min(iw1, W)
                    if id0 >= id1 or ih0 >= ih1 or iw0 >= iw1:
                        continue
                    divisor = _avg_divisor(pool_d * pool_h * pool_w, (id1 - id0) * (ih1 - ih0) * (iw1 - iw0),
                                           count_include_pad, divisor_override)
                    delta = go[(od * OH + oh) * OW + ow] / <floating>divisor
                    for id_ in range(id0, id1):
                        for ih in range(ih0, ih1):
                            for iw in range(iw0, iw1):
                                gi[(id_ * H + ih) * W + iw] = gi[(id_ * H + ih) * W + iw] + delta
    refnn_interrupt_finish(&st)


# ---------------------------------------------------------------- adaptive average pooling
cdef void _global_avg_planes(const floating* x, floating* out, Py_ssize_t count, Py_ssize_t n,
                             Py_ssize_t D, Py_ssize_t H, Py_ssize_t W) noexcept nogil:
    """out[j] = (sum of plane j's n values, ascending from 0) / D / H / W for `count` <= GLOBAL_PLANES
    planes: the adaptive loop's order for a 1x1x1 output.  float32: 32 planes at a time in the AVX2 /
    AVX-512 builds, else 8 (one plane per SIMD lane, refnn_pool_simd.h, the same additions in the same
    order); other planes one at a time, 8 interleaved for instruction parallelism."""
    cdef floating acc[GLOBAL_PLANES]
    cdef Py_ssize_t i, j, j0, part
    for j in range(GLOBAL_PLANES):
        acc[j] = 0
    j0 = 0
    if floating is float:
        if count == GLOBAL_PLANES and refnn_plane_sums_f32x32(x, n, acc):
            j0 = count
    while j0 < count:
        part = min(8, count - j0)
        if part == 8:
            if floating is float:
                refnn_plane_sums_f32x8(x + j0 * n, n, &acc[j0])
            else:
                for i in range(n):
                    for j in range(j0, j0 + 8):
                        acc[j] = acc[j] + x[j * n + i]
        else:
            for j in range(j0, j0 + part):
                for i in range(n):
                    acc[j] = acc[j] + x[j * n + i]
        j0 = j0 + part
    for j in range(count):
        out[j] = acc[j] / <floating>D / <floating>H / <floating>W


def adaptive_avg_pool_fwd(const floating[:, :, :, ::1] x, floating[:, :, :, ::1] out, int num_threads):
    """out[p, od, oh, ow] = (sum of x[p, id0:id1, ih0:ih1, iw0:iw1] in (depth, row, column) order from 0)
    / (id1-id0) / (ih1-ih0) / (iw1-iw0), with ih0 = floor(oh*H/OH), ih1 = ceil((oh+1)*H/OH) (likewise d,
    w): torch's adaptive windows."""
    cdef Py_ssize_t P = x.shape[0], D = x.shape[1], H = x.shape[2], W = x.shape[3]
    cdef Py_ssize_t OD = out.shape[1], OH = out.shape[2], OW = out.shape[3], p, od, oh, ow
    cdef Py_ssize_t id_, ih, iw, id0, id1, ih0, ih1, iw0, iw1, block
    cdef floating total
    cdef refnn_interrupt st
    if P == 0 or OD == 0 or OH == 0 or OW == 0:
        return
    refnn_interrupt_init(&st)
    if OD == 1 and OH == 1 and OW == 1 and num_threads == 1:   # no OpenMP region for one thread
        with nogil:
            for block in range((P + GLOBAL_PLANES - 1) // GLOBAL_PLANES):
                if refnn_stop(&st, 0):
                    break
                _global_avg_planes(&x[GLOBAL_PLANES * block, 0, 0, 0], &out[GLOBAL_PLANES * block, 0, 0, 0],
                                   min(<Py_ssize_t>GLOBAL_PLANES, P - GLOBAL_PLANES * block), D * H * W, D, H, W)
        refnn_interrupt_finish(&st)
        return
    if OD == 1 and OH == 1 and OW == 1:
        for block in prange((P + GLOBAL_PLANES - 1) // GLOBAL_PLANES, nogil=True, num_threads=num_threads,
                            schedule="static"):
            if refnn_stop(&st, threadid()):
                continue
            _global_avg_planes(&x[GLOBAL_PLANES * block, 0, 0, 0], &out[GLOBAL_PLANES * block, 0, 0, 0],
                               min(<Py_ssize_t>GLOBAL_PLANES, P - GLOBAL_PLANES * block), D * H * W, D, H, W)
        refnn_interrupt_finish(&st)
        return
    for p in prange(P, nogil=True, num_threads=num_threads, schedule="static"):
        for od in range(OD):
            id0 = _adaptive_start(od, OD, D)
            id1 = _adaptive_end(od, OD, D)
            for oh in range(OH):
                if refnn_stop(&st, threadid()):
                    break
                ih0 = _adaptive_start(oh, OH, H)
                ih1 = _adaptive_end(oh, OH, H)
                for ow in range(OW):
                    iw0 = _adaptive_start(ow, OW, W)
                    iw1 = _adaptive_end(ow, OW, W)
                    total = 0
                    for id_ in range(id0, id1):
                        for ih in range(ih0, ih1):
                            for iw in range(iw0, iw1):
                                total = total + x[p, id_, ih, iw]
                    out[p, od, oh, ow] = (total / <floating>(id1 - id0) / <floating>(ih1 - ih0)
                                          / <floating>(iw1 - iw0))
    refnn_interrupt_finish(&st)


def adaptive_avg_pool_bwd(const floating[:, :, :, ::1] grad_output, floating[:, :, :, ::1] grad_input,
                          int num_threads):
    """grad_input[p] = 0, then for each output (od, oh, ow ascending) every tap of its window gets
    += grad_output[p, od, oh, ow] / (id1-id0) / (ih1-ih0) / (iw1-iw0)."""
    cdef Py_ssize_t P = grad_input.shape[0], D = grad_input.shape[1], H = grad_input.shape[2]
    cdef Py_ssize_t W = grad_input.shape[3]
    cdef Py_ssize_t OD = grad_output.shape[1], OH = grad_output.shape[2], OW = grad_output.shape[3]
    cdef Py_ssize_t p, od, oh, ow, id_, ih, iw, id0, id1, ih0, ih1, iw0, iw1
    cdef floating delta
    cdef floating* gi
    cdef refnn_interrupt st
    if P == 0 or D * H * W == 0:
        return
    refnn_interrupt_init(&st)
    for p in prange(P, nogil=True, num_threads=num_threads, schedule="static"):
        gi = &grad_input[p, 0, 0, 0]
        memset(gi, 0, D * H * W * sizeof(floating))
        for od in range(OD):
            id0 = _adaptive_start(od, OD, D)
            id1 = _adaptive_end(od, OD, D)
            for oh in range(OH):
                if refnn_stop(&st, threadid()):
                    break
                ih0 = _adaptive_start(oh, OH, H)
                ih1 = _adaptive_end(oh, OH, H)
                for ow in range(OW):
                    iw0 = _adaptive_start(ow, OW, W)
                    iw1 = _adaptive_end(ow, OW, W)
                    delta = (grad_output[p, od, oh, ow] / <floating>(id1 - id0) / <floating>(ih1 - ih0)
                             / <floating>(iw1 - iw0))
                    for id_ in range(id0, id1):
                        for ih in range(ih0, ih1):
                            for iw in range(iw0, iw1):
                                gi[(id_ * H + ih) * W + iw] = gi[(id_ * H + ih) * W + iw] + delta
    refnn_interrupt_finish(&st)


# ---------------------------------------------------------------- max unpooling
def max_unpool_fwd(const floating[:, ::1] x, const int64_t[:, ::1] indices, floating[:, ::1] out,
                   int num_threads):
    """out[p] = 0, then out[p, indices[p, i]] = x[p, i], i ascending (a repeated index keeps the
    last value).  Every index was checked to lie in [0, out.shape[1]) before this runs."""
    cdef Py_ssize_t P = out.shape[0], n_out = out.shape[1], n_in = x.shape[1], p, i
    if P == 0 or n_out == 0:
        return
    for p in prange(P, nogil=True, num_threads=num_threads, schedule="static"):
        memset(&out[p, 0], 0, n_out * sizeof(floating))
        for i in range(n_in):
            out[p, indices[p, i]] = x[p, i]


def max_unpool_bwd(const floating[:, ::1] grad_output, const int64_t[:, ::1] indices,
                   floating[:, ::1] grad_input, int num_threads):
    """grad_input[p, i] = grad_output[p, indices[p, i]] (a gather; indices checked in the forward)."""
    cdef Py_ssize_t P = grad_input.shape[0], n_in = grad_input.shape[1], p, i
    for p in prange(P, nogil=True, num_threads=num_threads, schedule="static"):
        for i in range(n_in):
            grad_input[p, i] = grad_output[p, indices[p, i]]
