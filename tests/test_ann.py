"""Approximate search (fastw2v.ann) against exact search."""
import numpy as np
import pytest

from fastw2v.keyedvectors import KeyedVectors


def test_hnsw_recall_indexer_and_persistence(tmp_path):
    pytest.importorskip("hnswlib")
    rng = np.random.default_rng(0)
    kv = KeyedVectors(16)
    kv.add_vectors([f"w{i}" for i in range(2000)], rng.standard_normal((2000, 16)).astype(np.float32))
    index = kv.build_index(method="hnsw", M=16, ef_construction=100, ef=100, num_threads=1)
    queries = [f"w{i}" for i in range(0, 2000, 40)]
    hits = 0
    for q in queries:
        exact = {k for k, _ in kv.most_similar(q, topn=11)} | {q}
        approx = kv.most_similar(q, topn=11, indexer=index)
        assert approx[0][0] == q and approx[0][1] == pytest.approx(1.0, abs=1e-5)  # gensim indexers keep the query
        hits += len(exact & {k for k, _ in approx})
    assert hits / (11 * len(queries)) > 0.95
    kv.save(tmp_path / "v.kv")
    back = KeyedVectors.load(tmp_path / "v.kv")
    assert back.index is not None
    assert back.most_similar("w5", topn=5, indexer=back.index) == kv.most_similar("w5", topn=5, indexer=index)
    with pytest.raises(ValueError, match="unknown index method"):
        kv.build_index(method="annoy")


def test_an_index_never_answers_for_changed_vectors(tmp_path, caplog):
    """The index holds row numbers and the rows' old values: once the vectors change
    (added, replaced, re-sorted, trained) it refuses to answer, and is not saved."""
    pytest.importorskip("hnswlib")
    rng = np.random.default_rng(3)
    kv = KeyedVectors(8)
    kv.add_vectors([f"x{i}" for i in range(5)], rng.standard_normal((5, 8)).astype(np.float32))
    index = kv.build_index("hnsw", M=8, ef=5)
    assert len(kv.most_similar("x0", topn=10, indexer=index)) == 5  # k capped at the index size (query included, as gensim)
    assert index.ef == index.index.ef  # a raised beam width is reported as it is
    kv.add_vectors([f"y{i}" for i in range(5)], rng.standard_normal((5, 8)).astype(np.float32))
    with pytest.raises(RuntimeError, match="rebuild"):
        kv.most_similar("x0", topn=8, indexer=index)
    kv.save(tmp_path / "kv")
    assert "stale" in caplog.text and KeyedVectors.load(tmp_path / "kv").index is None
    fresh = kv.build_index("hnsw", M=8)
    kv.save(tmp_path / "kv2")
    (tmp_path / "kv2.ann").unlink()  # the index file lost: the vectors still load
    assert KeyedVectors.load(tmp_path / "kv2").index is None
    assert len(kv.most_similar("x0", topn=9, indexer=fresh)) == 9
    with pytest.raises(ValueError, match="ef"):
        fresh.ef = 0
