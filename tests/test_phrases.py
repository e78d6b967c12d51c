"""fastw2v.phrases against gensim 4's Phrases, and the word2phrase CLI against a reference."""
import math
import os
import sys

import numpy as np
import pytest

from fastw2v import phrases as fp
from fastw2v.corpus import LineSentence, Text8Corpus

gensim_phrases = pytest.importorskip("gensim.models.phrases")
gensim_w2v = pytest.importorskip("gensim.models.word2vec")

CONNECTORS = fp.ENGLISH_CONNECTOR_WORDS


def planted_corpus(n=4000, seed=0):
    """Random sentences with planted collocations, connector phrases and blank/long lines."""
    rng = np.random.default_rng(seed)
    vocab = [f"w{i}" for i in range(400)] + sorted(CONNECTORS)
    planted = [["new", "york"], ["machine", "learning"], ["bank", "of", "america"],
               ["eye", "of", "the", "beholder"], ["los", "angeles"]]
    sentences = []
    for _ in range(n):
        length = int(rng.choice([0, 1, 3, 12, 40]))
        words = [vocab[i] for i in rng.zipf(1.3, size=length) % len(vocab)]
        for phrase in planted:
            if length and rng.random() < 0.15:
                at = int(rng.integers(0, len(words) + 1))
                words[at:at] = phrase
        sentences.append(words)
    return sentences


@pytest.fixture(scope="module")
def corpus():
    return [s for s in planted_corpus() if s]


@pytest.fixture(scope="module")
def lee():
    from gensim.test.utils import datapath
    return list(gensim_w2v.LineSentence(datapath("lee_background.cor")))


SETTINGS = [
    dict(min_count=3, threshold=5.0),
    dict(min_count=2, threshold=0.2, scoring="npmi"),
    dict(min_count=2, threshold=2.0, connector_words=CONNECTORS),
    dict(min_count=2, threshold=0.1, scoring="npmi", connector_words=CONNECTORS),
    dict(min_count=1, threshold=1.0, connector_words=CONNECTORS, max_vocab_size=3000),  # pruning
]


def assert_same_model(g, f, sentences):
    assert list(g.vocab.items()) == list(f.vocab.items())  # same keys, counts and order
    assert g.corpus_word_count == f.corpus_word_count and g.min_reduce == f.min_reduce
    ge, fe = g.export_phrases(), f.export_phrases()
    assert list(ge) == list(fe)
    for key in ge:
        assert fe[key] == pytest.approx(ge[key], rel=1e-9, abs=1e-12)
    assert [g[s] for s in sentences] == [f[s] for s in sentences]
    assert g.find_phrases(sentences) == pytest.approx(f.find_phrases(sentences), rel=1e-9)
    gf, ff = g.freeze(), f.freeze()
    assert gf.phrasegrams == pytest.approx(ff.phrasegrams, rel=1e-9)
    assert list(gf[sentences]) == list(ff[sentences])
    return ge


@pytest.mark.parametrize("settings", SETTINGS, ids=str)
def test_planted_corpus_equals_gensim(corpus, settings):
    g = gensim_phrases.Phrases(corpus, **settings)
    f = fp.Phrases(corpus, **settings)
    found = assert_same_model(g, f, corpus)
    if settings.get("max_vocab_size") is None:
        assert "new_york" in found and "machine_learning" in found
    if "connector_words" in settings and settings.get("max_vocab_size") is None:
        assert "bank_of_america" in found and "eye_of_the_beholder" in found


@pytest.mark.parametrize("settings", SETTINGS[:4], ids=str)
def test_real_text_equals_gensim(lee, settings):
    g = gensim_phrases.Phrases(lee, **settings)
    f = fp.Phrases(lee, **settings)
    assert len(assert_same_model(g, f, lee)) > 10


