# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""Python entry points to the sampling tables of csrc/sampling.h."""
from libc.stdint cimport int32_t, int64_t, uint8_t, uint32_t, uint64_t

import numpy as np

from fastw2v._csrc cimport *


def build_alias(weights):
    """Alias table ``(prob, alias)`` for drawing index i with probability
    ``weights[i] / sum(weights)`` in O(1) (Vose's method)."""
    cdef const double[::1] w = np.ascontiguousarray(weights, dtype=np.float64)
    cdef int64_t n = w.shape[0]
    if n < 1:
        raise ValueError("cannot build a noise distribution over an empty vocabulary")
    prob = np.empty(n, dtype=np.uint32)
    alias = np.empty(n, dtype=np.int32)
    cdef uint32_t[::1] pv = prob
    cdef int32_t[::1] av = alias
    if fw2v_build_alias(&w[0], n, &pv[0], &av[0]) != FW2V_OK:
        raise MemoryError("cannot build the alias table")
    return prob, alias


def alias_draws(prob, alias, int64_t n_draws, uint64_t seed):
    """Draws from an alias table with the kernels' RNG (for tests and diagnostics)."""
    cdef const uint32_t[::1] pv = prob
    cdef const int32_t[::1] av = alias
    cdef uint64_t state = seed
    cdef int64_t i, n = pv.shape[0]
    out = np.empty(n_draws, dtype=np.int32)
    cdef int32_t[::1] o = out
    with nogil:
        for i in range(n_draws):
            o[i] = fw2v_alias_draw(&pv[0], &av[0], n, fw2v_rng_next(&state))
    return out


def build_huffman(counts):
    """Huffman paths ``(offsets, codes, points)``: word w's path from the root is
    ``codes/points[offsets[w]:offsets[w+1]]`` (see csrc/sampling.h)."""
    cdef const int64_t[::1] c = np.ascontiguousarray(counts, dtype=np.int64)
    cdef int64_t n = c.shape[0]
    offsets = np.zeros(n + 1, dtype=np.int64)
    if n < 2:
        return offsets, np.zeros(0, np.uint8), np.zeros(0, np.int32)
    parent = np.empty(2 * n - 1, dtype=np.int64)
    bit = np.empty(2 * n - 1, dtype=np.uint8)
    cdef int64_t[::1] ov = offsets, par = parent
    cdef uint8_t[::1] bv = bit
    if fw2v_build_huffman(&c[0], n, &par[0], &bv[0], &ov[0]) != FW2V_OK:
        raise MemoryError("cannot build the Huffman tree")
    codes = np.empty(offsets[n], dtype=np.uint8)
    points = np.empty(offsets[n], dtype=np.int32)
    cdef uint8_t[::1] cv = codes
    cdef int32_t[::1] pv = points
    fw2v_huffman_paths(&par[0], &bv[0], n, &ov[0], &cv[0], &pv[0])
    return offsets, codes, points
