"""Queries of fastw2v.keyedvectors against a brute-force NumPy reference (and gensim where installed)."""
import warnings

import numpy as np
import pytest

from fastw2v.keyedvectors import KeyedVectors


def brute_top(matrix, query, topn, exclude=()):
    unit = matrix / np.linalg.norm(matrix, axis=1, keepdims=True)
    sims = unit @ (query / np.linalg.norm(query))
    order = [i for i in np.argsort(-sims, kind="stable") if i not in exclude]
    return order[:topn], sims


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((300, 16)).astype(np.float32)
    keys = [f"w{i}" for i in range(300)]
    kv = KeyedVectors(16)
    kv.add_vectors(keys, vectors)
    return kv, keys, vectors


def unit(v):
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def test_most_similar_matches_brute_force(data):
    kv, keys, V = data
    result = kv.most_similar(positive=["w1", "w2"], negative=["w3"], topn=7)
    query = unit(V[1]) + unit(V[2]) - unit(V[3])
    order, sims = brute_top(V, query, 7, exclude={1, 2, 3})
    assert [k for k, _ in result] == [keys[i] for i in order]
    np.testing.assert_allclose([s for _, s in result], sims[order], atol=1e-5)


def test_most_similar_vector_restrict_and_topn_none(data):
    kv, keys, V = data
    q = V[5] * 3
    order, sims = brute_top(V[:100], q, 5)
    assert [k for k, _ in kv.most_similar(positive=[q], topn=5, restrict_vocab=100)] == [keys[i] for i in order]
    assert [k for k, _ in kv.similar_by_vector(q, topn=5, restrict_vocab=100)] == [keys[i] for i in order]
    np.testing.assert_allclose(kv.most_similar(q, topn=None), brute_top(V, q, 1)[1], atol=1e-5)
    assert kv.most_similar("w1", topn=0) == []
    assert kv.similar_by_word("w4", topn=3) == kv.similar_by_key("w4", topn=3) == kv.most_similar("w4", topn=3)


def test_batch_equals_single_queries(data):
    kv, keys, V = data
    batch = kv.most_similar_batch(["w1", "w9", "w200"], topn=5, restrict_vocab=250)
    for key, got in zip(["w1", "w9", "w200"], batch):
        assert [k for k, _ in got] == [k for k, _ in kv.most_similar(key, topn=5, restrict_vocab=250)]
    by_vec = kv.most_similar_batch(V[:2] * 2, topn=3)
    assert by_vec[0][0][0] == "w0"


def test_unknown_key_names_the_key(data):
    kv = data[0]
    with pytest.raises(KeyError, match="nope"):
        kv.most_similar("nope")
    with pytest.raises(KeyError, match="nope"):
        kv["nope"]
    with pytest.raises(KeyError, match="nope"):
        kv.similarity("w1", "nope")


def test_pairwise_queries_match_reference(data):
    kv, keys, V = data
    U = unit(V)
    assert kv.similarity("w1", "w2") == pytest.approx(float(U[1] @ U[2]), abs=1e-6)
    assert kv.distance("w1", "w2") == pytest.approx(1 - float(U[1] @ U[2]), abs=1e-6)
    np.testing.assert_allclose(kv.distances("w1", ["w2", "w3"]), 1 - U[[2, 3]] @ U[1], atol=1e-6)
    np.testing.assert_allclose(kv.distances("w1"), 1 - U @ U[1], atol=1e-5)
    mean_a, mean_b = V[[1, 2]].mean(0), V[[3, 4]].mean(0)
    assert kv.n_similarity(["w1", "w2"], ["w3", "w4"]) == pytest.approx(float(unit(mean_a) @ unit(mean_b)), abs=1e-6)
    d = 1 - U @ U[1]
    closer = [keys[i] for i in np.flatnonzero(d < d[7]) if i != 1]
    assert kv.closer_than("w1", "w7") == closer
    assert kv.rank("w1", "w7") == len(closer) + 1
    words = ["w1", "w2", "w3", "w4"]
    centroid = unit(U[[1, 2, 3, 4]].mean(0))
    assert kv.doesnt_match(words) == words[int(np.argmin(U[[1, 2, 3, 4]] @ centroid))]
    assert kv.most_similar_to_given("w1", ["w2", "w3"]) == ["w2", "w3"][int(np.argmax(U[[2, 3]] @ U[1]))]


