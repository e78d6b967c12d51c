# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""Python entry points to the random walks of csrc/walks.h.

`WalkGraph` owns the CSR arrays and sampling tables a walk reads and checks
them once, here, so the C loop trusts its inputs. Its methods that do the
work (`build_node_tables`, `build_edge_tables`, `walk_range`) release the
GIL, so fastw2v/graph.py runs them on several threads at once.
"""
from libc.stdint cimport int32_t, int64_t, uint32_t, uint64_t
from libc.stdlib cimport malloc, free

import numpy as np
cimport numpy as cnp

from fastw2v._csrc cimport FW2V_OK, fw2v_build_alias

cnp.import_array()

cdef extern from "walks.h" nogil:
    ctypedef struct fw2v_graph:
        int64_t n_nodes
        const int64_t *indptr
        const int32_t *indices
        const double *weights
        const uint32_t *node_prob
        const int32_t *node_alias
        int32_t second_order
        double inv_p, inv_q, max_bias
        const int64_t *edge_offset
        const uint32_t *edge_prob
        const int32_t *edge_alias
    double fw2v_search_bias(const fw2v_graph *g, int32_t t, int32_t x)
    int fw2v_build_edge_tables(const fw2v_graph *g, const int32_t *sources, int64_t edge_lo, int64_t edge_hi,
                               double *scratch, uint32_t *edge_prob, int32_t *edge_alias)
    void fw2v_random_walks(const fw2v_graph *g, const int32_t *starts, int64_t n_walks, int64_t first_walk,
                           int32_t walk_length, uint64_t seed, int32_t *out, int32_t *lengths)


cdef class WalkGraph:
    """A CSR graph ready for walking (see csrc/walks.h for the invariants).

    Parameters
    ----------
    indptr : int64 array, shape (n_nodes + 1,)
    indices : int32 array, shape (n_edges,)
        Targets, strictly increasing within each row.
    weights : float64 array, shape (n_edges,), optional
        Finite and > 0; None for an unweighted graph.
    """
    cdef fw2v_graph g
    cdef readonly object indptr, indices, weights
    cdef object node_prob, node_alias, edge_offset, edge_prob, edge_alias, edge_sources

    def __init__(self, indptr, indices, weights=None):
        indptr = np.ascontiguousarray(indptr, dtype=np.int64)
        indices = np.ascontiguousarray(indices, dtype=np.int32)
        n = len(indptr) - 1
        if n < 1 or indptr[0] != 0 or indptr[n] != len(indices) or (np.diff(indptr) < 0).any():
            raise ValueError("indptr must start at 0, never decrease and end at len(indices)")
        if len(indices) and (indices.min() < 0 or indices.max() >= n):
            raise ValueError(f"edge targets must be node numbers in [0, {n})")
        rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(indptr))
        if len(indices) > 1 and ((np.diff(indices.astype(np.int64)) <= 0) & (rows[1:] == rows[:len(rows) - 1])).any():
            raise ValueError("each row's targets must be sorted and distinct")
        if weights is not None:
            weights = np.ascontiguousarray(weights, dtype=np.float64)
            if weights.shape != indices.shape or not (np.isfinite(weights) & (weights > 0)).all():
                raise ValueError("weights must be finite, > 0 and one per edge")
        self.indptr, self.indices, self.weights = indptr, indices, weights
        self.g.n_nodes = n
        self.g.indptr = <const int64_t *>cnp.PyArray_DATA(indptr)
        self.g.indices = <const int32_t *>cnp.PyArray_DATA(indices)
        self.g.weights = NULL if weights is None else <const double *>cnp.PyArray_DATA(weights)
        self.g.node_prob = NULL
        self.g.node_alias = NULL
        self.g.second_order = 0
        self.g.inv_p = self.g.inv_q = self.g.max_bias = 1.0
        self.g.edge_offset = NULL
        self.g.edge_prob = NULL
        self.g.edge_alias = NULL

    @property
    def n_nodes(self):
        return self.g.n_nodes

    @property
    def n_edges(self):
        return len(self.indices)

    def build_node_tables(self):
        """First-order alias tables of every node (weighted graphs; unweighted ones need none)."""
        if self.weights is None:
            return
        cdef int64_t n_edges = len(self.indices), v, first, deg
        prob = np.empty(n_edges, dtype=np.uint32)
        alias = np.empty(n_edges, dtype=np.int32)
        cdef uint32_t *pv = <uint32_t *>cnp.PyArray_DATA(prob)
        cdef int32_t *av = <int32_t *>cnp.PyArray_DATA(alias)
        cdef int rc = FW2V_OK
        with nogil:
            for v in range(self.g.n_nodes):
                first = self.g.indptr[v]
                deg = self.g.indptr[v + 1] - first
                if deg > 0:
                    rc = fw2v_build_alias(self.g.weights + first, deg, pv + first, av + first)
                    if rc != FW2V_OK:
                        break
        if rc != FW2V_OK:
            raise MemoryError("cannot build the first-order alias tables")
        self.node_prob, self.node_alias = prob, alias
        self.g.node_prob = pv
        self.g.node_alias = av

    def set_search_bias(self, double p, double q):
        """node2vec's return (p) and in-out (q) parameters; p = q = 1 walks first-order."""
        if not (p > 0 and q > 0 and np.isfinite(p) and np.isfinite(q)):
            raise ValueError(f"p and q must be finite and > 0, got p={p!r}, q={q!r}")
        self.g.inv_p = 1.0 / p
        self.g.inv_q = 1.0 / q
        self.g.max_bias = max(self.g.inv_p, 1.0, self.g.inv_q)
        self.g.second_order = not (p == 1.0 and q == 1.0)
        self.g.edge_offset = NULL
        self.edge_offset = self.edge_prob = self.edge_alias = self.edge_sources = None

    def edge_table_offsets(self):
        """Where each edge's second-order table starts: ``offsets[-1]`` entries in all."""
        degree = np.diff(self.indptr)
        return np.concatenate(([0], np.cumsum(degree[self.indices]))).astype(np.int64)

    def allocate_edge_tables(self, offsets):
        """Reserve the precomputed second-order tables (filled by ``build_edge_tables``)."""
        offsets = np.ascontiguousarray(offsets, dtype=np.int64)
        if not np.array_equal(offsets, self.edge_table_offsets()):
            raise ValueError("edge table offsets do not match the graph")
        self.edge_offset = offsets
        total = int(offsets[len(offsets) - 1])
        self.edge_prob = np.empty(total, dtype=np.uint32)
        self.edge_alias = np.empty(total, dtype=np.int32)
        self.edge_sources = np.repeat(np.arange(self.g.n_nodes, dtype=np.int32), np.diff(self.indptr))

    def build_edge_tables(self, int64_t lo, int64_t hi):
        """Fill the second-order tables of edges [lo, hi) (releases the GIL)."""
        if self.edge_offset is None or not (0 <= lo <= hi <= len(self.indices)):
            raise ValueError("allocate_edge_tables first, and pass an edge range within the graph")
        cdef int64_t max_degree = max(int(np.diff(self.indptr).max()), 1)
        cdef double *scratch = <double *>malloc(max_degree * sizeof(double))
        if not scratch:
            raise MemoryError()
        cdef const int32_t *src = <const int32_t *>cnp.PyArray_DATA(self.edge_sources)
        cdef uint32_t *pv = <uint32_t *>cnp.PyArray_DATA(self.edge_prob)
        cdef int32_t *av = <int32_t *>cnp.PyArray_DATA(self.edge_alias)
        cdef fw2v_graph g = self.g
        cdef int rc
        g.edge_offset = <const int64_t *>cnp.PyArray_DATA(self.edge_offset)
        with nogil:
            rc = fw2v_build_edge_tables(&g, src, lo, hi, scratch, pv, av)
        free(scratch)
        if rc != FW2V_OK:
            raise MemoryError("cannot build the second-order alias tables")

    def use_edge_tables(self, bint on):
        """Walk with the precomputed tables (True) or by rejection sampling (False)."""
        if on and self.edge_offset is None:
            raise ValueError("the second-order tables are not built")
        if on:
            self.g.edge_offset = <const int64_t *>cnp.PyArray_DATA(self.edge_offset)
            self.g.edge_prob = <const uint32_t *>cnp.PyArray_DATA(self.edge_prob)
            self.g.edge_alias = <const int32_t *>cnp.PyArray_DATA(self.edge_alias)
        else:
            self.g.edge_offset = NULL

    @property
    def second_order(self):
        return bool(self.g.second_order)

    @property
    def uses_edge_tables(self):
        return self.g.edge_offset != NULL

    def search_bias(self, int32_t t, int32_t x):
        """node2vec's alpha(t, x) (for tests)."""
        if not (0 <= t < self.g.n_nodes and 0 <= x < self.g.n_nodes):
            raise IndexError("node out of range")
        return fw2v_search_bias(&self.g, t, x)

    def walk_range(self, starts, int64_t lo, int64_t hi, int32_t walk_length, uint64_t seed, out, lengths):
        """Walks lo .. hi-1 (walk k starts at ``starts[k]``) into ``out[k * walk_length ...]``
        and ``lengths[k]``; releases the GIL."""
        cdef const int32_t[::1] sv = starts
        cdef int32_t[::1] ov = out
        cdef int32_t[::1] lv = lengths
        if walk_length < 1:
            raise ValueError(f"walk_length must be >= 1, got {walk_length}")
        if not (0 <= lo <= hi <= sv.shape[0]) or lv.shape[0] < sv.shape[0] or \
                ov.shape[0] < sv.shape[0] * <int64_t>walk_length:
            raise ValueError("walk range or output buffers do not match the start nodes")
        if hi > lo:
            part = np.asarray(sv[lo:hi])
            if part.min() < 0 or part.max() >= self.g.n_nodes:
                raise ValueError(f"start nodes must be in [0, {self.g.n_nodes})")
        else:
            return
        with nogil:
            fw2v_random_walks(&self.g, &sv[lo], hi - lo, lo, walk_length, seed,
                              &ov[lo * <int64_t>walk_length], &lv[lo])
