"""The native on-disk format: a small JSON file plus one ``.npy`` per array.

Why not pickle (gensim's choice): unpickling runs code, so opening a model
someone sent you is as dangerous as running their script. JSON and ``.npy``
read with ``allow_pickle=False`` can only ever produce data. ``.npy`` also
lets ``mmap_mode='r'`` open a large matrix without reading it.

Layout for ``save_arrays("m.model", meta, {"vectors": a})``::

    m.model                 JSON: {"format": "fastw2v", "version": 1, "meta": ..., "arrays": [...]}
    m.model.vectors.npy     the array

Every file is written to a temporary name in the same directory and renamed
into place, so a crash mid-save leaves any previous file intact.
"""
from __future__ import annotations

import json
import os
import tempfile

import numpy as np

FORMAT_NAME = "fastw2v"
FORMAT_VERSION = 1


def _atomic_write(path: str, write) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"output directory does not exist: {directory}")
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=os.path.basename(path)[-40:], dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def array_path(path: str, name: str) -> str:
    return f"{path}.{name}.npy"


def save_arrays(path: str, meta: dict, arrays: dict) -> None:
    """Write ``meta`` (JSON-serialisable) and ``arrays`` (name -> ndarray) atomically.

    Arrays are written first and the JSON last, so a reader never sees a
    header that points at missing arrays.
    """
    path = os.fspath(path)
    for name, arr in arrays.items():
        arr = np.asarray(arr)
        if arr.dtype == object:
            raise TypeError(f"array {name!r} has dtype object; refusing to pickle it")
        _atomic_write(array_path(path, name), lambda fh, a=arr: np.save(fh, a, allow_pickle=False))
    header = {"format": FORMAT_NAME, "version": FORMAT_VERSION, "meta": meta,
              "arrays": sorted(arrays)}
    data = json.dumps(header, ensure_ascii=False).encode("utf-8")
    _atomic_write(path, lambda fh: fh.write(data))


def load_arrays(path: str, mmap: str | None = None) -> tuple[dict, dict]:
    """Read back what :func:`save_arrays` wrote; ``mmap='r'`` maps arrays lazily."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"no such model file: {path}")
    with open(path, "rb") as fh:
        raw = fh.read()
    try:
        header = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        if raw[:1] == b"\x80":
            raise ValueError(f"{path} looks like a pickle file; fastw2v never unpickles "
                             "(use load_gensim for gensim models)") from None
        raise ValueError(f"{path} is not a fastw2v model file: {exc}") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT_NAME:
        raise ValueError(f"{path} is not a fastw2v model file")
    if header.get("version", 0) > FORMAT_VERSION:
        raise ValueError(f"{path} was written by a newer fastw2v (format {header['version']})")
    arrays = {}
    for name in header["arrays"]:
        apath = array_path(path, name)
        try:
            arrays[name] = np.load(apath, mmap_mode=mmap, allow_pickle=False)
        except FileNotFoundError:
            raise FileNotFoundError(f"model array file missing: {apath}") from None
        except ValueError as exc:
            raise ValueError(f"cannot read {apath}: {exc}") from None
    return header["meta"], arrays


def pack_keys(keys) -> tuple[dict, dict]:
    """Split ``index_to_key`` into JSON meta and arrays: str keys go to JSON,
    int keys (item and node IDs) to an int64 array."""
    keys = list(keys)
    if keys and all(isinstance(k, (int, np.integer)) and not isinstance(k, bool) for k in keys):
        return {"key_type": "int"}, {"keys": np.asarray(keys, dtype=np.int64)}
    if not all(isinstance(k, str) for k in keys):
        raise TypeError("keys must be all str or all int")
    return {"key_type": "str", "keys": keys}, {}


def unpack_keys(meta: dict, arrays: dict) -> list:
    """Inverse of :func:`pack_keys`."""
    if meta.get("key_type") == "int":
        return [int(k) for k in np.asarray(arrays["keys"])]
    keys = meta.get("keys", [])
    if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
        raise ValueError("malformed key list in model file")
    return keys
