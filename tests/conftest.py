import os

import numpy as np
import pytest

import fastw2v

# Where the fastw2v under test lives (installed or built in place), for subprocesses.
PACKAGE_PARENT = os.path.dirname(os.path.dirname(os.path.abspath(fastw2v.__file__)))
TESTS_DIR = os.path.dirname(os.path.abspath(__file__))


def planted_topics(n_sentences=3000, n_topics=5, words_per_topic=20, length=10, seed=0):
    """Sentences whose tokens come from one topic each: same-topic words share contexts."""
    rng = np.random.default_rng(seed)
    topics = [[f"t{t}w{i}" for i in range(words_per_topic)] for t in range(n_topics)]
    sentences = []
    for _ in range(n_sentences):
        t = rng.integers(n_topics)
        sentences.append([topics[t][j] for j in rng.integers(0, words_per_topic, size=length)])
    return sentences


@pytest.fixture
def topic_corpus():
    return planted_topics()


def write_corpus(path, sentences):
    with open(path, "w", encoding="utf-8") as fh:
        for s in sentences:
            fh.write(" ".join(map(str, s)) + "\n")
    return str(path)


def assert_gensim_huffman(ours, theirs):
    """Every word's Huffman path (codes and points) in our model is the one gensim's model holds."""
    t = ours._tables
    for i, key in enumerate(ours.wv.index_to_key):
        lo, hi = t["path_offsets"][i], t["path_offsets"][i + 1]
        assert t["codes"][lo:hi].tolist() == theirs.wv.get_vecattr(key, "code").tolist()
        assert t["points"][lo:hi].tolist() == theirs.wv.get_vecattr(key, "point").tolist()