def test_cosmul_matches_reference(data):
    kv, keys, V = data
    U = unit(V)
    s = (1 + U @ U.T) / 2
    ref = s[:, 1] * s[:, 2] / (s[:, 3] + 1e-6)
    ref[[1, 2, 3]] = -np.inf
    got = kv.most_similar_cosmul(["w1", "w2"], ["w3"], topn=5)
    assert [k for k, _ in got] == [keys[i] for i in np.argsort(-ref)[:5]]


def test_mean_and_sentence_vectors(data):
    kv, keys, V = data
    U = unit(V)
    np.testing.assert_allclose(kv.get_mean_vector(["w1", "w2", "zzz"]), U[[1, 2]].mean(0), atol=1e-6)
    np.testing.assert_allclose(kv.get_mean_vector(["w1", "w2"], weights=[1, 3], pre_normalize=False),
                               (V[1] + 3 * V[2]) / 4, atol=1e-6)
    with pytest.raises(KeyError, match="zzz"):
        kv.get_mean_vector(["w1", "zzz"], ignore_missing=False)
    sents = [["w1", "w2"], ["zzz"], ["w3", "zzz", "w4", "w5"]]
    M = kv.sentence_vectors(sents)
    assert M.shape == (3, 16)
    np.testing.assert_allclose(M[0], kv.get_mean_vector(sents[0]), atol=1e-6)
    np.testing.assert_allclose(M[1], 0)
    np.testing.assert_allclose(M[2], kv.get_mean_vector(sents[2]), atol=1e-6)


def test_build_by_hand_int_keys_and_lockf():
    kv = KeyedVectors(3)
    kv.add_vectors([12345, 7], np.eye(3, dtype=np.float32)[:2])
    assert kv.add_vector(99, [0, 0, 1]) == 2
    assert kv[12345].tolist() == [1, 0, 0] and kv.vector_size == 3 and len(kv) == 3
    assert kv.vectors.flags.c_contiguous and kv.vectors.dtype == np.float32
    assert kv.vectors_lockf.tolist() == [1, 1, 1]
    with pytest.raises(KeyError, match="1"):
        kv[1]  # int keys are keys, not row numbers
    kv[7] = [0, 5, 0]
    assert kv.get_vector(7, norm=True).tolist() == [0, 1, 0]


def test_float16_queries_match_float32(data):
    kv = data[0]
    half = kv.astype(np.float16)
    a, b = kv.most_similar("w3", topn=10), half.most_similar("w3", topn=10)
    np.testing.assert_allclose([s for _, s in a], [s for _, s in b], atol=1e-2)
    np.testing.assert_allclose(kv.distances("w3"), half.distances("w3"), atol=1e-2)
    assert half.vectors.dtype == np.float16 and half._unit_matrix() is None  # no float32 copy


def test_native_save_load_mmap_and_float16(tmp_path, data):
    kv = data[0]
    kv.set_vecattr("w1", "count", 5)
    path = tmp_path / "v.kv"
    kv.save(path)
    back = KeyedVectors.load(path, mmap="r")
    assert isinstance(back.vectors, np.memmap)
    assert back.index_to_key == kv.index_to_key and back.get_vecattr("w1", "count") == 5
    ours, theirs = back.most_similar("w1", topn=5), kv.most_similar("w1", topn=5)
    assert [k for k, _ in ours] == [k for k, _ in theirs]
    np.testing.assert_allclose([s for _, s in ours], [s for _, s in theirs], atol=1e-6)
    kv.save(path, dtype=np.float16)
    assert KeyedVectors.load(path).vectors.dtype == np.float16
    ints = KeyedVectors(2)
    ints.add_vectors([10, 20], [[1, 0], [0, 1]])
    ints.save(tmp_path / "i.kv")
    back = KeyedVectors.load(tmp_path / "i.kv")
    assert back.index_to_key == [10, 20] and back[20].tolist() == [0, 1]


