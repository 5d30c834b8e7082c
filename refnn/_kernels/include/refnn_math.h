/* refnn's own transcendentals: exp, expm1, log, log1p, tanh, erf and sigmoid, float64 and float32.
 *
 * Why: the C library's results differ between machines (glibc picks FMA variants at run time) and its
 * calls do not vectorise.  These functions are straight-line code: range reduction and a polynomial
 * (coefficients: tools/fit_refnn_math.py, Chebyshev fits, in refnn_math_poly.h), every branch a select
 * of values already computed, so gcc vectorises the loops that call them, and every lane of every build
 * (baseline SSE2, AVX2, AVX-512) performs the same sequence of IEEE double operations: additions,
 * multiplications, divisions, conversions between float and double, integer adds, ands, ors and shifts
 * on the bits.  No FMA (kernels build with -ffp-contract=off), no libm call, no table: the bits do not
 * depend on the CPU, the build or the element's position.
 *
 * float32: each function takes the float, computes in double with the _F polynomials (fit error below
 * 2^-33) and rounds once to float, so the result is the correctly rounded value except when the exact
 * value lies within about 2^-9 ulp of a rounding boundary: within 1 ulp everywhere.  float64: the _D
 * polynomials; within 2 ulp.  docs/transcendentals.md has the measured table (tools/ulp_table.py).
 *
 * Reductions (x the argument):
 *   exp:   k = round(x / ln 2), r = (x - k ln2_hi) - k ln2_lo, e^x = 2^k (1 + r + r^2 P(r)); 2^k applied
 *          in two halves 2^k1 2^k2 so subnormal results round once;
 *   expm1: the same r, s = r + r^2 P(r) = e^r - 1, e^x - 1 = ((2^k1 - 2^-k2) + 2^k1 s) 2^k2;
 *   log:   x = 2^k m, m in [sqrt(1/2), sqrt(2)), f = m - 1, s = f / (2 + f), z = s^2,
 *          log(1 + f) = f - (f^2/2 - s (f^2/2 + z R(z))), log x = k ln2_hi + (log(1 + f) + k ln2_lo);
 *   log1p: u = 1 + x with its rounding error c (Fast2Sum, exact), log1p(x) = log(u) + c / u;
 *   tanh:  t = expm1(-2|x|) for |x| < 1 (tanh = -t / (t + 2)), t = expm1(2|x|) beyond (1 - 2 / (t + 2)),
 *          1 for |x| >= 22 (float: 9), the sign of x put back on the bits;
 *   erf:   |x| < 1: x + x S(x^2); 1 <= |x| < 6: 1 - e^(-x^2) R(|x|), R in three pieces ([1, 2], [2, 3.5],
 *          [3.5, 6]) whose coefficients each lane selects; 1 beyond; sign put back.  float32: the same
 *          below 1, then erf itself as one polynomial in |x| - 2.46 on [1, 3.92], 1 beyond (erf(3.92)
 *          rounds to 1 as a float);
 *   sigmoid: 1 / (1 + e^(-x)).
 * Special values: NaN gives NaN; exp(+inf) = +inf, exp(-inf) = 0, overflow to +inf and underflow to 0
 * at the thresholds where the correctly rounded value does; log(0) = -inf, log(x < 0) = NaN,
 * log(+inf) = +inf, log1p(-1) = -inf; tanh, erf, expm1, log1p keep the sign of +-0 (f(-0) = -0).
 */
#ifndef REFNN_MATH_H
#define REFNN_MATH_H
#include <stdint.h>
#include "refnn_math_poly.h"

#if defined(__GNUC__)
#define REFNN_MATH_INLINE static inline __attribute__((always_inline))
#else
#define REFNN_MATH_INLINE static inline
#endif

typedef union { double d; int64_t i; } refnn_dbits;

