#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "phrases.h"
#include "whitespace.h"

int fw2v_bytes_reserve(fw2v_bytes *b, int64_t extra)
{
    if (b->len + extra <= b->cap) return FW2V_OK;
    int64_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra) cap *= 2;
    char *p = (char *)realloc(b->data, (size_t)cap);
    if (!p) return FW2V_ERR_NOMEM;
    b->data = p;
    b->cap = cap;
    return FW2V_OK;
}

/* Doubles an array of *cap elements of `elem` bytes (or makes one of `first`):
 * the new block, with *cap updated, or NULL with the old block and *cap left
 * as they were. */
static void *grow_array(void *data, int64_t *cap, int64_t first, size_t elem)
{
    int64_t n = *cap ? 2 * *cap : first;
    void *p = realloc(data, (size_t)n * elem);
    if (p) *cap = n;
    return p;
}

void fw2v_bytes_free(fw2v_bytes *b)
{
    free(b->data);
    memset(b, 0, sizeof(*b));
}

/* fw2v_bytes_reserve with the usual case (room enough) inline: it runs for
 * every token. */
FW2V_INLINE int reserve(fw2v_bytes *b, int64_t extra)
{
    return b->len + extra <= b->cap ? FW2V_OK : fw2v_bytes_reserve(b, extra);
}

FW2V_INLINE int append(fw2v_bytes *b, const char *p, int64_t n)
{
    if (reserve(b, n) != FW2V_OK) return FW2V_ERR_NOMEM;
    if (n) memcpy(b->data + b->len, p, (size_t)n); /* an empty token into an empty buffer: data is NULL */
    b->len += n;
    return FW2V_OK;
}

void fw2v_cursor_free(fw2v_phrase_cursor *c)
{
    fw2v_bytes_free(&c->key);
    free(c->token_len);
    memset(c, 0, sizeof(*c));
}

void fw2v_count_batch_free(fw2v_count_batch *b)
{
    free(b->ops);
    fw2v_bytes_free(&b->bigrams);
    free(b->marks);
    memset(b, 0, sizeof(*b));
}

/* ---- tokens: csrc/whitespace.h ---- */

/* Accounts one token of a sentence; 1 when the sentence reached its length cap. */
FW2V_INLINE int sentence_full(fw2v_scan_state *st)
{
    st->total_tokens++;
    return ++st->sentence_tokens >= st->max_sentence_length;
}

/* ---- lookups ---- */

FW2V_INLINE int64_t lookup(const fw2v_token_table *t, const char *p, int64_t n)
{
    return t->size ? fw2v_tt_find(t, p, n, fw2v_hash_bytes(p, n)) : -1;
}

FW2V_INLINE int is_connector(const fw2v_phrase_model *m, const char *p, int64_t n)
{
    return m->connectors->size && lookup(m->connectors, p, n) >= 0;
}

FW2V_INLINE int64_t count_of(const fw2v_token_table *t, const char *p, int64_t n)
{
    int64_t i = lookup(t, p, n);
    return i < 0 ? 0 : fw2v_tt_count(t, i);
}

/* ---- the pending candidate ---- */

FW2V_INLINE int cursor_push(fw2v_phrase_cursor *c, const fw2v_phrase_model *m, const char *tok, int64_t len)
{
    if (c->n_pending == c->len_cap) {
        int64_t *p = (int64_t *)grow_array(c->token_len, &c->len_cap, 16, sizeof(int64_t));
        if (!p) return FW2V_ERR_NOMEM;
        c->token_len = p;
    }
    if (c->n_pending && append(&c->key, m->delimiter, m->delimiter_len) != FW2V_OK) return FW2V_ERR_NOMEM;
    if (append(&c->key, tok, len) != FW2V_OK) return FW2V_ERR_NOMEM;
    c->token_len[c->n_pending++] = len;
    return FW2V_OK;
}

FW2V_INLINE void cursor_clear(fw2v_phrase_cursor *c)
{
    c->n_pending = 0;
    c->key.len = 0;
}

