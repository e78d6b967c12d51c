"""The native on-disk format: a small JSON file plus one ``.npy`` per array.

Why not pickle (gensim's choice): unpickling runs code, so opening a model
someone sent you is as dangerous as running their script. JSON and ``.npy``
read with ``allow_pickle=False`` can only ever produce data. ``.npy`` also
lets ``mmap_mode='r'`` open a large matrix without reading it.

Layout for ``save_arrays("m.model", meta, {"vectors": a})``::

    m.model                        JSON: {"format": "fastw2v", "version": 2, "meta": ...,
                                          "arrays": [...], "files": {"vectors": "m.model.vectors.<g>.npy"}}
    m.model.vectors.<g>.npy        the array; <g> names the save ("generation")

Every file is written to a temporary name in the same directory and renamed
into place. A save writes its arrays under fresh generation names first and
replaces the JSON header last: that rename is the commit point, so a crash
or a full disk at any moment leaves the previous model (header and arrays)
intact and loadable. The previous generation's arrays are deleted after the
commit. Version 1 files (arrays at ``m.model.<name>.npy``) still load.
"""
from __future__ import annotations

import contextlib
import json
import os
import secrets
import stat
import tempfile

import numpy as np

from .key_index import IntKeys
from .validation import check_mmap

FORMAT_NAME = "fastw2v"
FORMAT_VERSION = 2


