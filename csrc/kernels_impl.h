/* The training loop, written once and compiled once per instruction set.
 *
 * kernels_generic.c, kernels_avx2.c and kernels_avx512.c include this file
 * after defining FW2V_SUFFIX(name) and FW2V_USE_AVX2 / FW2V_USE_AVX512, so
 * every variant runs the same algorithm and differs only in the vector
 * primitives below. Results of
 * the variants agree to float rounding (FMA and summation order differ).
 */
#include <assert.h>
#include <limits.h>
#include <math.h>
#include <string.h>

/* Every variant must compute the same floats: no contraction of a * b + c into
 * an FMA where the code asks for a multiply and an add (GCC does not contract
 * in ISO C mode; clang does by default). */
#if defined(__clang__)
#pragma clang fp contract(off)
#endif

#include "kernels.h"
#include "sampling.h"

/* ---- vector primitives -------------------------------------------------
 * Each variant defines vreal (VW floats), a mask for a short last chunk and a
 * handful of operations on them; every loop below is written once over those.
 * Padded rows (fastw2v/layout.py) are whole chunks; a packed row of another
 * width ends in one masked chunk instead of a scalar loop. The tile bounds
 * (FW2V_SCORE_*, FW2V_UPDATE_CTX) keep each register tile below within the
 * variant's register file (32 zmm, 16 ymm). */
#if FW2V_USE_AVX512
#include <immintrin.h>
FW2V_INLINE __mmask16 tail_mask(int left) { return (__mmask16)((1u << left) - 1u); }

typedef __m512 vreal;
typedef __mmask16 vmask;
#define VW 16
#define FW2V_SCORE_ROWS(C) 4
#define FW2V_SCORE_CTX 6    /* 4 x 6 accumulators + 4 rows + 1 input = 29 zmm */
#define FW2V_UPDATE_CTX 12  /* 12 inputs + 12 gradients + row + sum + step = 27 zmm */
/* chunks per update tile: 2 C CH inputs/gradients + 2 CH row/sum + 1 step <= 32 zmm */
#define FW2V_UPDATE_CHUNKS(C) ((C) == 1 ? 7 : (C) == 2 ? 5 : (C) <= 4 ? 3 : (C) <= 6 ? 2 : 1)
#define FW2V_UPDATE_REGS 14
FW2V_INLINE vmask v_mask(int left) { return tail_mask(left); }
FW2V_INLINE vmask v_nomask(void) { return (vmask)0xFFFF; }
FW2V_INLINE vreal v_zero(void) { return _mm512_setzero_ps(); }
FW2V_INLINE vreal v_set1(real_t x) { return _mm512_set1_ps(x); }
FW2V_INLINE vreal v_fma(vreal a, vreal b, vreal c) { return _mm512_fmadd_ps(a, b, c); }
FW2V_INLINE vreal v_add(vreal a, vreal b) { return _mm512_add_ps(a, b); }
FW2V_INLINE vreal v_sub(vreal a, vreal b) { return _mm512_sub_ps(a, b); }
FW2V_INLINE vreal v_mul(vreal a, vreal b) { return _mm512_mul_ps(a, b); }
FW2V_INLINE vreal v_div(vreal a, vreal b) { return _mm512_div_ps(a, b); }
FW2V_INLINE vreal v_max(vreal a, vreal b) { return _mm512_max_ps(a, b); }
FW2V_INLINE vreal v_min(vreal a, vreal b) { return _mm512_min_ps(a, b); }
/* a * 2^n for integral n with the result a normal float */
FW2V_INLINE vreal v_pow2(vreal a, vreal n) { return _mm512_scalef_ps(a, n); }
/* x where lo < f < hi, else 0 (and 0 for NaN) */
FW2V_INLINE vreal v_inside(vreal x, vreal f, real_t lo, real_t hi)
{
    return _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(f, _mm512_set1_ps(lo), _CMP_GT_OQ)
                               & _mm512_cmp_ps_mask(f, _mm512_set1_ps(hi), _CMP_LT_OQ), x);
}
FW2V_INLINE vreal v_load(const real_t *p, int full, vmask m) { return full ? _mm512_loadu_ps(p) : _mm512_maskz_loadu_ps(m, p); }
FW2V_INLINE void v_store(real_t *p, vreal v, int full, vmask m)
{
    if (full) _mm512_storeu_ps(p, v);
    else _mm512_mask_storeu_ps(p, m, v);
}
/* the four horizontal sums, one reduction tree */
FW2V_INLINE void v_hsum4(vreal a, vreal b, vreal c, vreal d, real_t *out)
{
#define FW2V_HALF(v) _mm256_add_ps(_mm512_castps512_ps256(v), \
        _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)))
    __m256 t = _mm256_hadd_ps(_mm256_hadd_ps(FW2V_HALF(a), FW2V_HALF(b)),
                              _mm256_hadd_ps(FW2V_HALF(c), FW2V_HALF(d)));
