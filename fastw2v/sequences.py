"""Integer sequences: item IDs per session, node IDs per walk.

A `Sequences` corpus is one flat integer array plus offsets (CSR layout:
sequence s is ``ids[offsets[s]:offsets[s + 1]]``). It counts and encodes
itself in C (the ``fastw2v_count``/``fastw2v_encode`` protocol of
fastw2v/word2vec.py), so `Word2Vec` trains it on the file-style fast path —
one shard per worker, one nogil kernel call — without ever making a Python
object per token. The model's keys are the original integers.

`item2vec` (Barkan & Koenigstein 2016) is skip-gram with negative sampling
where every pair of items in a session is a training pair: the context is
the whole sequence, not a sliding window.
"""
from __future__ import annotations

import numpy as np

from fastw2v import _sequences
from fastw2v.threads import EncodedCorpus, chunk_ranges
from fastw2v.vocab import RawCounts, _Pruner
from fastw2v._int_keys import IntCounter, IntIndex


def _int_array(values, name: str) -> np.ndarray:
    arr = np.asarray(values)
    if arr.ndim != 1 or arr.dtype.kind not in "iu":
        raise TypeError(f"{name} must be a 1-D integer array, got {arr.ndim}-D {arr.dtype}")
    if arr.dtype == np.uint64 and arr.size and arr.max() > np.iinfo(np.int64).max:
        raise OverflowError(f"{name} holds integers too large for int64")
    return arr


