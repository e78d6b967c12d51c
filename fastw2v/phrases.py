"""Phrase detection: gensim 4's Phrases API, counted and applied in C.

``Phrases`` learns unigram and bigram counts from a corpus and joins the
bigrams that score above a threshold into single tokens ("new york" ->
"new_york"); ``FrozenPhrases`` keeps only the phrases found. Counts, the
``max_vocab_size`` pruning rule, the scores and the joining rule are gensim
4's, so ``export_phrases()`` and ``phrases[sentence]`` give what gensim gives
on the same input (tests/test_phrases.py compares them).

Scores (Mikolov et al. 2013, "Distributed Representations of Words and
Phrases", eq. 6, as gensim implements it):

- ``'default'``: ``(count(ab) - min_count) / (count(a) * count(b)) * V`` with
  ``V`` the number of keys counted (unigrams and bigrams together, gensim's
  ``len(vocab)``);
- ``'npmi'``: ``ln(p(ab) / (p(a) p(b))) / -ln(p(ab))`` with ``p`` a count over
  the corpus word count (Bouma 2009), ``-inf`` below ``min_count``;
- ``'word2phrase'`` (fastw2v only, used by ``fastw2v phrases``): word2phrase.c's
  ``(count(ab) - min_count) / count(a) / count(b) * N`` with ``N`` the corpus
  word count, in float32, and 0 unless ``count(a)`` and ``count(b)`` reach
  ``min_count``;
- a callable with gensim's parameter names (scored in Python, so slower).

Fast paths: a corpus given as a :class:`~fastw2v.corpus.LineSentence`,
:class:`~fastw2v.corpus.PathLineSentences` or :class:`~fastw2v.corpus.Text8Corpus`
over files is read by C without building Python strings, for learning and for
``phrases[corpus]``; :meth:`transform_file` writes the joined corpus for
``Word2Vec(corpus_file=...)``.
"""
from __future__ import annotations

import itertools
import logging
from types import MappingProxyType
import os
import sys
import time
from inspect import getfullargspec
from math import log

import numpy as np

from fastw2v import _phrases
from fastw2v._vocab import Scanner, TokenTable
from fastw2v.corpus import MAX_SENTENCE_LENGTH, LineSentence, PathLineSentences, Text8Corpus, reads_raw_file
from fastw2v.formats import _write
from fastw2v.native import load_arrays, reading_header, save_arrays
from fastw2v.reader import iter_chunks, read_ahead
from fastw2v.vocab import _Pruner

logger = logging.getLogger(__name__)

NEGATIVE_INFINITY = float("-inf")

ENGLISH_CONNECTOR_WORDS = frozenset(
    " a an the "  # articles
    " for of with without at from to in on by "  # prepositions
    " and or "  # conjunctions
    .split()
)

_SCORING_PARAMS = ("worda_count", "wordb_count", "bigram_count", "len_vocab", "min_count", "corpus_word_count")


def original_scorer(worda_count, wordb_count, bigram_count, len_vocab, min_count, corpus_word_count):
    """gensim's default score: ``(bigram_count - min_count) / (worda_count * wordb_count) * len_vocab``."""
    denom = worda_count * wordb_count
    if denom == 0:
        return NEGATIVE_INFINITY
    return (bigram_count - min_count) / float(denom) * len_vocab


def npmi_scorer(worda_count, wordb_count, bigram_count, len_vocab, min_count, corpus_word_count):
    """Normalised PMI in [-1, 1] (Bouma 2009); ``-inf`` when ``bigram_count < min_count``."""
    if bigram_count >= min_count:
        corpus_word_count = float(corpus_word_count)
        pa = worda_count / corpus_word_count
        pb = wordb_count / corpus_word_count
        pab = bigram_count / corpus_word_count
        try:
            return log(pab / (pa * pb)) / -log(pab)
        except ValueError:
            return NEGATIVE_INFINITY
    return NEGATIVE_INFINITY


def word2phrase_scorer(worda_count, wordb_count, bigram_count, len_vocab, min_count, corpus_word_count):
    """word2phrase.c's score (float32 arithmetic, unigram ``min_count``)."""
    if worda_count < min_count or wordb_count < min_count:
        return 0.0
    f = np.float32
    return float(f(bigram_count - min_count) / f(worda_count) / f(wordb_count) * f(corpus_word_count))


