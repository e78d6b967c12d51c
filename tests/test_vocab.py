"""Vocabulary counting, pruning and sampling tables against their formulas (and gensim)."""
import gzip
import heapq
import os
import subprocess
import sys
from collections import Counter

import numpy as np
import pytest

from fastw2v import Word2Vec, _sampling
from fastw2v.vocab import RULE_DISCARD, RULE_KEEP, choose_words, keep_thresholds, scan_corpus, subsampled_head

from conftest import PACKAGE_PARENT, assert_gensim_huffman, write_corpus


def zipf_corpus(n_sentences=400, vocab=3000, seed=0):
    rng = np.random.default_rng(seed)
    return [[f"w{int(x)}" for x in rng.zipf(1.3, size=rng.integers(1, 30)) % vocab] for _ in range(n_sentences)]


def gensim_rule_scan(sentences, max_vocab_size):
    """gensim 4's scan_vocab: prune (count < min_reduce) after any sentence past the limit."""
    vocab, min_reduce = {}, 1
    for sentence in sentences:
        for w in sentence:
            vocab[w] = vocab.get(w, 0) + 1
        if max_vocab_size and len(vocab) > max_vocab_size:
            vocab = {w: c for w, c in vocab.items() if c >= min_reduce}
            min_reduce += 1
    return vocab


def test_counts_and_order_descending_ties_latest_first_occurrence_first():
    sentences = [["b", "a", "c"], ["c", "d", "a"], ["e", "a"]]
    m = Word2Vec(min_count=1)
    m.build_vocab(sentences)
    assert m.wv.index_to_key == ["a", "c", "e", "d", "b"]  # gensim 4.4's sort_by_descending_frequency
    assert [m.wv.get_vecattr(k, "count") for k in m.wv.index_to_key] == [3, 2, 1, 1, 1]
    assert m.corpus_count == 3 and m.corpus_total_words == 8


def test_min_count_and_unsorted_vocab():
    sentences = [["x", "y", "x", "z"], ["y", "x"]]
    m = Word2Vec(min_count=2, sorted_vocab=0)
    m.build_vocab(sentences)
    assert m.wv.index_to_key == ["x", "y"]
    m = Word2Vec(min_count=3)
    m.build_vocab(sentences)
    assert m.wv.index_to_key == ["x"]


@pytest.mark.parametrize("limit", [50, 200, 1000])
def test_max_vocab_size_follows_gensim_rule(limit):
    sentences = zipf_corpus()
    raw = scan_corpus(sentences, max_vocab_size=limit)
    expected = gensim_rule_scan(sentences, limit)
    assert raw.as_dict() == expected
    assert list(raw.as_dict()) == list(expected)  # first-occurrence order survives pruning


def assert_same_vocabulary(ours, theirs):
    """Same words with the same counts in the same order."""
    ours_counts = {k: ours.wv.get_vecattr(k, "count") for k in ours.wv.index_to_key}
    theirs_counts = {k: int(theirs.wv.get_vecattr(k, "count")) for k in theirs.wv.index_to_key}
    assert ours_counts == theirs_counts
    assert list(ours.wv.index_to_key) == list(theirs.wv.index_to_key)


def test_max_vocab_size_matches_gensim():
    gensim = pytest.importorskip("gensim.models")
    sentences = zipf_corpus(seed=3)
    ours = Word2Vec(min_count=2, max_vocab_size=300)
    ours.build_vocab(sentences)
    theirs = gensim.Word2Vec(min_count=2, max_vocab_size=300)
    theirs.build_vocab(sentences)
    assert_same_vocabulary(ours, theirs)


def test_max_final_vocab_and_trim_rule_match_gensim():
    gensim = pytest.importorskip("gensim.models")
    sentences = zipf_corpus(seed=5)

    def rule(word, count, min_count):
        if word.endswith("7"):
            return RULE_DISCARD
        if word.endswith("3"):
            return RULE_KEEP
        return 0

    for final, trim in ((40, None), (None, rule), (25, rule)):
        ours = Word2Vec(min_count=3, max_final_vocab=final)
        ours.build_vocab(sentences, trim_rule=trim)
        theirs = gensim.Word2Vec(min_count=3, max_final_vocab=final)
        theirs.build_vocab(sentences, trim_rule=trim)
        assert_same_vocabulary(ours, theirs)