def test_file_fast_paths_equal_gensim(tmp_path, corpus):
    path = str(tmp_path / "c.txt")
    with open(path, "w") as fh:
        fh.writelines(" ".join(s) + ("\n" if i % 50 else "  \r\n\n") for i, s in enumerate(corpus))
    for max_len in (10000, 9):
        settings = dict(min_count=2, threshold=2.0, connector_words=CONNECTORS)
        g = gensim_phrases.Phrases(gensim_w2v.LineSentence(path, max_len), **settings)
        f = fp.Phrases(LineSentence(path, max_len), **settings)
        assert list(g.vocab.items()) == list(f.vocab.items())
        assert g.export_phrases() == pytest.approx(f.export_phrases(), rel=1e-9)
        expected = list(g[gensim_w2v.LineSentence(path, max_len)])
        assert list(f[LineSentence(path, max_len)]) == expected
        assert list(f.freeze()[LineSentence(path, max_len)]) == expected
        out = str(tmp_path / "out.txt")
        assert f.freeze().transform_file(path, out, max_sentence_length=max_len) == len(expected)
        assert list(gensim_w2v.LineSentence(out)) == expected
        f.transform_file(path, out + ".gz", max_sentence_length=max_len)
        assert list(LineSentence(out + ".gz")) == expected


def test_file_fast_paths_in_small_chunks_with_pruning(tmp_path, corpus, monkeypatch):
    """Keys gathered chunk by chunk (a sentence spanning chunks, its pending token
    carried over) and pruning checked per sentence inside a chunk's batch: still gensim's."""
    from fastw2v import reader
    monkeypatch.setattr(fp, "iter_chunks", lambda path: reader.iter_chunks(path, chunk_size=97))
    path = str(tmp_path / "c.txt")
    with open(path, "w") as fh:
        fh.writelines(" ".join(s) + "\n" for s in corpus)
    for settings in (dict(min_count=1, threshold=1.0, connector_words=CONNECTORS, max_vocab_size=3000),
                     dict(min_count=1, threshold=1.0, max_vocab_size=2500),
                     dict(min_count=2, threshold=2.0)):
        g = gensim_phrases.Phrases(gensim_w2v.LineSentence(path), **settings)
        f = fp.Phrases(LineSentence(path), **settings)
        assert list(g.vocab.items()) == list(f.vocab.items())
        assert g.min_reduce == f.min_reduce and g.corpus_word_count == f.corpus_word_count
        expected = list(g.freeze()[gensim_w2v.LineSentence(path)])
        assert list(f.freeze()[LineSentence(path)]) == expected
        out = str(tmp_path / "out.txt")
        f.freeze().transform_file(path, out)
        assert list(LineSentence(out)) == expected


@pytest.mark.parametrize("delimiter", ["_", "__", "+"])
def test_frozen_filter_with_delimiters_inside_tokens(delimiter):
    """The frozen model's (first, last) token filter must never reject a phrase, even
    when tokens contain the delimiter (second-pass phrases, overlapping delimiters)."""
    base = [["a_", "_b", "c"], ["a", "_b", "c"], ["x", "of", "y_", "_z"], ["q__", "r"], ["a_", "_b"], ["b"]] * 4
    joined = [gensim_phrases.Phrases(base, min_count=1, threshold=1e-9, delimiter=delimiter)[s] for s in base]
    sentences = base + joined + [["a_", "_b", "of", "y_", "_z"], ["q__", "r", "c"]]
    for connectors in (frozenset(), CONNECTORS):
        settings = dict(min_count=1, threshold=1e-9, delimiter=delimiter, connector_words=connectors)
        g = gensim_phrases.Phrases(sentences, **settings).freeze()
        f = fp.Phrases(sentences, **settings).freeze()
        assert g.phrasegrams == pytest.approx(f.phrasegrams, rel=1e-9)
        tokens = sorted({w for s in sentences for w in s})
        candidates = [[a, b] for a in tokens for b in tokens] + [[a, "of", b] for a in tokens for b in tokens]
        assert [f[s] for s in candidates] == [g[s] for s in candidates]


def test_interleaved_file_runs(tmp_path, corpus):
    """Each run over a file owns its C cursor: two iterations can be interleaved."""
    path = str(tmp_path / "c.txt")
    with open(path, "w") as fh:
        fh.writelines(" ".join(s) + "\n" for s in corpus)
    frozen = fp.Phrases(LineSentence(path), min_count=2, threshold=2.0).freeze()
    expected = list(frozen[LineSentence(path)])
    pairs = list(zip(frozen[LineSentence(path)], frozen[LineSentence(path)]))
    assert [a for a, _ in pairs] == [b for _, b in pairs] == expected
    first = iter(frozen[LineSentence(path)])
    next(first)
    del first  # a run stopped early releases its reader thread
    assert list(frozen[LineSentence(path)]) == expected