_BUILTIN = {"default": (original_scorer, _phrases.SCORE_DEFAULT),
            "npmi": (npmi_scorer, _phrases.SCORE_NPMI),
            "word2phrase": (word2phrase_scorer, _phrases.SCORE_WORD2PHRASE)}


def _resolve_scoring(scoring):
    """``(function, name or None)``; the name marks a scorer C can compute."""
    if isinstance(scoring, str):
        if scoring not in _BUILTIN:
            raise ValueError(f"unknown scoring method {scoring!r}; use 'default', 'npmi', "
                             "'word2phrase' or a function")
        return _BUILTIN[scoring][0], scoring
    if not callable(scoring):
        raise TypeError(f"scoring must be a string or a function, got {type(scoring).__name__}")
    for name, (function, _) in _BUILTIN.items():
        # gensim's own scorers (or ours) are recognised and computed in C
        if scoring is function or (getattr(scoring, "__module__", "") == "gensim.models.phrases"
                                   and getattr(scoring, "__name__", "") == function.__name__):
            return function, name
    missing = [p for p in _SCORING_PARAMS if p not in getfullargspec(scoring).args]
    if missing:
        raise ValueError(f"scoring function missing expected parameters {missing}")
    return scoring, None


def _is_single(obj):
    """gensim's test: a sentence is an iterable whose first item is a str."""
    obj_iter = iter(obj)
    temp_iter = obj_iter
    try:
        peek = next(obj_iter)
        obj_iter = itertools.chain([peek], obj_iter)
    except StopIteration:
        return True, obj
    if isinstance(peek, str):
        return True, obj_iter
    if temp_iter is obj:
        return False, obj_iter
    return False, obj


def _text_files(corpus):
    """``[(path, max_sentence_length, line_sentences)]`` when C can read ``corpus``'s files itself."""
    if reads_raw_file(corpus, LineSentence) and corpus.limit is None and not hasattr(corpus.source, "seek"):
        return [(corpus.source, corpus.max_sentence_length, True)]
    if reads_raw_file(corpus, PathLineSentences) and corpus.limit is None:
        return [(path, corpus.max_sentence_length, True) for path in corpus.input_files]
    if reads_raw_file(corpus, Text8Corpus):
        return [(corpus.fname, corpus.max_sentence_length, False)]
    return None


def _connector_table(words) -> TokenTable:
    words = sorted(set(words))
    if not all(isinstance(w, str) for w in words):
        raise TypeError("connector_words must be strings")
    table = TokenTable.from_keys(words)
    table.key_kind = 0
    return table


