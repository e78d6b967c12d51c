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

FW2V_INLINE void vfused_block(real_t *const *grads, real_t *FW2V_RESTRICT row, real_t *const *h,
                              const real_t *g, int n_ctx, int n)
{
    for (int k = 0; k < n; k += 16) {
        __mmask16 m = n - k >= 16 ? (__mmask16)0xFFFF : tail_mask(n - k);
        __m512 r = _mm512_maskz_loadu_ps(m, row + k), acc = r;
        for (int c = 0; c < n_ctx; c++) {
            __m512 gc = _mm512_set1_ps(g[c]);
            real_t *gr = grads[c] + k;
            acc = _mm512_fmadd_ps(gc, _mm512_maskz_loadu_ps(m, h[c] + k), acc);
            _mm512_mask_storeu_ps(gr, m, _mm512_fmadd_ps(gc, r, _mm512_maskz_loadu_ps(m, gr)));
        }
        _mm512_mask_storeu_ps(row + k, m, acc);
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
#elif FW2V_USE_AVX2
#include <immintrin.h>

FW2V_INLINE real_t vdot(const real_t *FW2V_RESTRICT a, const real_t *FW2V_RESTRICT b, int n)
{
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
    int k = 0;
    for (; k + 16 <= n; k += 16) {
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + k), _mm256_loadu_ps(b + k), s0);
        s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + k + 8), _mm256_loadu_ps(b + k + 8), s1);
    }
    if (k + 8 <= n) { s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + k), _mm256_loadu_ps(b + k), s0); k += 8; }
    s0 = _mm256_add_ps(s0, s1);
    __m128 q = _mm_add_ps(_mm256_castps256_ps128(s0), _mm256_extractf128_ps(s0, 1));
    q = _mm_add_ps(q, _mm_movehl_ps(q, q));
    q = _mm_add_ss(q, _mm_shuffle_ps(q, q, 1));
    real_t s = _mm_cvtss_f32(q);
    for (; k < n; k++) s += a[k] * b[k];
    return s;
}

/* grad += g * row; row += g * h -- both updates in one pass over the row. */
FW2V_INLINE void vfused(real_t *FW2V_RESTRICT grad, real_t *FW2V_RESTRICT row, const real_t *FW2V_RESTRICT h, real_t g, int n)
{
    __m256 gv = _mm256_set1_ps(g);
    int k = 0;
    for (; k + 8 <= n; k += 8) {
        __m256 r = _mm256_loadu_ps(row + k);
        _mm256_storeu_ps(grad + k, _mm256_fmadd_ps(gv, r, _mm256_loadu_ps(grad + k)));
        _mm256_storeu_ps(row + k, _mm256_fmadd_ps(gv, _mm256_loadu_ps(h + k), r));
    }
    for (; k < n; k++) { real_t r = row[k]; grad[k] += g * r; row[k] = r + g * h[k]; }
}

/* The window form of vfused: for every context c, grads[c] += g[c] * row and
 * row += sum_c g[c] * h[c], in one pass over the row (h rows stay in L1). */
FW2V_INLINE void vfused_block(real_t *const *grads, real_t *FW2V_RESTRICT row, real_t *const *h,
                              const real_t *g, int n_ctx, int n)
{
    int k = 0;
    for (; k + 8 <= n; k += 8) {
        __m256 r = _mm256_loadu_ps(row + k), acc = r;
        for (int c = 0; c < n_ctx; c++) {
            __m256 gc = _mm256_set1_ps(g[c]);
            real_t *gr = grads[c] + k;
            acc = _mm256_fmadd_ps(gc, _mm256_loadu_ps(h[c] + k), acc);
            _mm256_storeu_ps(gr, _mm256_fmadd_ps(gc, r, _mm256_loadu_ps(gr)));
        }
        _mm256_storeu_ps(row + k, acc);
    }
    for (; k < n; k++) {
        real_t r = row[k], acc = r;
        for (int c = 0; c < n_ctx; c++) {
            acc += g[c] * h[c][k];
            grads[c][k] += g[c] * r;
        }
        row[k] = acc;
    }
}