#undef FW2V_HALF
    _mm_storeu_ps(out, _mm_add_ps(_mm256_castps256_ps128(t), _mm256_extractf128_ps(t, 1)));
}
#elif FW2V_USE_AVX2
#include <immintrin.h>
/* Lanes [0, left) of a 256-bit mask, 0 < left < 8. */
static const int32_t fw2v_tail_bits[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
FW2V_INLINE __m256i tail_mask8(int left) { return _mm256_loadu_si256((const __m256i *)(fw2v_tail_bits + 8 - left)); }

typedef __m256 vreal;
typedef __m256i vmask;
#define VW 8
#define FW2V_SCORE_ROWS(C) ((C) <= 2 ? 4 : 2)
#define FW2V_SCORE_CTX 5    /* 2 x 5 (or 4 x 2) accumulators + 2 (4) rows + 1 input <= 13 ymm */
#define FW2V_UPDATE_CTX 6   /* 6 inputs + 6 gradients + row + sum + step = 15 ymm */
#define FW2V_UPDATE_CHUNKS(C) ((C) == 1 ? 3 : (C) == 2 ? 2 : 1) /* 2 C CH + 2 CH + 1 <= 16 ymm */
#define FW2V_UPDATE_REGS 6
FW2V_INLINE vmask v_mask(int left) { return tail_mask8(left); }
FW2V_INLINE vmask v_nomask(void) { return _mm256_setzero_si256(); }
FW2V_INLINE vreal v_zero(void) { return _mm256_setzero_ps(); }
FW2V_INLINE vreal v_set1(real_t x) { return _mm256_set1_ps(x); }
FW2V_INLINE vreal v_fma(vreal a, vreal b, vreal c) { return _mm256_fmadd_ps(a, b, c); }
FW2V_INLINE vreal v_add(vreal a, vreal b) { return _mm256_add_ps(a, b); }
FW2V_INLINE vreal v_sub(vreal a, vreal b) { return _mm256_sub_ps(a, b); }
FW2V_INLINE vreal v_mul(vreal a, vreal b) { return _mm256_mul_ps(a, b); }
FW2V_INLINE vreal v_div(vreal a, vreal b) { return _mm256_div_ps(a, b); }
FW2V_INLINE vreal v_max(vreal a, vreal b) { return _mm256_max_ps(a, b); }
FW2V_INLINE vreal v_min(vreal a, vreal b) { return _mm256_min_ps(a, b); }
FW2V_INLINE vreal v_pow2(vreal a, vreal n)
{
    __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(a, _mm256_castsi256_ps(e));
}
FW2V_INLINE vreal v_inside(vreal x, vreal f, real_t lo, real_t hi)
{
    return _mm256_and_ps(x, _mm256_and_ps(_mm256_cmp_ps(f, _mm256_set1_ps(lo), _CMP_GT_OQ),
                                          _mm256_cmp_ps(f, _mm256_set1_ps(hi), _CMP_LT_OQ)));
}
FW2V_INLINE vreal v_load(const real_t *p, int full, vmask m) { return full ? _mm256_loadu_ps(p) : _mm256_maskload_ps(p, m); }
FW2V_INLINE void v_store(real_t *p, vreal v, int full, vmask m)
{
    if (full) _mm256_storeu_ps(p, v);
    else _mm256_maskstore_ps(p, m, v);
}
FW2V_INLINE void v_hsum4(vreal a, vreal b, vreal c, vreal d, real_t *out)
{
    __m256 t = _mm256_hadd_ps(_mm256_hadd_ps(a, b), _mm256_hadd_ps(c, d));
    _mm_storeu_ps(out, _mm_add_ps(_mm256_castps256_ps128(t), _mm256_extractf128_ps(t, 1)));
}
#else
/* portable: the same tiles over single floats (VW = 1: there is never a tail) */
typedef real_t vreal;
typedef int vmask;
#define VW 1
#define FW2V_SCORE_ROWS(C) 4
#define FW2V_SCORE_CTX 4
#define FW2V_UPDATE_CTX 8
#define FW2V_UPDATE_CHUNKS(C) 1
#define FW2V_UPDATE_REGS 8
FW2V_INLINE vmask v_mask(int left) { return left; }
FW2V_INLINE vmask v_nomask(void) { return 0; }
FW2V_INLINE vreal v_zero(void) { return 0; }
FW2V_INLINE vreal v_set1(real_t x) { return x; }
FW2V_INLINE vreal v_fma(vreal a, vreal b, vreal c) { return a * b + c; }
FW2V_INLINE vreal v_add(vreal a, vreal b) { return a + b; }
FW2V_INLINE vreal v_sub(vreal a, vreal b) { return a - b; }
FW2V_INLINE vreal v_mul(vreal a, vreal b) { return a * b; }
FW2V_INLINE vreal v_div(vreal a, vreal b) { return a / b; }
/* the SSE semantics (the second operand when either is NaN), so every variant agrees */
FW2V_INLINE vreal v_max(vreal a, vreal b) { return a > b ? a : b; }
FW2V_INLINE vreal v_min(vreal a, vreal b) { return a < b ? a : b; }
FW2V_INLINE vreal v_pow2(vreal a, vreal n) { return ldexpf(a, (int)n); }
FW2V_INLINE vreal v_inside(vreal x, vreal f, real_t lo, real_t hi) { return f > lo && f < hi ? x : 0; }
FW2V_INLINE vreal v_load(const real_t *p, int full, vmask m) { (void)full; (void)m; return *p; }
FW2V_INLINE void v_store(real_t *p, vreal v, int full, vmask m) { (void)full; (void)m; *p = v; }
FW2V_INLINE void v_hsum4(vreal a, vreal b, vreal c, vreal d, real_t *out) { out[0] = a; out[1] = b; out[2] = c; out[3] = d; }
#endif

#if defined(__GNUC__) && !defined(__clang__)
#define FW2V_UNROLL _Pragma("GCC unroll 16")
#else
#define FW2V_UNROLL
#endif
/* a tile must be inlined into its dispatcher: only there are NR and C constants */
#if defined(__GNUC__) || defined(__clang__)
#define FW2V_TILE static inline __attribute__((always_inline))
#else
#define FW2V_TILE FW2V_INLINE
#endif

/* Runs a tile body over the chunks of a row of n floats: whole chunks, then the
 * masked tail (padded rows have none). */
#define FW2V_FOR_CHUNKS(n, BODY) do {                                   \
        int k_ = 0;                                                     \
        for (; k_ + VW <= (n); k_ += VW) BODY(k_, 1, v_nomask());       \
        if (k_ < (n)) BODY(k_, 0, v_mask((n) - k_));                    \
    } while (0)

/* y += a * x */
FW2V_INLINE void vaxpy(real_t *FW2V_RESTRICT y, real_t a, const real_t *FW2V_RESTRICT x, int n)
{
    const vreal av = v_set1(a);
#define FW2V_AXPY_CHUNK(k, full, m) v_store(y + (k), v_fma(av, v_load(x + (k), full, m), v_load(y + (k), full, m)), full, m)
    FW2V_FOR_CHUNKS(n, FW2V_AXPY_CHUNK);
#undef FW2V_AXPY_CHUNK
}

/* y = (x[0] + x[1] + ... + x[m - 1]) * scale (m >= 1), summed in that order;
 * y is written once, not once per row, and CBOW's mean costs no second pass. */
FW2V_INLINE void vsum_rows(real_t *FW2V_RESTRICT y, real_t *const *x, int m, real_t scale, int n)
{
    const vreal s = v_set1(scale);
#define FW2V_SUM_CHUNK(k, full, msk) do {                                          \
        vreal a_ = v_load(x[0] + (k), full, msk);                                  \
        for (int j = 1; j < m; j++) a_ = v_add(a_, v_load(x[j] + (k), full, msk)); \
        v_store(y + (k), v_mul(a_, s), full, msk);                                 \
    } while (0)
    FW2V_FOR_CHUNKS(n, FW2V_SUM_CHUNK);
#undef FW2V_SUM_CHUNK
}

FW2V_INLINE void vscale(real_t *y, real_t a, int n) { for (int k = 0; k < n; k++) y[k] *= a; }

FW2V_INLINE void prefetch_row(const real_t *row, int n)
{
#if (defined(__GNUC__) || defined(__clang__)) && !defined(FW2V_NO_PREFETCH)
    for (int k = 0; k < n; k += 16) __builtin_prefetch(row + k, 1, 3);
#else
    (void)row; (void)n;
#endif
}

/* ---- the objective: one logistic step, shared by both objectives ---------
 * Negative sampling (label 1 for the target, 0 for noise words) and
 * hierarchical softmax (label 1 - code bit at each node of the Huffman path)
 * are the same operation: score an output row against the hidden vector h,
 * take the sigmoid, move the row and accumulate the gradient for h.
 * Gradient of log sigmoid(+-f): (label - sigmoid(f)), times the learning rate. */

/* log(1 + e^x) without overflow: the loss term -log sigmoid(-x). */
FW2V_INLINE double softplus(double x) { return x > 0 ? x + log1p(exp(-x)) : log1p(exp(x)); }

/* sigmoid(f) = 1 / (1 + e^-f), f clamped to [-FW2V_SIGMOID_MAX, FW2V_SIGMOID_MAX],
 * computed rather than read from a table: a table lookup is a gather, which costs
 * more than this whole polynomial on SIMD units. e^x = 2^n e^r with n = round(x /
 * ln 2) and |r| <= ln(2) / 2 (Cody-Waite reduction, ln 2 in two parts), e^r by
 * Cephes' degree-7 expf polynomial (relative error < 2e-7). Rounding adds and
 * subtracts 1.5 * 2^23 (ties to even), and the Horner steps are separate multiplies
 * and adds, so every variant, VW = 1 included, computes the same floats. */
