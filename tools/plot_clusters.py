"""Train fastw2v on a corpus and draw groups of related words with ``kv.plot`` (the README's picture).

Run (from the repository root, ~1 minute on 2 cores; t-SNE needs scikit-learn):

    python tools/plot_clusters.py /work/shared/corpus/en-dict-wiki.txt.gz docs/images/clusters.png

Prints, per group, the mean cosine between its words and between them and
the other groups' words, so the picture's claim can be checked in numbers.
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from fastw2v import Word2Vec

GROUPS = {
    "countries": ["france", "germany", "italy", "spain", "england", "china", "japan", "russia"],
    "numbers": ["two", "three", "four", "five", "six", "seven", "eight", "nine"],
    "colours": ["red", "green", "blue", "yellow", "white", "black", "brown", "purple"],
    "family": ["father", "mother", "son", "daughter", "brother", "sister", "uncle", "aunt"],
    "animals": ["dog", "cat", "horse", "cow", "sheep", "pig", "lion", "wolf"],
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus")
    parser.add_argument("out", help="PNG path")
    parser.add_argument("--method", choices=("pca", "tsne"), default="tsne",
                        help="tsne (scikit-learn) spreads each tight group so its labels stay readable")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    t = time.perf_counter()
    model = Word2Vec(corpus_file=args.corpus, vector_size=100, sg=1, window=5, min_count=5,
                     epochs=args.epochs, workers=2, seed=args.seed)
    kv = model.wv
    print(f"trained {len(kv)} x {kv.vector_size} (skip-gram, {args.epochs} epochs) in {time.perf_counter() - t:.0f} s")
    missing = [w for ws in GROUPS.values() for w in ws if w not in kv]
    if missing:
        raise SystemExit(f"not in the vocabulary: {missing}")
    keys = [w for ws in GROUPS.values() for w in ws]
    labels = [g for g, ws in GROUPS.items() for _ in ws]
    unit = kv.get_normed_vectors()[kv.get_indices(keys)]
    sims = unit @ unit.T
    same = np.equal.outer(labels, labels)
    for g in GROUPS:
        row = np.array(labels) == g
        inside = sims[np.ix_(row, row)][~np.eye(row.sum(), dtype=bool)].mean()
        outside = sims[np.ix_(row, ~row)].mean()
        print(f"{g:10s} mean cosine within {inside:.2f}, to other groups {outside:.2f}")
    print(f"all groups: within {sims[same & ~np.eye(len(keys), dtype=bool)].mean():.2f}, "
          f"across {sims[~same].mean():.2f}")
    kv.plot(keys, args.out, method=args.method, seed=args.seed, groups=labels, figsize=(7, 6), dpi=90,
            title=f"fastw2v skip-gram vectors of the shared corpus ({args.method.upper()})")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
