"""Benchmark fastw2v's vector queries, analogy evaluation, binary loading and HNSW index against gensim.

Run:  PYTHONPATH=. python benchmarks/bench_vectors.py [--rows 1000000] [--ann-rows 1000000]

Random data (the costs do not depend on the values). Where a gensim run
would take minutes, gensim is timed on a sample and scaled linearly; the
output says so on that line. Loading is timed in fresh subprocesses so that
peak RSS is meaningful.
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

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from fastw2v.keyedvectors import KeyedVectors  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def timed(fn, repeat=1):
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def make_sets(n, d, seed=0):
    from gensim.models import KeyedVectors as GensimKV
    V = np.random.default_rng(seed).standard_normal((n, d), dtype=np.float32)
    keys = [f"w{i}" for i in range(n)]
    ours = KeyedVectors(d)
    ours.vectors, ours.index_to_key = V, keys
    ours.key_to_index = {k: i for i, k in enumerate(keys)}
    theirs = GensimKV(d)
    theirs.vectors, theirs.index_to_key, theirs.key_to_index = V, keys, ours.key_to_index
    return ours, theirs


def bench_queries(ours, theirs, n_batch, gensim_sample, report, repeat=1):
    rng = np.random.default_rng(1)
    t, _ = timed(lambda: ours.most_similar("w1", topn=10))
    report(f"first query (builds the cached unit matrix): {t:.3f} s")
    theirs.most_similar("w1", topn=10)  # gensim's norms
    probes = [f"w{i}" for i in rng.integers(0, len(ours), 20)]
    pairs = [(timed(lambda k=k: ours.most_similar(k, topn=10))[0],  # alternated, as below
              timed(lambda k=k: theirs.most_similar(k, topn=10))[0]) for k in probes]
    t_ours, t_gen = np.median(pairs, axis=0)
    report(f"most_similar(topn=10), median of {len(probes)} alternated calls: fastw2v {t_ours * 1e3:.1f} ms, "
           f"gensim {t_gen * 1e3:.1f} ms -> {t_gen / t_ours:.2f}x")
    batch = [f"w{i}" for i in rng.integers(0, len(ours), n_batch)]
    sample = batch[:gensim_sample]
    ratios = []
    for rep in range(repeat):
        # Alternate the two sides so that a change in machine load hits both.
        t_batch, res = timed(lambda: ours.most_similar_batch(batch, topn=10))
        t_sample, ref = timed(lambda: [theirs.most_similar(k, topn=10) for k in sample])
        agree = np.mean([[a for a, _ in x] == [b for b, _ in y] for x, y in zip(res, ref)])
        t_gen_all = t_sample * n_batch / len(sample)
        ratios.append(t_gen_all / t_batch)
        report(f"[{rep + 1}/{repeat}] {n_batch} queries: fastw2v most_similar_batch {t_batch:.2f} s; gensim "
               f"{n_batch} single calls {t_gen_all:.1f} s (timed {len(sample)} calls, {t_sample:.1f} s, scaled) "
               f"-> {ratios[-1]:.1f}x; identical top-10 on the timed sample: {agree:.0%}")
    report(f"batch ratio over {repeat} runs: min {min(ratios):.1f}x, median {np.median(ratios):.1f}x, "
           f"max {max(ratios):.1f}x")


def bench_analogies(questions, vocab, dim, gensim_every, report):
    from gensim.models import KeyedVectors as GensimKV
    words = []
    with open(questions, encoding="utf8") as fh:
        for line in fh:
            if not line.startswith(":"):
                words.extend(w.lower() for w in line.split())
    words = list(dict.fromkeys(words))
    keys = words + [f"filler{i}" for i in range(vocab - len(words))]
    rng = np.random.default_rng(2)
    keys = [keys[i] for i in rng.permutation(len(keys))]
    V = rng.standard_normal((len(keys), dim), dtype=np.float32)
    ours, theirs = KeyedVectors(dim), GensimKV(dim)
    ours.add_vectors(keys, V)
    theirs.add_vectors(keys, V)
    t_ours, (score, sections) = timed(lambda: ours.evaluate_word_analogies(questions, restrict_vocab=vocab))
    n_q = len(sections[-1]["correct"]) + len(sections[-1]["incorrect"])
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as out, open(questions) as fh:
        k = 0
        for line in fh:
            if line.startswith(":"):
                out.write(line)
            else:
                k += 1
                if k % gensim_every == 0:
                    out.write(line)
    t_gen, (g_score, g_sections) = timed(lambda: theirs.evaluate_word_analogies(out.name, restrict_vocab=vocab))
    o_score, o_sections = ours.evaluate_word_analogies(out.name, restrict_vocab=vocab)
    os.unlink(out.name)
    g_n = len(g_sections[-1]["correct"]) + len(g_sections[-1]["incorrect"])
    t_gen_all = t_gen * n_q / g_n
    report(f"evaluate_word_analogies, {vocab} vocab x {dim}, {n_q} questions: fastw2v {t_ours:.2f} s; gensim "
           f"{t_gen_all:.1f} s (timed every {gensim_every}th question, {g_n} questions in {t_gen:.1f} s, scaled) "
           f"-> {t_gen_all / t_ours:.1f}x; same sections as gensim on the sample: {o_sections == g_sections}")


LOAD_SNIPPET = r"""
import json, sys, time

