/* Register-tiled micro-kernels for refnn's convolution fast path (GCC vector extensions).
 *
 *   C[i*ldc + j] = C[i*ldc + j] + A[k*MR + i] * B[k*ldb + j]   for k = 0, 1, ..., kc-1 in turn,
 *
 * (starting from init[i] instead of the loaded C[i*ldc + j] when init is not NULL)
 *
 * for a tile of MR=6 rows and NR columns (NR = 16 floats or 8 doubles, two 32-byte vectors
 * per row).  Every C element is one running sum: it is loaded, receives its kc products one
 * after the other in ascending k, each product rounded then added (no FMA: the files are
 * compiled with -ffp-contract=off and no FMA is requested), and is stored once.  So a tile
 * computes exactly what the plain loop `acc = acc + a * b` computes, bit for bit; vector
 * width only changes how many independent sums advance together.
 *
 * Three builds of the same source, chosen at run time (refnn_conv_init): the baseline x86-64 ISA,
 * target("avx2") and an AVX-512 target (EVEX encodings, 32 vector registers).  All perform the
 * same IEEE operations per element in the same order (c = c + b*a, k ascending), so every build
 * gives the same bits.  The AVX-512 build keeps two 32-byte vectors per row: measured on AMD Zen 4
 * (tools/ukernel_bench.c, L1-resident panels, one core), a 6 x 16 tile of one 64-byte vector per
 * row runs ~16% slower (zmm operations are double-pumped there and six sums in flight are too
 * few), while this tile runs at the core's peak (~115 GFLOP/s, the same as an FMA kernel).
 */
#ifndef REFNN_CONV_UKERNEL_H
#define REFNN_CONV_UKERNEL_H

#include <stdlib.h>
#include <string.h>

#include "refnn_isa.h"

#define REFNN_MR 6
#define REFNN_NR_F32 16
#define REFNN_NR_F64 8

typedef float refnn_v8f __attribute__((vector_size(32)));
typedef float refnn_v8f_u __attribute__((vector_size(32), aligned(4)));
typedef double refnn_v4d __attribute__((vector_size(32)));
typedef double refnn_v4d_u __attribute__((vector_size(32), aligned(8)));

#define REFNN_UKERNEL(ATTR, NAME, T, V, VU, L)                                              \
    static ATTR void NAME(long kc, const T *restrict A, const T *restrict B, long ldb,     \
                          const T *restrict init, T *restrict C, long ldc)                  \
    {                                                                                       \
        V c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;                       \
        if (init) {                                                                         \
            c00 = c01 = (V){0} + init[0]; c10 = c11 = (V){0} + init[1];                     \
            c20 = c21 = (V){0} + init[2]; c30 = c31 = (V){0} + init[3];                     \
            c40 = c41 = (V){0} + init[4]; c50 = c51 = (V){0} + init[5];                     \
        } else {                                                                            \
            c00 = *(const VU *)(C + 0 * ldc); c01 = *(const VU *)(C + 0 * ldc + L);         \
            c10 = *(const VU *)(C + 1 * ldc); c11 = *(const VU *)(C + 1 * ldc + L);         \
            c20 = *(const VU *)(C + 2 * ldc); c21 = *(const VU *)(C + 2 * ldc + L);         \
            c30 = *(const VU *)(C + 3 * ldc); c31 = *(const VU *)(C + 3 * ldc + L);         \
            c40 = *(const VU *)(C + 4 * ldc); c41 = *(const VU *)(C + 4 * ldc + L);         \
            c50 = *(const VU *)(C + 5 * ldc); c51 = *(const VU *)(C + 5 * ldc + L);         \
        }                                                                                   \
        for (long k = 0; k < kc; k++) {                                                     \
            const V b0 = *(const VU *)(B), b1 = *(const VU *)(B + L);                       \
            T a;                                                                            \
            a = A[0]; c00 = c00 + b0 * a; c01 = c01 + b1 * a;                               \
            a = A[1]; c10 = c10 + b0 * a; c11 = c11 + b1 * a;                               \
            a = A[2]; c20 = c20 + b0 * a; c21 = c21 + b1 * a;                               \
            a = A[3]; c30 = c30 + b0 * a; c31 = c31 + b1 * a;                               \
            a = A[4]; c40 = c40 + b0 * a; c41 = c41 + b1 * a;                               \
            a = A[5]; c50 = c50 + b0 * a; c51 = c51 + b1 * a;                               \
            A += REFNN_MR;                                                                  \
            B += ldb;                                                                       \
        }                                                                                   \
        *(VU *)(C + 0 * ldc) = c00; *(VU *)(C + 0 * ldc + L) = c01;                         \
        *(VU *)(C + 1 * ldc) = c10; *(VU *)(C + 1 * ldc + L) = c11;                         \
        *(VU *)(C + 2 * ldc) = c20; *(VU *)(C + 2 * ldc + L) = c21;                         \
        *(VU *)(C + 3 * ldc) = c30; *(VU *)(C + 3 * ldc + L) = c31;                         \
        *(VU *)(C + 4 * ldc) = c40; *(VU *)(C + 4 * ldc + L) = c41;                         \
        *(VU *)(C + 5 * ldc) = c50; *(VU *)(C + 5 * ldc + L) = c51;                         \
    }

