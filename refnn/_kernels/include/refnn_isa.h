/* Which micro-kernel build this CPU and OS run: 0 baseline, 1 AVX2 with FMA (the x86-64-v3 pair: the float32
 * transcendentals' AVX2 build calls fmaf, refnn_math.h), 2 AVX-512 (F, VL, BW, DQ: the x86-64-v4 set, which
 * has FMA).  refnn/_isa.py names the levels; every header's init function chooses its build
 * as min(refnn_isa_top(), the level REFNN_ISA allows).
 *
 * A feature counts only when the CPU has it (CPUID, through GCC's __builtin_cpu_supports) and the OS
 * saves its registers: XCR0 (read with XGETBV where CPUID says OSXSAVE) must enable the SSE and AVX
 * state (bits 1-2) for AVX2, and the opmask and upper-ZMM state as well (bits 5-7) for AVX-512.
 */
#ifndef REFNN_ISA_H
#define REFNN_ISA_H

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define REFNN_ISA_X86 1
#include <cpuid.h>

static unsigned long long refnn_xcr0(void)
{
    unsigned int eax, ebx, ecx, edx, lo, hi;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx) || !(ecx & bit_OSXSAVE))
        return 0;
    __asm__ volatile(".byte 0x0f, 0x01, 0xd0" : "=a"(lo), "=d"(hi) : "c"(0));   /* xgetbv */
    return ((unsigned long long)hi << 32) | lo;
}
#endif

static int refnn_isa_top(void)
{
#ifdef REFNN_ISA_X86
    unsigned long long xcr0 = refnn_xcr0();
    __builtin_cpu_init();
    if ((xcr0 & 0xE6) == 0xE6 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl")
        && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq"))
        return 2;
    if ((xcr0 & 0x6) == 0x6 && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        return 1;
#endif
    return 0;
}

/* The level a header's init function chooses: the best the CPU and OS run, at most max_level. */
static int refnn_isa_choose(int max_level)
{
    int level = refnn_isa_top();
    if (level > max_level) level = max_level;
    return level < 0 ? 0 : level;
}

/* For headers that compile one source three times (a baseline build, then REFNN_ISA_AVX2 and
 * REFNN_ISA_AVX512 where REFNN_ISA_X86 is defined): REFNN_ISA_LEVEL(LEVEL, INIT) defines the chosen
 * build `static int LEVEL` and `static int INIT(int max_level)`, which chooses the best build the CPU and
 * OS run, up to max_level, and returns it (it may be called again: refnn._isa.forced);
 * REFNN_ISA_DISPATCH(LEVEL, NAME, ARGS) calls NAME_avx512, NAME_avx2 or NAME_base and returns. */
#define REFNN_ISA_AVX2 __attribute__((target("avx2,fma")))
#define REFNN_ISA_AVX512 __attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,fma")))

#ifdef REFNN_ISA_X86
#define REFNN_ISA_LEVEL(LEVEL, INIT)                                                                 \
    static int LEVEL = 0;                                                                            \
    static int INIT(int max_level) { LEVEL = refnn_isa_choose(max_level); return LEVEL; }
#define REFNN_ISA_DISPATCH(LEVEL, NAME, ARGS)                                                        \
    do {                                                                                             \
        if (LEVEL == 2) { NAME##_avx512 ARGS; return; }                                              \
        if (LEVEL == 1) { NAME##_avx2 ARGS; return; }                                                \
        NAME##_base ARGS;                                                                            \
    } while (0)
#else
#define REFNN_ISA_LEVEL(LEVEL, INIT)                                                                 \
    static int LEVEL = 0;                                                                            \
    static int INIT(int max_level) { (void)max_level; return LEVEL; }
#define REFNN_ISA_DISPATCH(LEVEL, NAME, ARGS) do { NAME##_base ARGS; } while (0)
#endif

#endif
