"""The word2vec C tool's vector formats (binary and text) and GloVe text.

Layout (as written by word2vec.c and by gensim)::

    header   b"<count> <dim>\\n"
    binary   b"<word> " + dim little-endian float32 [+ b"\\n" in word2vec.c's files]
    text     b"<word> <v1> <v2> ... <vdim>\\n"     (GloVe: the same, without the header)

Reading a large binary file row by row in Python costs a loop iteration,
a few objects and a small copy per word. Here the file is read in large
blocks straight into the matrix's own memory, and a compiled loop
(``_formats.place_binary_rows``) moves each block's vectors to their rows and
collects the words, which are then decoded with one call per block. The
work is that of reading the file's bytes plus one in-cache pass; peak
memory is the matrix plus one block.

Saves write to a temporary file in the same directory and rename it into
place, so a crash never leaves a half-written file under the final name.
Paths ending in ``.gz`` / ``.bz2`` / ``.xz`` are (de)compressed transparently.

Errors are gensim's exception types with the file and place in the message:
invalid bytes in a word raise a ``UnicodeDecodeError`` (so gensim-style
``except UnicodeDecodeError:`` retries with ``unicode_errors='ignore'`` work), a
file shorter than its header says raises ``TruncatedFileError`` (both an
``EOFError``, as gensim's, and a ``ValueError``).
"""
from __future__ import annotations

import bz2
import codecs
import gzip
import io
import logging
import lzma
import mmap
import os
import stat as stat_module

import numpy as np

from . import _formats
from .native import _atomic_write

logger = logging.getLogger(__name__)

REAL = np.float32
#: bytes read per block when parsing a binary file
BLOCK_BYTES = 1 << 20
#: rows written per block when saving
WRITE_ROWS = 1 << 15
#: lines parsed per batch when reading text
TEXT_LINES = 1 << 14


_COMPRESSED = {".gz": gzip.GzipFile, ".bz2": bz2.BZ2File, ".xz": lzma.LZMAFile}


class TruncatedFileError(ValueError, EOFError):
    """A vectors file ends before the rows its header declares."""


class WordDecodeError(UnicodeDecodeError):
    """A word's bytes are not valid in the file's encoding; the message names the file and row."""

    def __init__(self, message: str, cause: UnicodeDecodeError):
        super().__init__(cause.encoding, cause.object, cause.start, cause.end, cause.reason)
        self.message = message

    def __str__(self):
        return self.message


def _compression(path):
    return _COMPRESSED.get(os.path.splitext(os.fspath(path))[1])


def _open(path, mode="rb"):
    """``path`` opened in binary ``mode``, (de)compressed by its extension."""
    kind = _compression(path)
    return kind(os.fspath(path), mode) if kind else open(path, mode)


def _compressing(path, raw):
    """A writer that compresses into the open file ``raw`` as ``path``'s extension asks."""
    kind = _compression(path)
    return kind(fileobj=raw, mode="wb") if kind is gzip.GzipFile else kind(raw, "wb") if kind else raw


def _check_unicode_errors(errors: str) -> None:
    try:
        codecs.lookup_error(errors)
    except (LookupError, TypeError):
        raise ValueError(f"unicode_errors must name a codec error handler ('strict', 'replace', "
                         f"'ignore', ...), got {errors!r}") from None


def _parse_header(line: bytes, path) -> tuple[int, int]:
    parts = line.split()
    try:
        count, dim = (int(p) for p in parts)
        if count < 0 or dim <= 0:
            raise ValueError
    except ValueError:
        raise ValueError(f"{path}: line 1: expected a header '<count> <dimensions>', got {line[:80]!r} "
                         "(for GloVe files without a header pass no_header=True)") from None
    return count, dim


def _decode_words(raw: list, encoding: str, errors: str, first_row: int, path) -> list:
    """Decode many words at once; see :func:`_decode_joined`."""
    return _decode_joined(b" ".join(raw), encoding, errors, first_row, path)