class _PhrasesTransformation:
    """What Phrases and FrozenPhrases share: joining sentences, files and corpora."""

    _engine: _phrases.PhraseEngine

    def _ready_engine(self):
        """The C engine with the current (mutable) parameters, or None for a Python scorer."""
        raise NotImplementedError

    def _rebuild_engine(self):
        raise NotImplementedError

    # copy.deepcopy and pickle (gensim's models support both; save/load stay pickle-free):
    # the C table travels as its arrays, the engine is rebuilt from it
    def __getstate__(self):
        state = self.__dict__.copy()
        state["_table"] = _phrases.table_to_arrays(self._table)
        state.pop("_engine", None)
        state.pop("_engine_connectors", None)
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._table = _phrases.table_from_arrays(*state["_table"])
        self._rebuild_engine()

    def score_candidate(self, word_a, word_b, in_between):
        """``(phrase, score)`` when ``word_a in_between... word_b`` is a phrase, else ``(None, None)``."""
        raise NotImplementedError

    def analyze_sentence(self, sentence):
        """Yield ``(token, score)`` for joined phrases and ``(token, None)`` for other tokens.

        Parameters
        ----------
        sentence : iterable of str

        Examples
        --------
        >>> p = Phrases([["new", "york"]] * 3, min_count=1, threshold=0.1)
        >>> list(p.analyze_sentence(["in", "new", "york"]))
        [('in', None), ('new_york', 0.6666666666666666)]
        """
        sentence = sentence if type(sentence) is list else list(sentence)
        engine = self._ready_engine()
        if engine is not None:
            yield from engine.join(sentence, True)
            return
        # gensim's analyze_sentence, for scorers written in Python
        start_token, in_between = None, []
        for word in sentence:
            if word not in self.connector_words:
                if start_token:
                    phrase, score = self.score_candidate(start_token, word, in_between)
                    if score is not None:
                        yield phrase, score
                        start_token, in_between = None, []
                    else:
                        yield start_token, None
                        for w in in_between:
                            yield w, None
                        start_token, in_between = word, []
                else:
                    start_token, in_between = word, []
            elif start_token:
                in_between.append(word)
            else:
                yield word, None
        if start_token:
            yield start_token, None
            for w in in_between:
                yield w, None

    def __getitem__(self, sentence):
        """One sentence with its phrases joined, or (for a corpus) a lazy corpus of them.

        Examples
        --------
        >>> p = Phrases([["new", "york", "city"]] * 3, min_count=1, threshold=0.1)
        >>> p[["i", "love", "new", "york"]]
        ['i', 'love', 'new_york']
        """
        is_single, sentence = _is_single(sentence)
        if not is_single:
            return PhrasedCorpus(self, sentence)
        engine = self._ready_engine()
        if engine is not None:
            return engine.join(sentence if type(sentence) is list else list(sentence))
        return [token for token, _ in self.analyze_sentence(sentence)]

    def find_phrases(self, sentences) -> dict:
        """Phrases found in ``sentences``, with their scores (gensim's find_phrases)."""
        result = {}
        for sentence in sentences:
            for phrase, score in self.analyze_sentence(sentence):
                if score is not None:
                    result[phrase] = score
        return result

    def _join_files(self, files, sentences=False):
        """The joined text of ``files`` as byte chunks (one sentence a line), or
        with ``sentences`` as :class:`~fastw2v._phrases.JoinedSentences`.

        Reading and decompressing, then joining (both mostly GIL-free) run in
        two background threads, ahead of the consumer; the joining thread has
        an engine of its own.
        """
        engine = self._ready_engine().copy()

        def joined():
            for path, max_sentence_length, line_sentences in files:
                scanner = Scanner(max_sentence_length)
                if sentences:
                    for chunk in read_ahead(iter_chunks(path)):
                        yield engine.join_sentences(scanner, line_sentences, chunk)
                    yield engine.join_sentences(scanner, line_sentences, b"", True)
                    continue
                for chunk in read_ahead(iter_chunks(path)):
                    out = engine.join_buffer(scanner, line_sentences, chunk)
                    if out:
                        yield out
                out = engine.join_finish(scanner)
                if out:
                    yield out

        return read_ahead(joined())

    def transform_file(self, source, destination, max_sentence_length: int = MAX_SENTENCE_LENGTH) -> int:
        """Write ``source`` with its phrases joined, one sentence a line, to ``destination``.

        The output read with ``LineSentence`` equals ``self[LineSentence(source)]``
        (lines longer than ``max_sentence_length`` tokens become several lines,
        blank lines are dropped), ready for ``Word2Vec(corpus_file=destination)``.
        A ``destination`` ending in ``.gz``, ``.bz2`` or ``.xz`` is compressed.

        Returns
        -------
        int
            Sentences written.

        Examples
        --------
        >>> import os, tempfile
        >>> d = tempfile.mkdtemp()
        >>> src, dst = os.path.join(d, "in.txt"), os.path.join(d, "out.txt")
        >>> _ = open(src, "w").write("new york is big\\n" * 3)
        >>> Phrases(LineSentence(src), min_count=1, threshold=0.1).transform_file(src, dst)
        3
        >>> open(dst).readline()
        'new_york is_big\\n'
        """
        written = 0

        def write(out):
            # into a temporary file renamed over destination at the end (compressed as its
            # extension says): a failed or interrupted run leaves no half-written output,
            # and destination may be source
            nonlocal written
            if self._ready_engine() is None:
                for sentence in self[LineSentence(source, max_sentence_length)]:
                    out.write((" ".join(sentence) + "\n").encode("utf-8"))
                    written += 1
            else:
                for chunk in self._join_files([(source, max_sentence_length, True)]):
                    out.write(chunk)
                    written += chunk.count(b"\n")

        _write(destination, write, append=False)
        return written

    # ---- persistence (JSON + .npy, never pickle) ----

    def _common_meta(self) -> dict:
        scoring = self._scoring_name
        if scoring is None:
            scoring = f"custom:{getattr(self.scoring, '__module__', '?')}.{getattr(self.scoring, '__qualname__', '?')}"
        return {"class": type(self).__name__, "min_count": self.min_count, "threshold": self.threshold,
                "delimiter": self.delimiter, "scoring": scoring,
                "connector_words": sorted(self.connector_words)}

    @classmethod
    def load(cls, path, scoring=None):
        """Load a model written by :meth:`save` (a Phrases or a FrozenPhrases).

        Parameters
        ----------
        path : str
        scoring : callable, optional
            Required when the model was saved with a custom scoring function,
            which is not stored (storing code would need pickle).
        """
        meta, arrays = load_arrays(path)
        with reading_header(path):
            kind = meta.get("class")
            if kind not in ("Phrases", "FrozenPhrases"):
                raise ValueError(f"{path} is not a saved phrase model (class {kind!r})")
            for name, kinds in _SAVED_FIELDS[kind]:
                if isinstance(meta[name], bool) or not isinstance(meta[name], kinds):
                    raise ValueError(f"{path}: {name} is {meta[name]!r} in the model file")
            if not all(isinstance(w, str) for w in meta["connector_words"]):
                raise ValueError(f"{path}: connector_words must be strings in the model file")
            saved = meta["scoring"]
            if scoring is None:
                if saved.startswith("custom:"):
                    raise ValueError(f"{path} was saved with the custom scoring function {saved[7:]}; "
                                     "pass it again: load(path, scoring=function)")
                scoring = saved
            table = _phrases.table_from_arrays(arrays["key_bytes"], arrays["key_lengths"], arrays["counts"])
            saved_class = Phrases if kind == "Phrases" else FrozenPhrases
            model = saved_class.__new__(saved_class)
            model.scoring, model._scoring_name = _resolve_scoring(scoring)
            model.min_count = meta["min_count"]
            model.threshold = meta["threshold"]
            model.delimiter = meta["delimiter"]
            model.connector_words = frozenset(meta["connector_words"])
            if kind == "Phrases":
                model.max_vocab_size = meta["max_vocab_size"]
                model.progress_per = meta["progress_per"]
                model.corpus_word_count = meta["corpus_word_count"]
                model.min_reduce = meta["min_reduce"]
                model._table = table
                model._rebuild_engine()
            else:
                model._set_phrases(table, arrays["scores"])
        if not isinstance(model, cls):
            raise TypeError(f"{path} holds a {kind}, not a {cls.__name__}")
        return model