FW2V_INLINE vreal v_sigmoid(vreal f)
{
    const vreal magic = v_set1(12582912.0f);
    vreal x = v_min(v_max(v_sub(v_zero(), f), v_set1(-(real_t)FW2V_SIGMOID_MAX)), v_set1((real_t)FW2V_SIGMOID_MAX));
    vreal n = v_sub(v_add(v_mul(x, v_set1(1.44269504088896341f)), magic), magic);
    vreal r = v_sub(v_sub(x, v_mul(n, v_set1(0.693359375f))), v_mul(n, v_set1(-2.12194440e-4f)));
    vreal y = v_set1(1.9875691500e-4f);
    y = v_add(v_mul(y, r), v_set1(1.3981999507e-3f));
    y = v_add(v_mul(y, r), v_set1(8.3334519073e-3f));
    y = v_add(v_mul(y, r), v_set1(4.1665795894e-2f));
    y = v_add(v_mul(y, r), v_set1(1.6666665459e-1f));
    y = v_add(v_mul(y, r), v_set1(5.0000001201e-1f));
    y = v_add(v_add(v_mul(y, v_mul(r, r)), r), v_set1(1.0f));
    return v_div(v_set1(1.0f), v_add(v_set1(1.0f), v_pow2(y, n)));
}

/* CBOW blocks share negatives between centres: a noise row that is the very word
 * one member predicts is no negative for that member (owners[c]: the word input c
 * predicts, or NULL when every row counts for every input). */
FW2V_INLINE int not_a_negative(const int32_t *owners, const int32_t *words, int row, int input)
{
    return owners && owners[input] == words[row];
}

/* ---- register tiles for a group of output rows ---------------------------
 * A group is R distinct output rows against C inputs (a HogBatch window, a CBOW
 * block's hidden rows, or one input row): scores S = rows . in^T (R x C), steps
 * G = f(S), then grads[c] += sum_r G[r][c] * rows[r] (the old rows) and
 * rows[r] += sum_c G[r][c] * in[c]. At word2vec's sizes (R ~ 6-16, C ~ 1-10,
 * dim ~ 100-300) each product is a few thousand FMAs, and what costs is the
 * loads, broadcasts and loop control around them (the row-at-a-time code ran
 * ~3.7 instructions per cycle, a quarter of them FMAs). So both products are
 * register tiles:
 * - a score tile holds NR rows x C accumulators and reads every row and every
 *   input once per chunk of VW floats: (NR + C) loads per NR * C FMAs;
 * - the update walks the chunks once, with the C inputs' chunks and the C
 *   gradient chunks in registers while every row streams through: one load,
 *   one store and 2C FMAs per row and chunk (several chunks at a time when C
 *   is small, FW2V_UPDATE_CHUNKS).
 * NR and C are compile-time constants in each tile (dispatched by switch) so
 * the arrays below live in registers; the bounds keep every tile within the
 * register file (32 zmm, 16 ymm). The additions happen in the order of the
 * one-row-at-a-time update: each row adds its inputs in input order, each
 * gradient adds its rows in row order. */

/* out[r * ld + c] = rows[r] . in[c] for NR rows and C inputs. */
FW2V_TILE void score_tile(real_t *const *rows, real_t *const *in, int n, real_t *out, int ld, const int NR,
                          const int C)
{
    vreal acc[4][FW2V_SCORE_CTX];
    FW2V_UNROLL for (int r = 0; r < NR; r++)
        FW2V_UNROLL for (int c = 0; c < C; c++) acc[r][c] = v_zero();
#define FW2V_SCORE_CHUNK(k, full, m) do {                                              \
        vreal x_[4];                                                                   \
        FW2V_UNROLL for (int r = 0; r < NR; r++) x_[r] = v_load(rows[r] + (k), full, m); \
        FW2V_UNROLL for (int c = 0; c < C; c++) {                                      \
            vreal y_ = v_load(in[c] + (k), full, m);                                   \
            FW2V_UNROLL for (int r = 0; r < NR; r++) acc[r][c] = v_fma(x_[r], y_, acc[r][c]); \
        }                                                                              \
    } while (0)
    FW2V_FOR_CHUNKS(n, FW2V_SCORE_CHUNK);
#undef FW2V_SCORE_CHUNK
    /* reduced four sums at a time in (row, input) order; a short last four
     * repeats its first sum (finite, not stored) */
#define FW2V_ACC(q) acc[(q) / C][(q) % C]
    FW2V_UNROLL for (int q = 0; q < NR * C; q += 4) {
        real_t sums[4];
        v_hsum4(FW2V_ACC(q), FW2V_ACC(q + 1 < NR * C ? q + 1 : q), FW2V_ACC(q + 2 < NR * C ? q + 2 : q),
                FW2V_ACC(q + 3 < NR * C ? q + 3 : q), sums);
        for (int j = 0; j < 4 && q + j < NR * C; j++) out[(q + j) / C * ld + (q + j) % C] = sums[j];
    }
#undef FW2V_ACC
}

#define FW2V_SCORE_CASE(C) case C:                                      \
    if (nr == 4 && FW2V_SCORE_ROWS(C) == 4) score_tile(rows, in, n, out, ld, 4, C); \
    else if (nr >= 2) score_tile(rows, in, n, out, ld, 2, C);           \
    else score_tile(rows, in, n, out, ld, 1, C);                        \
    break;

/* One tile of nr rows (1, 2 or FW2V_SCORE_ROWS(cb)) and cb inputs (<= FW2V_SCORE_CTX). */
static void score_block(real_t *const *rows, int nr, real_t *const *in, int cb, int n, real_t *out, int ld)
{
    switch (cb) {
        FW2V_SCORE_CASE(1) FW2V_SCORE_CASE(2) FW2V_SCORE_CASE(3) FW2V_SCORE_CASE(4)
#if FW2V_SCORE_CTX >= 5
        FW2V_SCORE_CASE(5)
#endif
#if FW2V_SCORE_CTX >= 6
        FW2V_SCORE_CASE(6)
#endif
    default: break;
    }
}
#undef FW2V_SCORE_CASE

/* Splits 0 < count into the fewest blocks of at most most, of near-equal size. */
FW2V_INLINE int block_size(int count, int most)
{
    int blocks = (count + most - 1) / most;
    return (count + blocks - 1) / blocks;
}

/* S[r * ld + c] = rows[r] . in[c] for the whole group. */
static void score_group(real_t *const *rows, int R, real_t *const *in, int C, int n, real_t *S, int ld)
{
    int cb = block_size(C, FW2V_SCORE_CTX);
    for (int c0 = 0; c0 < C; c0 += cb) {
        int m = C - c0 < cb ? C - c0 : cb, nr = FW2V_SCORE_ROWS(m), r = 0;
        for (; r + nr <= R; r += nr) score_block(rows + r, nr, in + c0, m, n, S + r * ld + c0, ld);
        for (; r + 2 <= R; r += 2) score_block(rows + r, 2, in + c0, m, n, S + r * ld + c0, ld);
        if (r < R) score_block(rows + r, 1, in + c0, m, n, S + r * ld + c0, ld);
    }
}

