# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""Integer keys in C (csrc/int_keys.h): counting IDs, and the key -> index lookup.

`IntCounter` counts the IDs of an integer corpus; `IntIndex` is an int64 key
array plus a hash index over it. An integer-keyed vocabulary holds one
`IntIndex`: ``wv.index_to_key`` and ``wv.key_to_index`` are views of it
(fastw2v/key_index.py) and the training encoder is the same object, so the
keys exist once, as int64, with 4-byte hash slots beside them.
"""
from libc.stdint cimport int32_t, int64_t, uint8_t
from libc.stdlib cimport free, realloc
from libc.string cimport memcpy

import numpy as np
cimport numpy as cnp

from fastw2v._csrc cimport *

cnp.import_array()


cdef int _check(int rc, str what) except -1:
    if rc == FW2V_ERR_NOMEM:
        raise MemoryError(f"out of memory while {what}")
    if rc == FW2V_IK_FULL:
        raise OverflowError(f"more than {FW2V_IK_MAX_ENTRIES:,} distinct integer keys while {what}")
    return 0


def int64_keys(keys, str name="keys"):
    """``keys`` as a C-contiguous 1-D int64 array (TypeError / OverflowError otherwise)."""
    arr = np.asarray(keys)
    if arr.size == 0:
        return np.zeros(0, dtype=np.int64)
    if arr.ndim != 1 or arr.dtype.kind not in "iu":
        raise TypeError(f"{name} must be a 1-D array of integers, got {arr.ndim}-D {arr.dtype}")
    if arr.dtype == np.uint64 and arr.max() > np.iinfo(np.int64).max:
        raise OverflowError(f"{name} holds integers too large for int64 (max {arr.max()})")
    return np.ascontiguousarray(arr, dtype=np.int64)


cdef class _Owned:
    """Frees a malloc'd block when the NumPy array it backs is collected."""
    cdef void *block

    def __dealloc__(self):
        free(self.block)


cdef object _adopt(int64_t *block, int64_t n):
    """An int64 array over ``block`` (malloc'd), which the array then owns."""
    cdef cnp.npy_intp dims = n
    if n == 0 or block == NULL:
        free(block)
        return np.zeros(0, dtype=np.int64)
    cdef int64_t *shrunk = <int64_t *>realloc(block, <size_t>n * sizeof(int64_t))  # release the spare capacity
    if shrunk != NULL:
        block = shrunk
    owner = _Owned()
    (<_Owned>owner).block = block
    arr = cnp.PyArray_SimpleNewFromData(1, &dims, cnp.NPY_INT64, block)
    cnp.set_array_base(arr, owner)
    return arr


