/* How much does refnn's no-FMA micro-kernel lose against an FMA one?  An interleaved micro-benchmark.
 *
 *   gcc -O3 -ffp-contract=off -fno-fast-math -std=gnu99 -Irefnn/_kernels/include \
 *       tools/ukernel_fma_bench.c -o /tmp/ukernel_fma_bench && /tmp/ukernel_fma_bench [rounds]
 *
 * Every variant computes C (rows x 16 floats) += A panel (kc x rows) x B panel (kc x 16), kc = 256,
 * with the panels resident in L1 (the micro-kernel's own speed, not the memory system's).  The
 * variants run in turn, round after round, in this one process (so a busy machine slows all of them
 * alike); printed per variant: the median, the lower quartile and the best sample over the rounds (on
 * a busy machine a sample that loses the CPU to another process is 50x slower, so look at the best).  The first two are refnn's own kernels
 * (conv_ukernel.h); the rest are written here for comparison: the same 6 x 16 tile as one 64-byte
 * vector per row, with and without FMA, 12 x 16 tiles, and refnn's 6 x 16 ymm tile with FMA.
 * Needs a CPU with AVX-512 F/VL/BW/DQ and FMA.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <immintrin.h>
#include "conv_ukernel.h"

#define T512 __attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,fma")))
#define T256 __attribute__((target("avx2,fma")))

/* rows x 16 tile, one zmm per row; FMA selects c = fma(b, a, c) instead of c = c + b * a */
#define ZMM_KERNEL(NAME, ROWS, FMA)                                                            \
    T512 static void NAME(long kc, const float *restrict A, const float *restrict B, long ldb,  \
                          const float *restrict init, float *restrict C, long ldc)              \
    {                                                                                           \
        (void)init;                                                                             \
        __m512 c[ROWS];                                                                         \
        _Pragma("GCC unroll 16") for (int i = 0; i < ROWS; i++) c[i] = _mm512_loadu_ps(C + i * ldc); \
        for (long k = 0; k < kc; k++) {                                                         \
            __m512 b = _mm512_loadu_ps(B);                                                      \
            _Pragma("GCC unroll 16") for (int i = 0; i < ROWS; i++)                             \
                c[i] = FMA ? _mm512_fmadd_ps(b, _mm512_set1_ps(A[i]), c[i])                     \
                           : _mm512_add_ps(c[i], _mm512_mul_ps(b, _mm512_set1_ps(A[i])));        \
            A += ROWS; B += ldb;                                                                \
        }                                                                                       \
        _Pragma("GCC unroll 16") for (int i = 0; i < ROWS; i++) _mm512_storeu_ps(C + i * ldc, c[i]); \
    }

ZMM_KERNEL(zmm6_nofma, 6, 0)
ZMM_KERNEL(zmm6_fma, 6, 1)
ZMM_KERNEL(zmm12_nofma, 12, 0)
ZMM_KERNEL(zmm12_fma, 12, 1)

/* refnn's 6 x 16 tile (two ymm per row) with FMA */
T256 static void ymm6_fma(long kc, const float *restrict A, const float *restrict B, long ldb,
                          const float *restrict init, float *restrict C, long ldc)
{
    (void)init;
    __m256 c[12];
#pragma GCC unroll 16
    for (int i = 0; i < 6; i++) { c[2 * i] = _mm256_loadu_ps(C + i * ldc); c[2 * i + 1] = _mm256_loadu_ps(C + i * ldc + 8); }
    for (long k = 0; k < kc; k++) {
        __m256 b0 = _mm256_loadu_ps(B), b1 = _mm256_loadu_ps(B + 8);
#pragma GCC unroll 16
        for (int i = 0; i < 6; i++) {
            __m256 a = _mm256_broadcast_ss(A + i);
            c[2 * i] = _mm256_fmadd_ps(b0, a, c[2 * i]);
            c[2 * i + 1] = _mm256_fmadd_ps(b1, a, c[2 * i + 1]);
        }
        A += 6; B += ldb;
    }
#pragma GCC unroll 16
    for (int i = 0; i < 6; i++) { _mm256_storeu_ps(C + i * ldc, c[2 * i]); _mm256_storeu_ps(C + i * ldc + 8, c[2 * i + 1]); }
}

typedef void (*ukernel_t)(long, const float *, const float *, long, const float *, float *, long);
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + 1e-9 * t.tv_nsec; }
static int cmp(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return x < y ? -1 : x > y; }

int main(int argc, char **argv)
{
    const long kc = 256, inner = 400;   /* ~0.2 ms a sample: few samples lose the CPU to another process */
    int rounds = argc > 1 ? atoi(argv[1]) : 201;
    struct { const char *name; ukernel_t f; int rows; } v[] = {
        {"refnn avx2 6x16 (ymm, no FMA)", refnn_ukernel_f32_avx2, 6},
        {"refnn avx512 6x16 (ymm, no FMA)", refnn_ukernel_f32_avx512, 6},
        {"ymm 6x16 FMA", ymm6_fma, 6},
        {"zmm 6x16 no FMA", zmm6_nofma, 6},
        {"zmm 6x16 FMA", zmm6_fma, 6},
        {"zmm 12x16 no FMA", zmm12_nofma, 12},
        {"zmm 12x16 FMA", zmm12_fma, 12},
    };
    enum { NV = sizeof v / sizeof v[0] };
    float *A = refnn_aligned_alloc(kc * 12 * sizeof(float)), *B = refnn_aligned_alloc(kc * 16 * sizeof(float));
    float *C = refnn_aligned_alloc(12 * 16 * sizeof(float));
    for (long i = 0; i < kc * 12; i++) A[i] = 1e-3f * (float)(i % 7);
    for (long i = 0; i < kc * 16; i++) B[i] = 1e-3f * (float)(i % 5);
    double *t = malloc(sizeof(double) * NV * rounds);
    for (int r = 0; r < rounds; r++)
        for (int j = 0; j < NV; j++) {
            for (int i = 0; i < 12 * 16; i++) C[i] = 0;
            double t0 = now();
            for (long it = 0; it < inner; it++) v[j].f(kc, A, B, 16, NULL, C, 16);
            t[j * rounds + r] = now() - t0;
        }
    printf("%d interleaved rounds, kc = %ld, panels in L1, one thread; GFLOP/s (2 flops per multiply-add)\n", rounds, kc);
    for (int j = 0; j < NV; j++) {
        qsort(t + j * rounds, rounds, sizeof(double), cmp);
        double flops = 2.0 * v[j].rows * 16 * kc * inner;
        printf("  %-34s median %6.1f   quartile %6.1f   best %6.1f\n", v[j].name,
               flops / t[j * rounds + rounds / 2] * 1e-9, flops / t[j * rounds + rounds / 4] * 1e-9,
               flops / t[j * rounds] * 1e-9);
    }
    return 0;
}
