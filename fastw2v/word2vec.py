"""Word2Vec: gensim 4's training API over fastw2v's C kernels.

Parameter names, defaults and meanings are gensim 4's, so
``from gensim.models import Word2Vec`` becomes ``from fastw2v import Word2Vec``.
Differences, all deliberate:

- sentences longer than 10,000 tokens are split into pieces, never truncated;
- ``compute_loss`` accumulates in float64 per thread (gensim's float32 total
  stops growing on long runs); ``get_latest_training_loss()`` is, as in gensim,
  the total of the current ``train`` call so far, and ``epoch_losses`` adds
  one value per epoch;
- ``save``/``load`` use JSON + ``.npy`` (no pickle, so loading never runs code);
- an iterator (not restartable) is refused up front instead of silently
  training on an empty second epoch;
- ``train(checkpoint_every=, checkpoint_path=)`` saves atomic checkpoints and
  ``train(resume=True)`` continues their schedule (see fastw2v.checkpoint);
- ``hashfxn`` is accepted and ignored: vectors are initialised from ``seed``
  with NumPy's generator, independent of ``PYTHONHASHSEED``.
"""
from __future__ import annotations

import collections
import logging
import os
import time
from types import GeneratorType

import numpy as np

from fastw2v import _kernels, layout, native
from fastw2v.callbacks import call_hooks
from fastw2v.checkpoint import Checkpointer, Schedule, check_rates
from fastw2v.key_index import int_index_of, is_int_keyed, key_index
from fastw2v.keyedvectors import KeyedVectors
from fastw2v.threads import (EncodedCorpus, Interrupts, Progress, encode_file, score_sentences,
                             train_epoch_encoded, train_epoch_iterable)
from fastw2v.validation import INT32_MAX, check_integer
from fastw2v.vocab import (MAX_SENTENCE_LENGTH, EmptyVocabularyError, RawCounts, capped_min_count, choose_words,
                           encoder_for, huffman_tree, noise_table, scan_corpus, subsampled_head, vocab_report)

logger = logging.getLogger(__name__)

MAX_WORDS_IN_BATCH = MAX_SENTENCE_LENGTH
REAL = np.float32

# Hierarchical softmax with several workers: each thread keeps its own copy of
# this many inner nodes nearest the root (on nearly every Huffman path) and
# merges its changes back every 10,000 tokens; shared, their cache lines bounce
# between cores on every window. One worker trains them in place (exact).
# 1023 rather than 255: +2.8% for CBOW + hs on 2 workers, same quality; 4095
# loses (458 KB of copies per thread at dim 100 becomes 1.8 MB: the merge and
# the copies' share of L2 cost more than the sharing they avoid). RESULTS.md,
# fourteenth session.
HS_PRIVATE_NODES = 1023
# Negative sampling with several workers: the syn1neg rows of the 255 most
# frequent words (38% of the targets, 23% of the noise draws on the shared
# corpus) are per-thread copies merged the same way. Same quality over 3 seeds
# (RESULTS.md, fifteenth session); 1023 and 4095 rows lose (eighteenth).
NEG_PRIVATE_ROWS = 255
# and their syn0 rows too (the context rows of most windows): 2 workers went from
# 1.87-1.89x one worker to 1.95-1.99x (skip-gram) and 1.82-1.88x to 1.89-1.96x
# (CBOW) with negative sampling, same quality over 3 seeds. The copies used to
# cost CBOW 2-6% when choosing a row was a branch (kernels_impl.h, own_or_shared);
# 1023 rows lose. RESULTS.md, eighteenth session.
SYN0_PRIVATE_ROWS = 255


# gensim's words, for build_vocab(update=True) / update_weights on a model with no vocabulary
_NO_PRIOR_VOCABULARY = ("You cannot do an online vocabulary-update of a model which has no prior vocabulary. "
                        "First build the vocabulary of your model with a corpus before doing an online update.")


def _check_sample(sample) -> None:
    # (>= 1 is gensim's absolute count, int(sample * 2.618): it must fit an int64)
    if not (isinstance(sample, (int, float)) and 0 <= sample < 2.0 ** 61):
        raise ValueError(f"sample must be >= 0, got {sample!r}")


def _raw_dict(raw: RawCounts) -> collections.defaultdict:
    """gensim's ``raw_vocab``: a ``defaultdict(int)`` (an unseen key counts 0)."""
    return collections.defaultdict(int, raw.as_dict())


def _check_restartable(corpus, what="corpus_iterable"):
    if corpus is None:
        return
    if isinstance(corpus, GeneratorType) or iter(corpus) is corpus:
        raise TypeError(
            f"{what} is an iterator/generator, which can be read only once, but training "
            "reads the corpus once for the vocabulary and once per epoch. Pass a list or a "
            "restartable iterable (a class with __iter__), e.g. fastw2v.corpus.LineSentence.")
    if isinstance(corpus, (str, bytes, os.PathLike)):
        raise TypeError(f"{what} must be an iterable of token lists; to read a file pass corpus_file=")


def _encodes_itself(corpus) -> bool:
    """Corpus objects may bypass Python iteration (the fast path) by providing
    ``fastw2v_count(max_vocab_size, trim_rule) -> vocab.RawCounts`` and
    ``fastw2v_encode(encoder) -> threads.EncodedCorpus`` (or an object with its
    ``words``, ``weights``, ``chunks()`` and ``batch()``, as fastw2v.sequences returns);
    integer ``Sequences`` and file-backed readers do."""
    return hasattr(corpus, "fastw2v_count") and hasattr(corpus, "fastw2v_encode")


def _file_behind(corpus_iterable):
    """Readers such as ``LineSentence(path)`` expose ``corpus_file`` when they only
    re-read a file: training then takes the corpus_file fast path (same tokens)."""
    path = getattr(corpus_iterable, "corpus_file", None)
    return path if isinstance(path, str) else None


def _float32_rows(arr, name, fname, mmap):
    """A stored weight matrix as float32; one written big-endian is converted
    (kept as is when memory-mapped: queries read either byte order)."""
    if arr.dtype.kind != "f" or arr.dtype.itemsize != 4:
        raise ValueError(f"{fname}: {name} has dtype {arr.dtype}, expected float32")
    if not arr.dtype.isnative and mmap is None:
        arr = arr.astype(np.float32)
    return arr


def _grown(rows: np.ndarray, more: np.ndarray) -> np.ndarray:
    """``rows`` with ``more`` appended, in the kernels' padded layout."""
    out = layout.zeros_rows(len(rows) + len(more), rows.shape[1])
    out[:len(rows)] = rows
    out[len(rows):] = more
    return out


def _kernel_rows(rows, name: str):
    """``rows`` in the kernels' padded layout: a loaded or user-assigned matrix is
    copied into it once. A read-only one (memory-mapped) is refused rather than
    copied, since training would then update the copy, not the file."""
    if rows is None:
        return None
    if isinstance(rows, np.ndarray) and not rows.flags.writeable:
        raise ValueError(f"{name} is read-only (a memory-mapped model must be loaded with mmap=None to train)")
    return layout.padded(rows)


