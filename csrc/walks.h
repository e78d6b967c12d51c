/* Random walks on a graph: DeepWalk (first order, Perozzi et al. 2014) and
 * node2vec (second order, Grover & Leskovec 2016).
 *
 * The graph is CSR: node v's out-edges are positions indptr[v] .. indptr[v+1)
 * of `indices` (targets) and `weights`. An edge is named by its position e, so
 * the walk remembers the edge it arrived by and node2vec's per-edge tables are
 * found without a search.
 *
 * node2vec's step from v, having arrived from t, picks neighbour x with
 * probability proportional to w(v, x) * alpha(t, x), where the search bias is
 *     alpha = 1/p  if x == t           (return),
 *             1    if t -> x is an edge (stay near t),
 *             1/q  otherwise           (move outwards).
 * Two ways to draw it, as in PecanPy (Liu & Krishnan 2021) and KnightKing
 * (Yang et al. 2019):
 *  - precomputed: one alias table per edge (t -> v) over v's out-edges, built
 *    once; O(1) per step, memory sum over edges of deg(target) entries;
 *  - rejection: propose x from v's first-order table, accept with probability
 *    alpha(t, x) / max(alpha); no extra memory, a binary search in t's sorted
 *    neighbour list per proposal.
 * Both draw from the same distribution; which one runs is the caller's choice.
 *
 * Invariants (established by fastw2v/graph.py before any call):
 *  - indptr[0] == 0, non-decreasing, indptr[n_nodes] == number of edges;
 *  - each row of `indices` is strictly increasing (sorted, no duplicate edge)
 *    and every entry is < n_nodes;
 *  - weights, when not NULL, are finite and > 0 (zero-weight edges are dropped
 *    before; they are missing edges, never walked);
 *  - node_prob/node_alias, when not NULL, hold at positions indptr[v] .. one
 *    alias table per node over its out-edge weights (entries are 0 .. deg-1);
 *    NULL means every out-edge is equally likely;
 *  - edge_offset, when not NULL, has one entry per edge plus one; the table of
 *    edge e = (t -> v) is edge_prob/edge_alias[edge_offset[e] ..] with deg(v)
 *    entries.
 * Nothing here prints or aborts; the walk loop never allocates.
 */
#ifndef FW2V_WALKS_H
#define FW2V_WALKS_H

#include "fw2v_common.h"

typedef struct {
    int64_t n_nodes;
    const int64_t *indptr;       /* [n_nodes + 1] */
    const int32_t *indices;      /* [n_edges] targets, sorted within each row */
    const double *weights;       /* [n_edges] > 0, or NULL: unweighted */
    const uint32_t *node_prob;   /* [n_edges] first-order alias tables, or NULL: uniform */
    const int32_t *node_alias;
    int32_t second_order;        /* 0: first-order walks (DeepWalk, or node2vec with p = q = 1) */
    double inv_p, inv_q;         /* node2vec's 1/p and 1/q */
    double max_bias;             /* max(1/p, 1, 1/q): the rejection sampler's envelope */
    const int64_t *edge_offset;  /* [n_edges + 1] precomputed second-order tables, or NULL: rejection */
    const uint32_t *edge_prob;
    const int32_t *edge_alias;
} fw2v_graph;

/* alpha(t, x) of the header comment; `t`'s neighbours are binary-searched. */
double fw2v_search_bias(const fw2v_graph *g, int32_t t, int32_t x);

/* Alias tables of the edges [edge_lo, edge_hi): for e = (sources[e] -> indices[e]),
 * weights w(v, x) * alpha(t, x) over v's out-edges. `scratch` holds max out-degree
 * doubles. Returns FW2V_OK or FW2V_ERR_NOMEM (the alias builder's scratch). */
int fw2v_build_edge_tables(const fw2v_graph *g, const int32_t *sources, int64_t edge_lo, int64_t edge_hi,
                           double *scratch, uint32_t *edge_prob, int32_t *edge_alias);

/* Walks number first_walk .. first_walk + n_walks - 1, walk k starting at starts[k].
 * Walk k is written to out[k * walk_length ..] and its length (1 .. walk_length;
 * shorter when it reaches a node without out-edges) to lengths[k]. Each walk has
 * its own random stream, derived from (seed, walk number): the walks do not
 * depend on how they are split between threads. */
void fw2v_random_walks(const fw2v_graph *g, const int32_t *starts, int64_t n_walks, int64_t first_walk,
                       int32_t walk_length, uint64_t seed, int32_t *out, int32_t *lengths);

#endif
