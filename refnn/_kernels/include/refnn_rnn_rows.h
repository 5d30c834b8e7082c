/* The sigmoid gates of refnn's recurrent kernel (refnn/_kernels/rnn.pyx), float32, baseline, AVX2 and AVX-512:
 *
 *   refnn_sigmoid_sum_f32: out[i] = refnn_sigmoidf(a[i] + b[i])
 *
 * the activation kernels' sigmoid (refnn_math.h: the sum in float, then 1 / (1 + exp(-x)) in double,
 * rounded once to float).  The same source compiled three times, a baseline build, target("avx2") and AVX-512, chosen at run
 * time like the gemm's micro-kernels (refnn_rnn_init); no FMA (-ffp-contract=off): both builds perform
 * the same IEEE operations per element, so the bits do not depend on the build.
 */
#ifndef REFNN_RNN_ROWS_H
#define REFNN_RNN_ROWS_H

#include "refnn_isa.h"
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
REFNN_RNN_ROWS(__attribute__((target("avx512f,avx512vl,avx512bw,avx512dq"))), _avx512)
#endif

static int refnn_rnn_use_avx2 = 0, refnn_rnn_use_avx512 = 0;

/* The best build the CPU and OS run, up to max_level (0 baseline, 1 AVX2, 2 AVX-512: refnn_isa.h);
 * returns the level chosen.  May be called again (refnn._isa.forced). */
static int refnn_rnn_init(int max_level)
{
    int level = refnn_isa_choose(max_level);
#ifndef REFNN_RNN_HAVE_AVX2_BUILD
    level = 0;
#endif
    refnn_rnn_use_avx2 = level == 1;
    refnn_rnn_use_avx512 = level == 2;
    return level;
}

static inline void refnn_sigmoid_sum_f32(const float *a, const float *b, float *out, long n)
{
#ifdef REFNN_RNN_HAVE_AVX2_BUILD
    if (refnn_rnn_use_avx512) { refnn_sigmoid_sum_f32_avx512(a, b, out, n); return; }
    if (refnn_rnn_use_avx2) { refnn_sigmoid_sum_f32_avx2(a, b, out, n); return; }
#endif
    refnn_sigmoid_sum_f32_base(a, b, out, n);
}

#endif
