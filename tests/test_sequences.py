"""Integer sequences (fastw2v/sequences.py): the fast path equals the list path,
and whole-sequence contexts and sequence weights match the NumPy reference."""
import numpy as np
import pytest

from fastw2v import Word2Vec, _kernels
from fastw2v.sequences import Sequences, item2vec
from fastw2v.vocab import encoder_for, scan_corpus
# the kernel's NumPy oracle lives beside the kernel tests: one reference, not two
from test_kernels import LOSS, NEGATIVE, make_params, reference_sentence


def random_sessions(n=400, n_items=60, seed=0, big_ids=True):
    rng = np.random.default_rng(seed)
    lengths = rng.integers(1, 12, size=n)
    ids = rng.integers(0, n_items, size=lengths.sum())
    if big_ids:  # arbitrary 64-bit item ids, negative ones included
        ids = ids * 1_000_000_007 - 5_000_000_000
    return Sequences(ids, np.concatenate(([0], np.cumsum(lengths))))


def test_training_equals_training_on_the_same_ids_as_lists():
    seqs = random_sessions()
    kw = dict(vector_size=16, min_count=3, workers=1, seed=3, epochs=2, window=3, sample=1e-3, sg=1)
    fast = Word2Vec(seqs, **kw)
    lists = Word2Vec([s.tolist() for s in seqs], **kw)
    assert fast.wv.index_to_key == lists.wv.index_to_key
    assert all(type(k) is int for k in fast.wv.index_to_key)
    np.testing.assert_array_equal(fast.wv.vectors, lists.wv.vectors)
    key = fast.wv.index_to_key[0]
    assert fast.wv[key].shape == (16,) and fast.wv.most_similar(key, topn=3)[0][0] in fast.wv.key_to_index


def test_counts_follow_gensim_pruning_rule():
    seqs = random_sessions(n=300, n_items=200, big_ids=False)
    for limit in (None, 50):
        raw = seqs.fastw2v_count(limit, None)
        ref = scan_corpus([s.tolist() for s in seqs], max_vocab_size=limit)
        np.testing.assert_array_equal(raw.keys, ref.keys)
        np.testing.assert_array_equal(raw.counts, ref.counts)
        assert (raw.corpus_count, raw.total_words, raw.min_reduce) == (ref.corpus_count, ref.total_words,
                                                                      ref.min_reduce)


def test_encoding_drops_unknown_ids_and_keeps_sequence_places():
    seqs = Sequences([5, 6, 7, 5, 9, 9, 6], [0, 3, 3, 5, 7], weights=[1, 2, 3, 4])
    batches = seqs.fastw2v_encode(encoder_for([5, 6]))
    enc = batches.materialize()
    np.testing.assert_array_equal(enc.ids, [0, 1, 0, 1])
    np.testing.assert_array_equal(enc.ends, [2, 2, 3, 4])
    assert enc.raw_tokens == 7 and enc.weights.tolist() == [1, 2, 3, 4]
    assert batches.words == 4
    # a chunk is encoded on its own, with ends relative to its first id
    ids, ends, first = batches.batch(2, 4)
    assert ids.tolist() == [0, 1] and ends.tolist() == [1, 2] and first == 0


def test_constructors():
    a = Sequences.from_arrays([np.array([3, 1]), [], [2, 2, 7]])
    assert [list(s) for s in a] == [[3, 1], [], [2, 2, 7]]
    sessions = np.array([20, 10, 20, 10, 30])
    items = np.array([1, 2, 3, 4, 5])
    b = Sequences.from_columns(sessions, items)
    assert [list(s) for s in b] == [[2, 4], [1, 3], [5]] and b.session_ids.tolist() == [10, 20, 30]
    c = Sequences.from_columns(sessions, items, sort=False)
    assert [list(s) for s in c] == [[1], [2], [3], [4], [5]]
    keyed = Sequences([1, 0, 1], [0, 3], keys=["x", "y"])
    assert list(keyed[0]) == ["y", "x", "y"]
    assert Word2Vec(keyed, vector_size=4, min_count=1, workers=1).wv.index_to_key == ["y", "x"]


