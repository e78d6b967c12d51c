"""``fastw2v demo``: train on the bundled corpus and show what the vectors learned.

The corpus, ``fastw2v/data/wordnet-glosses.txt.gz`` (1.9M words of WordNet
3.0 glosses; provenance and licence in ``fastw2v/data/README.md``), is small
enough to train in seconds on two cores and varied enough that neighbours
make sense. The settings are word2vec.c's defaults (CBOW, 100 dimensions,
window 5, 5 negatives, sample 1e-3, alpha 0.05) except 10 epochs instead of
5, which a corpus this small needs. The same run from the command line::

    fastw2v train -train wordnet-glosses.txt.gz -output vectors.txt -iter 10
"""
from __future__ import annotations

import gzip
import os
import sys
import tempfile
from contextlib import contextmanager
from importlib import resources

CORPUS = "wordnet-glosses.txt.gz"
QUERIES = ("king", "water", "red", "dog", "france", "doctor", "music", "car")
#: (a, b, c): a is to b as c is to ?
ANALOGIES = (("man", "king", "woman"), ("man", "boy", "woman"))
SETTINGS = dict(vector_size=100, window=5, negative=5, sample=1e-3, sg=0, alpha=0.05, min_alpha=0.05 * 1e-4,
                min_count=5, epochs=10, seed=1)
#: --small: every SMALL_STRIDE-th line, SMALL_EPOCHS epochs: a few seconds, for tests; rougher neighbours
SMALL_STRIDE = 4
SMALL_EPOCHS = 5


@contextmanager
def corpus_path(small: bool = False):
    """A filesystem path of the bundled corpus (or of its --small subset) while in the block."""
    with resources.as_file(resources.files("fastw2v").joinpath("data").joinpath(CORPUS)) as path:
        if not small:
            yield str(path)
            return
        with gzip.open(path, "rt", encoding="ascii") as src:
            lines = src.readlines()[::SMALL_STRIDE]
        fd, subset = tempfile.mkstemp(prefix="fastw2v-demo-", suffix=".txt")
        try:
            with os.fdopen(fd, "w", encoding="ascii") as dst:
                dst.writelines(lines)
            yield subset
        finally:
            os.unlink(subset)


def _workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def run_demo(small: bool = False, progress: bool = True, out=sys.stdout):
    """Train on the bundled corpus, print neighbours, an analogy and the speed; return the model.

    Parameters
    ----------
    small : bool
        Train on a quarter of the corpus for 5 epochs (a few seconds, for tests; rougher neighbours).
    progress : bool
        Show a progress bar on stderr.
    out : file object
        Where the results are printed.
    """
    from fastw2v.progress import TrainingProgress
    from fastw2v.word2vec import Word2Vec

    settings = dict(SETTINGS, workers=_workers())
    if small:
        settings["epochs"] = SMALL_EPOCHS
    print(f"fastw2v demo: CBOW, {settings['vector_size']} dimensions, {settings['epochs']} epochs, "
          f"{settings['workers']} threads, on WordNet 3.0 glosses{' (small subset)' if small else ''}",
          file=out, flush=True)
    bar = TrainingProgress(enabled=progress)
    with corpus_path(small) as path:
        model = Word2Vec(**settings)
        model.build_vocab(corpus_file=path)
        _, raw_words = model.train(corpus_file=path, total_examples=model.corpus_count,
                                   total_words=model.corpus_total_words, epochs=model.epochs, callbacks=[bar])
    seconds = max(model.total_train_time, 1e-9)
    print(f"trained {len(model.wv):,} words on {raw_words:,} tokens in {seconds:.1f} s: "
          f"{raw_words / seconds:,.0f} words/s\n", file=out)

    wv = model.wv
    print("nearest neighbours (cosine similarity):", file=out)
    width = max(len(w) for w in QUERIES)
    for word in QUERIES:
        if word in wv:
            neighbours = ", ".join(f"{k} {s:.2f}" for k, s in wv.most_similar(word, topn=5))
            print(f"  {word:<{width}}  {neighbours}", file=out)
    print("\nanalogies (a : b :: c : ?):", file=out)
    for a, b, c in ANALOGIES:
        if all(w in wv for w in (a, b, c)):
            answers = ", ".join(f"{k} {s:.2f}" for k, s in wv.most_similar(positive=[b, c], negative=[a], topn=3))
            print(f"  {a} : {b} :: {c} : ?  ->  {answers}", file=out)
    print("\nnext: fastw2v train -train YOUR_CORPUS.txt -output vectors.bin -binary 1   "
          "(word2vec.c's flags; see fastw2v train --help)", file=out)
    return model
