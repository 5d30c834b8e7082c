/* Packing of a B panel stored (N, K) for refnn's gemm: pure data movement (no arithmetic, so no
 * effect on any result bit), transposed in registers instead of element by element:
 *
 *   dst[k*NR + j] = src[j*ld + k]   for j < NR (16 floats / 8 doubles), k < ks.
 *
 * Floats go 8 x 8 at a time (REFNN_T8), doubles 4 x 4; the k tail element by element.  The same
 * for an A panel stored (M, K) (Linear's input):
 *
 *   dst[k*MR + i] = src[i*ld + k]   for i < MR (6), k < ks,
 *
 * floats 8 k at a time (rows 4 and 5 loaded twice to fill the 8 x 8 transpose, 6 lanes stored),
 * doubles 4 k at a time (rows 0-3 transposed, rows 4-5 element by element).  Baseline, AVX2 and
 * AVX-512 builds of the same source, chosen with the micro-kernels (refnn_conv_init).
 */
#ifndef REFNN_GEMM_PACK_H
#define REFNN_GEMM_PACK_H

#include "gemm_rowdot.h"

#define REFNN_PACK_NK_F32(ATTR, NAME)                                                        \
    static ATTR void NAME(long ks, const float *restrict src, long ld, float *restrict dst)  \
    {                                                                                        \
        refnn_v8f t[8];                                                                      \
        long k = 0;                                                                          \
        for (; k + 8 <= ks; k += 8) {                                                        \
            for (int h = 0; h < 2; h++) {                                                    \
                const float *p = src + 8 * h * ld + k;                                       \
                REFNN_T8(*(const refnn_v8f_u *)(p), *(const refnn_v8f_u *)(p + ld),          \
                         *(const refnn_v8f_u *)(p + 2 * ld), *(const refnn_v8f_u *)(p + 3 * ld), \
                         *(const refnn_v8f_u *)(p + 4 * ld), *(const refnn_v8f_u *)(p + 5 * ld), \
                         *(const refnn_v8f_u *)(p + 6 * ld), *(const refnn_v8f_u *)(p + 7 * ld), t); \
                for (int i = 0; i < 8; i++)                                                  \
                    *(refnn_v8f_u *)(dst + (k + i) * 16 + 8 * h) = t[i];                     \
            }                                                                                \
        }                                                                                    \
        for (; k < ks; k++)                                                                  \
            for (int j = 0; j < 16; j++)                                                     \
                dst[k * 16 + j] = src[j * ld + k];                                           \
    }

#define REFNN_PACK_NK_F64(ATTR, NAME)                                                        \
    static ATTR void NAME(long ks, const double *restrict src, long ld, double *restrict dst) \
    {                                                                                        \
        const refnn_v4l lo = {0, 4, 2, 6}, hi = {1, 5, 3, 7}, lo2 = {0, 1, 4, 5}, hi2 = {2, 3, 6, 7}; \
        long k = 0;                                                                          \
        for (; k + 4 <= ks; k += 4) {                                                        \
            for (int g = 0; g < 2; g++) {                                                    \
                const double *p = src + 4 * g * ld + k;                                      \
                refnn_v4d r0 = *(const refnn_v4d_u *)(p), r1 = *(const refnn_v4d_u *)(p + ld); \
                refnn_v4d r2 = *(const refnn_v4d_u *)(p + 2 * ld), r3 = *(const refnn_v4d_u *)(p + 3 * ld); \
                refnn_v4d u0 = __builtin_shuffle(r0, r1, lo), u1 = __builtin_shuffle(r0, r1, hi); \
                refnn_v4d u2 = __builtin_shuffle(r2, r3, lo), u3 = __builtin_shuffle(r2, r3, hi); \
                *(refnn_v4d_u *)(dst + k * 8 + 4 * g) = __builtin_shuffle(u0, u2, lo2);        \
                *(refnn_v4d_u *)(dst + (k + 1) * 8 + 4 * g) = __builtin_shuffle(u1, u3, lo2);  \
                *(refnn_v4d_u *)(dst + (k + 2) * 8 + 4 * g) = __builtin_shuffle(u0, u2, hi2);  \
                *(refnn_v4d_u *)(dst + (k + 3) * 8 + 4 * g) = __builtin_shuffle(u1, u3, hi2);  \
            }                                                                                \
        }                                                                                    \
        for (; k < ks; k++)                                                                  \
            for (int j = 0; j < 8; j++)                                                      \
                dst[k * 8 + j] = src[j * ld + k];                                            \
    }

