"""The ``fastw2v`` command, run as a subprocess the way users run it."""
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from conftest import PACKAGE_PARENT, TESTS_DIR, planted_topics, write_corpus
from fastw2v import KeyedVectors, Word2Vec

ENV = dict(os.environ, PYTHONPATH=PACKAGE_PARENT + os.pathsep + os.environ.get("PYTHONPATH", ""))
SMALL = ["-size", "16", "-iter", "2", "-threads", "2"]


def fastw2v(*args, env=ENV, cwd=None):
    # run outside the repository: `python -m` puts the working directory first on
    # sys.path, where a source checkout's fastw2v/ (no compiled extension) would shadow the install
    return subprocess.run([sys.executable, "-m", "fastw2v", *map(str, args)], capture_output=True,
                          text=True, env=env, cwd=cwd or TESTS_DIR, timeout=120)


def fails_with(result, fragment, status=1):
    """A clean failure: the status, one line on stderr containing ``fragment``, no traceback."""
    assert result.returncode == status, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert fragment in result.stderr, result.stderr


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return write_corpus(tmp_path_factory.mktemp("cli") / "corpus.txt", planted_topics(n_sentences=2000))


@pytest.fixture(scope="module")
def vectors(corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("vectors") / "vectors.bin"
    r = fastw2v("train", "-train", corpus, "-output", out, "-binary", "1", "-cbow", "0", "-size", "24",
                "-iter", "5", "-min-count", "1", "-sample", "0", "-q")
    assert r.returncode == 0, r.stderr
    return out


# -- train ------------------------------------------------------------------------
def test_train_with_word2vec_c_flags_writes_text_vectors(corpus, tmp_path):
    out, vocab = tmp_path / "v.txt", tmp_path / "vocab.txt"
    r = fastw2v("train", "-train", corpus, "-output", out, "-save-vocab", vocab, "-window", "3",
                "-sample", "1e-4", "-hs", "1", "-negative", "0", "-min-count", "1", "-alpha", "0.05",
                "-binary", "0", "-cbow", "1", "-debug", "1", *SMALL)
    assert r.returncode == 0, r.stderr
    assert "words/s" in r.stderr and "Traceback" not in r.stderr
    kv = KeyedVectors.load_word2vec_format(out, binary=False)
    assert kv.vectors.shape == (100, 16) and np.isfinite(kv.vectors).all()
    words = [line.split()[0] for line in open(vocab, encoding="utf-8")]
    assert words[0] == "</s>" and words[1:] == kv.index_to_key


def test_train_with_long_options_loads_in_gensim(corpus, tmp_path):
    gensim_kv = pytest.importorskip("gensim.models").KeyedVectors
    out, model = tmp_path / "v.bin", tmp_path / "m.model"
    r = fastw2v("train", "--input", corpus, "--output", out, "--vector-size", "16", "--window", "3",
                "--epochs", "2", "--min-count", "1", "--threads", "2", "--skip-gram", "--binary",
                "--save-model", model, "--loss", "--quiet")
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    kv = gensim_kv.load_word2vec_format(str(out), binary=True)
    assert kv.vectors.shape == (100, 16)
    ours = KeyedVectors.load_word2vec_format(out, binary=True)
    assert ours.index_to_key == list(kv.index_to_key)
    np.testing.assert_array_equal(ours.vectors, kv.vectors)
    assert fastw2v("similar", "t0w0", "--vectors", model, "-n", "2").returncode == 0
    # word2vec.c's layout: each binary row is "<word> <16 float32>\n" (gensim's omits the \n)
    data = out.read_bytes()
    at = data.index(b"\n") + 1
    for word, vector in zip(kv.index_to_key, kv.vectors):
        head = f"{word} ".encode()
        assert data[at:at + len(head)] == head
        at += len(head)
        assert data[at:at + 64] == vector.astype("<f4").tobytes() and data[at + 64:at + 65] == b"\n"
        at += 65
    assert at == len(data)


def test_classes_are_written_instead_of_vectors(corpus, tmp_path):
    out = tmp_path / "classes.txt"
    # -binary is ignored with -classes, as in word2vec.c: the classes file is text
    r = fastw2v("train", "-train", corpus, "-output", out, "-classes", "5", "-binary", "1", "-cbow", "0",
                "-size", "24", "-iter", "5", "-min-count", "1", "-sample", "0", "-debug", "1")
    assert r.returncode == 0, r.stderr
    assert "classes used) to" in r.stderr
    pairs = [line.split() for line in open(out, encoding="utf-8")]
    assert all(len(p) == 2 for p in pairs) and len(pairs) == 100
    classes = {w: int(c) for w, c in pairs}
    assert set(classes.values()) <= set(range(5))
    # the planted topics come back: most words share their topic's commonest class
    agree = 0
    for t in range(5):
        members = [classes[f"t{t}w{i}"] for i in range(20)]
        agree += max(members.count(c) for c in set(members))
    assert agree >= 90, classes


def test_word2vec_c_command_line_needs_no_subcommand(corpus, tmp_path):
    r = fastw2v("-train", corpus, "-output", tmp_path / "v.txt", "-min-count", "1", "-q", *SMALL)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "v.txt").exists()


