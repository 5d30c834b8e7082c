/* refnn's own transcendentals: exp, expm1, log, log1p, tanh, erf and sigmoid, float64 and float32.
 *
 * Why: the C library's results differ between machines (glibc picks FMA variants at run time) and its
 * calls do not vectorise.  These functions are straight-line code: range reduction and a polynomial
 * (coefficients: tools/fit_refnn_math.py, Chebyshev fits, in refnn_math_poly.h), every branch a select
 * of values already computed, so gcc vectorises the loops that call them, and every lane of every build
 * (baseline SSE2, AVX2, AVX-512) performs the same sequence of IEEE operations (double for float64, float
 * for float32, with the few double steps of tanh): additions, multiplications, divisions,
 * conversions between float and double, integer adds, ands, ors and shifts on the bits.  No FMA (kernels
 * build with -ffp-contract=off) except one exact remainder (float32 sigmoid's, refnn__remf: fmaf in the
 * AVX2+FMA and AVX-512 builds, Dekker's exact product elsewhere, the same exact value), no libm call, no
 * table: the bits do not depend on the CPU, the build or the element's position.
 *
 * float64: the _D polynomials, in double; within 2 ulp.  float32: computed in float (the _F32 polynomials,
 * float coefficients): float range reduction with Cody-Waite constants in float, 2^k built on int32 bits
 * (int32 adds, shifts, ands: SSE2 has them, so the baseline build vectorises 4 lanes, AVX2 8, AVX-512 16),
 * the leading terms carried as exact pairs of floats (Fast2Sum; 12-bit splits whose products are exact)
 * so that each result rounds about once: within 0.9 ulp over all 2^32 inputs; exp itself takes the fast form
 * below (one rounding for r, one for r + r^2 P(r), one for 1 + that): within 0.951 ulp, expm1 above 44
 * (which returns it) 0.947.  tanh ends with
 * a quotient of e^x: those two or three operations are in double, from the exact float pairs (conversions,
 * additions, one division: no int64 operation), rounded once to float; sigmoid's quotient is in float
 * (one float division corrected by its exact remainder), within 0.76 ulp.  docs/transcendentals.md has the
 * measured table (tools/ulp_table.py).
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
 * float32 (the same ideas in float):
 *   exp:   k = round(x log2e), r = (x - k ln2_hi) - k ln2_lo, e^x = 2^k (1 + (r + r^2 P(r))), 2^k in two
 *          halves (subnormal results round once); the parts below serve expm1, tanh and sigmoid:
 *          k = round(x log2e), hi = x - k ln2_hi (exact), lo = k ln2_lo, e^(hi - lo) - 1 = A + B with
 *          A + (its error) = r + rh^2/2 by Fast2Sum (r = fl(hi - lo), rh its 12 high bits) and B the smaller
 *          terms (r's rounding error, rh rl + rl^2/2, r^3 P(r)); e^x = 2^k ((1 + A) + B), 1 + A by Fast2Sum,
 *          2^k in two halves (subnormal results round once);
 *   expm1: (2^k - 1) + 2^k A by Fast2Sum (exact 2^k - 1, its rounding error added back for k > 24), then
 *          + 2^k B, x clamped to [-18, 44] (e^x beyond 44);
 *   log:   the float64 reduction in float; |k| <= 1: (k ln2_hi + f) exact, then the correction; otherwise
 *          k ln2_hi + (f - correction);
 *   log1p: u = 1 + x with its rounding error c (Fast2Sum), log(u)'s two parts + c / u;
 *   tanh:  |x| < 0.55: x + x z T(z), z = x^2; beyond, 1 - 2 / (e^(2|x|) + 1) in double from exp's parts,
 *          |x| clamped to 9.5 (tanh rounds to 1 from 9.02);
 *   erf:   |x| < 0.5: x + x S(x^2); [0.5, 3.92]: C - Q(|x| - centre) in five pieces whose coefficients each
 *          lane selects (C = erf(centre) rounded and Q = C - erf on [0.5, 0.75] and [0.75, 1], C = 1 and
 *          Q = erfc beyond), so that the last operation rounds once; 1 beyond 3.92;
 *   sigmoid: E = e^(-|x|) as a float pair, N / (1 + E) with N = 1 for x >= 0, E below: one float division
 *          and a correction from its exact remainder (refnn__sigmoidf); E itself below x = -62.4.
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

/* ------------------------------------------------------------------ float32: in float */
REFNN_MATH_INLINE float refnn__bits_f(int32_t i) { union { float f; int32_t i; } u; u.i = i; return u.f; }
REFNN_MATH_INLINE int32_t refnn__f_bits(float f) { union { float f; int32_t i; } u; u.f = f; return u.i; }
REFNN_MATH_INLINE float refnn__fabsf(float x) { return refnn__bits_f(refnn__f_bits(x) & INT32_MAX); }
REFNN_MATH_INLINE float refnn__with_sign_off(float a, float x) {        /* a >= 0 (or +0) with x's sign bit */
    return refnn__bits_f(refnn__f_bits(a) | (refnn__f_bits(x) & INT32_MIN));
}
/* 2^k for an integer k in [-126, 127], built on the bits */
REFNN_MATH_INLINE float refnn__pow2f(int32_t k) { return refnn__bits_f((k + 127) << 23); }
/* x with its 12 low significand bits cleared: x = hi + (x - hi) exactly, and hi * hi, hi * (x - hi),
   (x - hi)^2 are exact (12-bit factors) */