def _readable_rows(rows):
    """``rows`` for a kernel that only reads them (scoring): themselves when they
    have the kernels' layout and are writeable (KernelParams takes no read-only
    buffer), else a padded copy, so the model keeps its own (e.g. mapped) arrays."""
    if rows is None or (layout.has_kernel_layout(rows) and rows.flags.writeable):
        return rows
    return layout.padded(rows, copy=True)


def _isa() -> int:
    """Kernel variant: FASTW2V_ISA=generic|avx2|avx512 forces one (if the CPU has it);
    by default the widest the CPU has (AVX-512 measured ~10% faster than AVX2 at dim 100)."""
    choice = os.environ.get("FASTW2V_ISA", "auto").lower()
    supported = _kernels.supported_isas()
    names = {v: k for k, v in _kernels.ISA_NAMES.items()}
    if choice in ("portable", "scalar"):
        choice = "generic"
    if choice in names:
        if names[choice] not in supported:
            raise RuntimeError(f"FASTW2V_ISA={choice} but this CPU cannot run it")
        return names[choice]
    return supported[-1]


class Word2Vec:
    """Train word vectors with skip-gram or CBOW (negative sampling and/or
    hierarchical softmax), gensim 4's API.

    Parameters
    ----------
    sentences : iterable of list of str or int, optional
        A restartable corpus (list of token lists, NumPy int arrays, or an
        iterable object). Given with ``corpus_file=`` absent, the model trains at once.
    corpus_file : str, optional
        Path of a text file, one sentence per line, whitespace-separated
        (plain, gzip, bz2 or xz). The fast path: threads train their own shard.
    vector_size, window, min_count, max_vocab_size, sample, seed, workers, alpha,
    min_alpha, sg, hs, negative, ns_exponent, cbow_mean, epochs, null_word,
    trim_rule, sorted_vocab, batch_words, compute_loss, callbacks,
    max_final_vocab, shrink_windows :
        As in gensim 4.
    batch_mode : {'auto', 'pair', 'window'}
        ``'pair'``: word2vec's exact per-pair updates with fresh negatives per
        pair. ``'window'``: HogBatch (Ji et al. 2016) -- skip-gram trains each
        output row against a whole window at once with one set of negatives per
        window (with ``hs=1``: against groups of at most 3 of the window's
        contexts, each with its own negatives); CBOW shares negatives across
        blocks of 8 centres. ``'auto'``
        (default): window for skip-gram, pair for CBOW (see _batch_window).

    Examples
    --------
    >>> sentences = [["cat", "sat", "on", "mat"], ["dog", "sat", "on", "log"]] * 100
    >>> model = Word2Vec(sentences, vector_size=16, min_count=1, workers=1, seed=1)
    >>> model.wv["cat"].shape
    (16,)
    """

    def __init__(self, sentences=None, corpus_file=None, vector_size=100, alpha=0.025, window=5,
                 min_count=5, max_vocab_size=None, sample=1e-3, seed=1, workers=3, min_alpha=0.0001,
                 sg=0, hs=0, negative=5, ns_exponent=0.75, cbow_mean=1, hashfxn=hash, epochs=5,
                 null_word=0, trim_rule=None, sorted_vocab=1, batch_words=MAX_WORDS_IN_BATCH,
                 compute_loss=False, callbacks=(), comment=None, max_final_vocab=None,
                 shrink_windows=True, corpus_iterable=None, batch_mode="auto"):
        if corpus_iterable is not None:
            if sentences is not None:
                raise TypeError("pass either sentences or corpus_iterable, not both")
            sentences = corpus_iterable
        self.vector_size = vector_size
        self.alpha = alpha
        self.window = window
        self.min_count = min_count
        self.max_vocab_size = max_vocab_size
        self.sample = sample
        self.seed = seed
        self.workers = workers
        self.min_alpha = min_alpha
        self.sg = int(sg)
        self.hs = int(hs)
        self.negative = negative
        self.ns_exponent = ns_exponent
        self.cbow_mean = int(cbow_mean)
        self.epochs = epochs
        self.null_word = null_word
        self.sorted_vocab = sorted_vocab
        self.batch_words = batch_words
        self.compute_loss = bool(compute_loss)
        self.callbacks = tuple(callbacks)
        self.comment = comment
        self.max_final_vocab = max_final_vocab
        self.shrink_windows = bool(shrink_windows)
        self.hashfxn = hashfxn
        self.batch_mode = batch_mode
        self._check_params()

        self.wv = KeyedVectors(int(vector_size))
        self.wv.vectors_lockf = np.ones(0, dtype=REAL)
        self.syn1 = None
        self.syn1neg = None
        self.raw_vocab = collections.defaultdict(int)
        self.corpus_count = 0
        self.corpus_total_words = 0
        self.train_count = 0
        self.total_train_time = 0.0
        self.running_training_loss = 0.0
        self.epoch_losses: list[float] = []
        self.epoch_stats: dict = {}
        self.min_alpha_yet_reached = alpha
        self.effective_min_count = min_count
        self.training_interrupted = False
        self.training_progress = 0.0
        self.training_state = None
        self._next_epoch = 0
        self._stop_requested = False
        self._schedule_words = 1
        self._corpus_in_vocab_words = 0
        self._tables = None

        if sentences is not None and corpus_file is not None:
            raise TypeError("pass either sentences or corpus_file, not both")
        if sentences is not None or corpus_file is not None:
            _check_restartable(sentences, "sentences")
            self.build_vocab(corpus_iterable=sentences, corpus_file=corpus_file, trim_rule=trim_rule)
            self.train(corpus_iterable=sentences, corpus_file=corpus_file,
                       total_examples=self.corpus_count, total_words=self.corpus_total_words,
                       epochs=self.epochs, compute_loss=compute_loss, callbacks=callbacks)
        else:  # gensim 4 keeps neither: they apply only to the training the constructor does itself
            if trim_rule is not None:
                logger.warning("Model initialized without a corpus: the trim_rule given is ignored (pass it to "
                               "build_vocab, which is where it prunes the vocabulary), as in gensim 4")
            if self.callbacks:
                logger.warning("Model initialized without a corpus: the callbacks given are ignored (pass them "
                               "to train, each time it is called), as in gensim 4")

    # -- validation ----------------------------------------------------------
    def _check_params(self):
        check_integer("vector_size", self.vector_size, 1, INT32_MAX)
        check_integer("window", self.window, 1, INT32_MAX)
        check_integer("min_count", self.min_count, 0)
        # (a million noise words per target is far past any use; the per-thread scratch
        # of an int32-sized count would exhaust memory before training starts)
        check_integer("negative", self.negative, 0, 1_000_000)
        check_integer("workers", self.workers, 1, INT32_MAX)
        check_integer("epochs", self.epochs, 0, INT32_MAX)
        check_integer("batch_words", self.batch_words, 1)
        if self.seed is not None:
            check_integer("seed", self.seed, 0)
        if self.hs not in (0, 1) or self.sg not in (0, 1) or self.cbow_mean not in (0, 1):
            raise ValueError("hs, sg and cbow_mean must each be 0 or 1")
        if self.hs == 0 and self.negative == 0:
            raise ValueError("hs=0 and negative=0 leave no training objective: "
                             "set negative > 0 (e.g. 5) or hs=1")
        _check_sample(self.sample)
        if not (isinstance(self.alpha, (int, float)) and 0 < self.alpha < float("inf")):
            raise ValueError(f"alpha must be > 0, got {self.alpha!r}")
        if not (isinstance(self.min_alpha, (int, float)) and self.min_alpha >= 0):
            raise ValueError(f"min_alpha must be >= 0, got {self.min_alpha!r}")
        if not np.isfinite(self.ns_exponent):
            raise ValueError(f"ns_exponent must be finite, got {self.ns_exponent!r}")
        if self.batch_mode not in ("auto", "pair", "window"):
            raise ValueError(f"batch_mode must be 'auto', 'pair' or 'window', got {self.batch_mode!r}")
        if self.max_vocab_size is not None:
            check_integer("max_vocab_size", self.max_vocab_size, 1)
        if self.max_final_vocab is not None:
            check_integer("max_final_vocab", self.max_final_vocab, 1)

    # -- vocabulary ----------------------------------------------------------
    def build_vocab(self, corpus_iterable=None, corpus_file=None, update=False, progress_per=10000,
                    keep_raw_vocab=False, trim_rule=None, sentences=None, errors="replace", progress=None,
                    min_count=None, sample=None, dry_run=False):
        """Count the corpus and prepare vocabulary, sampling tables and weights
        (``scan_vocab`` then ``prepare_vocab``, in one call).

        ``update=True`` adds new words (and counts) to a trained model and keeps
        the trained vectors, for continued training. ``errors='strict'`` makes
        invalid UTF-8 in ``corpus_file`` an error (with its byte offset) instead
        of U+FFFD; ``progress(n_bytes)`` is called after each chunk of a file.
        ``min_count``, ``sample`` and ``dry_run`` are the ``prepare_vocab``
        arguments gensim's ``build_vocab`` passes on (see there); any other
        keyword is a ``TypeError``, as in gensim.
        """
        t0 = time.perf_counter()
        raw = self._scan(corpus_iterable if corpus_iterable is not None else sentences, corpus_file, trim_rule,
                         errors, progress)
        distinct = len(raw.counts)
        report = self._prepare(raw, update=update, trim_rule=trim_rule, keep_raw_vocab=keep_raw_vocab,
                               min_count=min_count, sample=sample, dry_run=dry_run)
        logger.info("build_vocab: %d words kept of %d distinct in %.2fs (%s)", report["num_retained_words"],
                    distinct, time.perf_counter() - t0, report)

    def _scan(self, corpus_iterable, corpus_file, trim_rule, errors="replace", progress=None) -> RawCounts:
        """Counts of the corpus; sets ``corpus_count`` and ``corpus_total_words``."""
        if corpus_file is None and _file_behind(corpus_iterable):
            corpus_file, corpus_iterable = _file_behind(corpus_iterable), None
        if (corpus_iterable is None) == (corpus_file is None):
            raise TypeError("build_vocab needs exactly one of corpus_iterable and corpus_file")
        _check_restartable(corpus_iterable)
        if _encodes_itself(corpus_iterable):
            raw = corpus_iterable.fastw2v_count(self.max_vocab_size, trim_rule)
        else:
            raw = scan_corpus(corpus_iterable, corpus_file, self.max_vocab_size, trim_rule, errors=errors,
                              progress=progress)
        if raw.total_words == 0:
            source = corpus_file if corpus_file is not None else "corpus_iterable"
            raise EmptyVocabularyError(f"the corpus is empty: no tokens found in {source}")
        self.corpus_count = raw.corpus_count
        self.corpus_total_words = raw.total_words
        return raw

    def scan_vocab(self, corpus_iterable=None, corpus_file=None, progress_per=10000, workers=None,
                   trim_rule=None):
        """gensim's first step of ``build_vocab``: count the corpus into ``raw_vocab``
        (``{key: count}``, first occurrence first) and set ``corpus_count`` and
        ``corpus_total_words``. Returns ``(total_words, corpus_count)``; then
        ``prepare_vocab`` chooses the words."""
        raw = self._scan(corpus_iterable, corpus_file, trim_rule)
        self.raw_vocab = _raw_dict(raw)
        return raw.total_words, raw.corpus_count

    def prepare_vocab(self, update=False, keep_raw_vocab=False, trim_rule=None, min_count=None, sample=None,
                      dry_run=False) -> dict:
        """gensim's second step: choose the words of ``raw_vocab`` (``min_count``,
        ``max_final_vocab``, ``trim_rule``), sort them, and make the sampling
        tables and the weights. Returns gensim's report: ``drop_unique``,
        ``retain_total``, ``downsample_unique``, ``downsample_total`` (expected
        tokens left by subsampling) and ``num_retained_words``.

        As in gensim, ``min_count`` and ``sample`` become the model's (with
        ``update=True`` ``min_count`` applies to the new words only); a value of
        0 or None means the model's own, as gensim reads them (``min_count or
        self.min_count``), so ``sample=0`` here does not turn subsampling off:
        set ``model.sample = 0`` for that. ``dry_run=True`` only reports,
        changing nothing and leaving ``raw_vocab`` in place.
        """
        if not self.raw_vocab:
            raise RuntimeError("prepare_vocab needs raw_vocab: call scan_vocab first (build_vocab does both)")
        raw = RawCounts.from_freq(self.raw_vocab, self.corpus_count)
        return self._prepare(raw, update=update, trim_rule=trim_rule,
                             keep_raw_vocab=keep_raw_vocab, min_count=min_count, sample=sample, dry_run=dry_run)

    def prepare_weights(self, update=False):
        """gensim's third step. ``prepare_vocab`` already sized the weights to its
        vocabulary (new rows only, with ``update=True``); ``update=False`` starts
        them again from the seed, as gensim's ``init_weights``."""
        if not len(self.wv):
            raise RuntimeError("you must first build vocabulary before preparing weights")
        if not update:
            keys = self.wv.index_to_key
            keys = keys.copy() if isinstance(keys, np.ndarray) else list(keys)
            self._reset_weights(keys, self.wv.expandos["count"].copy())
            self._build_tables()

    def init_weights(self):
        """gensim's name: start every weight again from the seed, keeping the vocabulary."""
        self.prepare_weights(update=False)

    def update_weights(self):
        """gensim's name: give keys added since the weights were sized their rows (new
        input rows from the seed, zero output rows), keeping the trained ones.
        ``build_vocab(update=True)`` already does this."""
        if not len(self.wv.vectors):
            raise RuntimeError(_NO_PRIOR_VOCABULARY)
        n = len(self.wv.vectors)
        self.wv.resize_vectors(seed=self._seed_value())  # new keys count 0 until counted
        if self._cover_added_keys() or len(self.wv.vectors) != n:
            self._build_tables()

    def make_cum_table(self, domain=2**31 - 1):
        """gensim's cumulative noise table ``cum_table`` (uint32, last entry ``domain``):
        word ``i`` is drawn when a uniform integer below ``domain`` falls in
        ``[cum_table[i-1], cum_table[i])``. fastw2v's kernels draw noise from an alias
        table instead (O(1), no binary search); this table is for code that reads gensim's."""
        counts = self.wv.expandos["count"]
        # Python's pow and a running float64 sum, term by term as gensim computes them,
        # so the rounded entries are gensim's exactly (a vectorised power may differ in the last bit)
        power = np.fromiter((c ** float(self.ns_exponent) for c in counts.tolist()), dtype=np.float64,
                            count=len(counts))
        cumulative = np.cumsum(power)
        table = np.zeros(len(counts), dtype=np.uint32)
        if len(counts):
            table[:] = np.rint(cumulative / cumulative[-1] * domain)
        self._cum_table = table

    @property
    def cum_table(self):
        """gensim's noise table, made on first use by :meth:`make_cum_table`."""
        if getattr(self, "_cum_table", None) is None or len(self._cum_table) != len(self.wv):
            self.make_cum_table()
        return self._cum_table

    @cum_table.setter
    def cum_table(self, table):
        self._cum_table = table

    def build_vocab_from_freq(self, word_freq, keep_raw_vocab=False, corpus_count=None, trim_rule=None,
                              update=False):
        """Build the vocabulary from a ``{word: count}`` mapping."""
        raw = RawCounts.from_freq(word_freq, corpus_count)
        self.corpus_count = raw.corpus_count
        self.corpus_total_words = raw.total_words
        self._prepare(raw, update=update, trim_rule=trim_rule, keep_raw_vocab=keep_raw_vocab)

    def _prepare(self, raw: RawCounts, update: bool, trim_rule, keep_raw_vocab: bool, min_count=None,
                 sample=None, dry_run=False) -> dict:
        """Vocabulary, weights and tables from ``raw``, whose arrays it releases once the
        survivors are chosen (they would otherwise stay resident beside the model's own).
        Returns gensim's ``prepare_vocab`` report."""
        # gensim's prepare_vocab reads `min_count or self.min_count`: 0 is "not given"
        if min_count:
            check_integer("min_count", min_count, 0)
        if sample:
            _check_sample(sample)
        min_count = int(min_count) if min_count else self.min_count
        sample = sample if sample else None
        scanned = raw
        if update:
            # gensim: words the model knows gain this corpus's counts whatever min_count
            # says; only new words have to pass it
            if not len(self.wv):
                raise RuntimeError(_NO_PRIOR_VOCABULARY)
            known_rows = self._rows_of(raw.keys)
            new = known_rows < 0
            known_rows, known_counts = known_rows[~new], raw.counts[~new]
            raw = RawCounts(raw.keys[new] if isinstance(raw.keys, np.ndarray) else
                            [k for k, n in zip(raw.keys, new.tolist()) if n], raw.counts[new],
                            raw.corpus_count, raw.total_words, raw.min_reduce)
        keys, counts = choose_words(raw, min_count, self.max_final_vocab, trim_rule,
                                    bool(self.sorted_vocab) and not update)
        distinct, top = len(raw.counts), int(raw.counts.max()) if len(raw.counts) else 0
        report = vocab_report(counts, distinct, self.sample if sample is None else sample)
        if dry_run:
            self.raw_vocab = _raw_dict(scanned)  # what gensim's dry run leaves (it never clears raw_vocab then)
            return report
        self.effective_min_count = capped_min_count(raw.counts, min_count, self.max_final_vocab)
        self.raw_vocab = _raw_dict(scanned) if keep_raw_vocab else collections.defaultdict(int)
        raw.keys, raw.counts = [], np.zeros(0, dtype=np.int64)
        scanned.keys, scanned.counts = raw.keys, raw.counts
        if len(keys) == 0 and not (update and len(self.wv)):
            raise EmptyVocabularyError(
                f"the vocabulary is empty: no token occurs at least min_count={min_count} times "
                f"({distinct} distinct tokens, the most frequent seen {top} times); lower min_count")
        if not update:
            self.min_count = min_count
        if sample is not None:
            self.sample = sample
        self._corpus_in_vocab_words = int(counts.sum())
        if update:
            self._corpus_in_vocab_words += int(known_counts.sum())
            self.wv.expandos["count"][known_rows] += known_counts  # rows are distinct: keys are
            self._add_words(keys, counts)
        else:
            if self.null_word:
                if isinstance(keys, np.ndarray):
                    raise ValueError("null_word=1 adds the str key '\\0', which integer keys cannot hold; "
                                     "use null_word=0 with integer corpora")
                # gensim adds '\0' with count 1 as the newest word before sorting, so
                # sorted (ties: newest first) it heads the words seen once
                at = int(np.count_nonzero(counts > 1)) if self.sorted_vocab else len(keys)
                keys = list(keys)
                keys.insert(at, "\0")
                counts = np.insert(counts, at, 1).astype(np.int64)
            self._reset_weights(keys, counts)
        self._build_tables()
        return report

    def _rows_of(self, keys) -> np.ndarray:
        """Row of each key in the vocabulary, -1 where it has none."""
        if is_int_keyed(self.wv.index_to_key) != isinstance(keys, np.ndarray):
            raise TypeError("update corpus mixes str and int keys with the existing vocabulary")
        if isinstance(keys, np.ndarray):
            return int_index_of(self.wv.key_to_index).lookup(keys)
        index = self.wv.key_to_index
        return np.fromiter((index.get(k, -1) for k in keys), dtype=np.int64, count=len(keys))

    def _reset_weights(self, keys, counts):
        dim = int(self.vector_size)
        wv = KeyedVectors(dim, count=0)
        # integer keys: one int64 array + C index, adopted without a copy (fastw2v/key_index.py)
        wv.index_to_key, wv.key_to_index = key_index(keys, copy=False)
        wv.vectors = layout.initial_rows(np.random.default_rng(self._seed_value()), len(keys), dim)
        wv.expandos["count"] = np.asarray(counts, dtype=np.int64)
        self.wv = wv
        self.syn1 = layout.zeros_rows(len(keys), dim) if self.hs else None
        self.syn1neg = layout.zeros_rows(len(keys), dim) if self.negative else None

    def reset_from(self, other_model):
        """Take ``other_model``'s vocabulary (keys, counts, corpus statistics) and start
        from fresh weights, as gensim's: a second model over the same corpus needs
        no second vocabulary scan. The tables follow this model's own settings."""
        other = other_model.wv
        if not len(other):
            raise RuntimeError("reset_from needs a model whose vocabulary is built")
        keys = other.index_to_key.copy() if isinstance(other.index_to_key, np.ndarray) else list(other.index_to_key)
        for name in ("corpus_count", "corpus_total_words", "effective_min_count", "_corpus_in_vocab_words"):
            setattr(self, name, getattr(other_model, name))
        self._reset_weights(keys, other.expandos["count"].copy())
        self._build_tables()

    def _add_words(self, keys, counts):
        """``build_vocab(update=True)``: known words gain counts, new words get new rows."""
        wv = self.wv
        old_n, dim = len(wv), int(self.vector_size)
        if is_int_keyed(wv.index_to_key) != isinstance(keys, np.ndarray):
            raise TypeError("update corpus mixes str and int keys with the existing vocabulary")
        all_counts = wv.expandos["count"]
        if isinstance(keys, np.ndarray):
            rows = int_index_of(wv.key_to_index).lookup(keys)
            known = rows >= 0
            all_counts[rows[known]] += counts[known]  # keys are distinct: no repeated row
            new_keys, new_counts = keys[~known], counts[~known]
        else:
            new_keys, new_counts = [], []
            for k, c in zip(keys, counts.tolist()):
                idx = wv.key_to_index.get(k)
                if idx is None:
                    new_keys.append(k)
                    new_counts.append(c)
                else:
                    all_counts[idx] += c
        wv._append_keys(new_keys)
        fresh = layout.initial_rows(np.random.default_rng([self._seed_value(), old_n]), len(new_keys), dim)
        wv.vectors = _grown(wv.vectors, fresh)
        # vectors_lockf needs no growing: rows past the stored multipliers count as 1
        wv.expandos["count"] = np.concatenate([all_counts, np.asarray(new_counts, dtype=np.int64)])
        for attr in [a for a in wv.expandos if a != "count"]:
            wv.allocate_vecattrs([attr], [wv.expandos[attr].dtype])
        wv.norms = None
        pad = layout.zeros_rows(len(new_keys), dim)
        if self.hs:
            self.syn1 = _grown(self.syn1, pad) if self.syn1 is not None else layout.zeros_rows(len(wv), dim)
        if self.negative:
            self.syn1neg = _grown(self.syn1neg, pad) if self.syn1neg is not None else layout.zeros_rows(len(wv), dim)

    def _build_tables(self):
        """Subsampling thresholds, noise alias table and Huffman tree, from the counts."""
        counts = self.wv.expandos["count"]
        tables = {"keep_threshold": subsampled_head(counts, self.sample)}
        if self.negative:
            tables["noise_prob"], tables["noise_alias"] = noise_table(counts, self.ns_exponent)
        if self.hs:
            tables["path_offsets"], tables["codes"], tables["points"] = huffman_tree(counts)
        self._tables = tables
        self._encoder = None
        self._cum_table = None

    @property
    def encoder(self):
        """C lookup table from keys to vocabulary indices (built on first use)."""
        int_index = int_index_of(self.wv.key_to_index)
        if int_index is not None:
            return int_index  # integer keys: the vocabulary's own index encodes
        if getattr(self, "_encoder", None) is None or len(self._encoder) != len(self.wv):
            self._encoder = encoder_for(self.wv.index_to_key)
        return self._encoder

    # -- training ------------------------------------------------------------
    def _kernel_params(self, start_alpha, end_alpha, schedule_words, compute_loss, read_only=False):
        """The kernels' view of the model. Training moves the model's own matrices
        into the padded layout; ``read_only`` (scoring) leaves them as they are and
        takes a padded copy only of those that are not (a memory-mapped model)."""
        t = self._tables
        wv = self.wv
        if read_only:
            syn0, syn1, syn1neg = map(_readable_rows, (wv.vectors, self.syn1, self.syn1neg))
        else:
            wv.vectors = _kernel_rows(wv.vectors, "syn0")
            self.syn1 = _kernel_rows(self.syn1, "syn1")
            self.syn1neg = _kernel_rows(self.syn1neg, "syn1neg")
            syn0, syn1, syn1neg = wv.vectors, self.syn1, self.syn1neg
        several = int(int(self.workers) > 1)  # private copies only pay with several threads
        return _kernels.KernelParams(
            syn0=syn0, syn1=syn1, syn1neg=syn1neg, lockf=wv.lockf_rows,
            keep_threshold=t["keep_threshold"], noise_prob=t.get("noise_prob"),
            noise_alias=t.get("noise_alias"), path_offsets=t.get("path_offsets"),
            codes=t.get("codes"), points=t.get("points"), window=self._kernel_window(),
            negative=int(self.negative), hs=bool(self.hs), sg=bool(self.sg),
            cbow_mean=bool(self.cbow_mean), shrink_windows=self.shrink_windows,
            subsample=bool(self.sample), compute_loss=bool(compute_loss),
            start_alpha=float(start_alpha), end_alpha=float(end_alpha),
            total_words=float(schedule_words), isa=_isa(), batch_window=self._batch_window(),
            hs_private=HS_PRIVATE_NODES * several, neg_private=NEG_PRIVATE_ROWS * several,
            syn0_private=SYN0_PRIVATE_ROWS * several)

    def _batch_window(self) -> bool:
        """``batch_mode='auto'``: window batching (HogBatch) for skip-gram, where it
        is faster at equal or better quality; exact per-pair updates for CBOW, where
        sharing negatives across centres cost ~0.02 analogy accuracy in our
        measurements (benchmarks/RESULTS.md)."""
        if self.batch_mode == "auto":
            return bool(self.sg)
        return self.batch_mode == "window"

    def _kernel_window(self) -> int:
        """The window the kernels run: no wider than a sentence piece (MAX_SENTENCE_LENGTH
        tokens), which it then covers whole; a wider one only sized per-thread scratch
        (2 * window rows) past memory and C int range."""
        return min(int(self.window), MAX_SENTENCE_LENGTH)

    def _seed_value(self) -> int:
        """``seed``, or for ``seed=None`` (gensim accepts it) one drawn at random, once per model."""
        if self.seed is not None:
            return int(self.seed)
        if getattr(self, "_random_seed", None) is None:
            self._random_seed = int(np.random.SeedSequence().generate_state(1)[0])
        return self._random_seed

    def _thread_states(self, n, width):
        seeds = np.random.SeedSequence([self._seed_value() & 0xFFFFFFFF, self.train_count]).generate_state(
            n, dtype=np.uint64)
        return [_kernels.ThreadState(int(width), int(s), self._kernel_window(), int(self.negative))
                for s in seeds]

    def train(self, corpus_iterable=None, corpus_file=None, total_examples=None, total_words=None,
              epochs=None, start_alpha=None, end_alpha=None, word_count=0, queue_factor=2,
              report_delay=1.0, compute_loss=False, callbacks=(), sentences=None, checkpoint_every=None,
              checkpoint_path=None, resume=False):
        """Train on a corpus (the vocabulary must be built).

        Returns ``(trained_word_count, raw_word_count)``: tokens left after
        subsampling, and raw tokens read, as gensim does.

        Ctrl-C (KeyboardInterrupt) stops every worker at its next publication
        point (every 10,000 tokens), leaves ``wv`` usable, sets
        ``training_interrupted``, ``training_progress`` (fraction of the
        schedule done) and ``training_state``, saves a last checkpoint when
        ``checkpoint_path`` is given, and re-raises.

        Parameters
        ----------
        checkpoint_every : str, int or float, optional
            Save a checkpoint to ``checkpoint_path`` this often: ``"30s"``,
            ``"5m"``, ``"1h"`` (wall clock) or ``"1000000w"`` (words trained);
            a bare float is seconds, a bare int words.
        checkpoint_path : str, optional
            Where checkpoints go (native format, written atomically: an
            interrupted save leaves the previous checkpoint intact).
        resume : bool
            Continue the schedule recorded in ``training_state`` (a model
            loaded from a checkpoint, or one whose training was interrupted):
            completed epochs are skipped, the interrupted epoch restarts from
            its first sentence, and the learning rate continues from the
            recorded progress down to ``end_alpha``. ``epochs``, ``start_alpha``
            and ``end_alpha`` come from the saved state.

        Examples
        --------
        >>> sentences = [["cat", "sat", "on", "mat"], ["dog", "sat", "on", "log"]] * 100
        >>> model = Word2Vec(vector_size=8, min_count=1, workers=1)
        >>> model.build_vocab(sentences)
        >>> _ = model.train(sentences, total_examples=model.corpus_count, epochs=2)
        >>> model.training_state is None  # finished: nothing left to resume
        True
        """
        if getattr(self, "_params", None) is not None:
            raise RuntimeError("train() is already running on this model (in another thread, or this is a "
                               "callback of that run); one model trains one run at a time")
        corpus_iterable = corpus_iterable if corpus_iterable is not None else sentences
        if corpus_file is None and _file_behind(corpus_iterable):
            corpus_file, corpus_iterable = _file_behind(corpus_iterable), None
        if (corpus_iterable is None) == (corpus_file is None):
            raise TypeError("train needs exactly one of corpus_iterable and corpus_file")
        if not len(self.wv) or self._tables is None:
            raise RuntimeError("you must first build vocabulary before training the model")
        if self._cover_added_keys():  # keys added by hand since: count 0, never drawn as noise
            self._build_tables()
        if resume and not self.training_state:
            raise ValueError("resume=True needs a training_state to continue: load a checkpoint saved with "
                             "checkpoint_path=, or resume a model whose training was interrupted")
        if (checkpoint_every is None) != (checkpoint_path is None):
            raise ValueError("checkpoint_every and checkpoint_path go together: pass both or neither")
        if epochs is not None:
            check_integer("epochs", epochs, 0, INT32_MAX)
        for name, value in (("total_examples", total_examples), ("total_words", total_words)):
            if value is not None and not (isinstance(value, (int, float, np.integer, np.floating))
                                          and 0 <= value < float("inf")):
                raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
        if checkpoint_path is not None:
            native.check_writable(os.fspath(checkpoint_path), "checkpoint_path")  # now, not an hour in
        _check_restartable(corpus_iterable)
        if (corpus_iterable is not None and not _encodes_itself(corpus_iterable)
                and total_examples is None and total_words is None):
            raise ValueError("You must specify either total_examples or total_words, for proper "
                             "learning-rate and progress calculations. If you've just built the "
                             "vocabulary using the same corpus, using the count cached in the model "
                             "is sufficient: total_examples=model.corpus_count.")
        if epochs is None and not resume:
            raise ValueError("You must specify an explicit epochs count. The usual value is epochs=model.epochs.")
        # gensim's `start_alpha or self.alpha`: 0 means "not given", as None does
        start_alpha = float(start_alpha or self.alpha)
        end_alpha = float(end_alpha or self.min_alpha)
        if not resume:
            check_rates(start_alpha, end_alpha)
        compute_loss = bool(compute_loss or self.compute_loss)
        callbacks = tuple(callbacks)  # gensim 4: the constructor's are used only when it trains itself

        encoded = None
        if corpus_file is not None or _encodes_itself(corpus_iterable):
            encoded = (encode_file(corpus_file, self.encoder, workers=int(self.workers)) if corpus_file is not None
                       else corpus_iterable.fastw2v_encode(self.encoder))
            epoch_words = encoded.words
        elif total_words:
            epoch_words = self._corpus_in_vocab_words * total_words / max(self.corpus_total_words, 1)
        else:
            epoch_words = self._corpus_in_vocab_words * total_examples / max(self.corpus_count, 1)
        if resume:
            schedule = Schedule.resuming(self.training_state, epochs, epoch_words)
        else:
            schedule = Schedule(int(epochs), 0, epoch_words, start_alpha, end_alpha)
        epochs = schedule.epochs
        if checkpoint_path is not None:
            callbacks = callbacks + (Checkpointer(os.fspath(checkpoint_path), checkpoint_every, schedule),)
        self._schedule_words = schedule.run_words
        params = self._kernel_params(schedule.run_start_alpha(), schedule.end_alpha, schedule.run_words,
                                     compute_loss)
        states = self._thread_states(int(self.workers), params.width)
        # accepted: as gensim's train, the epochs, rates and loss flag given become the
        # model's (a resumed run takes the first three from its saved state instead)
        if not resume:
            self.epochs, self.alpha, self.min_alpha = int(epochs), start_alpha, end_alpha
        self.compute_loss = compute_loss
        self._params = params
        self._stop_requested = False
        self.training_interrupted = False
        self.running_training_loss = 0.0
        self.epoch_losses = []
        trained = raw_total = 0
        t_start = time.perf_counter()

        def each(hook):
            call_hooks(callbacks, hook, self)

        set_rates, set_lockf = (self.alpha, self.min_alpha), self.wv._vectors_lockf
        each("on_train_begin")
        interrupts = Interrupts(params)
        try:
            interrupts.install()
            self._next_epoch = schedule.first_epoch
            for epoch in range(schedule.first_epoch, epochs):
                interrupts.check()
                if self._stop_requested:
                    break
                each("on_epoch_begin")
                if self._stop_requested:
                    break
                rates = (self.alpha, self.min_alpha)
                if rates != set_rates:  # a callback steered the schedule, as gensim allows
                    params.set_learning_rates(float(self.alpha), float(self.min_alpha))
                    set_rates = rates
                if self.wv._vectors_lockf is not set_lockf:  # a callback assigned a new vectors_lockf
                    set_lockf = self.wv._vectors_lockf
                    params.set_lockf(self.wv.lockf_rows)
                for s in states:
                    s.reset_counters()
                progress = Progress(self, params, states, epoch, epoch_words, report_delay, callbacks, interrupts)
                t0 = time.perf_counter()
                if encoded is not None:
                    train_epoch_encoded(encoded, params, states, progress)
                    raw = encoded.raw_tokens
                else:
                    raw = train_epoch_iterable(corpus_iterable, self.encoder, params, states, progress,
                                               int(self.batch_words), queue_factor)
                seconds = time.perf_counter() - t0
                interrupts.check()
                epoch_trained = sum(s.words_trained for s in states)
                loss = float(sum(s.loss for s in states))
                trained += epoch_trained
                raw_total += raw
                self.running_training_loss += loss
                self.epoch_losses.append(loss)
                self.epoch_stats = {"epoch": epoch, "loss": loss, "words": raw,
                                    "effective_words": epoch_trained, "seconds": seconds,
                                    "words_per_sec": raw / max(seconds, 1e-9),
                                    "alpha": max(s.last_alpha for s in states)}
                logger.info("EPOCH %d: %d raw words (%d effective) in %.2fs, %.0f words/s%s", epoch, raw,
                            epoch_trained, seconds, raw / max(seconds, 1e-9),
                            f", loss {loss:.1f}" if compute_loss else "")
                self.min_alpha_yet_reached = self.epoch_stats["alpha"]
                if params.stop_requested:
                    self._stop_requested = True
                else:
                    self._next_epoch = epoch + 1
                each("on_epoch_end")
        except BaseException as exc:  # Ctrl-C, or a callback / checkpoint save that failed
            self.training_interrupted = True
            self.training_state = schedule.state(self._next_epoch, params.progress)
            self.training_progress = self.training_state["progress"] / max(schedule.total_words, 1.0)
            logger.warning("training %s at %.1f%% of the schedule (epoch %d); the vectors are usable and "
                           "train(resume=True) continues", "interrupted" if isinstance(exc, KeyboardInterrupt)
                           else f"stopped by {type(exc).__name__}", 100 * self.training_progress, self._next_epoch)
            self._params = None
            if checkpoint_path is not None:
                try:
                    self.save_checkpoint(os.fspath(checkpoint_path), self.training_state)
                except Exception:  # the previous checkpoint is intact; Ctrl-C still propagates
                    logger.exception("could not save the interrupt checkpoint to %s", checkpoint_path)
            raise
        finally:
            interrupts.restore()
            self._params = None
            self.wv.norms = None
            self.total_train_time += time.perf_counter() - t_start
            self.train_count += 1
        state = schedule.state(self._next_epoch, params.progress)
        self.training_progress = state["progress"] / max(schedule.total_words, 1.0)
        # an early stop (callback, stop_training) can be resumed; a finished schedule cannot
        self.training_state = state if self._next_epoch < epochs else None
        each("on_train_end")
        return trained, raw_total

    def stop_training(self):
        """Ask a running ``train`` to stop at the next batch (safe from any thread)."""
        self._stop_requested = True
        params = getattr(self, "_params", None)
        if params is not None:
            params.request_stop()

    def init_sims(self, replace=False):
        """Deprecated in gensim 4 as here: see ``KeyedVectors.init_sims``."""
        return self.wv.init_sims(replace)

    def get_latest_training_loss(self) -> float:
        """Loss (sum of -log sigmoid terms, float64) of the latest ``train`` call so
        far: gensim's running total, which its users difference per epoch in an
        ``on_epoch_end`` callback. ``model.epoch_losses`` holds each epoch's own."""
        return float(self.running_training_loss)

    def estimate_memory(self, vocab_size=None, report=None) -> dict:
        """Bytes the model takes for ``vocab_size`` words (default: its vocabulary),
        in gensim's report: ``vocab`` (keys, counts, sampling tables, Huffman
        paths), ``vectors``, ``syn1`` / ``syn1neg`` (rows padded to the SIMD width,
        fastw2v/layout.py) and ``total``."""
        n = int(vocab_size or len(self.wv))  # gensim's `vocab_size or len(self.wv)`
        row = layout.padded_width(int(self.vector_size)) * np.dtype(REAL).itemsize
        # a str key in the list and the dict (~100 B); count, lockf, alias entry and
        # keep threshold (28 B); with hs a path of ~log2(n) codes and points (5 B each)
        per_word = 128 + (5 * max(int(n).bit_length(), 1) + 8 if self.hs else 0)
        report = dict(report or {})
        report["vocab"] = n * per_word
        report["vectors"] = n * row
        if self.hs:
            report["syn1"] = n * row
        if self.negative:
            report["syn1neg"] = n * row
        report["total"] = sum(v for k, v in report.items() if k != "total")
        logger.info("estimated required memory for %d words and %d dimensions: %d bytes",
                    n, self.vector_size, report["total"])
        return report

    # -- prediction ----------------------------------------------------------
    def predict_output_word(self, context_words_list, topn=10):
        """Most probable centre words given context words (negative-sampling
        models; softmax over ``mean(context) . syn1neg``, as gensim)."""
        if not self.negative:
            raise RuntimeError("predict_output_word needs a model trained with negative sampling")
        idx = [self.wv.key_to_index[w] for w in context_words_list if w in self.wv.key_to_index]
        if not idx:
            return None
        hidden = np.sum(self.wv.vectors[idx], axis=0, dtype=REAL)  # CBOW's hidden layer: sum, or mean
        if self.cbow_mean:
            hidden /= len(idx)
        scores = np.exp(self.syn1neg @ hidden)
        prob = scores / scores.sum()
        top = np.argsort(-prob, kind="stable")[:topn]
        return [(self.wv.index_to_key[i], prob[i]) for i in top]

    def score(self, sentences, total_sentences=int(1e6), chunksize=100, queue_factor=2, report_delay=1):
        """Log-probability of each sentence under this hierarchical-softmax model
        (Taddy 2015, "Document classification by inversion of distributed language
        representations"; gensim's ``Word2Vec.score``): for each word, the
        probability of its Huffman path given its full window, summed in logs.
        The model is not changed. Scores the first ``total_sentences`` sentences
        and returns one float32 per sentence scored, in order.

        As in gensim, unknown words are left out and the model needs ``hs=1``.
        Unlike gensim, every path node counts, with its exact log-sigmoid: gensim
        tabulates it and skips nodes scored beyond +-6, so it leaves out the
        model's worst (and most confident) predictions.
        """
        if not len(self.wv) or self._tables is None:
            raise RuntimeError("you must first build vocabulary before scoring new data")
        if not self.hs:
            raise RuntimeError("score is implemented for hierarchical softmax only: train the model with hs=1 "
                               "(gensim's restriction too)")
        if int(total_sentences) < 0 or int(chunksize) < 1 or int(queue_factor) < 1:
            raise ValueError("total_sentences must be >= 0, chunksize and queue_factor >= 1")
        if self._cover_added_keys():  # keys added by hand: their (empty) paths must exist
            self._build_tables()
        started = time.perf_counter()
        params = self._kernel_params(self.alpha, self.min_alpha, 1, False, read_only=True)
        states = self._thread_states(max(int(self.workers), 1), params.width)
        scores, more = score_sentences(sentences, self.encoder, params, states, int(total_sentences),
                                       int(chunksize), int(queue_factor))
        if more:
            logger.warning("terminating after %i sentences (set higher total_sentences if you want more).",
                           int(total_sentences))
        elapsed = time.perf_counter() - started
        logger.info("scoring %i sentences took %.1fs, %.0f sentences/s", len(scores), elapsed,
                    len(scores) / max(elapsed, 1e-9))
        return scores

    # -- persistence ---------------------------------------------------------
    # constructor parameters shared with gensim 4 (what a saved model, ours or gensim's, restores)
    _GENSIM_PARAMS = ("vector_size", "alpha", "window", "min_count", "max_vocab_size", "sample", "seed",
                      "workers", "min_alpha", "sg", "hs", "negative", "ns_exponent", "cbow_mean", "epochs",
                      "null_word", "sorted_vocab", "batch_words", "compute_loss", "comment", "max_final_vocab",
                      "shrink_windows")
    _STATE = ("corpus_count", "corpus_total_words", "train_count", "total_train_time", "effective_min_count",
              "_corpus_in_vocab_words")
    _PARAMS = _GENSIM_PARAMS + ("batch_mode",) + _STATE

    def save(self, fname):
        """Save to ``fname`` (JSON) plus ``fname.<array>.npy`` files; no pickle."""
        meta = {"class": "Word2Vec"}
        for name in self._PARAMS:
            value = getattr(self, name)
            meta[name] = value.item() if isinstance(value, np.generic) else value
        self._cover_added_keys()
        key_meta, arrays = native.pack_keys(self.wv.index_to_key)
        meta.update(key_meta)
        arrays["vectors"] = self.wv.vectors
        arrays["counts"] = self.wv.expandos["count"]
        arrays["vectors_lockf"] = getattr(self.wv, "vectors_lockf", np.ones(len(self.wv), REAL))
        if self.syn1 is not None:
            arrays["syn1"] = self.syn1
        if self.syn1neg is not None:
            arrays["syn1neg"] = self.syn1neg
        if self.training_state:
            meta["training_state"] = dict(self.training_state)
        native.save_arrays(os.fspath(fname), meta, arrays)

    def _cover_added_keys(self) -> bool:
        """Keys added to ``wv`` by hand after training (``wv.add_vector``) have no
        output rows yet: give them zero rows, the value gensim gives a new word's
        output row, so that a saved model has one output row per key and loads.
        True when a layer grew (the sampling tables then need rebuilding)."""
        n, grew = len(self.wv), False
        for name in ("syn1", "syn1neg"):
            arr = getattr(self, name)
            if arr is not None and len(arr) < n:
                setattr(self, name, _grown(arr, layout.zeros_rows(n - len(arr), arr.shape[1])))
                grew = True
        return grew

    def save_checkpoint(self, fname, state: dict):
        """Save like :meth:`save` with ``state`` as ``training_state`` (for ``train(resume=True)``)."""
        previous = self.training_state
        self.training_state = state
        try:
            self.save(fname)
        finally:
            self.training_state = previous

    @classmethod
    def load(cls, fname, mmap=None):
        """Load a model saved by :meth:`save`; ``mmap='r'`` maps the arrays read-only."""
        meta, arrays = native.load_arrays(os.fspath(fname), mmap=mmap)
        with native.reading_header(fname):
            if meta.get("class") != "Word2Vec":
                raise ValueError(f"{fname} holds a {meta.get('class')}, not a Word2Vec model")
            model = cls.__new__(cls)
            init = {k: meta[k] for k in cls._GENSIM_PARAMS}
            init["batch_mode"] = meta.get("batch_mode", "auto")
            model.__init__(**init)
            for name in cls._STATE:
                value = meta.get(name, 0)
                kind = float if name == "total_train_time" else int
                if isinstance(value, bool) or not isinstance(value, (int, kind)) or value < 0:
                    raise ValueError(f"{fname}: {name} is {value!r} in the model file, "
                                     f"not a non-negative {kind.__name__}")
                setattr(model, name, value)
            state = meta.get("training_state")
            model.training_state = state if isinstance(state, dict) else None
            keys = native.unpack_keys(meta, arrays)
            for name in ("vectors", "syn1", "syn1neg"):
                if name in arrays:
                    arrays[name] = _float32_rows(arrays[name], name, fname, mmap)
            vectors = arrays["vectors"]
            if vectors.ndim != 2 or vectors.shape != (len(keys), model.vector_size):
                raise ValueError(f"{fname}: vectors have shape {vectors.shape}, expected "
                                 f"({len(keys)}, {model.vector_size})")
            wv = KeyedVectors(model.vector_size)
            wv.index_to_key, wv.key_to_index = key_index(keys, copy=False)
            wv.vectors = vectors
            for name in ("vectors_lockf", "counts"):
                # the sampling tables and the tree are built from the counts: a short
                # array would leave vocabulary rows the kernels index without a check
                if np.shape(arrays[name]) != (len(keys),):
                    raise ValueError(f"{fname}: {name} has shape {np.shape(arrays[name])}, "
                                     f"expected ({len(keys)},)")
            wv.vectors_lockf = np.asarray(arrays["vectors_lockf"], dtype=REAL)
            wv.expandos["count"] = np.asarray(arrays["counts"], dtype=np.int64)
            if (wv.expandos["count"] < 0).any():
                raise ValueError(f"{fname}: negative word counts in the model file")
            model.wv = wv
            model.syn1 = arrays.get("syn1")
            model.syn1neg = arrays.get("syn1neg")
            for name, arr in (("syn1", model.syn1), ("syn1neg", model.syn1neg)):
                if arr is not None and arr.shape != vectors.shape:
                    raise ValueError(f"{fname}: {name} has shape {arr.shape}, expected {vectors.shape}")
        model._build_tables()
        return model

    @classmethod
    def load_gensim(cls, fname, mmap=None):
        """Load a ``Word2Vec`` saved by gensim 4 through a restricted unpickler
        (only gensim's and NumPy's known classes are built; anything else is
        refused), ready for queries and continued training."""
        from fastw2v.gensim_compat import load_gensim_object
        data = load_gensim_object(fname, mmap=mmap)
        if "Word2Vec" not in str(data.get("__class__", "")) or not isinstance(data.get("wv"), dict):
            raise ValueError(f"{fname} is not a gensim Word2Vec model (found {data.get('__class__')}); "
                             "use KeyedVectors.load_gensim for vectors")
        init = {k: data[k] for k in cls._GENSIM_PARAMS if data.get(k) is not None}
        init["vector_size"] = int(np.asarray(data["wv"]["vectors"]).shape[1])
        model = cls(**init)
        wv = data["wv"]
        keys = list(wv["index_to_key"])
        counts = np.asarray(wv["expandos"].get("count", np.ones(len(keys))), dtype=np.int64)
        model._reset_weights(keys, counts)
        model.wv.vectors = np.array(wv["vectors"], dtype=REAL)  # a copy: training writes to it
        if wv.get("vectors_lockf") is not None and np.size(wv["vectors_lockf"]) == len(keys):
            model.wv.vectors_lockf = np.array(wv["vectors_lockf"], dtype=REAL)
        for name in ("syn1", "syn1neg"):
            arr = data.get(name)
            if getattr(model, name) is not None and arr is not None and np.shape(arr) == model.wv.vectors.shape:
                setattr(model, name, np.array(arr, dtype=REAL))
        model.corpus_count = int(data.get("corpus_count") or 0)
        model.corpus_total_words = int(data.get("corpus_total_words") or counts.sum())
        for name, kind in (("train_count", int), ("total_train_time", float), ("min_alpha_yet_reached", float),
                           ("effective_min_count", int)):
            if data.get(name) is not None:
                setattr(model, name, kind(data[name]))
        model._corpus_in_vocab_words = int(counts.sum())
        model._build_tables()
        return model

    def __getstate__(self):
        # copy.deepcopy / pickle (gensim's models support both): the C token table is a
        # cache, rebuilt from the vocabulary on first use; kernel state exists only in train
        state = self.__dict__.copy()
        state["_encoder"] = None
        state["_params"] = None
        return state

    def __str__(self):
        return f"{type(self).__name__}<vocab={len(self.wv)}, vector_size={self.wv.vector_size}, alpha={self.alpha}>"

    __repr__ = __str__
