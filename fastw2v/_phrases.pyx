# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""Phrase counting, scoring and joining in C (csrc/phrases.h).

The Python side (fastw2v.phrases) keeps gensim's API and rules; this module
turns each sentence into token pointers once and lets C do the per-token
work. Tokens given as Python lists are read through their cached UTF-8 bytes,
so a corpus counted from lists and the same corpus counted from a file end up
in the same table.
"""
from cpython.list cimport PyList_New, PyList_SET_ITEM
from cpython.object cimport PyObject
from cpython.ref cimport Py_INCREF, Py_XDECREF
from cpython.unicode cimport PyUnicode_AsUTF8AndSize, PyUnicode_DecodeUTF8
from libc.stdint cimport int64_t, uint8_t, uint64_t
from libc.stdlib cimport calloc, free, realloc
from libc.string cimport memcmp, memcpy, memset

cimport cython
import numpy as np
cimport numpy as cnp

from fastw2v._csrc cimport *
from fastw2v._vocab cimport Scanner, TokenTable

cnp.import_array()

cdef extern from "Python.h":
    object PyUnicode_New(Py_ssize_t size, Py_UCS4 maxchar)
    void *PyUnicode_DATA(object unicode)
    Py_ssize_t PyUnicode_GET_LENGTH(object unicode)
    bint PyUnicode_IS_COMPACT_ASCII(object unicode)

SCORE_DEFAULT = FW2V_SCORE_DEFAULT
SCORE_NPMI = FW2V_SCORE_NPMI
SCORE_WORD2PHRASE = FW2V_SCORE_WORD2PHRASE
SCORE_FROZEN = FW2V_SCORE_FROZEN


cdef inline int _check(int rc) except -1:
    if rc == FW2V_ERR_NOMEM:
        raise MemoryError("out of memory while detecting phrases")
    return 0


cdef class PhraseEngine:
    """The C side of one Phrases or FrozenPhrases model.

    Parameters
    ----------
    table : TokenTable
        Unigram and bigram counts, or (``scoring=SCORE_FROZEN``) the exported phrases.
    connectors : TokenTable
        Connector words (counts unused).
    delimiter : str
        Non-empty glue between the tokens of a phrase.
    scoring : int
        One of the ``SCORE_*`` constants.
    scores : ndarray of float64, optional
        For ``SCORE_FROZEN``: the score of each entry of ``table``.
    """

    def __cinit__(self, TokenTable table, TokenTable connectors, str delimiter, int scoring, scores=None):
        if not delimiter:
            raise ValueError("delimiter must be a non-empty string")
        self.table = table
        self.connectors = connectors
        self._delimiter = delimiter.encode("utf-8")
        memset(&self.model, 0, sizeof(self.model))
        memset(&self.cursor, 0, sizeof(self.cursor))
        memset(&self._phrases, 0, sizeof(self._phrases))
        memset(&self._out, 0, sizeof(self._out))
        self.model.table = &table.table
        self.model.connectors = &connectors.table
        self.model.delimiter = self._delimiter
        self.model.delimiter_len = len(self._delimiter)
        self.model.scoring = scoring
        cdef const double[::1] sv
        if scoring == FW2V_SCORE_FROZEN:
            self._scores = np.ascontiguousarray(scores, dtype=np.float64)
            if self._scores.shape[0] != table.table.size:
                raise ValueError("one score per exported phrase is needed")
            if self._scores.shape[0]:
                sv = self._scores
                self.model.frozen_scores = &sv[0]
            self._build_filter()

    cdef _build_filter(self):
        cdef int64_t pairs = fw2v_phrase_filter_pairs(&self.model)
        if pairs > 64 * self.table.table.size + 1024:
            return  # keys full of delimiters: too many cuts to be worth it, look every candidate up
        cdef int64_t bits = fw2v_phrase_filter_bits(pairs)
        self._filter = np.zeros(bits // 64, dtype=np.uint64)
        cdef uint64_t[::1] fv = self._filter
        fw2v_phrase_filter_build(&self.model, &fv[0], bits - 1)
        self.model.filter = &fv[0]
        self.model.filter_mask = bits - 1

    def __dealloc__(self):
        fw2v_cursor_free(&self.cursor)
        fw2v_bytes_free(&self._phrases)
        fw2v_join_output_free(&self._out)
        free(self._tokens)
        free(self._lens)
        free(self._spans)

    def copy(self):
        """An engine over the same tables and parameters with its own cursor and buffers.

        One run (a file being counted or joined) owns one engine, so two runs
        can be interleaved or go on in different threads.
        """
        cdef PhraseEngine other = PhraseEngine(self.table, self.connectors, self._delimiter.decode("utf-8"),
                                               self.model.scoring, self._scores)
        other.model.threshold = self.model.threshold
        other.model.min_count = self.model.min_count
        other.model.corpus_word_count = self.model.corpus_word_count
        other.model.len_vocab = self.model.len_vocab
        return other

    def configure(self, double threshold, double min_count, double corpus_word_count):
        """Copies the model's (mutable, Python-side) parameters before a run."""
        self.model.threshold = threshold
        self.model.min_count = min_count
        self.model.corpus_word_count = corpus_word_count
        self.model.len_vocab = self.table.table.size

    cdef int _reserve(self, int64_t n) except -1:
        cdef int64_t cap = self._capacity if self._capacity else 256
        if n <= self._capacity:
            return 0
        while cap < n:
            cap *= 2
        p1 = realloc(self._tokens, cap * sizeof(char *))
        if p1:
            self._tokens = <const char **>p1
        p2 = realloc(self._lens, cap * sizeof(int64_t))
        if p2:
            self._lens = <int64_t *>p2
        p3 = realloc(self._spans, cap * sizeof(fw2v_phrase_span))
        if p3:
            self._spans = <fw2v_phrase_span *>p3
        if not (p1 and p2 and p3):
            raise MemoryError("out of memory while reading a sentence")
        self._capacity = cap
        return 0

    cdef int64_t _load_sentence(self, list sentence, int64_t position) except -1:
        """Points the token arrays at the UTF-8 bytes of the sentence's str tokens."""
        cdef int64_t i, n = len(sentence)
        cdef Py_ssize_t length
        self._reserve(n)
        for i in range(n):
            tok = sentence[i]
            if type(tok) is str and PyUnicode_IS_COMPACT_ASCII(tok):
                # the usual token: its characters are its UTF-8 bytes, no call needed
                self._tokens[i] = <const char *>PyUnicode_DATA(tok)
                self._lens[i] = PyUnicode_GET_LENGTH(tok)
                continue
            if not isinstance(tok, str):
                raise TypeError(f"tokens must be str, got {type(tok).__name__} ({tok!r}) "
                                f"in sentence {position}")
            try:
                self._tokens[i] = PyUnicode_AsUTF8AndSize(tok, &length)
            except UnicodeEncodeError:
                raise ValueError(f"token {tok!r} in sentence {position} is not valid Unicode "
                                 "(lone surrogate); clean it first") from None
            self._lens[i] = length
        return n

    # ---- counting ----

    def count_sentences(self, TokenTable vocab, sentences, int64_t max_vocab_size, prune):
        """Counts an iterable of token lists into ``vocab`` (gensim's _learn_vocab).

        ``prune(vocab)`` is called after any sentence that leaves more than
        ``max_vocab_size`` entries. Returns ``(sentences, words)``.
        """
        cdef int64_t n, words = 0, position = 0
        cdef CountBatch batch = CountBatch()
        vocab.key_kind = 0
        for sentence in sentences:
            if isinstance(sentence, (str, bytes)):
                raise TypeError(f"sentence {position} is a {type(sentence).__name__}, not a list of "
                                "tokens; split it first (e.g. text.split())")
            if type(sentence) is not list:
                sentence = list(sentence)
            n = self._load_sentence(sentence, position)
            _check(fw2v_phrases_gather_tokens(&self.model, &self.cursor, self._tokens, self._lens, n,
                                              &batch.batch))
            batch.next_op = batch.next_mark = 0
            add_batch(vocab, batch, 0, None)
            words += n
            position += 1
            if 0 < max_vocab_size < vocab.table.size:
                prune(vocab)
        return position, words

    def gather_buffer(self, Scanner scanner, bint line_sentences, bytes buf):
        """The keys of the text ``buf`` (ends at a token boundary) as a :class:`CountBatch`.

        Needs no table, so it may run in another thread than :func:`add_batch`
        (one engine and scanner per text, its buffers in order).
        """
        cdef CountBatch batch = CountBatch()
        cdef const char *p = buf
        cdef int64_t n = len(buf)
        cdef int rc = FW2V_OK
        batch.source = buf
        with nogil:
            rc = fw2v_phrases_gather_buffer(&self.model, &self.cursor, &scanner.state, line_sentences, p, n,
                                            &batch.batch)
        _check(rc)
        return batch

    def count_finish(self, Scanner scanner):
        """Closes the last sentence of a text; True when there was one."""
        return bool(fw2v_phrases_count_finish(&self.cursor, &scanner.state))

    # ---- joining ----

    def join(self, list sentence, bint with_scores=False, int64_t position=0):
        """The sentence with phrases joined; with ``with_scores``, ``(token, score or None)`` pairs.

        Tokens left alone are the sentence's own str objects; a joined phrase
        comes from a cache of phrase strs (one object per phrase, not one per
        occurrence).
        """
        cdef int64_t n, n_out = 0, k
        cdef fw2v_phrase_span *s
        cdef const char *key
        cdef StrCache strings
        n = self._load_sentence(sentence, position)
        self._phrases.len = 0
        _check(fw2v_phrases_join_tokens(&self.model, &self.cursor, self._tokens, self._lens, n,
                                        self._spans, &n_out, &self._phrases))
        if self._phrase_strings is None:
            self._phrase_strings = StrCache(12)
        strings = self._phrase_strings
        out = PyList_New(n_out)
        for k in range(n_out):
            s = &self._spans[k]
            if s.last - s.first == 1:
                tok = sentence[s.first]
                if with_scores:
                    tok = (tok, None)
            else:
                key = self._phrases.data + s.offset
                tok = strings.get(key, s.length, fw2v_hash_bytes(key, s.length))
                if with_scores:
                    tok = (tok, s.score)
            Py_INCREF(tok)
            PyList_SET_ITEM(out, k, tok)
        return out

    def join_buffer(self, Scanner scanner, bint line_sentences, const unsigned char[::1] buf):
        """Joined text of ``buf``: one sentence a line, tokens separated by a space."""
        cdef int64_t n = buf.shape[0]
        cdef int rc = FW2V_OK
        self._out.text.len = 0
        self._out.form = FW2V_JOIN_TEXT
        if n:
            with nogil:
                rc = fw2v_phrases_join_buffer(&self.model, &self.cursor, &scanner.state, line_sentences,
                                              <const char *>&buf[0], n, &self._out)
        _check(rc)
        return self._out.text.data[:self._out.text.len] if self._out.text.len else b""

    def join_finish(self, Scanner scanner):
        """The last open sentence of a text, joined."""
        self._out.text.len = 0
        _check(fw2v_phrases_join_finish(&self.model, &self.cursor, &scanner.state, &self._out))
        return self._out.text.data[:self._out.text.len] if self._out.text.len else b""

    def join_sentences(self, Scanner scanner, bint line_sentences, const unsigned char[::1] buf, bint final=False):
        """The sentences of ``buf`` completed so far, joined, as :class:`JoinedSentences`.

        ``final``: ``buf`` is the end of the text (may be empty). A sentence
        still open stays with the engine for the next call. GIL-free but for
        a few allocations, so it runs in a background thread.
        """
        cdef int64_t n = buf.shape[0]
        cdef int rc = FW2V_OK
        cdef JoinedSentences done = JoinedSentences.__new__(JoinedSentences)
        self._out.form = FW2V_JOIN_RECORDS
        # room for the whole chunk, so the output is not copied while it grows
        if fw2v_bytes_reserve(&self._out.text, n + 64) or fw2v_bytes_reserve(&self._out.records, 4 * n + 256):
            raise MemoryError("out of memory while joining phrases")
        with nogil:
            if n:
                rc = fw2v_phrases_join_buffer(&self.model, &self.cursor, &scanner.state, line_sentences,
                                              <const char *>&buf[0], n, &self._out)
            if rc == FW2V_OK and final:
                rc = fw2v_phrases_join_finish(&self.model, &self.cursor, &scanner.state, &self._out)
        _check(rc)
        # the complete sentences leave with `done`; the open one moves to fresh buffers
        done.out = self._out
        memset(&self._out, 0, sizeof(self._out))
        self._out.form = FW2V_JOIN_RECORDS
        _check(fw2v_join_output_carry(&done.out, &self._out))
        return done

    # ---- exporting ----

    def candidates(self):
        """``(index, count_a, count_b)`` of every key that gensim's export_phrases would score."""
        cdef int64_t size = self.table.table.size, k
        index = np.empty(size, dtype=np.int64)
        count_a = np.empty(size, dtype=np.int64)
        count_b = np.empty(size, dtype=np.int64)
        cdef int64_t[::1] iv = index, av = count_a, bv = count_b
        if size == 0:
            return index, count_a, count_b
        with nogil:
            k = fw2v_phrases_candidates(&self.model, &iv[0], &av[0], &bv[0])
        return index[:k], count_a[:k], count_b[:k]

    def scores(self, const int64_t[::1] index, const int64_t[::1] count_a, const int64_t[::1] count_b):
        """Built-in scores of candidates (counts of ab read from the table)."""
        cdef int64_t i, n = index.shape[0]
        out = np.empty(n, dtype=np.float64)
        cdef double[::1] ov = out
        with nogil:
            for i in range(n):
                ov[i] = fw2v_phrase_score(&self.model, count_a[i], count_b[i], fw2v_tt_count(self.model.table, index[i]))
        return out


