"""Work division of the file path (fastw2v.threads)."""
import numpy as np
import pytest

from fastw2v.threads import EncodedCorpus, chunk_ranges, tapered


def corpus_of(lengths):
    ends = np.cumsum(lengths).astype(np.int64)
    return EncodedCorpus(ids=np.zeros(int(ends[-1]), dtype=np.int32), ends=ends, raw_tokens=int(ends[-1]))


def tokens(ends, lo, hi):
    return int(ends[hi - 1] - (ends[lo - 1] if lo else 0))


@pytest.mark.parametrize("seed", range(5))
def test_chunks_cover_every_sentence_once_in_order(seed):
    rng = np.random.default_rng(seed)
    ends = np.cumsum(rng.integers(0, 40, size=int(rng.integers(1, 500)))).astype(np.int64)
    for words in (1, 7, 100, 10_000):
        chunks = chunk_ranges(ends, words)
        assert chunks[0][0] == 0 and chunks[-1][1] == len(ends)
        assert all(a[1] == b[0] for a, b in zip(chunks, chunks[1:]))
        assert all(lo < hi for lo, hi in chunks)


@pytest.mark.parametrize("workers", [1, 2, 3, 8])
def test_tapered_chunks_cover_the_corpus_and_end_finer(workers):
    rng = np.random.default_rng(workers)
    corpus = corpus_of(rng.integers(1, 30, size=5000))
    size = 2000
    chunks = tapered(corpus, size, workers)
    assert chunks[0][0] == 0 and chunks[-1][1] == len(corpus.ends)
    assert all(a[1] == b[0] and a[0] < a[1] for a, b in zip(chunks, chunks[1:]))
    sizes = [tokens(corpus.ends, lo, hi) for lo, hi in chunks]
    assert sum(sizes) == corpus.words
    if workers == 1:
        assert chunks == corpus.chunks(size)
    else:
        # the last `workers` chunks' worth of tokens comes in pieces of about size / 8
        assert max(sizes[-workers:]) < size / 4
        assert max(sizes[: len(sizes) // 2]) > size / 2


def test_iterable_feeding_restores_the_switch_interval():
    """The feeder shortens CPython's switch interval while it encodes; the
    caller's setting comes back afterwards, also when the corpus raises."""
    import sys

    from fastw2v import Word2Vec

    sentences = [["a", "b", "c", "d"], ["b", "c", "a"]] * 50
    before = sys.getswitchinterval()
    try:
        sys.setswitchinterval(0.01)
        model = Word2Vec(sentences, vector_size=8, min_count=1, workers=2, epochs=2)
        assert sys.getswitchinterval() == pytest.approx(0.01)

        def broken():
            yield ["a", "b"]
            raise RuntimeError("corpus failed")

        class Corpus:
            def __iter__(self):
                return broken()

        with pytest.raises(RuntimeError, match="corpus failed"):
            model.train(Corpus(), total_examples=2, epochs=1)
        assert sys.getswitchinterval() == pytest.approx(0.01)
    finally:
        sys.setswitchinterval(before)