cdef class IntIndex:
    """Distinct int64 keys and their positions: ``find(keys[i]) == i``.

    Parameters
    ----------
    keys : 1-D integer array or sequence of int
        Distinct keys, in index order.
    copy : bool
        False adopts ``keys`` (an int64 C-contiguous array) as the key store
        without copying; the caller must not write to it afterwards (it is
        made read-only).

    Examples
    --------
    >>> ix = IntIndex([10, 7, 42])
    >>> ix.find(42), ix.find(5), len(ix)
    (2, -1, 3)
    """

    def __cinit__(self):
        fw2v_ii_init(&self.index)

    def __init__(self, keys=(), bint copy=True):
        arr = int64_keys(keys)
        if arr is keys and (copy or not arr.flags.writeable):
            arr = arr.copy()
        self._adopt_buffer(arr)
        cdef int64_t duplicate = -1
        rc = fw2v_ii_build(&self.index, self.data, arr.shape[0], arr.shape[0], &duplicate)
        if rc == FW2V_IK_DUPLICATE:
            raise ValueError(f"duplicate key {arr[duplicate]} (positions {self.find(arr[duplicate])} "
                             f"and {duplicate})")
        _check(rc, "indexing keys")
        arr.flags.writeable = False

    def __dealloc__(self):
        fw2v_ii_free(&self.index)

    cdef _adopt_buffer(self, arr):
        cdef int64_t[::1] view
        self.buffer = arr
        self.capacity = arr.shape[0]
        self.data = NULL
        if self.capacity:
            view = arr
            self.data = &view[0]

    def __reduce__(self):
        # copy.deepcopy and pickle rebuild the index from its keys (a model copy keeps its vocabulary)
        return (IntIndex, (np.array(self.keys, dtype=np.int64),))

    def __len__(self):
        return self.index.size

    @property
    def keys(self):
        """The keys in index order (a read-only int64 view, no copy)."""
        out = self.buffer[:self.index.size]
        out.flags.writeable = False
        return out

    @property
    def nbytes(self):
        """Memory held: the key store plus the hash slots."""
        return self.capacity * 8 + self.index.n_slots * 4

    cpdef int64_t find(self, int64_t key):
        """Position of ``key``, or -1."""
        return fw2v_ii_find(&self.index, self.data, key)

    def lookup(self, keys):
        """Position of each key (-1 when absent), as an int32 array."""
        cdef const int64_t[::1] q = int64_keys(keys)
        out = np.empty(q.shape[0], dtype=np.int32)
        cdef int32_t[::1] o = out
        if q.shape[0]:
            with nogil:
                fw2v_ii_lookup(&self.index, self.data, &q[0], q.shape[0], &o[0])
        return out

    def append(self, keys):
        """Adds new distinct keys at the end (ValueError if any is already present)."""
        arr = int64_keys(keys)
        cdef int64_t n = arr.shape[0], size = self.index.size, i
        if n == 0:
            return
        known = self.lookup(arr)
        if (known >= 0).any():
            raise ValueError(f"key {arr[np.flatnonzero(known >= 0)[0]]} is already present")
        if len(np.unique(arr)) != n:
            raise ValueError("duplicate keys among the keys to append")
        if size + n > self.capacity:
            grown = np.empty(max(size + n, 2 * self.capacity), dtype=np.int64)
            grown[:size] = self.buffer[:size]
            self._adopt_buffer(grown)
        cdef const int64_t[::1] added = arr
        memcpy(self.data + size, &added[0], n * sizeof(int64_t))  # the buffer is read-only to Python
        for i in range(n):
            _check(fw2v_ii_append(&self.index, self.data), "indexing keys")

    def encode_sentences(self, sentences, int64_t max_sentence_length, int64_t first_index=0):
        """Vocabulary indices of a list of integer sentences (lists of int or integer arrays).

        The same contract as ``TokenTable.encode_sentences``: unknown keys are
        skipped, a sentence longer than ``max_sentence_length`` raw tokens is cut
        into several, and the result is ``(ids int32, ends int64, raw_tokens)``.
        """
        return self._encode(sentences, max_sentence_length, first_index, 0)[:3]

    def encode_batch(self, sentences, int64_t max_sentence_length, int64_t first_index, int64_t max_words):
        """The next job from an iterator of sentences, as ``TokenTable.encode_batch``:
        stops after the sentence that brings the raw tokens to ``max_words`` and
        returns ``(ids, ends, raw_tokens, sentences_taken)``."""
        if max_words < 1:
            raise ValueError("max_words must be >= 1")
        return self._encode(sentences, max_sentence_length, first_index, max_words)

    def _encode(self, sentences, int64_t max_sentence_length, int64_t first_index, int64_t max_words):
        parts, lengths = [], []
        cdef int64_t raw = 0
        for sentence in sentences:
            arr = _int_sentence(sentence, first_index + len(parts))
            parts.append(arr)
            lengths.append(arr.shape[0])
            raw += arr.shape[0]
            if max_words and raw >= max_words:
                break
        flat = np.concatenate(parts) if parts else np.zeros(0, np.int64)
        cdef const int32_t[::1] index = self.lookup(flat)
        cdef const int64_t[::1] lens = np.asarray(lengths, dtype=np.int64)
        ids = np.empty(flat.shape[0], dtype=np.int32)
        ends = np.empty(flat.shape[0] + lens.shape[0], dtype=np.int64)
        cdef int32_t[::1] iv = ids
        cdef int64_t[::1] ev = ends
        cdef int64_t s, j, pos = 0, n_ids = 0, n_ends = 0, run
        with nogil:
            for s in range(lens.shape[0]):
                run = 0
                for j in range(lens[s]):
                    if index[pos] >= 0:
                        iv[n_ids] = index[pos]
                        n_ids += 1
                    pos += 1
                    run += 1
                    if run == max_sentence_length:
                        ev[n_ends] = n_ids
                        n_ends += 1
                        run = 0
                if run:
                    ev[n_ends] = n_ids
                    n_ends += 1
        return ids[:n_ids], ends[:n_ends], int(flat.shape[0]), len(parts)