cdef class CountBatch:
    """Unigram and bigram keys gathered from a text, waiting to be added to a table."""

    def __dealloc__(self):
        fw2v_count_batch_free(&self.batch)

    def __len__(self):
        return self.batch.n_ops


def add_batch(TokenTable vocab, CountBatch batch, int64_t max_vocab_size, prune):
    """Adds ``batch``'s keys to ``vocab`` in order, calling ``prune(vocab)`` after any
    sentence that leaves more than ``max_vocab_size`` (> 0) entries (gensim's rule)."""
    cdef int rc
    vocab.key_kind = 0
    while True:
        with nogil:
            rc = fw2v_phrases_add_batch(&vocab.table, &batch.batch, max_vocab_size, &batch.next_op,
                                        &batch.next_mark)
        if rc != FW2V_NEED_PRUNE:
            _check(rc)
            return
        prune(vocab)


def merge_counts(TokenTable into, TokenTable source):
    """Adds every count of ``source`` to ``into``; new keys go last, in ``source`` order."""
    cdef int64_t i
    cdef fw2v_token_table *s = &source.table
    into.key_kind = 0
    for i in range(s.size):
        if fw2v_tt_add(&into.table, fw2v_tt_key(s, i), fw2v_tt_key_len(s, i), fw2v_tt_count(s, i)) < 0:
            raise MemoryError("out of memory while merging phrase counts")


