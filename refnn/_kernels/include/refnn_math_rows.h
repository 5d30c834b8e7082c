/* Row maps over refnn's own transcendentals (refnn_math.h), in three builds chosen at run time:
 *
 *   refnn_map_<op>_<f32|f64>(x, y, n):   y[i] = op(x[i]), op = exp, expm1, log, log1p, tanh, erf, sigmoid;
 *   refnn_map_gelu_<f32|f64>(x, y, n):   y[i] = x * 0.5 * (1 + erf(x * sqrt(1/2))), the activation
 *                                        kernel's GELU formula, operation for operation;
 *   refnn_map_silu_<f32|f64>(x, y, n):   y[i] = x / (1 + exp(-x)), likewise;
 *   refnn_map_exp_shift_<f32|f64>(x, y, n, m): y[i] = exp(x[i] - m) (softmax's exponentials);
 *   refnn_softmax_row_f32(x, y, D):      softmax.pyx's softmax_row for float32, its max, exponentials, 8-lane
 *                                        sum and scaling in one build;
 *   refnn_map2_<gelu|silu|logsigmoid>_bwd_<f32|f64>(g, s, y, n): y[i] = the activation's gradient from
 *                                        g[i] and the input s[i] (scalar_bwd's formula).
 *
 * The same source compiled three times: a baseline build (SSE2 on x86-64), target("avx2") and an
 * AVX-512 build (target avx512f/avx512dq, 512-bit vectors preferred).  refnn_math_init(max_level)
 * picks the best the CPU runs up to max_level (0 baseline, 1 AVX2 with FMA, 2 AVX-512) and returns it; every
 * build performs the same IEEE operations per element (no contraction: -ffp-contract=off; the one fmaf,
 * float32 sigmoid's remainder in the AVX2 and AVX-512 builds, gives the exact value the baseline build's
 * Dekker product gives), so the bits do not depend on the build (tests/test_transcendentals.py runs every
 * build the CPU has and compares).  The AVX2 and AVX-512 builds of the float32 erf and GELU rows are
 * refnn_math_vec.h's (erf's piece constants by permute, the same bits).
 */
#ifndef REFNN_MATH_ROWS_H
#define REFNN_MATH_ROWS_H

#include "refnn_isa.h"
#include "refnn_math.h"
#include "refnn_ce_rows.h"     /* refnn_ce_rowmax_f32_<build>: the row maximum on the float's ordered bits */

/* the activation kernel's formulas as Cython writes them: its literal 1 is the double 1.0, so for float the
   sum and what follows are double, rounded to float once at the end */
#define REFNN_GELU_F32(v) ((float)((double)((v) * 0.5f) * (1.0 + (double)refnn_erff((v) * (float)0.70710678118654752440))))
#define REFNN_GELU_F64(v) ((v) * 0.5 * (1.0 + refnn_erf((v) * 0.70710678118654752440)))

/* GELU's derivative g * (cdf(s) + s pdf(s)), the activation kernel's scalar_bwd operation for operation */
#define REFNN_GELU_PDF_K ((1.12837916709551257390 * 0.70710678118654752440) * 0.5)
static inline __attribute__((always_inline)) float refnn__gelu_bwd_from_erf_f32(float g, float s, float e) {
    float t = (float)((double)0.5f * (1.0 + (double)e));                /* e = erf(s * sqrt(1/2)) */
    float u = (float)REFNN_GELU_PDF_K * refnn_expf((s * s) * -0.5f);
    return g * (t + s * u);
}
static inline __attribute__((always_inline)) float refnn_gelu_bwd_f32(float g, float s) {
    return refnn__gelu_bwd_from_erf_f32(g, s, refnn_erff(s * (float)0.70710678118654752440));
}
static inline __attribute__((always_inline)) double refnn_gelu_bwd_f64(double g, double s) {
    double t = 0.5 * (1.0 + refnn_erf(s * 0.70710678118654752440));
    double u = REFNN_GELU_PDF_K * refnn_exp((s * s) * -0.5);
    return g * (t + s * u);
}