def test_without_output_only_the_vocabulary_is_built(corpus, tmp_path):
    r = fastw2v("train", "-train", corpus, "-save-vocab", tmp_path / "vocab.txt", "-min-count", "1")
    assert r.returncode == 0, r.stderr
    assert "vocabulary only" in r.stderr
    assert len(open(tmp_path / "vocab.txt").readlines()) == 101


def test_vocab_file_round_trips(tmp_path):
    long_token = "x" * 300  # longer than word2vec.c's 100-byte MAX_STRING: kept whole
    sentences = planted_topics(n_sentences=500) + [[long_token, "t0w0"]] * 6
    corpus = write_corpus(tmp_path / "c.txt", sentences)
    first, second = tmp_path / "vocab1.txt", tmp_path / "vocab2.txt"
    r = fastw2v("train", "-train", corpus, "-save-vocab", first, "-output", tmp_path / "v.txt", "-q", *SMALL)
    assert r.returncode == 0, r.stderr
    r = fastw2v("train", "-train", corpus, "-read-vocab", first, "-save-vocab", second,
                "-output", tmp_path / "v2.txt", "-q", *SMALL)
    assert r.returncode == 0, r.stderr
    assert open(first, "rb").read() == open(second, "rb").read()
    assert f"{long_token} 6\n" in open(first).read()
    assert long_token in KeyedVectors.load_word2vec_format(tmp_path / "v2.txt")
    # a write that fails part-way leaves the previous file whole
    from fastw2v.cli import write_vocab_file
    with pytest.raises(TypeError):
        write_vocab_file(first, ["a", "b"], [3, None], sentences=1)
    assert open(first, "rb").read() == open(second, "rb").read()


def test_read_vocab_applies_min_count(corpus, tmp_path):
    vocab = tmp_path / "vocab.txt"
    vocab.write_text("</s> 2000\nt0w0 50\nt0w1 4\n")
    r = fastw2v("train", "-train", corpus, "-read-vocab", vocab, "-output", tmp_path / "v.txt", "-q", *SMALL)
    assert r.returncode == 0, r.stderr
    assert KeyedVectors.load_word2vec_format(tmp_path / "v.txt").index_to_key == ["t0w0"]


def test_invalid_utf8_is_replaced_unless_strict(tmp_path):
    corpus = tmp_path / "bad.txt"
    text = " ".join(planted_topics(n_sentences=1)[0]).encode()
    corpus.write_bytes(text + b" caf\xe9\n" + (text + b"\n") * 50)
    r = fastw2v("train", "-train", corpus, "-output", tmp_path / "v.txt", "-min-count", "1", "-q", *SMALL)
    assert r.returncode == 0, r.stderr
    assert "caf\ufffd" in KeyedVectors.load_word2vec_format(tmp_path / "v.txt")
    fails_with(fastw2v("train", "-train", corpus, "-output", tmp_path / "v.txt", "--strict", *SMALL),
               f"invalid UTF-8 at byte offset {len(text) + 4}")