def table_subset(TokenTable source, const int64_t[::1] index):
    """A new table holding ``source``'s entries ``index`` (in that order, counts kept)."""
    cdef TokenTable out = TokenTable(max(index.shape[0], 16), 0)
    cdef int64_t i, j
    cdef fw2v_token_table *s = &source.table
    for i in range(index.shape[0]):
        j = index[i]
        if not 0 <= j < s.size:
            raise IndexError(f"entry {j} out of range for a table of {s.size}")
        if fw2v_tt_add(&out.table, fw2v_tt_key(s, j), fw2v_tt_key_len(s, j), fw2v_tt_count(s, j)) < 0:
            raise MemoryError("out of memory while copying phrases")
    return out


def table_to_arrays(TokenTable table):
    """``(key_bytes, key_lengths, counts)``: the table's keys concatenated in entry order."""
    cdef fw2v_token_table *t = &table.table
    cdef int64_t i, total = 0, at = 0
    for i in range(t.size):
        total += fw2v_tt_key_len(t, i)
    blob = np.empty(total, dtype=np.uint8)
    lengths = np.empty(t.size, dtype=np.int64)
    cdef uint8_t[::1] bv = blob
    cdef int64_t[::1] lv = lengths
    for i in range(t.size):
        lv[i] = fw2v_tt_key_len(t, i)
        if lv[i]:
            memcpy(&bv[at], fw2v_tt_key(t, i), lv[i])
        at += lv[i]
    return blob, lengths, table.counts()


