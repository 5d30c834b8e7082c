# Legend: B batch, M rows of the output, N columns of the output, K the reduced dimension,
#         MR x NR the register tile (6 x 16 floats / 6 x 8 doubles), MB x NB a task's block of the
#         output, KC the reduced-dimension chunk packed at a time.
"""Matrix products with a fixed summation order: the specification of Linear and its fast path.

Specification (``gemm_nt_spec``): ``out[m, n] = 0 + a[m,0]*b[n,0] + a[m,1]*b[n,1] + ...``,
k ascending from 0, each product rounded then added (no FMA: built with -ffp-contract=off).

The fast path (``gemm``, ``gemm_nt``) computes every output element as that same running sum:
the register tile of conv_ukernel.h keeps one sum per vector lane (lanes across output columns n),
adds the products of ascending k one after the other, and a chunk of K is continued from the
stored sum of the previous chunk (store and load are exact).  Padded rows/columns of edge tiles
are computed on zeros and never stored.  So fast == spec to the bit, at any thread count: each
output element is one task's sum (tasks are output blocks, never a split of K).
The bias (Linear) is added afterwards, ``out = sum + bias[n]``, as the spec adds it afterwards.
A signal handler that raises (Ctrl-C) stops a product between blocks and K chunks (_interrupt.pxd).
"""
from cython.parallel cimport parallel, prange, threadid
from libc.stdlib cimport free
from libc.string cimport memset

from ._interrupt cimport refnn_interrupt, refnn_interrupt_finish, refnn_interrupt_init, refnn_stop

ctypedef fused floating:
    float
    double

cdef extern from "conv_ukernel.h" nogil:
    int refnn_conv_init(int max_level)
    void refnn_ukernel_f32(long kc, const float *A, const float *B, long ldb, const float *init, float *C, long ldc)
    void refnn_ukernel_f64(long kc, const double *A, const double *B, long ldb, const double *init, double *C, long ldc)
    void *refnn_aligned_alloc(size_t bytes)

cdef extern from "gemm_rowdot.h" nogil:
    void refnn_rowdot_f32(long K, const float *a, const float *B, long ldb, float *C)
    void refnn_rowdot_f64(long K, const double *a, const double *B, long ldb, double *C)

from refnn._isa import MAX_LEVEL, check_level
check_level(refnn_conv_init(MAX_LEVEL))

DEF MR = 6
DEF MB = 48           # rows per task (8 register tiles)
DEF KC = 256          # reduced-dimension chunk
DEF SMALL_M = 3       # below this many rows: scalar chains, no packing
DEF PARALLEL_MIN_WORK = 131072   # multiply-adds below which one thread runs the product


# ============================================================== specification
def gemm_nt_spec(const floating[:, ::1] a, const floating[:, ::1] b, floating[:, ::1] out, int num_threads):
    """out[m, n] = sum_k a[m, k] * b[n, k], k ascending from 0."""
    cdef Py_ssize_t M = a.shape[0], K = a.shape[1], N = b.shape[0]
    cdef Py_ssize_t m, n, k
    cdef floating acc
    cdef refnn_interrupt st
    refnn_interrupt_init(&st)
    for m in prange(M, nogil=True, num_threads=num_threads, schedule="static"):
        if refnn_stop(&st, threadid()):
            continue
        for n in range(N):
            acc = 0
            for k in range(K):
                acc = acc + a[m, k] * b[n, k]
            out[m, n] = acc
    refnn_interrupt_finish(&st)


# ============================================================== fast path
cdef inline void _ukernel(long kc, const floating *A, const floating *B, long ldb,
                          const floating *init, floating *C, long ldc) noexcept nogil:
    if floating is float:
        refnn_ukernel_f32(kc, A, B, ldb, init, C, ldc)
    else:
        refnn_ukernel_f64(kc, A, B, ldb, init, C, ldc)


