"""word2vec C's -classes K-means (fastw2v.clustering)."""
import numpy as np
import pytest

from fastw2v import KeyedVectors
from fastw2v.clustering import ITERATIONS, word_classes


def reference_classes(vectors, k, iterations=ITERATIONS):
    """word2vec.c's K-means, loop for loop (float64, plain Python)."""
    n, dim = vectors.shape
    cl = [a % k for a in range(n)]
    for _ in range(iterations):
        cent = [[0.0] * dim for _ in range(k)]
        centcn = [1] * k
        for c in range(n):
            for d in range(dim):
                cent[cl[c]][d] += float(vectors[c, d])
            centcn[cl[c]] += 1
        for b in range(k):
            cent[b] = [x / centcn[b] for x in cent[b]]
            length = sum(x * x for x in cent[b]) ** 0.5
            cent[b] = [x / length for x in cent[b]] if length > 0 else None  # word2vec.c: NaN, never chosen
        for c in range(n):
            closev, closeid = -10.0, 0
            for d in range(k):
                if cent[d] is None:
                    continue
                x = sum(cent[d][b] * float(vectors[c, b]) for b in range(dim))
                if x > closev:
                    closev, closeid = x, d
            cl[c] = closeid
    return cl


@pytest.mark.parametrize("n, dim, k, seed", [(60, 5, 4, 0), (45, 3, 7, 1), (30, 8, 2, 2), (12, 4, 20, 3)])
def test_matches_word2vec_c_loops(n, dim, k, seed):
    vectors = np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)
    assert word_classes(vectors, k).tolist() == reference_classes(vectors, k)


@pytest.mark.parametrize("iterations", [0, 1, 3])
def test_iterations(iterations):
    vectors = np.random.default_rng(4).normal(size=(40, 6)).astype(np.float32)
    ours = word_classes(vectors, 5, iterations=iterations)
    assert ours.tolist() == reference_classes(vectors, 5, iterations)
    if iterations == 0:
        assert ours.tolist() == [i % 5 for i in range(40)]  # the round-robin start


def test_separated_directions_are_recovered():
    rng = np.random.default_rng(5)
    directions = rng.normal(size=(4, 16))
    truth = rng.integers(0, 4, size=400)
    lengths = rng.uniform(0.5, 3.0, size=(400, 1))  # lengths must not matter: cosine assignment
    vectors = (directions[truth] + 0.1 * rng.normal(size=(400, 16))) * lengths
    classes = word_classes(vectors, 4)
    # a one-to-one map between found and planted classes
    assert len({(c, t) for c, t in zip(classes.tolist(), truth.tolist())}) == 4


def test_keyed_vectors_and_more_classes_than_words():
    kv = KeyedVectors(3)
    kv.add_vectors(["a", "b", "c"], np.array([[1, 0, 0], [0, 1, 0], [0.9, 0.1, 0]], dtype=np.float32))
    classes = word_classes(kv, 2)
    assert classes.dtype == np.int64 and classes.shape == (3,)
    assert classes[0] == classes[2] != classes[1]
    # each word starts alone in its class and stays there; the other 7 stay empty
    assert word_classes(kv, 10).tolist() == reference_classes(kv.vectors, 10) == [0, 1, 2]
    assert word_classes(np.zeros((0, 3), np.float32), 4).shape == (0,)
    assert word_classes(np.zeros((5, 3), np.float32), 2).tolist() == [0] * 5  # no usable centroid: class 0


@pytest.mark.parametrize("args, fragment", [
    ((np.ones((3, 2)), 0), "n_classes must be an integer >= 1"),
    ((np.ones((3, 2)), 2.5), "n_classes must be an integer >= 1"),
    ((np.ones((3, 2)), True), "n_classes must be an integer >= 1"),
    ((np.ones(3), 2), "must be a 2-D array"),
    ((np.array([[1.0, np.nan]]), 1), "NaN or infinity"),
])
def test_bad_input(args, fragment):
    with pytest.raises(ValueError, match=fragment.replace("(", r"\(")):
        word_classes(*args)
    with pytest.raises(ValueError, match="iterations must be an integer >= 0"):
        word_classes(np.ones((3, 2)), 2, iterations=-1)