def test_order_independent_of_hash_seed(tmp_path):
    script = (
        "import sys; sys.path.insert(0, %r)\n"
        "from fastw2v import Word2Vec\n"
        "import numpy as np\n"
        "rng = np.random.default_rng(0)\n"
        "s = [[f'w{i}' for i in rng.integers(0, 300, 12)] for _ in range(200)]\n"
        "m = Word2Vec(min_count=1); m.build_vocab(s)\n"
        "print(' '.join(m.wv.index_to_key))\n") % PACKAGE_PARENT
    outs = [subprocess.run([sys.executable, "-c", script], env={**os.environ, "PYTHONHASHSEED": h},
                           capture_output=True, text=True, check=True).stdout for h in ("1", "2", "987")]
    assert outs[0] == outs[1] == outs[2]


def test_keep_probability_formula():
    counts = np.array([10000, 1000, 100, 10, 1], dtype=np.int64)
    sample = 1e-3
    t = sample * counts.sum()
    expected = np.minimum((np.sqrt(counts / t) + 1) * t / counts, 1.0)
    got = keep_thresholds(counts, sample).astype(np.float64) / 2 ** 32
    np.testing.assert_allclose(got, expected, rtol=1e-9)
    assert (keep_thresholds(counts, 0) == 2 ** 32).all()


def _sample_probabilities(ours, theirs):
    """Keep probabilities of every word: ours from the model's thresholds, gensim's from sample_int."""
    head = ours._tables["keep_threshold"]
    ours_p = np.ones(len(ours.wv))
    ours_p[:len(head)] = head.astype(float) / 2 ** 32
    theirs_p = np.array([theirs.wv.get_vecattr(k, "sample_int") for k in ours.wv.index_to_key]) / (2 ** 32 - 1)
    return ours_p, np.minimum(theirs_p, 1.0)


@pytest.mark.parametrize("sample", [1e-2, 4.0, 1.1])  # >= 1: gensim's absolute form, int(sample * phi^2)
def test_keep_thresholds_match_gensim_sample_ints(sample):
    gensim = pytest.importorskip("gensim.models")
    sentences = zipf_corpus(seed=9)
    ours = Word2Vec(min_count=1, sample=sample)
    ours.build_vocab(sentences)
    theirs = gensim.Word2Vec(min_count=1, sample=sample)
    theirs.build_vocab(sentences)
    # the model keeps thresholds for the droppable head only; the kernels keep every word past it
    assert 0 < len(ours._tables["keep_threshold"]) < len(ours.wv)
    np.testing.assert_allclose(*_sample_probabilities(ours, theirs), atol=1e-8)


def test_scan_then_prepare_vocab_is_build_vocab():
    sentences = zipf_corpus(seed=4)
    whole = Word2Vec(min_count=2, vector_size=8, workers=1, seed=3, hs=1)
    whole.build_vocab(sentences)
    steps = Word2Vec(min_count=2, vector_size=8, workers=1, seed=3, hs=1)
    assert steps.scan_vocab(sentences) == (whole.corpus_total_words, whole.corpus_count)
    assert len(steps.wv) == 0 and sum(steps.raw_vocab.values()) == whole.corpus_total_words
    with pytest.raises(RuntimeError, match="scan_vocab"):
        Word2Vec().prepare_vocab()
    report = steps.prepare_vocab()
    assert report["num_retained_words"] == len(whole.wv) and steps.raw_vocab == {}  # gensim's emptied defaultdict
    steps.prepare_weights()
    assert steps.wv.index_to_key == whole.wv.index_to_key
    np.testing.assert_array_equal(steps.wv.vectors, whole.wv.vectors)
    for m in (whole, steps):
        m.train(sentences, total_examples=m.corpus_count, epochs=2)
    np.testing.assert_array_equal(steps.wv.vectors, whole.wv.vectors)
    # prepare_weights() starts the trained weights again from the seed, as gensim's init_weights
    steps.prepare_weights()
    np.testing.assert_array_equal(steps.wv.vectors, Word2Vec(sentences, min_count=2, vector_size=8, seed=3,
                                                             hs=1, epochs=0).wv.vectors)


