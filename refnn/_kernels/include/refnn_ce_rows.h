/* The exp-bound row loops of the fused float32 cross-entropy (refnn/_kernels/loss.pyx), baseline, AVX2 and AVX-512:
 *
 *   refnn_ce_sumexp_f32: s[j] = sum over d = j, j + 8, j + 16, ... (then the tail d >= D - D % 8 into
 *                        s[d - full]) of exp(x[d] - m), each lane adding in ascending d;
 *   refnn_ce_grad_f32:   grad[d] = 0 - exp((x[d] - m) - lt) * total (the argument never above 0: refnn_math.h's
 *                        refnn__expf_nonpos, refnn_expf without its upper clamp, the same bits);
 *   refnn_ce_rowmax_f32: loss.pyx's row_max: the value of m = x[d] > m ? x[d] : m over d ascending from
 *                        m = x[0] (NaN if any x[d] is NaN; a zero maximum takes the sign of the first zero).
 *                        The maximum of a set does not depend on the order it is taken in, except for the sign
 *                        of a zero (re-read from the first zero) and NaN (reported as NaN), so 16 lanes give it.
 *
 * The same source compiled three times, a baseline build, target("avx2") and AVX-512, chosen at run time like the
 * gemm's micro-kernels (refnn_ce_init).  exp is refnn_expf (refnn_math.h, branch-free so the loops
 * vectorise); no FMA (-ffp-contract=off): both builds perform the same IEEE operations per element, the
 * loops of the Cython specification's, so the bits do not depend on the build.
 */
#ifndef REFNN_CE_ROWS_H
#define REFNN_CE_ROWS_H

#include <stdint.h>
#include "refnn_isa.h"
#include "refnn_math.h"
#include "refnn_math_vec.h"

typedef int32_t refnn_ce_v8i __attribute__((vector_size(32)));

/* A float's bits as an int32 ordered like the floats (-0 just below +0; NaNs beyond the infinities), so that a
   row's maximum is an integer maximum, which vectorises under any floating-point flags */
static inline __attribute__((always_inline)) int32_t refnn_ce_key(const float *p)
{
    int32_t i;
    __builtin_memcpy(&i, p, sizeof i);
    return i ^ ((i >> 31) & INT32_MAX);
}
static inline __attribute__((always_inline)) float refnn_ce_unkey(int32_t k)
{
    int32_t i = k ^ ((k >> 31) & INT32_MAX);
    float f;
    __builtin_memcpy(&f, &i, sizeof f);
    return f;
}
static inline __attribute__((always_inline)) int32_t refnn_ce_isnan(const float *p)
{
    int32_t i;
    __builtin_memcpy(&i, p, sizeof i);
    return (i & INT32_MAX) > 0x7f800000;
}

#define REFNN_CE_SUMEXP(ATTR, SUFFIX)                                                            \
    static ATTR void refnn_ce_sumexp_f32##SUFFIX(const float *restrict x, long D, float m,        \
                                                 float *restrict s)                              \
    {                                                                                            \
        float acc[8];                                                                            \
        long d, j, full = D - D % 8;                                                             \
        for (j = 0; j < 8; j++)                                                                  \
            acc[j] = 0.0f;                                                                       \
        for (d = 0; d < full; d += 8)                                                            \
            for (j = 0; j < 8; j++)                                                              \
                acc[j] = acc[j] + refnn_expf(x[d + j] - m);                                      \
        for (d = full; d < D; d++)                                                               \
            acc[d - full] = acc[d - full] + refnn_expf(x[d] - m);                                \
        for (j = 0; j < 8; j++)                                                                  \
            s[j] = acc[j];                                                                       \
    }

/* The AVX-512 build's sum: 16 exponentials at once (refnn__expf_v16, refnn_expf's operations), added to the 8
   lanes as two steps of 8 (elements d..d+7, then d+8..d+15): the same sums in the same order */
#ifdef REFNN_MATH_HAVE_VEC
static REFNN_ISA_AVX512 void refnn_ce_sumexp_f32_avx512(const float *restrict x, long D, float m, float *restrict s)
{
    refnn_vf8 acc = {0}, lo, hi;
    refnn_vf16 v;
    long d, j, full = D - D % 8, full16 = D - D % 16;
    float a[8];
    for (d = 0; d < full16; d += 16) {
        __builtin_memcpy(&v, x + d, sizeof v);
        v = refnn__expf_v16(v - m);
        __builtin_memcpy(&lo, &v, sizeof lo);
        __builtin_memcpy(&hi, (char *)&v + sizeof lo, sizeof hi);
        acc = acc + lo;
        acc = acc + hi;
    }
    __builtin_memcpy(a, &acc, sizeof a);
    for (d = full16; d < full; d += 8)
        for (j = 0; j < 8; j++)
            a[j] = a[j] + refnn_expf(x[d + j] - m);
    for (d = full; d < D; d++)
        a[d - full] = a[d - full] + refnn_expf(x[d] - m);
    for (j = 0; j < 8; j++)
        s[j] = a[j];
}
#endif

