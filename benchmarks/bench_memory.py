"""Peak memory of vocabulary counting under ``max_vocab_size``, of loading with ``mmap='r'``,
and of a vocabulary of many distinct integer IDs.

Run:  PYTHONPATH=. python benchmarks/bench_memory.py [--distinct 5000000] [--max-vocab 1000000]
      PYTHONPATH=. python benchmarks/bench_memory.py --int-ids 10000000 [--dim 8] [--sample 1e-3]

``--int-ids N`` measures only the integer vocabulary (issue 10's bar): a
`Sequences` corpus of 2N tokens (each of N random distinct int64 IDs twice,
shuffled, sequences of 20), then ``Word2Vec(seqs, vector_size=dim,
min_count=1, epochs=1)`` (build_vocab + one epoch). The baseline is taken
after the input arrays exist (the peak is reset there through
``/proc/self/clear_refs``); the result is the peak above it minus the
vectors (``syn0`` + ``syn1neg``), per ID.

The stream: ``--distinct`` tokens that occur once each (``u0``, ``u1``, ...)
interleaved with draws from 10,000 frequent tokens, 100 tokens a line, half
of each kind. Each measurement runs in a fresh interpreter and reports the
peak resident set (``VmHWM``) above the interpreter + imports (``VmRSS``
before the work); ``ru_maxrss`` is not used because it carries the parent's
peak across ``exec``.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FREQUENT = 10_000
PER_LINE = 100

CHILD = r"""
import json, sys, time
sys.path.insert(0, {root!r})
import numpy as np
from fastw2v import Word2Vec
from fastw2v.vocab import scan_corpus

def status(field):
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024.0

class Stream:
    '''The same tokens as the file, generated lazily: nothing held in memory.'''
    def __init__(self, distinct):
        self.distinct = distinct
    def __iter__(self):
        rng = np.random.default_rng(0)
        half = {per_line} // 2
        for start in range(0, self.distinct, half):
            rare = [f"u{{i}}" for i in range(start, min(start + half, self.distinct))]
            frequent = [f"f{{i}}" for i in rng.integers(0, {frequent}, half)]
            yield [t for pair in zip(rare, frequent) for t in pair]

task = json.loads(sys.argv[1])
base = status("VmRSS")
t0 = time.perf_counter()
if task["kind"] == "count_file":
    raw = scan_corpus(corpus_file=task["path"], max_vocab_size=task["max_vocab"])
    out = {{"distinct_kept": len(raw.counts), "total_words": raw.total_words, "min_reduce": raw.min_reduce}}
elif task["kind"] == "count_iterable":
    raw = scan_corpus(Stream(task["distinct"]), max_vocab_size=task["max_vocab"])
    out = {{"distinct_kept": len(raw.counts), "total_words": raw.total_words, "min_reduce": raw.min_reduce}}
elif task["kind"] == "int_ids":
    from fastw2v.sequences import Sequences
    n, rng = task["ids"], np.random.default_rng(0)
    keys = rng.permutation(n).astype(np.int64) * 1_000_003 + 4_000_000_000_000
    ids = np.concatenate([keys, keys])
    del keys
    rng.shuffle(ids)
    seqs = Sequences(ids, np.arange(0, len(ids) + 1, 20))
    with open("/proc/self/clear_refs", "w") as fh:  # reset VmHWM: the input is part of the baseline
        fh.write("5")
    base = status("VmRSS")
    t0 = time.perf_counter()
    model = Word2Vec(vector_size=task["dim"], min_count=1, workers=2, epochs=1, sample=task["sample"], seed=1)
    model.build_vocab(seqs)
    vocab_peak = status("VmHWM") - base
    t1 = time.perf_counter()
    model.train(seqs, total_examples=model.corpus_count, epochs=1)
    vectors = model.wv.vectors.nbytes + model.syn1neg.nbytes
    out = {{"rows": len(model.wv), "vectors_mib": vectors / 2**20, "build_vocab_peak_mib": vocab_peak,
            "build_vocab_s": t1 - t0, "train_s": time.perf_counter() - t1}}
else:
    model = Word2Vec.load(task["path"], mmap=task["mmap"])
    out = {{"sum_first_row": float(model.wv.vectors[0].sum()), "rows": len(model.wv)}}
