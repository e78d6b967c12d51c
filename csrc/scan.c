#include "scan.h"

FW2V_INLINE int is_space(unsigned char c)
{
    return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Advances *i past spaces; returns 1 when a newline was crossed. */
FW2V_INLINE int skip_spaces(const char *buf, int64_t n, int64_t *i)
{
    int newline = 0;
    while (*i < n && is_space((unsigned char)buf[*i])) {
        newline |= buf[*i] == '\n';
        (*i)++;
    }
    return newline;
}

FW2V_INLINE int64_t token_end(const char *buf, int64_t n, int64_t i)
{
    while (i < n && !is_space((unsigned char)buf[i])) i++;
    return i;
}

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

int fw2v_scan_count(fw2v_token_table *table, fw2v_scan_state *st, const char *buf, int64_t n,
                    int64_t *pos, int64_t max_vocab_size)
{
    /* gensim checks the size after every sentence, before the next one starts;
     * doing the same keeps pruning (and so the vocabulary) identical to it. */
#define PRUNE_DUE (max_vocab_size > 0 && table->size > max_vocab_size)
    int64_t i = *pos;
    while (i < n) {
        if (skip_spaces(buf, n, &i) && fw2v_scan_finish(st) && PRUNE_DUE) { *pos = i; return FW2V_NEED_PRUNE; }
        if (i >= n) break;
        int64_t end = token_end(buf, n, i);
        if (fw2v_tt_add(table, buf + i, end - i, 1) < 0) { *pos = i; return FW2V_ERR_NOMEM; }
        i = end;
        if (take_token(st) && PRUNE_DUE) { *pos = i; return FW2V_NEED_PRUNE; }
    }
#undef PRUNE_DUE
    *pos = i;
    return FW2V_OK;
}

void fw2v_scan_encode(const fw2v_token_table *lookup, fw2v_scan_state *st, const char *buf, int64_t n,
                      int32_t *ids, int64_t *n_ids, int64_t *ends, int64_t *n_ends)
{
    int64_t i = 0, k = *n_ids, e = *n_ends;
    while (i < n) {
        if (skip_spaces(buf, n, &i) && fw2v_scan_finish(st)) ends[e++] = k;
        if (i >= n) break;
        int64_t end = token_end(buf, n, i);
        int64_t len = end - i;
        int64_t index = fw2v_tt_find(lookup, buf + i, len, fw2v_hash_bytes(buf + i, len));
        if (index >= 0) ids[k++] = (int32_t)index;
        i = end;
        if (take_token(st)) ends[e++] = k;
    }
    *n_ids = k;
    *n_ends = e;
}