/* grads[c * gs] += sum_a steps[a][off + c] * rows[a] (when GRADS; 0 + ... when fresh)
 * and rows[a] += sum_c steps[a][off + c] * in[c] (when ROWS), for the na active rows,
 * over the CH chunks from float k on (CH > 1: whole chunks). Holding CH chunks per
 * row spreads each row's pointer loads and step broadcasts over CH chunks. */
FW2V_TILE void update_tile(real_t *const *rows, const real_t *const *steps, int off, int na, real_t *const *in,
                           real_t *grads, int64_t gs, int k, int full, vmask m, int fresh, const int C, const int CH,
                           const int GRADS, const int ROWS)
{
    vreal x[FW2V_UPDATE_REGS], ga[FW2V_UPDATE_REGS]; /* [c * CH + q] */
    FW2V_UNROLL for (int c = 0; c < C; c++)
        FW2V_UNROLL for (int q = 0; q < CH; q++) {
            if (ROWS) x[c * CH + q] = v_load(in[c] + k + q * VW, full, m);
            if (GRADS) ga[c * CH + q] = fresh ? v_zero() : v_load(grads + c * gs + k + q * VW, full, m);
        }
    for (int a = 0; a < na; a++) {
        const real_t *g = steps[a] + off;
        real_t *row = rows[a] + k;
        vreal old[FW2V_UPDATE_REGS], sum[FW2V_UPDATE_REGS];
        FW2V_UNROLL for (int q = 0; q < CH; q++) sum[q] = old[q] = v_load(row + q * VW, full, m);
        FW2V_UNROLL for (int c = 0; c < C; c++) {
            vreal s = v_set1(g[c]);
            FW2V_UNROLL for (int q = 0; q < CH; q++) {
                if (GRADS) ga[c * CH + q] = v_fma(s, old[q], ga[c * CH + q]);
                if (ROWS) sum[q] = v_fma(s, x[c * CH + q], sum[q]);
            }
        }
        if (ROWS) FW2V_UNROLL for (int q = 0; q < CH; q++) v_store(row + q * VW, sum[q], full, m);
    }
    if (GRADS)
        FW2V_UNROLL for (int c = 0; c < C; c++)
            FW2V_UNROLL for (int q = 0; q < CH; q++) v_store(grads + c * gs + k + q * VW, ga[c * CH + q], full, m);
}

/* The whole row: blocks of FW2V_UPDATE_CHUNKS(C) whole chunks, then single chunks. */
FW2V_TILE void update_tiles(real_t *const *rows, const real_t *const *steps, int off, int na, real_t *const *in,
                            real_t *grads, int64_t gs, int n, int fresh, const int C, const int GRADS, const int ROWS)
{
    const int CH = FW2V_UPDATE_CHUNKS(C);
    int k = 0;
    if (CH > 1)
        for (; k + CH * VW <= n; k += CH * VW)
            update_tile(rows, steps, off, na, in, grads, gs, k, 1, v_nomask(), fresh, C, CH, GRADS, ROWS);
    for (; k + VW <= n; k += VW)
        update_tile(rows, steps, off, na, in, grads, gs, k, 1, v_nomask(), fresh, C, 1, GRADS, ROWS);
    if (k < n) update_tile(rows, steps, off, na, in, grads, gs, k, 0, v_mask(n - k), fresh, C, 1, GRADS, ROWS);
}

#define FW2V_UPDATE_CASE(C) case C:                                                        \
    if (what == 3) update_tiles(rows, steps, off, na, in, grads, gs, n, fresh, C, 1, 1);      \
    else if (what == 1) update_tiles(rows, steps, off, na, in, grads, gs, n, fresh, C, 1, 0); \
    else update_tiles(rows, steps, off, na, in, grads, gs, n, fresh, C, 0, 1);                \
    break;

/* One update tile of cb <= FW2V_UPDATE_CTX inputs (steps from column off on);
 * what: 1 gradients, 2 rows, 3 both. */
static void update_block(real_t *const *rows, const real_t *const *steps, int off, int na, real_t *const *in,
                         int cb, real_t *grads, int64_t gs, int n, int fresh, int what)
{
    switch (cb) {
        FW2V_UPDATE_CASE(1) FW2V_UPDATE_CASE(2) FW2V_UPDATE_CASE(3) FW2V_UPDATE_CASE(4)
        FW2V_UPDATE_CASE(5) FW2V_UPDATE_CASE(6)
#if FW2V_UPDATE_CTX >= 8
        FW2V_UPDATE_CASE(7) FW2V_UPDATE_CASE(8)
#endif
#if FW2V_UPDATE_CTX >= 12
        FW2V_UPDATE_CASE(9) FW2V_UPDATE_CASE(10) FW2V_UPDATE_CASE(11) FW2V_UPDATE_CASE(12)
#endif
    default: break;
    }
}
#undef FW2V_UPDATE_CASE

/* Both products for the active rows. Inputs beyond one tile: every gradient is
 * taken from the old rows first, then the rows move block after block. */
static void update_group(real_t *const *rows, const real_t *const *steps, int na, real_t *const *in, int C,
                         real_t *grads, int64_t gs, int n, int fresh)
{
    if (C <= FW2V_UPDATE_CTX) {
        update_block(rows, steps, 0, na, in, C, grads, gs, n, fresh, 3);
        return;
    }
    int cb = block_size(C, FW2V_UPDATE_CTX);
    for (int c0 = 0; c0 < C; c0 += cb)
        update_block(rows, steps, c0, na, in + c0, C - c0 < cb ? C - c0 : cb, grads + c0 * gs, gs, n, fresh, 1);
    for (int c0 = 0; c0 < C; c0 += cb)
        update_block(rows, steps, c0, na, in + c0, C - c0 < cb ? C - c0 : cb, grads, gs, n, 0, 2);
}

/* Gradient scales in place over count scores: s[i] = (labels[i] - sigmoid(s[i])) *
 * alpha (the gradient of log sigmoid(+-f), times the learning rate). With
 * `saturate`, a score beyond +-FW2V_MAX_EXP gives no update at all (word2vec C
 * and gensim do this for hierarchical softmax): such a node is either already
 * right (nothing to learn) or wildly wrong (an outlier step would only add noise),
 * and skipping it saves both row updates. */
FW2V_INLINE void logistic_steps(real_t *s, const real_t *labels, int count, real_t alpha, int saturate)
{
    const vreal va = v_set1(alpha);
#define FW2V_STEP_CHUNK(k, full, m) do {                                                   \
        vreal f_ = v_load(s + (k), full, m);                                               \
        vreal g_ = v_mul(v_sub(v_load(labels + (k), full, m), v_sigmoid(f_)), va);         \
        if (saturate) g_ = v_inside(g_, f_, -(real_t)FW2V_MAX_EXP, (real_t)FW2V_MAX_EXP);  \
        v_store(s + (k), g_, full, m);                                                     \
    } while (0)
    FW2V_FOR_CHUNKS(count, FW2V_STEP_CHUNK);
