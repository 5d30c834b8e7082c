# Legend: B batch, M rows of the output, N columns of the output, K the reduced dimension,
#         MR x NR the register tile (6 x 16 floats / 6 x 8 doubles), MB x NB a task's block of the
#         output, KC the reduced-dimension chunk of one micro-kernel call, KS the span of K packed at a
#         time (PACK_MAX elements of panels at most).
"""Matrix products with a fixed summation order: the specification of Linear and its fast path.

Specification (``gemm_nt_spec``): ``out[m, n] = 0 + a[m,0]*b[n,0] + a[m,1]*b[n,1] + ...``,
k ascending from 0, each product rounded then added (no FMA: built with -ffp-contract=off).

The fast path (``gemm``, ``gemm_nt``) computes every output element as that same running sum:
the register tile of conv_ukernel.h keeps one sum per vector lane (lanes across output columns n),
adds the products of ascending k one after the other, and a chunk of K is continued from the
stored sum of the previous chunk (store and load are exact: the sums are kept in the output's own
precision, and the chunks of one output element are added by one task, in ascending k).  Padded
rows/columns of edge tiles are computed on zeros and never stored.  Each operand is packed once per
call, per span of K (every A and B panel of the span, in parallel, then every output block adds
the span's products): the weight of a Linear is packed once, not once per block of rows.  So fast == spec to the bit, at any thread count: each
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
    int refnn_isa_top()
    void refnn_ukernel_f32(long kc, const float *A, const float *B, long ldb, const float *init, float *C, long ldc)
    void refnn_ukernel_f64(long kc, const double *A, const double *B, long ldb, const double *init, double *C, long ldc)
    void *refnn_aligned_alloc(size_t bytes)

cdef extern from "gemm_pack.h" nogil:
    void refnn_pack_nk_f32(long ks, const float *src, long ld, float *dst)
    void refnn_pack_nk_f64(long ks, const double *src, long ld, double *dst)
    void refnn_pack_mk_f32(long ks, const float *src, long ld, float *dst)
    void refnn_pack_mk_f64(long ks, const double *src, long ld, double *dst)

cdef extern from "gemm_rowdot.h" nogil:
    void refnn_rowdot_f32(long K, const float *a, const float *B, long ldb, float *C)
    void refnn_rowdot_f64(long K, const double *a, const double *B, long ldb, double *C)

from refnn._isa import MAX_LEVEL, check_level


def _set_isa_level(int max_level):
    """Re-choose this module's micro-kernel build, up to max_level (refnn._isa.forced); the level chosen."""
    return refnn_conv_init(max_level)


def isa_top_level():
    """The best build level this CPU and OS run: 0 baseline, 1 AVX2, 2 AVX-512."""
    return refnn_isa_top()


check_level(refnn_conv_init(MAX_LEVEL), _set_isa_level)

DEF MR = 6
DEF MB = 48           # rows of a block's sub-block sharing one B panel in L1 (8 register tiles)
DEF TM_PANELS = 48    # row tiles of a task's output block at most (288 rows)
DEF TN_PANELS = 16    # column tiles of a task's output block at most (256 floats / 128 doubles)
DEF KC = 256          # reduced-dimension chunk of one micro-kernel call (A and B panels in L1/L2)
DEF PACK_MAX = 4194304   # elements of packed A and B panels held at a time (K spans, batch groups)
cdef Py_ssize_t _pack_max = PACK_MAX


def _set_pack_limit(Py_ssize_t elements):
    """Set the packed-panel budget (elements; PACK_MAX by default), returning the previous one: tests
    use a small one to exercise several K spans and batch groups on small products."""
    global _pack_max
    previous = _pack_max
    _pack_max = max(elements, 1)
    return previous
DEF SMALL_M = 3       # below this many rows: scalar chains, no packing
DEF PARALLEL_MIN_WORK = 1048576  # multiply-adds below which one thread runs the product (waking a second thread costs about 50 us here, 1M multiply-adds about 40 us on one)


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