def _decode_joined(joined, encoding: str, errors: str, first_row: int, path) -> list:
    """Words from their bytes joined by single spaces (which no word contains): one decode, one split."""
    try:
        text = str(joined, encoding, errors)
    except UnicodeDecodeError as exc:
        i = bytes(joined[:exc.start]).count(b" ")
        word = bytes(joined).split(b" ")[i]
        raise WordDecodeError(f"{path}: vector {first_row + i + 1}: word {word!r} is not valid {encoding} "
                              f"({exc.reason}); pass unicode_errors='replace' or 'ignore'", exc) from None
    return text.split(" ")


def _read_binary(fh, count: int, dim: int, offset: int, encoding, errors, path):
    """Read ``count`` binary rows; returns (words, float32 matrix, unparsed bytes, their file offset).

    The file is read straight into the matrix's own memory, one block at a
    time, just past the rows already in place; each block's vectors are
    moved left to their rows (a row never ends up after where it was read:
    its word precedes it). Memory beyond the matrix is one block, and the
    bytes are copied once by the kernel plus once within a cache-sized
    block. (Memory-mapping the file instead saved no measurable time, and
    its pages counted in the process's resident set.)
    """
    row_bytes = dim * 4
    if count == 0:
        return [], np.zeros((0, dim), dtype=REAL), b"", offset
    block = max(BLOCK_BYTES, 2 * (row_bytes + 64))
    _check_size(fh, count * row_bytes, count, dim, path)
    buf = _matrix_buffer(count * row_bytes + block)
    words, buf, done, kept, offset = _parse_binary_into(fh, buf, count, row_bytes, block, offset,
                                                        encoding, errors, path)
    # All views of buf are gone: keep the trailing bytes, then give back the slack if the OS can.
    pending = bytes(buf[done * row_bytes:done * row_bytes + kept])
    try:
        buf.resize(count * row_bytes)
    except (OSError, SystemError, ValueError, TypeError):
        pass  # the slack stays mapped; the matrix is the first count * row_bytes bytes
    vectors = np.frombuffer(buf, dtype="<f4", count=count * dim).reshape(count, dim)
    return words, vectors, pending, offset


def _matrix_buffer(nbytes: int) -> mmap.mmap:
    """Zeroed, writable memory for a matrix that is about to be filled.

    Not ``np.empty``: NumPy asks the kernel for transparent huge pages on
    large allocations, and faulting those in (direct compaction) took 3-4x
    as long as reading the file on the benchmark VM, varying 10x between
    runs. Not a ``bytearray``, which zeroes every page in an extra pass.
    An anonymous map with ``MAP_POPULATE`` (Linux) has the kernel allocate
    all pages in one call instead of one page fault per 4 KiB: measured
    0.75 s against 1.6 s for 1.2 GB faulted in by writes.
    """
    populate = getattr(mmap, "MAP_POPULATE", 0)
    if populate:
        return mmap.mmap(-1, nbytes, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS | populate)
    return mmap.mmap(-1, nbytes)


def _check_size(fh, need: int, count: int, dim: int, path) -> None:
    """Fail before allocating when a plain file is too short for the header's count (a garbled header)."""
    if not isinstance(fh, io.BufferedReader):  # a (de)compressing stream: found while reading
        return
    try:
        stat = os.fstat(fh.fileno())
        size = stat.st_size - fh.tell()
    except OSError:
        return
    if stat_module.S_ISREG(stat.st_mode) and size < need:
        raise TruncatedFileError(f"{path}: truncated binary word2vec file: the header declares {count} vectors of "
                         f"{dim} float32 ({need} bytes at least), but the file ends at byte {stat.st_size}, "
                         f"{size} bytes after the header")


