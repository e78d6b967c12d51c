# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""Python entry points to the training kernels of csrc/kernels.h.

`KernelParams` is the read-only side every thread shares (model rows,
sampling tables, schedule); `ThreadState` is what one thread owns. The
boundary checks shapes, dtypes and index bounds once here, so the C loop can
trust its inputs; `train_batch` then runs without the GIL.
"""
from libc.stdint cimport int32_t, int64_t, uint8_t, uint32_t, uint64_t

import numpy as np
cimport numpy as cnp

from fastw2v import layout

from fastw2v._csrc cimport *

cnp.import_array()


ISA_GENERIC = FW2V_ISA_GENERIC
ISA_AVX2 = FW2V_ISA_AVX2
ISA_AVX512 = FW2V_ISA_AVX512
PUBLISH_EVERY = FW2V_PUBLISH_EVERY
CBOW_BLOCK = FW2V_CBOW_BLOCK
SG_HS_GROUP = FW2V_SG_HS_GROUP


def cpu_has_avx2():
    return bool(fw2v_cpu_has_avx2())


def cpu_has_avx512():
    return bool(fw2v_cpu_has_avx512())


ISA_NAMES = {FW2V_ISA_GENERIC: "generic", FW2V_ISA_AVX2: "avx2", FW2V_ISA_AVX512: "avx512"}


def supported_isas():
    """The kernel variants this CPU can run, portable first."""
    out = [FW2V_ISA_GENERIC]
    if fw2v_cpu_has_avx2():
        out.append(FW2V_ISA_AVX2)
    if fw2v_cpu_has_avx512():
        out.append(FW2V_ISA_AVX512)
    return out


cdef void *_ptr(object arr, str name, object dtype, int64_t rows, int64_t cols) except? NULL:
    """Pointer to a C-contiguous array after checking dtype and shape (the kernel trusts both)."""
    if arr is None:
        return NULL
    if not isinstance(arr, np.ndarray) or arr.dtype != dtype or not arr.flags.c_contiguous:
        raise TypeError(f"{name} must be a C-contiguous {np.dtype(dtype).name} array")
    if arr.shape[0] < rows or (cols >= 0 and (arr.ndim != 2 or arr.shape[1] != cols)):
        raise ValueError(f"{name} has shape {arr.shape}, need at least ({rows}, {cols})")
    return cnp.PyArray_DATA(arr)


cdef void *_rows(object arr, str name, int64_t rows, int64_t dim, int64_t *width) except? NULL:
    """Pointer to a model matrix, packed or padded (fastw2v/layout.py), and its row
    width in floats: every matrix of one model must have the same width, since the
    kernel runs over all of it (zero padding columns stay zero)."""
    if arr is None:
        return NULL
    w = layout.row_width(arr)
    if w is None:
        if isinstance(arr, np.ndarray) and not arr.flags.writeable:
            raise ValueError(f"{name} is read-only (a memory-mapped model must be loaded with mmap=None to train)")
        raise TypeError(f"{name} must be a writeable float32 matrix, C-contiguous or padded "
                        "(fastw2v.layout.zeros_rows) with zero padding")
    if arr.shape[0] < rows or arr.shape[1] != dim:
        raise ValueError(f"{name} has shape {arr.shape}, need at least ({rows}, {dim})")
    if width[0] >= 0 and width[0] != w:
        raise ValueError(f"{name} rows are {w} floats apart, syn0's {width[0]}: the matrices need one layout")
    width[0] = w
    return cnp.PyArray_DATA(arr)


cdef class KernelParams:
    cdef fw2v_params p
    cdef int64_t progress_counter
    cdef int32_t stop_flag
    cdef object arrays

    def __init__(self, *, syn0, syn1, syn1neg, lockf, keep_threshold, noise_prob, noise_alias,
                 path_offsets, codes, points, int window, int negative, bint hs, bint sg,
                 bint cbow_mean, bint shrink_windows, bint subsample, bint compute_loss,
                 double start_alpha, double end_alpha, double total_words, int isa,
                 bint batch_window=False, int hs_private=0, int neg_private=0,
                 int syn0_private=0):
        cdef int64_t V = syn0.shape[0]
        cdef int dim = syn0.shape[1]
        cdef int64_t width = -1
        if window < 1 or negative < 0 or (not hs and negative == 0) or dim < 1 or V < 1:
            raise ValueError("invalid kernel parameters")
        self.arrays = (syn0, syn1, syn1neg, lockf, keep_threshold, noise_prob, noise_alias,
                       path_offsets, codes, points)
        self.p.syn0 = <real_t *>_rows(syn0, "syn0", V, dim, &width)
        # lockf and keep_threshold may cover only the first rows: the rest train at full
        # rate and are always kept (see kernels.h); None is an empty table
        self.p.lockf = <const real_t *>_ptr(lockf, "lockf", np.float32, 0, -1)
        self.p.lockf_len = 0 if lockf is None else min(len(lockf), V)
        self.p.keep_threshold = <const uint64_t *>_ptr(keep_threshold, "keep_threshold", np.uint64, 0, -1)
        self.p.keep_threshold_len = 0 if keep_threshold is None else min(len(keep_threshold), V)
        self.p.syn1 = NULL
        self.p.syn1neg = NULL
        self.p.path_offsets = NULL
        self.p.codes = NULL
        self.p.points = NULL
        self.p.noise_prob = NULL
        self.p.noise_alias = NULL
        if hs:
            self.p.syn1 = <real_t *>_rows(syn1, "syn1", max(V - 1, 1), dim, &width)
            self.p.path_offsets = <const int64_t *>_ptr(path_offsets, "path_offsets", np.int64, V + 1, -1)
            if path_offsets[V] > 0:
                if points.shape[0] < path_offsets[V] or codes.shape[0] < path_offsets[V]:
                    raise ValueError("Huffman codes/points shorter than path_offsets promise")
                if points.max() >= max(V - 1, 1) or points.min() < 0:
                    raise ValueError("Huffman points out of range")
                self.p.codes = <const uint8_t *>_ptr(codes, "codes", np.uint8, path_offsets[V], -1)
                self.p.points = <const int32_t *>_ptr(points, "points", np.int32, path_offsets[V], -1)
        if negative:
            self.p.syn1neg = <real_t *>_rows(syn1neg, "syn1neg", V, dim, &width)
            self.p.noise_prob = <const uint32_t *>_ptr(noise_prob, "noise_prob", np.uint32, V, -1)
            self.p.noise_alias = <const int32_t *>_ptr(noise_alias, "noise_alias", np.int32, V, -1)
            if noise_alias[:V].max() >= V or noise_alias[:V].min() < 0:
                raise ValueError("noise alias table out of range")
        self.p.vocab_size = V
        self.p.dim = width  # the kernel's row length: padding included
        self.p.window = window
        self.p.negative = negative
        self.p.hs = hs
        self.p.sg = sg
        self.p.cbow_mean = cbow_mean
        self.p.shrink_windows = shrink_windows
        self.p.subsample = subsample
        self.p.compute_loss = compute_loss
        if isa not in supported_isas():
            raise ValueError(f"instruction set {ISA_NAMES.get(isa, isa)!r} is not supported by this CPU")
        self.p.isa = isa
        self.p.batch_window = batch_window
        # private top inner nodes only make sense with hierarchical softmax
        if hs_private < 0:
            raise ValueError("hs_private must be >= 0")
        self.p.hs_private = min(hs_private, V - 1) if hs else 0
        self.p.hot_first = V - 1 - self.p.hs_private
        # and private frequent output rows only with negative sampling
        if neg_private < 0:
            raise ValueError("neg_private must be >= 0")
        self.p.neg_private = min(neg_private, V) if negative else 0
        if syn0_private < 0:
            raise ValueError("syn0_private must be >= 0")
        self.p.syn0_private = min(syn0_private, V)
        self.p.start_alpha = start_alpha
        self.p.end_alpha = end_alpha
        self.p.total_words = max(total_words, 1.0)
        self.progress_counter = 0
        self.stop_flag = 0
        self.p.progress = &self.progress_counter
        self.p.stop = &self.stop_flag

    def set_learning_rates(self, double start_alpha, double end_alpha):
        """The linear schedule's two ends, changed between epochs (no worker running):
        a callback that sets ``model.alpha`` / ``min_alpha`` steers the rest of the
        run, as gensim reads them for every job."""
        self.p.start_alpha = start_alpha
        self.p.end_alpha = end_alpha

    def set_lockf(self, lockf):
        """Point the kernels at a new ``vectors_lockf`` between epochs (no worker running)."""
        self.p.lockf = <const real_t *>_ptr(lockf, "lockf", np.float32, 0, -1)
        self.p.lockf_len = 0 if lockf is None else min(len(lockf), self.p.vocab_size)
        self.arrays = self.arrays[:3] + (lockf,) + self.arrays[4:]

    @property
    def progress(self):
        """In-vocabulary tokens consumed by all threads (published part)."""
        return self.progress_counter

    @property
    def isa(self):
        return ISA_NAMES[self.p.isa]

    @property
    def vocab_size(self):
        return self.p.vocab_size

    @property
    def width(self):
        """Row length the kernel runs over (vector_size plus zero padding): a ThreadState's ``dim``."""
        return self.p.dim

    @property
    def window(self):
        return self.p.window

    def request_stop(self):
        """Asks every thread to stop at its next publication point (thread-safe)."""
        self.stop_flag = 1

    @property
    def stop_requested(self):
        return self.stop_flag != 0


