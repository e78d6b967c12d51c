/* Scanning whitespace-separated text: the file front end of the vocabulary
 * counter and of the corpus encoder.
 *
 * A sentence is one line, cut into pieces of at most `max_sentence_length`
 * tokens (gensim's LineSentence does the same; nothing is dropped). Empty
 * lines are not sentences. Tokens are separated by whitespace exactly as
 * Python's str.split() separates them (csrc/whitespace.h).
 *
 * Invariant for callers: every buffer handed in ends at a token boundary
 * (the caller keeps a partial trailing token for the next buffer), and
 * fw2v_scan_finish() closes the last open sentence at end of input.
 */
#ifndef FW2V_SCAN_H
#define FW2V_SCAN_H

#include "token_table.h"

typedef struct {
    int64_t max_sentence_length;
    int64_t sentence_tokens;   /* raw tokens in the sentence still open */
    int64_t total_tokens;      /* raw tokens seen so far */
    int64_t sentences;         /* sentences closed so far */
    int64_t head_tokens;       /* raw tokens seen before the first "\n" crossed; -1 until one is.
                                * A buffer scanned from a fresh state is exact whenever the
                                * line open before it plus this head stays under
                                * max_sentence_length, so buffers can be encoded apart
                                * (threads.encode_file) and stitched in order. */
} fw2v_scan_state;

/* Counts tokens of buf[*pos:n] into `table`. Returns FW2V_NEED_PRUNE (with *pos
 * just after a sentence end) when `max_vocab_size` > 0 and the table grew past
 * it, so the caller can prune and call again; FW2V_OK when the buffer is done. */
int fw2v_scan_count(fw2v_token_table *table, fw2v_scan_state *st, const char *buf, int64_t n,
                    int64_t *pos, int64_t max_vocab_size);

/* Encodes tokens of buf[0:n] into vocabulary indices (entry index of `lookup`;
 * unknown tokens are skipped but counted as raw tokens). Appends to ids[*n_ids]
 * and closes sentences by appending the running id count to ends[*n_ends].
 * Capacity: ids and ends must each have room for n / 2 + 1 more values. */
void fw2v_scan_encode(const fw2v_token_table *lookup, fw2v_scan_state *st, const char *buf, int64_t n,
                      int32_t *ids, int64_t *n_ids, int64_t *ends, int64_t *n_ends);

/* Closes the open sentence, if any; returns 1 when one was closed. */
int fw2v_scan_finish(fw2v_scan_state *st);

#endif
