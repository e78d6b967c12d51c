"""Sparse row deltas and the tree that sums them: what fastw2v.distributed's replicas exchange.

Pure NumPy, no Dask: the maths and the message layout, so both can be tested alone.

A *delta* is ``{matrix name: Rows}``: the rows a replica changed since its
last synchronisation (sorted unique int32 indices) and the change of each,
on the wire as float16 (or float32). For a words-weighted mean (Spark's
model averaging) each row also carries the words behind it.

Quantisation with error feedback
    A replica sends ``q = float16(d + e)`` and keeps ``e = d + e - q`` (per
    row, in float32) for its next message, so what it has sent over the run
    differs from what it trained by less than one float16 step of the row's
    latest change, never by an accumulated bias (1-bit SGD, Seide et al.
    2014; the same idea as Deep Gradient Compression's local accumulation).
    Partial sums inside the tree are rounded to float16 again without
    feedback; that error is one rounding per tree level, unbiased, and
    about 2**-11 of a round's change.

Tree (all-reduce without a central node)
    Shards sit in a binary heap: shard ``k`` is the parent of ``2k+1`` and
    ``2k+2``. Reduce: each shard adds its own delta to its children's subtree
    sums and sends the result to its parent; shard 0 holds the total.
    Broadcast: the total flows back down the same tree. Each worker receives
    at most two sums and sends at most one on the way up, and receives one
    total and sends at most two on the way down, so per-worker traffic is at
    most six messages per synchronisation whatever the number of workers;
    the depth is ``floor(log2(n))`` hops each way.
"""
from __future__ import annotations

from typing import NamedTuple, Optional

import numpy as np

WIRE_DTYPES = {"float16": np.float16, "float32": np.float32}


class Rows(NamedTuple):
    """Changed rows of one matrix: indices, values, and (for a mean) the words behind each row."""
    rows: np.ndarray                 # int32, sorted, unique
    values: np.ndarray               # (len(rows), dim), wire dtype
    weights: Optional[np.ndarray]    # float32 per row, or None for a plain sum


def nbytes(delta: dict) -> int:
    """Bytes of a delta's arrays (what goes over the network, less pickling headers)."""
    return sum(p.rows.nbytes + p.values.nbytes + (0 if p.weights is None else p.weights.nbytes)
               for p in delta.values())


def changed_rows(current: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Indices of the rows where ``current`` differs from ``start``."""
    return np.flatnonzero((current != start).any(axis=1)).astype(np.int32)


def encode(exact: np.ndarray, rows: np.ndarray, residual: Optional[np.ndarray], dtype) -> np.ndarray:
    """``exact`` (float32 changes of ``rows``) in the wire dtype, with error feedback through ``residual``.

    ``residual`` is the sender's dense float32 carry-over (updated in place);
    None for a lossless wire dtype.
    """
    if residual is None:
        return exact.astype(dtype, copy=False)
    target = exact + residual[rows]
    values = target.astype(dtype)
    residual[rows] = target - values.astype(np.float32)
    return values


def add(parts: list, dtype) -> Rows:
    """The sum (``weights`` None) or words-weighted mean of ``parts`` row by row, in the wire dtype.

    The mean of a row is over the parts that contain it, so a row one
    replica changed keeps that replica's change.
    """
    parts = [p for p in parts if p is not None]
    rows = np.unique(np.concatenate([p.rows for p in parts])).astype(np.int32)
    total = np.zeros((len(rows), parts[0].values.shape[1]), dtype=np.float32)
    mean = parts[0].weights is not None
    weight = np.zeros(len(rows), dtype=np.float32) if mean else None
    for p in parts:
        at = np.searchsorted(rows, p.rows)  # unique within a part, so fancy += is exact
        if mean:
            total[at] += p.values.astype(np.float32) * p.weights[:, None]
            weight[at] += p.weights
        else:
            total[at] += p.values
    if mean:
        total /= weight[:, None]
    return Rows(rows, total.astype(dtype, copy=False), weight)


def apply(array: np.ndarray, total: Rows, own: Optional[Rows] = None) -> np.ndarray:
    """Add the merged ``total`` to ``array`` less this replica's ``own`` part of it (already in ``array``).

    Returns the rows written, so the caller can refresh its copy of them.
    """
    array[total.rows] += total.values
    if own is None:
        return total.rows
    array[own.rows] -= own.values  # own.rows is a subset of total.rows
    return total.rows


# -- tree layout ----------------------------------------------------------------
def children(k: int, n: int) -> list[int]:
    """Heap children of shard ``k`` among ``n``."""
    return [c for c in (2 * k + 1, 2 * k + 2) if c < n]


def parent(k: int) -> int:
    return (k - 1) // 2


def depth(n: int) -> int:
    """Hops from the deepest shard to shard 0 (``floor(log2 n)``)."""
    return max(int(n).bit_length() - 1, 0)
