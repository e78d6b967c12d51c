"""Intrinsic evaluation: word analogies (questions-words) and word-pair similarity (WordSim-353).

Both functions return exactly what gensim's ``KeyedVectors`` methods of the
same names return, so published numbers can be compared. The analogy test
is the expensive one: gensim runs one full ``most_similar`` per question.
Here all questions are turned into query vectors first and answered a block
at a time by one matrix product against the unit vocabulary matrix; the
same 3CosAdd rule and tie-breaking as gensim's loop are then applied to
each question's five best candidates.
"""
from __future__ import annotations

import itertools
import logging

import numpy as np

from . import search
from .formats import _open

logger = logging.getLogger(__name__)

REAL = np.float32
#: candidates kept per question (gensim asks most_similar for topn=5)
ANALOGY_TOPN = 5


def _ok_vocab(kv, restrict_vocab, case_insensitive) -> dict:
    """Key (upper-cased when case-insensitive) -> row, over the first ``restrict_vocab`` rows.

    Built from the end so that, among case variants, the most frequent
    (first) row wins, as in gensim.
    """
    keys = kv.index_to_key[:restrict_vocab]
    if case_insensitive:
        return {k.upper(): i for i, k in reversed(list(enumerate(keys)))}
    return {k: i for i, k in reversed(list(enumerate(keys)))}


def _read_analogies(path, case_insensitive):
    """Sections of (a, b, c, expected) tuples, in file order."""
    sections, section = [], None
    with _open(path, "rb") as fh:
        for line_no, raw in enumerate(fh):
            line = raw.decode("utf8")
            if line.startswith(": "):
                section = {"section": line.lstrip(": ").strip(), "questions": []}
                sections.append(section)
                continue
            if section is None:
                raise ValueError(f"Missing section header before line #{line_no} in {path}")
            words = line.upper().split() if case_insensitive else line.split()
            if len(words) != 4:
                logger.info("Skipping invalid line #%i in %s", line_no, path)
                continue
            section["questions"].append(tuple(words))
    return sections


def _score(section) -> float:
    correct, incorrect = len(section["correct"]), len(section["incorrect"])
    if correct + incorrect == 0:
        return 0.0
    log_accuracy(section)
    return correct / (correct + incorrect)


def log_accuracy(section) -> None:
    """Log one analogy section's accuracy (gensim's ``KeyedVectors.log_accuracy``)."""
    correct, incorrect = len(section["correct"]), len(section["incorrect"])
    if correct + incorrect > 0:
        logger.info("%s: %.1f%% (%i/%i)", section["section"], 100.0 * correct / (correct + incorrect),
                    correct, correct + incorrect)


def log_evaluate_word_pairs(pearson, spearman, oov, pairs) -> None:
    """Log a word-pair evaluation (gensim's ``KeyedVectors.log_evaluate_word_pairs``)."""
    logger.info("Pearson correlation coefficient against %s: %.4f", pairs, pearson[0])
    logger.info("Spearman rank-order correlation coefficient against %s: %.4f", pairs, spearman[0])
    logger.info("Pairs with unknown words ratio: %.1f%%", oov)


def _predict(kv, questions, ok_vocab, restrict_vocab, case_insensitive):
    """For each in-vocabulary question, gensim's predicted answer (3CosAdd over the first rows)."""
    idx = np.array([[ok_vocab[w] for w in q[:3]] for q in questions], dtype=np.intp).reshape(-1, 3)
    stop = min(restrict_vocab, len(kv.vectors))
    kv.fill_norms()
    normed = kv._unit_matrix()
    rows = (normed[idx] if normed is not None else
            np.asarray(kv.vectors[idx], dtype=REAL) / search.safe_norms(kv.norms[idx])[..., None])
    # gensim: unit(mean of +b, +c, -a of unit vectors); the 1/3 disappears in the normalisation
    queries = search.unit(rows[:, 1] + rows[:, 2] - rows[:, 0])
    keys = kv.index_to_key
    predicted = []
    # inputs never answer (gensim drops them from most_similar's results)
    best, _ = search.nearest(queries, normed, kv.vectors, kv.norms, 0, stop, ANALOGY_TOPN, idx)
    for q, cand in zip(questions, best.tolist()):
        guess = None
        for i in cand:  # gensim's loop: first candidate not a case variant of an input
            if i < 0:
                break
            guess = keys[i].upper() if case_insensitive else keys[i]
            if guess in ok_vocab and guess not in q[:3]:
                break
        predicted.append(guess)
    return predicted


