#include "scan.h"
#include "whitespace.h"

/* Accounts one token; returns 1 when it closed a sentence by length. */
FW2V_INLINE int take_token(fw2v_scan_state *st)
{
    st->total_tokens++;
    if (++st->sentence_tokens >= st->max_sentence_length) {
        st->sentence_tokens = 0;
        st->sentences++;
        return 1;
    }
    return 0;
}

int fw2v_scan_finish(fw2v_scan_state *st)
{
    if (st->sentence_tokens == 0) return 0;
    st->sentence_tokens = 0;
    st->sentences++;
    return 1;
}

/* A "\n" was crossed: closes the open sentence; returns 1 when one was closed. */
FW2V_INLINE int take_newline(fw2v_scan_state *st)
{
    if (st->head_tokens < 0) st->head_tokens = st->total_tokens;
    return fw2v_scan_finish(st);
}

int fw2v_scan_count(fw2v_token_table *table, fw2v_scan_state *st, const char *buf, int64_t n,
                    int64_t *pos, int64_t max_vocab_size)
{
    /* gensim checks the size after every sentence, before the next one starts;
     * doing the same keeps pruning (and so the vocabulary) identical to it. */
#define PRUNE_DUE (max_vocab_size > 0 && table->size > max_vocab_size)
    int64_t i = *pos, start, end;
    int newline;
    for (;;) {
        end = fw2v_next_token(buf, n, &i, &start, &newline);
        if (newline && take_newline(st) && PRUNE_DUE) { *pos = end < 0 ? i : start; return FW2V_NEED_PRUNE; }
        if (end < 0) break;
        if (fw2v_tt_add(table, buf + start, end - start, 1) < 0) { *pos = start; return FW2V_ERR_NOMEM; }
        if (take_token(st) && PRUNE_DUE) { *pos = end; return FW2V_NEED_PRUNE; }
    }
#undef PRUNE_DUE
    *pos = i;
    return FW2V_OK;
}

/* Tokens are looked up a batch at a time so fw2v_tt_find_many can prefetch the
 * slots and records of keys further down the batch: with the table larger than
 * L1, the lookups otherwise wait on one miss after another. */
#define SCAN_BATCH 256

void fw2v_scan_encode(const fw2v_token_table *lookup, fw2v_scan_state *st, const char *buf, int64_t n,
                      int32_t *ids, int64_t *n_ids, int64_t *ends, int64_t *n_ends)
{
    fw2v_tt_keyref keys[SCAN_BATCH];
    int64_t found[SCAN_BATCH];
    unsigned char breaks[SCAN_BATCH];       /* a newline came before token j (or, at m, the end) */
    int64_t i = 0, k = *n_ids, e = *n_ends, start, end;
    int newline, m, done = 0;
    while (!done) {
        for (m = 0; m < SCAN_BATCH; m++) {
            end = fw2v_next_token(buf, n, &i, &start, &newline);
            breaks[m] = (unsigned char)newline;
            if (end < 0) { done = 1; break; }
            keys[m].key = buf + start;
            keys[m].len = end - start;
            keys[m].hash = fw2v_hash_bytes(buf + start, end - start);
        }
        fw2v_tt_find_many(lookup, keys, m, found);
        for (int j = 0; j < m; j++) {
            if (breaks[j] && take_newline(st)) ends[e++] = k;
            if (found[j] >= 0) ids[k++] = (int32_t)found[j];
            if (take_token(st)) ends[e++] = k;
        }
        if (done && breaks[m] && take_newline(st)) ends[e++] = k;
    }
    *n_ids = k;
    *n_ends = e;
}
