# Declarations of the C sources in csrc/ (one place, cimported by every Cython module).
from libc.stdint cimport int32_t, int64_t, uint8_t, uint32_t, uint64_t, uintptr_t

cdef extern from "fw2v_common.h" nogil:
    ctypedef float real_t
    enum:
        FW2V_OK
        FW2V_ERR_NOMEM
        FW2V_STOPPED
        FW2V_NEED_PRUNE
    uint64_t fw2v_rng_next(uint64_t *state)

cdef extern from "token_table.h" nogil:
    ctypedef struct fw2v_token_table:
        int64_t size
    ctypedef struct fw2v_tt_keyref:
        const char *key
        int64_t len
        uint64_t hash
    int fw2v_tt_init(fw2v_token_table *t, int64_t expected)
    void fw2v_tt_free(fw2v_token_table *t)
    uint64_t fw2v_hash_bytes(const char *key, int64_t length)
    int64_t fw2v_tt_find(const fw2v_token_table *t, const char *key, int64_t length, uint64_t h)
    int64_t fw2v_tt_add(fw2v_token_table *t, const char *key, int64_t length, int64_t amount)
    int64_t fw2v_tt_add_hashed(fw2v_token_table *t, const char *key, int64_t length, uint64_t h, int64_t amount)
    int fw2v_tt_add_many(fw2v_token_table *t, const fw2v_tt_keyref *keys, int64_t n)
    void fw2v_tt_find_many(const fw2v_token_table *t, const fw2v_tt_keyref *keys, int64_t n, int64_t *out)
    int fw2v_tt_compact(fw2v_token_table *t, const uint8_t *keep)
    const char *fw2v_tt_key(const fw2v_token_table *t, int64_t i)
    int64_t fw2v_tt_key_len(const fw2v_token_table *t, int64_t i)
    int64_t fw2v_tt_count(const fw2v_token_table *t, int64_t i)
    int64_t fw2v_tt_order(const fw2v_token_table *t, int64_t i)

cdef extern from "scan.h" nogil:
    ctypedef struct fw2v_scan_state:
        int64_t max_sentence_length
        int64_t sentence_tokens
        int64_t total_tokens
        int64_t sentences
        int64_t head_tokens
    int fw2v_scan_count(fw2v_token_table *table, fw2v_scan_state *st, const char *buf, int64_t n,
                        int64_t *pos, int64_t max_vocab_size)
    void fw2v_scan_encode(const fw2v_token_table *lookup, fw2v_scan_state *st, const char *buf, int64_t n,
                          int32_t *ids, int64_t *n_ids, int64_t *ends, int64_t *n_ends)
    int fw2v_scan_finish(fw2v_scan_state *st)

cdef extern from "sampling.h" nogil:
    int fw2v_build_alias(const double *weights, int64_t n, uint32_t *prob, int32_t *alias)
    int32_t fw2v_alias_draw(const uint32_t *prob, const int32_t *alias, int64_t n, uint64_t r)
    int fw2v_build_huffman(const int64_t *counts, int64_t n, int64_t *parent, uint8_t *bit, int64_t *offsets)
    void fw2v_huffman_paths(const int64_t *parent, const uint8_t *bit, int64_t n, const int64_t *offsets,
                            uint8_t *codes, int32_t *points)

cdef extern from "kernels.h" nogil:
    enum:
        FW2V_ISA_GENERIC
        FW2V_ISA_AVX2
        FW2V_ISA_AVX512
        FW2V_PUBLISH_EVERY
        FW2V_CBOW_BLOCK
        FW2V_SG_HS_GROUP
        FW2V_ROW_GROUP
    ctypedef struct fw2v_params:
        real_t *syn0
        real_t *syn1
        real_t *syn1neg
        const real_t *lockf
        const uint64_t *keep_threshold
        const uint32_t *noise_prob
        const int32_t *noise_alias
        const int64_t *path_offsets
        const uint8_t *codes
        const int32_t *points
        int64_t vocab_size
        int64_t lockf_len
        int64_t keep_threshold_len
        int32_t dim
        int32_t window
        int32_t negative
        int32_t hs
        int32_t sg
        int32_t cbow_mean
        int32_t shrink_windows
        int32_t subsample
        int32_t compute_loss
        int32_t isa
        int32_t batch_window
        int32_t hs_private
        int64_t hot_first
        int32_t neg_private
        int32_t syn0_private
        double start_alpha
        double end_alpha
        double total_words
        int64_t *progress
        int32_t *stop
    ctypedef struct fw2v_thread:
        uint64_t rng
        real_t *hidden
        real_t *grad
        int32_t *kept
        int32_t *noise
        int32_t *noise_next
        uint64_t *noise_raw
        int32_t has_next
        real_t **ctx_rows
        int32_t *ctx_ids
        real_t *ctx_grads
        real_t **grp_rows
        real_t *grp_labels
        int32_t *grp_words
        real_t *grp_g
        real_t *grp_lab
        real_t *hot_rows
        real_t *hot_seen
        uintptr_t hs_shift
        uintptr_t neg_shift
        uintptr_t syn0_shift
        int64_t unpublished
        int64_t words_seen
        int64_t words_trained
        double loss
        int64_t loss_terms
        double last_alpha
        const int32_t *fixed_negatives
        int64_t n_fixed_negatives
        int64_t fixed_position
    ctypedef struct fw2v_batch:
        const int32_t *ids
        const int64_t *ends
        int64_t n_sentences
        int64_t first_start
        const real_t *weights
    int fw2v_train_batch(const fw2v_params *p, fw2v_thread *t, const fw2v_batch *b)
    void fw2v_score_batch(const fw2v_params *p, fw2v_thread *t, const fw2v_batch *b, double *out)
    int fw2v_cpu_has_avx2()
    int fw2v_cpu_has_avx512()

cdef extern from "int_keys.h" nogil:
    enum:
        FW2V_IK_DUPLICATE
        FW2V_IK_FULL
        FW2V_IK_MAX_ENTRIES
    ctypedef struct fw2v_int_index:
        int32_t *slots
        int64_t n_slots
        int64_t size
    void fw2v_ii_init(fw2v_int_index *ix)
    void fw2v_ii_free(fw2v_int_index *ix)
    int fw2v_ii_build(fw2v_int_index *ix, const int64_t *keys, int64_t n, int64_t reserve, int64_t *duplicate)
    int64_t fw2v_ii_find(const fw2v_int_index *ix, const int64_t *keys, int64_t key)
    int fw2v_ii_append(fw2v_int_index *ix, const int64_t *keys)
    void fw2v_ii_lookup(const fw2v_int_index *ix, const int64_t *keys, const int64_t *query, int64_t n,
                        int32_t *out)
    ctypedef struct fw2v_int_counter:
        fw2v_int_index index
        int64_t *keys
        int64_t *counts
        int64_t capacity
    void fw2v_ic_init(fw2v_int_counter *c)
    void fw2v_ic_free(fw2v_int_counter *c)
    int64_t fw2v_ic_add(fw2v_int_counter *c, int64_t key, int64_t amount)
    int fw2v_ic_count_sequences(fw2v_int_counter *c, const int64_t *ids, const int64_t *offsets,
                                int64_t first, int64_t n_sequences, int64_t limit, int64_t *next)
    int fw2v_ic_compact(fw2v_int_counter *c, const uint8_t *keep)
    void fw2v_trim_heap()