@pytest.mark.parametrize("kwargs", [{}, {"min_count": 3, "sample": 1e-4}, {"sample": 0}, {"sample": 5},
                                    {"min_count": 1, "dry_run": True}, {"min_count": 4}])
def test_build_vocab_passes_prepare_vocab_arguments_as_gensim(kwargs):
    gensim = pytest.importorskip("gensim.models")
    sentences = zipf_corpus(seed=6, n_sentences=800)
    models, reports = [], []
    for cls in (gensim.Word2Vec, Word2Vec):
        def fresh():
            return cls(min_count=2, sample=1e-3, vector_size=8, max_final_vocab=500)
        models.append(fresh())
        models[-1].build_vocab(sentences, **kwargs)
        stepwise = fresh()
        stepwise.scan_vocab(sentences)
        reports.append(stepwise.prepare_vocab(**kwargs))
    theirs, ours = models
    assert reports[0] == reports[1]
    assert (ours.min_count, ours.sample) == (theirs.min_count, theirs.sample)
    assert list(ours.wv.index_to_key) == list(theirs.wv.index_to_key)
    if kwargs.get("dry_run"):
        assert len(ours.wv) == 0 and ours.raw_vocab == dict(theirs.raw_vocab)
    else:
        assert ours.effective_min_count == theirs.effective_min_count
        np.testing.assert_allclose(*_sample_probabilities(ours, theirs), atol=1e-8)
    with pytest.raises(TypeError, match="unexpected keyword"):
        ours.build_vocab(sentences, min_cnt=3)


def test_subsampled_head_is_the_full_table_cut_where_every_word_is_kept():
    rng = np.random.default_rng(3)
    counts = np.sort(rng.zipf(1.3, 20000).astype(np.int64))[::-1]
    for sample in (1e-2, 1e-3, 1e-5, 5.0):
        full = keep_thresholds(counts, sample)
        head = subsampled_head(counts, sample)
        assert (full[len(head):] == 2 ** 32).all() and (head == full[:len(head)]).all()
    assert len(subsampled_head(counts, 0)) == 0


def huffman_cost(counts):
    heap = list(counts)
    heapq.heapify(heap)
    cost = 0
    while len(heap) > 1:
        a, b = heapq.heappop(heap), heapq.heappop(heap)
        cost += a + b
        heapq.heappush(heap, a + b)
    return cost


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_huffman_codes_are_optimal_prefix_codes(seed):
    rng = np.random.default_rng(seed)
    counts = rng.integers(1, 1000, size=rng.integers(2, 60)).astype(np.int64)
    offsets, codes, points = _sampling.build_huffman(counts)
    V = len(counts)
    words = [tuple(codes[offsets[w]:offsets[w + 1]]) for w in range(V)]
    # prefix-free, complete (Kraft sum exactly 1) and optimal (minimal weighted length)
    for a in range(V):
        for b in range(V):
            if a != b:
                assert words[b][:len(words[a])] != words[a]
    assert sum(2.0 ** -len(c) for c in words) == pytest.approx(1.0)
    assert sum(counts[w] * len(words[w]) for w in range(V)) == huffman_cost(counts.tolist())
    # every path starts at the root (row V-2) and uses inner nodes 0..V-2
    for w in range(V):
        assert points[offsets[w]] == V - 2
    assert points.min() >= 0 and points.max() == V - 2
    # frequent words never get longer codes than rare ones
    lengths = np.diff(offsets)
    order = np.argsort(-counts, kind="stable")
    assert (np.diff(lengths[order]) >= 0).all()


class CountOnly:
    """A heap item compared by count alone, as gensim's Heapitem is."""

    def __init__(self, count, index, left=None, right=None):
        self.count, self.index, self.left, self.right = count, index, left, right

    def __lt__(self, other):
        return self.count < other.count