def _parse_binary_into(fh, buf, count, row_bytes, block, offset, encoding, errors, path):
    """Fill ``buf[:count * row_bytes]`` with the vectors of stream ``fh``.

    Returns (words, buf, rows, tail bytes, offset); ``buf`` is a larger copy
    when a long word needed more room than the slack it was given.
    """
    data = np.frombuffer(buf, dtype=np.uint8)
    joined = bytearray(2 * block)  # one block's words (fewer bytes than the block)
    words: list = []
    done = 0  # rows in place: buf[:done * row_bytes] is final
    kept = 0  # unparsed bytes (an incomplete row) at buf[done * row_bytes:]
    while done < count:
        base = done * row_bytes
        room = len(data) - base - kept
        if room <= 0:  # an incomplete row filled the slack (a word longer than a block): grow
            grown = _matrix_buffer(len(data) + 2 * block)
            grown[:len(data)] = data
            data, buf, block = np.frombuffer(grown, dtype=np.uint8), grown, 2 * block
            continue
        got = fh.readinto(memoryview(data)[base + kept:base + kept + min(block, room)])
        stop = base + kept + got
        if len(joined) < stop - base:
            joined = bytearray(stop - base)
        rows, used, length = _formats.place_binary_rows(data, base, stop, data, base, row_bytes, count - done,
                                                        joined)
        if rows:
            words.extend(_decode_joined(memoryview(joined)[:length], encoding, errors, done, path))
            done += rows
        offset += used
        kept = stop - base - used
        data[done * row_bytes:done * row_bytes + kept] = data[base + used:stop]  # NumPy copes with overlap
        if not got and done < count:
            raise TruncatedFileError(f"{path}: truncated binary word2vec file: the header declares {count} vectors "
                             f"of {row_bytes // 4} float32, but the data ends after {done} (at byte {offset + kept})")
    return words, buf, done, kept, offset


def _read_text(fh, count, dim, first_line: int, encoding, errors, path, lines=None, dtype=REAL):
    """Read text rows (``<word> <floats...>``); ``count`` None means to EOF. Returns (words, matrix).

    The word is everything before the first space, as gensim reads it (only
    trailing whitespace is stripped), so keys that start with whitespace, or
    the empty key, come back as they were written."""
    words, blocks = [], []
    line_no = first_line
    done = 0
    pending = list(lines or [])
    while count is None or done < count:
        want = TEXT_LINES if count is None else min(TEXT_LINES, count - done)
        batch = pending[:want]
        pending = pending[want:]
        while len(batch) < want:
            line = fh.readline()
            if not line:
                break
            if line.strip():
                batch.append(line)
        if not batch:
            break
        heads, rests = [], []
        for line in batch:
            head, _, rest = line.rstrip().partition(b" ")
            heads.append(head)
            rests.append(rest)
        values = None
        # Fast path: every line has exactly ``dim`` single-space separated numbers.
        if all(r.count(b" ") == dim - 1 for r in rests):
            try:
                values = np.array(b" ".join(rests).split(), dtype=dtype)
            except ValueError:
                values = None
        if values is None or values.size != len(batch) * dim:
            values = _parse_text_rows(rests, dim, line_no, path, dtype)
        blocks.append(values.reshape(len(batch), dim))
        words.extend(_decode_words(heads, encoding, errors, done, path))
        done += len(batch)
        line_no += len(batch)
        if len(batch) < want:
            break
    if count is not None and done < count:
        raise TruncatedFileError(f"{path}: truncated text word2vec file: the header declares {count} vectors, "
                         f"found {done} (file ends at line {line_no})")
    matrix = np.concatenate(blocks) if blocks else np.zeros((0, dim), dtype=dtype)
    return words, matrix


def _parse_text_rows(rests, dim, first_line, path, dtype=REAL) -> np.ndarray:
    """Slow, exact row-by-row parse that names the offending line."""
    out = np.empty((len(rests), dim), dtype=dtype)
    for i, rest in enumerate(rests):
        parts = rest.split()
        if len(parts) != dim:
            raise ValueError(f"{path}: line {first_line + i}: expected {dim} numbers after the word, "
                             f"got {len(parts)}")
        try:
            out[i] = [float(p) for p in parts]
        except ValueError:
            raise ValueError(f"{path}: line {first_line + i}: not a number in {rest[:60]!r}...") from None
    return out


