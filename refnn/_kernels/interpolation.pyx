# Legend: P planes (N*C flattened), D/H/W the spatial depth/height/width (1-d and 2-d inputs run
#         with unit leading spatial dims), I input extent, O output extent along one dim,
#         K taps per output index along one dim, L the resampled axis and Q the extent after it
#         (one-axis resampling), g an upstream gradient value.
"""Interpolation kernels over precomputed per-dim index/weight tables.

The tables (built once per output line in ``refnn._functions.interpolation``) hold, for every
output index along one dim, the input indices it reads and their weights.  The kernels only
gather and scatter:

- ``nearest_fwd/bwd``: one tap per dim (nearest, nearest-exact);
- ``separable_fwd/bwd``: K taps per dim (linear/bilinear/trilinear K=2, bicubic K=4, a unit dim K=1),
  out = sum_a wd[a] (sum_b wh[b] (sum_c ww[c] x[a, b, c])), torch's nesting;
- ``area_fwd/bwd``: adaptive average over [start, end) windows per dim (mode='area');
- ``resample_axis_fwd`` / ``antialias2d_bwd``: variable-width antialias filters along one axis,
  and the 2-d scatter of their gradient.

Forward kernels split output rows between threads; backward kernels split planes, each plane's
scatter run by one thread in output order, so results do not depend on the thread count.
``fast=False`` runs the plain loops (the specification); the unrolled bilinear paths taken with
``fast=True`` compute the same terms in the same order (tests/test_interpolation_kernels.py).
"""
from cython.parallel cimport prange

ctypedef fused floating:
    float
    double

cdef enum:
    MAX_TAPS = 4    # the most taps per dim the separable kernel takes (bicubic)