/* SiLU's and LogSigmoid's derivatives, likewise (the literal 1 of Cython is the double 1.0) */
static inline __attribute__((always_inline)) float refnn_silu_bwd_f32(float g, float s) {
    float t = (float)(1.0 / (1.0 + (double)refnn_expf(-s)));
    return (float)((double)(g * t) * (1.0 + (double)s * (1.0 - (double)t)));
}
static inline __attribute__((always_inline)) double refnn_silu_bwd_f64(double g, double s) {
    double t = 1.0 / (1.0 + refnn_exp(-s));
    return (g * t) * (1.0 + s * (1.0 - t));
}
static inline __attribute__((always_inline)) float refnn_logsigmoid_bwd_f32(float g, float s) {
    union { float f; int32_t i; } u;
    u.f = s;
    u.i = u.i & 0x7fffffff;
    float t = refnn_expf(-u.f);
    float t1 = refnn__self(s < 0.0f, 1.0f, 0.0f), t3 = refnn__self(s < 0.0f, 1.0f, -1.0f);
    return (float)((double)g * ((double)t1 - (double)t3 * ((double)t / (1.0 + (double)t))));
}
static inline __attribute__((always_inline)) double refnn_logsigmoid_bwd_f64(double g, double s) {
    double t = refnn_exp(-refnn__fabs(s));
    double t1 = refnn__sel(s < 0.0, 1.0, 0.0), t3 = refnn__sel(s < 0.0, 1.0, -1.0);
    return g * (t1 - t3 * (t / (1.0 + t)));
}

#include "refnn_math_vec.h"   /* erf, GELU and its gradient (float32) of the AVX2 and AVX-512 builds: permuted constants */

#define REFNN_MATH_MAP2(ATTR, SUFFIX, NAME, T, EXPR)                                             \
    static ATTR void refnn_map_##NAME##SUFFIX(const T *restrict gp, const T *restrict sp,        \
                                               T *restrict y, long n)                            \
    {                                                                                            \
        for (long i = 0; i < n; i++)                                                             \
            y[i] = EXPR(gp[i], sp[i]);                                                           \
    }

#define REFNN_MATH_MAP(ATTR, SUFFIX, NAME, T, EXPR)                                              \
    static ATTR void refnn_map_##NAME##SUFFIX(const T *restrict x, T *restrict y, long n)        \
    {                                                                                            \
        for (long i = 0; i < n; i++) {                                                           \
            T v = x[i];                                                                          \
            y[i] = EXPR;                                                                         \
        }                                                                                        \
    }

#ifndef REFNN_SOFTMAX_BLOCK
#define REFNN_SOFTMAX_BLOCK 256L   /* softmax rows: exponentials per block before its 8-lane sum (a multiple of 8; 256 measured best of 64, 256, 1024, whole row) */
#endif
typedef float refnn_sm_v8 __attribute__((vector_size(32)));   /* softmax.pyx row_sum's 8 lanes, lane j = acc[j] */

