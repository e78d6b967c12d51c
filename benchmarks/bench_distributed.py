"""fastw2v.distributed on a LocalCluster against single-machine training, plus a projected scaling curve.

    PYTHONPATH=. python benchmarks/bench_distributed.py ../shared/corpus/en-dict-wiki.txt.gz \
        --analogies ../shared/eval/questions-words.txt --pairs ../shared/eval/wordsim353.tsv --epochs 5

The corpus is cut into 4 plain files (2 per worker). Single machine: one
process, ``workers=2`` threads, ``corpus_file=`` on the whole text.
Distributed: LocalCluster of 2 workers x 1 thread, ``workers=1`` kernel
thread per task, the same total epochs. Both are scored by the same
evaluator (analogies restrict_vocab=30000, WordSim353 Spearman).

Projection (4-64 workers, this corpus, strong scaling): per round each of n
workers trains ``sync_every / n`` words at the measured per-worker compute
rate; the client receives n sparse deltas and sends n updates over an
assumed 10 Gbit/s link (its NIC is the bottleneck: a star, no tree
all-reduce). Bytes per worker per round are the measured ones at 2 workers
for the upload (an upper bound: with more workers each trains fewer words a
round, so touches fewer rows), and for the download the measured union grown
linearly with n, capped by the full size of the matrices. The client's
merge time is the measured one scaled by n/2; the per-round scheduling
latency is the measured one.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from fastw2v import Word2Vec  # noqa: E402
from fastw2v import distributed as fd  # noqa: E402

NETWORK_BYTES_PER_S = 10e9 / 8


def split_corpus(src, tmp, n_files):
    opener = gzip.open if src.endswith(".gz") else open
    with opener(src, "rt", encoding="utf-8") as fh:
        lines = fh.readlines()
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
    syncs, epochs = stats["syncs"], stats["epochs"]
    up = np.array([s["up_bytes"] for s in syncs], dtype=float)
    down = np.array([s["down_bytes"] for s in syncs], dtype=float)
    shard_seconds = np.array([e["shard_seconds"] for e in epochs])  # epochs x shards
    raw_per_shard_epoch = stats["raw_words"] / model.epochs / stats["shards"]
    merge = np.array([s["merge_seconds"] for s in syncs])
    compute = np.array([max(s["shard_seconds"]) for s in syncs])
    overhead = np.array([max(s["overhead_seconds"]) for s in syncs])
    round_wall = np.array([e["seconds"] for e in epochs]).sum() / len(syncs)
    return {
        "shards": stats["shards"], "rounds_per_epoch": stats["rounds_per_epoch"], "sync_every": stats["sync_every"],
        "combine": stats["combine"], "snapshot_bytes": stats["snapshot_bytes"], "spec_bytes": stats["spec_bytes"],
        "up_bytes_per_sync_mean": float(up.mean()), "down_bytes_per_sync_mean": float(down.mean()),
        "up_bytes_per_sync_max": float(up.max()), "down_bytes_per_sync_max": float(down.max()),
        "bytes_per_epoch": [e["up_bytes"] + e["down_bytes"] for e in epochs],
        "rows_changed_mean": {k: float(np.mean([s["rows_changed"][k] for s in syncs]))
                              for k in syncs[0]["rows_changed"]},
        "compute_s_per_shard_epoch": shard_seconds.mean(axis=0).tolist(),
        "worker_words_per_s": float(raw_per_shard_epoch / shard_seconds.mean()),
        "merge_s_per_sync": float(merge.mean()), "replica_overhead_s_per_sync": float(overhead.mean()),
        "round_wall_s": float(round_wall),
        "latency_s_per_sync": float(max(round_wall - compute.mean() - merge.mean() - overhead.mean(), 0.0)),
        "vocab_s": stats["vocab_seconds"], "train_s": stats["train_seconds"], "recoveries": stats["recoveries"],
    }


def project(summary, total_words, vocab_rows, dim, matrices, workers=(1, 2, 4, 8, 16, 32, 64), scale_sync=False):
    """Epoch seconds and speed-up over one worker for n workers (see the module docstring)."""
    rate = summary["worker_words_per_s"]
    up_shard = summary["up_bytes_per_sync_mean"] / summary["shards"]
    down_shard = summary["down_bytes_per_sync_mean"] / summary["shards"]
    full = vocab_rows * (dim * 4 + 4) * matrices
    single = total_words / rate
    rows = []
    for n in workers:
        sync_every = summary["sync_every"] * (n / 2 if scale_sync else 1)
        rounds = max(1, int(np.ceil(total_words / sync_every)))
        if n == 1:
            rows.append({"workers": 1, "epoch_s": single, "speedup": 1.0, "network_s": 0.0, "sync_every": sync_every})
            continue
        compute = total_words / rounds / n / rate
        down = min(full, down_shard * n / 2)
        network = n * (up_shard + down) / NETWORK_BYTES_PER_S
        merge = summary["merge_s_per_sync"] * n / 2
        per_round = compute + network + merge + summary["latency_s_per_sync"] + summary["replica_overhead_s_per_sync"]
        epoch = rounds * per_round
        rows.append({"workers": n, "epoch_s": epoch, "speedup": single / epoch, "network_s": rounds * network,
                     "merge_s": rounds * merge, "sync_every": sync_every})
    return rows


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("corpus")
    p.add_argument("--analogies")
    p.add_argument("--pairs")
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--sync-every", type=int, default=500_000)
    p.add_argument("--combine", default="both", help="sum, average, or both")
    p.add_argument("--sg", type=int, default=0)
    p.add_argument("--json", help="write all numbers here")
    args = p.parse_args()
    params = dict(vector_size=100, window=5, min_count=5, sample=1e-3, negative=5, sg=args.sg,
                  epochs=args.epochs, seed=1)
    from distributed import Client, LocalCluster
    report = {"epochs": args.epochs, "load_average_start": os.getloadavg()}
    with tempfile.TemporaryDirectory() as tmp:
        whole, paths = split_corpus(args.corpus, tmp, 4)
        t0 = time.perf_counter()
        single = Word2Vec(corpus_file=whole, workers=2, **params)
        report["single"] = {"train_s": time.perf_counter() - t0, **quality(single, args)}
        print("single machine:", report["single"], flush=True)
        client = Client(LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"))
        try:
            for combine in (["average", "sum"] if args.combine == "both" else [args.combine]):
                t0 = time.perf_counter()
                model = fd.Word2Vec(paths, client=client, workers=1, sync_every=args.sync_every, combine=combine,
                                    **params)
                wall = time.perf_counter() - t0
                summary = summarise(model.distributed_stats, model)
                matrices = sum(m is not None for m in (model.syn1neg, model.syn1)) + 1
                entry = {"wall_s": wall, **quality(model, args), **summary,
                         "vocab_equal": model.wv.index_to_key == single.wv.index_to_key,
                         "projection": project(summary, model.corpus_total_words, len(model.wv),
                                               model.vector_size, matrices),
                         "projection_sync_scaled": project(summary, model.corpus_total_words, len(model.wv),
                                                           model.vector_size, matrices, scale_sync=True)}
                report[f"distributed_{combine}"] = entry
                print(f"distributed ({combine}):", json.dumps({k: v for k, v in entry.items()
                                                               if not k.startswith("projection")}), flush=True)
                for row in entry["projection"]:
                    print("  projected", json.dumps(row))
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
