/* The training loop, written once and compiled once per instruction set.
 *
 * kernels_generic.c, kernels_avx2.c and kernels_avx512.c include this file
 * after defining FW2V_SUFFIX(name) and FW2V_USE_AVX2 / FW2V_USE_AVX512, so
 * every variant runs the same algorithm and differs only in the vector
 * primitives below. Results of
 * the variants agree to float rounding (FMA and summation order differ).
 */
#include <assert.h>
#include <math.h>
#include <string.h>

#include "kernels.h"
#include "sampling.h"

/* ---- vector primitives ------------------------------------------------- */
#if FW2V_USE_AVX512
#include <immintrin.h>

/* AVX-512: 16 floats a step; tails use masked loads/stores instead of a scalar loop. */
FW2V_INLINE __mmask16 tail_mask(int left) { return (__mmask16)((1u << left) - 1u); }

FW2V_INLINE real_t vdot(const real_t *FW2V_RESTRICT a, const real_t *FW2V_RESTRICT b, int n)
{
    __m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps();
    int k = 0;
    for (; k + 32 <= n; k += 32) {
        s0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + k), _mm512_loadu_ps(b + k), s0);
        s1 = _mm512_fmadd_ps(_mm512_loadu_ps(a + k + 16), _mm512_loadu_ps(b + k + 16), s1);
    }
    for (; k + 16 <= n; k += 16) s0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + k), _mm512_loadu_ps(b + k), s0);
    if (k < n) {
        __mmask16 m = tail_mask(n - k);
        s1 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, a + k), _mm512_maskz_loadu_ps(m, b + k), s1);
    }
    return _mm512_reduce_add_ps(_mm512_add_ps(s0, s1));
}

FW2V_INLINE void vfused(real_t *FW2V_RESTRICT grad, real_t *FW2V_RESTRICT row, const real_t *FW2V_RESTRICT h, real_t g, int n)
{
    __m512 gv = _mm512_set1_ps(g);
    for (int k = 0; k < n; k += 16) {
        __mmask16 m = n - k >= 16 ? (__mmask16)0xFFFF : tail_mask(n - k);
        __m512 r = _mm512_maskz_loadu_ps(m, row + k);
        _mm512_mask_storeu_ps(grad + k, m, _mm512_fmadd_ps(gv, r, _mm512_maskz_loadu_ps(m, grad + k)));
        _mm512_mask_storeu_ps(row + k, m, _mm512_fmadd_ps(gv, _mm512_maskz_loadu_ps(m, h + k), r));
    }
}

FW2V_INLINE void vaxpy(real_t *FW2V_RESTRICT y, real_t a, const real_t *FW2V_RESTRICT x, int n)
{
    __m512 av = _mm512_set1_ps(a);
    for (int k = 0; k < n; k += 16) {
        __mmask16 m = n - k >= 16 ? (__mmask16)0xFFFF : tail_mask(n - k);
        _mm512_mask_storeu_ps(y + k, m, _mm512_fmadd_ps(av, _mm512_maskz_loadu_ps(m, x + k),
                                                         _mm512_maskz_loadu_ps(m, y + k)));
    }
}
/* Four dot products of one vector a against rows b[0..3]: a is loaded once per
 * step and the four sums are reduced together (one horizontal-add tree instead of four). */
FW2V_INLINE void vdot4(const real_t *FW2V_RESTRICT a, real_t *const *b, int n, real_t *out)
{
    __m512 s0 = _mm512_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    for (int k = 0; k < n; k += 16) {
        __mmask16 m = n - k >= 16 ? (__mmask16)0xFFFF : tail_mask(n - k);
        __m512 x = _mm512_maskz_loadu_ps(m, a + k);
        s0 = _mm512_fmadd_ps(x, _mm512_maskz_loadu_ps(m, b[0] + k), s0);
        s1 = _mm512_fmadd_ps(x, _mm512_maskz_loadu_ps(m, b[1] + k), s1);
        s2 = _mm512_fmadd_ps(x, _mm512_maskz_loadu_ps(m, b[2] + k), s2);
        s3 = _mm512_fmadd_ps(x, _mm512_maskz_loadu_ps(m, b[3] + k), s3);
    }
#define FW2V_HALF(v) _mm256_add_ps(_mm512_castps512_ps256(v), \
        _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)))
    __m256 t = _mm256_hadd_ps(_mm256_hadd_ps(FW2V_HALF(s0), FW2V_HALF(s1)),
                              _mm256_hadd_ps(FW2V_HALF(s2), FW2V_HALF(s3)));