#define REFNN_LN2_HI 6.93147180369123816490e-01   /* ln 2 with 32 trailing zero bits: k ln2_hi exact */
#define REFNN_LN2_LO 1.90821492927058770002e-10   /* ln 2 - ln2_hi */
#define REFNN_LOG2E 1.44269504088896338700e+00
#define REFNN_ROUNDER 6755399441055744.0          /* 1.5 * 2^52: t + ROUNDER - ROUNDER rounds t to an integer */

REFNN_MATH_INLINE double refnn__bits_d(int64_t i) { refnn_dbits u; u.i = i; return u.d; }
REFNN_MATH_INLINE int64_t refnn__d_bits(double d) { refnn_dbits u; u.d = d; return u.i; }

/* c ? a : b as a bitwise blend of two computed values (c is 0 or 1): no branch, so the loops vectorise
   without -fno-trapping-math */
REFNN_MATH_INLINE double refnn__sel(int c, double a, double b) {
    int64_t m = -(int64_t)c;
    return refnn__bits_d((refnn__d_bits(a) & m) | (refnn__d_bits(b) & ~m));
}
REFNN_MATH_INLINE float refnn__self(int c, float a, float b) {
    union { float f; int32_t i; } ua, ub, r;
    int32_t m = -(int32_t)c;
    ua.f = a; ub.f = b;
    r.i = (ua.i & m) | (ub.i & ~m);
    return r.f;
}

/* 2^k for an integer-valued double k in [-1022, 1023] */
REFNN_MATH_INLINE double refnn__pow2(double k) {
    return refnn__bits_d((refnn__d_bits(k + (REFNN_ROUNDER + 1023.0)) - refnn__d_bits(REFNN_ROUNDER)) << 52);
}

/* |x| and the sign bit of x */
REFNN_MATH_INLINE double refnn__fabs(double x) { return refnn__bits_d(refnn__d_bits(x) & INT64_MAX); }
REFNN_MATH_INLINE double refnn__with_sign_of(double a, double x) {      /* a >= 0 (or +0) with x's sign bit */
    return refnn__bits_d(refnn__d_bits(a) | (refnn__d_bits(x) & INT64_MIN));
}

/* ------------------------------------------------------------------ exp, expm1 */
REFNN_MATH_INLINE double refnn_exp(double x) {
    double xc = refnn__sel(x < -746.0, -746.0, x);
    xc = refnn__sel(xc > 710.0, 710.0, xc);
    double k = (xc * REFNN_LOG2E + REFNN_ROUNDER) - REFNN_ROUNDER;
    double r = (xc - k * REFNN_LN2_HI) - k * REFNN_LN2_LO;
    double p = 1.0 + (r + (r * r) * REFNN_POLY_EXP_D(r));
    double k1 = (k * 0.5 + REFNN_ROUNDER) - REFNN_ROUNDER, k2 = k - k1;
    double y = (p * refnn__pow2(k1)) * refnn__pow2(k2);
    y = refnn__sel(x > 709.782712893383973096, __builtin_inf(), y);
    return refnn__sel(x != x, x, y);
}

REFNN_MATH_INLINE double refnn_expm1(double x) {
    double xc = refnn__sel(x < -45.0, -45.0, x);
    xc = refnn__sel(xc > 710.0, 710.0, xc);
    double k = (xc * REFNN_LOG2E + REFNN_ROUNDER) - REFNN_ROUNDER;
    double r = (xc - k * REFNN_LN2_HI) - k * REFNN_LN2_LO;
    double s = r + (r * r) * REFNN_POLY_EXP_D(r);
    double k1 = (k * 0.5 + REFNN_ROUNDER) - REFNN_ROUNDER, k2 = k - k1;
    double s1 = refnn__pow2(k1);
    double y = ((s1 - refnn__pow2(-k2)) + s1 * s) * refnn__pow2(k2);
    y = refnn__sel(x > 709.782712893383973096, __builtin_inf(), y);
    y = refnn__sel(x == 0.0, x, y);                       /* +-0 (s would lose -0's sign) */
    return refnn__sel(x != x, x, y);
}