def peak_mb():
    # VmHWM belongs to this address space; ru_maxrss would carry the parent's peak across exec
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmHWM")) / 1024
path, which = sys.argv[1], sys.argv[2]
if which == "fastw2v":
    from fastw2v.formats import load_word2vec_format
elif which == "gensim":
    from gensim.models import KeyedVectors
t = time.perf_counter()
if which == "raw":
    with open(path, "rb") as fh:
        n = len(fh.read())
elif which == "fastw2v":
    n = len(load_word2vec_format(path, binary=True))
else:
    n = len(KeyedVectors.load_word2vec_format(path, binary=True))
dt = time.perf_counter() - t
print(json.dumps({"seconds": dt, "n": n, "maxrss_mb": peak_mb()}))
"""

BASE_SNIPPET = r"""
import json, sys

def peak_mb():
    # VmHWM belongs to this address space; ru_maxrss would carry the parent's peak across exec
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmHWM")) / 1024
import numpy
if sys.argv[1] == "fastw2v":
    import fastw2v.formats
else:
    import gensim.models
print(json.dumps({"maxrss_mb": peak_mb()}))
"""


def run_py(snippet, *args):
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run([sys.executable, "-c", snippet, *args], capture_output=True, text=True, env=env,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench_load(ours, tmpdir, report, repeat=5, gensim_repeat=2):
    path = os.path.join(tmpdir, "vectors.bin")
    t, _ = timed(lambda: ours.save_word2vec_format(path, binary=True, sort_attr=None))
    size = os.path.getsize(path)
    report(f"save_word2vec_format binary {len(ours)} x {ours.vector_size} ({size / 2**20:.0f} MiB): {t:.2f} s")
    with open(path, "rb") as fh:  # write the dirty pages back now, not while the loads are timed
        os.fsync(fh.fileno())
    run_py(LOAD_SNIPPET, path, "raw")  # warm the page cache
    # Alternate raw read / fastw2v / gensim so that a change in machine load hits all three.
    raws, fasts, gens = [], [], []
    for rep in range(repeat):
        raws.append(run_py(LOAD_SNIPPET, path, "raw"))
        fasts.append(run_py(LOAD_SNIPPET, path, "fastw2v"))
        if rep < gensim_repeat:
            gens.append(run_py(LOAD_SNIPPET, path, "gensim"))
        report(f"[{rep + 1}/{repeat}] read bytes {raws[-1]['seconds']:.2f} s, fastw2v {fasts[-1]['seconds']:.2f} s "
               f"({fasts[-1]['seconds'] / raws[-1]['seconds']:.2f}x raw)"
               + (f", gensim {gens[-1]['seconds']:.2f} s ({gens[-1]['seconds'] / fasts[-1]['seconds']:.1f}x)"
                  if rep < gensim_repeat else ""))
    base_fast, base_gen = run_py(BASE_SNIPPET, "fastw2v"), run_py(BASE_SNIPPET, "gensim")
    vs_raw = [f["seconds"] / r["seconds"] for f, r in zip(fasts, raws)]
    vs_gen = [g["seconds"] / f["seconds"] for g, f in zip(gens, fasts)]
    matrix_mb = ours.vectors.nbytes / 2**20
    report(f"load_word2vec_format binary over {repeat} alternated runs: fastw2v / read bytes min {min(vs_raw):.2f}x, "
           f"median {np.median(vs_raw):.2f}x, max {max(vs_raw):.2f}x; gensim / fastw2v "
           + ", ".join(f"{r:.1f}x" for r in vs_gen))
    peak_fast = max(f["maxrss_mb"] for f in fasts) - base_fast["maxrss_mb"]
    peak_gen = max(g["maxrss_mb"] for g in gens) - base_gen["maxrss_mb"]
    report(f"peak RSS above interpreter+imports: fastw2v {peak_fast:.0f} MiB, gensim {peak_gen:.0f} MiB "
           f"(matrix alone {matrix_mb:.0f} MiB)")


def replicated_corpus(src, copies, out, block_lines=2000):
    """Write ``copies`` renamed repetitions of corpus ``src`` to ``out``, interleaved by blocks of lines.

    Repetition r renames every token t to ``t_r`` (r = 0 keeps it): the
    repetitions share no word, so training gives each its own vector for
    every word -- ``copies`` independent embeddings of the same text in one
    matrix. Interleaving keeps every repetition under the same learning-rate
    schedule.
    """
    import gzip
    import re
    token = re.compile(rb"(\S+)")
    opener = gzip.open if src.endswith(".gz") else open
    with opener(src, "rb") as fh, open(out, "wb") as dst:
        while True:
            lines = [fh.readline() for _ in range(block_lines)]
            block = b"".join(lines)
            if not block:
                break
            dst.write(block)
            for r in range(1, copies):
                dst.write(token.sub(rb"\1_%d" % r, block))


def corpus_rows(n, d, corpus, report, tmpdir, epochs=2, seed=3):
    """``n`` x ``d`` rows, every one a word vector trained by fastw2v on the shared corpus.

    The corpus has only 47,757 words with count >= 5, so it is repeated with
    renamed tokens (:func:`replicated_corpus`) until the vocabulary reaches
    ``n``, and trained once (CBOW, min_count=5, ``epochs`` epochs).
    """
    from fastw2v import Word2Vec
    path = os.path.join(tmpdir, "replicated.txt")
    t = time.perf_counter()
    copies = -(-n // 47_757)
    replicated_corpus(corpus, copies, path)
    model = Word2Vec(corpus_file=path, vector_size=d, min_count=5, epochs=epochs, workers=2, seed=seed)
    os.unlink(path)
    if len(model.wv) < n:
        raise SystemExit(f"only {len(model.wv)} words; raise the number of copies")
    report(f"trained {len(model.wv)} x {d} vectors ({copies} renamed copies of {corpus}, CBOW, min_count=5, "
           f"{epochs} epochs) in {time.perf_counter() - t:.0f} s; using the first {n}")
    return model.wv.vectors[:n].astype(np.float32), model.wv.index_to_key[:n]


def lowrank_rows(n, d, seed=3):
    """A rank-16 signal plus noise (the earlier stand-in for trained vectors)."""
    rng = np.random.default_rng(seed)
    V = (rng.standard_normal((n, 16), dtype=np.float32) @ rng.standard_normal((16, d), dtype=np.float32)
         + 0.3 * rng.standard_normal((n, d), dtype=np.float32))
    return V, [f"w{i}" for i in range(n)]


def bench_ann(n, d, report, data="corpus", corpus=None, M=16, ef_construction=100, efs=(50, 100, 200, 400),
              n_probes=500):
    if data == "corpus":
        with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as tmp:
            V, keys = corpus_rows(n, d, corpus, report, tmp)
    else:
        V, keys = lowrank_rows(n, d)
    kv = KeyedVectors(d)
    kv.vectors, kv.index_to_key = V, keys
    kv.key_to_index = {k: i for i, k in enumerate(keys)}
    t_build, index = timed(lambda: kv.build_index("hnsw", M=M, ef_construction=ef_construction))
    report(f"build_index hnsw (M={M}, ef_construction={ef_construction}) on {n} x {d} ({data} rows): "
           f"{t_build:.0f} s")
    rng = np.random.default_rng(4)
    probes = [keys[i] for i in rng.integers(0, n, n_probes)]
    kv.most_similar(probes[0])  # the cached unit matrix
    n_single = 50
    t_exact, _ = timed(lambda: [kv.most_similar(k, topn=10) for k in probes[:n_single]])
    t_batch, exact = timed(lambda: kv.most_similar_batch(probes, topn=10))
    per_exact, per_batch = t_exact / n_single, t_batch / len(probes)
    report(f"exact search per query: single most_similar {per_exact * 1e3:.2f} ms (mean of {n_single}); "
           f"most_similar_batch of {len(probes)} {per_batch * 1e3:.2f} ms")
    truth = [{key for key, _ in ex} for ex in exact]
    qvecs = kv.get_normed_vectors()[kv.get_indices(probes)]
    for ef in efs:
        index.ef = ef
        t_ann, approx = timed(lambda: [kv.most_similar(k, topn=11, indexer=index) for k in probes])
        recall = np.mean([len({key for key, _ in got if key != k} & want) / 10
                          for k, got, want in zip(probes, approx, truth)])
        t_knn, _ = timed(lambda: index.knn(qvecs, 11))
        per_ann, per_knn = t_ann / len(probes), t_knn / len(probes)
        report(f"ef={ef}: recall@10 {recall:.3f}; per query: most_similar(indexer=) {per_ann * 1e3:.3f} ms "
               f"-> {per_exact / per_ann:.0f}x single exact; knn batch {per_knn * 1e3:.3f} ms "
               f"-> {per_batch / per_knn:.0f}x batch exact")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--dim", type=int, default=300)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--gensim-sample", type=int, default=100, help="gensim single calls actually timed")
    parser.add_argument("--repeat", type=int, default=3, help="times the batch comparison is repeated")
    parser.add_argument("--questions", default="/work/shared/eval/questions-words.txt")
    parser.add_argument("--analogy-vocab", type=int, default=30000)
    parser.add_argument("--gensim-every", type=int, default=10, help="gensim analogy run on every n-th question")
    parser.add_argument("--ann-rows", type=int, default=1_000_000)
    parser.add_argument("--ann-dim", type=int, default=100)
    parser.add_argument("--ann-data", choices=("corpus", "lowrank"), default="corpus",
                        help="corpus: vectors trained on renamed copies of --corpus")
    parser.add_argument("--corpus", default="/work/shared/corpus/en-dict-wiki.txt.gz")
    parser.add_argument("--ann-m", type=int, default=16)
    parser.add_argument("--ann-ef-construction", type=int, default=100)
    parser.add_argument("--ann-efs", default="50,100,200,400", help="search beam widths tried on one build")
    parser.add_argument("--skip", default="", help="comma list of: queries,analogies,load,ann")
    args = parser.parse_args()
    skip = set(args.skip.split(","))

    def report(line):
        print(line, flush=True)

    report(f"machine: {os.cpu_count()} cores, numpy {np.__version__}; command: {' '.join(sys.argv)}")
    if {"queries", "load"} - skip:
        ours, theirs = make_sets(args.rows, args.dim)
        if "queries" not in skip:
            bench_queries(ours, theirs, args.batch, args.gensim_sample, report, args.repeat)
        del theirs
        ours.norms = None
        if "load" not in skip:
            with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as tmp:
                bench_load(ours, tmp, report, args.repeat + 2)
        del ours
    if "analogies" not in skip and os.path.exists(args.questions):
        bench_analogies(args.questions, args.analogy_vocab, args.dim, args.gensim_every, report)
    if "ann" not in skip:
        bench_ann(args.ann_rows, args.ann_dim, report, args.ann_data, args.corpus, args.ann_m,
                  args.ann_ef_construction, [int(e) for e in args.ann_efs.split(",")])


if __name__ == "__main__":
    main()