#undef FW2V_STEP_CHUNK
}

/* Steps G[r * C + c] of the whole group, in place over its scores; 0 for an input
 * that owns the row's word (not_a_negative). Lists the rows with any nonzero step
 * and their steps in rows / steps and returns their number. */
FW2V_INLINE int group_steps(const fw2v_params *p, fw2v_thread *t, real_t *G, int R, int C, const int32_t *owners,
                            real_t alpha, int saturate, real_t **rows, const real_t **steps)
{
    if (p->compute_loss) /* -log sigmoid(+-f) of every step that counts, saturated or not */
        for (int r = 0; r < R; r++)
            for (int c = 0; c < C; c++)
                if (!not_a_negative(owners, t->grp_words, r, c)) {
                    real_t f = G[r * C + c];
                    t->loss += softplus(t->grp_labels[r] > 0 ? -(double)f : (double)f);
                    t->loss_terms++;
                }
    const real_t *labels = t->grp_labels;
    if (C > 1) { /* one label per step */
        real_t *each = t->grp_lab;
        for (int r = 0; r < R; r++)
            for (int c = 0; c < C; c++) each[r * C + c] = t->grp_labels[r];
        labels = each;
    }
    logistic_steps(G, labels, R * C, alpha, saturate);
    if (owners)
        for (int r = 0; r < R; r++)
            for (int c = 0; c < C; c++)
                if (not_a_negative(owners, t->grp_words, r, c)) G[r * C + c] = 0;
    int na = 0;
    for (int r = 0; r < R; r++) { /* rows whose every step is zero (saturated HS nodes) take no part */
        int c = 0;
        while (c < C && G[r * C + c] == 0) c++;
        if (c < C) {
            rows[na] = t->grp_rows[r];
            steps[na++] = G + r * C;
        }
    }
    return na;
}

/* HogBatch with a group of distinct output rows (t->grp_rows: a Huffman path, or
 * a target and its negatives) against n_ctx input rows (a window's contexts, a
 * CBOW block's hidden rows, or one input). No row of the group is read after
 * another row of the group moves, and the inputs only move after the group, so
 * computing every score first, then every input gradient from the old rows and
 * every row update is exactly the rows applied one after another (the same sums
 * in the same order). Each gradient and each row is written once per group
 * instead of once per (row, input), in the register tiles above. */
FW2V_INLINE void logistic_group(const fw2v_params *p, fw2v_thread *t, int n_ctx, real_t *const *in,
                                const int32_t *owners, real_t *grads, int n_rows, real_t alpha, int saturate)
{
    real_t *G = t->grp_g; /* [row][input]: the scores, then the steps */
    real_t *rows[FW2V_ROW_GROUP];
    const real_t *steps[FW2V_ROW_GROUP];
    score_group(t->grp_rows, n_rows, in, n_ctx, p->dim, G, n_ctx);
    int na = group_steps(p, t, G, n_rows, n_ctx, owners, alpha, saturate, rows, steps);
    if (!na) return;
    update_group(rows, steps, na, in, n_ctx, grads, p->dim, p->dim, t->grads_fresh);
    t->grads_fresh = 0;
}

/* Scale of word w's input-row updates (rows past lockf_len are not frozen). */
FW2V_INLINE real_t lockf_of(const fw2v_params *p, int64_t w)
{
    return w < p->lockf_len ? p->lockf[w] : (real_t)1;
}

/* Row addresses with private copies (hs_private, neg_private, syn0_private): the shared row
 * moved by the thread's shift when it has a copy, chosen with a mask, not a
 * branch. Whether a noise row or a target is private is a coin flip (23% of
 * the draws, 38% of the targets), and the branch gcc made of `?:` mispredicted
 * enough to cost a thread 5-7% (1 worker forced private: 2.49-2.57M words/s
 * against 2.57-2.76M without copies; masked: no difference) and 2 workers
 * 1.77x one thread instead of 1.88-1.91x; for inner nodes (a prefix of each
 * path) the mask took CBOW+hs's cost of copies from 5% to 1-3%. RESULTS.md,
 * eighteenth session. */
FW2V_INLINE real_t *own_or_shared(real_t *shared_row, int own, uintptr_t shift)
{
    return (real_t *)((uintptr_t)shared_row + (((uintptr_t)0 - (uintptr_t)own) & shift));
}

/* The syn1 row of inner node `node`: this thread's copy for the top nodes (see hs_private). */
FW2V_INLINE real_t *hs_row(const fw2v_params *p, fw2v_thread *t, int32_t node)
{
    return own_or_shared(p->syn1 + (int64_t)node * p->dim, (int64_t)node >= p->hot_first, t->hs_shift);
}

/* The syn1neg row of word w: this thread's copy for the most frequent words (see
 * neg_private), which follow the private inner nodes in hot_rows. */
FW2V_INLINE real_t *neg_row(const fw2v_params *p, fw2v_thread *t, int32_t w)
{
    return own_or_shared(p->syn1neg + (int64_t)w * p->dim, w < p->neg_private, t->neg_shift);
}

/* The syn0 row of word w: this thread's copy for the most frequent words (see
 * syn0_private), which follow the private syn1neg rows in hot_rows. */
FW2V_INLINE real_t *in_row(const fw2v_params *p, const fw2v_thread *t, int32_t w)
{
    return own_or_shared(p->syn0 + (int64_t)w * p->dim, w < p->syn0_private, t->syn0_shift);
}

/* Takes fresh private copies of the hot rows at the start of a batch. */
static void copy_hot_rows(const fw2v_params *p, fw2v_thread *t)
{
    size_t row = (size_t)p->dim * sizeof(real_t);
    real_t *neg = t->hot_rows + (int64_t)p->hs_private * p->dim;
    real_t *in = neg + (int64_t)p->neg_private * p->dim;
    if (p->hs_private) memcpy(t->hot_rows, p->syn1 + p->hot_first * p->dim, (size_t)p->hs_private * row);
    if (p->neg_private) memcpy(neg, p->syn1neg, (size_t)p->neg_private * row);
    if (p->syn0_private) memcpy(in, p->syn0, (size_t)p->syn0_private * row);
    memcpy(t->hot_seen, t->hot_rows, (size_t)(p->hs_private + p->neg_private + p->syn0_private) * row);
    if (p->hs_private) t->hs_shift = (uintptr_t)t->hot_rows - (uintptr_t)(p->syn1 + p->hot_first * p->dim);
    if (p->neg_private) t->neg_shift = (uintptr_t)neg - (uintptr_t)p->syn1neg;
    if (p->syn0_private) t->syn0_shift = (uintptr_t)in - (uintptr_t)p->syn0;
}

/* shared += mine - seen, then mine = seen = shared, over n floats. */
static void merge_span(real_t *shared, real_t *mine, real_t *seen, int64_t n)
{
    for (int64_t k = 0; k < n; k++) {
        real_t v = shared[k] + (mine[k] - seen[k]);
        shared[k] = v;
        mine[k] = v;
        seen[k] = v;
    }
}

/* Adds this thread's change to each private row back into the shared matrix and
 * takes the merged value (with the other threads' changes) as its new copy. The
 * add is Hogwild-racy like every other update. */