/* ---- the frozen model's filter ---- */

/* One value per (first token, last token) pair; the probes take hash bits
 * the table's slot index (low bits) does not. */
FW2V_INLINE uint64_t pair_hash(uint64_t first, uint64_t last)
{
    uint64_t h = first ^ (last * UINT64_C(0x9e3779b97f4a7c15));
    h ^= h >> 29;
    h *= UINT64_C(0xbf58476d1ce4e5b9);
    return h ^ (h >> 32);
}

/* Both probes fall in one 64-bit word (a blocked Bloom filter): a test is
 * one load, nearly always an L1 miss on a filter of 64 KiB and more, where
 * two independent probes cost two. */
FW2V_INLINE uint64_t filter_word(uint64_t h, uint64_t mask) { return (h >> 12) & (mask >> 6); }
FW2V_INLINE uint64_t filter_bits(uint64_t h) { return (UINT64_C(1) << (h >> 58)) | (UINT64_C(1) << ((h >> 52) & 63)); }

FW2V_INLINE int filter_may_contain(const fw2v_phrase_model *m, uint64_t first, uint64_t last)
{
    uint64_t h = pair_hash(first, last), bits = filter_bits(h);
    return (m->filter[filter_word(h, m->filter_mask)] & bits) == bits;
}

/* Visits every cut of `key` into key[:p] and key[q + d:] with p <= q both
 * occurrences of the delimiter (overlapping ones included: a token may
 * contain delimiter characters); with filter NULL only counts them. */
static int64_t filter_cuts(const fw2v_phrase_model *m, const char *key, int64_t len, uint64_t *filter, uint64_t mask)
{
    int64_t d = m->delimiter_len, n = 0;
    for (int64_t p = 0; p + d <= len; p++) {
        if (memcmp(key + p, m->delimiter, (size_t)d) != 0) continue;
        uint64_t first = filter ? fw2v_hash_bytes(key, p) : 0;
        for (int64_t q = p; q + d <= len; q++) {
            if (memcmp(key + q, m->delimiter, (size_t)d) != 0) continue;
            n++;
            if (!filter) continue;
            uint64_t h = pair_hash(first, fw2v_hash_bytes(key + q + d, len - q - d));
            filter[filter_word(h, mask)] |= filter_bits(h);
        }
    }
    return n;
}

int64_t fw2v_phrase_filter_pairs(const fw2v_phrase_model *m)
{
    int64_t n = 0;
    for (int64_t i = 0; i < m->table->size; i++)
        n += filter_cuts(m, fw2v_tt_key(m->table, i), fw2v_tt_key_len(m->table, i), NULL, 0);
    return n;
}

int64_t fw2v_phrase_filter_bits(int64_t n_pairs)
{
    int64_t bits = 512;
    while (bits < 32 * n_pairs && bits < ((int64_t)1 << 26)) bits *= 2;
    return bits;
}

void fw2v_phrase_filter_build(const fw2v_phrase_model *m, uint64_t *filter, uint64_t filter_mask)
{
    for (int64_t i = 0; i < m->table->size; i++)
        filter_cuts(m, fw2v_tt_key(m->table, i), fw2v_tt_key_len(m->table, i), filter, filter_mask);
}

/* ---- scoring ---- */