def test_against_gensim(data):
    gensim_kv = pytest.importorskip("gensim.models.keyedvectors")
    kv, keys, V = data
    g = gensim_kv.KeyedVectors(16)
    g.add_vectors(keys, V)
    for args in (dict(positive=["w1", "w2"], negative=["w3"]), dict(positive=["w8"])):
        ours, theirs = kv.most_similar(topn=5, **args), g.most_similar(topn=5, **args)
        assert [k for k, _ in ours] == [k for k, _ in theirs]
        np.testing.assert_allclose([s for _, s in ours], [s for _, s in theirs], atol=1e-6)
    assert [k for k, _ in kv.most_similar_cosmul(["w1"], ["w2"], topn=5)] == \
        [k for k, _ in g.most_similar_cosmul(["w1"], ["w2"], topn=5)]
    assert kv.rank("w1", "w9") == g.rank("w1", "w9")
    # `in` is gensim's has_index_for: an in-range int names a row of a str-keyed set
    for key in ("w1", "nope", 3, len(keys), -1, np.int64(2)):
        assert (key in kv) == (key in g) == kv.has_index_for(key), key
    ints = KeyedVectors(16)
    ints.add_vectors([10, 20], V[:2])
    assert 10 in ints and 1 not in ints  # int keys: an int is a key, never a row number


def _gensim_twin(kv, keys, vectors):
    gensim_kv = pytest.importorskip("gensim.models.keyedvectors")
    g = gensim_kv.KeyedVectors(kv.vector_size)
    g.add_vectors(keys, vectors)
    return g


def reference_wmd(kv, doc1, doc2, norm=True):
    """The transport problem written out for scipy's LP solver (an independent check of POT's use)."""
    linprog = pytest.importorskip("scipy.optimize").linprog
    d1, d2 = [[k for k in d if k in kv] for d in (doc1, doc2)]
    u1, u2 = sorted(set(d1)), sorted(set(d2))
    a = np.array([d1.count(k) for k in u1]) / len(d1)
    b = np.array([d2.count(k) for k in u2]) / len(d2)
    x = np.array([kv.get_vector(k, norm=norm) for k in u1], dtype=np.float64)
    y = np.array([kv.get_vector(k, norm=norm) for k in u2], dtype=np.float64)
    cost = np.linalg.norm(x[:, None] - y[None], axis=2)
    n1, n2 = len(u1), len(u2)
    rows = np.kron(np.eye(n1), np.ones(n2))
    cols = np.kron(np.ones(n1), np.eye(n2))
    res = linprog(cost.ravel(), A_eq=np.vstack([rows, cols]), b_eq=np.concatenate([a, b]), bounds=(0, None))
    return res.fun


def test_wmdistance_matches_transport_lp_and_gensim(data):
    pytest.importorskip("ot")
    kv, keys, V = data
    g = _gensim_twin(kv, keys, V)
    rng = np.random.default_rng(1)
    for _ in range(5):
        doc1 = [f"w{i}" for i in rng.integers(0, 40, rng.integers(1, 12))] + ["unknown"]
        doc2 = [f"w{i}" for i in rng.integers(0, 40, rng.integers(1, 12))]
        for norm in (True, False):
            ours = kv.wmdistance(doc1, doc2, norm=norm)
            assert ours == pytest.approx(reference_wmd(kv, doc1, doc2, norm), rel=1e-6, abs=1e-9)
            assert ours == pytest.approx(g.wmdistance(doc1, doc2, norm=norm), rel=1e-6)
    assert kv.wmdistance(["w1", "w2"], ["w2", "w1"]) == pytest.approx(0.0, abs=1e-9)
    assert kv.wmdistance(["w1", "w1"], ["w1"]) == g.wmdistance(["w1", "w1"], ["w1"]) == 0.0
    assert kv.wmdistance(["unknown"], ["w1"]) == g.wmdistance(["unknown"], ["w1"]) == float("inf")
    assert kv.wmdistance(["w1"], ["w2", "w3"]) > kv.wmdistance(["w1"], ["w1", "w3"])


def test_wmdistance_without_pot_says_what_to_install(data, monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "ot", None)  # import ot now raises ImportError
    kv, _, _ = data
    with pytest.raises(ImportError, match="pip install pot"):
        kv.wmdistance(["w1", "w3"], ["w2"])


