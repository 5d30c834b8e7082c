/* Every float32 input of refnn's float32 transcendentals (refnn/_kernels/include/refnn_math.h) against
 * refnn's own float64 functions (the same header): tools/ulp_table.py compiles and runs this for its full
 * run (numpy would take hours over all 2^32 inputs).
 *
 * For each function: the largest error in float32 ulps of the float64 reference rounded to float32
 * (2^-149 among subnormals; a result equal to the rounded reference counts 0 here, being within 0.5 ulp),
 * the input where it occurs, and how many results differ from the rounded reference.  The maps are
 * compiled as the kernels are (-O3 -ffp-contract=off) in the best build the CPU runs (AVX-512, AVX2 or
 * baseline), which gives the same bits as the others (tests/test_transcendentals.py).
 *
 *   ulp_scan [stride [function index]]     one line per function: name max_ulp worst_x_bits y ref wrong n
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "refnn_math.h"

#define N 4096
#define MAPS(ATTR, S)                                                                                   \
    ATTR static void f_exp##S(const float *x, float *y, long n) { for (long i = 0; i < n; i++) y[i] = refnn_expf(x[i]); } \
    ATTR static void f_expm1##S(const float *x, float *y, long n) { for (long i = 0; i < n; i++) y[i] = refnn_expm1f(x[i]); } \
    ATTR static void f_log##S(const float *x, float *y, long n) { for (long i = 0; i < n; i++) y[i] = refnn_logf(x[i]); } \
    ATTR static void f_log1p##S(const float *x, float *y, long n) { for (long i = 0; i < n; i++) y[i] = refnn_log1pf(x[i]); } \
    ATTR static void f_tanh##S(const float *x, float *y, long n) { for (long i = 0; i < n; i++) y[i] = refnn_tanhf(x[i]); } \
    ATTR static void f_erf##S(const float *x, float *y, long n) { for (long i = 0; i < n; i++) y[i] = refnn_erff(x[i]); } \
    ATTR static void f_sigmoid##S(const float *x, float *y, long n) { for (long i = 0; i < n; i++) y[i] = refnn_sigmoidf(x[i]); } \
    ATTR static void d_exp##S(const float *x, double *y, long n) { for (long i = 0; i < n; i++) y[i] = refnn_exp(x[i]); } \
    ATTR static void d_expm1##S(const float *x, double *y, long n) { for (long i = 0; i < n; i++) y[i] = refnn_expm1(x[i]); } \
    ATTR static void d_log##S(const float *x, double *y, long n) { for (long i = 0; i < n; i++) y[i] = refnn_log(x[i]); } \
    ATTR static void d_log1p##S(const float *x, double *y, long n) { for (long i = 0; i < n; i++) y[i] = refnn_log1p(x[i]); } \
    ATTR static void d_tanh##S(const float *x, double *y, long n) { for (long i = 0; i < n; i++) y[i] = refnn_tanh(x[i]); } \
    ATTR static void d_erf##S(const float *x, double *y, long n) { for (long i = 0; i < n; i++) y[i] = refnn_erf(x[i]); } \
    ATTR static void d_sigmoid##S(const float *x, double *y, long n) { for (long i = 0; i < n; i++) y[i] = refnn_sigmoid(x[i]); } \
    static void (*const F##S[7])(const float *, float *, long) = {f_exp##S, f_expm1##S, f_log##S, f_log1p##S, f_tanh##S, f_erf##S, f_sigmoid##S}; \
    static void (*const D##S[7])(const float *, double *, long) = {d_exp##S, d_expm1##S, d_log##S, d_log1p##S, d_tanh##S, d_erf##S, d_sigmoid##S};

MAPS(__attribute__((noinline)), _base)
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
MAPS(__attribute__((noinline, target("avx2"))), _avx2)
MAPS(__attribute__((noinline, target("avx512f,avx512dq,prefer-vector-width=512"))), _avx512)
#endif

int main(int argc, char **argv)
{
    static const char *names[7] = {"exp", "expm1", "log", "log1p", "tanh", "erf", "sigmoid"};
    long stride = argc > 1 ? atol(argv[1]) : 1;
    int only = argc > 2 ? atoi(argv[2]) : -1;
    void (*const *F)(const float *, float *, long) = F_base;
    void (*const *D)(const float *, double *, long) = D_base;
    const char *build = "baseline";
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq")) { F = F_avx512; D = D_avx512; build = "avx512"; }
    else if (__builtin_cpu_supports("avx2")) { F = F_avx2; D = D_avx2; build = "avx2"; }
#endif
    printf("build %s\n", build);
    static float x[N], y[N];
    static double r[N];
    for (int fi = 0; fi < 7; fi++) {
        if (only >= 0 && fi != only) continue;
        double worst = 0;
        uint32_t wbits = 0;
        float wy = 0;
        double wref = 0;
        long wrong = 0, count = 0;
        for (uint64_t b = 0; b < (1ULL << 32); b += (uint64_t)N * stride) {
            for (int i = 0; i < N; i++) {
                uint32_t u = (uint32_t)(b + (uint64_t)i * stride);
                memcpy(&x[i], &u, 4);
            }
            F[fi](x, y, N);
            D[fi](x, r, N);
            for (int i = 0; i < N; i++) {
                double ref = r[i];
                float r32 = (float)ref;
                uint32_t yb, rb;
                count++;
                memcpy(&yb, &y[i], 4);
                memcpy(&rb, &r32, 4);
                if (yb == rb || (isnan(y[i]) && isnan(ref))) continue;
                wrong++;
                double e;
                if (isnan(ref) || isnan(y[i])) e = INFINITY;
                else if (y[i] == r32) e = 0.0;                     /* -0 against +0 */
                else {
                    float m = fabsf(r32);
                    if (isinf(m)) m = 3.4028235e38f;
                    double ulp = (double)(nextafterf(m, INFINITY) - m);
                    if (isinf(ulp)) ulp = ldexp(1.0, 104);
                    e = fabs((double)y[i] - ref) / ulp;
                    if (isnan(e)) e = INFINITY;
                }
                if (e > worst) { worst = e; memcpy(&wbits, &x[i], 4); wy = y[i]; wref = ref; }
            }
        }
        printf("%s %.6f 0x%08x %.17g %.17g %ld %ld\n", names[fi], worst, wbits, (double)wy, wref, wrong, count);
        fflush(stdout);
    }
    return 0;
}