double fw2v_phrase_score(const fw2v_phrase_model *m, int64_t count_a, int64_t count_b, int64_t count_ab)
{
    if (m->scoring == FW2V_SCORE_NPMI) {
        /* gensim npmi_scorer, same operations in the same order */
        if (!((double)count_ab >= m->min_count)) return -INFINITY;
        double pa = (double)count_a / m->corpus_word_count;
        double pb = (double)count_b / m->corpus_word_count;
        double pab = (double)count_ab / m->corpus_word_count;
        double r = pab / (pa * pb);
        if (!(r > 0.0)) return -INFINITY; /* Python's log raises ValueError -> -inf */
        return log(r) / -log(pab);
    }
    if (m->scoring == FW2V_SCORE_WORD2PHRASE) {
        /* word2phrase.c TrainModel: real (float) arithmetic and unigram min_count */
        if ((double)count_a < m->min_count || (double)count_b < m->min_count) return 0.0;
        float s = (float)((double)count_ab - m->min_count) / (float)count_a / (float)count_b
                  * (float)m->corpus_word_count;
        return (double)s;
    }
    /* gensim original_scorer: (ab - min_count) / float(a * b) * len_vocab; the
     * product is exact in Python, so fall back to double only past int64 */
    double denom;
    if (count_b != 0 && count_a > INT64_MAX / count_b) denom = (double)count_a * (double)count_b;
    else denom = (double)(count_a * count_b);
    if (denom == 0.0) return -INFINITY;
    return ((double)count_ab - m->min_count) / denom * m->len_vocab;
}

/* gensim score_candidate on the pending key + delimiter + b (already in c->key).
 * Returns 1 and the score when it is a phrase. */
static int score_candidate(const fw2v_phrase_model *m, const fw2v_phrase_cursor *c,
                           const char *b, int64_t b_len, double *score)
{
    double s;
    if (m->scoring == FW2V_SCORE_FROZEN) {
        int64_t i = lookup(m->table, c->key.data, c->key.len);
        if (i < 0) return 0;
        s = m->frozen_scores[i];
    } else {
        int64_t ca = count_of(m->table, c->key.data, c->token_len[0]);
        if (ca <= 0) return 0;
        int64_t cb = count_of(m->table, b, b_len);
        if (cb <= 0) return 0;
        int64_t cab = count_of(m->table, c->key.data, c->key.len);
        if (cab <= 0) return 0;
        s = fw2v_phrase_score(m, ca, cb, cab);
    }
    if (s <= m->threshold) return 0; /* gensim: `if score <= threshold: not a phrase` */
    *score = s;
    return 1;
}

/* ---- counting ---- */

FW2V_INLINE void batch_clear(fw2v_count_batch *b)
{
    b->n_ops = 0;
    b->n_marks = 0;
    b->bigrams.len = 0;
}

/* A unigram key (in the input) or, with key NULL, a bigram key at `offset`
 * of b->bigrams (resolved once the batch is complete: the buffer may move). */
FW2V_INLINE int push_op(fw2v_count_batch *b, const char *key, int64_t len, int64_t offset)
{
    if (b->n_ops == b->ops_cap) {
        fw2v_tt_keyref *p = (fw2v_tt_keyref *)grow_array(b->ops, &b->ops_cap, 4096, sizeof(fw2v_tt_keyref));
        if (!p) return FW2V_ERR_NOMEM;
        b->ops = p;
    }
    fw2v_tt_keyref *op = &b->ops[b->n_ops++];
    op->key = key;
    op->len = len;
    op->hash = (uint64_t)offset;
    return FW2V_OK;
}

/* Records that a sentence ended after the keys gathered so far. */
static int push_mark(fw2v_count_batch *b)
{
    if (b->n_marks == b->marks_cap) {
        int64_t *p = (int64_t *)grow_array(b->marks, &b->marks_cap, 256, sizeof(int64_t));
        if (!p) return FW2V_ERR_NOMEM;
        b->marks = p;
    }
    b->marks[b->n_marks++] = b->n_ops;
    return FW2V_OK;
}

/* Appends the bigram `a` + delimiter + `tok` to the batch as one key. */
FW2V_INLINE int push_bigram(const fw2v_phrase_model *m, fw2v_count_batch *b, const char *a, int64_t a_len,
                            const char *tok, int64_t len)
{
    fw2v_bytes *k = &b->bigrams;
    int64_t offset = k->len, key_len = a_len + m->delimiter_len + len;
    if (fw2v_bytes_reserve(k, key_len) != FW2V_OK) return FW2V_ERR_NOMEM;
    char *out = k->data + offset;
    memcpy(out, a, (size_t)a_len);
    memcpy(out + a_len, m->delimiter, (size_t)m->delimiter_len);
    memcpy(out + a_len + m->delimiter_len, tok, (size_t)len);
    k->len += key_len;
    return push_op(b, NULL, key_len, offset);
}

