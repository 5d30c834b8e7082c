/* Few-row products for refnn's gemm (GCC vector extensions), B stored (N, K):
 *
 *   C[j] = 0 + a[0]*B[j*ldb + 0] + a[1]*B[j*ldb + 1] + ...   for j = 0 .. 2L-1, k ascending,
 *
 * one running sum per vector lane (lanes across output columns j).  B's rows are read L at a
 * time along k and transposed in registers, so lane j still adds its products one after the
 * other in ascending k, each product rounded then added (no FMA: -ffp-contract=off).  The
 * result is the specification loop's, bit for bit.  L = 8 floats / 4 doubles; two groups of L
 * columns advance together.  Baseline, AVX2 and AVX-512 builds of the same source (the last with
 * EVEX encodings and 32 registers, the same 32-byte vectors), chosen at run time with the
 * micro-kernels (refnn_conv_init).
 */
#ifndef REFNN_GEMM_ROWDOT_H
#define REFNN_GEMM_ROWDOT_H

#include "conv_ukernel.h"

typedef int refnn_v8i __attribute__((vector_size(32)));
typedef long long refnn_v4l __attribute__((vector_size(32)));

/* t_i[j] = r_j[i]: 8 x 8 floats */
#define REFNN_T8(r0, r1, r2, r3, r4, r5, r6, r7, t)                                          \
    do {                                                                                     \
        const refnn_v8i lo = {0, 8, 1, 9, 4, 12, 5, 13}, hi = {2, 10, 3, 11, 6, 14, 7, 15};  \
        const refnn_v8i lo2 = {0, 1, 8, 9, 4, 5, 12, 13}, hi2 = {2, 3, 10, 11, 6, 7, 14, 15}; \
        const refnn_v8i lo4 = {0, 1, 2, 3, 8, 9, 10, 11}, hi4 = {4, 5, 6, 7, 12, 13, 14, 15}; \
        refnn_v8f u0 = __builtin_shuffle(r0, r1, lo), u1 = __builtin_shuffle(r0, r1, hi);   \
        refnn_v8f u2 = __builtin_shuffle(r2, r3, lo), u3 = __builtin_shuffle(r2, r3, hi);   \
        refnn_v8f u4 = __builtin_shuffle(r4, r5, lo), u5 = __builtin_shuffle(r4, r5, hi);   \
        refnn_v8f u6 = __builtin_shuffle(r6, r7, lo), u7 = __builtin_shuffle(r6, r7, hi);   \
        refnn_v8f v0 = __builtin_shuffle(u0, u2, lo2), v1 = __builtin_shuffle(u0, u2, hi2); \
        refnn_v8f v2 = __builtin_shuffle(u1, u3, lo2), v3 = __builtin_shuffle(u1, u3, hi2); \
        refnn_v8f v4 = __builtin_shuffle(u4, u6, lo2), v5 = __builtin_shuffle(u4, u6, hi2); \
        refnn_v8f v6 = __builtin_shuffle(u5, u7, lo2), v7 = __builtin_shuffle(u5, u7, hi2); \
        t[0] = __builtin_shuffle(v0, v4, lo4); t[4] = __builtin_shuffle(v0, v4, hi4);       \
        t[1] = __builtin_shuffle(v1, v5, lo4); t[5] = __builtin_shuffle(v1, v5, hi4);       \
        t[2] = __builtin_shuffle(v2, v6, lo4); t[6] = __builtin_shuffle(v2, v6, hi4);       \
        t[3] = __builtin_shuffle(v3, v7, lo4); t[7] = __builtin_shuffle(v3, v7, hi4);       \
    } while (0)

