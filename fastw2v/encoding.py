"""Small encodings that sit next to embeddings: one-hot rows and sinusoidal positions.

A one-hot row times an embedding matrix E picks a row of E
(``one_hot(i, n) @ E == E[i]``), which is why a lookup table is an
embedding layer. Positional encodings add word-order information to a bag
of embeddings, as in the Transformer.
"""
from __future__ import annotations

import numpy as np

from .validation import check_integer


def one_hot(indices, num_classes: int, dtype=np.float32) -> np.ndarray:
    """One-hot rows for integer ``indices`` (any shape); the result has one more axis of ``num_classes``.

    Raises
    ------
    TypeError
        ``indices`` is not integer.
    ValueError
        An index is outside ``[0, num_classes)``.

    Examples
    --------
    >>> one_hot([0, 2], 3).tolist()
    [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
    """
    indices = np.asarray(indices)
    if indices.size == 0 and indices.dtype == np.float64:  # [] (an empty batch) is not float data
        indices = indices.astype(np.int64)
    if indices.dtype == bool or not np.issubdtype(indices.dtype, np.integer):
        raise TypeError(f"one_hot needs integer indices, got dtype {indices.dtype}")
    check_integer("num_classes", num_classes, 1)
    if indices.size and (indices.min() < 0 or indices.max() >= num_classes):
        bad = indices[(indices < 0) | (indices >= num_classes)].flat[0]
        raise ValueError(f"index {bad} is out of range for num_classes={num_classes} (valid: 0..{num_classes - 1})")
    out = np.zeros(indices.shape + (int(num_classes),), dtype=dtype)
    np.put_along_axis(out, indices[..., None].astype(np.intp), 1, axis=-1)
    return out


def positional_encoding(max_len: int, d_model: int, base: float = 10000.0, dtype=np.float32) -> np.ndarray:
    """Sinusoidal position encodings, shape (max_len, d_model) (Vaswani et al. 2017, section 3.5).

    ``PE[pos, 2i] = sin(pos / base**(2i/d_model))`` and
    ``PE[pos, 2i+1] = cos(pos / base**(2i/d_model))``; an odd ``d_model``
    drops the last cosine column.

    Examples
    --------
    >>> positional_encoding(2, 4)[0].tolist()
    [0.0, 1.0, 0.0, 1.0]
    """
    if int(max_len) < 0 or int(d_model) < 1:
        raise ValueError(f"need max_len >= 0 and d_model >= 1, got {max_len}, {d_model}")
    positions = np.arange(max_len, dtype=np.float64)[:, None]
    rates = base ** (-np.arange(0, d_model, 2, dtype=np.float64) / d_model)
    angles = positions * rates
    out = np.empty((max_len, d_model), dtype=np.float64)
    out[:, 0::2] = np.sin(angles)
    out[:, 1::2] = np.cos(angles[:, : d_model // 2])
    return out.astype(dtype)
