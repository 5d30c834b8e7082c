/* Vectorisable float32 exp and GELU's erf for the activation and softmax kernels.
 *
 * glibc's expf/erff are calls gcc cannot vectorise; these are branch-free (every select is a
 * bitwise blend, so gcc vectorises the loops that call them even without -fno-trapping-math)
 * and deterministic (no FMA: kernels build with -ffp-contract=off).
 *
 * refnn_expf: exp(x) = 2^k * e^r, k = round(x / ln 2), r = x - k ln 2 (Cody-Waite, two parts),
 * e^r by the Cephes degree-6 polynomial; within 1 ulp of glibc's expf over the whole float range,
 * denormal results included (2^k applied in two halves); +inf above 88.72, 0 below -104, NaN kept.
 *
 * refnn_gelu_erff: Abramowitz & Stegun 7.1.26, erf(x) = sign(x) (1 - t P(t) e^(-x^2)),
 * t = 1 / (1 + 0.3275911 |x|), absolute error <= 1.5e-7: the formula of torch's own vectorised
 * float erf, which its CPU GELU uses.  Only GELU uses it (there 0.5 x (1 + erf) keeps the error
 * relative).
 */
#ifndef REFNN_VEXP_H
#define REFNN_VEXP_H
#include <stdint.h>

typedef union { float f; int32_t i; } refnn_fbits;

/* c ? a : b as a bitwise blend (c is 0 or 1) */
static inline float refnn_select_f(int c, float a, float b) {
    refnn_fbits ua, ub, r;
    int32_t m = -(int32_t)c;
    ua.f = a; ub.f = b;
    r.i = (ua.i & m) | (ub.i & ~m);
    return r.f;
}

static inline float refnn_expf(float x) {
    float xc = refnn_select_f(x < -104.0f, -104.0f, x);
    xc = refnn_select_f(xc > 88.72283935546875f, 88.72283935546875f, xc);
    float t = xc * 1.44269504088896341f + 12582912.0f;     /* 1.5 * 2^23: rounds to an integer */
    float k = t - 12582912.0f;
    float r = xc - k * 0.693145751953125f;
    r = r - k * 1.428606765330187045e-06f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    refnn_fbits u, s1, s2;
    u.f = t;
    int32_t ki = u.i - 0x4B400000, k1 = ki >> 1, k2 = ki - k1;
    s1.i = (k1 + 127) << 23;
    s2.i = (k2 + 127) << 23;
    float y = (p * s1.f) * s2.f;
    y = refnn_select_f(x > 88.72283935546875f, __builtin_inff(), y);
    y = refnn_select_f(x < -104.0f, 0.0f, y);
    return refnn_select_f(x != x, x, y);
}

/* erf(x) given e = exp(-x^2) (GELU's backward shares that exponential with the normal pdf) */
static inline float refnn_gelu_erff_given_exp(float x, float e) {
    refnn_fbits ux, sign, ax;
    ux.f = x;
    sign.i = ux.i & (int32_t)0x80000000;
    ax.i = ux.i & 0x7FFFFFFF;
    float t = 1.0f / (0.3275911f * ax.f + 1.0f);
    float r = 1.061405429f * t + -1.453152027f;
    r = r * t + 1.421413741f;
    r = r * t + -0.284496736f;
    r = r * t + 0.254829592f;
    refnn_fbits y;
    y.f = 1.0f - (e * t) * r;
    y.i = y.i ^ sign.i;
    return y.f;
}

static inline float refnn_gelu_erff(float x) {
    return refnn_gelu_erff_given_exp(x, refnn_expf(-(x * x)));
}
#endif