cdef void _small_rows(const floating *A, Py_ssize_t sam, Py_ssize_t sak,
                      const floating *Bm, Py_ssize_t sbk, Py_ssize_t sbn,
                      const floating *bias, floating *C, Py_ssize_t M, Py_ssize_t n0, Py_ssize_t n1,
                      Py_ssize_t N, Py_ssize_t K) noexcept nogil:
    """C[m, n] = (0 + sum_k asc A[m,k]*Bm[k,n]) (+ bias[n]) for n in [n0, n1): 8 scalar sums at a time."""
    cdef Py_ssize_t m, n, k, j
    cdef Py_ssize_t L2 = 16 if floating is float else 8
    cdef floating c0, c1, c2, c3, c4, c5, c6, c7, a
    cdef const floating *p
    for m in range(M):
        n = n0
        if sak == 1 and sbk == 1:
            # B stored (N, K): rows read along k and transposed in registers, 2L columns at a time
            while n + L2 <= n1:
                if floating is float:
                    refnn_rowdot_f32(K, A + m * sam, Bm + n * sbn, sbn, C + m * N + n)
                else:
                    refnn_rowdot_f64(K, A + m * sam, Bm + n * sbn, sbn, C + m * N + n)
                if bias != NULL:
                    for j in range(L2):
                        C[m * N + n + j] = C[m * N + n + j] + bias[n + j]
                n = n + L2
        while n + 8 <= n1:
            c0 = c1 = c2 = c3 = c4 = c5 = c6 = c7 = 0
            p = Bm + n * sbn
            for k in range(K):
                a = A[m * sam + k * sak]
                c0 = c0 + a * p[0]
                c1 = c1 + a * p[sbn]
                c2 = c2 + a * p[2 * sbn]
                c3 = c3 + a * p[3 * sbn]
                c4 = c4 + a * p[4 * sbn]
                c5 = c5 + a * p[5 * sbn]
                c6 = c6 + a * p[6 * sbn]
                c7 = c7 + a * p[7 * sbn]
                p = p + sbk
            if bias != NULL:
                c0 = c0 + bias[n]
                c1 = c1 + bias[n + 1]
                c2 = c2 + bias[n + 2]
                c3 = c3 + bias[n + 3]
                c4 = c4 + bias[n + 4]
                c5 = c5 + bias[n + 5]
                c6 = c6 + bias[n + 6]
                c7 = c7 + bias[n + 7]
            C[m * N + n] = c0
            C[m * N + n + 1] = c1
            C[m * N + n + 2] = c2
            C[m * N + n + 3] = c3
            C[m * N + n + 4] = c4
            C[m * N + n + 5] = c5
            C[m * N + n + 6] = c6
            C[m * N + n + 7] = c7
            n = n + 8
        while n < n1:
            c0 = 0
            for k in range(K):
                c0 = c0 + A[m * sam + k * sak] * Bm[k * sbk + n * sbn]
            if bias != NULL:
                c0 = c0 + bias[n]
            C[m * N + n] = c0
            n = n + 1


