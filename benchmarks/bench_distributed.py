"""fastw2v.distributed on a LocalCluster against single-machine training, plus a projected scaling curve.

    flock /tmp/bench.lock python benchmarks/bench_distributed.py /tmp/corpus.txt \
        --analogies ../shared/eval/questions-words.txt --pairs ../shared/eval/wordsim353.tsv --epochs 5

The corpus is cut into 4 plain files (2 per worker). Single machine: one
process, ``workers=2`` threads, ``corpus_file=`` on the whole text, in the
same run. Distributed: LocalCluster of 2 workers x 2 threads (one for the
training task, one for the tree's merges and relays), ``workers=1`` kernel
thread per task, the same total epochs. Both are scored by the same
evaluator (analogies restrict_vocab=30000, WordSim353 Spearman).

The projection (``project``) and what in it is measured or assumed are
described in benchmarks/RESULTS.md ("Projected scaling"); the formula is in
the function's docstring.
"""
from __future__ import annotations

import argparse
import copy
import gzip
import json
import os
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from fastw2v import Word2Vec  # noqa: E402
from fastw2v import allreduce  # noqa: E402
from fastw2v import distributed as fd  # noqa: E402
from fastw2v.threads import EncodedCorpus  # noqa: E402

NETWORK_BYTES_PER_S = 10e9 / 8  # assumed: 10 Gbit/s per worker NIC, full duplex
EPOCHS_FOR_DRAIN = 5  # the strong-scaling curve spreads the one final drain over 5 epochs


def split_corpus(src, tmp, n_files, max_lines=None):
    opener = gzip.open if src.endswith(".gz") else open
    with opener(src, "rt", encoding="utf-8") as fh:
        lines = fh.readlines()[:max_lines]
    whole = os.path.join(tmp, "whole.txt")
    with open(whole, "w", encoding="utf-8") as fh:
        fh.writelines(lines)
    paths = []
    for i, idx in enumerate(np.array_split(np.arange(len(lines)), n_files)):
        path = os.path.join(tmp, f"part-{i}.txt")
        with open(path, "w", encoding="utf-8") as fh:
            fh.writelines(lines[j] for j in idx.tolist())
        paths.append(path)
    return whole, paths


def quality(model, args):
    out = {}
    if args.analogies:
        out["analogy"] = float(model.wv.evaluate_word_analogies(args.analogies, restrict_vocab=30000)[0])
    if args.pairs:
        out["wordsim"] = float(model.wv.evaluate_word_pairs(args.pairs)[1][0])
    return out


def summarise(stats, model):
    """Per-round means of what the tasks measured (the first round of each (re)start excluded:
    it reads and encodes the shard)."""
    syncs = [s for s in stats["syncs"] if s["round"] > 0]
    leaves = [leaf for s in syncs for leaf in s["leaves"]]
    merges = [m for s in syncs for m in s["merges"]]
    by_shard = {}
    for s in stats["syncs"]:
        for leaf in s["leaves"]:
            by_shard.setdefault(leaf["shard"], []).append(leaf)
    stalls, periods = [], []
    for seq in by_shard.values():
        for a, b in zip(seq, seq[1:]):
            stalls.append(b["t_start"] - a["t_end"])
            periods.append(b["t_start"] - a["t_start"])
    n_rows = sum(len(model.wv) for _ in stats["syncs"][0]["rows_changed"])
    return {
        "shards": stats["shards"], "rounds_per_epoch": stats["rounds_per_epoch"], "sync_every": stats["sync_every"],
        "combine": stats["combine"], "delta_dtype": stats["delta_dtype"], "overlap": stats["overlap"],
        "matrix_rows": n_rows,
        "snapshot_bytes": stats["snapshot_bytes"], "spec_bytes": stats["spec_bytes"],
        "leaf_bytes_per_sync": float(np.mean([b for s in syncs for b in s["leaf_bytes"]])),
        "total_bytes_per_sync": float(np.mean([s["total_bytes"] for s in syncs])),
        "network_bytes_per_sync": float(np.mean([s["bytes"] for s in syncs])),
        "client_bytes_per_sync": float(np.mean([s["bytes_to_client"] for s in syncs])),
        "worker_bytes_per_sync_max": float(np.mean([s["bytes_per_worker_max"] for s in syncs])),
        "network_bytes_per_epoch": [e["bytes"] for e in stats["epochs"]],
        "rows_changed_per_sync": {k: float(np.mean([s["rows_changed"][k] for s in syncs]))
                                  for k in syncs[0]["rows_changed"]},
        "leaf_rows_per_sync": float(np.mean([sum(leaf["rows"].values()) for leaf in leaves])),
        "leaf_rows_by_matrix": {k: float(np.mean([leaf["rows"][k] for leaf in leaves])) for k in leaves[0]["rows"]},
        "compute_s_per_shard_epoch": np.mean([e["shard_seconds"] for e in stats["epochs"]], axis=0).tolist(),
        "compute_s_per_round": float(np.mean([leaf["seconds"] for leaf in leaves])),
        "worker_words_per_s": float(sum(leaf["raw"] for leaf in leaves) / sum(leaf["seconds"] for leaf in leaves)),
        "raw_words_per_round": float(np.mean([leaf["raw"] for leaf in leaves])),
        "apply_s_per_round": float(np.mean([leaf["apply_s"] for leaf in leaves])),
        "delta_s_per_round": float(np.mean([leaf["delta_s"] for leaf in leaves])),
        "merge_s": float(np.mean([m["seconds"] for m in merges])) if merges else 0.0,
        "merge_s_per_input_row": (float(sum(m["seconds"] for m in merges) / sum(m["rows_in"] for m in merges))
                                  if merges else 0.0),
        "hop_latency_s": float(np.median([m["wait_s"] for m in merges])) if merges else 0.0,
        "stall_s_per_round": float(np.mean(stalls)) if stalls else 0.0,
        "wait_for_total_s_per_round": float(np.mean([leaf.get("wait_s", 0.0) for leaf in leaves])),
        "period_s": float(np.mean(periods)) if periods else 0.0,
        "vocab_s": stats["vocab_seconds"], "train_s": stats["train_seconds"], "recoveries": stats["recoveries"],
    }


