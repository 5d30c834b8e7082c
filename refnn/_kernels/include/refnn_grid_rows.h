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

/* A block's taps, float32, padding zeros (0) or border (1), 8 points at a time: the bits of gridsample.pyx's
 * _block_taps (which the baseline build, float64 and reflection padding run), lane by lane:
 *   position = unnormalise (align: ((c + 1) / 2) * (size - 1); else ((c + 1) * size - 1) / 2, in double as
 *   Cython's double literals make it, then rounded to float once), then border's
 *   clip (<= 0 -> 0, >= size - 1 or NaN -> size - 1, derivative 0 there), then a position that is NaN or
 *   outside [-2^31, 2^31) becomes -100 (_downgrade's x > 2^31 - 2 and x < -2^31 - 1, as float compares);
 *   x0 = floor(x) as an int, e = float(x0 + 1) - x, f = x - float(x0), weight = (X * Y) * Z of the e / f
 *   factors (a 2-d point: iz = 0, so Z = 1 - 0 = 1 and the tap's weight is X * Y, exactly as (X * Y) * 1).
 * Lanes past count are computed from zero coordinates and never read. */
#define REFNN_GS_TAPS_SIMD(ATTR, SUFFIX)                                                              \
    static ATTR __m256 refnn_gs_source_ps##SUFFIX(__m256 c, ptrdiff_t size, int padding, int align,  \
                                                  __m256 *grad)                                     \
    {                                                                                               \
        const __m256 one = _mm256_set1_ps(1.0f);                                                    \
        const __m256d done = _mm256_set1_pd(1.0), dtwo = _mm256_set1_pd(2.0);                      \
        __m256d lo = _mm256_cvtps_pd(_mm256_castps256_ps128(c)), hi = _mm256_cvtps_pd(_mm256_extractf128_ps(c, 1)); \
        __m256 x, g;                                                                                \
        if (align) {                                                                                \
            __m256d s = _mm256_set1_pd((double)(float)(size - 1));                                  \
            g = _mm256_set1_ps((float)((double)(float)(size - 1) / 2.0));                           \
            lo = _mm256_mul_pd(_mm256_div_pd(_mm256_add_pd(lo, done), dtwo), s);                    \
            hi = _mm256_mul_pd(_mm256_div_pd(_mm256_add_pd(hi, done), dtwo), s);                    \
        } else {                                                                                    \
            __m256d s = _mm256_set1_pd((double)(float)size);                                        \
            g = _mm256_set1_ps((float)((double)(float)size / 2.0));                                 \
            lo = _mm256_div_pd(_mm256_sub_pd(_mm256_mul_pd(_mm256_add_pd(lo, done), s), done), dtwo); \
            hi = _mm256_div_pd(_mm256_sub_pd(_mm256_mul_pd(_mm256_add_pd(hi, done), s), done), dtwo); \
        }                                                                                           \
        x = _mm256_set_m128(_mm256_cvtpd_ps(hi), _mm256_cvtpd_ps(lo));                              \
        if (padding == 1) {                                                                         \
            __m256 top = _mm256_set1_ps((float)(size - 1)), zero = _mm256_setzero_ps();             \
            __m256 high = _mm256_or_ps(_mm256_cmp_ps(x, top, _CMP_GE_OQ), _mm256_cmp_ps(x, x, _CMP_UNORD_Q)); \
            __m256 low = _mm256_cmp_ps(x, zero, _CMP_LE_OQ);                                        \
            __m256 edge = _mm256_or_ps(high, low);                                                  \
            x = _mm256_blendv_ps(x, top, high);                                                     \
            x = _mm256_blendv_ps(x, zero, low);                                                     \
            g = _mm256_mul_ps(g, _mm256_blendv_ps(one, zero, edge));                                \
        } else {                                                                                    \
            g = _mm256_mul_ps(g, one);                                                              \
        }                                                                                           \
        __m256 bad = _mm256_or_ps(_mm256_cmp_ps(x, x, _CMP_UNORD_Q),                                \
                                  _mm256_or_ps(_mm256_cmp_ps(x, _mm256_set1_ps(2147483648.0f), _CMP_GE_OQ), \
                                               _mm256_cmp_ps(x, _mm256_set1_ps(-2147483648.0f), _CMP_LT_OQ))); \
        *grad = g;                                                                                  \
        return _mm256_blendv_ps(x, _mm256_set1_ps(-100.0f), bad);                                  \
    }                                                                                               \
    static ATTR void refnn_gs_taps_float##SUFFIX(const float *grid, ptrdiff_t count, int K, ptrdiff_t D, \
                                                 ptrdiff_t H, ptrdiff_t W, int padding, int align,  \
                                                 int derivatives, int *offset, int *valid, float *wt, \
                                                 float *sx, float *sy, float *sz, float *dzs,       \
                                                 float *dys, float *mult, ptrdiff_t stride)         \
    {                                                                                               \
        const __m256 sign = _mm256_set1_ps(-0.0f);                                                  \
        const __m256i ione = _mm256_set1_epi32(1), iminus = _mm256_set1_epi32(-1);                  \
        const __m256i iW = _mm256_set1_epi32((int)W), iH = _mm256_set1_epi32((int)H), iD = _mm256_set1_epi32((int)D); \
        int T = K == 3 ? 8 : 4;                                                                     \
        for (ptrdiff_t q = 0; q < count; q += 8) {                                                  \
            float cx[8], cy[8], cz[8];                                                              \
            for (int l = 0; l < 8; l++) {                                                           \
                int in = q + l < count;                                                             \
                cx[l] = in ? grid[(q + l) * K] : 0.0f;                                              \
                cy[l] = in ? grid[(q + l) * K + 1] : 0.0f;                                          \
                cz[l] = (in && K == 3) ? grid[(q + l) * K + 2] : 0.0f;                              \
            }                                                                                       \
            __m256 mx, my, mz, px, py, pz;                                                          \
            px = refnn_gs_source_ps##SUFFIX(_mm256_loadu_ps(cx), W, padding, align, &mx);           \
            py = refnn_gs_source_ps##SUFFIX(_mm256_loadu_ps(cy), H, padding, align, &my);           \
            if (K == 3) {                                                                           \
                pz = refnn_gs_source_ps##SUFFIX(_mm256_loadu_ps(cz), D, padding, align, &mz);       \
            } else {                                                                                \
                pz = _mm256_setzero_ps();                                                           \
                mz = _mm256_setzero_ps();                                                           \
            }                                                                                       \
            __m256i x0 = _mm256_cvttps_epi32(_mm256_floor_ps(px));                                  \
            __m256i y0 = _mm256_cvttps_epi32(_mm256_floor_ps(py));                                  \
            __m256i z0 = _mm256_cvttps_epi32(_mm256_floor_ps(pz));                                  \
            __m256 e[3], f[3];                                                                      \
            e[0] = _mm256_sub_ps(_mm256_cvtepi32_ps(_mm256_add_epi32(x0, ione)), px);               \
            e[1] = _mm256_sub_ps(_mm256_cvtepi32_ps(_mm256_add_epi32(y0, ione)), py);               \
            e[2] = _mm256_sub_ps(_mm256_cvtepi32_ps(_mm256_add_epi32(z0, ione)), pz);               \
            f[0] = _mm256_sub_ps(px, _mm256_cvtepi32_ps(x0));                                       \
            f[1] = _mm256_sub_ps(py, _mm256_cvtepi32_ps(y0));                                       \
            f[2] = _mm256_sub_ps(pz, _mm256_cvtepi32_ps(z0));                                       \
            if (derivatives) {                                                                      \
                _mm256_storeu_ps(mult + q, mx);                                                     \
                _mm256_storeu_ps(mult + stride + q, my);                                            \
                _mm256_storeu_ps(mult + 2 * stride + q, mz);                                        \
            }                                                                                       \
            for (int t = 0; t < T; t++) {                                                           \
                int bx = t % 2, by = (t / 2) % 2, bz = t / 4;                                       \
                __m256i xi = _mm256_add_epi32(x0, _mm256_set1_epi32(bx));                           \
                __m256i yi = _mm256_add_epi32(y0, _mm256_set1_epi32(by));                           \
                __m256i zi = _mm256_add_epi32(z0, _mm256_set1_epi32(bz));                           \
                __m256i in = _mm256_and_si256(                                                      \
                    _mm256_and_si256(_mm256_cmpgt_epi32(xi, iminus), _mm256_cmpgt_epi32(iW, xi)),   \
                    _mm256_and_si256(_mm256_and_si256(_mm256_cmpgt_epi32(yi, iminus), _mm256_cmpgt_epi32(iH, yi)), \
                                     _mm256_and_si256(_mm256_cmpgt_epi32(zi, iminus), _mm256_cmpgt_epi32(iD, zi)))); \
                __m256i off = _mm256_add_epi32(                                                     \
                    _mm256_mullo_epi32(_mm256_add_epi32(_mm256_mullo_epi32(zi, iH), yi), iW), xi);  \
                ptrdiff_t i = t * stride + q;                                                       \
                _mm256_storeu_si256((__m256i *)(offset + i), _mm256_and_si256(off, in));            \
                _mm256_storeu_si256((__m256i *)(valid + i), in);                                    \
                __m256 dx = bx ? f[0] : e[0], dy = by ? f[1] : e[1], dz = bz ? f[2] : e[2];         \
                _mm256_storeu_ps(wt + i, _mm256_mul_ps(_mm256_mul_ps(dx, dy), dz));                 \
                if (derivatives) {                                                                  \
                    _mm256_storeu_ps(sx + i, bx ? dy : _mm256_xor_ps(dy, sign));                    \
                    _mm256_storeu_ps(sy + i, by ? dx : _mm256_xor_ps(dx, sign));                    \
                    _mm256_storeu_ps(sz + i, bz ? dx : _mm256_xor_ps(dx, sign));                    \
                    _mm256_storeu_ps(dzs + i, dz);                                                  \
                    _mm256_storeu_ps(dys + i, dy);                                                  \
                }                                                                                   \
            }                                                                                       \
        }                                                                                           \
    }                                                                                               \
    /* grad_grid's terms of one channel of a block (gridsample.pyx's _bwd_channel without the scatter):  \
     * 2-d: gx[q] += keep((v * sx) * g), gy[q] += keep((v * sy) * g), taps in order; 3-d: gx[q] +=         \
     * keep(((v * sx) * dzs) * g), likewise gy, and gz[q] += keep(((v * sz) * dys) * g).  v is gathered    \
     * (a tap outside reads nothing and is +0.0), the product is masked after the multiplies (a non-finite \
     * g must not reach a tap outside), as the scalar loop does. */                                       \
    static ATTR void refnn_gs_grad_channel_float##SUFFIX(const float *plane, const int *offset,       \
                                                         const int *keep, const float *sx,            \
                                                         const float *sy, const float *sz,            \
                                                         const float *dzs, const float *dys,          \
                                                         const float *gorow, float *gx, float *gy,    \
                                                         float *gz, ptrdiff_t count, int taps,        \
                                                         ptrdiff_t stride)                            \
    {                                                                                                 \
        ptrdiff_t q = 0;                                                                              \
        for (; q + 8 <= count; q += 8) {                                                              \
            __m256 g = _mm256_loadu_ps(gorow + q);                                                    \
            __m256 ax = _mm256_loadu_ps(gx + q), ay = _mm256_loadu_ps(gy + q), az = _mm256_loadu_ps(gz + q); \
            for (int t = 0; t < taps; t++) {                                                          \
                ptrdiff_t i = t * stride + q;                                                         \
                __m256i index = _mm256_loadu_si256((const __m256i *)(offset + i));                    \
                __m256 mask = _mm256_castsi256_ps(_mm256_loadu_si256((const __m256i *)(keep + i)));   \
                __m256 v = _mm256_mask_i32gather_ps(_mm256_setzero_ps(), plane, index, mask, 4);      \
                if (taps == 4) {                                                                      \
                    ax = _mm256_add_ps(ax, _mm256_and_ps(_mm256_mul_ps(_mm256_mul_ps(v, _mm256_loadu_ps(sx + i)), g), mask)); \
                    ay = _mm256_add_ps(ay, _mm256_and_ps(_mm256_mul_ps(_mm256_mul_ps(v, _mm256_loadu_ps(sy + i)), g), mask)); \
                } else {                                                                              \
                    __m256 z = _mm256_loadu_ps(dzs + i);                                              \
                    ax = _mm256_add_ps(ax, _mm256_and_ps(_mm256_mul_ps(_mm256_mul_ps(_mm256_mul_ps(v, _mm256_loadu_ps(sx + i)), z), g), mask)); \
                    ay = _mm256_add_ps(ay, _mm256_and_ps(_mm256_mul_ps(_mm256_mul_ps(_mm256_mul_ps(v, _mm256_loadu_ps(sy + i)), z), g), mask)); \
                    az = _mm256_add_ps(az, _mm256_and_ps(_mm256_mul_ps(_mm256_mul_ps(_mm256_mul_ps(v, _mm256_loadu_ps(sz + i)), _mm256_loadu_ps(dys + i)), g), mask)); \
                }                                                                                     \
            }                                                                                         \
            _mm256_storeu_ps(gx + q, ax);                                                             \
            _mm256_storeu_ps(gy + q, ay);                                                             \
            _mm256_storeu_ps(gz + q, az);                                                             \
        }                                                                                             \
        for (; q < count; q++) {                                                                      \
            float g = gorow[q], ax = gx[q], ay = gy[q], az = gz[q];                                   \
            for (int t = 0; t < taps; t++) {                                                          \
                ptrdiff_t i = t * stride + q;                                                         \
                float v = plane[offset[i]];                                                           \
                if (taps == 4) {                                                                      \
                    ax = ax + refnn_gs_keep_float((v * sx[i]) * g, keep[i]);                          \
                    ay = ay + refnn_gs_keep_float((v * sy[i]) * g, keep[i]);                          \
                } else {                                                                              \
                    ax = ax + refnn_gs_keep_float(((v * sx[i]) * dzs[i]) * g, keep[i]);               \
                    ay = ay + refnn_gs_keep_float(((v * sy[i]) * dzs[i]) * g, keep[i]);               \
                    az = az + refnn_gs_keep_float(((v * sz[i]) * dys[i]) * g, keep[i]);               \
                }                                                                                     \
            }                                                                                         \
            gx[q] = ax;                                                                               \
            gy[q] = ay;                                                                               \
            gz[q] = az;                                                                               \
        }                                                                                             \
    }