cdef inline size_t _whole_lines(size_t nbytes) nogil:
    """Floats that fill the cache lines of ``nbytes`` bytes."""
    return (nbytes + 63) // 64 * 16


cdef class ThreadState:
    cdef fw2v_thread *t  # in a buffer of its own cache lines, like all its scratch
    cdef int dim
    cdef int window_capacity
    cdef int negative_capacity
    cdef int64_t kept_capacity
    cdef int hot_capacity
    cdef object fixed
    cdef list scratch  # the NumPy buffers behind the row scratch pointers
    cdef list hot      # and behind hot_rows / hot_seen
    cdef list kept     # and behind kept

    cdef void *lines(self, size_t nbytes, list owner) except NULL:
        """Zeroed bytes in whole 64-byte cache lines of their own; ``owner`` keeps
        the buffer alive. Whole lines: everything a worker writes (its state,
        its scratch) shares no line with another worker's. Small allocations
        made one after another for two workers would otherwise sit side by side,
        and every write of one would evict the line from the other's core (false
        sharing). The start is also where rows of a padded width
        (fastw2v/layout.py) stay aligned."""
        buf = layout.aligned_zeros(_whole_lines(nbytes))
        owner.append(buf)
        return cnp.PyArray_DATA(buf)

    cdef real_t *aligned(self, size_t n, list owner) except NULL:
        """n zeroed floats in lines of their own (see ``lines``)."""
        return <real_t *>self.lines(n * sizeof(real_t), owner)

    def __cinit__(self, int dim, uint64_t seed, int window=5, int negative=5):
        if dim < 1 or window < 1 or negative < 0:
            raise ValueError("dim and window must be >= 1 and negative >= 0")
        self.dim = dim
        self.window_capacity = window
        self.negative_capacity = negative
        self.scratch = []
        self.kept = []
        self.t = <fw2v_thread *>self.lines(sizeof(fw2v_thread), self.scratch)
        self.t.noise = <int32_t *>self.lines(max(negative, 1) * sizeof(int32_t), self.scratch)
        self.t.noise_next = <int32_t *>self.lines(max(negative, 1) * sizeof(int32_t), self.scratch)
        self.t.noise_raw = <uint64_t *>self.lines(max(negative, 1) * sizeof(uint64_t), self.scratch)
        self.t.has_next = 0
        self.t.rng = seed
        cdef size_t slots = max(2 * window, FW2V_CBOW_BLOCK)
        self.t.hidden = self.aligned(FW2V_CBOW_BLOCK * <size_t>dim, self.scratch)
        self.t.grad = self.aligned(dim, self.scratch)
        self.t.ctx_rows = <real_t **>self.lines(slots * sizeof(real_t *), self.scratch)
        self.t.ctx_ids = <int32_t *>self.lines(slots * sizeof(int32_t), self.scratch)
        self.t.ctx_grads = self.aligned(slots * dim, self.scratch)
        self.t.grp_rows = <real_t **>self.lines(FW2V_ROW_GROUP * sizeof(real_t *), self.scratch)
        self.t.grp_labels = self.aligned(FW2V_ROW_GROUP, self.scratch)
        self.t.grp_words = <int32_t *>self.lines(FW2V_ROW_GROUP * sizeof(int32_t), self.scratch)
        self.t.grp_g = self.aligned(FW2V_ROW_GROUP * slots, self.scratch)
        self.t.grp_lab = self.aligned(FW2V_ROW_GROUP * slots, self.scratch)
        self.kept_capacity = 0
        self.t.kept = NULL
        self.hot_capacity = 0
        self.t.hot_rows = NULL
        self.t.hot_seen = NULL
        self.t.hs_shift = 0
        self.t.neg_shift = 0
        self.t.syn0_shift = 0
        self.t.unpublished = 0
        self.t.fixed_negatives = NULL
        self.t.n_fixed_negatives = 0
        self.t.fixed_position = 0
        self.reset_counters()

    cdef check_pending(self, int64_t vocab_size, int negative):
        """Negatives drawn ahead for another vocabulary (a state reused with other
        parameters) are dropped: the kernel trusts them to be in range."""
        cdef int d
        if self.t.has_next:
            for d in range(negative):
                if self.t.noise_next[d] < 0 or self.t.noise_next[d] >= vocab_size:
                    self.t.has_next = 0
                    break

    cdef int ensure_hot(self, int n) except -1:
        """Room for n private rows (see fw2v_params.hs_private, neg_private and syn0_private)."""
        if n <= self.hot_capacity:
            return 0
        self.hot = []
        self.t.hot_rows = self.aligned(<size_t>n * self.dim, self.hot)
        self.t.hot_seen = self.aligned(<size_t>n * self.dim, self.hot)
        self.hot_capacity = n
        return 0

    cdef int ensure_capacity(self, int64_t n) except -1:
        if n <= self.kept_capacity:
            return 0
        self.kept = []
        self.t.kept = <int32_t *>self.lines(max(n, 1) * sizeof(int32_t), self.kept)
        self.kept_capacity = n
        return 0

    def reset_counters(self):
        self.t.words_seen = 0
        self.t.words_trained = 0
        self.t.loss = 0.0
        self.t.loss_terms = 0
        self.t.last_alpha = 0.0

    def set_fixed_negatives(self, negatives):
        """Test hook: negatives cycle through this list instead of being drawn."""
        if negatives is None:
            self.fixed = None
            self.t.fixed_negatives = NULL
            self.t.n_fixed_negatives = 0
            return
        arr = np.ascontiguousarray(negatives, dtype=np.int32)
        if arr.ndim != 1 or arr.shape[0] == 0:
            raise ValueError("fixed negatives must be a non-empty 1-D list")
        self.fixed = arr
        self.t.fixed_negatives = <const int32_t *>cnp.PyArray_DATA(arr)
        self.t.n_fixed_negatives = arr.shape[0]
        self.t.fixed_position = 0
        self.t.has_next = 0

    @property
    def rng_state(self):
        return self.t.rng

    @property
    def words_seen(self):
        return self.t.words_seen

    @property
    def words_trained(self):
        return self.t.words_trained

    @property
    def loss(self):
        return self.t.loss

    @property
    def loss_terms(self):
        return self.t.loss_terms

    @property
    def last_alpha(self):
        return self.t.last_alpha


