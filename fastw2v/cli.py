"""The ``fastw2v`` command (also ``python -m fastw2v``).

Subcommands: ``train`` (word2vec.c's flags, verbatim, or GNU long options),
``similar``, ``analogy``, ``evaluate``, ``project``, ``demo``, and ``phrases``
(word2phrase's flags) and ``graph`` (DeepWalk/node2vec), parsed by their own
modules. A command
line that starts with one of word2vec.c's flags is a ``train`` command, so
an old ``word2vec -train ...`` line works with only the program name changed.

Every failure the user can cause (missing input, empty corpus, bad value,
unwritable output, unknown word, a file that is not word2vec format) ends
with one line on stderr and exit status 1 (2 for bad command-line syntax),
never a traceback. The message is the Python API's own, so the command and
the library report a problem the same way.

Differences from word2vec.c, all deliberate:

- ``</s>``: word2vec.c counts each newline as a token ``</s>`` and puts it
  first in its vocabulary. Here a newline ends a sentence and is no token, so
  ``</s>`` gets no vector. ``-save-vocab`` still writes ``</s> <lines>`` as
  the first line, because word2vec.c's ``-read-vocab`` treats whichever word
  comes first as the sentence end; ``-read-vocab`` skips a ``</s>`` line
  (taking its count as the number of sentences). Files go both ways. A
  ``-classes`` file has no ``</s>`` line either.
- Tokens longer than word2vec.c's 100-byte ``MAX_STRING`` are kept whole, in
  the vocabulary, the vocabulary file and the vectors file (word2vec.c
  would cut them, merging tokens that share their first 99 bytes).
- ``-threads`` defaults to 12 as in word2vec.c, but never more than the CPUs
  this process may use: extra threads only contend for the same cores.
- Bytes that are not UTF-8 become U+FFFD (``--strict``: fail, naming the
  byte offset); word2vec.c keeps raw bytes.
"""
from __future__ import annotations

import argparse
import io
import logging
import os
import sys

from fastw2v.native import check_writable

EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

#: word2vec.c's name for each parameter the Python API validates, to point the
#: user at the flag they typed
_FLAG_OF_PARAM = {"vector_size": "-size", "window": "-window", "negative": "-negative", "sample": "-sample",
                  "alpha": "-alpha", "workers": "-threads", "min_count": "-min-count", "epochs": "-iter"}
SENTENCE_END = "</s>"


class UsageError(Exception):
    """A problem with the command line itself (exit status 2)."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a syntax error is one line (argparse prints the whole usage first)."""

    def error(self, message):
        raise UsageError(f"{self.prog}: {message} (see {self.prog} --help)")

    def _get_option_tuples(self, option_string):
        # allow_abbrev=False still lets argparse (3.11) take `-siz` for `-size`; word2vec.c
        # matches flags whole. Only a short option with its value attached (`-n5`) stays.
        found = super()._get_option_tuples(option_string)
        if self.allow_abbrev:
            return found
        return [t for t in found if len(t[1]) == 2 and option_string.startswith(t[1])]


def _switch(text: str) -> int:
    """word2vec.c reads -hs, -cbow and -binary with atoi and tests them for non-zero."""
    return int(int(text) != 0)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


# -- word2vec.c's vocabulary file ---------------------------------------------
def write_vocab_file(path, words, counts, sentences: int) -> None:
    """Write ``<word> <count>`` lines as word2vec.c's ``-save-vocab`` does, ``</s>`` first.

    Parameters
    ----------
    path : str
    words, counts : sequences
        The vocabulary in model order (descending count).
    sentences : int
        Written as the count of ``</s>`` (word2vec.c counts newlines there). A
        literal ``</s>`` token in the corpus is word2vec.c's sentence end too: its
        count joins that line instead of making a second ``</s>`` line.
    """
    from fastw2v.formats import _write
    pairs = [(w, int(c)) for w, c in zip(words, counts)]
    sentences = int(sentences) + sum(c for w, c in pairs if w == SENTENCE_END)
    text = f"{SENTENCE_END} {sentences}\n" + "".join(f"{w} {c}\n" for w, c in pairs if w != SENTENCE_END)
    _write(path, lambda fh: fh.write(text.encode("utf-8")), append=False)  # atomic; .gz etc. compressed