static void merge_hot_rows(const fw2v_params *p, fw2v_thread *t)
{
    int64_t h = (int64_t)p->hs_private * p->dim, n = h + (int64_t)p->neg_private * p->dim;
    if (h) merge_span(p->syn1 + p->hot_first * p->dim, t->hot_rows, t->hot_seen, h);
    if (p->neg_private) merge_span(p->syn1neg, t->hot_rows + h, t->hot_seen + h, n - h);
    if (p->syn0_private) merge_span(p->syn0, t->hot_rows + n, t->hot_seen + n, (int64_t)p->syn0_private * p->dim);
}

/* A negative from the random number r (the test hook's fixed list ignores r). */
FW2V_INLINE int32_t draw_negative(const fw2v_params *p, fw2v_thread *t, uint64_t r)
{
    if (t->fixed_negatives)
        return t->fixed_negatives[t->fixed_position++ % t->n_fixed_negatives];
    return fw2v_alias_draw(p->noise_prob, p->noise_alias, p->vocab_size, r);
}

/* The alias-table column r will read: loaded a set ahead, its two entries are
 * cache hits by the time the draw resolves. */
FW2V_INLINE uint64_t raw_negative(const fw2v_params *p, fw2v_thread *t)
{
    uint64_t r = fw2v_rng_next(&t->rng);
    uint32_t column = fw2v_alias_column(r, p->vocab_size);
    FW2V_PREFETCH(p->noise_prob + column);
    FW2V_PREFETCH(p->noise_alias + column);
    return r;
}

/* Hands the next target its negatives in t->noise, resolves the set after it
 * into t->noise_next, prefetching those rows, and draws the random numbers of
 * the set after that, prefetching their alias-table entries. The random noise
 * rows are the cache misses of the loop (and the alias entries, at ~0.5 MB per
 * 100k words, miss L1 too); three stages let both load while the current
 * target trains instead of stalling it. Sets are used in the order drawn. */
FW2V_INLINE void draw_negatives(const fw2v_params *p, fw2v_thread *t)
{
    if (!t->has_next) {
        for (int32_t d = 0; d < p->negative; d++) t->noise_next[d] = draw_negative(p, t, fw2v_rng_next(&t->rng));
        for (int32_t d = 0; d < p->negative; d++) t->noise_raw[d] = raw_negative(p, t);
        t->has_next = 1;
    }
    for (int32_t d = 0; d < p->negative; d++) {
        t->noise[d] = t->noise_next[d];
        assert(t->noise[d] >= 0 && t->noise[d] < p->vocab_size);
        t->noise_next[d] = draw_negative(p, t, t->noise_raw[d]);
        prefetch_row(neg_row(p, t, t->noise_next[d]), p->dim);
        t->noise_raw[d] = raw_negative(p, t);
    }
}

/* Predicting `word` from n_in input rows at once (one row: a skip-gram pair or a
 * CBOW hidden layer; a whole window: HogBatch skip-gram). The output rows are
 * its Huffman path (hs), its own row and, with `negatives`, freshly drawn noise
 * rows (negative sampling); each input's gradient accumulates in
 * grads[c * dim] (word2vec C's neu1e). The rows go through logistic_group in
 * groups of distinct rows, so the result is the one-row-at-a-time update. */
static void train_output_rows(const fw2v_params *p, fw2v_thread *t, int n_in, real_t *const *in, real_t *grads,
                              int32_t word, real_t alpha, int negatives)
{
    /* negatives are drawn first so their rows load while the path trains; the
     * path draws no random numbers, so the draws are the same either way */
    if (p->negative && negatives) draw_negatives(p, t);
    if (p->hs) {
        int n_rows = 0;
        for (int64_t k = p->path_offsets[word]; k < p->path_offsets[word + 1]; k++) {
            t->grp_rows[n_rows] = hs_row(p, t, p->points[k]);
            t->grp_labels[n_rows++] = (real_t)(1 - p->codes[k]);
            if (n_rows == FW2V_ROW_GROUP) {
                logistic_group(p, t, n_in, in, NULL, grads, n_rows, alpha, 1);
                n_rows = 0;
            }
        }
        if (n_rows) logistic_group(p, t, n_in, in, NULL, grads, n_rows, alpha, 1);
    }
    if (!p->negative) return;
    t->grp_rows[0] = neg_row(p, t, word);
    t->grp_labels[0] = 1;
    int n_rows = 1;
    for (int32_t d = 0; negatives && d < p->negative; d++) {
        if (t->noise[d] == word) continue; /* as word2vec C: a draw of the target is skipped */
        real_t *row = neg_row(p, t, t->noise[d]);
        /* a row drawn twice must see its first update: close the group there */
        for (int r = 0; r < n_rows; r++) {
            if (t->grp_rows[r] == row) {
                logistic_group(p, t, n_in, in, NULL, grads, n_rows, alpha, FW2V_SATURATE_NEGATIVE);
                n_rows = 0;
                break;
            }
        }
        if (n_rows == FW2V_ROW_GROUP) {
            logistic_group(p, t, n_in, in, NULL, grads, n_rows, alpha, FW2V_SATURATE_NEGATIVE);
            n_rows = 0;
        }
        t->grp_rows[n_rows] = row;
        t->grp_labels[n_rows++] = 0;
    }
    logistic_group(p, t, n_in, in, NULL, grads, n_rows, alpha, FW2V_SATURATE_NEGATIVE);
}

/* ---- sentence drivers ---------------------------------------------------- */

/* Before centre i trains, start loading what centre i + 1 will need that the
 * current window does not already hold: its own output rows (its syn1neg row,
 * the deepest nodes of its Huffman path, which are the rare ones) and the input
 * row of the word entering the window. Sliding windows share everything else.
 * A path's rows are found through two dependent random reads (path_offsets,
 * then points/codes: ~20 bytes per word, megabytes in all, so they miss cache
 * as the rows do); those are loaded two and three centres ahead, so that
 * reading them here and in train_output_rows no longer stalls (they were a
 * sixth of CBOW + hs's time). */
FW2V_INLINE void prefetch_next_centre(const fw2v_params *p, fw2v_thread *t, const int32_t *w, int64_t i, int64_t n)
{
    if (i + 1 >= n) return;
    int32_t next = w[i + 1];
    if (p->negative) prefetch_row(neg_row(p, t, next), p->dim);
    if (p->hs) {
        if (i + 3 < n) FW2V_PREFETCH(p->path_offsets + w[i + 3] + 1);
        if (i + 2 < n) {
            int64_t lo2 = p->path_offsets[w[i + 2]], hi2 = p->path_offsets[w[i + 2] + 1];
            /* hi2 > lo2: a one-word vocabulary has empty paths and NULL points/codes */
            if (hi2 > lo2) {
                for (int64_t k = lo2; k < hi2; k += 16) FW2V_PREFETCH(p->points + k);
                FW2V_PREFETCH(p->points + hi2 - 1);
                FW2V_PREFETCH(p->codes + lo2);
                FW2V_PREFETCH(p->codes + hi2 - 1);
            }
        }
        int64_t lo = p->path_offsets[next], k = p->path_offsets[next + 1];
        for (int d = 0; d < 4 && k > lo; d++) {
            k--;
            prefetch_row(hs_row(p, t, p->points[k]), p->dim);
        }
    }
    if (i + 1 + p->window < n) prefetch_row(in_row(p, t, w[i + 1 + p->window]), p->dim);
}