#undef FW2V_HALF
    _mm_storeu_ps(out, _mm_add_ps(_mm256_castps256_ps128(t), _mm256_extractf128_ps(t, 1)));
}

/* y += sum_j c[j * stride] * x[j] (y = the sum when !acc: y need not be initialised):
 * the row is loaded and stored once whatever m is, and four (then two) independent
 * accumulators keep the FMA pipes full. */
FW2V_INLINE void vcombine(real_t *FW2V_RESTRICT y, real_t *const *x, const real_t *c, int stride, int m, int n,
                          int acc)
{
    int k = 0;
    const __m512 z = _mm512_setzero_ps();
    for (; k + 64 <= n; k += 64) {
        __m512 a0 = acc ? _mm512_loadu_ps(y + k) : z, a1 = acc ? _mm512_loadu_ps(y + k + 16) : z;
        __m512 a2 = acc ? _mm512_loadu_ps(y + k + 32) : z, a3 = acc ? _mm512_loadu_ps(y + k + 48) : z;
        for (int j = 0; j < m; j++) {
            __m512 cj = _mm512_set1_ps(c[j * stride]);
            const real_t *xj = x[j] + k;
            a0 = _mm512_fmadd_ps(cj, _mm512_loadu_ps(xj), a0);
            a1 = _mm512_fmadd_ps(cj, _mm512_loadu_ps(xj + 16), a1);
            a2 = _mm512_fmadd_ps(cj, _mm512_loadu_ps(xj + 32), a2);
            a3 = _mm512_fmadd_ps(cj, _mm512_loadu_ps(xj + 48), a3);
        }
        _mm512_storeu_ps(y + k, a0); _mm512_storeu_ps(y + k + 16, a1);
        _mm512_storeu_ps(y + k + 32, a2); _mm512_storeu_ps(y + k + 48, a3);
    }
    for (; k + 32 <= n; k += 32) {
        __m512 a0 = acc ? _mm512_loadu_ps(y + k) : z, a1 = acc ? _mm512_loadu_ps(y + k + 16) : z;
        for (int j = 0; j < m; j++) {
            __m512 cj = _mm512_set1_ps(c[j * stride]);
            a0 = _mm512_fmadd_ps(cj, _mm512_loadu_ps(x[j] + k), a0);
            a1 = _mm512_fmadd_ps(cj, _mm512_loadu_ps(x[j] + k + 16), a1);
        }
        _mm512_storeu_ps(y + k, a0); _mm512_storeu_ps(y + k + 16, a1);
    }
    for (; k < n; k += 16) {
        __mmask16 msk = n - k >= 16 ? (__mmask16)0xFFFF : tail_mask(n - k);
        __m512 a0 = acc ? _mm512_maskz_loadu_ps(msk, y + k) : z;
        for (int j = 0; j < m; j++)
            a0 = _mm512_fmadd_ps(_mm512_set1_ps(c[j * stride]), _mm512_maskz_loadu_ps(msk, x[j] + k), a0);
        _mm512_mask_storeu_ps(y + k, msk, a0);
    }
}
#elif FW2V_USE_AVX2
#include <immintrin.h>

/* Lanes [0, left) of a 256-bit mask, 0 < left < 8: a short tail (dim 100 = 12 x 8 + 4)
 * done with one masked load instead of a scalar loop per element. */
static const int32_t fw2v_tail_bits[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
FW2V_INLINE __m256i tail_mask8(int left) { return _mm256_loadu_si256((const __m256i *)(fw2v_tail_bits + 8 - left)); }

FW2V_INLINE real_t vdot(const real_t *FW2V_RESTRICT a, const real_t *FW2V_RESTRICT b, int n)
{
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
    int k = 0;
    for (; k + 16 <= n; k += 16) {
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + k), _mm256_loadu_ps(b + k), s0);
        s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + k + 8), _mm256_loadu_ps(b + k + 8), s1);
    }
    if (k + 8 <= n) { s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + k), _mm256_loadu_ps(b + k), s0); k += 8; }
    if (k < n) {
        __m256i m = tail_mask8(n - k);
        s1 = _mm256_fmadd_ps(_mm256_maskload_ps(a + k, m), _mm256_maskload_ps(b + k, m), s1);
    }
    s0 = _mm256_add_ps(s0, s1);
    __m128 q = _mm_add_ps(_mm256_castps256_ps128(s0), _mm256_extractf128_ps(s0, 1));
    q = _mm_add_ps(q, _mm_movehl_ps(q, q));
    q = _mm_add_ss(q, _mm_shuffle_ps(q, q, 1));
    return _mm_cvtss_f32(q);
}

