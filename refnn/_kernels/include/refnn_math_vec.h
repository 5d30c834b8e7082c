/* float32 erf (and the GELU and erf row maps built on it) written on GCC vector types for the AVX2 and
 * AVX-512 builds of refnn_math_rows.h: refnn_erff (refnn_math.h, the specification) lane for lane, the same
 * IEEE operations in the same order, except that each of erf's 14 piece-dependent constants (the centre,
 * the 12 coefficients and the constant term of C - Q(|x| - centre)) is read from a table of the five pieces
 * with a permute (__builtin_shuffle: vpermps) indexed by the piece number, instead of four bitwise blends
 * per constant: a permute moves bits, so each lane gets the very constant refnn_erff's selects give it.
 * The piece number is the count of the thresholds 0.75, 1, 1.5, 2.25 at or below the clamped |x| (4 for
 * NaN, as the selects' last branch).  Elements past the last whole vector take refnn_erff itself.
 */
#ifndef REFNN_MATH_VEC_H
#define REFNN_MATH_VEC_H
#include <stdint.h>
#include "refnn_isa.h"
#include "refnn_math.h"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define REFNN_MATH_HAVE_VEC 1
typedef float refnn_vf8 __attribute__((vector_size(32)));
typedef int32_t refnn_vi8 __attribute__((vector_size(32)));
typedef float refnn_vf16 __attribute__((vector_size(64)));
typedef int32_t refnn_vi16 __attribute__((vector_size(64)));

/* refnn_expf on a vector, its operations lane for lane (the clamp, k and r, p = 1 + (r + r^2 P(r)), 2^k in two
   halves, NaN back): the same bits */
#define REFNN_EXPF_VEC(ATTR, NAME, VF, VI)                                                             \
    static inline ATTR __attribute__((always_inline)) VF NAME(VF x)                                    \
    {                                                                                                  \
        VI m = x < -104.0f;                                                                            \
        VF xc = (VF)((m & (VI)((VF){} - 104.0f)) | ((VI)x & ~m));                                      \
        m = xc > 89.0f;                                                                                \
        xc = (VF)((m & (VI)((VF){} + 89.0f)) | ((VI)xc & ~m));                                         \
        VF t = xc * REFNN_LOG2E_F + REFNN_ROUNDER_F;                                                   \
        VF kf = t - REFNN_ROUNDER_F;                                                                   \
        VI k = (VI)t - refnn__f_bits(REFNN_ROUNDER_F);                                                 \
        VF r = (xc - kf * REFNN_LN2_HI_F) - kf * REFNN_LN2_LO_F;                                       \
        VF p = 1.0f + (r + (r * r) * REFNN_POLY_EXP_F32(r));                                           \
        VI k1 = k >> 1, k2 = k - k1;                                                                   \
        VF y = (p * (VF)((k1 + 127) << 23)) * (VF)((k2 + 127) << 23);                                  \
        VI nan = x != x;                                                                               \
        return (VF)((nan & (VI)x) | ((VI)y & ~nan));                                                   \
    }
REFNN_EXPF_VEC(REFNN_ISA_AVX512, refnn__expf_v16, refnn_vf16, refnn_vi16)

/* the five pieces' values of a REFNN_ERFC_*_F32(p0, p1, p2, p3) constant, as refnn_erff's selects pick them */
#define REFNN_ERFV_TAB(VF, M) {M(1, 1, 1, 1), M(0, 1, 1, 1), M(0, 0, 1, 1), M(0, 0, 0, 1), M(0, 0, 0, 0)}