#define REFNN_PACK_MK_F32(ATTR, NAME)                                                        \
    static ATTR void NAME(long ks, const float *restrict src, long ld, float *restrict dst)  \
    {                                                                                        \
        refnn_v8f t[8];                                                                      \
        long k = 0;                                                                          \
        for (; k + 8 <= ks; k += 8) {                                                        \
            const float *p = src + k;                                                        \
            REFNN_T8(*(const refnn_v8f_u *)(p), *(const refnn_v8f_u *)(p + ld),              \
                     *(const refnn_v8f_u *)(p + 2 * ld), *(const refnn_v8f_u *)(p + 3 * ld), \
                     *(const refnn_v8f_u *)(p + 4 * ld), *(const refnn_v8f_u *)(p + 5 * ld), \
                     *(const refnn_v8f_u *)(p + 4 * ld), *(const refnn_v8f_u *)(p + 5 * ld), t); \
            for (int i = 0; i < 8; i++)                                                      \
                memcpy(dst + (k + i) * 6, &t[i], 6 * sizeof(float));                         \
        }                                                                                    \
        for (; k < ks; k++)                                                                  \
            for (int i = 0; i < 6; i++)                                                      \
                dst[k * 6 + i] = src[i * ld + k];                                            \
    }

#define REFNN_PACK_MK_F64(ATTR, NAME)                                                        \
    static ATTR void NAME(long ks, const double *restrict src, long ld, double *restrict dst) \
    {                                                                                        \
        const refnn_v4l lo = {0, 4, 2, 6}, hi = {1, 5, 3, 7}, lo2 = {0, 1, 4, 5}, hi2 = {2, 3, 6, 7}; \
        long k = 0;                                                                          \
        for (; k + 4 <= ks; k += 4) {                                                        \
            const double *p = src + k;                                                       \
            refnn_v4d r0 = *(const refnn_v4d_u *)(p), r1 = *(const refnn_v4d_u *)(p + ld);  \
            refnn_v4d r2 = *(const refnn_v4d_u *)(p + 2 * ld), r3 = *(const refnn_v4d_u *)(p + 3 * ld); \
            refnn_v4d u0 = __builtin_shuffle(r0, r1, lo), u1 = __builtin_shuffle(r0, r1, hi); \
            refnn_v4d u2 = __builtin_shuffle(r2, r3, lo), u3 = __builtin_shuffle(r2, r3, hi); \
            *(refnn_v4d_u *)(dst + k * 6) = __builtin_shuffle(u0, u2, lo2);                  \
            *(refnn_v4d_u *)(dst + (k + 1) * 6) = __builtin_shuffle(u1, u3, lo2);            \
            *(refnn_v4d_u *)(dst + (k + 2) * 6) = __builtin_shuffle(u0, u2, hi2);            \
            *(refnn_v4d_u *)(dst + (k + 3) * 6) = __builtin_shuffle(u1, u3, hi2);            \
            for (int j = 0; j < 4; j++) {                                                    \
                dst[(k + j) * 6 + 4] = p[4 * ld + j];                                        \
                dst[(k + j) * 6 + 5] = p[5 * ld + j];                                        \
            }                                                                                \
        }                                                                                    \
        for (; k < ks; k++)                                                                  \
            for (int i = 0; i < 6; i++)                                                      \
                dst[k * 6 + i] = src[i * ld + k];                                            \
    }

