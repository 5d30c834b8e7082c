/* The sigmoid gates of refnn's recurrent kernel (refnn/_kernels/rnn.pyx), float32, baseline, AVX2 and AVX-512:
 *
 *   refnn_sigmoid_sum_f32: out[i] = refnn_sigmoidf(a[i] + b[i])
 *   refnn_tanh_sum_<f32|f64>: out[i] = tanh(a[i] + b[i])                (LSTM's g, the tanh RNN)
 *   refnn_lstm_cell_<f32|f64>: c[i] = f[i] * c_prev[i] + i[i] * g[i]; tc[i] = tanh(c[i]); h[i] = o[i] * tc[i]
 *   refnn_gru_new_<f32|f64>: n[i] = tanh(ig_n[i] + gh_n[i] * r[i]); h[i] = (h_prev[i] - n[i]) * z[i] + n[i]
 *   refnn_lstm_dgates_<f32|f64>: one row of the LSTM backward's gates (rnn.pyx's _lstm_dgates: gc, the four
 *       gate gradients, carry_c := gc * f), with the derivatives sigmoid' = (g * (1 - y)) * y and
 *       tanh' = g * (1 - y * y) formed as the Cython loop forms them: the constant 1 is a double, so for float32
 *       (1 - y), (1 - y * y) (y * y rounded to float first) and their products with g run in double and are
 *       rounded once to float
 *
 * the activation kernels' sigmoid and tanh (refnn_math.h; sigmoid's exact remainder through hardware fmaf in
 * the AVX2 and AVX-512 builds and Dekker's product in the baseline build, the same value, so the same bits), each product and sum rounded in the element type in the order written: the very
 * operations of the scalar loops in refnn/_kernels/rnn.pyx's docstring, now in rows the compiler vectorises.  The same source compiled three times, a baseline build, target("avx2") and AVX-512, chosen at run
 * time like the gemm's micro-kernels (refnn_rnn_init); no contracted FMA (-ffp-contract=off): the builds perform
 * the same IEEE operations per element, so the bits do not depend on the build.
 */
#ifndef REFNN_RNN_ROWS_H
#define REFNN_RNN_ROWS_H

#include "refnn_isa.h"
#include "refnn_math.h"

#define REFNN_RNN_ROWS(ATTR, SUFFIX, HWFMA)                                                           \
    static ATTR void refnn_sigmoid_sum_f32##SUFFIX(const float *restrict a, const float *restrict b, \
                                                   float *restrict out, long n)                  \
    {                                                                                            \
        for (long i = 0; i < n; i++)                                                             \
            out[i] = refnn__sigmoidf(a[i] + b[i], HWFMA);                                      \
    }                                                                                            \
    REFNN_RNN_TYPED_ROWS(ATTR, SUFFIX, f32, float, refnn_tanhf)                                   \
    REFNN_RNN_TYPED_ROWS(ATTR, SUFFIX, f64, double, refnn_tanh)

#define REFNN_RNN_DSIGMOID(T, g, y) ((T)(((double)(g) * (1.0 - (double)(y))) * (double)(y)))
#define REFNN_RNN_DTANH(T, g, y) ((T)((double)(g) * (1.0 - (double)(T)((y) * (y)))))