#define REFNN_ERF_VEC(ATTR, NAME, VF, VI, W)                                                           \
    static inline ATTR __attribute__((always_inline)) VF NAME(VF x, const VF *tab)                     \
    {                                                                                                  \
        VI xb = (VI)x, m;                                                                              \
        VF a = (VF)(xb & INT32_MAX);                                                                   \
        m = a < 0.5f;                                                                                  \
        VF as = (VF)((VI)a & m);                               /* a below 0.5, else +0 */             \
        VF z = as * as;                                                                                \
        VF small = as + as * REFNN_POLY_ERF_SMALL_F32(z);                                              \
        VF al = (VF)((m & (VI)((VF){} + 0.5f)) | ((VI)a & ~m));                                        \
        VI hi = al > 3.92f;                                                                            \
        al = (VF)((hi & (VI)((VF){} + 3.92f)) | ((VI)al & ~hi));                                       \
        VI idx = 4 + ((al < 0.75f) + (al < 1.0f) + (al < 1.5f) + (al < 2.25f));                        \
        VF t = al - __builtin_shuffle(tab[0], idx);                                                    \
        VF R = __builtin_shuffle(tab[12], idx);                                                        \
        R = __builtin_shuffle(tab[11], idx) + t * R;                                                   \
        R = __builtin_shuffle(tab[10], idx) + t * R;                                                   \
        R = __builtin_shuffle(tab[9], idx) + t * R;                                                    \
        R = __builtin_shuffle(tab[8], idx) + t * R;                                                    \
        R = __builtin_shuffle(tab[7], idx) + t * R;                                                    \
        R = __builtin_shuffle(tab[6], idx) + t * R;                                                    \
        R = __builtin_shuffle(tab[5], idx) + t * R;                                                    \
        R = __builtin_shuffle(tab[4], idx) + t * R;                                                    \
        R = __builtin_shuffle(tab[3], idx) + t * R;                                                    \
        R = __builtin_shuffle(tab[2], idx) + t * R;                                                    \
        R = __builtin_shuffle(tab[1], idx) + t * R;                                                    \
        VF large = __builtin_shuffle(tab[13], idx) - R;                                                \
        VI big = a >= 3.92f;                                                                           \
        VF y = (VF)((big & (VI)((VF){} + 1.0f)) | ((VI)large & ~big));                                 \
        y = (VF)((m & (VI)small) | ((VI)y & ~m));                                                      \
        VI yb = (VI)y | (xb & INT32_MIN);                                                              \
        VI nan = x != x;                                                                               \
        return (VF)((nan & xb) | (yb & ~nan));                                                         \
    }                                                                                                  \
    static inline ATTR __attribute__((always_inline)) void NAME##_tables(VF *tab)                      \
    {                                                                                                  \
        const VF t0 = REFNN_ERFV_TAB(VF, REFNN_ERFC_CENTRE_F32), t1 = REFNN_ERFV_TAB(VF, REFNN_ERFC_C0_F32), \
            t2 = REFNN_ERFV_TAB(VF, REFNN_ERFC_C1_F32), t3 = REFNN_ERFV_TAB(VF, REFNN_ERFC_C2_F32),   \
            t4 = REFNN_ERFV_TAB(VF, REFNN_ERFC_C3_F32), t5 = REFNN_ERFV_TAB(VF, REFNN_ERFC_C4_F32),   \
            t6 = REFNN_ERFV_TAB(VF, REFNN_ERFC_C5_F32), t7 = REFNN_ERFV_TAB(VF, REFNN_ERFC_C6_F32),   \
            t8 = REFNN_ERFV_TAB(VF, REFNN_ERFC_C7_F32), t9 = REFNN_ERFV_TAB(VF, REFNN_ERFC_C8_F32),   \
            t10 = REFNN_ERFV_TAB(VF, REFNN_ERFC_C9_F32), t11 = REFNN_ERFV_TAB(VF, REFNN_ERFC_C10_F32), \
            t12 = REFNN_ERFV_TAB(VF, REFNN_ERFC_C11_F32), t13 = REFNN_ERFV_TAB(VF, REFNN_ERFC_CONST_F32); \
        tab[0] = t0; tab[1] = t1; tab[2] = t2; tab[3] = t3; tab[4] = t4; tab[5] = t5; tab[6] = t6;     \
        tab[7] = t7; tab[8] = t8; tab[9] = t9; tab[10] = t10; tab[11] = t11; tab[12] = t12; tab[13] = t13; \
    }