def test_text8_fast_path(tmp_path, corpus):
    path = str(tmp_path / "text8")
    open(path, "w").write(" " + " ".join(w for s in corpus for w in s))
    g = gensim_phrases.Phrases(gensim_w2v.Text8Corpus(path, 500), min_count=3, threshold=3)
    f = fp.Phrases(Text8Corpus(path, 500), min_count=3, threshold=3)
    assert g.vocab == f.vocab and g.export_phrases() == pytest.approx(f.export_phrases(), rel=1e-9)
    assert list(g[gensim_w2v.Text8Corpus(path, 500)]) == list(f[Text8Corpus(path, 500)])


def test_second_pass_gives_longer_phrases(corpus):
    settings = dict(min_count=2, threshold=1.0)
    g1, f1 = gensim_phrases.Phrases(corpus, **settings), fp.Phrases(corpus, **settings)
    joined = [g1[s] for s in corpus]
    assert joined == [f1[s] for s in corpus]
    g2, f2 = gensim_phrases.Phrases(joined, **settings), fp.Phrases(joined, **settings)
    found = assert_same_model(g2, f2, joined)
    assert any(key.count("_") >= 2 for key in found)  # e.g. new_york_w0: 3-word phrases


@pytest.mark.parametrize("max_vocab_size", [40000000, 2500])
def test_add_vocab_merges_like_gensim(corpus, max_vocab_size):
    half = len(corpus) // 2
    g = gensim_phrases.Phrases(corpus[:half], min_count=2, threshold=2, max_vocab_size=max_vocab_size)
    f = fp.Phrases(corpus[:half], min_count=2, threshold=2, max_vocab_size=max_vocab_size)
    for part in (corpus[half:], corpus[:100]):
        g.add_vocab(part)
        f.add_vocab(part)
    assert_same_model(g, f, corpus[:300])


def ratio(worda_count, wordb_count, bigram_count, len_vocab, min_count, corpus_word_count):
    return bigram_count / (worda_count + wordb_count)  # module level: gensim pickles scorers


def test_custom_scorer_and_gensim_scorers(corpus):
    g = gensim_phrases.Phrases(corpus, min_count=1, threshold=0.3, scoring=ratio, connector_words=CONNECTORS)
    f = fp.Phrases(corpus, min_count=1, threshold=0.3, scoring=ratio, connector_words=CONNECTORS)
    assert_same_model(g, f, corpus[:300])
    f2 = fp.Phrases(corpus, min_count=1, threshold=0.3, scoring=gensim_phrases.npmi_scorer)
    assert f2._scoring_name == "npmi"  # recognised: computed in C
    with pytest.raises(ValueError, match="missing expected parameters"):
        fp.Phrases(scoring=lambda a, b: 0)


def test_edge_tokens_like_gensim():
    weird = [["", "a", "b"], ["a", "", "b", "of", "a"], ["of", "a", "b", ""], ["a", "b"], []] * 3
    g = gensim_phrases.Phrases(weird, min_count=1, threshold=0.1, connector_words=CONNECTORS)
    f = fp.Phrases(weird, min_count=1, threshold=0.1, connector_words=CONNECTORS)
    assert_same_model(g, f, weird)
    assert f[[]] == g[[]] == []
    with pytest.raises(TypeError, match="tokens must be str"):
        f[["a", 1]]
    with pytest.raises(TypeError, match="not a list of tokens"):
        fp.Phrases(["a b c"])


def test_lazy_corpus_and_generators(corpus):
    f = fp.Phrases(corpus, min_count=2, threshold=2)
    lazy = f[corpus]
    assert len(lazy) == len(corpus) and list(lazy) == list(lazy)  # re-iterable over a list
    assert list(f[iter(corpus)]) == list(lazy)
    assert f[iter(["new", "york"])] == ["new_york"]


