"""Vocabulary: counting a corpus and choosing the words to train.

Counting runs in C (fastw2v._vocab.TokenTable) for every corpus form: lists
of str, lists of int, NumPy integer arrays, and text files. The rules follow
gensim 4 so a switch of import keeps the same vocabulary:

- ``max_vocab_size``: after any sentence that leaves more distinct tokens
  than this, drop those counted fewer than ``min_reduce`` times and raise
  ``min_reduce`` by one (memory stays bounded on endless streams; counts of
  rare words become underestimates, as in gensim and word2vec C).
- ``min_count`` / ``trim_rule`` / ``max_final_vocab`` choose the survivors;
  ``sorted_vocab`` orders them by descending count, ties by latest first
  occurrence first (gensim 4.4's order), which depends on neither
  ``PYTHONHASHSEED`` nor the number of workers.
"""
from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np

from fastw2v import _sampling
from fastw2v._int_keys import IntIndex
from fastw2v._vocab import Scanner, TokenTable
from fastw2v.key_index import is_int_keyed
from fastw2v.reader import iter_chunks

logger = logging.getLogger(__name__)

RULE_DEFAULT = 0
RULE_DISCARD = 1
RULE_KEEP = 2

# gensim's MAX_WORDS_IN_BATCH: longer sentences are split into pieces of this many
# tokens (gensim's iterable path truncates them silently; we keep every token).
MAX_SENTENCE_LENGTH = 10000


class EmptyVocabularyError(ValueError, RuntimeError):
    """Nothing to train on: the corpus holds no token, or none survives min_count.
    A ValueError (the input is at fault) that is also the RuntimeError gensim
    raises for it ("you must first build vocabulary before training the
    model"), so code written against either library catches it."""


def keep_vocab_item(word, count, min_count, trim_rule=None) -> bool:
    """gensim's rule: ``trim_rule`` may force keep/discard, else ``count >= min_count``."""
    default = count >= min_count
    if trim_rule is None:
        return default
    rule = trim_rule(word, count, min_count)
    if rule == RULE_KEEP:
        return True
    if rule == RULE_DISCARD:
        return False
    return default


class _Pruner:
    """Called by the counter (a TokenTable or an IntCounter) whenever it grows past ``max_vocab_size``."""

    def __init__(self, trim_rule=None):
        self.min_reduce = 1
        self.trim_rule = trim_rule

    def __call__(self, table: TokenTable):
        if self.trim_rule is None:
            table.prune_below(self.min_reduce)
        else:
            keys = table.keys()
            keys = keys if isinstance(keys, list) else _python_ints(keys)
            keep = [keep_vocab_item(k, c, self.min_reduce, self.trim_rule)
                    for k, c in zip(keys, table.counts().tolist())]
            table.compact(np.asarray(keep, dtype=bool))
        self.min_reduce += 1


@dataclass
class RawCounts:
    """What a corpus scan found: distinct keys with counts in first-occurrence order."""
    keys: list | np.ndarray
    counts: np.ndarray
    corpus_count: int
    total_words: int
    min_reduce: int = 1

    def as_dict(self) -> dict:
        keys = self.keys.tolist() if isinstance(self.keys, np.ndarray) else self.keys
        return dict(zip(keys, self.counts.tolist()))

    @classmethod
    def from_freq(cls, word_freq, corpus_count=None) -> "RawCounts":
        """``{key: count}`` in its own order (integer keys become an int64 array)."""
        keys = list(word_freq)
        counts = np.asarray([word_freq[k] for k in keys], dtype=np.int64)
        if isinstance(keys[0] if keys else "", (int, np.integer)):
            keys = np.asarray(keys, dtype=np.int64)
        return cls(keys, counts, int(corpus_count or 0), int(counts.sum()))


