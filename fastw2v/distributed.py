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

Training (data-parallel, synchronised replicas)
    Each shard trains on a local replica with the normal multi-threaded
    kernels. An epoch is ``R = ceil(total_words / sync_every)`` rounds; in a
    round every shard trains the next 1/R of its sentences, then the client
    merges the replicas' changes row by row, over the replicas that changed
    the row: ``combine="average"`` sets ``new = start + sum_i w_i * delta_i /
    sum_i w_i`` (model averaging weighted by words trained, Spark MLlib's
    rule); ``combine="sum"`` (the default) sets ``new = start + sum_i delta_i``
    -- the lock-free sum word2vec's own threads make (Hogwild), with updates
    at most one round stale. Replicas send only the rows they changed
    (indices + deltas); the client sends back only the rows anyone changed,
    so after a round every replica equals the global model again. The
    learning rate follows one global linear schedule from ``alpha`` to
    ``min_alpha`` over all rounds of all epochs.

    Known effect on quality (benchmarks/RESULTS.md, 2 workers, 5 epochs):
    averaging is what Spark MLlib's Word2Vec does, with its caveat -- a
    frequent word's update is the mean of the replicas' updates, so it moves
    about as far as on one machine that read 1/n of the words, and quality
    falls as workers are added unless epochs go up ("the number of
    partitions should be small for accuracy"; measured: analogy -0.075,
    WordSim353 -0.11 at 2 workers). Summing keeps the full step and measured
    within 0.02 of one machine at ``sync_every=500_000`` (analogy -0.004,
    WordSim353 -0.016; at 1,000,000: -0.013 and -0.022). Its risk is
    overshooting on frequent words when many replicas push the same row from
    one stale start; it is measured at 2 workers only. Smaller ``sync_every``
    is closer to one machine at the cost of more traffic; averaging with
    more epochs is the conservative fallback.

Failures
    Each round's shard is a Dask task; when a worker dies Dask reruns it
    elsewhere. A replica that is not where the task lands (or is at the wrong
    round) raises :class:`StaleReplica`; the client then ships a full snapshot
    of the global model for that shard and resubmits it -- the shard retrains
    that round from the same state, so the run finishes with the same
    schedule.

Example
-------
>>> from distributed import Client, LocalCluster              # doctest: +SKIP
>>> import dask.bag as db                                      # doctest: +SKIP
>>> from fastw2v import distributed as fd                      # doctest: +SKIP
>>> client = Client(LocalCluster(n_workers=2, threads_per_worker=1))   # doctest: +SKIP
>>> model = fd.Word2Vec(["part-*.txt.gz"], client=client, vector_size=100, workers=1)  # doctest: +SKIP
>>> model.wv.most_similar("king")                              # doctest: +SKIP
"""
from __future__ import annotations

import glob
import logging
import math
import os
import time
import uuid

import numpy as np

from fastw2v import word2vec as _w2v
from fastw2v.threads import EncodedCorpus, encode_file
from fastw2v.vocab import MAX_SENTENCE_LENGTH, RawCounts, keep_vocab_item, scan_corpus

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
    return [str(t).split() for t in texts if t is not None]


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
    if hasattr(corpus, "columns"):  # a Dask DataFrame: take its text column
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
    """One shard's model on a worker, plus the global state it started the round from."""

    def __init__(self, spec, snapshot, shard, data):
        model = _w2v.Word2Vec(**spec["params"])
        model._reset_weights(spec["keys"], spec["counts"])
        model._tables = spec["tables"]
        model._encoder = None
        model.corpus_count = spec["corpus_count"]
        model.corpus_total_words = spec["corpus_total_words"]
        model._corpus_in_vocab_words = spec["in_vocab_words"]
        model.seed = int(spec["params"]["seed"]) + 7919 * (shard + 1)  # distinct thread RNG streams per shard
        self.model = model
        self.start = {}
        for name in MATRICES:
            if snapshot.get(name) is not None:
                self._set(name, np.array(snapshot[name], dtype=np.float32))
        self.encoded = self._encode(data)

    def _set(self, name, array):
        if name == "vectors":
            self.model.wv.vectors = array
        else:
            setattr(self.model, name, array)
        self.start[name] = array.copy()

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

    def apply(self, update):
        """Set the rows every replica's changes touched to their merged global values."""
        for name, (rows, values) in update.items():
            self.array(name)[rows] = values
            self.start[name][rows] = values