/* One output row against several inputs: for every input c, grads[c] += g[c] * row and
 * row += sum_c g[c] * h[c], in one pass over the row (h rows stay in L1). */
FW2V_INLINE void vfused(real_t *FW2V_RESTRICT grad, real_t *FW2V_RESTRICT row, const real_t *FW2V_RESTRICT h, real_t g, int n)
{
    __m256 gv = _mm256_set1_ps(g);
    int k = 0;
    for (; k + 8 <= n; k += 8) {
        __m256 r = _mm256_loadu_ps(row + k);
        _mm256_storeu_ps(grad + k, _mm256_fmadd_ps(gv, r, _mm256_loadu_ps(grad + k)));
        _mm256_storeu_ps(row + k, _mm256_fmadd_ps(gv, _mm256_loadu_ps(h + k), r));
    }
    if (k < n) {
        __m256i m = tail_mask8(n - k);
        __m256 r = _mm256_maskload_ps(row + k, m);
        _mm256_maskstore_ps(grad + k, m, _mm256_fmadd_ps(gv, r, _mm256_maskload_ps(grad + k, m)));
        _mm256_maskstore_ps(row + k, m, _mm256_fmadd_ps(gv, _mm256_maskload_ps(h + k, m), r));
    }
}

FW2V_INLINE void vaxpy(real_t *FW2V_RESTRICT y, real_t a, const real_t *FW2V_RESTRICT x, int n)
{
    __m256 av = _mm256_set1_ps(a);
    int k = 0;
    for (; k + 8 <= n; k += 8)
        _mm256_storeu_ps(y + k, _mm256_fmadd_ps(av, _mm256_loadu_ps(x + k), _mm256_loadu_ps(y + k)));
    if (k < n) {
        __m256i m = tail_mask8(n - k);
        _mm256_maskstore_ps(y + k, m, _mm256_fmadd_ps(av, _mm256_maskload_ps(x + k, m), _mm256_maskload_ps(y + k, m)));
    }
}
FW2V_INLINE void vdot4(const real_t *FW2V_RESTRICT a, real_t *const *b, int n, real_t *out)
{
    __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    int k = 0;
    for (; k + 8 <= n; k += 8) {
        __m256 x = _mm256_loadu_ps(a + k);
        s0 = _mm256_fmadd_ps(x, _mm256_loadu_ps(b[0] + k), s0);
        s1 = _mm256_fmadd_ps(x, _mm256_loadu_ps(b[1] + k), s1);
        s2 = _mm256_fmadd_ps(x, _mm256_loadu_ps(b[2] + k), s2);
        s3 = _mm256_fmadd_ps(x, _mm256_loadu_ps(b[3] + k), s3);
    }
    if (k < n) {
        __m256i m = tail_mask8(n - k);
        __m256 x = _mm256_maskload_ps(a + k, m);
        s0 = _mm256_fmadd_ps(x, _mm256_maskload_ps(b[0] + k, m), s0);
        s1 = _mm256_fmadd_ps(x, _mm256_maskload_ps(b[1] + k, m), s1);
        s2 = _mm256_fmadd_ps(x, _mm256_maskload_ps(b[2] + k, m), s2);
        s3 = _mm256_fmadd_ps(x, _mm256_maskload_ps(b[3] + k, m), s3);
    }
    __m256 t = _mm256_hadd_ps(_mm256_hadd_ps(s0, s1), _mm256_hadd_ps(s2, s3));
    _mm_storeu_ps(out, _mm_add_ps(_mm256_castps256_ps128(t), _mm256_extractf128_ps(t, 1)));
}