def test_vectors_for_all_and_init_sims_as_gensim(data):
    kv, keys, V = data
    g = _gensim_twin(kv, keys, V)
    kv.expandos["count"] = np.arange(len(keys), dtype=np.int64)
    g.allocate_vecattrs(["count"], [np.int64])
    g.expandos["count"][:] = np.arange(len(keys))
    wanted = ["w5", "unknown", "w2", "w5", "w9"]
    ours, theirs = kv.vectors_for_all(wanted, copy_vecattrs=True), g.vectors_for_all(wanted, copy_vecattrs=True)
    assert ours.index_to_key == theirs.index_to_key == ["w5", "w2", "w9"]
    np.testing.assert_array_equal(ours.vectors, theirs.vectors)
    np.testing.assert_array_equal(ours.expandos["count"], [5, 2, 9])
    assert len(kv.vectors_for_all(["nothing"])) == 0
    with pytest.deprecated_call():
        kv.init_sims()
    np.testing.assert_allclose(kv.norms, np.linalg.norm(V, axis=1), rtol=1e-6)
    with pytest.deprecated_call():
        kv.init_sims(replace=True)
    np.testing.assert_allclose(np.linalg.norm(kv.vectors, axis=1), 1, rtol=1e-6)
    np.testing.assert_allclose(kv.vectors, unit(V), rtol=1e-5, atol=1e-6)


def test_gensim3_names_raise_gensims_migration_errors():
    import copy
    gensim_kv = pytest.importorskip("gensim.models").KeyedVectors
    theirs = gensim_kv(3)
    theirs.add_vectors(["a", "b"], np.eye(2, 3, dtype=np.float32))
    ours = KeyedVectors(3)
    ours.add_vectors(["a", "b"], np.eye(2, 3, dtype=np.float32))
    for name, replacement in (("vocab", "key_to_index"), ("index2word", "index_to_key"),
                              ("index2entity", "index_to_key"), ("vectors_norm", "get_normed_vectors")):
        with pytest.raises(AttributeError, match="Gensim 4.0.0"):
            getattr(theirs, name)
        with pytest.raises(AttributeError, match=f"gensim 4.0.0.*{replacement}"):
            getattr(ours, name)
        assert not hasattr(ours, name)
    with pytest.raises(AttributeError, match="use .index_to_key"):
        ours.index2word = ["x", "y"]
    assert ours.index_to_key == ["a", "b"]
    assert copy.deepcopy(ours).index_to_key == ["a", "b"]