def _train_round(spec, data, state, shard, version, piece, pieces, start_alpha, end_alpha):
    """Train shard ``shard``'s ``piece``-th of ``pieces`` slices; return its sparse deltas."""
    from distributed import get_worker
    t_setup = time.perf_counter()
    key = (spec["run_id"], shard)
    kind, payload = state
    replica = _REPLICAS.get(key)
    if kind == "snapshot":
        replica = _REPLICAS[key] = _Replica(spec, payload, shard, data)
    elif replica is None or replica.version != version - 1:
        raise StaleReplica(f"shard {shard}: no replica at round {version - 1} on this worker")
    else:
        replica.apply(payload)
    replica.version = version
    lo, hi = _pieces(replica.encoded, pieces)[piece]
    piece_corpus = _slice(replica.encoded, lo, hi)
    setup = time.perf_counter() - t_setup
    t0 = time.perf_counter()
    trained = raw = 0
    if len(piece_corpus.ids):
        replica.model.train_count = version  # fresh thread RNG streams every round
        trained, raw = replica.model.train(corpus_iterable=_Slice(piece_corpus), epochs=1,
                                           start_alpha=start_alpha, end_alpha=end_alpha, report_delay=60.0)
    seconds = time.perf_counter() - t0
    t1 = time.perf_counter()
    deltas = {}
    for name in replica.start:
        current, start = replica.array(name), replica.start[name]
        rows = np.flatnonzero((current != start).any(axis=1)).astype(np.int32)
        deltas[name] = (rows, current[rows] - start[rows])
    return {"shard": shard, "worker": get_worker().address, "trained": int(trained), "raw": int(raw),
            "seconds": seconds, "overhead": setup + time.perf_counter() - t1, "deltas": deltas}


def _forget(run_id):
    for key in [k for k in _REPLICAS if k[0] == run_id]:
        del _REPLICAS[key]


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


