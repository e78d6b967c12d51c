"""Word classes: word2vec C's ``-classes`` K-means over word vectors.

word2vec.c can write a class per word instead of the vectors
(``-classes K``): K-means with cosine assignment, run for a fixed 10
iterations from a round-robin start (word ``i`` begins in class ``i % K``).
This module is that algorithm, step for step, so a ``-classes`` command line
gives the classes a word2vec C user expects:

- each centroid is the sum of its words' vectors divided by their number
  *plus one* (word2vec.c starts every count at 1, which also keeps an empty
  class from dividing by zero), then scaled to unit length;
- a word joins the centroid with the largest dot product with its vector --
  the cosine ranking, since the word's own length is the same for every
  centroid -- the first on ties, and class 0 when no score is above -10
  (word2vec.c's starting best);
- sums run in float32 in vocabulary order, as word2vec.c's ``real`` loops do.

A class that ends up empty has a zero centroid; word2vec.c divides it by its
zero length and the NaN it gets never wins a comparison. Here it simply
takes no words.
"""
from __future__ import annotations

import numpy as np

from fastw2v.validation import check_integer

#: word2vec.c's fixed number of K-means iterations
ITERATIONS = 10
#: word2vec.c's starting "best score": a word whose every score is below it goes to class 0
_FLOOR = -10.0
#: score-matrix cells per block of words (bounds memory for large vocabularies)
_BLOCK_CELLS = 1 << 22


def word_classes(vectors, n_classes: int, iterations: int = ITERATIONS) -> np.ndarray:
    """Cluster word vectors into ``n_classes`` classes as word2vec.c's ``-classes`` does.

    Parameters
    ----------
    vectors : KeyedVectors or 2-D array
        One row per word, in vocabulary order (the order fixes the round-robin start).
    n_classes : int
        K, at least 1. More classes than words is allowed, as in word2vec.c:
        the extra classes stay empty.
    iterations : int
        K-means rounds (word2vec.c: 10; 0 returns the round-robin start).

    Returns
    -------
    numpy.ndarray of int64, one class in ``[0, n_classes)`` per row.
    """
    rows = np.asarray(getattr(vectors, "vectors", vectors))
    if rows.ndim != 2:
        raise ValueError(f"vectors must be a 2-D array (one row per word), got shape {rows.shape}")
    check_integer("n_classes", n_classes, 1)
    check_integer("iterations", iterations, 0)
    rows = np.ascontiguousarray(rows, dtype=np.float32)
    if not np.isfinite(rows).all():
        raise ValueError("vectors contain NaN or infinity; K-means needs finite vectors")
    n_words, dim = rows.shape
    k = int(n_classes)
    classes = np.arange(n_words, dtype=np.int64) % k
    for _ in range(int(iterations)):
        centroids, usable = _centroids(rows, classes, k, dim)
        classes = _assign(rows, centroids, usable)
    return classes


def _centroids(rows: np.ndarray, classes: np.ndarray, k: int, dim: int) -> tuple[np.ndarray, np.ndarray]:
    """Unit-length class means (count + 1 in the denominator) and which classes have one."""
    sums = np.zeros((k, dim), dtype=np.float32)
    np.add.at(sums, classes, rows)  # unbuffered, in word order: word2vec.c's float32 sums
    sums /= (np.bincount(classes, minlength=k) + 1).astype(np.float32)[:, None]
    lengths = np.sqrt(np.einsum("ij,ij->i", sums, sums))
    usable = lengths > 0
    sums[usable] /= lengths[usable, None]
    return sums, usable


def _assign(rows: np.ndarray, centroids: np.ndarray, usable: np.ndarray) -> np.ndarray:
    out = np.empty(len(rows), dtype=np.int64)
    block = max(1, _BLOCK_CELLS // len(centroids))
    for start in range(0, len(rows), block):
        scores = rows[start:start + block] @ centroids.T
        scores[:, ~usable] = -np.inf
        best = scores.argmax(axis=1)
        best[scores[np.arange(len(best)), best] <= _FLOOR] = 0
        out[start:start + block] = best
    return out
