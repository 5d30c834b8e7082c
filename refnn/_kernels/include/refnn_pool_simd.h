/* Plane sums for global average pooling, 8 float32 planes at a time.
 *
 * sums[j] = x[j*n + 0] + x[j*n + 1] + ... + x[j*n + n-1], added in that order from 0,
 * for the 8 planes j = 0..7 that lie n floats apart.  This is exactly the plain loop's
 * order: each SIMD lane holds one plane's running sum (planes across lanes, never a
 * plane split across lanes), so the bits equal the scalar loop's.  A 4x4 transpose
 * turns 4 consecutive values of 4 planes into 4 vectors of one position each.
 * Without SSE the scalar loop runs.  No FMA: additions only.
 */
#ifndef REFNN_POOL_SIMD_H
#define REFNN_POOL_SIMD_H

#include <stddef.h>
#if defined(__SSE__)
#include <xmmintrin.h>
#endif

static inline void refnn_plane_sums_f32x8(const float *x, ptrdiff_t n, float *sums)
{
#if defined(__SSE__)
    __m128 acc0 = _mm_setzero_ps(), acc1 = _mm_setzero_ps();
    const float *p0 = x, *p1 = x + n, *p2 = x + 2 * n, *p3 = x + 3 * n;
    const float *p4 = x + 4 * n, *p5 = x + 5 * n, *p6 = x + 6 * n, *p7 = x + 7 * n;
    ptrdiff_t i = 0;
    for (; i + 4 <= n; i += 4) {
        __m128 a0 = _mm_loadu_ps(p0 + i), a1 = _mm_loadu_ps(p1 + i);
        __m128 a2 = _mm_loadu_ps(p2 + i), a3 = _mm_loadu_ps(p3 + i);
        __m128 b0 = _mm_loadu_ps(p4 + i), b1 = _mm_loadu_ps(p5 + i);
        __m128 b2 = _mm_loadu_ps(p6 + i), b3 = _mm_loadu_ps(p7 + i);
        _MM_TRANSPOSE4_PS(a0, a1, a2, a3);
        _MM_TRANSPOSE4_PS(b0, b1, b2, b3);
        acc0 = _mm_add_ps(acc0, a0); acc1 = _mm_add_ps(acc1, b0);
        acc0 = _mm_add_ps(acc0, a1); acc1 = _mm_add_ps(acc1, b1);
        acc0 = _mm_add_ps(acc0, a2); acc1 = _mm_add_ps(acc1, b2);
        acc0 = _mm_add_ps(acc0, a3); acc1 = _mm_add_ps(acc1, b3);
    }
    for (; i < n; i++) {
        acc0 = _mm_add_ps(acc0, _mm_set_ps(p3[i], p2[i], p1[i], p0[i]));
        acc1 = _mm_add_ps(acc1, _mm_set_ps(p7[i], p6[i], p5[i], p4[i]));
    }
    _mm_storeu_ps(sums, acc0);
    _mm_storeu_ps(sums + 4, acc1);
#else
    float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    for (ptrdiff_t i = 0; i < n; i++)
        for (int j = 0; j < 8; j++)
            acc[j] = acc[j] + x[j * n + i];
    for (int j = 0; j < 8; j++)
        sums[j] = acc[j];
#endif
}

/* 32 float32 planes at a time, AVX2 and AVX-512 builds (refnn_isa.h; the same 32-byte source): four
 * groups of 8 planes, each group's running sums in the 8 lanes of one vector, the same additions in
 * the same order as above (each plane from 0, its values ascending).  4 consecutive values of planes
 * k and k + 4 share a vector (a 16-byte load and a 16-byte broadcast load, blended); a 4 x 4 transpose
 * in each half turns 4 such vectors into 4 vectors of one position each; the four groups' sums are four
 * independent chains of additions (one group alone waits on the add latency: one chain of 49 adds per
 * 8 planes of 7 x 7 was the whole cost of the 8-plane SSE loop).  The baseline build has no such loop
 * (refnn_plane_sums_f32x32 returns 0 and the caller runs the 8-plane one). */
