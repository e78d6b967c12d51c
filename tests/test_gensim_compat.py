"""Restricted loading of gensim 4 pickles (fastw2v.gensim_compat)."""
import os
import pickle

import numpy as np
import pytest

from fastw2v.gensim_compat import load_gensim_object
from fastw2v.keyedvectors import KeyedVectors


class Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned > /dev/null",))


@pytest.mark.parametrize("sep_limit", [10 * 1024 ** 2, 10])  # inline arrays, and arrays in .npy files
def test_gensim_model_and_kv_load(tmp_path, sep_limit):
    word2vec = pytest.importorskip("gensim.models.word2vec")
    sentences = [["a", "b", "c", "d"], ["b", "c", "e"], ["a", "e", "d"]] * 20
    model = word2vec.Word2Vec(sentences, vector_size=8, min_count=1, workers=1, seed=1, epochs=2)
    model.save(str(tmp_path / "m.model"), sep_limit=sep_limit)
    model.wv.save(str(tmp_path / "m.kv"), sep_limit=sep_limit)
    for name in ("m.model", "m.kv"):
        kv = KeyedVectors.load_gensim(tmp_path / name)
        assert kv.index_to_key == model.wv.index_to_key
        np.testing.assert_array_equal(kv.vectors, model.wv.vectors)
        assert kv.get_vecattr("b", "count") == model.wv.get_vecattr("b", "count")
        assert kv.vectors_lockf.shape == (len(kv),)
    raw = load_gensim_object(tmp_path / "m.model")
    assert raw["__class__"] == "gensim.models.word2vec.Word2Vec"
    np.testing.assert_array_equal(raw["syn1neg"], model.syn1neg)
    assert raw["window"] == model.window and raw["random"] is None


def test_other_classes_are_refused(tmp_path):
    path = tmp_path / "evil.kv"
    path.write_bytes(pickle.dumps(Evil(), protocol=4))
    with pytest.raises(pickle.UnpicklingError, match="refusing to load 'posix.system'|refusing to load 'os.system'"):
        KeyedVectors.load_gensim(path)
    path.write_bytes(pickle.dumps({"a": 1}))
    with pytest.raises(ValueError, match="not hold a gensim object"):
        load_gensim_object(path)
    path.write_text("hello")
    with pytest.raises(ValueError, match="not a pickle"):
        load_gensim_object(path)


def test_integer_keys_past_int64_load_and_are_refused_only_by_the_native_save(tmp_path):
    gensim_kv = pytest.importorskip("gensim.models.keyedvectors")
    theirs = gensim_kv.KeyedVectors(4)
    big = [2**63, 2**70, 5]
    theirs.add_vectors(big, np.arange(12, dtype=np.float32).reshape(3, 4))
    theirs.save(str(tmp_path / "g.kv"))
    ours = KeyedVectors.load_gensim(str(tmp_path / "g.kv"))
    assert ours.index_to_key == big
    np.testing.assert_array_equal(ours[2**70], theirs[2**70])
    assert ours.most_similar(5, topn=1)[0][0] == theirs.most_similar(5, topn=1)[0][0]
    with pytest.raises(ValueError, match="int64"):
        ours.save(str(tmp_path / "n.kv"))
    assert sorted(os.listdir(tmp_path)) == ["g.kv"]
    ours.save_word2vec_format(str(tmp_path / "v.txt"))
    assert open(tmp_path / "v.txt").read().split("\n")[1].split()[0] == str(2**63)