def test_progress_without_tqdm(corpus, tmp_path):
    (tmp_path / "tqdm").mkdir()
    (tmp_path / "tqdm" / "__init__.py").write_text("raise ImportError('no tqdm here')\n")
    env = dict(ENV, PYTHONPATH=str(tmp_path) + os.pathsep + ENV["PYTHONPATH"])
    r = fastw2v("train", "-train", corpus, "-output", tmp_path / "v.txt", "-min-count", "1", *SMALL, env=env)
    assert r.returncode == 0, r.stderr
    assert "words/s" in r.stderr and "Traceback" not in r.stderr


# -- queries ----------------------------------------------------------------------
def test_similar_finds_same_topic_words(vectors):
    r = fastw2v("similar", "t0w0", "t1w0", "--vectors", vectors, "--topn", "5")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "t0w0" and lines[6] == "t1w0"
    assert all(line.split()[0].startswith("t0") for line in lines[1:6])
    assert all(line.split()[0].startswith("t1") for line in lines[7:12])


def test_analogy(vectors):
    r = fastw2v("analogy", "t0w0", "t0w1", "t1w0", "--vectors", vectors, "-n", "3")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "t0w0 : t0w1 :: t1w0 : ?" and len(lines) == 4
    assert all(len(line.split()) == 2 for line in lines[1:])


def test_text_vectors_are_detected(vectors, tmp_path):
    text = tmp_path / "v.txt"
    KeyedVectors.load_word2vec_format(vectors, binary=True).save_word2vec_format(text, binary=False)
    assert fastw2v("similar", "t0w0", "--vectors", text).stdout == fastw2v("similar", "t0w0", "--vectors",
                                                                           vectors).stdout


def test_evaluate(vectors, tmp_path):
    pytest.importorskip("fastw2v.evaluation")
    pytest.importorskip("scipy")
    analogies = tmp_path / "questions.txt"
    analogies.write_text(": topics\nt0w0 t0w1 t1w0 t1w1\nt0w2 t0w3 t2w2 t2w3\n")
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("t0w0\tt0w1\t9.0\nt0w0\tt1w1\t1.0\nt1w2\tt1w3\t8.5\nt2w0\tt3w0\t0.5\nt2w1\tt2w4\t9.5\n")
    r = fastw2v("evaluate", "--vectors", vectors, "--analogies", analogies, "--pairs", pairs)
    assert r.returncode == 0, r.stderr
    assert "analogies:" in r.stdout and "of 2 questions" in r.stdout
    assert "Spearman" in r.stdout
    # --restrict-vocab as gensim's restrict_vocab: the same scores as the API's
    kv = KeyedVectors.load_word2vec_format(vectors, binary=True)
    rare = kv.index_to_key[-1]
    analogies.write_text(f": topics\nt0w0 t0w1 t1w0 t1w1\n: rare\n{rare} t0w1 t1w0 t1w1\n")
    for n in (len(kv), len(kv) - 1):
        r = fastw2v("evaluate", "--vectors", vectors, "--analogies", analogies, "--pairs", pairs,
                    "--restrict-vocab", n, "--sections")
        assert r.returncode == 0, r.stderr
        score, sections = kv.evaluate_word_analogies(analogies, restrict_vocab=n)
        asked = len(sections[-1]["correct"]) + len(sections[-1]["incorrect"])
        assert f"correct of {asked:,} questions" in r.stdout
        assert asked == (2 if n == len(kv) else 1)
        assert ("  rare: " in r.stdout) == (n == len(kv))
        assert f"  topics: {len(sections[0]['correct']) / 1:.1%} (" in r.stdout
        spearman = kv.evaluate_word_pairs(pairs, restrict_vocab=n)[1][0]
        assert f"Spearman {spearman:.4f}" in r.stdout
    fails_with(fastw2v("evaluate", "--vectors", vectors, "--pairs", pairs, "--restrict-vocab", "0"),
               "--restrict-vocab must be >= 1")


