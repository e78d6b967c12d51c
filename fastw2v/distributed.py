"""Scale-out training on a Dask cluster: distributed vocabulary, sharded
training, model averaging (optional extra: ``pip install "fastw2v[dask]"``).

The corpus is cut into shards (one per Dask worker by default); each shard is
read where it is trained (files by path, dask.bag / Dask DataFrame partitions
by their futures) and never passes through the client.

Vocabulary
    Every partition is counted on a worker with the C counter
    (:func:`fastw2v.vocab.scan_corpus`). Counts are merged pairwise in corpus
    order (a tree reduction): keys keep their first-occurrence order, counts
    add up. The client then builds the vocabulary, sampling tables and Huffman
    tree once (``Word2Vec._prepare``) and broadcasts them. Guarantee: without
    ``max_vocab_size`` pruning the result is *identical* to single-machine
    ``build_vocab`` on the concatenated partitions (words, counts, order,
    ``corpus_count``, ``corpus_total_words``). With pruning it is not, because
    gensim's rule is order-dependent (it prunes after whichever sentence
    pushes the table over the limit): each partition is pruned by that rule,
    and a merge that leaves more than ``max_vocab_size`` keys drops keys
    counted fewer than ``min_reduce`` times, raising ``min_reduce``, until
    within the limit. What still holds: at most ``max_vocab_size`` keys; every
    count is a lower bound of the exact count (as single-machine pruning).

Training (data-parallel replicas, sparse deltas summed by a tree, overlapped)
    Each shard trains on a local replica with the normal multi-threaded
    kernels, in rounds of ``sync_every`` words per shard (an epoch is
    ``ceil(total_words / (shards * sync_every))`` rounds). After round ``r``
    each replica sends the rows it changed in that round (int8 with a scale
    per row and error feedback, :mod:`fastw2v.allreduce`); the deltas are
    summed by a tree of Dask tasks on the workers themselves (fan-in 4:
    shard ``k`` merges shards ``4k+1 .. 4k+4``) -- worker to worker, never
    through the client, at most ten messages per worker per synchronisation
    whatever the number of workers -- and the total flows back down the same
    tree.

    Bounded staleness (the overlap): the synchronisation of round ``r`` runs
    while the replicas train round ``r + 1`` and beyond. A round looks for
    earlier rounds' totals between chunks of its training (8 a round) and
    applies each as soon as it is on the worker; round ``r + 1 + overlap``
    does not start before round ``r``'s total is applied (``overlap=2`` by
    default; 0 waits for it at the start of round ``r + 1``). A replica
    therefore sees its own updates at once and the others' as late as the
    synchronisation takes -- at most ``overlap`` rounds -- and after applying
    a total it equals the global model plus its own not-yet-merged changes
    (tests/test_allreduce.py checks that every change counts exactly once
    whenever the totals land). This is the stale-synchronous scheme of
    parameter servers (Ho et al. 2013, SSP) with the bound in rounds.

    Between rounds no training time is lost to Dask: when round ``r`` is
    encoded, its task starts round ``r + 1`` in a background thread on the
    same replica before returning, and the task of round ``r + 1`` (scheduled
    a Dask hop later) only waits for it and hands its delta on. The learning
    rate follows one global linear schedule from ``alpha`` to ``min_alpha``
    over all rounds of all epochs.

    ``combine="sum"`` (the default) adds the replicas' changes to a row:
    exactly the lock-free sum word2vec's own threads make (Hogwild), with the
    other replicas' updates a synchronisation late. ``combine="average"``
    takes their mean weighted by words trained, over the replicas that
    changed the row -- Spark MLlib's model averaging, which the issue asked
    for -- and has Spark's caveat: a frequent word's step is the mean of n
    replicas' steps, so an epoch on n workers moves it about as far as 1/n of
    an epoch on one machine, and quality falls as workers are added unless
    epochs go up (measured at 2 workers in benchmarks/RESULTS.md: -0.08
    analogy). That is why the sum is the default: it keeps one machine's
    step size. Its own risk is overshoot on frequent words when many
    replicas push the same row from one stale start, which grows with the
    number of workers and with ``sync_every`` (measured at 2 workers only).

Failures
    Every task is pinned to the worker that holds its replica. If a worker
    disappears, or a task fails (a replica missing after a restart raises
    :class:`StaleReplica`), the client cancels the rounds in flight and
    restarts every shard from its own copy of the global model after the
    last completed round (it receives each round's total, one model's worth
    of rows, off the critical path), on the workers still alive. Every round
    is trained exactly once in the final model, with the same schedule.

Example
-------
>>> from distributed import Client, LocalCluster              # doctest: +SKIP
>>> import dask.bag as db                                      # doctest: +SKIP
>>> from fastw2v import distributed as fd                      # doctest: +SKIP
>>> client = Client(LocalCluster(n_workers=2, threads_per_worker=2))   # doctest: +SKIP
>>> model = fd.Word2Vec(["part-*.txt.gz"], client=client, vector_size=100, workers=1)  # doctest: +SKIP
>>> model.wv.most_similar("king")                              # doctest: +SKIP
"""
from __future__ import annotations

import glob
import logging
import math
import os
import threading
import time
import uuid

import numpy as np