#define REFNN_MATH_ROWS(ATTR, SUFFIX, HWFMA)                                                     \
    REFNN_MATH_MAP(ATTR, SUFFIX, exp_f32, float, refnn_expf(v))                                  \
    REFNN_MATH_MAP(ATTR, SUFFIX, exp_f64, double, refnn_exp(v))                                  \
    REFNN_MATH_MAP(ATTR, SUFFIX, expm1_f32, float, refnn_expm1f(v))                              \
    REFNN_MATH_MAP(ATTR, SUFFIX, expm1_f64, double, refnn_expm1(v))                              \
    REFNN_MATH_MAP(ATTR, SUFFIX, log_f32, float, refnn_logf(v))                                  \
    REFNN_MATH_MAP(ATTR, SUFFIX, log_f64, double, refnn_log(v))                                  \
    REFNN_MATH_MAP(ATTR, SUFFIX, log1p_f32, float, refnn_log1pf(v))                              \
    REFNN_MATH_MAP(ATTR, SUFFIX, log1p_f64, double, refnn_log1p(v))                              \
    REFNN_MATH_MAP(ATTR, SUFFIX, tanh_f32, float, refnn_tanhf(v))                                \
    REFNN_MATH_MAP(ATTR, SUFFIX, tanh_f64, double, refnn_tanh(v))                                \
    REFNN_MATH_MAP(ATTR, SUFFIX, erf_f64, double, refnn_erf(v))                                  \
    REFNN_MATH_MAP(ATTR, SUFFIX, sigmoid_f32, float, refnn__sigmoidf(v, HWFMA))                  \
    REFNN_MATH_MAP(ATTR, SUFFIX, sigmoid_f64, double, refnn_sigmoid(v))                          \
    REFNN_MATH_MAP(ATTR, SUFFIX, gelu_f64, double, REFNN_GELU_F64(v))                            \
    REFNN_MATH_MAP(ATTR, SUFFIX, silu_f32, float, (float)((double)v / (1.0 + (double)refnn_expf(-v))))                   \
    REFNN_MATH_MAP(ATTR, SUFFIX, silu_f64, double, v / (1.0 + refnn_exp(-v)))                    \
    REFNN_MATH_MAP2(ATTR, SUFFIX, gelu_bwd_f64, double, refnn_gelu_bwd_f64)                      \
    REFNN_MATH_MAP2(ATTR, SUFFIX, silu_bwd_f32, float, refnn_silu_bwd_f32)                       \
    REFNN_MATH_MAP2(ATTR, SUFFIX, silu_bwd_f64, double, refnn_silu_bwd_f64)                      \
    REFNN_MATH_MAP2(ATTR, SUFFIX, logsigmoid_bwd_f32, float, refnn_logsigmoid_bwd_f32)           \
    REFNN_MATH_MAP2(ATTR, SUFFIX, logsigmoid_bwd_f64, double, refnn_logsigmoid_bwd_f64)          \
    static ATTR void refnn_map_exp_shift_f32##SUFFIX(const float *restrict x, float *restrict y, \
                                                     long n, float m)                            \
    {                                                                                            \
        for (long i = 0; i < n; i++)                                                             \
            y[i] = refnn_expf(x[i] - m);                                                         \
    }                                                                                            \
    static ATTR void refnn_map_softmax_row_f32##SUFFIX(const float *restrict x, float *restrict y, long D) \
    {                                                                                            \
        float m = refnn_ce_rowmax_f32##SUFFIX(x, D), acc[8], scale;                              \
        long b, d, full = D - D % 8;                                                             \
        /* the exponentials and the 8-lane sum block by block (REFNN_SOFTMAX_BLOCK elements, a multiple   \
           of 8): each lane's adds are a serial chain (one add per 8 elements) that the CPU now runs   \
           beside the next block's exponentials; the same values added in the same order as one    \
           exponential pass followed by one sum pass.  The 8 lanes live in one 8-float vector (gcc's      \
           vector extension: one 256-bit add per 8 elements, two 128-bit adds in the baseline build,  \
           lane by lane the same float adds as row_sum's acc[j] = acc[j] + y[d + j]) */               \
        refnn_sm_v8 lanes = {0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f};                    \
        for (b = 0; b < full; b += REFNN_SOFTMAX_BLOCK) {                                        \
            long e = b + REFNN_SOFTMAX_BLOCK < full ? b + REFNN_SOFTMAX_BLOCK : full;            \
            for (d = b; d < e; d++)                                                              \
                y[d] = refnn__expf_nonpos(x[d] - m);                                             \
            for (d = b; d < e; d += 8) {                                                         \
                refnn_sm_v8 v;                                                                   \
                __builtin_memcpy(&v, y + d, sizeof v);                                           \
                lanes = lanes + v;                 /* lane j: acc[j] = acc[j] + y[d + j] */      \
            }                                                                                    \
        }                                                                                        \
        __builtin_memcpy(acc, &lanes, sizeof lanes);                                             \
        for (d = full; d < D; d++) {                                                             \
            y[d] = refnn__expf_nonpos(x[d] - m);                                                 \
            acc[d - full] = acc[d - full] + y[d];                                                \
        }                                                                                        \
        scale = 1.0f / (((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]))); \
        for (d = 0; d < D; d++)                                                                  \
            y[d] = y[d] * scale;                                                                 \
    }                                                                                            \
    static ATTR void refnn_map_exp_shift_f64##SUFFIX(const double *restrict x, double *restrict y, \
                                                     long n, double m)                           \
    {                                                                                            \
        for (long i = 0; i < n; i++)                                                             \
            y[i] = refnn_exp(x[i] - m);                                                          \
    }

REFNN_MATH_ROWS(, _base, 0)
REFNN_MATH_MAP2(, _base, gelu_bwd_f32, float, refnn_gelu_bwd_f32)
REFNN_MATH_MAP(, _base, erf_f32, float, refnn_erff(v))
REFNN_MATH_MAP(, _base, gelu_f32, float, REFNN_GELU_F32(v))

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define REFNN_MATH_HAVE_X86_BUILDS 1
REFNN_MATH_ROWS(__attribute__((target("avx2,fma"))), _avx2, 1)
REFNN_MATH_ROWS(__attribute__((target("avx512f,avx512dq,fma,prefer-vector-width=512"))), _avx512, 1)
REFNN_ERF_VEC_ROWS(__attribute__((target("avx2,fma"))), _avx2, refnn_vf8, refnn_vi8, 8)
REFNN_ERF_VEC_ROWS(__attribute__((target("avx512f,avx512dq,fma,prefer-vector-width=512"))), _avx512, refnn_vf16, refnn_vi16, 16)
#endif

static int refnn_math_level = 0;

/* The best build the CPU and OS run, up to max_level (0 baseline, 1 AVX2, 2 AVX-512: refnn_isa.h, the
   choice every header kernel makes); returns the level chosen.  May be called again (refnn._isa.forced). */
