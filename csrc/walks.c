#include "walks.h"
#include "sampling.h"

/* Is t -> x an edge? Binary search of t's sorted row. */
static int has_edge(const fw2v_graph *g, int32_t t, int32_t x)
{
    int64_t lo = g->indptr[t], hi = g->indptr[t + 1];
    while (lo < hi) {
        int64_t mid = lo + ((hi - lo) >> 1);
        int32_t y = g->indices[mid];
        if (y == x) return 1;
        if (y < x) lo = mid + 1; else hi = mid;
    }
    return 0;
}

double fw2v_search_bias(const fw2v_graph *g, int32_t t, int32_t x)
{
    if (x == t) return g->inv_p;
    return has_edge(g, t, x) ? 1.0 : g->inv_q;
}

int fw2v_build_edge_tables(const fw2v_graph *g, const int32_t *sources, int64_t edge_lo, int64_t edge_hi,
                           double *scratch, uint32_t *edge_prob, int32_t *edge_alias)
{
    for (int64_t e = edge_lo; e < edge_hi; e++) {
        int32_t t = sources[e], v = g->indices[e];
        int64_t first = g->indptr[v], deg = g->indptr[v + 1] - first;
        if (deg == 0) continue;
        for (int64_t j = 0; j < deg; j++) {
            double w = g->weights ? g->weights[first + j] : 1.0;
            scratch[j] = w * fw2v_search_bias(g, t, g->indices[first + j]);
        }
        int rc = fw2v_build_alias(scratch, deg, edge_prob + g->edge_offset[e], edge_alias + g->edge_offset[e]);
        if (rc != FW2V_OK) return rc;
    }
    return FW2V_OK;
}

/* Position (0 .. deg-1) of a first-order step from v: by weight, or uniform. */
FW2V_INLINE int64_t first_order_pick(const fw2v_graph *g, int64_t first, int64_t deg, uint64_t *rng)
{
    if (g->node_prob)
        return fw2v_alias_draw(g->node_prob + first, g->node_alias + first, deg, fw2v_rng_next(rng));
    return fw2v_rng_below(rng, (uint32_t)deg);
}

/* Uniform double in [0, 1) from the top 53 bits. */
FW2V_INLINE double uniform01(uint64_t *rng) { return (double)(fw2v_rng_next(rng) >> 11) * (1.0 / 9007199254740992.0); }

void fw2v_random_walks(const fw2v_graph *g, const int32_t *starts, int64_t n_walks, int64_t first_walk,
                       int32_t walk_length, uint64_t seed, int32_t *out, int32_t *lengths)
{
    for (int64_t k = 0; k < n_walks; k++) {
        /* A stream per walk: splitmix64 of (seed, walk number) decorrelates neighbouring walks. */
        uint64_t rng = seed ^ (UINT64_C(0xD1B54A32D192ED03) * (uint64_t)(first_walk + k + 1));
        fw2v_rng_next(&rng);
        int32_t *walk = out + k * (int64_t)walk_length;
        int32_t cur = starts[k], prev = -1;
        int64_t arrived_by = -1;    /* edge position of the last step */
        int32_t n = 0;
        walk[n++] = cur;
        while (n < walk_length) {
            int64_t first = g->indptr[cur], deg = g->indptr[cur + 1] - first, j;
            if (deg == 0) break;    /* a sink of a directed graph, or an isolated node: the walk ends */
            if (!g->second_order || prev < 0) {
                j = first_order_pick(g, first, deg, &rng);
            } else if (g->edge_offset) {
                int64_t at = g->edge_offset[arrived_by];
                j = fw2v_alias_draw(g->edge_prob + at, g->edge_alias + at, deg, fw2v_rng_next(&rng));
            } else {
                /* Accept proposal x with probability alpha(prev, x) / max_bias: the accepted
                 * x then has probability proportional to w(cur, x) * alpha(prev, x). */
                do {
                    j = first_order_pick(g, first, deg, &rng);
                } while (uniform01(&rng) * g->max_bias >= fw2v_search_bias(g, prev, g->indices[first + j]));
            }
            arrived_by = first + j;
            prev = cur;
            cur = g->indices[arrived_by];
            walk[n++] = cur;
        }
        lengths[k] = n;
    }
}
