"""Reading corpus files as byte chunks for the C scanner (csrc/scan.h).

Files may be plain, gzip, bzip2 or xz (recognised by their magic bytes, not
their names). Bytes that are not valid UTF-8 are replaced by U+FFFD by
default, before tokenising, so the vocabulary holds only valid str keys and
a file and the same text given as Python lists produce one vocabulary;
``errors='strict'`` fails with the byte offset instead.
"""
from __future__ import annotations

import bz2
import codecs
import gzip
import lzma
import os
import queue
import threading
import zlib

CHUNK_SIZE = 1 << 20
_WHITESPACE = (b" ", b"\n", b"\t", b"\r", b"\x0b", b"\x0c")


def open_corpus(path):
    """Binary file object for ``path``, decompressing by magic bytes."""
    path = os.fspath(path)
    if os.path.isdir(path):
        raise IsADirectoryError(f"corpus_file is a directory, not a file: {path}")
    if not os.path.exists(path):
        raise FileNotFoundError(f"corpus file not found: {path}")
    with open(path, "rb") as fh:
        magic = fh.read(10)
    if magic[:2] == b"\x1f\x8b":
        return gzip.open(path, "rb")
    # "BZh" + block size digit + the block magic (pi), or the end-of-stream magic (sqrt pi)
    # of an empty stream: plain text may start with "BZh"
    if magic[:3] == b"BZh" and magic[3:4] in b"123456789" and magic[4:10] in (b"1AY&SY", b"\x17rE8P\x90"):
        return bz2.open(path, "rb")
    if magic[:6] == b"\xfd7zXZ\x00":
        return lzma.open(path, "rb")
    return open(path, "rb")


def iter_chunks(path, errors: str = "replace", chunk_size: int = CHUNK_SIZE):
    """Yield byte chunks of ``path`` that each end at a token boundary.

    The partial token at the end of a read is carried into the next chunk, so
    the C scanner never sees half a token.
    """
    decoder = codecs.getincrementaldecoder("utf-8")(errors)
    offset = 0
    carry = b""
    with open_corpus(path) as fh:
        while True:
            try:
                raw = fh.read(chunk_size)
            except (EOFError, OSError, lzma.LZMAError, zlib.error) as exc:
                raise ValueError(f"{path}: corrupt or truncated compressed data after {offset} "
                                 f"decompressed bytes ({exc})") from None
            final = not raw
            pending = decoder.getstate()[0]
            if raw and not pending and raw.isascii():
                data = raw
            else:
                try:
                    data = decoder.decode(raw, final).encode("utf-8", "surrogatepass")
                except UnicodeDecodeError as exc:
                    position = offset - len(pending) + exc.start
                    raise ValueError(
                        f"{path}: invalid UTF-8 at byte offset {position} "
                        f"({exc.reason}); pass errors='replace' to substitute U+FFFD") from None
            offset += len(raw)
            data = carry + data
            if final:
                if data:
                    yield data
                return
            cut = max(data.rfind(ws) for ws in _WHITESPACE)
            if cut < 0:
                carry = data
                continue
            carry = data[cut + 1:]
            yield data[:cut + 1]


def read_ahead(chunks, depth: int = 2):
    """Yield the items of the iterator ``chunks``, produced ahead by a background thread.

    Decompression (zlib, bz2 and lzma release the GIL) and any GIL-free C work
    done inside ``chunks`` then overlap with what the consumer does with each
    item. Order and content are unchanged; an exception raised while producing
    is re-raised here, at the item where it happened. Stopping early (break,
    close) stops and joins the producer, which closes ``chunks``.
    """
    items = queue.Queue(maxsize=depth)
    stop = threading.Event()
    end = object()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                items.put(item, timeout=0.05)
                return True
            except queue.Full:
                pass
        return False

    def produce():
        try:
            for item in chunks:
                if not put((item, None)):
                    return
            put((end, None))
        except BaseException as exc:  # handed to the consumer, raised there
            put((end, exc))
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()

    producer = threading.Thread(target=produce, name="fastw2v-read-ahead", daemon=True)
    producer.start()
    try:
        while True:
            item, exc = items.get()
            if item is end:
                if exc is not None:
                    raise exc
                return
            yield item
    finally:
        stop.set()
        producer.join()