/* ------------------------------------------------------------------ log, log1p */
/* log(1 + f) - f as the reduction writes it, and k: x > 0 finite or subnormal */
REFNN_MATH_INLINE double refnn_log(double x) {
    int tiny = x < 2.2250738585072014e-308;     /* subnormal (or 0, negative, NaN: replaced below) */
    double xs = refnn__sel(tiny, x * 18014398509481984.0, x);                 /* * 2^54 */
    int64_t ix = refnn__d_bits(xs) + (0x3ff0000000000000LL - 0x3fe6a09e667f3bcdLL);
    double k = refnn__bits_d((int64_t)(((uint64_t)ix >> 52) & 0x7ff) | 0x4330000000000000LL) - 4503599627370496.0;
    k = k - refnn__sel(tiny, 1023.0 + 54.0, 1023.0);
    double m = refnn__bits_d((ix & 0x000fffffffffffffLL) + 0x3fe6a09e667f3bcdLL);
    double f = m - 1.0;
    double hfsq = 0.5 * f * f;
    double s = f / (2.0 + f);
    double z = s * s;
    double R = z * REFNN_POLY_LOG_D(z);
    double y = k * REFNN_LN2_HI - ((hfsq - (s * (hfsq + R) + k * REFNN_LN2_LO)) - f);
    y = refnn__sel(x == __builtin_inf(), x, y);
    y = refnn__sel(x == 0.0, -__builtin_inf(), y);
    y = refnn__sel(x < 0.0, __builtin_nan(""), y);
    return refnn__sel(x != x, x, y);
}

REFNN_MATH_INLINE double refnn_log1p(double x) {
    double u = 1.0 + x;
    double ax = refnn__fabs(x);
    /* c = (1 + x) - u exactly (Fast2Sum with the larger operand first) */
    double c = refnn__sel(ax > 1.0, (1.0 - (u - x)), (x - (u - 1.0)));
    double y = refnn_log(u) + c / u;
    y = refnn__sel(u == 1.0, x, y);                       /* |x| < 2^-53: log1p(x) = x to the bit, +-0 kept */
    y = refnn__sel(x == __builtin_inf(), x, y);
    y = refnn__sel(x == -1.0, -__builtin_inf(), y);
    y = refnn__sel(x < -1.0, __builtin_nan(""), y);
    return refnn__sel(x != x, x, y);
}

/* ------------------------------------------------------------------ tanh, erf, sigmoid */
REFNN_MATH_INLINE double refnn_tanh(double x) {
    double a = refnn__fabs(x);
    a = refnn__sel(a > 22.0, 22.0, a);
    double t = refnn_expm1(refnn__sel(a < 1.0, -2.0 * a, 2.0 * a));
    double z = refnn__sel(a < 1.0, -t / (t + 2.0), 1.0 - 2.0 / (t + 2.0));
    z = refnn__with_sign_of(z, x);
    return refnn__sel(x != x, x, z);
}

