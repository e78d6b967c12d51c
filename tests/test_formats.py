"""word2vec binary/text and GloVe I/O of fastw2v.formats: round trips through gensim, damaged files."""
import bz2
import gzip
import lzma
import os

import numpy as np
import pytest

from fastw2v import formats
from fastw2v.keyedvectors import KeyedVectors

KEYS = ["the", "of", "König", "x", "déjà-vu", "日本"]


@pytest.fixture
def kv():
    rng = np.random.default_rng(1)
    kv = KeyedVectors(7)
    kv.add_vectors(KEYS, rng.standard_normal((len(KEYS), 7)).astype(np.float32))
    kv.expandos["count"] = np.array([60, 50, 40, 30, 20, 10], dtype=np.int64)
    return kv


def write_c_tool_binary(path, words, vectors):
    """The layout word2vec.c writes: a newline after every binary row."""
    with open(path, "wb") as fh:
        fh.write(f"{len(words)} {vectors.shape[1]}\n".encode())
        for w, v in zip(words, vectors):
            fh.write(w.encode() + b" " + v.astype("<f4").tobytes() + b"\n")


@pytest.mark.parametrize("binary", [True, False])
@pytest.mark.parametrize("suffix", ["", ".gz", ".bz2", ".xz"])
def test_round_trip(tmp_path, kv, binary, suffix):
    path = tmp_path / f"v.w2v{suffix}"
    kv.save_word2vec_format(path, binary=binary, fvocab=tmp_path / f"v.vocab{suffix}")
    if suffix:  # really compressed, vocabulary file too (as gensim writes them)
        opener = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}[suffix]
        with opener(path, "rb") as fh:
            assert fh.read(4) == b"6 7\n"
        with opener(tmp_path / f"v.vocab{suffix}", "rb") as fh:
            assert fh.read().decode().splitlines()[0] == "the 60"
    back = KeyedVectors.load_word2vec_format(path, binary=binary, fvocab=tmp_path / f"v.vocab{suffix}")
    np.testing.assert_array_equal(back.expandos["count"], kv.expandos["count"])
    assert back.index_to_key == KEYS
    np.testing.assert_array_equal(back.vectors, kv.vectors)
    assert back.vectors.dtype == np.float32 and back.vectors.flags.c_contiguous


def test_c_tool_layout_limit_and_fvocab(tmp_path, kv):
    path = tmp_path / "c.bin"
    write_c_tool_binary(path, KEYS, kv.vectors)
    back = KeyedVectors.load_word2vec_format(path, binary=True)
    assert back.index_to_key == KEYS
    np.testing.assert_array_equal(back.vectors, kv.vectors)
    assert KeyedVectors.load_word2vec_format(path, binary=True, limit=2).index_to_key == KEYS[:2]
    kv.save_word2vec_format(tmp_path / "v.txt", fvocab=tmp_path / "vocab.txt")
    back = KeyedVectors.load_word2vec_format(tmp_path / "v.txt", fvocab=tmp_path / "vocab.txt")
    assert back.get_vecattr("König", "count") == 40


def test_a_word_repeated_in_fvocab_keeps_its_last_count_as_in_gensim(tmp_path, kv):
    kv.save_word2vec_format(tmp_path / "v.txt")
    (tmp_path / "vocab.txt").write_text("the 7\n" + "".join(f"{w} 2\n" for w in KEYS[1:]) + "the 5\n",
                                        encoding="utf-8")
    back = KeyedVectors.load_word2vec_format(tmp_path / "v.txt", fvocab=tmp_path / "vocab.txt")
    assert back.get_vecattr("the", "count") == 5 and back.get_vecattr("of", "count") == 2
    gensim = pytest.importorskip("gensim")
    theirs = gensim.models.KeyedVectors.load_word2vec_format(tmp_path / "v.txt", fvocab=tmp_path / "vocab.txt")
    assert theirs.get_vecattr("the", "count") == 5
    # the CLI's -read-vocab adds a repeated word's counts up (one entry per word)
    assert formats.read_vocab_counts(tmp_path / "vocab.txt") == {"the": 12, **{w: 2 for w in KEYS[1:]}}


