"""How the trained matrices lie in memory: rows padded and aligned to the SIMD width.

The kernels move whole rows with 16-float (64-byte, one cache line, one AVX-512
register) loads and stores. A row of ``vector_size=300`` is 1,200 bytes, so in a
packed matrix almost every row starts inside a cache line and every 64-byte load
of it straddles two lines: on this project's Zen 4 machine that made the window
kernel about 1.5x slower per element (benchmarks/RESULTS.md, "Padded rows").
So `Word2Vec` keeps ``wv.vectors``, ``syn1neg`` and ``syn1`` as ``(n, vector_size)``
views into a ``(n, width)`` buffer whose rows start on 64-byte boundaries, with
``width = padded_width(vector_size)`` and the padding columns zero.

The kernels then run over all ``width`` columns with no masked tail. That is
exact, not an approximation: a zero column adds nothing to any dot product, and
each update adds a multiple of a zero column to a zero column, so the padding
stays zero (``tests/test_layout.py`` checks both). To the user a view is an
ordinary ``(n, vector_size)`` float32 array, only not C-contiguous; anything that
needs packed rows (a file format, a wire message) copies, as NumPy does.

Padding is only used where it is cheap in memory (at most 1/8 of a row):
``vector_size=8`` item embeddings stay packed (16 would double them), 300 becomes
304 and 100 becomes 112.
"""
from __future__ import annotations

import numpy as np

ALIGN_BYTES = 64
REAL = np.float32
_ITEM = np.dtype(REAL).itemsize


def padded_width(dim: int) -> int:
    """Row width in floats: the next multiple of 16 (then of 8) floats that wastes
    at most an eighth of the row, else ``dim`` itself."""
    for step in (16, 8):
        width = -(-dim // step) * step
        if (width - dim) * 8 <= dim:
            return width
    return dim


def aligned_zeros(count: int) -> np.ndarray:
    """``count`` zero float32s starting on a 64-byte boundary."""
    buf = np.zeros(count + ALIGN_BYTES // _ITEM, dtype=REAL)
    start = (-buf.ctypes.data % ALIGN_BYTES) // _ITEM
    return buf[start:start + count]


def zeros_rows(n: int, dim: int) -> np.ndarray:
    """A zero ``(n, dim)`` float32 view into a 64-byte aligned ``(n, padded_width(dim))`` buffer."""
    width = padded_width(dim)
    return aligned_zeros(n * width).reshape(n, width)[:, :dim]


def initial_rows(rng, n: int, dim: int) -> np.ndarray:
    """gensim 4's initialisation, uniform in [-1/dim, 1/dim), computed in place: the
    matrix is the largest array of a model and a temporary would double its peak."""
    rows = zeros_rows(n, dim)  # padded and aligned for the kernels
    if rows.flags.c_contiguous:
        rng.random(dtype=REAL, out=rows)
    else:  # row blocks draw the same stream as one call (the generator keeps any half-used word)
        step = max(1, (1 << 20) // max(dim, 1))
        for lo in range(0, n, step):
            rows[lo:lo + step] = rng.random((min(step, n - lo), dim), dtype=REAL)
    rows *= 2
    rows -= 1
    rows /= dim
    return rows


def padded(rows, copy: bool = False) -> np.ndarray:
    """``rows`` itself when it already has the kernel layout (and not ``copy``), else a padded copy of it."""
    if not copy and has_kernel_layout(rows):
        return rows
    arr = np.asarray(rows, dtype=REAL)
    if arr.ndim != 2:
        raise ValueError(f"model rows must be a 2-d array, got shape {arr.shape}")
    out = zeros_rows(arr.shape[0], arr.shape[1])
    out[...] = arr
    return out


def has_kernel_layout(rows) -> bool:
    """True when ``rows`` is padded to ``padded_width`` columns and starts on a 64-byte boundary."""
    return (isinstance(rows, np.ndarray) and rows.ndim == 2 and row_width(rows) == padded_width(rows.shape[1])
            and (rows.shape[0] == 0 or rows.ctypes.data % ALIGN_BYTES == 0))


def full(rows: np.ndarray) -> np.ndarray:
    """The ``(n, width)`` matrix behind a padded view, padding columns included (no copy)."""
    width = row_width(rows)
    if width is None:
        raise ValueError("not a padded model matrix")
    return np.lib.stride_tricks.as_strided(rows, shape=(rows.shape[0], width), strides=rows.strides,
                                           writeable=rows.flags.writeable)


def _owner(arr: np.ndarray):
    """The array that owns ``arr``'s memory, or None when it is not a NumPy allocation."""
    while isinstance(arr, np.ndarray) and not arr.flags.owndata:
        arr = arr.base
    return arr if isinstance(arr, np.ndarray) else None


def row_width(rows) -> int | None:
    """The width the kernels may run over ``rows`` with: ``dim`` for a packed
    matrix, the padded width for a view whose padding exists in the same buffer
    and is zero; None for anything else (a kernel must not touch it as is)."""
    if not isinstance(rows, np.ndarray) or rows.dtype != REAL or rows.ndim != 2 or not rows.flags.writeable:
        return None
    n, dim = rows.shape
    if rows.flags.c_contiguous:
        return dim
    if rows.strides[1] != _ITEM or rows.strides[0] % _ITEM or rows.strides[0] // _ITEM < dim:
        return None
    width = rows.strides[0] // _ITEM
    owner = _owner(rows)
    if owner is None:
        return None
    lo, hi = owner.ctypes.data, owner.ctypes.data + owner.nbytes
    if rows.ctypes.data < lo or rows.ctypes.data + n * width * _ITEM > hi:
        return None
    whole = np.lib.stride_tricks.as_strided(rows, shape=(n, width), strides=rows.strides, writeable=False)
    if whole[:, dim:].any():
        return None
    return width