cdef int _fill_batch(fw2v_batch *batch, KernelParams params, ThreadState state, const int32_t[::1] iv,
                     const int64_t[::1] ev, int64_t first_start) except -1:
    """Checks a batch against the parameters and the thread state (the kernel trusts
    all of it) and points ``batch`` at it; n_sentences = 0 when there is nothing to run."""
    cdef int64_t n_ends = ev.shape[0]
    batch.n_sentences = 0
    batch.weights = NULL
    if n_ends == 0:
        return 0
    bounds = np.concatenate(([first_start], np.asarray(ev)))
    lengths = np.diff(bounds)
    if lengths.min() < 0 or first_start < 0 or ev[n_ends - 1] > iv.shape[0]:
        raise ValueError("sentence ends must be non-decreasing and within ids")
    if ev[n_ends - 1] > first_start:
        span = np.asarray(iv[first_start:ev[n_ends - 1]])
        if span.min() < 0 or span.max() >= params.p.vocab_size:
            raise ValueError(f"token index out of range [0, {params.p.vocab_size})")
    if (state.dim != params.p.dim or state.window_capacity < params.p.window
            or state.negative_capacity < params.p.negative):
        raise ValueError("thread state was made for another vector size or a smaller window/negative")
    if state.fixed is not None and (state.fixed.min() < 0 or state.fixed.max() >= params.p.vocab_size):
        raise ValueError(f"fixed negatives out of range [0, {params.p.vocab_size})")
    state.ensure_capacity(int(lengths.max()))
    state.check_pending(params.p.vocab_size, params.p.negative)
    state.ensure_hot(params.p.hs_private + params.p.neg_private + params.p.syn0_private)
    if iv.shape[0] == 0:
        return 0
    batch.ids = &iv[0]
    batch.ends = &ev[0]
    batch.n_sentences = n_ends
    batch.first_start = first_start
    return 0