@pytest.mark.parametrize("suffix", ["", ".gz"])  # the memory-mapped path and the stream path
def test_small_blocks_split_rows(tmp_path, kv, monkeypatch, suffix):
    monkeypatch.setattr(formats, "BLOCK_BYTES", 5)  # blocks of 2 rows' bytes: rows straddle blocks
    path = tmp_path / "c.bin"
    write_c_tool_binary(path, KEYS, kv.vectors)
    if suffix:
        with gzip.open(tmp_path / "c.bin.gz", "wb") as fh:
            fh.write(path.read_bytes())
        path = tmp_path / "c.bin.gz"
    back = KeyedVectors.load_word2vec_format(path, binary=True)
    assert back.index_to_key == KEYS
    np.testing.assert_array_equal(back.vectors, kv.vectors)
    # a word longer than a block: the mapped path widens its block, the stream path its buffer's room
    long_word = "x" * 500
    write_c_tool_binary(tmp_path / "long.bin", [*KEYS[:-1], long_word], kv.vectors)
    if suffix:
        with gzip.open(tmp_path / "long.bin.gz", "wb") as fh:
            fh.write((tmp_path / "long.bin").read_bytes())
    back = KeyedVectors.load_word2vec_format(tmp_path / f"long.bin{suffix}", binary=True)
    assert back.index_to_key == [*KEYS[:-1], long_word]
    np.testing.assert_array_equal(back.vectors, kv.vectors)


def test_binary_header_larger_than_file_fails_before_allocating(tmp_path, kv):
    path = tmp_path / "v.bin"
    kv.save_word2vec_format(path, binary=True)
    body = path.read_bytes().split(b"\n", 1)[1]
    (tmp_path / "huge.bin").write_bytes(b"1000000000000 300\n" + body)  # 1.2 TB if allocated
    with pytest.raises(ValueError, match="truncated.*1000000000000 vectors of 300.*ends at byte 2"):
        KeyedVectors.load_word2vec_format(tmp_path / "huge.bin", binary=True)


def test_binary_load_gives_an_ordinary_writable_matrix(tmp_path, kv):
    path = tmp_path / "v.bin"
    kv.save_word2vec_format(path, binary=True)
    back = KeyedVectors.load_word2vec_format(path, binary=True)
    v = back.vectors
    assert v.dtype == np.float32 and v.flags.c_contiguous and v.flags.writeable
    assert v.shape == kv.vectors.shape
    v[0] = 7.0  # the matrix is the file buffer itself, trimmed to size: writes land in it
    assert back[back.index_to_key[0]].tolist() == [7.0] * kv.vector_size


def test_glove_no_header(tmp_path):
    path = tmp_path / "glove.txt"
    path.write_text("a 1 2 3\nb 4 5 6\n\n")
    kv = KeyedVectors.load_word2vec_format(path, no_header=True)
    assert kv.index_to_key == ["a", "b"] and kv["b"].tolist() == [4, 5, 6]
    assert len(KeyedVectors.load_word2vec_format(path, no_header=True, limit=1)) == 1


def test_unicode_errors(tmp_path):
    path = tmp_path / "bad.bin"
    with open(path, "wb") as fh:
        fh.write(b"1 2\n" + b"ab\xe2\x82 " + np.ones(2, "<f4").tobytes())
    with pytest.raises(ValueError, match="vector 1"):
        KeyedVectors.load_word2vec_format(path, binary=True)
    assert KeyedVectors.load_word2vec_format(path, binary=True, unicode_errors="ignore").index_to_key == ["ab"]
    assert KeyedVectors.load_word2vec_format(path, binary=True, unicode_errors="replace").index_to_key == ["ab\ufffd"]


def test_gensim_exception_types_and_any_error_handler(tmp_path, kv):
    """gensim's reader raises UnicodeDecodeError and EOFError; code that catches those keeps working."""
    path = tmp_path / "bad.bin"
    write_c_tool_binary(path, ["ok", "b\xe4d".encode("latin1").decode("latin1")], np.ones((2, 3)))
    raw = path.read_bytes().replace("bäd".encode(), b"b\xe4d")
    path.write_bytes(raw)
    with pytest.raises(UnicodeDecodeError, match="vector 2"):
        KeyedVectors.load_word2vec_format(path, binary=True)
    kept = KeyedVectors.load_word2vec_format(path, binary=True, unicode_errors="backslashreplace")
    assert kept.index_to_key == ["ok", "b\\xe4d"]
    with pytest.raises(ValueError, match="error handler"):
        KeyedVectors.load_word2vec_format(path, binary=True, unicode_errors="nonsense")
    kv.save_word2vec_format(tmp_path / "v.bin", binary=True)
    (tmp_path / "cut.bin").write_bytes((tmp_path / "v.bin").read_bytes()[:-9])
    with pytest.raises(EOFError):
        KeyedVectors.load_word2vec_format(tmp_path / "cut.bin", binary=True)


