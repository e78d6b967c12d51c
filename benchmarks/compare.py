"""fastw2v against gensim 4 on the same corpus, settings and machine, in one run.

    python benchmarks/compare.py ../shared/corpus/en-dict-wiki.txt.gz \
        --analogies ../shared/eval/questions-words.txt --pairs ../shared/eval/wordsim353.tsv

Every configuration trains in its own subprocess (so peak RSS is that
model's own) with dim 100, window 5, negative 5, sample 1e-3, min_count 5,
5 epochs and workers = cores unless overridden. Words/s are raw corpus
tokens per second of training (corpus_total_words * epochs / train time).
Both libraries' vectors are scored by the same evaluator (gensim's
KeyedVectors.evaluate_word_analogies with restrict_vocab=30000, and
evaluate_word_pairs' Spearman), so quality differences come from training.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

MODES = {
    "sg-ns": dict(sg=1, hs=0, negative=5),
    "cbow-ns": dict(sg=0, hs=0, negative=5),
    "sg-hs": dict(sg=1, hs=1, negative=0),
    "cbow-hs": dict(sg=0, hs=1, negative=0),
}

CHILD = r"""
import json, resource, sys, time
cfg = json.loads(sys.argv[1])
lib, mode = cfg["lib"], cfg["mode"]
out = {}


def train_c_tool():
    # The original C tool (PyPI `word2vec` builds it): the vocabulary is saved by
    # one call and training timed in a second that reads it. alpha 0.025 for every
    # mode (gensim's default; the tool's own CBOW default is 0.05) so settings match.
    import os, shutil, subprocess, tempfile
    from gensim.models import KeyedVectors
    exe, tmp, p = shutil.which("word2vec"), tempfile.mkdtemp(), cfg["params"]
    vocab, vecs = os.path.join(tmp, "vocab.txt"), os.path.join(tmp, "vectors.bin")
    with open(cfg["path"], "rb") as fh:
        total = sum(len(line.split()) for line in fh)
    t0 = time.perf_counter()
    subprocess.run([exe, "-train", cfg["path"], "-save-vocab", vocab, "-min-count", "5"], check=True,
                   capture_output=True)
    out["vocab_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    subprocess.run([exe, "-train", cfg["path"], "-read-vocab", vocab, "-output", vecs, "-binary", "1",
                    "-size", str(cfg["dim"]), "-window", "5", "-sample", "1e-3", "-negative", str(p["negative"]),
                    "-hs", str(p["hs"]), "-cbow", str(1 - p["sg"]), "-threads", str(cfg["workers"]),
                    "-iter", str(cfg["epochs"]), "-min-count", "5", "-alpha", "0.025"], check=True,
                   capture_output=True)
    seconds = time.perf_counter() - t0
    out["train_s"] = seconds
    out["words_per_s"] = total * cfg["epochs"] / seconds
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    wv = KeyedVectors.load_word2vec_format(vecs, binary=True)
    shutil.rmtree(tmp)
    return wv