def read_vocab_file(path, errors: str = "replace") -> tuple[dict, int]:
    """Read a ``-save-vocab`` file (ours or word2vec.c's).

    Returns
    -------
    counts : dict
        ``{word: count}`` in file order, ``</s>`` left out.
    sentences : int
        The count of ``</s>`` (0 if absent).
    """
    from fastw2v.formats import read_vocab_counts
    counts = read_vocab_counts(path, errors)
    return counts, counts.pop(SENTENCE_END, 0)


# -- checks at the boundary ---------------------------------------------------
def check_readable(path, what: str) -> None:
    """Fail early, before any work, if ``path`` cannot be read."""
    if not os.path.exists(path):
        raise FileNotFoundError(f"{what} not found: {path}")
    if os.path.isdir(path):
        raise IsADirectoryError(f"{what} is a directory, not a file: {path}")
    if not os.access(path, os.R_OK):
        raise PermissionError(f"{what} is not readable: {path}")


# -- train ----------------------------------------------------------------------
def _train_parser(sub) -> None:
    p = sub.add_parser(
        "train", help="train word vectors (word2vec.c's flags or long options)", allow_abbrev=False,
        description="Train word vectors. word2vec.c's flags work verbatim, with its defaults "
                    "(CBOW, 100 dimensions, 5 epochs, alpha 0.05 for CBOW and 0.025 for skip-gram).",
        epilog="example: fastw2v train -train text8 -output vectors.bin -cbow 1 -size 200 -window 8 "
               "-negative 25 -hs 0 -sample 1e-4 -threads 20 -binary 1 -iter 15")
    p.add_argument("-train", "--input", "--train", dest="input", required=True, metavar="FILE",
                   help="corpus: text, one sentence per line (plain, .gz, .bz2, .xz)")
    p.add_argument("-output", "--output", dest="output", metavar="FILE",
                   help="write the vectors here (word2vec format); without it only the vocabulary is built")
    p.add_argument("-size", "--size", "--vector-size", dest="size", type=int, default=100,
                   help="dimensions (default 100)")
    p.add_argument("-window", "--window", dest="window", type=int, default=5,
                   help="max distance between words (default 5)")
    p.add_argument("-sample", "--sample", dest="sample", type=float, default=1e-3,
                   help="down-sampling threshold for frequent words (default 1e-3; 0 = off)")
    p.add_argument("-hs", dest="hs", type=_switch, default=0,
                   help="hierarchical softmax: 1 = on (default 0)")
    p.add_argument("--hs", dest="hs", action="store_const", const=1, help="hierarchical softmax on")
    p.add_argument("-negative", "--negative", dest="negative", type=int, default=5,
                   help="negative samples (default 5; 0 = off)")
    p.add_argument("-threads", "--threads", "--workers", dest="threads", type=int, default=12,
                   help="worker threads (default 12, at most the CPUs available)")
    p.add_argument("-iter", "--iter", "--epochs", dest="iter", type=int, default=5,
                   help="epochs (default 5)")
    p.add_argument("-min-count", "--min-count", dest="min_count", type=int, default=5,
                   help="drop words seen fewer times (default 5)")
    p.add_argument("-alpha", "--alpha", dest="alpha", type=float, default=None,
                   help="starting learning rate (default 0.05 for CBOW, 0.025 for skip-gram)")
    p.add_argument("-binary", dest="binary", type=_switch, default=0,
                   help="1 = binary vectors file (default 0 = text)")
    p.add_argument("--binary", dest="binary", action="store_const", const=1, help="binary vectors file")
    p.add_argument("-classes", "--classes", dest="classes", type=int, default=0, metavar="K",
                   help="write 'word class' lines (K-means over the vectors into K classes, as word2vec.c) "
                        "to -output instead of the vectors (default 0: vectors)")
    p.add_argument("-cbow", dest="cbow", type=_switch, default=1,
                   help="1 = CBOW (default), 0 = skip-gram")
    p.add_argument("--cbow", dest="cbow", action="store_const", const=1, help="CBOW (the default)")
    p.add_argument("--skip-gram", "--sg", dest="cbow", action="store_const", const=0, help="skip-gram")
    p.add_argument("-save-vocab", "--save-vocab", dest="save_vocab", metavar="FILE",
                   help="write the vocabulary ('word count' lines, word2vec.c's format)")
    p.add_argument("-read-vocab", "--read-vocab", dest="read_vocab", metavar="FILE",
                   help="take the vocabulary and counts from FILE instead of counting the corpus")
    p.add_argument("-debug", "--debug", dest="debug", type=int, default=2,
                   help="0 = silent, 1 = summary, 2 = progress bar (default), 3 = library log")
    p.add_argument("-q", "--quiet", dest="debug", action="store_const", const=0, help="same as -debug 0")
    p.add_argument("--save-model", metavar="FILE", help="also save the full model (fastw2v's native format)")
    p.add_argument("--loss", action="store_true", help="compute the training loss and show it")
    p.add_argument("--strict", action="store_true", help="fail on bytes that are not UTF-8 (default: replace)")
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="train on this Dask cluster (e.g. tcp://10.0.0.1:8786; needs fastw2v[dask]); -train may "
                        "then be a glob, one shard per file group, and every worker must be able to read the files")
    p.add_argument("--sync-every", type=int, default=350_000, metavar="WORDS",
                   help="with --scheduler: words each worker trains between synchronisations (default 350000)")
    p.set_defaults(run=cmd_train)