def test_save_load_without_pickle(tmp_path, corpus):
    f = fp.Phrases(corpus, min_count=2, threshold=2, connector_words=CONNECTORS, delimiter="+")
    f.save(str(tmp_path / "p.model"))
    assert open(tmp_path / "p.model", "rb").read(1) == b"{"
    loaded = fp.Phrases.load(str(tmp_path / "p.model"))
    assert loaded.vocab == f.vocab and loaded.export_phrases() == f.export_phrases()
    assert loaded[corpus[:50]] is not None and list(loaded[corpus[:50]]) == list(f[corpus[:50]])
    frozen = f.freeze()
    frozen.save(str(tmp_path / "f.model"))
    back = fp.FrozenPhrases.load(str(tmp_path / "f.model"))
    assert isinstance(back, fp.FrozenPhrases) and back.phrasegrams == frozen.phrasegrams
    assert list(back[corpus[:50]]) == list(frozen[corpus[:50]])
    with pytest.raises(TypeError, match="not a Phrases"):
        fp.Phrases.load(str(tmp_path / "f.model"))

    def custom(worda_count, wordb_count, bigram_count, len_vocab, min_count, corpus_word_count):
        return 1.0

    fp.Phrases(corpus[:10], scoring=custom).save(str(tmp_path / "c.model"))
    with pytest.raises(ValueError, match="pass it again"):
        fp.Phrases.load(str(tmp_path / "c.model"))
    assert fp.Phrases.load(str(tmp_path / "c.model"), scoring=custom).scoring is custom


def test_bad_parameters():
    with pytest.raises(ValueError, match="min_count"):
        fp.Phrases(min_count=0)
    with pytest.raises(ValueError, match="threshold should be positive"):
        fp.Phrases(threshold=0)
    with pytest.raises(ValueError, match="between -1 and 1"):
        fp.Phrases(scoring="npmi", threshold=2)
    with pytest.raises(ValueError, match="unknown scoring"):
        fp.Phrases(scoring="pmi")
    with pytest.raises(ValueError, match="delimiter"):
        fp.Phrases(delimiter="")


def test_whitespace_set_matches_str_split(tmp_path):
    """The C tokeniser's whitespace is exactly what str.split() splits on."""
    spaces = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]
    text = "".join(f"a{i}{ch}" for i, ch in enumerate(spaces)).replace("\n", " ") + "\n" + "x\u200by\n"
    path = str(tmp_path / "s.txt")
    open(path, "w", encoding="utf-8").write(text)
    f = fp.Phrases(LineSentence(path), min_count=1, threshold=1e-9)
    assert f.corpus_word_count == len(text.split())
    assert set(f.vocab) >= set(text.split())


# ---- command line: word2phrase ----

def word2phrase_reference(lines, min_count, threshold):
    """word2phrase.c's learning and joining in plain Python/NumPy (float32 score)."""
    unigrams, bigrams, train_words = {}, {}, 0
    for line in lines:
        words = line.split()
        train_words += len(words)
        for i, w in enumerate(words):
            unigrams[w] = unigrams.get(w, 0) + 1
            if i:
                key = words[i - 1] + "_" + w
                bigrams[key] = bigrams.get(key, 0) + 1
    f = np.float32
    out = []
    for line in lines:
        words, joined, pa = line.split(), [], 0
        for i, w in enumerate(words):
            pb = unigrams[w]
            score = f(0)
            if i and pa >= min_count and pb >= min_count and (words[i - 1] + "_" + w) in bigrams:
                pab = bigrams[words[i - 1] + "_" + w]
                score = f(pab - min_count) / f(pa) / f(pb) * f(train_words)
            if score > f(threshold):
                joined[-1] += "_" + w
                pb = 0
            else:
                joined.append(w)
            pa = pb
        if joined:
            out.append(" ".join(joined))
    return out


def test_cli_matches_word2phrase_reference(tmp_path, corpus):
    lines = [" ".join(s) for s in corpus]
    src, dst, dst2 = (str(tmp_path / n) for n in ("in.txt", "out.txt", "out2.txt"))
    open(src, "w").write("\n".join(lines) + "\n")
    assert fp.cli_main(["-train", src, "-output", dst, "-min-count", "3", "-threshold", "20", "-debug", "0"]) == 0
    expected = word2phrase_reference(lines, 3, 20)
    assert open(dst).read().splitlines() == expected
    assert any("_" in line for line in expected)
    # a second run on the output joins phrases of phrases (3- and 4-word phrases)
    fp.cli_main(["-train", dst, "-output", dst2, "-min-count", "3", "-threshold", "20", "-debug", "0"])
    second = word2phrase_reference(expected, 3, 20)
    assert open(dst2).read().splitlines() == second
    assert any(tok.count("_") >= 2 for line in second for tok in line.split())


