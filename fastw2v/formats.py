"""The word2vec C tool's vector formats (binary and text) and GloVe text.

Layout (as written by word2vec.c and by gensim)::

    header   b"<count> <dim>\\n"
    binary   b"<word> " + dim little-endian float32 [+ b"\\n" in word2vec.c's files]
    text     b"<word> <v1> <v2> ... <vdim>\\n"     (GloVe: the same, without the header)

Reading a large binary file row by row in Python costs a loop iteration,
a few objects and a small copy per word. Here the body is read in large
blocks and each block is parsed by one compiled regular expression
(``findall`` walks the rows in C; ``.{n}`` over any byte is O(1) in ``re``),
the word lengths give every vector's byte offset by a cumulative sum, and
NumPy copies all vectors of the block in one fancy-index over a sliding
window of the bytes. Peak memory is the matrix plus one block.

Saves write to a temporary file in the same directory and rename it into
place, so a crash never leaves a half-written file under the final name.
Paths ending in ``.gz`` / ``.bz2`` are (de)compressed transparently.
"""
from __future__ import annotations

import bz2
import gzip
import logging
import os
import re

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .native import _atomic_write

logger = logging.getLogger(__name__)

REAL = np.float32
#: bytes read per block when parsing a binary file
BLOCK_BYTES = 1 << 23
#: rows written per block when saving
WRITE_ROWS = 1 << 15
#: lines parsed per batch when reading text
TEXT_LINES = 1 << 14


def _open(path, mode="rb"):
    path = os.fspath(path)
    if path.endswith(".gz"):
        return gzip.open(path, mode)
    if path.endswith(".bz2"):
        return bz2.open(path, mode)
    return open(path, mode)


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
    """Decode many words at once: join with a space (which no word contains), decode, split."""
    try:
        joined = b" ".join(raw).decode(encoding, errors)
    except UnicodeDecodeError:
        for i, w in enumerate(raw):
            try:
                w.decode(encoding, errors)
            except UnicodeDecodeError as exc:
                raise ValueError(f"{path}: vector {first_row + i + 1}: word {w!r} is not valid {encoding} "
                                 f"({exc.reason}); pass unicode_errors='replace' or 'ignore'") from None
        raise
    words = joined.split(" ")
    if "\n" in joined:  # word2vec.c ends each binary row with a newline; gensim strips it from the next word
        words = [w.lstrip("\n") for w in words]
    return words


def _read_binary(fh, count: int, dim: int, offset: int, encoding, errors, path):
    """Read ``count`` binary rows; returns (words, float32 matrix, unparsed bytes, their file offset)."""
    row_bytes = dim * 4
    row = re.compile(rb"([^ ]*) (?s:.{%d})" % row_bytes)
    vectors = np.empty((count, dim), dtype="<f4")
    dest = vectors.view(np.uint8).reshape(count, row_bytes)
    words: list = []
    # One reused buffer (refilled with readinto) instead of a fresh bytes object per block:
    # fresh multi-MiB allocations are new pages, and faulting them in cost more than parsing.
    buf = bytearray(max(BLOCK_BYTES, 2 * (row_bytes + 64)))
    view = memoryview(buf)
    kept = 0  # bytes of an incomplete row carried to the front of buf
    done = 0
    while done < count:
        if kept == len(buf):  # one row longer than the buffer: grow it
            buf = buf + bytearray(len(buf))
            view = memoryview(buf)
        got = fh.readinto(view[kept:])
        block = view[:kept + got]
        raw = row.findall(block)[:count - done] if len(block) else []
        used = 0
        if raw:
            lengths = np.fromiter(map(len, raw), dtype=np.int64, count=len(raw))
            ends = np.cumsum(lengths + (1 + row_bytes))
            windows = sliding_window_view(np.frombuffer(block, dtype=np.uint8), row_bytes)
            dest[done:done + len(raw)] = windows[ends - row_bytes]
            words.extend(_decode_words(raw, encoding, errors, done, path))
            used = int(ends[-1])
            done += len(raw)
        offset += used
        kept = len(block) - used
        buf[:kept] = block[used:].tobytes()
        if not got and done < count:
            raise ValueError(f"{path}: truncated binary word2vec file: the header declares {count} vectors "
                             f"of {dim} float32, but the data ends after {done} (at byte {offset + kept})")
    del block, view
    return words, vectors, bytes(buf[:kept]), offset


def _read_text(fh, count, dim, first_line: int, encoding, errors, path, lines=None):
    """Read text rows (``<word> <floats...>``); ``count`` None means to EOF. Returns (words, matrix)."""
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
            head, _, rest = line.strip().partition(b" ")
            heads.append(head)
            rests.append(rest)
        values = None
        # Fast path: every line has exactly ``dim`` single-space separated numbers.
        if all(r.count(b" ") == dim - 1 for r in rests):
            try:
                values = np.array(b" ".join(rests).split(), dtype=REAL)
            except ValueError:
                values = None
        if values is None or values.size != len(batch) * dim:
            values = _parse_text_rows(rests, dim, line_no, path)
        blocks.append(values.reshape(len(batch), dim))
        words.extend(_decode_words(heads, encoding, errors, done, path))
        done += len(batch)
        line_no += len(batch)
        if len(batch) < want:
            break
    if count is not None and done < count:
        raise ValueError(f"{path}: truncated text word2vec file: the header declares {count} vectors, "
                         f"found {done} (file ends at line {line_no})")
    matrix = np.concatenate(blocks) if blocks else np.zeros((0, dim), dtype=REAL)
    return words, matrix