REFNN_MATH_INLINE double refnn_erf(double x) {
    double a = refnn__fabs(x);
    double as = refnn__sel(a < 1.0, a, 0.0);
    double small = as + as * REFNN_POLY_ERF_SMALL_D(as * as);
    double al = refnn__sel(a < 1.0, 1.0, refnn__sel(a > 6.0, 6.0, a));
    double t = al - REFNN_ERFC_CENTRE_D(al < 2.0, al < 3.5);
    double R = REFNN_ERFC_C16_D(al < 2.0, al < 3.5);
    R = REFNN_ERFC_C15_D(al < 2.0, al < 3.5) + t * R;
    R = REFNN_ERFC_C14_D(al < 2.0, al < 3.5) + t * R;
    R = REFNN_ERFC_C13_D(al < 2.0, al < 3.5) + t * R;
    R = REFNN_ERFC_C12_D(al < 2.0, al < 3.5) + t * R;
    R = REFNN_ERFC_C11_D(al < 2.0, al < 3.5) + t * R;
    R = REFNN_ERFC_C10_D(al < 2.0, al < 3.5) + t * R;
    R = REFNN_ERFC_C9_D(al < 2.0, al < 3.5) + t * R;
    R = REFNN_ERFC_C8_D(al < 2.0, al < 3.5) + t * R;
    R = REFNN_ERFC_C7_D(al < 2.0, al < 3.5) + t * R;
    R = REFNN_ERFC_C6_D(al < 2.0, al < 3.5) + t * R;
    R = REFNN_ERFC_C5_D(al < 2.0, al < 3.5) + t * R;
    R = REFNN_ERFC_C4_D(al < 2.0, al < 3.5) + t * R;
    R = REFNN_ERFC_C3_D(al < 2.0, al < 3.5) + t * R;
    R = REFNN_ERFC_C2_D(al < 2.0, al < 3.5) + t * R;
    R = REFNN_ERFC_C1_D(al < 2.0, al < 3.5) + t * R;
    R = REFNN_ERFC_C0_D(al < 2.0, al < 3.5) + t * R;
    double large = 1.0 - refnn_exp(-(al * al)) * R;
    double y = refnn__sel(a < 1.0, small, refnn__sel(a >= 6.0, 1.0, large));
    y = refnn__with_sign_of(y, x);
    return refnn__sel(x != x, x, y);
}

REFNN_MATH_INLINE double refnn_sigmoid(double x) {
    return 1.0 / (1.0 + refnn_exp(-x));
}

/* ------------------------------------------------------------------ float32: in double, rounded once */
/* e^x for a double x that is a float (|x| clamped to 200: the float result is 0 or inf beyond) */
REFNN_MATH_INLINE double refnn__exp_for_f(double x) {
    double xc = refnn__sel(x < -200.0, -200.0, x);
    xc = refnn__sel(xc > 200.0, 200.0, xc);
    double k = (xc * REFNN_LOG2E + REFNN_ROUNDER) - REFNN_ROUNDER;
    double r = (xc - k * REFNN_LN2_HI) - k * REFNN_LN2_LO;
    double p = 1.0 + (r + (r * r) * REFNN_POLY_EXP_F(r));
    return p * refnn__pow2(k);
}

/* e^x - 1, x a float clamped to [-40, 200] (-1 and inf in float beyond) */
REFNN_MATH_INLINE double refnn__expm1_for_f(double x) {
    double xc = refnn__sel(x < -40.0, -40.0, x);
    xc = refnn__sel(xc > 200.0, 200.0, xc);
    double k = (xc * REFNN_LOG2E + REFNN_ROUNDER) - REFNN_ROUNDER;
    double r = (xc - k * REFNN_LN2_HI) - k * REFNN_LN2_LO;
    double s = r + (r * r) * REFNN_POLY_EXP_F(r);
    double p2 = refnn__pow2(k);
    return (p2 - 1.0) + p2 * s;                 /* 2^k - 1 is exact for k in [-58, 58]; beyond 1 is lost in
                                                   a value that is -1 or inf as a float anyway */
}

/* log(x) for a double x > 0 that is a float (normal in double) */
REFNN_MATH_INLINE double refnn__log_for_f(double x) {
    int64_t ix = refnn__d_bits(x) + (0x3ff0000000000000LL - 0x3fe6a09e667f3bcdLL);
    double k = refnn__bits_d((int64_t)(((uint64_t)ix >> 52) & 0x7ff) | 0x4330000000000000LL)
               - (4503599627370496.0 + 1023.0);
    double m = refnn__bits_d((ix & 0x000fffffffffffffLL) + 0x3fe6a09e667f3bcdLL);
    double f = m - 1.0;
    double hfsq = 0.5 * f * f;
    double s = f / (2.0 + f);
    double z = s * s;
    double R = z * REFNN_POLY_LOG_F(z);
    return k * REFNN_LN2_HI - ((hfsq - (s * (hfsq + R) + k * REFNN_LN2_LO)) - f);
}

