# Declarations of csrc/phrases.h and the C state of one phrase model.
from libc.stdint cimport int32_t, int64_t, uint64_t

from fastw2v._csrc cimport fw2v_scan_state, fw2v_token_table
from fastw2v._vocab cimport TokenTable

cdef extern from "phrases.h" nogil:
    enum:
        FW2V_SCORE_DEFAULT
        FW2V_SCORE_NPMI
        FW2V_SCORE_WORD2PHRASE
        FW2V_SCORE_FROZEN
    ctypedef struct fw2v_bytes:
        char *data
        int64_t len
        int64_t cap
    void fw2v_bytes_free(fw2v_bytes *b)
    ctypedef struct fw2v_phrase_model:
        const fw2v_token_table *table
        const double *frozen_scores
        const uint64_t *filter
        uint64_t filter_mask
        const fw2v_token_table *connectors
        const char *delimiter
        int64_t delimiter_len
        int32_t scoring
        double threshold
        double min_count
        double len_vocab
        double corpus_word_count
    ctypedef struct fw2v_phrase_cursor:
        int64_t n_pending
    void fw2v_cursor_free(fw2v_phrase_cursor *c)
    ctypedef struct fw2v_phrase_span:
        int64_t first
        int64_t last
        int64_t offset
        int64_t length
        double score
    double fw2v_phrase_score(const fw2v_phrase_model *m, int64_t count_a, int64_t count_b, int64_t count_ab)
    ctypedef struct fw2v_count_batch:
        int64_t n_ops
        int64_t n_marks
    void fw2v_count_batch_free(fw2v_count_batch *b)
    int fw2v_phrases_gather_tokens(const fw2v_phrase_model *m, fw2v_phrase_cursor *c,
                                   const char *const *tokens, const int64_t *lens, int64_t n, fw2v_count_batch *b)
    int fw2v_phrases_gather_buffer(const fw2v_phrase_model *m, fw2v_phrase_cursor *c, fw2v_scan_state *st,
                                   int line_sentences, const char *buf, int64_t n, fw2v_count_batch *b)
    int fw2v_phrases_add_batch(fw2v_token_table *vocab, const fw2v_count_batch *b, int64_t max_vocab_size,
                               int64_t *next_op, int64_t *next_mark)
    int fw2v_phrases_count_finish(fw2v_phrase_cursor *c, fw2v_scan_state *st)
    int fw2v_phrases_join_tokens(const fw2v_phrase_model *m, fw2v_phrase_cursor *c,
                                 const char *const *tokens, const int64_t *lens, int64_t n,
                                 fw2v_phrase_span *out, int64_t *n_out, fw2v_bytes *phrases)
    enum:
        FW2V_JOIN_TEXT
        FW2V_JOIN_RECORDS
    ctypedef struct fw2v_token_record:
        uint64_t hash
        int64_t len
    ctypedef struct fw2v_join_output:
        fw2v_bytes text
        fw2v_bytes records
        int32_t form
        int32_t line_open
    void fw2v_join_output_free(fw2v_join_output *o)
    int fw2v_join_output_carry(fw2v_join_output *src, fw2v_join_output *to)
    int fw2v_bytes_reserve(fw2v_bytes *b, int64_t extra)
    int fw2v_phrases_join_buffer(const fw2v_phrase_model *m, fw2v_phrase_cursor *c, fw2v_scan_state *st,
                                 int line_sentences, const char *buf, int64_t n, fw2v_join_output *out)
    int fw2v_phrases_join_finish(const fw2v_phrase_model *m, fw2v_phrase_cursor *c, fw2v_scan_state *st,
                                 fw2v_join_output *out)
    int64_t fw2v_phrase_filter_pairs(const fw2v_phrase_model *m)
    int64_t fw2v_phrase_filter_bits(int64_t n_pairs)
    void fw2v_phrase_filter_build(const fw2v_phrase_model *m, uint64_t *filter, uint64_t filter_mask)
    int64_t fw2v_phrases_candidates(const fw2v_phrase_model *m, int64_t *index, int64_t *count_a,
                                    int64_t *count_b)


cdef class CountBatch:
    cdef fw2v_count_batch batch
    cdef object source  # the text the unigram keys point into
    cdef int64_t next_op
    cdef int64_t next_mark


cdef class PhraseEngine:
    cdef fw2v_phrase_model model
    cdef fw2v_phrase_cursor cursor
    cdef readonly TokenTable table
    cdef readonly TokenTable connectors
    cdef bytes _delimiter
    cdef object _scores
    cdef object _filter
    cdef const char **_tokens
    cdef int64_t *_lens
    cdef fw2v_phrase_span *_spans
    cdef int64_t _capacity
    cdef fw2v_bytes _phrases
    cdef fw2v_join_output _out
    cdef object _phrase_strings  # a StrCache of the joined phrases (join)
    cdef _build_filter(self)
    cdef int _reserve(self, int64_t n) except -1
    cdef int64_t _load_sentence(self, list sentence, int64_t position) except -1