def test_project(vectors, tmp_path):
    pytest.importorskip("fastw2v.projection")
    pytest.importorskip("matplotlib")
    out = tmp_path / "plot.png"
    r = fastw2v("project", "--vectors", vectors, "--words", "t0w0", "t0w1", "t1w0", "--out", out)
    assert r.returncode == 0, r.stderr
    assert out.read_bytes()[:4] == b"\x89PNG"


# -- clear errors -------------------------------------------------------------------
@pytest.mark.parametrize("flags, fragment", [
    (["-size", "0"], "vector_size must be an integer >= 1, got 0 (option -size)"),
    (["-window", "0"], "window must be an integer >= 1"),
    (["-negative", "-1"], "negative must be an integer >= 0"),
    (["-hs", "0", "-negative", "0"], "hs=0 and negative=0 leave no training objective"),
    (["-sample", "-1"], "sample must be >= 0"),
    (["-alpha", "0"], "alpha must be > 0"),
    (["-threads", "0"], "workers must be an integer >= 1, got 0 (option -threads)"),
    (["-min-count", "1000000"], "the vocabulary is empty"),
    (["-classes", "-1"], "-classes must be >= 0 (0 writes the vectors), got -1"),
])
def test_invalid_values(corpus, tmp_path, flags, fragment):
    fails_with(fastw2v("train", "-train", corpus, "-output", tmp_path / "v.txt", *flags), fragment)


def test_bad_command_lines(corpus, tmp_path):
    fails_with(fastw2v("train", "-train", corpus, "-cbow-mean", "1"), "unrecognized arguments: -cbow-mean", 2)
    fails_with(fastw2v("train", "-train", corpus, "-size", "ten"), "argument -size", 2)
    fails_with(fastw2v("train", "-train", corpus, "-binary", "yes"), "argument -binary", 2)
    fails_with(fastw2v("train", "-output", tmp_path / "v.txt"), "required: -train", 2)
    # flags are matched whole, as word2vec.c does (argparse would take -siz for -size)
    fails_with(fastw2v("train", "-train", corpus, "-siz", "20"), "unrecognized arguments: -siz", 2)
    fails_with(fastw2v("phrases", "-train", corpus, "-output", tmp_path / "p.txt", "-thresh", "5"),
               "unrecognized arguments: -thresh", 2)
    # values past what the kernels hold, or memory, are one line too
    fails_with(fastw2v("train", "-train", corpus, "-window", str(2**31)), "window must be an integer <= 2147483647")
    fails_with(fastw2v("train", "-train", corpus, "-output", tmp_path / "v.txt", "-size", str(10**9),
                       "-min-count", "1"), "out of memory")


def test_switches_and_sample_read_as_word2vec_c(corpus, tmp_path):
    """word2vec.c: -hs/-cbow/-binary are on when non-zero; -sample is a fraction of the
    corpus, so 1 or more keeps every word (as 0 does), never gensim's absolute count."""
    out = tmp_path / "v.bin"
    ok = fastw2v("train", "-train", corpus, "-output", out, "-binary", "7", "-hs", "2", "-negative", "0",
                 "-cbow", "3", "-size", "8", "-iter", "1", "-threads", "1", "--save-model", tmp_path / "m")
    assert ok.returncode == 0, ok.stderr
    model = Word2Vec.load(tmp_path / "m")
    assert model.hs == 1 and model.sg == 0
    assert KeyedVectors.load_word2vec_format(out, binary=True).vectors.shape[1] == 8  # a binary file
    for sample in ("1", "5"):
        fastw2v("train", "-train", corpus, "-output", out, "-sample", sample, "-size", "8", "-iter", "1",
                "-threads", "1", "--save-model", tmp_path / "m")
        assert Word2Vec.load(tmp_path / "m").sample == 0


