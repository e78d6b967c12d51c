"""Sparse row deltas and the tree that sums them: what fastw2v.distributed's replicas exchange.

No Dask here: the maths (one-pass C loops in csrc/allreduce.c) and the
message layout, so both can be tested alone.

A *delta* is ``{matrix name: Rows}``: the rows a replica changed since its
last synchronisation (sorted unique int32 indices) and the change of each,
on the wire as int8 with one float32 scale per row (``int8``, a quarter of
float32 plus 4 bytes a row) or float32 (exact). For a words-weighted mean (Spark's model
averaging) each row also carries the words behind it.

Quantisation with error feedback
    ``int8``: a row ``x`` is sent as ``round(x * 127 / max|x|)`` and the
    scale ``max|x| / 127``, so each value is within half a step (1/254 of
    the row's largest change) of the truth. A replica sends ``q = Q(d + e)``
    and keeps ``e = d + e - q`` (per row, in float32) for its next message,
    so what it has sent over the run differs from what it trained by at most
    one step of the row's latest change, never by an accumulated bias
    (1-bit SGD, Seide et al. 2014; Deep Gradient Compression's local
    accumulation). Partial sums inside the tree are quantised again without
    feedback: one unbiased rounding per tree level, half a step at most.

Tree (all-reduce without a central node)
    Shards sit in a heap with fan-in ``FAN_IN`` (4): shard ``k`` is the
    parent of ``4k+1 .. 4k+4``. Reduce: each shard adds its own delta to its
    children's subtree sums and sends the result to its parent; shard 0 holds
    the total. Broadcast: the total flows back down the same tree. Each worker
    receives at most four sums and sends at most one on the way up, and
    receives one total and sends at most four on the way down, whatever the
    number of workers; the depth is ``ceil(log4(3n + 1)) - 1`` hops each way
    (2 for 6 to 21 workers).

    Why 4 and not 2: every hop is a Dask task hand-over (tens of milliseconds
    on a loaded machine, see benchmarks/RESULTS.md) and a binary tree has
    twice as many; a wider node merges more parts (5 instead of 3, a few
    milliseconds of CPU taken from training) and its NIC carries four
    messages instead of two. At 16 workers that is 4 hops instead of 8 for
    the same bytes through the busiest NIC (16 messages of the total's size
    either way, in the chain of hops that the overlap must hide).
"""
from __future__ import annotations

from typing import NamedTuple, Optional

import numpy as np

from fastw2v import _allreduce

WIRE_DTYPES = ("int8", "float32")


class Rows(NamedTuple):
    """Changed rows of one matrix: indices, values, and (for a mean) the words behind each row."""
    rows: np.ndarray                 # int32, sorted, unique
    values: np.ndarray               # (len(rows), dim) in the wire dtype
    scale: Optional[np.ndarray]      # float32 per row for int8 values, else None
    weights: Optional[np.ndarray]    # float32 per row, or None for a plain sum

    def decoded(self) -> np.ndarray:
        """The values as float32."""
        if self.scale is None:
            return self.values.astype(np.float32, copy=False)
        return self.values.astype(np.float32) * self.scale[:, None]


def quantise(x: np.ndarray, dtype: str) -> tuple[np.ndarray, Optional[np.ndarray]]:
    """``(values, scale)`` of float32 rows ``x`` in the wire ``dtype`` (scale only for int8)."""
    if dtype == "int8":
        return _allreduce.quantise_rows(x)
    return np.ascontiguousarray(x, dtype=np.float32), None


def nbytes(delta: dict) -> int:
    """Bytes of a delta's arrays (what goes over the network, less pickling headers)."""
    return sum(p.rows.nbytes + p.values.nbytes + sum(a.nbytes for a in (p.scale, p.weights) if a is not None)
               for p in delta.values())


def encode_changes(current: np.ndarray, start: np.ndarray, residual: Optional[np.ndarray], dtype: str,
                   weight: Optional[float] = None) -> Rows:
    """The rows where ``current`` differs from ``start``, their changes in the wire dtype.

    One pass: ``start`` catches up with ``current`` on those rows, and
    ``residual`` (the sender's dense float32 carry-over; required for int8,
    None for float32) gets what rounding lost, to be sent with the row's next
    change (error feedback). ``weight`` (words trained) marks a mean's part.
    """
    rows, values, scale = _allreduce.delta_encode(current, start, residual, dtype)
    weights = None if weight is None else np.full(len(rows), weight, dtype=np.float32)
    return Rows(rows, values, scale, weights)


def add(parts: list, dtype: str) -> Rows:
    """The sum (``weights`` None) or words-weighted mean of ``parts`` row by row, in the wire dtype.

    The mean of a row is over the parts that contain it, so a row one
    replica changed keeps that replica's change.
    """
    return Rows(*_allreduce.delta_merge(list(parts), parts[0].values.shape[1], dtype))


def apply(array: np.ndarray, total: Rows, own: Optional[Rows] = None, start: Optional[np.ndarray] = None) -> None:
    """Add the merged ``total`` to ``array`` less this replica's ``own`` part of it (already in ``array``).

    ``start`` (the sender's copy of the model at its last message) gets the
    same change, so that what the replica sends next excludes it -- also
    when the total lands in the middle of a round of training.
    """
    _allreduce.delta_apply(array, start, total, own)


# -- tree layout ----------------------------------------------------------------
FAN_IN = 4


def children(k: int, n: int, fan_in: int = FAN_IN) -> list[int]:
    """Heap children of shard ``k`` among ``n``."""
    return [c for c in range(fan_in * k + 1, fan_in * k + fan_in + 1) if c < n]


def parent(k: int, fan_in: int = FAN_IN) -> int:
    return (k - 1) // fan_in


def depth(n: int, fan_in: int = FAN_IN) -> int:
    """Hops from the deepest shard (``n - 1``) to shard 0."""
    hops, k = 0, int(n) - 1
    while k > 0:
        k, hops = parent(k, fan_in), hops + 1
    return hops
