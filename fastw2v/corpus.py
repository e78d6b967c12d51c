"""Streaming corpus readers with gensim 4's names and meanings.

``from fastw2v import LineSentence`` is a drop-in for gensim's: the same
sentences come out (lines split on whitespace as ``str.split()`` does, long
lines cut into pieces of ``max_sentence_length`` tokens, blank lines skipped).
Two deliberate differences:

- bytes that are not valid UTF-8 become U+FFFD (gensim raises), as in
  fastw2v's own file reader, so one bad byte does not end a long run;
- files are decompressed by their magic bytes (gzip, bzip2, xz), whatever
  their names, and read in large chunks rather than line by line.

Word2Vec fast path
------------------
A :class:`LineSentence` over a plain path with the default settings has
``corpus_file`` set to that path. ``Word2Vec(corpus_iterable=reader)`` can
then read the file with its C reader (``corpus_file=`` semantics) instead of
building Python strings; both give the same sentences: the C reader splits
on the whitespace ``str.split()`` splits on (csrc/whitespace.h), Unicode
spaces such as U+00A0 included.
"""
from __future__ import annotations

import itertools
import logging
import os

from fastw2v.reader import iter_chunks

logger = logging.getLogger(__name__)

# gensim's MAX_WORDS_IN_BATCH, the default sentence cap of its readers
MAX_SENTENCE_LENGTH = 10000


def reads_raw_file(reader, cls) -> bool:
    """Whether ``reader`` (an instance of ``cls`` or of a subclass) yields what ``cls``
    reads from its file, so C may read the file instead. A subclass that overrides
    ``__iter__`` (lower-casing, filtering: the usual way to add preprocessing) must
    be iterated in Python, as gensim does."""
    return isinstance(reader, cls) and type(reader).__iter__ is cls.__iter__


def _check_length(max_sentence_length) -> int:
    if int(max_sentence_length) != max_sentence_length or max_sentence_length < 1:
        raise ValueError(f"max_sentence_length must be a positive integer, got {max_sentence_length!r}")
    return int(max_sentence_length)


def _check_limit(limit):
    if limit is not None and (int(limit) != limit or limit < 0):
        raise ValueError(f"limit must be None or a non-negative integer, got {limit!r}")
    return limit


def _cut(words: list, size: int):
    """``words`` in pieces of at most ``size`` tokens (gensim's readers' loop)."""
    if len(words) <= size:
        if words:
            yield words
        return
    for i in range(0, len(words), size):
        yield words[i:i + size]


def iter_lines(path, limit=None, errors="replace"):
    """Decoded lines of a (possibly compressed) file, without their ``"\\n"``.

    Lines are split on ``"\\n"`` only, as iterating a binary file does; a
    final line without a newline is still a line.
    """
    carry = ""
    remaining = limit
    for chunk in iter_chunks(path, errors=errors):
        lines = (carry + chunk.decode("utf-8")).split("\n")
        carry = lines.pop()
        if remaining is not None:
            if len(lines) >= remaining:
                yield from lines[:remaining]
                return
            remaining -= len(lines)
        yield from lines
    if carry and remaining != 0:
        yield carry


def _decode(line) -> str:
    return line if isinstance(line, str) else bytes(line).decode("utf-8", "replace")


class LineSentence:
    """One sentence per line of a text file, tokens separated by whitespace.

    Parameters
    ----------
    source : str, os.PathLike or file object
        A path (plain, ``.gz``, ``.bz2`` or ``.xz``) or an open file, text or
        binary, that supports ``seek(0)``.
    max_sentence_length : int, optional
        Longer lines are split into several sentences of at most this many
        tokens; nothing is dropped.
    limit : int, optional
        Read only the first ``limit`` lines.

    Examples
    --------
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "c.txt")
    >>> _ = open(path, "w").write("hello world\\n\\nbye\\n")
    >>> list(LineSentence(path))
    [['hello', 'world'], ['bye']]
    """

    def __init__(self, source, max_sentence_length: int = MAX_SENTENCE_LENGTH, limit: int | None = None):
        if not (hasattr(source, "seek") or isinstance(source, (str, bytes, os.PathLike))):
            raise TypeError(f"source must be a path or a file object, got {type(source).__name__}")
        self.source = source
        self.max_sentence_length = _check_length(max_sentence_length)
        self.limit = _check_limit(limit)

    @property
    def corpus_file(self) -> str | None:
        """The path Word2Vec may read directly with its C reader, or None.

        Set when ``source`` is a path and the reader adds nothing to the file
        (no ``limit``, the default ``max_sentence_length``).
        """
        if hasattr(self.source, "seek") or self.limit is not None \
                or self.max_sentence_length != MAX_SENTENCE_LENGTH or not reads_raw_file(self, LineSentence):
            return None
        return os.fsdecode(self.source)

    def __iter__(self):
        size = self.max_sentence_length
        if hasattr(self.source, "seek"):
            self.source.seek(0)
            lines = (_decode(line) for line in itertools.islice(self.source, self.limit))
        else:
            lines = iter_lines(self.source, self.limit)
        for line in lines:
            words = line.split()
            if len(words) <= size:
                if words:
                    yield words
            else:
                yield from _cut(words, size)

    def __repr__(self):
        return f"LineSentence({self.source!r}, max_sentence_length={self.max_sentence_length}, limit={self.limit})"