def train_library():
    kwargs = dict(vector_size=cfg["dim"], window=5, min_count=5, sample=1e-3, workers=cfg["workers"],
                  epochs=cfg["epochs"], seed=cfg["seed"], **cfg["params"])
    if lib == "fastw2v":
        from fastw2v import Word2Vec
        if cfg.get("batch_mode"):
            kwargs["batch_mode"] = cfg["batch_mode"]
    else:
        from gensim.models import Word2Vec
    model = Word2Vec(**kwargs)
    if cfg["source"] == "file":
        t0 = time.perf_counter(); model.build_vocab(corpus_file=cfg["path"]); out["vocab_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        model.train(corpus_file=cfg["path"], total_words=model.corpus_total_words,
                    total_examples=model.corpus_count, epochs=model.epochs)
    else:
        with open(cfg["path"], encoding="utf-8") as fh:
            sentences = [line.split() for line in fh]
        sentences = [s[i:i + 10000] for s in sentences for i in range(0, len(s), 10000)]
        t0 = time.perf_counter(); model.build_vocab(sentences); out["vocab_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        model.train(sentences, total_examples=model.corpus_count, epochs=model.epochs)
    seconds = time.perf_counter() - t0
    out["train_s"] = seconds
    out["words_per_s"] = model.corpus_total_words * model.epochs / seconds
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return model.wv


wv = train_c_tool() if lib == "word2vec-c" else train_library()
if cfg.get("analogies") or cfg.get("pairs"):
    import numpy as np
    from gensim.models import KeyedVectors
    kv = KeyedVectors(cfg["dim"])
    kv.add_vectors(list(wv.index_to_key), np.asarray(wv.vectors))
    if cfg.get("analogies"):
        out["analogy"] = float(kv.evaluate_word_analogies(cfg["analogies"], restrict_vocab=30000)[0])
    if cfg.get("pairs"):
        out["wordsim_spearman"] = float(kv.evaluate_word_pairs(cfg["pairs"])[1][0])
print("RESULT " + json.dumps(out))
"""


def run(cfg: dict) -> dict:
    proc = subprocess.run([sys.executable, "-c", CHILD, json.dumps(cfg)], capture_output=True, text=True)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise RuntimeError(f"{cfg['lib']} {cfg['mode']} failed:\n{proc.stderr[-3000:]}")


def plain_copy(path: str, tmpdir: str) -> str:
    """Both libraries read the same plain-text file (decompression not timed)."""
    with open(path, "rb") as fh:
        gz = fh.read(2) == b"\x1f\x8b"
    if not gz:
        return path
    out = os.path.join(tmpdir, "corpus.txt")
    with gzip.open(path, "rb") as src, open(out, "wb") as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus")
    ap.add_argument("--analogies")
    ap.add_argument("--pairs")
    ap.add_argument("--modes", default="sg-ns,cbow-ns,sg-hs")
    ap.add_argument("--workers", type=int, default=os.cpu_count())
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--dim", type=int, default=100)
    ap.add_argument("--seeds", default="1", help="comma-separated; quality is averaged over them")
    ap.add_argument("--batch-mode", default=None, help="fastw2v batch_mode (default: the library's)")
    ap.add_argument("--gensim-source", default="file,iterable",
                    help="gensim input path(s) to time; the ratio uses the fastest")
    ap.add_argument("--fastw2v-source", default="file,iterable")
    ap.add_argument("--c-tool", action="store_true",
                    help="also train the original word2vec C tool (`word2vec` on PATH) with the same settings")
    ap.add_argument("--every-seed", action="store_true",
                    help="time every input on every seed (default: inputs other than file on the first only)")
    ap.add_argument("--scaling", action="store_true",
                    help="also time fastw2v sg-ns with 1 worker against --workers (1 epoch each)")
    ap.add_argument("--scaling-rounds", type=int, default=3,
                    help="alternated 1-worker/--workers pairs; the VM's speed drifts between minutes, so "
                         "each pair is a ratio taken close together and the median is the figure")
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmpdir:
        path = plain_copy(args.corpus, tmpdir)
        base = dict(path=path, dim=args.dim, epochs=args.epochs, workers=args.workers,
                    analogies=args.analogies, pairs=args.pairs)
        print(f"corpus {args.corpus}, workers {args.workers}, epochs {args.epochs}, dim {args.dim}")
        header = (f"{'mode':8} {'library':8} {'input':9} {'seed':>4} {'words/s':>10} {'ratio':>6} {'analogy':>8} "
                  f"{'ws353':>6} {'vocab s':>8} {'peak MB':>8}")
        print(header)
        for mode in args.modes.split(","):
            summary = {}
            libs = [("gensim", args.gensim_source), ("fastw2v", args.fastw2v_source)]
            if args.c_tool:
                libs.append(("word2vec-c", "file"))
            for n, seed in enumerate(int(x) for x in args.seeds.split(",")):
                rows = []
                for lib, sources in libs:
                    for source in sources.split(","):
                        if n and source != "file" and not args.every_seed:
                            continue  # other inputs are timed on the first seed only
                        if n and lib == "word2vec-c":
                            continue  # the tool takes no seed: one run
                        r = run(dict(base, lib=lib, mode=mode, source=source, params=MODES[mode], seed=seed,
                                     batch_mode=args.batch_mode))
                        rows.append((lib, source, r))
                best_gensim = max(r["words_per_s"] for lib, _, r in rows if lib == "gensim")
                for lib, source, r in rows:
                    ratio = r["words_per_s"] / best_gensim
                    print(f"{mode:8} {lib[:8]:8} {source:9} {seed:4} {r['words_per_s']:>10.0f} {ratio:>6.2f} "
                          f"{r.get('analogy', float('nan')):>8.4f} {r.get('wordsim_spearman', float('nan')):>6.3f} "
                          f"{r['vocab_s']:>8.2f} {r['peak_rss_mb']:>8.0f}", flush=True)
                    summary.setdefault((lib, source), []).append(
                        (seed, ratio, r.get("analogy", float("nan")), r.get("wordsim_spearman", float("nan"))))
            # means over the seeds each row ran on, against gensim's row of the same input
            # (and, for gensim's other input, against that: its schedules differ, see RESULTS.md)
            for (lib, source), vals in summary.items():
                if lib == "gensim":
                    continue
                for ref_source in args.gensim_source.split(","):
                    ref = {v[0]: v for v in summary.get(("gensim", ref_source), [])}
                    pairs = [(v, ref[v[0]]) for v in vals if v[0] in ref]
                    if not pairs:
                        continue
                    k = len(pairs)
                    f = [sum(p[0][i] for p in pairs) / k for i in (1, 2, 3)]
                    g = [sum(p[1][i] for p in pairs) / k for i in (1, 2, 3)]
                    print(f"{mode:8} MEAN of {k} seed(s): {lib} {source} vs gensim {ref_source}: "
                          f"speed x{f[0] / g[0]:.2f}, analogy {f[1]:.4f} vs {g[1]:.4f} ({f[1] - g[1]:+.4f}), "
                          f"ws353 {f[2]:.3f} vs {g[2]:.3f} ({f[2] - g[2]:+.3f})", flush=True)
        if args.scaling:
            ratios = []
            for k in range(max(args.scaling_rounds, 1)):
                # alternating which of the pair runs first, so a drift within a pair cancels out in the median
                order = (1, args.workers) if k % 2 == 0 else (args.workers, 1)
                rates = {w: run(dict(base, lib="fastw2v", mode="sg-ns", source="file", params=MODES["sg-ns"],
                                     workers=w, epochs=1, analogies=None, pairs=None, seed=1)) for w in order}
                one, many = rates[1], rates[args.workers]
                ratios.append(many["words_per_s"] / one["words_per_s"])
                print(f"scaling sg-ns file: 1 worker {one['words_per_s']:.0f} words/s, {args.workers} workers "
                      f"{many['words_per_s']:.0f} words/s, x{ratios[-1]:.2f}", flush=True)
            print(f"scaling sg-ns file: median of {len(ratios)} pairs x{statistics.median_low(ratios):.2f}")


if __name__ == "__main__":
    main()