/* Window around position i: [i - w, i + w] with w = window - b, b uniform in
 * [0, window) when shrinking (word2vec C's "reduced window"), clipped to the sentence. */
FW2V_INLINE void context_window(const fw2v_params *p, fw2v_thread *t, int64_t i, int64_t n, int64_t *lo, int64_t *hi)
{
    int64_t w = p->window - (p->shrink_windows ? (int64_t)fw2v_rng_below(&t->rng, (uint32_t)p->window) : 0);
    *lo = i - w < 0 ? 0 : i - w;
    *hi = i + w > n - 1 ? n - 1 : i + w;
}

/* Skip-gram: each context word's input row predicts the centre word. */
static void train_sentence_sg(const fw2v_params *p, fw2v_thread *t, const int32_t *w, int64_t n, real_t alpha)
{
    const int64_t dim = p->dim;
    for (int64_t i = 0; i < n; i++) {
        int64_t lo, hi;
        prefetch_next_centre(p, t, w, i, n);
        context_window(p, t, i, n, &lo, &hi);
        for (int64_t j = lo; j <= hi; j++) {
            if (j == i) continue;
            real_t *h = in_row(p, t, w[j]);
            memset(t->grad, 0, (size_t)dim * sizeof(real_t));
            train_output_rows(p, t, 1, &h, t->grad, w[i], alpha, 1);
            vaxpy(h, lockf_of(p, w[j]), t->grad, p->dim);
        }
    }
}

/* Skip-gram, window at a time: the centre word's output rows (its Huffman path,
 * the target and one shared set of negatives) are trained against all context
 * rows together. Negatives are drawn once per window, not once per pair. With
 * hierarchical softmax the window is cut into groups of FW2V_SG_HS_GROUP
 * contexts (kernels.h says why), each a HogBatch step of its own. */
static void train_sentence_sg_window(const fw2v_params *p, fw2v_thread *t, const int32_t *w, int64_t n, real_t alpha)
{
    const int64_t dim = p->dim;
    const int group = p->hs ? FW2V_SG_HS_GROUP : INT_MAX; /* INT_MAX: the whole window */
    for (int64_t i = 0; i < n; i++) {
        int64_t lo, hi;
        int n_ctx = 0;
        prefetch_next_centre(p, t, w, i, n);
        context_window(p, t, i, n, &lo, &hi);
        for (int64_t j = lo; j <= hi; j++) {
            if (j == i) continue;
            t->ctx_ids[n_ctx] = w[j];
            t->ctx_rows[n_ctx++] = in_row(p, t, w[j]);
        }
        for (int c0 = 0; c0 < n_ctx; c0 += group) {
            const int k = n_ctx - c0 < group ? n_ctx - c0 : group;
            /* instead of zeroing the gradients, the first group to produce any writes them */
            t->grads_fresh = 1;
            train_output_rows(p, t, k, t->ctx_rows + c0, t->ctx_grads + (size_t)c0 * dim, w[i], alpha, 1);
            if (t->grads_fresh) { /* every row saturated: nothing to add */
                t->grads_fresh = 0;
                continue;
            }
            for (int c = c0; c < c0 + k; c++)
                vaxpy(t->ctx_rows[c], lockf_of(p, t->ctx_ids[c]), t->ctx_grads + (size_t)c * dim, p->dim);
        }
    }
}

/* The context rows syn0[w[j]] of centre i, j in [lo, hi] but i, in window order
 * (rows: scratch for hi - lo pointers); returns their number. */
FW2V_INLINE int window_rows(const fw2v_params *p, const fw2v_thread *t, const int32_t *w, int64_t lo, int64_t hi, int64_t i,
                            real_t **rows)
{
    int count = 0;
    for (int64_t j = lo; j <= hi; j++)
        if (j != i) rows[count++] = in_row(p, t, w[j]);
    return count;
}

/* CBOW's hidden layer for centre i: the sum (cbow_mean: the mean) of its context
 * rows (lo < hi), added in window order, in one pass over h. */
FW2V_INLINE void cbow_hidden(const fw2v_params *p, const fw2v_thread *t, const int32_t *w, int64_t lo, int64_t hi, int64_t i,
                             real_t **rows, real_t *h)
{
    int count = window_rows(p, t, w, lo, hi, i, rows);
    vsum_rows(h, rows, count, p->cbow_mean ? (real_t)1 / (real_t)count : (real_t)1, p->dim);
}

/* Moves centre i's context rows by its hidden layer's gradient. gensim's
 * convention for the summed hidden layer: spread the error over the window
 * (with the mean, word2vec C's rule: the full error to each). */
FW2V_INLINE void cbow_update_context(const fw2v_params *p, const fw2v_thread *t, const int32_t *w, int64_t lo, int64_t hi, int64_t i,
                                     real_t *grad)
{
    if (!p->cbow_mean) vscale(grad, (real_t)1 / (real_t)(hi - lo), p->dim);
    for (int64_t j = lo; j <= hi; j++)
        if (j != i) vaxpy(in_row(p, t, w[j]), lockf_of(p, w[j]), grad, p->dim);
}

/* CBOW: the sum (or mean) of the context rows predicts the centre word. */
static void train_sentence_cbow(const fw2v_params *p, fw2v_thread *t, const int32_t *w, int64_t n, real_t alpha)
{
    for (int64_t i = 0; i < n; i++) {
        int64_t lo, hi;
        prefetch_next_centre(p, t, w, i, n);
        context_window(p, t, i, n, &lo, &hi);
        if (hi == lo) continue; /* a one-word sentence has no context */
        cbow_hidden(p, t, w, lo, hi, i, t->ctx_rows, t->hidden);
        memset(t->grad, 0, (size_t)p->dim * sizeof(real_t));
        train_output_rows(p, t, 1, &t->hidden, t->grad, w[i], alpha, 1);
        cbow_update_context(p, t, w, lo, hi, i, t->grad);
    }
}

/* CBOW, FW2V_CBOW_BLOCK centres at a time: each centre's own targets (Huffman
 * path, positive row) are trained as usual, but one set of negatives is shared
 * by the block and trained against all its hidden rows at once (HogBatch's
 * idea applied to CBOW). Context rows are updated after the block. */