def micro(model, summary, repeats=5):
    """Best-of seconds of the replica and tree operations on this model's shapes, alone on one core.

    The same operations are timed inside the tasks (``summary``), but there
    two training tasks, the merges, the scheduler and the client share this
    machine's two cores with other jobs, so those are upper bounds.
    encode: the leaf's changed rows (measured count) out of each matrix;
    merge_s[c]: a node with c children whose sums cover every row (the n > 2
    assumption) plus its own leaf; apply: a total covering every row.
    """
    rng = np.random.default_rng(0)
    dim = model.vector_size
    names = list(summary["rows_changed_per_sync"])
    leaf_rows = summary["leaf_rows_by_matrix"]
    out = {"encode_s": 0.0, "merge_s": {c: 0.0 for c in range(1, allreduce.FAN_IN + 1)}, "apply_s": 0.0}
    for name in names:
        n = len(model.wv)
        base = rng.standard_normal((n, dim)).astype(np.float32)
        changed = np.sort(rng.choice(n, int(leaf_rows[name]), replace=False))
        residual = np.zeros_like(base)
        full = allreduce.Rows(np.arange(n, dtype=np.int32),
                              *allreduce.quantise(rng.standard_normal((n, dim)).astype(np.float32), "int8"), None)

        def best(f):
            times = []
            for _ in range(repeats):
                t0 = time.perf_counter()
                f()
                times.append(time.perf_counter() - t0)
            return min(times)

        def encode():
            current, start = base.copy(), base.copy()
            current[changed] += 1e-3
            t0 = time.perf_counter()
            part = allreduce.encode_changes(current, start, residual, "int8")
            return time.perf_counter() - t0, part
        out["encode_s"] += min(encode()[0] for _ in range(repeats))
        leaf = encode()[1]
        for c in out["merge_s"]:
            out["merge_s"][c] += best(lambda: allreduce.add([leaf] + [full] * c, "int8"))
        target, start = base.copy(), base.copy()
        out["apply_s"] += best(lambda: allreduce.apply(target, full, leaf, start=start))
    # a round trains in CHUNKS_PER_ROUND calls of Word2Vec.train (to apply totals between them):
    # the fixed cost of one call, on a copy (the model is scored after this)
    replica = copy.deepcopy(model)
    ids, ends, raw = replica.encoder.encode_sentences([model.wv.index_to_key[:10]], 10_000, 0)
    one = fd._Slice(EncodedCorpus(np.asarray(ids, np.int32), np.asarray(ends, np.int64), int(raw)))
    out["train_call_s"] = best(lambda: replica.train(corpus_iterable=one, epochs=1, start_alpha=0.01,
                                                     end_alpha=0.01, report_delay=60.0))
    return out


