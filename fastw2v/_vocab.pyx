# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""Counting tokens and encoding sentences into vocabulary indices, in C.

Every corpus front end ends here: Python lists of str or int, NumPy integer
arrays, and raw bytes read from files all become lookups in one C hash table
(csrc/token_table.h), so the per-token work never runs Python bytecode.
"""
from libc.stdint cimport int32_t, int64_t, uint8_t
from libc.stdlib cimport malloc, realloc, free
from libc.string cimport memcpy

import numpy as np
cimport numpy as cnp

from fastw2v._csrc cimport *

cnp.import_array()

cdef extern from "Python.h":
    # declared without Cython's `except NULL`: the hot path stays free of
    # exception bookkeeping and the rare failure is turned into a clear error below
    const char *PyUnicode_AsUTF8AndSize(object unicode, Py_ssize_t *size)
    void PyErr_Clear()

KIND_UNKNOWN = -1
cdef enum:
    ENCODE_BATCH = 8192  # tokens per batched lookup in encode_sentences (192 KB of key references)
KIND_STR = 0
KIND_INT = 1


cdef inline bint _is_int_token(object tok):
    return (isinstance(tok, int) and not isinstance(tok, bool)) or isinstance(tok, np.integer)


cdef class IntBuffer:
    """A growable int64 buffer (amortised O(1) push without Python objects)."""
    cdef int64_t *data
    cdef public int64_t size
    cdef int64_t cap

    def __cinit__(self):
        self.cap = 4096
        self.size = 0
        self.data = <int64_t *>malloc(self.cap * sizeof(int64_t))
        if not self.data:
            raise MemoryError()

    def __dealloc__(self):
        free(self.data)

    cdef inline int push(self, int64_t v) except -1:
        cdef int64_t *p
        if self.size == self.cap:
            p = <int64_t *>realloc(self.data, 2 * self.cap * sizeof(int64_t))
            if not p:
                raise MemoryError()
            self.data = p
            self.cap *= 2
        self.data[self.size] = v
        self.size += 1
        return 0

    def to_array(self, dtype):
        out = np.empty(self.size, dtype=np.int64)
        cdef int64_t[::1] o = out
        if self.size:
            memcpy(&o[0], self.data, self.size * sizeof(int64_t))
        return out.astype(dtype, copy=False)


cdef inline int64_t _emit(IntBuffer ids, IntBuffer ends, int64_t index, int64_t run,
                          int64_t max_sentence_length) except -1:
    """Appends one token's index (none for an unknown token, index < 0) and returns
    the sentence's raw-token run, cut into a new sentence every max_sentence_length."""
    if index >= 0:
        ids.push(index)
    run += 1
    if run == max_sentence_length:
        ends.push(ids.size)
        run = 0
    return run


cdef int _flush_lookups(TokenTable table, int64_t pending, int64_t *found, IntBuffer lengths, IntBuffer ids,
                        IntBuffer ends, int64_t max_sentence_length) except -1:
    """Looks up the pending keys (table.refs) of whole sentences (their token
    counts in ``lengths``) and appends their ids and sentence ends."""
    cdef int64_t s, j, k = 0, run
    fw2v_tt_find_many(&table.table, table.refs, pending, found)
    for s in range(lengths.size):
        run = 0
        for j in range(lengths.data[s]):
            run = _emit(ids, ends, found[k], run, max_sentence_length)
            k += 1
        if run:
            ends.push(ids.size)
    lengths.size = 0
    return 0