/* y[i] = erf(x[i]), y[i] = GELU(x[i]) (refnn_math_rows.h's REFNN_GELU_F32, the double steps on the erf
   values of a block of 256 elements, written back as the scalar formula does) and GELU's gradient
   (refnn_gelu_bwd_f32 from the same erf values) */
#define REFNN_ERF_VEC_ROWS(ATTR, SUFFIX, VF, VI, W)                                                     \
    REFNN_ERF_VEC(ATTR, refnn__erff_v##SUFFIX, VF, VI, W)                                               \
    static ATTR void refnn_map_erf_f32##SUFFIX(const float *restrict x, float *restrict y, long n)      \
    {                                                                                                  \
        VF tab[14], v;                                                                                 \
        long i = 0;                                                                                    \
        refnn__erff_v##SUFFIX##_tables(tab);                                                           \
        for (; i + W <= n; i += W) {                                                                   \
            __builtin_memcpy(&v, x + i, sizeof v);                                                     \
            v = refnn__erff_v##SUFFIX(v, tab);                                                         \
            __builtin_memcpy(y + i, &v, sizeof v);                                                     \
        }                                                                                              \
        for (; i < n; i++)                                                                             \
            y[i] = refnn_erff(x[i]);                                                                   \
    }                                                                                                  \
    /* e[i] = erf(x[i] * fl(1/sqrt 2)) for i < m: GELU's and its gradient's erf, W lanes then the rest */ \
    static ATTR inline void refnn__erf_halfsqrt2_block##SUFFIX(const float *restrict x, float *restrict e, \
                                                           long m, const VF *tab)                     \
    {                                                                                                  \
        VF v;                                                                                          \
        long i;                                                                                        \
        for (i = 0; i + W <= m; i += W) {                                                              \
            __builtin_memcpy(&v, x + i, sizeof v);                                                     \
            v = refnn__erff_v##SUFFIX(v * (float)0.70710678118654752440, tab);                         \
            __builtin_memcpy(e + i, &v, sizeof v);                                                     \
        }                                                                                              \
        for (; i < m; i++)                                                                             \
            e[i] = refnn_erff(x[i] * (float)0.70710678118654752440);                                   \
    }                                                                                                  \
    static ATTR void refnn_map_gelu_f32##SUFFIX(const float *restrict x, float *restrict y, long n)     \
    {                                                                                                  \
        VF tab[14];                                                                                    \
        float e[256];                                                                                  \
        long i0, i, m;                                                                                 \
        refnn__erff_v##SUFFIX##_tables(tab);                                                           \
        for (i0 = 0; i0 < n; i0 += 256) {                                                              \
            m = n - i0 < 256 ? n - i0 : 256;                                                           \
            refnn__erf_halfsqrt2_block##SUFFIX(x + i0, e, m, tab);                                      \
            for (i = 0; i < m; i++)                                                                    \
                y[i0 + i] = (float)((double)(x[i0 + i] * 0.5f) * (1.0 + (double)e[i]));                \
        }                                                                                              \
    }                                                                                                  \
    static ATTR void refnn_map_gelu_bwd_f32##SUFFIX(const float *restrict gp, const float *restrict sp, \
                                                    float *restrict y, long n)                         \
    {                                                                                                  \
        VF tab[14];                                                                                    \
        float e[256];                                                                                  \
        long i0, i, m;                                                                                 \
        refnn__erff_v##SUFFIX##_tables(tab);                                                           \
        for (i0 = 0; i0 < n; i0 += 256) {                                                              \
            m = n - i0 < 256 ? n - i0 : 256;                                                           \
            refnn__erf_halfsqrt2_block##SUFFIX(sp + i0, e, m, tab);                                     \
            for (i = 0; i < m; i++)                                                                    \
                y[i0 + i] = refnn__gelu_bwd_from_erf_f32(gp[i0 + i], sp[i0 + i], e[i]);                \
        }                                                                                              \
    }
#endif
#endif
