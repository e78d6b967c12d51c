/* Integer keys: a hash index over an array of int64 keys, and a counter built on it.
 *
 * Item and node IDs need no byte strings: an int64 is its own hash input and its
 * own comparison. So a slot holds nothing but the int32 number of an entry in a
 * key array kept elsewhere (the counter's own, or the vocabulary's NumPy array):
 * 4 bytes a slot, 5.7 bytes a key in a vocabulary's index, and the
 * vocabulary stores each key once. The token table (token_table.h) stays the
 * table for str tokens and mixed front ends; this one serves integer corpora
 * end to end: counting, the vocabulary's key -> index lookup, and encoding.
 *
 * Invariants:
 *  - size <= FW2V_IK_MAX_LOAD of n_slots (0 before any key); linear probing, no
 *    deletion (compaction rebuilds the slots); n_slots < 2^32;
 *  - slots[s] is -1 (empty) or an entry i < size whose key hashes to a slot on
 *    the probe path ending at s;
 *  - entries are numbered 0..size-1 in insertion order. The counter keeps that
 *    order through pruning, so a stable sort by descending count breaks ties by
 *    first occurrence, whatever PYTHONHASHSEED is;
 *  - at most FW2V_IK_MAX_ENTRIES entries: vocabulary indices are int32 in the kernels.
 */
#ifndef FW2V_INT_KEYS_H
#define FW2V_INT_KEYS_H

#include "fw2v_common.h"

#define FW2V_IK_MAX_ENTRIES INT32_MAX
/* Keep slots at most 70% full: ~2.2 probes for a hit and ~6 for a miss with linear
 * probing (Knuth), all but the first usually in the same cache line of int32 slots. */
#define FW2V_IK_MAX_LOAD_NUM 7
#define FW2V_IK_MAX_LOAD_DEN 10

enum { FW2V_IK_DUPLICATE = 100, FW2V_IK_FULL = 101 };

typedef struct {
    int32_t *slots;
    int64_t n_slots;
    int64_t size;            /* entries indexed: keys[0 .. size) */
} fw2v_int_index;

/* Empty index (no allocation). */
void fw2v_ii_init(fw2v_int_index *ix);
void fw2v_ii_free(fw2v_int_index *ix);

/* Indexes keys[0 .. n) afresh, with slots sized for at least `reserve` keys.
 * FW2V_OK, FW2V_ERR_NOMEM, FW2V_IK_FULL, or FW2V_IK_DUPLICATE with *duplicate
 * set to the first entry whose key repeats an earlier one. */
int fw2v_ii_build(fw2v_int_index *ix, const int64_t *keys, int64_t n, int64_t reserve, int64_t *duplicate);

/* Entry of `key`, or -1. */
int64_t fw2v_ii_find(const fw2v_int_index *ix, const int64_t *keys, int64_t key);

/* Indexes keys[ix->size] (which must not be indexed yet) as entry ix->size. */
int fw2v_ii_append(fw2v_int_index *ix, const int64_t *keys);

/* Entry index of each key[i] (-1 when absent), as int32. */
void fw2v_ii_lookup(const fw2v_int_index *ix, const int64_t *keys, const int64_t *query, int64_t n, int32_t *out);

typedef struct {
    fw2v_int_index index;
    int64_t *keys;           /* [size] in first-insertion order */
    int64_t *counts;         /* [size] */
    int64_t capacity;        /* allocated entries of keys and counts */
} fw2v_int_counter;

void fw2v_ic_init(fw2v_int_counter *c);
void fw2v_ic_free(fw2v_int_counter *c);

/* Adds `amount` to the count of `key`, inserting it if new: its entry, or -1 when
 * out of memory or full (FW2V_IK_MAX_ENTRIES). */
int64_t fw2v_ic_add(fw2v_int_counter *c, int64_t key, int64_t amount);

/* Counts the ids of sequences first .. n_sequences-1 (sequence s is
 * ids[offsets[s] .. offsets[s+1])), stopping after the first sequence that leaves
 * more than `limit` entries (0: never). *next is the sequence to count next.
 * FW2V_OK, FW2V_NEED_PRUNE (stopped at the limit), or FW2V_ERR_NOMEM. */
int fw2v_ic_count_sequences(fw2v_int_counter *c, const int64_t *ids, const int64_t *offsets,
                            int64_t first, int64_t n_sequences, int64_t limit, int64_t *next);

/* Keeps only entries with keep[i] != 0, in their order. */
int fw2v_ic_compact(fw2v_int_counter *c, const uint8_t *keep);

/* Hands freed heap memory back to the system (glibc; a no-op elsewhere). glibc keeps
 * freed blocks under its adaptive trim threshold (up to 64 MiB) resident: after
 * counting, the counter's outgrown arrays would stay in RSS through training. */
void fw2v_trim_heap(void);

#endif