cdef void _pack_a(const floating *A, Py_ssize_t sam, Py_ssize_t sak, Py_ssize_t M, Py_ssize_t rp,
                  Py_ssize_t k0, Py_ssize_t ks, floating *dst) noexcept nogil:
    """One A panel of a K span: dst[k*MR + i] = A[rp*MR + i, k0 + k] for k < ks (0 past M)."""
    cdef Py_ssize_t m0 = rp * MR, i, k, m
    cdef const floating *src
    if sam == 1 and m0 + MR <= M:
        for k in range(ks):
            src = A + m0 + (k0 + k) * sak
            for i in range(MR):
                dst[k * MR + i] = src[i]
        return
    if sak == 1 and m0 + MR <= M:
        # A stored (M, K), a whole panel: MR rows read along k and transposed in registers
        if floating is float:
            refnn_pack_mk_f32(ks, A + m0 * sam + k0, sam, dst)
        else:
            refnn_pack_mk_f64(ks, A + m0 * sam + k0, sam, dst)
        return
    for i in range(MR):
        m = m0 + i
        if m < M:
            src = A + m * sam + k0 * sak
            for k in range(ks):
                dst[k * MR + i] = src[k * sak]
        else:
            for k in range(ks):
                dst[k * MR + i] = 0


cdef void _pack_b(const floating *Bm, Py_ssize_t sbk, Py_ssize_t sbn, Py_ssize_t N, Py_ssize_t cp,
                  Py_ssize_t k0, Py_ssize_t ks, floating *dst) noexcept nogil:
    """One B panel of a K span: dst[k*NR + j] = B[k0 + k, cp*NR + j] for k < ks (0 past N)."""
    cdef Py_ssize_t NR = 16 if floating is float else 8
    cdef Py_ssize_t n0 = cp * NR, j, k, n, kb, ke
    cdef const floating *src
    if sbn == 1:
        for k in range(ks):
            src = Bm + (k0 + k) * sbk + n0
            if n0 + NR <= N:
                for j in range(NR):
                    dst[k * NR + j] = src[j]
            else:
                for j in range(NR):
                    dst[k * NR + j] = src[j] if n0 + j < N else 0
        return
    if sbk == 1 and n0 + NR <= N:
        # B stored (N, K), a whole panel: NR rows read along k and transposed in registers
        if floating is float:
            refnn_pack_nk_f32(ks, Bm + n0 * sbn + k0, sbn, dst)
        else:
            refnn_pack_nk_f64(ks, Bm + n0 * sbn + k0, sbn, dst)
        return
    # B read transposed, the edge panel: NR rows read along k, 128 k at a time (the panel piece stays in L1)
    kb = 0
    while kb < ks:
        ke = min(ks, kb + 128)
        for j in range(NR):
            n = n0 + j
            if n < N:
                src = Bm + n * sbn + k0 * sbk
                for k in range(kb, ke):
                    dst[k * NR + j] = src[k * sbk]
            else:
                for k in range(kb, ke):
                    dst[k * NR + j] = 0
        kb = ke


DEF KB_ROWS = 64      # rows k of a row-stored B (K, N) that one packing task copies into every panel


cdef void _pack_b_rows(const floating *Bm, Py_ssize_t sbk, Py_ssize_t N, Py_ssize_t ncp, Py_ssize_t k0,
                       Py_ssize_t kb, Py_ssize_t ke, Py_ssize_t ks, floating *dst) noexcept nogil:
    """Rows kb <= k < ke of a K span of B stored (K, N) (sbn == 1), into every B panel of the span:
    dst[cp*ks*NR + k*NR + j] = B[k0 + k, cp*NR + j] (0 past N).

    The same copies as ``_pack_b`` for sbn == 1, in another order: panel after panel over this task's
    block of rows (64), where ``_pack_b`` read one panel's 16 (8) columns of all ks rows, a cache line
    from each row, the rows a row of B apart (a page and more for N >= 1024: ks pages per panel, past
    the data TLB).  Here a panel's pass touches 64 rows, whose lines of the next panel follow.  Measured
    (256 x 1024 x 1024 float, B stored (K, N), one thread): 76 -> 85 GFLOP/s.  Scattering one row into
    every panel (the panels ks*NR elements apart, all in one L1 set) was slower than ``_pack_b``.
    """
    cdef Py_ssize_t NR = 16 if floating is float else 8
    cdef Py_ssize_t k, cp, j, n0, nfull = N // NR
    cdef const floating *src
    cdef floating *d
    for cp in range(nfull):
        for k in range(kb, ke):
            src = Bm + (k0 + k) * sbk + cp * NR
            d = dst + cp * ks * NR + k * NR
            for j in range(NR):
                d[j] = src[j]
    if nfull < ncp:
        n0 = nfull * NR
        for k in range(kb, ke):
            src = Bm + (k0 + k) * sbk
            d = dst + nfull * ks * NR + k * NR
            for j in range(NR):
                d[j] = src[n0 + j] if n0 + j < N else 0


