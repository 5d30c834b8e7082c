/* The row loops of the normalisation kernels (refnn/_kernels/normalization.pyx), baseline, AVX2 and AVX-512:
 *
 *   refnn_norm_sum_segment_{float,double}:  acc[b % 32] += v(seg[b]) for 0 <= b < B, v(x) = x, or
 *       (x - centre)^2 when squares.  Lane partials are kept in the input's type T over chunks of 256
 *       elements (8 per lane) and then added into the double lanes; the tail (B % 32 elements) goes
 *       straight to double.
 *   refnn_norm_grad_segment_{float,double}: acc_g[b % 32] += g, acc_gx[b % 32] += g * (x[b] - centre),
 *       g = grad[b] (* col_weight[b]), with the same chunking (in T over 256 elements, then double).
 *   refnn_norm_apply_{float,double}: out[b] = (x[b] - centre) * scale + shift.
 *   refnn_norm_apply_bwd_{float,double}: out[b] = ((g - mean_g) - (x[b] - centre) * slope) * rstd,
 *       g = grad[b] * weight (refnn_norm_apply_bwd_stream_float: the same, with streaming stores).
 *
 * Written with GCC/Clang vector extensions: lane k of a vector is exactly scalar lane k (IEEE add, sub,
 * mul per lane, no reassociation, no contraction: -ffp-contract=off), so each is the plain 32-lane loop,
 * only spelled so that the compiler emits SIMD for it.  The same source is compiled three times, with
 * 16-byte vectors (baseline), 32-byte vectors under target("avx2") and 32-byte vectors under AVX-512 (its
 * 32 registers; 64-byte vectors ran 20% slower on AMD Zen 4's double-pumped units),
 * chosen at run time like the gemm's micro-kernels (refnn_norm_init): every build performs the same IEEE
 * operations on every lane, so the bits do not depend on the build (tests/test_isa.py).  Each vector is
 * loaded on its own (one memcpy per vector, which the compiler turns into one unaligned load), so the
 * lane partials stay in registers.
 */
#ifndef REFNN_NORM_ROWS_H
#define REFNN_NORM_ROWS_H

#include <stddef.h>
#include <string.h>
#include "refnn_isa.h"