def scan_corpus(corpus_iterable=None, corpus_file=None, max_vocab_size=None, trim_rule=None,
                errors="replace", progress=None) -> RawCounts:
    """Count tokens of a corpus (exactly one of the two sources).

    ``progress(n)``, if given, is called after each chunk of ``corpus_file``
    with its size in bytes.
    """
    table = TokenTable(1 << 16)
    pruner = _Pruner(trim_rule)
    limit = int(max_vocab_size or 0)
    if corpus_file is not None:
        scanner = Scanner(MAX_SENTENCE_LENGTH)
        for chunk in iter_chunks(corpus_file, errors=errors):
            table.count_buffer(scanner, chunk, limit, pruner)
            if progress is not None:
                progress(len(chunk))
        if scanner.finish() and limit and len(table) > limit:
            pruner(table)
        sentences, total = scanner.sentences, scanner.total_tokens
    else:
        sentences, total = table.count_sentences(corpus_iterable, limit, pruner)
    logger.info("collected %d distinct tokens from %d sentences, %d raw tokens",
                len(table), sentences, total)
    keys = table.keys()
    return RawCounts(keys, table.counts(), int(sentences), int(total), pruner.min_reduce)


def capped_min_count(counts: np.ndarray, min_count: int, max_final_vocab=None) -> int:
    """gensim's ``effective_min_count``: with ``max_final_vocab``, at least one above the
    count of the first word past the cap (1 when the cap is not reached)."""
    if max_final_vocab is None:
        return min_count
    calc = int(np.sort(counts)[::-1][max_final_vocab]) + 1 if max_final_vocab < len(counts) else 1
    return max(calc, min_count)


def choose_words(raw: RawCounts, min_count=5, max_final_vocab=None, trim_rule=None,
                 sorted_vocab=True) -> tuple[list | np.ndarray, np.ndarray]:
    """Survivors of ``min_count``/``trim_rule``/``max_final_vocab`` and their counts
    (keys a list of str, or an int64 array for integer keys)."""
    counts = raw.counts
    min_count = capped_min_count(counts, min_count, max_final_vocab)
    if trim_rule is None:
        keep = counts >= min_count
    else:
        keys = raw.keys if isinstance(raw.keys, list) else _python_ints(raw.keys)
        keep = np.fromiter((keep_vocab_item(k, c, min_count, trim_rule)
                            for k, c in zip(keys, counts.tolist())), dtype=bool, count=len(counts))
    index = None if keep.all() else np.flatnonzero(keep)
    kept = counts if index is None else counts[index]
    if sorted_vocab:
        # gensim 4's order: descending count, ties latest first occurrence first
        # (its sort_by_descending_frequency), so index_to_key -- and the Huffman
        # tree, which breaks ties by index -- are gensim's on the same corpus
        order = np.lexsort((-np.arange(len(kept)), -kept))
        index = order if index is None else index[order]
    if index is None:
        return (list(raw.keys) if isinstance(raw.keys, list) else raw.keys.copy()), counts.astype(np.int64)
    # integer keys stay an int64 array (no Python object per key: see fastw2v/key_index.py)
    keys = [raw.keys[i] for i in index.tolist()] if isinstance(raw.keys, list) else raw.keys[index]
    return keys, counts[index].astype(np.int64)


def vocab_report(kept: np.ndarray, distinct: int, sample: float) -> dict:
    """gensim's ``prepare_vocab`` report for the counts ``kept`` of the words chosen
    among ``distinct``: how many words subsampling with ``sample`` thins (keep
    probability below 1) and the tokens it is expected to leave."""
    kept = np.asarray(kept, dtype=np.float64)
    p = keep_probabilities(kept, sample)
    return {"drop_unique": int(distinct - len(kept)), "retain_total": int(kept.sum()),
            "downsample_unique": int(np.count_nonzero(p < 1.0)),
            "downsample_total": int((p * kept).sum()),
            "num_retained_words": int(len(kept))}


def _python_ints(keys: np.ndarray):
    """Keys of an int64 array as Python ints, a block at a time (what ``trim_rule`` is given)."""
    for start in range(0, len(keys), 65536):
        yield from keys[start:start + 65536].tolist()