cdef void _block(const floating *apk, const floating *bpk, Py_ssize_t ks, bint first, bint last,
                 const floating *bias, floating *C, Py_ssize_t M, Py_ssize_t N,
                 Py_ssize_t m0, Py_ssize_t n0, Py_ssize_t TM, Py_ssize_t TN, floating *ebuf,
                 const floating *zeros, refnn_interrupt *st, int thread) noexcept nogil:
    """Adds one K span's products to C[m0:m0+TM, n0:n0+TN] by MR x NR register tiles.

    apk: the block's A panels (panel rp at apk + rp*ks*MR), bpk: its B panels (panel cp at
    bpk + cp*ks*NR), packed for this span.  Per KC chunk, the rows go MB at a time; for each B
    panel (kept in L1) the MB/MR row tiles of that sub-block run one after the other; the chunk's
    B panels of the block stay in L2 for all its rows.  The first span starts every sum at 0
    (``first``), later ones continue the stored sums.  Whole tiles live in the output itself, edge
    tiles (rows past the last whole row tile, columns past the last whole column tile) in ``ebuf``
    (TM x TN, this block's own, so it survives from span to span); the ``last`` span moves them
    out and adds the bias.  Stops early (the block half-written) when the interrupt state `st` says so.
    """
    cdef Py_ssize_t NR = 16 if floating is float else 8
    cdef Py_ssize_t mb = M - m0, nb = N - n0, nrp, ncp, kk, kc, rp, cp, r0, r1, i, j, mfull, nfull, j0
    cdef const floating *bpanel
    cdef const floating *init
    cdef const floating *src
    cdef floating *dst
    if mb > TM:
        mb = TM
    if nb > TN:
        nb = TN
    nrp = (mb + MR - 1) // MR
    ncp = (nb + NR - 1) // NR
    kk = 0
    while kk < ks:
        if refnn_stop(st, thread):
            return
        kc = ks - kk
        if kc > KC:
            kc = KC
        init = zeros if first and kk == 0 else NULL
        for r0 in range(0, nrp, MB // MR):
            r1 = min(nrp, r0 + MB // MR)
            for cp in range(ncp):
                bpanel = bpk + cp * ks * NR + kk * NR
                for rp in range(r0, r1):
                    if (rp + 1) * MR <= mb and (cp + 1) * NR <= nb:
                        _ukernel(kc, apk + rp * ks * MR + kk * MR, bpanel, NR, init,
                                 C + (m0 + rp * MR) * N + n0 + cp * NR, N)
                    else:
                        _ukernel(kc, apk + rp * ks * MR + kk * MR, bpanel, NR, init,
                                 ebuf + rp * MR * TN + cp * NR, TN)
        kk = kk + kc
    if not last:
        return
    mfull = (mb // MR) * MR
    nfull = (nb // NR) * NR
    for i in range(mb):
        dst = C + (m0 + i) * N + n0
        src = ebuf + i * TN
        j0 = 0 if i >= mfull else nfull
        for j in range(j0, nb):
            dst[j] = src[j]
        if bias != NULL:
            for j in range(nb):
                dst[j] = dst[j] + bias[n0 + j]


cdef int _gemm(const floating *A, Py_ssize_t sab, Py_ssize_t sam, Py_ssize_t sak,
               const floating *Bm, Py_ssize_t sbb, Py_ssize_t sbk, Py_ssize_t sbn,
               const floating *bias, floating *C, Py_ssize_t nbatch, Py_ssize_t M, Py_ssize_t N,
               Py_ssize_t K, int num_threads, refnn_interrupt *st) noexcept nogil:
    """C[b, m, n] = (0 + sum_{k asc} A[b,m,k] * Bm[b,k,n]) (+ bias[n]); C contiguous (nbatch, M, N).

    Packing (each operand packed once per call): K is cut into spans of KS; for each group of G
    batch items and each span (in ascending k), every A and B panel of the span is packed once
    (in parallel), then the output blocks (tasks) add the span's products to their stored sums.
    Returns -1 when the packing buffers cannot be allocated (nothing computed), else 0.
    """
    cdef Py_ssize_t NR = 16 if floating is float else 8
    cdef Py_ssize_t TM = TM_PANELS * MR, TN = TN_PANELS * NR
    cdef Py_ssize_t t, bi, gi, rb, cb, nrb, ncb, ntasks, n, NS, nrp, ncp, per, KS, G, g0, gcount
    cdef Py_ssize_t k0, ks, p, slot, nslots, nbt
    cdef int ct
    cdef bint edge_m, edge_n
    cdef floating *apk
    cdef floating *bpk
    cdef floating *ebuf
    cdef floating *eb
    cdef floating zeros[MR]
    if nbatch == 0 or M == 0 or N == 0:
        return 0
    if K == 0:
        for t in range(nbatch * M):
            for n in range(N):
                C[t * N + n] = (0 + bias[n]) if bias != NULL else 0
        return 0
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
        return 0
    for t in range(MR):
        zeros[t] = 0
    nrp = (M + MR - 1) // MR
    ncp = (N + NR - 1) // NR
    # output blocks of TM x TN (tasks): smaller where there would be fewer than 4 per thread
    while TM > MB and nbatch * ((M + TM - 1) // TM) * ((N + TN - 1) // TN) < 4 * num_threads:
        TM = TM - MB
    while TN > 4 * NR and nbatch * ((M + TM - 1) // TM) * ((N + TN - 1) // TN) < 4 * num_threads:
        TN = TN - 4 * NR
    nrb = (M + TM - 1) // TM
    ncb = (N + TN - 1) // TN
    # blocks of equal size (in whole tiles): a 256-row product cut at 240 rows left one thread 16 rows of
    # the 256 at two threads (static schedule: thread 0 the first blocks, thread 1 the last)
    TM = (nrp + nrb - 1) // nrb * MR
    TN = (ncp + ncb - 1) // ncb * NR
    nrb = (M + TM - 1) // TM
    ncb = (N + TN - 1) // TN
    edge_m = M % MR != 0
    edge_n = N % NR != 0
    nslots = nrb + ncb if edge_m or edge_n else 0
    # the span KS (a multiple of KC) and the batch group G keep the packed panels within PACK_MAX elements
    per = nrp * MR + ncp * NR
    KS = (_pack_max // per) // KC * KC
    if KS < KC:
        KS = KC
    if KS > K:
        KS = K
    G = _pack_max // (per * KS)
    if G < 1:
        G = 1
    if G > nbatch:
        G = nbatch
    apk = <floating *> refnn_aligned_alloc(G * nrp * KS * MR * sizeof(floating))
    bpk = <floating *> refnn_aligned_alloc(G * ncp * KS * NR * sizeof(floating))
    ebuf = <floating *> refnn_aligned_alloc(G * nslots * TM * TN * sizeof(floating))
    if apk == NULL or bpk == NULL or ebuf == NULL:
        free(apk)
        free(bpk)
        free(ebuf)
        return -1
    g0 = 0
    while g0 < nbatch:
        gcount = min(G, nbatch - g0)
        ntasks = gcount * nrb * ncb
        ct = num_threads if ntasks >= 2 else 1
        k0 = 0
        while k0 < K:
            ks = min(KS, K - k0)
            # packing tasks per batch item: the A panels, then the B panels, or for B stored (K, N) its
            # rows KB_ROWS at a time (each task filling every panel for its rows)
            nbt = (ks + KB_ROWS - 1) // KB_ROWS if sbn == 1 else ncp
            for t in prange(gcount * (nrp + nbt), num_threads=num_threads, schedule="static"):
                gi = t // (nrp + nbt)
                p = t % (nrp + nbt)
                bi = g0 + gi
                if p < nrp:
                    _pack_a(A + bi * sab, sam, sak, M, p, k0, ks, apk + (gi * nrp + p) * ks * MR)
                elif sbn == 1:
                    _pack_b_rows(Bm + bi * sbb, sbk, N, ncp, k0, (p - nrp) * KB_ROWS,
                                 min(ks, (p - nrp + 1) * KB_ROWS), ks, bpk + gi * ncp * ks * NR)
                else:
                    _pack_b(Bm + bi * sbb, sbk, sbn, N, p - nrp, k0, ks, bpk + (gi * ncp + p - nrp) * ks * NR)
            for t in prange(ntasks, num_threads=ct, schedule="static"):
                gi = t // (nrb * ncb)
                rb = (t // ncb) % nrb
                cb = t % ncb
                eb = NULL
                if (edge_m and rb == nrb - 1) or (edge_n and cb == ncb - 1):
                    slot = cb if edge_m and rb == nrb - 1 else ncb + rb
                    eb = ebuf + (gi * nslots + slot) * TM * TN
                _block(apk + (gi * nrp + rb * (TM // MR)) * ks * MR,
                       bpk + (gi * ncp + cb * (TN // NR)) * ks * NR, ks, k0 == 0, k0 + ks == K,
                       bias, C + (g0 + gi) * M * N, M, N, rb * TM, cb * TN, TM, TN, eb, zeros,
                       st, threadid())
            if refnn_stop(st, 0):
                break
            k0 = k0 + ks
        if refnn_stop(st, 0):
            break
        g0 = g0 + gcount
    free(apk)
    free(bpk)
    free(ebuf)
    return 0


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
    cdef int rc
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
        rc = _gemm(&a[0, 0, 0], M * K, sam, sak, &b[0, 0, 0], K * N, sbk, sbn, bias_ptr, &out[0, 0, 0],
                   nbatch, M, N, K, num_threads, &st)
    refnn_interrupt_finish(&st)
    if rc != 0:
        raise MemoryError("gemm: cannot allocate the packing buffers")


def gemm_nt(const floating[:, ::1] a, const floating[:, ::1] b, floating[:, ::1] out, int num_threads):
    """out[m, n] = sum_k a[m, k] * b[n, k], k ascending from 0 (the fast path of gemm_nt_spec)."""
    cdef Py_ssize_t M = a.shape[0], K = a.shape[1], N = b.shape[0]
    cdef refnn_interrupt st
    cdef int rc
    if M == 0 or N == 0:
        return
    refnn_interrupt_init(&st)
    with nogil:
        if K == 0:
            rc = _gemm(<const floating *> NULL, 0, 0, 0, <const floating *> NULL, 0, 0, 0, NULL,
                       &out[0, 0], 1, M, N, K, 1, &st)
        else:
            rc = _gemm(&a[0, 0], 0, K, 1, &b[0, 0], 0, 1, K, NULL, &out[0, 0], 1, M, N, K, num_threads, &st)
    refnn_interrupt_finish(&st)
    if rc != 0:
        raise MemoryError("gemm: cannot allocate the packing buffers")


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


def gemm_few_rows(const floating[:, ::1] a, const floating[:, ::1] b, floating[:, ::1] out,
                  bint b_nk, const floating[::1] bias):
    """gemm's few-rows path on the calling thread: out[m, n] = (0 + sum_{k asc} a[m, k] * B[k, n])
    (+ bias[n]), B = b (K, N), or b (N, K) read transposed when b_nk.

    The same ``_small_rows`` calls over the same column groups as ``gemm`` makes for M < SMALL_M and
    fewer than PARALLEL_MIN_WORK multiply-adds (where it runs one thread), so the same bits; only the
    entry is cheaper (two-dimensional views, no OpenMP region, no interrupt polling for so short a
    product).  The caller (refnn/_functions/linear.py) sends only such products, with K > 0.
    """
    cdef Py_ssize_t M = out.shape[0], N = out.shape[1], K = a.shape[1], NS = 64, cb
    cdef Py_ssize_t sbk = 1 if b_nk else N, sbn = K if b_nk else 1
    cdef const floating *bias_ptr = NULL
    if bias is not None and bias.shape[0] > 0:
        bias_ptr = &bias[0]
    if M == 0 or N == 0 or K == 0 or M >= SMALL_M or M * N * K >= PARALLEL_MIN_WORK:
        raise ValueError("gemm_few_rows: expected 0 < M < SMALL_M, N > 0, K > 0 and a small product")
    with nogil:
        for cb in range((N + NS - 1) // NS):
            _small_rows(&a[0, 0], K, 1, &b[0, 0], sbk, sbn, bias_ptr, &out[0, 0],
                        M, cb * NS, min(N, cb * NS + NS), N, K)


def few_rows_limits():
    """(SMALL_M, PARALLEL_MIN_WORK): the products ``gemm_few_rows`` takes."""
    return SMALL_M, PARALLEL_MIN_WORK


# ============================================================== strided batches (attention's heads)
from libc.stdlib cimport malloc


def gemm_strided(const floating[:, :, :, :] a, const floating[:, :, :, :] b, floating[:, :, :, ::1] out,
                 int num_threads):
    """out[i, j, m, n] = 0 + sum_{k asc} a[i, j, m, k] * b[i, j, k, n]: a (B1, B2, M, K) and b (B1, B2, K, N)
    with any strides (views of a packed projection, transposed or broadcast ones), no copies.

    The same ``_gemm`` as ``gemm`` (each element one running sum, k ascending from 0, the order of
    gemm_nt_spec), called once for the whole batch where the two batch dims merge into one stride in both
    operands.  Otherwise one call per index i with the B2 entries of i as its batch: with several threads and
    enough indices (B1 a multiple of the thread count, or at least 4 per thread) the indices are split among
    the threads, each running its calls on one thread (one parallel region for the product, not two per
    index); else the calls run one after the other, each on all threads.  The packing reads either operand
    at its own strides (``_pack_a`` / ``_pack_b``), so the bits are ``gemm``'s, at any thread count.
    On Ctrl-C the calling thread stops between K chunks; the other threads finish their indices.
    """
    cdef Py_ssize_t B1 = out.shape[0], B2 = out.shape[1], M = out.shape[2], N = out.shape[3]
    cdef Py_ssize_t K = a.shape[3], s = sizeof(floating), i
    cdef Py_ssize_t sa1, sa2, sam, sak, sb1, sb2, sbk, sbn
    cdef refnn_interrupt st
    cdef refnn_interrupt *sts = NULL
    cdef int rc = 0, failed = 0, nt = num_threads, t, r
    if (a.shape[0] != B1 or a.shape[1] != B2 or a.shape[2] != M or b.shape[0] != B1 or b.shape[1] != B2
            or b.shape[2] != K or b.shape[3] != N):
        raise ValueError("gemm_strided: expected a (B1, B2, M, K), b (B1, B2, K, N) and out (B1, B2, M, N)")
    if B1 == 0 or B2 == 0 or M == 0 or N == 0:
        return
    refnn_interrupt_init(&st)
    if K == 0:
        with nogil:
            _gemm(<const floating *> NULL, 0, 0, 0, <const floating *> NULL, 0, 0, 0, NULL,
                  &out[0, 0, 0, 0], B1 * B2, M, N, K, 1, &st)
        return
    sa1, sa2, sam, sak = a.strides[0] // s, a.strides[1] // s, a.strides[2] // s, a.strides[3] // s
    sb1, sb2, sbk, sbn = b.strides[0] // s, b.strides[1] // s, b.strides[2] // s, b.strides[3] // s
    if B1 * B2 * M * N * K < PARALLEL_MIN_WORK:
        nt = 1
    if nt > 1 and B1 > 1 and B2 > 1 and not (sa1 == B2 * sa2 and sb1 == B2 * sb2) and (
            B1 % nt == 0 or B1 >= 4 * nt):
        sts = <refnn_interrupt *> malloc(nt * sizeof(refnn_interrupt))
    with nogil:
        if B1 == 1 or (sa1 == B2 * sa2 and sb1 == B2 * sb2):
            rc = _gemm(&a[0, 0, 0, 0], sa2, sam, sak, &b[0, 0, 0, 0], sb2, sbk, sbn, NULL, &out[0, 0, 0, 0],
                       B1 * B2, M, N, K, nt, &st)
        elif B2 == 1:
            rc = _gemm(&a[0, 0, 0, 0], sa1, sam, sak, &b[0, 0, 0, 0], sb1, sbk, sbn, NULL, &out[0, 0, 0, 0],
                       B1, M, N, K, nt, &st)
        elif sts != NULL:
            # the indices split among the threads; only the calling thread's state polls Python
            for t in range(nt):
                sts[t] = st
                sts[t].poll = 0
            for i in prange(B1, num_threads=nt, schedule="static"):
                t = threadid()
                r = _gemm(&a[i, 0, 0, 0], sa2, sam, sak, &b[i, 0, 0, 0], sb2, sbk, sbn, NULL, &out[i, 0, 0, 0],
                          B2, M, N, K, 1, &st if t == 0 else &sts[t])
                failed += r != 0
            rc = -1 if failed else 0
        else:
            for i in range(B1):
                rc = _gemm(&a[i, 0, 0, 0], sa2, sam, sak, &b[i, 0, 0, 0], sb2, sbk, sbn, NULL,
                           &out[i, 0, 0, 0], B2, M, N, K, nt, &st)
                if rc != 0 or refnn_stop(&st, 0):
                    break
    free(sts)
    refnn_interrupt_finish(&st)
    if rc != 0:
        raise MemoryError("gemm: cannot allocate the packing buffers")
