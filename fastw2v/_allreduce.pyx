# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""Python entry points to csrc/allreduce.h: sparse row deltas in one pass each.

fastw2v/allreduce.py is the public face; these functions check shapes,
dtypes, order and bounds once so the C loops trust their inputs, and
release the GIL (a worker's tree merges run beside its training task).
"""
from libc.stdint cimport int8_t, int32_t, int64_t

import numpy as np
cimport numpy as cnp

cnp.import_array()

cdef extern from "allreduce.h" nogil:
    enum:
        FW2V_MERGE_MAX_PARTS
    ctypedef struct fw2v_rows:
        int64_t n
        const int32_t *rows
        const int8_t *q
        const float *scale
        const float *f32
        const float *weights
    int64_t fw2v_delta_encode(const float *current, int64_t current_stride, float *start, float *residual,
                              int64_t n_rows, int32_t dim, int32_t *out_rows, int8_t *out_q, float *out_scale,
                              float *out_f32)
    int64_t fw2v_delta_merge(const fw2v_rows *parts, int32_t k, int32_t dim, int32_t *out_rows,
                             float *out_values, int8_t *out_q, float *out_scale, float *out_weights,
                             float *scratch)
    void fw2v_quantise_rows(const float *values, int64_t n, int32_t dim, int8_t *q, float *scale)
    int fw2v_delta_apply(float *array, int64_t array_stride, float *start, int32_t dim, const fw2v_rows *total,
                         const fw2v_rows *own, float *scratch)


def _matrix(a, name):
    if not (isinstance(a, np.ndarray) and a.dtype == np.float32 and a.ndim == 2 and a.flags.c_contiguous
            and a.flags.writeable):
        raise ValueError(f"{name} must be a writeable C-contiguous 2-d float32 array")
    return a


cdef int64_t _row_stride(a, name) except -1:
    """Floats between rows of a model matrix: packed, or padded (fastw2v/layout.py)."""
    if not (isinstance(a, np.ndarray) and a.dtype == np.float32 and a.ndim == 2 and a.flags.writeable
            and a.strides[1] == 4 and a.strides[0] % 4 == 0 and a.strides[0] >= 4 * a.shape[1]):
        raise ValueError(f"{name} must be a writeable 2-d float32 array with packed rows")
    return a.strides[0] // 4


cdef int _fill(fw2v_rows *out, part, int32_t dim, list keep) except -1:
    """Point ``out`` at a Rows tuple's arrays after checking them (``keep`` holds the arrays alive)."""
    rows, values, scale, weights = part
    rows = np.ascontiguousarray(rows, dtype=np.int32)
    n = len(rows)
    if n > 1 and not bool(np.all(np.diff(rows) > 0)):
        raise ValueError("row indices must be sorted and unique")
    if n and rows[0] < 0:
        raise ValueError("row indices must be non-negative")
    if values.shape != (n, dim):
        raise ValueError(f"values must have shape {(n, dim)}, got {values.shape}")
    values = np.ascontiguousarray(values)
    cdef const int32_t[::1] r = rows
    cdef const int8_t[:, ::1] q
    cdef const float[::1] s
    cdef const float[:, ::1] f
    cdef const float[::1] w
    out.n = n
    out.rows = &r[0] if n else NULL
    out.q = NULL
    out.scale = NULL
    out.f32 = NULL
    out.weights = NULL
    if values.dtype == np.int8:
        if scale is None or len(scale) != n:
            raise ValueError("int8 values need one scale per row")
        scale = np.ascontiguousarray(scale, dtype=np.float32)
        q = values
        s = scale
        out.q = &q[0, 0] if n else NULL
        out.scale = &s[0] if n else NULL
    elif values.dtype == np.float32:
        f = values
        out.f32 = &f[0, 0] if n else NULL
    else:
        raise ValueError(f"values must be int8 or float32, got {values.dtype}")
    if weights is not None:
        weights = np.ascontiguousarray(weights, dtype=np.float32)
        if len(weights) != n:
            raise ValueError("a mean needs one weight per row")
        w = weights
        out.weights = &w[0] if n else NULL
    keep.extend((rows, values, scale, weights))
    return 0


def quantise_rows(values):
    """``(q, scale)``: float32 rows as int8 with one scale per row."""
    cdef const float[:, ::1] v = np.ascontiguousarray(values, dtype=np.float32)
    cdef int64_t n = v.shape[0]
    cdef int32_t dim = v.shape[1]
    q = np.empty((n, dim), dtype=np.int8)
    scale = np.empty(n, dtype=np.float32)
    cdef int8_t[:, ::1] qv = q
    cdef float[::1] sv = scale
    if n and dim:
        with nogil:
            fw2v_quantise_rows(&v[0, 0], n, dim, &qv[0, 0], &sv[0])
    elif n:
        scale[:] = 0
    return q, scale


def delta_encode(current, start, residual, str wire):
    """``(rows, values, scale)`` of the rows where ``current`` differs from ``start`` (see allreduce.h)."""
    cdef int64_t stride = _row_stride(current, "current")
    _matrix(start, "start")
    if start.shape != current.shape:
        raise ValueError(f"start has shape {start.shape}, current {current.shape}")
    if wire not in ("int8", "float32"):
        raise ValueError(f"wire must be 'int8' or 'float32', got {wire!r}")
    if residual is None and wire == "int8":
        raise ValueError("int8 deltas need a residual array (error feedback)")
    if residual is not None and (_matrix(residual, "residual").shape != current.shape):
        raise ValueError(f"residual has shape {residual.shape}, current {current.shape}")
    cdef const float *c = <const float *>cnp.PyArray_DATA(current)
    cdef float[:, ::1] s = start
    cdef float[:, ::1] e
    cdef float *e_ptr = NULL
    cdef int64_t n_rows = current.shape[0]
    cdef int32_t dim = current.shape[1]
    rows = np.empty(n_rows, dtype=np.int32)
    if wire == "int8":
        values, scale = np.empty((n_rows, dim), dtype=np.int8), np.empty(n_rows, dtype=np.float32)
    else:
        values, scale = np.empty((n_rows, dim), dtype=np.float32), None
    if n_rows == 0 or dim == 0:
        return rows[:0], values[:0], None if scale is None else scale[:0]
    if residual is not None:
        e = residual
        e_ptr = &e[0, 0]
    cdef int32_t[::1] r = rows
    cdef int8_t[:, ::1] q
    cdef float[::1] sc
    cdef float[:, ::1] f
    cdef int8_t *q_ptr = NULL
    cdef float *sc_ptr = NULL
    cdef float *f_ptr = NULL
    if wire == "int8":
        q = values
        sc = scale
        q_ptr, sc_ptr = &q[0, 0], &sc[0]
    else:
        f = values
        f_ptr = &f[0, 0]
    cdef int64_t n
    with nogil:
        n = fw2v_delta_encode(c, stride, &s[0, 0], e_ptr, n_rows, dim, &r[0], q_ptr, sc_ptr, f_ptr)
    return rows[:n], values[:n], None if scale is None else scale[:n]


def delta_merge(list parts, int32_t dim, str wire="float32"):
    """``(rows, values, scale or None, weights or None)``: the union of ``parts`` (Rows) and
    the sum, or weighted mean, of each row, in the ``wire`` dtype (int8 rows are quantised
    as they are summed: no float32 copy of the whole sum)."""
    cdef fw2v_rows c_parts[FW2V_MERGE_MAX_PARTS]
    cdef list keep = []
    k = len(parts)
    if not 1 <= k <= FW2V_MERGE_MAX_PARTS:
        raise ValueError(f"between 1 and {FW2V_MERGE_MAX_PARTS} parts can be merged at once, got {k}")
    if wire not in ("int8", "float32"):
        raise ValueError(f"wire must be 'int8' or 'float32', got {wire!r}")
    mean = parts[0][3] is not None
    if any((p[3] is not None) != mean for p in parts):
        raise ValueError("parts of a mean all need weights")
    for i, p in enumerate(parts):
        _fill(&c_parts[i], p, dim, keep)
    capacity = max(sum(len(p[0]) for p in parts), 1)
    rows = np.empty(capacity, dtype=np.int32)
    values = np.empty((capacity, dim), dtype=np.int8 if wire == "int8" else np.float32)
    scale = np.empty(capacity, dtype=np.float32) if wire == "int8" else None
    weights = np.empty(capacity, dtype=np.float32) if mean else None
    scratch = np.empty(max(dim, 1), dtype=np.float32)
    cdef int32_t[::1] r = rows
    cdef float[::1] w, sc, scr = scratch
    cdef float[:, ::1] v
    cdef int8_t[:, ::1] q
    cdef float *w_ptr = NULL
    cdef float *v_ptr = NULL
    cdef float *sc_ptr = NULL
    cdef int8_t *q_ptr = NULL
    if mean:
        w = weights
        w_ptr = &w[0]
    if wire == "int8":
        q, sc = values, scale
        q_ptr, sc_ptr = &q[0, 0] if dim else NULL, &sc[0]
    else:
        v = values
        v_ptr = &v[0, 0] if dim else NULL
    cdef int32_t kk = k
    cdef int64_t n
    with nogil:
        n = fw2v_delta_merge(c_parts, kk, dim, &r[0], v_ptr, q_ptr, sc_ptr, w_ptr, &scr[0])
    return rows[:n], values[:n], None if scale is None else scale[:n], None if weights is None else weights[:n]


def delta_apply(array, start, total, own):
    """``array[total rows] += total - own``, and the same to ``start`` (or None)."""
    cdef int64_t stride = _row_stride(array, "array")
    if start is not None and _matrix(start, "start").shape != array.shape:
        raise ValueError(f"start has shape {start.shape}, array {array.shape}")
    cdef int32_t dim = array.shape[1]
    cdef fw2v_rows t, o
    cdef list keep = []
    _fill(&t, total, dim, keep)
    if t.n and t.rows[t.n - 1] >= array.shape[0]:
        raise ValueError(f"row {t.rows[t.n - 1]} is out of bounds for {array.shape[0]} rows")
    cdef fw2v_rows *o_ptr = NULL
    if own is not None:
        _fill(&o, own, dim, keep)
        o_ptr = &o
    cdef float *a = <float *>cnp.PyArray_DATA(array)
    cdef float[:, ::1] s
    cdef float *s_ptr = NULL
    if start is not None:
        s = start
        s_ptr = &s[0, 0]
    if array.shape[0] == 0 or dim == 0:
        return
    scratch = np.empty(dim, dtype=np.float32)
    cdef float[::1] scr = scratch
    cdef int status
    with nogil:
        status = fw2v_delta_apply(a, stride, s_ptr, dim, &t, o_ptr, &scr[0])
    if status != 0:
        raise ValueError("own rows must be a subset of the total's rows")