def table_from_arrays(key_bytes, key_lengths, counts):
    """Inverse of :func:`table_to_arrays` (keys must be distinct)."""
    cdef const uint8_t[::1] bv = np.ascontiguousarray(key_bytes, dtype=np.uint8)
    cdef const int64_t[::1] lv = np.ascontiguousarray(key_lengths, dtype=np.int64)
    cdef const int64_t[::1] cv = np.ascontiguousarray(counts, dtype=np.int64)
    cdef int64_t i, at = 0, n = lv.shape[0]
    cdef TokenTable out = TokenTable(max(n, 16), 0)
    cdef const char *base = ""
    if bv.shape[0]:
        base = <const char *>&bv[0]
    if cv.shape[0] != n or np.sum(key_lengths) != bv.shape[0] or (n and np.min(key_lengths) < 0):
        raise ValueError("malformed phrase table: key lengths, key bytes and counts disagree")
    for i in range(n):
        if fw2v_tt_add(&out.table, base + at, lv[i], cv[i]) < 0:
            raise MemoryError("out of memory while loading phrases")
        at += lv[i]
    if out.table.size != n:
        raise ValueError("malformed phrase table: duplicate keys")
    return out


def lookup_index(TokenTable table, keys):
    """Entry index of each str key in ``table`` (-1 when absent)."""
    cdef const char *p
    cdef Py_ssize_t n
    out = []
    for key in keys:
        p = PyUnicode_AsUTF8AndSize(key, &n)
        out.append(fw2v_tt_find(&table.table, p, n, fw2v_hash_bytes(p, n)) if table.table.size else -1)
    return out


