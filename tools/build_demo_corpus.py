"""Build fastw2v/data/wordnet-glosses.txt.gz, the corpus of ``fastw2v demo``.

Source: the WordNet 3.0 database files ``data.noun``, ``data.verb``,
``data.adj`` and ``data.adv`` as shipped by the Debian package
``wordnet-base`` (1:3.0-37), under the WordNet 3.0 licence (see
fastw2v/data/README.md, which must travel with the corpus).

One line per synset: its lemmas, the lemmas of its hypernyms (``@`` and
``@i`` pointers, so "dog" shares context with "canine" and "domestic animal")
and its gloss with examples, lowercased, letters only. Tokens seen fewer
than 5 times in the whole text are dropped: ``min_count=5`` (the demo's, and
word2vec.c's default) would drop them before training anyway, and without
them the file is about 12% smaller. Usage::

    apt-get download wordnet-base && dpkg-deb -x wordnet-base_*.deb wn
    python tools/build_demo_corpus.py wn/usr/share/wordnet fastw2v/data/wordnet-glosses.txt.gz
"""
import collections
import gzip
import os
import re
import sys

PARTS = ("noun", "verb", "adj", "adv")
MIN_COUNT = 5
WORD = re.compile(r"[a-z]+")


def parse(line):
    """(offset, lemmas, hypernym offsets, gloss) of one data.* line."""
    head, _, gloss = line.partition(" | ")
    fields = head.split()
    offset, n_words = fields[0], int(fields[3], 16)
    lemmas = fields[4:4 + 2 * n_words:2]
    at = 4 + 2 * n_words
    n_pointers = int(fields[at])
    pointers = [fields[at + 1 + 4 * i: at + 5 + 4 * i] for i in range(n_pointers)]
    hypernyms = [(p[1], p[2]) for p in pointers if p[0] in ("@", "@i")]
    return offset, lemmas, hypernyms, gloss


def words(text):
    return WORD.findall(re.sub(r"\([a-z]\)$", "", text.lower()).replace("_", " "))


def main(source, target):
    synsets = {}
    for part in PARTS:
        with open(os.path.join(source, f"data.{part}"), encoding="latin-1") as fh:
            for line in fh:
                if line.startswith("  "):  # licence header
                    continue
                offset, lemmas, hypernyms, gloss = parse(line)
                pos = "a" if line.split()[2] == "s" else line.split()[2]
                synsets[(offset, pos)] = (lemmas, hypernyms, gloss)
    lines = []
    for lemmas, hypernyms, gloss in synsets.values():
        tokens = [w for lemma in lemmas for w in words(lemma)]
        for h in hypernyms:
            tokens += [w for lemma in synsets.get(h, ((),))[0] for w in words(lemma)]
        lines.append(tokens + words(gloss))
    counts = collections.Counter(w for tokens in lines for w in tokens)
    # mtime=0: the same input always gives the same bytes
    with open(target, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0) as out:
        for tokens in lines:
            kept = [w for w in tokens if counts[w] >= MIN_COUNT]
            if kept:
                out.write((" ".join(kept) + "\n").encode("ascii"))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
