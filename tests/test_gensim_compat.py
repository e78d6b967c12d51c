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