cdef class TokenTable:
    """Byte-string keyed counts (str tokens by UTF-8, int tokens by their 8 bytes)."""

    def __cinit__(self, int64_t expected=1024, int key_kind=-1):
        if fw2v_tt_init(&self.table, expected) != FW2V_OK:
            raise MemoryError("cannot allocate the token table")
        self.key_kind = key_kind
        self.refs = NULL
        self.refs_cap = 0

    def __dealloc__(self):
        fw2v_tt_free(&self.table)
        free(self.refs)

    cdef int _reserve_refs(self, int64_t n) except -1:
        """Room for n key references (one sentence's tokens, added as one batch)."""
        cdef fw2v_tt_keyref *grown
        if n <= self.refs_cap:
            return 0
        grown = <fw2v_tt_keyref *>realloc(self.refs, <size_t>max(n, 64) * sizeof(fw2v_tt_keyref))
        if grown == NULL:
            raise MemoryError("out of memory while counting tokens")
        self.refs = grown
        self.refs_cap = max(n, 64)
        return 0

    def __len__(self):
        return self.table.size

    cdef int _check_kind(self, object tok, int64_t position) except -1:
        cdef int kind
        if isinstance(tok, str):
            kind = 0
        elif _is_int_token(tok):
            kind = 1
        else:
            raise TypeError(
                f"tokens must be str or int, got {type(tok).__name__} ({tok!r}) in sentence {position}")
        if self.key_kind == -1:
            self.key_kind = kind
        elif self.key_kind != kind:
            raise TypeError(
                f"sentence {position} mixes token types: found {type(tok).__name__} {tok!r} in a corpus "
                f"of {'str' if self.key_kind == 0 else 'int'} tokens")
        return kind

    cdef int64_t find_object(self, object token, int64_t position) except -2:
        cdef const char *p
        cdef Py_ssize_t n
        cdef int64_t v
        if self._check_kind(token, position) == 0:
            p = _utf8(token, position, &n)
            return fw2v_tt_find(&self.table, p, n, fw2v_hash_bytes(p, n))
        v = _int_token(token, position)
        return fw2v_tt_find(&self.table, <const char *>&v, 8, fw2v_hash_bytes(<const char *>&v, 8))

    cdef int64_t add_object(self, object token, int64_t position) except -2:
        cdef const char *p
        cdef Py_ssize_t n
        cdef int64_t v, r
        if self._check_kind(token, position) == 0:
            p = _utf8(token, position, &n)
            r = fw2v_tt_add(&self.table, p, n, 1)
        else:
            v = _int_token(token, position)
            r = fw2v_tt_add(&self.table, <const char *>&v, 8, 1)
        if r < 0:
            raise MemoryError("out of memory while counting tokens")
        return r

    def count_sentences(self, sentences, int64_t max_vocab_size=0, prune=None):
        """Counts tokens of an iterable of sentences.

        ``prune(self)`` is called after any sentence that leaves more than
        ``max_vocab_size`` entries (gensim's rule and timing). Returns
        ``(sentences, tokens)`` counted.
        """
        cdef int64_t n_sentences = 0, n_tokens = 0, i, n
        cdef const cnp.int64_t[::1] arr
        cdef list lst
        cdef const char *p
        cdef Py_ssize_t size
        cdef int64_t pending
        for sentence in sentences:
            if _str_array(sentence):
                sentence = sentence.tolist()
            if isinstance(sentence, np.ndarray):
                arr = _int_array(sentence, n_sentences)
                if self.key_kind == 0 and arr.shape[0]:
                    raise TypeError(f"sentence {n_sentences} is an integer array in a corpus of str tokens")
                if arr.shape[0]:
                    self.key_kind = 1
                self._reserve_refs(arr.shape[0])
                for i in range(arr.shape[0]):
                    self.refs[i].key = <const char *>&arr[i]
                    self.refs[i].len = 8
                    self.refs[i].hash = fw2v_hash_bytes(<const char *>&arr[i], 8)
                if fw2v_tt_add_many(&self.table, self.refs, arr.shape[0]) != FW2V_OK:
                    raise MemoryError("out of memory while counting tokens")
                n = arr.shape[0]
            else:
                if isinstance(sentence, (str, bytes)):
                    raise TypeError(
                        f"sentence {n_sentences} is a {type(sentence).__name__}, not a list of tokens; "
                        "split it first (e.g. text.split())")
                n = 0
                if type(sentence) is list:  # indexed access: no iterator object per sentence
                    lst = <list>sentence
                    n = len(lst)
                    self._reserve_refs(n)
                    # str tokens of a str corpus (the common case) are hashed first and
                    # added as one batch, so the table prefetches their slots; any other
                    # token flushes the batch and goes the checked way: same order, same counts
                    pending = 0
                    for i in range(n):
                        tok = lst[i]
                        if type(tok) is str and self.key_kind == 0:
                            p = _utf8(tok, n_sentences, &size)
                            self.refs[pending].key = p
                            self.refs[pending].len = size
                            self.refs[pending].hash = fw2v_hash_bytes(p, size)
                            pending += 1
                        else:
                            if pending and fw2v_tt_add_many(&self.table, self.refs, pending) != FW2V_OK:
                                raise MemoryError("out of memory while counting tokens")
                            pending = 0
                            self.add_object(tok, n_sentences)
                    if pending and fw2v_tt_add_many(&self.table, self.refs, pending) != FW2V_OK:
                        raise MemoryError("out of memory while counting tokens")
                else:
                    for tok in sentence:
                        self.add_object(tok, n_sentences)
                        n += 1
            n_sentences += 1
            n_tokens += n
            if max_vocab_size > 0 and self.table.size > max_vocab_size:
                prune(self)
        return n_sentences, n_tokens

    def count_buffer(self, Scanner scanner, const unsigned char[::1] buf, int64_t max_vocab_size=0, prune=None):
        """Counts the whitespace-separated tokens of a bytes buffer (see csrc/scan.h)."""
        cdef int64_t pos = 0, n = buf.shape[0]
        cdef int rc
        if self.key_kind == 1:
            raise TypeError("cannot count text into a table of int tokens")
        self.key_kind = 0
        if n == 0:
            return
        while True:
            with nogil:
                rc = fw2v_scan_count(&self.table, &scanner.state, <const char *>&buf[0], n, &pos, max_vocab_size)
            if rc == FW2V_NEED_PRUNE:
                prune(self)
            elif rc == FW2V_ERR_NOMEM:
                raise MemoryError("out of memory while counting tokens")
            else:
                return

    def counts(self):
        """Counts in insertion order (a copy)."""
        out = np.empty(self.table.size, dtype=np.int64)
        cdef int64_t[::1] o = out
        cdef int64_t i
        for i in range(self.table.size):
            o[i] = fw2v_tt_count(&self.table, i)
        return out

    def orders(self):
        """First-occurrence stamps in insertion order (a copy)."""
        out = np.empty(self.table.size, dtype=np.int64)
        cdef int64_t[::1] o = out
        cdef int64_t i
        for i in range(self.table.size):
            o[i] = fw2v_tt_order(&self.table, i)
        return out

    def keys(self, errors="strict"):
        """Keys in insertion order: a list of str, or an int64 array for int tokens."""
        cdef int64_t i, n = self.table.size
        cdef int64_t[::1] ik
        if self.key_kind == 1:
            out = np.empty(n, dtype=np.int64)
            ik = out
            for i in range(n):
                memcpy(&ik[i], fw2v_tt_key(&self.table, i), 8)
            return out
        return [fw2v_tt_key(&self.table, i)[:fw2v_tt_key_len(&self.table, i)].decode("utf-8", errors)
                for i in range(n)]

    def compact(self, keep):
        """Keeps the entries where ``keep`` (bool array, insertion order) is true."""
        cdef const uint8_t[::1] k = np.ascontiguousarray(keep, dtype=np.uint8)
        if k.shape[0] != self.table.size:
            raise ValueError("keep mask has the wrong length")
        if self.table.size and fw2v_tt_compact(&self.table, &k[0]) != FW2V_OK:
            raise MemoryError("out of memory while pruning the vocabulary")

    def prune_below(self, int64_t min_count):
        """Drops entries counted fewer than ``min_count`` times; returns the tokens dropped."""
        counts = self.counts()
        keep = counts >= min_count
        self.compact(keep)
        return int(counts[~keep].sum())

    @staticmethod
    def from_keys(keys):
        """A lookup table whose entry i is keys[i] (keys must be distinct)."""
        cdef TokenTable t = TokenTable(max(len(keys), 16))
        cdef int64_t i = 0
        cdef const cnp.int64_t[::1] arr
        if isinstance(keys, np.ndarray):
            arr = _int_array(keys, 0)
            t.key_kind = 1
            for i in range(arr.shape[0]):
                if fw2v_tt_add(&t.table, <const char *>&arr[i], 8, 1) < 0:
                    raise MemoryError("out of memory")
        else:
            for key in keys:
                t.add_object(key, 0)
                i += 1
        if t.table.size != len(keys):
            raise ValueError("duplicate keys in the vocabulary")
        return t

    def encode_sentences(self, sentences, int64_t max_sentence_length, int64_t first_index=0):
        """Vocabulary indices of a list of sentences, for the training kernels.

        Unknown tokens are skipped; sentences longer than ``max_sentence_length``
        are cut into several (never truncated). Returns ``(ids, ends, raw_tokens)``
        with sentence s being ``ids[ends[s-1]:ends[s]]``.
        """
        return self._encode(sentences, max_sentence_length, first_index, 0)[:3]

    def encode_batch(self, sentences, int64_t max_sentence_length, int64_t first_index, int64_t max_words):
        """The next job from an iterator of sentences: like ``encode_sentences``,
        but stops after the sentence that brings the raw tokens to ``max_words``,
        leaving the rest in the iterator. Returns ``(ids, ends, raw_tokens,
        sentences_taken)``; 0 sentences taken means the iterator is exhausted.

        The feeder of corpus_iterable= calls this once per job, so no Python
        bytecode runs per sentence (that loop cost about a fifth of the encoding
        itself: 0.04-0.06 s per epoch of the shared corpus)."""
        if max_words < 1:
            raise ValueError("max_words must be >= 1")
        return self._encode(sentences, max_sentence_length, first_index, max_words)

    cdef tuple _encode(self, sentences, int64_t max_sentence_length, int64_t first_index, int64_t max_words):
        cdef IntBuffer ids = IntBuffer(), ends = IntBuffer(), lengths = IntBuffer()
        cdef int64_t raw = 0, run = 0, i, index, position = first_index, n, pending = 0
        cdef int64_t *found = NULL
        cdef const cnp.int64_t[::1] arr
        cdef list lst
        cdef const char *p
        cdef Py_ssize_t size
        cdef bint plain
        # Lists of exact str in a str corpus (the common case) are hashed here and
        # looked up in batches of about BATCH tokens across sentences, so the table
        # prefetches slots and records ahead; anything else first flushes the batch
        # and goes the checked way, one token at a time: the same ids in the same order.
        self._reserve_refs(ENCODE_BATCH + 1)
        found = <int64_t *>malloc(<size_t>self.refs_cap * sizeof(int64_t))
        if found == NULL:
            raise MemoryError()
        try:
            for sentence in sentences:
                plain = False
                if type(sentence) is list and self.key_kind == 0:
                    lst = <list>sentence
                    n = len(lst)
                    if pending + n > self.refs_cap:
                        _flush_lookups(self, pending, found, lengths, ids, ends, max_sentence_length)
                        pending = 0
                        if n > self.refs_cap:
                            self._reserve_refs(n)
                            free(found)
                            found = <int64_t *>malloc(<size_t>self.refs_cap * sizeof(int64_t))
                            if found == NULL:
                                raise MemoryError()
                    plain = True
                    for i in range(n):
                        tok = lst[i]
                        if type(tok) is not str:
                            plain = False
                            break
                        p = _utf8(tok, position, &size)
                        self.refs[pending + i].key = p
                        self.refs[pending + i].len = size
                        self.refs[pending + i].hash = fw2v_hash_bytes(p, size)
                    if plain:
                        pending += n
                        lengths.push(n)
                        raw += n
                        if pending >= ENCODE_BATCH:
                            _flush_lookups(self, pending, found, lengths, ids, ends, max_sentence_length)
                            pending = 0
                        position += 1
                        if max_words and raw >= max_words:
                            break
                        continue
                if pending:
                    _flush_lookups(self, pending, found, lengths, ids, ends, max_sentence_length)
                    pending = 0
                run = 0
                if _str_array(sentence):
                    sentence = sentence.tolist()
                if isinstance(sentence, np.ndarray):
                    arr = _int_array(sentence, position)
                    if arr.shape[0] and self.key_kind == 0:
                        raise TypeError(f"sentence {position} is an integer array in a corpus of str tokens")
                    for i in range(arr.shape[0]):
                        index = fw2v_tt_find(&self.table, <const char *>&arr[i], 8,
                                             fw2v_hash_bytes(<const char *>&arr[i], 8))
                        run = _emit(ids, ends, index, run, max_sentence_length)
                    raw += arr.shape[0]
                else:
                    if isinstance(sentence, (str, bytes)):
                        raise TypeError(
                            f"sentence {position} is a {type(sentence).__name__}, not a list of tokens; "
                            "split it first (e.g. text.split())")
                    lst = sentence if type(sentence) is list else list(sentence)
                    for i in range(len(lst)):
                        run = _emit(ids, ends, self.find_object(lst[i], position), run, max_sentence_length)
                        raw += 1
                if run:
                    ends.push(ids.size)
                position += 1
                if max_words and raw >= max_words:
                    break
            if pending:
                _flush_lookups(self, pending, found, lengths, ids, ends, max_sentence_length)
        finally:
            free(found)
        return ids.to_array(np.int32), ends.to_array(np.int64), raw, position - first_index

    def encode_buffer(self, Scanner scanner, const unsigned char[::1] buf):
        """Vocabulary indices of the tokens in a bytes buffer (file front end)."""
        cdef int64_t n = buf.shape[0], n_ids = 0, n_ends = 0
        ids = np.empty(n // 2 + 1, dtype=np.int32)
        ends = np.empty(n // 2 + 1, dtype=np.int64)
        cdef int32_t[::1] iv = ids
        cdef int64_t[::1] ev = ends
        if n:
            with nogil:
                fw2v_scan_encode(&self.table, &scanner.state, <const char *>&buf[0], n,
                                 &iv[0], &n_ids, &ev[0], &n_ends)
        return ids[:n_ids], ends[:n_ends]


cdef inline const char *_utf8(object token, int64_t position, Py_ssize_t *n) except NULL:
    cdef const char *p = PyUnicode_AsUTF8AndSize(token, n)
    if p == NULL:
        PyErr_Clear()
        _bad_unicode(token, position)
    return p


cdef int _bad_unicode(object token, int64_t position) except -1:
    try:
        token.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError(f"token {token!r} in sentence {position} is not valid Unicode "
                         f"(lone surrogate at {exc.start}); clean or encode it first") from None
    raise ValueError(f"token {token!r} in sentence {position} cannot be encoded as UTF-8")


cdef int64_t _int_token(object token, int64_t position) except? -1:
    try:
        return token
    except OverflowError:
        raise OverflowError(f"integer token {token} in sentence {position} does not fit in int64") from None


cdef inline bint _str_array(object sentence):
    """A 1-D NumPy array of str (or of objects, checked token by token later):
    taken as the list it holds, as gensim iterates any sentence."""
    return isinstance(sentence, np.ndarray) and sentence.ndim == 1 and sentence.dtype.kind in "UO"


cdef const cnp.int64_t[::1] _int_array(object arr, int64_t position) except *:
    if arr.ndim != 1 or arr.dtype.kind not in "iu":
        raise TypeError(f"sentence {position}: a NumPy sentence must be a 1-D array of integers or str, "
                        f"got {arr.ndim}-D {arr.dtype}")
    if arr.dtype == np.uint64 and arr.size and arr.max() > np.iinfo(np.int64).max:
        raise OverflowError(f"sentence {position}: integer token too large for int64")
    return np.ascontiguousarray(arr, dtype=np.int64)


cdef class Scanner:
    """Position of a file scan between buffers (open sentence, totals).

    ``sentence_tokens`` starts a scan inside a line that already holds that many
    tokens (a buffer re-encoded after its predecessors, see threads.encode_file).
    """

    def __cinit__(self, int64_t max_sentence_length=10000, int64_t sentence_tokens=0):
        if max_sentence_length < 1:
            raise ValueError("max_sentence_length must be >= 1")
        if not 0 <= sentence_tokens < max_sentence_length:
            raise ValueError("sentence_tokens must be in [0, max_sentence_length)")
        self.state.max_sentence_length = max_sentence_length
        self.state.sentence_tokens = sentence_tokens
        self.state.total_tokens = 0
        self.state.sentences = 0
        self.state.head_tokens = -1

    def finish(self):
        """Closes the last open sentence; True when there was one."""
        return bool(fw2v_scan_finish(&self.state))

    @property
    def total_tokens(self):
        return self.state.total_tokens

    @property
    def sentences(self):
        return self.state.sentences

    @property
    def sentence_tokens(self):
        """Raw tokens of the sentence still open."""
        return self.state.sentence_tokens

    @property
    def head_tokens(self):
        """Raw tokens scanned before the first newline; -1 when none was crossed."""
        return self.state.head_tokens
