/* grid_sample's bilinear / trilinear forward over one channel of a block of points
 * (refnn/_kernels/gridsample.pyx, _bilinear_fwd_block), baseline, AVX2 and AVX-512:
 *
 *   out[q] = 0 + v(0, q) * wt[q] + v(1, q) * wt[stride + q] + ... + v(taps - 1, q) * wt[(taps - 1) * stride + q]
 *
 * for 0 <= q < count, v(t, q) = plane[offset[t * stride + q]] where keep[t * stride + q] is -1 (all bits),
 * +0.0 where it is 0 (a tap outside: its offset is then 0).  The sum of each point starts from +0.0 and
 * adds its taps in order, as the specification loop does (a +0.0 term changes no sum that starts from +0.0).
 *
 * The baseline build loads every tap and clears the value's bits with the mask (no branch on where the
 * points fall); the AVX2 build gathers 8 floats (4 doubles) at a time with masked gathers, whose masked-off
 * lanes are +0.0 and read nothing; the AVX-512 build is the AVX2 source compiled for AVX-512 (the same
 * 32-byte vectors).  Multiplies and adds are the IEEE operations of the scalar loop, lane by lane, no FMA
 * (-ffp-contract=off), so every build gives the same bits (tests/test_gridsample_spec.py runs each).
 */
#ifndef REFNN_GRID_ROWS_H
#define REFNN_GRID_ROWS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "refnn_isa.h"

static inline float refnn_gs_keep_float(float v, int keep)
{
    uint32_t u;
    memcpy(&u, &v, sizeof u);
    u &= (uint32_t)keep;
    memcpy(&v, &u, sizeof v);
    return v;
}

static inline double refnn_gs_keep_double(double v, int keep)
{
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    u &= (uint64_t)(int64_t)keep;
    memcpy(&v, &u, sizeof v);
    return v;
}

#define REFNN_GS_FWD_SCALAR(T)                                                                        \
    static void refnn_gs_fwd_channel_##T##_base(const T *plane, const int *offset, const int *keep,   \
                                                const T *wt, T *out, ptrdiff_t count, int taps,       \
                                                ptrdiff_t stride)                                     \
    {                                                                                                 \
        if (taps == 4) {                  /* a 2-d point: the same sum, spelled out */                \
            for (ptrdiff_t q = 0; q < count; q++) {                                                   \
                T total = 0;                                                                          \
                total = total + refnn_gs_keep_##T(plane[offset[q]], keep[q]) * wt[q];                 \
                total = total + refnn_gs_keep_##T(plane[offset[stride + q]], keep[stride + q]) * wt[stride + q]; \
                total = total + refnn_gs_keep_##T(plane[offset[2 * stride + q]], keep[2 * stride + q]) * wt[2 * stride + q]; \
                total = total + refnn_gs_keep_##T(plane[offset[3 * stride + q]], keep[3 * stride + q]) * wt[3 * stride + q]; \
                out[q] = total;                                                                       \
            }                                                                                         \
            return;                                                                                   \
        }                                                                                             \
        for (ptrdiff_t q = 0; q < count; q++) {                                                       \
            T total = 0;                                                                              \
            for (int t = 0; t < taps; t++) {                                                          \
                ptrdiff_t i = t * stride + q;                                                         \
                total = total + refnn_gs_keep_##T(plane[offset[i]], keep[i]) * wt[i];                 \
            }                                                                                         \
            out[q] = total;                                                                           \
        }                                                                                             \
    }
REFNN_GS_FWD_SCALAR(float)
REFNN_GS_FWD_SCALAR(double)

#ifdef REFNN_ISA_X86
#include <immintrin.h>