FW2V_INLINE void vcombine(real_t *FW2V_RESTRICT y, real_t *const *x, const real_t *c, int stride, int m, int n,
                          int acc)
{
    int k = 0;
    const __m256 z = _mm256_setzero_ps();
    for (; k + 32 <= n; k += 32) {
        __m256 a0 = acc ? _mm256_loadu_ps(y + k) : z, a1 = acc ? _mm256_loadu_ps(y + k + 8) : z;
        __m256 a2 = acc ? _mm256_loadu_ps(y + k + 16) : z, a3 = acc ? _mm256_loadu_ps(y + k + 24) : z;
        for (int j = 0; j < m; j++) {
            __m256 cj = _mm256_set1_ps(c[j * stride]);
            const real_t *xj = x[j] + k;
            a0 = _mm256_fmadd_ps(cj, _mm256_loadu_ps(xj), a0);
            a1 = _mm256_fmadd_ps(cj, _mm256_loadu_ps(xj + 8), a1);
            a2 = _mm256_fmadd_ps(cj, _mm256_loadu_ps(xj + 16), a2);
            a3 = _mm256_fmadd_ps(cj, _mm256_loadu_ps(xj + 24), a3);
        }
        _mm256_storeu_ps(y + k, a0); _mm256_storeu_ps(y + k + 8, a1);
        _mm256_storeu_ps(y + k + 16, a2); _mm256_storeu_ps(y + k + 24, a3);
    }
    for (; k + 8 <= n; k += 8) {
        __m256 a0 = acc ? _mm256_loadu_ps(y + k) : z;
        for (int j = 0; j < m; j++)
            a0 = _mm256_fmadd_ps(_mm256_set1_ps(c[j * stride]), _mm256_loadu_ps(x[j] + k), a0);
        _mm256_storeu_ps(y + k, a0);
    }
    if (k < n) {
        __m256i msk = tail_mask8(n - k);
        __m256 a0 = acc ? _mm256_maskload_ps(y + k, msk) : z;
        for (int j = 0; j < m; j++)
            a0 = _mm256_fmadd_ps(_mm256_set1_ps(c[j * stride]), _mm256_maskload_ps(x[j] + k, msk), a0);
        _mm256_maskstore_ps(y + k, msk, a0);
    }
}
#else
FW2V_INLINE real_t vdot(const real_t *FW2V_RESTRICT a, const real_t *FW2V_RESTRICT b, int n)
{
    /* four partial sums: lets the compiler use SIMD without -ffast-math */
    real_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int k = 0;
    for (; k + 4 <= n; k += 4) {
        s0 += a[k] * b[k]; s1 += a[k + 1] * b[k + 1];
        s2 += a[k + 2] * b[k + 2]; s3 += a[k + 3] * b[k + 3];
    }
    for (; k < n; k++) s0 += a[k] * b[k];
    return (s0 + s1) + (s2 + s3);
}

FW2V_INLINE void vaxpy(real_t *FW2V_RESTRICT y, real_t a, const real_t *FW2V_RESTRICT x, int n)
{
    for (int k = 0; k < n; k++) y[k] += a * x[k];
}

FW2V_INLINE void vfused(real_t *FW2V_RESTRICT grad, real_t *FW2V_RESTRICT row, const real_t *FW2V_RESTRICT h, real_t g, int n)
{
    for (int k = 0; k < n; k++) { real_t r = row[k]; grad[k] += g * r; row[k] = r + g * h[k]; }
}

FW2V_INLINE void vdot4(const real_t *FW2V_RESTRICT a, real_t *const *b, int n, real_t *out)
{
    for (int r = 0; r < 4; r++) out[r] = vdot(a, b[r], n);
}

FW2V_INLINE void vcombine(real_t *FW2V_RESTRICT y, real_t *const *x, const real_t *c, int stride, int m, int n,
                          int acc)
{
    for (int k = 0; k < n; k++) {
        real_t a0 = acc ? y[k] : 0;
        for (int j = 0; j < m; j++) a0 += c[j * stride] * x[j][k];
        y[k] = a0;
    }
}
#endif

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

FW2V_INLINE real_t sigmoid(real_t f)
{
    real_t x = (f + FW2V_SIGMOID_MAX) * ((real_t)FW2V_SIGMOID_SIZE / (2 * FW2V_SIGMOID_MAX));
    x = x < 0 ? 0 : (x > FW2V_SIGMOID_SIZE ? FW2V_SIGMOID_SIZE : x);
    int i = (int)x;
    return fw2v_sigmoid_table[i] + (x - (real_t)i) * (fw2v_sigmoid_table[i + 1] - fw2v_sigmoid_table[i]);
}

/* log(1 + e^x) without overflow: the loss term -log sigmoid(-x). */
FW2V_INLINE double softplus(double x) { return x > 0 ? x + log1p(exp(-x)) : log1p(exp(x)); }

/* Gradient scale of one score f: (label - sigmoid(f)) * alpha, plus its loss term.
 * With `saturate`, a score beyond +-FW2V_MAX_EXP gives no update at all (word2vec C
 * and gensim do this for hierarchical softmax): such a node is either already
 * right (nothing to learn) or wildly wrong (an outlier step would only add noise),
 * and skipping it saves both row updates. The loss still counts it. */
FW2V_INLINE real_t gradient_scale(real_t f, real_t label, real_t alpha, int saturate)
{
    if (saturate && (f <= -FW2V_MAX_EXP || f >= FW2V_MAX_EXP)) return 0;
    return (label - sigmoid(f)) * alpha;
}

