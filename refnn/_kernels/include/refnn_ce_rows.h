/* The exp-bound row loops of the fused float32 cross-entropy (refnn/_kernels/loss.pyx), baseline, AVX2 and AVX-512:
 *
 *   refnn_ce_sumexp_f32: s[j] = sum over d = j, j + 8, j + 16, ... (then the tail d >= D - D % 8 into
 *                        s[d - full]) of exp(x[d] - m), each lane adding in ascending d;
 *   refnn_ce_grad_f32:   grad[d] = 0 - exp((x[d] - m) - lt) * total.
 *
 * The same source compiled three times, a baseline build, target("avx2") and AVX-512, chosen at run time like the
 * gemm's micro-kernels (refnn_ce_init).  exp is refnn_expf (refnn_math.h, branch-free so the loops
 * vectorise); no FMA (-ffp-contract=off): both builds perform the same IEEE operations per element, the
 * loops of the Cython specification's, so the bits do not depend on the build.
 */
#ifndef REFNN_CE_ROWS_H
#define REFNN_CE_ROWS_H

#include "refnn_isa.h"
#include "refnn_math.h"

#define REFNN_CE_ROWS(ATTR, SUFFIX)                                                              \
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
    }                                                                                            \
    static ATTR void refnn_ce_grad_f32##SUFFIX(const float *restrict x, float *restrict grad, long D, \
                                               float m, float lt, float total)                   \
    {                                                                                            \
        for (long d = 0; d < D; d++)                                                             \
            grad[d] = 0.0f - refnn_expf(x[d] - m - lt) * total;                                  \
    }

REFNN_CE_ROWS(, _base)

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define REFNN_CE_HAVE_AVX2_BUILD 1
REFNN_CE_ROWS(__attribute__((target("avx2"))), _avx2)
REFNN_CE_ROWS(__attribute__((target("avx512f,avx512vl,avx512bw,avx512dq"))), _avx512)
#endif

static int refnn_ce_use_avx2 = 0, refnn_ce_use_avx512 = 0;

/* The best build the CPU and OS run, up to max_level (0 baseline, 1 AVX2, 2 AVX-512: refnn_isa.h);
 * returns the level chosen.  May be called again (refnn._isa.forced). */
static int refnn_ce_init(int max_level)
{
    int level = refnn_isa_choose(max_level);
#ifndef REFNN_CE_HAVE_AVX2_BUILD
    level = 0;
#endif
    refnn_ce_use_avx2 = level == 1;
    refnn_ce_use_avx512 = level == 2;
    return level;
}

static inline void refnn_ce_sumexp_f32(const float *x, long D, float m, float *s)
{
#ifdef REFNN_CE_HAVE_AVX2_BUILD
    if (refnn_ce_use_avx512) { refnn_ce_sumexp_f32_avx512(x, D, m, s); return; }
    if (refnn_ce_use_avx2) { refnn_ce_sumexp_f32_avx2(x, D, m, s); return; }
#endif
    refnn_ce_sumexp_f32_base(x, D, m, s);
}

static inline void refnn_ce_grad_f32(const float *x, float *grad, long D, float m, float lt, float total)
{
#ifdef REFNN_CE_HAVE_AVX2_BUILD
    if (refnn_ce_use_avx512) { refnn_ce_grad_f32_avx512(x, grad, D, m, lt, total); return; }
    if (refnn_ce_use_avx2) { refnn_ce_grad_f32_avx2(x, grad, D, m, lt, total); return; }
#endif
    refnn_ce_grad_f32_base(x, grad, D, m, lt, total);
}

#endif