REFNN_MATH_INLINE float refnn_expf(float x) {
    float y = (float)refnn__exp_for_f((double)x);
    return refnn__self(x != x, x, y);
}

REFNN_MATH_INLINE float refnn_expm1f(float x) {
    float y = (float)refnn__expm1_for_f((double)x);
    y = refnn__self(x == 0.0f, x, y);
    return refnn__self(x != x, x, y);
}

REFNN_MATH_INLINE float refnn_logf(float x) {
    double xd = x;
    double xs = refnn__sel(xd > 0.0, xd, 1.0);            /* keep the reduction's input positive and finite */
    xs = refnn__sel(xd == __builtin_inf(), 1.0, xs);
    float y = (float)refnn__log_for_f(xs);
    y = refnn__self(x == __builtin_inff(), x, y);
    y = refnn__self(x == 0.0f, -__builtin_inff(), y);
    y = refnn__self(x < 0.0f, __builtin_nanf(""), y);
    return refnn__self(x != x, x, y);
}

REFNN_MATH_INLINE float refnn_log1pf(float x) {
    double xd = x;
    double u = 1.0 + xd;                        /* exact: a float and 1 fit in 53 bits unless |x| < 2^-29 */
    double us = refnn__sel(u > 0.0, refnn__sel(xd == __builtin_inf(), 2.0, u), 2.0);
    double c = xd - (u - 1.0);                  /* the rounding error of u (Fast2Sum, |x| < 1; 0 beyond) */
    double ya = refnn__log_for_f(us) + c / us;
    float y = (float)ya;
    y = refnn__self(refnn__fabs(xd) < 1.0 / 1073741824.0, x, y);   /* |x| < 2^-30: log1p(x) rounds to x, -0 kept */
    y = refnn__self(x == __builtin_inff(), x, y);
    y = refnn__self(x == -1.0f, -__builtin_inff(), y);
    y = refnn__self(x < -1.0f, __builtin_nanf(""), y);
    return refnn__self(x != x, x, y);
}

REFNN_MATH_INLINE float refnn_tanhf(float x) {
    double a = refnn__fabs((double)x);
    a = refnn__sel(a > 10.0, 10.0, a);                    /* tanh(10) rounds to 1 in float */
    double t = refnn__expm1_for_f(refnn__sel(a < 1.0, -2.0 * a, 2.0 * a));
    double z = refnn__sel(a < 1.0, -t / (t + 2.0), 1.0 - 2.0 / (t + 2.0));
    z = refnn__sel(a < 1.0 / 1073741824.0, a, z);         /* tiny: tanh(x) rounds to x (and expm1 to -2a would
                                                   be inexact below float's precision) */
    float y = (float)refnn__with_sign_of(z, (double)x);
    return refnn__self(x != x, x, y);
}

REFNN_MATH_INLINE float refnn_erff(float x) {
    double a = refnn__fabs((double)x);
    double as = refnn__sel(a < 1.0, a, 0.0);
    double small = as + as * REFNN_POLY_ERF_SMALL_F(as * as);
    double al = refnn__sel(a < 1.0, 1.0, refnn__sel(a > 3.92, 3.92, a));
    double large = REFNN_POLY_ERF_LARGE_F(al - 2.46);
    double y = refnn__sel(a < 1.0, small, refnn__sel(a >= 3.92, 1.0, large));
    float r = (float)refnn__with_sign_of(y, (double)x);
    return refnn__self(x != x, x, r);
}

REFNN_MATH_INLINE float refnn_sigmoidf(float x) {
    float y = (float)(1.0 / (1.0 + refnn__exp_for_f(-(double)x)));
    return refnn__self(x != x, x, y);
}
#endif