# The scalar entries of a saved model's header and their types, checked on load
# so a hand-edited file fails there rather than at the first sentence.
_NUMBER = (int, float)
_SAVED_FIELDS = {"FrozenPhrases": (("scoring", str), ("min_count", _NUMBER), ("threshold", _NUMBER),
                                   ("delimiter", str), ("connector_words", list))}
_SAVED_FIELDS["Phrases"] = _SAVED_FIELDS["FrozenPhrases"] + (
    ("max_vocab_size", int), ("progress_per", _NUMBER), ("corpus_word_count", int), ("min_reduce", _NUMBER))


class Phrases(_PhrasesTransformation):
    """Detect phrases from collocation counts (gensim 4's Phrases).

    Parameters
    ----------
    sentences : iterable of list of str, optional
        Corpus to learn from now (else call :meth:`add_vocab` later).
    min_count : float, optional
        Subtracted from bigram counts (default score); ignore bigrams rarer than this (npmi).
    threshold : float, optional
        A candidate is a phrase when its score is greater than this.
    max_vocab_size : int, optional
        Keys kept in memory: after any sentence that leaves more, keys counted
        fewer than ``min_reduce`` times are dropped and ``min_reduce`` grows
        by one (gensim's rule; counts become underestimates).
    delimiter : str, optional
        Glue between the tokens of a phrase.
    progress_per : int, optional
        Accepted for gensim compatibility (progress is logged per file chunk).
    scoring : {'default', 'npmi', 'word2phrase'} or callable, optional
        See the module docstring.
    connector_words : set of str, optional
        Words that may sit inside a phrase but never start or end one
        (``ENGLISH_CONNECTOR_WORDS`` gives "bank_of_america").

    Examples
    --------
    >>> corpus = [["the", "bank", "of", "america", "said"]] * 5 + [["bank", "said"], ["america"]]
    >>> p = Phrases(corpus, min_count=1, threshold=0.5, connector_words=ENGLISH_CONNECTOR_WORDS)
    >>> p[["the", "bank", "of", "america"]]
    ['the', 'bank_of_america']
    """

    def __init__(self, sentences=None, min_count=5, threshold=10.0, max_vocab_size=40000000,
                 delimiter="_", progress_per=10000, scoring="default", connector_words=frozenset()):
        if min_count <= 0:
            raise ValueError(f"min_count should be at least 1, got {min_count!r}")
        if threshold <= 0 and scoring == "default":
            raise ValueError(f"threshold should be positive for default scoring, got {threshold!r}")
        if scoring == "npmi" and not -1 <= threshold <= 1:
            raise ValueError(f"threshold should be between -1 and 1 for npmi scoring, got {threshold!r}")
        if int(max_vocab_size) != max_vocab_size or max_vocab_size < 1:
            raise ValueError(f"max_vocab_size must be a positive integer, got {max_vocab_size!r}")
        if not isinstance(delimiter, str) or not delimiter:
            raise ValueError(f"delimiter must be a non-empty string, got {delimiter!r}")
        self.scoring, self._scoring_name = _resolve_scoring(scoring)
        self.connector_words = frozenset(connector_words)
        self.min_count = min_count
        self.threshold = threshold
        self.max_vocab_size = int(max_vocab_size)
        self.delimiter = delimiter
        self.progress_per = progress_per
        self.corpus_word_count = 0
        self.min_reduce = 1
        self._table = TokenTable(1 << 16, 0)
        self._rebuild_engine()
        if sentences is not None:
            start = time.time()
            self.add_vocab(sentences)
            logger.info("built %s in %.2fs", self, time.time() - start)

    def __str__(self):
        return (f"Phrases<{len(self._table)} vocab, min_count={self.min_count}, threshold={self.threshold}, "
                f"max_vocab_size={self.max_vocab_size}>")

    def _rebuild_engine(self):
        code = _BUILTIN[self._scoring_name][1] if self._scoring_name else _phrases.SCORE_DEFAULT
        self._engine_connectors = self.connector_words
        self._engine = _phrases.PhraseEngine(self._table, _connector_table(self.connector_words),
                                             self.delimiter, code)

    def _sync_connectors(self):
        """Rebuilds the engine if ``connector_words`` was reassigned (a public attribute in gensim)."""
        if self.connector_words is not self._engine_connectors:
            self.connector_words = frozenset(self.connector_words)
            if self.connector_words != self._engine_connectors:
                self._rebuild_engine()
            self._engine_connectors = self.connector_words

    def _ready_engine(self):
        if self._scoring_name is None:
            return None
        self._sync_connectors()
        self._engine.configure(self.threshold, self.min_count, self.corpus_word_count)
        return self._engine

    @property
    def vocab(self):
        """Unigram and bigram counts (gensim's ``vocab``): a read-only snapshot, slow when
        large. The counts live in a C table, so an edit to a copy would be silently lost."""
        return MappingProxyType(dict(zip(self._table.keys(), self._table.counts().tolist())))

    def _learn_vocab(self, sentences):
        """gensim's _learn_vocab into a new table: ``(min_reduce, table, total_words)``."""
        table = TokenTable(1 << 16, 0)
        pruner = _Pruner()
        engine = self._engine.copy()
        files = _text_files(sentences)
        if files is not None:
            words = n_sentences = 0
            for path, max_sentence_length, line_sentences in files:
                scanner = Scanner(max_sentence_length)
                # reading, decompressing and gathering keys (no table needed) run
                # ahead in a thread while this one adds the previous chunks' keys:
                # two stages of about equal cost
                batches = (engine.gather_buffer(scanner, line_sentences, chunk) for chunk in iter_chunks(path))
                for batch in read_ahead(batches):
                    _phrases.add_batch(table, batch, self.max_vocab_size, pruner)
                if engine.count_finish(scanner) and len(table) > self.max_vocab_size:
                    pruner(table)
                words += scanner.total_tokens
                n_sentences += scanner.sentences
        else:
            n_sentences, words = engine.count_sentences(table, sentences, self.max_vocab_size, pruner)
        logger.info("collected %i token types (unigram + bigrams) from a corpus of %i words and %i sentences",
                    len(table), words, n_sentences)
        return pruner.min_reduce, table, words

    def add_vocab(self, sentences):
        """Count ``sentences`` into the model (gensim's add_vocab, merge rule included).

        Parameters
        ----------
        sentences : iterable of list of str
            A LineSentence / PathLineSentences / Text8Corpus over files is read by C directly.
        """
        if isinstance(sentences, (str, bytes)):
            raise TypeError("sentences must be an iterable of token lists, not a string; "
                            "use LineSentence(path) for a file")
        self._sync_connectors()
        min_reduce, table, total_words = self._learn_vocab(sentences)
        self.corpus_word_count += total_words
        if len(self._table):
            logger.info("merging %i counts into %s", len(table), self)
            self.min_reduce = max(self.min_reduce, min_reduce)
            _phrases.merge_counts(self._table, table)
            if len(self._table) > self.max_vocab_size:
                self._table.prune_below(self.min_reduce)
                self.min_reduce += 1
        else:
            self._table = table
            self._rebuild_engine()
        logger.info("merged %s", self)

    def score_candidate(self, word_a, word_b, in_between):
        """gensim's score_candidate: ``(phrase, score)`` or ``(None, None)``."""
        phrase = self.delimiter.join([word_a] + list(in_between) + [word_b])
        count_a, count_b, count_ab = _phrases.lookup_counts(self._table, [word_a, word_b, phrase])
        if count_a <= 0 or count_b <= 0 or count_ab <= 0:
            return None, None
        score = self.scoring(worda_count=count_a, wordb_count=count_b, bigram_count=count_ab,
                             len_vocab=len(self._table), min_count=self.min_count,
                             corpus_word_count=self.corpus_word_count)
        if score <= self.threshold:
            return None, None
        return phrase, score

    def export_phrases(self) -> dict:
        """Every phrase of the vocabulary with its score (gensim's export_phrases).

        Keys containing the delimiter are split on it; the first and last
        pieces are scored as ``a`` and ``b`` with the key's own count as
        ``count(ab)``, exactly as gensim does (so a second-pass key
        "new_york_city" is scored from "new" and "city").
        """
        index, scores = self._export()
        keys = _phrases.table_subset(self._table, index).keys()
        return dict(zip(keys, scores.tolist()))

    def _export(self):
        """``(index, scores)`` of the phrases, in table order."""
        engine = self._engine
        engine.configure(self.threshold, self.min_count, self.corpus_word_count)
        index, count_a, count_b = engine.candidates()
        if self._scoring_name is not None:
            scores = engine.scores(index, count_a, count_b)
        else:
            counts_ab = self._table.counts()[index]
            scores = np.array([
                self.scoring(worda_count=a, wordb_count=b, bigram_count=ab, len_vocab=len(self._table),
                             min_count=self.min_count, corpus_word_count=self.corpus_word_count)
                for a, b, ab in zip(count_a.tolist(), count_b.tolist(), counts_ab.tolist())], dtype=np.float64)
        keep = ~(scores <= self.threshold)  # gensim keeps NaN scores: `if score <= threshold: reject`
        return index[keep], scores[keep]

    def freeze(self) -> "FrozenPhrases":
        """A :class:`FrozenPhrases` with only the phrases (smaller, no more learning)."""
        return FrozenPhrases(self)

    def save(self, path):
        """Write the model as JSON plus ``.npy`` arrays (see fastw2v.native; no pickle)."""
        meta = self._common_meta()
        meta.update(max_vocab_size=self.max_vocab_size, progress_per=self.progress_per,
                    corpus_word_count=int(self.corpus_word_count), min_reduce=int(self.min_reduce))
        key_bytes, key_lengths, counts = _phrases.table_to_arrays(self._table)
        save_arrays(path, meta, {"key_bytes": key_bytes, "key_lengths": key_lengths, "counts": counts})


