"""Exact nearest-neighbour search over the rows of a matrix, by cosine.

Everything here works on whole blocks: one matrix product scores a block of
queries against a block of rows, and ``argpartition`` picks the top n of each
query without sorting the vocabulary. Two storage cases share the code:

* float32 in memory: rows are divided by their norms once and the unit
  matrix is cached by the caller (:meth:`KeyedVectors.get_normed_vectors`),
  so a query is a single BLAS call;
* float16 or memory-mapped storage: a cached float32 copy would defeat the
  point (half the memory, or not reading the file), so rows are converted
  ``ROW_CHUNK`` at a time and the scores divided by the stored norms.
"""
from __future__ import annotations

import numpy as np

REAL = np.float32

#: rows converted to float32 at a time when the matrix is not cached (about 64 MiB at d=256)
ROW_CHUNK = 65536
#: upper bound on one (queries x rows) block of float32 scores
SCORE_BLOCK_BYTES = 1 << 28
#: top_k switches to the sampled-threshold method from this many columns
SAMPLED_MIN_ROWS = 4096


def safe_norms(norms: np.ndarray) -> np.ndarray:
    """Norms with zeros replaced by one, so zero rows score 0 instead of NaN."""
    return np.where(norms > 0, norms, 1.0).astype(REAL, copy=False)


def row_norms(vectors: np.ndarray) -> np.ndarray:
    """L2 norm of every row, accumulated in float32 (float16 sums overflow)."""
    if vectors.dtype == REAL and not isinstance(vectors, np.memmap):
        return np.linalg.norm(vectors, axis=1).astype(REAL, copy=False)
    out = np.empty(len(vectors), dtype=REAL)
    for start in range(0, len(vectors), ROW_CHUNK):
        block = np.asarray(vectors[start:start + ROW_CHUNK], dtype=REAL)
        out[start:start + len(block)] = np.linalg.norm(block, axis=1)
    return out


def unit(vector: np.ndarray) -> np.ndarray:
    """``vector`` scaled to unit length (returned unchanged when it is zero), as gensim's unitvec."""
    vector = np.asarray(vector, dtype=REAL)
    norm = np.linalg.norm(vector, axis=-1, keepdims=True)
    return vector / np.where(norm > 0, norm, 1.0).astype(REAL)


def cosine_scores(queries: np.ndarray, normed: np.ndarray | None, vectors: np.ndarray,
                  norms: np.ndarray, start: int, stop: int) -> np.ndarray:
    """Scores ``queries @ unit(rows[start:stop]).T`` as a (len(queries), stop-start) float32 array.

    ``normed`` is the cached unit matrix, or None to convert ``vectors`` in chunks.
    Queries are used as given: pass unit queries to get cosines.
    """
    # A fresh C-ordered copy: a view such as q[None, :] can carry strides that make
    # matmul skip BLAS (measured 200x slower), and the copy is tiny next to the product.
    queries = np.array(queries, dtype=REAL, order="C")
    if normed is not None:
        return queries @ normed[start:stop].T
    out = np.empty((len(queries), stop - start), dtype=REAL)
    inv = 1.0 / safe_norms(norms[start:stop])
    for lo in range(start, stop, ROW_CHUNK):
        hi = min(lo + ROW_CHUNK, stop)
        block = np.asarray(vectors[lo:hi], dtype=REAL)
        np.multiply(queries @ block.T, inv[lo - start:hi - start], out=out[:, lo - start:hi - start])
    return out


def query_block_size(n_rows: int) -> int:
    """How many queries to score at once so the score block stays under SCORE_BLOCK_BYTES."""
    return max(1, SCORE_BLOCK_BYTES // (4 * max(n_rows, 1)))


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Column indices of the ``k`` largest scores of each row, best first.

    ``argpartition`` finds the top k in O(n); only those k are sorted.
    ``scores`` is 2-D (queries x rows); excluded entries should be ``-inf``.
    """
    n = scores.shape[1]
    k = min(k, n)
    if k <= 0:
        return np.empty((len(scores), 0), dtype=np.intp)
    stride = _sample_stride(n, k)
    if n >= SAMPLED_MIN_ROWS and k * stride * 4 <= n:
        return _top_k_sampled(scores, k, stride)
    if k < n:
        part = np.argpartition(scores, n - k, axis=1)[:, n - k:]
    else:
        part = np.broadcast_to(np.arange(n), scores.shape)
    picked = np.take_along_axis(scores, part, axis=1)
    order = np.argsort(-picked, axis=1, kind="stable")
    return np.take_along_axis(part, order, axis=1)


def _sample_stride(n: int, k: int) -> int:
    # Partitioning the sample costs ~n/stride per row and sorting the candidates
    # ~k*stride; stride ~ sqrt(n/k) balances the two (the constant was measured).
    return int(max(8, np.sqrt(0.3 * n / max(k, 1))))


def _top_k_sampled(scores: np.ndarray, k: int, stride: int) -> np.ndarray:
    """``top_k`` for k much smaller than the row length, in a few vectorised passes.

    ``argpartition`` costs tens of ns per score; this costs a few. The k-th
    largest score of every ``stride``-th column is a lower bound on the
    row's k-th largest (a subset's k-th largest can only be smaller), so
    ``scores >= bound`` keeps every true top-k entry plus about k*stride
    others per row; only those candidates are sorted (by row, then score
    descending).
    """
    m = len(scores)
    sample = scores[:, ::stride]
    s = sample.shape[1]
    bound = np.partition(sample, s - k, axis=1)[:, s - k]
    rows, cols = np.nonzero(scores >= bound[:, None])
    order = np.lexsort((cols, -scores[rows, cols], rows))
    rows, cols = rows[order], cols[order]
    starts = np.searchsorted(rows, np.arange(m))  # every row has >= k candidates
    return cols[starts[:, None] + np.arange(k)]