#define REFNN_GS_FWD_SIMD(ATTR, SUFFIX)                                                               \
    static ATTR void refnn_gs_fwd_channel_float##SUFFIX(const float *plane, const int *offset,         \
                                                        const int *keep, const float *wt, float *out, \
                                                        ptrdiff_t count, int taps, ptrdiff_t stride)  \
    {                                                                                                 \
        ptrdiff_t q = 0;                                                                              \
        for (; q + 8 <= count; q += 8) {                                                              \
            __m256 total = _mm256_setzero_ps();                                                       \
            for (int t = 0; t < taps; t++) {                                                          \
                ptrdiff_t i = t * stride + q;                                                         \
                __m256i index = _mm256_loadu_si256((const __m256i *)(offset + i));                    \
                __m256 mask = _mm256_castsi256_ps(_mm256_loadu_si256((const __m256i *)(keep + i)));   \
                __m256 value = _mm256_mask_i32gather_ps(_mm256_setzero_ps(), plane, index, mask, 4);  \
                total = _mm256_add_ps(total, _mm256_mul_ps(value, _mm256_loadu_ps(wt + i)));          \
            }                                                                                         \
            _mm256_storeu_ps(out + q, total);                                                         \
        }                                                                                             \
        for (; q < count; q++) {                                                                      \
            float total = 0;                                                                          \
            for (int t = 0; t < taps; t++) {                                                          \
                ptrdiff_t i = t * stride + q;                                                         \
                total = total + refnn_gs_keep_float(plane[offset[i]], keep[i]) * wt[i];               \
            }                                                                                         \
            out[q] = total;                                                                           \
        }                                                                                             \
    }                                                                                                 \
    static ATTR void refnn_gs_fwd_channel_double##SUFFIX(const double *plane, const int *offset,       \
                                                         const int *keep, const double *wt,           \
                                                         double *out, ptrdiff_t count, int taps,      \
                                                         ptrdiff_t stride)                            \
    {                                                                                                 \
        ptrdiff_t q = 0;                                                                              \
        for (; q + 4 <= count; q += 4) {                                                              \
            __m256d total = _mm256_setzero_pd();                                                      \
            for (int t = 0; t < taps; t++) {                                                          \
                ptrdiff_t i = t * stride + q;                                                         \
                __m128i index = _mm_loadu_si128((const __m128i *)(offset + i));                       \
                __m256d mask = _mm256_castsi256_pd(                                                   \
                    _mm256_cvtepi32_epi64(_mm_loadu_si128((const __m128i *)(keep + i))));             \
                __m256d value = _mm256_mask_i32gather_pd(_mm256_setzero_pd(), plane, index, mask, 8); \
                total = _mm256_add_pd(total, _mm256_mul_pd(value, _mm256_loadu_pd(wt + i)));          \
            }                                                                                         \
            _mm256_storeu_pd(out + q, total);                                                         \
        }                                                                                             \
        for (; q < count; q++) {                                                                      \
            double total = 0;                                                                         \
            for (int t = 0; t < taps; t++) {                                                          \
                ptrdiff_t i = t * stride + q;                                                         \
                total = total + refnn_gs_keep_double(plane[offset[i]], keep[i]) * wt[i];              \
            }                                                                                         \
            out[q] = total;                                                                           \
        }                                                                                             \
    }

REFNN_GS_FWD_SIMD(REFNN_ISA_AVX2, _avx2)
REFNN_GS_FWD_SIMD(REFNN_ISA_AVX512, _avx512)
#endif

REFNN_ISA_LEVEL(refnn_gs_level, refnn_gs_init)

#ifdef REFNN_ISA_X86
#define REFNN_GS_DISPATCH(T)                                                                          \
    if (refnn_gs_level == 2) { refnn_gs_fwd_channel_##T##_avx512(plane, offset, keep, wt, out, count, taps, stride); return; } \
    if (refnn_gs_level == 1) { refnn_gs_fwd_channel_##T##_avx2(plane, offset, keep, wt, out, count, taps, stride); return; }
#else
#define REFNN_GS_DISPATCH(T)
#endif

static inline void refnn_gs_fwd_channel_float(const float *plane, const int *offset, const int *keep,
                                              const float *wt, float *out, ptrdiff_t count, int taps,
                                              ptrdiff_t stride)
{
    REFNN_GS_DISPATCH(float)
    refnn_gs_fwd_channel_float_base(plane, offset, keep, wt, out, count, taps, stride);
}

static inline void refnn_gs_fwd_channel_double(const double *plane, const int *offset, const int *keep,
                                               const double *wt, double *out, ptrdiff_t count, int taps,
                                               ptrdiff_t stride)
{
    REFNN_GS_DISPATCH(double)
    refnn_gs_fwd_channel_double_base(plane, offset, keep, wt, out, count, taps, stride);
}

#endif