def heapq_huffman(counts):
    """Paths {word: (codes, points)} of the tree heapq builds from items ordered by count alone."""
    V = len(counts)
    heap = [CountOnly(int(c), i) for i, c in enumerate(counts)]
    heapq.heapify(heap)
    for a in range(V - 1):
        lo, hi = heapq.heappop(heap), heapq.heappop(heap)
        heapq.heappush(heap, CountOnly(lo.count + hi.count, V + a, lo, hi))
    paths, stack = {}, [(heap[0], (), ())]
    while stack:
        node, code, point = stack.pop()
        if node.index < V:
            paths[node.index] = (code, point)
        else:
            point = point + (node.index - V,)
            stack += [(node.left, code + (0,), point), (node.right, code + (1,), point)]
    return paths


@pytest.mark.parametrize("seed", range(6))
def test_huffman_ties_fall_as_in_a_count_ordered_heapq(seed):
    """Many equal counts (rare words share each small count), sorted or not, from 2
    words to past CPython's 2,500-item cache-friendly heapify: every code and point
    is the one heapq's sift order gives, which is gensim's tree."""
    rng = np.random.default_rng(seed)
    V = int(rng.choice([2, 3, 7, 64, 700, 3000]))
    counts = rng.integers(1, 6, size=V).astype(np.int64) ** rng.integers(1, 4)
    if seed % 2:
        counts = np.sort(counts)[::-1].copy()
    offsets, codes, points = _sampling.build_huffman(counts)
    expected = heapq_huffman(counts)
    for w in range(V):
        lo, hi = offsets[w], offsets[w + 1]
        assert (tuple(codes[lo:hi]), tuple(points[lo:hi])) == expected[w], w


def test_vocabulary_and_huffman_tree_are_gensims():
    gensim = pytest.importorskip("gensim.models")
    sentences = zipf_corpus(seed=5)
    ours = Word2Vec(min_count=2, hs=1, negative=0)
    ours.build_vocab(sentences)
    theirs = gensim.Word2Vec(min_count=2, hs=1, negative=0)
    theirs.build_vocab(sentences)
    assert_same_vocabulary(ours, theirs)
    counts = [ours.wv.get_vecattr(k, "count") for k in ours.wv.index_to_key]
    assert len(set(counts)) < len(counts) / 5  # ties everywhere: the order is really tested
    assert_gensim_huffman(ours, theirs)


def test_alias_draws_follow_noise_distribution():
    counts = np.array([500, 200, 100, 50, 10, 1], dtype=float)
    weights = counts ** 0.75
    prob, alias = _sampling.build_alias(weights)
    draws = _sampling.alias_draws(prob, alias, 400000, 123)
    freq = np.bincount(draws, minlength=len(counts)) / len(draws)
    np.testing.assert_allclose(freq, weights / weights.sum(), atol=3e-3)


def test_integer_tokens_lists_and_arrays():
    sentences = [[5, 7, 5], np.array([7, 5, 9], dtype=np.int32), np.array([2 ** 40, 5], dtype=np.int64)]
    m = Word2Vec(min_count=1)
    m.build_vocab(sentences)
    assert m.wv.index_to_key == [5, 7, 2 ** 40, 9]
    assert all(type(k) is int for k in m.wv.index_to_key)


def test_mixed_and_bad_token_types_raise():
    with pytest.raises(TypeError, match="mixes token types"):
        Word2Vec(min_count=1).build_vocab([["a", "b"], ["c", 3]])
    with pytest.raises(TypeError, match="str or int"):
        Word2Vec(min_count=1).build_vocab([["a", 1.5]])
    with pytest.raises(TypeError, match="not a list of tokens"):
        Word2Vec(min_count=1).build_vocab(["a sentence given as a string"])
    with pytest.raises(TypeError, match="array of integers or str"):
        Word2Vec(min_count=1).build_vocab([np.array([1.0, 2.0])])
    with pytest.raises(TypeError, match="array of integers or str"):
        Word2Vec(min_count=1).build_vocab([np.array([["a", "b"]])])
    with pytest.raises(TypeError, match="str or int"):
        Word2Vec(min_count=1).build_vocab([np.array(["a", None], dtype=object)])


