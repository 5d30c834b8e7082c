# Legend: B leading dims flattened (batch...), C output channels of the shuffle, R the factor,
#         H/W the low-resolution height and width (the shuffled tensor is (B, C, H*R, W*R)).
"""Pixel shuffle: a fixed permutation of elements, and its inverse (pixel unshuffle)."""
from cython.parallel cimport prange

ctypedef fused floating:
    float
    double


def pixel_shuffle_fwd(const floating[:, :, :, :, :, ::1] x, floating[:, :, :, :, :, ::1] out, int num_threads):
    """out[b, c, h, i, w, j] = x[b, c, i, j, h, w]  (x is (B, C, R, R, H, W), out is (B, C, H, R, W, R))."""
    cdef Py_ssize_t B = x.shape[0], C = x.shape[1], R = x.shape[2], H = x.shape[4], W = x.shape[5]
    cdef Py_ssize_t row, b, c, h, i, w, j
    cdef floating* dst
    for row in prange(B * C * H * R, nogil=True, num_threads=num_threads, schedule="static"):
        b = row // (C * H * R)
        c = (row // (H * R)) % C
        h = (row // R) % H
        i = row % R
        dst = &out[b, c, h, i, 0, 0]
        for j in range(R):
            for w in range(W):
                dst[w * R + j] = x[b, c, i, j, h, w]


def pixel_shuffle_bwd(const floating[:, :, :, :, :, ::1] grad_out, floating[:, :, :, :, :, ::1] grad_in,
                      int num_threads):
    """grad_in[b, c, i, j, h, w] = grad_out[b, c, h, i, w, j]: the inverse permutation (pixel unshuffle)."""
    cdef Py_ssize_t B = grad_in.shape[0], C = grad_in.shape[1], R = grad_in.shape[2]
    cdef Py_ssize_t H = grad_in.shape[4], W = grad_in.shape[5]
    cdef Py_ssize_t row, b, c, h, i, w, j
    cdef const floating* src
    for row in prange(B * C * H * R, nogil=True, num_threads=num_threads, schedule="static"):
        b = row // (C * H * R)
        c = (row // (H * R)) % C
        h = (row // R) % H
        i = row % R
        src = &grad_out[b, c, h, i, 0, 0]
        for j in range(R):
            for w in range(W):
                grad_in[b, c, i, j, h, w] = src[w * R + j]
