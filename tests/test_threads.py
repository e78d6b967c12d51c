"""Work division and feeding (fastw2v.threads)."""
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


class Word(str):
    pass


def encoder_of(kind, words):
    """The encoder training uses for a vocabulary of ``words`` (str or int keys)."""
    from fastw2v import Word2Vec

    model = Word2Vec(vector_size=4, min_count=1)
    model.build_vocab([words])
    return model.encoder


@pytest.mark.parametrize("kind", ["str", "int"])
@pytest.mark.parametrize("seed", range(3))
def test_iterable_jobs_close_after_the_sentence_that_fills_them(monkeypatch, seed, kind):
    """The feeder takes sentences from the iterator in C (encode_batch of either
    encoder): each job ends with the first sentence that brings it to batch_words
    raw tokens, jobs are the ones encode_sentences gives for those sentences, and
    no sentence is skipped or read twice -- also with str subclasses, tuples,
    arrays, generator sentences and empty ones in a one-pass generator corpus."""
    from fastw2v import threads

    monkeypatch.setattr(threads, "MIN_JOB_WORDS", 1)
    rng = np.random.default_rng(seed)
    words = [f"w{i}" for i in range(300)] if kind == "str" else [7 * i + 1 for i in range(300)]
    table = encoder_of(kind, words[:280])          # the last 20 stay unknown
    sentences = []
    for k in range(int(rng.integers(1, 400))):
        toks = [words[j] for j in rng.integers(0, 300, int(rng.integers(0, 30)))]
        if k % 7 == 3 and toks:
            toks[0] = Word(toks[0]) if kind == "str" else np.int64(toks[0])
        if k % 17 == 4 and kind == "int":
            toks = np.array(toks, dtype=np.int64)
        sentences.append(tuple(toks) if k % 11 == 5 else toks)
    fed = ((iter(s) if k % 13 == 2 else s) for k, s in enumerate(sentences))
    batch_words = int(rng.integers(1, 80))

    want, job, size = [], [], 0
    for s in sentences:
        job.append(s)
        size += len(s)
        if size >= batch_words:
            want.append(job)
            job, size = [], 0
    if job:
        want.append(job)
    got = list(threads._batches(fed, table, batch_words))
    assert len(got) == len(want)
    for (ids, ends, raw), job in zip(got, want):
        ref = table.encode_sentences(job, threads.MAX_SENTENCE_LENGTH, 0)
        np.testing.assert_array_equal(ids, ref[0])
        np.testing.assert_array_equal(ends, ref[1])
        assert raw == ref[2] == sum(len(s) for s in job)


@pytest.mark.parametrize("kind", ["str", "int"])
def test_iterable_jobs_name_a_bad_sentence_by_its_corpus_position(monkeypatch, kind):
    from fastw2v import threads

    monkeypatch.setattr(threads, "MIN_JOB_WORDS", 1)
    a, b = ("a", "b") if kind == "str" else (1, 2)
    table = encoder_of(kind, [a, b])
    sentences = [[a, b, a]] * 10 + ["a b"] + [[b]]
    with pytest.raises(TypeError, match="sentence 10 is a str"):
        list(threads._batches(iter(sentences), table, 4))
    with pytest.raises(ValueError, match="max_words"):
        table.encode_batch(iter(sentences), 10, 0, 0)


@pytest.mark.parametrize("kind", ["str", "int"])
def test_a_batch_words_past_int64_is_one_job_of_the_whole_corpus(kind):
    from fastw2v import threads

    words = [f"w{i}" for i in range(20)] if kind == "str" else list(range(20))
    table = encoder_of(kind, words)
    sentences = [words[i:] for i in range(20)]
    (ids, ends, raw), = threads._batches(iter(sentences), table, 10**30)
    assert raw == sum(map(len, sentences)) and len(ends) == len(sentences)


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


def encode_reference(text, vocabulary, limit):
    """The file format in plain Python: a sentence is a "\\n"-separated line split like
    str.split(), cut every ``limit`` raw tokens; unknown tokens are dropped but count."""
    index = {w: i for i, w in enumerate(vocabulary)}
    ids, ends, raw = [], [], 0
    for line in text.split("\n"):
        tokens = line.split()
        raw += len(tokens)
        for lo in range(0, len(tokens), limit):
            ids.extend(index[t] for t in tokens[lo:lo + limit] if t in index)
            ends.append(len(ids))
    return ids, ends, raw


@pytest.mark.parametrize("seed", range(40))
def test_encode_file_on_threads_equals_the_reference(tmp_path, seed):
    """Buffers scanned apart and stitched (threads.encode_file) give the sentences of
    one scan in order, whatever the workers, buffer size and sentence limit: lines
    that cross buffers, length cuts near a buffer's start, newlines at its edges,
    whitespace-only buffers."""
    from fastw2v._vocab import TokenTable
    from fastw2v.threads import encode_file
    rng = np.random.default_rng(seed)
    words = [f"w{i}" for i in range(30)]
    vocabulary = words[:20]
    lines = []
    for _ in range(int(rng.integers(0, 40))):
        n = int(rng.choice([0, 0, 1, 2, 3, 5, 8, 13, 40, 100]))
        seps = rng.choice([" ", "  ", "\t", " \x0b ", "\u00a0"], size=n)
        lines.append("".join(str(rng.choice(words)) + str(s) for s in seps).rstrip(" "))
    text = str(rng.choice(["\n", "\n\n", " \n"])).join(lines) + str(rng.choice(["", "\n", "\n\n"]))
    path = tmp_path / "c.txt"
    path.write_text(text, encoding="utf-8")
    table = TokenTable.from_keys(vocabulary)
    limit = int(rng.choice([1, 2, 3, 7, 10000]))
    want_ids, want_ends, want_raw = encode_reference(text, vocabulary, limit)
    for workers in (1, 2, 3):
        chunk_size = int(rng.choice([1, 2, 5, 16, 64, 4096]))
        got = encode_file(str(path), table, workers=workers, max_sentence_length=limit, chunk_size=chunk_size)
        assert got.ids.tolist() == want_ids, (workers, chunk_size, limit)
        assert got.ends.tolist() == want_ends, (workers, chunk_size, limit)
        assert got.raw_tokens == want_raw