def _model_from_args(args):
    """A Word2Vec with the command line's settings; the API validates them."""
    from fastw2v.word2vec import Word2Vec
    if args.classes < 0:
        raise ValueError(f"-classes must be >= 0 (0 writes the vectors), got {args.classes}")
    cbow = bool(args.cbow)
    # word2vec.c's defaults: alpha 0.05 for CBOW, 0.025 for skip-gram; the rate decays
    # linearly and is floored at alpha * 1e-4, which is where our linear schedule ends.
    alpha = args.alpha if args.alpha is not None else (0.05 if cbow else 0.025)
    # word2vec.c's -sample is always a fraction of the corpus: its threshold sample * train_words
    # is then at least every word's count, so nothing is dropped -- no subsampling, as 0 is.
    # (The Python API reads sample >= 1 as gensim's absolute count.)
    sample = 0 if args.sample >= 1 else args.sample
    workers = min(args.threads, _cpu_count()) if args.threads >= 1 else args.threads
    try:
        return Word2Vec(vector_size=args.size, window=args.window, sample=sample, hs=args.hs,
                        negative=args.negative, workers=workers, epochs=args.iter, min_count=args.min_count,
                        alpha=alpha, min_alpha=alpha * 1e-4, sg=0 if cbow else 1, cbow_mean=1,
                        seed=args.seed, compute_loss=args.loss)
    except ValueError as exc:
        flag = _FLAG_OF_PARAM.get(str(exc).split(" ", 1)[0])
        raise ValueError(f"{exc} (option {flag})" if flag else str(exc)) from None


def _count_corpus(path, errors: str, show: bool):
    """Count the corpus (``errors='strict'`` fails on bad UTF-8), with a progress bar over its bytes."""
    from fastw2v.progress import Meter
    from fastw2v.reader import open_corpus
    from fastw2v.vocab import EmptyVocabularyError, scan_corpus
    with open_corpus(path) as fh:  # the bar's total is known only when the file is not compressed
        total = os.path.getsize(path) if isinstance(fh, io.BufferedReader) else None
    meter = Meter("vocabulary", total, "B", enabled=show)
    counted = [0]

    def advance(n):
        counted[0] += n
        meter.update(counted[0])

    try:
        raw = scan_corpus(corpus_file=path, errors=errors, progress=advance)
        meter.update(total or 0)
    finally:
        meter.close()
    if raw.total_words == 0:
        raise EmptyVocabularyError(f"the corpus is empty: no tokens found in {path}")
    return raw


def _line_ends(path) -> int:
    """word2vec.c's ``</s>`` count: every newline of the file, blank lines included
    (the vocabulary's ``corpus_count`` counts only lines with words)."""
    from fastw2v.reader import open_corpus
    ends = 0
    with open_corpus(path) as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            ends += block.count(b"\n")
    return ends