FW2V_INLINE real_t logistic_gradient(const fw2v_params *p, fw2v_thread *t, real_t f, real_t label, real_t alpha,
                                     int saturate)
{
    if (p->compute_loss) {
        t->loss += softplus(label > 0 ? -(double)f : (double)f);
        t->loss_terms++;
    }
    return gradient_scale(f, label, alpha, saturate);
}

/* Four gradient scales at once (no loss terms): the same table, clamp and
 * interpolation as sigmoid() and the same saturation rule as gradient_scale(),
 * in the same float operations (no FMA), so the results are identical. */
FW2V_INLINE void logistic_gradient4(const real_t *f, const real_t *label, real_t alpha, int saturate, real_t *out)
{
#if FW2V_USE_AVX2 || FW2V_USE_AVX512
    __m128 vf = _mm_loadu_ps(f);
    __m128 x = _mm_mul_ps(_mm_add_ps(vf, _mm_set1_ps((real_t)FW2V_SIGMOID_MAX)),
                          _mm_set1_ps((real_t)FW2V_SIGMOID_SIZE / (2 * FW2V_SIGMOID_MAX)));
    x = _mm_min_ps(_mm_max_ps(x, _mm_setzero_ps()), _mm_set1_ps((real_t)FW2V_SIGMOID_SIZE));
    __m128i i = _mm_cvttps_epi32(x);
    __m128 t0 = _mm_i32gather_ps(fw2v_sigmoid_table, i, 4);
    __m128 t1 = _mm_i32gather_ps(fw2v_sigmoid_table + 1, i, 4);
    __m128 s = _mm_add_ps(t0, _mm_mul_ps(_mm_sub_ps(x, _mm_cvtepi32_ps(i)), _mm_sub_ps(t1, t0)));
    __m128 g = _mm_mul_ps(_mm_sub_ps(_mm_loadu_ps(label), s), _mm_set1_ps(alpha));
    if (saturate) {
        __m128 inside = _mm_and_ps(_mm_cmpgt_ps(vf, _mm_set1_ps(-(real_t)FW2V_MAX_EXP)),
                                   _mm_cmplt_ps(vf, _mm_set1_ps((real_t)FW2V_MAX_EXP)));
        g = _mm_and_ps(g, inside);
    }
    _mm_storeu_ps(out, g);
#else
    for (int r = 0; r < 4; r++)
        out[r] = gradient_scale(f[r], label[r], alpha, saturate);
#endif
}

/* CBOW blocks share negatives between centres: a noise row that is the very word
 * one member predicts is no negative for that member (owners[c]: the word input c
 * predicts, or NULL when every row counts for every input). */
FW2V_INLINE int not_a_negative(const int32_t *owners, const int32_t *words, int row, int input)
{
    return owners && owners[input] == words[row];
}

/* Rows l .. l + valid - 1 of the group and their labels, as a quad (valid <= 4;
 * missing slots repeat row l so the four-wide paths read valid memory). */
FW2V_INLINE void take_quad(const fw2v_thread *t, int l, int valid, real_t **quad, real_t *labels)
{
    for (int r = 0; r < 4; r++) {
        quad[r] = t->grp_rows[l + (r < valid ? r : 0)];
        labels[r] = t->grp_labels[l + (r < valid ? r : 0)];
    }
}

/* Scores of one input against a quad: four per horizontal reduction; a short last
 * quad (Huffman paths, a target and 5 negatives) takes single dot products rather
 * than four with repeats. */
FW2V_INLINE void score_quad(const real_t *in, real_t *const *quad, int valid, int n, real_t *scores)
{
    if (valid > 2) vdot4(in, quad, n, scores);
    else for (int r = 0; r < valid; r++) scores[r] = vdot(in, quad[r], n);
}

/* Gradient scales of a quad for input c; 0 for a row that is no negative for it.
 * With compute_loss the loss is tallied only for the rows that count. */
FW2V_INLINE void quad_steps(const fw2v_params *p, fw2v_thread *t, const int32_t *owners, int l, int valid, int c,
                            const real_t *scores, const real_t *labels, real_t alpha, int saturate, real_t *steps)
{
    if (p->compute_loss) {
        for (int r = 0; r < valid; r++)
            steps[r] = not_a_negative(owners, t->grp_words, l + r, c)
                ? 0 : logistic_gradient(p, t, scores[r], labels[r], alpha, saturate);
    } else {
        logistic_gradient4(scores, labels, alpha, saturate, steps);
        for (int r = 0; r < valid; r++)
            if (not_a_negative(owners, t->grp_words, l + r, c)) steps[r] = 0;
    }
}

