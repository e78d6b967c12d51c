"""Reading corpus files as token-aligned byte chunks."""
import bz2
import gzip
import lzma

import pytest

from fastw2v.reader import iter_chunks


def tokens_of(path, **kwargs):
    return b"".join(iter_chunks(path, **kwargs)).split()


@pytest.mark.parametrize("opener", [open, gzip.open, bz2.open, lzma.open])
def test_chunks_end_at_token_boundaries(tmp_path, opener):
    text = " ".join(f"token{i}" for i in range(5000)).encode() + b"\nlast line\n"
    path = tmp_path / "c.bin"
    with opener(path, "wb") as fh:
        fh.write(text)
    chunks = list(iter_chunks(str(path), chunk_size=977))
    assert len(chunks) > 5
    for c in chunks[:-1]:
        assert c[-1:].isspace()
    assert b"".join(chunks).split() == text.split()


def test_invalid_utf8_replaced_or_strict(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_bytes(b"good caf\xc3\xa9 ba\xffd word\n")
    assert tokens_of(str(path)) == [b"good", "café".encode(), "ba\ufffdd".encode(), b"word"]
    with pytest.raises(ValueError, match="byte offset 13"):
        tokens_of(str(path), errors="strict")


def test_multibyte_character_split_across_reads(tmp_path):
    path = tmp_path / "u.txt"
    text = ("é" * 1000 + " ") * 3
    path.write_text(text, encoding="utf-8")
    assert tokens_of(str(path), chunk_size=333) == text.encode().split()


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(FileNotFoundError):
        list(iter_chunks(str(tmp_path / "nope.txt")))
    with pytest.raises(IsADirectoryError):
        list(iter_chunks(str(tmp_path)))


def test_read_ahead_keeps_order_and_reraises():
    from fastw2v.reader import read_ahead

    assert list(read_ahead(iter(range(1000)), depth=3)) == list(range(1000))

    def failing():
        yield 1
        yield 2
        raise ValueError("corrupt input at item 3")

    got = []
    with pytest.raises(ValueError, match="corrupt input at item 3"):
        for item in read_ahead(failing()):
            got.append(item)
    assert got == [1, 2]


def test_read_ahead_stopped_early_closes_the_source():
    import threading
    from fastw2v.reader import read_ahead

    closed = threading.Event()

    def endless():
        try:
            i = 0
            while True:
                yield i
                i += 1
        finally:
            closed.set()

    before = set(threading.enumerate())
    it = read_ahead(endless())
    assert [next(it) for _ in range(5)] == [0, 1, 2, 3, 4]
    it.close()
    assert closed.is_set()
    assert set(threading.enumerate()) <= before  # the producer thread is gone
