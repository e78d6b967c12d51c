"""How ``KeyedVectors`` maps keys to rows: ``index_to_key`` and ``key_to_index``.

String keys keep gensim's representation, a list and a dict. Integer keys
(item IDs, graph nodes) would cost a Python int object, a list slot and a
dict entry each -- about 150 bytes per key, more than the vectors at small
dimensions. They are kept instead as one int64 array with a C hash index
beside it (`fastw2v._int_keys.IntIndex`, about 14 bytes per key in all), and
``index_to_key`` / ``key_to_index`` are read-only views of it that behave like
the list and the dict: indexing and iteration give Python ints,
``list(kv.index_to_key)`` and ``dict(kv.key_to_index)`` work, ``k in``,
``get``, ``items()``, ``len`` work. Training encodes integer corpora with the
same index, so the vocabulary's keys exist once.

Keys change only through ``KeyedVectors`` (``add_vectors``, training's
vocabulary update): the views refuse item assignment, ``append`` and the
like, with an error that says so.
"""
from __future__ import annotations

import operator
from collections.abc import Mapping, Sequence

import numpy as np

from fastw2v._int_keys import IntIndex

_READ_ONLY = ("the keys of an integer-keyed KeyedVectors are read-only views of one C index; "
              "add keys with kv.add_vectors(keys, vectors)")


#: what a single key may be (anything else passed where keys go is a collection of them)
KEY_TYPES = (str, int, np.integer)


def key_list(keys) -> list:
    """``keys`` as a list; one key (a str or an int) is a list of one, never its characters."""
    return [keys] if isinstance(keys, KEY_TYPES) else list(keys)


def _position(index: IntIndex, key) -> int:
    """Row of ``key`` in ``index``, or -1; anything that is not an int64 integer is absent."""
    if isinstance(key, (bool, np.bool_)):
        key = int(key)  # as in a dict, True is the key 1
    elif isinstance(key, (float, np.floating)) and float(key).is_integer():
        key = int(key)  # and 1.0 is the key 1 too (hashes equal)
    try:
        key = operator.index(key)
    except TypeError:
        return -1
    return index.find(key) if -2 ** 63 <= key < 2 ** 63 else -1


class IntKeys(Sequence):
    """``index_to_key`` of an integer-keyed set: position -> key, as Python ints.

    A slice gives a list (as slicing gensim's list does); ``np.asarray(view)``
    gives the int64 keys without copying.
    """

    __slots__ = ("int_index",)

    def __init__(self, index: IntIndex):
        self.int_index = index

    def __len__(self) -> int:
        return len(self.int_index)

    def __getitem__(self, position):
        keys = self.int_index.keys
        if isinstance(position, slice):
            return keys[position].tolist()
        return int(keys[position])

    def __iter__(self):
        keys = self.int_index.keys
        for start in range(0, len(keys), 65536):  # Python ints a block at a time, not all at once
            yield from keys[start:start + 65536].tolist()

    def __contains__(self, key) -> bool:
        return _position(self.int_index, key) >= 0

    def index(self, key, start=0, stop=None) -> int:
        """Position of ``key`` (ValueError if absent), as ``list.index``."""
        position = _position(self.int_index, key)
        if position < 0 or not start <= position < (len(self) if stop is None else stop):
            raise ValueError(f"{key!r} is not in index_to_key")
        return position

    def count(self, key) -> int:
        return int(key in self)

    def __array__(self, dtype=None, copy=None):
        keys = self.int_index.keys
        if dtype is not None:
            return keys.astype(dtype)
        return keys.copy() if copy else keys

    def __eq__(self, other):
        if isinstance(other, IntKeys):
            return np.array_equal(self.int_index.keys, other.int_index.keys)
        if isinstance(other, (list, tuple)):
            return len(other) == len(self) and list(self) == list(other)
        return NotImplemented

    __hash__ = None

    def __repr__(self) -> str:
        keys = self.int_index.keys
        head = ", ".join(map(str, keys[:5].tolist())) + (", ..." if len(keys) > 5 else "")
        return f"IntKeys([{head}], {len(keys)} keys)"

    def _read_only(self, *args, **kwargs):
        raise TypeError(_READ_ONLY)

    __setitem__ = __delitem__ = append = extend = insert = pop = remove = _read_only


class IntKeyToIndex(Mapping):
    """``key_to_index`` of an integer-keyed set: key -> position, backed by the C index."""

    __slots__ = ("int_index",)

    def __init__(self, index: IntIndex):
        self.int_index = index

    def __getitem__(self, key) -> int:
        position = _position(self.int_index, key)
        if position < 0:
            raise KeyError(key)
        return position

    def get(self, key, default=None):
        position = _position(self.int_index, key)
        return default if position < 0 else position

    def __contains__(self, key) -> bool:
        return self.get(key, -1) >= 0

    def __len__(self) -> int:
        return len(self.int_index)

    def __iter__(self):
        return iter(IntKeys(self.int_index))

    def __repr__(self) -> str:
        return f"IntKeyToIndex({len(self)} keys)"

    def _read_only(self, *args, **kwargs):
        raise TypeError(_READ_ONLY)

    __setitem__ = __delitem__ = setdefault = update = pop = _read_only


def is_int_keyed(keys) -> bool:
    """True for an integer array, an `IntKeys` view, or a non-empty sequence of ints only."""
    if isinstance(keys, IntKeys):
        return True
    if isinstance(keys, np.ndarray):
        return keys.dtype.kind in "iu" and keys.ndim == 1
    if not keys:
        return False
    return all(isinstance(k, (int, np.integer)) and not isinstance(k, (bool, np.bool_)) for k in keys)


def int_index_of(key_to_index) -> IntIndex | None:
    """The C index behind an integer-keyed ``key_to_index`` (None for a dict)."""
    return key_to_index.int_index if isinstance(key_to_index, IntKeyToIndex) else None


def key_index(keys, copy: bool = True) -> tuple:
    """``(index_to_key, key_to_index)`` for distinct ``keys`` in row order.

    Integer keys (an integer array, or a sequence of ints) get the two views of
    one `IntIndex`; ``copy=False`` lets it adopt an int64 array as its key store.
    Anything else gets gensim's list and dict. Duplicate keys are a ValueError.
    """
    if is_int_keyed(keys):
        if isinstance(keys, IntKeys):
            keys = keys.int_index.keys
        try:
            array = keys if isinstance(keys, np.ndarray) else np.asarray(list(keys), dtype=np.int64)
        except OverflowError:
            pass  # Python ints past int64 (gensim takes any key): the list and dict below
        else:
            index = IntIndex(array, copy=copy)
            return IntKeys(index), IntKeyToIndex(index)
    index_to_key = list(keys)
    key_to_index = {k: i for i, k in enumerate(index_to_key)}
    if len(key_to_index) != len(index_to_key):
        raise ValueError("duplicate keys")
    return index_to_key, key_to_index