def scheduler_cost(client, rounds=10, n=8):
    """Seconds per task of Dask's control plane (client submit + scheduler + worker dispatch) on this
    cluster: rounds of trivial tasks shaped like training rounds (n leaves chained round to round,
    the fan-in-4 reduce tree, a relay per shard), best of 3 of wall time / tasks. An upper bound of
    the scheduler's share: the client's submission and the workers' dispatch are in it too."""
    workers = sorted(client.scheduler_info()["workers"])
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        futures, previous = [], [None] * n
        for _ in range(rounds):
            leaves = [client.submit(_noop, previous[i], workers=[workers[i % len(workers)]], pure=False)
                      for i in range(n)]
            sums = [None] * n
            for k in reversed(range(n)):
                kids = [sums[c] for c in allreduce.children(k, n)]
                sums[k] = client.submit(_noop, leaves[k], *kids, workers=[workers[k % len(workers)]],
                                        pure=False) if kids else leaves[k]
            relays = [sums[0]]
            for k in range(1, n):
                relays.append(client.submit(_noop, relays[allreduce.parent(k)],
                                            workers=[workers[k % len(workers)]], pure=False))
            futures += leaves + [sums[k] for k in range(n) if allreduce.children(k, n)] + relays[1:]
            previous = leaves
        client.gather(futures)
        best = min(best, (time.perf_counter() - t0) / len(futures))
    return best


def _noop(*args):
    return 0


def tasks_per_round(n):
    """Dask tasks in one round: a training task per shard, a reduce per interior node, a relay per non-root."""
    return n + sum(1 for k in range(n) if allreduce.children(k, n)) + (n - 1)


