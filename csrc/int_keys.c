#include <stdlib.h>
#include <string.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "int_keys.h"

/* splitmix64's finaliser: IDs are often dense or strided (0, 1, 2, ... or multiples
 * of a stride), which would pile up in the low bits that pick a slot. */
FW2V_INLINE uint64_t mix(int64_t key)
{
    uint64_t z = (uint64_t)key;
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* Slot holding `key`, or the empty slot where it would go (the table is never full).
 * The start slot is the hash's top 32 bits scaled to n_slots (Lemire's multiply-shift),
 * so n_slots need not be a power of two: an index built for n keys is sized n / 0.7
 * exactly, not up to twice that. */
FW2V_INLINE uint64_t probe(const fw2v_int_index *ix, const int64_t *keys, int64_t key)
{
    uint64_t n = (uint64_t)ix->n_slots;
    uint64_t s = ((mix(key) >> 32) * n) >> 32;
    for (;;) {
        int32_t e = ix->slots[s];
        if (e < 0 || keys[e] == key) return s;
        s = s + 1 == n ? 0 : s + 1;
    }
}

static int64_t slots_for(int64_t n)
{
    int64_t cap = n * FW2V_IK_MAX_LOAD_DEN / FW2V_IK_MAX_LOAD_NUM + 1;
    return cap < 16 ? 16 : cap;
}

void fw2v_ii_init(fw2v_int_index *ix)
{
    ix->slots = NULL;
    ix->n_slots = 0;
    ix->size = 0;
}

void fw2v_ii_free(fw2v_int_index *ix)
{
    free(ix->slots);
    fw2v_ii_init(ix);
}

int fw2v_ii_build(fw2v_int_index *ix, const int64_t *keys, int64_t n, int64_t reserve, int64_t *duplicate)
{
    if (n > FW2V_IK_MAX_ENTRIES) return FW2V_IK_FULL;
    int64_t n_slots = slots_for(n > reserve ? n : reserve);
    /* free first: the old and new slots never need to be resident together */
    fw2v_ii_free(ix);
    int32_t *slots = (int32_t *)malloc((size_t)n_slots * sizeof(int32_t));
    if (!slots) return FW2V_ERR_NOMEM;
    memset(slots, 0xff, (size_t)n_slots * sizeof(int32_t));  /* every slot -1 */
    ix->slots = slots;
    ix->n_slots = n_slots;
    for (int64_t i = 0; i < n; i++) {
        uint64_t s = probe(ix, keys, keys[i]);
        if (slots[s] >= 0) {
            if (duplicate) *duplicate = i;
            ix->size = i;
            return FW2V_IK_DUPLICATE;
        }
        slots[s] = (int32_t)i;
    }
    ix->size = n;
    return FW2V_OK;
}

int64_t fw2v_ii_find(const fw2v_int_index *ix, const int64_t *keys, int64_t key)
{
    if (!ix->n_slots) return -1;
    return ix->slots[probe(ix, keys, key)];
}

int fw2v_ii_append(fw2v_int_index *ix, const int64_t *keys)
{
    int64_t i = ix->size;
    if (i >= FW2V_IK_MAX_ENTRIES) return FW2V_IK_FULL;
    if ((i + 1) * FW2V_IK_MAX_LOAD_DEN > ix->n_slots * FW2V_IK_MAX_LOAD_NUM)
        return fw2v_ii_build(ix, keys, i + 1, i < FW2V_IK_MAX_ENTRIES / 2 ? 2 * (i + 1) : FW2V_IK_MAX_ENTRIES,
                             NULL);
    ix->slots[probe(ix, keys, keys[i])] = (int32_t)i;
    ix->size = i + 1;
    return FW2V_OK;
}

void fw2v_ii_lookup(const fw2v_int_index *ix, const int64_t *keys, const int64_t *query, int64_t n, int32_t *out)
{
    if (!ix->n_slots) {
        for (int64_t i = 0; i < n; i++) out[i] = -1;
        return;
    }
    for (int64_t i = 0; i < n; i++) out[i] = ix->slots[probe(ix, keys, query[i])];
}

void fw2v_trim_heap(void)
{
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}

void fw2v_ic_init(fw2v_int_counter *c)
{
    fw2v_ii_init(&c->index);
    c->keys = NULL;
    c->counts = NULL;
    c->capacity = 0;
}

void fw2v_ic_free(fw2v_int_counter *c)
{
    fw2v_ii_free(&c->index);
    free(c->keys);
    free(c->counts);
    fw2v_ic_init(c);
}

static int grow(fw2v_int_counter *c)
{
    /* Doubling by realloc: large blocks are moved by remapping pages, and pages
     * not yet written are never resident, so growth costs no copy and no memory. */
    int64_t cap = c->capacity ? 2 * c->capacity : 1024;
    int64_t *k = (int64_t *)realloc(c->keys, (size_t)cap * sizeof(int64_t));
    if (!k) return FW2V_ERR_NOMEM;
    c->keys = k;
    int64_t *n = (int64_t *)realloc(c->counts, (size_t)cap * sizeof(int64_t));
    if (!n) return FW2V_ERR_NOMEM;
    c->counts = n;
    c->capacity = cap;
    return FW2V_OK;
}

int64_t fw2v_ic_add(fw2v_int_counter *c, int64_t key, int64_t amount)
{
    fw2v_int_index *ix = &c->index;
    if (ix->n_slots) {
        uint64_t s = probe(ix, c->keys, key);
        int32_t e = ix->slots[s];
        if (e >= 0) {
            c->counts[e] += amount;
            return e;
        }
    }
    int64_t i = ix->size;
    if (i == c->capacity && grow(c) != FW2V_OK) return -1;
    c->keys[i] = key;
    c->counts[i] = amount;
    return fw2v_ii_append(ix, c->keys) == FW2V_OK ? i : -1;
}

int fw2v_ic_count_sequences(fw2v_int_counter *c, const int64_t *ids, const int64_t *offsets,
                            int64_t first, int64_t n_sequences, int64_t limit, int64_t *next)
{
    for (int64_t s = first; s < n_sequences; s++) {
        for (int64_t i = offsets[s]; i < offsets[s + 1]; i++) {
            if (fw2v_ic_add(c, ids[i], 1) < 0) {
                *next = s;
                return c->index.size >= FW2V_IK_MAX_ENTRIES ? FW2V_IK_FULL : FW2V_ERR_NOMEM;
            }
        }
        if (limit > 0 && c->index.size > limit) {
            *next = s + 1;
            return FW2V_NEED_PRUNE;
        }
    }
    *next = n_sequences;
    return FW2V_OK;
}

int fw2v_ic_compact(fw2v_int_counter *c, const uint8_t *keep)
{
    int64_t out = 0;
    for (int64_t i = 0; i < c->index.size; i++) {
        if (!keep[i]) continue;
        c->keys[out] = c->keys[i];
        c->counts[out] = c->counts[i];
        out++;
    }
    return fw2v_ii_build(&c->index, c->keys, out, out, NULL);
}
