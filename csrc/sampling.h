/* Sampling tables built once per vocabulary and read by every training thread.
 *
 * Noise distribution (negative sampling): P(w) ~ count(w)^ns_exponent
 * (Mikolov et al. 2013 use 0.75). Drawn with Vose's alias method: one 64-bit
 * random number picks a column (high bits) and decides column-or-alias (low
 * bits), so a draw is O(1) with no search -- gensim bisects a cumulative table
 * (O(log V), cache-unfriendly) and word2vec C keeps a 10^8-entry table (400 MB).
 *
 * Invariants: prob[i] is the keep-column threshold scaled to 2^32; alias[i] is a
 * valid word index; both arrays have vocab_size entries and vocab_size >= 1.
 */
#ifndef FW2V_SAMPLING_H
#define FW2V_SAMPLING_H

#include "fw2v_common.h"

/* Fills prob (uint32, scaled to 2^32) and alias from non-negative weights.
 * Returns FW2V_ERR_NOMEM on allocation failure. */
int fw2v_build_alias(const double *weights, int64_t n, uint32_t *prob, int32_t *alias);

/* The column a draw from the random number r reads: r's high 32 bits scaled to
 * [0, n) (Lemire's multiply-shift); its low 32 bits are the coin against prob. */
FW2V_INLINE uint32_t fw2v_alias_column(uint64_t r, int64_t n)
{
    return (uint32_t)(((r >> 32) * (uint64_t)n) >> 32);
}

FW2V_INLINE int32_t fw2v_alias_draw(const uint32_t *prob, const int32_t *alias, int64_t n, uint64_t r)
{
    uint32_t column = fw2v_alias_column(r, n);
    return ((uint32_t)r < prob[column]) ? (int32_t)column : alias[column];
}

/* Huffman tree for hierarchical softmax (Mikolov et al. 2013b): frequent words
 * get short codes. Built as gensim builds it (a heap ordered by count alone,
 * sifted in Python heapq's order; see sampling.c), so ties in count fall the
 * same way and the same counts in the same order give gensim's codes and points.
 * `counts` may be in any order (the order breaks ties). Nodes 0..n-1 are the
 * words, n + a the a-th merge and 2n-2 the root: fills parent[2n-1] (the root's
 * is -1), bit[2n-1] (each node's branch bit under its parent) and offsets[n+1],
 * word w's path being codes/points[offsets[w] .. offsets[w+1]) (offsets[n]: the
 * total length, at most n * (n - 1)). A lone word (n = 1) has an empty path and
 * parent/bit are not touched. Returns FW2V_ERR_NOMEM on allocation failure. */
int fw2v_build_huffman(const int64_t *counts, int64_t n, int64_t *parent, uint8_t *bit, int64_t *offsets);

/* The paths of that tree from the root down: points are inner node rows of syn1
 * (0..n-2, root = n-2), codes the branch bits (label = 1 - code); codes/points
 * hold offsets[n] entries. */
void fw2v_huffman_paths(const int64_t *parent, const uint8_t *bit, int64_t n, const int64_t *offsets,
                        uint8_t *codes, int32_t *points);

#endif