/* HogBatch with a group of distinct output rows (t->grp_rows: a Huffman path, or
 * a target and its negatives) against all context rows of a window, as two small
 * matrix products. No row of the group is read after another row of the group
 * moves, and the context rows only move after the window, so computing every
 * score first, then every context gradient from the old rows (pass A), then every
 * row update (pass B) is exactly the rows applied one after another: the same sums
 * in the same order. It pays because each gradient and each row is written once
 * per group instead of once per (row, context), and four scores share one load
 * of the context row and one horizontal reduction. */
FW2V_INLINE void logistic_group(const fw2v_params *p, fw2v_thread *t, int n_ctx, real_t *const *in,
                                const int32_t *owners, real_t *grads, int n_rows, real_t alpha, int saturate)
{
    real_t **rows = t->grp_rows;
    real_t *g = t->grp_g; /* [row][context] */
    real_t scores[4], steps[4], *quad[4], labels[4];
    if (n_ctx == 1) {
        if (t->grads_fresh) {
            memset(grads, 0, (size_t)p->dim * sizeof(real_t));
            t->grads_fresh = 0;
        }
        /* one input (skip-gram pairs, CBOW): each row moves in one pass with its
         * gradient; measured faster here than the two passes below, and the same
         * update since the rows are distinct and the input does not move */
        for (int l = 0; l < n_rows; l += 4) {
            int valid = n_rows - l < 4 ? n_rows - l : 4;
            take_quad(t, l, valid, quad, labels);
            score_quad(in[0], quad, valid, p->dim, scores);
            quad_steps(p, t, owners, l, valid, 0, scores, labels, alpha, saturate, steps);
            for (int r = 0; r < valid; r++)
                if (steps[r] != 0) vfused(grads, quad[r], in[0], steps[r], p->dim);
        }
        return;
    }
    for (int l = 0; l < n_rows; l += 4) {
        int valid = n_rows - l < 4 ? n_rows - l : 4;
        take_quad(t, l, valid, quad, labels);
        for (int c = 0; c < n_ctx; c++) {
            score_quad(in[c], quad, valid, p->dim, scores);
            quad_steps(p, t, owners, l, valid, c, scores, labels, alpha, saturate, steps);
            for (int r = 0; r < valid; r++) g[(l + r) * n_ctx + c] = steps[r];
        }
    }
    /* rows whose every step is zero (saturated HS nodes are common) take no part */
    int active = 0;
    for (int l = 0; l < n_rows; l++) {
        int any = 0;
        for (int c = 0; c < n_ctx; c++) any |= g[l * n_ctx + c] != 0;
        if (!any) continue;
        if (active != l) {
            memcpy(g + active * n_ctx, g + l * n_ctx, (size_t)n_ctx * sizeof(real_t));
            rows[active] = rows[l];
        }
        active++;
    }
    if (!active) return;
    for (int c = 0; c < n_ctx; c++) /* pass A: context gradients from the old rows */
        vcombine(grads + (size_t)c * p->dim, rows, g + c, n_ctx, active, p->dim, !t->grads_fresh);
    t->grads_fresh = 0;
    for (int l = 0; l < active; l++) /* pass B: the rows */
        vcombine(rows[l], in, g + l * n_ctx, 1, n_ctx, p->dim, 1);
}

/* Scale of word w's input-row updates (rows past lockf_len are not frozen). */
FW2V_INLINE real_t lockf_of(const fw2v_params *p, int64_t w)
{
    return w < p->lockf_len ? p->lockf[w] : (real_t)1;
}

/* The syn1 row of inner node `node`: this thread's copy for the top nodes (see hs_private). */
FW2V_INLINE real_t *hs_row(const fw2v_params *p, fw2v_thread *t, int32_t node)
{
    int64_t hot = (int64_t)node - p->hot_first;
    return hot >= 0 ? t->hot_rows + hot * p->dim : p->syn1 + (int64_t)node * p->dim;
}

/* Takes fresh private copies of the top inner nodes at the start of a batch. */
static void copy_hot_rows(const fw2v_params *p, fw2v_thread *t)
{
    size_t bytes = (size_t)p->hs_private * (size_t)p->dim * sizeof(real_t);
    memcpy(t->hot_rows, p->syn1 + p->hot_first * p->dim, bytes);
    memcpy(t->hot_seen, t->hot_rows, bytes);
}

/* Adds this thread's change to each private top node back into syn1 and takes
 * the merged value (with the other threads' changes) as its new copy. The add
 * is Hogwild-racy like every other update. */