/* Copies a pending start token that points into the input into the cursor. */
FW2V_INLINE int own_prev(const fw2v_phrase_model *m, fw2v_phrase_cursor *c)
{
    const char *prev = c->prev;
    if (!prev) return FW2V_OK;
    c->prev = NULL;
    return cursor_push(c, m, prev, c->prev_len);
}

/* gensim _learn_vocab, one token: its unigram key, then (when it closes one)
 * the bigram key: the previous non-connector token (c->prev, or the cursor's
 * key with the connectors after it) joined to this one. */
FW2V_INLINE int gather_token(const fw2v_phrase_model *m, fw2v_phrase_cursor *c, fw2v_count_batch *b,
                             const char *tok, int64_t len)
{
    if (is_connector(m, tok, len)) {
        if (own_prev(m, c) != FW2V_OK) return FW2V_ERR_NOMEM;
        return c->n_pending ? cursor_push(c, m, tok, len) : FW2V_OK;
    }
    if (push_op(b, tok, len, 0) != FW2V_OK) return FW2V_ERR_NOMEM;
    if (c->prev) {
        if (push_bigram(m, b, c->prev, c->prev_len, tok, len) != FW2V_OK) return FW2V_ERR_NOMEM;
    } else if (c->n_pending) {
        if (push_bigram(m, b, c->key.data, c->key.len, tok, len) != FW2V_OK) return FW2V_ERR_NOMEM;
        cursor_clear(c);
    }
    /* the token ends one bigram and starts the next */
    c->prev = tok;
    c->prev_len = len;
    return FW2V_OK;
}

/* Points bigram keys at their bytes and hashes every key. */
static void resolve_batch(fw2v_count_batch *b)
{
    for (int64_t k = 0; k < b->n_ops; k++) {
        fw2v_tt_keyref *op = &b->ops[k];
        if (!op->key) op->key = b->bigrams.data + op->hash;
        op->hash = fw2v_hash_bytes(op->key, op->len);
    }
}

int fw2v_phrases_gather_tokens(const fw2v_phrase_model *m, fw2v_phrase_cursor *c,
                               const char *const *tokens, const int64_t *lens, int64_t n, fw2v_count_batch *b)
{
    cursor_clear(c);
    c->prev = NULL;
    batch_clear(b);
    for (int64_t i = 0; i < n; i++) {
        if (gather_token(m, c, b, tokens[i], lens[i]) != FW2V_OK) return FW2V_ERR_NOMEM;
    }
    cursor_clear(c);
    c->prev = NULL;
    resolve_batch(b);
    return FW2V_OK;
}

int fw2v_phrases_count_finish(fw2v_phrase_cursor *c, fw2v_scan_state *st)
{
    cursor_clear(c);
    c->prev = NULL;
    return fw2v_scan_finish(st);
}

int fw2v_phrases_gather_buffer(const fw2v_phrase_model *m, fw2v_phrase_cursor *c, fw2v_scan_state *st,
                               int line_sentences, const char *buf, int64_t n, fw2v_count_batch *b)
{
    int64_t i = 0, start = 0, end;
    int newline;
    batch_clear(b);
    for (;;) {
        end = fw2v_next_token(buf, n, &i, &start, &newline);
        if (newline && line_sentences && fw2v_phrases_count_finish(c, st) && push_mark(b) != FW2V_OK)
            return FW2V_ERR_NOMEM;
        if (end < 0) break;
        if (gather_token(m, c, b, buf + start, end - start) != FW2V_OK) return FW2V_ERR_NOMEM;
        if (sentence_full(st) && fw2v_phrases_count_finish(c, st) && push_mark(b) != FW2V_OK)
            return FW2V_ERR_NOMEM;
    }
    resolve_batch(b);
    return own_prev(m, c); /* the input may be gone before the next call */
}

