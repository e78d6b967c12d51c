/* Sparse row deltas: encode with error feedback, merge, apply (see allreduce.h).
 *
 * Speed: these run once per synchronisation over up to every row of the model, on
 * the CPU that trains, so every loop is written to auto-vectorise at -O3 with the
 * baseline instruction set (no -march): whole-row comparisons instead of an early
 * exit, int8 decoding specialised out of the inner loop, rounding by the
 * 1.5 * 2^23 trick instead of a libm call per value, restrict-qualified rows (an
 * int8 pointer may otherwise alias anything). Merges quantise each summed row while
 * it is in L1 instead of writing a float32 copy of the whole sum first.
 */
#include <math.h>
#include <string.h>

#include "allreduce.h"

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#  define FW2V_CLONES __attribute__((target_clones("avx2", "default")))
#else
#  define FW2V_CLONES
#endif

/* x rounded to the nearest integer, ties to even (as lrintf in the default rounding
 * mode) for |x| < 2^22: adding and removing 1.5 * 2^23 leaves no fraction bits. */
FW2V_INLINE float round_even(float x)
{
    const float magic = 12582912.0f;
    return (x + magic) - magic;
}

/* max |x[j]|, in 8 independent lanes so the loop vectorises without -ffast-math. */
FW2V_INLINE float max_abs(const float *FW2V_RESTRICT x, int32_t dim)
{
    float lane[8] = {0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f};
    int32_t j = 0;
    for (; j + 8 <= dim; j += 8)
        for (int l = 0; l < 8; l++) {
            float a = fabsf(x[j + l]);
            lane[l] = a > lane[l] ? a : lane[l];
        }
    float amax = 0.0f;
    for (; j < dim; j++) {
        float a = fabsf(x[j]);
        amax = a > amax ? a : amax;
    }
    for (int l = 0; l < 8; l++) amax = lane[l] > amax ? lane[l] : amax;
    return amax;
}

/* One row to int8: scale = max|x| / 127, q = round(x / scale); returns the scale. */
FW2V_INLINE float quantise_row(const float *FW2V_RESTRICT x, int32_t dim, int8_t *FW2V_RESTRICT q)
{
    float amax = max_abs(x, dim);
    float inverse = amax > 0.0f ? 127.0f / amax : 0.0f;
    for (int32_t j = 0; j < dim; j++)
        q[j] = (int8_t)(int32_t)round_even(x[j] * inverse);  /* |x * inverse| <= 127: in range */
    return amax / 127.0f;
}

/* out[j] += w * (row i of p), decoding int8 with the row's scale. */
FW2V_INLINE void add_row(float *FW2V_RESTRICT out, const fw2v_rows *p, int64_t i, int32_t dim, float w)
{
    if (p->q) {
        const int8_t *FW2V_RESTRICT q = p->q + i * dim;
        float s = w * p->scale[i];
        for (int32_t j = 0; j < dim; j++) out[j] += s * (float)q[j];
    } else {
        const float *FW2V_RESTRICT f = p->f32 + i * dim;
        for (int32_t j = 0; j < dim; j++) out[j] += w * f[j];
    }
}

FW2V_INLINE int rows_differ(const float *FW2V_RESTRICT c, const float *FW2V_RESTRICT s, int32_t dim)
{
    int differ = 0;
    for (int32_t j = 0; j < dim; j++) differ |= c[j] != s[j];
    return differ;
}

FW2V_CLONES void fw2v_quantise_rows(const float *values, int64_t n, int32_t dim, int8_t *q, float *scale)
{
    for (int64_t i = 0; i < n; i++)
        scale[i] = quantise_row(values + i * dim, dim, q + i * dim);
}