def _train_on_cluster(args, say) -> int:
    """``train --scheduler``: vocabulary and training on a Dask cluster (fastw2v.distributed)."""
    import glob
    try:
        from fastw2v import distributed
    except ImportError as exc:  # pragma: no cover - dask is a test dependency
        raise ValueError(f"--scheduler needs Dask: pip install \"fastw2v[dask]\" ({exc})") from None
    for flag, given in (("-read-vocab", args.read_vocab), ("--strict", args.strict)):
        if given:
            raise UsageError(f"{flag} cannot be combined with --scheduler")
    if args.sync_every < 1:
        raise ValueError(f"--sync-every must be a positive number of words, got {args.sync_every}")
    template = _model_from_args(args)
    paths = sorted(glob.glob(args.input)) if glob.has_magic(args.input) else [args.input]
    if not paths:
        raise ValueError(f"no corpus file matches {args.input}")
    for path in paths:
        check_readable(path, "corpus file")
    for flag, path in (("-output", args.output), ("-save-vocab", args.save_vocab),
                       ("--save-model", args.save_model)):
        if path:
            check_writable(path, f"{flag} {path}")
    if not (args.output or args.save_model):
        template.epochs = 0  # vocabulary only, as word2vec.c does without -output
    model = distributed.train_like(template, paths, client=args.scheduler, sync_every=args.sync_every)
    stats = model.distributed_stats
    say(f"vocabulary: {len(model.wv):,} words with count >= {args.min_count}, {model.corpus_total_words:,} "
        f"words in {model.corpus_count:,} lines, counted on the cluster at {args.scheduler}")
    if args.save_vocab:
        write_vocab_file(args.save_vocab, model.wv.index_to_key, model.wv.expandos["count"],
                         sum(_line_ends(path) for path in paths))
        say(f"wrote the vocabulary to {args.save_vocab}")
    if not (args.output or args.save_model):
        say("no -output given: vocabulary only, as word2vec.c does")
        return 0
    seconds = max(stats["train_seconds"], 1e-9)
    sent = sum(s["bytes"] for s in stats["syncs"])
    say(f"trained {'CBOW' if args.cbow else 'skip-gram'} on {stats['raw_words']:,} words in {seconds:.1f} s on "
        f"{stats['shards']} shards: {stats['raw_words'] / seconds:,.0f} words/s, "
        f"{len(stats['syncs'])} synchronisations, {sent / 1e6:,.1f} MB between workers")
    _write_outputs(model, args, say)
    return 0


def _write_outputs(model, args, say) -> None:
    if args.output and args.classes:
        from fastw2v.clustering import word_classes
        from fastw2v.formats import save_word_classes
        classes = word_classes(model.wv, args.classes)
        save_word_classes(args.output, model.wv.index_to_key, classes)
        say(f"wrote the classes of {len(model.wv):,} words ({len(set(classes.tolist())):,} of {args.classes:,} "
            f"classes used) to {args.output}")
    elif args.output:
        from fastw2v.formats import save_word2vec_format
        save_word2vec_format(model.wv, args.output, binary=bool(args.binary), binary_newlines=True)
        say(f"wrote {len(model.wv):,} vectors to {args.output} ({'binary' if args.binary else 'text'})")
    if args.save_model:
        model.save(args.save_model)
        say(f"wrote the model to {args.save_model}")