def test_bad_inputs(corpus, vectors, tmp_path):
    out = tmp_path / "v.txt"
    fails_with(fastw2v("similar", "t0w0", "--vectors", vectors, "-n", "-3"), "must be at least 1", 2)
    fails_with(fastw2v("train", "-train", tmp_path / "missing.txt", "-output", out),
               f"corpus file not found: {tmp_path / 'missing.txt'}")
    fails_with(fastw2v("train", "-train", tmp_path, "-output", out), "corpus file is a directory")
    (tmp_path / "empty.txt").write_text("\n\n")
    fails_with(fastw2v("train", "-train", tmp_path / "empty.txt", "-output", out), "the corpus is empty")
    fails_with(fastw2v("train", "-train", corpus, "-output", tmp_path / "nowhere" / "v.txt"),
               f"output directory does not exist: {tmp_path / 'nowhere'}")
    fails_with(fastw2v("train", "-train", corpus, "-read-vocab", tmp_path / "nope.txt", "-output", out),
               "vocabulary file not found")
    (tmp_path / "junk.txt").write_text("hello world\nthis is not vectors\n")
    fails_with(fastw2v("similar", "hello", "--vectors", tmp_path / "junk.txt"), "expected a header")
    fails_with(fastw2v("similar", "t0w0", "--vectors", tmp_path / "missing.bin"), "vectors file not found")
    fails_with(fastw2v("similar", "t0w0", "xyzzy", "--vectors", vectors), "'xyzzy' not present in vocabulary")
    fails_with(fastw2v("analogy", "t0w0", "plugh", "t1w0", "--vectors", vectors), "'plugh'")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root may write anywhere")
