# Legend: N batch, C input channels (Cg = C / G per group), O output channels (Og = O / G),
#         G groups, D H W input depth/height/width, KD KH KW kernel, S stride (sd, sh, sw),
#         P padding (pf front, pt top, pl left; back/bottom/right padding only shows in the output
#         size), D dilation (dd, dh, dw), OD OH OW output depth/height/width,
#         K = Cg*KD*KH*KW the reduced index (c, kd, kh, kw).
"""Convolution kernels: the specification loops and the blocked fast path.

Everything is 3-d: a 2-d convolution runs with a unit depth (D = KD = OD = 1, sd = dd = 1,
pf = 0) and a 1-d one with a unit depth and height, through the same loops and the same
operations in the same order.  Transposed convolution is the input gradient of convolution
and runs through `conv_bwd_input_*`.

Summation order (the specification; the fast path sums in exactly this order):

* forward: ``out[n,o,oz,oy,ox] = bias[o] + t(0) + t(1) + ...`` with the terms
  ``t = xpad[n, g*Cg+c, oz*sd-pf+kd*dd, oy*sh-pt+kh*dh, ox*sw-pl+kw*dw] * w[o,c,kd,kh,kw]`` taken
  in ascending (c, kd, kh, kw), left to right; padded positions are terms with the value 0; no
  bias: start at 0.
* input gradient (= transposed convolution): ``grad_input[n,c,iz,iy,ix] = bias[c] + s(k0) +
  s(k1) + ...`` over the taps (kd, kh, kw) that reach (iz, iy, ix), ascending, where each
  ``s = 0 + g[n,o0,oz,oy,ox]*w[o0,c,kd,kh,kw] + g[n,o1,...]*w[o1,...] + ...`` sums the output
  channels of the group in ascending order (bias only for the transposed convolution; else 0).
* weight gradient: ``grad_w[o,c,kd,kh,kw] = 0 + sum over n, oz, oy, ox ascending of
  g[n,o,oz,oy,ox] * xpad[n, g*Cg+c, oz*sd-pf+kd*dd, oy*sh-pt+kh*dh, ox*sw-pl+kw*dw]`` (padded
  terms included as 0).
* bias gradient: ``grad_b[o] = 0 + sum over n, oz, oy, ox ascending of g[n,o,oz,oy,ox]``.

A signal handler that raises (Ctrl-C) stops a convolution between tasks (_interrupt.pxd).
"""
from cython.parallel cimport parallel, prange, threadid
from libc.stdlib cimport free, malloc
from libc.string cimport memcpy, memset

from ._interrupt cimport refnn_interrupt, refnn_interrupt_finish, refnn_interrupt_init, refnn_stop

import numpy as np

ctypedef fused floating:
    float
    double

cdef extern from "gemm_pack.h" nogil:
    void refnn_gather6_f32(long n, const float *base, const long *off, const long *poff, float *dst)
    void refnn_gather8_f32(long n, const float *base, const long *off, const long *poff, float *dst)

cdef extern from "conv_ukernel.h" nogil:
    int REFNN_MR
    int REFNN_NR_F32
    int REFNN_NR_F64
    int refnn_conv_init(int max_level)
    void refnn_ukernel_f32(long kc, const float *A, const float *B, long ldb, const float *init, float *C, long ldc)
    void refnn_ukernel_f64(long kc, const double *A, const double *B, long ldb, const double *init, double *C, long ldc)
    void refnn_ukernel8_f32(long kc, const float *A, const float *B, long ldb, const float *init, float *C, long ldc)
    void refnn_ukernel8_f64(long kc, const double *A, const double *B, long ldb, const double *init, double *C, long ldc)
    int refnn_tile_rows(long rows)
    void refnn_rowkernel_f32(long kc, const float *a, const float *src, const long *koff, float init, float *C)
    void refnn_rowkernel_f64(long kc, const double *a, const double *src, const long *koff, double init, double *C)
    void refnn_pack_f32(long kc, const float *src, const long *koff, long f0, float *dst)
    void refnn_pack_f64(long kc, const double *src, const long *koff, long f0, double *dst)
    void refnn_pack2_f32(long kc, const float *src, const long *koff, long f1, long f2, long a, float *dst)
    void refnn_pack2_f64(long kc, const double *src, const long *koff, long f1, long f2, long a, double *dst)
    void refnn_rows_f32(long rows, const float *src, long ld, float *dst)
    void refnn_rows_f64(long rows, const double *src, long ld, double *dst)
    void refnn_addrow_f32(long n, float *dst, const float *src)
    void refnn_addrow_f64(long n, double *dst, const double *src)
    void *refnn_aligned_alloc(size_t bytes)

from refnn._C.buffers import empty as _empty
from refnn._isa import MAX_LEVEL, check_level


def _set_isa_level(int max_level):
    """Re-choose this module's micro-kernel build, up to max_level (refnn._isa.forced); the level chosen."""
    return refnn_conv_init(max_level)


USE_AVX2 = bool(check_level(refnn_conv_init(MAX_LEVEL), _set_isa_level))
DEF MR = 6
DEF ROW = 4          # vectors per row-kernel call
DEF KC = 256         # taps per K block of the forward (a 16 KiB B block: L1-resident)