cdef object _int_sentence(object sentence, int64_t position):
    """One sentence of an integer corpus as an int64 array, with errors that name it."""
    if isinstance(sentence, (str, bytes)):
        raise TypeError(f"sentence {position} is a {type(sentence).__name__}, not a list of tokens; "
                        "split it first (e.g. text.split())")
    items = None if isinstance(sentence, np.ndarray) else list(sentence)
    arr = sentence if items is None else np.asarray(items)
    if arr.size == 0:
        return np.zeros(0, dtype=np.int64)
    if arr.ndim != 1 or arr.dtype.kind not in "iu":
        if items is None and arr.ndim != 1:
            raise TypeError(f"sentence {position} is a {arr.ndim}-D array; integer sentences are 1-D")
        tokens = arr.tolist() if items is None else items
        bad = next((t for t in tokens if not isinstance(t, (int, np.integer)) or isinstance(t, (bool, np.bool_))),
                   None)
        if bad is None:  # every token an int, so NumPy found one beyond int64
            big = next(t for t in tokens if not -2 ** 63 <= int(t) < 2 ** 63)
            raise OverflowError(f"integer token {big} in sentence {position} does not fit in int64")
        raise TypeError(f"sentence {position} holds a {type(bad).__name__} token ({bad!r}), but the "
                        "vocabulary's keys are int: integer sentences are lists of int or 1-D integer arrays")
    return int64_keys(arr, f"sentence {position}")


cdef class IntCounter:
    """Counts of int64 keys in first-occurrence order (csrc/int_keys.h).

    Examples
    --------
    >>> c = IntCounter()
    >>> c.count_sequences(np.array([5, 3, 5]), np.array([0, 3]))
    1
    >>> c.keys().tolist(), c.counts().tolist()
    ([5, 3], [2, 1])
    """

    def __cinit__(self):
        fw2v_ic_init(&self.counter)

    def __dealloc__(self):
        fw2v_ic_free(&self.counter)

    def __len__(self):
        return self.counter.index.size

    def count_sequences(self, const int64_t[::1] ids, const int64_t[::1] offsets, int64_t first=0,
                        int64_t max_vocab_size=0):
        """Counts sequences ``first ..`` (sequence s is ``ids[offsets[s]:offsets[s+1]]``).

        Stops after the first sequence that leaves more than ``max_vocab_size``
        keys (0: never), so the caller can prune; returns the next sequence to count.
        """
        cdef int64_t nxt = first, n_sequences = offsets.shape[0] - 1
        cdef int rc = FW2V_OK
        if n_sequences > first:
            with nogil:
                rc = fw2v_ic_count_sequences(&self.counter, &ids[0] if ids.shape[0] else NULL, &offsets[0],
                                             first, n_sequences, max_vocab_size, &nxt)
        if rc != FW2V_NEED_PRUNE:
            _check(rc, "counting integer keys")
        return nxt

    def keys(self):
        """Keys in first-occurrence order (a copy)."""
        return self._copy(self.counter.keys)

    def counts(self):
        """Counts in first-occurrence order (a copy)."""
        return self._copy(self.counter.counts)

    cdef _copy(self, int64_t *src):
        out = np.empty(self.counter.index.size, dtype=np.int64)
        cdef int64_t[::1] o = out
        if self.counter.index.size:
            memcpy(&o[0], src, self.counter.index.size * sizeof(int64_t))
        return out

    def take(self):
        """``(keys, counts)`` without copying; the counter is left empty."""
        cdef int64_t n = self.counter.index.size
        fw2v_ii_free(&self.counter.index)  # the slots first: never resident beside the results
        keys = _adopt(self.counter.keys, n)
        self.counter.keys = NULL
        counts = _adopt(self.counter.counts, n)
        self.counter.counts = NULL
        fw2v_ic_free(&self.counter)
        fw2v_trim_heap()
        return keys, counts

    def compact(self, keep):
        """Keeps the entries where ``keep`` (bool array, first-occurrence order) is true."""
        cdef const uint8_t[::1] k = np.ascontiguousarray(keep, dtype=np.uint8)
        if k.shape[0] != self.counter.index.size:
            raise ValueError(f"keep mask has length {k.shape[0]}, expected {self.counter.index.size}")
        if k.shape[0]:
            _check(fw2v_ic_compact(&self.counter, &k[0]), "pruning the vocabulary")

    def prune_below(self, int64_t min_count):
        """Drops keys counted fewer than ``min_count`` times; returns the tokens dropped."""
        counts = self.counts()
        keep = counts >= min_count
        self.compact(keep)
        return int(counts[~keep].sum())
