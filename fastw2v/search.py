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

:func:`nearest` is the one top-k search every query goes through. Many
queries are scored a chunk of rows at a time (one GEMM per chunk, the
score block staying in cache-sized memory instead of queries x vocabulary
floats), and each query's running k-th best score filters the later
chunks, so after the first chunk only a handful of entries per query are
ever looked at individually.
"""
from __future__ import annotations

import numpy as np

REAL = np.float32

#: rows converted to float32 at a time when the matrix is not cached (about 64 MiB at d=256)
ROW_CHUNK = 65536
#: upper bound on one (queries x rows) block of float32 scores
SCORE_BLOCK_BYTES = 1 << 26
#: fewest rows scored per chunk in :func:`nearest` (a narrower GEMM loses efficiency)
MIN_CHUNK_ROWS = 4096
#: slices of a score row whose elementwise maximum is compared with the threshold in :func:`_above`
FILTER_WIDTH = 32
#: top_k switches to the sampled-threshold method from this many columns
SAMPLED_MIN_ROWS = 4096


def safe_norms(norms: np.ndarray) -> np.ndarray:
    """Norms with zeros replaced by one, so zero rows score 0 instead of NaN."""
    return np.where(norms > 0, norms, 1.0).astype(REAL, copy=False)


def _float32_norms(block: np.ndarray) -> np.ndarray:
    # einsum sums the squares without np.linalg.norm's (n, d) temporary: 4x faster
    return np.sqrt(np.einsum("ij,ij->i", block, block))


def row_norms(vectors: np.ndarray) -> np.ndarray:
    """L2 norm of every row, accumulated in float32 (float16 sums overflow)."""
    if vectors.dtype == REAL and not isinstance(vectors, np.memmap):
        return _float32_norms(vectors)
    out = np.empty(len(vectors), dtype=REAL)
    for start in range(0, len(vectors), ROW_CHUNK):
        block = np.asarray(vectors[start:start + ROW_CHUNK], dtype=REAL)
        out[start:start + len(block)] = _float32_norms(block)
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


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Column indices of the ``k`` largest scores of each row, best first; equal
    scores lowest column first (gensim's order wherever its sort is stable).

    ``scores`` is 2-D (queries x rows); excluded entries should be ``-inf``.
    The row's k-th largest score is a bound every top-k entry meets; only the
    entries that meet it are sorted (by row, then score descending, then column).
    ``argpartition``-style selection costs tens of ns per score, so for k much
    smaller than the row the bound comes from a sample of the columns: the
    k-th largest score of every ``stride``-th column is a lower bound on the
    row's k-th largest (a subset's k-th largest can only be smaller), and
    ``scores >= bound`` then keeps every true top-k entry plus about k*stride
    others per row.
    """
    m, n = scores.shape
    k = min(k, n)
    if k <= 0:
        return np.empty((m, 0), dtype=np.intp)
    stride = _sample_stride(n, k)
    sample = scores[:, ::stride] if n >= SAMPLED_MIN_ROWS and k * stride * 4 <= n else scores
    s = sample.shape[1]
    bound = np.partition(sample, s - k, axis=1)[:, s - k]
    rows, cols = np.nonzero(scores >= bound[:, None])
    if np.bincount(rows, minlength=m).min(initial=k) < k:  # NaN scores (NaN vectors) meet no bound
        return top_k(np.where(np.isnan(scores), -np.inf, scores), k)
    order = np.lexsort((cols, -scores[rows, cols], rows))
    rows, cols = rows[order], cols[order]
    starts = np.searchsorted(rows, np.arange(m))  # every row has >= k candidates
    return cols[starts[:, None] + np.arange(k)]


def _sample_stride(n: int, k: int) -> int:
    # Partitioning the sample costs ~n/stride per row and sorting the candidates
    # ~k*stride; stride ~ sqrt(n/k) balances the two (the constant was measured).
    return int(max(8, np.sqrt(0.3 * n / max(k, 1))))


