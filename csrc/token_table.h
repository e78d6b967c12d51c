/* Token table: an open-addressing hash table from byte strings to counts.
 *
 * One table serves every front end: str tokens are looked up by their UTF-8
 * bytes, integer tokens by their 8 native bytes, and file input by the raw
 * bytes between whitespace. So a corpus gives the same vocabulary whether it
 * arrives as a file or as Python lists.
 *
 * Layout, chosen for tables far larger than the caches (a phrase counter holds
 * millions of unigrams and bigrams): each slot keeps the full hash beside the
 * byte offset of its entry's record, and a record keeps the entry's counters
 * and key bytes together. A lookup that hits touches one slot and one record
 * (two cache misses, both predictable from the hash, so fw2v_tt_add_many can
 * prefetch them for keys further down a batch); a miss rarely leaves the slot.
 *
 * Invariants:
 *  - entries are numbered densely 0..size-1 in insertion order; a record's
 *    `order` is a monotone insertion stamp that survives pruning (ties in the
 *    final sort are broken by it: first occurrence wins, whatever
 *    PYTHONHASHSEED is);
 *  - records lie in `arena` in entry order, 8-byte aligned; `record[i]` is the
 *    offset of entry i's record and the record's `index` is i;
 *  - the slot array has a power-of-two capacity, at most half full.
 * The hash is internal: nothing persisted depends on it.
 */
#ifndef FW2V_TOKEN_TABLE_H
#define FW2V_TOKEN_TABLE_H

#include <string.h>

#include "fw2v_common.h"

typedef struct {
    uint64_t hash;
    int64_t record;          /* offset of the entry's record in `arena`; -1 for an empty slot */
} fw2v_tt_slot;

typedef struct {
    int64_t count;
    int64_t order;
    int64_t index;
    int32_t key_len;
    char key[];              /* key_len bytes, then padding to a multiple of 8 */
} fw2v_tt_record;

typedef struct {
    fw2v_tt_slot *slots;     /* length `capacity` */
    int64_t capacity;
    int64_t size;            /* number of entries */
    int64_t *record;         /* length `entries_cap`: record offset of each entry */
    int64_t entries_cap;
    char *arena;             /* the records */
    int64_t arena_used;
    int64_t arena_cap;
    int64_t next_order;
} fw2v_token_table;

/* A key to add, with its hash computed by the caller (fw2v_hash_bytes). */
typedef struct {
    const char *key;
    int64_t len;
    uint64_t hash;
} fw2v_tt_keyref;

int fw2v_tt_init(fw2v_token_table *t, int64_t expected);
void fw2v_tt_free(fw2v_token_table *t);

/* Eight bytes at a time, each word folded in with a multiply and a shift, the
 * last 1-7 bytes read as two overlapping pieces (wyhash's trick, no byte loop),
 * then murmur3's 64-bit finaliser so the low bits (which pick the slot) depend
 * on every byte. The length seeds the state, so the tail reads, which are
 * one-to-one only for a given length, never collide across lengths. Inline:
 * it runs once per key of every lookup. */
FW2V_INLINE uint64_t fw2v_hash_bytes(const char *key, int64_t len)
{
    const uint64_t m = UINT64_C(0x9e3779b97f4a7c15);
    const unsigned char *p = (const unsigned char *)key;
    uint64_t h = (uint64_t)len * m, w;
    uint32_t lo, hi;
    int64_t i = 0;
    for (; i + 8 <= len; i += 8) {
        memcpy(&w, p + i, 8);
        h = (h ^ w) * m;
        h ^= h >> 32;
    }
    int64_t rest = len - i;
    if (rest) {
        p += i;
        if (rest >= 4) {
            memcpy(&lo, p, 4);
            memcpy(&hi, p + rest - 4, 4);
            w = (uint64_t)lo | ((uint64_t)hi << 32);
        } else {
            w = (uint64_t)p[0] | ((uint64_t)p[rest >> 1] << 8) | ((uint64_t)p[rest - 1] << 16);
        }
        h = (h ^ w) * m;
        h ^= h >> 32;
    }
    h ^= h >> 33;
    h *= UINT64_C(0xff51afd7ed558ccd);
    h ^= h >> 33;
    h *= UINT64_C(0xc4ceb9fe1a85ec53);
    h ^= h >> 33;
    return h;
}

/* Entry index of `key` (whose hash is h), or -1. */
int64_t fw2v_tt_find(const fw2v_token_table *t, const char *key, int64_t len, uint64_t h);

/* Adds `amount` to the count of `key`, inserting it if new. Returns the entry
 * index, or -1 when out of memory. */
int64_t fw2v_tt_add(fw2v_token_table *t, const char *key, int64_t len, int64_t amount);
int64_t fw2v_tt_add_hashed(fw2v_token_table *t, const char *key, int64_t len, uint64_t h, int64_t amount);

/* fw2v_tt_add_hashed(keys[k], 1) for k = 0..n-1 in order (so the same
 * entries, counts and insertion order), with the slots and records of later
 * keys prefetched while earlier ones are added. FW2V_OK or FW2V_ERR_NOMEM. */
int fw2v_tt_add_many(fw2v_token_table *t, const fw2v_tt_keyref *keys, int64_t n);

/* out[k] = fw2v_tt_find(keys[k]) for k = 0..n-1, with the slots and records of
 * later keys prefetched while earlier ones are looked up (a lookup is two cache
 * misses when the table is bigger than the cache). */
void fw2v_tt_find_many(const fw2v_token_table *t, const fw2v_tt_keyref *keys, int64_t n, int64_t *out);

/* Keeps only entries with keep[i] != 0 (order stamps are preserved). */
int fw2v_tt_compact(fw2v_token_table *t, const uint8_t *keep);

FW2V_INLINE fw2v_tt_record *fw2v_tt_entry(const fw2v_token_table *t, int64_t i)
{
    return (fw2v_tt_record *)(t->arena + t->record[i]);
}
FW2V_INLINE const char *fw2v_tt_key(const fw2v_token_table *t, int64_t i) { return fw2v_tt_entry(t, i)->key; }
FW2V_INLINE int64_t fw2v_tt_key_len(const fw2v_token_table *t, int64_t i) { return fw2v_tt_entry(t, i)->key_len; }
FW2V_INLINE int64_t fw2v_tt_count(const fw2v_token_table *t, int64_t i) { return fw2v_tt_entry(t, i)->count; }
FW2V_INLINE int64_t fw2v_tt_order(const fw2v_token_table *t, int64_t i) { return fw2v_tt_entry(t, i)->order; }

#endif