def nearest_fwd(const floating[:, :, :, ::1] x, floating[:, :, :, ::1] out,
                const Py_ssize_t[::1] idx_d, const Py_ssize_t[::1] idx_h, const Py_ssize_t[::1] idx_w,
                Py_ssize_t repeat_w, int num_threads):
    """out[p, od, oh, ow] = x[p, idx_d[od], idx_h[oh], idx_w[ow]].

    repeat_w > 0 says idx_w[ow] == ow // repeat_w (an integer upscale of the width): the same copies,
    written as runs."""
    cdef Py_ssize_t P = out.shape[0], OD = out.shape[1], OH = out.shape[2], OW = out.shape[3]
    cdef Py_ssize_t IW = x.shape[3]
    cdef Py_ssize_t r, p, od, oh, ow, iw, k
    cdef const floating* src
    cdef floating* dst
    cdef floating value
    for r in prange(P * OD * OH, nogil=True, num_threads=num_threads, schedule="static"):
        p = r // (OD * OH)
        od = (r // OH) % OD
        oh = r % OH
        src = &x[p, idx_d[od], idx_h[oh], 0]
        dst = &out[p, od, oh, 0]
        if repeat_w == 2:
            for iw in range(IW):
                value = src[iw]
                dst[2 * iw] = value
                dst[2 * iw + 1] = value
        elif repeat_w > 0:
            for iw in range(IW):
                value = src[iw]
                for k in range(repeat_w):
                    dst[iw * repeat_w + k] = value
        else:
            for ow in range(OW):
                dst[ow] = src[idx_w[ow]]


def nearest_bwd(const floating[:, :, :, ::1] grad_out, floating[:, :, :, ::1] grad_in,
                const Py_ssize_t[::1] idx_d, const Py_ssize_t[::1] idx_h, const Py_ssize_t[::1] idx_w,
                int num_threads):
    """grad_in[p, idx_d[od], idx_h[oh], idx_w[ow]] += grad_out[p, od, oh, ow], outputs in order (grad_in zeroed)."""
    cdef Py_ssize_t P = grad_out.shape[0], OD = grad_out.shape[1], OH = grad_out.shape[2]
    cdef Py_ssize_t OW = grad_out.shape[3]
    cdef Py_ssize_t p, od, oh, ow
    cdef const floating* src
    cdef floating* dst
    for p in prange(P, nogil=True, num_threads=num_threads, schedule="static"):
        for od in range(OD):
            for oh in range(OH):
                src = &grad_out[p, od, oh, 0]
                dst = &grad_in[p, idx_d[od], idx_h[oh], 0]
                for ow in range(OW):
                    dst[idx_w[ow]] = dst[idx_w[ow]] + src[ow]


cdef inline void _separable_row(const floating* plane, floating* dst, Py_ssize_t IH, Py_ssize_t IW,
                                Py_ssize_t OW, const Py_ssize_t* idx_d, const floating* w_d, Py_ssize_t kd,
                                const Py_ssize_t* idx_h, const floating* w_h, Py_ssize_t kh,
                                const Py_ssize_t* idx_w, const floating* w_w, Py_ssize_t kw,
                                bint fast) noexcept nogil:
    """One output row: dst[ow] = sum_a w_d[a] sum_b w_h[b] sum_c w_w[ow, c] plane[idx_d[a], idx_h[b], idx_w[ow, c]]."""
    cdef const floating* rows[MAX_TAPS * MAX_TAPS]
    cdef Py_ssize_t a, b, c, ow, i
    cdef floating acc_d = 0, acc_h = 0, acc_w = 0
    cdef const Py_ssize_t* taps
    cdef const floating* weights
    for a in range(kd):
        for b in range(kh):
            rows[a * kh + b] = plane + (idx_d[a] * IH + idx_h[b]) * IW
    if fast and kd == 1 and kh == 2 and kw == 2:
        # the bilinear 2-d case, unrolled; same products and sums in the same order
        for ow in range(OW):
            i = 2 * ow
            acc_h = (rows[0][idx_w[i]] * w_w[i] + rows[0][idx_w[i + 1]] * w_w[i + 1]) * w_h[0]
            acc_h = acc_h + (rows[1][idx_w[i]] * w_w[i] + rows[1][idx_w[i + 1]] * w_w[i + 1]) * w_h[1]
            dst[ow] = acc_h * w_d[0]
        return
    for ow in range(OW):
        taps = idx_w + ow * kw
        weights = w_w + ow * kw
        for a in range(kd):
            for b in range(kh):
                i = a * kh + b
                acc_w = rows[i][taps[0]] * weights[0]
                for c in range(1, kw):
                    acc_w = acc_w + rows[i][taps[c]] * weights[c]
                if b == 0:
                    acc_h = acc_w * w_h[0]
                else:
                    acc_h = acc_h + acc_w * w_h[b]
            if a == 0:
                acc_d = acc_h * w_d[0]
            else:
                acc_d = acc_d + acc_h * w_d[a]
        dst[ow] = acc_d


def separable_fwd(const floating[:, :, :, ::1] x, floating[:, :, :, ::1] out,
                  const Py_ssize_t[:, ::1] idx_d, const floating[:, ::1] w_d,
                  const Py_ssize_t[:, ::1] idx_h, const floating[:, ::1] w_h,
                  const Py_ssize_t[:, ::1] idx_w, const floating[:, ::1] w_w, bint fast, int num_threads):
    """out[p, od, oh, ow] = sum_a w_d[od, a] sum_b w_h[oh, b] sum_c w_w[ow, c] x[p, idx_d[od, a], idx_h[oh, b], idx_w[ow, c]]."""
    cdef Py_ssize_t P = out.shape[0], OD = out.shape[1], OH = out.shape[2], OW = out.shape[3]
    cdef Py_ssize_t ID = x.shape[1], IH = x.shape[2], IW = x.shape[3]
    cdef Py_ssize_t kd = idx_d.shape[1], kh = idx_h.shape[1], kw = idx_w.shape[1]
    cdef Py_ssize_t r, p, od, oh
    for r in prange(P * OD * OH, nogil=True, num_threads=num_threads, schedule="static"):
        p = r // (OD * OH)
        od = (r // OH) % OD
        oh = r % OH
        _separable_row(&x[p, 0, 0, 0], &out[p, od, oh, 0], IH, IW, OW,
                       &idx_d[od, 0], &w_d[od, 0], kd, &idx_h[oh, 0], &w_h[oh, 0], kh,
                       &idx_w[0, 0], &w_w[0, 0], kw, fast)


cdef inline void _separable_bwd_plane(const floating* grad_out, floating* grad_in,
                                      Py_ssize_t OD, Py_ssize_t OH, Py_ssize_t OW, Py_ssize_t IH, Py_ssize_t IW,
                                      const Py_ssize_t* idx_d, const floating* w_d, Py_ssize_t kd,
                                      const Py_ssize_t* idx_h, const floating* w_h, Py_ssize_t kh,
                                      const Py_ssize_t* idx_w, const floating* w_w, Py_ssize_t kw,
                                      bint width_major, bint fast) noexcept nogil:
    """One plane's scatter, output rows in order (see separable_bwd)."""
    cdef floating* rows[MAX_TAPS * MAX_TAPS]
    cdef floating w_dh[MAX_TAPS * MAX_TAPS]
    cdef floating g
    cdef Py_ssize_t od, oh, ow, a, b, c, i, n = kd * kh
    cdef const floating* src
    cdef const Py_ssize_t* taps
    cdef const floating* weights
    for od in range(OD):
        for oh in range(OH):
            src = grad_out + (od * OH + oh) * OW
            for a in range(kd):
                for b in range(kh):
                    rows[a * kh + b] = grad_in + (idx_d[od * kd + a] * IH + idx_h[oh * kh + b]) * IW
                    w_dh[a * kh + b] = w_d[od * kd + a] * w_h[oh * kh + b]
            if width_major:
                # torch's bicubic order: c before b, term ((g w_d) w_h) w_w
                for ow in range(OW):
                    g = src[ow]
                    taps = idx_w + ow * kw
                    weights = w_w + ow * kw
                    for a in range(kd):
                        for c in range(kw):
                            for b in range(kh):
                                i = a * kh + b
                                rows[i][taps[c]] = rows[i][taps[c]] + \
                                    g * w_d[od * kd + a] * w_h[oh * kh + b] * weights[c]
            elif fast and n == 2 and kw == 2:
                # the bilinear 2-d case, unrolled; same terms in the same order
                for ow in range(OW):
                    g = src[ow]
                    taps = idx_w + 2 * ow
                    weights = w_w + 2 * ow
                    rows[0][taps[0]] = rows[0][taps[0]] + w_dh[0] * weights[0] * g
                    rows[0][taps[1]] = rows[0][taps[1]] + w_dh[0] * weights[1] * g
                    rows[1][taps[0]] = rows[1][taps[0]] + w_dh[1] * weights[0] * g
                    rows[1][taps[1]] = rows[1][taps[1]] + w_dh[1] * weights[1] * g
            else:
                for ow in range(OW):
                    g = src[ow]
                    taps = idx_w + ow * kw
                    weights = w_w + ow * kw
                    for i in range(n):
                        for c in range(kw):
                            rows[i][taps[c]] = rows[i][taps[c]] + w_dh[i] * weights[c] * g


def separable_bwd(const floating[:, :, :, ::1] grad_out, floating[:, :, :, ::1] grad_in,
                  const Py_ssize_t[:, ::1] idx_d, const floating[:, ::1] w_d,
                  const Py_ssize_t[:, ::1] idx_h, const floating[:, ::1] w_h,
                  const Py_ssize_t[:, ::1] idx_w, const floating[:, ::1] w_w, bint width_major,
                  bint fast, int num_threads):
    """grad_in[p, idx_d[od, a], idx_h[oh, b], idx_w[ow, c]] += w_d[od, a] w_h[oh, b] w_w[ow, c] g, outputs in order.

    Taps run a, b, c with the term (w_d w_h) w_w g (torch's linear backward), or, with width_major,
    c before b with the term ((g w_d) w_h) w_w (torch's bicubic backward): taps clamped at the border
    hit the same input element, so this order is part of the result.  One thread per plane."""
    cdef Py_ssize_t P = grad_out.shape[0], OD = grad_out.shape[1], OH = grad_out.shape[2]
    cdef Py_ssize_t OW = grad_out.shape[3], IH = grad_in.shape[2], IW = grad_in.shape[3]
    cdef Py_ssize_t kd = idx_d.shape[1], kh = idx_h.shape[1], kw = idx_w.shape[1]
    cdef Py_ssize_t p
    for p in prange(P, nogil=True, num_threads=num_threads, schedule="static"):
        _separable_bwd_plane(&grad_out[p, 0, 0, 0], &grad_in[p, 0, 0, 0], OD, OH, OW, IH, IW,
                             &idx_d[0, 0], &w_d[0, 0], kd, &idx_h[0, 0], &w_h[0, 0], kh,
                             &idx_w[0, 0], &w_w[0, 0], kw, width_major, fast)


def area_fwd(const floating[:, :, :, ::1] x, floating[:, :, :, ::1] out,
             const Py_ssize_t[::1] start_d, const Py_ssize_t[::1] end_d,
             const Py_ssize_t[::1] start_h, const Py_ssize_t[::1] end_h,
             const Py_ssize_t[::1] start_w, const Py_ssize_t[::1] end_w, int num_threads):
    """out[p, od, oh, ow] = (sum over the window, d then h then w ascending) / kd / kh / kw."""
    cdef Py_ssize_t P = out.shape[0], OD = out.shape[1], OH = out.shape[2], OW = out.shape[3]
    cdef Py_ssize_t r, p, od, oh, ow, i, j, k
    cdef floating acc
    for r in prange(P * OD * OH, nogil=True, num_threads=num_threads, schedule="static"):
        p = r // (OD * OH)
        od = (r // OH) % OD
        oh = r % OH
        for ow in range(OW):
            acc = 0
            for i in range(start_d[od], end_d[od]):
                for j in range(start_h[oh], end_h[oh]):
                    for k in range(start_w[ow], end_w[ow]):
                        acc = acc + x[p, i, j, k]
            out[p, od, oh, ow] = acc / <floating>(end_d[od] - start_d[od]) / <floating>(end_h[oh] - start_h[oh]) \
                / <floating>(end_w[ow] - start_w[ow])


def area_bwd(const floating[:, :, :, ::1] grad_out, floating[:, :, :, ::1] grad_in,
             const Py_ssize_t[::1] start_d, const Py_ssize_t[::1] end_d,
             const Py_ssize_t[::1] start_h, const Py_ssize_t[::1] end_h,
             const Py_ssize_t[::1] start_w, const Py_ssize_t[::1] end_w, int num_threads):
    """grad_in[window] += g / kd / kh / kw, output windows in order (grad_in zeroed)."""
    cdef Py_ssize_t P = grad_out.shape[0], OD = grad_out.shape[1], OH = grad_out.shape[2]
    cdef Py_ssize_t OW = grad_out.shape[3]
    cdef Py_ssize_t p, od, oh, ow, i, j, k
    cdef floating delta
    for p in prange(P, nogil=True, num_threads=num_threads, schedule="static"):
        for od in range(OD):
            for oh in range(OH):
                for ow in range(OW):
                    delta = grad_out[p, od, oh, ow] / <floating>(end_d[od] - start_d[od]) \
                        / <floating>(end_h[oh] - start_h[oh]) / <floating>(end_w[ow] - start_w[ow])
                    for i in range(start_d[od], end_d[od]):
                        for j in range(start_h[oh], end_h[oh]):
                            for k in range(start_w[ow], end_w[ow]):
                                grad_in[p, i, j, k] = grad_in[p, i, j, k] + delta


def resample_axis_fwd(const floating[:, :, ::1] x, floating[:, :, ::1] out,
                      const Py_ssize_t[::1] index_min, const Py_ssize_t[::1] index_size,
                      const floating[:, ::1] weights, int num_threads):
    """out[p, o, q] = sum_{k < index_size[o]} weights[o, k] x[p, index_min[o] + k, q], k ascending."""
    cdef Py_ssize_t P = out.shape[0], O = out.shape[1], Q = out.shape[2]
    cdef Py_ssize_t r, p, o, q, k
    cdef floating acc
    for r in prange(P * O, nogil=True, num_threads=num_threads, schedule="static"):
        p = r // O
        o = r % O
        for q in range(Q):
            if index_size[o] == 0:
                out[p, o, q] = 0
                continue
            acc = x[p, index_min[o], q] * weights[o, 0]
            for k in range(1, index_size[o]):
                acc = acc + x[p, index_min[o] + k, q] * weights[o, k]
            out[p, o, q] = acc


def antialias2d_bwd(const floating[:, :, ::1] grad_out, floating[:, :, ::1] grad_in,
                    const Py_ssize_t[::1] ymin, const Py_ssize_t[::1] ysize, const floating[:, ::1] wy,
                    const Py_ssize_t[::1] xmin, const Py_ssize_t[::1] xsize, const floating[:, ::1] wx,
                    int num_threads):
    """grad_in[p, ymin[oh] + y, xmin[ow] + x] += wx[ow, x] wy[oh, y] g, in output then tap order (grad_in zeroed)."""
    cdef Py_ssize_t P = grad_out.shape[0], OH = grad_out.shape[1], OW = grad_out.shape[2]
    cdef Py_ssize_t p, oh, ow, y, t
    cdef floating g
    for p in prange(P, nogil=True, num_threads=num_threads, schedule="static"):
        for oh in range(OH):
            for ow in range(OW):
                g = grad_out[p, oh, ow]
                for y in range(ysize[oh]):
                    for t in range(xsize[ow]):
                        grad_in[p, ymin[oh] + y, xmin[ow] + t] = grad_in[p, ymin[oh] + y, xmin[ow] + t] \
                            + wx[ow, t] * wy[oh, y] * g