def read_vocab_counts(path, errors="strict", repeated="add") -> dict:
    """``<word> <count>`` lines -- word2vec C's ``-save-vocab`` file, gensim's ``fvocab`` --
    as ``{word: count}`` in file order. A repeated word's counts add up
    (``repeated="add"``, the CLI's ``-read-vocab``: word2vec.c would make two
    entries of one word) or the last one stands (``"last"``: gensim's ``fvocab``).

    Raises ``ValueError`` naming the line for a malformed line or invalid UTF-8.
    """
    counts = {}
    with _open(path, "rb") as fh:
        for line_no, line in enumerate(fh, 1):
            try:
                fields = line.decode("utf-8", errors).split()
            except UnicodeDecodeError as exc:
                raise ValueError(f"{path}: line {line_no}: invalid UTF-8 ({exc.reason})") from None
            if not fields:
                continue
            if len(fields) != 2 or not fields[1].isdigit():
                raise ValueError(f"{path}: line {line_no}: expected '<word> <count>', got {line[:80]!r}")
            counts[fields[0]] = int(fields[1]) + (counts.get(fields[0], 0) if repeated == "add" else 0)
    return counts


def read_word2vec_format(fname, binary=False, encoding="utf8", unicode_errors="strict",
                         limit=None, no_header=False, dtype=REAL) -> tuple[list, np.ndarray]:
    """Parse a word2vec/GloVe file into (list of words, matrix), without building a KeyedVectors.

    Text is parsed to ``dtype`` (float32, or float64 for full precision);
    binary rows are float32 whatever ``dtype`` says."""
    _check_unicode_errors(unicode_errors)
    if limit is not None and limit < 0:
        raise ValueError(f"limit must be >= 0 or None, got {limit}")
    with _open(fname, "rb") as fh:
        if no_header:
            if binary:
                raise NotImplementedError("no_header is only available for text files")
            first = fh.readline()
            while first and not first.strip():
                first = fh.readline()
            dim = len(first.split()) - 1
            if dim <= 0:
                raise ValueError(f"{fname}: line 1: expected '<word> <numbers...>', got {first[:80]!r}")
            lines = [first] if limit != 0 else []
            return _read_text(fh, limit, dim, 1, encoding, unicode_errors, fname, lines=lines, dtype=dtype)
        header = fh.readline()
        count, dim = _parse_header(header, fname)
        limited = limit is not None and limit < count
        if limited:
            count = limit
        if not binary:
            return _read_text(fh, count, dim, 2, encoding, unicode_errors, fname, dtype=dtype)
        words, vectors, pending, offset = _read_binary(fh, count, dim, len(header), encoding,
                                                       unicode_errors, fname)
        if not limited:
            # gensim reads the declared rows and ignores the rest; gensim itself writes
            # int-keyed sets (Doc2Vec's dv) with more rows than their header says
            tail = pending + fh.read(256)
            if tail.strip():
                logger.warning("%s: data after the %d vectors the header declares (at byte %d) is ignored",
                               fname, count, offset + len(tail) - len(tail.lstrip()))
        return words, vectors