from fastw2v import allreduce, layout
from fastw2v import word2vec as _w2v
from fastw2v.threads import EncodedCorpus, encode_file
from fastw2v.validation import check_integer
from fastw2v.vocab import MAX_SENTENCE_LENGTH, EmptyVocabularyError, RawCounts, keep_vocab_item, scan_corpus

logger = logging.getLogger(__name__)

MATRICES = ("vectors", "syn1neg", "syn1")
# Constructor arguments a replica needs (everything but the corpus and client-side hooks).
_MODEL_PARAMS = ("vector_size", "alpha", "window", "min_count", "max_vocab_size", "sample", "seed", "workers",
                 "min_alpha", "sg", "hs", "negative", "ns_exponent", "cbow_mean", "epochs", "null_word",
                 "sorted_vocab", "batch_words", "compute_loss", "max_final_vocab", "shrink_windows",
                 "batch_mode")


class StaleReplica(RuntimeError):
    """The worker running a shard has no replica at the round before (moved or restarted)."""


# -- corpus ---------------------------------------------------------------------
def _files(patterns) -> list[str]:
    paths = []
    for pattern in patterns:
        pattern = os.fspath(pattern)
        found = sorted(glob.glob(pattern)) if glob.has_magic(pattern) else [pattern]
        if not found:
            raise FileNotFoundError(f"no file matches {pattern!r}")
        paths.extend(found)
    return paths


def _split_text(texts) -> list[list[str]]:
    # missing values (None, pandas' NA and NaN) are no text: skipped, never the word "<NA>"
    return [t.split() for t in texts if isinstance(t, str)]


def _partitions(corpus, client, text_column):
    """``("files", [path, ...])`` or ``("parts", [future of list of token lists, ...])``, in corpus order."""
    if isinstance(corpus, (str, os.PathLike)):
        corpus = [corpus]
    if isinstance(corpus, (list, tuple)) and all(isinstance(p, (str, os.PathLike)) for p in corpus):
        if not corpus:
            raise ValueError("the corpus is an empty list of paths")
        return "files", _files(corpus)
    if not hasattr(corpus, "to_delayed"):
        raise TypeError(f"corpus must be a dask.bag of token lists, a Dask DataFrame text column or a list "
                        f"of file paths/globs, got {type(corpus).__name__}")
    import dask
    if hasattr(corpus, "columns") and not hasattr(corpus, "dtype"):  # a DataFrame (a Series has both)
        if text_column is None:
            raise ValueError(f"a Dask DataFrame corpus needs text_column= (one of {list(corpus.columns)})")
        corpus = corpus[text_column]
    if hasattr(corpus, "dtype"):  # a Dask Series of strings: whitespace tokens, like LineSentence
        parts = [dask.delayed(_split_text)(p) for p in corpus.to_delayed()]
    else:
        parts = corpus.to_delayed()
    return "parts", client.compute(parts)


# -- vocabulary -----------------------------------------------------------------
def _count_part(part, max_vocab_size, trim_rule) -> RawCounts:
    if isinstance(part, str):
        raw = scan_corpus(corpus_file=part, max_vocab_size=max_vocab_size, trim_rule=trim_rule)
    else:
        raw = scan_corpus(corpus_iterable=part, max_vocab_size=max_vocab_size, trim_rule=trim_rule)
    keys = raw.keys.tolist() if isinstance(raw.keys, np.ndarray) else list(raw.keys)
    return RawCounts(keys, raw.counts.astype(np.int64), raw.corpus_count, raw.total_words, raw.min_reduce)


def merge_counts(first: RawCounts, second: RawCounts, max_vocab_size=None, trim_rule=None) -> RawCounts:
    """Counts of ``first`` then ``second`` (corpus order): keys in first-occurrence
    order, counts summed; pruned while over ``max_vocab_size`` (see module docstring)."""
    index = {k: i for i, k in enumerate(first.keys)}
    keys = list(first.keys)
    counts = list(first.counts.tolist())
    for k, c in zip(second.keys, second.counts.tolist()):
        i = index.get(k)
        if i is None:
            index[k] = len(keys)
            keys.append(k)
            counts.append(c)
        else:
            counts[i] += c
    counts = np.asarray(counts, dtype=np.int64)
    min_reduce = max(first.min_reduce, second.min_reduce)
    while max_vocab_size and len(keys) > max_vocab_size:
        keep = np.fromiter((keep_vocab_item(k, c, min_reduce, trim_rule) for k, c in zip(keys, counts.tolist())),
                           dtype=bool, count=len(keys))
        keys = [k for k, kept in zip(keys, keep.tolist()) if kept]
        counts = counts[keep]
        min_reduce += 1
    return RawCounts(keys, counts, first.corpus_count + second.corpus_count,
                     first.total_words + second.total_words, min_reduce)