/* The A panel of the convolution's weight gradient: six taps' rows, read through position offsets,
 * transposed: dst[p*6 + i] = base[off[i] + poff[p]] for p < n, i < 6.  Where 8 positions lie in a row
 * (poff[p+7] - poff[p] == 7) they go 8 x 8 through REFNN_T8 (rows 4 and 5 loaded twice, 6 lanes
 * stored), else one by one.  Pure data movement. */
#define REFNN_GATHER6_F32(ATTR, NAME)                                                        \
    static ATTR void NAME(long n, const float *restrict base, const long *restrict off,      \
                          const long *restrict poff, float *restrict dst)                    \
    {                                                                                        \
        refnn_v8f t[8];                                                                      \
        const float *r0 = base + off[0], *r1 = base + off[1], *r2 = base + off[2];           \
        const float *r3 = base + off[3], *r4 = base + off[4], *r5 = base + off[5];           \
        long p = 0;                                                                          \
        while (p < n) {                                                                      \
            if (p + 8 <= n && poff[p + 7] - poff[p] == 7) {                                  \
                const long q = poff[p];                                                      \
                REFNN_T8(*(const refnn_v8f_u *)(r0 + q), *(const refnn_v8f_u *)(r1 + q),     \
                         *(const refnn_v8f_u *)(r2 + q), *(const refnn_v8f_u *)(r3 + q),     \
                         *(const refnn_v8f_u *)(r4 + q), *(const refnn_v8f_u *)(r5 + q),     \
                         *(const refnn_v8f_u *)(r4 + q), *(const refnn_v8f_u *)(r5 + q), t); \
                for (int i = 0; i < 8; i++)                                                  \
                    memcpy(dst + (p + i) * 6, &t[i], 6 * sizeof(float));                     \
                p += 8;                                                                      \
            } else {                                                                         \
                const long q = poff[p];                                                      \
                dst[p * 6 + 0] = r0[q]; dst[p * 6 + 1] = r1[q]; dst[p * 6 + 2] = r2[q];      \
                dst[p * 6 + 3] = r3[q]; dst[p * 6 + 4] = r4[q]; dst[p * 6 + 5] = r5[q];      \
                p += 1;                                                                      \
            }                                                                                \
        }                                                                                    \
    }

/* The same for eight taps (the AVX-512 build's 8-row tiles): dst[p*8 + i] = base[off[i] + poff[p]], i < 8;
 * a full 8 x 8 transpose per 8 positions in a row, 32-byte stores.  Pure data movement. */
#define REFNN_GATHER8_F32(ATTR, NAME)                                                        \
    static ATTR void NAME(long n, const float *restrict base, const long *restrict off,      \
                          const long *restrict poff, float *restrict dst)                    \
    {                                                                                        \
        refnn_v8f t[8];                                                                      \
        const float *r0 = base + off[0], *r1 = base + off[1], *r2 = base + off[2];           \
        const float *r3 = base + off[3], *r4 = base + off[4], *r5 = base + off[5];           \
        const float *r6 = base + off[6], *r7 = base + off[7];                                \
        long p = 0;                                                                          \
        while (p < n) {                                                                      \
            const long q = poff[p];                                                          \
            if (p + 8 <= n && poff[p + 7] - q == 7) {                                        \
                REFNN_T8(*(const refnn_v8f_u *)(r0 + q), *(const refnn_v8f_u *)(r1 + q),     \
                         *(const refnn_v8f_u *)(r2 + q), *(const refnn_v8f_u *)(r3 + q),     \
                         *(const refnn_v8f_u *)(r4 + q), *(const refnn_v8f_u *)(r5 + q),     \
                         *(const refnn_v8f_u *)(r6 + q), *(const refnn_v8f_u *)(r7 + q), t); \
                for (int i = 0; i < 8; i++)                                                  \
                    *(refnn_v8f_u *)(dst + (p + i) * 8) = t[i];                              \
                p += 8;                                                                      \
            } else {                                                                         \
                dst[p * 8 + 0] = r0[q]; dst[p * 8 + 1] = r1[q]; dst[p * 8 + 2] = r2[q];      \
                dst[p * 8 + 3] = r3[q]; dst[p * 8 + 4] = r4[q]; dst[p * 8 + 5] = r5[q];      \
                dst[p * 8 + 6] = r6[q]; dst[p * 8 + 7] = r7[q];                              \
                p += 1;                                                                      \
            }                                                                                \
        }                                                                                    \
    }

