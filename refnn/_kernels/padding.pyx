# Legend: B leading dims flattened (batch, channels), D/H/W the three padded dims (a 1-d or 2-d padding has
#         unit D (and H) with no padding), O an output (padded) index, I an input index along one axis,
#         P the padding before an axis (negative: that many elements cropped).
"""Reflect / replicate / circular padding: a gather through one source-index map per axis, and its adjoint.

Every mode is the same separable copy ``out[b, od, oh, ow] = x[b, map_d[od], map_h[oh], map_w[ow]]``; the
modes differ only in the maps (``source_map``).  The backward gathers too: each input element sums the
output gradients that copied it, through the inverse maps in CSR form (``inverse_map``), so each
gradient element is written by one thread.

Summation order of the backward: for input element (id, ih, iw),

    grad_in = sum_{ow in inv_w[iw]} ( sum_{oh in inv_h[ih]} ( sum_{od in inv_d[id]} grad_out[od, oh, ow] ) )

each sum starting from +0.0 and taking its terms in ascending output index: the outermost padded axis
is summed innermost.  This is the order of folding one axis at a time, first padded axis first (what
``numpy.add.at`` along each axis computes), so the result does not depend on the thread count.
"""
from cython.parallel cimport prange

ctypedef fused floating:
    float
    double

cdef enum:
    REFLECT = 0
    REPLICATE = 1
    CIRCULAR = 2


def source_map(int mode, Py_ssize_t size, Py_ssize_t before, Py_ssize_t after, Py_ssize_t[::1] out):
    """out[o] = the input index output position o copies (size + before + after positions).

    reflect: i = o - P, mirrored about 0 and size - 1 (edge not repeated); replicate: clamp(o - P, 0,
    size - 1); circular: the input cropped by the negative pads, wrapped once by the positive ones.
    The caller has checked the pads (reflect: |i| stays in range; circular: each positive pad at most the
    cropped size)."""
    cdef Py_ssize_t n = out.shape[0], o, i
    cdef Py_ssize_t crop_before = -before if before < 0 else 0
    cdef Py_ssize_t crop_after = -after if after < 0 else 0
    cdef Py_ssize_t kept = size - crop_before - crop_after
    cdef Py_ssize_t lead = before if before > 0 else 0
    for o in range(n):
        if mode == REFLECT:
            i = o - before
            if i < 0:
                i = -i
            elif i >= size:
                i = 2 * (size - 1) - i
        elif mode == REPLICATE:
            i = o - before
            if i < 0:
                i = 0
            elif i >= size:
                i = size - 1
        else:
            i = o - lead
            if i < 0:
                i = i + kept
            elif i >= kept:
                i = i - kept
            i = i + crop_before
        out[o] = i


def inverse_map(const Py_ssize_t[::1] source, Py_ssize_t size, Py_ssize_t[::1] start, Py_ssize_t[::1] index):
    """CSR inverse of a source map: index[start[i]:start[i + 1]] = the outputs o with source[o] == i, ascending."""
    cdef Py_ssize_t n = source.shape[0], o, i
    for i in range(size + 1):
        start[i] = 0
    for o in range(n):
        start[source[o] + 1] += 1
    for i in range(size):
        start[i + 1] += start[i]
    cdef Py_ssize_t[::1] cursor = start.copy()     # where the next output of each input goes
    for o in range(n):
        i = source[o]
        index[cursor[i]] = o
        cursor[i] += 1


def pad_fwd(const floating[:, :, :, ::1] x, floating[:, :, :, ::1] out, const Py_ssize_t[::1] map_d,
            const Py_ssize_t[::1] map_h, const Py_ssize_t[::1] map_w, Py_ssize_t w_lo, Py_ssize_t w_hi,
            Py_ssize_t shift_w, int num_threads):
    """out[b, od, oh, ow] = x[b, map_d[od], map_h[oh], map_w[ow]]; x (B, D, H, W), out (B, OD, OH, OW).

    On [w_lo, w_hi) the width map is o - shift_w (the copied interior): a straight copy there."""
    cdef Py_ssize_t B = out.shape[0], OD = out.shape[1], OH = out.shape[2], OW = out.shape[3]
    cdef Py_ssize_t row, b, od, oh, ow
    cdef const floating* src
    cdef floating* dst
    for row in prange(B * OD * OH, nogil=True, num_threads=num_threads, schedule="static"):
        b = row // (OD * OH)
        od = (row // OH) % OD
        oh = row % OH
        src = &x[b, map_d[od], map_h[oh], 0]
        dst = &out[b, od, oh, 0]
        for ow in range(w_lo):
            dst[ow] = src[map_w[ow]]
        for ow in range(w_lo, w_hi):
            dst[ow] = src[ow - shift_w]
        for ow in range(w_hi, OW):
            dst[ow] = src[map_w[ow]]


def pad_bwd(const floating[:, :, :, ::1] grad_out, floating[:, :, :, ::1] grad_in,
            const Py_ssize_t[::1] start_d, const Py_ssize_t[::1] index_d,
            const Py_ssize_t[::1] start_h, const Py_ssize_t[::1] index_h,
            const Py_ssize_t[::1] start_w, const Py_ssize_t[::1] index_w, Py_ssize_t w_lo, Py_ssize_t w_hi,
            Py_ssize_t shift_w, bint spec, int num_threads):
    """grid_in[b, id, ih, iw] = sum_w ( sum_h ( sum_d grad_out[b, od, oh, ow] ) ) over the outputs that copied it
    (the order in the module docstring); an input element no output copied gets +0.0.

    Fast path (unless ``spec``): in a row whose depth and height are each copied by one output, the inputs
    iw in [w_lo, w_hi) are copied by output iw + shift_w alone, and their nested sums reduce to
    0 + grad_out[.., iw + shift_w] (adding +0.0 again changes nothing: a sum started from +0.0 is never -0.0),
    so the row is one vectorisable pass, bit for bit the spec's value."""
    cdef Py_ssize_t B = grad_in.shape[0], D = grad_in.shape[1], H = grad_in.shape[2], W = grad_in.shape[3]
    cdef Py_ssize_t row, b, id_, ih, iw, kd, kh, kw, ow, lo, hi
    cdef floating total, over_h, over_d
    cdef floating* dst
    cdef const floating* src
    for row in prange(B * D * H, nogil=True, num_threads=num_threads, schedule="static"):
        b = row // (D * H)
        id_ = (row // H) % D
        ih = row % H
        dst = &grad_in[b, id_, ih, 0]
        lo = 0
        hi = 0
        if not spec and start_d[id_ + 1] - start_d[id_] == 1 and start_h[ih + 1] - start_h[ih] == 1:
            lo = w_lo
            hi = w_hi
            src = &grad_out[b, index_d[start_d[id_]], index_h[start_h[ih]], 0]
            for iw in range(lo, hi):
                dst[iw] = 0 + src[iw + shift_w]
        for iw in range(W):
            if lo <= iw < hi:
                continue
            total = 0
            for kw in range(start_w[iw], start_w[iw + 1]):
                ow = index_w[kw]
                over_h = 0
                for kh in range(start_h[ih], start_h[ih + 1]):
                    over_d = 0
                    for kd in range(start_d[id_], start_d[id_ + 1]):
                        over_d = over_d + grad_out[b, index_d[kd], index_h[kh], ow]
                    over_h = over_h + over_d
                total = total + over_h
            dst[iw] = total