cdef void _block(const floating *A, Py_ssize_t sam, Py_ssize_t sak,
                 const floating *Bm, Py_ssize_t sbk, Py_ssize_t sbn,
                 const floating *bias, floating *C, Py_ssize_t M, Py_ssize_t N, Py_ssize_t K,
                 Py_ssize_t m0, Py_ssize_t n0, Py_ssize_t NB,
                 floating *apack, floating *bpack, floating *cbuf, const floating *zeros,
                 refnn_interrupt *st, int thread) noexcept nogil:
    """C[m0:m0+MB, n0:n0+NB] of one product by MR x NR register tiles (rows/columns past M, N skipped).

    Stops early (the block half-written) when the interrupt state `st` says so.
    """
    cdef Py_ssize_t NR = 16 if floating is float else 8
    cdef Py_ssize_t mb = M - m0, nb = N - n0, nrp, ncp, k0, kc, rp, cp, i, j, k, m, n, mfull, nfull, j0
    cdef const floating *src
    cdef const floating *bpanel
    cdef Py_ssize_t ldb
    cdef floating *dst
    if mb > MB:
        mb = MB
    if nb > NB:
        nb = NB
    nrp = (mb + MR - 1) // MR
    ncp = (nb + NR - 1) // NR
    k0 = 0
    while k0 < K:
        if refnn_stop(st, thread):
            return
        kc = K - k0
        if kc > KC:
            kc = KC
        # apack[rp, k, i] = A[m0 + rp*MR + i, k0 + k] (0 past M)
        for rp in range(nrp):
            dst = apack + rp * kc * MR
            if sam == 1 and m0 + rp * MR + MR <= M:
                for k in range(kc):
                    src = A + (m0 + rp * MR) + (k0 + k) * sak
                    for i in range(MR):
                        dst[k * MR + i] = src[i]
                continue
            for i in range(MR):
                m = m0 + rp * MR + i
                if m < M:
                    src = A + m * sam + k0 * sak
                    for k in range(kc):
                        dst[k * MR + i] = src[k * sak]
                else:
                    for k in range(kc):
                        dst[k * MR + i] = 0
        for cp in range(ncp):
            # B panel rows k0.., columns n0 + cp*NR ..: read in place when B is stored (K, N) and the
            # panel is whole, else bpack[k, j] = B[k0 + k, n0 + cp*NR + j] (0 past N)
            bpanel = bpack
            ldb = NR
            if sbn == 1 and n0 + cp * NR + NR <= N:
                bpanel = Bm + k0 * sbk + n0 + cp * NR
                ldb = sbk
            elif sbn == 1:
                for k in range(kc):
                    src = Bm + (k0 + k) * sbk + n0 + cp * NR
                    for j in range(NR):
                        bpack[k * NR + j] = src[j] if n0 + cp * NR + j < N else 0
            else:
                for j in range(NR):
                    n = n0 + cp * NR + j
                    if n < N:
                        src = Bm + n * sbn + k0 * sbk
                        for k in range(kc):
                            bpack[k * NR + j] = src[k * sbk]
                    else:
                        for k in range(kc):
                            bpack[k * NR + j] = 0
            for rp in range(nrp):
                # the first chunk starts every sum at 0; later chunks continue the stored sums.
                # Whole tiles live in the output itself, edge tiles in cbuf.
                if (rp + 1) * MR <= mb and (cp + 1) * NR <= nb:
                    _ukernel(kc, apack + rp * kc * MR, bpanel, ldb, zeros if k0 == 0 else NULL,
                             C + (m0 + rp * MR) * N + n0 + cp * NR, N)
                else:
                    _ukernel(kc, apack + rp * kc * MR, bpanel, ldb, zeros if k0 == 0 else NULL,
                             cbuf + rp * MR * NB + cp * NR, NB)
        k0 = k0 + kc
    # edge tiles out of cbuf: rows past the last whole row tile, columns past the last whole column tile
    mfull = (mb // MR) * MR
    nfull = (nb // NR) * NR
    for i in range(mb):
        dst = C + (m0 + i) * N + n0
        src = cbuf + i * NB
        j0 = 0 if i >= mfull else nfull
        for j in range(j0, nb):
            dst[j] = src[j]
        if bias != NULL:
            for j in range(nb):
                dst[j] = dst[j] + bias[n0 + j]


cdef void _gemm(const floating *A, Py_ssize_t sab, Py_ssize_t sam, Py_ssize_t sak,
                const floating *Bm, Py_ssize_t sbb, Py_ssize_t sbk, Py_ssize_t sbn,
                const floating *bias, floating *C, Py_ssize_t nbatch, Py_ssize_t M, Py_ssize_t N,
                Py_ssize_t K, int num_threads, refnn_interrupt *st) noexcept nogil:
    """C[b, m, n] = (0 + sum_{k asc} A[b,m,k] * Bm[b,k,n]) (+ bias[n]); C contiguous (nbatch, M, N)."""
    cdef Py_ssize_t NR = 16 if floating is float else 8
    cdef Py_ssize_t NB = 4 * NR
    cdef Py_ssize_t t, bi, rb, cb, nrb, ncb, ntasks, n, m, NS
    cdef floating *apack
    cdef floating *bpack
    cdef floating *cbuf
    cdef floating *zeros
    if nbatch == 0 or M == 0 or N == 0:
        return
    if K == 0:
        for t in range(nbatch * M):
            for n in range(N):
                C[t * N + n] = (0 + bias[n]) if bias != NULL else 0
        return
    if nbatch * M * N * K < PARALLEL_MIN_WORK:
        num_threads = 1
    if M < SMALL_M:
        # few rows: scalar running sums over column groups (no packing); tasks are column groups
        NS = 64
        ncb = (N + NS - 1) // NS
        if nbatch * ncb < 2:
            num_threads = 1
        for t in prange(nbatch * ncb, num_threads=num_threads, schedule="static"):
            if refnn_stop(st, threadid()):
                continue
            bi = t // ncb
            cb = t % ncb
            _small_rows(A + bi * sab, sam, sak, Bm + bi * sbb, sbk, sbn, bias, C + bi * M * N,
                        M, cb * NS, min(N, cb * NS + NS), N, K)
        return
    nrb = (M + MB - 1) // MB
    ncb = (N + NB - 1) // NB
    ntasks = nbatch * nrb * ncb
    if ntasks < 2:
        num_threads = 1
    with parallel(num_threads=num_threads):
        apack = <floating *> refnn_aligned_alloc(MB * KC * sizeof(floating))
        bpack = <floating *> refnn_aligned_alloc(KC * NR * sizeof(floating))
        cbuf = <floating *> refnn_aligned_alloc(MB * NB * sizeof(floating))
        zeros = <floating *> refnn_aligned_alloc(MR * sizeof(floating))
        memset(zeros, 0, MR * sizeof(floating))
        for t in prange(ntasks, schedule="static"):
            bi = t // (nrb * ncb)
            rb = (t // ncb) % nrb
            cb = t % ncb
            _block(A + bi * sab, sam, sak, Bm + bi * sbb, sbk, sbn, bias, C + bi * M * N, M, N, K,
                   rb * MB, cb * NB, NB, apack, bpack, cbuf, zeros, st, threadid())
        free(apack)
        free(bpack)
        free(cbuf)
        free(zeros)


def gemm(const floating[:, :, ::1] a, const floating[:, :, ::1] b, floating[:, :, ::1] out,
         bint a_km, bint b_nk, const floating[::1] bias, int num_threads):
    """out[i, m, n] = sum_{k asc} A[i, m, k] * B[i, k, n] (+ bias[n] afterwards, when bias is not None).

    A = a (B, M, K), or a (B, K, M) read transposed when a_km; B = b (B, K, N), or b (B, N, K) read
    transposed when b_nk.  Every element sums in the order of gemm_nt_spec.
    """
    cdef Py_ssize_t nbatch = out.shape[0], M = out.shape[1], N = out.shape[2]
    cdef Py_ssize_t K = a.shape[1] if a_km else a.shape[2]
    cdef Py_ssize_t sam = 1 if a_km else K, sak = M if a_km else 1
    cdef Py_ssize_t sbk = 1 if b_nk else N, sbn = K if b_nk else 1
    cdef const floating *bias_ptr = NULL
    cdef refnn_interrupt st
    if bias is not None and bias.shape[0] > 0:
        bias_ptr = &bias[0]
    if nbatch == 0 or M == 0 or N == 0:
        return
    refnn_interrupt_init(&st)
    if K == 0:
        with nogil:
            _gemm(<const floating *> NULL, 0, 0, 0, <const floating *> NULL, 0, 0, 0, bias_ptr,
                  &out[0, 0, 0], nbatch, M, N, K, 1, &st)
        return
    with nogil:
        _gemm(&a[0, 0, 0], M * K, sam, sak, &b[0, 0, 0], K * N, sbk, sbn, bias_ptr, &out[0, 0, 0],
              nbatch, M, N, K, num_threads, &st)
    refnn_interrupt_finish(&st)


def gemm_nt(const floating[:, ::1] a, const floating[:, ::1] b, floating[:, ::1] out, int num_threads):
    """out[m, n] = sum_k a[m, k] * b[n, k], k ascending from 0 (the fast path of gemm_nt_spec)."""
    cdef Py_ssize_t M = a.shape[0], K = a.shape[1], N = b.shape[0]
    cdef refnn_interrupt st
    if M == 0 or N == 0:
        return
    refnn_interrupt_init(&st)
    with nogil:
        if K == 0:
            _gemm(<const floating *> NULL, 0, 0, 0, <const floating *> NULL, 0, 0, 0, NULL,
                  &out[0, 0], 1, M, N, K, 1, &st)
        else:
            _gemm(&a[0, 0], 0, K, 1, &b[0, 0], 0, 1, K, NULL, &out[0, 0], 1, M, N, K, num_threads, &st)
    refnn_interrupt_finish(&st)


def add_bias_rows(floating[:, ::1] out, const floating[::1] bias, int num_threads):
    """out[m, n] += bias[n]."""
    cdef Py_ssize_t M = out.shape[0], N = out.shape[1], m, n
    for m in prange(M, nogil=True, num_threads=num_threads, schedule="static"):
        for n in range(N):
            out[m, n] = out[m, n] + bias[n]


def sum_rows(const floating[:, ::1] a, floating[::1] out):
    """out[n] = sum_m a[m, n], m ascending from 0."""
    cdef Py_ssize_t M = a.shape[0], N = a.shape[1], m, n
    with nogil:
        for n in range(N):
            out[n] = 0
        for m in range(M):
            for n in range(N):
                out[n] = out[n] + a[m, n]
