"""Reading gensim 4 ``.kv`` / Word2Vec ``.model`` files without running pickled code.

gensim saves with pickle, and ``pickle.load`` calls whatever global the
file names (``os.system`` included), so loading a stranger's model runs
their code. Here a restricted unpickler resolves only an allow-list of
globals: the gensim classes become inert records of their attributes,
NumPy's array/dtype reconstructors and ``defaultdict(int)`` are the real
things, and the bits of state fastw2v has no use for (gensim's RNG, its
hash function) become placeholders. Any other global is refused with an
``UnpicklingError`` naming it.

gensim's ``SaveLoad`` stores large arrays beside the pickle as
``<file>.<attr>.npy`` (``.npz`` for compressed saves) and lists them in
``__numpys``; sub-objects saved that way are named in
``__recursive_saveloads``. Those arrays are read with ``allow_pickle=False``.
"""
from __future__ import annotations

import collections
import io
import os
import pickle

import numpy as np
from numpy._core import multiarray

from .formats import _open
from .key_index import is_int_keyed, key_index
from .validation import check_mmap

_GENSIM_CLASSES = {
    ("gensim.models.keyedvectors", "KeyedVectors"),
    ("gensim.models.keyedvectors", "Word2VecKeyedVectors"),
    ("gensim.models.keyedvectors", "CompatVocab"),
    ("gensim.models.keyedvectors", "Vocab"),
    ("gensim.models.word2vec", "Word2Vec"),
}
_NUMPY = {
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
    ("numpy._core.multiarray", "_reconstruct"): multiarray._reconstruct,
    ("numpy.core.multiarray", "_reconstruct"): multiarray._reconstruct,
    ("numpy._core.multiarray", "scalar"): multiarray.scalar,
    ("numpy.core.multiarray", "scalar"): multiarray.scalar,
    ("collections", "defaultdict"): collections.defaultdict,
    ("builtins", "int"): int,
    ("builtins", "float"): float,
    ("builtins", "set"): set,
    ("builtins", "frozenset"): frozenset,
}
# State that gensim pickles but fastw2v never uses: replaced by inert placeholders.
_IGNORED = {
    ("numpy.random._pickle", "__randomstate_ctor"),
    ("numpy.random._pickle", "__bit_generator_ctor"),
    ("numpy.random._pickle", "__generator_ctor"),
    ("numpy.random._mt19937", "MT19937"),
    ("numpy.random.mtrand", "RandomState"),
    ("builtins", "hash"),
    ("gensim.utils", "call_on_class_only"),
}


class GensimRecord:
    """An unpickled gensim object: only its attribute dict, no behaviour."""

    gensim_class = "?"

    def __setstate__(self, state):
        if isinstance(state, tuple) and len(state) == 2:  # (dict, slots)
            state = {**(state[0] or {}), **(state[1] or {})}
        if not isinstance(state, dict):
            raise pickle.UnpicklingError(f"unexpected state for {self.gensim_class}: {type(state).__name__}")
        self.__dict__.update(state)


class Placeholder:
    """Stands in for ignored state (RNG, hash function); accepts any construction."""

    def __init__(self, *args, **kwargs):
        pass

    def __call__(self, *args, **kwargs):
        return Placeholder()

    def __setstate__(self, state):
        pass


class _RestrictedUnpickler(pickle.Unpickler):
    def __init__(self, fh, path):
        super().__init__(fh)
        self.path = path

    def find_class(self, module, name):
        if (module, name) in _GENSIM_CLASSES:
            return type(name, (GensimRecord,), {"gensim_class": f"{module}.{name}"})
        if (module, name) in _NUMPY:
            return _NUMPY[(module, name)]
        if (module, name) in _IGNORED:
            return Placeholder()
        raise pickle.UnpicklingError(
            f"{self.path}: refusing to load '{module}.{name}': fastw2v only reads gensim "
            "KeyedVectors / Word2Vec models and NumPy arrays from pickles (this file may run code)")

    def persistent_load(self, pid):
        raise pickle.UnpicklingError(f"{self.path}: persistent ids are not supported")


def _array_file(fname, attrib, compressed):
    return f"{fname}.{attrib}.npz" if compressed else f"{fname}.{attrib}.npy"