class Sequences:
    """Integer sequences as one flat array plus offsets.

    Parameters
    ----------
    ids : 1-D integer array
        All sequences, concatenated. Without ``keys`` these are the keys
        themselves (item IDs, any int64 value).
    offsets : 1-D integer array, length ``n_sequences + 1``
        ``offsets[0] == 0``, non-decreasing, ``offsets[-1] == len(ids)``.
    weights : 1-D float array, length ``n_sequences``, optional
        Scale of each sequence's updates (its learning rate is multiplied by
        it); 0 skips a sequence. Finite and >= 0.
    keys : int64 array or list, optional
        When given, ``ids`` are positions into ``keys`` (``0 <= id < len(keys)``)
        and the model's keys are ``keys[id]`` -- how graph walks carry node labels.

    Examples
    --------
    >>> import numpy as np
    >>> from fastw2v import Word2Vec
    >>> from fastw2v.sequences import Sequences
    >>> seqs = Sequences(np.array([10, 11, 12, 10, 12]), np.array([0, 3, 5]))
    >>> len(seqs), seqs[1].tolist()
    (2, [10, 12])
    >>> model = Word2Vec(seqs, vector_size=8, min_count=1, workers=1)
    >>> model.wv[12].shape
    (8,)
    """

    def __init__(self, ids, offsets, weights=None, keys=None):
        ids = _int_array(ids, "ids")
        offsets = np.ascontiguousarray(_int_array(offsets, "offsets"), dtype=np.int64)
        if len(offsets) < 1 or offsets[0] != 0 or offsets[-1] != len(ids) or (np.diff(offsets) < 0).any():
            raise ValueError(f"offsets must start at 0, never decrease and end at len(ids)={len(ids)}; "
                             f"got {len(offsets)} offsets" + (f" from {offsets[0]} to {offsets[-1]}"
                                                              if len(offsets) else ""))
        if keys is not None:
            if not isinstance(keys, list):
                keys = np.ascontiguousarray(_int_array(keys, "keys"), dtype=np.int64)
            if len(ids) and (ids.min() < 0 or ids.max() >= len(keys)):
                raise ValueError(f"with keys=, ids must be positions in [0, {len(keys)}); "
                                 f"got values from {ids.min()} to {ids.max()}")
            ids = np.ascontiguousarray(ids, dtype=np.int32)
        else:
            ids = np.ascontiguousarray(ids, dtype=np.int64)
        self.ids, self.offsets, self.keys = ids, offsets, keys
        self.weights = None
        if weights is not None:
            self.weights = np.ascontiguousarray(weights, dtype=np.float32)
            if self.weights.shape != (len(self),) or not (np.isfinite(self.weights) & (self.weights >= 0)).all():
                raise ValueError(f"weights must be {len(self)} finite values >= 0, one per sequence")

    # -- construction ---------------------------------------------------------
    @classmethod
    def from_arrays(cls, sequences, weights=None) -> "Sequences":
        """From a list of 1-D integer arrays (or lists of int)."""
        parts = [np.asarray(s, dtype=np.int64).reshape(-1) for s in sequences]
        lengths = np.fromiter((len(p) for p in parts), dtype=np.int64, count=len(parts))
        ids = np.concatenate(parts) if parts else np.zeros(0, np.int64)
        return cls(ids, np.concatenate(([0], np.cumsum(lengths))), weights)

    @classmethod
    def from_columns(cls, session_ids, item_ids, sort=True) -> "Sequences":
        """From two aligned columns, "session id, item id" (NumPy arrays or pandas Series).

        With ``sort=True`` rows are grouped by session with a stable sort, so items
        keep their given order (e.g. by time) inside a session; with ``sort=False``
        each run of equal session ids is one sequence. ``.session_ids`` holds the
        session of each sequence, to align per-session ``weights``.
        """
        sessions = np.asarray(session_ids)
        items = _int_array(item_ids, "item_ids")
        if sessions.ndim != 1 or len(sessions) != len(items):
            raise ValueError(f"session_ids and item_ids must be 1-D and aligned, got {sessions.shape} "
                             f"and {items.shape}")
        if sort and len(sessions):
            order = np.argsort(sessions, kind="stable")
            sessions, items = sessions[order], items[order]
        starts = np.flatnonzero(sessions[1:] != sessions[:-1]) + 1 if len(sessions) else np.zeros(0, np.int64)
        offsets = np.concatenate(([0], starts, [len(items)])) if len(items) else np.zeros(1, np.int64)
        out = cls(items, offsets)
        out.session_ids = sessions[offsets[:-1]]
        return out

    # -- the sequence protocol --------------------------------------------------
    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, s: int) -> np.ndarray:
        """Sequence ``s`` as an array of keys."""
        if not -len(self) <= s < len(self):
            raise IndexError(f"sequence {s} out of range for {len(self)} sequences")
        s %= len(self)
        part = self.ids[self.offsets[s]:self.offsets[s + 1]]
        if self.keys is None:
            return part
        return self.keys[part] if isinstance(self.keys, np.ndarray) else [self.keys[i] for i in part]

    def __iter__(self):
        for s in range(len(self)):
            yield self[s]

    @property
    def lengths(self) -> np.ndarray:
        return np.diff(self.offsets)

    @property
    def max_length(self) -> int:
        return int(self.lengths.max()) if len(self) else 0

    def __repr__(self) -> str:
        return f"Sequences({len(self)} sequences, {len(self.ids)} ids)"

    # -- the self-encoding corpus protocol (fastw2v/word2vec.py) ------------------
    def fastw2v_count(self, max_vocab_size=None, trim_rule=None) -> RawCounts:
        """Distinct keys with their counts, in first-occurrence order (gensim's
        ``max_vocab_size`` pruning rule, as for any other corpus)."""
        if self.keys is not None and not max_vocab_size:
            # positions are dense: a bincount, no hashing
            counts, first = _sequences.index_counts(self.ids, len(self.keys))
            seen = np.flatnonzero(counts)
            seen = seen[np.argsort(first[seen], kind="stable")]
            keys = self.keys[seen] if isinstance(self.keys, np.ndarray) else [self.keys[i] for i in seen]
            return RawCounts(keys, counts[seen], len(self), len(self.ids))
        counter = IntCounter()
        pruner = _Pruner(trim_rule)
        limit, s = int(max_vocab_size or 0), 0
        ids = self.ids.astype(np.int64, copy=False)
        while s < len(self):
            s = counter.count_sequences(ids, self.offsets, s, limit)
            if limit and len(counter) > limit:
                pruner(counter)
        keys, counts = counter.take()
        if self.keys is not None:
            keys = self.keys[keys] if isinstance(self.keys, np.ndarray) else [self.keys[i] for i in keys]
        return RawCounts(keys, counts, len(self), len(self.ids), pruner.min_reduce)

    def vocab_indices(self, encoder) -> np.ndarray:
        """Vocabulary index of every id (-1 for keys not in the vocabulary), given the
        vocabulary's encoder: its `IntIndex` (integer keys) or its `TokenTable`."""
        return self._translator(encoder)(self.ids)

    def _translator(self, encoder):
        """A function from a slice of ``ids`` to vocabulary indices (int32, -1 when unknown)."""
        if self.keys is None:
            if not isinstance(encoder, IntIndex):
                raise TypeError("integer sequences given to a model whose vocabulary keys are str")
            return encoder.lookup
        if isinstance(encoder, IntIndex):
            keys = self.keys
            if not isinstance(keys, np.ndarray):  # a list of ints (the documented "int64 array or list")
                if not all(isinstance(k, (int, np.integer)) and not isinstance(k, bool) for k in keys):
                    raise TypeError("integer-keyed vocabulary, but this corpus's keys= are not integers")
                keys = np.asarray(keys, dtype=np.int64)
            of_key = encoder.lookup(keys)
        elif isinstance(self.keys, np.ndarray):
            raise TypeError("integer keys= given to a model whose vocabulary keys are str")
        else:
            of_key = _sequences.lookup_objects(encoder, self.keys)
        return of_key.__getitem__  # one entry per distinct key: ids are positions into it

    def fastw2v_encode(self, encoder) -> "SequenceBatches":
        """The corpus as vocabulary indices, encoded a chunk at a time as workers reach
        it; ids outside the vocabulary are dropped (sequences keep their places, so
        weights stay aligned)."""
        return SequenceBatches(self, self._translator(encoder))