def cmd_train(args, say) -> int:
    from fastw2v.progress import TrainingProgress
    from fastw2v.reader import iter_chunks
    if args.scheduler:
        return _train_on_cluster(args, say)
    errors = "strict" if args.strict else "replace"
    model = _model_from_args(args)
    check_readable(args.input, "corpus file")
    if args.read_vocab:
        check_readable(args.read_vocab, "vocabulary file")
    for flag, path in (("-output", args.output), ("-save-vocab", args.save_vocab),
                       ("--save-model", args.save_model)):
        if path:
            check_writable(path, f"{flag} {path}")

    if args.read_vocab:
        counts, sentences = read_vocab_file(args.read_vocab, errors)
        if args.strict:  # training reads the corpus leniently; check it first
            for _ in iter_chunks(args.input, errors="strict"):
                pass
        # the vocabulary puts the latest of tied words first (gensim's order), so
        # handing the file's words over last line first keeps the file's order
        model.build_vocab_from_freq(dict(reversed(counts.items())), corpus_count=sentences)
        say(f"vocabulary: {len(model.wv):,} words with count >= {args.min_count} "
            f"read from {args.read_vocab}")
    else:
        # scan_corpus + build_vocab_from_freq is what build_vocab(corpus_file=) does (same
        # counts and totals), with the strict-UTF-8 switch build_vocab lacks. Tied words
        # keep word2vec.c's order, first occurrence first (its SortVocab is glibc's
        # stable qsort over words in order of appearance), not gensim's latest first:
        # handed over last first, since the vocabulary puts the latest of tied words first
        raw = _count_corpus(args.input, errors, show=args.debug >= 2)
        model.build_vocab_from_freq(dict(reversed(raw.as_dict().items())), corpus_count=raw.corpus_count)
        say(f"vocabulary: {len(model.wv):,} words with count >= {args.min_count} "
            f"(of {len(raw.counts):,} distinct), {raw.total_words:,} words in {raw.corpus_count:,} lines")
    if args.save_vocab:
        write_vocab_file(args.save_vocab, model.wv.index_to_key, model.wv.expandos["count"],
                         model.corpus_count if args.read_vocab else _line_ends(args.input))
        say(f"wrote the vocabulary to {args.save_vocab}")
    if not (args.output or args.save_model):
        say("no -output given: vocabulary only, as word2vec.c does")
        return 0

    progress = TrainingProgress(enabled=args.debug >= 2, show_loss=args.loss)
    try:
        _, raw_words = model.train(corpus_file=args.input, total_examples=model.corpus_count,
                                   total_words=model.corpus_total_words, epochs=model.epochs,
                                   compute_loss=args.loss, callbacks=[progress])
    finally:
        progress.close()
    seconds = max(model.total_train_time, 1e-9)
    loss = f", loss of the last epoch {model.epoch_losses[-1]:.6g}" if args.loss and model.epoch_losses else ""
    say(f"trained {'CBOW' if args.cbow else 'skip-gram'} on {raw_words:,} words in {seconds:.1f} s: "
        f"{raw_words / seconds:,.0f} words/s with {model.workers} threads{loss}")
    _write_outputs(model, args, say)
    return 0


# -- queries --------------------------------------------------------------------
def _is_binary(path) -> bool:
    """Whether a word2vec file is binary: text rows are ``word`` plus ``dim`` numbers.

    A file whose header does not parse is called text, so that the reader
    reports it as not being word2vec format.
    """
    from fastw2v.reader import open_corpus
    with open_corpus(path) as fh:
        try:
            count, dim = (int(x) for x in fh.readline(200).split())
        except ValueError:
            return False
        row = fh.readline(max(64 * dim, 4096))
    fields = row.decode("utf-8", "replace").split()
    if len(fields) != dim + 1:
        return True
    try:
        [float(x) for x in fields[1:]]
    except ValueError:
        return True
    return False


def load_vectors(path):
    """KeyedVectors from a word2vec file (binary or text, detected; .gz/.bz2 too)
    or from a model saved with ``--save-model``."""
    from fastw2v.keyedvectors import KeyedVectors
    check_readable(path, "vectors file")
    with open(path, "rb") as fh:
        native = fh.read(1) == b"{"
    if native:
        from fastw2v.word2vec import Word2Vec
        return Word2Vec.load(path).wv
    # word2vec.c cuts long words at a byte boundary, possibly inside a character
    return KeyedVectors.load_word2vec_format(path, binary=_is_binary(path), unicode_errors="replace")


def _vectors_arg(p):
    p.add_argument("--vectors", "-v", required=True, metavar="FILE",
                   help="word2vec-format vectors (binary or text) or a --save-model file")


def _check_known(kv, words) -> None:
    for w in words:
        kv.get_index(w)  # KeyError naming the word


def _print_neighbours(results, out) -> None:
    width = max((len(k) for k, _ in results), default=0)
    for key, score in results:
        print(f"  {key:<{width}}  {score:.4f}", file=out)