def test_sentences_as_numpy_str_arrays_are_their_token_lists(topic_corpus):
    """As gensim iterates any sentence, a 1-D array of str (or of str objects) is its tokens."""
    lists = topic_corpus[:300]
    arrays = [np.array(s) if i % 2 else np.array(s, dtype=object) for i, s in enumerate(lists)]
    models = [Word2Vec(corpus, min_count=2, vector_size=8, workers=1, seed=5, epochs=1) for corpus in (lists, arrays)]
    assert models[0].wv.index_to_key == models[1].wv.index_to_key
    assert models[0].corpus_total_words == models[1].corpus_total_words
    np.testing.assert_array_equal(models[0].wv.vectors, models[1].wv.vectors)


def test_file_and_iterable_give_same_vocabulary(tmp_path, topic_corpus):
    sentences = zipf_corpus(seed=11) + topic_corpus[:200]
    path = write_corpus(tmp_path / "c.txt", sentences)
    gz = tmp_path / "c.txt.gz"
    with open(path, "rb") as src, gzip.open(gz, "wb") as dst:
        dst.write(src.read())
    models = []
    for kwargs in ({"corpus_iterable": sentences}, {"corpus_file": path}, {"corpus_file": str(gz)}):
        m = Word2Vec(min_count=2, max_vocab_size=500)
        m.build_vocab(**kwargs)
        models.append(m)
    for m in models[1:]:
        assert m.wv.index_to_key == models[0].wv.index_to_key
        np.testing.assert_array_equal(m.wv.expandos["count"], models[0].wv.expandos["count"])
        assert (m.corpus_count, m.corpus_total_words) == (models[0].corpus_count, models[0].corpus_total_words)


def test_long_lines_are_split_not_cut(tmp_path):
    line = [f"w{i % 50}" for i in range(25000)]
    path = write_corpus(tmp_path / "long.txt", [line, [], ["a", "b"]])
    m = Word2Vec(min_count=1)
    m.build_vocab(corpus_file=path)
    assert m.corpus_total_words == 25002
    assert m.corpus_count == 4  # 10000 + 10000 + 5000 + the short line; the blank line is no sentence
    assert sum(m.wv.expandos["count"]) == 25002


def test_counts_match_counter(tmp_path):
    sentences = zipf_corpus(seed=4)
    m = Word2Vec(min_count=1)
    m.build_vocab(sentences)
    expected = Counter(w for s in sentences for w in s)
    assert {k: m.wv.get_vecattr(k, "count") for k in m.wv.index_to_key} == dict(expected)


def test_empty_inputs_raise_clearly(tmp_path):
    with pytest.raises(ValueError, match="corpus is empty"):
        Word2Vec(min_count=1).build_vocab([[], []])
    with pytest.raises(ValueError, match="vocabulary is empty"):
        Word2Vec(min_count=5).build_vocab([["a", "b"]])
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\n")
    with pytest.raises(ValueError, match="corpus is empty"):
        Word2Vec(min_count=1).build_vocab(corpus_file=str(empty))
    with pytest.raises(FileNotFoundError):
        Word2Vec(min_count=1).build_vocab(corpus_file=str(tmp_path / "missing.txt"))


def test_choose_words_breaks_ties_like_gensim():
    from fastw2v.vocab import RawCounts
    raw = RawCounts(["a", "b", "c", "d"], np.array([1, 3, 3, 2]), 1, 9)
    keys, counts = choose_words(raw, min_count=2)
    assert keys == ["c", "b", "d"] and counts.tolist() == [3, 3, 2]


def assert_file_splits_like_str_split(path, text):
    """A file's vocabulary, counts and sentences are those of str.split() per line."""
    path.write_text(text, encoding="utf-8")
    from_file = Word2Vec(min_count=1)
    from_file.build_vocab(corpus_file=str(path))
    from_lists = Word2Vec(min_count=1)
    from_lists.build_vocab([line.split() for line in text.split("\n") if line.split()])
    assert from_file.wv.index_to_key == from_lists.wv.index_to_key
    assert from_file.wv.expandos["count"].tolist() == from_lists.wv.expandos["count"].tolist()
    assert from_file.corpus_count == from_lists.corpus_count