class FrozenPhrases(_PhrasesTransformation):
    """The phrases of a trained :class:`Phrases` and their scores, for applying only.

    Parameters
    ----------
    phrases_model : Phrases

    Examples
    --------
    >>> p = Phrases([["new", "york"]] * 3, min_count=1, threshold=0.1)
    >>> frozen = p.freeze()
    >>> frozen[["new", "york", "is", "big"]]
    ['new_york', 'is', 'big']
    >>> dict(frozen.phrasegrams)
    {'new_york': 0.6666666666666666}
    """

    def __init__(self, phrases_model: Phrases):
        if not isinstance(phrases_model, Phrases):
            raise TypeError(f"FrozenPhrases needs a Phrases model, got {type(phrases_model).__name__}")
        self.threshold = phrases_model.threshold
        self.min_count = phrases_model.min_count
        self.delimiter = phrases_model.delimiter
        self.scoring = phrases_model.scoring
        self._scoring_name = phrases_model._scoring_name
        self.connector_words = phrases_model.connector_words
        index, scores = phrases_model._export()
        self._set_phrases(_phrases.table_subset(phrases_model._table, index), scores)

    def _set_phrases(self, table, scores):
        self._table = table
        self._scores = np.ascontiguousarray(scores, dtype=np.float64)
        self._engine_connectors = self.connector_words
        self._engine = _phrases.PhraseEngine(table, _connector_table(self.connector_words), self.delimiter,
                                             _phrases.SCORE_FROZEN, self._scores)

    def _rebuild_engine(self):
        self._set_phrases(self._table, self._scores)

    def __str__(self):
        return f"FrozenPhrases<{len(self._table)} phrases, min_count={self.min_count}, threshold={self.threshold}>"

    @property
    def phrasegrams(self):
        """Phrase -> score (gensim's attribute): a read-only snapshot of the C table."""
        return MappingProxyType(dict(zip(self._table.keys(), self._scores.tolist())))

    def _ready_engine(self):
        if self.connector_words is not self._engine_connectors:
            self.connector_words = frozenset(self.connector_words)
            if self.connector_words != self._engine_connectors:
                self._set_phrases(self._table, self._scores)
            self._engine_connectors = self.connector_words
        self._engine.configure(self.threshold, self.min_count, 0.0)
        return self._engine

    def score_candidate(self, word_a, word_b, in_between):
        phrase = self.delimiter.join([word_a] + list(in_between) + [word_b])
        index = _phrases.lookup_index(self._table, [phrase])[0]
        score = self._scores[index] if index >= 0 else NEGATIVE_INFINITY
        if score > self.threshold:
            return phrase, score
        return None, None

    def save(self, path):
        """Write the phrases as JSON plus ``.npy`` arrays (no pickle)."""
        key_bytes, key_lengths, counts = _phrases.table_to_arrays(self._table)
        save_arrays(path, self._common_meta(), {"key_bytes": key_bytes, "key_lengths": key_lengths,
                                                "counts": counts, "scores": self._scores})