REFNN_MATH_INLINE float refnn__split_hi(float x) { return refnn__bits_f(refnn__f_bits(x) & (int32_t)0xfffff000); }

#define REFNN_LN2_HI_F 0.693145751953125f              /* ln 2 in 15 bits: k ln2_hi exact for |k| < 512 */
#define REFNN_LN2_LO_F 1.42860676533018704e-06f        /* ln 2 - ln2_hi, rounded */
#define REFNN_LOG2E_F 1.44269502162933349609f
#define REFNN_ROUNDER_F 12582912.0f                    /* 1.5 * 2^23: t + ROUNDER - ROUNDER rounds t to an integer */

/* e^x = 2^k (1 + A + B) with |B| << |A| <= 0.42, x a float in [-104, 89] (callers clamp).
   k = round(x / ln 2) (bits of x log2e + ROUNDER), hi = x - k ln2_hi (exact), lo = k ln2_lo, the reduced
   argument rho = hi - lo, carried as r = fl(hi - lo) and its error re = (hi - r) - lo;
   e^rho - 1 = rho + rho^2/2 + rho^3 P(rho): rho^2/2 = rh^2/2 + (rh rl + rl^2/2 + r re) with rh, rl the 12-bit
   split of r (rh^2/2 exact), A + B = r + rh^2/2 by Fast2Sum (|r| >= rh^2/2), every smaller term added into B
   in the order written (re, the split's cross terms, r^3 P(r)).  Error of A + B: about 2^-30 of e^rho. */
REFNN_MATH_INLINE void refnn__expf_parts(float xc, int32_t *k, float *A, float *B) {
    float t = xc * REFNN_LOG2E_F + REFNN_ROUNDER_F;
    float kf = t - REFNN_ROUNDER_F;
    *k = refnn__f_bits(t) - refnn__f_bits(REFNN_ROUNDER_F);
    float hi = xc - kf * REFNN_LN2_HI_F;
    float lo = kf * REFNN_LN2_LO_F;
    float r = hi - lo;
    float re = (hi - r) - lo;
    float rh = refnn__split_hi(r), rl = r - rh;
    float q = 0.5f * (rh * rh);
    float a = r + q;
    float e1 = (r - a) + q;
    float small = (re + ((rh * rl + 0.5f * (rl * rl)) + r * re)) + (r * r) * (r * REFNN_POLY_EXP3_F32(r));
    *A = a;
    *B = e1 + small;
}

/* 2^k (P_hi + P_lo) rounded once: 2^k in two halves 2^k1 2^k2 (k in [-151, 128]), the first product exact */
REFNN_MATH_INLINE float refnn__scale2f(float p, int32_t k) {
    int32_t k1 = k >> 1, k2 = k - k1;
    return (p * refnn__pow2f(k1)) * refnn__pow2f(k2);
}