def load_word2vec_format(fname, fvocab=None, binary=False, encoding="utf8", unicode_errors="strict",
                         limit=None, datatype=REAL, no_header=False, cls=None):
    """Load vectors in the word2vec C format (binary or text) or GloVe text (``no_header=True``).

    Parameters
    ----------
    fname : str or path
        The file; ``.gz`` / ``.bz2`` are decompressed on the fly.
    fvocab : str, optional
        ``<word> <count>`` lines (word2vec.c ``-save-vocab``) to fill the ``count`` attribute;
        without it counts are made up in descending order, as gensim does.
    binary : bool
        Binary (float32) rows rather than text.
    encoding, unicode_errors : str
        How words are decoded; ``'replace'`` / ``'ignore'`` help with words truncated
        mid-character by word2vec.c.
    limit : int, optional
        Read only the first ``limit`` vectors.
    datatype : numpy dtype
        Storage dtype of the result (e.g. ``np.float16``).
    no_header : bool
        The file has no ``<count> <dim>`` line (GloVe); text only.

    Returns
    -------
    KeyedVectors

    Raises
    ------
    ValueError
        For a truncated or malformed file, naming the line or byte position.

    Examples
    --------
    >>> kv = load_word2vec_format("vectors.bin", binary=True)  # doctest: +SKIP
    """
    from .keyedvectors import KeyedVectors
    cls = cls or KeyedVectors
    parse = np.float64 if np.dtype(datatype) == np.float64 else REAL
    words, vectors = read_word2vec_format(fname, binary=binary, encoding=encoding, unicode_errors=unicode_errors,
                                          limit=limit, no_header=no_header, dtype=parse)
    key_to_index = _formats.index_of(words)
    if len(key_to_index) != len(words):
        key_to_index = {}
        for i, w in enumerate(words):
            key_to_index.setdefault(w, i)  # gensim keeps the first of duplicate words
        logger.warning("%s: %d duplicate words, keeping the first of each", fname,
                       len(words) - len(key_to_index))
        keep = np.fromiter(key_to_index.values(), dtype=np.intp, count=len(key_to_index))
        words = [words[i] for i in keep]
        vectors = vectors[keep]
        key_to_index = {w: i for i, w in enumerate(words)}
    kv = cls(vectors.shape[1], 0, dtype=datatype)
    kv.vectors = np.ascontiguousarray(vectors, dtype=datatype)
    kv.index_to_key = words
    kv.key_to_index = key_to_index
    kv.next_index = len(words)
    if fvocab is not None:
        counts = read_vocab_counts(fvocab, unicode_errors, repeated="last")
        missing = [w for w in words if w not in counts]
        if missing:
            logger.warning("vocabulary file %s lacks %d words, e.g. %r; their count is 0",
                           fvocab, len(missing), missing[0])
        kv.expandos["count"] = np.array([counts.get(w, 0) for w in words], dtype=np.int64)
    else:
        kv.expandos["count"] = np.arange(len(words), 0, -1, dtype=np.int64)
    return kv


def _save_order(kv, sort_attr, fvocab) -> np.ndarray:
    if sort_attr in kv.expandos:
        return np.argsort(-kv.expandos[sort_attr][:len(kv)], kind="stable")
    if fvocab is not None:
        raise ValueError(f"cannot store vocabulary with {sort_attr!r}: that attribute does not exist")
    return np.arange(len(kv))


def _row_chunks(kv, order, binary, prefix, row_end=b""):
    """Encoded rows, ``WRITE_ROWS`` at a time."""
    for lo in range(0, len(order), WRITE_ROWS):
        rows = order[lo:lo + WRITE_ROWS]
        # text keeps float64's digits; binary rows are float32 by the format
        wide = not binary and kv.vectors.dtype == np.float64
        block = np.asarray(kv.vectors[rows], dtype="<f8" if wide else "<f4")
        keys = [f"{prefix}{kv.index_to_key[i]}".encode("utf8") for i in rows]
        if binary:
            raw = block.tobytes()
            n = block.shape[1] * 4
            yield b"".join(k + b" " + raw[j * n:(j + 1) * n] + row_end for j, k in enumerate(keys))
        else:
            # float -> str gives the shortest text that reads back to the same float
            text = block.astype(str)
            yield b"".join(k + b" " + " ".join(t).encode("ascii") + b"\n" for k, t in zip(keys, text))