Phraser = FrozenPhrases  # gensim's old name


class PhrasedCorpus:
    """``model[corpus]``: the corpus with phrases joined, computed lazily.

    Re-iterable when the corpus is. A LineSentence / PathLineSentences /
    Text8Corpus over files is joined by C from the raw text, in a background
    thread; the output lists share one str object per frequent token (a
    cache, ``_phrases.StrCache``) instead of one str per occurrence. Lists of
    str are joined by C one by one, keeping the input's str objects.
    """

    def __init__(self, model: _PhrasesTransformation, corpus):
        self.model = model
        self.corpus = corpus

    def __len__(self):
        return len(self.corpus)

    def __getitem__(self, index):
        """``model[corpus][i]`` is ``model[corpus[i]]`` when the corpus can be indexed (gensim's)."""
        if not hasattr(self.corpus, "__getitem__"):
            raise RuntimeError(f"Type {type(self.corpus)} does not support slicing.")
        return self.model[self.corpus[index]]

    def __iter__(self):
        files = _text_files(self.corpus)
        if files is not None and self.model._ready_engine() is not None:
            return _phrases.SentenceStream(self.model._join_files(files, sentences=True), _phrases.StrCache())
        return self._sentences()

    def _sentences(self):
        engine = self.model._ready_engine()
        if engine is None:
            for sentence in self.corpus:
                yield self.model[sentence]
            return
        # the usual corpus, lists of str: straight to C, the tokens left alone
        # are the input's own str objects; anything else (tuples, generators,
        # nested corpora) takes gensim's path through __getitem__
        join = engine.join
        for sentence in self.corpus:
            if type(sentence) is list and (not sentence or isinstance(sentence[0], str)):
                yield join(sentence)
            else:
                yield self.model[sentence]


