"""fastw2v.corpus readers against gensim 4's on awkward files."""
import bz2
import gzip
import io
import lzma
import os

import pytest

from fastw2v.corpus import BrownCorpus, LineSentence, PathLineSentences, Text8Corpus

gensim_w2v = pytest.importorskip("gensim.models.word2vec")

TEXT = (
    "first line here\n"
    "\n"
    "   \t\n"
    "tabs\tand  double  spaces\r\n"
    + " ".join(f"w{i}" for i in range(2500)) + "\n"   # long line: cut, never truncated
    + "unicode caf\u00e9 na\u00efve \u00a0nbsp\u2003emspace x\x1cy\n"
    "no newline at the end"
)


@pytest.fixture(params=["plain", "gz", "bz2", "xz"])
def corpus_path(tmp_path, request):
    data = TEXT.encode("utf-8")
    opener = {"plain": open, "gz": gzip.open, "bz2": bz2.open, "xz": lzma.open}[request.param]
    suffix = {"plain": ".txt", "gz": ".txt.gz", "bz2": ".txt.bz2", "xz": ".txt.xz"}[request.param]
    path = str(tmp_path / f"corpus{suffix}")
    with opener(path, "wb") as fh:
        fh.write(data)
    return path


@pytest.mark.parametrize("max_len", [10000, 1000, 7, 1])
def test_line_sentence_equals_gensim(corpus_path, max_len):
    if corpus_path.endswith(".xz"):  # gensim's smart_open reads xz by name too; compare with plain text
        expected = list(gensim_w2v.LineSentence(io.BytesIO(TEXT.encode()), max_len))
    else:
        expected = list(gensim_w2v.LineSentence(corpus_path, max_len))
    got = list(LineSentence(corpus_path, max_len))
    assert got == expected
    assert sum(map(len, got)) == len(TEXT.split())


@pytest.mark.parametrize("limit", [0, 1, 3, 5, 100])
def test_limit_counts_lines_like_gensim(tmp_path, limit):
    path = str(tmp_path / "c.txt")
    open(path, "w").write(TEXT)
    assert list(LineSentence(path, 100, limit)) == list(gensim_w2v.LineSentence(path, 100, limit))


def test_file_objects_text_and_binary(tmp_path):
    expected = list(gensim_w2v.LineSentence(io.BytesIO(TEXT.encode())))
    assert list(LineSentence(io.BytesIO(TEXT.encode()))) == expected
    assert list(LineSentence(io.StringIO(TEXT))) == expected
    reader = LineSentence(io.BytesIO(TEXT.encode()))
    assert list(reader) == list(reader)  # re-iterable: seeks back
    assert reader.corpus_file is None


def test_invalid_utf8_replaced_where_gensim_raises(tmp_path):
    path = str(tmp_path / "bad.txt")
    open(path, "wb").write(b"good \xff\xfe bad\nok caf\xc3\n")
    with pytest.raises(UnicodeDecodeError):
        list(gensim_w2v.LineSentence(path))
    assert list(LineSentence(path)) == [["good", "\ufffd\ufffd", "bad"], ["ok", "caf\ufffd"]]


def test_corpus_file_only_for_plain_defaults(tmp_path):
    path = str(tmp_path / "c.txt")
    open(path, "w").write(TEXT)
    assert LineSentence(path).corpus_file == path
    assert LineSentence(path, limit=3).corpus_file is None
    assert LineSentence(path, max_sentence_length=5).corpus_file is None


def test_path_line_sentences_sorted_and_equal(tmp_path):
    for name, text in [("b.txt", "bee line\n\nb2\n"), ("a.txt", "a line\n"), ("c.txt", TEXT)]:
        open(tmp_path / name, "w").write(text)
    with gzip.open(tmp_path / "d.txt.gz", "wt") as fh:
        fh.write("gz line\n")
    expected = list(gensim_w2v.PathLineSentences(str(tmp_path), 50, 4))
    assert list(PathLineSentences(str(tmp_path), 50, 4)) == expected
    os.mkdir(tmp_path / "sub")  # skipped (gensim would fail opening it)
    assert list(PathLineSentences(str(tmp_path), 50, 4)) == expected
    with pytest.raises(ValueError, match="neither"):
        PathLineSentences(str(tmp_path / "missing"))


@pytest.mark.parametrize("max_len", [10000, 1000, 3])
def test_text8_equals_gensim(tmp_path, max_len):
    path = str(tmp_path / "text8")
    open(path, "w").write(" " + " ".join(f"t{i % 977}" for i in range(30000)))
    assert list(Text8Corpus(path, max_len)) == list(gensim_w2v.Text8Corpus(path, max_len))


def test_bad_arguments():
    with pytest.raises(ValueError, match="max_sentence_length"):
        LineSentence("x", max_sentence_length=0)
    with pytest.raises(ValueError, match="limit"):
        LineSentence("x", limit=-1)
    with pytest.raises(TypeError, match="path or a file"):
        LineSentence(123)


def test_brown_corpus_equals_gensim(tmp_path):
    """NLTK's Brown layout (word/TAG tokens, one sentence per line), odd tokens
    included: punctuation tags, a token with two slashes, an empty tag, a line
    with nothing kept, a gzip file. gensim reads files in directory order, ours
    in name order: compared as a multiset of sentences and file by file."""
    files = {
        "ca01": "The/at Fulton/np-tl County/nn-tl ,/, said/vbd ./.\n\n``/`` ''/''\nA/at 1/2/cd x/ so/ql\r\n",
        "cb02": "\tHe/pps went/vbd home/nr ;/. Caf\u00e9/nn\n",
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    with gzip.open(tmp_path / "cc03.gz", "wt", encoding="utf-8") as fh:
        fh.write("She/pps sang/vbd\n")
    os.mkdir(tmp_path / "sub")
    ours, theirs = list(BrownCorpus(tmp_path)), list(gensim_w2v.BrownCorpus(str(tmp_path)))
    assert sorted(ours) == sorted(theirs)
    assert ours[:2] == [["the/at", "fulton/np", "county/nn", "said/vb"], ["a/at", "so/ql"]]
    assert ["she/pp", "sang/vb"] in ours
    with pytest.raises(ValueError, match="directory"):
        BrownCorpus(tmp_path / "ca01")


def test_bz2_files_starting_with_an_empty_stream(tmp_path):
    """An empty bzip2 stream has the end-of-stream magic where a block's would be."""
    (tmp_path / "a.bz2").write_bytes(bz2.compress(b"") + bz2.compress(b"x y\n"))
    (tmp_path / "b.bz2").write_bytes(bz2.compress(b""))
    assert list(LineSentence(str(tmp_path / "a.bz2"))) == [["x", "y"]]
    assert list(LineSentence(str(tmp_path / "b.bz2"))) == []