static void merge_hot_rows(const fw2v_params *p, fw2v_thread *t)
{
    int64_t n = (int64_t)p->hs_private * p->dim;
    real_t *shared = p->syn1 + p->hot_first * p->dim;
    for (int64_t k = 0; k < n; k++) {
        real_t v = shared[k] + (t->hot_rows[k] - t->hot_seen[k]);
        shared[k] = v;
        t->hot_rows[k] = v;
        t->hot_seen[k] = v;
    }
}

FW2V_INLINE int32_t draw_negative(const fw2v_params *p, fw2v_thread *t)
{
    if (t->fixed_negatives)
        return t->fixed_negatives[t->fixed_position++ % t->n_fixed_negatives];
    return fw2v_alias_draw(p->noise_prob, p->noise_alias, p->vocab_size, fw2v_rng_next(&t->rng));
}

/* Hands the next target its negatives in t->noise and draws the set after it
 * into t->noise_next, prefetching those rows: the random noise rows are the
 * cache misses of the loop, and this way they load while the current target
 * trains instead of stalling it. Sets are used in the order drawn. */
FW2V_INLINE void draw_negatives(const fw2v_params *p, fw2v_thread *t)
{
    if (!t->has_next) {
        for (int32_t d = 0; d < p->negative; d++) t->noise_next[d] = draw_negative(p, t);
        t->has_next = 1;
    }
    for (int32_t d = 0; d < p->negative; d++) {
        t->noise[d] = t->noise_next[d];
        assert(t->noise[d] >= 0 && t->noise[d] < p->vocab_size);
        t->noise_next[d] = draw_negative(p, t);
        prefetch_row(p->syn1neg + (int64_t)t->noise_next[d] * p->dim, p->dim);
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
    t->grp_rows[0] = p->syn1neg + (int64_t)word * p->dim;
    t->grp_labels[0] = 1;
    int n_rows = 1;
    for (int32_t d = 0; negatives && d < p->negative; d++) {
        if (t->noise[d] == word) continue; /* as word2vec C: a draw of the target is skipped */
        real_t *row = p->syn1neg + (int64_t)t->noise[d] * p->dim;
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
 * row of the word entering the window. Sliding windows share everything else. */
FW2V_INLINE void prefetch_next_centre(const fw2v_params *p, fw2v_thread *t, const int32_t *w, int64_t i, int64_t n)
{
    if (i + 1 >= n) return;
    int32_t next = w[i + 1];
    if (p->negative) prefetch_row(p->syn1neg + (int64_t)next * p->dim, p->dim);
    if (p->hs) {
        int64_t lo = p->path_offsets[next], k = p->path_offsets[next + 1];
        for (int d = 0; d < 4 && k > lo; d++) {
            k--;
            prefetch_row(hs_row(p, t, p->points[k]), p->dim);
        }
    }
    if (i + 1 + p->window < n) prefetch_row(p->syn0 + (int64_t)w[i + 1 + p->window] * p->dim, p->dim);
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
            real_t *h = p->syn0 + (int64_t)w[j] * dim;
            memset(t->grad, 0, (size_t)dim * sizeof(real_t));
            train_output_rows(p, t, 1, &h, t->grad, w[i], alpha, 1);
            vaxpy(h, lockf_of(p, w[j]), t->grad, p->dim);
        }
    }
}

/* Skip-gram, window at a time: the centre word's output rows (its Huffman path,
 * the target and one shared set of negatives) are trained against all context
 * rows together. Negatives are drawn once per window, not once per pair. */
static void train_sentence_sg_window(const fw2v_params *p, fw2v_thread *t, const int32_t *w, int64_t n, real_t alpha)
{
    const int64_t dim = p->dim;
    for (int64_t i = 0; i < n; i++) {
        int64_t lo, hi;
        int n_ctx = 0;
        prefetch_next_centre(p, t, w, i, n);
        context_window(p, t, i, n, &lo, &hi);
        for (int64_t j = lo; j <= hi; j++) {
            if (j == i) continue;
            t->ctx_ids[n_ctx] = w[j];
            t->ctx_rows[n_ctx++] = p->syn0 + (int64_t)w[j] * dim;
        }
        if (n_ctx == 0) continue;
        /* instead of zeroing the gradients, the first group to produce any writes them */
        t->grads_fresh = 1;
        train_output_rows(p, t, n_ctx, t->ctx_rows, t->ctx_grads, w[i], alpha, 1);
        if (t->grads_fresh) { /* every row saturated: nothing to add */
            t->grads_fresh = 0;
            continue;
        }
        for (int c = 0; c < n_ctx; c++)
            vaxpy(t->ctx_rows[c], lockf_of(p, t->ctx_ids[c]), t->ctx_grads + (size_t)c * dim, p->dim);
    }
}

/* CBOW: the sum (or mean) of the context rows predicts the centre word. */
static void train_sentence_cbow(const fw2v_params *p, fw2v_thread *t, const int32_t *w, int64_t n, real_t alpha)
{
    const int64_t dim = p->dim;
    for (int64_t i = 0; i < n; i++) {
        int64_t lo, hi, count = 0;
        prefetch_next_centre(p, t, w, i, n);
        context_window(p, t, i, n, &lo, &hi);
        for (int64_t j = lo; j <= hi; j++)
            if (j != i) t->ctx_rows[count++] = p->syn0 + (int64_t)w[j] * dim;
        if (count == 0) continue;
        /* the sum in one pass: hidden is written once, not once per context row
         * (the same additions in the same order as adding the rows one by one) */
        const real_t one = 1;
        vcombine(t->hidden, t->ctx_rows, &one, 0, (int)count, p->dim, 0);
        real_t inv = (real_t)1 / (real_t)count;
        if (p->cbow_mean) vscale(t->hidden, inv, p->dim);
        memset(t->grad, 0, (size_t)dim * sizeof(real_t));
        train_output_rows(p, t, 1, &t->hidden, t->grad, w[i], alpha, 1);
        /* gensim's convention for the summed hidden layer: spread the error over
         * the window (with the mean, word2vec C's rule: full error to each). */
        if (!p->cbow_mean) vscale(t->grad, inv, p->dim);
        for (int64_t j = lo; j <= hi; j++) {
            if (j == i) continue;
            vaxpy(p->syn0 + (int64_t)w[j] * dim, lockf_of(p, w[j]), t->grad, p->dim);
        }
    }
}

/* CBOW, FW2V_CBOW_BLOCK centres at a time: each centre's own targets (Huffman
 * path, positive row) are trained as usual, but one set of negatives is shared
 * by the block and trained against all its hidden rows at once (HogBatch's
 * idea applied to CBOW). Context rows are updated after the block. */
static void train_sentence_cbow_block(const fw2v_params *p, fw2v_thread *t, const int32_t *w, int64_t n, real_t alpha)
{
    const int64_t dim = p->dim;
    for (int64_t i0 = 0; i0 < n; i0 += FW2V_CBOW_BLOCK) {
        int m = 0;
        for (int64_t i = i0; i < n && i < i0 + FW2V_CBOW_BLOCK; i++) {
            int64_t lo, hi;
            context_window(p, t, i, n, &lo, &hi);
            if (hi == lo) continue; /* a one-word sentence has no context */
            real_t *h = t->hidden + m * dim;
            memset(h, 0, (size_t)dim * sizeof(real_t));
            for (int64_t j = lo; j <= hi; j++)
                if (j != i) vaxpy(h, 1, p->syn0 + (int64_t)w[j] * dim, p->dim);
            if (p->cbow_mean) vscale(h, (real_t)1 / (real_t)(hi - lo), p->dim);
            t->ctx_rows[m] = h;
            t->ctx_ids[m] = w[i];
            t->block_lo[m] = lo;
            t->block_hi[m] = hi;
            t->block_centre[m] = i;
            m++;
        }
        if (m == 0) continue;
        memset(t->ctx_grads, 0, (size_t)m * dim * sizeof(real_t));
        for (int b = 0; b < m; b++)
            train_output_rows(p, t, 1, &t->ctx_rows[b], t->ctx_grads + b * dim, t->ctx_ids[b], alpha, 0);
        if (p->negative) draw_negatives(p, t);
        for (int32_t d = 0; d < p->negative; d++) { /* one row at a time: a repeated draw sees its update */
            t->grp_rows[0] = p->syn1neg + (int64_t)t->noise[d] * p->dim;
            t->grp_labels[0] = 0;
            t->grp_words[0] = t->noise[d];
            logistic_group(p, t, m, t->ctx_rows, t->ctx_ids, t->ctx_grads, 1, alpha, FW2V_SATURATE_NEGATIVE);
        }
        for (int b = 0; b < m; b++) {
            real_t *grad = t->ctx_grads + b * dim;
            int64_t lo = t->block_lo[b], hi = t->block_hi[b], i = t->block_centre[b];
            if (!p->cbow_mean) vscale(grad, (real_t)1 / (real_t)(hi - lo), p->dim);
            for (int64_t j = lo; j <= hi; j++)
                if (j != i) vaxpy(p->syn0 + (int64_t)w[j] * dim, lockf_of(p, w[j]), grad, p->dim);
        }
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
    const int private_hot = p->hs && p->hs_private > 0;
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