#define REFNN_NORM_ROWS(ATTR, SUFFIX, T, BYTES)                                                      \
    typedef T refnn_norm_vec_##T##SUFFIX __attribute__((vector_size(BYTES)));                         \
    enum { refnn_norm_w_##T##SUFFIX = BYTES / (int)sizeof(T), refnn_norm_nv_##T##SUFFIX = 32 * (int)sizeof(T) / BYTES }; \
    static ATTR void refnn_norm_sum_segment_##T##SUFFIX(const T *seg, ptrdiff_t B, T centre, int squares,   \
                                                       double *acc)                                  \
    {                                                                                                \
        enum { W = refnn_norm_w_##T##SUFFIX, NV = refnn_norm_nv_##T##SUFFIX };                        \
        refnn_norm_vec_##T##SUFFIX part[NV], v, c;                                                   \
        T lanes[32];                                                                                 \
        T d;                                                                                         \
        ptrdiff_t b = 0, stop, B8 = B - B % 32;                                                      \
        int k, j;                                                                                    \
        for (k = 0; k < W; k++) c[k] = centre;                                                       \
        while (b < B8) {                                                                             \
            stop = b + 256 < B8 ? b + 256 : B8;                                                      \
            for (j = 0; j < NV; j++) for (k = 0; k < W; k++) part[j][k] = 0;                         \
            if (squares) {                                                                           \
                for (; b < stop; b += 32)                                                            \
                    for (j = 0; j < NV; j++) {                                                       \
                        memcpy(&v, seg + b + j * W, sizeof v);                                       \
                        v = v - c;                                                                   \
                        part[j] = part[j] + v * v;                                                   \
                    }                                                                                \
            } else {                                                                                 \
                for (; b < stop; b += 32)                                                            \
                    for (j = 0; j < NV; j++) {                                                       \
                        memcpy(&v, seg + b + j * W, sizeof v);                                       \
                        part[j] = part[j] + v;                                                       \
                    }                                                                                \
            }                                                                                        \
            memcpy(lanes, part, sizeof(lanes));                                                      \
            for (k = 0; k < 32; k++) acc[k] = acc[k] + (double)lanes[k];                             \
        }                                                                                            \
        for (b = B8; b < B; b++) {                                                                   \
            if (squares) { d = seg[b] - centre; acc[b - B8] = acc[b - B8] + (double)(d * d); }       \
            else { acc[b - B8] = acc[b - B8] + (double)seg[b]; }                                     \
        }                                                                                            \
    }                                                                                                \
    static ATTR void refnn_norm_grad_segment_##T##SUFFIX(const T *xs, const T *gs, const T *cw, int col, \
                                                        ptrdiff_t B, T centre, double *acc_g,        \
                                                        double *acc_gx)                              \
    {                                                                                                \
        enum { W = refnn_norm_w_##T##SUFFIX, NV = refnn_norm_nv_##T##SUFFIX };                        \
        refnn_norm_vec_##T##SUFFIX pg[NV], pgx[NV], vx, vg, vw, c;                                   \
        T lanes[32];                                                                                 \
        T g;                                                                                         \
        ptrdiff_t b = 0, stop, B8 = B - B % 32;                                                      \
        int k, j;                                                                                    \
        for (k = 0; k < W; k++) c[k] = centre;                                                       \
        while (b < B8) {                                                                             \
            stop = b + 256 < B8 ? b + 256 : B8;                                                      \
            for (j = 0; j < NV; j++) for (k = 0; k < W; k++) { pg[j][k] = 0; pgx[j][k] = 0; }        \
            for (; b < stop; b += 32)                                                                \
                for (j = 0; j < NV; j++) {                                                           \
                    memcpy(&vx, xs + b + j * W, sizeof vx);                                          \
                    memcpy(&vg, gs + b + j * W, sizeof vg);                                          \
                    if (col) {                                                                       \
                        memcpy(&vw, cw + b + j * W, sizeof vw);                                      \
                        vg = vg * vw;                                                                \
                    }                                                                                \
                    pg[j] = pg[j] + vg;                                                              \
                    pgx[j] = pgx[j] + vg * (vx - c);                                                 \
                }                                                                                    \
            memcpy(lanes, pg, sizeof(lanes));                                                        \
            for (k = 0; k < 32; k++) acc_g[k] = acc_g[k] + (double)lanes[k];                         \
            memcpy(lanes, pgx, sizeof(lanes));                                                       \
            for (k = 0; k < 32; k++) acc_gx[k] = acc_gx[k] + (double)lanes[k];                       \
        }                                                                                            \
        for (b = B8; b < B; b++) {                                                                   \
            g = col ? gs[b] * cw[b] : gs[b];                                                         \
            acc_g[b - B8] = acc_g[b - B8] + (double)g;                                               \
            acc_gx[b - B8] = acc_gx[b - B8] + (double)(g * (xs[b] - centre));                        \
        }                                                                                            \
    }                                                                                                \
    static ATTR void refnn_norm_apply_##T##SUFFIX(const T *restrict x, T *restrict out, ptrdiff_t B, T centre, \
                                                 T scale, T shift)                                   \
    {                                                                                                \
        for (ptrdiff_t b = 0; b < B; b++)                                                            \
            out[b] = (x[b] - centre) * scale + shift;                                                \
    }                                                                                                \
    static ATTR void refnn_norm_apply_bwd_##T##SUFFIX(const T *restrict x, const T *restrict grad,      \
                                                     T *restrict out, ptrdiff_t B, T centre, T weight, \
                                                     T mean_g, T slope, T rstd)                      \
    {                                                                                                \
        for (ptrdiff_t b = 0; b < B; b++) {                                                          \
            T g = grad[b] * weight;                                                                  \
            out[b] = ((g - mean_g) - (x[b] - centre) * slope) * rstd;                                \
        }                                                                                            \
    }

REFNN_NORM_ROWS(, _base, float, 16)
REFNN_NORM_ROWS(, _base, double, 16)

#ifdef REFNN_ISA_X86
REFNN_NORM_ROWS(REFNN_ISA_AVX2, _avx2, float, 32)
REFNN_NORM_ROWS(REFNN_ISA_AVX2, _avx2, double, 32)
REFNN_NORM_ROWS(REFNN_ISA_AVX512, _avx512, float, 32)
REFNN_NORM_ROWS(REFNN_ISA_AVX512, _avx512, double, 32)

/* refnn_norm_apply_bwd_float with streaming (non-temporal) stores for the 32-byte-aligned body: the
 * same IEEE operations per element, only where the result goes differs.  A streaming store writes a
 * whole line without first reading it (a plain store of an output that is not in cache reads each line
 * from memory before overwriting it: for GroupNorm's 6.4 MB grad_input that read was a third of the
 * kernel's time); the result is not left in cache.  The caller uses it for large outputs only, and
 * calls refnn_norm_stream_fence after each group of rows (an SFENCE: the streamed lines reach memory
 * before any later store; one after every row cost more than the streaming saved). */