def test_rows_beyond_the_header_are_ignored_as_gensim(tmp_path, caplog):
    """gensim writes int-keyed sets (Doc2Vec's dv) with more binary rows than the header
    declares; gensim's reader takes the declared rows, and so does this one."""
    gensim_kv = pytest.importorskip("gensim.models").KeyedVectors
    theirs = gensim_kv(2)
    theirs.add_vectors([0, 1, 2], np.arange(6, dtype=np.float32).reshape(3, 2))
    theirs.save_word2vec_format(str(tmp_path / "int.bin"), binary=True)
    expected = gensim_kv.load_word2vec_format(str(tmp_path / "int.bin"), binary=True)
    ours = KeyedVectors.load_word2vec_format(tmp_path / "int.bin", binary=True)
    assert ours.index_to_key == expected.index_to_key
    np.testing.assert_array_equal(ours.vectors, expected.vectors)
    assert "ignored" in caplog.text


def test_text_keeps_float64_digits_and_whitespace_led_keys(tmp_path):
    gensim_kv = pytest.importorskip("gensim.models").KeyedVectors
    values = np.array([[0.1, 1e-50, 1e39], [2 / 3, -0.0, 123456789.123456789]])
    wide = KeyedVectors(3, dtype=np.float64)
    wide.add_vectors(["a", "b"], values)
    wide.save_word2vec_format(tmp_path / "w.txt")
    back = KeyedVectors.load_word2vec_format(tmp_path / "w.txt", datatype=np.float64)
    np.testing.assert_array_equal(back.vectors, values)
    assert back.vectors.dtype == np.float64
    np.testing.assert_array_equal(gensim_kv.load_word2vec_format(str(tmp_path / "w.txt"), datatype=np.float64).vectors,
                                  values)
    odd = KeyedVectors(2)
    odd.add_vectors(["", "\tx", "x"], np.arange(6, dtype=np.float32).reshape(3, 2))
    odd.save_word2vec_format(tmp_path / "odd.txt")
    for loaded in (KeyedVectors.load_word2vec_format(tmp_path / "odd.txt"),
                   gensim_kv.load_word2vec_format(str(tmp_path / "odd.txt"))):
        assert list(loaded.index_to_key) == ["", "\tx", "x"]
        np.testing.assert_array_equal(loaded.vectors, odd.vectors)


def test_truncated_and_garbled_files_raise(tmp_path, kv):
    path = tmp_path / "v.bin"
    kv.save_word2vec_format(path, binary=True)
    raw = path.read_bytes()
    (tmp_path / "cut.bin").write_bytes(raw[:-9])
    with pytest.raises(ValueError, match="truncated.*6 vectors.*after 5"):
        KeyedVectors.load_word2vec_format(tmp_path / "cut.bin", binary=True)
    (tmp_path / "hdr.bin").write_bytes(b"six 7\n" + raw.split(b"\n", 1)[1])
    with pytest.raises(ValueError, match="line 1"):
        KeyedVectors.load_word2vec_format(tmp_path / "hdr.bin", binary=True)
    (tmp_path / "dim.bin").write_bytes(b"6 3\n" + raw.split(b"\n", 1)[1])  # wrong dimension
    with pytest.raises(ValueError, match="byte"):
        KeyedVectors.load_word2vec_format(tmp_path / "dim.bin", binary=True)
    (tmp_path / "empty.bin").write_bytes(b"")
    with pytest.raises(ValueError, match="line 1"):
        KeyedVectors.load_word2vec_format(tmp_path / "empty.bin", binary=True)
    kv.save_word2vec_format(tmp_path / "v.txt")
    lines = (tmp_path / "v.txt").read_text().splitlines()
    (tmp_path / "short.txt").write_text("\n".join(lines[:-2]) + "\n")
    with pytest.raises(ValueError, match="truncated.*6 vectors, found 4"):
        KeyedVectors.load_word2vec_format(tmp_path / "short.txt")
    lines[3] = lines[3].rsplit(" ", 1)[0]
    (tmp_path / "row.txt").write_text("\n".join(lines) + "\n")
    with pytest.raises(ValueError, match="line 4: expected 7 numbers"):
        KeyedVectors.load_word2vec_format(tmp_path / "row.txt")
    lines[3] = lines[3] + " abc"
    (tmp_path / "nan.txt").write_text("\n".join(lines) + "\n")
    with pytest.raises(ValueError, match="line 4"):
        KeyedVectors.load_word2vec_format(tmp_path / "nan.txt")
    with gzip.open(tmp_path / "cut.bin.gz", "wb") as fh:
        fh.write(raw[:-3])
    with pytest.raises(ValueError, match="truncated"):
        KeyedVectors.load_word2vec_format(tmp_path / "cut.bin.gz", binary=True)


