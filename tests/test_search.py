"""Block scoring and top-k selection (fastw2v.search) against plain NumPy."""
import numpy as np
import pytest

from fastw2v import search


@pytest.mark.parametrize("n,k", [(50, 5), (5000, 5), (20000, 10), (20000, 400)])
def test_top_k_matches_full_sort(n, k):
    rng = np.random.default_rng(n + k)
    scores = rng.standard_normal((4, n)).astype(np.float32)
    scores[:, 3] = -np.inf
    expected = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    np.testing.assert_array_equal(search.top_k(scores, k), expected)


@pytest.mark.parametrize("n,k", [(12, 3), (50, 5), (5000, 5), (20000, 10), (20000, 400)])
def test_top_k_breaks_ties_lowest_column_first(n, k):
    """Scores on a coarse grid tie in bulk, across the k-th place too."""
    rng = np.random.default_rng(n * k)
    scores = rng.integers(0, 6, size=(5, n)).astype(np.float32)
    scores[1] = 1.0  # a row of nothing but ties
    expected = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    np.testing.assert_array_equal(search.top_k(scores, k), expected)


def test_top_k_ranks_nan_scores_last():
    scores = np.array([[0.5, np.nan, 0.9, np.nan, 0.1], [np.nan] * 5], dtype=np.float32)
    np.testing.assert_array_equal(search.top_k(scores, 4), [[2, 0, 4, 1], [0, 1, 2, 3]])


def test_chunked_scores_equal_cached(monkeypatch):
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((1000, 8)).astype(np.float32)
    norms = search.row_norms(vectors)
    normed = vectors / norms[:, None]
    queries = search.unit(rng.standard_normal((3, 8)))
    monkeypatch.setattr(search, "ROW_CHUNK", 64)
    np.testing.assert_allclose(search.cosine_scores(queries, None, vectors.astype(np.float16), norms, 10, 900),
                               queries @ normed[10:900].T, atol=1e-2)
    np.testing.assert_allclose(search.cosine_scores(queries[0][None, :], normed, vectors, norms, 0, 1000),
                               queries[:1] @ normed.T, atol=1e-6)


def _brute_nearest(queries, normed, start, stop, k, exclude):
    scores = queries @ normed[start:stop].T
    for i, ex in enumerate(exclude):
        for r in ex:
            if start <= r < stop:
                scores[i, r - start] = -np.inf
    order = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    return order + start, np.take_along_axis(scores, order, axis=1)


@pytest.mark.parametrize("n,k,chunk_rows,block_bytes", [
    (3000, 10, 256, 4 * 256 * 20),   # 12 row chunks of 256, one block of all 20 queries
    (3000, 10, 256, 4 * 256 * 3),    # query blocks of 3
    (3000, 300, 256, 4 * 256 * 20),  # chunk widened to 8k = 2400 rows
    (500, 10, 4096, 1 << 26),        # one chunk
    (5000, 1, 128, 4 * 128 * 20),
])
def test_nearest_matches_brute_force(monkeypatch, n, k, chunk_rows, block_bytes):
    monkeypatch.setattr(search, "MIN_CHUNK_ROWS", chunk_rows)
    monkeypatch.setattr(search, "SCORE_BLOCK_BYTES", block_bytes)
    monkeypatch.setattr(search, "FILTER_WIDTH", 16)
    rng = np.random.default_rng(n + k)
    vectors = rng.standard_normal((n, 12)).astype(np.float32)
    norms = search.row_norms(vectors)
    normed = vectors / norms[:, None]
    queries = search.unit(rng.standard_normal((20, 12)))
    exclude = [list(rng.integers(0, n, i % 4)) for i in range(20)]
    start, stop = 7, n - 3
    want_rows, want_scores = _brute_nearest(queries, normed, start, stop, k, exclude)
    rows, scores = search.nearest(queries, normed, vectors, norms, start, stop, k, exclude)
    np.testing.assert_array_equal(rows, want_rows)
    np.testing.assert_allclose(scores, want_scores, atol=1e-6)
    # float16 storage: scored from chunks converted on the fly, same neighbours up to float16 rounding
    rows16, scores16 = search.nearest(queries, None, vectors.astype(np.float16), norms, start, stop, k, exclude)
    np.testing.assert_allclose(scores16, want_scores, atol=1e-2)
    assert np.mean(rows16 == want_rows) > 0.9


def test_nearest_with_fewer_eligible_rows_than_k():
    vectors = np.eye(4, dtype=np.float32)
    rows, scores = search.nearest(vectors[:1], vectors, vectors, np.ones(4, np.float32), 0, 4, 10,
                                  [[0, 1]])
    assert rows.shape == (1, 4)
    assert sorted(rows[0, :2].tolist()) == [2, 3] and rows[0, 2:].tolist() == [-1, -1]
    assert np.all(scores[0, 2:] == -np.inf)


def test_nearest_rejects_misaligned_exclude():
    vectors = np.eye(4, dtype=np.float32)
    with pytest.raises(ValueError, match="one entry per query"):
        search.nearest(vectors[:2], vectors, vectors, np.ones(4, np.float32), 0, 4, 2, [[0]])