def test_file_tokens_split_like_str_split(tmp_path):
    assert_file_splits_like_str_split(tmp_path / "u.txt", "a\u00a0b c\u2003d\x1ce caf\u00e9\u3000x\n\u2028y  z\n")


@pytest.mark.parametrize("seed", range(6))
def test_file_tokens_split_like_str_split_across_vector_widths(tmp_path, seed):
    """The scanner looks for a token's end 16 bytes at a time: tokens of every
    length around that width, with non-space control bytes, DEL and multi-byte
    letters inside and every kind of space after, split as str.split() does."""
    rng = np.random.default_rng(seed)
    letters = ["a", "b", "\x01", "\x7f", "\x1b", "\u00e9", "\u4e2d", "\U0001f600", "\u00a1"]
    spaces = [" ", "\t", "\x0b", "\x0c", "\r", "\x1c", "\x1f", "\u0085", "\u00a0", "\u1680",
              "\u2000", "\u200a", "\u2028", "\u2029", "\u202f", "\u205f", "\u3000", "\n"]
    parts = []
    for _ in range(400):
        n = int(rng.integers(1, 40))
        parts.append("".join(rng.choice(letters, size=n)) + "".join(rng.choice(spaces, size=int(rng.integers(1, 3)))))
    assert_file_splits_like_str_split(tmp_path / "w.txt", "".join(parts))

# -- the integer vocabulary path (Sequences -> IntCounter -> IntIndex, fastw2v/key_index.py) -----------------
def _int_corpus(seed=4, n_sequences=300, vocab=2000):
    rng = np.random.default_rng(seed)
    ids = [(rng.zipf(1.3, size=rng.integers(1, 25)) % vocab) * 7919 - 10 ** 12 for _ in range(n_sequences)]
    return [np.asarray(s, dtype=np.int64) for s in ids]


def _vocab_of(corpus, trim_rule=None, **kwargs):
    m = Word2Vec(workers=1, **kwargs)
    m.build_vocab(corpus, trim_rule=trim_rule)
    return list(m.wv.index_to_key), m.wv.expandos["count"].tolist(), m


@pytest.mark.parametrize("kwargs", [
    {"min_count": 1}, {"min_count": 3}, {"min_count": 1, "max_vocab_size": 150},
    {"min_count": 2, "max_final_vocab": 40}, {"min_count": 1, "sorted_vocab": 0},
])
def test_int_vocabulary_equals_the_string_path_on_the_same_ids(kwargs):
    from fastw2v.sequences import Sequences
    corpus = _int_corpus()
    keys, counts, model = _vocab_of(Sequences.from_arrays(corpus), **kwargs)
    skeys, scounts, smodel = _vocab_of([[str(int(t)) for t in s] for s in corpus], **kwargs)
    assert [str(k) for k in keys] == skeys and counts == scounts
    assert model.effective_min_count == smodel.effective_min_count
    assert model.corpus_total_words == smodel.corpus_total_words


def test_int_vocabulary_order_is_count_then_latest_first_occurrence_whatever_the_hash_seed():
    from fastw2v.sequences import Sequences
    corpus = _int_corpus(seed=8)
    keys, counts, _ = _vocab_of(Sequences.from_arrays(corpus), min_count=1)
    flat = np.concatenate(corpus).tolist()
    tally, first = Counter(flat), {}
    for i, k in enumerate(flat):
        first.setdefault(k, i)
    assert keys == sorted(tally, key=lambda k: (-tally[k], -first[k]))
    assert counts == [tally[k] for k in keys]
    assert all(type(k) is int for k in keys)
    code = ("import sys; sys.path.insert(0, %r); import numpy as np; from fastw2v import Word2Vec; "
            "from fastw2v.sequences import Sequences; rng = np.random.default_rng(2); "
            "m = Word2Vec(min_count=1); m.build_vocab(Sequences(rng.integers(0, 50, 3000) * 2 ** 33, "
            "np.arange(0, 3001, 30))); print(list(m.wv.index_to_key))") % PACKAGE_PARENT
    outs = [subprocess.run([sys.executable, "-c", code], env={**os.environ, "PYTHONHASHSEED": h},
                           capture_output=True, text=True, check=True).stdout for h in ("1", "77")]
    assert outs[0] == outs[1] and len(outs[0]) > 10


