# Legend: N batch, C channels, H/W the image's height and width, K (KH, KW) kernel, S stride, P padding,
#         D dilation, O (OH, OW) the grid of sliding blocks (L = OH * OW columns).
"""Unfold (im2col) and fold (col2im): each the other's gradient.

unfold copies; fold sums.  Summation order of fold: each image element (h, w) adds the column entries of
the blocks that cover it, kernel row ki ascending, then kernel column kj ascending, starting from +0.0
(torch's CPU col2im accumulates in the same order, ki outer, kj inner).  Each image element is summed by
one thread, so the result does not depend on the thread count.
"""
from cython.parallel cimport prange

ctypedef fused floating:
    float
    double


def unfold_fwd(const floating[:, :, :, ::1] x, floating[:, :, ::1] columns, Py_ssize_t KH, Py_ssize_t KW,
               Py_ssize_t DH, Py_ssize_t DW, Py_ssize_t PH, Py_ssize_t PW, Py_ssize_t SH, Py_ssize_t SW,
               Py_ssize_t OH, Py_ssize_t OW, int num_threads):
    """columns[n, (c * KH + ki) * KW + kj, oh * OW + ow] = x[n, c, oh*SH - PH + ki*DH, ow*SW - PW + kj*DW] (0 outside)."""
    cdef Py_ssize_t N = x.shape[0], C = x.shape[1], H = x.shape[2], W = x.shape[3]
    cdef Py_ssize_t row, n, c, ki, kj, oh, ow, h, w
    cdef floating* dst
    for row in prange(N * C * KH * KW, nogil=True, num_threads=num_threads, schedule="static"):
        n = row // (C * KH * KW)
        c = (row // (KH * KW)) % C
        ki = (row // KW) % KH
        kj = row % KW
        dst = &columns[n, row % (C * KH * KW), 0]
        for oh in range(OH):
            h = oh * SH - PH + ki * DH
            for ow in range(OW):
                w = ow * SW - PW + kj * DW
                if 0 <= h < H and 0 <= w < W:
                    dst[oh * OW + ow] = x[n, c, h, w]
                else:
                    dst[oh * OW + ow] = 0


def block_index(Py_ssize_t size, Py_ssize_t K, Py_ssize_t D, Py_ssize_t P, Py_ssize_t S, Py_ssize_t O,
                Py_ssize_t[::1] table):
    """table[i * K + k] = the block o whose tap k lands on image index i (o * S - P + k * D == i), or -1."""
    cdef Py_ssize_t i, k, t
    for i in range(size):
        for k in range(K):
            t = i + P - k * D
            if t < 0 or t % S != 0 or t // S >= O:
                table[i * K + k] = -1
            else:
                table[i * K + k] = t // S


def fold_fwd(const floating[:, :, ::1] columns, floating[:, :, :, ::1] out, const Py_ssize_t[::1] rows,
             const Py_ssize_t[::1] cols, Py_ssize_t KH, Py_ssize_t KW, Py_ssize_t OW, int num_threads):
    """out[n, c, h, w] = sum_{ki, kj} columns[n, (c * KH + ki) * KW + kj, oh * OW + ow] over the blocks
    oh = rows[h * KH + ki], ow = cols[w * KW + kj] that exist (block_index), ki ascending, then kj."""
    cdef Py_ssize_t N = out.shape[0], C = out.shape[1], H = out.shape[2], W = out.shape[3]
    cdef Py_ssize_t row, n, c, h, w, ki, kj, oh, ow
    cdef floating total
    for row in prange(N * C * H, nogil=True, num_threads=num_threads, schedule="static"):
        n = row // (C * H)
        c = (row // H) % C
        h = row % H
        for w in range(W):
            total = 0
            for ki in range(KH):
                oh = rows[h * KH + ki]
                if oh < 0:
                    continue
                for kj in range(KW):
                    ow = cols[w * KW + kj]
                    if ow < 0:
                        continue
                    total = total + columns[n, (c * KH + ki) * KW + kj, oh * OW + ow]
            out[n, c, h, w] = total