def project(m, ops, rate, total_words, dim, overlap, sched_s, workers=(1, 2, 4, 8, 16, 32, 64), steady=True):
    """Seconds per round and speed-up over one worker (training alone at the measured rate) for n workers.

    Measured: rate r (raw words per second of one kernel thread, single
    machine), words per round W (= sync_every), replica and tree operations
    alone on one core (``ops``: encode a leaf's changes t_enc, apply a total
    t_apply, merge a node with c children t_m(c), a Word2Vec.train call's
    fixed cost t_call), hop latency l (a tree
    task's start minus its last input's end on the LocalCluster: scheduling,
    dispatch and the local copy of the input), Dask's cost per task s (client,
    scheduler and dispatch, ``scheduler_cost``), bytes of a leaf delta.
    Assumed: B = 10 Gbit/s per worker NIC, full duplex; for n > 2 every row
    of every matrix changes in a round, so a subtree sum and the total are the
    full size F = rows * (4 + dim + 4) bytes (int8 + scale; an upper bound);
    the tree's merges run on the worker's CPU and take time from training;
    the next round trains in the background while its task is scheduled (as
    implemented), so the hop between a shard's rounds costs no training time.
    D = overlap, a = min(FAN_IN, n - 1) children per interior node.

        t_c     = W / r
        t_busy  = t_c + t_enc + t_apply + t_m(a) + 8 t_call   (a round trains in 8 calls,
                  so that totals can be applied between them; t_call = one call's fixed cost)
        chain   = h * (a F/B + t_m(a) + l)  +  h * (a F/B + l)  +  F/B    (h = tree depth;
                  up: a node receives a children's sums and merges; down: it
                  sends a copies; + the copy the root sends to the client)
        sched   = tasks_per_round(n) * s     (the control plane's work per round)
        period  = max(t_busy, (t_busy + chain) / (D + 1), sched)     (round r's total is
                  needed at the start of round r + 1 + D, so D rounds of compute hide the chain)
        speedup = n * t_c / period

    ``steady=False`` is this corpus (strong scaling): W = total_words / (n * rounds),
    rounds = ceil(total_words / (n * sync_every)) per epoch, plus one chain per run to drain.
    """
    rows = m["matrix_rows"]
    full = rows * (4 + dim + 4 + (4 if m["combine"] == "average" else 0))
    bandwidth = NETWORK_BYTES_PER_S
    out = []
    for n in workers:
        rounds = max(1, int(np.ceil(total_words / (n * m["sync_every"]))))
        words = m["sync_every"] if steady else total_words / (n * rounds)
        t_c = words / rate
        if n == 1:
            out.append({"workers": 1, "words_per_round": words, "period_s": t_c, "chain_s": 0.0, "speedup": 1.0,
                        "efficiency": 1.0})
            continue
        h = allreduce.depth(n)
        a = min(allreduce.FAN_IN, n - 1)
        size = full if n > 2 else m["total_bytes_per_sync"]
        t_m = ops["merge_s"][a]
        t_busy = t_c + ops["encode_s"] + ops["apply_s"] + t_m + fd.CHUNKS_PER_ROUND * ops["train_call_s"]
        hop = m["hop_latency_s"]
        chain = h * (a * size / bandwidth + t_m + hop) + h * (a * size / bandwidth + hop) + size / bandwidth
        sched = tasks_per_round(n) * sched_s
        period = max(t_busy, (t_busy + chain) / (overlap + 1), sched)
        row = {"workers": n, "words_per_round": words, "t_busy_s": t_busy, "chain_s": chain, "sched_s": sched,
               "period_s": period,
               # how late the other replicas' changes arrive (rounds), and the overlap that hides the chain
               "staleness_rounds": chain / period, "overlap_needed": int(np.ceil(chain / t_busy)),
               "network_s_per_round": (2 * a * h + 1) * size / bandwidth,
               "per_worker_bytes_per_round_max": (2 * a + 2) * size, "speedup": n * t_c / period,
               "efficiency": t_c / period}
        if not steady:
            single = total_words / rate
            run = rounds * period + chain / EPOCHS_FOR_DRAIN
            row.update(rounds_per_epoch=rounds, epoch_s=run, speedup=single / run, efficiency=single / run / n)
        out.append(row)
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("corpus")
    p.add_argument("--analogies")
    p.add_argument("--pairs")
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--lines", type=int, help="only the first LINES lines (for quick iterations)")
    p.add_argument("--sync-every", type=int, nargs="+", default=[350_000])
    p.add_argument("--combine", nargs="+", default=["sum"])
    p.add_argument("--delta-dtype", nargs="+", default=["int8"])
    p.add_argument("--overlap", type=int, nargs="+", default=[2])
    p.add_argument("--single-runs", type=int, default=1)
    p.add_argument("--sg", type=int, default=0)
    p.add_argument("--json", help="write all numbers here")
    args = p.parse_args()
    params = dict(vector_size=100, window=5, min_count=5, sample=1e-3, negative=5, sg=args.sg,
                  epochs=args.epochs, seed=1)
    from distributed import Client, LocalCluster
    report = {"epochs": args.epochs, "load_average_start": os.getloadavg(), "single": []}
    with tempfile.TemporaryDirectory() as tmp:
        whole, paths = split_corpus(args.corpus, tmp, 4, args.lines)
        client = Client(LocalCluster(n_workers=2, threads_per_worker=2, processes=True, dashboard_address=":0"))
        try:
            # the per-worker rate of the projection: one kernel thread, training only (the
            # vocabulary is built first), best of 3 epochs -- other jobs on this machine only slow it
            one = Word2Vec(workers=1, **{**params, "epochs": 1})
            one.build_vocab(corpus_file=whole)
            rates = []
            for _ in range(3):
                t0 = time.perf_counter()
                one.train(corpus_file=whole, total_examples=one.corpus_count, total_words=one.corpus_total_words,
                          epochs=1)
                rates.append(one.corpus_total_words / (time.perf_counter() - t0))
            report["one_thread_words_per_s"] = max(rates)
            report["scheduler_s_per_task"] = scheduler_cost(client)
            print("Dask control plane:", round(report["scheduler_s_per_task"] * 1e3, 3), "ms per task", flush=True)
            report["one_thread_words_per_s_all"] = rates
            print("one kernel thread, training only:", [round(r) for r in rates], "words/s", flush=True)
            runs = [(s, c, d, o) for s in args.sync_every for c in args.combine for d in args.delta_dtype
                    for o in args.overlap]
            for i in range(max(args.single_runs, len(runs))):
                if i < args.single_runs:
                    t0 = time.perf_counter()
                    single = Word2Vec(corpus_file=whole, workers=2, **params)
                    entry = {"train_s": time.perf_counter() - t0, **quality(single, args)}
                    report["single"].append(entry)
                    print("single machine:", json.dumps(entry), flush=True)
                if i >= len(runs):
                    continue
                sync_every, combine, dtype, overlap = runs[i]
                t0 = time.perf_counter()
                model = fd.Word2Vec(paths, client=client, workers=1, sync_every=sync_every, combine=combine,
                                    delta_dtype=dtype, overlap=overlap, **params)
                wall = time.perf_counter() - t0
                summary = summarise(model.distributed_stats, model)
                ops = micro(model, summary)
                rate = report["one_thread_words_per_s"]
                entry = {"wall_s": wall, **quality(model, args), **summary, "ops_alone": ops,
                         "vocab_equal": model.wv.index_to_key == single.wv.index_to_key,
                         "projection": project(summary, ops, rate, model.corpus_total_words, model.vector_size,
                                               overlap, report["scheduler_s_per_task"]),
                         "projection_this_corpus": project(summary, ops, rate, model.corpus_total_words,
                                                           model.vector_size, overlap, report["scheduler_s_per_task"],
                                                           steady=False)}
                report[f"distributed_{combine}_{dtype}_{sync_every}_overlap{overlap}"] = entry
                print(f"distributed ({combine}, {dtype}, sync_every {sync_every}, overlap {overlap}):",
                      json.dumps({k: v for k, v in entry.items() if not k.startswith("projection")}), flush=True)
                for row in entry["projection"]:
                    print("  projected (steady)", json.dumps(row))
                for row in entry["projection_this_corpus"]:
                    print("  projected (this corpus)", json.dumps(row))
        finally:
            cluster = client.cluster
            client.close()
            cluster.close()
    report["load_average_end"] = os.getloadavg()
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(report, fh, indent=1)


if __name__ == "__main__":
    main()
