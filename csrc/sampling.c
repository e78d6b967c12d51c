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

static int cmp_desc(const void *a, const void *b, const int64_t *counts)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    if (counts[x] != counts[y]) return counts[x] > counts[y] ? -1 : 1;
    return x < y ? -1 : (x > y);
}

/* qsort has no context argument in portable C: a stable insertion-free merge sort. */
static void sort_desc(int64_t *idx, int64_t *tmp, int64_t n, const int64_t *counts)
{
    if (n < 2) return;
    int64_t h = n / 2;
    sort_desc(idx, tmp, h, counts);
    sort_desc(idx + h, tmp, n - h, counts);
    int64_t i = 0, j = h, k = 0;
    while (i < h && j < n) tmp[k++] = cmp_desc(&idx[j], &idx[i], counts) < 0 ? idx[j++] : idx[i++];
    while (i < h) tmp[k++] = idx[i++];
    while (j < n) tmp[k++] = idx[j++];
    memcpy(idx, tmp, (size_t)n * sizeof(int64_t));
}

int fw2v_build_huffman(const int64_t *counts, int64_t n, int64_t *offsets, uint8_t *codes, int32_t *points)
{
    if (n < 1) return FW2V_OK;
    if (n == 1) { /* a lone word has an empty path: nothing to learn with hs */
        offsets[0] = offsets[1] = 0;
        return FW2V_OK;
    }
    int64_t m = 2 * n - 1;
    int64_t *order = (int64_t *)malloc((size_t)n * sizeof(int64_t));
    int64_t *tmp = (int64_t *)malloc((size_t)n * sizeof(int64_t));
    int64_t *weight = (int64_t *)malloc((size_t)m * sizeof(int64_t));
    int64_t *parent = (int64_t *)malloc((size_t)m * sizeof(int64_t));
    uint8_t *bit = (uint8_t *)calloc((size_t)m, 1);
    int64_t *depth = (int64_t *)malloc((size_t)m * sizeof(int64_t));
    if (!order || !tmp || !weight || !parent || !bit || !depth) {
        free(order); free(tmp); free(weight); free(parent); free(bit); free(depth);
        return FW2V_ERR_NOMEM;
    }
    for (int64_t i = 0; i < n; i++) order[i] = i;
    sort_desc(order, tmp, n, counts);
    /* Leaves 0..n-1 in descending count; inner nodes n..2n-2 are created in
     * ascending weight, so two queues (leaves from the back, inner nodes from
     * the front) replace a heap: O(n) after the sort. */
    for (int64_t i = 0; i < n; i++) weight[i] = counts[order[i]];
    int64_t pos1 = n - 1, pos2 = n;
    for (int64_t a = 0; a < n - 1; a++) {
        int64_t pick[2];
        for (int k = 0; k < 2; k++) {
            if (pos1 >= 0 && (pos2 >= n + a || weight[pos1] < weight[pos2])) pick[k] = pos1--;
            else pick[k] = pos2++;
        }
        weight[n + a] = weight[pick[0]] + weight[pick[1]];
        parent[pick[0]] = n + a;
        parent[pick[1]] = n + a;
        bit[pick[1]] = 1;
    }
    int64_t root = m - 1;
    depth[root] = 0;
    for (int64_t v = root - 1; v >= 0; v--) depth[v] = depth[parent[v]] + 1;
    /* offsets are in original word order */
    for (int64_t r = 0; r < n; r++) offsets[order[r] + 1] = depth[r];
    offsets[0] = 0;
    for (int64_t w = 0; w < n; w++) offsets[w + 1] += offsets[w];
    if (codes) {
        for (int64_t r = 0; r < n; r++) {
            int64_t w = order[r], len = depth[r], at = offsets[w] + len - 1;
            /* walk leaf -> root, filling the path from its end */
            for (int64_t v = r; v != root; v = parent[v], at--) {
                codes[at] = bit[v];
                points[at] = (int32_t)(parent[v] - n);
            }
        }
    }
    free(order); free(tmp); free(weight); free(parent); free(bit); free(depth);
    return FW2V_OK;
}