def lookup_counts(TokenTable table, keys):
    """Count of each str key in ``table`` (0 when absent)."""
    return [fw2v_tt_count(&table.table, i) if i >= 0 else 0 for i in lookup_index(table, keys)]


cdef inline object _token(const char *p, Py_ssize_t n, bint ascii):
    """The str of the UTF-8 bytes p[:n]; for ASCII, built without the decoder's scan."""
    if not ascii:
        return PyUnicode_DecodeUTF8(p, n, NULL)
    tok = PyUnicode_New(n, 127)
    memcpy(PyUnicode_DATA(tok), p, n)
    return tok


cdef struct _StrSlot:
    uint64_t hash
    PyObject *text


cdef extern from "fw2v_common.h":
    void FW2V_PREFETCH(const void *p)


cdef class StrCache:
    """Python str objects by their UTF-8 bytes: a direct-mapped cache.

    Building the output lists costs one str per token, and creating and
    later freeing ~6M of them is most of what the consumer's thread does for
    a corpus. Token frequencies are Zipfian (in the shared corpus the 65,536
    most frequent of 181,135 distinct tokens are 97.6% of the occurrences),
    so a cache of 2**bits strs keyed by the bytes' hash hands out a shared,
    immutable str for most tokens: a hash, one slot, a compare and an incref
    instead of an allocation and a free. A colliding token replaces the
    slot's (no chains, no counts: a rare token costs one str, as before).
    The slots and strs are cache misses unless prefetched, so callers look
    tokens up in batches (:meth:`prefetch_slot`, :meth:`prefetch_text`, then
    :meth:`get`). Holds at most 2**bits strs, released with the cache.
    """
    cdef _StrSlot *slots
    cdef uint64_t mask

    def __cinit__(self, int bits=14):
        if not 4 <= bits <= 24:
            raise ValueError(f"bits must be in 4..24, got {bits}")
        self.slots = <_StrSlot *>calloc(<size_t>1 << bits, sizeof(_StrSlot))
        if self.slots == NULL:
            raise MemoryError("out of memory for the str cache")
        self.mask = (<uint64_t>1 << bits) - 1

    def __dealloc__(self):
        cdef uint64_t i
        if self.slots != NULL:
            for i in range(self.mask + 1):
                Py_XDECREF(self.slots[i].text)
            free(self.slots)

    cdef inline void prefetch_slot(self, uint64_t h) noexcept:
        FW2V_PREFETCH(&self.slots[h & self.mask])

    cdef inline void prefetch_text(self, uint64_t h) noexcept:
        cdef PyObject *text = self.slots[h & self.mask].text
        if text != NULL:
            FW2V_PREFETCH(text)

    cdef inline object get(self, const char *p, Py_ssize_t n, uint64_t h):
        """The str of the UTF-8 bytes p[:n] (``h``: fw2v_hash_bytes(p, n))."""
        cdef _StrSlot *slot = &self.slots[h & self.mask]
        cdef Py_ssize_t i
        cdef unsigned char high = 0
        if slot.hash == h and slot.text != NULL and _equals_utf8(slot.text, p, n):
            return <object>slot.text
        for i in range(n):
            high |= <unsigned char>p[i]
        tok = _token(p, n, high < 0x80)
        Py_INCREF(tok)
        Py_XDECREF(slot.text)
        slot.text = <PyObject *>tok
        slot.hash = h
        return tok

    def lookup(self, bytes key):
        """The str of the UTF-8 ``key`` (for tests)."""
        return self.get(key, len(key), fw2v_hash_bytes(key, len(key)))