def test_int_pruning_follows_gensims_rule_and_trim_rule_sees_python_ints():
    from fastw2v.sequences import Sequences
    corpus = _int_corpus(seed=5)
    expected = gensim_rule_scan([s.tolist() for s in corpus], 120)
    raw = Sequences.from_arrays(corpus).fastw2v_count(max_vocab_size=120)
    assert raw.as_dict() == expected
    seen = []

    def rule(word, count, min_count):
        seen.append(type(word))
        return RULE_DISCARD if word % 2 else RULE_KEEP
    keys, _, _ = _vocab_of(Sequences.from_arrays(corpus), min_count=10 ** 6, trim_rule=rule)
    assert keys and all(k % 2 == 0 for k in keys) and set(seen) == {int}
    distinct = len(set(np.concatenate(corpus).tolist()))
    assert len(keys) == len({k for k in np.concatenate(corpus).tolist() if k % 2 == 0}) and len(keys) < distinct


def test_int_vocabulary_is_one_int64_array_with_a_c_index():
    from fastw2v.key_index import IntKeys, IntKeyToIndex
    from fastw2v.sequences import Sequences
    _, _, model = _vocab_of(Sequences.from_arrays(_int_corpus()), min_count=1)
    wv = model.wv
    assert isinstance(wv.index_to_key, IntKeys) and isinstance(wv.key_to_index, IntKeyToIndex)
    keys = np.asarray(wv.index_to_key)
    assert keys.dtype == np.int64 and not keys.flags.writeable
    assert model.encoder is wv.key_to_index.int_index  # training encodes with the vocabulary's own index
    assert wv.key_to_index.int_index.nbytes < 16 * len(wv)


def reference_encode(table, sentences, max_len):
    """encode_sentences one token at a time in Python: unknown tokens skipped,
    long sentences cut every max_len raw tokens."""
    index = {key: i for i, key in enumerate(table.keys())}
    ids, ends, raw = [], [], 0
    for sentence in sentences:
        run = 0
        for tok in sentence:
            if tok in index:
                ids.append(index[tok])
            run += 1
            raw += 1
            if run == max_len:
                ends.append(len(ids))
                run = 0
        if run:
            ends.append(len(ids))
    return ids, ends, raw


class Word(str):
    pass


def test_encode_sentences_batched_lookups_match_one_at_a_time():
    """Lists of str are looked up in batches across sentences (_vocab.ENCODE_BATCH
    tokens): every mix of batch boundaries, long sentences, unknown tokens and the
    checked path (tuples, generators, str subclasses) gives the same ids and ends."""
    from fastw2v._vocab import TokenTable
    rng = np.random.default_rng(3)
    words = [f"w{i}" for i in range(3000)]
    table = TokenTable()
    table.count_sentences([words])
    sentences = []
    for k in range(2500):
        toks = [words[j] if j < 2900 else f"unknown{j}" for j in rng.integers(0, 3000, int(rng.integers(0, 12)))]
        if k % 97 == 5:
            toks = tuple(toks)
        elif k % 89 == 7 and toks:
            toks[0] = Word(toks[0])
        sentences.append(toks)
    sentences.insert(1200, [words[j] for j in rng.integers(0, 3000, 20000)])  # > one batch, cut at 7000
    want = reference_encode(table, sentences, 7000)
    fed = [(t for t in s) if k % 83 == 11 else s for k, s in enumerate(sentences)]  # some generators
    ids, ends, raw = table.encode_sentences(fed, 7000, 0)
    assert raw == want[2] and raw == sum(len(s) for s in sentences)
    np.testing.assert_array_equal(ids, want[0])
    np.testing.assert_array_equal(ends, want[1])