def train_batch(KernelParams params, ThreadState state, ids, ends, int64_t first_start=0, weights=None):
    """Trains on sentences ``ids[first_start:ends[0]], ids[ends[0]:ends[1]], ...``.

    ``weights`` (one float per sentence, optional) scales each sentence's
    learning rate. Runs without the GIL. Returns True when training was asked
    to stop (the batch is then trained up to a sentence boundary).
    """
    cdef const real_t[::1] wv
    cdef const int32_t[::1] iv = np.ascontiguousarray(ids, dtype=np.int32)
    cdef const int64_t[::1] ev = np.ascontiguousarray(ends, dtype=np.int64)
    cdef fw2v_batch batch
    cdef int rc
    _fill_batch(&batch, params, state, iv, ev, first_start)
    if batch.n_sentences == 0:
        return False
    if weights is not None:
        wv = np.ascontiguousarray(weights, dtype=np.float32)
        if wv.shape[0] != batch.n_sentences or not np.isfinite(np.asarray(wv)).all():
            raise ValueError("weights must hold one finite value per sentence")
        batch.weights = &wv[0]
    with nogil:
        rc = fw2v_train_batch(&params.p, state.t, &batch)
    return rc == FW2V_STOPPED


def score_batch(KernelParams params, ThreadState state, ids, ends, int64_t first_start=0):
    """Log-likelihood of each sentence ``ids[first_start:ends[0]], ...`` under a
    hierarchical-softmax model (gensim's ``Word2Vec.score``; kernels.h). Reads
    the weights only, without the GIL; returns float64, one per sentence."""
    cdef const int32_t[::1] iv = np.ascontiguousarray(ids, dtype=np.int32)
    cdef const int64_t[::1] ev = np.ascontiguousarray(ends, dtype=np.int64)
    cdef fw2v_batch batch
    if not params.p.hs:
        raise ValueError("scoring needs a hierarchical-softmax model (hs=1)")
    out = np.zeros(ev.shape[0], dtype=np.float64)
    cdef double[::1] ov = out
    _fill_batch(&batch, params, state, iv, ev, first_start)
    if batch.n_sentences:
        with nogil:
            fw2v_score_batch(&params.p, state.t, &batch, &ov[0])
    return out