class SequenceBatches:
    """A `Sequences` corpus in the form ``threads.train_epoch_encoded`` trains.

    Each chunk of sequences is turned into vocabulary indices when a worker
    takes it (a hash lookup per id, in C), so the corpus never exists a second
    time as indices: the memory is the worker's chunk, not 4 bytes per token.
    """

    def __init__(self, sequences: Sequences, translate):
        self.sequences = sequences
        self.translate = translate
        self.ends = sequences.offsets[1:]  # a view: sentence ends in raw ids
        self.raw_tokens = len(sequences.ids)
        self.weights = sequences.weights
        self.words = 0  # ids in the vocabulary, per epoch (counted a block at a time)
        block = 1 << 20
        for start in range(0, self.raw_tokens, block):
            self.words += int(np.count_nonzero(translate(sequences.ids[start:start + block]) >= 0))

    def chunks(self, words: int) -> list[tuple[int, int]]:
        return chunk_ranges(self.ends, words)

    def batch(self, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray, int]:
        """Sequences ``lo .. hi-1`` as ``(vocabulary indices, ends, 0)``."""
        offsets = self.sequences.offsets
        start = offsets[lo]
        index = self.translate(self.sequences.ids[start:offsets[hi]])
        ends = offsets[lo + 1:hi + 1] - start
        known = index >= 0
        if not known.all():
            kept_before = np.concatenate(([0], np.cumsum(known, dtype=np.int64)))
            index, ends = index[known], kept_before[ends]
        return index, ends, 0

    def materialize(self) -> EncodedCorpus:
        """The whole corpus encoded at once (what code that wants every index needs)."""
        ids, ends, _ = self.batch(0, len(self.sequences))
        return EncodedCorpus(ids, ends, self.raw_tokens, self.weights)


def item2vec(sequences, *, window="sequence", sequence_weights=None, sg=1, sample=0.0,
             shrink_windows=False, ns_exponent=0.75, min_count=1, **word2vec_kwargs):
    """Item2vec: skip-gram over item sequences where the context is the whole sequence.

    Parameters
    ----------
    sequences : Sequences, or a list of integer arrays
    window : int or "sequence"
        ``"sequence"`` (the default) makes every pair of items in a sequence a
        training pair, as item2vec does: the window is set to the longest
        sequence minus one, with ``shrink_windows=False``. Cost grows with the
        square of the sequence length; cap long sessions, or give an int.
        No pair ever crosses a sequence boundary.
    sequence_weights : 1-D float array, optional
        Scale of each sequence's updates (e.g. purchases 1.0, views 0.2).
    sample : float
        0 (the default here) keeps every occurrence: subsampling frequent words
        helps text, where they are stopwords; popular items carry signal.
    ns_exponent : float
        Exponent of the noise distribution ``count ** ns_exponent``. 0.75 is
        word2vec's; for recommendation, Caselles-Dupré et al. (2018, "Word2vec
        applied to recommendation: hyperparameters matter") found tuning it
        (values from -0.5 to 1) changes quality a lot: lower values draw rare
        items more often as negatives.
    **word2vec_kwargs
        Anything `fastw2v.Word2Vec` accepts (vector_size, negative, epochs, workers, seed, ...).

    Returns
    -------
    Word2Vec
        Trained; ``model.wv`` is keyed by the original integer IDs.

    Examples
    --------
    >>> import numpy as np
    >>> from fastw2v.sequences import Sequences, item2vec
    >>> seqs = Sequences.from_arrays([[1, 2, 3], [2, 3], [7, 8, 9, 7]] * 20)
    >>> model = item2vec(seqs, vector_size=8, workers=1, epochs=2)
    >>> sorted(model.wv.index_to_key)
    [1, 2, 3, 7, 8, 9]
    """
    from fastw2v.word2vec import Word2Vec

    if not isinstance(sequences, Sequences):
        sequences = Sequences.from_arrays(sequences)
    if sequence_weights is not None:
        sequences = Sequences(sequences.ids, sequences.offsets, sequence_weights, sequences.keys)
    if window == "sequence":
        window = max(sequences.max_length - 1, 1)
        shrink_windows = False
    elif isinstance(window, str):
        raise ValueError(f'window must be an int >= 1 or "sequence", got {window!r}')
    return Word2Vec(sequences, window=window, sg=sg, sample=sample, shrink_windows=shrink_windows,
                    ns_exponent=ns_exponent, min_count=min_count, **word2vec_kwargs)
