/* Shared definitions for the fastw2v C sources.
 *
 * Invariants every C file may rely on:
 *  - real_t is float32, matching NumPy's float32 arrays handed in from Python;
 *  - nothing here allocates, prints or aborts: errors travel back as return codes
 *    so the Python boundary can raise a clear exception;
 *  - no globals carry state, so several models may train in one process.
 */
#ifndef FW2V_COMMON_H
#define FW2V_COMMON_H

#include <stddef.h>
#include <stdint.h>

typedef float real_t;

#if defined(_MSC_VER)
#  define FW2V_INLINE static __inline
#  define FW2V_RESTRICT __restrict
#else
#  define FW2V_INLINE static inline
#  define FW2V_RESTRICT __restrict__
#endif

/* A hint to start loading the cache line at p; no effect on results. */
#if defined(__GNUC__) || defined(__clang__)
#  define FW2V_PREFETCH(p) __builtin_prefetch((const void *)(p))
#else
#  define FW2V_PREFETCH(p) ((void)(p))
#endif

/* splitmix64 (Steele, Lea & Flood 2014): one add and two multiply-xorshifts per draw.
 * Statistically far better than word2vec C's 48-bit LCG, whose low bits are weak,
 * and as cheap; each thread owns one state, so draws never contend. */
FW2V_INLINE uint64_t fw2v_rng_next(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* Uniform integer in [0, n) by Lemire's multiply-shift: no division, no modulo bias
 * worth measuring for n < 2^32. */
FW2V_INLINE uint32_t fw2v_rng_below(uint64_t *state, uint32_t n)
{
    return (uint32_t)(((fw2v_rng_next(state) >> 32) * (uint64_t)n) >> 32);
}

/* Relaxed atomics: the shared progress counter only needs to be eventually
 * consistent (it steers the learning rate), never ordered with other memory. */
#if defined(_MSC_VER)
#  include <intrin.h>
FW2V_INLINE int64_t fw2v_atomic_add(volatile int64_t *p, int64_t v)
{
    return _InterlockedExchangeAdd64((volatile __int64 *)p, v) + v;
}
FW2V_INLINE int64_t fw2v_atomic_load(volatile int64_t *p) { return *p; }
FW2V_INLINE int32_t fw2v_atomic_load32(volatile int32_t *p) { return *p; }
#else
FW2V_INLINE int64_t fw2v_atomic_add(volatile int64_t *p, int64_t v)
{
    return __atomic_add_fetch(p, v, __ATOMIC_RELAXED);
}
FW2V_INLINE int64_t fw2v_atomic_load(volatile int64_t *p) { return __atomic_load_n(p, __ATOMIC_RELAXED); }
FW2V_INLINE int32_t fw2v_atomic_load32(volatile int32_t *p) { return __atomic_load_n(p, __ATOMIC_RELAXED); }
#endif

enum {
    FW2V_OK = 0,
    FW2V_ERR_NOMEM = 1,
    FW2V_STOPPED = 2,
    FW2V_NEED_PRUNE = 3
};

#endif