class _Trainer:
    def __init__(self, client, model, shards, sync_every, combine, max_retries, on_round):
        self.client, self.model, self.shards = client, model, shards
        self.combine, self.max_retries, self.on_round = combine, max_retries, on_round
        self.run_id = uuid.uuid4().hex
        self._futures = {}
        self.arrays = {name: arr for name in MATRICES
                       if (arr := (model.wv.vectors if name == "vectors" else getattr(model, name))) is not None}
        self.spec = {"run_id": self.run_id, "params": {k: getattr(model, k) for k in _MODEL_PARAMS},
                     "keys": list(model.wv.index_to_key), "counts": model.wv.expandos["count"],
                     "tables": model._tables, "corpus_count": model.corpus_count,
                     "corpus_total_words": model.corpus_total_words,
                     "in_vocab_words": model._corpus_in_vocab_words}
        self.rounds = max(1, math.ceil(model.corpus_total_words / max(int(sync_every), 1)))
        self.stats = {"shards": len(shards), "rounds_per_epoch": self.rounds, "sync_every": int(sync_every),
                      "combine": combine, "recoveries": 0, "syncs": [], "epochs": []}

    def snapshot(self):
        return self._scatter({n: a.copy() for n, a in self.arrays.items()})

    def _scatter(self, obj):
        # One copy, fetched by the workers that need it. Not broadcast=True: replication
        # to a worker that has just died blocks the client. A list of one item, because
        # scattering a dict would scatter each value under its own key name.
        return self.client.scatter([obj], hash=False)[0]

    def run(self):
        model, client = self.model, self.client
        self.spec_future = self._scatter(self.spec)
        state = ("snapshot", self.snapshot())
        spec_bytes = _nbytes(self.spec)
        snapshot_bytes = _nbytes(self.arrays)
        self.stats.update(spec_bytes=spec_bytes, snapshot_bytes=snapshot_bytes)
        total_rounds = model.epochs * self.rounds
        workers = list(client.scheduler_info()["workers"])
        placement = {i: workers[i % len(workers)] for i in range(len(self.shards))}
        trained_total = raw_total = 0
        try:
            for epoch in range(model.epochs):
                t_epoch = time.perf_counter()
                epoch_stats = {"epoch": epoch, "up_bytes": 0, "down_bytes": 0, "seconds": 0.0,
                               "shard_seconds": [0.0] * len(self.shards), "trained": 0}
                if epoch == 0:
                    epoch_stats["down_bytes"] += (spec_bytes + snapshot_bytes) * len(workers)
                for piece in range(self.rounds):
                    version = epoch * self.rounds + piece
                    a0 = model.alpha - (model.alpha - model.min_alpha) * version / total_rounds
                    a1 = model.alpha - (model.alpha - model.min_alpha) * (version + 1) / total_rounds
                    results = self._round(state, version, piece, a0, a1, placement, epoch_stats)
                    update, sync = self._merge(results)
                    sync.update(round=version, epoch=epoch)
                    down = _nbytes(update)
                    sync["down_bytes"] = down * len(self.shards)
                    state = ("update", self._scatter(update))
                    self.stats["syncs"].append(sync)
                    epoch_stats["up_bytes"] += sync["up_bytes"]
                    epoch_stats["down_bytes"] += sync["down_bytes"]
                    for r in results:
                        epoch_stats["shard_seconds"][r["shard"]] += r["seconds"]
                        epoch_stats["trained"] += r["trained"]
                        trained_total += r["trained"]
                        raw_total += r["raw"]
                        placement[r["shard"]] = r["worker"]
                    if self.on_round is not None:
                        self.on_round(sync)
                epoch_stats["seconds"] = time.perf_counter() - t_epoch
                self.stats["epochs"].append(epoch_stats)
                logger.info("distributed EPOCH %d: %d words trained in %.2fs, %.1f MB up, %.1f MB down", epoch,
                            epoch_stats["trained"], epoch_stats["seconds"], epoch_stats["up_bytes"] / 1e6,
                            epoch_stats["down_bytes"] / 1e6)
        finally:
            try:
                client.run(_forget, self.run_id)
            except Exception:  # a worker lost at the end only leaks its own replica
                logger.warning("could not clear replicas of run %s on every worker", self.run_id)
        return trained_total, raw_total

    def _submit(self, state, shard, version, piece, a0, a1, worker):
        key = f"fastw2v-{self.run_id[:8]}-r{version}-s{shard}-{uuid.uuid4().hex[:6]}"
        # pinned to the worker holding the shard's replica, free to move if that worker is gone
        future = self.client.submit(_train_round, self.spec_future, self.shards[shard], state, shard, version,
                                    piece, self.rounds, a0, a1, pure=False, key=key,
                                    workers=[worker] if worker else None, allow_other_workers=bool(worker))
        self._futures[future.key] = future
        return future

    def _round(self, state, version, piece, a0, a1, placement, epoch_stats):
        """Run one round on every shard; a failed or stale shard is resubmitted with a snapshot."""
        from distributed import as_completed
        shard_of = {}
        for shard in range(len(self.shards)):
            future = self._submit(state, shard, version, piece, a0, a1, placement[shard])
            shard_of[future.key] = shard
        pending = as_completed([self._futures[k] for k in shard_of])
        attempts = dict.fromkeys(range(len(self.shards)), 0)
        results = []
        for future in pending:
            shard = shard_of[future.key]
            try:
                results.append(future.result())
                continue
            except StaleReplica:
                pass
            except Exception as exc:  # worker or data lost: retry from a snapshot
                attempts[shard] += 1
                if attempts[shard] > self.max_retries:
                    raise RuntimeError(f"shard {shard} failed {attempts[shard]} times in round {version}") from exc
                logger.warning("shard %d round %d failed (%s: %s); retrying from a snapshot", shard, version,
                               type(exc).__name__, exc)
                self.spec_future = self._scatter(self.spec)  # its only copy may have been on the lost worker
            self.stats["recoveries"] += 1
            epoch_stats["down_bytes"] += self.stats["snapshot_bytes"]
            retry = self._submit(("snapshot", self.snapshot()), shard, version, piece, a0, a1, None)
            shard_of[retry.key] = shard
            self._futures[retry.key] = retry
            pending.add(retry)
        self._futures = {}
        return sorted(results, key=lambda r: r["shard"])

    def _merge(self, results):
        """Sum (or words-weighted mean) of the replicas' sparse deltas into the global arrays.

        Row indices are unique within one replica's delta, so plain fancy-index
        ``+=`` is exact; the mean of a row is over the replicas that changed it.
        """
        t0 = time.perf_counter()
        update, up_bytes, rows_changed = {}, 0, {}
        for name, array in self.arrays.items():
            up_bytes += sum(_nbytes(r["deltas"][name]) for r in results)
            weight = np.zeros(len(array), dtype=np.float64)
            for r in results:
                weight[r["deltas"][name][0]] += 1.0 if self.combine == "sum" else max(r["trained"], 1)
            for r in results:
                idx, delta = r["deltas"][name]
                if self.combine == "sum":
                    array[idx] += delta
                else:
                    w = max(r["trained"], 1) / weight[idx]
                    array[idx] += delta * w[:, None].astype(np.float32)
            rows = np.flatnonzero(weight).astype(np.int32)
            update[name] = (rows, array[rows])
            rows_changed[name] = int(len(rows))
        return update, {"up_bytes": up_bytes, "rows_changed": rows_changed,
                        "merge_seconds": time.perf_counter() - t0,
                        "shard_seconds": [r["seconds"] for r in results],
                        "overhead_seconds": [r["overhead"] for r in results]}

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


