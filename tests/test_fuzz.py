"""Property tests: whatever the corpus and parameters, training either works
or raises a clear ValueError/TypeError -- the process never crashes.

Each property runs 200 examples (the bar in CI); a crash in C would kill
the test process, so simply finishing is part of the assertion.
"""
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fastw2v import Word2Vec, _kernels

PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Any code point except lone surrogates (those get their own property); NUL included.
unicode_tokens = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=6)
small_tokens = st.sampled_from(["a", "b", "c", "\x00", "é", "日本", "\u200b", "𝔘", "a b"])
tokens = st.one_of(small_tokens, unicode_tokens)
sentences = st.lists(tokens, max_size=12)
corpora = st.lists(sentences, max_size=25)

params = st.fixed_dictionaries({
    "vector_size": st.integers(1, 8),
    "window": st.integers(1, 60),                     # often larger than every sentence
    "min_count": st.integers(1, 3),                   # often above every count
    "negative": st.integers(0, 40),                   # often larger than the vocabulary
    "sg": st.integers(0, 1),
    "workers": st.integers(1, 2 * (os.cpu_count() or 1) + 2),   # more workers than cores
    "sample": st.sampled_from([0.0, 1e-3, 1.0]),
    "batch_mode": st.sampled_from(["auto", "pair", "window"]),
    "shrink_windows": st.booleans(),
})

CLEAR = ("the corpus is empty", "the vocabulary is empty")


def _train(corpus, p, **extra):
    p = dict(p, epochs=1, seed=1, **extra)
    if p["negative"] == 0:
        p["hs"] = 1
    return Word2Vec(corpus, **p)


@PROPERTY
@given(corpus=corpora, p=params)
def test_any_unicode_corpus_trains_or_raises_a_clear_error(corpus, p):
    try:
        model = _train(corpus, p)
    except ValueError as exc:
        assert any(reason in str(exc) for reason in CLEAR), exc
        assert not any(corpus_tokens for corpus_tokens in corpus) or "min_count" in str(exc)
        return
    vocab = {t for s in corpus for t in s}
    assert set(model.wv.index_to_key) <= vocab
    assert model.wv.vectors.shape == (len(model.wv), p["vector_size"])
    assert np.isfinite(model.wv.vectors).all()
    if len(model.wv) > 1:
        model.wv.most_similar(model.wv.index_to_key[0], topn=3)


@PROPERTY
@given(corpus=st.lists(st.lists(st.integers(-2**63, 2**63 - 1), max_size=10), max_size=20), p=params)
def test_integer_token_corpora_train_or_raise_a_clear_error(corpus, p):
    try:
        model = _train(corpus, p)
    except ValueError as exc:
        assert any(reason in str(exc) for reason in CLEAR), exc
        return
    assert set(model.wv.index_to_key) <= {t for s in corpus for t in s}


odd_tokens = st.one_of(st.none(), st.floats(), st.binary(max_size=3), st.booleans(),
                       st.lists(st.just("x"), max_size=2), st.integers(-5, 5))


@PROPERTY
@given(prefix=st.lists(st.text(min_size=1, max_size=3, alphabet="abc"), min_size=1, max_size=4),
       odd=odd_tokens, where=st.integers(0, 4))
def test_mixed_token_types_raise_type_error(prefix, odd, where):
    sentence = list(prefix)
    sentence.insert(min(where, len(sentence)), odd)
    with pytest.raises(TypeError, match="token"):
        Word2Vec([sentence, ["a", "b"]], min_count=1, workers=1, vector_size=4)


@PROPERTY
@given(before=st.text(alphabet="ab", max_size=3), surrogate=st.characters(whitelist_categories=("Cs",)),
       after=st.text(alphabet="ab", max_size=3))
def test_lone_surrogates_raise_a_clear_value_error(before, surrogate, after):
    with pytest.raises(ValueError, match="surrogate"):
        Word2Vec([["ok", before + surrogate + after]], min_count=1, workers=1, vector_size=4)


COMPRESSED_MAGIC = (b"\x1f\x8b", b"\xfd7zXZ")   # compressed input has its own tests below