int fw2v_phrases_add_batch(fw2v_token_table *vocab, const fw2v_count_batch *b, int64_t max_vocab_size,
                           int64_t *next_op, int64_t *next_mark)
{
    int64_t from = *next_op;
    if (max_vocab_size > 0 && vocab->size + (b->n_ops - from) > max_vocab_size) {
        for (int64_t k = *next_mark; k < b->n_marks; k++) {
            if (fw2v_tt_add_many(vocab, b->ops + from, b->marks[k] - from) != FW2V_OK) return FW2V_ERR_NOMEM;
            from = *next_op = b->marks[k];
            *next_mark = k + 1;
            if (vocab->size > max_vocab_size) return FW2V_NEED_PRUNE;
        }
    }
    if (fw2v_tt_add_many(vocab, b->ops + from, b->n_ops - from) != FW2V_OK) return FW2V_ERR_NOMEM;
    *next_op = b->n_ops;
    *next_mark = b->n_marks;
    return FW2V_OK;
}

/* ---- joining ---- */

/* Outcome of one token for the joiner: held in the cursor (HOLD), output
 * alone (PASS), completing the phrase now in c->key (JOIN), or releasing the
 * pending tokens one by one before starting a new candidate (RESTART; the
 * caller outputs them, then calls cursor_restart). */
enum { HOLD, PASS, JOIN, RESTART };

FW2V_INLINE int cursor_restart(fw2v_phrase_cursor *c, const fw2v_phrase_model *m, const char *tok, int64_t len)
{
    cursor_clear(c);
    c->start_hash = c->tok_hash;
    return cursor_push(c, m, tok, len);
}

/* gensim analyze_sentence, one token. gensim tests the start token for truth
 * (`if start_token:`), so an empty-string start is silently dropped; kept. */
FW2V_INLINE int join_step(const fw2v_phrase_model *m, fw2v_phrase_cursor *c, const char *tok, int64_t len,
                          double *score, int *rc)
{
    int truthy = c->n_pending && c->token_len[0] > 0;
    *rc = FW2V_OK;
    if (is_connector(m, tok, len)) {
        if (!truthy) return PASS;
        *rc = cursor_push(c, m, tok, len);
        return HOLD;
    }
    if (m->filter) c->tok_hash = fw2v_hash_bytes(tok, len);
    if (!truthy) {
        *rc = cursor_restart(c, m, tok, len);
        return HOLD;
    }
    if (m->filter && !filter_may_contain(m, c->start_hash, c->tok_hash)) return RESTART; /* not a phrase */
    int64_t before = c->key.len;
    if ((*rc = cursor_push(c, m, tok, len)) != FW2V_OK) return HOLD;
    if (score_candidate(m, c, tok, len, score)) return JOIN;
    c->key.len = before;
    c->n_pending--;
    return RESTART;
}

FW2V_INLINE int pending_truthy(const fw2v_phrase_cursor *c)
{
    return c->n_pending && c->token_len[0] > 0;
}

FW2V_INLINE void single(fw2v_phrase_span *s, int64_t i)
{
    s->first = i;
    s->last = i + 1;
    s->offset = 0;
    s->length = 0;
    s->score = 0.0;
}

