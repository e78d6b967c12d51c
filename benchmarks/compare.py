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
kwargs = dict(vector_size=cfg["dim"], window=5, min_count=5, sample=1e-3, workers=cfg["workers"],
              epochs=cfg["epochs"], seed=cfg["seed"], **cfg["params"])
if lib == "fastw2v":
    from fastw2v import Word2Vec
    if cfg.get("batch_mode"):
        kwargs["batch_mode"] = cfg["batch_mode"]
else:
    from gensim.models import Word2Vec
out = {}
model = Word2Vec(**kwargs)
source = cfg["source"]
if source == "file":
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
if cfg.get("analogies") or cfg.get("pairs"):
    import numpy as np
    from gensim.models import KeyedVectors
    kv = KeyedVectors(cfg["dim"])
    kv.add_vectors(list(model.wv.index_to_key), np.asarray(model.wv.vectors))
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
    ap.add_argument("--scaling", action="store_true", help="also time fastw2v sg-ns with 1 worker (1 epoch)")
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
            for n, seed in enumerate(int(x) for x in args.seeds.split(",")):
                rows = []
                for lib, sources in (("gensim", args.gensim_source), ("fastw2v", args.fastw2v_source)):
                    for source in sources.split(","):
                        if n and source != "file":
                            continue  # other inputs are timed on the first seed only
                        r = run(dict(base, lib=lib, mode=mode, source=source, params=MODES[mode], seed=seed,
                                     batch_mode=args.batch_mode))
                        rows.append((lib, source, r))
                best_gensim = max(r["words_per_s"] for lib, _, r in rows if lib == "gensim")
                for lib, source, r in rows:
                    ratio = r["words_per_s"] / best_gensim
                    print(f"{mode:8} {lib:8} {source:9} {seed:4} {r['words_per_s']:>10.0f} {ratio:>6.2f} "
                          f"{r.get('analogy', float('nan')):>8.4f} {r.get('wordsim_spearman', float('nan')):>6.3f} "
                          f"{r['vocab_s']:>8.2f} {r['peak_rss_mb']:>8.0f}", flush=True)
                    if source == "file":
                        summary.setdefault(lib, []).append((ratio, r.get("analogy", float("nan")),
                                                            r.get("wordsim_spearman", float("nan"))))
            means = {lib: [sum(col) / len(col) for col in zip(*vals)] for lib, vals in summary.items()}
            g, f = means["gensim"], means["fastw2v"]
            print(f"{mode:8} MEAN over seeds (file input): fastw2v/gensim speed x{f[0] / g[0]:.2f}, "
                  f"analogy {f[1]:.4f} vs {g[1]:.4f} ({f[1] - g[1]:+.4f}), "
                  f"ws353 {f[2]:.3f} vs {g[2]:.3f} ({f[2] - g[2]:+.3f})", flush=True)
        if args.scaling:
            one = run(dict(base, lib="fastw2v", mode="sg-ns", source="file", params=MODES["sg-ns"],
                           workers=1, epochs=1, analogies=None, pairs=None, seed=1))
            many = run(dict(base, lib="fastw2v", mode="sg-ns", source="file", params=MODES["sg-ns"],
                            epochs=1, analogies=None, pairs=None, seed=1))
            print(f"scaling sg-ns file: 1 worker {one['words_per_s']:.0f} words/s, {args.workers} workers "
                  f"{many['words_per_s']:.0f} words/s, x{many['words_per_s'] / one['words_per_s']:.2f}")


if __name__ == "__main__":
    main()