def test_unwritable_output_directory(corpus, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    fails_with(fastw2v("train", "-train", corpus, "-output", locked / "v.txt"),
               f"output directory is not writable: {locked}")


# -- demo ---------------------------------------------------------------------------
def test_demo_small():
    r = fastw2v("demo", "--small", "--quiet")
    assert r.returncode == 0, r.stderr
    assert "nearest neighbours" in r.stdout and "words/s" in r.stdout
    assert "king" in r.stdout and " : king :: " in r.stdout


# -- the original tool, when installed (pip install word2vec) ----------------------
def _word2vec_c():
    path = shutil.which("word2vec")
    if path is None:
        return None
    help_text = subprocess.run([path], capture_output=True, text=True).stdout
    return path if "-read-vocab" in help_text else None


@pytest.mark.skipif(_word2vec_c() is None, reason="word2vec.c's `word2vec` command is not installed")
def test_vocab_files_match_word2vec_c(corpus, tmp_path):
    ours, theirs = tmp_path / "ours.txt", tmp_path / "theirs.txt"
    assert fastw2v("train", "-train", corpus, "-save-vocab", ours, "-min-count", "1", "-q").returncode == 0
    subprocess.run([_word2vec_c(), "-train", corpus, "-save-vocab", theirs, "-min-count", "1", "-debug", "0"],
                   capture_output=True, check=True, timeout=60)
    # the same file: words, counts, the </s> line, and tied words in word2vec.c's order
    # (first occurrence first; the planted corpus has many ties at every count)
    lines = open(theirs).readlines()
    assert len({line.split()[1] for line in lines}) < len(lines) - 10
    assert open(ours).readlines() == lines
    assert lines[0] == "</s> 2000\n"
    # each reads the other's file
    r = fastw2v("train", "-train", corpus, "-read-vocab", theirs, "-output", tmp_path / "v.txt", "-q", *SMALL)
    assert r.returncode == 0, r.stderr
    subprocess.run([_word2vec_c(), "-train", corpus, "-read-vocab", ours, "-output", tmp_path / "c.txt",
                    "-size", "8", "-iter", "1", "-threads", "1", "-debug", "0"],
                   capture_output=True, check=True, timeout=60)
    assert fastw2v("similar", "t0w0", "--vectors", tmp_path / "c.txt").returncode == 0


def test_vocab_file_counts_sentence_ends_as_word2vec_c(corpus, tmp_path):
    """word2vec.c's </s> count is every newline (blank lines too), plus literal </s> tokens."""
    odd = tmp_path / "odd.txt"
    lines = open(corpus).read().splitlines()[:300]
    odd.write_text("".join(line + "\n\n" for line in lines) + "t0w1 </s> t0w2 </s>\n\n")
    ours, theirs = tmp_path / "ours.txt", tmp_path / "theirs.txt"
    assert fastw2v("train", "-train", odd, "-save-vocab", ours, "-min-count", "1", "-q").returncode == 0
    subprocess.run([_word2vec_c(), "-train", odd, "-save-vocab", theirs, "-min-count", "1", "-debug", "0"],
                   capture_output=True, check=True, timeout=60)
    assert open(ours).read() == open(theirs).read()
    assert open(ours).readline() == "</s> 604\n"


# -- train --scheduler (fastw2v.distributed) -------------------------------------------
def test_train_on_a_dask_cluster(tmp_path):
    distributed = pytest.importorskip("distributed")
    sentences = planted_topics(n_sentences=2000)
    for i in range(2):
        write_corpus(tmp_path / f"part-{i}.txt", sentences[i::2])
    out, vocab = tmp_path / "v.txt", tmp_path / "vocab.txt"
    common = ["-min-count", "1", "-size", "16", "-iter", "4", "-threads", "1", "-sample", "0"]
    with distributed.LocalCluster(n_workers=2, threads_per_worker=2, processes=True,
                                  dashboard_address=":0") as cluster:
        address = cluster.scheduler_address
        r = fastw2v("train", "-train", tmp_path / "part-*.txt", "-output", out, "-save-vocab", vocab, *common,
                    "--scheduler", address, "--sync-every", "2000")
        vocab_only = fastw2v("train", "-train", tmp_path / "part-*.txt", "-save-vocab", tmp_path / "only.txt",
                             *common, "--scheduler", address)
        strict = fastw2v("train", "-train", tmp_path / "part-0.txt", "-output", out, "--strict",
                         "--scheduler", address)
        missing = fastw2v("train", "-train", tmp_path / "nothing-*.txt", "-output", out, "--scheduler", address)
        bad_sync = fastw2v("train", "-train", tmp_path / "part-0.txt", "-output", out, "--scheduler", address,
                           "--sync-every", "0")
    assert r.returncode == 0, r.stderr
    assert "on 2 shards" in r.stderr and "synchronisations" in r.stderr
    kv = KeyedVectors.load_word2vec_format(out, binary=False)
    assert kv.vectors.shape == (100, 16)
    hits = sum(w.startswith(f"t{t}w") for t in range(5) for w, _ in kv.most_similar(f"t{t}w0", topn=5))
    assert hits >= 0.9 * 25
    words = [line.split()[0] for line in open(vocab, encoding="utf-8")]
    assert words[0] == "</s>" and sorted(words[1:]) == sorted(kv.index_to_key)
    assert vocab_only.returncode == 0, vocab_only.stderr
    assert "vocabulary only" in vocab_only.stderr
    assert open(tmp_path / "only.txt", encoding="utf-8").read() == open(vocab, encoding="utf-8").read()
    fails_with(strict, "--strict cannot be combined with --scheduler", status=2)
    fails_with(missing, "no corpus file matches")
    fails_with(bad_sync, "--sync-every must be a positive number")


@pytest.mark.skipif(_word2vec_c() is None, reason="word2vec.c's `word2vec` command is not installed")
def test_classes_match_word2vec_c(corpus, tmp_path):
    from fastw2v.clustering import word_classes
    # one thread: word2vec.c trains the same vectors in both runs, so its classes
    # can be recomputed from the vectors of the first
    common = ["-train", corpus, "-size", "12", "-iter", "1", "-threads", "1", "-min-count", "1", "-debug", "0"]
    subprocess.run([_word2vec_c(), *common, "-output", tmp_path / "v.bin", "-binary", "1"],
                   capture_output=True, check=True, timeout=60)
    for k in (3, 7, 150):  # 150: more classes than words, as word2vec.c allows
        subprocess.run([_word2vec_c(), *common, "-output", tmp_path / "c.txt", "-classes", str(k)],
                       capture_output=True, check=True, timeout=60)
        theirs = [line.split() for line in open(tmp_path / "c.txt", encoding="utf-8")]
        kv = KeyedVectors.load_word2vec_format(tmp_path / "v.bin", binary=True)
        assert [w for w, _ in theirs] == kv.index_to_key  # </s> included: word2vec.c gives it a vector
        assert word_classes(kv, k).tolist() == [int(c) for _, c in theirs]
