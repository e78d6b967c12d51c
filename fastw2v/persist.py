"""Saving and loading ``KeyedVectors`` in the native format (see :mod:`fastw2v.native`).

What goes where::

    kv.model                       JSON: vector_size, key type, str keys, attribute names
    kv.model.vectors.npy           the matrix (float32, or float16 with dtype=np.float16)
    kv.model.vectors_lockf.npy     per-row training multipliers
    kv.model.keys.npy              int64 keys, for integer-keyed sets
    kv.model.expando.<name>.npy    per-key attributes such as ``count``
    kv.model.ann                   an approximate-search index, when one was built

Keys are stored as data (a JSON list or an int64 array), never pickled.
"""
from __future__ import annotations

import logging
import os

import numpy as np

from .key_index import key_index
from .native import load_arrays, pack_keys, reading_header, save_arrays, unpack_keys

logger = logging.getLogger(__name__)

_EXPANDO = "expando."


def ann_path(path) -> str:
    return f"{os.fspath(path)}.ann"


def save_keyedvectors(kv, path, dtype=None) -> None:
    """Write ``kv`` to ``path`` (+ ``.npy`` files beside it), atomically.

    ``dtype`` (e.g. ``np.float16``) converts the stored matrix; queries on
    the loaded float16 set run in float32 chunks.
    """
    keys = kv.index_to_key
    if isinstance(keys, list) and None in keys:  # a pre-allocated KeyedVectors(size, count) not yet filled
        keys = keys[:len(kv.key_to_index)]
    key_meta, key_arrays = pack_keys(keys)
    vectors = kv.vectors[:len(keys)]
    arrays = {
        "vectors": np.ascontiguousarray(vectors if dtype is None else np.asarray(vectors, dtype=dtype)),
        "vectors_lockf": kv.vectors_lockf[:len(keys)],
    }
    for name, values in kv.expandos.items():
        arrays[_EXPANDO + name] = values[:len(keys)]
    meta = {"kind": "KeyedVectors", "vector_size": kv.vector_size, **key_meta}
    arrays.update(key_arrays)
    if getattr(kv, "index", None) is not None and kv.index.stale:
        logger.warning("the approximate index of %s is stale (the vectors changed since it was built) "
                       "and is not saved; rebuild it with build_index()", path)
    elif getattr(kv, "index", None) is not None:
        tmp = ann_path(path) + ".tmp"
        kv.index.save(tmp)
        os.replace(tmp, ann_path(path))
        meta["ann"] = kv.index.describe()
    save_arrays(path, meta, arrays)


def load_keyedvectors(path, mmap=None, cls=None):
    """Read what :func:`save_keyedvectors` wrote; ``mmap='r'`` maps the matrix read-only."""
    from .keyedvectors import KeyedVectors
    cls = cls or KeyedVectors
    meta, arrays = load_arrays(path, mmap=mmap)
    with reading_header(path):
        if meta.get("kind") != "KeyedVectors":
            raise ValueError(f"{path} holds a {meta.get('kind')!r}, not KeyedVectors")
        vectors = arrays["vectors"]
        keys = unpack_keys(meta, arrays)
        if vectors.ndim != 2 or vectors.shape != (len(keys), meta["vector_size"]):
            raise ValueError(f"{path}: matrix shape {vectors.shape} does not match {len(keys)} keys "
                             f"x {meta['vector_size']} dimensions")
        kv = cls(meta["vector_size"], 0, dtype=vectors.dtype)
        kv.vectors = vectors
        kv.index_to_key, kv.key_to_index = key_index(keys, copy=False)
        kv.next_index = len(keys)
        kv.vectors_lockf = np.array(arrays.get("vectors_lockf", np.ones(len(keys))), dtype=np.float32)
        kv.expandos = {name[len(_EXPANDO):]: np.array(a)
                       for name, a in arrays.items() if name.startswith(_EXPANDO)}
    if "ann" in meta:
        try:
            from .ann import load_index
            kv.index = load_index(ann_path(path), kv, meta["ann"])
        # hnswlib missing, the .ann file lost or bad, or its header entry malformed
        except (ImportError, RuntimeError, OSError, ValueError, LookupError, TypeError, AttributeError) as exc:
            logger.warning("%s has an approximate-search index that cannot be loaded (%s); "
                           "exact search still works", path, exc)
    return kv
