/* Training kernels: skip-gram and CBOW over negative sampling and/or
 * hierarchical softmax (Mikolov et al. 2013a, 2013b).
 *
 * One entry point, fw2v_train_batch(), is called by every driver: the file
 * path, the iterable feeder and the tests all hand it the same batch layout
 * (int32 vocabulary indices plus sentence end offsets).
 *
 * Threads share fw2v_params (read-only, except the model rows updated
 * Hogwild-style and the relaxed progress counter) and each owns one
 * fw2v_thread (RNG, scratch rows, counters). The kernel trusts its inputs:
 * the Python boundary guarantees every index is < vocab_size, every pointer
 * is non-NULL where its objective is enabled, scratch sizes are as documented.
 */
#ifndef FW2V_KERNELS_H
#define FW2V_KERNELS_H

#include "fw2v_common.h"

/* Scores beyond +-FW2V_MAX_EXP saturate the sigmoid: hierarchical-softmax nodes
 * there are not updated (word2vec C's and gensim's rule, see kernels_impl.h). */
#define FW2V_MAX_EXP 6
#ifndef FW2V_SATURATE_NEGATIVE
#define FW2V_SATURATE_NEGATIVE 0
#endif

/* The sigmoid clamps its argument to [-FW2V_SIGMOID_MAX, FW2V_SIGMOID_MAX]
 * (sigmoid(8) = 0.99966): computed in kernels_impl.h (v_sigmoid), not tabulated. */
#define FW2V_SIGMOID_MAX 8

/* Window batching trains at most this many distinct output rows as one group. */
#define FW2V_ROW_GROUP 16

/* CBOW with batch_window: this many consecutive centres share one set of negatives. */
#define FW2V_CBOW_BLOCK 8

/* Skip-gram with batch_window and hierarchical softmax: a window's contexts meet
 * the centre's Huffman path (and, with negative too, their own negatives) at most
 * this many at a time. The top inner nodes lie on nearly every path, so with
 * the whole window in one group they take the summed step of ~10 contexts all
 * computed from the same old row, which cost 0.006-0.015 analogy accuracy
 * against per-pair updates on the shared corpus; groups of 3 recover most of
 * it (3-seed means: 0.226, pair 0.228, whole window 0.213-0.221) and keep most
 * of the window's speed (benchmarks/RESULTS.md, seventh and eighth sessions). */
#define FW2V_SG_HS_GROUP 3

typedef struct {
    real_t *syn0;                   /* [vocab_size x dim] input vectors (wv.vectors) */
    real_t *syn1;                   /* [vocab_size x dim] inner-node rows; NULL unless hs */
    real_t *syn1neg;                /* [vocab_size x dim] output rows; NULL unless negative */
    const real_t *lockf;            /* [lockf_len] scale of syn0 updates; 0 freezes a row */
    const uint64_t *keep_threshold; /* [keep_threshold_len] keep a token iff rand32 < threshold (>= 2^32: always) */
    const uint32_t *noise_prob;     /* [vocab_size] alias table of the noise distribution */
    const int32_t *noise_alias;
    const int64_t *path_offsets;    /* [vocab_size + 1] Huffman paths, see sampling.h */
    const uint8_t *codes;
    const int32_t *points;
    int64_t vocab_size;
    /* The two per-word tables cover a prefix of the vocabulary; words past it use the
     * default (scale 1, always kept). Subsampling can only drop words counted more than
     * 2.618 * sample * total times -- at most 1 / (2.618 * sample) words, the head of a
     * sorted vocabulary -- and lockf is 1 unless a user froze rows: a few entries
     * instead of 12 bytes per word (issue 10's memory bar for 10M item IDs). */
    int64_t lockf_len;
    int64_t keep_threshold_len;
    int32_t dim;
    int32_t window;                 /* >= 1 */
    int32_t negative;               /* >= 0 */
    int32_t hs;                     /* 0/1 */
    int32_t sg;                     /* 1: skip-gram, 0: CBOW */
    int32_t cbow_mean;              /* CBOW hidden layer: 1 mean, 0 sum */
    int32_t shrink_windows;         /* draw the effective window uniformly in [1, window] */
    int32_t subsample;              /* apply keep_threshold */
    int32_t compute_loss;
    int32_t isa;                    /* FW2V_ISA_*: which compiled variant runs (chosen in Python) */
    int32_t batch_window;           /* skip-gram: train a whole window per output row (HogBatch) */
    /* Hierarchical softmax with several threads: inner nodes >= hot_first (the
     * hs_private nodes nearest the root, which lie on nearly every path) are
     * trained on per-thread copies whose deltas are added back to syn1 every
     * FW2V_PUBLISH_EVERY tokens. Shared, those rows are written by every window
     * of every thread and their cache lines bounce between cores (measured: no
     * speed-up from a second thread). hs_private = 0 (one thread): plain Hogwild,
     * exact and reproducible. hot_first = vocab_size - 1 - hs_private. */
    int32_t hs_private;
    int64_t hot_first;
    /* Negative sampling with several threads: the syn1neg rows of words below
     * neg_private (the most frequent words of a frequency-sorted vocabulary:
     * on the shared corpus the top 255 are 38% of the positive targets after
     * subsampling and 23% of the noise draws) are per-thread copies merged the
     * same way. 0: shared, Hogwild. */
    int32_t neg_private;
    /* Any training with several threads: the syn0 rows of words below
     * syn0_private (the most frequent words again: context rows of most
     * windows) are per-thread copies merged the same way. They follow the
     * syn1neg copies in hot_rows. 0: shared. */
    int32_t syn0_private;
    double start_alpha, end_alpha;
    double total_words;             /* in-vocabulary tokens of the whole schedule (all epochs) */
    volatile int64_t *progress;     /* shared: in-vocabulary tokens consumed by all threads */
    volatile int32_t *stop;         /* shared: nonzero asks every thread to stop at a sentence end */
} fw2v_params;