# ============================================================== specification loops
def conv_fwd_spec(const floating[:, :, :, :, ::1] x, const floating[:, :, :, :, ::1] weight,
                  const floating[::1] bias, bint has_bias, floating[:, :, :, :, ::1] out,
                  int sd, int sh, int sw, int pf, int pt, int pl, int dd, int dh, int dw,
                  int groups, int num_threads):
    """out[n,o,oz,oy,ox] = bias[o] + sum_{c,kd,kh,kw asc} xpad[n,gCg+c,oz*sd-pf+kd*dd,oy*sh-pt+kh*dh,ox*sw-pl+kw*dw] * w[o,c,kd,kh,kw]."""
    cdef Py_ssize_t N = x.shape[0], D = x.shape[2], H = x.shape[3], W = x.shape[4]
    cdef Py_ssize_t O = weight.shape[0], Cg = weight.shape[1]
    cdef Py_ssize_t KD = weight.shape[2], KH = weight.shape[3], KW = weight.shape[4]
    cdef Py_ssize_t OD = out.shape[2], OH = out.shape[3], OW = out.shape[4], Og = O // groups
    cdef Py_ssize_t no, n, o, g, oz, oy, ox, c, kd, kh, kw, iz, iy, ix
    cdef floating acc, value
    cdef refnn_interrupt st
    refnn_interrupt_init(&st)
    for no in prange(N * O, nogil=True, num_threads=num_threads, schedule="static"):
        if refnn_stop(&st, threadid()):
            continue
        n = no // O
        o = no % O
        g = o // Og
        for oz in range(OD):
            for oy in range(OH):
                for ox in range(OW):
                    acc = bias[o] if has_bias else 0
                    for c in range(Cg):
                        for kd in range(KD):
                            for kh in range(KH):
                                for kw in range(KW):
                                    iz = oz * sd - pf + kd * dd
                                    iy = oy * sh - pt + kh * dh
                                    ix = ox * sw - pl + kw * dw
                                    value = 0
                                    if 0 <= iz < D and 0 <= iy < H and 0 <= ix < W:
                                        value = x[n, g * Cg + c, iz, iy, ix]
                                    acc = acc + value * weight[o, c, kd, kh, kw]
                    out[n, o, oz, oy, ox] = acc
    refnn_interrupt_finish(&st)


def conv_bwd_input_spec(const floating[:, :, :, :, ::1] grad_out, const floating[:, :, :, :, ::1] weight,
                        const floating[::1] bias, bint has_bias, floating[:, :, :, :, ::1] grad_input,
                        int sd, int sh, int sw, int pf, int pt, int pl, int dd, int dh, int dw,
                        int groups, int num_threads):
    """grad_input[n,c,iz,iy,ix] = bias[c] + sum_{kd,kh,kw asc} (sum_{o asc} g[n,o,oz,oy,ox] * w[o,c,kd,kh,kw]), oy*sh = iy+pt-kh*dh (likewise z, x)."""
    cdef Py_ssize_t N = grad_input.shape[0], C = grad_input.shape[1], D = grad_input.shape[2]
    cdef Py_ssize_t H = grad_input.shape[3], W = grad_input.shape[4], O = weight.shape[0], Cg = weight.shape[1]
    cdef Py_ssize_t KD = weight.shape[2], KH = weight.shape[3], KW = weight.shape[4]
    cdef Py_ssize_t OD = grad_out.shape[2], OH = grad_out.shape[3], OW = grad_out.shape[4]
    cdef Py_ssize_t Og = O // groups
    cdef Py_ssize_t nc, n, ci, g, c, iz, iy, ix, kd, kh, kw, tz, ty, tx, oz, oy, ox, o
    cdef floating acc, part
    cdef refnn_interrupt st
    refnn_interrupt_init(&st)
    for nc in prange(N * C, nogil=True, num_threads=num_threads, schedule="static"):
        if refnn_stop(&st, threadid()):
            continue
        n = nc // C
        ci = nc % C
        g = ci // Cg
        c = ci % Cg
        for iz in range(D):
            for iy in range(H):
                for ix in range(W):
                    acc = bias[ci] if has_bias else 0
                    for kd in range(KD):
                        tz = iz + pf - kd * dd
                        if tz < 0 or tz % sd != 0 or tz // sd >= OD:
                            continue
                        oz = tz // sd
                        for kh in range(KH):
                            ty = iy + pt - kh * dh
                            if ty < 0 or ty % sh != 0 or ty // sh >= OH:
                                continue
                            oy = ty // sh
                            for kw in range(KW):
                                tx = ix + pl - kw * dw
                                if tx < 0 or tx % sw != 0 or tx // sw >= OW:
                                    continue
                                ox = tx // sw
                                part = 0
                                for o in range(g * Og, g * Og + Og):
                                    part = part + grad_out[n, o, oz, oy, ox] * weight[o, c, kd, kh, kw]
                                acc = acc + part
                    grad_input[n, ci, iz, iy, ix] = acc
    refnn_interrupt_finish(&st)


def conv_bwd_weight_spec(const floating[:, :, :, :, ::1] x, const floating[:, :, :, :, ::1] grad_out,
                         floating[:, :, :, :, ::1] grad_weight,
                         int sd, int sh, int sw, int pf, int pt, int pl, int dd, int dh, int dw,
                         int groups, int num_threads):
    """grad_w[o,c,kd,kh,kw] = sum_{n,oz,oy,ox asc} g[n,o,oz,oy,ox] * xpad[n,gCg+c,oz*sd-pf+kd*dd,oy*sh-pt+kh*dh,ox*sw-pl+kw*dw]."""
    cdef Py_ssize_t N = x.shape[0], D = x.shape[2], H = x.shape[3], W = x.shape[4]
    cdef Py_ssize_t O = grad_weight.shape[0], Cg = grad_weight.shape[1]
    cdef Py_ssize_t KD = grad_weight.shape[2], KH = grad_weight.shape[3], KW = grad_weight.shape[4]
    cdef Py_ssize_t OD = grad_out.shape[2], OH = grad_out.shape[3], OW = grad_out.shape[4], Og = O // groups
    cdef Py_ssize_t oc, o, c, g, kd, kh, kw, n, oz, oy, ox, iz, iy, ix
    cdef floating acc, value
    cdef refnn_interrupt st
    refnn_interrupt_init(&st)
    for oc in prange(O * Cg, nogil=True, num_threads=num_threads, schedule="static"):
        if refnn_stop(&st, threadid()):
            continue
        o = oc // Cg
        c = oc % Cg
        g = o // Og
        for kd in range(KD):
            for kh in range(KH):
                for kw in range(KW):
                    acc = 0
                    for n in range(N):
                        for oz in range(OD):
                            for oy in range(OH):
                                for ox in range(OW):
                                    iz = oz * sd - pf + kd * dd
                                    iy = oy * sh - pt + kh * dh
                                    ix = ox * sw - pl + kw * dw
                                    value = 0
                                    if 0 <= iz < D and 0 <= iy < H and 0 <= ix < W:
                                        value = x[n, g * Cg + c, iz, iy, ix]
                                    acc = acc + grad_out[n, o, oz, oy, ox] * value
                    grad_weight[o, c, kd, kh, kw] = acc
    refnn_interrupt_finish(&st)