def save_word2vec_format(kv, fname, fvocab=None, binary=False, total_vec=None, write_header=True,
                         prefix="", append=False, sort_attr="count", binary_newlines=False) -> None:
    """Write ``kv`` in the word2vec C format (gensim's layout: binary rows carry no newline).

    Rows are written in descending ``sort_attr`` (``count``) order when that
    attribute exists, else in index order. ``write_header=False`` gives GloVe's
    text layout. ``binary_newlines`` ends each binary row with ``\n`` as
    word2vec.c does (the CLI's layout): readers written for word2vec.c's files
    may read that byte unconditionally, and gensim's reader and this module's
    skip it. Writes are atomic unless ``append``.
    """
    bad = next((k for k in kv.index_to_key if isinstance(k, str) and (" " in k or "\n" in k)), None)
    if bad is not None:
        raise ValueError(f"key {bad!r} contains whitespace; the word2vec format cannot store it")
    order = _save_order(kv, sort_attr, fvocab)
    total_vec = len(order) if total_vec is None else total_vec

    def write_vectors(fh):
        if write_header:
            fh.write(f"{total_vec} {kv.vector_size}\n".encode("utf8"))
        for chunk in _row_chunks(kv, order, binary, prefix, b"\n" if binary_newlines else b""):
            fh.write(chunk)

    if fvocab is not None:
        counts = kv.expandos[sort_attr]

        def write_vocab(fh):
            fh.write("".join(f"{prefix}{kv.index_to_key[i]} {counts[i]}\n" for i in order).encode("utf8"))
        _write(fvocab, write_vocab, append)
    _write(fname, write_vectors, append)


def save_word_classes(path, words, classes) -> None:
    """Write ``<word> <class>`` lines, word2vec C's ``-classes`` output, atomically.

    ``words`` and ``classes`` pair up in order (the vocabulary's, as
    word2vec.c writes them); a word with whitespace in it cannot be stored.
    """
    words = list(words)
    classes = np.asarray(classes)
    if classes.shape != (len(words),):
        raise ValueError(f"{len(words)} words but classes of shape {classes.shape}")
    bad = next((w for w in words if isinstance(w, str) and (not w or any(c.isspace() for c in w))), None)
    if bad is not None:
        raise ValueError(f"key {bad!r} is empty or contains whitespace; a classes file cannot store it")
    text = "".join(f"{w} {int(c)}\n" for w, c in zip(words, classes.tolist())).encode("utf8")
    _write(path, lambda fh: fh.write(text), append=False)


def _write(path, write, append):
    """``write(fh)`` into ``path``, compressed as its extension says; atomic unless ``append``."""
    def compressed(raw):
        fh = _compressing(path, raw)
        write(fh)
        if fh is not raw:
            fh.close()  # ends the compressed stream; leaves raw open

    if append:
        with open(path, "ab") as raw:  # a compressed file gains a second stream, which readers join
            compressed(raw)
    else:
        _atomic_write(os.fspath(path), compressed)


def intersect_word2vec_format(kv, fname, lockf=0.0, binary=False, encoding="utf8",
                              unicode_errors="strict") -> int:
    """Copy vectors from a word2vec file into the rows of keys ``kv`` already has.

    No key is added. The copied rows get ``kv.vectors_lockf[row] = lockf``
    (0.0 freezes them during further training, 1.0 lets them train).
    Returns the number of rows overwritten.
    """
    words, vectors = read_word2vec_format(fname, binary=binary, encoding=encoding,
                                          unicode_errors=unicode_errors)
    if vectors.shape[1] != kv.vector_size:
        raise ValueError(f"{fname}: vectors have {vectors.shape[1]} dimensions, the model has {kv.vector_size}")
    pairs = [(kv.key_to_index[w], i) for i, w in enumerate(words) if w in kv.key_to_index]
    if pairs:
        rows, src = (np.asarray(p, dtype=np.intp) for p in zip(*pairs))
        kv.vectors[rows] = vectors[src]
        lock = kv.vectors_lockf
        lock[rows] = lockf
        kv.norms = None
    logger.info("merged %d vectors into %s matrix from %s", len(pairs), kv.vectors.shape, fname)
    return len(pairs)