FW2V_INLINE void vaxpy(real_t *FW2V_RESTRICT y, real_t a, const real_t *FW2V_RESTRICT x, int n)
{
    __m256 av = _mm256_set1_ps(a);
    int k = 0;
    for (; k + 8 <= n; k += 8)
        _mm256_storeu_ps(y + k, _mm256_fmadd_ps(av, _mm256_loadu_ps(x + k), _mm256_loadu_ps(y + k)));
    for (; k < n; k++) y[k] += a * x[k];
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

FW2V_INLINE void vfused(real_t *FW2V_RESTRICT grad, real_t *FW2V_RESTRICT row, const real_t *FW2V_RESTRICT h, real_t g, int n)
{
    for (int k = 0; k < n; k++) { real_t r = row[k]; grad[k] += g * r; row[k] = r + g * h[k]; }
}

FW2V_INLINE void vaxpy(real_t *FW2V_RESTRICT y, real_t a, const real_t *FW2V_RESTRICT x, int n)
{
    for (int k = 0; k < n; k++) y[k] += a * x[k];
}

FW2V_INLINE void vfused_block(real_t *const *grads, real_t *FW2V_RESTRICT row, real_t *const *h,
                              const real_t *g, int n_ctx, int n)
{
    for (int k = 0; k < n; k++) {
        real_t r = row[k], acc = r;
        for (int c = 0; c < n_ctx; c++) {
            acc += g[c] * h[c][k];
            grads[c][k] += g[c] * r;
        }
        row[k] = acc;
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
FW2V_INLINE real_t logistic_gradient(const fw2v_params *p, fw2v_thread *t, real_t f, real_t label, real_t alpha,
                                     int saturate)
{
    if (p->compute_loss) {
        t->loss += softplus(label > 0 ? -(double)f : (double)f);
        t->loss_terms++;
    }
    if (saturate && (f <= -FW2V_MAX_EXP || f >= FW2V_MAX_EXP)) return 0;
    return (label - sigmoid(f)) * alpha;
}

FW2V_INLINE void logistic_step(const fw2v_params *p, fw2v_thread *t, const real_t *h, real_t *row,
                               real_t *grad, real_t label, real_t alpha, int saturate)
{
    real_t g = logistic_gradient(p, t, vdot(h, row, p->dim), label, alpha, saturate);
    if (g != 0) vfused(grad, row, h, g, p->dim);
}

/* HogBatch (Ji et al. 2016, arXiv 1604.04661): one output row against all the
 * context rows of a window at once. Every score uses the row as it was before
 * this window; the row is then read and written once instead of once per
 * context, and the context rows stay in L1. */
FW2V_INLINE void logistic_block(const fw2v_params *p, fw2v_thread *t, int n_ctx, real_t *row,
                                real_t label, real_t alpha, int32_t skip_owner, int saturate)
{
    /* Only members with a non-zero step take part in the update pass. skip_owner >= 0:
     * a noise row is no negative for the block member predicting that very word. */
    int active = 0;
    for (int c = 0; c < n_ctx; c++) {
        if (t->ctx_ids[c] == skip_owner) continue;
        real_t g = logistic_gradient(p, t, vdot(t->ctx_rows[c], row, p->dim), label, alpha, saturate);
        if (g == 0) continue;
        t->blk_in[active] = t->ctx_rows[c];
        t->blk_grad[active] = t->ctx_grads + (size_t)c * p->dim;
        t->ctx_scale[active++] = g;
    }
    if (active) vfused_block(t->blk_grad, row, t->blk_in, t->ctx_scale, active, p->dim);
}

/* Scale of word w's input-row updates (rows past lockf_len are not frozen). */
FW2V_INLINE real_t lockf_of(const fw2v_params *p, int64_t w)
{
    return w < p->lockf_len ? p->lockf[w] : (real_t)1;
}

FW2V_INLINE int32_t draw_negative(const fw2v_params *p, fw2v_thread *t)
{
    if (t->fixed_negatives)
        return t->fixed_negatives[t->fixed_position++ % t->n_fixed_negatives];
    return fw2v_alias_draw(p->noise_prob, p->noise_alias, p->vocab_size, fw2v_rng_next(&t->rng));
}

/* Draws the negatives of one target into t->noise and prefetches their rows:
 * these random rows are the cache misses of the loop, and this way they are
 * all in flight at once instead of one after another. */
FW2V_INLINE void draw_negatives(const fw2v_params *p, fw2v_thread *t)
{
    for (int32_t d = 0; d < p->negative; d++) {
        t->noise[d] = draw_negative(p, t);
        assert(t->noise[d] >= 0 && t->noise[d] < p->vocab_size);
        prefetch_row(p->syn1neg + (int64_t)t->noise[d] * p->dim, p->dim);
    }
}

/* The target side of predicting `word` from hidden vector h: its Huffman path
 * (hs) and its own output row (negative sampling); h's gradient accumulates in grad. */
FW2V_INLINE void train_positives(const fw2v_params *p, fw2v_thread *t, const real_t *h, real_t *grad,
                                 int32_t word, real_t alpha)
{
    const int64_t dim = p->dim;
    if (p->hs) {
        for (int64_t k = p->path_offsets[word]; k < p->path_offsets[word + 1]; k++)
            logistic_step(p, t, h, p->syn1 + p->points[k] * dim, grad, (real_t)(1 - p->codes[k]), alpha, 1);
    }
    if (p->negative) logistic_step(p, t, h, p->syn1neg + word * dim, grad, 1, alpha, FW2V_SATURATE_NEGATIVE);
}

/* Predicts `word` from h with every enabled objective; the gradient for h
 * accumulates in t->grad (word2vec C's neu1e). */
FW2V_INLINE void train_targets(const fw2v_params *p, fw2v_thread *t, const real_t *h, int32_t word, real_t alpha)
{
    /* negatives are drawn first so their rows load while the positives train;
     * the positives draw no random numbers, so the draws are the same either way */
    if (p->negative) draw_negatives(p, t);
    train_positives(p, t, h, t->grad, word, alpha);
    for (int32_t d = 0; d < p->negative; d++) {
        if (t->noise[d] == word) continue; /* as word2vec C: a draw of the target is skipped */
        logistic_step(p, t, h, p->syn1neg + (int64_t)t->noise[d] * p->dim, t->grad, 0, alpha,
                      FW2V_SATURATE_NEGATIVE);
    }
}

/* ---- sentence drivers ---------------------------------------------------- */

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
        context_window(p, t, i, n, &lo, &hi);
        for (int64_t j = lo; j <= hi; j++) {
            if (j == i) continue;
            real_t *h = p->syn0 + w[j] * dim;
            memset(t->grad, 0, (size_t)dim * sizeof(real_t));
            train_targets(p, t, h, w[i], alpha);
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
        context_window(p, t, i, n, &lo, &hi);
        for (int64_t j = lo; j <= hi; j++) {
            if (j == i) continue;
            t->ctx_ids[n_ctx] = w[j];
            t->ctx_rows[n_ctx++] = p->syn0 + w[j] * dim;
        }
        if (n_ctx == 0) continue;
        memset(t->ctx_grads, 0, (size_t)n_ctx * dim * sizeof(real_t));
        int32_t word = w[i];
        if (p->hs) {
            for (int64_t k = p->path_offsets[word]; k < p->path_offsets[word + 1]; k++)
                logistic_block(p, t, n_ctx, p->syn1 + p->points[k] * dim, (real_t)(1 - p->codes[k]), alpha, -1, 1);
        }
        if (p->negative) {
            draw_negatives(p, t);
            logistic_block(p, t, n_ctx, p->syn1neg + word * dim, 1, alpha, -1, FW2V_SATURATE_NEGATIVE);
            for (int32_t d = 0; d < p->negative; d++) {
                if (t->noise[d] == word) continue;
                logistic_block(p, t, n_ctx, p->syn1neg + t->noise[d] * dim, 0, alpha, -1, FW2V_SATURATE_NEGATIVE);
            }
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
        context_window(p, t, i, n, &lo, &hi);
        memset(t->hidden, 0, (size_t)dim * sizeof(real_t));
        for (int64_t j = lo; j <= hi; j++) {
            if (j == i) continue;
            vaxpy(t->hidden, 1, p->syn0 + w[j] * dim, p->dim);
            count++;
        }
        if (count == 0) continue;
        real_t inv = (real_t)1 / (real_t)count;
        if (p->cbow_mean) vscale(t->hidden, inv, p->dim);
        memset(t->grad, 0, (size_t)dim * sizeof(real_t));
        train_targets(p, t, t->hidden, w[i], alpha);
        /* gensim's convention for the summed hidden layer: spread the error over
         * the window (with the mean, word2vec C's rule: full error to each). */
        if (!p->cbow_mean) vscale(t->grad, inv, p->dim);
        for (int64_t j = lo; j <= hi; j++) {
            if (j == i) continue;
            vaxpy(p->syn0 + w[j] * dim, lockf_of(p, w[j]), t->grad, p->dim);
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
                if (j != i) vaxpy(h, 1, p->syn0 + w[j] * dim, p->dim);
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
            train_positives(p, t, t->ctx_rows[b], t->ctx_grads + b * dim, t->ctx_ids[b], alpha);
        if (p->negative) draw_negatives(p, t);
        for (int32_t d = 0; d < p->negative; d++)
            logistic_block(p, t, m, p->syn1neg + t->noise[d] * dim, 0, alpha, t->noise[d], FW2V_SATURATE_NEGATIVE);
        for (int b = 0; b < m; b++) {
            real_t *grad = t->ctx_grads + b * dim;
            int64_t lo = t->block_lo[b], hi = t->block_hi[b], i = t->block_centre[b];
            if (!p->cbow_mean) vscale(grad, (real_t)1 / (real_t)(hi - lo), p->dim);
            for (int64_t j = lo; j <= hi; j++)
                if (j != i) vaxpy(p->syn0 + w[j] * dim, lockf_of(p, w[j]), grad, p->dim);
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
            if (fw2v_atomic_load32(p->stop)) return FW2V_STOPPED;
        }
    }
    fw2v_atomic_add(p->progress, t->unpublished);
    t->unpublished = 0;
    return fw2v_atomic_load32(p->stop) ? FW2V_STOPPED : FW2V_OK;
}