int fw2v_phrases_join_tokens(const fw2v_phrase_model *m, fw2v_phrase_cursor *c,
                             const char *const *tokens, const int64_t *lens, int64_t n,
                             fw2v_phrase_span *out, int64_t *n_out, fw2v_bytes *phrases)
{
    /* while the start is truthy no token passes, so the pending tokens are
     * always the last n_pending inputs */
    int64_t k = 0;
    double score = 0.0;
    int rc;
    cursor_clear(c);
    for (int64_t i = 0; i < n; i++) {
        int action = join_step(m, c, tokens[i], lens[i], &score, &rc);
        if (rc != FW2V_OK) return rc;
        if (action == PASS) {
            single(&out[k++], i);
        } else if (action == JOIN) {
            fw2v_phrase_span *s = &out[k++];
            s->first = i + 1 - c->n_pending;
            s->last = i + 1;
            s->offset = phrases->len;
            s->length = c->key.len;
            s->score = score;
            if (append(phrases, c->key.data, c->key.len) != FW2V_OK) return FW2V_ERR_NOMEM;
            cursor_clear(c);
        } else if (action == RESTART) {
            for (int64_t r = i - c->n_pending; r < i; r++) single(&out[k++], r);
            if (cursor_restart(c, m, tokens[i], lens[i]) != FW2V_OK) return FW2V_ERR_NOMEM;
        }
    }
    if (pending_truthy(c)) {
        for (int64_t r = n - c->n_pending; r < n; r++) single(&out[k++], r);
    }
    cursor_clear(c);
    *n_out = k;
    return FW2V_OK;
}

void fw2v_join_output_free(fw2v_join_output *o)
{
    fw2v_bytes_free(&o->text);
    fw2v_bytes_free(&o->records);
    o->line_open = 0;
}

int fw2v_join_output_carry(fw2v_join_output *from, fw2v_join_output *to)
{
    to->text.len = to->records.len = 0;
    to->line_open = 0;
    if (!from->line_open) return FW2V_OK;
    if (append(&to->records, from->records.data + from->header, from->records.len - from->header) != FW2V_OK ||
        append(&to->text, from->text.data + from->text_start, from->text.len - from->text_start) != FW2V_OK)
        return FW2V_ERR_NOMEM;
    to->line_open = 1;
    to->header = 0;
    to->text_start = 0;
    from->records.len = from->header;
    from->text.len = from->text_start;
    from->line_open = 0;
    return FW2V_OK;
}

/* Appends one output token to the open sentence; in RECORDS form with its
 * hash `h` (computed here unless `known`). */
FW2V_INLINE int emit_hashed(fw2v_join_output *out, const char *p, int64_t n, uint64_t h, int known)
{
    if (out->form == FW2V_JOIN_TEXT) {
        if (reserve(&out->text, n + 1) != FW2V_OK) return FW2V_ERR_NOMEM;
        if (out->line_open) out->text.data[out->text.len++] = ' ';
        memcpy(out->text.data + out->text.len, p, (size_t)n);
        out->text.len += n;
        out->line_open = 1;
        return FW2V_OK;
    }
    if (reserve(&out->records, 2 * (int64_t)sizeof(fw2v_token_record)) != FW2V_OK || reserve(&out->text, n) != FW2V_OK)
        return FW2V_ERR_NOMEM;
    fw2v_token_record *r = (fw2v_token_record *)(out->records.data + out->records.len);
    if (!out->line_open) {
        out->header = out->records.len;
        out->text_start = out->text.len;
        out->line_open = 1;
        r->hash = 0;
        r->len = -1;
        r++;
        out->records.len += sizeof(fw2v_token_record);
    }
    ((fw2v_token_record *)(out->records.data + out->header))->hash++;
    r->hash = known ? h : fw2v_hash_bytes(p, n);
    r->len = n;
    out->records.len += sizeof(fw2v_token_record);
    memcpy(out->text.data + out->text.len, p, (size_t)n);
    out->text.len += n;
    return FW2V_OK;
}

FW2V_INLINE int emit(fw2v_join_output *out, const char *p, int64_t n)
{
    return emit_hashed(out, p, n, 0, 0);
}

/* Outputs the pending tokens one by one; with a filter, the start token's
 * hash is known. */
static int emit_pending(const fw2v_phrase_model *m, const fw2v_phrase_cursor *c, fw2v_join_output *out)
{
    int64_t offset = 0;
    for (int64_t r = 0; r < c->n_pending; r++) {
        if (emit_hashed(out, c->key.data + offset, c->token_len[r], c->start_hash, r == 0 && m->filter)
            != FW2V_OK) return FW2V_ERR_NOMEM;
        offset += c->token_len[r] + m->delimiter_len;
    }
    return FW2V_OK;
}

