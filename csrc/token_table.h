/* Token table: an open-addressing hash table from byte strings to counts.
 *
 * One table serves every front end: str tokens are looked up by their UTF-8
 * bytes, integer tokens by their 8 native bytes, and file input by the raw
 * bytes between whitespace. So a corpus gives the same vocabulary whether it
 * arrives as a file or as Python lists.
 *
 * Invariants:
 *  - entries are numbered densely 0..size-1 in insertion order; `order[i]` is a
 *    monotone insertion stamp that survives pruning (ties in the final sort
 *    are broken by it: first occurrence wins, whatever PYTHONHASHSEED is);
 *  - the slot array has a power-of-two capacity, at most half full; each slot
 *    keeps the full hash beside the entry index, so a probe touches one cache
 *    line and reads key bytes only on a hash match;
 *  - key bytes live in one arena; `key_offset[i]`, `key_len[i]` locate them.
 */
#ifndef FW2V_TOKEN_TABLE_H
#define FW2V_TOKEN_TABLE_H

#include "fw2v_common.h"

typedef struct {
    uint64_t hash;
    int64_t entry;           /* -1 for an empty slot */
} fw2v_tt_slot;

typedef struct {
    fw2v_tt_slot *slots;     /* length `capacity` */
    int64_t capacity;
    int64_t size;            /* number of entries */
    int64_t entries_cap;
    uint64_t *hash;
    int64_t *count;
    int64_t *order;
    int64_t *key_offset;
    int32_t *key_len;
    char *arena;
    int64_t arena_used;
    int64_t arena_cap;
    int64_t next_order;
} fw2v_token_table;

int fw2v_tt_init(fw2v_token_table *t, int64_t expected);
void fw2v_tt_free(fw2v_token_table *t);

uint64_t fw2v_hash_bytes(const char *key, int64_t len);

/* Entry index of `key`, or -1. */
int64_t fw2v_tt_find(const fw2v_token_table *t, const char *key, int64_t len, uint64_t h);

/* Adds `amount` to the count of `key`, inserting it if new. Returns the entry
 * index, or -1 when out of memory. */
int64_t fw2v_tt_add(fw2v_token_table *t, const char *key, int64_t len, int64_t amount);

/* Keeps only entries with keep[i] != 0 (order stamps are preserved). */
int fw2v_tt_compact(fw2v_token_table *t, const uint8_t *keep);

FW2V_INLINE const char *fw2v_tt_key(const fw2v_token_table *t, int64_t i) { return t->arena + t->key_offset[i]; }

#endif