/* The same tile with 8 rows (16 accumulators), A holding 8 values per k.  The AVX-512 build's 32 vector
 * registers hold them with the two B vectors and the broadcast, and it runs at the 6-row tile's speed
 * (~115 GFLOP/s on one Zen 4 core, L1-resident panels); the baseline and AVX2 builds (16 registers) would
 * spill, so refnn_tile_rows chooses it only under AVX-512.  Their builds exist so that every build
 * computes any tile (the same bits: each C element is still one running sum in ascending k). */
#define REFNN_UKERNEL8(ATTR, NAME, T, V, VU, L)                                             \
    static ATTR void NAME(long kc, const T *restrict A, const T *restrict B, long ldb,     \
                          const T *restrict init, T *restrict C, long ldc)                  \
    {                                                                                       \
        V c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, c60, c61, c70, c71;   \
        if (init) {                                                                         \
            c00 = c01 = (V){0} + init[0]; c10 = c11 = (V){0} + init[1];                     \
            c20 = c21 = (V){0} + init[2]; c30 = c31 = (V){0} + init[3];                     \
            c40 = c41 = (V){0} + init[4]; c50 = c51 = (V){0} + init[5];                     \
            c60 = c61 = (V){0} + init[6]; c70 = c71 = (V){0} + init[7];                     \
        } else {                                                                            \
            c00 = *(const VU *)(C + 0 * ldc); c01 = *(const VU *)(C + 0 * ldc + L);         \
            c10 = *(const VU *)(C + 1 * ldc); c11 = *(const VU *)(C + 1 * ldc + L);         \
            c20 = *(const VU *)(C + 2 * ldc); c21 = *(const VU *)(C + 2 * ldc + L);         \
            c30 = *(const VU *)(C + 3 * ldc); c31 = *(const VU *)(C + 3 * ldc + L);         \
            c40 = *(const VU *)(C + 4 * ldc); c41 = *(const VU *)(C + 4 * ldc + L);         \
            c50 = *(const VU *)(C + 5 * ldc); c51 = *(const VU *)(C + 5 * ldc + L);         \
            c60 = *(const VU *)(C + 6 * ldc); c61 = *(const VU *)(C + 6 * ldc + L);         \
            c70 = *(const VU *)(C + 7 * ldc); c71 = *(const VU *)(C + 7 * ldc + L);         \
        }                                                                                   \
        for (long k = 0; k < kc; k++) {                                                     \
            const V b0 = *(const VU *)(B), b1 = *(const VU *)(B + L);                       \
            T a;                                                                            \
            a = A[0]; c00 = c00 + b0 * a; c01 = c01 + b1 * a;                               \
            a = A[1]; c10 = c10 + b0 * a; c11 = c11 + b1 * a;                               \
            a = A[2]; c20 = c20 + b0 * a; c21 = c21 + b1 * a;                               \
            a = A[3]; c30 = c30 + b0 * a; c31 = c31 + b1 * a;                               \
            a = A[4]; c40 = c40 + b0 * a; c41 = c41 + b1 * a;                               \
            a = A[5]; c50 = c50 + b0 * a; c51 = c51 + b1 * a;                               \
            a = A[6]; c60 = c60 + b0 * a; c61 = c61 + b1 * a;                               \
            a = A[7]; c70 = c70 + b0 * a; c71 = c71 + b1 * a;                               \
            A += 8;                                                                         \
            B += ldb;                                                                       \
        }                                                                                   \
        *(VU *)(C + 0 * ldc) = c00; *(VU *)(C + 0 * ldc + L) = c01;                         \
        *(VU *)(C + 1 * ldc) = c10; *(VU *)(C + 1 * ldc + L) = c11;                         \
        *(VU *)(C + 2 * ldc) = c20; *(VU *)(C + 2 * ldc + L) = c21;                         \
        *(VU *)(C + 3 * ldc) = c30; *(VU *)(C + 3 * ldc + L) = c31;                         \
        *(VU *)(C + 4 * ldc) = c40; *(VU *)(C + 4 * ldc + L) = c41;                         \
        *(VU *)(C + 5 * ldc) = c50; *(VU *)(C + 5 * ldc + L) = c51;                         \
        *(VU *)(C + 6 * ldc) = c60; *(VU *)(C + 6 * ldc + L) = c61;                         \
        *(VU *)(C + 7 * ldc) = c70; *(VU *)(C + 7 * ldc + L) = c71;                         \
    }

