/* Vectorised row loops of the elementwise losses (refnn/_kernels/loss.pyx), baseline, AVX2 and AVX-512:
 *
 *   refnn_smooth_l1_bwd_<f32|f64>(x, y, g, gstep, beta, norm, gi, gt, n):
 *       d = x[i] - y[i]; gi[i] = (norm * (|d| >= beta ? (d > 0 ? 1 : -1) : d / beta)) * g[i * gstep];
 *       gt[i] = -gi[i] where gt is not NULL (the target's gradient);
 *   refnn_huber_bwd_<f32|f64>(...): the same with (|d| >= delta ? (d > 0 ? 1 : -1) * delta : d);
 *   refnn_kl_div_fwd_<f32|f64>(x, t, out, n, log_target):
 *       out[i] = xlogy(t, t) - t * x (xlogy(t, t) = t at NaN t, 0 at t == 0, t * log(t) else), or
 *       exp(t) * (t - x) with log_target;
 *   refnn_kl_div_bwd_<f32|f64>(x, t, g, gstep, gi, gt, n, log_target): loss.pyx's kl_div_bwd formulas
 *       (gi or gt NULL: not wanted).
 *
 * Each is the Cython specification loop of loss.pyx (the *_spec functions there) operation for operation, in
 * the element type; its branches become bitwise selects of values that are all computed (no branch, so the
 * loops vectorise without -fno-trapping-math).  The same source is compiled three times, a baseline build,
 * target("avx2") and AVX-512, chosen at run time through refnn_isa.h (refnn_loss_rows_init); no FMA
 * (-ffp-contract=off): every build performs the same IEEE operations per element, so the bits do not depend
 * on the build (tests/test_loss_spec.py holds every build equal to the specification loops).
 * gstep is 0 (the reductions' one upstream value) or 1; the loops for the two are separate so both vectorise.
 */
#ifndef REFNN_LOSS_ROWS_H
#define REFNN_LOSS_ROWS_H

#include <stdint.h>
#include <stddef.h>
#include "refnn_isa.h"
#include "refnn_math.h"

#define REFNN_LR_INLINE static inline __attribute__((always_inline))

/* selects: refnn__self / refnn__sel (refnn_math.h), bitwise blends of two computed values */
REFNN_LR_INLINE float refnn_lr_absf(float a) {
    union { float f; int32_t i; } u;
    u.f = a; u.i &= 0x7fffffff;
    return u.f;
}
REFNN_LR_INLINE double refnn_lr_abs(double a) {
    union { double f; int64_t i; } u;
    u.f = a; u.i &= INT64_MAX;
    return u.f;
}

/* the per-element expressions, in T with its select SEL, absolute value ABS, exp EXP and log LOG */
#define REFNN_LR_SMOOTH_L1(T, SEL, ABS, d, beta, norm, g) \
    ((norm) * SEL(ABS(d) >= (beta), SEL((d) > 0, (T)1, (T)-1), (d) / (beta)) * (g))
#define REFNN_LR_HUBER(T, SEL, ABS, d, delta, norm, g) \
    ((norm) * SEL(ABS(d) >= (delta), SEL((d) > 0, (T)1, (T)-1) * (delta), (d)) * (g))

#define REFNN_LR_PARAM_BWD(ATTR, SUFFIX, NAME, T, SEL, ABS, EXPR)                                      \
    static ATTR void refnn_##NAME##_bwd##SUFFIX(const T *restrict x, const T *restrict y,              \
                                                 const T *restrict g, long gstep, T p, T norm,         \
                                                 T *restrict gi, T *restrict gt, long n)               \
    {                                                                                                  \
        long i;                                                                                        \
        if (gstep == 0) {                                                                              \
            T g0 = g[0];                                                                               \
            for (i = 0; i < n; i++) {                                                                  \
                T d = x[i] - y[i];                                                                     \
                gi[i] = EXPR(T, SEL, ABS, d, p, norm, g0);                                             \
            }                                                                                          \
        } else {                                                                                       \
            for (i = 0; i < n; i++) {                                                                  \
                T d = x[i] - y[i];                                                                     \
                gi[i] = EXPR(T, SEL, ABS, d, p, norm, g[i]);                                           \
            }                                                                                          \
        }                                                                                              \
        if (gt)                                                                                        \
            for (i = 0; i < n; i++)                                                                    \
                gt[i] = -gi[i];                                                                        \
    }

