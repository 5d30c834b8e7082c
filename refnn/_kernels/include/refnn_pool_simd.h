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

#endif