out.update(seconds=time.perf_counter() - t0, base_mib=base, peak_above_base_mib=status("VmHWM") - base)
print(json.dumps(out))
"""


def run(task: dict) -> dict:
    code = CHILD.format(root=ROOT, per_line=PER_LINE, frequent=FREQUENT)
    out = subprocess.run([sys.executable, "-c", code, json.dumps(task)], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def write_stream(path: str, distinct: int) -> int:
    """The stream as a text file (same tokens as the child's ``Stream``); returns its size."""
    rng = np.random.default_rng(0)
    half = PER_LINE // 2
    with open(path, "w") as fh:
        for start in range(0, distinct, half):
            rare = [f"u{i}" for i in range(start, min(start + half, distinct))]
            frequent = [f"f{i}" for i in rng.integers(0, FREQUENT, half)]
            fh.write(" ".join(t for pair in zip(rare, frequent) for t in pair) + "\n")
    return os.path.getsize(path)


def save_model(path: str, rows: int, dim: int) -> int:
    sys.path.insert(0, ROOT)
    from fastw2v import Word2Vec
    model = Word2Vec(vector_size=dim, min_count=1, workers=1, negative=1)
    model.build_vocab_from_freq({f"w{i}": rows - i for i in range(rows)})
    model.save(path)
    return model.wv.vectors.nbytes


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--distinct", type=int, default=5_000_000)
    parser.add_argument("--max-vocab", type=int, default=1_000_000)
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the model loaded with mmap")
    parser.add_argument("--dim", type=int, default=None, help="100 for --rows, 8 for --int-ids")
    parser.add_argument("--int-ids", type=int, default=0, help="measure only a vocabulary of this many int IDs")
    parser.add_argument("--sample", type=float, default=1e-3, help="subsampling for --int-ids")
    args = parser.parse_args()
    if args.int_ids:
        dim = args.dim or 8
        r = run({"kind": "int_ids", "ids": args.int_ids, "dim": dim, "sample": args.sample})
        beyond = r["peak_above_base_mib"] * 2**20 - r["vectors_mib"] * 2**20
        print(f"{args.int_ids:,} int IDs x 2 tokens, dim {dim}, sample {args.sample}: peak "
              f"{r['peak_above_base_mib']:.0f} MiB above {r['base_mib']:.0f} MiB base (build_vocab alone "
              f"{r['build_vocab_peak_mib']:.0f} MiB), vectors {r['vectors_mib']:.0f} MiB -> "
              f"{beyond / args.int_ids:.1f} bytes per ID beyond the vectors; build_vocab "
              f"{r['build_vocab_s']:.1f} s, train {r['train_s']:.1f} s")
        return
    args.dim = args.dim or 100

    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as tmp:
        corpus = os.path.join(tmp, "stream.txt")
        t = time.perf_counter()
        size = write_stream(corpus, args.distinct)
        print(f"stream: {args.distinct:,} distinct rare tokens + {FREQUENT:,} frequent, "
              f"{2 * args.distinct:,} tokens, {size / 2**20:.0f} MiB (written in {time.perf_counter() - t:.0f} s)")
        for kind in ("count_file", "count_iterable"):
            for limit in (args.max_vocab, None):
                r = run({"kind": kind, "path": corpus, "distinct": args.distinct, "max_vocab": limit})
                print(f"{kind:15s} max_vocab_size={limit!s:>9s}: peak {r['peak_above_base_mib']:7.0f} MiB above "
                      f"{r['base_mib']:.0f} MiB base, kept {r['distinct_kept']:,} distinct, "
                      f"min_reduce {r['min_reduce']}, {r['seconds']:.1f} s")
        os.unlink(corpus)

        model = os.path.join(tmp, "big.model")
        nbytes = save_model(model, args.rows, args.dim)
        for mmap in ("r", None):
            r = run({"kind": "load", "path": model, "mmap": mmap})
            print(f"load mmap={mmap!s:4s} {args.rows:,} x {args.dim} ({nbytes / 2**20:.0f} MiB matrix, x2 with "
                  f"syn1neg): peak {r['peak_above_base_mib']:7.0f} MiB above base, {r['seconds']:.2f} s")


if __name__ == "__main__":
    main()