def count_vocabulary(client, parts, max_vocab_size=None, trim_rule=None) -> RawCounts:
    """Count every partition on the workers and merge by a pairwise tree in corpus order."""
    level = [client.submit(_count_part, p, max_vocab_size, trim_rule, pure=False) for p in parts]
    while len(level) > 1:
        nxt = [client.submit(merge_counts, level[i], level[i + 1], max_vocab_size, trim_rule, pure=False)
               for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    raw = level[0].result()
    if raw.keys and all(isinstance(k, int) for k in raw.keys[:100]):
        raw.keys = np.asarray(raw.keys, dtype=np.int64)
    return raw


# -- worker side ----------------------------------------------------------------
_REPLICAS: dict = {}  # (run_id, shard) -> _Replica, in each worker process
_REPLICAS_LOCK = threading.Lock()


class _Slice:
    """A pre-encoded piece of a shard, in the form ``Word2Vec.train`` takes without re-encoding."""

    def __init__(self, encoded: EncodedCorpus):
        self.encoded = encoded

    def __iter__(self):
        return iter(())

    def fastw2v_count(self, max_vocab_size, trim_rule):
        raise NotImplementedError("a training slice is never counted")

    def fastw2v_encode(self, encoder):
        return self.encoded


def _pieces(corpus: EncodedCorpus, n: int) -> list[tuple[int, int]]:
    """``n`` contiguous sentence ranges holding about equal numbers of tokens (some may be empty)."""
    if len(corpus.ends) == 0:
        return [(0, 0)] * n
    targets = np.arange(1, n) * (len(corpus.ids) / n)
    cuts = np.searchsorted(corpus.ends, targets, side="left") + 1
    bounds = np.concatenate(([0], np.minimum(cuts, len(corpus.ends)), [len(corpus.ends)]))
    bounds = np.maximum.accumulate(bounds)
    return [(int(bounds[i]), int(bounds[i + 1])) for i in range(n)]


def _slice(corpus: EncodedCorpus, lo: int, hi: int) -> EncodedCorpus:
    first = int(corpus.ends[lo - 1]) if lo > 0 else 0
    last = int(corpus.ends[hi - 1]) if hi > lo else first
    raw = round(corpus.raw_tokens * (last - first) / max(len(corpus.ids), 1))
    return EncodedCorpus(corpus.ids[first:last], corpus.ends[lo:hi] - first, raw)


class _Replica:
    """One shard's model on a worker: its arrays, their state at the start of the
    round (``start``), its quantisation carry-over and the deltas it sent."""

    def __init__(self, spec, shard, data):
        model = _w2v.Word2Vec(**spec["params"])
        model._reset_weights(spec["keys"], spec["counts"])
        model._tables = spec["tables"]
        model._encoder = None
        model.corpus_count = spec["corpus_count"]
        model.corpus_total_words = spec["corpus_total_words"]
        model._corpus_in_vocab_words = spec["in_vocab_words"]
        model.seed = int(spec["params"]["seed"]) + 7919 * (shard + 1)  # distinct thread RNG streams per shard
        self.model = model
        self.wire = spec["delta_dtype"]
        self.mean = spec["combine"] == "average"
        self.encoded = self._encode(data)
        self.version = -1
        self.attempt = -1  # the client's restart count when this replica was last reset
        # A task cancelled by a restart may still be running here when the restarted one
        # arrives: one round at a time per replica.
        self.lock = threading.Lock()
        self.ahead = None  # the next round, training in the background (_Ahead)

    def stop_ahead(self):
        """Cancel and join a background round (a restart or the end of the run)."""
        ahead, self.ahead = self.ahead, None
        if ahead is not None:
            ahead.cancel.set()
            ahead.thread.join()

    def reset(self, snapshot):
        """Start from the global model ``snapshot`` with nothing pending."""
        self.start, self.residual, self.sent, self.applied = {}, {}, {}, set()
        for name in MATRICES:
            if snapshot.get(name) is None:
                continue
            array = layout.padded(snapshot[name], copy=True)  # the kernels' layout
            if name == "vectors":
                self.model.wv.vectors = array
            else:
                setattr(self.model, name, array)
            self.start[name] = array.copy()
            self.residual[name] = np.zeros_like(array) if self.wire != "float32" else None

    def array(self, name):
        return self.model.wv.vectors if name == "vectors" else getattr(self.model, name)

    def _encode(self, data) -> EncodedCorpus:
        encoder = self.model.encoder
        ids, ends, raw, offset = [], [], 0, 0
        for part in data:
            if isinstance(part, str):
                enc = encode_file(part, encoder)
                part_ids, part_ends, part_raw = enc.ids, enc.ends, enc.raw_tokens
            else:
                part_ids, part_ends, part_raw = encoder.encode_sentences(part, MAX_SENTENCE_LENGTH, 0)
            ids.append(part_ids)
            ends.append(np.asarray(part_ends, dtype=np.int64) + offset)
            offset += len(part_ids)
            raw += int(part_raw)
        return EncodedCorpus(np.concatenate(ids) if ids else np.zeros(0, np.int32),
                             np.concatenate(ends) if ends else np.zeros(0, np.int64), raw)

    def apply(self, total, version):
        """Add round ``version``'s merged total, less this replica's own part (already applied), once."""
        if version in self.applied:
            return
        self.applied.add(version)
        own = self.sent.pop(version)
        for name, part in total.items():
            allreduce.apply(self.array(name), part, own[name], start=self.start[name])

    def delta(self, version, trained):
        """The rows changed since ``start`` in the wire dtype; ``start`` catches up."""
        delta = {}
        for name, start in self.start.items():
            delta[name] = allreduce.encode_changes(self.array(name), start, self.residual[name], self.wire,
                                                   max(trained, 1) if self.mean else None)
        self.sent[version] = delta
        return delta


def _train_round(spec, data, snapshot, previous, total, early, shard, attempt, version, overlap, piece, pieces,
                 start_alpha, end_alpha, after=None):
    """Round ``version`` of shard ``shard``: train the ``piece``-th of ``pieces`` slices, return the changed rows.

    ``total`` (round ``version - 1 - overlap``'s, or None) is applied first if
    it has not been yet; ``early`` maps later rounds to the keys of their totals'
    copies on this worker, applied between chunks of training as soon as they
    arrive (so other replicas' changes are usually one synchronisation, not
    ``overlap`` rounds, late). ``previous`` (this shard's result of the round
    before) is unused: it orders the tasks. ``attempt`` counts the client's
    restarts; a task from before the last one is stale.

    ``after`` (the next round's arguments, or None for the last round) starts
    the next round in a background thread as soon as this one is encoded, so
    the training thread does not sit idle for the Dask hop between this task's
    end and the next task's start; the next task then only waits for it and
    hands its delta over (see :class:`_Ahead`)."""
    from distributed import get_worker, secede
    worker = get_worker()
    key = (spec["run_id"], shard)
    with _REPLICAS_LOCK:
        replica = _REPLICAS.get(key)
        if replica is None and snapshot is not None:
            replica = _REPLICAS[key] = _Replica(spec, shard, data)
    if replica is None:
        raise StaleReplica(f"shard {shard}: no replica on this worker")
    with replica.lock:
        if snapshot is not None:
            replica.stop_ahead()
            replica.reset(snapshot)
            replica.attempt, replica.version = attempt, version - 1
        elif replica.attempt != attempt:
            raise StaleReplica(f"shard {shard}: the replica is at attempt {replica.attempt}, not {attempt}")
        ahead = replica.ahead
        if ahead is not None and ahead.version == version:
            # This thread only waits: its slot goes to the synchronisation tasks meanwhile, and
            # it does not rejoin the pool (that could wait for a slot and hold up the delta).
            secede()
            ahead.thread.join()
            replica.ahead = None
            if ahead.error is not None:
                raise ahead.error
            result = ahead.result
        else:
            replica.stop_ahead()
            if replica.version != version - 1:
                raise StaleReplica(f"shard {shard}: no replica at round {version - 1} of attempt {attempt} "
                                   f"on this worker")
            pending = (version - 1 - overlap, total) if total is not None else None
            result = _run_round(replica, worker, pending, early, shard, version, piece, pieces, start_alpha,
                                end_alpha, threading.Event())
        if after is not None:
            replica.ahead = _Ahead(replica, worker, shard, attempt, **after)
        return result


CHUNKS_PER_ROUND = 8  # how often a round looks for totals that have arrived
WAIT_POLL_S = 0.001  # how often a background round looks for the total it must apply before it starts


def _arrived(worker, early, replica):
    """The totals in ``early`` already on this worker and not yet applied, as (round, total)."""
    found = []
    for version, key in early.items():
        if version in replica.applied:
            continue
        value = _local(worker, key)
        if value is not None:
            found.append((version, value))
    return found


def _local(worker, key):
    """The value of ``key`` in this worker's memory, or None."""
    try:
        return worker.data[key] if key in worker.data else None
    except Exception:  # being spilled or released right now: look again later
        return None


class _Ahead:
    """Round ``version`` trained in a background thread, started by the task of round ``version - 1``.

    Its task (submitted by the client as usual) arrives a Dask hop later and
    only collects the result; the training thread meanwhile goes on. Before
    training, the thread waits for ``wait`` = ``(round, key)``, the total that
    round ``version`` must not start without (round ``version - 1 - overlap``'s),
    exactly as the task would have. Same rounds, same order, same totals: only
    the idle gap between rounds goes.
    """

    def __init__(self, replica, worker, shard, attempt, version, wait, early, piece, pieces, start_alpha,
                 end_alpha):
        self.version, self.attempt = version, attempt
        self.cancel = threading.Event()
        self.result = self.error = None
        args = (replica, worker, wait, early, shard, version, piece, pieces, start_alpha, end_alpha)
        self.thread = threading.Thread(target=self._run, args=args, daemon=True,
                                       name=f"fastw2v-shard{shard}-round{version}")
        self.thread.start()

    def _run(self, replica, worker, wait, early, shard, version, piece, pieces, start_alpha, end_alpha):
        try:
            t0 = time.perf_counter()
            pending = None
            if wait is not None:
                behind, key = wait
                while behind not in replica.applied and not self.cancel.is_set():
                    value = _local(worker, key)
                    if value is not None:
                        pending = (behind, value)
                        break
                    time.sleep(WAIT_POLL_S)
            waited = time.perf_counter() - t0
            if self.cancel.is_set():
                return
            self.result = _run_round(replica, worker, pending, early, shard, version, piece, pieces,
                                     start_alpha, end_alpha, self.cancel)
            self.result["leaves"][0]["wait_s"] = waited
        except BaseException as exc:  # handed to the task that collects this round
            self.error = exc


def _run_round(replica, worker, pending, early, shard, version, piece, pieces, start_alpha, end_alpha, cancel):
    """Apply ``pending`` = (round, total) if given, train the piece (applying totals from ``early``
    between chunks), encode the delta; the leaf result of the round."""
    t_start = time.time()
    t0 = time.perf_counter()
    if pending is not None:
        replica.apply(pending[1]["delta"], pending[0])
    apply_s = time.perf_counter() - t0
    lo, hi = _pieces(replica.encoded, pieces)[piece]
    piece_corpus = _slice(replica.encoded, lo, hi)
    seconds = 0.0
    trained = raw = 0
    arrivals = []
    chunks = _pieces(piece_corpus, CHUNKS_PER_ROUND) if early else [(0, len(piece_corpus.ends))]
    for k, (c_lo, c_hi) in enumerate(chunks):
        if cancel.is_set():
            raise StaleReplica(f"shard {shard}: round {version} cancelled")
        t0 = time.perf_counter()
        for v, value in _arrived(worker, early, replica) if k else ():
            replica.apply(value["delta"], v)
            arrivals.append({"round": v, "chunk": k})
        apply_s += time.perf_counter() - t0
        chunk = _slice(piece_corpus, c_lo, c_hi)
        if not len(chunk.ids):
            continue
        a0 = start_alpha + (end_alpha - start_alpha) * k / len(chunks)
        a1 = start_alpha + (end_alpha - start_alpha) * (k + 1) / len(chunks)
        t0 = time.perf_counter()
        replica.model.train_count = version * CHUNKS_PER_ROUND + k  # fresh thread RNG streams every call
        chunk_trained, chunk_raw = replica.model.train(corpus_iterable=_Slice(chunk), epochs=1, start_alpha=a0,
                                                       end_alpha=a1, report_delay=60.0)
        seconds += time.perf_counter() - t0
        trained += chunk_trained
        raw += chunk_raw
    t0 = time.perf_counter()
    delta = replica.delta(version, trained)
    replica.version = version
    size = allreduce.nbytes(delta)
    leaf = {"shard": shard, "worker": worker.address, "trained": int(trained), "raw": int(raw),
            "seconds": seconds, "apply_s": apply_s, "delta_s": time.perf_counter() - t0, "bytes": size,
            "rows": {name: int(len(p.rows)) for name, p in delta.items()}, "early": arrivals, "wait_s": 0.0,
            "t_start": t_start, "t_end": time.time()}
    return {"delta": delta, "bytes": size, "t_end": leaf["t_end"], "leaves": [leaf], "merges": []}


def _reduce(own, *children, shard, dtype):
    """Shard ``shard``'s tree node: its own delta plus its children's subtree sums."""
    t_start = time.time()
    t0 = time.perf_counter()
    parts = (own,) + children
    delta = {name: allreduce.add([p["delta"][name] for p in parts], dtype)
             for name in own["delta"]}
    size = allreduce.nbytes(delta)
    merge = {"shard": shard, "seconds": time.perf_counter() - t0, "rows_in": sum(len(r.rows) for p in parts
                                                                                for r in p["delta"].values()),
             "bytes_in": [c["bytes"] for c in children], "bytes": size,
             "wait_s": t_start - max(p["t_end"] for p in parts)}
    return {"delta": delta, "bytes": size, "t_end": time.time(),
            "leaves": [leaf for p in parts for leaf in p["leaves"]],
            "merges": [m for p in parts for m in p["merges"]] + [merge]}


def _relay(total):
    """A copy of the round's total on this worker, for its replica and its heap children."""
    return total


def _forget(run_id):
    with _REPLICAS_LOCK:
        replicas = [_REPLICAS.pop(k) for k in [k for k in _REPLICAS if k[0] == run_id]]
    for replica in replicas:
        replica.stop_ahead()


# -- client side ----------------------------------------------------------------
def _nbytes(obj) -> int:
    if isinstance(obj, np.ndarray):
        return obj.nbytes
    if isinstance(obj, str):
        return len(obj.encode()) + 1
    if isinstance(obj, dict):
        return sum(_nbytes(v) for v in obj.values())
    if isinstance(obj, (tuple, list)):
        return sum(_nbytes(v) for v in obj)
    return 0


class _WorkerLost(RuntimeError):
    pass


class _Trainer:
    """Submits rounds ``overlap + 1`` ahead of the one it waits for (round r + 1 + overlap
    needs round r's total), keeps the global model, restarts on failure."""

    def __init__(self, client, model, shards, sync_every, combine, delta_dtype, overlap, max_retries, on_round):
        self.client, self.model, self.shards = client, model, shards
        self.overlap = overlap
        self.combine, self.max_retries, self.on_round = combine, max_retries, on_round
        self.run_id = uuid.uuid4().hex
        self.arrays = {name: arr for name in MATRICES
                       if (arr := (model.wv.vectors if name == "vectors" else getattr(model, name))) is not None}
        self.spec = {"run_id": self.run_id, "params": {k: getattr(model, k) for k in _MODEL_PARAMS},
                     "keys": list(model.wv.index_to_key), "counts": model.wv.expandos["count"],
                     "tables": model._tables, "corpus_count": model.corpus_count,
                     "corpus_total_words": model.corpus_total_words,
                     "in_vocab_words": model._corpus_in_vocab_words,
                     "combine": combine, "delta_dtype": delta_dtype}
        self.dtype = delta_dtype
        n = len(shards)
        self.rounds = max(1, math.ceil(model.corpus_total_words / (n * max(int(sync_every), 1))))
        self.stats = {"shards": n, "rounds_per_epoch": self.rounds, "sync_every": int(sync_every),
                      "combine": combine, "delta_dtype": delta_dtype, "overlap": overlap,
                      "tree_depth": allreduce.depth(n),
                      "recoveries": 0, "syncs": [], "epochs": []}

    def _scatter(self, obj):
        # One copy, fetched by the workers that need it. Not broadcast=True: replication
        # to a worker that has just died blocks the client. A list of one item, because
        # scattering a dict would scatter each value under its own key name.
        return self.client.scatter([obj], hash=False)[0]

    def _alpha(self, version):
        m, total = self.model, self.model.epochs * self.rounds
        return m.alpha - (m.alpha - m.min_alpha) * version / total

    def _key(self, kind, version, shard):
        """A task's key: unique per run, restart, round and shard, and known before the task is submitted
        (a round's task tells its background successor which totals to look for)."""
        return f"fastw2v-{self.run_id[:8]}-a{self.stats['recoveries']}-r{version}-{kind}-{shard}"

    def _relay_key(self, version, shard):
        """The key of round ``version``'s total on shard ``shard``'s worker."""
        if shard:
            return self._key("relay", version, shard)
        return self._key("reduce" if len(self.shards) > 1 else "train", version, 0)

    def _submit_round(self, version, rounds, restart, snapshot, placement):
        n, c = len(self.shards), self.client
        total_rounds = self.model.epochs * self.rounds
        leaves = []
        for i in range(n):
            previous = rounds[version - 1]["leaves"][i] if version > restart else None
            behind = version - 1 - self.overlap
            total = rounds[behind]["relays"][i] if behind >= restart else None
            early = {v: rounds[v]["relays"][i].key for v in range(max(behind + 1, restart), version)}
            after = None
            if version + 1 < total_rounds:
                nxt = version + 1
                after = {"version": nxt, "piece": nxt % self.rounds, "pieces": self.rounds,
                         "start_alpha": self._alpha(nxt), "end_alpha": self._alpha(nxt + 1),
                         "wait": (nxt - 1 - self.overlap, self._relay_key(nxt - 1 - self.overlap, i))
                         if nxt - 1 - self.overlap >= restart else None,
                         "early": {v: self._relay_key(v, i) for v in range(max(nxt - self.overlap, restart), nxt)}}
            leaves.append(c.submit(_train_round, self.spec_future, self.shards[i],
                                   snapshot if version == restart else None, previous, total, early, i,
                                   self.stats["recoveries"], version, self.overlap,
                                   version % self.rounds, self.rounds, self._alpha(version),
                                   self._alpha(version + 1), after, key=self._key("train", version, i),
                                   workers=[placement[i]], pure=False))
        # The synchronisation outranks training on a worker's thread pool, so it never
        # waits for a round of compute (workers need a thread besides the training task's).
        sums = [None] * n
        for k in reversed(range(n)):
            kids = [sums[ch] for ch in allreduce.children(k, n)]
            sums[k] = leaves[k] if not kids else c.submit(
                _reduce, leaves[k], *kids, shard=k, dtype=self.dtype, key=self._key("reduce", version, k),
                workers=[placement[k]], priority=10, pure=False)
        relays = [sums[0]]
        for k in range(1, n):
            relays.append(c.submit(_relay, relays[allreduce.parent(k)], key=self._key("relay", version, k),
                                   workers=[placement[k]], priority=10, pure=False))
        rounds[version] = {"leaves": leaves, "sums": sums, "relays": relays, "root": sums[0]}

    def _wait(self, future, placement):
        """The round's total, or :class:`_WorkerLost` when a task failed or a worker is gone."""
        while True:
            try:
                return future.result(timeout=0.5)
            except TimeoutError:
                alive = set(self.client.scheduler_info(n_workers=-1)["workers"])
                gone = set(placement.values()) - alive
                if gone:
                    raise _WorkerLost(f"worker(s) {sorted(gone)} left the cluster") from None
            except Exception as exc:
                raise _WorkerLost(f"{type(exc).__name__}: {exc}") from exc

    def _placement(self):
        workers = sorted(self.client.scheduler_info(n_workers=-1)["workers"])
        if not workers:
            raise RuntimeError("the Dask cluster has no workers")
        return {i: workers[i % len(workers)] for i in range(len(self.shards))}

    def run(self):
        model = self.model
        self.spec_future = self._scatter(self.spec)
        self.stats.update(spec_bytes=_nbytes(self.spec), snapshot_bytes=_nbytes(self.arrays))
        total_rounds = model.epochs * self.rounds
        placement = self._placement()
        snapshot = self._scatter({n: a.copy() for n, a in self.arrays.items()})
        rounds, restart, submitted, done = {}, 0, 0, 0
        trained_total = raw_total = 0
        t_epoch = time.perf_counter()
        epoch_stats = None
        try:
            while done < total_rounds:
                while submitted < total_rounds and submitted <= done + 1 + self.overlap:
                    self._submit_round(submitted, rounds, restart, snapshot, placement)
                    submitted += 1
                try:
                    result = self._wait(rounds[done]["root"], placement)
                except _WorkerLost as exc:
                    self.stats["recoveries"] += 1
                    if self.stats["recoveries"] > self.max_retries:
                        raise RuntimeError(f"round {done} failed {self.stats['recoveries']} times; "
                                           f"last: {exc}") from exc
                    logger.warning("round %d failed (%s); restarting every shard from round %d", done, exc, done)
                    self.client.cancel([f for r in rounds.values() for key in ("leaves", "sums", "relays")
                                        for f in r[key]])
                    rounds.clear()
                    restart = submitted = done
                    placement = self._placement()
                    self.spec_future = self._scatter(self.spec)  # its only copy may have been on the lost worker
                    snapshot = self._scatter({n: a.copy() for n, a in self.arrays.items()})
                    continue
                for name, part in result["delta"].items():
                    allreduce.apply(self.arrays[name], part)
                if done == restart:
                    snapshot = None
                sync = self._sync_stats(result, done)
                self.stats["syncs"].append(sync)
                epoch = done // self.rounds
                if epoch_stats is None:
                    epoch_stats = {"epoch": epoch, "bytes": 0, "tree_bytes_per_worker_max": 0, "seconds": 0.0,
                                   "shard_seconds": [0.0] * len(self.shards), "trained": 0}
                epoch_stats["bytes"] += sync["bytes"]
                epoch_stats["tree_bytes_per_worker_max"] += sync["bytes_per_worker_max"]
                for leaf in result["leaves"]:
                    epoch_stats["shard_seconds"][leaf["shard"]] += leaf["seconds"]
                    epoch_stats["trained"] += leaf["trained"]
                    trained_total += leaf["trained"]
                    raw_total += leaf["raw"]
                del rounds[done]
                done += 1
                if self.on_round is not None:
                    self.on_round(sync)
                if done % self.rounds == 0:
                    epoch_stats["seconds"] = time.perf_counter() - t_epoch
                    t_epoch = time.perf_counter()
                    self.stats["epochs"].append(epoch_stats)
                    logger.info("distributed EPOCH %d: %d words trained in %.2fs, %.1f MB over the network",
                                epoch, epoch_stats["trained"], epoch_stats["seconds"], epoch_stats["bytes"] / 1e6)
                    epoch_stats = None
        finally:
            try:
                self.client.run(_forget, self.run_id)
            except Exception:  # a worker lost at the end only leaks its own replica
                logger.warning("could not clear replicas of run %s on every worker", self.run_id)
        return trained_total, raw_total

    def _sync_stats(self, result, version):
        """Bytes on every tree edge this round, and the timings the tasks recorded."""
        n = len(self.shards)
        subtree = {m["shard"]: m["bytes"] for m in result["merges"]}
        leaf_bytes = {leaf["shard"]: leaf["bytes"] for leaf in result["leaves"]}
        sent_up = [subtree.get(k, leaf_bytes[k]) for k in range(n)]  # what shard k sends its parent
        total = result["bytes"]
        per_worker = []
        for k in range(n):
            kids = allreduce.children(k, n)
            received = sum(sent_up[ch] for ch in kids) + (total if k else 0)
            sent = (sent_up[k] if k else 0) + total * len(kids)
            per_worker.append(received + sent)
        tree = sum(sent_up[1:]) + total * (n - 1)
        return {"round": version, "epoch": version // self.rounds,
                "bytes": tree, "bytes_to_client": total, "bytes_per_worker_max": max(per_worker),
                "leaf_bytes": [leaf_bytes[k] for k in range(n)], "total_bytes": total,
                "rows_changed": {name: int(len(p.rows)) for name, p in result["delta"].items()},
                "leaves": sorted(result["leaves"], key=lambda leaf: leaf["shard"]), "merges": result["merges"]}


def _client(client):
    """``(client, owned)``: the given client, the current one, or a new LocalCluster's (closed after)."""
    from distributed import Client, LocalCluster, get_client
    if isinstance(client, str):  # a scheduler address, e.g. "tcp://10.0.0.1:8786"
        return Client(client), True
    if client is not None:
        return client, False
    try:
        return get_client(), False
    except ValueError:
        return Client(LocalCluster(processes=True)), True


def Word2Vec(corpus, client=None, *, sync_every=350_000, n_shards=None, text_column=None, combine="sum",
             delta_dtype="int8", overlap=2, max_retries=3, on_round=None, **kwargs):
    """Train a :class:`fastw2v.Word2Vec` on a Dask cluster (see the module docstring for the algorithm).

    Parameters
    ----------
    corpus : dask.bag.Bag, Dask DataFrame/Series, or list of str
        A bag of token lists; a Dask Series of text (or a DataFrame with
        ``text_column=``), split on whitespace; or file paths/globs, one
        sentence per line (plain, gzip, bz2, xz), each read by the worker that
        trains it (the paths must be readable there). Partitions (or files)
        are in corpus order; there should be at least as many as shards.
    client : distributed.Client or str, optional
        A client, or a scheduler address to connect to. Default: the current
        client, else a new ``LocalCluster`` (closed afterwards). Workers should
        have a thread to spare beside the training task (``nthreads >= 2``) so
        that synchronisation overlaps training; with one thread it still works,
        serialised.
    sync_every : int
        Words each shard trains between synchronisations (one round). The
        default, 350,000, keeps the per-round CPU of the synchronisation
        (encode, merge, apply: about 20 ms on a 48k-word, 100-dim model) to
        about an eighth of the round; quality at 2 workers is within 0.02 of
        one machine from 250,000 to 350,000 (benchmarks/RESULTS.md).
    n_shards : int, optional
        Replicas trained in parallel (default: number of workers). Each takes
        a contiguous group of partitions.
    combine : {'sum', 'average'}
        How replicas' changes to a row merge: plain sum (bounded-staleness
        Hogwild; the default, within 0.02 of one machine in our benchmark) or
        mean weighted by words trained (model averaging, Spark MLlib's rule;
        costs quality, see the module docstring).
    delta_dtype : {'int8', 'float32'}
        Precision of the deltas on the wire: int8 with a float32 scale per row
        and error feedback (the default; about a quarter of float32's bytes),
        or float32 (exact).
    overlap : int
        Staleness bound in rounds: round ``r + 1 + overlap`` does not start
        before round ``r``'s total is applied (totals that arrive earlier are
        applied mid-round). 0 waits for every synchronisation; the default, 2,
        lets the tree's latency hide behind two rounds of training (needed
        from about 8 workers on a 10 Gbit/s network, benchmarks/RESULTS.md);
        more hides slower networks and allows staler updates.
    max_retries : int
        Times the run may restart from the last completed round after losing a worker.
    on_round : callable, optional
        Called on the client with each synchronisation's statistics.
    **kwargs
        Any keyword argument of :class:`fastw2v.Word2Vec` (``workers`` is the
        number of kernel threads inside each Dask task). ``callbacks`` and
        ``compute_loss`` are not supported (TypeError): use ``on_round``.

    Returns
    -------
    fastw2v.Word2Vec
        An ordinary trained model; ``model.distributed_stats`` holds the
        traffic (bytes per synchronisation and epoch) and compute seconds per shard.
    """
    if combine not in ("average", "sum"):
        raise ValueError(f"combine must be 'average' or 'sum', got {combine!r}")
    if delta_dtype not in allreduce.WIRE_DTYPES:
        raise ValueError(f"delta_dtype must be one of {list(allreduce.WIRE_DTYPES)}, got {delta_dtype!r}")
    if int(overlap) < 0:
        raise ValueError(f"overlap must be a number of rounds >= 0, got {overlap!r}")
    check_integer("sync_every", sync_every, 1)
    if n_shards is not None:
        check_integer("n_shards", n_shards, 1)
    for name in ("sentences", "corpus_iterable", "corpus_file"):
        if kwargs.get(name) is not None:
            raise TypeError(f"pass the corpus as the first argument, not {name}=")
    if kwargs.get("callbacks"):
        raise TypeError("callbacks are not supported by distributed training; use on_round=")
    if kwargs.get("compute_loss"):  # the replicas' losses are not gathered: refused, not silently 0
        raise TypeError("compute_loss is not supported by distributed training")
    trim_rule = kwargs.pop("trim_rule", None)
    client, owned = _client(client)
    try:
        t0 = time.perf_counter()
        kind, parts = _partitions(corpus, client, text_column)
        model = _w2v.Word2Vec(**kwargs)
        raw = count_vocabulary(client, parts, model.max_vocab_size, trim_rule)
        if raw.total_words == 0:
            raise EmptyVocabularyError("the corpus is empty: no tokens found in any partition")
        model.corpus_count = raw.corpus_count
        model.corpus_total_words = raw.total_words
        model._prepare(raw, update=False, trim_rule=trim_rule, keep_raw_vocab=False)
        vocab_seconds = time.perf_counter() - t0
        n = int(n_shards or len(client.scheduler_info(n_workers=-1)["workers"]) or 1)
        groups = np.array_split(np.arange(len(parts)), min(n, len(parts)))
        shards = [[parts[i] for i in g.tolist()] for g in groups]
        trainer = _Trainer(client, model, shards, sync_every, combine, delta_dtype, int(overlap), int(max_retries),
                           on_round)
        t1 = time.perf_counter()
        trained, raw_words = trainer.run() if model.epochs > 0 else (0, 0)
        seconds = time.perf_counter() - t1
    finally:
        if owned:
            cluster = getattr(client, "cluster", None)
            client.close()
            if cluster is not None:
                cluster.close()
    model.train_count += 1
    model.total_train_time += seconds
    model.min_alpha_yet_reached = model.min_alpha
    model.training_state = None
    model.wv.norms = None
    model.epoch_stats = {"epoch": model.epochs - 1, "words": raw_words, "effective_words": trained,
                         "seconds": seconds, "words_per_sec": raw_words / max(seconds, 1e-9)}
    trainer.stats.update(vocab_seconds=vocab_seconds, train_seconds=seconds, trained_words=trained,
                         raw_words=raw_words, corpus=kind)
    model.distributed_stats = trainer.stats
    return model


def train_like(template, corpus, client=None, **options):
    """Train with the settings of an untrained ``template`` model (e.g. one the CLI
    built from its flags); ``options`` are :func:`Word2Vec`'s own (``sync_every``, ...)."""
    params = {k: getattr(template, k) for k in _MODEL_PARAMS}
    return Word2Vec(corpus, client=client, **params, **options)