@PROPERTY
@given(data=st.binary(max_size=400).filter(lambda b: not b.startswith(COMPRESSED_MAGIC)), p=params)
def test_any_bytes_as_corpus_file_train_or_raise_a_clear_error(tmp_path_factory, data, p):
    path = tmp_path_factory.mktemp("fuzz") / "corpus.txt"
    path.write_bytes(data)
    p = dict(p, epochs=1, seed=1)
    if p["negative"] == 0:
        p["hs"] = 1
    try:
        model = Word2Vec(corpus_file=str(path), **p)
    except ValueError as exc:
        assert any(reason in str(exc) for reason in CLEAR), exc
        return
    assert np.isfinite(model.wv.vectors).all()


@PROPERTY
@given(ids=st.lists(st.integers(-3, 12), max_size=40), ends=st.lists(st.integers(-3, 45), max_size=6),
       first=st.integers(-2, 45))
def test_kernel_boundary_rejects_bad_batches(ids, ends, first):
    """Out-of-range ids, unsorted or out-of-bounds sentence ends: a ValueError, never a bad access."""
    model = Word2Vec([["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"]], min_count=1, workers=1, vector_size=4,
                     epochs=0)
    params = model._kernel_params(0.025, 0.0001, 100, False)
    state = _kernels.ThreadState(4, 1, model.window, model.negative)
    ids = np.asarray(ids, dtype=np.int32)
    ends = np.asarray(ends, dtype=np.int64)
    valid = (len(ends) == 0 or (first >= 0 and ends[-1] <= len(ids) and np.all(np.diff(np.r_[first, ends]) >= 0)
                                and (ends[-1] <= first or (ids[first:ends[-1]].min() >= 0
                                                           and ids[first:ends[-1]].max() < 10))))
    if valid:
        _kernels.train_batch(params, state, ids, ends, first)
    else:
        with pytest.raises(ValueError):
            _kernels.train_batch(params, state, ids, ends, first)


def test_a_generator_is_refused_before_any_training():
    consumed = []

    def corpus():
        for s in [["a", "b"]] * 10:
            consumed.append(s)
            yield s

    with pytest.raises(TypeError, match="iterator/generator"):
        Word2Vec(corpus(), min_count=1, workers=1)
    model = Word2Vec(min_count=1, workers=1)
    with pytest.raises(TypeError, match="iterator/generator"):
        model.build_vocab(corpus())
    model.build_vocab([["a", "b"]])
    with pytest.raises(TypeError, match="iterator/generator"):
        model.train(corpus(), total_examples=10, epochs=1)
    assert consumed == []


@pytest.mark.parametrize("source", ["iterable", "file"])
def test_a_million_token_line(tmp_path, source):
    rng = np.random.default_rng(0)
    line = [f"w{i}" for i in rng.integers(0, 500, 1_000_000)]
    kwargs = dict(vector_size=4, min_count=1, workers=2, epochs=1, window=2, negative=1)
    if source == "file":
        path = tmp_path / "one_line.txt"
        path.write_text(" ".join(line))
        model = Word2Vec(corpus_file=str(path), **kwargs)
    else:
        model = Word2Vec([line], **kwargs)
    assert len(model.wv) == 500 and model.corpus_total_words == 1_000_000
    assert np.isfinite(model.wv.vectors).all()


@pytest.mark.parametrize("corpus", [[], [[]], [[], []]])
def test_empty_corpora_are_a_clear_error(corpus):
    with pytest.raises(ValueError, match="the corpus is empty"):
        Word2Vec(corpus, min_count=1, workers=1)


def test_a_single_distinct_token_trains():
    model = Word2Vec([["x"] * 5] * 20, min_count=1, workers=3, vector_size=1, negative=30, window=50)
    assert model.wv.index_to_key == ["x"] and np.isfinite(model.wv.vectors).all()


def test_a_text_file_starting_with_bzh_is_read_as_text(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("BZhello world\nhello world\n")
    model = Word2Vec(corpus_file=str(path), min_count=1, workers=1, vector_size=4)
    assert "BZhello" in model.wv.key_to_index


@pytest.mark.parametrize("compress", ["gzip", "bz2", "lzma"])
def test_a_truncated_compressed_corpus_is_a_clear_error(tmp_path, compress):
    import bz2
    import gzip
    import lzma
    module = {"gzip": gzip, "bz2": bz2, "lzma": lzma}[compress]
    data = module.compress(b"the quick brown fox\n" * 2000)
    path = tmp_path / "c.txt"
    path.write_bytes(data[:len(data) // 2])
    with pytest.raises(ValueError, match="c.txt"):
        Word2Vec(corpus_file=str(path), min_count=1, workers=1, vector_size=4)