def Word2Vec(corpus, client=None, *, sync_every=500_000, n_shards=None, text_column=None, combine="sum",
             max_retries=3, on_round=None, **kwargs):
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
        client, else a new ``LocalCluster`` (closed afterwards).
    sync_every : int
        Words trained (summed over shards) between synchronisations.
    n_shards : int, optional
        Replicas trained in parallel (default: number of workers). Each takes
        a contiguous group of partitions.
    combine : {'sum', 'average'}
        How replicas' changes to a row merge: plain sum (bounded-staleness
        Hogwild; the default, within 0.02 of one machine in our benchmark) or
        mean weighted by words trained (model averaging, Spark MLlib's rule;
        costs quality, see the module docstring).
    max_retries : int
        Times one shard's round may fail (worker lost) before the run fails.
    on_round : callable, optional
        Called on the client with each synchronisation's statistics.
    **kwargs
        Any keyword argument of :class:`fastw2v.Word2Vec` (``workers`` is the
        number of kernel threads inside each Dask task). ``callbacks`` are not supported.

    Returns
    -------
    fastw2v.Word2Vec
        An ordinary trained model; ``model.distributed_stats`` holds the
        traffic (bytes per synchronisation and epoch) and compute seconds per shard.
    """
    if combine not in ("average", "sum"):
        raise ValueError(f"combine must be 'average' or 'sum', got {combine!r}")
    if int(sync_every) < 1:
        raise ValueError(f"sync_every must be a positive number of words, got {sync_every!r}")
    for name in ("sentences", "corpus_iterable", "corpus_file"):
        if kwargs.get(name) is not None:
            raise TypeError(f"pass the corpus as the first argument, not {name}=")
    if kwargs.get("callbacks"):
        raise TypeError("callbacks are not supported by distributed training; use on_round=")
    trim_rule = kwargs.pop("trim_rule", None)
    client, owned = _client(client)
    try:
        t0 = time.perf_counter()
        kind, parts = _partitions(corpus, client, text_column)
        model = _w2v.Word2Vec(**kwargs)
        raw = count_vocabulary(client, parts, model.max_vocab_size, trim_rule)
        if raw.total_words == 0:
            raise ValueError("the corpus is empty: no tokens found in any partition")
        model.corpus_count = raw.corpus_count
        model.corpus_total_words = raw.total_words
        model._prepare(raw, update=False, trim_rule=trim_rule, keep_raw_vocab=False)
        vocab_seconds = time.perf_counter() - t0
        n = int(n_shards or len(client.scheduler_info()["workers"]) or 1)
        groups = np.array_split(np.arange(len(parts)), min(n, len(parts)))
        shards = [[parts[i] for i in g.tolist()] for g in groups]
        trainer = _Trainer(client, model, shards, sync_every, combine, int(max_retries), on_round)
        t1 = time.perf_counter()
        trained, raw_words = trainer.run()
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
    trim_rule = getattr(template, "_trim_rule", None)
    return Word2Vec(corpus, client=client, trim_rule=trim_rule, **params, **options)