/* One output row, 4 vectors wide (32 floats / 16 doubles), B rows found through an offset
 * table: C[j] = init + a[0]*src[koff[0] + j] + a[1]*src[koff[1] + j] + ..., k ascending.
 * For convolutions with few output channels per group (depthwise), where a 6-row tile
 * would be mostly empty. */
#define REFNN_ROWKERNEL(ATTR, NAME, T, V, VU, L)                                            \
    static ATTR void NAME(long kc, const T *restrict a, const T *restrict src,              \
                          const long *restrict koff, T init, T *restrict C)                 \
    {                                                                                       \
        V c0 = (V){0} + init, c1 = c0, c2 = c0, c3 = c0;                                    \
        for (long k = 0; k < kc; k++) {                                                     \
            const T *b = src + koff[k];                                                     \
            const T w = a[k];                                                               \
            c0 = c0 + *(const VU *)(b) * w;                                                 \
            c1 = c1 + *(const VU *)(b + L) * w;                                             \
            c2 = c2 + *(const VU *)(b + 2 * L) * w;                                         \
            c3 = c3 + *(const VU *)(b + 3 * L) * w;                                         \
        }                                                                                   \
        *(VU *)(C) = c0; *(VU *)(C + L) = c1; *(VU *)(C + 2 * L) = c2; *(VU *)(C + 3 * L) = c3; \
    }

REFNN_UKERNEL(, refnn_ukernel_f32_base, float, refnn_v8f, refnn_v8f_u, 8)
REFNN_UKERNEL(, refnn_ukernel_f64_base, double, refnn_v4d, refnn_v4d_u, 4)
REFNN_UKERNEL8(, refnn_ukernel8_f32_base, float, refnn_v8f, refnn_v8f_u, 8)
REFNN_UKERNEL8(, refnn_ukernel8_f64_base, double, refnn_v4d, refnn_v4d_u, 4)
REFNN_ROWKERNEL(, refnn_rowkernel_f32_base, float, refnn_v8f, refnn_v8f_u, 8)
REFNN_ROWKERNEL(, refnn_rowkernel_f64_base, double, refnn_v4d, refnn_v4d_u, 4)

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define REFNN_HAVE_AVX2_BUILD 1
#define REFNN_HAVE_AVX512_BUILD 1
/* x86-64-v4's AVX-512 subset; no FMA is requested and -ffp-contract=off forbids contraction anyway */
#define REFNN_AVX512_TARGET __attribute__((target("avx512f,avx512vl,avx512bw,avx512dq")))
REFNN_UKERNEL(REFNN_AVX512_TARGET, refnn_ukernel_f32_avx512, float, refnn_v8f, refnn_v8f_u, 8)
REFNN_UKERNEL(REFNN_AVX512_TARGET, refnn_ukernel_f64_avx512, double, refnn_v4d, refnn_v4d_u, 4)
REFNN_ROWKERNEL(REFNN_AVX512_TARGET, refnn_rowkernel_f32_avx512, float, refnn_v8f, refnn_v8f_u, 8)
REFNN_ROWKERNEL(REFNN_AVX512_TARGET, refnn_rowkernel_f64_avx512, double, refnn_v4d, refnn_v4d_u, 4)
REFNN_UKERNEL8(REFNN_AVX512_TARGET, refnn_ukernel8_f32_avx512, float, refnn_v8f, refnn_v8f_u, 8)
REFNN_UKERNEL8(REFNN_AVX512_TARGET, refnn_ukernel8_f64_avx512, double, refnn_v4d, refnn_v4d_u, 4)
REFNN_UKERNEL8(__attribute__((target("avx2"))), refnn_ukernel8_f32_avx2, float, refnn_v8f, refnn_v8f_u, 8)
REFNN_UKERNEL8(__attribute__((target("avx2"))), refnn_ukernel8_f64_avx2, double, refnn_v4d, refnn_v4d_u, 4)
REFNN_UKERNEL(__attribute__((target("avx2"))), refnn_ukernel_f32_avx2, float, refnn_v8f, refnn_v8f_u, 8)
REFNN_UKERNEL(__attribute__((target("avx2"))), refnn_ukernel_f64_avx2, double, refnn_v4d, refnn_v4d_u, 4)
REFNN_ROWKERNEL(__attribute__((target("avx2"))), refnn_rowkernel_f32_avx2, float, refnn_v8f, refnn_v8f_u, 8)
REFNN_ROWKERNEL(__attribute__((target("avx2"))), refnn_rowkernel_f64_avx2, double, refnn_v4d, refnn_v4d_u, 4)
#endif

