/* Phrase detection (gensim 4's Phrases, word2phrase): counting unigrams and
 * bigrams, scoring candidates, and joining phrases, without Python objects.
 *
 * Counting (gensim's Phrases._learn_vocab): every non-connector token counts
 * as a unigram; it also closes a bigram with the previous non-connector token
 * of the sentence, and the bigram key is the two tokens with any connector
 * tokens between them, joined by the delimiter ("bank_of_america"). Unigram
 * and bigram keys share one fw2v_token_table, as they share one dict in
 * gensim, so "vocabulary size" (the default score's factor) is the same number.
 * Connector tokens are never counted as unigrams; every token counts towards
 * the corpus word count.
 *
 * Joining (gensim's analyze_sentence): a greedy left-to-right scan. A pending
 * candidate is a start token plus the connectors after it; the next
 * non-connector token either completes a phrase with it (the whole run becomes
 * one token) or releases the pending tokens and becomes the new start. Phrases
 * never overlap and never start or end with a connector.
 *
 * Text input (the fast paths for files): tokens are separated by the
 * characters Python's str.split() treats as whitespace, including the Unicode
 * ones encoded in UTF-8 (U+00A0, U+2000..U+200A, ...), so a file gives the
 * same tokens as gensim's LineSentence; this differs on purpose from
 * csrc/scan.h, which follows word2vec C's ASCII whitespace. A sentence is a
 * line ("\n" only; "\r" and friends are token separators) or, without line
 * sentences (text8), the whole stream; either way cut every
 * `max_sentence_length` tokens, as gensim's readers do. Buffers handed in must
 * end at a token boundary (fastw2v.reader.iter_chunks guarantees it).
 *
 * Invariants: the cursor owns copies of the pending tokens, so a buffer may be
 * freed between calls; nothing here allocates except growable fw2v_bytes
 * buffers owned by the caller, and errors are returned, never printed.
 */
#ifndef FW2V_PHRASES_H
#define FW2V_PHRASES_H

#include "scan.h"
#include "token_table.h"

enum {
    FW2V_SCORE_DEFAULT = 0,     /* gensim original_scorer: (ab - min_count) / (a * b) * len_vocab */
    FW2V_SCORE_NPMI = 1,        /* gensim npmi_scorer (Bouma 2009) */
    FW2V_SCORE_WORD2PHRASE = 2, /* word2phrase.c: float32, corpus word count, a and b >= min_count */
    FW2V_SCORE_FROZEN = 3       /* look the joined key up in a table of exported scores */
};

/* A growable byte buffer; `data` is owned and freed with fw2v_bytes_free. */
typedef struct {
    char *data;
    int64_t len;
    int64_t cap;
} fw2v_bytes;

int fw2v_bytes_reserve(fw2v_bytes *b, int64_t extra);
void fw2v_bytes_free(fw2v_bytes *b);

/* What every counter and joiner reads; filled once from Python. */
typedef struct {
    const fw2v_token_table *table;      /* counts (Phrases) or exported phrases (FROZEN) */
    const double *frozen_scores;        /* FROZEN: score of each entry of `table` */
    const uint64_t *filter;             /* FROZEN: Bloom filter of the phrases' (first, last) token pairs, or NULL */
    uint64_t filter_mask;               /* bits in `filter` - 1 (a power of two minus one) */
    const fw2v_token_table *connectors; /* tokens that may sit inside a phrase */
    const char *delimiter;
    int64_t delimiter_len;              /* >= 1, checked at the Python boundary */
    int32_t scoring;
    double threshold;                   /* a phrase needs score > threshold (NaN passes, as in gensim) */
    double min_count;
    double len_vocab;
    double corpus_word_count;
} fw2v_phrase_model;

/* Keys gathered from some input, in gensim's counting order, to be added to
 * the table by fw2v_phrases_add_batch. Unigram keys point into the input
 * (which must outlive the batch); joined bigram keys live in `bigrams`.
 * `marks[k]` is the number of keys before the end of the k-th sentence that
 * ended in this input (where gensim checks max_vocab_size). */
typedef struct {
    fw2v_tt_keyref *ops;
    int64_t n_ops;
    int64_t ops_cap;
    fw2v_bytes bigrams;
    int64_t *marks;
    int64_t n_marks;
    int64_t marks_cap;
} fw2v_count_batch;

void fw2v_count_batch_free(fw2v_count_batch *b);

/* The pending candidate of one sentence in progress. `key` holds the pending
 * tokens joined by the delimiter; `token_len[k]` the length of each. While
 * counting, a pending candidate that is a single token of the current input
 * is only pointed at (`prev`), not copied: the usual case. */
typedef struct {
    fw2v_bytes key;
    int64_t *token_len;
    int64_t n_pending;   /* 0: no start token (or, counting, the start is `prev`) */
    int64_t len_cap;
    const char *prev;    /* counting: the pending start token in the input, or NULL */
    int64_t prev_len;
    uint64_t start_hash; /* joining with a filter: hash of the pending start token */
    uint64_t tok_hash;   /* ... and of the token being looked at */
} fw2v_phrase_cursor;

void fw2v_cursor_free(fw2v_phrase_cursor *c);

/* One output token of fw2v_phrases_join_tokens: input tokens [first, last);
 * a joined phrase (last - first >= 2) has its bytes at phrases[offset:offset+length]. */
typedef struct {
    int64_t first;
    int64_t last;
    int64_t offset;
    int64_t length;
    double score;
} fw2v_phrase_span;

/* Where joined text goes. TEXT: one sentence a line, tokens separated by one
 * space (transform_file). RECORDS: what Python lists are built from without
 * scanning or hashing again (phrases[corpus]): the tokens' bytes back to back
 * in `text`, and in `records` per sentence a header (len -1, hash = number
 * of tokens) followed by one (fw2v_hash_bytes of the token, length) per token. */
