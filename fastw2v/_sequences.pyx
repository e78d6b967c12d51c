# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""Counting and encoding flat integer sequences (fastw2v/sequences.py) in C.

Integer keys go through the core's token table (csrc/token_table.h) by their
8 native bytes, exactly as `TokenTable.count_sentences` treats NumPy
sentences, so a `Sequences` corpus and the same IDs given as lists build one
vocabulary. These loops only avoid the per-sentence Python call.
"""
from libc.stdint cimport int32_t, int64_t

import numpy as np
cimport numpy as cnp

from fastw2v._csrc cimport fw2v_hash_bytes, fw2v_tt_add, fw2v_tt_find
from fastw2v._vocab cimport TokenTable

cnp.import_array()


def count_int_sequences(TokenTable table, const int64_t[::1] ids, const int64_t[::1] offsets,
                        int64_t first_sequence, int64_t max_vocab_size):
    """Count the keys of sequences ``first_sequence ..`` into ``table``.

    Stops after the first sequence that leaves more than ``max_vocab_size``
    keys (0: never), so the caller can prune with gensim's rule, and returns
    the number of the next sequence to count.
    """
    cdef int64_t s, i, n_sequences = offsets.shape[0] - 1, failed = 0
    if table.key_kind == 0:
        raise TypeError("cannot count integer sequences into a table of str tokens")
    table.key_kind = 1
    with nogil:
        s = first_sequence
        while s < n_sequences:
            for i in range(offsets[s], offsets[s + 1]):
                if fw2v_tt_add(&table.table, <const char *>&ids[i], 8, 1) < 0:
                    failed = 1
                    break
            s += 1
            if failed or (max_vocab_size > 0 and table.table.size > max_vocab_size):
                break
    if failed:
        raise MemoryError("out of memory while counting tokens")
    return s


def lookup_ints(TokenTable table, const int64_t[::1] keys):
    """Entry index of each integer key in ``table`` (-1 when absent), as int32."""
    out = np.empty(keys.shape[0], dtype=np.int32)
    cdef int32_t[::1] o = out
    cdef int64_t i
    if table.key_kind == 0 and keys.shape[0]:
        raise TypeError("integer keys looked up in a table of str tokens")
    with nogil:
        for i in range(keys.shape[0]):
            o[i] = <int32_t>fw2v_tt_find(&table.table, <const char *>&keys[i], 8,
                                         fw2v_hash_bytes(<const char *>&keys[i], 8))
    return out


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