static int refnn_conv_use_avx2 = 0, refnn_conv_use_avx512 = 0;

/* Choose the build: the best the CPU runs, up to max_level (0 baseline, 1 AVX2, 2 AVX-512;
 * REFNN_ISA sets it).  Returns the level chosen.  Every build performs the same IEEE operations
 * per element.  May be called again (tests switch builds in one process). */
static int refnn_conv_init(int max_level)
{
    int level = refnn_isa_choose(max_level);
    refnn_conv_use_avx2 = level == 1;
    refnn_conv_use_avx512 = level == 2;
    return level;
}

#ifdef REFNN_HAVE_AVX2_BUILD
#define REFNN_CONV_DISPATCH(NAME, ARGS)                                                     \
    if (refnn_conv_use_avx512) { NAME##_avx512 ARGS; return; }                              \
    if (refnn_conv_use_avx2) { NAME##_avx2 ARGS; return; }                                  \
    NAME##_base ARGS;
#else
#define REFNN_CONV_DISPATCH(NAME, ARGS) NAME##_base ARGS;
#endif

static inline void refnn_ukernel_f32(long kc, const float *A, const float *B, long ldb, const float *init, float *C, long ldc)
{
    REFNN_CONV_DISPATCH(refnn_ukernel_f32, (kc, A, B, ldb, init, C, ldc))
}

static inline void refnn_ukernel_f64(long kc, const double *A, const double *B, long ldb, const double *init, double *C, long ldc)
{
    REFNN_CONV_DISPATCH(refnn_ukernel_f64, (kc, A, B, ldb, init, C, ldc))
}

static inline void refnn_ukernel8_f32(long kc, const float *A, const float *B, long ldb, const float *init, float *C, long ldc)
{
    REFNN_CONV_DISPATCH(refnn_ukernel8_f32, (kc, A, B, ldb, init, C, ldc))
}

static inline void refnn_ukernel8_f64(long kc, const double *A, const double *B, long ldb, const double *init, double *C, long ldc)
{
    REFNN_CONV_DISPATCH(refnn_ukernel8_f64, (kc, A, B, ldb, init, C, ldc))
}

/* Rows per register tile for rows output rows: 8 under the AVX-512 build where 8-row tiles compute no
 * more rows than 6-row ones (32 channels: 32 rows instead of 36), else 6.  Only speed depends on it. */
static inline int refnn_tile_rows(long rows)
{
    if (refnn_conv_use_avx512 && (rows + 7) / 8 * 8 <= (rows + 5) / 6 * 6) return 8;
    return REFNN_MR;
}

static inline void refnn_rowkernel_f32(long kc, const float *a, const float *src, const long *koff, float init, float *C)
{
    REFNN_CONV_DISPATCH(refnn_rowkernel_f32, (kc, a, src, koff, init, C))
}

static inline void refnn_rowkernel_f64(long kc, const double *a, const double *src, const long *koff, double init, double *C)
{
    REFNN_CONV_DISPATCH(refnn_rowkernel_f64, (kc, a, src, koff, init, C))
}

/* Gather one B panel: dst[k*NR + j] = src[koff[k] + f0 + j], NR = two vectors per k, prefetching the
 * row 256 bytes on, REFNN_PACK_PF floats (the next panels' rows: with hundreds of rows from as many planes the
 * hardware prefetchers lose track).  Pure data movement; baseline, AVX2 and AVX-512 builds (the last
 * two move a row in two 32-byte loads instead of four 16-byte ones). */
#ifndef REFNN_PACK_PF
#define REFNN_PACK_PF 64
#endif
#define REFNN_PACK(ATTR, NAME, T, VU, L)                                                     \
    static ATTR void NAME(long kc, const T *restrict src, const long *restrict koff, long f0, \
                          T *restrict dst)                                                  \
    {                                                                                       \
        for (long k = 0; k < kc; k++) {                                                     \
            const T *p = src + koff[k] + f0;                                                \
            __builtin_prefetch(p + REFNN_PACK_PF * 4 / (long)sizeof(T), 0, 3);              \
            *(VU *)(dst + 2 * L * k) = *(const VU *)(p);                                    \
            *(VU *)(dst + 2 * L * k + L) = *(const VU *)(p + L);                            \
        }                                                                                   \
    }

REFNN_PACK(, refnn_pack_f32_base, float, refnn_v8f_u, 8)
REFNN_PACK(, refnn_pack_f64_base, double, refnn_v4d_u, 4)
#ifdef REFNN_HAVE_AVX2_BUILD
REFNN_PACK(__attribute__((target("avx2"))), refnn_pack_f32_avx2, float, refnn_v8f_u, 8)
REFNN_PACK(__attribute__((target("avx2"))), refnn_pack_f64_avx2, double, refnn_v4d_u, 4)
REFNN_PACK(REFNN_AVX512_TARGET, refnn_pack_f32_avx512, float, refnn_v8f_u, 8)
REFNN_PACK(REFNN_AVX512_TARGET, refnn_pack_f64_avx512, double, refnn_v4d_u, 4)
#endif

/* The same panel over two runs: dst[k*NR + j] = src[koff[k] + f1 + j] for j < a, src[koff[k] + f2 + j]
 * for a <= j < NR (NR = two vectors; a panel of valid output positions that crosses the end of an
 * output row).  Both runs are loaded whole and blended bitwise; every element read lies at or before the
 * panel's last position (f2 >= f1, f2 + NR - 1 its flat offset).  Pure data movement. */
typedef int refnn_v8i __attribute__((vector_size(32)));
typedef long long refnn_v4ll __attribute__((vector_size(32)));
#define REFNN_PACK2(ATTR, NAME, T, VU, VI, L, IDX)                                           \
    static ATTR void NAME(long kc, const T *restrict src, const long *restrict koff, long f1, \
                          long f2, long a, T *restrict dst)                                   \
    {                                                                                        \
        const VI idx0 = IDX, idx1 = idx0 + L, av = (VI){0} + (__typeof__(idx0[0]))a;         \
        const VI m0 = idx0 < av, m1 = idx1 < av;                                             \
        for (long k = 0; k < kc; k++) {                                                      \
            const T *p = src + koff[k] + f1, *q = src + koff[k] + f2;                        \
            __builtin_prefetch(q + REFNN_PACK_PF * 4 / (long)sizeof(T), 0, 3);               \
            const VI u0 = (VI) *(const VU *)(p), u1 = (VI) *(const VU *)(p + L);             \
            const VI w0 = (VI) *(const VU *)(q), w1 = (VI) *(const VU *)(q + L);             \
            *(VU *)(dst + 2 * L * k) = (VU)((u0 & m0) | (w0 & ~m0));                         \
            *(VU *)(dst + 2 * L * k + L) = (VU)((u1 & m1) | (w1 & ~m1));                     \
        }                                                                                    \
    }

#define REFNN_IDX8 ((refnn_v8i){0, 1, 2, 3, 4, 5, 6, 7})
#define REFNN_IDX4 ((refnn_v4ll){0, 1, 2, 3})
REFNN_PACK2(, refnn_pack2_f32_base, float, refnn_v8f_u, refnn_v8i, 8, REFNN_IDX8)
REFNN_PACK2(, refnn_pack2_f64_base, double, refnn_v4d_u, refnn_v4ll, 4, REFNN_IDX4)
#ifdef REFNN_HAVE_AVX2_BUILD
REFNN_PACK2(__attribute__((target("avx2"))), refnn_pack2_f32_avx2, float, refnn_v8f_u, refnn_v8i, 8, REFNN_IDX8)
REFNN_PACK2(__attribute__((target("avx2"))), refnn_pack2_f64_avx2, double, refnn_v4d_u, refnn_v4ll, 4, REFNN_IDX4)
REFNN_PACK2(REFNN_AVX512_TARGET, refnn_pack2_f32_avx512, float, refnn_v8f_u, refnn_v8i, 8, REFNN_IDX8)
REFNN_PACK2(REFNN_AVX512_TARGET, refnn_pack2_f64_avx512, double, refnn_v4d_u, refnn_v4ll, 4, REFNN_IDX4)
#endif

static inline void refnn_pack2_f32(long kc, const float *src, const long *koff, long f1, long f2, long a, float *dst)
{
    REFNN_CONV_DISPATCH(refnn_pack2_f32, (kc, src, koff, f1, f2, a, dst))
}

static inline void refnn_pack2_f64(long kc, const double *src, const long *koff, long f1, long f2, long a, double *dst)
{
    REFNN_CONV_DISPATCH(refnn_pack2_f64, (kc, src, koff, f1, f2, a, dst))
}

static inline void refnn_pack_f32(long kc, const float *src, const long *koff, long f0, float *dst)
{
    REFNN_CONV_DISPATCH(refnn_pack_f32, (kc, src, koff, f0, dst))
}

static inline void refnn_pack_f64(long kc, const double *src, const long *koff, long f0, double *dst)
{
    REFNN_CONV_DISPATCH(refnn_pack_f64, (kc, src, koff, f0, dst))
}

/* Copy rows of one panel together: dst[r*NR + j] = src[r*ld + j] for r < rows (NR = two vectors),
 * prefetching the next panels' rows (256 bytes on).  Pure data movement. */
static inline void refnn_rows_f32(long rows, const float *src, long ld, float *dst)
{
    for (long r = 0; r < rows; r++) {
        const float *p = src + r * ld;
        __builtin_prefetch(p + REFNN_PACK_PF, 0, 3);
        *(refnn_v8f_u *)(dst + 16 * r) = *(const refnn_v8f_u *)(p);
        *(refnn_v8f_u *)(dst + 16 * r + 8) = *(const refnn_v8f_u *)(p + 8);
    }
}

static inline void refnn_rows_f64(long rows, const double *src, long ld, double *dst)
{
    for (long r = 0; r < rows; r++) {
        const double *p = src + r * ld;
        __builtin_prefetch(p + REFNN_PACK_PF / 2, 0, 3);
        *(refnn_v4d_u *)(dst + 8 * r) = *(const refnn_v4d_u *)(p);
        *(refnn_v4d_u *)(dst + 8 * r + 4) = *(const refnn_v4d_u *)(p + 4);
    }
}

/* dst[i] = dst[i] + src[i] for i < n: one addition per element (the input gradient's col2im of a unit
 * stride row); the builds differ only in how many elements advance together. */
#define REFNN_ADDROW(ATTR, NAME, T)                                                          \
    static ATTR void NAME(long n, T *restrict dst, const T *restrict src)                    \
    {                                                                                        \
        for (long i = 0; i < n; i++) dst[i] = dst[i] + src[i];                               \
    }

REFNN_ADDROW(, refnn_addrow_f32_base, float)
REFNN_ADDROW(, refnn_addrow_f64_base, double)
#ifdef REFNN_HAVE_AVX2_BUILD
REFNN_ADDROW(__attribute__((target("avx2"))), refnn_addrow_f32_avx2, float)
REFNN_ADDROW(__attribute__((target("avx2"))), refnn_addrow_f64_avx2, double)
REFNN_ADDROW(REFNN_AVX512_TARGET, refnn_addrow_f32_avx512, float)
REFNN_ADDROW(REFNN_AVX512_TARGET, refnn_addrow_f64_avx512, double)
#endif

static inline void refnn_addrow_f32(long n, float *dst, const float *src)
{
    REFNN_CONV_DISPATCH(refnn_addrow_f32, (n, dst, src))
}

static inline void refnn_addrow_f64(long n, double *dst, const double *src)
{
    REFNN_CONV_DISPATCH(refnn_addrow_f64, (n, dst, src))
}

static inline void *refnn_aligned_alloc(size_t bytes)
{
    void *p = NULL;
    if (bytes == 0) bytes = 64;
    if (posix_memalign(&p, 64, bytes) != 0) return NULL;
    return p;
}

#endif
