"""Handing vectors to other libraries: a NumPy embedding matrix in a chosen key order, or a torch layer.

A neural model indexes its embedding table by its own token ids, so the
rows must follow the model's vocabulary order, usually with a reserved
all-zero padding row (id 0) and a row for unknown tokens.
"""
from __future__ import annotations

import numpy as np

from .key_index import key_list

REAL = np.float32


def embedding_matrix(kv, keys=None, padding=False, unknown=None) -> np.ndarray:
    """Rows of ``kv`` for ``keys`` in order, as a float32 matrix.

    Parameters
    ----------
    kv : KeyedVectors
    keys : sequence, optional
        The key order (default: ``kv.index_to_key``). A key ``kv`` lacks gets
        the ``unknown`` row's values; without ``unknown`` it raises KeyError.
    padding : bool
        Prepend an all-zero row, so row 0 is padding and ``keys[i]`` is row ``i + 1``.
    unknown : None, 'zeros', 'mean', or array of shape (vector_size,)
        Append one row for unknown tokens (last row), filled with zeros, the
        mean vector, or the given vector.

    Returns
    -------
    numpy.ndarray, shape (padding + len(keys) + (unknown is not None), vector_size)

    Examples
    --------
    >>> from fastw2v.keyedvectors import KeyedVectors
    >>> kv = KeyedVectors(2); kv.add_vectors(["a", "b"], [[1, 2], [3, 4]])
    >>> embedding_matrix(kv, ["b", "a"], padding=True).tolist()
    [[0.0, 0.0], [3.0, 4.0], [1.0, 2.0]]
    """
    keys = kv.index_to_key if keys is None else key_list(keys)
    unk_row = _unknown_row(kv, unknown)
    rows = np.fromiter((kv.key_to_index.get(k, -1) for k in keys), dtype=np.intp, count=len(keys))
    missing = np.flatnonzero(rows < 0)
    if len(missing) and unk_row is None:
        raise KeyError(f"Key {keys[missing[0]]!r} not present in vocabulary "
                       "(pass unknown='zeros' or 'mean' to map unknown keys to an unknown row)")
    top = int(padding)
    out = np.zeros((top + len(keys) + (unk_row is not None), kv.vector_size), dtype=REAL)
    out[top:top + len(keys)] = kv.vectors[np.where(rows < 0, 0, rows)] if len(keys) else 0
    if unk_row is not None:
        out[top + missing] = unk_row
        out[-1] = unk_row
    return out


def _unknown_row(kv, unknown):
    if unknown is None:
        return None
    if isinstance(unknown, str):
        if unknown == "zeros":
            return np.zeros(kv.vector_size, dtype=REAL)
        if unknown == "mean":
            return np.asarray(kv.vectors, dtype=REAL).mean(axis=0) if len(kv.vectors) else np.zeros(
                kv.vector_size, dtype=REAL)
        raise ValueError(f"unknown must be None, 'zeros', 'mean' or a vector, got {unknown!r}")
    row = np.asarray(unknown, dtype=REAL)
    if row.shape != (kv.vector_size,):
        raise ValueError(f"unknown vector must have shape ({kv.vector_size},), got {row.shape}")
    return row


def to_torch(kv, freeze=True, padding_idx=None, keys=None, padding=False, unknown=None):
    """``torch.nn.Embedding.from_pretrained`` over :func:`embedding_matrix` (torch is optional).

    With ``padding=True`` and no ``padding_idx``, row 0 becomes the padding index.
    """
    try:
        import torch
    except ImportError:
        raise ImportError("to_torch needs PyTorch: pip install torch") from None
    matrix = embedding_matrix(kv, keys=keys, padding=padding, unknown=unknown)
    if padding and padding_idx is None:
        padding_idx = 0
    if padding_idx is not None and not -len(matrix) <= padding_idx < len(matrix):
        raise ValueError(f"padding_idx {padding_idx} is outside the {len(matrix)} rows")
    return torch.nn.Embedding.from_pretrained(torch.from_numpy(matrix), freeze=freeze, padding_idx=padding_idx)
