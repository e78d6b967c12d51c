"""Kernel speed: thread scaling, vector sizes, vocabulary sizes, instruction counts.

    python benchmarks/bench_speed.py scaling CORPUS [--threads 1,2] [--modes sg-ns,cbow-ns] [--rounds 3] [--epochs 1]
    python benchmarks/bench_speed.py dims CORPUS [--dims 100,300] [--gensim [--rounds 3]]
    python benchmarks/bench_speed.py gensim CORPUS [--modes sg-ns,cbow-ns,sg-hs,cbow-hs] [--rounds 3]
    python benchmarks/bench_speed.py vocab [--sizes 10000,100000,1000000,2000000] [--tokens 5000000]
    python benchmarks/bench_speed.py callgrind [--tokens 30000]
    python benchmarks/bench_speed.py iterable CORPUS [--modes sg-ns,cbow-ns] [--rounds 3]
    python benchmarks/bench_speed.py sharing CORPUS [--modes sg-ns] [--rounds 8] [--epochs 3]
    python benchmarks/bench_speed.py rows CORPUS [--modes sg-ns] [--rounds 2] [--epochs 3]
    python benchmarks/bench_speed.py placement [--rounds 10]

Multi-thread timings print ``cores N/M ns``: the core-to-core round trip of a
cache line just before and after the run (benchmarks/pingpong.c, built with the
system C compiler; ``-`` without one). On the project's VM it is ~55 ns when
the host has put the vCPUs near each other and ~330 ns when far apart, and a
shared model's 2-thread speed halves in the far placement.

Timings are noisy on a shared 2-core machine; ``callgrind`` counts executed
instructions inside the training kernel (valgrind must be installed), which
is repeatable and lets kernel changes be compared without timing noise.
Every timing is one ``train`` call with ``corpus_file=``, one epoch unless
``--epochs`` says otherwise; it includes the file's encoding, which ``train``
does once per call on all workers.
"""
from __future__ import annotations

import argparse
import atexit
import gzip
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

MODES = {
    "sg-ns": dict(sg=1, hs=0, negative=5), "cbow-ns": dict(sg=0, hs=0, negative=5),
    "sg-hs": dict(sg=1, hs=1, negative=0), "cbow-hs": dict(sg=0, hs=1, negative=0),
}


def plain(path, tmpdir):
    with open(path, "rb") as fh:
        if fh.read(2) != b"\x1f\x8b":
            return path
    out = os.path.join(tmpdir, "corpus.txt")
    with gzip.open(path, "rb") as src, open(out, "wb") as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
    return out


_PINGPONG = []  # the built probe, once per process


def core_round_trip(round_trips=300_000):
    """Nanoseconds for a cache line to go from one core to another and back
    (benchmarks/pingpong.c), or None without a C compiler or a second CPU."""
    if (os.cpu_count() or 1) < 2:
        return None
    if not _PINGPONG:
        import sysconfig

        tmp = tempfile.mkdtemp(prefix="fastw2v-pingpong-")
        atexit.register(shutil.rmtree, tmp, True)
        exe = os.path.join(tmp, "pingpong")
        cc = (sysconfig.get_config_var("CC") or "cc").split()
        src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pingpong.c")
        try:
            subprocess.run(cc + ["-O2", "-pthread", src, "-o", exe], check=True, capture_output=True)
        except (OSError, subprocess.CalledProcessError):
            exe = None
        _PINGPONG.append(exe)
    if _PINGPONG[0] is None:
        return None
    try:
        out = subprocess.run([_PINGPONG[0], str(round_trips)], capture_output=True, text=True, check=True,
                             timeout=60)
        return float(out.stdout)
    except (OSError, ValueError, subprocess.SubprocessError):
        return None  # a probe that cannot run must not lose the timing beside it


def placed(measure):
    """``measure`` that also records the core round trip just before and after
    each call (in ``.trips``, one ``(before, after)`` per call)."""
    def run():
        before = core_round_trip()
        value = measure()
        run.trips.append((before, core_round_trip()))
        return value
    run.trips = []
    return run


def cores(trip):
    """``cores BEFORE/AFTER ns`` for a (before, after) pair of round trips."""
    return "cores " + "/".join("-" if ns is None else f"{ns:.0f}" for ns in trip) + " ns"