#include <immintrin.h>
#define REFNN_NORM_STREAM(ATTR, SUFFIX)                                                              \
    static ATTR void refnn_norm_apply_bwd_stream_float##SUFFIX(const float *restrict x,               \
                                                               const float *restrict grad,            \
                                                               float *restrict out, ptrdiff_t B,      \
                                                               float centre, float weight,            \
                                                               float mean_g, float slope, float rstd) \
    {                                                                                                \
        ptrdiff_t b = 0;                                                                             \
        for (; b < B && ((size_t)(out + b) & 31); b++) {                                             \
            float g = grad[b] * weight;                                                              \
            out[b] = ((g - mean_g) - (x[b] - centre) * slope) * rstd;                                \
        }                                                                                            \
        __m256 vc = _mm256_set1_ps(centre), vw = _mm256_set1_ps(weight), vm = _mm256_set1_ps(mean_g); \
        __m256 vs = _mm256_set1_ps(slope), vr = _mm256_set1_ps(rstd);                                \
        for (; b + 8 <= B; b += 8) {                                                                 \
            __m256 g = _mm256_mul_ps(_mm256_loadu_ps(grad + b), vw);                                 \
            __m256 d = _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(x + b), vc), vs);                 \
            _mm256_stream_ps(out + b, _mm256_mul_ps(_mm256_sub_ps(_mm256_sub_ps(g, vm), d), vr));    \
        }                                                                                            \
        for (; b < B; b++) {                                                                         \
            float g = grad[b] * weight;                                                              \
            out[b] = ((g - mean_g) - (x[b] - centre) * slope) * rstd;                                \
        }                                                                                            \
    }
REFNN_NORM_STREAM(REFNN_ISA_AVX2, _avx2)
REFNN_NORM_STREAM(REFNN_ISA_AVX512, _avx512)
#endif

REFNN_ISA_LEVEL(refnn_norm_level, refnn_norm_init)
#define REFNN_NORM_DISPATCH(NAME, T, ARGS) REFNN_ISA_DISPATCH(refnn_norm_level, NAME##_##T, ARGS)

#define REFNN_NORM_ENTRIES(T)                                                                        \
    static inline void refnn_norm_sum_segment_##T(const T *seg, ptrdiff_t B, T centre, int squares, double *acc) \
    { REFNN_NORM_DISPATCH(refnn_norm_sum_segment, T, (seg, B, centre, squares, acc)); }             \
    static inline void refnn_norm_grad_segment_##T(const T *xs, const T *gs, const T *cw, int col, ptrdiff_t B, \
                                                   T centre, double *acc_g, double *acc_gx)          \
    { REFNN_NORM_DISPATCH(refnn_norm_grad_segment, T, (xs, gs, cw, col, B, centre, acc_g, acc_gx)); } \
    static inline void refnn_norm_apply_##T(const T *x, T *out, ptrdiff_t B, T centre, T scale, T shift) \
    { REFNN_NORM_DISPATCH(refnn_norm_apply, T, (x, out, B, centre, scale, shift)); } \
    static inline void refnn_norm_apply_bwd_##T(const T *x, const T *grad, T *out, ptrdiff_t B, T centre,     \
                                                T weight, T mean_g, T slope, T rstd)                  \
    { REFNN_NORM_DISPATCH(refnn_norm_apply_bwd, T, (x, grad, out, B, centre, weight, mean_g, slope, rstd)); }

REFNN_NORM_ENTRIES(float)
REFNN_NORM_ENTRIES(double)

/* The streaming apply where the build has one (AVX2, AVX-512), else the plain refnn_norm_apply_bwd_float. */
static inline void refnn_norm_apply_bwd_stream_float(const float *x, const float *grad, float *out, ptrdiff_t B,
                                                     float centre, float weight, float mean_g, float slope,
                                                     float rstd)
{
#ifdef REFNN_ISA_X86
    if (refnn_norm_level == 2) { refnn_norm_apply_bwd_stream_float_avx512(x, grad, out, B, centre, weight, mean_g, slope, rstd); return; }
    if (refnn_norm_level == 1) { refnn_norm_apply_bwd_stream_float_avx2(x, grad, out, B, centre, weight, mean_g, slope, rstd); return; }
#endif
    refnn_norm_apply_bwd_float_base(x, grad, out, B, centre, weight, mean_g, slope, rstd);
}

static inline void refnn_norm_stream_fence(void)
{
#ifdef REFNN_ISA_X86
    _mm_sfence();
#endif
}

#endif
