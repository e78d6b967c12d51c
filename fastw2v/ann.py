"""Approximate nearest-neighbour search for large vocabularies (optional extra ``ann``: hnswlib).

Exact search reads the whole matrix per query (O(n d)). An HNSW graph
(Malkov & Yashunin, 2016) visits only a few thousand rows per query, at the
price of a build step and a recall below 1, tuned by ``ef`` (the search
beam width): higher ``ef`` means better recall and slower queries.

The index follows gensim's indexer protocol, so it plugs into
``kv.most_similar(..., indexer=index)``: ``most_similar(vector, num_neighbors)``
returns ``[(key, cosine similarity), ...]``. As with gensim's indexers the
query keys themselves are not removed from the results.
"""
from __future__ import annotations

import numpy as np

from . import search

REAL = np.float32
METHODS = ("hnsw",)


def _hnswlib():
    try:
        import hnswlib
    except ImportError:
        raise ImportError("approximate search needs hnswlib: pip install 'fastw2v[ann]'") from None
    return hnswlib


class HnswIndex:
    """An HNSW index over the unit-normalised rows of a ``KeyedVectors``.

    Parameters
    ----------
    kv : KeyedVectors
    M : int
        Graph degree (memory and recall grow with it).
    ef_construction : int
        Beam width while building.
    ef : int
        Beam width while searching (raise it for better recall).
    num_threads : int
        Threads for building and batch queries (-1: all cores).
    seed : int
    """

    def __init__(self, kv, M=32, ef_construction=200, ef=200, num_threads=-1, seed=100, _index=None):
        for name, value in (("M", M), ("ef_construction", ef_construction), ("ef", ef)):
            if int(value) < 1:
                raise ValueError(f"{name} must be >= 1, got {value}")
        self.kv = kv
        self.params = {"M": int(M), "ef_construction": int(ef_construction), "ef": int(ef), "seed": int(seed)}
        self.num_threads = num_threads
        self.index = _index if _index is not None else self._build()
        self.index.set_ef(int(ef))
        self.version = getattr(kv, "_version", 0)  # the rows it was built from (see stale)

    def _build(self):
        hnswlib = _hnswlib()
        kv = self.kv
        index = hnswlib.Index(space="cosine", dim=kv.vector_size)
        index.init_index(max_elements=max(len(kv.vectors), 1), M=self.params["M"],
                         ef_construction=self.params["ef_construction"], random_seed=self.params["seed"])
        for lo in range(0, len(kv.vectors), search.ROW_CHUNK):
            block = np.asarray(kv.vectors[lo:lo + search.ROW_CHUNK], dtype=REAL)
            index.add_items(block, np.arange(lo, lo + len(block)), num_threads=self.num_threads)
        return index

    @property
    def ef(self) -> int:
        return self.params["ef"]

    @ef.setter
    def ef(self, value: int):
        if int(value) < 1:
            raise ValueError(f"ef must be >= 1, got {value}")
        self.params["ef"] = int(value)
        self.index.set_ef(int(value))

    @property
    def stale(self) -> bool:
        """True once the vectors changed after the build (added, replaced, re-sorted, trained):
        the index holds row numbers and values of the old rows."""
        return getattr(self.kv, "_version", 0) != self.version

    def knn(self, vectors, k=10):
        """(row indices, cosine similarities), each (len(vectors), k), for a batch of query vectors."""
        if self.stale:
            raise RuntimeError("the vectors changed since this approximate index was built; "
                               "rebuild it with kv.build_index()")
        vectors = np.atleast_2d(np.asarray(vectors, dtype=REAL))
        k = min(k, self.index.get_current_count())
        if self.index.ef < k:  # hnswlib cannot return more neighbours than its beam holds
            self.ef = k
        labels, dists = self.index.knn_query(vectors, k=k, num_threads=self.num_threads)
        return labels.astype(np.intp), 1.0 - dists

    def most_similar(self, vector, num_neighbors):
        """``[(key, similarity), ...]`` for one query vector (gensim's indexer protocol)."""
        if num_neighbors < 1:
            return []
        labels, sims = self.knn(vector, num_neighbors)
        keys = self.kv.index_to_key
        return [(keys[i], float(s)) for i, s in zip(labels[0], sims[0])]

    def describe(self) -> dict:
        return {"method": "hnsw", **self.params}

    def save(self, path) -> None:
        self.index.save_index(str(path))


def build_index(kv, method="hnsw", **params):
    """Build an approximate index over ``kv``; ``params`` go to :class:`HnswIndex`."""
    if method not in METHODS:
        raise ValueError(f"unknown index method {method!r}; available: {', '.join(METHODS)}")
    return HnswIndex(kv, **params)


def load_index(path, kv, description: dict):
    """Re-open an index saved beside ``kv`` (see :mod:`fastw2v.persist`)."""
    if description.get("method") != "hnsw":
        raise ValueError(f"unknown index method {description.get('method')!r} in {path}")
    hnswlib = _hnswlib()
    index = hnswlib.Index(space="cosine", dim=kv.vector_size)
    index.load_index(str(path), max_elements=max(len(kv.vectors), 1))
    params = {k: description[k] for k in ("M", "ef_construction", "ef", "seed") if k in description}
    return HnswIndex(kv, _index=index, **params)