@pytest.mark.parametrize("ids,offsets,kwargs,match", [
    ([1, 2], [0, 3], {}, "end at len"),
    ([1, 2], [1, 2], {}, "start at 0"),
    ([1, 2, 3], [0, 2, 1, 3], {}, "never decrease"),
    ([1.5], [0, 1], {}, "integer"),
    ([1, 2], [0, 2], {"weights": [1, 2]}, "one per sequence"),
    ([1, 2], [0, 2], {"weights": [-1]}, "one per sequence"),
    ([0, 3], [0, 2], {"keys": [10, 11]}, r"positions in \[0, 2\)"),
])
def test_bad_sequences_raise(ids, offsets, kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        Sequences(np.asarray(ids), np.asarray(offsets), **kwargs)


def kernel_run(sequences, window, weights, vocab, dim=11, alpha=0.05, seed=0):
    """Train one pass with the real kernel on the encoded corpus, and with the NumPy reference."""
    rng = np.random.default_rng(seed)
    V = len(vocab)
    counts = np.arange(V, 0, -1, dtype=np.int64) + 3
    syn0 = rng.random((V, dim), dtype=np.float32) - 0.5
    syn1neg = rng.random((V, dim), dtype=np.float32) - 0.5
    lockf = np.ones(V, np.float32)
    negatives = [3, 0, 5, 1, 4, 2]
    ref0, ref1 = syn0.astype(np.float64), syn1neg.astype(np.float64)
    cycle = list(negatives)
    LOSS[0] = 0.0
    for s in range(len(sequences)):
        sent = [vocab.index(k) for k in sequences[s].tolist()]
        w = 1.0 if weights is None else weights[s]
        reference_sentence(sent, ref0, None, ref1, None, cycle, 1, 1, window, alpha * w, lockf)
    params, _ = make_params(syn0, None, syn1neg, lockf, counts, 0, NEGATIVE, 1, 1, window, alpha,
                            _kernels.ISA_GENERIC)
    state = _kernels.ThreadState(dim, 1, window)
    state.set_fixed_negatives(negatives)
    enc = sequences.fastw2v_encode(encoder_for(vocab))
    ids, ends, first = enc.batch(0, len(sequences))
    _kernels.train_batch(params, state, ids, ends, first, enc.weights)
    return syn0, ref0, syn1neg, ref1


def test_whole_sequence_context_and_weights_match_reference():
    vocab = [100, 7, 42, -3, 9, 55]
    seqs = Sequences([100, 7, 42, -3, 9, 55, 7, 42, 9, 100, -3, 55, 100, 7],
                     [0, 6, 9, 9, 14], weights=[1.0, 0.5, 3.0, 0.0])
    window = seqs.max_length - 1  # what item2vec's window="sequence" sets
    syn0, ref0, syn1neg, ref1 = kernel_run(seqs, window, seqs.weights, vocab)
    np.testing.assert_allclose(syn0, ref0, atol=2e-5)
    np.testing.assert_allclose(syn1neg, ref1, atol=2e-5)


def test_no_training_pair_crosses_a_sequence_boundary():
    vocab = [1, 2, 3, 4, 5, 6]
    seqs = Sequences([1, 2, 3, 4, 5, 6], [0, 3, 6])
    syn0, ref0, _, _ = kernel_run(seqs, 5, None, vocab)
    np.testing.assert_allclose(syn0, ref0, atol=2e-5)
    # the oracle can tell: as one joined sequence the result differs
    _, joined, _, _ = kernel_run(Sequences([1, 2, 3, 4, 5, 6], [0, 6]), 5, None, vocab)
    assert np.abs(joined - ref0).max() > 1e-3


def test_item2vec_sets_whole_sequence_window_and_weights():
    seqs = Sequences.from_arrays([[1, 2, 3, 4, 5, 6, 7], [2, 3], [8, 9]] * 20)
    model = item2vec(seqs, vector_size=8, workers=1, epochs=1)
    assert model.window == 6 and model.shrink_windows is False and model.sample == 0
    weights = np.zeros(len(seqs))
    frozen = item2vec(seqs, sequence_weights=weights, vector_size=8, workers=1, epochs=1, seed=4)
    untrained = item2vec(seqs, vector_size=8, workers=1, epochs=0, seed=4)
    np.testing.assert_array_equal(frozen.wv.vectors, untrained.wv.vectors)
    with pytest.raises(ValueError, match="sequence"):
        item2vec(seqs, window="session")


def test_keys_may_be_a_list_of_ints():
    ids, offsets = np.array([0, 1, 0, 1] * 5), np.arange(0, 21, 4)
    from_list = Word2Vec(Sequences(ids, offsets, keys=[7, 8]), vector_size=4, min_count=1, workers=1, seed=2)
    from_array = Word2Vec(Sequences(ids, offsets, keys=np.array([7, 8])), vector_size=4, min_count=1, workers=1,
                          seed=2)
    assert list(from_list.wv.index_to_key) == list(from_array.wv.index_to_key)
    assert sorted(from_list.wv.index_to_key) == [7, 8]
    np.testing.assert_array_equal(from_list.wv.vectors, from_array.wv.vectors)