#include "refnn_isa.h"
#ifdef REFNN_ISA_X86
#include <immintrin.h>
#define REFNN_POOL_SUMS32(ATTR, SUFFIX)                                                                \
    static ATTR void refnn_plane_sums_f32x32##SUFFIX(const float *x, ptrdiff_t n, float *sums)         \
    {                                                                                                  \
        __m256 acc[4];                                                                                 \
        ptrdiff_t i = 0;                                                                               \
        int g, r;                                                                                      \
        for (g = 0; g < 4; g++) acc[g] = _mm256_setzero_ps();                                          \
        const char *next = (const char *)(x + 32 * n);  /* the next 32 planes: 2 lines a step */      \
        for (; i + 4 <= n; i += 4) {                                                                   \
            for (g = 0; g < 4; g++) {                                                                  \
                const float *p = x + (ptrdiff_t)8 * g * n + i;                                         \
                _mm_prefetch(next, _MM_HINT_T0);                                                       \
                _mm_prefetch(next + 64, _MM_HINT_T0);                                                  \
                next += 128;                                                                           \
                /* row k: values i .. i + 3 of plane k in the low half, of plane k + 4 in the high */  \
                __m256 r0 = _mm256_blend_ps(_mm256_castps128_ps256(_mm_loadu_ps(p)),                  \
                                            _mm256_broadcast_ps((const __m128 *)(p + 4 * n)), 0xF0);   \
                __m256 r1 = _mm256_blend_ps(_mm256_castps128_ps256(_mm_loadu_ps(p + n)),              \
                                            _mm256_broadcast_ps((const __m128 *)(p + 5 * n)), 0xF0);   \
                __m256 r2 = _mm256_blend_ps(_mm256_castps128_ps256(_mm_loadu_ps(p + 2 * n)),          \
                                            _mm256_broadcast_ps((const __m128 *)(p + 6 * n)), 0xF0);   \
                __m256 r3 = _mm256_blend_ps(_mm256_castps128_ps256(_mm_loadu_ps(p + 3 * n)),          \
                                            _mm256_broadcast_ps((const __m128 *)(p + 7 * n)), 0xF0);   \
                __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);               \
                __m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);               \
                __m256 a = acc[g];                                                                     \
                a = _mm256_add_ps(a, _mm256_shuffle_ps(t0, t2, 0x44));        /* position i */        \
                a = _mm256_add_ps(a, _mm256_shuffle_ps(t0, t2, 0xEE));        /* i + 1 */             \
                a = _mm256_add_ps(a, _mm256_shuffle_ps(t1, t3, 0x44));        /* i + 2 */             \
                a = _mm256_add_ps(a, _mm256_shuffle_ps(t1, t3, 0xEE));        /* i + 3 */             \
                acc[g] = a;                                                                            \
            }                                                                                          \
        }                                                                                              \
        for (; i < n; i++)                                                                             \
            for (g = 0; g < 4; g++) {                                                                  \
                const float *p = x + (ptrdiff_t)8 * g * n + i;                                         \
                acc[g] = _mm256_add_ps(acc[g], _mm256_setr_ps(p[0], p[n], p[2 * n], p[3 * n], p[4 * n], \
                                                              p[5 * n], p[6 * n], p[7 * n]));          \
            }                                                                                          \
        for (g = 0; g < 4; g++) _mm256_storeu_ps(sums + 8 * g, acc[g]);                                \
        (void)r;                                                                                       \
    }
REFNN_POOL_SUMS32(REFNN_ISA_AVX2, _avx2)
REFNN_POOL_SUMS32(REFNN_ISA_AVX512, _avx512)
#endif

REFNN_ISA_LEVEL(refnn_pool_level, refnn_pool_init)

/* sums[j] for the 32 planes j = 0..31 that lie n floats apart: 1 when done, 0 in the baseline build. */
static inline int refnn_plane_sums_f32x32(const float *x, ptrdiff_t n, float *sums)
{
#ifdef REFNN_ISA_X86
    if (refnn_pool_level == 2) { refnn_plane_sums_f32x32_avx512(x, n, sums); return 1; }
    if (refnn_pool_level == 1) { refnn_plane_sums_f32x32_avx2(x, n, sums); return 1; }
#endif
    (void)x; (void)n; (void)sums;
    return 0;
}

#endif