REFNN_MATH_INLINE float refnn__clampf(float x, float lo, float hi) {
    float c = refnn__self(x < lo, lo, x);
    return refnn__self(c > hi, hi, c);
}

/* e^x, the fast form (about 20 float operations): x clamped to [-104, 89], k = round(x log2e) (bits of
   x log2e + ROUNDER), r = (x - k ln2_hi) - k ln2_lo (the first difference exact), p = 1 + (r + r^2 P(r))
   with P the EXP_F32 fit (degree 5 on |r| <= 0.35, 2^-30.7), each operation in the order written, rounded
   once more by 2^k in two halves (subnormal results round once); overflow to +inf from the clamp's 2^128,
   underflow to 0 from 2^-150.  Within 1 ulp (docs/transcendentals.md); expm1, tanh and sigmoid keep the
   exact pairs of refnn__expf_parts. */
REFNN_MATH_INLINE float refnn__expf_clamped(float xc) {          /* the steps above, xc in [-104, 89] */
    float t = xc * REFNN_LOG2E_F + REFNN_ROUNDER_F;
    float kf = t - REFNN_ROUNDER_F;
    int32_t k = refnn__f_bits(t) - refnn__f_bits(REFNN_ROUNDER_F);
    float r = (xc - kf * REFNN_LN2_HI_F) - kf * REFNN_LN2_LO_F;
    float p = 1.0f + (r + (r * r) * REFNN_POLY_EXP_F32(r));
    return refnn__scale2f(p, k);
}

REFNN_MATH_INLINE float refnn_expf(float x) {
    float y = refnn__expf_clamped(refnn__clampf(x, -104.0f, 89.0f));
    return refnn__self(x != x, x, y);
}

/* refnn_expf for x <= 89 or NaN, where its clamp's upper bound leaves x as it is, so it is left out; every other
   operation is refnn_expf's, in its order (the same bits).  Callers: softmax's x - max of its row (<= 0) and
   cross_entropy's backward (x - max) - log(sum), the sum at least exp(0) = 1 (<= 0, or NaN) */
REFNN_MATH_INLINE float refnn__expf_nonpos(float x) {
    float y = refnn__expf_clamped(refnn__self(x < -104.0f, -104.0f, x));
    return refnn__self(x != x, x, y);
}

/* e^x - 1 = (2^k - 1) + 2^k A + 2^k B, x clamped to [-18, 44] (2^k - 1 exact for |k| <= 24, -1 below);
   C_hi + C_lo = (2^k - 1) + 2^k A by Fast2Sum (|2^k - 1| >= |2^k A| for k != 0; C_lo = 0 for k = 0), then
   C_hi + (C_lo + 2^k B), one rounding.  Above 44 e^x - 1 rounds as e^x does: refnn_expf. */
REFNN_MATH_INLINE float refnn_expm1f(float x) {
    int32_t k;
    float A, B;
    refnn__expf_parts(refnn__clampf(x, -18.0f, 44.0f), &k, &A, &B);
    float s = refnn__pow2f(k);
    float u = s - 1.0f;
    float ue = (s - u) - 1.0f;                            /* 2^k - 1 - u: 0 for k <= 24, exact beyond */
    float sa = s * A;
    float ch = u + sa;
    float cl = (u - ch) + sa;
    float y = ch + ((cl + ue) + s * B);
    y = refnn__self(x > 44.0f, refnn_expf(x), y);
    y = refnn__self(x == 0.0f, x, y);                     /* +-0 (A would lose -0's sign) */
    return refnn__self(x != x, x, y);
}

/* log(x) = Y_hi + Y_lo for a float x > 0 finite (subnormal allowed): x = 2^k m, m in [sqrt(1/2), sqrt(2)),
   f = m - 1 (exact), s = f / (2 + f), z = s^2, log(1 + f) = f - (f^2/2 - s (f^2/2 + z R(z))).
   |k| <= 1: Y_hi = k ln2_hi + f (exact: f's bits fit the sum's precision), Y_lo = the rest;
   |k| >= 2: Y_hi = k ln2_hi, Y_lo = f - (...): the rounding of Y_lo is below 1/8 ulp of the result. */