def words_per_sec(path, workers, dim=100, batch_mode="window", min_count=5, lib="fastw2v", epochs=1, **mode):
    """``epochs`` of ``corpus_file=`` training (one ``train`` call, raw tokens per
    second); ``lib="gensim"`` times gensim 4 the same way."""
    if lib == "gensim":
        from gensim.models import Word2Vec

        model = Word2Vec(vector_size=dim, window=5, sample=1e-3, min_count=min_count, workers=workers, **mode)
        model.build_vocab(corpus_file=path)
    else:
        from fastw2v import Word2Vec
        from fastw2v.threads import encode_file

        model = Word2Vec(vector_size=dim, window=5, sample=1e-3, min_count=min_count, workers=workers,
                         batch_mode=batch_mode, **mode)
        model.build_vocab(corpus_file=path)
        encode_file(path, model.encoder)  # warm the page cache and the encoder
    t0 = time.perf_counter()
    model.train(corpus_file=path, total_words=model.corpus_total_words, total_examples=model.corpus_count,
                epochs=epochs)
    return model.corpus_total_words * epochs / (time.perf_counter() - t0)


def alternated(measure_a, measure_b, rounds):
    """``rounds`` pairs ``(a, b)`` of two measurements taken back to back, in
    alternating order: the VM's speed drifts between minutes, so a ratio is only
    taken within a pair, and the median of the pairs' ratios is the figure."""
    pairs = []
    for k in range(max(rounds, 1)):
        if k % 2 == 0:
            a = measure_a()
            pairs.append((a, measure_b()))
        else:
            b = measure_b()
            pairs.append((measure_a(), b))
    return pairs


def median_ratio(pairs):
    return statistics.median_low(a / b for a, b in pairs)


def against_gensim(label, path, rounds, workers, **kwargs):
    """Prints fastw2v's and gensim's words/s for ``rounds`` alternated pairs and their median ratio."""
    ours = placed(lambda: words_per_sec(path, workers, **kwargs))
    pairs = alternated(ours, lambda: words_per_sec(path, workers, lib="gensim", **kwargs), rounds)
    for (f, g), trip in zip(pairs, ours.trips):
        print(f"{label}  fastw2v {f:>9.0f} w/s  gensim {g:>9.0f} w/s  x{f / g:.2f}  {cores(trip)}", flush=True)
    if len(pairs) > 1:
        print(f"{label}  median of {len(pairs)} pairs x{median_ratio(pairs):.2f}", flush=True)


def zipf_corpus(path, vocab, tokens, seed=0):
    """Zipf(1.05)-ranked ids folded into ``vocab`` types, 20-token lines."""
    rng = np.random.default_rng(seed)
    ranks = rng.zipf(1.05, size=tokens * 2)
    ranks = ranks[ranks <= vocab][:tokens]
    with open(path, "w") as fh:
        for i in range(0, len(ranks), 20):
            fh.write(" ".join(f"w{r}" for r in ranks[i:i + 20]) + "\n")


def iterable_or_file(source, path, sentences, **mode):
    """Words/s of one epoch of corpus_file= over ``path`` or corpus_iterable= over ``sentences`` (same text)."""
    from fastw2v import Word2Vec

    model = Word2Vec(vector_size=100, window=5, sample=1e-3, min_count=5, workers=os.cpu_count(), **mode)
    if source == "file":
        model.build_vocab(corpus_file=path)
        t0 = time.perf_counter()
        model.train(corpus_file=path, total_words=model.corpus_total_words, epochs=1)
    else:
        model.build_vocab(sentences)
        t0 = time.perf_counter()
        model.train(sentences, total_examples=model.corpus_count, epochs=1)
    return model.corpus_total_words / (time.perf_counter() - t0)


