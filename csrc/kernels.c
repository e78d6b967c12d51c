#include <assert.h>

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

#ifndef NDEBUG
/* Sanitizer/debug builds (FASTW2V_SANITIZE=1) re-check what the Cython
 * boundary promises, so a boundary bug shows up as an assertion, not as a
 * silent out-of-bounds update that ASan might miss inside a valid matrix. */
static void check_batch(const fw2v_params *p, const fw2v_thread *t, const fw2v_batch *b)
{
    int64_t start = b->first_start;
    assert(start >= 0 && b->n_sentences >= 0);
    for (int64_t s = 0; s < b->n_sentences; s++) {
        assert(b->ends[s] >= start);
        for (int64_t i = start; i < b->ends[s]; i++) assert(b->ids[i] >= 0 && b->ids[i] < p->vocab_size);
        start = b->ends[s];
    }
    for (int64_t k = 0; k < t->n_fixed_negatives; k++)
        assert(t->fixed_negatives[k] >= 0 && t->fixed_negatives[k] < p->vocab_size);
    assert(p->dim >= 1 && p->window >= 1 && p->negative >= 0 && p->vocab_size >= 1);
}
#endif

int fw2v_train_batch(const fw2v_params *p, fw2v_thread *t, const fw2v_batch *b)
{
#ifndef NDEBUG
    check_batch(p, t, b);
#endif
    if (p->isa == FW2V_ISA_AVX512) return fw2v_train_batch_avx512(p, t, b);
    if (p->isa == FW2V_ISA_AVX2) return fw2v_train_batch_avx2(p, t, b);
    return fw2v_train_batch_generic(p, t, b);
}

void fw2v_score_batch(const fw2v_params *p, fw2v_thread *t, const fw2v_batch *b, double *out)
{
#ifndef NDEBUG
    check_batch(p, t, b);
    assert(p->hs);
#endif
    if (p->isa == FW2V_ISA_AVX512) fw2v_score_batch_avx512(p, t, b, out);
    else if (p->isa == FW2V_ISA_AVX2) fw2v_score_batch_avx2(p, t, b, out);
    else fw2v_score_batch_generic(p, t, b, out);
}