def conv_bwd_bias(const floating[:, :, ::1] grad_out, floating[::1] grad_bias, int num_threads):
    """grad_bias[o] = sum_{n, p asc} grad_out[n, o, p] (p the flattened output position).

    Eight channels' sums advance together (eight independent chains, each still one running sum in
    ascending (n, p)): one chain alone waits out the adder's latency on every term."""
    cdef Py_ssize_t N = grad_out.shape[0], O = grad_out.shape[1], P = grad_out.shape[2]
    cdef Py_ssize_t ob, o, o0, n, p, i
    cdef floating acc, a0, a1, a2, a3, a4, a5, a6, a7
    cdef const floating *r
    if N == 0 or P == 0:
        for o in range(O):
            grad_bias[o] = 0
        return
    for ob in prange((O + 7) // 8, nogil=True, num_threads=num_threads, schedule="static"):
        o0 = ob * 8
        if o0 + 8 <= O:
            a0 = 0
            a1 = 0
            a2 = 0
            a3 = 0
            a4 = 0
            a5 = 0
            a6 = 0
            a7 = 0
            for n in range(N):
                r = &grad_out[n, o0, 0]
                for p in range(P):
                    a0 = a0 + r[p]
                    a1 = a1 + r[P + p]
                    a2 = a2 + r[2 * P + p]
                    a3 = a3 + r[3 * P + p]
                    a4 = a4 + r[4 * P + p]
                    a5 = a5 + r[5 * P + p]
                    a6 = a6 + r[6 * P + p]
                    a7 = a7 + r[7 * P + p]
            grad_bias[o0] = a0
            grad_bias[o0 + 1] = a1
            grad_bias[o0 + 2] = a2
            grad_bias[o0 + 3] = a3
            grad_bias[o0 + 4] = a4
            grad_bias[o0 + 5] = a5
            grad_bias[o0 + 6] = a6
            grad_bias[o0 + 7] = a7
        else:
            for i in range(O - o0):
                acc = 0
                for n in range(N):
                    r = &grad_out[n, o0 + i, 0]
                    for p in range(P):
                        acc = acc + r[p]
                grad_bias[o0 + i] = acc


# ============================================================== fast path
# The padded input is rearranged once into "phase planes": for stride (sd, sh, sw) the padded
# volume splits into sd*sh*sw sub-volumes xs[c, phd, phr, phc, z, r, q] = xpad[c, z*sd+phd,
# r*sh+phr, q*sw+phc].  In them every kernel tap (c, kd, kh, kw) is a plain shift: the input of
# output (oz, oy, ox) is plane(c, kd*dd % sd, kh*dh % sh, kw*dw % sw)[oz + kd*dd//sd,
# oy + kh*dh//sh, ox + kw*dw//sw].  Flattening a plane of Z slices of R rows of length Q,
# output f = (oz*R + oy)*Q + ox reads plane[koff[k] + f]: one contiguous run per tap.
# Positions with oy >= OH or ox >= OW in that flat range are junk (computed, never stored).
# A 2-d convolution is the case Z = OD = KD = 1 (and 1-d adds R = OH = KH = 1).

def phase_geometry(Py_ssize_t OD, Py_ssize_t OH, Py_ssize_t OW, Py_ssize_t KD, Py_ssize_t KH,
                   Py_ssize_t KW, int sd, int sh, int sw, int dd, int dh, int dw, Py_ssize_t slack):
    """(Z, R, Q, plane): plane slices/rows/row length and the elements per plane, with `slack` to spare."""
    cdef Py_ssize_t Dp = (OD - 1) * sd + (KD - 1) * dd + 1
    cdef Py_ssize_t Hp = (OH - 1) * sh + (KH - 1) * dh + 1
    cdef Py_ssize_t Wp = (OW - 1) * sw + (KW - 1) * dw + 1
    cdef Py_ssize_t Z = (Dp + sd - 1) // sd, R = (Hp + sh - 1) // sh, Q = (Wp + sw - 1) // sw
    cdef Py_ssize_t shift = ((KD - 1) * dd // sd) * R * Q + ((KH - 1) * dh // sh) * Q + (KW - 1) * dw // sw
    cdef Py_ssize_t plane = max(Z * R * Q, shift + (OD - 1) * R * Q + OH * Q + slack)
    return Z, R, Q, plane


def phase_split(const floating[:, :, :, :, ::1] x, floating[:, :, ::1] xs, Py_ssize_t Z, Py_ssize_t R,
                Py_ssize_t Q, int sd, int sh, int sw, int pf, int pt, int pl, int num_threads):
    """xs[n, ((c*sd+phd)*sh+phr)*sw+phc, (z*R+r)*Q+q] = xpad[n, c, z*sd+phd-pf, r*sh+phr-pt, q*sw+phc-pl]
    (0 in the padding and the slack)."""
    cdef Py_ssize_t N = x.shape[0], C = x.shape[1], D = x.shape[2], H = x.shape[3], W = x.shape[4]
    cdef Py_ssize_t plane = xs.shape[2]
    cdef Py_ssize_t nc, n, c, phd, phr, phc, z, r, q, iz, iy, ix, q_lo, q_hi
    cdef floating *dst
    cdef floating *row
    for nc in prange(N * C, nogil=True, num_threads=num_threads, schedule="static"):
        n = nc // C
        c = nc % C
        for phd in range(sd):
            for phr in range(sh):
                for phc in range(sw):
                    dst = &xs[n, ((c * sd + phd) * sh + phr) * sw + phc, 0]
                    # ix = q*sw + phc - pl in [0, W)  <=>  q in [q_lo, q_hi)
                    q_lo = (pl - phc + sw - 1) // sw if pl > phc else 0
                    q_hi = (W - 1 + pl - phc) // sw + 1 if W - 1 + pl - phc >= 0 else 0
                    if q_hi > Q:
                        q_hi = Q
                    if q_lo > q_hi:
                        q_lo = q_hi
                    for z in range(Z):
                        iz = z * sd + phd - pf
                        for r in range(R):
                            row = dst + (z * R + r) * Q
                            iy = r * sh + phr - pt
                            if iz < 0 or iz >= D or iy < 0 or iy >= H:
                                memset(row, 0, Q * sizeof(floating))
                                continue
                            memset(row, 0, q_lo * sizeof(floating))
                            if sw == 1:
                                memcpy(row + q_lo, &x[n, c, iz, iy, q_lo + phc - pl],
                                       (q_hi - q_lo) * sizeof(floating))
                            else:
                                for q in range(q_lo, q_hi):
                                    ix = q * sw + phc - pl
                                    row[q] = x[n, c, iz, iy, ix]
                            memset(row + q_hi, 0, (Q - q_hi) * sizeof(floating))
                    memset(dst + Z * R * Q, 0, (plane - Z * R * Q) * sizeof(floating))


cdef inline void _ukernel(long kc, const floating *A, const floating *B, long ldb,
                          floating *C, long ldc, const floating *init=NULL) noexcept nogil:
    if floating is float:
        refnn_ukernel_f32(kc, A, B, ldb, init, C, ldc)
    else:
        refnn_ukernel_f64(kc, A, B, ldb, init, C, ldc)


cdef inline void _ukernel_rows(int mr, long kc, const floating *A, const floating *B, long ldb,
                               floating *C, long ldc, const floating *init) noexcept nogil:
    """_ukernel for a tile of mr = 6 or 8 rows."""
    if mr == 8:
        if floating is float:
            refnn_ukernel8_f32(kc, A, B, ldb, init, C, ldc)
        else:
            refnn_ukernel8_f64(kc, A, B, ldb, init, C, ldc)
    else:
        _ukernel(kc, A, B, ldb, C, ldc, init)


def tile_rows(Py_ssize_t rows):
    """Rows per register tile of the forward for `rows` output channels per group (8 or 6, by build)."""
    return refnn_tile_rows(rows)


cdef inline void _addrow(long n, floating *dst, const floating *src) noexcept nogil:
    if floating is float:
        refnn_addrow_f32(n, dst, src)
    else:
        refnn_addrow_f64(n, dst, src)


cdef inline void _rowkernel(long kc, const floating *a, const floating *src, const long *koff,
                            floating init, floating *C) noexcept nogil:
    if floating is float:
        refnn_rowkernel_f32(kc, a, src, koff, init, C)
    else:
        refnn_rowkernel_f64(kc, a, src, koff, init, C)


def tap_offsets(Py_ssize_t Cg, Py_ssize_t KD, Py_ssize_t KH, Py_ssize_t KW, int sd, int sh, int sw,
                int dd, int dh, int dw, Py_ssize_t R, Py_ssize_t Q, Py_ssize_t plane):
    """koff[k] for k = (c, kd, kh, kw): where tap k's run starts in the group's phase planes."""
    koff = np.empty(Cg * KD * KH * KW, dtype=np.int64)
    cdef long[::1] view = koff
    cdef Py_ssize_t c, kd, kh, kw, k = 0
    for c in range(Cg):
        for kd in range(KD):
            for kh in range(KH):
                for kw in range(KW):
                    view[k] = ((((c * sd + (kd * dd) % sd) * sh + (kh * dh) % sh) * sw + (kw * dw) % sw) * plane
                               + ((kd * dd) // sd) * R * Q + ((kh * dh) // sh) * Q + (kw * dw) // sw)
                    k += 1
    return koff


def pack_weight_rows(const floating[:, ::1] w2, Py_ssize_t groups, Py_ssize_t mr=MR):
    """wpack[g, op, k, i] = w2[g*Og + op*mr + i, k] (zero rows past Og): the A panels of the forward, mr rows each."""
    cdef Py_ssize_t O = w2.shape[0], K = w2.shape[1], Og = O // groups
    cdef Py_ssize_t nop = (Og + mr - 1) // mr
    dtype = np.float32 if floating is float else np.float64
    pack = np.zeros((groups, nop, K, mr), dtype=dtype)
    cdef floating[:, :, :, ::1] view = pack
    cdef Py_ssize_t g, op, k, i, o
    for g in range(groups):
        for op in range(nop):
            for i in range(mr):
                o = op * mr + i
                if o < Og:
                    for k in range(K):
                        view[g, op, k, i] = w2[g * Og + o, k]
    return pack


cdef inline Py_ssize_t _store_offsets(Py_ssize_t f0, Py_ssize_t width, Py_ssize_t Q, Py_ssize_t R,
                                     Py_ssize_t OD, Py_ssize_t OH, Py_ssize_t OW, long *dst) noexcept nogil:
    """dst[j] = (oz*OH + oy)*OW + ox of flat position f0 + j = (oz*R + oy)*Q + ox, or -1 for junk;
    returns the valid count."""
    cdef Py_ssize_t oz = f0 // (R * Q), oy = (f0 // Q) % R, ox = f0 % Q, j, valid = 0
    for j in range(width):
        if oz < OD and oy < OH and ox < OW:
            dst[j] = (oz * OH + oy) * OW + ox
            valid += 1
        else:
            dst[j] = -1
        ox += 1
        if ox == Q:
            ox = 0
            oy += 1
            if oy == R:
                oy = 0
                oz += 1
    return valid


def conv_fwd_fast(const floating[:, :, ::1] xs, const floating[:, :, :, ::1] wpack,
                  const floating[:, ::1] w2, const long[::1] koff,
                  const floating[::1] bias, bint has_bias, floating[:, :, :, :, ::1] out,
                  Py_ssize_t R, Py_ssize_t Q, Py_ssize_t Cplanes, int groups, int num_threads):
    """out = the forward of conv_fwd_spec, as mr x NR register tiles over phase-split input (mr = wpack.shape[3],
    6 or 8 rows).

    Output rows of at least NR positions: the column panels are NR consecutive output positions (a panel
    that crosses a row's end gathers from two runs of the planes), so no column is computed that is not
    stored.  Shorter rows: panels of NR consecutive flat plane positions, junk columns included."""
    cdef Py_ssize_t N = out.shape[0], O = out.shape[1], OD = out.shape[2], OH = out.shape[3], OW = out.shape[4]
    cdef Py_ssize_t OP = OD * OH * OW
    cdef Py_ssize_t K = koff.shape[0], Og = O // groups, nop = wpack.shape[1]
    cdef int mr = <int> wpack.shape[3]
    cdef Py_ssize_t NR = 16 if floating is float else 8
    cdef Py_ssize_t F = (OD - 1) * R * Q + OH * Q
    cdef bint dense = OW >= NR
    cdef Py_ssize_t npanels = (OP + NR - 1) // NR if dense else (F + NR - 1) // NR
    cdef Py_ssize_t v0, m, a, f1, f2
    cdef Py_ssize_t rowwidth = ROW * (32 // sizeof(floating))
    cdef Py_ssize_t nrows = (F + rowwidth - 1) // rowwidth
    cdef Py_ssize_t t, n, g, j, f0, k, op, i, jj, mv, o, nvalid, oz, oy, x0, k0, kc
    cdef bint contiguous
    cdef long *dst
    cdef floating *obase
    cdef floating *inits
    cdef floating *tinit
    cdef floating *ctiles
    cdef floating *bpack
    cdef floating *ctile
    cdef const floating *src
    cdef floating b
    cdef refnn_interrupt st
    if N == 0 or O == 0 or OD == 0 or OH == 0 or OW == 0:
        return
    refnn_interrupt_init(&st)
    if Og < 3:
        # few output channels per group: output rows in chunks of rowwidth columns, one
        # channel per task, taps read in place from the phase planes
        with nogil, parallel(num_threads=num_threads):
            ctile = <floating *> refnn_aligned_alloc(rowwidth * sizeof(floating))
            for t in prange(N * O * OD * OH, schedule="static"):
                if refnn_stop(&st, threadid()):
                    continue
                n = t // (O * OD * OH)
                o = (t // (OD * OH)) % O
                oz = (t // OH) % OD
                oy = t % OH
                g = o // Og
                b = bias[o] if has_bias else 0
                src = &xs[n, g * Cplanes, 0]
                obase = &out[n, o, oz, oy, 0]
                for j in range((OW + rowwidth - 1) // rowwidth):
                    x0 = j * rowwidth
                    _rowkernel(K, &w2[o, 0], src + (oz * R + oy) * Q + x0, &koff[0], b, ctile)
                    mv = OW - x0
                    if mv > rowwidth:
                        mv = rowwidth
                    memcpy(obase + x0, ctile, mv * sizeof(floating))
            free(ctile)
        refnn_interrupt_finish(&st)
        return
    with nogil, parallel(num_threads=num_threads):
        bpack = <floating *> refnn_aligned_alloc((K * NR + 1) * sizeof(floating))
        ctiles = <floating *> refnn_aligned_alloc(nop * mr * NR * sizeof(floating))
        inits = <floating *> refnn_aligned_alloc(nop * mr * sizeof(floating))
        dst = <long *> refnn_aligned_alloc(NR * sizeof(long))
        for t in prange(N * groups * npanels, schedule="static"):
            if refnn_stop(&st, threadid()):
                continue
            n = t // (groups * npanels)
            g = (t // npanels) % groups
            j = t % npanels
            src = &xs[n, g * Cplanes, 0]
            if dense:
                # output positions v0 .. v0+m-1; flat plane position of v: ((oz*R + oy)*Q + ox
                v0 = j * NR
                m = OP - v0
                if m > NR:
                    m = NR
                f1 = (v0 // (OH * OW) * R + v0 // OW % OH) * Q + v0 % OW
                if m == NR:
                    a = OW - v0 % OW          # positions left in v0's row (NR <= OW: one row break at most)
                    if a >= NR:
                        if floating is float:
                            refnn_pack_f32(K, src, &koff[0], f1, bpack)
                        else:
                            refnn_pack_f64(K, src, &koff[0], f1, bpack)
                    else:
                        f2 = ((v0 + a) // (OH * OW) * R + (v0 + a) // OW % OH) * Q + (v0 + a) % OW - a
                        if floating is float:
                            refnn_pack2_f32(K, src, &koff[0], f1, f2, a, bpack)
                        else:
                            refnn_pack2_f64(K, src, &koff[0], f1, f2, a, bpack)
                else:
                    # the last, partial panel: element by element, zero columns past the end
                    for jj in range(NR):
                        dst[jj] = ((v0 + jj) // (OH * OW) * R + (v0 + jj) // OW % OH) * Q + (v0 + jj) % OW
                    for k in range(K):
                        for jj in range(NR):
                            bpack[k * NR + jj] = src[koff[k] + dst[jj]] if jj < m else 0
                for jj in range(NR):
                    dst[jj] = v0 + jj if jj < m else -1
                nvalid = m
                contiguous = m == NR
            else:
                f0 = j * NR
                if floating is float:
                    refnn_pack_f32(K, src, &koff[0], f0, bpack)
                else:
                    refnn_pack_f64(K, src, &koff[0], f0, bpack)
                nvalid = _store_offsets(f0, NR, Q, R, OD, OH, OW, dst)
                contiguous = nvalid == NR and dst[NR - 1] - dst[0] == NR - 1
            for i in range(nop * mr):
                inits[i] = 0
                if has_bias and i < Og:
                    inits[i] = bias[g * Og + i]
            # K in blocks of KC taps (the B panel's block stays in L1 while every A panel passes over
            # it): a tile's sums are stored after one block and loaded again for the next, so each
            # output still adds its terms one after the other in ascending k
            for k0 in range(0, K, KC):
                kc = K - k0
                if kc > KC:
                    kc = KC
                for op in range(nop):
                    mv = Og - op * mr
                    if mv > mr:
                        mv = mr
                    tinit = inits + op * mr if k0 == 0 else NULL
                    if contiguous and mv == mr:
                        # the whole tile lies in one output row: accumulate straight into the output
                        _ukernel_rows(mr, kc, &wpack[g, op, k0, 0], bpack + k0 * NR, NR,
                                      &out[n, g * Og + op * mr, 0, 0, 0] + dst[0], OP, tinit)
                    else:
                        _ukernel_rows(mr, kc, &wpack[g, op, k0, 0], bpack + k0 * NR, NR, ctiles + op * mr * NR,
                                      NR, tinit)
            for op in range(nop):
                mv = Og - op * mr
                if mv > mr:
                    mv = mr
                if contiguous and mv == mr:
                    continue
                obase = &out[n, g * Og + op * mr, 0, 0, 0]
                ctile = ctiles + op * mr * NR
                for i in range(mv):
                    if contiguous:
                        memcpy(obase + i * OP + dst[0], ctile + i * NR, NR * sizeof(floating))
                    else:
                        for jj in range(NR):
                            if dst[jj] >= 0:
                                obase[i * OP + dst[jj]] = ctile[i * NR + jj]
        free(bpack)
        free(ctiles)
        free(inits)
        free(dst)
    refnn_interrupt_finish(&st)


def conv_bwd_weight_fast(const floating[:, :, ::1] xs, const floating[:, :, :, :, ::1] grad_out,
                         const long[::1] koff, floating[:, ::1] grad_w2,
                         Py_ssize_t R, Py_ssize_t Q, Py_ssize_t Cplanes, int groups, int num_threads):
    """grad_w2[o, k] = the weight gradient of conv_bwd_weight_spec, as (mr taps) x (NR channels) tiles (mr = 8
    under the AVX-512 build where 8-tap panels waste no more rows, else 6: refnn_tile_rows)."""
    cdef Py_ssize_t N = grad_out.shape[0], O = grad_out.shape[1], OD = grad_out.shape[2]
    cdef Py_ssize_t OH = grad_out.shape[3], OW = grad_out.shape[4]
    cdef Py_ssize_t P = OD * OH * OW, K = koff.shape[0], Og = O // groups
    cdef Py_ssize_t NR = 16 if floating is float else 8
    cdef int mr = refnn_tile_rows(K)
    cdef Py_ssize_t nkp = (K + mr - 1) // mr, nop = (Og + NR - 1) // NR
    cdef Py_ssize_t PC = 128
    cdef Py_ssize_t KPB = 16                    # k-panels per task (reuse of the gradient chunk), at most
    cdef Py_ssize_t nkb = (nkp + KPB - 1) // KPB
    if num_threads > 1 and groups * nkb % num_threads != 0 and nkp >= num_threads:
        # tasks of equal size, a multiple of the thread count (9 tasks on 2 threads ran as 5 + 4)
        nkb = (groups * nkb + num_threads - 1) // num_threads * num_threads // groups
        if nkb < 1:
            nkb = 1
    KPB = (nkp + nkb - 1) // nkb
    nkb = (nkp + KPB - 1) // KPB
    dtype = np.float32 if floating is float else np.float64
    # gt[n, g, op, p, j] = grad_out[n, g*Og + op*NR + j, p] (0 past Og): the B panels, each NR channels of a
    # chunk of positions contiguous (no cache-set conflicts, streams the prefetcher follows)
    gt_flat = _empty(N * groups * nop * P * NR, dtype=dtype)
    cdef floating[::1] gtw = gt_flat
    cdef Py_ssize_t t, g, kb, kp0, nk, n, pb, p0, pc, b, i, k, pp, op, jj, o
    cdef Py_ssize_t pbl, pe
    cdef floating *gdst
    cdef const floating *gsrc
    if N * P > 0 and Og > 0:
        for t in prange(N * groups * nop, nogil=True, num_threads=num_threads, schedule="static"):
            n = t // (groups * nop)
            g = (t // nop) % groups
            op = t % nop
            gdst = &gtw[t * P * NR]
            for pbl in range(0, P, 64):      # 64 positions (4 KiB of panel) at a time: the block stays in L1
                pe = pbl + 64
                if pe > P:
                    pe = P
                for jj in range(NR):
                    o = op * NR + jj
                    if o < Og:
                        gsrc = &grad_out[n, g * Og + o, 0, 0, 0]
                        for pp in range(pbl, pe):
                            gdst[pp * NR + jj] = gsrc[pp]
                    else:
                        for pp in range(pbl, pe):
                            gdst[pp * NR + jj] = 0
    cdef const floating[::1] gt = gt_flat
    poff_arr = (np.arange(OD, dtype=np.int64)[:, None, None] * (R * Q)
                + np.arange(OH, dtype=np.int64)[None, :, None] * Q
                + np.arange(OW, dtype=np.int64)[None, None, :]).ravel()
    cdef const long[::1] poff = poff_arr
    cdef Py_ssize_t k0, k1, k2, k3, k4, k5
    cdef floating *apack
    cdef floating *dstp
    cdef floating *ctiles
    cdef const floating *src
    cdef const floating *base
    cdef refnn_interrupt st
    grad_w2[:, :] = 0
    if K == 0 or O == 0:
        return
    refnn_interrupt_init(&st)
    with nogil, parallel(num_threads=num_threads):
        apack = <floating *> refnn_aligned_alloc(KPB * PC * mr * sizeof(floating))
        ctiles = <floating *> refnn_aligned_alloc(KPB * nop * mr * NR * sizeof(floating))
        for t in prange(groups * nkb, schedule="static"):
            g = t // nkb
            kb = t % nkb
            kp0 = kb * KPB
            nk = nkp - kp0
            if nk > KPB:
                nk = KPB
            memset(ctiles, 0, KPB * nop * mr * NR * sizeof(floating))
            for n in range(N):
                src = &xs[n, g * Cplanes, 0]
                for pb in range((P + PC - 1) // PC):
                    if refnn_stop(&st, threadid()):
                        break
                    p0 = pb * PC
                    pc = P - p0
                    if pc > PC:
                        pc = PC
                    for b in range(nk):
                        k = (kp0 + b) * mr
                        if floating is float and k + mr <= K and mr == 8:
                            refnn_gather8_f32(pc, src, &koff[k], &poff[p0], apack + b * PC * mr)
                        elif floating is float and k + mr <= K:
                            refnn_gather6_f32(pc, src, &koff[k], &poff[p0], apack + b * PC * mr)
                        elif k + mr <= K and mr == 6:
                            k0 = koff[k]
                            k1 = koff[k + 1]
                            k2 = koff[k + 2]
                            k3 = koff[k + 3]
                            k4 = koff[k + 4]
                            k5 = koff[k + 5]
                            for pp in range(pc):
                                base = src + poff[p0 + pp]
                                dstp = apack + (b * PC + pp) * mr
                                dstp[0] = base[k0]
                                dstp[1] = base[k1]
                                dstp[2] = base[k2]
                                dstp[3] = base[k3]
                                dstp[4] = base[k4]
                                dstp[5] = base[k5]
                        else:
                            for i in range(mr):
                                k = (kp0 + b) * mr + i
                                if k < K:
                                    for pp in range(pc):
                                        apack[(b * PC + pp) * mr + i] = src[koff[k] + poff[p0 + pp]]
                                else:
                                    for pp in range(pc):
                                        apack[(b * PC + pp) * mr + i] = 0
                    # each A panel (3 or 4 KiB) serves every channel panel while it is in L1; the channel panels
                    # (NR channels of the chunk, 8 KiB each) stay in L1 across the A panels
                    for b in range(nk):
                        for op in range(nop):
                            _ukernel_rows(mr, pc, apack + b * PC * mr,
                                          &gt[(((n * groups + g) * nop + op) * P + p0) * NR], NR,
                                          ctiles + (b * nop + op) * mr * NR, NR, NULL)
            for b in range(nk):
                for op in range(nop):
                    for i in range(mr):
                        k = (kp0 + b) * mr + i
                        if k >= K:
                            break
                        for jj in range(NR):
                            o = op * NR + jj
                            if o < Og:
                                grad_w2[g * Og + o, k] = ctiles[((b * nop + op) * mr + i) * NR + jj]
        free(apack)
        free(ctiles)
    refnn_interrupt_finish(&st)


def pack_weight_cols(const floating[:, ::1] w2, Py_ssize_t groups, Py_ssize_t rows_per_chunk,
                     Py_ssize_t nchunks):
    """wtpack[g, chunk, kp, o, i] = w2[g*Og + o, chunk*rows + kp*MR + i]: the A panels of the input gradient."""
    cdef Py_ssize_t O = w2.shape[0], K = w2.shape[1], Og = O // groups
    cdef Py_ssize_t nkp = (rows_per_chunk + MR - 1) // MR
    dtype = np.float32 if floating is float else np.float64
    pack = np.zeros((groups, nchunks, nkp, Og, MR), dtype=dtype)
    cdef floating[:, :, :, :, ::1] view = pack
    cdef Py_ssize_t g, ch, kp, o, i, r, k
    for g in range(groups):
        for ch in range(nchunks):
            for kp in range(nkp):
                for i in range(MR):
                    r = kp * MR + i
                    k = ch * rows_per_chunk + r
                    if r < rows_per_chunk and k < K:
                        for o in range(Og):
                            view[g, ch, kp, o, i] = w2[g * Og + o, k]
    return pack


def conv_bwd_input_fast(const floating[:, :, :, :, ::1] grad_out, const floating[:, :, :, :, ::1] wtpack,
                        const floating[::1] bias, bint has_bias, floating[:, :, :, :, ::1] grad_input,
                        Py_ssize_t KD, Py_ssize_t KH, Py_ssize_t KW, Py_ssize_t channels_per_chunk,
                        int sd, int sh, int sw, int pf, int pt, int pl, int dd, int dh, int dw,
                        int groups, int num_threads, Py_ssize_t panels_per_block=1 << 30):
    """grad_input of conv_bwd_input_spec: per output depth slice (last first) and per block of panels_per_block
    column panels (last first), columns = W^T G by 6 x NR tiles, then col2im in (kd, kh, kw) order."""
    cdef Py_ssize_t N = grad_input.shape[0], C = grad_input.shape[1], D = grad_input.shape[2]
    cdef Py_ssize_t H = grad_input.shape[3], W = grad_input.shape[4], O = grad_out.shape[1]
    cdef Py_ssize_t OD = grad_out.shape[2], OH = grad_out.shape[3], OW = grad_out.shape[4]
    cdef Py_ssize_t P = OH * OW, Og = O // groups, Cg = C // groups     # P: positions per depth slice
    cdef Py_ssize_t NR = 16 if floating is float else 8
    cdef Py_ssize_t KK = KD * KH * KW, nchunks = wtpack.shape[1], nkp = wtpack.shape[2]
    cdef Py_ssize_t npanels = (P + NR - 1) // NR
    cdef Py_ssize_t t, n, g, ch, j, kp, o, jj, cl, c, kd, kh, kw, oz, oy, ox, iz, iy, ox_lo, ox_hi, off, ozr, m
    cdef Py_ssize_t bp = max(1, min(panels_per_block, npanels)), nblk = (npanels + bp - 1) // bp, BW = bp * NR
    cdef Py_ssize_t blkr, j0, j1, pa, pb, oy0, oy1, xa, xb
    cdef floating *col
    cdef floating *zeros
    cdef floating *plane
    cdef floating *pdst
    cdef const floating *row
    cdef const floating *bptr
    cdef const floating *gsrc
    cdef floating b
    cdef refnn_interrupt st
    if N == 0 or C == 0:
        return
    dtype = np.float32 if floating is float else np.float64
    # gp[n, g, oz, j, o, jj] = grad_out[n, g*Og + o, oz, j*NR + jj] (0 past P): the B panels, made once and
    # read by every chunk's tasks (each panel's Og rows contiguous: in place they lie OD*P apart, often a
    # multiple of 4 KiB, the same L1 sets for every row)
    gp_flat = _empty(max(N * groups * OD * npanels * Og * NR, 1), dtype=dtype)
    cdef floating[::1] gpw = gp_flat
    if Og > 0:
        for t in prange(N * groups * OD, nogil=True, num_threads=num_threads, schedule="static"):
            n = t // (groups * OD)
            g = (t // OD) % groups
            oz = t % OD
            pdst = &gpw[t * npanels * Og * NR]
            for o in range(Og):
                gsrc = &grad_out[n, g * Og + o, oz, 0, 0]
                for j in range(npanels):
                    m = P - j * NR
                    if m >= NR:
                        memcpy(pdst + (j * Og + o) * NR, gsrc + j * NR, NR * sizeof(floating))
                    else:
                        memcpy(pdst + (j * Og + o) * NR, gsrc + j * NR, m * sizeof(floating))
                        memset(pdst + (j * Og + o) * NR + m, 0, (NR - m) * sizeof(floating))
    cdef const floating[::1] gp = gp_flat
    refnn_interrupt_init(&st)
    with nogil, parallel(num_threads=num_threads):
        col = <floating *> refnn_aligned_alloc(nkp * MR * BW * sizeof(floating))
        zeros = <floating *> refnn_aligned_alloc(MR * sizeof(floating))
        memset(zeros, 0, MR * sizeof(floating))
        for t in prange(N * groups * nchunks, schedule="static"):
            if refnn_stop(&st, threadid()):
                continue
            n = t // (groups * nchunks)
            g = (t // nchunks) % groups
            ch = t % nchunks
            for cl in range(channels_per_chunk):
                c = ch * channels_per_chunk + cl
                if c >= Cg:
                    break
                plane = &grad_input[n, g * Cg + c, 0, 0, 0]
                b = bias[g * Cg + c] if has_bias else 0
                for off in range(D * H * W):
                    plane[off] = b
            # one output depth slice at a time, the last first: an input element then meets the taps that
            # reach it in ascending (kd, kh, kw) order (a lower slice reaches it through a larger kd), the
            # specification's order, and the slice's columns stay in cache
            # one output depth slice at a time, the last first: an input element then meets the taps that
            # reach it in ascending (kd, kh, kw) order (a lower slice reaches it through a larger kd), the
            # specification's order.  Within a slice, blocks of positions the last first: the taps (kh, kw)
            # that reach one input element ascend exactly as their output position oy*OW + ox descends, so
            # a block's taps all come before those of the blocks before it.  A block's columns stay in L2.
            for ozr in range(OD):
                oz = OD - 1 - ozr
                for blkr in range(nblk):
                    j0 = (nblk - 1 - blkr) * bp
                    j1 = j0 + bp
                    if j1 > npanels:
                        j1 = npanels
                    pa = j0 * NR
                    pb = j1 * NR
                    if pb > P:
                        pb = P
                    if Og == 0:
                        memset(col, 0, nkp * MR * BW * sizeof(floating))
                    else:
                        # every column of every row is written: each tile starts from 0
                        for j in range(j0, j1):
                            bptr = &gp[(((n * groups + g) * OD + oz) * npanels + j) * Og * NR]
                            for kp in range(nkp):
                                _ukernel(Og, &wtpack[g, ch, kp, 0, 0], bptr, NR, col + kp * MR * BW + (j - j0) * NR,
                                         BW, zeros)
                    oy0 = pa // OW
                    oy1 = (pb - 1) // OW + 1
                    if oy1 > OH:
                        oy1 = OH
                    for cl in range(channels_per_chunk):
                        c = ch * channels_per_chunk + cl
                        if c >= Cg:
                            break
                        plane = &grad_input[n, g * Cg + c, 0, 0, 0]
                        for kd in range(KD):
                            iz = oz * sd - pf + kd * dd
                            if iz < 0 or iz >= D:
                                continue
                            for kh in range(KH):
                                for kw in range(KW):
                                    # row[p - pa]: the column of output position p (pa <= p < pb)
                                    row = col + (cl * KK + (kd * KH + kh) * KW + kw) * BW
                                    # ix = ox*sw - pl + kw*dw in [0, W)
                                    off = pl - kw * dw
                                    ox_lo = (off + sw - 1) // sw if off > 0 else 0
                                    ox_hi = (W - 1 + off) // sw + 1 if W - 1 + off >= 0 else 0
                                    if ox_hi > OW:
                                        ox_hi = OW
                                    for oy in range(oy0, oy1):
                                        iy = oy * sh - pt + kh * dh
                                        if iy < 0 or iy >= H:
                                            continue
                                        xa = ox_lo
                                        if xa < pa - oy * OW:
                                            xa = pa - oy * OW
                                        xb = ox_hi
                                        if xb > pb - oy * OW:
                                            xb = pb - oy * OW
                                        if xb <= xa:
                                            continue
                                        if sw == 1:
                                            _addrow(xb - xa, plane + (iz * H + iy) * W + xa - off,
                                                    row + oy * OW + xa - pa)
                                        else:
                                            for ox in range(xa, xb):
                                                plane[(iz * H + iy) * W + ox * sw - off] = (
                                                    plane[(iz * H + iy) * W + ox * sw - off]
                                                    + row[oy * OW + ox - pa])
        free(col)
        free(zeros)
    refnn_interrupt_finish(&st)