REFNN_MATH_INLINE void refnn__logf_parts(float x, float *Yh, float *Yl) {
    int tiny = x < 1.17549435e-38f;
    float xs = refnn__self(tiny, x * 8388608.0f, x);                          /* * 2^23 */
    int32_t ix = refnn__f_bits(xs) + (0x3f800000 - 0x3f3504f3);
    int32_t ki = (ix >> 23) - 127 - 23 * tiny;
    float k = (float)ki;
    float m = refnn__bits_f((ix & 0x007fffff) + 0x3f3504f3);
    float f = m - 1.0f;
    float hfsq = 0.5f * (f * f);
    float s = f / (2.0f + f);
    float z = s * s;
    float R = z * REFNN_POLY_LOG_F32(z);
    float corr = hfsq - (s * (hfsq + R) + k * REFNN_LN2_LO_F);
    float kh = k * REFNN_LN2_HI_F;
    int near = (ki >= -1) & (ki <= 1);
    *Yh = refnn__self(near, kh + f, kh);
    *Yl = refnn__self(near, -corr, f - corr);
}

REFNN_MATH_INLINE float refnn_logf(float x) {
    float xs = refnn__self(x > 0.0f, x, 1.0f);            /* keep the reduction's input positive and finite */
    xs = refnn__self(x == __builtin_inff(), 1.0f, xs);
    float Yh, Yl;
    refnn__logf_parts(xs, &Yh, &Yl);
    float y = Yh + Yl;
    y = refnn__self(x == __builtin_inff(), x, y);
    y = refnn__self(x == 0.0f, -__builtin_inff(), y);
    y = refnn__self(x < 0.0f, __builtin_nanf(""), y);
    return refnn__self(x != x, x, y);
}

/* log1p(x) = log(u) + c / u, u = fl(1 + x) and c = (1 + x) - u exactly (Fast2Sum, larger operand first) */
REFNN_MATH_INLINE float refnn_log1pf(float x) {
    float u = 1.0f + x;
    float ax = refnn__fabsf(x);
    float c = refnn__self(ax > 1.0f, 1.0f - (u - x), x - (u - 1.0f));
    float us = refnn__self(u > 0.0f, refnn__self(x == __builtin_inff(), 2.0f, u), 2.0f);
    float Yh, Yl;
    refnn__logf_parts(us, &Yh, &Yl);
    float y = Yh + (Yl + c / us);
    y = refnn__self(ax < 5.9604645e-8f, x, y);            /* |x| < 2^-24: log1p(x) rounds to x, -0 kept */
    y = refnn__self(x == __builtin_inff(), x, y);
    y = refnn__self(x == -1.0f, -__builtin_inff(), y);
    y = refnn__self(x < -1.0f, __builtin_nanf(""), y);
    return refnn__self(x != x, x, y);
}

/* erf: |x| < 0.5: x + x S(x^2); 0.5 <= |x| < 3.92: C - Q(|x| - centre) in five pieces ([0.5, 0.75],
   [0.75, 1], [1, 1.5], [1.5, 2.25], [2.25, 3.92]) whose coefficients each lane selects, C = 1 and Q = erfc
   beyond 1, C = erf(centre) rounded to float and Q = C - erf below (tools/fit_refnn_math.py); 1 beyond
   3.92; the sign put back */
