/* The AVX-512F variant, compiled with a per-file target so the extension still
 * loads on any x86-64 CPU; kernels.c only calls it after a CPU check. On other
 * architectures it is a stub that falls back to the generic variant.
 *
 * prfchw: prefetch_row's write prefetches become PREFETCHW, which fetches a row
 * already owned for writing. A plain prefetch brings it in shared, and with
 * several threads the row's first store then waits for the other cores' copies
 * to be invalidated (measured: 2 workers, skip-gram, 3-5% more words/s; one
 * worker unchanged; benchmarks/RESULTS.md, twelfth session). Every AVX-512 CPU
 * has PREFETCHW; the AVX2 variant keeps plain prefetches because some AVX2 CPUs
 * (Intel Haswell) do not list it. */
#include "kernels.h"

#if (defined(__x86_64__) || defined(_M_X64) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__) || defined(_MSC_VER))
#  if defined(__clang__)
#    pragma clang attribute push (__attribute__((target("avx512f,avx2,fma,prfchw"))), apply_to = function)
#  elif defined(__GNUC__)
#    pragma GCC push_options
#    pragma GCC target("avx512f,avx2,fma,prfchw")
#  endif
#  define FW2V_USE_AVX2 0
#  define FW2V_USE_AVX512 1
#  define FW2V_SUFFIX(name) name##_avx512
#  include "kernels_impl.h"
#  if defined(__clang__)
#    pragma clang attribute pop
#  elif defined(__GNUC__)
#    pragma GCC pop_options
#  endif
#else
int fw2v_train_batch_avx512(const fw2v_params *p, fw2v_thread *t, const fw2v_batch *b)
{
    return fw2v_train_batch_generic(p, t, b);
}
void fw2v_score_batch_avx512(const fw2v_params *p, fw2v_thread *t, const fw2v_batch *b, double *out)
{
    fw2v_score_batch_generic(p, t, b, out);
}
#endif