static int refnn_math_init(int max_level)
{
#ifdef REFNN_MATH_HAVE_X86_BUILDS
    refnn_math_level = refnn_isa_choose(max_level);
#else
    (void)max_level;
    refnn_math_level = 0;
#endif
    return refnn_math_level;
}

#ifdef REFNN_MATH_HAVE_X86_BUILDS
#define REFNN_MATH_DISPATCH(NAME, ARGS)                                                          \
    do {                                                                                         \
        if (refnn_math_level == 2) { refnn_map_##NAME##_avx512 ARGS; return; }                   \
        if (refnn_math_level == 1) { refnn_map_##NAME##_avx2 ARGS; return; }                     \
        refnn_map_##NAME##_base ARGS;                                                            \
    } while (0)
#else
#define REFNN_MATH_DISPATCH(NAME, ARGS) refnn_map_##NAME##_base ARGS
#endif

#define REFNN_MATH_ENTRY(NAME, T)                                                                \
    static inline void refnn_map_##NAME(const T *x, T *y, long n) { REFNN_MATH_DISPATCH(NAME, (x, y, n)); }

REFNN_MATH_ENTRY(exp_f32, float)
REFNN_MATH_ENTRY(exp_f64, double)
REFNN_MATH_ENTRY(expm1_f32, float)
REFNN_MATH_ENTRY(expm1_f64, double)
REFNN_MATH_ENTRY(log_f32, float)
REFNN_MATH_ENTRY(log_f64, double)
REFNN_MATH_ENTRY(log1p_f32, float)
REFNN_MATH_ENTRY(log1p_f64, double)
REFNN_MATH_ENTRY(tanh_f32, float)
REFNN_MATH_ENTRY(tanh_f64, double)
REFNN_MATH_ENTRY(erf_f32, float)
REFNN_MATH_ENTRY(erf_f64, double)
REFNN_MATH_ENTRY(sigmoid_f32, float)
REFNN_MATH_ENTRY(sigmoid_f64, double)
REFNN_MATH_ENTRY(gelu_f32, float)
REFNN_MATH_ENTRY(gelu_f64, double)
REFNN_MATH_ENTRY(silu_f32, float)
REFNN_MATH_ENTRY(silu_f64, double)

static inline void refnn_map2_gelu_bwd_f32(const float *g, const float *s, float *y, long n)
{
    REFNN_MATH_DISPATCH(gelu_bwd_f32, (g, s, y, n));
}

static inline void refnn_map2_gelu_bwd_f64(const double *g, const double *s, double *y, long n)
{
    REFNN_MATH_DISPATCH(gelu_bwd_f64, (g, s, y, n));
}

#define REFNN_MATH_ENTRY2(NAME, T)                                                               \
    static inline void refnn_map2_##NAME(const T *g, const T *s, T *y, long n) { REFNN_MATH_DISPATCH(NAME, (g, s, y, n)); }

REFNN_MATH_ENTRY2(silu_bwd_f32, float)
REFNN_MATH_ENTRY2(silu_bwd_f64, double)
REFNN_MATH_ENTRY2(logsigmoid_bwd_f32, float)
REFNN_MATH_ENTRY2(logsigmoid_bwd_f64, double)

static inline void refnn_map_exp_shift_f32(const float *x, float *y, long n, float m)
{
    REFNN_MATH_DISPATCH(exp_shift_f32, (x, y, n, m));
}

/* softmax.pyx's softmax_row for float32 in one build: its row max (NaN if any element is NaN, a zero maximum
   with the first zero's sign), y = exp(x - m), the sum in row_sum's 8 lanes and pairwise order, y * (1 / sum):
   the same operations in the same order, so the same bits as the Cython loop (tests/test_transcendentals.py) */
static inline void refnn_softmax_row_f32(const float *x, float *y, long D)
{
    REFNN_MATH_DISPATCH(softmax_row_f32, (x, y, D));
}

static inline void refnn_map_exp_shift_f64(const double *x, double *y, long n, double m)
{
    REFNN_MATH_DISPATCH(exp_shift_f64, (x, y, n, m));
}

/* Force a build (tests: every build the CPU runs must give the same bits); returns the level set,
   or -1 where the CPU (or this compiler) lacks it. */
static int refnn_math_force_level(int level)
{
    if (level < 0 || level > 2 || level > refnn_isa_choose(2)) return -1;
#ifndef REFNN_MATH_HAVE_X86_BUILDS
    if (level != 0) return -1;
#endif
    refnn_math_level = level;
    return level;
}
#endif