def _parse_text_rows(rests, dim, first_line, path) -> np.ndarray:
    """Slow, exact row-by-row parse that names the offending line."""
    out = np.empty((len(rests), dim), dtype=REAL)
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


def read_vocab_counts(path, errors="strict") -> dict:
    """``<word> <count>`` lines -- word2vec C's ``-save-vocab`` file, gensim's ``fvocab`` --
    as ``{word: count}`` in file order (a repeated word's counts add up).

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
            counts[fields[0]] = counts.get(fields[0], 0) + int(fields[1])
    return counts


def read_word2vec_format(fname, binary=False, encoding="utf8", unicode_errors="strict",
                         limit=None, no_header=False) -> tuple[list, np.ndarray]:
    """Parse a word2vec/GloVe file into (list of words, float32 matrix), without building a KeyedVectors."""
    if unicode_errors not in ("strict", "replace", "ignore"):
        raise ValueError(f"unicode_errors must be 'strict', 'replace' or 'ignore', got {unicode_errors!r}")
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
            return _read_text(fh, limit, dim, 1, encoding, unicode_errors, fname, lines=lines)
        header = fh.readline()
        count, dim = _parse_header(header, fname)
        limited = limit is not None and limit < count
        if limited:
            count = limit
        if not binary:
            return _read_text(fh, count, dim, 2, encoding, unicode_errors, fname)
        words, vectors, pending, offset = _read_binary(fh, count, dim, len(header), encoding,
                                                       unicode_errors, fname)
        if not limited:
            tail = pending + fh.read(256)
            if tail.strip():
                raise ValueError(
                    f"{fname}: unexpected data after the {count} vectors the header declares (at byte "
                    f"{offset + len(tail) - len(tail.lstrip())}): is the header's count or dimension "
                    "wrong? (pass limit= to read only the first vectors)")
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
    words, vectors = read_word2vec_format(fname, binary=binary, encoding=encoding,
                                          unicode_errors=unicode_errors, limit=limit, no_header=no_header)
    key_to_index = dict(zip(words, range(len(words))))
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
        counts = read_vocab_counts(fvocab, unicode_errors)
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


def _row_chunks(kv, order, binary, prefix):
    """Encoded rows, ``WRITE_ROWS`` at a time."""
    for lo in range(0, len(order), WRITE_ROWS):
        rows = order[lo:lo + WRITE_ROWS]
        block = np.asarray(kv.vectors[rows], dtype="<f4")
        keys = [f"{prefix}{kv.index_to_key[i]}".encode("utf8") for i in rows]
        if binary:
            raw = block.tobytes()
            n = block.shape[1] * 4
            yield b"".join(k + b" " + raw[j * n:(j + 1) * n] for j, k in enumerate(keys))
        else:
            # float32 -> str gives the shortest text that reads back to the same float32
            text = block.astype(str)
            yield b"".join(k + b" " + " ".join(t).encode("ascii") + b"\n" for k, t in zip(keys, text))


def save_word2vec_format(kv, fname, fvocab=None, binary=False, total_vec=None, write_header=True,
                         prefix="", append=False, sort_attr="count") -> None:
    """Write ``kv`` in the word2vec C format (gensim's layout: binary rows carry no newline).

    Rows are written in descending ``sort_attr`` (``count``) order when that
    attribute exists, else in index order. ``write_header=False`` gives GloVe's
    text layout. Writes are atomic unless ``append``.
    """
    bad = next((k for k in kv.index_to_key if isinstance(k, str) and (" " in k or "\n" in k)), None)
    if bad is not None:
        raise ValueError(f"key {bad!r} contains whitespace; the word2vec format cannot store it")
    order = _save_order(kv, sort_attr, fvocab)
    total_vec = len(order) if total_vec is None else total_vec

    def write_vectors(raw):
        fh = gzip.GzipFile(fileobj=raw, mode="wb") if os.fspath(fname).endswith(".gz") else raw
        if write_header:
            fh.write(f"{total_vec} {kv.vector_size}\n".encode("utf8"))
        for chunk in _row_chunks(kv, order, binary, prefix):
            fh.write(chunk)
        if fh is not raw:
            fh.close()

    if fvocab is not None:
        counts = kv.expandos[sort_attr]

        def write_vocab(fh):
            fh.write("".join(f"{prefix}{kv.index_to_key[i]} {counts[i]}\n" for i in order).encode("utf8"))
        _write(fvocab, write_vocab, append)
    _write(fname, write_vectors, append)


def _write(path, write, append):
    if append:
        with open(path, "ab") as fh:
            write(fh)
    else:
        _atomic_write(os.fspath(path), write)


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