def threshold_count(sample: float, total: float) -> float:
    """``t`` of the keep probability: ``sample * total``; ``sample >= 1`` is gensim's
    absolute form, ``int(sample * phi**2)`` (words seen more often are thinned);
    ``sample=0`` gives ``total``, where every word is kept."""
    if not sample:
        return float(total)
    if sample < 1.0:
        return sample * total
    return float(int(sample * (3 + math.sqrt(5)) / 2))


def keep_probabilities(counts: np.ndarray, sample: float, total: float | None = None) -> np.ndarray:
    """word2vec C's keep probability (Mikolov et al. 2013b, as implemented):
    ``p(w) = (sqrt(f / t) + 1) * t / f`` with ``f = count(w)`` and ``t`` from
    ``threshold_count``, capped at 1. ``total`` defaults to ``counts.sum()``.
    """
    counts = np.asarray(counts, dtype=np.float64)
    total = counts.sum() if total is None else total  # of the whole vocabulary when counts is a part
    t = threshold_count(sample, total)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = (np.sqrt(counts / t) + 1) * (t / counts)
    return np.where(counts > 0, np.minimum(p, 1.0), 1.0)


def keep_thresholds(counts: np.ndarray, sample: float, total: float | None = None) -> np.ndarray:
    """Integer subsampling thresholds: keep a token iff ``rand32 < threshold``,
    ``round(p * 2^32)`` of ``keep_probabilities``."""
    return np.round(keep_probabilities(counts, sample, total) * 2.0 ** 32).astype(np.uint64)


def subsampled_head(counts: np.ndarray, sample: float) -> np.ndarray:
    """`keep_thresholds` of the shortest prefix of the vocabulary that holds every
    word subsampling may drop; the kernels always keep the words past it.

    ``p(w) < 1`` only when ``count(w) > phi**2 * t`` (phi the golden ratio: the
    root of ``(x + 1) / x**2 = 1`` with ``x = sqrt(f / t)``), so at most
    ``total / (phi**2 t)`` words -- about 382 for ``sample=1e-3`` -- need a
    threshold, and in a vocabulary sorted by count they come first. The cut is
    taken at ``2.6 t``, safely below the boundary, so the thresholds kept are
    exactly those of the full table and every word past them has ``p = 1``.
    """
    counts = np.asarray(counts)
    total = float(counts.sum())
    if not sample:
        return np.zeros(0, dtype=np.uint64)
    t = threshold_count(sample, total)
    droppable = np.flatnonzero(counts > 2.6 * t)
    n = int(droppable[-1]) + 1 if len(droppable) else 0
    return keep_thresholds(counts[:n], sample, total)


def noise_table(counts: np.ndarray, ns_exponent: float) -> tuple[np.ndarray, np.ndarray]:
    """Alias table of the noise distribution ``count ** ns_exponent``."""
    weights = np.array(counts, dtype=np.float64)
    weights **= ns_exponent  # in place: one float64 per word at a time
    if not np.isfinite(weights).all() or weights.sum() <= 0:
        weights = np.ones(len(counts))
    return _sampling.build_alias(weights)


def huffman_tree(counts: np.ndarray):
    """``(path_offsets, codes, points)`` of the Huffman tree over ``counts``.

    A word of count 0 (a key added to ``wv`` by hand, never seen in a corpus)
    gets an empty path and no leaf: the tree is that of the other words, so
    adding such keys leaves every trained inner node (``syn1`` row) where it was."""
    counts = np.asarray(counts, dtype=np.int64)
    seen = counts > 0
    if seen.all():
        return _sampling.build_huffman(counts)
    offsets, codes, points = _sampling.build_huffman(counts[seen])
    lengths = np.zeros(len(counts), dtype=np.int64)
    lengths[seen] = np.diff(offsets)
    full = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(lengths, out=full[1:])
    return full, codes, points


def encoder_for(keys) -> TokenTable | IntIndex:
    """A lookup table mapping each key to its vocabulary index: an `IntIndex` for
    integer keys (a model's own ``wv.key_to_index`` already is one), else a `TokenTable`."""
    if is_int_keyed(keys):
        return IntIndex(np.asarray(keys))
    return TokenTable.from_keys(keys)