typedef struct {
    uint64_t rng;
    real_t *hidden;                 /* [FW2V_CBOW_BLOCK x dim] scratch: CBOW's combined contexts */
    real_t *grad;                   /* [dim] scratch: accumulated input-side gradient */
    int32_t *kept;                  /* [max sentence length] scratch: sentence after subsampling */
    int32_t *noise;                 /* [negative] scratch: the negatives drawn for one target */
    int32_t *noise_next;            /* [negative] the next target's negatives, already drawn when has_next */
    uint64_t *noise_raw;            /* [negative] the random numbers of the set after that, when has_next */
    int32_t has_next;
    /* Block scratch, S = max(2 * window, FW2V_CBOW_BLOCK) slots: the input rows of a
     * skip-gram window (or a CBOW centre's context rows), their words (a CBOW
     * block's: the centre each member predicts) and gradients ([S x dim]). */
    real_t **ctx_rows;
    int32_t *ctx_ids;
    real_t *ctx_grads;
    real_t **grp_rows;              /* [FW2V_ROW_GROUP] scratch: a group of distinct output rows */
    real_t *grp_labels;             /* [FW2V_ROW_GROUP] their labels */
    int32_t *grp_words;             /* [FW2V_ROW_GROUP] their words (read only when inputs have owners) */
    real_t *grp_g;                  /* [FW2V_ROW_GROUP x S] their gradient scales per context */
    real_t *grp_lab;                /* [FW2V_ROW_GROUP x S] scratch: each scale's label */
    int32_t grads_fresh;            /* 1: the input gradients are not initialised yet; the first
                                     * logistic_group that produces any writes them (no memset) */
    real_t *hot_rows;               /* [(hs_private + neg_private + syn0_private) x dim] this thread's
                                     * copies of the top inner nodes, then of the most frequent words'
                                     * syn1neg rows, then of their syn0 rows */
    real_t *hot_seen;               /* [same] their shared values when last copied */
    uintptr_t hs_shift, neg_shift, syn0_shift; /* bytes from a shared row to this thread's copy of it
                                     * (hs_row, neg_row, in_row); set with the copies, used only for
                                     * the copied rows */
    int64_t block_lo[FW2V_CBOW_BLOCK], block_hi[FW2V_CBOW_BLOCK], block_centre[FW2V_CBOW_BLOCK];
    int64_t unpublished;            /* tokens consumed but not yet added to *progress */
    int64_t words_seen;             /* in-vocabulary tokens consumed */
    int64_t words_trained;          /* tokens left after subsampling */
    double loss;                    /* sum of -log sigmoid terms, float64 so it never saturates */
    int64_t loss_terms;
    double last_alpha;
    const int32_t *fixed_negatives; /* test hook: when set, negatives cycle through this list */
    int64_t n_fixed_negatives;
    int64_t fixed_position;
} fw2v_thread;

typedef struct {
    const int32_t *ids;             /* vocabulary indices, all < vocab_size */
    const int64_t *ends;            /* sentence s is ids[ends[s-1] .. ends[s]) with ends[-1] = 0 */
    int64_t n_sentences;
    int64_t first_start;            /* start of sentence 0 (lets a thread train a slice of a corpus) */
    const real_t *weights;          /* [n_sentences] scale of each sentence's learning rate, or NULL */
} fw2v_batch;

/* Publish progress (and look at the stop flag) at most this often: a shared
 * counter touched per token would bounce its cache line between cores. */
#define FW2V_PUBLISH_EVERY 10000

/* Trains on every sentence of the batch. Returns FW2V_OK, or FW2V_STOPPED when
 * *stop was raised (the batch is then partly trained, at a sentence boundary). */
int fw2v_train_batch(const fw2v_params *p, fw2v_thread *t, const fw2v_batch *b);

/* out[s] = log-likelihood of sentence s under the hs model (gensim's
 * Word2Vec.score; p->hs, paths non-NULL unless empty; t's scratch made for a
 * window >= p->window, as for training). Reads the weights only: any number of
 * threads may score at once, each with its own t. */
void fw2v_score_batch(const fw2v_params *p, fw2v_thread *t, const fw2v_batch *b, double *out);

enum { FW2V_ISA_GENERIC = 0, FW2V_ISA_AVX2 = 1, FW2V_ISA_AVX512 = 2 };

/* 1 when this CPU (and OS) can run the AVX2+FMA / AVX-512F variant. */
int fw2v_cpu_has_avx2(void);
int fw2v_cpu_has_avx512(void);

/* Per-ISA variants, compiled from kernels_impl.h. */
int fw2v_train_batch_generic(const fw2v_params *p, fw2v_thread *t, const fw2v_batch *b);
int fw2v_train_batch_avx2(const fw2v_params *p, fw2v_thread *t, const fw2v_batch *b);
int fw2v_train_batch_avx512(const fw2v_params *p, fw2v_thread *t, const fw2v_batch *b);
void fw2v_score_batch_generic(const fw2v_params *p, fw2v_thread *t, const fw2v_batch *b, double *out);
void fw2v_score_batch_avx2(const fw2v_params *p, fw2v_thread *t, const fw2v_batch *b, double *out);
void fw2v_score_batch_avx512(const fw2v_params *p, fw2v_thread *t, const fw2v_batch *b, double *out);

#endif