cdef inline bint _equals_utf8(PyObject *text, const char *p, Py_ssize_t n):
    """Whether the str ``text`` is the UTF-8 bytes p[:n]."""
    cdef Py_ssize_t m
    cdef const char *u
    if PyUnicode_IS_COMPACT_ASCII(<object>text):
        return PyUnicode_GET_LENGTH(<object>text) == n and memcmp(PyUnicode_DATA(<object>text), p, n) == 0
    u = PyUnicode_AsUTF8AndSize(<object>text, &m)  # kept by the str after the first call
    return m == n and memcmp(u, p, n) == 0


@cython.final
cdef class JoinedSentences:
    """Sentences joined by :meth:`PhraseEngine.join_sentences`, to be turned
    into lists of str one at a time by :meth:`lists`.

    The engine has already found the tokens and hashed them, so building a
    list is only cache lookups: while one sentence's list is filled, the
    cache slots of the next sentence's tokens and the strs in this
    sentence's slots are prefetched, so their misses overlap.
    """
    cdef fw2v_join_output out
    cdef StrCache strings
    cdef int64_t at         # byte offset of the next sentence's header in out.records
    cdef int64_t text_at    # offset of its first token in out.text

    def __dealloc__(self):
        fw2v_join_output_free(&self.out)

    def lists(self, StrCache strings not None):
        """Iterate over the sentences as lists of str taken from ``strings``."""
        self.strings = strings
        self.at = self.text_at = 0
        return self

    def __iter__(self):
        return self

    def __next__(self):
        sentence = self.next_list()
        if sentence is None:
            raise StopIteration
        return sentence

    cdef list next_list(self):
        """The next sentence as a list of str, or None after the last."""
        cdef const fw2v_token_record *r = <const fw2v_token_record *>(self.out.records.data + self.at)
        cdef const fw2v_token_record *end = <const fw2v_token_record *>(self.out.records.data + self.out.records.len)
        cdef const fw2v_token_record *ahead
        cdef const char *text = self.out.text.data + self.text_at
        cdef StrCache strings = self.strings
        cdef Py_ssize_t count, k
        cdef list sentence
        if strings is None or r >= end:
            return None
        count = <Py_ssize_t>r.hash
        r += 1
        # this sentence's slots were prefetched with the previous one: fetch its strs
        for k in range(count):
            strings.prefetch_text(r[k].hash)
        ahead = r + count
        if ahead < end:
            for k in range(1, min(<Py_ssize_t>ahead.hash, end - ahead - 1) + 1):
                strings.prefetch_slot(ahead[k].hash)
        sentence = PyList_New(count)
        for k in range(count):
            tok = strings.get(text, r[k].len, r[k].hash)
            text += r[k].len
            Py_INCREF(tok)
            PyList_SET_ITEM(sentence, k, tok)
        self.at = <const char *>(r + count) - self.out.records.data
        self.text_at = text - self.out.text.data
        return sentence


@cython.final
cdef class SentenceStream:
    """The lists of a stream of :class:`JoinedSentences` (one per chunk), one
    at a time, with one shared :class:`StrCache`: ``phrases[corpus]`` over
    files. An iterator object rather than a generator, so a sentence costs
    the consumer one C call."""
    cdef object chunks
    cdef JoinedSentences current
    cdef StrCache strings

    def __cinit__(self, chunks, StrCache strings not None):
        self.chunks = iter(chunks)
        self.strings = strings

    def __iter__(self):
        return self

    def __next__(self):
        cdef list sentence
        while True:
            if self.current is not None:
                sentence = self.current.next_list()
                if sentence is not None:
                    return sentence
            self.current = None  # free the chunk before waiting for the next
            self.current = next(self.chunks).lists(self.strings)

    def close(self):
        """Stops the producer threads (as closing a generator would)."""
        close = getattr(self.chunks, "close", None)
        self.current = None
        if close is not None:
            close()