REFNN_MATH_INLINE float refnn_erff(float x) {
    float a = refnn__fabsf(x);
    float as = refnn__self(a < 0.5f, a, 0.0f);
    float small = as + as * REFNN_POLY_ERF_SMALL_F32(as * as);
    float al = refnn__clampf(a, 0.5f, 3.92f);
    int p0 = al < 0.75f, p1 = al < 1.0f, p2 = al < 1.5f, p3 = al < 2.25f;
    float t = al - REFNN_ERFC_CENTRE_F32(p0, p1, p2, p3);
    float R = REFNN_ERFC_C11_F32(p0, p1, p2, p3);
    R = REFNN_ERFC_C10_F32(p0, p1, p2, p3) + t * R;
    R = REFNN_ERFC_C9_F32(p0, p1, p2, p3) + t * R;
    R = REFNN_ERFC_C8_F32(p0, p1, p2, p3) + t * R;
    R = REFNN_ERFC_C7_F32(p0, p1, p2, p3) + t * R;
    R = REFNN_ERFC_C6_F32(p0, p1, p2, p3) + t * R;
    R = REFNN_ERFC_C5_F32(p0, p1, p2, p3) + t * R;
    R = REFNN_ERFC_C4_F32(p0, p1, p2, p3) + t * R;
    R = REFNN_ERFC_C3_F32(p0, p1, p2, p3) + t * R;
    R = REFNN_ERFC_C2_F32(p0, p1, p2, p3) + t * R;
    R = REFNN_ERFC_C1_F32(p0, p1, p2, p3) + t * R;
    R = REFNN_ERFC_C0_F32(p0, p1, p2, p3) + t * R;
    float large = REFNN_ERFC_CONST_F32(p0, p1, p2, p3) - R;
    float y = refnn__self(a < 0.5f, small, refnn__self(a >= 3.92f, 1.0f, large));
    y = refnn__with_sign_off(y, x);
    return refnn__self(x != x, x, y);
}

/* e^x as a double, exact from the float parts: 2^k (P_hi + (P_lo + B)), x in [-104, 89] */
REFNN_MATH_INLINE double refnn__expf_as_double(float xc) {
    int32_t k;
    float A, B;
    refnn__expf_parts(xc, &k, &A, &B);
    float ph = 1.0f + A;
    float pl = (1.0f - ph) + A;
    int32_t k1 = k >> 1, k2 = k - k1;
    return ((double)ph + ((double)pl + (double)B)) * ((double)refnn__pow2f(k1) * (double)refnn__pow2f(k2));
}

/* tanh: |x| < 0.55: x + x z T(z), z = x^2; beyond, 1 - 2 / (E + 1) with E = e^(2|x|) from the float parts,
   these three operations in double (E carries the parts' 2^-30 accuracy; a float quotient would lose up
   to 1 ulp); |x| clamped to 9.5 (tanh rounds to 1 from 9.02); the sign of x put back on the bits */
REFNN_MATH_INLINE float refnn_tanhf(float x) {
    float a = refnn__fabsf(x);
    float as = refnn__self(a < 0.55f, a, 0.0f);
    float z = as * as;
    float small = as + as * (z * REFNN_POLY_TANH_SMALL_F32(z));
    float al = refnn__clampf(a, 0.55f, 9.5f);
    double E = refnn__expf_as_double(al + al);
    float large = (float)(1.0 - 2.0 / (E + 1.0));
    float y = refnn__self(a < 0.55f, small, large);
    y = refnn__with_sign_off(y, x);
    return refnn__self(x != x, x, y);
}

/* The rounding error a b - p of p = fl(a b), exactly (an error-free transformation: the exact value is a
   float when a b does not underflow, |a b| >= 2^-100 here).  hw_fma (a constant, 1 only in the builds
   compiled for the AVX2+FMA and AVX-512 targets) takes it from the correctly rounded fmaf(a, b, -p), one
   rounding of an exactly representable value; otherwise Dekker's product on 12-bit splits (every partial
   product exact, every difference exact).  Both give the exact value, so the same bits. */
REFNN_MATH_INLINE float refnn__prod_errf(float a, float b, float p, int hw_fma) {
    if (hw_fma)
        return __builtin_fmaf(a, b, -p);
    float ah = refnn__split_hi(a), al = a - ah, bh = refnn__split_hi(b), bl = b - bh;
    return (((ah * bh - p) + ah * bl) + al * bh) + al * bl;
}

/* The remainder n - q d of a quotient q = fl(n / d), exactly (a float when nothing underflows): fmaf(-q, d, n)
   with hw_fma, else (n - p) - (d q - p) with p = fl(q d) (n - p exact by Sterbenz's lemma, p within a factor
   2 of n) and the product's error from refnn__prod_errf. */