@pytest.mark.parametrize("frozen", [False, True])
@pytest.mark.parametrize("name", ["c.txt", "c.txt.gz"])
def test_transform_file_in_place_and_failing_part_way(tmp_path, corpus, monkeypatch, frozen, name):
    """The output is written beside its destination and renamed over it: the source
    may be the destination, and a run that fails part way leaves the old file whole."""
    import gzip
    path = str(tmp_path / name)
    with (gzip.open if name.endswith(".gz") else open)(path, "wt") as fh:
        fh.writelines(" ".join(s) + "\n" for s in corpus[:1500])
    model = fp.Phrases(LineSentence(path), min_count=2, threshold=2.0)
    model = model.freeze() if frozen else model
    expected = list(model[LineSentence(path)])
    assert any("_" in w for s in expected for w in s)
    before = open(path, "rb").read()

    def full_disk(*args):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(OSError, match="No space"):
        model.transform_file(path, path)
    monkeypatch.undo()
    assert open(path, "rb").read() == before and os.listdir(tmp_path) == [name]
    assert model.transform_file(path, path) == len(expected)
    assert list(LineSentence(path)) == expected and os.listdir(tmp_path) == [name]


@pytest.mark.parametrize("flags, fragment", [
    (["-output", "{tmp}/missing/out.txt"], "output directory does not exist"),
    (["-output", "{tmp}"], "is a directory"),
    (["-min-count", "0"], "-min-count must be at least 1"),
    (["-train", "{tmp}/nope.txt"], "-train file not found"),
])
def test_cli_errors_are_one_line(tmp_path, capsys, flags, fragment):
    src = tmp_path / "in.txt"
    src.write_text("new york is big\n" * 3)
    argv = ["-train", str(src), "-output", str(tmp_path / "out.txt"), "-debug", "0"]
    for flag, value in zip(flags[::2], flags[1::2]):
        if flag in argv:
            argv[argv.index(flag) + 1] = value.format(tmp=tmp_path)
        else:
            argv += [flag, value]
    assert fp.cli_main(argv) == 1
    err = capsys.readouterr().err
    assert fragment in err and err.count("\n") == 1 and "Traceback" not in err
    assert sorted(os.listdir(tmp_path)) == ["in.txt"]


def test_word2phrase_score_uses_corpus_word_count():
    assert fp.word2phrase_scorer(10, 20, 8, len_vocab=999, min_count=5, corpus_word_count=1000) == \
        pytest.approx((8 - 5) / 10 / 20 * 1000, rel=1e-6)
    assert fp.original_scorer(10, 20, 8, len_vocab=999, min_count=5, corpus_word_count=1000) == \
        pytest.approx((8 - 5) / 200 * 999)
    assert math.isinf(fp.npmi_scorer(10, 20, 4, 999, 5, 1000))


class Token(str):
    """A str subclass, as some tokenisers produce."""


def test_apply_to_lists_keeps_input_strs_and_equals_gensim(corpus):
    settings = dict(min_count=2, threshold=2.0, connector_words=CONNECTORS)
    g = gensim_phrases.Phrases(corpus, **settings).freeze()
    f = fp.Phrases(corpus, **settings).freeze()
    out = list(f[corpus])
    assert out == list(g[corpus])
    joined = 0
    for sentence, result in zip(corpus, out):
        ids = {id(tok) for tok in sentence}
        for tok in result:
            if "_" not in tok:
                assert id(tok) in ids  # a token left alone is the input's own object
            else:
                joined += 1
    assert joined
    # one str object per phrase, not one per occurrence (cached by the engine)
    news = [tok for result in out for tok in result if tok == "new_york"]
    assert len(news) > 1 and len({id(tok) for tok in news}) < len(news)


def test_apply_to_unusual_sentences_like_gensim(corpus):
    settings = dict(min_count=2, threshold=2.0, connector_words=CONNECTORS)
    g = gensim_phrases.Phrases(corpus, **settings).freeze()
    f = fp.Phrases(corpus, **settings).freeze()
    odd = [[], ("new", "york", "x"), ["bank", "of", "america"], [Token("new"), Token("york"), Token("of")],
           ["nеw", "york"], ["café", "new", "york", "ünïcode"], ["", "new", "york", ""], ["of"]]
    expected = [g[s] if not isinstance(s, (tuple, list)) or s else [] for s in odd]
    assert list(f[odd]) == expected == list(g[odd])
    # generators as sentences: each consumed once, so build them afresh for each side
    gens = lambda: [iter(s) for s in odd[1:]]  # noqa: E731
    assert list(f[gens()]) == list(g[gens()]) == expected[1:]
    kept = f[[Token("new"), Token("x")]]
    assert all(type(tok) is Token for tok in kept)  # the input's objects, as gensim returns them
    with pytest.raises(TypeError, match="tokens must be str"):
        list(f[[["new", 3]]])