#define REFNN_RNN_TYPED_ROWS(ATTR, SUFFIX, TS, T, TANH)                                          \
    static ATTR void refnn_lstm_dgates_##TS##SUFFIX(const T *restrict grad_h, const T *restrict act, \
                                                     const T *restrict tc, const T *restrict c_prev, \
                                                     T *restrict carry_c, T *restrict grad_gates,  \
                                                     long H)                                       \
    {                                                                                            \
        for (long j = 0; j < H; j++) {                                                           \
            const T i_ = act[j], f_ = act[j + H], g_ = act[j + 2 * H], o_ = act[j + 3 * H];      \
            const T t_ = tc[j], gh = grad_h[j];                                                  \
            const T gc = (T)(REFNN_RNN_DTANH(T, gh * o_, t_) + carry_c[j]);                      \
            grad_gates[j] = REFNN_RNN_DSIGMOID(T, gc * g_, i_);                                  \
            grad_gates[j + H] = REFNN_RNN_DSIGMOID(T, gc * c_prev[j], f_);                       \
            grad_gates[j + 2 * H] = REFNN_RNN_DTANH(T, gc * i_, g_);                             \
            grad_gates[j + 3 * H] = REFNN_RNN_DSIGMOID(T, gh * t_, o_);                          \
            carry_c[j] = gc * f_;                                                                \
        }                                                                                        \
    }                                                                                            \
    static ATTR void refnn_tanh_sum_##TS##SUFFIX(const T *restrict a, const T *restrict b,       \
                                                  T *restrict out, long n)                       \
    {                                                                                            \
        for (long i = 0; i < n; i++)                                                             \
            out[i] = TANH(a[i] + b[i]);                                                          \
    }                                                                                            \
    static ATTR void refnn_lstm_cell_##TS##SUFFIX(const T *restrict ig, const T *restrict fg,    \
                                                   const T *restrict gg, const T *restrict og,   \
                                                   const T *restrict c_prev, T *restrict c,      \
                                                   T *restrict tc, T *restrict h, long n)        \
    {                                                                                            \
        for (long i = 0; i < n; i++) {                                                           \
            const T ci = fg[i] * c_prev[i] + ig[i] * gg[i];                                      \
            const T ti = TANH(ci);                                                               \
            c[i] = ci;                                                                           \
            tc[i] = ti;                                                                          \
            h[i] = og[i] * ti;                                                                   \
        }                                                                                        \
    }                                                                                            \
    static ATTR void refnn_gru_new_##TS##SUFFIX(const T *restrict ig_n, const T *restrict gh_n,  \
                                                 const T *restrict r, const T *restrict z,       \
                                                 const T *restrict h_prev, T *restrict n_out,    \
                                                 T *restrict h, long n)                          \
    {                                                                                            \
        for (long i = 0; i < n; i++) {                                                           \
            const T ni = TANH(ig_n[i] + gh_n[i] * r[i]);                                         \
            n_out[i] = ni;                                                                       \
            h[i] = (h_prev[i] - ni) * z[i] + ni;                                                 \
        }                                                                                        \
    }

REFNN_RNN_ROWS(, _base, 0)

#ifdef REFNN_ISA_X86
REFNN_RNN_ROWS(REFNN_ISA_AVX2, _avx2, 1)
REFNN_RNN_ROWS(REFNN_ISA_AVX512, _avx512, 1)
#endif

REFNN_ISA_LEVEL(refnn_rnn_level, refnn_rnn_init)
#define REFNN_RNN_DISPATCH(NAME, ARGS) REFNN_ISA_DISPATCH(refnn_rnn_level, NAME, ARGS);

static inline void refnn_sigmoid_sum_f32(const float *a, const float *b, float *out, long n)
{
    REFNN_RNN_DISPATCH(refnn_sigmoid_sum_f32, (a, b, out, n))
}

#define REFNN_RNN_ENTRIES(TS, T)                                                                 \
    static inline void refnn_tanh_sum_##TS(const T *a, const T *b, T *out, long n)               \
    {                                                                                            \
        REFNN_RNN_DISPATCH(refnn_tanh_sum_##TS, (a, b, out, n))                                  \
    }                                                                                            \
    static inline void refnn_lstm_cell_##TS(const T *ig, const T *fg, const T *gg, const T *og,  \
                                            const T *c_prev, T *c, T *tc, T *h, long n)          \
    {                                                                                            \
        REFNN_RNN_DISPATCH(refnn_lstm_cell_##TS, (ig, fg, gg, og, c_prev, c, tc, h, n))          \
    }                                                                                            \
    static inline void refnn_lstm_dgates_##TS(const T *grad_h, const T *act, const T *tc,        \
                                              const T *c_prev, T *carry_c, T *grad_gates, long H)  \
    {                                                                                            \
        REFNN_RNN_DISPATCH(refnn_lstm_dgates_##TS, (grad_h, act, tc, c_prev, carry_c, grad_gates, H)) \
    }                                                                                            \
    static inline void refnn_gru_new_##TS(const T *ig_n, const T *gh_n, const T *r, const T *z,  \
                                          const T *h_prev, T *n_out, T *h, long n)               \
    {                                                                                            \
        REFNN_RNN_DISPATCH(refnn_gru_new_##TS, (ig_n, gh_n, r, z, h_prev, n_out, h, n))          \
    }

REFNN_RNN_ENTRIES(f32, float)
REFNN_RNN_ENTRIES(f64, double)

#endif