def cmd_similar(args, say) -> int:
    kv = load_vectors(args.vectors)
    _check_known(kv, args.words)
    for word in args.words:
        print(word, file=sys.stdout)
        _print_neighbours(kv.most_similar(word, topn=args.topn), sys.stdout)
    return 0


def cmd_analogy(args, say) -> int:
    kv = load_vectors(args.vectors)
    _check_known(kv, (args.a, args.b, args.c))
    print(f"{args.a} : {args.b} :: {args.c} : ?")
    _print_neighbours(kv.most_similar(positive=[args.b, args.c], negative=[args.a], topn=args.topn), sys.stdout)
    return 0


def cmd_evaluate(args, say) -> int:
    if not (args.analogies or args.pairs):
        raise UsageError("fastw2v evaluate: give --analogies FILE and/or --pairs FILE")
    for path in (args.analogies, args.pairs):
        if path:
            check_readable(path, "evaluation file")
    if args.restrict_vocab < 1:
        raise ValueError(f"--restrict-vocab must be >= 1, got {args.restrict_vocab}")
    kv = load_vectors(args.vectors)
    if args.analogies:
        score, sections = kv.evaluate_word_analogies(args.analogies, restrict_vocab=args.restrict_vocab)
        if args.sections:
            for section in sections[:-1]:
                right, wrong = len(section["correct"]), len(section["incorrect"])
                if right + wrong:
                    print(f"  {section['section']}: {right / (right + wrong):.1%} ({right}/{right + wrong})")
        total = sections[-1] if sections else {"correct": [], "incorrect": []}
        asked = len(total["correct"]) + len(total["incorrect"])
        print(f"analogies: {score:.1%} correct of {asked:,} questions with all four words known")
    if args.pairs:
        pearson, spearman, oov = kv.evaluate_word_pairs(args.pairs, restrict_vocab=args.restrict_vocab)
        print(f"pairs: Pearson {_first(pearson):.4f}, Spearman {_first(spearman):.4f}, "
              f"{oov:.1f}% of pairs out of vocabulary")
    return 0


def _first(stat) -> float:
    """A scipy result or (statistic, p-value) pair -> the statistic."""
    return float(getattr(stat, "statistic", stat[0] if isinstance(stat, (tuple, list)) else stat))


def cmd_project(args, say) -> int:
    check_writable(args.out, f"--out {args.out}")
    kv = load_vectors(args.vectors)
    _check_known(kv, args.words)
    kv.plot(args.words, args.out, method=args.method)
    say(f"wrote {args.out}")
    return 0


def cmd_demo(args, say) -> int:
    from fastw2v.demo import run_demo
    run_demo(small=args.small, progress=args.debug >= 2, out=sys.stdout)
    return 0