def cmd_iterable(args):
    """corpus_iterable= against corpus_file= on the corpus as it is and re-cut
    into 3-8-token sentences (short sentences starve gensim's single feeder)."""
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as tmp:
        path = plain(args.corpus, tmp)
        with open(path, encoding="utf-8") as fh:
            lines = [line.split() for line in fh]
        tokens = [t for line in lines for t in line]
        cuts = np.cumsum(rng.integers(3, 9, size=len(tokens) // 3 + 1))
        cuts = cuts[cuts < len(tokens)]
        short = [tokens[a:b] for a, b in zip(np.r_[0, cuts], np.r_[cuts, len(tokens)])]
        short_path = os.path.join(tmp, "short.txt")
        with open(short_path, "w") as fh:
            fh.writelines(" ".join(s) + "\n" for s in short)
        del tokens
        for name in args.modes.split(","):
            for label, p, sents in (("as is", path, lines), ("3-8 tokens", short_path, short)):
                pairs = alternated(lambda: iterable_or_file("iterable", p, sents, **MODES[name]),
                                   lambda: iterable_or_file("file", p, sents, **MODES[name]), args.rounds)
                for it, fi in pairs:
                    print(f"{name:8} {label:10} file {fi:>9.0f} w/s  iterable {it:>9.0f} w/s  "
                          f"iterable/file {it / fi:.2f}", flush=True)
                print(f"{name:8} {label:10} median iterable/file of {len(pairs)} pairs "
                      f"{median_ratio(pairs):.2f}", flush=True)


def cmd_scaling(args):
    with tempfile.TemporaryDirectory() as tmp:
        path = plain(args.corpus, tmp)
        threads = [int(w) for w in args.threads.split(",")]
        base = min(threads)
        for name in args.modes.split(","):
            for batch_mode in args.batch_modes.split(","):
                for w in threads:
                    if w == base:
                        continue
                    many = placed(lambda: words_per_sec(path, w, batch_mode=batch_mode, epochs=args.epochs,
                                                        **MODES[name]))
                    pairs = alternated(
                        many,
                        lambda: words_per_sec(path, base, batch_mode=batch_mode, epochs=args.epochs, **MODES[name]),
                        args.rounds)
                    for (r, r0), trip in zip(pairs, many.trips):
                        print(f"{name:8} {batch_mode:6} {base} threads {r0:>9.0f} w/s  {w} threads {r:>9.0f} w/s "
                              f"(x{r / r0:.2f})  {cores(trip)}", flush=True)
                    print(f"{name:8} {batch_mode:6} {w} threads / {base}: median of {len(pairs)} pairs "
                          f"x{median_ratio(pairs):.2f}", flush=True)


def cmd_dims(args):
    with tempfile.TemporaryDirectory() as tmp:
        path = plain(args.corpus, tmp)
        for dim in map(int, args.dims.split(",")):
            for batch_mode in args.batch_modes.split(","):
                label = f"sg-ns dim {dim:4} {batch_mode:6}"
                if args.gensim:
                    against_gensim(label, path, args.rounds, os.cpu_count(), dim=dim, batch_mode=batch_mode,
                                   **MODES["sg-ns"])
                else:
                    r = words_per_sec(path, os.cpu_count(), dim=dim, batch_mode=batch_mode, **MODES["sg-ns"])
                    print(f"{label} {r:>9.0f} words/s", flush=True)


def cmd_gensim(args):
    """One epoch of each mode against gensim, in alternated pairs (the library's default batch_mode)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = plain(args.corpus, tmp)
        for name in args.modes.split(","):
            against_gensim(f"{name:8} dim {args.dim}", path, args.rounds, os.cpu_count(), dim=args.dim,
                           batch_mode="auto", **MODES[name])


def shared_or_separate(path, variant, threads, epochs, **mode):
    """Words/s of ``threads`` threads training one shared model (``workers=threads``)
    or ``threads`` separate 1-worker models at once, each on the whole file (the
    same kernels, threads and GIL; only the model's rows are not shared)."""
    import threading

    from fastw2v import Word2Vec

    def model(workers, seed):
        m = Word2Vec(vector_size=100, window=5, sample=1e-3, min_count=5, workers=workers, seed=seed, **mode)
        m.build_vocab(corpus_file=path)
        return m

    def train(m):
        m.train(corpus_file=path, total_words=m.corpus_total_words, epochs=epochs)

    models = [model(threads, 1)] if variant == "shared" else [model(1, 1 + k) for k in range(threads)]
    runners = [threading.Thread(target=train, args=(m,)) for m in models]
    t0 = time.perf_counter()
    for r in runners:
        r.start()
    for r in runners:
        r.join()
    return sum(m.corpus_total_words for m in models) * epochs / (time.perf_counter() - t0)


def cmd_sharing(args):
    """Whether slow multi-thread runs come from threads sharing one model: alternated
    rounds of one shared model and of separate per-thread models (RESULTS.md,
    twelfth session: on the project's VM only the shared runs collapse, in spells)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = plain(args.corpus, tmp)
        for name in args.modes.split(","):
            shared_run = placed(lambda: shared_or_separate(path, "shared", args.threads, args.epochs,
                                                           **MODES[name]))
            pairs = alternated(shared_run,
                               lambda: shared_or_separate(path, "separate", args.threads, args.epochs,
                                                          **MODES[name]),
                               args.rounds)
            for (shared, separate), trip in zip(pairs, shared_run.trips):
                print(f"{name:8} {args.threads} threads  one shared model {shared:>9.0f} w/s  "
                      f"{args.threads} separate models {separate:>9.0f} w/s  {cores(trip)}", flush=True)
            best = max(max(p) for p in pairs)
            for k, label in ((0, "shared"), (1, "separate")):
                slow = sum(p[k] < 0.7 * best for p in pairs)
                print(f"{name:8} {label:8} runs below 0.7x the best: {slow} of {len(pairs)}", flush=True)


def rotated(path, tmpdir):
    """The corpus with its second half first: a second thread reading it reads
    other text than the first, as the two workers of one model do."""
    with open(path, "rb") as fh:
        lines = fh.read().splitlines(keepends=True)
    out = os.path.join(tmpdir, "rotated.txt")
    with open(out, "wb") as fh:
        fh.writelines(lines[len(lines) // 2:] + lines[:len(lines) // 2])
    return out


ROW_SHARING = ("none", "syn0", "syn1neg", "both")


def two_models(path, other, share, epochs, **mode):
    """Words/s of two 1-worker models trained at once in one process (the second on
    ``other``), with ``share`` of their matrices made one: same vocabulary, so a
    shared matrix is one model's rows written by two threads, and nothing else is
    shared (parameters, progress, tables). A 1-worker model has no private rows."""
    import threading

    from fastw2v import Word2Vec

    models = []
    for seed in (1, 2):
        m = Word2Vec(vector_size=100, window=5, sample=1e-3, min_count=5, workers=1, seed=seed, **mode)
        m.build_vocab(corpus_file=path)
        models.append(m)
    first, second = models
    if share in ("syn0", "both"):
        second.wv.vectors = first.wv.vectors
    if share in ("syn1neg", "both"):
        second.syn1neg = first.syn1neg
    runners = [threading.Thread(target=m.train, kwargs=dict(corpus_file=f, total_words=m.corpus_total_words,
                                                             epochs=epochs))
               for m, f in zip(models, (path, other))]
    t0 = time.perf_counter()
    for r in runners:
        r.start()
    for r in runners:
        r.join()
    return 2 * first.corpus_total_words * epochs / (time.perf_counter() - t0)


def cmd_rows(args):
    """Which shared matrix costs a 2-worker model its second core: two 1-worker
    models at once sharing none, ``syn0``, ``syn1neg`` or both matrices, beside one
    2-worker model (which keeps private copies of the most frequent ``syn1neg``
    rows), each round in that order."""
    with tempfile.TemporaryDirectory() as tmp:
        path = plain(args.corpus, tmp)
        other = rotated(path, tmp)
        for name in args.modes.split(","):
            for k in range(args.rounds):
                runs = [(f"2 models, shared {share}", two_models(path, other, share, args.epochs, **MODES[name]))
                        for share in ROW_SHARING]
                runs.append(("1 model, 2 workers", words_per_sec(path, 2, batch_mode="auto", epochs=args.epochs,
                                                                  **MODES[name])))
                for label, wps in runs:
                    print(f"{name:8} round {k + 1}  {label:26} {wps:>9.0f} w/s", flush=True)


def cmd_placement(args):
    """The core-to-core round trip, ``--rounds`` times a second apart: whether
    the host keeps this machine's CPUs near each other (see pingpong.c)."""
    for k in range(args.rounds):
        if k:
            time.sleep(1.0)
        ns = core_round_trip()
        if ns is None:
            print("cannot measure: no C compiler, only one CPU, or the probe failed to run", flush=True)
            return
        print(f"round trip {ns:.1f} ns", flush=True)


def cmd_vocab(args):
    with tempfile.TemporaryDirectory() as tmp:
        for size in map(int, args.sizes.split(",")):
            path = os.path.join(tmp, f"zipf{size}.txt")
            zipf_corpus(path, size, args.tokens)
            label = f"sg-ns zipf vocab <= {size:>8} ({args.tokens} tokens)"
            if args.gensim:
                against_gensim(label, path, 1, os.cpu_count(), min_count=1, **MODES["sg-ns"])
            else:
                r = words_per_sec(path, os.cpu_count(), min_count=1, **MODES["sg-ns"])
                print(f"{label} {r:>9.0f} words/s", flush=True)


CALLGRIND_CHILD = """
import sys
from fastw2v import Word2Vec
sys.path.insert(0, {bench!r})
from bench_speed import zipf_corpus
zipf_corpus({path!r}, 2000, {tokens})
m = Word2Vec(vector_size=100, window=5, min_count=1, workers=1, seed=1, batch_mode={batch!r}, **{mode})
m.build_vocab(corpus_file={path!r})
m.train(corpus_file={path!r}, total_words=m.corpus_total_words, epochs=1)
"""


def cmd_callgrind(args):
    if not shutil.which("valgrind"):
        sys.exit("valgrind not found (apt-get install valgrind)")
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.modes.split(","):
            for batch_mode in args.batch_modes.split(","):
                script = CALLGRIND_CHILD.format(bench=os.path.dirname(os.path.abspath(__file__)),
                                                path=os.path.join(tmp, "c.txt"), tokens=args.tokens,
                                                batch=batch_mode, mode=MODES[name])
                out = os.path.join(tmp, "cg.out")
                proc = subprocess.run(
                    ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
                     "--toggle-collect=fw2v_train_batch_*", sys.executable, "-c", script],
                    capture_output=True, text=True)
                m = re.search(r"Collected : (\d+)", proc.stderr)
                if not m:
                    sys.exit(proc.stderr[-2000:])
                print(f"{name:8} {batch_mode:6} {int(m.group(1)):>14,d} instructions in the kernel "
                      f"({args.tokens} tokens, 1 epoch, 1 thread)", flush=True)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("scaling")
    p.add_argument("corpus")
    p.add_argument("--threads", default="1,2")
    p.add_argument("--modes", default="sg-ns,cbow-ns")
    p.add_argument("--batch-modes", default="pair,window")
    p.add_argument("--rounds", type=int, default=3, help="alternated pairs per ratio (median reported)")
    p.add_argument("--epochs", type=int, default=1,
                   help="per train call (the file is encoded once per call, on all workers)")
    p = sub.add_parser("dims")
    p.add_argument("corpus")
    p.add_argument("--dims", default="100,300")
    p.add_argument("--batch-modes", default="pair,window")
    p.add_argument("--gensim", action="store_true", help="time gensim right after each row (same run)")
    p.add_argument("--rounds", type=int, default=1, help="with --gensim: alternated pairs per row (median)")
    p = sub.add_parser("gensim")
    p.add_argument("corpus")
    p.add_argument("--modes", default="sg-ns,cbow-ns,sg-hs,cbow-hs")
    p.add_argument("--dim", type=int, default=100)
    p.add_argument("--rounds", type=int, default=3, help="alternated pairs per mode (median reported)")
    p = sub.add_parser("vocab")
    p.add_argument("--sizes", default="10000,100000,1000000,2000000")
    p.add_argument("--tokens", type=int, default=5_000_000)
    p.add_argument("--gensim", action="store_true", help="time gensim right after each row (same run)")
    p = sub.add_parser("sharing")
    p.add_argument("corpus")
    p.add_argument("--modes", default="sg-ns")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--rounds", type=int, default=8, help="alternated shared/separate pairs")
    p.add_argument("--epochs", type=int, default=3)
    p = sub.add_parser("rows")
    p.add_argument("corpus")
    p.add_argument("--modes", default="sg-ns")
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--epochs", type=int, default=3)
    p = sub.add_parser("placement")
    p.add_argument("--rounds", type=int, default=10)
    p = sub.add_parser("iterable")
    p.add_argument("corpus")
    p.add_argument("--modes", default="sg-ns,cbow-ns")
    p.add_argument("--rounds", type=int, default=3, help="file/iterable pairs per row (median reported)")
    p = sub.add_parser("callgrind")
    p.add_argument("--tokens", type=int, default=30000)
    p.add_argument("--modes", default="sg-ns,cbow-ns,sg-hs")
    p.add_argument("--batch-modes", default="pair,window")
    args = ap.parse_args(argv)
    {"scaling": cmd_scaling, "dims": cmd_dims, "vocab": cmd_vocab, "callgrind": cmd_callgrind, "sharing": cmd_sharing,
     "iterable": cmd_iterable, "gensim": cmd_gensim, "placement": cmd_placement, "rows": cmd_rows}[args.cmd](args)


if __name__ == "__main__":
    main()