def evaluate_word_analogies(kv, analogies, restrict_vocab=300000, case_insensitive=True, dummy4unknown=False):
    """Accuracy on an analogy file (word2vec's ``compute-accuracy``; gensim's method of the same name).

    Parameters
    ----------
    kv : KeyedVectors
    analogies : str
        File of ``a b c d`` lines grouped under ``: section`` headers (questions-words.txt).
    restrict_vocab : int
        Only questions whose four words are among the first ``restrict_vocab`` keys count,
        and answers are searched among those keys.
    case_insensitive : bool
        Compare upper-cased words (the most frequent case variant's vector is used).
    dummy4unknown : bool
        Count questions with unknown words as wrong instead of skipping them.

    Returns
    -------
    score : float
        Overall accuracy.
    sections : list of dict
        ``{'section': name, 'correct': [(a, b, c, d), ...], 'incorrect': [...]}`` per section,
        then a ``'Total accuracy'`` section.
    """
    ok_vocab = _ok_vocab(kv, restrict_vocab, case_insensitive)
    parsed = _read_analogies(analogies, case_insensitive)
    known = [q for s in parsed for q in s["questions"] if all(w in ok_vocab for w in q)]
    answers = dict(zip(known, _predict(kv, known, ok_vocab, restrict_vocab, case_insensitive))) if known else {}
    sections, oov, total = [], 0, 0
    for s in parsed:
        section = {"section": s["section"], "correct": [], "incorrect": []}
        for q in s["questions"]:
            total += 1
            if q in answers:
                section["correct" if answers[q] == q[3] else "incorrect"].append(q)
            else:
                oov += 1
                if dummy4unknown:
                    section["incorrect"].append(q)
        sections.append(section)
        _score(section)
    summary = {
        "section": "Total accuracy",
        "correct": list(itertools.chain.from_iterable(s["correct"] for s in sections)),
        "incorrect": list(itertools.chain.from_iterable(s["incorrect"] for s in sections)),
    }
    if total:
        logger.info("Quadruplets with out-of-vocabulary words: %.1f%%", 100.0 * oov / total)
    score = _score(summary)
    sections.append(summary)
    return score, sections


def evaluate_word_pairs(kv, pairs, delimiter="\t", encoding="utf8", restrict_vocab=300000,
                        case_insensitive=True, dummy4unknown=False):
    """Correlation of cosine similarity with human judgements (gensim's method of the same name).

    Parameters
    ----------
    kv : KeyedVectors
    pairs : str
        File of ``word1<delimiter>word2<delimiter>score`` lines; ``#`` lines are comments.
    delimiter, encoding : str
    restrict_vocab : int
    case_insensitive : bool
    dummy4unknown : bool
        Give pairs with unknown words similarity 0 instead of skipping them.

    Returns
    -------
    pearson : (float, float)
        Pearson correlation and two-sided p-value.
    spearman : (float, float)
        Spearman rank correlation and two-sided p-value (scipy's result object).
    oov_ratio : float
        Percentage of pairs with an unknown word.
    """
    try:
        from scipy import stats
    except ImportError:
        raise ImportError("evaluate_word_pairs needs scipy: pip install 'fastw2v[eval]'") from None
    ok_vocab = _ok_vocab(kv, restrict_vocab, case_insensitive)
    gold, rows, oov = [], [], 0
    with _open(pairs, "rb") as fh:
        for line_no, raw in enumerate(fh):
            line = raw.decode(encoding)
            if not line or line.startswith("#"):
                continue
            try:
                a, b, sim = [w.upper() for w in line.split(delimiter)] if case_insensitive else line.split(delimiter)
                sim = float(sim)
            except (ValueError, TypeError):
                logger.info("Skipping invalid line #%d in %s", line_no, pairs)
                continue
            if a not in ok_vocab or b not in ok_vocab:
                oov += 1
                if dummy4unknown:
                    gold.append(sim)
                    rows.append(None)
                continue
            gold.append(sim)
            rows.append((ok_vocab[a], ok_vocab[b]))
    if not gold:
        raise ValueError(f"No valid similarity judgements found in {pairs}: either invalid format or "
                         f"all are out-of-vocabulary in {kv}")
    model = np.zeros(len(gold), dtype=REAL)
    known = np.array([r is not None for r in rows], dtype=bool)
    if known.any():
        pair_idx = np.array([r for r in rows if r is not None], dtype=np.intp)
        kv.fill_norms()
        vecs = np.asarray(kv.vectors[pair_idx], dtype=REAL) / search.safe_norms(kv.norms[pair_idx])[..., None]
        model[known] = np.einsum("ij,ij->i", vecs[:, 0], vecs[:, 1])
    spearman = stats.spearmanr(gold, model)
    pearson = stats.pearsonr(gold, model)
    oov_ratio = 100.0 * oov / (len(gold) if dummy4unknown else len(gold) + oov)
    log_evaluate_word_pairs(pearson, spearman, oov_ratio, pairs)
    return pearson, spearman, oov_ratio
