"""Keyed vectors: a lookup table from keys (str or int) to rows of a matrix.

An embedding is a one-hot vector times a matrix E, which simply picks the
row of E for that key; ``KeyedVectors`` is that table plus the bookkeeping
gensim 4 users know (``index_to_key``, ``key_to_index``, per-key attributes
such as ``count``) and gensim's similarity queries. The maths of the queries
lives in :mod:`fastw2v.search`; file formats, evaluation, approximate search
and plotting live in their own modules and are reached through thin methods
here so that code written for gensim's ``KeyedVectors`` ports unchanged.
"""
from __future__ import annotations

import collections
import logging
import warnings

import numpy as np

from . import layout, search
from .key_index import KEY_TYPES as _KEY_TYPES
from .key_index import int_index_of, is_int_keyed, key_index

logger = logging.getLogger(__name__)

REAL = np.float32


def _as_list(value) -> list:
    """A single key or 1-D vector becomes a one-element list (gensim's ``_ensure_list``)."""
    if value is None:
        return []
    if isinstance(value, _KEY_TYPES) or (isinstance(value, np.ndarray) and value.ndim == 1):
        return [value]
    if isinstance(value, np.ndarray) and value.ndim == 2:
        return list(value)
    return list(value)


class KeyedVectors:
    """Vectors addressed by key, with gensim 4's names and meanings.

    Parameters
    ----------
    vector_size : int
        Dimensionality of every vector.
    count : int
        Number of rows to pre-allocate (all zero, no keys yet).
    dtype : numpy dtype
        Storage dtype of ``vectors`` (float32; float16 halves memory, and
        queries then convert rows to float32 a chunk at a time).

    Examples
    --------
    >>> kv = KeyedVectors(3)
    >>> kv.add_vectors(["a", "b"], [[1, 0, 0], [0, 1, 0]])
    >>> kv["a"].tolist()
    [1.0, 0.0, 0.0]
    >>> kv.most_similar("a", topn=1)
    [('b', 0.0)]
    """

    def __init__(self, vector_size: int, count: int = 0, dtype=REAL, mapfile_path=None):
        if int(vector_size) < 0 or int(count) < 0:
            raise ValueError(f"vector_size and count must be >= 0, got {vector_size}, {count}")
        self.vector_size = int(vector_size)
        self.index_to_key: list = [None] * count
        self.next_index = 0  # gensim: where the next add_vector lands in a pre-allocated set
        self.key_to_index: dict = {}
        self.vectors = np.zeros((count, self.vector_size), dtype=dtype)
        self._vectors_lockf = np.ones(count, dtype=REAL)
        self.norms = None
        self.expandos: dict = {}
        self.index = None  # an approximate-search index from build_index(), if any
        self.mapfile_path = mapfile_path

    def __str__(self) -> str:
        return f"{type(self).__name__}<vector_size={self.vector_size}, {len(self)} keys>"

    __repr__ = __str__

    # -- cached norms -------------------------------------------------------
    # Setting ``norms = None`` (what gensim-style training code does after it
    # changes ``vectors``) also drops the cached unit matrix.
    @property
    def vectors(self) -> np.ndarray:
        return self._vectors

    @vectors.setter
    def vectors(self, value):
        # new rows: norms computed from the old ones would silently scale every cosine
        self._vectors = value
        self.norms = None

    @property
    def norms(self):
        return self._norms

    @norms.setter
    def norms(self, value):
        self._norms = value
        self._normed = None
        self._normed_source = None
        if value is None:  # the rows changed: an approximate index built before is stale
            self._version = getattr(self, "_version", 0) + 1

    @property
    def vectors_lockf(self) -> np.ndarray:
        """Per-row training multiplier (0 freezes a row); grown with ones to match ``vectors``."""
        n = len(self.vectors)
        if len(self._vectors_lockf) != n:
            grown = np.ones(n, dtype=REAL)
            keep = min(n, len(self._vectors_lockf))
            grown[:keep] = self._vectors_lockf[:keep]
            self._vectors_lockf = grown
        return self._vectors_lockf

    @vectors_lockf.setter
    def vectors_lockf(self, value):
        value = np.ascontiguousarray(value, dtype=REAL).reshape(-1)
        if len(value) == 1 and len(self.vectors) > 1:
            # gensim's kernels read a 1-element lockf for every row (its default is np.ones(1))
            value = np.full(len(self.vectors), value[0], dtype=REAL)
        self._vectors_lockf = value

    @property
    def lockf_rows(self) -> np.ndarray:
        """``vectors_lockf`` as stored, without growing it: it may cover only the first
        rows, the rest being 1 (what the training kernels take; saves 4 bytes a row)."""
        return self._vectors_lockf[:len(self.vectors)]

    def fill_norms(self, force: bool = False) -> None:
        """Compute (or recompute with ``force``) the L2 norm of every row."""
        if self._norms is None or force or len(self._norms) != len(self.vectors):
            self.norms = search.row_norms(self.vectors)

    def _cacheable(self) -> bool:
        return self.vectors.dtype == REAL and not isinstance(self.vectors, np.memmap)

    def _unit_matrix(self):
        """The cached unit-row float32 matrix, or None for float16 / memory-mapped storage."""
        self.fill_norms()
        if not self._cacheable():
            return None
        if self._normed is None or self._normed_source is not self.vectors:
            self._normed = self.vectors / search.safe_norms(self._norms)[:, None]
            self._normed_source = self.vectors
        return self._normed

    def get_normed_vectors(self) -> np.ndarray:
        """All vectors scaled to unit length (zero rows stay zero), as a new float32
        array (gensim's; the queries' cached copy stays private)."""
        normed = self._unit_matrix()
        if normed is not None:
            return normed.copy()
        return np.asarray(self.vectors, dtype=REAL) / search.safe_norms(self._norms)[:, None]

    def unit_normalize_all(self) -> None:
        """Scale every stored vector to unit length, in place (training cannot sensibly continue)."""
        self.fill_norms()
        self.vectors /= search.safe_norms(self._norms)[:, None].astype(self.vectors.dtype)
        self.norms = np.ones(len(self.vectors), dtype=REAL)

    def init_sims(self, replace: bool = False) -> None:
        """gensim 3's name, kept by gensim 4 as deprecated: ``fill_norms()``, and with
        ``replace`` also ``unit_normalize_all()`` (vectors scaled in place)."""
        warnings.warn("init_sims() is deprecated (as in gensim 4): use fill_norms(), get_normed_vectors() "
                      "or unit_normalize_all()", DeprecationWarning, stacklevel=2)
        self.fill_norms()
        if replace:
            self.unit_normalize_all()

    # -- gensim 3 names --------------------------------------------------------
    # gensim 4 removed these and raises AttributeError with the replacement; code
    # written against gensim 3 (most tutorials) gets the same pointer here.
    _MIGRATION = "See https://github.com/RaRe-Technologies/gensim/wiki/Migrating-from-Gensim-3.x-to-4"

    def _removed(name: str, hint: str):
        def fail(self, *_):
            raise AttributeError(f"The {name} attribute was removed in gensim 4.0.0 (and fastw2v follows gensim 4): "
                                 f"{hint}.\n{KeyedVectors._MIGRATION}")
        return property(fail, fail)

    vocab = _removed("vocab", "use .key_to_index, .index_to_key, .get_vecattr(key, attr) and "
                              ".set_vecattr(key, attr, value)")
    index2word = _removed("index2word", "use .index_to_key")
    index2entity = _removed("index2entity", "use .index_to_key")
    vectors_norm = _removed("vectors_norm", "use .get_normed_vectors()")
    del _removed

    # -- per-key attributes (gensim's "vecattr") ---------------------------
    def allocate_vecattrs(self, attrs=None, types=None) -> None:
        """Make every expando array (or those of ``attrs``, created with ``types``) as
        long as ``index_to_key``, as gensim's: ``int`` is int64, ``str`` is object
        (a fixed-width str array would cut longer values short), and a type the
        existing array cannot hold raises TypeError instead of being truncated."""
        n = len(self.index_to_key)
        attrs = list(self.expandos) if attrs is None else list(attrs)
        types = [self.expandos[a].dtype for a in attrs] if types is None else list(types)
        for attr, t in zip(attrs, types):
            t = np.int64 if t is int else object if isinstance(t, type) and issubclass(t, str) else t
            old = self.expandos.get(attr)
            if old is None:
                self.expandos[attr] = np.zeros(n, dtype=t)
                continue
            if not np.issubdtype(t, old.dtype):
                raise TypeError(f"Can't allocate type {t} for attribute {attr}, "
                                f"conflicts with its existing type {old.dtype}")
            if len(old) != n:
                new = np.zeros(n, dtype=old.dtype)
                k = min(len(old), n)
                new[:k] = old[:k]
                self.expandos[attr] = new

    def resize_vectors(self, seed=0) -> None:
        """Give ``vectors`` one row per key of ``index_to_key`` (after keys were added to
        it by hand), as gensim's: the new rows are drawn as a fresh ``(n, vector_size)``
        matrix from ``seed`` would be (gensim's ``prep_vectors``), the existing rows kept."""
        n, old = len(self.index_to_key), self.vectors
        if old.shape != (n, self.vector_size):
            new = layout.initial_rows(np.random.default_rng(seed), n, self.vector_size)
            k = min(len(old), n)
            new[:k] = old[:k]
            self.vectors = new
        self.allocate_vecattrs()
        self.norms = None

    def set_vecattr(self, key, attr, val) -> None:
        self.allocate_vecattrs([attr], [type(val)])
        self.expandos[attr][self.get_index(key)] = val

    def get_vecattr(self, key, attr):
        value = self.expandos[attr][self.get_index(key)]
        return value.item() if isinstance(value, np.generic) else value

    # -- lookup -------------------------------------------------------------
    def get_index(self, key, default=None) -> int:
        """Row index of ``key``; raises ``KeyError`` naming the key if absent.

        As in gensim, an int that is not itself a key indexes rows directly
        (only for sets whose keys are not ints, where that cannot be ambiguous).
        """
        val = self.key_to_index.get(key, -1)
        if val >= 0:
            return val
        if isinstance(key, (int, np.integer)) and not self._int_keys() and 0 <= key < len(self.index_to_key):
            return int(key)
        if default is not None:
            return default
        raise KeyError(f"Key {key!r} not present in vocabulary")

    def _int_keys(self) -> bool:
        return bool(self.index_to_key) and isinstance(self.index_to_key[0], (int, np.integer))

    def get_indices(self, keys) -> np.ndarray:
        """Row indices of many keys at once (KeyError naming the first unknown key)."""
        return np.fromiter((self.get_index(k) for k in keys), dtype=np.intp, count=len(keys))

    def get_vector(self, key, norm: bool = False) -> np.ndarray:
        """The vector of ``key`` (unit length when ``norm``)."""
        index = self.get_index(key)
        if norm:
            self.fill_norms()
            result = np.asarray(self.vectors[index], dtype=REAL) / search.safe_norms(self._norms[index:index + 1])[0]
        else:
            result = self.vectors[index].view()
        # read-only, as gensim's: `v = kv["king"]; v -= kv["man"]` must not rewrite the stored row
        result.flags.writeable = False
        return result

    word_vec = get_vector

    def __getitem__(self, key_or_keys):
        if isinstance(key_or_keys, _KEY_TYPES):
            return self.get_vector(key_or_keys)
        return self.vectors[self.get_indices(list(key_or_keys))]

    def __setitem__(self, keys, weights):
        if isinstance(keys, _KEY_TYPES):
            keys, weights = [keys], np.asarray(weights).reshape(1, -1)
        self.add_vectors(keys, weights, replace=True)

    def has_index_for(self, key) -> bool:
        return self.get_index(key, -1) >= 0

    def __contains__(self, key) -> bool:
        """gensim's ``has_index_for``: with str keys an in-range int counts (see ``get_index``)."""
        return self.has_index_for(key)

    def __len__(self) -> int:
        return len(self.index_to_key)

    # -- building by hand ---------------------------------------------------
    def add_vectors(self, keys, weights, extras=None, replace=False) -> None:
        """Append ``keys`` with rows ``weights``; existing keys are overwritten only when ``replace``."""
        if isinstance(keys, _KEY_TYPES):
            keys = [keys]
            weights = np.asarray(weights).reshape(1, -1)
        weights = np.asarray(weights, dtype=self.vectors.dtype)
        keys = list(keys)
        if weights.ndim != 2 or weights.shape != (len(keys), self.vector_size):
            raise ValueError(
                f"weights must have shape ({len(keys)}, {self.vector_size}), got {weights.shape}")
        for k in keys:
            if not isinstance(k, _KEY_TYPES):
                raise TypeError(f"keys must be str or int, got {type(k).__name__}: {k!r}")
        in_vocab = np.array([k in self.key_to_index for k in keys], dtype=bool)
        new_keys = [k for k, known in zip(keys, in_vocab) if not known]
        if len(set(new_keys)) != len(new_keys):
            raise ValueError("duplicate keys in add_vectors")
        # Drop pre-allocated empty slots (gensim's KeyedVectors(size, count)) before appending.
        used = len(self.key_to_index)
        if isinstance(self.index_to_key, list):
            self.index_to_key = self.index_to_key[:used]
        self.vectors = np.ascontiguousarray(np.vstack([self.vectors[:used], weights[~in_vocab]]))
        self._append_keys(new_keys)
        self.next_index = len(self.index_to_key)
        self.allocate_vecattrs()
        if extras:
            for attr, vals in extras.items():
                for k, v in zip(keys, vals):
                    self.set_vecattr(k, attr, v)
        if replace and in_vocab.any():
            rows = [self.key_to_index[k] for k, known in zip(keys, in_vocab) if known]
            self.vectors[rows] = weights[in_vocab]
        self.norms = None

    def _append_keys(self, new_keys) -> None:
        """Number ``new_keys`` (distinct, not present) from ``len(self)`` on; integer keys
        live in one C index (see fastw2v/key_index.py), str keys in gensim's list and dict."""
        int_index = int_index_of(self.key_to_index)
        if int_index is not None:
            if len(new_keys) and not is_int_keyed(new_keys):
                bad = next(k for k in new_keys if not isinstance(k, (int, np.integer)) or isinstance(k, bool))
                raise TypeError(f"this KeyedVectors has integer keys; cannot add the {type(bad).__name__} "
                                f"key {bad!r}")
            int_index.append(new_keys)
        elif not self.key_to_index and is_int_keyed(new_keys):
            self.index_to_key, self.key_to_index = key_index(new_keys)
        else:
            used = len(self.key_to_index)
            for i, k in enumerate(new_keys):
                self.key_to_index[k] = used + i
            self.index_to_key.extend(int(k) if isinstance(k, np.integer) else k for k in new_keys)

    def add_vector(self, key, vector) -> int:
        """Add one key (gensim: returns its index)."""
        self.add_vectors([key], np.asarray(vector).reshape(1, -1))
        return self.get_index(key)

    def astype(self, dtype) -> "KeyedVectors":
        """A copy whose matrix is stored as ``dtype`` (e.g. ``np.float16`` to halve memory)."""
        other = self._like(np.asarray(self.vectors, dtype=dtype))
        return other

    def _like(self, vectors) -> "KeyedVectors":
        other = type(self)(self.vector_size, 0, dtype=vectors.dtype)
        other.vectors = vectors
        if int_index_of(self.key_to_index) is not None:
            other.index_to_key, other.key_to_index = key_index(self.index_to_key)  # a copy of the keys
        else:
            other.index_to_key = list(self.index_to_key)
            other.key_to_index = dict(self.key_to_index)
        other.next_index = len(other.index_to_key)
        other.expandos = {k: v.copy() for k, v in self.expandos.items()}
        other.vectors_lockf = self.vectors_lockf.copy()
        return other

    def vectors_for_all(self, keys, allow_inference: bool = True, copy_vecattrs: bool = False) -> "KeyedVectors":
        """A new KeyedVectors of ``keys`` that are known, in the order given, each once
        (gensim's; ``allow_inference`` matters only for FastText's subword vectors,
        which fastw2v does not train). With ``copy_vecattrs`` the per-key attributes
        (``count``, ...) come along."""
        chosen = list(dict.fromkeys(k for k in keys if k in self))
        other = type(self)(self.vector_size, 0, dtype=self.vectors.dtype)
        if not chosen:
            return other
        rows = self.get_indices(chosen)
        # gensim makes up descending counts, then copies the real attributes over them
        extras = {"count": np.arange(len(chosen), 0, -1, dtype=np.int64)}
        if copy_vecattrs:
            extras.update((attr, vals[rows]) for attr, vals in self.expandos.items())
        other.add_vectors(chosen, np.asarray(self.vectors[rows]), extras=extras)
        return other

    def sort_by_descending_frequency(self) -> None:
        """Reorder keys by descending ``count``, equal counts the later key first (gensim's
        order, as in a built vocabulary). Works before any vectors exist (gensim's
        idiom: keys and counts, sort, then ``resize_vectors``)."""
        if "count" not in self.expandos or not len(self):
            return
        self.allocate_vecattrs()
        counts = np.asarray(self.expandos["count"], dtype=np.int64)
        order = np.lexsort((-np.arange(len(counts)), -counts))
        if int_index_of(self.key_to_index) is not None:
            keys = np.asarray(self.index_to_key)[order]
        else:
            keys = [self.index_to_key[i] for i in order]
        self.index_to_key, self.key_to_index = key_index(keys, copy=False)
        self.expandos = {k: v[order] for k, v in self.expandos.items()}
        if len(self.vectors):
            self.vectors = np.ascontiguousarray(self.vectors[order])
            self.vectors_lockf = self.vectors_lockf[order]

    # -- queries ------------------------------------------------------------
    def _weighted_terms(self, positive, negative):
        """(keys-or-vectors, weights) in gensim's convention: +1 / -1, or (item, weight) pairs."""
        items, weights = [], []
        for default, group in ((1.0, _as_list(positive)), (-1.0, _as_list(negative))):
            for item in group:
                # gensim: anything not a key or a vector is a (key-or-vector, weight) pair
                if isinstance(item, (tuple, list)) and len(item) == 2 and not isinstance(item[0], (tuple, list)):
                    item, w = item
                else:
                    w = default
                items.append(item)
                weights.append(float(w))
        return items, np.asarray(weights, dtype=REAL)

    def get_mean_vector(self, keys, weights=None, pre_normalize=True, post_normalize=False,
                        ignore_missing=True) -> np.ndarray:
        """Weighted mean of the vectors of ``keys`` (keys or raw vectors), e.g. a sentence vector.

        Each key's vector is unit-normalised first when ``pre_normalize``; raw
        vectors are used as given. The sum is divided by the total absolute
        weight of the items used; missing keys are skipped when
        ``ignore_missing``, otherwise they raise ``KeyError``.
        """
        keys = _as_list(keys)
        if len(keys) == 0:
            raise ValueError("cannot compute mean with no input")
        weights = np.ones(len(keys), dtype=REAL) if weights is None else np.asarray(weights, dtype=REAL)
        if weights.shape != (len(keys),):
            raise ValueError(f"keys and weights must have the same length, got {len(keys)} and {weights.shape}")
        rows, row_w, raw, raw_w = [], [], [], []
        for item, w in zip(keys, weights):
            if isinstance(item, np.ndarray):
                raw.append(item)
                raw_w.append(w)
            else:
                idx = self.get_index(item, -1)
                if idx >= 0:
                    rows.append(idx)
                    row_w.append(w)
                elif not ignore_missing:
                    raise KeyError(f"Key {item!r} not present in vocabulary")
        mean = np.zeros(self.vector_size, dtype=REAL)
        if rows:
            vecs = np.asarray(self.vectors[rows], dtype=REAL)
            if pre_normalize:
                self.fill_norms()
                vecs = vecs / search.safe_norms(self._norms[rows])[:, None]
            mean += np.asarray(row_w, dtype=REAL) @ vecs
        if raw:
            mean += np.asarray(raw_w, dtype=REAL) @ np.asarray(raw, dtype=REAL).reshape(len(raw), -1)
        total = float(np.abs(row_w).sum() + np.abs(raw_w).sum())
        if total > 0:
            mean /= total
        return search.unit(mean) if post_normalize else mean

    def sentence_vectors(self, sentences, weights=None, pre_normalize=True, post_normalize=False) -> np.ndarray:
        """One mean vector per tokenised sentence, as a (len(sentences), vector_size) float32 matrix.

        Unknown tokens are skipped; a sentence with no known token gets a zero
        row. ``weights`` optionally maps key -> weight (e.g. IDF); missing keys
        weigh 1. The rows are summed with one ``np.add.reduceat`` instead of a
        Python loop over vectors.
        """
        index_of = self.key_to_index
        flat, lengths, wts = [], [], []
        for sentence in sentences:
            idx = [index_of[t] for t in sentence if t in index_of]
            flat.extend(idx)
            lengths.append(len(idx))
            if weights is not None:
                wts.extend(float(weights.get(self.index_to_key[i], 1.0)) for i in idx)
        out = np.zeros((len(lengths), self.vector_size), dtype=REAL)
        if not flat:
            return out
        flat = np.asarray(flat, dtype=np.intp)
        w = np.ones(len(flat), dtype=REAL) if weights is None else np.asarray(wts, dtype=REAL)
        if pre_normalize:
            self.fill_norms()
            w = w / search.safe_norms(self._norms[flat])
        lengths = np.asarray(lengths)
        nonempty = lengths > 0
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])[nonempty]
        rows = np.asarray(self.vectors[flat], dtype=REAL) * w[:, None]
        sums = np.add.reduceat(rows, starts, axis=0)
        raw_w = np.abs(np.asarray(wts, dtype=REAL) if weights is not None else np.ones(len(flat), dtype=REAL))
        totals = np.add.reduceat(raw_w, starts)
        out[nonempty] = sums / np.where(totals > 0, totals, 1.0)[:, None]
        return search.unit(out) if post_normalize else out

    def _scores(self, queries: np.ndarray, start: int = 0, stop: int | None = None) -> np.ndarray:
        stop = len(self.vectors) if stop is None else min(stop, len(self.vectors))
        return search.cosine_scores(queries, self._unit_matrix(), self.vectors, self._norms, start, stop)

    def most_similar(self, positive=None, negative=None, topn=10, clip_start=0, clip_end=None,
                     restrict_vocab=None, indexer=None):
        """Top-n keys by cosine similarity to the weighted mean of ``positive`` minus ``negative``.

        Parameters
        ----------
        positive, negative : key, vector, or list of keys / vectors / (item, weight) pairs
            Keys are unit-normalised, raw vectors used as given (as in gensim).
        topn : int or None
            Number of results; ``None`` returns the similarity of every row in range.
        clip_start, clip_end : int
            Search only rows ``[clip_start, clip_end)``.
        restrict_vocab : int, optional
            Search only the first ``restrict_vocab`` rows (overrides the clips).
        indexer : object with ``most_similar(vector, topn)``, optional
            An approximate index, e.g. from :meth:`build_index`.

        Returns
        -------
        list of (key, float), or numpy.ndarray when ``topn`` is None
            Input keys are left out of the results.

        Examples
        --------
        >>> kv = KeyedVectors(2)
        >>> kv.add_vectors(["x", "y", "z"], [[1, 0], [1, 1], [0, 1]])
        >>> [k for k, _ in kv.most_similar("x", topn=2)]
        ['y', 'z']
        """
        if isinstance(topn, (int, np.integer)) and topn < 1:
            return []
        items, weights = self._weighted_terms(positive, negative)
        if not items:
            raise ValueError("cannot compute similarity with no input")
        query = self.get_mean_vector(items, weights, pre_normalize=True, post_normalize=True,
                                     ignore_missing=False)
        if indexer is not None and isinstance(topn, (int, np.integer)):
            return indexer.most_similar(query, topn)
        if restrict_vocab:
            clip_start, clip_end = 0, restrict_vocab
        clip_end = len(self.vectors) if clip_end is None else min(clip_end, len(self.vectors))
        if not topn:
            return self._scores(query[None, :], clip_start, clip_end)[0]
        exclude = [self.get_index(k) for k in items if not isinstance(k, np.ndarray)]
        return self._nearest_keys(query[None, :], topn, [exclude], clip_start, clip_end)[0]

    def _nearest_keys(self, queries, topn, excludes, start=0, stop=None):
        """``[(key, cosine), ...]`` per unit query over rows ``[start, stop)``; see :func:`search.nearest`."""
        stop = len(self.vectors) if stop is None else min(stop, len(self.vectors))
        normed = self._unit_matrix()
        rows, scores = search.nearest(queries, normed, self.vectors, self._norms, start, stop, topn, excludes)
        keys = self.index_to_key
        return [[(keys[i], s) for i, s in zip(r, sc) if i >= 0] for r, sc in zip(rows.tolist(), scores.tolist())]

    def _top_results(self, scores, topn, excludes, offset=0):
        for row, exclude in zip(scores, excludes):
            ex = [e for e in exclude if 0 <= e < scores.shape[1]]
            row[ex] = -np.inf
        best = search.top_k(scores, topn)
        keys = self.index_to_key
        return [[(keys[i + offset], float(s[i])) for i in b if s[i] != -np.inf]
                for b, s in zip(best, scores)]

    def most_similar_batch(self, queries, topn=10, restrict_vocab=None):
        """Answer many ``most_similar`` queries with one matrix product per block of queries.

        Parameters
        ----------
        queries : list of keys, or 2-D array of vectors
            A key is excluded from its own results (as ``most_similar(key)`` does).
        topn : int
        restrict_vocab : int, optional

        Returns
        -------
        list of list of (key, float)
            ``result[i] == most_similar(queries[i], topn=topn, restrict_vocab=restrict_vocab)``.
        """
        if isinstance(queries, np.ndarray) and queries.ndim == 2:
            if queries.shape[1] != self.vector_size:
                raise ValueError(f"query vectors must have {self.vector_size} columns, got {queries.shape[1]}")
            q = search.unit(queries)
            excludes = [[] for _ in range(len(q))]
        else:
            idx = self.get_indices(list(queries))
            q = self._unit_matrix()[idx] if self._cacheable() else search.unit(
                np.asarray(self.vectors[idx], dtype=REAL))
            excludes = [[i] for i in idx]
        stop = len(self.vectors) if not restrict_vocab else min(restrict_vocab, len(self.vectors))
        return self._nearest_keys(q, topn, excludes, 0, stop)

    def similar_by_key(self, key, topn=10, restrict_vocab=None):
        """Keys most similar to ``key``."""
        return self.most_similar(positive=[key], topn=topn, restrict_vocab=restrict_vocab)

    def similar_by_word(self, word, topn=10, restrict_vocab=None):
        """gensim's name (and argument name) for :meth:`similar_by_key`."""
        return self.similar_by_key(word, topn=topn, restrict_vocab=restrict_vocab)

    def similar_by_vector(self, vector, topn=10, restrict_vocab=None):
        """Keys most similar to a raw vector."""
        return self.most_similar(positive=[np.asarray(vector)], topn=topn, restrict_vocab=restrict_vocab)

    def most_similar_cosmul(self, positive=None, negative=None, topn=10, restrict_vocab=None):
        """Top-n keys by 3CosMul (Levy & Goldberg 2014, eq. 4).

        Cosines are shifted to [0, 1] as ``(1 + cos) / 2`` (their footnote 7),
        and the result is prod(positive) / (prod(negative) + 1e-6).
        """
        if isinstance(topn, (int, np.integer)) and topn < 1:
            return []
        positive, negative = _as_list(positive), _as_list(negative)
        if not positive:
            raise ValueError("cannot compute similarity with no input")
        exclude = [self.get_index(k) for k in positive + negative if not isinstance(k, np.ndarray)]
        stop = len(self.vectors) if not restrict_vocab else min(restrict_vocab, len(self.vectors))

        def terms(group):
            return np.vstack([np.asarray(k, dtype=REAL) if isinstance(k, np.ndarray)
                              else self.get_vector(k, norm=True) for k in group])

        pos = (1 + self._scores(terms(positive), 0, stop)) / 2
        dists = np.prod(pos, axis=0)
        if negative:
            dists = dists / (np.prod((1 + self._scores(terms(negative), 0, stop)) / 2, axis=0) + 1e-6)
        if not topn:
            return dists
        return self._top_results(dists[None, :].astype(REAL), topn, [exclude])[0]

    def similarity(self, w1, w2) -> float:
        """Cosine similarity of two keys, from their rows as they are now (as gensim's)."""
        return float(np.dot(search.unit(self.get_vector(w1)), search.unit(self.get_vector(w2))))

    def distance(self, w1, w2) -> float:
        """Cosine distance, ``1 - similarity``."""
        return 1 - self.similarity(w1, w2)

    def n_similarity(self, ws1, ws2) -> float:
        """Cosine similarity of the (unnormalised) mean vectors of two sets of keys."""
        if not (len(ws1) and len(ws2)):
            raise ZeroDivisionError("At least one of the passed lists is empty.")
        a = self.get_mean_vector(ws1, pre_normalize=False)  # unknown keys skipped, as gensim 4
        b = self.get_mean_vector(ws2, pre_normalize=False)
        return float(np.dot(search.unit(a), search.unit(b)))

    def wmdistance(self, document1, document2, norm: bool = True) -> float:
        """Word Mover's Distance between two token lists, as gensim's: unknown
        tokens left out, each document a bag of its words weighted by frequency,
        Euclidean distance between (with ``norm``, unit) vectors; inf when a
        document has no known token, 0 when both hold one and the same word.
        Needs POT (``pip install fastw2v[wmd]``), see search.word_movers_distance."""
        docs = []
        for document in (document1, document2):
            known = [k for k in document if k in self]
            if len(known) < len(document):
                logger.info("wmdistance: left out %d unknown tokens", len(document) - len(known))
            docs.append(known)
        if not docs[0] or not docs[1]:
            logger.warning("At least one of the documents had no words that were in the vocabulary.")
            return float("inf")
        bags = [collections.Counter(d) for d in docs]
        if len(bags[0].keys() | bags[1].keys()) == 1:
            return 0.0
        rows = [np.array([self.get_vector(k, norm=norm) for k in bag]) for bag in bags]
        weights = [np.fromiter(bag.values(), dtype=np.float64) / len(d) for bag, d in zip(bags, docs)]
        return search.word_movers_distance(rows[0], weights[0], rows[1], weights[1])

    @staticmethod
    def cosine_similarities(vector_1, vectors_all) -> np.ndarray:
        """Cosine of ``vector_1`` with each row of ``vectors_all`` (0 for a zero row), from
        the rows as they are: dot products over norms, with no normalised copy of the rows."""
        query = search.unit(vector_1)
        if not isinstance(vectors_all, np.ndarray) or vectors_all.dtype != REAL:
            vectors_all = np.asarray(vectors_all, dtype=REAL)
        return (vectors_all @ query) / search.safe_norms(search.row_norms(vectors_all))

    def distances(self, word_or_vector, other_words=()) -> np.ndarray:
        """Cosine distances from a key or vector to ``other_words`` (to every key when empty)."""
        query = self.get_vector(word_or_vector) if isinstance(word_or_vector, _KEY_TYPES) else word_or_vector
        # from the rows as they are now, as gensim's (not the queries' cached norms)
        if other_words is None or len(other_words) == 0:
            return 1 - self.cosine_similarities(query, self.vectors)
        return 1 - self.cosine_similarities(query, self[list(other_words)])

    def rank_by_centrality(self, words, use_norm=True):
        """``[(similarity, key), ...]`` to the centroid of ``words``, most central first."""
        used = [w for w in words if w in self]
        if not used:
            raise ValueError("cannot select a word from an empty list")
        vecs = np.asarray(self[used], dtype=REAL)
        if use_norm:
            vecs = search.unit(vecs)
        sims = vecs @ search.unit(vecs.mean(axis=0))
        return sorted(zip(sims.tolist(), used), reverse=True)

    def doesnt_match(self, words):
        """The key of ``words`` furthest from their centroid (unknown keys are ignored)."""
        return self.rank_by_centrality(words)[-1][1]

    def most_similar_to_given(self, key1, keys_list):
        """The key of ``keys_list`` most similar to ``key1``."""
        sims = self.cosine_similarities(self.get_vector(key1), self[list(keys_list)])
        return keys_list[int(np.argmax(sims))]

    def closer_than(self, key1, key2) -> list:
        """All keys closer to ``key1`` than ``key2`` is."""
        i1, i2 = self.get_index(key1), self.get_index(key2)
        dists = self.distances(key1)
        return [self.index_to_key[i] for i in np.flatnonzero(dists < dists[i2]) if i != i1]

    def words_closer_than(self, word1, word2) -> list:
        """gensim's name (and argument names) for :meth:`closer_than`."""
        return self.closer_than(word1, word2)

    def rank(self, key1, key2) -> int:
        """1 + the number of keys closer to ``key1`` than ``key2`` is."""
        return len(self.closer_than(key1, key2)) + 1

    def relative_cosine_similarity(self, wa, wb, topn=10) -> float:
        """Similarity of ``wa`` and ``wb`` divided by the sum over ``wa``'s top-n (Leeuwenberg et al.)."""
        top = self.most_similar(wa, topn=topn)
        if not top:
            raise ValueError("Cannot calculate relative cosine similarity without any similar words.")
        return self.similarity(wa, wb) / sum(s for _, s in top)

    # -- evaluation, formats, approximate search, interop (see their modules)
    def similarity_unseen_docs(self, *args, **kwargs):
        raise NotImplementedError("Call similarity_unseen_docs on a Doc2Vec model instead.")  # as gensim 4

    @staticmethod
    def log_accuracy(section) -> None:
        """Log one section of :meth:`evaluate_word_analogies`' result."""
        from .evaluation import log_accuracy
        log_accuracy(section)

    @staticmethod
    def log_evaluate_word_pairs(pearson, spearman, oov, pairs) -> None:
        """Log a result of :meth:`evaluate_word_pairs`."""
        from .evaluation import log_evaluate_word_pairs
        log_evaluate_word_pairs(pearson, spearman, oov, pairs)

    def evaluate_word_analogies(self, analogies, restrict_vocab=300000, case_insensitive=True,
                                dummy4unknown=False, similarity_function="most_similar"):
        """Accuracy on a questions-words analogy file; see :func:`fastw2v.evaluation.evaluate_word_analogies`."""
        from .evaluation import evaluate_word_analogies
        return evaluate_word_analogies(self, analogies, restrict_vocab, case_insensitive, dummy4unknown)

    def evaluate_word_pairs(self, pairs, delimiter="\t", encoding="utf8", restrict_vocab=300000,
                            case_insensitive=True, dummy4unknown=False):
        """Correlation with human similarity scores; see :func:`fastw2v.evaluation.evaluate_word_pairs`."""
        from .evaluation import evaluate_word_pairs
        return evaluate_word_pairs(self, pairs, delimiter, encoding, restrict_vocab,
                                   case_insensitive, dummy4unknown)

    def save_word2vec_format(self, fname, fvocab=None, binary=False, total_vec=None,
                             write_header=True, prefix="", append=False, sort_attr="count"):
        """Write the word2vec C format; see :func:`fastw2v.formats.save_word2vec_format`."""
        from .formats import save_word2vec_format
        save_word2vec_format(self, fname, fvocab=fvocab, binary=binary, total_vec=total_vec,
                             write_header=write_header, prefix=prefix, append=append, sort_attr=sort_attr)

    @classmethod
    def load_word2vec_format(cls, fname, fvocab=None, binary=False, encoding="utf8",
                             unicode_errors="strict", limit=None, datatype=REAL, no_header=False):
        """Read the word2vec C format or GloVe text; see :func:`fastw2v.formats.load_word2vec_format`."""
        from .formats import load_word2vec_format
        return load_word2vec_format(fname, fvocab=fvocab, binary=binary, encoding=encoding,
                                    unicode_errors=unicode_errors, limit=limit, datatype=datatype,
                                    no_header=no_header, cls=cls)

    def intersect_word2vec_format(self, fname, lockf=0.0, binary=False, encoding="utf8",
                                  unicode_errors="strict") -> int:
        """Copy pretrained vectors into known keys' rows and set their ``vectors_lockf``; returns the overlap."""
        from .formats import intersect_word2vec_format
        return intersect_word2vec_format(self, fname, lockf=lockf, binary=binary, encoding=encoding,
                                         unicode_errors=unicode_errors)

    def save(self, fname, dtype=None) -> None:
        """Save in the native format (JSON + ``.npy``); see :func:`fastw2v.persist.save_keyedvectors`."""
        from .persist import save_keyedvectors
        save_keyedvectors(self, fname, dtype=dtype)

    @classmethod
    def load(cls, fname, mmap=None) -> "KeyedVectors":
        """Load what :meth:`save` wrote; ``mmap='r'`` maps the matrix instead of reading it."""
        from .persist import load_keyedvectors
        return load_keyedvectors(fname, mmap=mmap, cls=cls)

    @classmethod
    def load_gensim(cls, fname, mmap=None) -> "KeyedVectors":
        """Read a gensim 4 ``.kv`` / Word2Vec ``.model`` file without running pickled code."""
        from .gensim_compat import load_gensim_keyedvectors
        return load_gensim_keyedvectors(fname, mmap=mmap, cls=cls)

    def build_index(self, method="hnsw", **params):
        """Build an approximate nearest-neighbour index, kept as ``self.index``; see :mod:`fastw2v.ann`."""
        from .ann import build_index
        self.index = build_index(self, method=method, **params)
        return self.index

    def embedding_matrix(self, keys=None, padding=False, unknown=None) -> np.ndarray:
        """Rows for ``keys`` in order, plus optional padding / unknown rows; see :mod:`fastw2v.interop`."""
        from .interop import embedding_matrix
        return embedding_matrix(self, keys=keys, padding=padding, unknown=unknown)

    def to_torch(self, freeze=True, padding_idx=None, keys=None, padding=False, unknown=None):
        """A ``torch.nn.Embedding`` holding these vectors; see :func:`fastw2v.interop.to_torch`."""
        from .interop import to_torch
        return to_torch(self, freeze=freeze, padding_idx=padding_idx, keys=keys, padding=padding, unknown=unknown)

    def project_2d(self, keys=None, method="pca", seed=0) -> np.ndarray:
        """2-D coordinates of ``keys``; see :func:`fastw2v.projection.project_2d`."""
        from .projection import project_2d
        return project_2d(self, keys, method=method, seed=seed)

    def plot(self, keys, path, method="pca", seed=0, groups=None, **options) -> None:
        """Write a labelled scatter plot (coloured by ``groups``); see :func:`fastw2v.projection.plot`."""
        from .projection import plot
        plot(self, keys, path, method=method, seed=seed, groups=groups, **options)