def _load_specials(obj, fname, mmap, compressed):
    """Attach the arrays gensim stored in separate files (gensim's ``SaveLoad._load_specials``)."""
    state = obj.__dict__
    for attrib in state.pop("__recursive_saveloads", []):
        _load_specials(state[attrib], f"{fname}.{attrib}", mmap, compressed)
    for attrib in state.pop("__numpys", []):
        path = _array_file(fname, attrib, compressed)
        if not os.path.exists(path):
            raise FileNotFoundError(f"gensim stored array {attrib!r} of {fname} in {path}, which is missing")
        if compressed:
            with np.load(path, allow_pickle=False) as archive:
                state[attrib] = archive["val"]
        else:
            state[attrib] = np.load(path, mmap_mode=mmap, allow_pickle=False)
    if state.pop("__scipys", []):
        raise ValueError(f"{fname} stores scipy sparse matrices, which no word2vec model has")
    for attrib in state.pop("__ignoreds", []):
        state[attrib] = None


def _plain(value):
    if isinstance(value, GensimRecord):
        out = {"__class__": value.gensim_class}
        out.update((k, _plain(v)) for k, v in value.__dict__.items())
        return out
    if isinstance(value, Placeholder):
        return None
    if isinstance(value, (collections.defaultdict,)):
        return dict(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def load_gensim_object(fname, mmap=None) -> dict:
    """Restricted-unpickle a gensim 4 save into plain data.

    Parameters
    ----------
    fname : str
        A file written by gensim's ``KeyedVectors.save`` or ``Word2Vec.save``
        (``.gz`` / ``.bz2`` too); arrays gensim stored beside it are read.
    mmap : None or 'r'
        Memory-map the separately stored arrays.

    Returns
    -------
    dict
        The object's attributes, with ``'__class__'`` holding gensim's class
        path. Nested gensim objects are dicts of the same form (for a
        ``Word2Vec``: ``d['wv']`` is the KeyedVectors dict with ``'vectors'``,
        ``'index_to_key'``, ``'key_to_index'``, ``'expandos'``,
        ``'vectors_lockf'``; ``d['syn1neg']``, ``d['syn1']``, ``d['cum_table']``
        (None: gensim does not save it), and the training parameters such as
        ``'vector_size'``, ``'window'``, ``'sg'``, ``'hs'``, ``'negative'``,
        ``'sample'``, ``'alpha'``, ``'min_alpha'``, ``'epochs'``, ``'ns_exponent'``,
        ``'cbow_mean'``, ``'min_count'``, ``'corpus_count'``). gensim's RNG,
        hash function and ``load`` attribute become None.

    Raises
    ------
    pickle.UnpicklingError
        The file names a class outside the allow-list (the message names it).
    """
    check_mmap(mmap)
    fname = os.fspath(fname)
    with _open(fname, "rb") as fh:
        data = fh.read()
    if data[:1] != b"\x80":
        raise ValueError(f"{fname} is not a pickle file (gensim's save format)")
    obj = _RestrictedUnpickler(io.BytesIO(data), fname).load()
    if not isinstance(obj, GensimRecord):
        raise ValueError(f"{fname} does not hold a gensim object (got {type(obj).__name__})")
    _load_specials(obj, fname, mmap, fname.endswith((".gz", ".bz2")))
    return _plain(obj)


def load_gensim_keyedvectors(fname, mmap=None, cls=None):
    """A fastw2v ``KeyedVectors`` from a gensim 4 ``.kv`` file or a Word2Vec model's ``wv``."""
    from .keyedvectors import KeyedVectors
    cls = cls or KeyedVectors
    obj = load_gensim_object(fname, mmap=mmap)
    if "wv" in obj and isinstance(obj["wv"], dict):
        obj = obj["wv"]
    if "index_to_key" not in obj or "vectors" not in obj:
        raise ValueError(f"{fname}: a {obj.get('__class__')} without index_to_key/vectors; "
                         "gensim 3 models must be loaded and re-saved with gensim 4 first")
    vectors = obj["vectors"]
    keys = list(obj["index_to_key"])
    kv = cls(int(vectors.shape[1]), 0, dtype=vectors.dtype)
    kv.vectors = vectors if mmap else np.ascontiguousarray(vectors)
    if is_int_keyed(keys):  # item / node IDs: one int64 array and a C index (fastw2v/key_index.py)
        kv.index_to_key, kv.key_to_index = key_index(keys)
    else:
        kv.index_to_key = keys
        kv.key_to_index = dict(obj.get("key_to_index") or {k: i for i, k in enumerate(keys)})
    kv.next_index = len(keys)
    kv.expandos = {k: np.asarray(v) for k, v in (obj.get("expandos") or {}).items()}
    lockf = obj.get("vectors_lockf")
    if lockf is not None and np.size(lockf) in (1, len(keys)):
        # gensim keeps a length-1 array meaning "the same for every row"
        kv.vectors_lockf = np.broadcast_to(np.asarray(lockf, dtype=np.float32).reshape(-1), (len(keys),))
    return kv