# ---- command line: word2phrase ----

def cli_main(argv=None) -> int:
    """``fastw2v phrases``: word2phrase's command line.

    Flags and meaning follow word2phrase.c: ``-train`` input text,
    ``-output`` joined text, ``-min-count`` (5), ``-threshold`` (100),
    ``-debug`` (2). The score is word2phrase's,
    ``(count(ab) - min_count) / count(a) / count(b) * train_words`` with the
    corpus word count (the Python ``Phrases`` default uses gensim's vocabulary
    size instead). Differences from word2phrase.c: bigrams never span lines
    (word2phrase counts one across each line break), lines are never cut,
    output tokens are separated by single spaces and blank lines dropped.
    Run it again on its output to get 3- and 4-word phrases.
    """
    from fastw2v.cli import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_USAGE, UsageError, _one_line, _Parser
    from fastw2v.cli import check_readable, check_writable
    parser = _Parser(prog="fastw2v phrases", description=cli_main.__doc__.split("\n")[0], allow_abbrev=False)
    parser.add_argument("-train", "--train", required=True, help="input text file (plain, gz, bz2, xz)")
    parser.add_argument("-output", "--output", required=True, help="output text file with phrases joined")
    parser.add_argument("-min-count", "--min-count", type=int, default=5, help="discard words seen fewer times")
    parser.add_argument("-threshold", "--threshold", type=float, default=100.0,
                        help="higher threshold: fewer phrases (default 100)")
    parser.add_argument("-debug", "--debug", type=int, default=2, help="verbosity (0: quiet)")
    try:
        args = parser.parse_args(argv)
    except UsageError as exc:  # one line, as the train command's
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    # as the train command: a failure the user can cause is one line and status 1
    try:
        if args.min_count < 1:
            raise ValueError(f"-min-count must be at least 1, got {args.min_count}")
        if not np.isfinite(args.threshold):
            raise ValueError(f"-threshold must be a finite number, got {args.threshold}")
        check_readable(args.train, "-train file")
        check_writable(args.output, f"-output {args.output}")
        endless = 2 ** 62  # word2phrase never cuts a line
        start = time.time()
        model = Phrases(LineSentence(args.train, max_sentence_length=endless), min_count=args.min_count,
                        threshold=args.threshold, scoring="word2phrase")
        if args.debug > 0:
            print(f"Vocab size (unigrams + bigrams): {len(model._table)}", file=sys.stderr)
            print(f"Words in train file: {model.corpus_word_count}", file=sys.stderr)
        lines = model.transform_file(args.train, args.output, max_sentence_length=endless)
    except KeyboardInterrupt:
        print("fastw2v phrases: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except (ValueError, OSError, MemoryError, EOFError) as exc:
        print(f"fastw2v phrases: error: {_one_line(exc)}", file=sys.stderr)
        return EXIT_ERROR
    if args.debug > 0:
        print(f"Wrote {lines} lines to {args.output} in {time.time() - start:.2f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(cli_main())