REFNN_GATHER8_F32(, refnn_gather8_f32_base)
#ifdef REFNN_HAVE_AVX2_BUILD
REFNN_GATHER8_F32(__attribute__((target("avx2"))), refnn_gather8_f32_avx2)
REFNN_GATHER8_F32(REFNN_AVX512_TARGET, refnn_gather8_f32_avx512)
#endif

static inline void refnn_gather8_f32(long n, const float *base, const long *off, const long *poff, float *dst)
{
    REFNN_CONV_DISPATCH(refnn_gather8_f32, (n, base, off, poff, dst))
}

REFNN_GATHER6_F32(, refnn_gather6_f32_base)
#ifdef REFNN_HAVE_AVX2_BUILD
REFNN_GATHER6_F32(__attribute__((target("avx2"))), refnn_gather6_f32_avx2)
REFNN_GATHER6_F32(REFNN_AVX512_TARGET, refnn_gather6_f32_avx512)
#endif

static inline void refnn_gather6_f32(long n, const float *base, const long *off, const long *poff, float *dst)
{
    REFNN_CONV_DISPATCH(refnn_gather6_f32, (n, base, off, poff, dst))
}

REFNN_PACK_NK_F32(, refnn_pack_nk_f32_base)
REFNN_PACK_NK_F64(, refnn_pack_nk_f64_base)
REFNN_PACK_MK_F32(, refnn_pack_mk_f32_base)
REFNN_PACK_MK_F64(, refnn_pack_mk_f64_base)
#ifdef REFNN_HAVE_AVX2_BUILD
REFNN_PACK_NK_F32(__attribute__((target("avx2"))), refnn_pack_nk_f32_avx2)
REFNN_PACK_NK_F64(__attribute__((target("avx2"))), refnn_pack_nk_f64_avx2)
REFNN_PACK_NK_F32(REFNN_AVX512_TARGET, refnn_pack_nk_f32_avx512)
REFNN_PACK_NK_F64(REFNN_AVX512_TARGET, refnn_pack_nk_f64_avx512)
REFNN_PACK_MK_F32(__attribute__((target("avx2"))), refnn_pack_mk_f32_avx2)
REFNN_PACK_MK_F64(__attribute__((target("avx2"))), refnn_pack_mk_f64_avx2)
REFNN_PACK_MK_F32(REFNN_AVX512_TARGET, refnn_pack_mk_f32_avx512)
REFNN_PACK_MK_F64(REFNN_AVX512_TARGET, refnn_pack_mk_f64_avx512)
#endif

static inline void refnn_pack_nk_f32(long ks, const float *src, long ld, float *dst)
{
    REFNN_CONV_DISPATCH(refnn_pack_nk_f32, (ks, src, ld, dst))
}

static inline void refnn_pack_nk_f64(long ks, const double *src, long ld, double *dst)
{
    REFNN_CONV_DISPATCH(refnn_pack_nk_f64, (ks, src, ld, dst))
}

static inline void refnn_pack_mk_f32(long ks, const float *src, long ld, float *dst)
{
    REFNN_CONV_DISPATCH(refnn_pack_mk_f32, (ks, src, ld, dst))
}

static inline void refnn_pack_mk_f64(long ks, const double *src, long ld, double *dst)
{
    REFNN_CONV_DISPATCH(refnn_pack_mk_f64, (ks, src, ld, dst))
}

#endif
