#include "kernels.h"

#if defined(_MSC_VER) && (defined(_M_X64) || defined(_M_IX86))
#  include <intrin.h>
#  include <immintrin.h>
#endif

int fw2v_cpu_has_avx2(void)
{
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#elif defined(_MSC_VER) && (defined(_M_X64) || defined(_M_IX86))
    int info[4];
    __cpuid(info, 0);
    if (info[0] < 7) return 0;
    __cpuid(info, 1);
    int fma = (info[2] >> 12) & 1, osxsave = (info[2] >> 27) & 1, avx = (info[2] >> 28) & 1;
    if (!(fma && osxsave && avx)) return 0;
    if ((_xgetbv(0) & 6) != 6) return 0; /* the OS saves YMM state */
    __cpuidex(info, 7, 0);
    return (info[1] >> 5) & 1;
#else
    return 0;
#endif
}

int fw2v_cpu_has_avx512(void)
{
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
    __builtin_cpu_init();
    return fw2v_cpu_has_avx2() && __builtin_cpu_supports("avx512f");
#elif defined(_MSC_VER) && (defined(_M_X64) || defined(_M_IX86))
    int info[4];
    if (!fw2v_cpu_has_avx2()) return 0;
    if ((_xgetbv(0) & 0xE6) != 0xE6) return 0; /* the OS saves ZMM and opmask state */
    __cpuidex(info, 7, 0);
    return (info[1] >> 16) & 1;
#else
    return 0;
#endif
}

int fw2v_train_batch(const fw2v_params *p, fw2v_thread *t, const fw2v_batch *b)
{
    if (p->isa == FW2V_ISA_AVX512) return fw2v_train_batch_avx512(p, t, b);
    if (p->isa == FW2V_ISA_AVX2) return fw2v_train_batch_avx2(p, t, b);
    return fw2v_train_batch_generic(p, t, b);
}
