/* Sparse row deltas that fastw2v.distributed's replicas exchange (fastw2v/allreduce.py).
 *
 * A set of rows: sorted unique int32 row indices and, per row, `dim` values on
 * the wire either as int8 with one float32 scale (value = q * scale; the scale
 * is max|x| / 127, so rounding is within 1/254 of the row's largest value) or
 * as float32 (q == NULL). A mean also carries a float32 weight per row.
 *
 * Each function is one pass over the rows it touches: numpy's equivalent is
 * five to ten passes (gather, subtract, quantise, scatter...), which made the
 * synchronisation cost more than the training it synchronised.
 */
#ifndef FW2V_ALLREDUCE_H
#define FW2V_ALLREDUCE_H

#include "fw2v_common.h"

typedef struct {
    int64_t n;               /* rows */
    const int32_t *rows;     /* n sorted unique indices */
    const int8_t *q;         /* n * dim int8 values, or NULL for float32 */
    const float *scale;      /* n scales (with q) */
    const float *f32;        /* n * dim float32 values (without q) */
    const float *weights;    /* n weights of a mean, or NULL for a sum */
} fw2v_rows;

#define FW2V_MERGE_MAX_PARTS 8

/* Rows of `current` that differ from `start` (n_rows x dim; current's rows are
 * current_stride >= dim floats apart: a model matrix may be padded, see
 * fastw2v/layout.py; start and residual are packed): for each, the change plus
 * the row's `residual`, in the wire format (q/scale, or f32 when q == NULL); residual
 * keeps what rounding lost (error feedback; required for int8, may be NULL for float32)
 * and start catches up with current. Returns the number of rows written to out_rows
 * (capacity n_rows). */
int64_t fw2v_delta_encode(const float *current, int64_t current_stride, float *start, float *residual,
                          int64_t n_rows, int32_t dim, int32_t *out_rows, int8_t *out_q, float *out_scale,
                          float *out_f32);

/* Union of the k (<= FW2V_MERGE_MAX_PARTS) parts' rows in out_rows and, per row, the sum of their values (or
 * with weights, the weighted mean, and the summed weight in out_weights), either as
 * float32 in out_values (out_q == NULL) or quantised to int8 in out_q/out_scale, each
 * row built in `scratch` (dim floats). Capacity: the parts' total rows. Returns the
 * union's size. */
int64_t fw2v_delta_merge(const fw2v_rows *parts, int32_t k, int32_t dim, int32_t *out_rows, float *out_values,
                         int8_t *out_q, float *out_scale, float *out_weights, float *scratch);

/* values (n x dim float32) as int8 + scale, in one pass. */
void fw2v_quantise_rows(const float *values, int64_t n, int32_t dim, int8_t *q, float *scale);

/* array[total rows] += total - own (array's rows array_stride >= dim floats apart), where own's rows are a subset of total's (own may
 * have n == 0), and the same to start (may be NULL): a total that arrives in the middle
 * of a round must not count as this replica's change of the round. Returns 0, or -1 if
 * an own row is not in total. `scratch`: dim floats. */
int fw2v_delta_apply(float *array, int64_t array_stride, float *start, int32_t dim, const fw2v_rows *total,
                     const fw2v_rows *own, float *scratch);

#endif