REFNN_MATH_INLINE float refnn__remf(float n, float q, float d, int hw_fma) {
    if (hw_fma)
        return __builtin_fmaf(-q, d, n);
    float p = q * d;
    return (n - p) - refnn__prod_errf(q, d, p, 0);
}

/* sigmoid, all in float: E = e^(-|x|) (-|x| clamped to -104) as 2^k (p_hi + p_lo): k and r = fl(hi - lo) as
   in refnn_expf, re = (hi - r) - lo its error, q = r^2 P(r) (the EXP_F32 fit), s_hi = r + q and
   s_lo = ((r - s_hi) + q) + re (Fast2Sum), p_hi = 1 + s_hi and p_lo = ((1 - p_hi) + s_hi) + s_lo (Fast2Sum);
   E_hi = (p_hi 2^(k + 64)) 2^-64, E_lo likewise (exact for k >= -90); d = 1 + E as d_hi = 1 + E_hi, d_lo = ((1 - d_hi) + E_hi) + E_lo;
   N = 1 (x >= 0) or E (x < 0); the quotient q0 = fl(N_hi / d_hi) (the one division), its remainder
   rem = N_hi - q0 d_hi (exact: refnn__prod_errf), the correction c = rem + (N_lo - q0 d_lo) divided by
   d_hi through a quadratic fit of 1 / d_hi on [1, 2] (1.2%: c is below an ulp of q0), y = q0 + c inv.
   k < -90 (x < -62.4, E < 2^-89): y = 1 for x >= 0, else E itself (sigmoid = E (1 - E)), rounded once
   as ((p_hi + p_lo) 2^(k + 64)) 2^-64 (the first product exact).  Within 0.78 ulp over all 2^32 inputs,
   0.64 among normal results (docs/transcendentals.md).  refnn_sigmoidf is the
   specification (Dekker's products); refnn__sigmoidf(x, 1) the same bits with hardware fmaf. */
REFNN_MATH_INLINE float refnn__sigmoidf(float x, int hw_fma) {
    float xc = -refnn__fabsf(x);
    xc = refnn__self(xc < -104.0f, -104.0f, xc);
    float t = xc * REFNN_LOG2E_F + REFNN_ROUNDER_F;
    float kf = t - REFNN_ROUNDER_F;
    int32_t k = refnn__f_bits(t) - refnn__f_bits(REFNN_ROUNDER_F);
    float hi = xc - kf * REFNN_LN2_HI_F;
    float lo = kf * REFNN_LN2_LO_F;
    float r = hi - lo;
    float re = (hi - r) - lo;
    float q = (r * r) * REFNN_POLY_EXP_F32(r);
    float sh = r + q;
    float sl = ((r - sh) + q) + re;
    float ph = 1.0f + sh;
    float pl = ((1.0f - ph) + sh) + sl;
    int tail = k < -90;
    float u = refnn__pow2f(k + 64);                        /* 2^(k + 64), normal for every k in [-150, 0] */
    float Eh = (ph * u) * 5.42101086242752217e-20f, El = (pl * u) * 5.42101086242752217e-20f;   /* * 2^-64 */
    float dh = 1.0f + Eh;
    float dl = ((1.0f - dh) + Eh) + El;
    int pos = x >= 0.0f;
    float Nh = refnn__self(pos, 1.0f, Eh), Nl = refnn__self(pos, 0.0f, El);
    float q0 = Nh / dh;
    float rem = refnn__remf(Nh, q0, dh, hw_fma);
    float c = rem + (Nl - q0 * dl);
    float inv = 2.0995f + dh * (-1.425f + dh * 0.31368f);
    float y = q0 + c * inv;
    float ytail = ((ph + pl) * u) * 5.42101086242752217e-20f;      /* the first product exact: one rounding */
    y = refnn__self(tail, refnn__self(pos, 1.0f, ytail), y);
    return refnn__self(x != x, x, y);
}

REFNN_MATH_INLINE float refnn_sigmoidf(float x) { return refnn__sigmoidf(x, 0); }
#endif