def test_gensim_argument_names_resize_and_logging(data, caplog):
    gensim_kv = pytest.importorskip("gensim.models").KeyedVectors
    kv, keys, V = data
    theirs = _gensim_twin(kv, keys, V)
    for kvs in (kv, theirs):  # gensim's keyword names work
        assert kvs.similar_by_word(word="w4", topn=3) == kvs.most_similar("w4", topn=3)
    assert kv.similar_by_word(word="w4", topn=3) == [(k, pytest.approx(s, abs=1e-6))
                                                      for k, s in theirs.similar_by_word(word="w4", topn=3)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # gensim 4.4 deprecates its own name
        assert kv.words_closer_than(word1="w1", word2="w7") == theirs.words_closer_than(word1="w1", word2="w7")
    for kvs in (kv, theirs):
        with pytest.raises(NotImplementedError, match="Doc2Vec"):
            kvs.similarity_unseen_docs(["a"], ["b"])
    # keys appended by hand get rows from resize_vectors: gensim's draw, the old rows kept
    ours = KeyedVectors(5)
    twin = gensim_kv(5)
    for kvs in (ours, twin):
        kvs.add_vectors(["a", "b"], np.arange(10, dtype=np.float32).reshape(2, 5))
        kvs.set_vecattr("a", "count", 7)
        for key in ("c", "d"):
            kvs.key_to_index[key] = len(kvs.index_to_key)
            kvs.index_to_key.append(key)
        kvs.resize_vectors(seed=4)
    np.testing.assert_array_equal(ours.vectors, twin.vectors)
    np.testing.assert_array_equal(ours.expandos["count"], [7, 0, 0, 0])
    expected = [(k, pytest.approx(s, abs=1e-6)) for k, s in twin.most_similar("c", topn=3)]
    assert ours.most_similar("c", topn=3) == expected
    caplog.set_level("INFO")
    for kvs in (ours, twin):
        kvs.log_accuracy({"section": "capitals", "correct": [1, 2], "incorrect": [3]})
        kvs.log_accuracy({"section": "empty", "correct": [], "incorrect": []})
        kvs.log_evaluate_word_pairs((0.5, 0.1), (0.25, 0.2), 12.5, "pairs.tsv")
    lines = [r.getMessage() for r in caplog.records]
    assert lines[:4] == lines[4:] and lines[0] == "capitals: 66.7% (2/3)"


def test_returned_vectors_cannot_corrupt_the_set(data):
    """gensim's get_vector is read-only and get_normed_vectors a new array: editing
    either must not change the stored rows or later answers."""
    kv, keys, V = data
    before = kv.most_similar("w0", topn=3)
    v = kv["w0"]
    with pytest.raises(ValueError, match="read-only"):
        v -= kv["w1"]
    with pytest.raises(ValueError, match="read-only"):
        kv.get_vector("w0", norm=True)[:] = 0
    normed = kv.get_normed_vectors()
    normed *= 2
    np.testing.assert_array_equal(kv.vectors, V)
    assert kv.most_similar("w0", topn=3) == before
    rows = kv[["w0", "w1"]]  # a list gives a copy, writable as gensim's
    rows[:] = 0
    np.testing.assert_array_equal(kv.vectors[:2], V[:2])


def test_changed_vectors_are_never_answered_from_stale_norms(data):
    kv, keys, V = data
    theirs = _gensim_twin(kv, keys, V)
    before = kv.most_similar("w0", topn=3)  # fills the caches
    theirs.most_similar("w0")
    for kvs in (kv, theirs):
        kvs.vectors = kvs.vectors * 2  # a new matrix: cosines unchanged (gensim's stale norms double them)
    assert kv.most_similar("w0", topn=3) == [(k, pytest.approx(s, abs=1e-6)) for k, s in before]
    assert kv.similarity("w0", "w1") == pytest.approx(float(theirs.similarity("w0", "w1")), abs=1e-6)
    for kvs in (kv, theirs):
        kvs.vectors[1] = -kvs.vectors[1]  # in place: gensim computes these from the rows as they are
    assert kv.similarity("w0", "w1") == pytest.approx(float(theirs.similarity("w0", "w1")), abs=1e-6)
    np.testing.assert_allclose(kv.distances("w0"), theirs.distances("w0"), atol=1e-5)
    assert kv.rank("w0", "w1") == theirs.rank("w0", "w1")
    assert kv.closer_than("w0", "w1") == theirs.closer_than("w0", "w1")


def test_vecattrs_sorting_and_small_queries_as_gensim(data):
    gensim_kv = pytest.importorskip("gensim.models").KeyedVectors
    kv, keys, V = data
    theirs = _gensim_twin(kv, keys, V)
    # unknown keys are skipped by n_similarity, as gensim 4's get_mean_vector does
    assert kv.n_similarity(["w0", "zzz"], ["w1"]) == pytest.approx(float(theirs.n_similarity(["w0", "zzz"], ["w1"])),
                                                                  abs=1e-6)
    # (key, weight) pairs may be lists
    assert kv.most_similar(positive=[["w1", 2.0]], topn=3) == [
        (k, pytest.approx(s, abs=1e-6)) for k, s in theirs.most_similar(positive=[["w1", 2.0]], topn=3)]
    for kvs in (kv, theirs):
        with pytest.raises(ValueError, match="without any similar words"):
            kvs.relative_cosine_similarity("w0", "w1", topn=0)
    # per-key attributes: str values are objects (never cut short), a clashing type raises
    for kvs in (kv, theirs):
        kvs.set_vecattr("w0", "tag", "ab")
        kvs.set_vecattr("w1", "tag", "abcdef")
        assert kvs.get_vecattr("w1", "tag") == "abcdef"
        kvs.set_vecattr("w0", "count", 3)
        with pytest.raises(TypeError, match="count"):
            kvs.set_vecattr("w1", "count", 2.7)
    # vectors_for_all makes up descending counts, as gensim's
    assert [kvs.vectors_for_all(["w3", "w1", "nope"]).get_vecattr("w1", "count") for kvs in (kv, theirs)] == [1, 1]
    # sorting by count: equal counts the later key first; works before any vectors exist
    counts = [3, 5, 3, 5, 1]
    for kvs in (KeyedVectors(4), gensim_kv(4)):
        for i, c in enumerate(counts):
            kvs.key_to_index[f"k{i}"] = i
            kvs.index_to_key.append(f"k{i}")
        kvs.set_vecattr("k0", "count", 3)
        kvs.expandos["count"][:] = counts
        kvs.sort_by_descending_frequency()
        kvs.resize_vectors(seed=1)
        assert list(kvs.index_to_key) == ["k3", "k1", "k2", "k0", "k4"]
        assert kvs.vectors.shape == (5, 4)
