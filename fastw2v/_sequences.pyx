# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""Helpers of fastw2v/sequences.py in C: dense position counts, and the lookup of
labels that are Python objects (str node names) in a str vocabulary's token table.

Integer IDs are counted and looked up by fastw2v._int_keys (csrc/int_keys.h).
"""
from libc.stdint cimport int32_t, int64_t

import numpy as np
cimport numpy as cnp

from fastw2v._vocab cimport TokenTable

cnp.import_array()


def lookup_objects(TokenTable table, keys):
    """Entry index of each key (str or int objects) in ``table`` (-1 when absent), as int32."""
    out = np.empty(len(keys), dtype=np.int32)
    cdef int32_t[::1] o = out
    cdef int64_t i = 0
    for key in keys:
        o[i] = <int32_t>table.find_object(key, 0)
        i += 1
    return out


def index_counts(const int32_t[::1] ids, int64_t n):
    """Occurrences and first position of each index in [0, n) among ``ids``
    (first position ``len(ids)`` when absent). Indices must already be in range."""
    counts = np.zeros(n, dtype=np.int64)
    first = np.full(n, ids.shape[0], dtype=np.int64)
    cdef int64_t[::1] c = counts
    cdef int64_t[::1] f = first
    cdef int64_t i, k
    with nogil:
        for i in range(ids.shape[0]):
            k = ids[i]
            if c[k] == 0:
                f[k] = i
            c[k] += 1
    return counts, first
