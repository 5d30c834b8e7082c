/* Vectorised row loops of the CTC loss (refnn/_kernels/ctc.pyx), baseline, AVX2 and AVX-512:
 *
 *   refnn_ctc_row_<f32|f64>(a, b, c, allow, lpc, out, n):   one alpha (or beta) row over the states s:
 *       x3 = allow[s] ? c[s] : -inf; m = a[s], then b[s] if b[s] > m, then x3 if x3 > m; m = 0 if m == -inf;
 *       out[s] = log(exp(a[s] - m) + exp(b[s] - m) + exp(x3 - m)) + m + lpc[s]
 *     (alpha: a, b, c = the previous row at s, s - 1, s - 2; beta: the next row at s, s + 1, s + 2);
 *   refnn_ctc_logadd_<f32|f64>(g, ab, n):   g[i] = ab[i] where g[i] == -inf, else
 *       log(exp(g[i] - mx) + exp(ab[i] - mx)) + mx with mx = g[i] < ab[i] ? ab[i] : g[i];
 *   refnn_ctc_grad_<f32|f64>(lp, g, loss, gr, out, n):   out[i] = (exp(lp[i]) - exp((g[i] + loss) - lp[i])) * gr.
 *
 * Each is an expression of ctc.pyx's specification loops (ctc_fwd_spec, ctc_bwd_spec) operation for operation,
 * in the element type, the branches as bitwise selects of computed values; every element is independent, so the
 * loops vectorise.  Three builds of the same source (baseline, target("avx2"), AVX-512) chosen through
 * refnn_isa.h (refnn_ctc_rows_init); no FMA (-ffp-contract=off), so the bits do not depend on the build
 * (tests/test_loss_spec.py holds every build equal to the specification loops).
 */
#ifndef REFNN_CTC_ROWS_H
#define REFNN_CTC_ROWS_H

#include <stdint.h>
#include "refnn_isa.h"
#include "refnn_math.h"

#define REFNN_CTC_ROWS_T(ATTR, SUFFIX, T, SEL, EXP, LOG, NEGINF)                                       \
    static ATTR void refnn_ctc_row##SUFFIX(const T *restrict a, const T *restrict b, const T *restrict c, \
                                            const int32_t *restrict allow, const T *restrict lpc,      \
                                            T *restrict out, long n)                                   \
    {                                                                                                  \
        for (long s = 0; s < n; s++) {                                                                 \
            T x1 = a[s], x2 = b[s], x3 = SEL(allow[s] != 0, c[s], NEGINF);                             \
            T m = x1;                                                                                  \
            m = SEL(x2 > m, x2, m);                                                                    \
            m = SEL(x3 > m, x3, m);                                                                    \
            m = SEL(m == NEGINF, (T)0, m);                                                             \
            out[s] = LOG(EXP(x1 - m) + EXP(x2 - m) + EXP(x3 - m)) + m + lpc[s];                        \
        }                                                                                              \
    }                                                                                                  \
    static ATTR void refnn_ctc_logadd##SUFFIX(T *restrict g, const T *restrict ab, long n)             \
    {                                                                                                  \
        for (long i = 0; i < n; i++) {                                                                 \
            T gv = g[i], av = ab[i];                                                                   \
            T mx = SEL(gv < av, av, gv);                                                               \
            T sum = LOG(EXP(gv - mx) + EXP(av - mx)) + mx;                                             \
            g[i] = SEL(gv == NEGINF, av, sum);                                                         \
        }                                                                                              \
    }                                                                                                  \
    static ATTR void refnn_ctc_grad##SUFFIX(const T *restrict lp, const T *restrict g, T loss, T gr,   \
                                             T *restrict out, long n)                                  \
    {                                                                                                  \
        for (long i = 0; i < n; i++)                                                                   \
            out[i] = (EXP(lp[i]) - EXP(g[i] + loss - lp[i])) * gr;                                     \
    }

#define REFNN_CTC_ROWS(ATTR, SUFFIX)                                                                   \
    REFNN_CTC_ROWS_T(ATTR, _f32##SUFFIX, float, refnn__self, refnn_expf, refnn_logf, -__builtin_inff()) \
    REFNN_CTC_ROWS_T(ATTR, _f64##SUFFIX, double, refnn__sel, refnn_exp, refnn_log, -__builtin_inf())

REFNN_CTC_ROWS(, _base)

#ifdef REFNN_ISA_X86
REFNN_CTC_ROWS(REFNN_ISA_AVX2, _avx2)
REFNN_CTC_ROWS(REFNN_ISA_AVX512, _avx512)
#endif

REFNN_ISA_LEVEL(refnn_ctc_rows_level, refnn_ctc_rows_init)
#define REFNN_CTC_DISPATCH(NAME, ARGS) REFNN_ISA_DISPATCH(refnn_ctc_rows_level, NAME, ARGS)

#define REFNN_CTC_ENTRY(T, S)                                                                          \
    static inline void refnn_ctc_row_##S(const T *a, const T *b, const T *c, const int32_t *allow,     \
                                         const T *lpc, T *out, long n)                                 \
    { REFNN_CTC_DISPATCH(refnn_ctc_row_##S, (a, b, c, allow, lpc, out, n)); }                          \
    static inline void refnn_ctc_logadd_##S(T *g, const T *ab, long n)                                 \
    { REFNN_CTC_DISPATCH(refnn_ctc_logadd_##S, (g, ab, n)); }                                          \
    static inline void refnn_ctc_grad_##S(const T *lp, const T *g, T loss, T gr, T *out, long n)       \
    { REFNN_CTC_DISPATCH(refnn_ctc_grad_##S, (lp, g, loss, gr, out, n)); }
REFNN_CTC_ENTRY(float, f32)
REFNN_CTC_ENTRY(double, f64)

#endif
