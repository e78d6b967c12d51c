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