REFNN_GS_TAPS_SIMD(REFNN_ISA_AVX2, _avx2)
REFNN_GS_TAPS_SIMD(REFNN_ISA_AVX512, _avx512)
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

/* The float32 taps of a block in SIMD (padding zeros or border): 1 when done, 0 where the baseline build
 * runs (the caller then runs gridsample.pyx's _block_taps). */
static inline int refnn_gs_taps_float(const float *grid, ptrdiff_t count, int K, ptrdiff_t D, ptrdiff_t H,
                                      ptrdiff_t W, int padding, int align, int derivatives, int *offset,
                                      int *valid, float *wt, float *sx, float *sy, float *sz, float *dzs,
                                      float *dys, float *mult, ptrdiff_t stride)
{
#ifdef REFNN_ISA_X86
    if (padding == 0 || padding == 1) {
        if (refnn_gs_level == 2) {
            refnn_gs_taps_float_avx512(grid, count, K, D, H, W, padding, align, derivatives, offset, valid, wt,
                                       sx, sy, sz, dzs, dys, mult, stride);
            return 1;
        }
        if (refnn_gs_level == 1) {
            refnn_gs_taps_float_avx2(grid, count, K, D, H, W, padding, align, derivatives, offset, valid, wt,
                                     sx, sy, sz, dzs, dys, mult, stride);
            return 1;
        }
    }
#endif
    (void)grid; (void)count; (void)K; (void)D; (void)H; (void)W; (void)padding; (void)align; (void)derivatives;
    (void)offset; (void)valid; (void)wt; (void)sx; (void)sy; (void)sz; (void)dzs; (void)dys; (void)mult; (void)stride;
    return 0;
}

/* One channel's grad_grid terms in SIMD: 1 when done, 0 where the baseline build runs (_bwd_channel). */
static inline int refnn_gs_grad_channel_float(const float *plane, const int *offset, const int *keep,
                                              const float *sx, const float *sy, const float *sz,
                                              const float *dzs, const float *dys, const float *gorow,
                                              float *gx, float *gy, float *gz, ptrdiff_t count, int taps,
                                              ptrdiff_t stride)
{
#ifdef REFNN_ISA_X86
    if (refnn_gs_level == 2) {
        refnn_gs_grad_channel_float_avx512(plane, offset, keep, sx, sy, sz, dzs, dys, gorow, gx, gy, gz, count,
                                           taps, stride);
        return 1;
    }
    if (refnn_gs_level == 1) {
        refnn_gs_grad_channel_float_avx2(plane, offset, keep, sx, sy, sz, dzs, dys, gorow, gx, gy, gz, count,
                                         taps, stride);
        return 1;
    }
#endif
    (void)plane; (void)offset; (void)keep; (void)sx; (void)sy; (void)sz; (void)dzs; (void)dys; (void)gorow;
    (void)gx; (void)gy; (void)gz; (void)count; (void)taps; (void)stride;
    return 0;
}

#endif
