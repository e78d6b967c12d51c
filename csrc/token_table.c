/* madvise and MADV_HUGEPAGE are hidden by -std=c99 unless asked for */
#if defined(__linux__) && !defined(_DEFAULT_SOURCE)
#  define _DEFAULT_SOURCE 1
#endif
#include <stdlib.h>
#include <string.h>
#if defined(__linux__)
#  include <sys/mman.h>
#endif

#include "token_table.h"

/* Large tables are walked at random, so with 4 KiB pages nearly every lookup
 * also misses the TLB. Ask Linux for transparent huge pages on the big arrays
 * (a hint: the kernel may ignore it; nothing else changes). */
static void advise_huge_pages(void *p, size_t n)
{
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    const uintptr_t huge = (uintptr_t)1 << 21;
    uintptr_t start = ((uintptr_t)p + huge - 1) & ~(huge - 1), end = ((uintptr_t)p + n) & ~(huge - 1);
    if (end > start) madvise((void *)start, end - start, MADV_HUGEPAGE);
#else
    (void)p;
    (void)n;
#endif
}

#define RECORD_HEADER ((int64_t)offsetof(fw2v_tt_record, key))

/* Bytes a record of a key of `len` bytes takes in the arena (8-byte aligned). */
FW2V_INLINE int64_t record_size(int64_t len) { return (RECORD_HEADER + len + 7) & ~(int64_t)7; }

static int grow_entries(fw2v_token_table *t, int64_t need)
{
    if (need <= t->entries_cap) return FW2V_OK;
    int64_t cap = t->entries_cap ? t->entries_cap : 1024;
    while (cap < need) cap *= 2;
    int64_t *p = (int64_t *)realloc(t->record, (size_t)cap * sizeof(int64_t));
    if (!p) return FW2V_ERR_NOMEM;
    t->record = p;
    t->entries_cap = cap;
    return FW2V_OK;
}

static int grow_arena(fw2v_token_table *t, int64_t extra)
{
    if (t->arena_used + extra <= t->arena_cap) return FW2V_OK;
    int64_t cap = t->arena_cap ? t->arena_cap : 1 << 16;
    while (cap < t->arena_used + extra) cap *= 2;
    char *a = (char *)realloc(t->arena, (size_t)cap); /* malloc alignment keeps records 8-aligned */
    if (!a) return FW2V_ERR_NOMEM;
    t->arena = a;
    t->arena_cap = cap;
    advise_huge_pages(a, (size_t)cap);
    return FW2V_OK;
}

FW2V_INLINE void place(fw2v_tt_slot *slots, uint64_t mask, uint64_t h, int64_t record)
{
    uint64_t s = h & mask;
    while (slots[s].record >= 0) s = (s + 1) & mask;
    slots[s].hash = h;
    slots[s].record = record;
}

/* A new slot array of `capacity`; the hashes come from the old slots, or are
 * recomputed from the keys when `rehash` (after compaction moved the records). */
static int rebuild_slots(fw2v_token_table *t, int64_t capacity, int rehash)
{
    fw2v_tt_slot *slots = (fw2v_tt_slot *)malloc((size_t)capacity * sizeof(fw2v_tt_slot));
    if (!slots) return FW2V_ERR_NOMEM;
    advise_huge_pages(slots, (size_t)capacity * sizeof(fw2v_tt_slot));
    for (int64_t s = 0; s < capacity; s++) slots[s].record = -1;
    uint64_t mask = (uint64_t)capacity - 1;
    if (rehash || !t->slots) {
        for (int64_t i = 0; i < t->size; i++) {
            const fw2v_tt_record *r = fw2v_tt_entry(t, i);
            place(slots, mask, fw2v_hash_bytes(r->key, r->key_len), t->record[i]);
        }
    } else {
        for (int64_t s = 0; s < t->capacity; s++) {
            if (t->slots[s].record >= 0) place(slots, mask, t->slots[s].hash, t->slots[s].record);
        }
    }
    free(t->slots);
    t->slots = slots;
    t->capacity = capacity;
    return FW2V_OK;
}

int fw2v_tt_init(fw2v_token_table *t, int64_t expected)
{
    memset(t, 0, sizeof(*t));
    int64_t cap = 1024;
    while (cap < 2 * expected) cap *= 2;
    if (grow_entries(t, cap / 2) != FW2V_OK || grow_arena(t, 1) != FW2V_OK) return FW2V_ERR_NOMEM;
    return rebuild_slots(t, cap, 0);
}

void fw2v_tt_free(fw2v_token_table *t)
{
    free(t->slots);
    free(t->record);
    free(t->arena);
    memset(t, 0, sizeof(*t));
}

FW2V_INLINE int same_key(const fw2v_tt_record *r, const char *key, int64_t len)
{
    return r->key_len == len && memcmp(r->key, key, (size_t)len) == 0;
}

int64_t fw2v_tt_find(const fw2v_token_table *t, const char *key, int64_t len, uint64_t h)
{
    uint64_t mask = (uint64_t)t->capacity - 1;
    uint64_t s = h & mask;
    for (;;) {
        int64_t r = t->slots[s].record;
        if (r < 0) return -1;
        if (t->slots[s].hash == h) {
            const fw2v_tt_record *rec = (const fw2v_tt_record *)(t->arena + r);
            if (same_key(rec, key, len)) return rec->index;
        }
        s = (s + 1) & mask;
    }
}

