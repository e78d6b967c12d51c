"""Integer key index (fastw2v/key_index.py, fastw2v/_int_keys.pyx): the list/dict views
over one int64 array + C hash index, and integer-keyed models end to end."""
import numpy as np
import pytest

from fastw2v import KeyedVectors, Word2Vec
from fastw2v._int_keys import IntCounter, IntIndex
from fastw2v.key_index import IntKeys, IntKeyToIndex, key_index
from fastw2v.sequences import Sequences


def test_int_index_finds_every_key_and_nothing_else():
    rng = np.random.default_rng(0)
    keys = np.unique(rng.integers(-2 ** 62, 2 ** 62, 50000))
    rng.shuffle(keys)
    index = IntIndex(keys)
    np.testing.assert_array_equal(index.lookup(keys), np.arange(len(keys)))
    assert (index.lookup(keys + 1)[~np.isin(keys + 1, keys)] == -1).all()
    index.append(np.arange(10 ** 15, 10 ** 15 + 30000))  # grows the slots several times
    assert index.find(10 ** 15 + 29999) == len(keys) + 29999 and index.find(int(keys[7])) == 7
    with pytest.raises(ValueError, match="duplicate key 3"):
        IntIndex([3, 4, 3])
    with pytest.raises(ValueError, match="already present"):
        index.append([int(keys[0])])
    with pytest.raises(OverflowError):
        IntIndex(np.array([2 ** 64 - 1], dtype=np.uint64))
    with pytest.raises(TypeError, match="integers"):
        IntIndex(np.array([1.5]))


def test_int_counter_counts_in_first_occurrence_order_and_prunes():
    ids = np.array([9, 4, 9, 7, 4, 9, 1], dtype=np.int64)
    counter = IntCounter()
    assert counter.count_sequences(ids, np.array([0, 3, 7]), 0, 1) == 1  # stops after the limit is passed
    assert counter.count_sequences(ids, np.array([0, 3, 7]), 1) == 2
    assert counter.keys().tolist() == [9, 4, 7, 1] and counter.counts().tolist() == [3, 2, 1, 1]
    assert counter.prune_below(2) == 2
    keys, counts = counter.take()
    assert keys.tolist() == [9, 4] and counts.tolist() == [3, 2] and len(counter) == 0


def test_views_behave_like_gensims_list_and_dict():
    index_to_key, key_to_index = key_index(np.array([50, -3, 2 ** 40]))
    as_list, as_dict = [50, -3, 2 ** 40], {50: 0, -3: 1, 2 ** 40: 2}
    assert index_to_key == as_list and as_list == index_to_key and list(index_to_key) == as_list
    assert dict(key_to_index) == as_dict and key_to_index == as_dict and dict(key_to_index.items()) == as_dict
    assert index_to_key[1] == -3 and type(index_to_key[1]) is int and index_to_key[-1] == 2 ** 40
    assert index_to_key[:2] == [50, -3] and index_to_key.index(2 ** 40) == 2
    assert key_to_index[np.int32(-3)] == 1 and key_to_index.get(7) is None and key_to_index.get(7, -1) == -1
    assert -3 in key_to_index and -3 in index_to_key and "x" not in key_to_index and 1.5 not in key_to_index
    assert 2 ** 70 not in key_to_index and len(key_to_index) == len(index_to_key) == 3
    assert list(key_to_index) == as_list
    # numbers equal to a key find it, as in the dict (and gensim's `1.0 in wv`)
    for probe in (50.0, np.float64(-3.0), np.float32(50), 2.0 ** 40, 1.5, True, np.True_, float("nan"),
                  float("inf"), 2.0 ** 70, -0.0, "50"):
        assert (probe in key_to_index) == (probe in as_dict), probe
        assert key_to_index.get(probe, -1) == as_dict.get(probe, -1), probe
    with pytest.raises(KeyError):
        key_to_index[4]
    with pytest.raises(TypeError, match="add_vectors"):
        index_to_key.append(5)
    with pytest.raises(TypeError, match="read-only"):
        key_to_index[5] = 3
    strs, dct = key_index(["a", "b"])
    assert strs == ["a", "b"] and isinstance(strs, list) and dct == {"a": 0, "b": 1}


@pytest.fixture(scope="module")
def int_model():
    rng = np.random.default_rng(1)
    groups = [np.arange(10) * 1000 + 10 ** 12 + g for g in range(4)]
    seqs = Sequences.from_arrays([rng.permutation(groups[i % 4])[:6] for i in range(600)])
    return Word2Vec(seqs, vector_size=16, min_count=1, workers=1, epochs=10, sg=1, seed=3, sample=0)


def test_int_keyed_model_queries(int_model):
    wv = int_model.wv
    key = wv.index_to_key[0]
    assert isinstance(wv.index_to_key, IntKeys) and isinstance(wv.key_to_index, IntKeyToIndex)
    np.testing.assert_array_equal(wv[key], wv.vectors[0])
    np.testing.assert_array_equal(wv[np.int64(key)], wv.vectors[0])
    near = wv.most_similar(key, topn=5)
    assert all(type(k) is int for k, _ in near) and key not in [k for k, _ in near]
    assert sum((k - key) % 1000 == 0 for k, _ in near) >= 4  # same group: same residue mod 1000
    with pytest.raises(KeyError, match="not present"):
        wv[123]
    assert wv.get_index(0, -1) == -1  # an int that is not a key is never read as a row number