class PathLineSentences:
    """Like :class:`LineSentence`, over every file of a directory in name order.

    Parameters
    ----------
    source : str or os.PathLike
        A directory (not searched recursively; subdirectories are skipped,
        where gensim would fail on them) or a single file.
    max_sentence_length : int, optional
        As for :class:`LineSentence`.
    limit : int, optional
        Read only the first ``limit`` lines of each file.

    Examples
    --------
    >>> import tempfile, os
    >>> d = tempfile.mkdtemp()
    >>> for name, text in [("b.txt", "two\\n"), ("a.txt", "one\\n")]:
    ...     _ = open(os.path.join(d, name), "w").write(text)
    >>> list(PathLineSentences(d))
    [['one'], ['two']]
    """

    def __init__(self, source, max_sentence_length: int = MAX_SENTENCE_LENGTH, limit: int | None = None):
        self.source = os.fspath(source)
        self.max_sentence_length = _check_length(max_sentence_length)
        self.limit = _check_limit(limit)
        if os.path.isfile(self.source):
            self.input_files = [self.source]
        elif os.path.isdir(self.source):
            self.source = os.path.join(self.source, "")
            self.input_files = sorted(self.source + name for name in os.listdir(self.source)
                                      if os.path.isfile(self.source + name))
        else:
            raise ValueError(f"input is neither a file nor a directory: {self.source}")
        logger.info("files read into PathLineSentences: %s", ", ".join(self.input_files))

    def __iter__(self):
        for path in self.input_files:
            yield from LineSentence(path, self.max_sentence_length, self.limit)


class BrownCorpus:
    """The Brown corpus as NLTK ships it, read as gensim reads it: a directory of
    files, one sentence per line, tokens ``word/TAG``. A token becomes
    ``word/TA`` (the word lowercased, the first two letters of its tag); tokens
    whose tag does not start with two letters (punctuation) or that are not one
    ``word/TAG`` pair are left out, and so are sentences left empty. Files are
    read in name order (gensim takes the directory's order, which varies), and
    subdirectories are skipped.

    Examples
    --------
    >>> import tempfile, os
    >>> d = tempfile.mkdtemp()
    >>> _ = open(os.path.join(d, "ca01"), "w").write("The/at Fulton/np-tl ,/, said/vbd\\n``/``\\n")
    >>> list(BrownCorpus(d))
    [['the/at', 'fulton/np', 'said/vb']]
    """

    def __init__(self, dirname):
        self.dirname = os.fspath(dirname)
        if not os.path.isdir(self.dirname):
            raise ValueError(f"BrownCorpus needs a directory: {self.dirname}")

    def __iter__(self):
        for name in sorted(os.listdir(self.dirname)):
            path = os.path.join(self.dirname, name)
            if not os.path.isfile(path):
                continue
            for line in iter_lines(path):
                pairs = (token.split("/") for token in line.split())
                words = [f"{p[0].lower()}/{p[1][:2]}" for p in pairs if len(p) == 2 and p[1][:2].isalpha()]
                if words:
                    yield words


class Text8Corpus:
    """A file read as one stream of tokens, cut into sentences of ``max_sentence_length``.

    Line breaks are ignored (text8 is one line of 17M tokens). gensim's
    reader can glue two tokens together when a newline falls at the end of
    one of its 8 KiB reads; this one never does, so the two agree on text8
    itself and on any space-separated file.

    Parameters
    ----------
    fname : str or os.PathLike
        Path of the file (plain, ``.gz``, ``.bz2`` or ``.xz``).
    max_sentence_length : int, optional
        Tokens per sentence (the last one may be shorter).

    Examples
    --------
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "text8")
    >>> _ = open(path, "w").write(" a b c d e")
    >>> list(Text8Corpus(path, max_sentence_length=2))
    [['a', 'b'], ['c', 'd'], ['e']]
    """

    def __init__(self, fname, max_sentence_length: int = MAX_SENTENCE_LENGTH):
        self.fname = fname
        self.max_sentence_length = _check_length(max_sentence_length)

    def __iter__(self):
        size = self.max_sentence_length
        sentence = []
        for chunk in iter_chunks(self.fname):
            sentence.extend(chunk.decode("utf-8").split())
            if len(sentence) >= size:
                full = len(sentence) - len(sentence) % size
                for i in range(0, full, size):
                    yield sentence[i:i + size]
                sentence = sentence[full:]
        if sentence:
            yield sentence