def nearest(queries: np.ndarray, normed: np.ndarray | None, vectors: np.ndarray, norms: np.ndarray,
            start: int, stop: int, k: int, exclude=None) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` rows of ``[start, stop)`` with the highest cosine to each query, best first.

    Parameters
    ----------
    queries : (m, d) array
        Unit query vectors (any float dtype; used as float32).
    normed, vectors, norms :
        As for :func:`cosine_scores` (``normed`` None: convert ``vectors`` in chunks).
    start, stop : int
        Row range searched.
    k : int
    exclude : sequence of m sequences of row indices, optional
        Rows never returned for that query (e.g. the query's own keys).

    Returns
    -------
    rows : (m, min(k, stop - start)) intp
        Absolute row indices; -1 where fewer rows were eligible.
    scores : same shape, float32
        Their cosines; -inf where the row is -1.
    """
    queries = np.array(queries, dtype=REAL, order="C", ndmin=2)
    m, n = len(queries), max(stop - start, 0)
    k = min(int(k), n)
    rows = np.full((m, max(k, 0)), -1, dtype=np.intp)
    scores = np.full((m, max(k, 0)), -np.inf, dtype=REAL)
    if k <= 0 or m == 0:
        return rows, scores
    ex_query, ex_row = _exclusion_pairs(exclude, m)
    # A chunk at least 8k wide so the first chunk yields a useful threshold; as many
    # queries per block as keep (queries x chunk) scores within SCORE_BLOCK_BYTES.
    chunk = min(n, max(MIN_CHUNK_ROWS, 8 * k, SCORE_BLOCK_BYTES // (4 * m)))
    block = max(1, min(m, SCORE_BLOCK_BYTES // (4 * chunk)))
    for qlo in range(0, m, block):
        qhi = min(qlo + block, m)
        sel = (ex_query >= qlo) & (ex_query < qhi)
        bq, br = ex_query[sel] - qlo, ex_row[sel]
        best_r = best_s = None
        for lo in range(start, stop, chunk):
            hi = min(lo + chunk, stop)
            s = cosine_scores(queries[qlo:qhi], normed, vectors, norms, lo, hi)
            inside = (br >= lo) & (br < hi)
            s[bq[inside], br[inside] - lo] = -np.inf
            if best_s is None:
                cols = top_k(s, k)
                best_s = np.take_along_axis(s, cols, axis=1)
                best_r = cols + lo
                if cols.shape[1] < k:  # first chunk narrower than k (only when chunk == n)
                    pad = k - cols.shape[1]
                    best_s = np.pad(best_s, ((0, 0), (0, pad)), constant_values=-np.inf)
                    best_r = np.pad(best_r, ((0, 0), (0, pad)), constant_values=-1)
                continue
            cand_q, cand_c = _above(s, best_s[:, -1])
            if len(cand_q):
                best_r, best_s = _merge(best_r, best_s, cand_q, cand_c + lo, s[cand_q, cand_c], k)
        best_r[best_s == -np.inf] = -1
        rows[qlo:qhi], scores[qlo:qhi] = best_r, best_s
    return rows, scores


def _exclusion_pairs(exclude, m: int) -> tuple[np.ndarray, np.ndarray]:
    """(query, row) index arrays from a per-query list of excluded rows."""
    if exclude is None:
        return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.intp)
    if len(exclude) != m:
        raise ValueError(f"exclude must have one entry per query ({m}), got {len(exclude)}")
    if isinstance(exclude, np.ndarray) and exclude.ndim == 2:
        return np.repeat(np.arange(m), exclude.shape[1]), exclude.astype(np.intp).ravel()
    lengths = np.fromiter(map(len, exclude), dtype=np.intp, count=m)
    flat = [r for ex in exclude for r in ex]
    return np.repeat(np.arange(m), lengths), np.asarray(flat, dtype=np.intp).reshape(-1)


def _above(scores: np.ndarray, threshold: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(row, column) of every entry of ``scores`` strictly above its row's ``threshold``.

    ``np.nonzero`` over a whole boolean block costs ~2 ns an entry even when
    nearly all are False, while an elementwise maximum of contiguous rows
    costs ~0.2 ns. So each row's columns are viewed as FILTER_WIDTH stacked
    slices of length g (column ``t*g + j`` is slice t, position j), the
    maximum over the slices is taken for every j, and only the few j whose
    maximum beats the threshold are searched entry by entry. (Maxima over
    short contiguous blocks would be as selective but cost ~2 ns an entry
    in NumPy's reduction loop.)
    """
    m, c = scores.shape
    width = FILTER_WIDTH
    full = c - c % width
    found_q, found_c = [], []
    if full:
        g = full // width
        group_max = scores[:, :full].reshape(m, width, g).max(axis=1)
        q, j = np.nonzero(group_max > threshold[:, None])
        if len(q):
            cols = j[:, None] + g * np.arange(width)
            i, t = np.nonzero(scores[q[:, None], cols] > threshold[q, None])
            found_q.append(q[i])
            found_c.append(cols[i, t])
    if full < c:
        q, j = np.nonzero(scores[:, full:] > threshold[:, None])
        found_q.append(q)
        found_c.append(j + full)
    if not found_q:
        return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.intp)
    return np.concatenate(found_q), np.concatenate(found_c)


def _merge(best_r, best_s, cand_q, cand_r, cand_s, k):
    """Each query's top k of its current best plus its new candidates (ties: lower row first)."""
    m = len(best_s)
    q = np.concatenate([np.repeat(np.arange(m), k), cand_q])
    r = np.concatenate([best_r.ravel(), cand_r])
    s = np.concatenate([best_s.ravel(), cand_s])
    order = np.lexsort((r, -s, q))
    starts = np.searchsorted(q[order], np.arange(m))  # every query has its k current entries
    pick = order[starts[:, None] + np.arange(k)]
    return r[pick], s[pick]


def word_movers_distance(rows1: np.ndarray, weights1: np.ndarray, rows2: np.ndarray,
                         weights2: np.ndarray) -> float:
    """Word Mover's Distance (Kusner et al. 2015, "From word embeddings to document
    distances"): the least total Euclidean distance that moves the mass of one
    bag of words (``weights1`` on ``rows1``, summing to 1) onto the other's.
    An exact transport problem (earth mover's distance), solved by POT, the
    library gensim uses; rectangular, so only the distances across the two
    documents are computed."""
    try:
        from ot import emd2
    except ImportError as exc:
        raise ImportError("wmdistance needs POT (Python Optimal Transport): pip install pot, "
                          "or pip install fastw2v[wmd]") from exc
    a, b = np.asarray(rows1, dtype=np.float64), np.asarray(rows2, dtype=np.float64)
    cost = np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=2))
    return float(emd2(np.asarray(weights1, np.float64), np.asarray(weights2, np.float64), cost))
