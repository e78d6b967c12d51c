# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""The inner loop of the binary word2vec reader (fastw2v/formats.py) in C.

A binary row is ``<word> <row_bytes raw bytes>`` (word2vec.c adds a newline
after the bytes, which then leads the next word). The reader puts a block of
the file just past the rows already in place in the matrix's own buffer; this
loop walks the block's complete rows once, moves each vector left to its
final row (``memmove``: a row's source never lies before its destination,
since a word precedes it) and copies the words, space-separated and with
leading newlines dropped, into a second buffer that Python decodes in one
call. That is one pass over bytes already in cache, where NumPy needed a
regular expression, a gather and a scatter.
"""
from libc.string cimport memchr, memcpy, memmove


def place_binary_rows(unsigned char[::1] buf, Py_ssize_t base, Py_ssize_t stop, Py_ssize_t row_bytes,
                      Py_ssize_t max_rows, unsigned char[::1] words):
    """Parse the complete rows of ``buf[base:stop]`` (at most ``max_rows``).

    Vector ``i`` of the block is moved to ``buf[base + i * row_bytes:]`` and
    the words are written to ``words`` joined by single spaces.

    Returns
    -------
    (rows, consumed, words_length)
        Rows placed, bytes of ``buf[base:]`` they occupied in the file, and
        bytes written to ``words``.
    """
    if not (0 <= base <= stop <= buf.shape[0]) or row_bytes <= 0 or max_rows < 0:
        raise ValueError(f"bad block: base={base}, stop={stop}, len={buf.shape[0]}, row_bytes={row_bytes}")
    if words.shape[0] < stop - base:
        raise ValueError(f"words buffer of {words.shape[0]} bytes is smaller than the block ({stop - base})")
    cdef unsigned char *data = &buf[0] if buf.shape[0] else NULL
    cdef unsigned char *out = &words[0] if words.shape[0] else NULL
    cdef Py_ssize_t pos = base, dest = base, rows = 0, w = 0, start, end
    cdef unsigned char *space
    with nogil:
        while rows < max_rows and pos < stop:
            space = <unsigned char *>memchr(data + pos, 32, stop - pos)
            if space == NULL:
                break
            end = space - data
            if end + 1 + row_bytes > stop:
                break
            start = pos
            while start < end and data[start] == 10:  # word2vec.c's row-ending newline
                start += 1
            if rows:
                out[w] = 32
                w += 1
            memcpy(out + w, data + start, end - start)
            w += end - start
            memmove(data + dest, data + end + 1, row_bytes)
            dest += row_bytes
            pos = end + 1 + row_bytes
            rows += 1
    return rows, pos - base, w