/* Ends the sentence: releases a truthy pending candidate and ends the line. */
static int end_sentence(const fw2v_phrase_model *m, fw2v_phrase_cursor *c, fw2v_join_output *out)
{
    if (pending_truthy(c) && emit_pending(m, c, out) != FW2V_OK) return FW2V_ERR_NOMEM;
    cursor_clear(c);
    if (out->line_open) {
        if (out->form == FW2V_JOIN_TEXT && append(&out->text, "\n", 1) != FW2V_OK) return FW2V_ERR_NOMEM;
        out->line_open = 0;
    }
    return FW2V_OK;
}

int fw2v_phrases_join_buffer(const fw2v_phrase_model *m, fw2v_phrase_cursor *c, fw2v_scan_state *st,
                             int line_sentences, const char *buf, int64_t n, fw2v_join_output *out)
{
    int newline, rc;
    int64_t i = 0, start = 0, end;
    double score;
    for (;;) {
        end = fw2v_next_token(buf, n, &i, &start, &newline);
        if (newline && line_sentences && fw2v_scan_finish(st)) {
            if (end_sentence(m, c, out) != FW2V_OK) return FW2V_ERR_NOMEM;
        }
        if (end < 0) break;
        const char *tok = buf + start;
        int64_t len = end - start;
        int action = join_step(m, c, tok, len, &score, &rc);
        if (rc != FW2V_OK) return rc;
        if (action == PASS) rc = emit(out, tok, len);
        else if (action == JOIN) {
            rc = emit(out, c->key.data, c->key.len);
            cursor_clear(c);
        } else if (action == RESTART) {
            rc = emit_pending(m, c, out);
            if (rc == FW2V_OK) rc = cursor_restart(c, m, tok, len);
        }
        if (rc != FW2V_OK) return rc;
        if (sentence_full(st) && fw2v_scan_finish(st)) {
            if (end_sentence(m, c, out) != FW2V_OK) return FW2V_ERR_NOMEM;
        }
    }
    return FW2V_OK;
}

int fw2v_phrases_join_finish(const fw2v_phrase_model *m, fw2v_phrase_cursor *c, fw2v_scan_state *st,
                             fw2v_join_output *out)
{
    fw2v_scan_finish(st);
    return end_sentence(m, c, out);
}

/* ---- exporting ---- */

/* End of the first piece and start of the last piece of key.split(delimiter)
 * (left to right, non-overlapping, as str.split); 0 when there is no delimiter. */
static int split_ends(const fw2v_phrase_model *m, const char *key, int64_t len, int64_t *first_end, int64_t *last_start)
{
    int64_t d = m->delimiter_len, i = 0;
    int found = 0;
    while (i + d <= len) {
        if (key[i] == m->delimiter[0] && memcmp(key + i, m->delimiter, (size_t)d) == 0) {
            if (!found) *first_end = i;
            found = 1;
            i += d;
            *last_start = i;
        } else {
            i++;
        }
    }
    return found;
}

int64_t fw2v_phrases_candidates(const fw2v_phrase_model *m, int64_t *index, int64_t *count_a, int64_t *count_b)
{
    const fw2v_token_table *t = m->table;
    int64_t k = 0, first_end = 0, last_start = 0;
    for (int64_t i = 0; i < t->size; i++) {
        const char *key = fw2v_tt_key(t, i);
        int64_t len = fw2v_tt_key_len(t, i);
        if (!split_ends(m, key, len, &first_end, &last_start)) continue;
        int64_t ca = count_of(t, key, first_end);
        if (ca <= 0) continue;
        int64_t cb = count_of(t, key + last_start, len - last_start);
        if (cb <= 0) continue;
        index[k] = i;
        count_a[k] = ca;
        count_b[k] = cb;
        k++;
    }
    return k;
}
