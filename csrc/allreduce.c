/* Sparse row deltas: encode with error feedback, merge, apply (see allreduce.h). */
#include <math.h>
#include <string.h>

#include "allreduce.h"

FW2V_INLINE float row_value(const fw2v_rows *p, int64_t i, int32_t dim, int32_t j)
{
    return p->q ? (float)p->q[i * dim + j] * p->scale[i] : p->f32[i * dim + j];
}

/* One row to int8: scale = max|x| / 127, q = round(x / scale); returns the scale. */
FW2V_INLINE float quantise_row(const float *x, int32_t dim, int8_t *q)
{
    float amax = 0.0f;
    for (int32_t j = 0; j < dim; j++) {
        float a = fabsf(x[j]);
        if (a > amax) amax = a;
    }
    float inverse = amax > 0.0f ? 127.0f / amax : 0.0f;
    for (int32_t j = 0; j < dim; j++)
        q[j] = (int8_t)lrintf(x[j] * inverse);  /* |x * inverse| <= 127: in range */
    return amax / 127.0f;
}

void fw2v_quantise_rows(const float *values, int64_t n, int32_t dim, int8_t *q, float *scale)
{
    for (int64_t i = 0; i < n; i++)
        scale[i] = quantise_row(values + i * dim, dim, q + i * dim);
}

int64_t fw2v_delta_encode(const float *current, float *start, float *residual, int64_t n_rows, int32_t dim,
                          int32_t *out_rows, int8_t *out_q, float *out_scale, float *out_f32)
{
    int64_t n = 0;
    for (int64_t r = 0; r < n_rows; r++) {
        const float *c = current + r * dim;
        float *s = start + r * dim;
        int32_t j = 0;
        while (j < dim && c[j] == s[j]) j++;
        if (j == dim) continue;
        /* the row's target (change + carry-over) is built where it ends up: in the
         * residual row for int8 (which then keeps what rounding lost), else in the output */
        float *target = out_q ? residual + r * dim : out_f32 + n * dim;
        const float *e = residual ? residual + r * dim : NULL;
        for (j = 0; j < dim; j++) {
            target[j] = c[j] - s[j] + (e ? e[j] : 0.0f);
            s[j] = c[j];
        }
        out_rows[n] = (int32_t)r;
        if (out_q) {
            int8_t *q = out_q + n * dim;
            float scale = out_scale[n] = quantise_row(target, dim, q);
            for (j = 0; j < dim; j++) target[j] -= (float)q[j] * scale;
        } else if (residual) {
            memset(residual + r * dim, 0, sizeof(float) * (size_t)dim);
        }
        n++;
    }
    return n;
}

int64_t fw2v_delta_merge(const fw2v_rows *parts, int32_t k, int32_t dim, int32_t *out_rows, float *out_values,
                         float *out_weights)
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
        float *out = out_values + n * dim;
        memset(out, 0, sizeof(float) * (size_t)dim);
        float weight = 0.0f;
        for (int32_t p = 0; p < k; p++) {
            const fw2v_rows *part = &parts[p];
            int64_t i = head[p];
            if (i >= part->n || part->rows[i] != row) continue;
            float w = part->weights ? part->weights[i] : 1.0f;
            for (int32_t j = 0; j < dim; j++) out[j] += w * row_value(part, i, dim, j);
            weight += w;
            head[p]++;
        }
        if (out_weights) {
            for (int32_t j = 0; j < dim; j++) out[j] /= weight;
            out_weights[n] = weight;
        }
        out_rows[n++] = row;
    }
    return n;
}

int fw2v_delta_apply(float *array, float *start, int32_t dim, const fw2v_rows *total, const fw2v_rows *own)
{
    int64_t o = 0;
    for (int64_t i = 0; i < total->n; i++) {
        float *a = array + (int64_t)total->rows[i] * dim;
        float *s = start ? start + (int64_t)total->rows[i] * dim : NULL;
        int mine = own && o < own->n && own->rows[o] == total->rows[i];
        for (int32_t j = 0; j < dim; j++) {
            float change = row_value(total, i, dim, j) - (mine ? row_value(own, o, dim, j) : 0.0f);
            a[j] += change;
            if (s) s[j] += change;
        }
        if (mine) o++;
    }
    return own && o != own->n ? -1 : 0;
}