def test_int_keyed_save_load_and_word2vec_format(int_model, tmp_path):
    int_model.save(str(tmp_path / "m.model"))
    loaded = Word2Vec.load(str(tmp_path / "m.model"))
    assert isinstance(loaded.wv.index_to_key, IntKeys) and loaded.wv.index_to_key == int_model.wv.index_to_key
    np.testing.assert_array_equal(loaded.wv.vectors, int_model.wv.vectors)
    key = int_model.wv.index_to_key[3]
    assert loaded.wv.most_similar(key, topn=3) == int_model.wv.most_similar(key, topn=3)
    int_model.wv.save(str(tmp_path / "v.kv"))
    kv = KeyedVectors.load(str(tmp_path / "v.kv"), mmap="r")
    assert kv.key_to_index[key] == 3 and kv.index_to_key == int_model.wv.index_to_key
    int_model.wv.save_word2vec_format(str(tmp_path / "v.txt"))
    text = KeyedVectors.load_word2vec_format(str(tmp_path / "v.txt"))
    assert text.index_to_key == [str(k) for k in int_model.wv.index_to_key]
    np.testing.assert_allclose(text[str(key)], int_model.wv[key], atol=1e-5)


def test_int_keyed_update_adds_new_ids_and_keeps_trained_rows(tmp_path):
    seqs = Sequences.from_arrays([[5, 6, 7, 5], [6, 7, 8]] * 20)
    model = Word2Vec(seqs, vector_size=8, min_count=1, workers=1, epochs=1)
    before = {k: model.wv[k].copy() for k in model.wv.index_to_key}
    counts = {k: model.wv.get_vecattr(k, "count") for k in model.wv.index_to_key}
    model.build_vocab(Sequences.from_arrays([[8, 9, 2 ** 50], [5, 9]] * 5), update=True)
    assert list(model.wv.index_to_key) == [7, 6, 5, 8, 9, 2 ** 50]  # ties latest first, new ids appended
    assert model.wv.get_vecattr(5, "count") == counts[5] + 5 and model.wv.get_vecattr(9, "count") == 10
    assert model.wv.get_vecattr(8, "count") == counts[8] + 5
    for k, v in before.items():
        np.testing.assert_array_equal(model.wv[k], v)
    model.train(Sequences.from_arrays([[8, 9, 2 ** 50], [5, 9]] * 5), total_examples=10, epochs=1)
    assert model.wv.most_similar(2 ** 50, topn=2)
    with pytest.raises(TypeError, match="mixes str and int"):
        model.build_vocab([["a", "b"]], update=True, min_count=1)


def test_add_vectors_and_copies_keep_integer_keys():
    kv = KeyedVectors(2)
    kv.add_vectors([10, 20], [[1, 0], [0, 1]])
    assert isinstance(kv.index_to_key, IntKeys)
    kv.add_vectors([np.int64(30), 10], [[1, 1], [5, 5]], replace=True)
    assert list(kv.index_to_key) == [10, 20, 30] and kv[10].tolist() == [5.0, 5.0]
    with pytest.raises(TypeError, match="integer keys"):
        kv.add_vectors(["x"], [[0, 0]])
    half = kv.astype(np.float16)
    kv.add_vector(40, [2, 2])
    assert 40 not in half.key_to_index and half.index_to_key == [10, 20, 30]
    kv.expandos["count"] = np.array([1, 5, 3, 4])
    kv.sort_by_descending_frequency()
    assert kv.index_to_key == [20, 40, 30, 10] and kv.key_to_index[10] == 3 and kv[10].tolist() == [5.0, 5.0]


@pytest.mark.parametrize("sentence, error, fragment", [
    ([1, 2 ** 70], OverflowError, "integer token 1180591620717411303424 in sentence 0 does not fit in int64"),
    ([2 ** 64 - 1, 3], OverflowError, "does not fit in int64"),
    ([1, "a"], TypeError, "holds a str token ('a')"),
    ([1.5, 2], TypeError, "holds a float token (1.5)"),
    ([[1, 2]], TypeError, "holds a list token"),
    (np.array([[1, 2]]), TypeError, "is a 2-D array"),
])
def test_bad_integer_sentences_name_the_token(sentence, error, fragment):
    """Counting (a fresh vocabulary) and encoding (training an int-keyed model) both
    name the sentence and the offending token, whatever NumPy would make of it."""
    model = Word2Vec([[1, 2, -1]] * 5, min_count=1, vector_size=4, epochs=1)
    with pytest.raises(error, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        model.train([sentence], total_examples=1, epochs=1)
    if error is OverflowError:
        with pytest.raises(OverflowError, match="does not fit in int64"):
            Word2Vec([[3], sentence], min_count=1, vector_size=4)