def test_save_is_atomic_and_rejects_spaces(tmp_path, kv):
    path = tmp_path / "v.bin"
    kv.save_word2vec_format(path, binary=True)
    before = path.read_bytes()
    kv.add_vector("two words", np.zeros(7))
    with pytest.raises(ValueError, match="whitespace"):
        kv.save_word2vec_format(path, binary=True)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["v.bin"]


def test_intersect_sets_lockf(tmp_path, kv):
    other = KeyedVectors(7)
    other.add_vectors(["of", "x", "unseen"], np.full((3, 7), 9, dtype=np.float32))
    other.save_word2vec_format(tmp_path / "pre.bin", binary=True)
    assert kv.intersect_word2vec_format(tmp_path / "pre.bin", lockf=0.0, binary=True) == 2
    assert kv["of"].tolist() == [9] * 7 and "unseen" not in kv
    assert kv.vectors_lockf.tolist() == [1, 0, 1, 0, 1, 1]
    with pytest.raises(ValueError, match="dimensions"):
        KeyedVectors(3).intersect_word2vec_format(tmp_path / "pre.bin", binary=True)


@pytest.mark.parametrize("binary", [True, False])
def test_gensim_reads_ours_and_we_read_gensims(tmp_path, kv, binary):
    gensim_kv = pytest.importorskip("gensim.models.keyedvectors")
    kv.save_word2vec_format(tmp_path / "ours", binary=binary)
    g = gensim_kv.KeyedVectors.load_word2vec_format(tmp_path / "ours", binary=binary)
    assert g.index_to_key == KEYS
    np.testing.assert_allclose(g.vectors, kv.vectors, atol=1e-6)
    g.save_word2vec_format(tmp_path / "theirs", binary=binary)
    back = KeyedVectors.load_word2vec_format(tmp_path / "theirs", binary=binary)
    assert back.index_to_key == KEYS
    np.testing.assert_allclose(back.vectors, kv.vectors, atol=1e-6)


def test_gensim_test_data_loads():
    utils = pytest.importorskip("gensim.test.utils")
    gensim_kv = pytest.importorskip("gensim.models.keyedvectors")
    for name, binary in (("euclidean_vectors.bin", True), ("high_precision.kv.txt", False)):
        path = utils.datapath(name)
        try:
            theirs = gensim_kv.KeyedVectors.load_word2vec_format(path, binary=binary)
        except FileNotFoundError:
            pytest.skip("gensim test data not installed")
        ours = KeyedVectors.load_word2vec_format(path, binary=binary)
        assert ours.index_to_key == theirs.index_to_key
        np.testing.assert_allclose(ours.vectors, theirs.vectors, atol=1e-6)


def test_index_of_maps_each_key_to_its_position():
    assert formats._formats.index_of(["a", "b", "c"]) == {"a": 0, "b": 1, "c": 2}
    assert formats._formats.index_of([]) == {}
    assert formats._formats.index_of(["a", "b", "a"]) == {"a": 2, "b": 1}  # the loader then keeps the first


def test_duplicate_words_keep_the_first(tmp_path):
    path = tmp_path / "dup.txt"
    path.write_text("3 2\na 1 2\nb 3 4\na 5 6\n")
    kv = KeyedVectors.load_word2vec_format(path)
    assert kv.index_to_key == ["a", "b"] and kv["a"].tolist() == [1, 2]


# -- word2vec C's -classes file -------------------------------------------------------
def test_word_classes_file(tmp_path):
    from fastw2v.formats import save_word_classes
    path = tmp_path / "classes.txt"
    save_word_classes(path, ["the", "café", 7], np.array([2, 0, 1]))
    assert path.read_bytes() == "the 2\ncafé 0\n7 1\n".encode("utf-8")
    before = path.read_bytes()
    for words, classes, fragment in ((["a b"], [0], "contains whitespace"), ([""], [0], "is empty"),
                                     (["a", "b"], [0], "2 words but classes of shape")):
        with pytest.raises(ValueError, match=fragment):
            save_word_classes(path, words, np.array(classes))
    assert path.read_bytes() == before  # a refused write leaves the old file
    assert sorted(os.listdir(tmp_path)) == ["classes.txt"]
    with pytest.raises(FileNotFoundError, match="output directory does not exist"):
        save_word_classes(tmp_path / "missing" / "c.txt", ["a"], np.array([0]))
