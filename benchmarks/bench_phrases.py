"""Phrases and LineSentence: fastw2v against gensim 4 on one corpus.

    python benchmarks/bench_phrases.py [../shared/corpus/en-dict-wiki.txt.gz] [repeats]

Same runs on both sides: iterate LineSentence, learn Phrases(min_count=5,
threshold=10) from LineSentence(path), apply the frozen model to the whole
corpus (``frozen[LineSentence(path)]``, consuming every sentence) and to the
corpus held in memory as lists of str; fastw2v's file-to-file
``transform_file`` is timed as well. Checks that the phrase sets
and the transformed corpus are identical. Best of ``repeats`` for each timing.
"""
import os
import sys
import tempfile
import time

from gensim.models.phrases import Phrases as GensimPhrases
from gensim.models.word2vec import LineSentence as GensimLineSentence

from fastw2v.corpus import LineSentence
from fastw2v.phrases import Phrases

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT = os.path.join(HERE, "..", "..", "shared", "corpus", "en-dict-wiki.txt.gz")


def best(fn, repeats):
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def consume(corpus):
    return sum(len(s) for s in corpus)


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else DEFAULT
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    rows = []

    g_iter, n_g = best(lambda: consume(GensimLineSentence(path)), repeats)
    f_iter, n_f = best(lambda: consume(LineSentence(path)), repeats)
    assert n_g == n_f
    rows.append(("LineSentence iteration", g_iter, f_iter))

    g_learn, g = best(lambda: GensimPhrases(GensimLineSentence(path), min_count=5, threshold=10), 1)
    f_learn, f = best(lambda: Phrases(LineSentence(path), min_count=5, threshold=10), repeats)
    rows.append(("learn Phrases", g_learn, f_learn))
    g_phr, f_phr = g.export_phrases(), f.export_phrases()
    assert set(g_phr) == set(f_phr), "phrase sets differ"
    worst = max(abs(g_phr[k] - f_phr[k]) / max(1.0, abs(g_phr[k])) for k in g_phr)

    g_frozen, f_frozen = g.freeze(), f.freeze()
    g_apply, n_g = best(lambda: consume(g_frozen[GensimLineSentence(path)]), 1)
    f_apply, n_f = best(lambda: consume(f_frozen[LineSentence(path)]), repeats)
    assert n_g == n_f
    rows.append(("apply frozen to corpus (iterate)", g_apply, f_apply))
    sentences = list(LineSentence(path))  # the same corpus as lists of str, in memory
    g_lists, n_g = best(lambda: consume(g_frozen[sentences]), 1)
    f_lists, n_f = best(lambda: consume(f_frozen[sentences]), repeats)
    assert n_g == n_f
    rows.append(("apply frozen to in-memory lists of str (iterate)", g_lists, f_lists))
    del sentences
    out = os.path.join(tempfile.mkdtemp(), "joined.txt")
    f_file, _ = best(lambda: f_frozen.transform_file(path, out), repeats)
    rows.append(("apply frozen, file to file (fastw2v transform_file)", g_apply, f_file))
    same = all(a == b for a, b in zip(g_frozen[GensimLineSentence(path)], LineSentence(out)))

    print(f"corpus: {path}\nphrases: {len(g_phr)} (identical sets; max relative score difference {worst:.1e});"
          f" transformed corpus identical: {same}\n")
    print("| run | gensim 4 (s) | fastw2v (s) | speed-up |")
    print("|---|---:|---:|---:|")
    for name, gt, ft in rows:
        print(f"| {name} | {gt:.2f} | {ft:.2f} | {gt / ft:.1f}x |")


if __name__ == "__main__":
    main()