int64_t fw2v_tt_add_hashed(fw2v_token_table *t, const char *key, int64_t len, uint64_t h, int64_t amount)
{
    uint64_t mask = (uint64_t)t->capacity - 1;
    uint64_t s = h & mask;
    for (;;) {
        int64_t r = t->slots[s].record;
        if (r < 0) break;
        if (t->slots[s].hash == h) {
            fw2v_tt_record *rec = (fw2v_tt_record *)(t->arena + r);
            if (same_key(rec, key, len)) {
                rec->count += amount;
                return rec->index;
            }
        }
        s = (s + 1) & mask;
    }
    int64_t size = record_size(len);
    if (len > INT32_MAX || grow_entries(t, t->size + 1) != FW2V_OK || grow_arena(t, size) != FW2V_OK) return -1;
    int64_t i = t->size++, offset = t->arena_used;
    fw2v_tt_record *rec = (fw2v_tt_record *)(t->arena + offset);
    rec->count = amount;
    rec->order = t->next_order++;
    rec->index = i;
    rec->key_len = (int32_t)len;
    memcpy(rec->key, key, (size_t)len);
    t->arena_used += size;
    t->record[i] = offset;
    t->slots[s].hash = h;
    t->slots[s].record = offset;
    if (2 * t->size > t->capacity) {
        if (rebuild_slots(t, t->capacity * 2, 0) != FW2V_OK) return -1;
    }
    return i;
}

int64_t fw2v_tt_add(fw2v_token_table *t, const char *key, int64_t len, int64_t amount)
{
    return fw2v_tt_add_hashed(t, key, len, fw2v_hash_bytes(key, len), amount);
}

/* How far ahead the slot (2 * DISTANCE) and then the record (DISTANCE) of a
 * key are prefetched: enough misses in flight to cover memory latency, few
 * enough that the lines are still cached when their key comes up (4 to 32
 * measured the same, within noise, on the 2-core development VM). */
#define PREFETCH_DISTANCE 8

FW2V_INLINE void prefetch_record(const fw2v_token_table *t, const fw2v_tt_keyref *k)
{
    uint64_t mask = (uint64_t)t->capacity - 1, s = k->hash & mask;
    for (int probe = 0; probe < 4; probe++, s = (s + 1) & mask) {
        const fw2v_tt_slot *slot = &t->slots[s];
        if (slot->record < 0) return;
        if (slot->hash == k->hash) {
            const char *r = t->arena + slot->record;
            FW2V_PREFETCH(r);
            FW2V_PREFETCH(r + RECORD_HEADER + k->len - 1);
            return;
        }
    }
}

int fw2v_tt_add_many(fw2v_token_table *t, const fw2v_tt_keyref *keys, int64_t n)
{
    for (int64_t k = 0; k < n && k < 2 * PREFETCH_DISTANCE; k++)
        FW2V_PREFETCH(&t->slots[keys[k].hash & ((uint64_t)t->capacity - 1)]);
    for (int64_t k = 0; k < n; k++) {
        if (k + 2 * PREFETCH_DISTANCE < n)
            FW2V_PREFETCH(&t->slots[keys[k + 2 * PREFETCH_DISTANCE].hash & ((uint64_t)t->capacity - 1)]);
        if (k + PREFETCH_DISTANCE < n) prefetch_record(t, &keys[k + PREFETCH_DISTANCE]);
        if (fw2v_tt_add_hashed(t, keys[k].key, keys[k].len, keys[k].hash, 1) < 0) return FW2V_ERR_NOMEM;
    }
    return FW2V_OK;
}

void fw2v_tt_find_many(const fw2v_token_table *t, const fw2v_tt_keyref *keys, int64_t n, int64_t *out)
{
    uint64_t mask = (uint64_t)t->capacity - 1;
    for (int64_t k = 0; k < n && k < 2 * PREFETCH_DISTANCE; k++) FW2V_PREFETCH(&t->slots[keys[k].hash & mask]);
    for (int64_t k = 0; k < n; k++) {
        if (k + 2 * PREFETCH_DISTANCE < n) FW2V_PREFETCH(&t->slots[keys[k + 2 * PREFETCH_DISTANCE].hash & mask]);
        if (k + PREFETCH_DISTANCE < n) prefetch_record(t, &keys[k + PREFETCH_DISTANCE]);
        out[k] = fw2v_tt_find(t, keys[k].key, keys[k].len, keys[k].hash);
    }
}

int fw2v_tt_compact(fw2v_token_table *t, const uint8_t *keep)
{
    int64_t out = 0, arena_out = 0;
    for (int64_t i = 0; i < t->size; i++) {
        if (!keep[i]) continue;
        fw2v_tt_record *rec = fw2v_tt_entry(t, i);
        int64_t size = record_size(rec->key_len);
        rec->index = out;
        memmove(t->arena + arena_out, rec, (size_t)size);
        t->record[out++] = arena_out;
        arena_out += size;
    }
    t->size = out;
    t->arena_used = arena_out;
    int64_t cap = 1024;
    while (cap < 2 * (out + 1)) cap *= 2;
    return rebuild_slots(t, cap, 1);
}