def _umask() -> int:
    """The process's umask, read without changing it where Linux shows it (setting
    it to read it back would race with files other threads create meanwhile)."""
    try:
        with open("/proc/self/status", "rb") as fh:
            for line in fh:
                if line.startswith(b"Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _new_file_mode(path: str) -> int:
    """The permissions ``open(path, "w")`` would leave: a replaced file keeps its
    own, a new one gets 0o666 less the umask (mkstemp's temporary file is 0o600,
    which would make every saved model private to its owner)."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return 0o666 & ~_umask()


def check_writable(path, what: str) -> None:
    """Fail before the work, not after it, if ``path`` cannot be written."""
    directory = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise IsADirectoryError(f"{what} is a directory: {path}")
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"output directory does not exist: {directory}")
    if not os.access(directory, os.W_OK | os.X_OK):
        raise PermissionError(f"output directory is not writable: {directory}")


def _atomic_write(path: str, write) -> None:
    """``write(fh)`` into a temporary file beside ``path``, then renamed over it, so a
    failure never leaves a half-written file under the final name.

    Only a regular file is replaced that way. A symbolic link is followed (the file
    it names is replaced, the link stays), and an existing device, FIFO or socket
    (``/dev/null``, ``/dev/stdout``, a named pipe) is written into directly, as
    ``open(path, "wb")`` would: renaming over it would destroy the node itself."""
    path = os.path.realpath(path)
    try:
        special = not stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        special = False  # not there yet: a new regular file
    if special:
        with open(path, "wb") as fh:
            write(fh)
        return
    directory = os.path.dirname(path)
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"output directory does not exist: {directory}")
    mode = _new_file_mode(path)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=os.path.basename(path)[-40:], dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            os.chmod(tmp, mode)
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


def _previous_files(path: str) -> list[str]:
    """Array files of the model currently at ``path`` (to delete once replaced)."""
    try:
        with open(path, "rb") as fh:
            header = json.loads(fh.read().decode("utf-8"))
        directory = os.path.dirname(os.path.abspath(path))
        if isinstance(header.get("files"), dict):
            return [os.path.join(directory, os.path.basename(f)) for f in header["files"].values()]
        return [array_path(path, name) for name in header.get("arrays", [])]
    except (OSError, ValueError, AttributeError, TypeError):
        return []


def save_arrays(path: str, meta: dict, arrays: dict) -> None:
    """Write ``meta`` (JSON-serialisable) and ``arrays`` (name -> ndarray) atomically.

    Arrays go to fresh generation-named files first and the JSON header is
    renamed into place last, so a reader (or a crash) sees either the whole
    previous model or the whole new one.
    """
    path = os.fspath(path)
    previous = _previous_files(path)
    generation = secrets.token_hex(4)
    files = {}
    try:
        for name, arr in arrays.items():
            arr = np.asarray(arr)
            if arr.dtype == object:
                raise TypeError(f"array {name!r} has dtype object; refusing to pickle it")
            target = f"{path}.{name}.{generation}.npy"
            _atomic_write(target, lambda fh, a=arr: np.save(fh, a, allow_pickle=False))
            files[name] = os.path.basename(target)
        header = {"format": FORMAT_NAME, "version": FORMAT_VERSION, "meta": meta,
                  "arrays": sorted(arrays), "files": files}
        data = json.dumps(header, ensure_ascii=False).encode("utf-8")
        _atomic_write(path, lambda fh: fh.write(data))
    except BaseException:
        directory = os.path.dirname(os.path.abspath(path))
        for written in files.values():  # this save's arrays; the previous model stays
            try:
                os.unlink(os.path.join(directory, written))
            except OSError:
                pass
        raise
    current = {os.path.join(os.path.dirname(os.path.abspath(path)), f) for f in files.values()}
    for stale in previous:
        if os.path.abspath(stale) not in current:
            try:
                os.unlink(stale)
            except OSError:
                pass


@contextlib.contextmanager
def reading_header(path):
    """Turns a header entry that is missing or of the wrong type (a hand-edited or
    corrupt file) into one ValueError naming the file, instead of the KeyError or
    TypeError the first use of that entry would raise; a value the model's own
    checks refuse gets the file's name added."""
    try:
        yield
    except ValueError as exc:
        if os.fspath(path) in str(exc):
            raise
        raise ValueError(f"{path}: {exc}") from None
    except KeyError as exc:
        raise ValueError(f"{path}: the model file has no {exc.args[0]!r} entry (corrupt or edited?)") from None
    except (TypeError, AttributeError, IndexError) as exc:
        raise ValueError(f"{path}: malformed model file ({exc})") from None


def load_arrays(path: str, mmap: str | None = None) -> tuple[dict, dict]:
    """Read back what :func:`save_arrays` wrote; ``mmap='r'`` maps arrays lazily."""
    check_mmap(mmap)
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
    with reading_header(path):
        if header.get("version", 0) > FORMAT_VERSION:
            raise ValueError(f"{path} was written by a newer fastw2v (format {header['version']})")
        meta, names = header["meta"], header["arrays"]
    files = header.get("files")
    if files is not None and not (isinstance(files, dict) and all(isinstance(f, str) for f in files.values())):
        raise ValueError(f"{path}: malformed 'files' entry in the model header")
    if not isinstance(meta, dict) or not (isinstance(names, list) and all(isinstance(n, str) for n in names)):
        raise ValueError(f"{path}: malformed 'meta' or 'arrays' entry in the model header")
    directory = os.path.dirname(os.path.abspath(path))
    arrays = {}
    for name in names:
        # basename only: a doctored header cannot point outside the model's directory
        apath = (os.path.join(directory, os.path.basename(files[name])) if files and name in files
                 else array_path(path, name))
        try:
            arrays[name] = np.load(apath, mmap_mode=mmap, allow_pickle=False)
        except FileNotFoundError:
            raise FileNotFoundError(f"model array file missing: {apath}") from None
        except (ValueError, EOFError, OSError) as exc:  # truncated or garbled .npy
            size = os.path.getsize(apath) if os.path.exists(apath) else 0
            raise ValueError(f"cannot read {apath} ({size} bytes; truncated or not a .npy array "
                             f"file?): {exc}") from None
    return meta, arrays


def pack_keys(keys) -> tuple[dict, dict]:
    """Split ``index_to_key`` into JSON meta and arrays: str keys go to JSON,
    int keys (item and node IDs) to an int64 array."""
    if isinstance(keys, (np.ndarray, IntKeys)):
        arr = np.asarray(keys)
        if arr.dtype.kind in "iu" and arr.ndim == 1:
            return {"key_type": "int"}, {"keys": np.ascontiguousarray(arr, dtype=np.int64)}
    keys = list(keys)
    if keys and all(isinstance(k, (int, np.integer)) and not isinstance(k, bool) for k in keys):
        try:
            return {"key_type": "int"}, {"keys": np.asarray(keys, dtype=np.int64)}
        except OverflowError:
            raise ValueError("integer keys past int64 cannot be saved in the native format "
                             "(save_word2vec_format writes them as text)") from None
    if not all(isinstance(k, str) for k in keys):
        raise TypeError("keys must be all str or all int")
    return {"key_type": "str", "keys": keys}, {}


def unpack_keys(meta: dict, arrays: dict) -> list | np.ndarray:
    """Inverse of :func:`pack_keys`: a list of str, or an int64 array."""
    if meta.get("key_type") == "int":
        keys = np.asarray(arrays["keys"])
        if keys.ndim != 1 or keys.dtype.kind not in "iu":
            raise ValueError(f"malformed integer key array in model file ({keys.ndim}-D {keys.dtype})")
        return keys.astype(np.int64, copy=False)
    keys = meta.get("keys", [])
    if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
        raise ValueError("malformed key list in model file")
    return keys
