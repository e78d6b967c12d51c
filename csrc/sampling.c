#include <stdlib.h>
#include <string.h>

#include "sampling.h"

int fw2v_build_alias(const double *weights, int64_t n, uint32_t *prob, int32_t *alias)
{
    double total = 0.0;
    for (int64_t i = 0; i < n; i++) total += weights[i];
    double *scaled = (double *)malloc((size_t)n * sizeof(double));
    /* The two work stacks share one array -- every column is on at most one of them,
     * so "small" grows up from work[0] and "large" down from work[n-1] -- of int32
     * (alias entries are int32 anyway): 4 bytes a column instead of 16. */
    int32_t *work = (int32_t *)malloc((size_t)n * sizeof(int32_t));
    if (!scaled || !work) { free(scaled); free(work); return FW2V_ERR_NOMEM; }
#define SMALL(k) work[(k)]
#define LARGE(k) work[n - 1 - (k)]
    int64_t ns = 0, nl = 0;
    for (int64_t i = 0; i < n; i++) {
        scaled[i] = total > 0 ? weights[i] * (double)n / total : 1.0;
        if (scaled[i] < 1.0) SMALL(ns++) = (int32_t)i; else LARGE(nl++) = (int32_t)i;
    }
    const double full = 4294967296.0; /* 2^32 */
    while (ns > 0 && nl > 0) {
        int32_t s = SMALL(--ns), l = LARGE(nl - 1);
        prob[s] = (uint32_t)(scaled[s] * full);
        alias[s] = l;
        scaled[l] -= 1.0 - scaled[s];
        if (scaled[l] < 1.0) { nl--; SMALL(ns++) = l; }
    }
    /* Leftovers are 1.0 up to rounding: always take the column itself. */
    while (nl > 0) { int32_t l = LARGE(--nl); prob[l] = UINT32_MAX; alias[l] = l; }
    while (ns > 0) { int32_t s = SMALL(--ns); prob[s] = UINT32_MAX; alias[s] = s; }
#undef SMALL
#undef LARGE
    free(scaled); free(work);
    return FW2V_OK;
}

/* The Huffman tree is built with a binary heap ordered by weight alone, sifted
 * exactly as Python's heapq does it (heapify, then heappop twice / heappush per
 * merge). That is gensim's construction (its heap items compare by count only),
 * so on the same vocabulary the tree, codes and points are gensim's own: a model
 * switched from gensim trains the same tree, and ties in count (thousands of
 * rare words share each small count) are broken the way gensim breaks them. How
 * ties fall is not neutral: the word2vec C construction used before (two queues,
 * a merged node before a word of equal count) gives trees with the same code
 * lengths, yet with only the tree changed (same seeds, one worker, shared
 * corpus) gensim's tree raised WordSim353 by 0.004-0.012 in all six runs of
 * cbow-hs and sg-hs, and sg-hs analogies by 0.003-0.009 (benchmarks/RESULTS.md,
 * ninth session). */
static void heap_siftdown(int64_t *heap, const int64_t *weight, int64_t start, int64_t pos)
{
    int64_t item = heap[pos];
    while (pos > start) {
        int64_t up = (pos - 1) >> 1;
        if (!(weight[item] < weight[heap[up]])) break;
        heap[pos] = heap[up];
        pos = up;
    }
    heap[pos] = item;
}

/* heapq's siftup: the smaller child (the right one on ties) rises until pos is a
 * leaf, then the item sifts back down from there. */
static void heap_siftup(int64_t *heap, const int64_t *weight, int64_t end, int64_t pos)
{
    int64_t start = pos, item = heap[pos], child = 2 * pos + 1;
    while (child < end) {
        if (child + 1 < end && !(weight[heap[child]] < weight[heap[child + 1]])) child++;
        heap[pos] = heap[child];
        pos = child;
        child = 2 * pos + 1;
    }
    heap[pos] = item;
    heap_siftdown(heap, weight, start, pos);
}

/* heapq's heappop on a heap that held size + 1 nodes: the last node takes the
 * top's place and sifts up. */
static int64_t heap_pop(int64_t *heap, const int64_t *weight, int64_t size)
{
    int64_t top = heap[0];
    if (size > 0) {
        heap[0] = heap[size];
        heap_siftup(heap, weight, size, 0);
    }
    return top;
}

int fw2v_build_huffman(const int64_t *counts, int64_t n, int64_t *parent, uint8_t *bit, int64_t *offsets)
{
    offsets[0] = 0;
    if (n < 2) { /* a lone word has an empty path: nothing to learn with hs */
        if (n == 1) offsets[1] = 0;
        return FW2V_OK;
    }
    int64_t m = 2 * n - 1;
    int64_t *heap = (int64_t *)malloc((size_t)n * sizeof(int64_t));
    int64_t *weight = (int64_t *)malloc((size_t)m * sizeof(int64_t));
    int64_t *depth = (int64_t *)malloc((size_t)m * sizeof(int64_t));
    if (!heap || !weight || !depth) {
        free(heap); free(weight); free(depth);
        return FW2V_ERR_NOMEM;
    }
    memset(bit, 0, (size_t)m);
    for (int64_t i = 0; i < n; i++) {
        heap[i] = i;
        weight[i] = counts[i];
    }
    for (int64_t i = n / 2 - 1; i >= 0; i--) heap_siftup(heap, weight, n, i);
    int64_t size = n;
    for (int64_t a = 0; a < n - 1; a++) {
        int64_t lo = heap_pop(heap, weight, --size);
        int64_t hi = heap_pop(heap, weight, --size), node = n + a;
        weight[node] = weight[lo] + weight[hi];
        parent[lo] = parent[hi] = node;
        bit[hi] = 1; /* the first popped is the left child (code 0), the second the right (1) */
        heap[size] = node;
        heap_siftdown(heap, weight, 0, size++);
    }
    parent[m - 1] = -1; /* the root */
    depth[m - 1] = 0;
    for (int64_t v = m - 2; v >= 0; v--) depth[v] = depth[parent[v]] + 1; /* parents are created later */
    for (int64_t w = 0; w < n; w++) offsets[w + 1] = offsets[w] + depth[w];
    free(heap); free(weight); free(depth);
    return FW2V_OK;
}

void fw2v_huffman_paths(const int64_t *parent, const uint8_t *bit, int64_t n, const int64_t *offsets,
                        uint8_t *codes, int32_t *points)
{
    for (int64_t w = 0; w < n; w++) {
        int64_t at = offsets[w + 1] - 1;
        /* walk leaf -> root, filling the path from its end */
        for (int64_t v = w; parent[v] >= 0; v = parent[v], at--) {
            codes[at] = bit[v];
            points[at] = (int32_t)(parent[v] - n);
        }
    }
}