static void train_sentence_cbow_block(const fw2v_params *p, fw2v_thread *t, const int32_t *w, int64_t n, real_t alpha)
{
    const int64_t dim = p->dim;
    real_t *hidden[FW2V_CBOW_BLOCK]; /* the members' hidden rows (t->ctx_rows: scratch of cbow_hidden) */
    for (int64_t i0 = 0; i0 < n; i0 += FW2V_CBOW_BLOCK) {
        int m = 0;
        for (int64_t i = i0; i < n && i < i0 + FW2V_CBOW_BLOCK; i++) {
            int64_t lo, hi;
            context_window(p, t, i, n, &lo, &hi);
            if (hi == lo) continue; /* a one-word sentence has no context */
            hidden[m] = t->hidden + m * dim;
            cbow_hidden(p, t, w, lo, hi, i, t->ctx_rows, hidden[m]);
            t->ctx_ids[m] = w[i];
            t->block_lo[m] = lo;
            t->block_hi[m] = hi;
            t->block_centre[m] = i;
            m++;
        }
        if (m == 0) continue;
        memset(t->ctx_grads, 0, (size_t)m * dim * sizeof(real_t));
        for (int b = 0; b < m; b++)
            train_output_rows(p, t, 1, &hidden[b], t->ctx_grads + b * dim, t->ctx_ids[b], alpha, 0);
        if (p->negative) draw_negatives(p, t);
        for (int32_t d = 0; d < p->negative; d++) { /* one row at a time: a repeated draw sees its update */
            t->grp_rows[0] = neg_row(p, t, t->noise[d]);
            t->grp_labels[0] = 0;
            t->grp_words[0] = t->noise[d];
            logistic_group(p, t, m, hidden, t->ctx_ids, t->ctx_grads, 1, alpha, FW2V_SATURATE_NEGATIVE);
        }
        for (int b = 0; b < m; b++)
            cbow_update_context(p, t, w, t->block_lo[b], t->block_hi[b], t->block_centre[b], t->ctx_grads + b * dim);
    }
}

/* ---- scoring: gensim's Word2Vec.score ------------------------------------
 * Taddy (2015), "Document classification by inversion of distributed language
 * representations": the log-likelihood of a sentence under a trained hs model
 * is the sum over its centres of log P(centre | window), read off the centre's
 * Huffman path as a product of sigmoid(+-row . h) (sign + for code 0: label
 * 1 - code, as in training). Skip-gram sums that over every context row of the
 * window (h = that row); CBOW takes it once, h = the window's hidden layer.
 * The whole window (no shrinking) and every token (no subsampling), as gensim;
 * nothing is written but t's scratch. log sigmoid(x) = -softplus(-x), exactly
 * for every x: gensim reads a 1000-entry table and leaves out |x| >= 6, which
 * drops the worst-predicted nodes from the sum. */
static double score_centre(const fw2v_params *p, fw2v_thread *t, int32_t word, int n_in, real_t *const *in)
{
    double sum = 0;
    for (int64_t k = p->path_offsets[word], end = p->path_offsets[word + 1]; k < end; k += FW2V_ROW_GROUP) {
        int R = end - k < FW2V_ROW_GROUP ? (int)(end - k) : FW2V_ROW_GROUP;
        for (int r = 0; r < R; r++) t->grp_rows[r] = p->syn1 + (int64_t)p->points[k + r] * p->dim;
        score_group(t->grp_rows, R, in, n_in, p->dim, t->grp_g, n_in);
        for (int r = 0; r < R; r++) {
            double sign = p->codes[k + r] ? 1.0 : -1.0; /* -softplus(sign * f) = log sigmoid(-sign * f) */
            for (int c = 0; c < n_in; c++) sum -= softplus(sign * (double)t->grp_g[r * n_in + c]);
        }
    }
    return sum;
}

void FW2V_SUFFIX(fw2v_score_batch)(const fw2v_params *p, fw2v_thread *t, const fw2v_batch *b, double *out)
{
    int64_t start = b->first_start;
    t->syn0_shift = 0; /* scores read the shared rows: a state's copies belong to a training batch */
    for (int64_t s = 0; s < b->n_sentences; s++) {
        const int32_t *w = b->ids + start;
        int64_t n = b->ends[s] - start;
        double sum = 0;
        start = b->ends[s];
        for (int64_t i = 0; i < n; i++) {
            int64_t lo = i - p->window < 0 ? 0 : i - p->window;
            int64_t hi = i + p->window > n - 1 ? n - 1 : i + p->window;
            if (hi == lo) continue; /* a one-word sentence has no context to predict from */
            if (p->sg) {
                sum += score_centre(p, t, w[i], window_rows(p, t, w, lo, hi, i, t->ctx_rows), t->ctx_rows);
            } else {
                cbow_hidden(p, t, w, lo, hi, i, t->ctx_rows, t->hidden);
                sum += score_centre(p, t, w[i], 1, &t->hidden);
            }
        }
        out[s] = sum;
    }
}

/* Subsampling of frequent words (Mikolov et al. 2013b, word2vec C's formula,
 * thresholds precomputed as integers): dropped before windows are formed, so
 * windows reach further past frequent words, as in word2vec C and gensim. */
static int64_t subsample(const fw2v_params *p, fw2v_thread *t, const int32_t *ids, int64_t n)
{
    if (!p->subsample) {
        memcpy(t->kept, ids, (size_t)n * sizeof(int32_t));
        return n;
    }
    int64_t m = 0;
    for (int64_t i = 0; i < n; i++) {
        int32_t w = ids[i];
        /* one draw per token whether or not w has a threshold: the same stream as a full table */
        uint64_t r = fw2v_rng_next(&t->rng) >> 32;
        if (w >= p->keep_threshold_len || r < p->keep_threshold[w]) t->kept[m++] = w;
    }
    return m;
}

int FW2V_SUFFIX(fw2v_train_batch)(const fw2v_params *p, fw2v_thread *t, const fw2v_batch *b)
{
    int64_t start = b->first_start;
    const int private_hot = p->hs_private > 0 || p->neg_private > 0 || p->syn0_private > 0;
    if (private_hot) copy_hot_rows(p, t);
    for (int64_t s = 0; s < b->n_sentences; s++) {
        int64_t end = b->ends[s], n = end - start;
        const int32_t *ids = b->ids + start;
        start = end;
        if (n == 0) continue;
        /* Linear decay over the real progress of all threads (word2vec C's
         * schedule); with one thread this is exact and so reproducible. */
        double done = (double)(fw2v_atomic_load(p->progress) + t->unpublished);
        double frac = done < p->total_words ? done / p->total_words : 1.0;
        real_t alpha = (real_t)(p->start_alpha - (p->start_alpha - p->end_alpha) * frac);
        t->last_alpha = alpha;
        /* a sentence weight scales every update of that sentence (item2vec's per-session weights) */
        if (b->weights) alpha *= b->weights[s];
        int64_t m = subsample(p, t, ids, n);
        if (p->sg && p->batch_window) train_sentence_sg_window(p, t, t->kept, m, alpha);
        else if (p->sg) train_sentence_sg(p, t, t->kept, m, alpha);
        else if (p->batch_window) train_sentence_cbow_block(p, t, t->kept, m, alpha);
        else train_sentence_cbow(p, t, t->kept, m, alpha);
        t->words_seen += n;
        t->words_trained += m;
        t->unpublished += n;
        if (t->unpublished >= FW2V_PUBLISH_EVERY) {
            fw2v_atomic_add(p->progress, t->unpublished);
            t->unpublished = 0;
            if (private_hot) merge_hot_rows(p, t);
            if (fw2v_atomic_load32(p->stop)) return FW2V_STOPPED;
        }
    }
    fw2v_atomic_add(p->progress, t->unpublished);
    t->unpublished = 0;
    if (private_hot) merge_hot_rows(p, t);
    return fw2v_atomic_load32(p->stop) ? FW2V_STOPPED : FW2V_OK;
}