def test_str_cache():
    from fastw2v._phrases import StrCache
    strings = StrCache(4)  # 16 slots: collisions all the time
    words = [f"w{i}" for i in range(200)] + ["café", "ünï", "日本語", ""]
    for _ in range(3):
        for w in words:
            got = strings.lookup(w.encode())
            assert got == w and type(got) is str
    assert strings.lookup(b"abc") is strings.lookup(b"abc")
    with pytest.raises(ValueError, match="bits"):
        StrCache(40)


def test_file_apply_cached_equals_uncached(tmp_path, corpus, monkeypatch):
    """Iterating ``frozen[LineSentence]`` builds its lists from a str cache; a
    cache too small to hold anything (every lookup a miss or a collision) gives
    the same sentences, non-ASCII tokens and long lines included."""
    from fastw2v import _phrases, reader
    path = str(tmp_path / "c.txt")
    rows = [" ".join(s + (["café", "new", "york", "日本"] if i % 7 == 0 else [])) for i, s in enumerate(corpus)]
    with open(path, "w", encoding="utf-8") as fh:
        fh.writelines(row + ("\n" if i % 40 else "\n\n \n") for i, row in enumerate(rows))
    settings = dict(min_count=2, threshold=2.0, connector_words=CONNECTORS)
    g = gensim_phrases.Phrases(gensim_w2v.LineSentence(path), **settings).freeze()
    f = fp.Phrases(LineSentence(path), **settings).freeze()
    for max_len in (10000, 7):
        expected = list(g[gensim_w2v.LineSentence(path, max_len)])
        assert list(f[LineSentence(path, max_len)]) == expected
        with monkeypatch.context() as m:
            tiny = _phrases.StrCache
            m.setattr(_phrases, "StrCache", lambda: tiny(4))
            m.setattr(fp, "iter_chunks", lambda p: reader.iter_chunks(p, chunk_size=61))
            assert list(f[LineSentence(path, max_len)]) == expected


def test_reader_subclasses_are_iterated_in_python(tmp_path):
    """A LineSentence subclass that overrides __iter__ (preprocessing) is read through
    that __iter__, as gensim does, never straight from the file by C."""
    from fastw2v import Word2Vec
    path = tmp_path / "mixed.txt"
    path.write_text("New York is big\nnew york IS BIG\n" * 3)

    class Lower(LineSentence):
        def __iter__(self):
            for sentence in super().__iter__():
                yield [w.lower() for w in sentence]

    lowered = [[w.lower() for w in line.split()] for line in path.read_text().splitlines()]
    expected = fp.Phrases(lowered, min_count=1, threshold=0.1)
    model = fp.Phrases(Lower(str(path)), min_count=1, threshold=0.1)
    assert dict(model.vocab) == dict(expected.vocab) and "New" not in model.vocab
    assert list(model[Lower(str(path))]) == list(expected[lowered])
    w2v = Word2Vec(vector_size=4, min_count=1, workers=1)
    w2v.build_vocab(Lower(str(path)))
    assert sorted(w2v.wv.index_to_key) == ["big", "is", "new", "york"]
    assert LineSentence(str(path)).corpus_file == str(path) and Lower(str(path)).corpus_file is None


def test_phrase_models_copy_pickle_and_index_corpora():
    import copy
    import pickle
    sentences = [["new", "york", "is", "big"], ["in", "new", "york"]] * 3
    model = fp.Phrases(sentences, min_count=1, threshold=0.1)
    for original in (model, model.freeze()):
        for twin in (copy.deepcopy(original), pickle.loads(pickle.dumps(original))):
            assert list(twin[sentences]) == list(original[sentences])
            assert str(twin) == str(original)
    with pytest.raises(TypeError):
        model.vocab["new_york"] = 0  # a snapshot of the C table: an edit would be lost, so it is refused
    with pytest.raises(TypeError):
        model.freeze().phrasegrams["new_york"] = 1.0
    corpus = model[sentences]
    assert corpus[1] == model[sentences[1]] and corpus[0] == model[sentences[0]]
    with pytest.raises(RuntimeError, match="slicing"):
        model[iter(sentences)][0]