#define REFNN_LR_KL(ATTR, SUFFIX, T, SEL, EXP, LOG)                                                    \
    static ATTR void refnn_kl_div_fwd##SUFFIX(const T *restrict x, const T *restrict t, T *restrict out, \
                                               long n, int log_target)                                \
    {                                                                                                  \
        long i;                                                                                        \
        if (log_target) {                                                                              \
            for (i = 0; i < n; i++)                                                                    \
                out[i] = EXP(t[i]) * (t[i] - x[i]);                                                    \
        } else {                                                                                       \
            for (i = 0; i < n; i++) {                                                                  \
                T ti = t[i];                                                                           \
                T a = SEL(ti != ti, ti, SEL(ti == 0, (T)0, ti * LOG(ti)));                             \
                out[i] = a - ti * x[i];                                                                \
            }                                                                                          \
        }                                                                                              \
    }                                                                                                  \
    static ATTR void refnn_kl_div_bwd_one##SUFFIX(const T *restrict x, const T *restrict t,           \
                                                   const T *restrict g, long gstep, T *restrict gi,    \
                                                   T *restrict gt, long n, int log_target)             \
    {                                                                                                  \
        long i;                                                                                        \
        if (log_target) {                                                                              \
            for (i = 0; i < n; i++) {                                                                  \
                T gv = g[i * gstep], e = EXP(t[i]);                                                    \
                if (gi) gi[i] = -(gv * e);                                                             \
                if (gt) gt[i] = gv * (t[i] - x[i]) * e + gv * e;                                       \
            }                                                                                          \
        } else {                                                                                       \
            if (gi)                                                                                    \
                for (i = 0; i < n; i++)                                                                \
                    gi[i] = -(g[i * gstep] * t[i]);                                                    \
            if (gt)                                                                                    \
                for (i = 0; i < n; i++) {                                                              \
                    T gv = g[i * gstep], ti = t[i];                                                    \
                    T a = SEL(ti == 0, (T)0, gv * LOG(ti));                                            \
                    gt[i] = (a + gv * ti / ti) + -(gv * x[i]);                                         \
                }                                                                                      \
        }                                                                                              \
    }                                                                                                  \
    static ATTR void refnn_kl_div_bwd##SUFFIX(const T *restrict x, const T *restrict t,               \
                                               const T *restrict g, long gstep, T *restrict gi,        \
                                               T *restrict gt, long n, int log_target)                 \
    {                                                                                                  \
        /* two copies, the step a constant in each, so that both vectorise */                          \
        if (gstep == 0) refnn_kl_div_bwd_one##SUFFIX(x, t, g, 0, gi, gt, n, log_target);               \
        else refnn_kl_div_bwd_one##SUFFIX(x, t, g, 1, gi, gt, n, log_target);                          \
    }

#define REFNN_LOSS_ROWS(ATTR, SUFFIX)                                                                  \
    REFNN_LR_PARAM_BWD(ATTR, _f32##SUFFIX, smooth_l1, float, refnn__self, refnn_lr_absf, REFNN_LR_SMOOTH_L1) \
    REFNN_LR_PARAM_BWD(ATTR, _f64##SUFFIX, smooth_l1, double, refnn__sel, refnn_lr_abs, REFNN_LR_SMOOTH_L1)  \
    REFNN_LR_PARAM_BWD(ATTR, _f32##SUFFIX, huber, float, refnn__self, refnn_lr_absf, REFNN_LR_HUBER)         \
    REFNN_LR_PARAM_BWD(ATTR, _f64##SUFFIX, huber, double, refnn__sel, refnn_lr_abs, REFNN_LR_HUBER)          \
    REFNN_LR_KL(ATTR, _f32##SUFFIX, float, refnn__self, refnn_expf, refnn_logf)                      \
    REFNN_LR_KL(ATTR, _f64##SUFFIX, double, refnn__sel, refnn_exp, refnn_log)

REFNN_LOSS_ROWS(, _base)

#ifdef REFNN_ISA_X86
REFNN_LOSS_ROWS(REFNN_ISA_AVX2, _avx2)
REFNN_LOSS_ROWS(REFNN_ISA_AVX512, _avx512)
#endif

REFNN_ISA_LEVEL(refnn_loss_rows_level, refnn_loss_rows_init)
#define REFNN_LR_DISPATCH(NAME, ARGS) REFNN_ISA_DISPATCH(refnn_loss_rows_level, NAME, ARGS)

#define REFNN_LR_ENTRY_PARAM(NAME, T, S)                                                               \
    static inline void refnn_##NAME##_bwd_##S(const T *x, const T *y, const T *g, long gstep, T p,      \
                                             T norm, T *gi, T *gt, long n)                             \
    { REFNN_LR_DISPATCH(refnn_##NAME##_bwd_##S, (x, y, g, gstep, p, norm, gi, gt, n)); }
REFNN_LR_ENTRY_PARAM(smooth_l1, float, f32)
REFNN_LR_ENTRY_PARAM(smooth_l1, double, f64)
REFNN_LR_ENTRY_PARAM(huber, float, f32)
REFNN_LR_ENTRY_PARAM(huber, double, f64)

#define REFNN_LR_ENTRY_KL(T, S)                                                                        \
    static inline void refnn_kl_div_fwd_##S(const T *x, const T *t, T *out, long n, int log_target)    \
    { REFNN_LR_DISPATCH(refnn_kl_div_fwd_##S, (x, t, out, n, log_target)); }                           \
    static inline void refnn_kl_div_bwd_##S(const T *x, const T *t, const T *g, long gstep, T *gi,     \
                                            T *gt, long n, int log_target)                             \
    { REFNN_LR_DISPATCH(refnn_kl_div_bwd_##S, (x, t, g, gstep, gi, gt, n, log_target)); }
REFNN_LR_ENTRY_KL(float, f32)
REFNN_LR_ENTRY_KL(double, f64)

#endif
