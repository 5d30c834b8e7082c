# Legend: V vocabulary rows (num_embeddings), E embedding dimension, N indices (flattened),
#         B bags (EmbeddingBag outputs), R rows of a source of gradients (N for Embedding, B for a bag),
#         T threads.
"""Embedding kernels: row gathers, per-bag reductions, and the row accumulation of their backward.

Summation orders (the specification):

- ``accumulate_rows`` (the weight gradient of Embedding, EmbeddingBag and pdist): every row k of the
  output starts at its incoming value and adds its terms in **index order**: for n = 0, 1, ..., N - 1 with
  index[n] == k (and index[n] != padding_idx), ``out[k, e] = out[k, e] + src[row[n], e] * factor[n]``.
  The rows are split among the threads by contiguous ranges of k; each thread scans all N indices and
  takes those that fall in its range, so a row is written by one thread and its order never depends on
  the thread count.
- ``bag_fwd``: bag b sums its members in index order from offsets[b] to offsets[b + 1] - 1, starting at 0
  (mean: then divided by the number of members that are not padding_idx; max: the first member's value,
  replaced by any later member's value that compares strictly greater, so ties go to the first member and
  a NaN is kept only when it comes first).  Bags are split among threads; each bag is one thread's.
- ``bag_weights_bwd``: the gradient of one per-sample weight sums over e in ascending order.
"""
from cython.parallel cimport prange
from libc.stdint cimport int64_t

ctypedef fused floating:
    float
    double


# ---------------------------------------------------------------- Embedding
def gather_rows(const floating[:, ::1] weight, const int64_t[::1] index, floating[:, ::1] out, int num_threads):
    """out[n, e] = weight[index[n], e]  (weight (V, E), index (N,), out (N, E)); a copy, no arithmetic."""
    cdef Py_ssize_t N = index.shape[0], E = weight.shape[1], n, e
    cdef int64_t k
    for n in prange(N, nogil=True, num_threads=num_threads, schedule="static"):
        k = index[n]
        for e in range(E):
            out[n, e] = weight[k, e]


def accumulate_rows(const floating[:, ::1] src, const int64_t[::1] src_row, const floating[::1] factor,
                    const int64_t[::1] index, int64_t padding_idx, const floating[::1] row_scale,
                    floating[:, ::1] out, int num_threads):
    """out[index[n]] += src[src_row[n]] * factor[n] * row_scale[index[n]], n ascending (index order).

    src (R, E); src_row (N,) (empty: row n of src for index n); factor (N,) (empty: no multiplication);
    index (N,), entries in [0, V); padding_idx: an index that takes no gradient (-1: none); row_scale (V,)
    (empty: no multiplication; scale_grad_by_freq passes 1 / count of each row); out (V, E).
    """
    cdef Py_ssize_t N = index.shape[0], V = out.shape[0], E = out.shape[1]
    cdef Py_ssize_t t, n, e, r, lo, hi
    cdef int64_t k
    cdef floating f, s
    cdef bint has_rows = src_row.shape[0] != 0, has_factor = factor.shape[0] != 0
    cdef bint has_scale = row_scale.shape[0] != 0
    cdef Py_ssize_t T = num_threads if num_threads > 0 else 1
    if T > V:
        T = V if V > 0 else 1
    for t in prange(T, nogil=True, num_threads=num_threads, schedule="static"):
        lo = V * t // T
        hi = V * (t + 1) // T
        for n in range(N):
            k = index[n]
            if k < lo or k >= hi or k == padding_idx:
                continue
            r = src_row[n] if has_rows else n
            if has_factor and has_scale:
                f = factor[n]
                s = row_scale[k]
                for e in range(E):
                    out[k, e] = out[k, e] + src[r, e] * f * s
            elif has_factor or has_scale:
                f = factor[n] if has_factor else row_scale[k]
                for e in range(E):
                    out[k, e] = out[k, e] + src[r, e] * f
            else:
                for e in range(E):
                    out[k, e] = out[k, e] + src[r, e]


# ---------------------------------------------------------------- EmbeddingBag
def bag_fwd(const floating[:, ::1] weight, const int64_t[::1] index, const int64_t[::1] offsets,
            const floating[::1] per_sample_weights, int mode, int64_t padding_idx,
            floating[:, ::1] out, int64_t[::1] bag_size, int64_t[:, ::1] max_index, int num_threads):
    """out[b] = reduce over n in [offsets[b], offsets[b + 1]) of weight[index[n]] (* per_sample_weights[n]).

    mode 0 sum, 1 mean (sum / bag_size[b], 0 for an empty bag), 2 max (max_index[b, e] the row chosen, -1
    when the bag has no member).  Members equal to padding_idx are skipped and not counted in bag_size.
    offsets has B + 1 entries, nondecreasing, the last == N.
    """
    cdef Py_ssize_t B = out.shape[0], E = weight.shape[1], b, n, e
    cdef int64_t k, count
    cdef floating w, v
    cdef bint has_weights = per_sample_weights.shape[0] != 0
    for b in prange(B, nogil=True, num_threads=num_threads, schedule="static"):
        for e in range(E):
            out[b, e] = 0
            if mode == 2:
                max_index[b, e] = -1
        count = 0
        for n in range(offsets[b], offsets[b + 1]):
            k = index[n]
            if k == padding_idx:
                continue
            if mode == 2:
                for e in range(E):
                    v = weight[k, e]
                    if count == 0 or v > out[b, e]:
                        out[b, e] = v
                        max_index[b, e] = k
            elif has_weights:
                w = per_sample_weights[n]
                for e in range(E):
                    out[b, e] = out[b, e] + weight[k, e] * w
            else:
                for e in range(E):
                    out[b, e] = out[b, e] + weight[k, e]
            count = count + 1
        bag_size[b] = count
        if mode == 1 and count > 0:
            for e in range(E):
                out[b, e] = out[b, e] / <floating>count


def bag_max_bwd(const floating[:, ::1] grad_out, const int64_t[:, ::1] max_index, floating[:, ::1] grad_weight,
                int num_threads):
    """grad_weight[max_index[b, e], e] += grad_out[b, e], bags in ascending order (rows split among threads)."""
    cdef Py_ssize_t B = grad_out.shape[0], E = grad_out.shape[1], V = grad_weight.shape[0]
    cdef Py_ssize_t t, b, e, lo, hi
    cdef int64_t k
    cdef Py_ssize_t T = num_threads if num_threads > 0 else 1
    if T > V:
        T = V if V > 0 else 1
    for t in prange(T, nogil=True, num_threads=num_threads, schedule="static"):
        lo = V * t // T
        hi = V * (t + 1) // T
        for b in range(B):
            for e in range(E):
                k = max_index[b, e]
                if k >= lo and k < hi:
                    grad_weight[k, e] = grad_weight[k, e] + grad_out[b, e]


def bag_weights_bwd(const floating[:, ::1] grad_out, const floating[:, ::1] weight, const int64_t[::1] index,
                    const int64_t[::1] bag_of, int64_t padding_idx, floating[::1] grad_weights, int num_threads):
    """grad_weights[n] = sum_e grad_out[bag_of[n], e] * weight[index[n], e] (e ascending); 0 for padding."""
    cdef Py_ssize_t N = index.shape[0], E = weight.shape[1], n, e
    cdef int64_t k, b
    cdef floating acc
    for n in prange(N, nogil=True, num_threads=num_threads, schedule="static"):
        k = index[n]
        acc = 0
        if k != padding_idx:
            b = bag_of[n]
            for e in range(E):
                acc = acc + grad_out[b, e] * weight[k, e]
        grad_weights[n] = acc