#define REFNN_ROWDOT_F32(ATTR, NAME)                                                         \
    static ATTR void NAME(long K, const float *restrict a, const float *restrict B, long ldb, \
                          float *restrict C)                                                 \
    {                                                                                        \
        refnn_v8f c0 = (refnn_v8f){0}, c1 = (refnn_v8f){0};                                  \
        refnn_v8f t[8], s[8];                                                                \
        long k = 0;                                                                          \
        for (; k + 8 <= K; k += 8) {                                                         \
            const float *p = B + k;                                                          \
            REFNN_T8(*(const refnn_v8f_u *)(p), *(const refnn_v8f_u *)(p + ldb),             \
                     *(const refnn_v8f_u *)(p + 2 * ldb), *(const refnn_v8f_u *)(p + 3 * ldb), \
                     *(const refnn_v8f_u *)(p + 4 * ldb), *(const refnn_v8f_u *)(p + 5 * ldb), \
                     *(const refnn_v8f_u *)(p + 6 * ldb), *(const refnn_v8f_u *)(p + 7 * ldb), t); \
            p = B + 8 * ldb + k;                                                             \
            REFNN_T8(*(const refnn_v8f_u *)(p), *(const refnn_v8f_u *)(p + ldb),             \
                     *(const refnn_v8f_u *)(p + 2 * ldb), *(const refnn_v8f_u *)(p + 3 * ldb), \
                     *(const refnn_v8f_u *)(p + 4 * ldb), *(const refnn_v8f_u *)(p + 5 * ldb), \
                     *(const refnn_v8f_u *)(p + 6 * ldb), *(const refnn_v8f_u *)(p + 7 * ldb), s); \
            for (int i = 0; i < 8; i++) {                                                    \
                c0 = c0 + t[i] * a[k + i];                                                   \
                c1 = c1 + s[i] * a[k + i];                                                   \
            }                                                                                \
        }                                                                                    \
        *(refnn_v8f_u *)(C) = c0; *(refnn_v8f_u *)(C + 8) = c1;                             \
        for (int j = 0; j < 16; j++)                                                         \
            for (long kk = k; kk < K; kk++)                                                  \
                C[j] = C[j] + a[kk] * B[j * ldb + kk];                                       \
    }

#define REFNN_ROWDOT_F64(ATTR, NAME)                                                         \
    static ATTR void NAME(long K, const double *restrict a, const double *restrict B, long ldb, \
                          double *restrict C)                                                \
    {                                                                                        \
        const refnn_v4l lo = {0, 4, 2, 6}, hi = {1, 5, 3, 7}, lo2 = {0, 1, 4, 5}, hi2 = {2, 3, 6, 7}; \
        refnn_v4d c0 = (refnn_v4d){0}, c1 = (refnn_v4d){0};                                  \
        long k = 0;                                                                          \
        for (; k + 4 <= K; k += 4) {                                                         \
            for (int g = 0; g < 2; g++) {                                                    \
                const double *p = B + 4 * g * ldb + k;                                       \
                refnn_v4d r0 = *(const refnn_v4d_u *)(p), r1 = *(const refnn_v4d_u *)(p + ldb); \
                refnn_v4d r2 = *(const refnn_v4d_u *)(p + 2 * ldb), r3 = *(const refnn_v4d_u *)(p + 3 * ldb); \
                refnn_v4d u0 = __builtin_shuffle(r0, r1, lo), u1 = __builtin_shuffle(r0, r1, hi); \
                refnn_v4d u2 = __builtin_shuffle(r2, r3, lo), u3 = __builtin_shuffle(r2, r3, hi); \
                refnn_v4d t0 = __builtin_shuffle(u0, u2, lo2), t2 = __builtin_shuffle(u0, u2, hi2); \
                refnn_v4d t1 = __builtin_shuffle(u1, u3, lo2), t3 = __builtin_shuffle(u1, u3, hi2); \
                refnn_v4d c = g ? c1 : c0;                                                   \
                c = c + t0 * a[k]; c = c + t1 * a[k + 1]; c = c + t2 * a[k + 2]; c = c + t3 * a[k + 3]; \
                if (g) c1 = c; else c0 = c;                                                  \
            }                                                                                \
        }                                                                                    \
        *(refnn_v4d_u *)(C) = c0; *(refnn_v4d_u *)(C + 4) = c1;                             \
        for (int j = 0; j < 8; j++)                                                          \
            for (long kk = k; kk < K; kk++)                                                  \
                C[j] = C[j] + a[kk] * B[j * ldb + kk];                                       \
    }

REFNN_ROWDOT_F32(, refnn_rowdot_f32_base)
REFNN_ROWDOT_F64(, refnn_rowdot_f64_base)
#ifdef REFNN_HAVE_AVX2_BUILD
REFNN_ROWDOT_F32(__attribute__((target("avx2"))), refnn_rowdot_f32_avx2)
REFNN_ROWDOT_F64(__attribute__((target("avx2"))), refnn_rowdot_f64_avx2)
REFNN_ROWDOT_F32(REFNN_AVX512_TARGET, refnn_rowdot_f32_avx512)
REFNN_ROWDOT_F64(REFNN_AVX512_TARGET, refnn_rowdot_f64_avx512)
#endif

static inline void refnn_rowdot_f32(long K, const float *a, const float *B, long ldb, float *C)
{
    REFNN_CONV_DISPATCH(refnn_rowdot_f32, (K, a, B, ldb, C))
}

static inline void refnn_rowdot_f64(long K, const double *a, const double *B, long ldb, double *C)
{
    REFNN_CONV_DISPATCH(refnn_rowdot_f64, (K, a, B, ldb, C))
}

#endif