enum { FW2V_JOIN_TEXT = 0, FW2V_JOIN_RECORDS = 1 };

typedef struct {
    uint64_t hash;
    int64_t len;
} fw2v_token_record;

typedef struct {
    fw2v_bytes text;
    fw2v_bytes records;  /* fw2v_token_record[], `len` in bytes */
    int32_t form;        /* FW2V_JOIN_TEXT or FW2V_JOIN_RECORDS */
    int32_t line_open;   /* the current sentence has output tokens */
    int64_t header;      /* RECORDS: byte offset of the open sentence's header in `records` */
    int64_t text_start;  /* RECORDS: offset in `text` of the open sentence's first token */
} fw2v_join_output;

void fw2v_join_output_free(fw2v_join_output *o);

/* RECORDS: moves the open sentence (if any) of `from` to the empty `to`, so
 * that `from` holds complete sentences only. */
int fw2v_join_output_carry(fw2v_join_output *from, fw2v_join_output *to);

/* Score of a candidate from its counts (not FROZEN). */
double fw2v_phrase_score(const fw2v_phrase_model *m, int64_t count_a, int64_t count_b, int64_t count_ab);

/* --- counting ---
 * In two steps, so that reading and gathering the next input can go on in
 * another thread while this one's keys are added: gathering (tokens ->
 * unigram and bigram keys with their hashes) does not depend on the table;
 * adding (fw2v_tt_add_many, which prefetches the table lines of later keys:
 * on a table larger than the caches that overlaps the misses that dominate
 * counting) happens in the same order as token by token, so entries, counts
 * and insertion order are gensim's. */

/* Gathers the keys of one sentence given as token pointers and lengths into
 * `b` (cleared first). */
int fw2v_phrases_gather_tokens(const fw2v_phrase_model *m, fw2v_phrase_cursor *c,
                               const char *const *tokens, const int64_t *lens, int64_t n, fw2v_count_batch *b);

/* Gathers the keys of the text buf[0:n] into `b` (cleared first); the
 * sentence open at the end stays open in `c` and `st`. */
int fw2v_phrases_gather_buffer(const fw2v_phrase_model *m, fw2v_phrase_cursor *c, fw2v_scan_state *st,
                               int line_sentences, const char *buf, int64_t n, fw2v_count_batch *b);

/* Closes the open sentence at end of input; 1 when there was one. */
int fw2v_phrases_count_finish(fw2v_phrase_cursor *c, fw2v_scan_state *st);

/* Adds the keys of `b` from *next_op on. With max_vocab_size > 0, checks the
 * size after each sentence end from *next_mark on (gensim's timing; skipped
 * when the rest of the batch cannot outgrow it): returns FW2V_NEED_PRUNE, with
 * *next_op and *next_mark just after that sentence, when the table grew past
 * it; call again after pruning. FW2V_OK once every key is added. */
int fw2v_phrases_add_batch(fw2v_token_table *vocab, const fw2v_count_batch *b, int64_t max_vocab_size,
                           int64_t *next_op, int64_t *next_mark);

/* --- joining --- */

/* Joins one sentence. `out` has room for n spans; joined phrases are appended
 * to `phrases`. The cursor starts and ends empty. */
int fw2v_phrases_join_tokens(const fw2v_phrase_model *m, fw2v_phrase_cursor *c,
                             const char *const *tokens, const int64_t *lens, int64_t n,
                             fw2v_phrase_span *out, int64_t *n_out, fw2v_bytes *phrases);

/* Joins the text of buf[0:n] and appends it to `out` (in out->form). */
int fw2v_phrases_join_buffer(const fw2v_phrase_model *m, fw2v_phrase_cursor *c, fw2v_scan_state *st,
                             int line_sentences, const char *buf, int64_t n, fw2v_join_output *out);

/* Writes out the open sentence at end of input. */
int fw2v_phrases_join_finish(const fw2v_phrase_model *m, fw2v_phrase_cursor *c, fw2v_scan_state *st,
                             fw2v_join_output *out);

/* The frozen model's filter. Joining looks up every candidate (a start
 * token, maybe connectors, an end token) and nearly none is a phrase. The
 * filter holds, for every phrase key and every way to cut it into a first and
 * a last token at occurrences of the delimiter, a mix of the two tokens'
 * hashes; a candidate whose (start, end) pair is not in it is rejected with
 * one word load, without building or hashing the joined key. Blocked Bloom
 * filter, two probes in one 64-bit word, about 32 bits per pair: ~0.4% false
 * positives, no false negatives. */

/* Number of (first, last) cuts of all keys of m->table. */
int64_t fw2v_phrase_filter_pairs(const fw2v_phrase_model *m);

/* Bits for `n_pairs` pairs: a power of two, 32 per pair, at least 512, at most 2^26. */
int64_t fw2v_phrase_filter_bits(int64_t n_pairs);

/* Sets the bits (filter zeroed, filter_mask + 1 bits) of every pair. */
void fw2v_phrase_filter_build(const fw2v_phrase_model *m, uint64_t *filter, uint64_t filter_mask);

/* --- exporting (gensim's export_phrases) --- */

/* For every key of m->table containing the delimiter: split it as str.split()
 * does, take the first and last pieces as a and b and the key's own count as
 * count(ab). Writes the entry index and the counts of a and b of those whose
 * a and b are both in the table; returns how many (out arrays hold table->size). */
int64_t fw2v_phrases_candidates(const fw2v_phrase_model *m, int64_t *index, int64_t *count_a, int64_t *count_b);

#endif