#define REFNN_CE_ROWS(ATTR, SUFFIX)                                                              \
    static ATTR float refnn_ce_rowmax_f32##SUFFIX(const float *restrict x, long D)                 \
    {                                                                                            \
        refnn_ce_v8i key0, key1, nan0 = {0}, nan1 = {0}, v0, v1, k0, k1, m0, m1;                 \
        const refnn_ce_v8i sign_off = {INT32_MAX, INT32_MAX, INT32_MAX, INT32_MAX,               \
                                       INT32_MAX, INT32_MAX, INT32_MAX, INT32_MAX};              \
        const refnn_ce_v8i inf_bits = {0x7f800000, 0x7f800000, 0x7f800000, 0x7f800000,          \
                                       0x7f800000, 0x7f800000, 0x7f800000, 0x7f800000};         \
        int32_t k, top = INT32_MIN, any_nan = 0;                                                 \
        long d, j, full = D - D % 16;                                                            \
        key0 = key1 = ~sign_off;   /* INT32_MIN in every lane */                              \
        for (d = 0; d < full; d += 16) {                                                         \
            __builtin_memcpy(&v0, x + d, sizeof v0);                                             \
            __builtin_memcpy(&v1, x + d + 8, sizeof v1);                                         \
            k0 = v0 ^ ((v0 >> 31) & sign_off);                                                   \
            k1 = v1 ^ ((v1 >> 31) & sign_off);                                                   \
            m0 = k0 > key0;                                                                      \
            m1 = k1 > key1;                                                                      \
            key0 = (k0 & m0) | (key0 & ~m0);                                                     \
            key1 = (k1 & m1) | (key1 & ~m1);                                                     \
            nan0 |= (v0 & sign_off) > inf_bits;                                                  \
            nan1 |= (v1 & sign_off) > inf_bits;                                                  \
        }                                                                                        \
        for (j = 0; j < 8; j++) {                                                                \
            top = key0[j] > top ? key0[j] : top;                                                 \
            top = key1[j] > top ? key1[j] : top;                                                 \
            any_nan |= nan0[j] | nan1[j];                                                        \
        }                                                                                        \
        for (d = full; d < D; d++) {                                                             \
            k = refnn_ce_key(x + d);                                                             \
            top = k > top ? k : top;                                                             \
            any_nan |= refnn_ce_isnan(x + d);                                                    \
        }                                                                                        \
        if (any_nan)                                                                             \
            return __builtin_nanf("");                                                           \
        if (top == 0 || top == -1)   /* +0 or -0: the first zero's sign */                      \
            for (d = 0; d < D; d++)                                                              \
                if (x[d] == 0.0f)                                                                \
                    return x[d];                                                                 \
        return refnn_ce_unkey(top);                                                              \
    }                                                                                            \
    static ATTR void refnn_ce_grad_f32##SUFFIX(const float *restrict x, float *restrict grad, long D, \
                                               float m, float lt, float total)                   \
    {                                                                                            \
        for (long d = 0; d < D; d++)                                                             \
            grad[d] = 0.0f - refnn__expf_nonpos(x[d] - m - lt) * total;  /* (x - m) - lt <= 0 */ \
    }

REFNN_CE_ROWS(, _base)
REFNN_CE_SUMEXP(, _base)

#ifdef REFNN_ISA_X86
REFNN_CE_ROWS(REFNN_ISA_AVX2, _avx2)
REFNN_CE_SUMEXP(REFNN_ISA_AVX2, _avx2)
REFNN_CE_ROWS(REFNN_ISA_AVX512, _avx512)
#ifndef REFNN_MATH_HAVE_VEC
REFNN_CE_SUMEXP(REFNN_ISA_AVX512, _avx512)
#endif
#endif

REFNN_ISA_LEVEL(refnn_ce_level, refnn_ce_init)

static inline void refnn_ce_sumexp_f32(const float *x, long D, float m, float *s)
{
    REFNN_ISA_DISPATCH(refnn_ce_level, refnn_ce_sumexp_f32, (x, D, m, s));
}

static inline float refnn_ce_rowmax_f32(const float *x, long D)
{
#ifdef REFNN_ISA_X86
    if (refnn_ce_level == 2) return refnn_ce_rowmax_f32_avx512(x, D);
    if (refnn_ce_level == 1) return refnn_ce_rowmax_f32_avx2(x, D);
#endif
    return refnn_ce_rowmax_f32_base(x, D);
}

static inline void refnn_ce_grad_f32(const float *x, float *grad, long D, float m, float lt, float total)
{
    REFNN_ISA_DISPATCH(refnn_ce_level, refnn_ce_grad_f32, (x, grad, D, m, lt, total));
}

#endif
