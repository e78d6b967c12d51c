#include <stdlib.h>
#include <string.h>

#include "token_table.h"

/* FNV-1a followed by a murmur finaliser: FNV alone clusters short keys in the
 * low bits that index the slot array. */
uint64_t fw2v_hash_bytes(const char *key, int64_t len)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (int64_t i = 0; i < len; i++) {
        h ^= (unsigned char)key[i];
        h *= UINT64_C(0x100000001b3);
    }
    h ^= h >> 33;
    h *= UINT64_C(0xff51afd7ed558ccd);
    h ^= h >> 33;
    return h;
}

static int grow_entries(fw2v_token_table *t, int64_t need)
{
    if (need <= t->entries_cap) return FW2V_OK;
    int64_t cap = t->entries_cap ? t->entries_cap : 1024;
    while (cap < need) cap *= 2;
    void *p;
#define GROW(field, type) \
    p = realloc(t->field, (size_t)cap * sizeof(type)); if (!p) return FW2V_ERR_NOMEM; t->field = (type *)p;
    GROW(hash, uint64_t) GROW(count, int64_t) GROW(order, int64_t) GROW(key_offset, int64_t) GROW(key_len, int32_t)
#undef GROW
    t->entries_cap = cap;
    return FW2V_OK;
}

static int rebuild_slots(fw2v_token_table *t, int64_t capacity)
{
    fw2v_tt_slot *slots = (fw2v_tt_slot *)malloc((size_t)capacity * sizeof(fw2v_tt_slot));
    if (!slots) return FW2V_ERR_NOMEM;
    for (int64_t s = 0; s < capacity; s++) slots[s].entry = -1;
    uint64_t mask = (uint64_t)capacity - 1;
    for (int64_t i = 0; i < t->size; i++) {
        uint64_t s = t->hash[i] & mask;
        while (slots[s].entry >= 0) s = (s + 1) & mask;
        slots[s].hash = t->hash[i];
        slots[s].entry = i;
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
    if (grow_entries(t, cap / 2) != FW2V_OK) return FW2V_ERR_NOMEM;
    t->arena_cap = 1 << 16;
    t->arena = (char *)malloc((size_t)t->arena_cap);
    if (!t->arena) return FW2V_ERR_NOMEM;
    return rebuild_slots(t, cap);
}

void fw2v_tt_free(fw2v_token_table *t)
{
    free(t->slots); free(t->hash); free(t->count); free(t->order);
    free(t->key_offset); free(t->key_len); free(t->arena);
    memset(t, 0, sizeof(*t));
}

int64_t fw2v_tt_find(const fw2v_token_table *t, const char *key, int64_t len, uint64_t h)
{
    uint64_t mask = (uint64_t)t->capacity - 1;
    uint64_t s = h & mask;
    for (;;) {
        int64_t i = t->slots[s].entry;
        if (i < 0) return -1;
        if (t->slots[s].hash == h && t->key_len[i] == len
            && memcmp(t->arena + t->key_offset[i], key, (size_t)len) == 0)
            return i;
        s = (s + 1) & mask;
    }
}

int64_t fw2v_tt_add(fw2v_token_table *t, const char *key, int64_t len, int64_t amount)
{
    uint64_t h = fw2v_hash_bytes(key, len);
    uint64_t mask = (uint64_t)t->capacity - 1;
    uint64_t s = h & mask;
    for (;;) {
        int64_t i = t->slots[s].entry;
        if (i < 0) break;
        if (t->slots[s].hash == h && t->key_len[i] == len
            && memcmp(t->arena + t->key_offset[i], key, (size_t)len) == 0) {
            t->count[i] += amount;
            return i;
        }
        s = (s + 1) & mask;
    }
    if (grow_entries(t, t->size + 1) != FW2V_OK) return -1;
    if (t->arena_used + len > t->arena_cap) {
        int64_t cap = t->arena_cap;
        while (cap < t->arena_used + len) cap *= 2;
        char *a = (char *)realloc(t->arena, (size_t)cap);
        if (!a) return -1;
        t->arena = a;
        t->arena_cap = cap;
    }
    int64_t i = t->size++;
    memcpy(t->arena + t->arena_used, key, (size_t)len);
    t->key_offset[i] = t->arena_used;
    t->key_len[i] = (int32_t)len;
    t->arena_used += len;
    t->hash[i] = h;
    t->count[i] = amount;
    t->order[i] = t->next_order++;
    t->slots[s].hash = h;
    t->slots[s].entry = i;
    if (2 * t->size > t->capacity) {
        if (rebuild_slots(t, t->capacity * 2) != FW2V_OK) return -1;
    }
    return i;
}

int fw2v_tt_compact(fw2v_token_table *t, const uint8_t *keep)
{
    int64_t out = 0, arena_out = 0;
    for (int64_t i = 0; i < t->size; i++) {
        if (!keep[i]) continue;
        int32_t len = t->key_len[i];
        memmove(t->arena + arena_out, t->arena + t->key_offset[i], (size_t)len);
        t->hash[out] = t->hash[i];
        t->count[out] = t->count[i];
        t->order[out] = t->order[i];
        t->key_len[out] = len;
        t->key_offset[out] = arena_out;
        arena_out += len;
        out++;
    }
    t->size = out;
    t->arena_used = arena_out;
    int64_t cap = 1024;
    while (cap < 2 * (out + 1)) cap *= 2;
    return rebuild_slots(t, cap);
}
