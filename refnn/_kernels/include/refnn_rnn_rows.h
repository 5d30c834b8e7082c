/* The sigmoid gates of refnn's recurrent kernel (refnn/_kernels/rnn.pyx), float32, baseline and AVX2:
 *
 *   refnn_sigmoid_sum_f32: out[i] = refnn_sigmoidf(a[i] + b[i])
 *
 * the activation kernels' sigmoid (refnn_math.h: the sum in float, then 1 / (1 + exp(-x)) in double,
 * rounded once to float).  The same source compiled twice, a baseline build and target("avx2"), chosen at run
 * time like the gemm's micro-kernels (refnn_rnn_init); no FMA (-ffp-contract=off): both builds perform
 * the same IEEE operations per element, so the bits do not depend on the build.
 */
#ifndef REFNN_RNN_ROWS_H
#define REFNN_RNN_ROWS_H

#include "refnn_math.h"

#define REFNN_RNN_ROWS(ATTR, SUFFIX)                                                             \
    static ATTR void refnn_sigmoid_sum_f32##SUFFIX(const float *restrict a, const float *restrict b, \
                                                   float *restrict out, long n)                  \
    {                                                                                            \
        for (long i = 0; i < n; i++)                                                             \
            out[i] = refnn_sigmoidf(a[i] + b[i]);                  \
    }

REFNN_RNN_ROWS(, _base)

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define REFNN_RNN_HAVE_AVX2_BUILD 1
REFNN_RNN_ROWS(__attribute__((target("avx2"))), _avx2)
#endif

static int refnn_rnn_use_avx2 = 0;

/* The best build the CPU runs, up to max_level (0 baseline, 1 AVX2); returns the level chosen. */
static int refnn_rnn_init(int max_level)
{
#ifdef REFNN_RNN_HAVE_AVX2_BUILD
    __builtin_cpu_init();
    refnn_rnn_use_avx2 = (max_level >= 1 && __builtin_cpu_supports("avx2")) ? 1 : 0;
#else
    (void)max_level;
#endif
    return refnn_rnn_use_avx2;
}

static inline void refnn_sigmoid_sum_f32(const float *a, const float *b, float *out, long n)
{
#ifdef REFNN_RNN_HAVE_AVX2_BUILD
    if (refnn_rnn_use_avx2) { refnn_sigmoid_sum_f32_avx2(a, b, out, n); return; }
#endif
    refnn_sigmoid_sum_f32_base(a, b, out, n);
}

#endif