# -- the command ------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="fastw2v", allow_abbrev=False,
                     description="Fast word2vec. Start with `fastw2v demo`; train with word2vec.c's "
                                 "flags: `fastw2v train -train corpus.txt -output vectors.bin -binary 1`.",
                     epilog="more commands, each with its own --help: `fastw2v phrases` (word2phrase's flags: "
                            "join frequent word pairs) and `fastw2v graph` (DeepWalk / node2vec vectors "
                            "from an edge list)")
    parser.add_argument("--version", action="version", version=f"fastw2v {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    _train_parser(sub)

    p = sub.add_parser("similar", help="nearest neighbours of words", allow_abbrev=False)
    p.add_argument("words", nargs="+", metavar="WORD")
    _vectors_arg(p)
    p.add_argument("--topn", "-n", type=_positive, default=10, help="neighbours per word (default 10)")
    p.set_defaults(run=cmd_similar)

    p = sub.add_parser("analogy", help="A is to B as C is to ?", allow_abbrev=False)
    for name in ("a", "b", "c"):
        p.add_argument(name, metavar=name.upper())
    _vectors_arg(p)
    p.add_argument("--topn", "-n", type=_positive, default=5, help="answers (default 5)")
    p.set_defaults(run=cmd_analogy)

    p = sub.add_parser("evaluate", help="analogy accuracy and word-pair correlation", allow_abbrev=False)
    _vectors_arg(p)
    p.add_argument("--analogies", metavar="FILE", help="questions-words.txt format (': section' lines)")
    p.add_argument("--pairs", metavar="FILE", help="'word1<TAB>word2<TAB>score' lines (WordSim-353 format)")
    p.add_argument("--restrict-vocab", type=int, default=300_000, metavar="N",
                   help="use only the N most frequent words, as gensim's restrict_vocab and word2vec's "
                        "compute-accuracy threshold (default 300000; compute-accuracy is usually run with 30000)")
    p.add_argument("--sections", action="store_true",
                   help="also print the accuracy of each analogy section, as compute-accuracy does")
    p.set_defaults(run=cmd_evaluate)

    p = sub.add_parser("project", help="2-D plot of some words' vectors", allow_abbrev=False)
    _vectors_arg(p)
    p.add_argument("--words", nargs="+", required=True, metavar="WORD")
    p.add_argument("--out", required=True, metavar="FILE.png")
    p.add_argument("--method", default="pca", help="projection (default pca)")
    p.set_defaults(run=cmd_project)

    p = sub.add_parser("demo", help="train on the bundled WordNet glosses and show neighbours",
                       allow_abbrev=False)
    p.add_argument("--small", action="store_true",
                   help="a quarter of the corpus, 5 epochs: a few seconds (for tests)")
    p.set_defaults(run=cmd_demo)

    for p in sub.choices.values():
        if p.get_default("run") is not cmd_train:
            p.add_argument("-q", "--quiet", dest="debug", action="store_const", const=0, default=2,
                           help="no progress output")
    return parser


def _version() -> str:
    from fastw2v import __version__
    return __version__


def _c_style(argv: list) -> list:
    """``fastw2v -train x ...`` (a word2vec.c command line) means ``fastw2v train -train x ...``."""
    if argv and argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version"):
        return ["train"] + argv
    return argv


def _one_line(exc: BaseException) -> str:
    message = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
    if isinstance(exc, OSError) and exc.strerror and exc.filename:
        message = f"{exc.filename}: {exc.strerror}"
    return " ".join(str(message).split())


# Subcommands that keep their own tool's flags (word2phrase's, the graph tool's),
# parsed by the module that owns the concept.
DELEGATED = {"phrases": "fastw2v.phrases", "graph": "fastw2v.graph"}


def main(argv=None) -> int:
    """Run the command line ``argv`` (default ``sys.argv[1:]``); returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in DELEGATED:
        import importlib
        return importlib.import_module(DELEGATED[argv[0]]).cli_main(argv[1:])
    argv = _c_style(argv)
    try:
        args = build_parser().parse_args(argv)
    except UsageError as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    if args.command is None:
        build_parser().print_help(sys.stderr)
        return EXIT_USAGE
    _configure_logging(args.debug)

    def say(message):
        if args.debug >= 1:
            print(message, file=sys.stderr, flush=True)

    try:
        return args.run(args, say)
    except UsageError as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("fastw2v: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `fastw2v similar ... | head`: the reader left, which is no error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so the exit flush is silent
        return EXIT_ERROR
    except MemoryError as exc:  # e.g. -size 100000000, or a vocabulary too large for this machine
        print(f"fastw2v {args.command}: error: out of memory ({_one_line(exc) or 'allocation failed'})",
              file=sys.stderr)
        return EXIT_ERROR
    except (ValueError, KeyError, OSError, ImportError, RuntimeError, OverflowError) as exc:
        print(f"fastw2v {args.command}: error: {_one_line(exc)}", file=sys.stderr)
        return EXIT_ERROR


def _configure_logging(debug: int) -> None:
    """-debug 3 shows the library's own log; below that only its warnings, plus
    progress lines when tqdm is missing (see fastw2v.progress)."""
    logging.basicConfig(level=logging.INFO if debug >= 3 else logging.WARNING,
                        format="%(asctime)s %(name)s: %(message)s" if debug >= 3 else "%(message)s")
    if debug >= 2:
        logging.getLogger("fastw2v.progress").setLevel(logging.INFO)


if __name__ == "__main__":
    sys.exit(main())