FW2V_CLONES int64_t fw2v_delta_encode(const float *current, int64_t current_stride, float *start, float *residual,
                                      int64_t n_rows, int32_t dim, int32_t *out_rows, int8_t *out_q, float *out_scale,
                                      float *out_f32)
{
    int64_t n = 0;
    for (int64_t r = 0; r < n_rows; r++) {
        const float *FW2V_RESTRICT c = current + r * current_stride;
        float *FW2V_RESTRICT s = start + r * dim;
        if (!rows_differ(c, s, dim)) continue;
        /* the row's target (change + carry-over) is built where it ends up: in the
         * residual row for int8 (which then keeps what rounding lost), else in the output */
        float *FW2V_RESTRICT target = out_q ? residual + r * dim : out_f32 + n * dim;
        if (out_q) {
            for (int32_t j = 0; j < dim; j++) target[j] += c[j] - s[j];
        } else if (residual) {
            const float *FW2V_RESTRICT e = residual + r * dim;
            for (int32_t j = 0; j < dim; j++) target[j] = c[j] - s[j] + e[j];
        } else {
            for (int32_t j = 0; j < dim; j++) target[j] = c[j] - s[j];
        }
        memcpy(s, c, sizeof(float) * (size_t)dim);
        out_rows[n] = (int32_t)r;
        if (out_q) {
            int8_t *FW2V_RESTRICT q = out_q + n * dim;
            float scale = out_scale[n] = quantise_row(target, dim, q);
            for (int32_t j = 0; j < dim; j++) target[j] -= (float)q[j] * scale;
        } else if (residual) {
            memset(residual + r * dim, 0, sizeof(float) * (size_t)dim);
        }
        n++;
    }
    return n;
}

FW2V_CLONES int64_t fw2v_delta_merge(const fw2v_rows *parts, int32_t k, int32_t dim, int32_t *out_rows, float *out_values,
                         int8_t *out_q, float *out_scale, float *out_weights, float *scratch)
{
    int64_t head[FW2V_MERGE_MAX_PARTS] = {0};
    int64_t n = 0;
    for (;;) {
        int32_t row = INT32_MAX;
        int any = 0;
        for (int32_t p = 0; p < k; p++)
            if (head[p] < parts[p].n && parts[p].rows[head[p]] <= row) {
                row = parts[p].rows[head[p]];
                any = 1;
            }
        if (!any) break;
        float *FW2V_RESTRICT out = out_q ? scratch : out_values + n * dim;
        memset(out, 0, sizeof(float) * (size_t)dim);
        float weight = 0.0f;
        for (int32_t p = 0; p < k; p++) {
            const fw2v_rows *part = &parts[p];
            int64_t i = head[p];
            if (i >= part->n || part->rows[i] != row) continue;
            float w = part->weights ? part->weights[i] : 1.0f;
            add_row(out, part, i, dim, w);
            weight += w;
            head[p]++;
        }
        if (out_weights) {
            float inverse = 1.0f / weight;
            for (int32_t j = 0; j < dim; j++) out[j] *= inverse;
            out_weights[n] = weight;
        }
        if (out_q) out_scale[n] = quantise_row(out, dim, out_q + n * dim);
        out_rows[n++] = row;
    }
    return n;
}

FW2V_CLONES int fw2v_delta_apply(float *array, int64_t array_stride, float *start, int32_t dim, const fw2v_rows *total,
                                 const fw2v_rows *own, float *scratch)
{
    int64_t o = 0;
    for (int64_t i = 0; i < total->n; i++) {
        float *FW2V_RESTRICT change = scratch;
        memset(change, 0, sizeof(float) * (size_t)dim);
        add_row(change, total, i, dim, 1.0f);
        if (own && o < own->n && own->rows[o] == total->rows[i]) add_row(change, own, o++, dim, -1.0f);
        float *FW2V_RESTRICT a = array + (int64_t)total->rows[i] * array_stride;
        for (int32_t j = 0; j < dim; j++) a[j] += change[j];
        if (start) {
            float *FW2V_RESTRICT s = start + (int64_t)total->rows[i] * dim;
            for (int32_t j = 0; j < dim; j++) s[j] += change[j];
        }
    }
    return own && o != own->n ? -1 : 0;
}
