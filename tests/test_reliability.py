"""Reliability: Ctrl-C and checkpoints during training, crash-safe saves,
refusing code in model files, and training beside concurrent queries."""
import errno
import json
import os
import pickle
import signal
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import pytest

from conftest import PACKAGE_PARENT, TESTS_DIR, planted_topics, write_corpus
from fastw2v import KeyedVectors, Word2Vec, native
from fastw2v.callbacks import CallbackAny2Vec
from fastw2v.checkpoint import parse_interval

ENV = dict(os.environ, PYTHONPATH=PACKAGE_PARENT + os.pathsep + os.environ.get("PYTHONPATH", ""))


def _child(code: str) -> subprocess.Popen:
    # cwd outside the repository, so a source checkout cannot shadow the installed package
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=ENV, cwd=TESTS_DIR)


def _small_model(epochs=1, **kwargs):
    sentences = planted_topics(n_sentences=400)
    params = dict(vector_size=12, min_count=1, workers=1, seed=3, epochs=epochs)
    params.update(kwargs)
    return Word2Vec(sentences, **params), sentences


# -- Ctrl-C, checkpoints, resume --------------------------------------------

@pytest.mark.parametrize("source", ["corpus_file", "corpus_iterable"])
def test_sigint_stops_training_within_a_second_and_leaves_a_resumable_checkpoint(tmp_path, source):
    corpus = write_corpus(tmp_path / "c.txt", planted_topics(n_sentences=20000, length=20))
    checkpoint = tmp_path / "ck.model"
    child = _child(f"""
        import json, sys, time
        from fastw2v import Word2Vec
        from fastw2v.callbacks import CallbackAny2Vec

        class Started(CallbackAny2Vec):
            said = False
            def on_batch_end(self, model):
                if not self.said and model._params.progress > 0:
                    self.said = True
                    print("started", flush=True)

        if {source!r} == "corpus_file":
            corpus = dict(corpus_file={corpus!r})
        else:  # a plain list: trained through the iterable path's queue
            corpus = dict(corpus_iterable=[line.split() for line in open({corpus!r})])
        model = Word2Vec(vector_size=32, min_count=1, workers=2, seed=1)
        model.build_vocab(**corpus)
        try:
            model.train(**corpus, epochs=1000, callbacks=[Started()], report_delay=0.1, total_examples=20000,
                        checkpoint_every="1h", checkpoint_path={str(checkpoint)!r})
        except KeyboardInterrupt:
            stopped = time.time()
            print(json.dumps({{"stopped": stopped, "interrupted": model.training_interrupted,
                               "progress": model.training_progress, "state": model.training_state,
                               "similar": model.wv.most_similar("t0w0", topn=1)[0][0]}}), flush=True)
    """)
    try:
        assert child.stdout.readline().strip() == "started", child.stderr.read()
        time.sleep(0.3)
        sent = time.time()
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=30)
    finally:
        child.kill()
    report = json.loads(out.strip().splitlines()[-1])
    assert report["stopped"] - sent < 1.5, err   # threads stop at the next batch boundary
    assert report["interrupted"] and 0 < report["progress"] < 1
    assert report["similar"].startswith("t0")    # the vectors are usable
    state = report["state"]
    assert state["epochs"] == 1000 and 0 <= state["epoch"] < 1000
    # the interrupt wrote a last checkpoint carrying the same state
    loaded = Word2Vec.load(checkpoint)
    assert loaded.training_state == state
    assert loaded.wv.most_similar("t0w0", topn=1)[0][0].startswith("t0")


@pytest.mark.parametrize("source", ["corpus_file", "corpus_iterable"])
def test_sigint_swallowed_by_a_weakref_callback_still_stops_training(tmp_path, source):
    # CPython drops a KeyboardInterrupt raised inside a weakref callback ("Exception
    # ignored"); the garbage collector can run one at any moment, so a real Ctrl-C
    # can land there. Here it always does: training must stop all the same.
    corpus = write_corpus(tmp_path / "c.txt", planted_topics(n_sentences=2000, length=20))
    child = _child(f"""
        import json, os, signal, weakref
        from fastw2v import Word2Vec
        from fastw2v.callbacks import CallbackAny2Vec

        class Thing:
            pass

        def interrupt_inside(ref):
            os.kill(os.getpid(), signal.SIGINT)
            sum(range(1000))  # the handler runs here, and its exception is swallowed

        class Once(CallbackAny2Vec):
            done = False
            def on_batch_end(self, model):
                if not self.done and model._params.progress > 0:
                    self.done = True
                    thing = Thing()
                    self.ref = weakref.ref(thing, interrupt_inside)
                    del thing

        corpus = (dict(corpus_file={str(corpus)!r}) if {source!r} == "corpus_file"
                  else dict(corpus_iterable=[line.split() for line in open({str(corpus)!r})]))
        model = Word2Vec(vector_size=16, min_count=1, workers=2, seed=1)
        model.build_vocab(**corpus)
        try:
            model.train(**corpus, epochs=100000, callbacks=[Once()], report_delay=0.05, total_examples=2000)
            print(json.dumps({{"interrupted": False}}), flush=True)
        except KeyboardInterrupt:
            print(json.dumps({{"interrupted": model.training_interrupted,
                               "progress": model.training_progress}}), flush=True)
        """)
    try:
        out, err = child.communicate(timeout=60)
    finally:
        child.kill()
    assert "Exception ignored" in err  # the interrupt really was swallowed
    report = json.loads(out.strip().splitlines()[-1])
    assert report["interrupted"] and 0 < report["progress"] < 0.01, err


class _InterruptAfter(CallbackAny2Vec):
    """Simulates Ctrl-C on the training thread after ``n`` epochs."""

    def __init__(self, n):
        self.n, self.seen = n, 0

    def on_epoch_end(self, model):
        self.seen += 1
        if self.seen == self.n:
            raise KeyboardInterrupt


class _Record(CallbackAny2Vec):
    def __init__(self):
        self.alphas = []

    def on_epoch_end(self, model):
        self.alphas.append(model.epoch_stats["alpha"])


def test_resume_skips_finished_epochs_and_continues_the_learning_rate(tmp_path):
    sentences = planted_topics(n_sentences=2000)
    base = dict(vector_size=16, min_count=1, workers=1, seed=5)

    full = Word2Vec(**base)
    full.build_vocab(sentences)
    record = _Record()
    full.train(sentences, total_examples=full.corpus_count, epochs=4, callbacks=[record])
    assert full.training_state is None

    first = Word2Vec(**base)
    first.build_vocab(sentences)
    path = tmp_path / "ck.model"
    with pytest.raises(KeyboardInterrupt):
        first.train(sentences, total_examples=first.corpus_count, epochs=4, callbacks=[_InterruptAfter(2)],
                    checkpoint_every="1h", checkpoint_path=path)
    assert first.training_interrupted
    assert first.training_state["epoch"] == 2
    assert first.training_progress == pytest.approx(0.5, abs=0.01)

    resumed = Word2Vec.load(path)
    assert resumed.training_state == first.training_state
    resumed_record = _Record()
    resumed.train(sentences, total_examples=resumed.corpus_count, resume=True, callbacks=[resumed_record])
    assert len(resumed_record.alphas) == 2          # epochs 0 and 1 are not trained again
    np.testing.assert_allclose(resumed_record.alphas, record.alphas[2:], rtol=0.02)
    assert resumed.training_state is None and resumed.training_progress == pytest.approx(1.0, abs=0.01)
    assert resumed.wv.most_similar("t0w0", topn=1)[0][0].startswith("t0")
    with pytest.raises(ValueError, match="resume=True needs a training_state"):
        resumed.train(sentences, total_examples=resumed.corpus_count, resume=True)
    with pytest.raises(ValueError, match="saved schedule of 4 epochs"):
        Word2Vec.load(path).train(sentences, total_examples=resumed.corpus_count, epochs=7, resume=True)


@pytest.mark.parametrize("every, epochs", [("20000w", 6), (0.02, 100)])
def test_checkpoints_are_saved_during_training(tmp_path, every, epochs):
    sentences = planted_topics(n_sentences=3000)
    model = Word2Vec(vector_size=8, min_count=1, workers=2, seed=1)
    model.build_vocab(sentences)
    path = tmp_path / "ck.model"
    saves = []
    real_save = model.save_checkpoint
    model.save_checkpoint = lambda *a: (saves.append(a[1]), real_save(*a))
    model.train(sentences, total_examples=model.corpus_count, epochs=epochs, checkpoint_every=every,
                checkpoint_path=path, report_delay=0.01)
    assert len(saves) >= 2
    assert [s["progress"] for s in saves] == sorted(s["progress"] for s in saves)
    state = Word2Vec.load(path).training_state
    assert state == saves[-1]
    assert state["epochs"] == epochs and 0 < state["progress"] <= state["schedule_words"]
    # only the newest checkpoint's arrays remain
    arrays = [f for f in os.listdir(tmp_path) if f.endswith(".npy")]
    assert len(arrays) == 4, arrays


@pytest.mark.parametrize("value, expected", [
    ("30s", ("seconds", 30.0)), ("5m", ("seconds", 300.0)), ("1h", ("seconds", 3600.0)),
    ("1000000w", ("words", 1e6)), (2.5, ("seconds", 2.5)), (5000, ("words", 5000.0)),
])
def test_checkpoint_interval_forms(value, expected):
    assert parse_interval(value) == expected


@pytest.mark.parametrize("value", ["30", "s", "-3s", "0w", "3 parsecs", True, None, [1]])
def test_checkpoint_interval_errors(value):
    with pytest.raises((ValueError, TypeError), match="checkpoint_every"):
        parse_interval(value)


def test_checkpoint_needs_a_path():
    model, sentences = _small_model()
    with pytest.raises(ValueError, match="checkpoint_path"):
        model.train(sentences, total_examples=model.corpus_count, epochs=1, checkpoint_every="1s")


# -- crash-safe saves --------------------------------------------------------

_SAVER = """
    import sys
    import numpy as np
    from fastw2v import Word2Vec
    sentences = [[f"w{{i}}" for i in range(j, j + 10)] for j in range(3000)]
    models = []
    for fill in (1.0, 2.0):
        m = Word2Vec(vector_size=64, min_count=1, workers=1, negative=2)
        m.build_vocab(sentences)
        m.wv.vectors[:] = fill
        m.syn1neg[:] = fill
        m.comment = str(fill)
        models.append(m)
    models[0].save({path!r})
    models[0].wv.save_word2vec_format({path!r} + ".bin", binary=True)
    print("ready", flush=True)
    i = 0
    while True:
        i += 1
        m = models[i % 2]
        m.save({path!r})
        m.wv.save_word2vec_format({path!r} + ".bin", binary=True)
"""


def test_killing_a_saving_process_leaves_a_whole_model(tmp_path):
    path = str(tmp_path / "m.model")
    rng = np.random.default_rng(0)
    for attempt in range(4):
        child = _child(_SAVER.format(path=path))
        try:
            assert child.stdout.readline().strip() == "ready", child.stderr.read()
            time.sleep(float(rng.uniform(0.05, 0.6)))
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=30)
        finally:
            child.kill()
            child.communicate()
        model = Word2Vec.load(path)
        fill = float(model.comment)
        assert fill in (1.0, 2.0)
        # header and every array come from the same save
        assert np.all(model.wv.vectors == fill) and np.all(model.syn1neg == fill)
        kv = KeyedVectors.load_word2vec_format(path + ".bin", binary=True)
        assert len(kv) == 3009 and np.all(kv.vectors == kv.vectors[0, 0])


def _fail_fsync(monkeypatch, after: int):
    """The ``after``-th fsync (and later ones) fails as on a full disk."""
    calls = {"n": 0}
    real = os.fsync

    def fsync(fd):
        calls["n"] += 1
        if calls["n"] > after:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(fd)

    monkeypatch.setattr(native.os, "fsync", fsync)


def _fail_array_write(monkeypatch, after: int):
    """The ``after``-th array written (and later ones) stops half-way with a full disk."""
    calls = {"n": 0}
    real = np.save

    def save(fh, arr, allow_pickle=True):
        calls["n"] += 1
        if calls["n"] > after:
            fh.write(b"\x93NUMPY" + b"\0" * 100)
            raise OSError(errno.ENOSPC, "No space left on device")
        real(fh, arr, allow_pickle=allow_pickle)

    monkeypatch.setattr(native.np, "save", save)


@pytest.mark.parametrize("failure, after", [(_fail_fsync, 0), (_fail_fsync, 1), (_fail_fsync, 2),
                                            (_fail_fsync, 4), (_fail_array_write, 0), (_fail_array_write, 3)])
def test_a_native_save_failing_part_way_keeps_the_previous_model(tmp_path, monkeypatch, failure, after):
    model, _ = _small_model()
    path = tmp_path / "m.model"
    model.save(path)
    before = sorted(os.listdir(tmp_path))
    old_vectors = model.wv.vectors.copy()
    model.wv.vectors += 1
    model.comment = "new"
    failure(monkeypatch, after)
    with pytest.raises(OSError, match="No space"):
        model.save(path)
    monkeypatch.undo()
    assert sorted(os.listdir(tmp_path)) == before      # no temporary or half-written files left
    loaded = Word2Vec.load(path)
    assert loaded.comment is None
    np.testing.assert_array_equal(loaded.wv.vectors, old_vectors)


@pytest.mark.parametrize("kind", ["text", "binary", "vocab"])
def test_a_word2vec_format_save_failing_part_way_keeps_the_previous_file(tmp_path, monkeypatch, kind):
    model, _ = _small_model()
    path, vocab = tmp_path / "v.txt", tmp_path / "vocab.txt"
    model.wv.save_word2vec_format(path, fvocab=vocab, binary=kind == "binary")
    before = {p: p.read_bytes() for p in (path, vocab)}
    model.wv.vectors += 1
    _fail_fsync(monkeypatch, 1 if kind == "vocab" else 0)
    with pytest.raises(OSError, match="No space"):
        model.wv.save_word2vec_format(path, fvocab=vocab, binary=kind == "binary")
    monkeypatch.undo()
    assert {p: p.read_bytes() for p in (path, vocab)} == before
    assert sorted(os.listdir(tmp_path)) == ["v.txt", "vocab.txt"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_atomic_saves_write_through_links_and_into_special_files(tmp_path):
    """A symlink stays a link (the file it names is replaced), and a FIFO or device
    (`-output /dev/null`) is written into: renaming over it would destroy the node."""
    import stat
    real = tmp_path / "real.txt"
    real.write_text("old")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    native._atomic_write(str(link), lambda fh: fh.write(b"new"))
    assert link.is_symlink() and real.read_text() == "new"
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    native._atomic_write(str(fifo), lambda fh: fh.write(b"data"))
    reader.join(10)
    assert got == [b"data"] and stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.txt", "pipe", "real.txt"]  # no temporary left


def test_atomic_saves_leave_the_permissions_a_plain_write_would(tmp_path):
    """The temporary file behind an atomic save is created 0o600; the saved file
    must not be: a new one gets 0o666 less the umask, a replaced one keeps its mode."""
    model, _ = _small_model()
    old = os.umask(0o027)
    try:
        saves = {"v.bin": lambda p: model.wv.save_word2vec_format(p, binary=True),
                 "v.txt": lambda p: model.wv.save_word2vec_format(p),
                 "m.model": lambda p: model.save(p)}
        for name, save in saves.items():
            path = str(tmp_path / name)
            save(path)
            assert os.stat(path).st_mode & 0o777 == 0o640, name
            os.chmod(path, 0o604)
            save(path)
            assert os.stat(path).st_mode & 0o777 == 0o604, name
        npys = [p for p in os.listdir(tmp_path) if p.endswith(".npy")]
        assert npys and all(os.stat(tmp_path / p).st_mode & 0o777 == 0o640 for p in npys)
    finally:
        os.umask(old)


# -- opening a file never runs code ---------------------------------------------

class _Payload:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.mkdir, (self.marker,))


def test_a_model_doctored_with_a_pickle_payload_is_refused(tmp_path):
    model, _ = _small_model()
    path = tmp_path / "m.model"
    model.save(path)
    marker = str(tmp_path / "payload-ran")
    header = json.loads(path.read_text())

    # 1. an array file replaced by a pickled object array
    vectors_file = tmp_path / header["files"]["vectors"]
    with open(vectors_file, "wb") as fh:
        np.save(fh, np.array([_Payload(marker)], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError, match="cannot read"):
        Word2Vec.load(path)
    # 2. the header itself replaced by a pickle
    path.write_bytes(pickle.dumps(_Payload(marker)))
    with pytest.raises(ValueError, match="pickle"):
        Word2Vec.load(path)
    with pytest.raises(ValueError, match="pickle"):
        KeyedVectors.load(path)
    assert not os.path.exists(marker)


def test_a_doctored_header_cannot_point_outside_the_model_directory(tmp_path):
    model, _ = _small_model()
    (tmp_path / "inner").mkdir()
    path = tmp_path / "inner" / "m.model"
    model.save(path)
    header = json.loads(path.read_text())
    outside = tmp_path / "secret.npy"
    np.save(outside, np.zeros((len(model.wv), model.vector_size), np.float32))
    header["files"]["vectors"] = "../secret.npy"
    path.write_text(json.dumps(header))
    with pytest.raises(FileNotFoundError, match="inner"):
        Word2Vec.load(path)


def test_native_files_cut_at_any_offset_raise_clear_errors(tmp_path):
    model, _ = _small_model()
    path = tmp_path / "m.model"
    model.save(path)
    header_bytes = path.read_bytes()
    vectors_file = tmp_path / json.loads(header_bytes)["files"]["vectors"]
    array_bytes = vectors_file.read_bytes()
    for cut in sorted(set(np.linspace(0, len(header_bytes) - 1, 40).astype(int))):
        path.write_bytes(header_bytes[:cut])
        with pytest.raises(ValueError, match="m.model"):
            Word2Vec.load(path)
    path.write_bytes(header_bytes)
    for cut in sorted(set(np.linspace(0, len(array_bytes) - 1, 40).astype(int))):
        vectors_file.write_bytes(array_bytes[:cut])
        with pytest.raises(ValueError, match="vectors"):
            Word2Vec.load(path)


@pytest.mark.parametrize("binary", [False, True])
def test_word2vec_files_cut_at_any_offset_raise_errors_with_positions(tmp_path, binary):
    kv = KeyedVectors(4)
    kv.add_vectors([f"w{i}" for i in range(30)], np.random.default_rng(0).random((30, 4), dtype=np.float32))
    path = tmp_path / "v.bin"
    kv.save_word2vec_format(path, binary=binary)
    data = path.read_bytes()
    cut_path = tmp_path / "cut.bin"
    # a text file cut inside its last number still parses (a shorter number is
    # valid, and the final newline is optional), so text cuts stop before the last line
    end = len(data) - 2 if binary else data.rindex(b"\n", 0, len(data) - 1)
    for cut in sorted(set(np.linspace(1, end, 60).astype(int))):
        cut_path.write_bytes(data[:cut])
        with pytest.raises(ValueError, match=r"line \d|byte \d|found \d+|after \d+"):
            KeyedVectors.load_word2vec_format(cut_path, binary=binary)


def test_big_endian_or_wrong_dtype_arrays(tmp_path):
    model, sentences = _small_model()
    path = tmp_path / "m.model"
    model.save(path)
    files = json.loads(path.read_text())["files"]
    for name in ("vectors", "syn1neg"):
        array_file = tmp_path / files[name]
        np.save(array_file, np.load(array_file).astype(">f4"))
    loaded = Word2Vec.load(path)                  # converted: usable for queries and training
    np.testing.assert_array_equal(loaded.wv.vectors, model.wv.vectors)
    loaded.train(sentences, total_examples=loaded.corpus_count, epochs=1)
    np.save(tmp_path / files["vectors"], model.wv.vectors.astype(np.float64))
    with pytest.raises(ValueError, match="vectors has dtype float64, expected float32"):
        Word2Vec.load(path)


def _rss_mib() -> float:
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:")) / 1024


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="needs Linux /proc")
def test_mmap_load_does_not_read_the_matrix(tmp_path):
    model = Word2Vec(vector_size=256, min_count=1, workers=1, negative=1)
    model.build_vocab_from_freq({f"w{i}": 50_000 - i for i in range(50_000)})   # 2 x 49 MiB matrices
    path = tmp_path / "m.model"
    model.save(path)
    expected = model.wv.vectors[123].copy()
    del model
    before = _rss_mib()
    loaded = Word2Vec.load(path, mmap="r")
    grown = _rss_mib() - before
    assert isinstance(loaded.wv.vectors, np.memmap) and not loaded.wv.vectors.flags.writeable
    assert grown < 30, f"loading with mmap='r' grew RSS by {grown:.0f} MiB"
    np.testing.assert_array_equal(loaded.wv.vectors[123], expected)


def test_version_1_files_still_load(tmp_path):
    model, _ = _small_model()
    path = str(tmp_path / "old.model")
    arrays = {"vectors": model.wv.vectors, "counts": model.wv.expandos["count"],
              "vectors_lockf": model.wv.vectors_lockf, "syn1neg": model.syn1neg}
    for name, arr in arrays.items():
        np.save(native.array_path(path, name), arr)
    meta = {"class": "Word2Vec", **{k: getattr(model, k) for k in Word2Vec._PARAMS}}
    meta.update(native.pack_keys(model.wv.index_to_key)[0])
    with open(path, "w") as fh:
        json.dump({"format": "fastw2v", "version": 1, "meta": meta, "arrays": sorted(arrays)}, fh)
    loaded = Word2Vec.load(path)
    np.testing.assert_array_equal(loaded.wv.vectors, model.wv.vectors)
    loaded.save(path)  # rewriting in the current layout removes the old array files
    assert not os.path.exists(native.array_path(path, "vectors"))
    np.testing.assert_array_equal(Word2Vec.load(path).wv.vectors, model.wv.vectors)


_WRONG_VALUES = (None, "x", [], {}, -1, 2.5, 10**30)


def _doctored_headers(header):
    """Every header with one entry removed or replaced by a value of another type."""
    for where in (header, header["meta"]):
        for key in list(where):
            saved = where.pop(key)
            yield f"no {key}"
            for value in _WRONG_VALUES:
                where[key] = value
                yield f"{key}={value!r}"
            where[key] = saved


def _saved_files(tmp_path):
    """(path, loader, use) for a Word2Vec model, its vectors, a Phrases and a FrozenPhrases."""
    from fastw2v.phrases import FrozenPhrases, Phrases
    model, sentences = _small_model(hs=1)
    phrases = Phrases(sentences, min_count=1, threshold=0.1)
    files = [(tmp_path / "m.model", model, Word2Vec.load,
              lambda m: (m.wv.most_similar(m.wv.index_to_key[0], topn=2),
                         m.train(sentences[:50], total_examples=50, epochs=1))),
             (tmp_path / "v.kv", model.wv, KeyedVectors.load,
              lambda kv: kv.most_similar(kv.index_to_key[0], topn=2)),
             (tmp_path / "p.phrases", phrases, Phrases.load, lambda p: p[sentences[0]]),
             (tmp_path / "f.phrases", phrases.freeze(), FrozenPhrases.load, lambda p: p[sentences[0]])]
    for path, obj, _, _ in files:
        obj.save(path)
    return [(path, load, use) for path, _, load, use in files]


def test_a_doctored_header_is_one_clear_error_or_a_working_model(tmp_path):
    # A hand-edited or corrupt header either loads into something that works, or
    # fails on load with a ValueError that names the file -- never a KeyError from
    # deep inside, and never a model whose first use crashes.
    for path, load, use in _saved_files(tmp_path):
        original = path.read_text()
        header = json.loads(original)
        for change in _doctored_headers(header):
            path.write_text(json.dumps(header))
            try:
                loaded = load(path)
            except (ValueError, FileNotFoundError) as exc:
                assert path.name in str(exc), (change, exc)
                continue
            use(loaded)
        path.write_text(original)
        for name, file in json.loads(original)["files"].items():
            content = (tmp_path / file).read_bytes()
            for wrong in (np.zeros(3), np.zeros((2, 2), np.int64), np.zeros(0, np.float32)):
                np.save(tmp_path / file, wrong)
                try:
                    loaded = load(path)
                except ValueError:
                    continue
                use(loaded)
            (tmp_path / file).write_bytes(content)


# -- concurrency ------------------------------------------------------------

def test_querying_while_another_thread_trains_does_not_crash():
    model, sentences = _small_model(workers=2)
    errors = []
    done = threading.Event()

    def query():
        while not done.is_set():
            try:
                model.wv.most_similar("t1w1", topn=3)
                model.wv.similarity("t0w0", "t0w1")
                _ = model.wv["t2w2"]
            except Exception as exc:  # pragma: no cover - the failure being tested for
                errors.append(exc)
                return

    readers = [threading.Thread(target=query) for _ in range(2)]
    for t in readers:
        t.start()
    try:
        model.train(sentences, total_examples=model.corpus_count, epochs=10)
    finally:
        done.set()
        for t in readers:
            t.join()
    assert not errors


def test_two_models_trained_at_once_do_not_interfere():
    sentences = planted_topics(n_sentences=1500)
    kwargs = [dict(vector_size=16, min_count=1, workers=1, seed=1, sg=1, epochs=3),
              dict(vector_size=24, min_count=1, workers=1, seed=2, sg=0, hs=1, negative=0, epochs=3)]
    alone = [Word2Vec(sentences, **k).wv.vectors for k in kwargs]
    together = [None, None]

    def train(i):
        together[i] = Word2Vec(sentences, **kwargs[i]).wv.vectors

    threads = [threading.Thread(target=train, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for a, b in zip(alone, together):
        np.testing.assert_array_equal(a, b)


def test_huge_windows_and_bad_schedules_are_safe(topic_corpus):
    """A window past any sentence piece runs as one (it once overflowed the scratch size
    and corrupted the heap); rates that would make NaN vectors are refused up front."""
    model = Word2Vec(topic_corpus, window=2**30, vector_size=8, min_count=1, workers=2, epochs=1, sg=1)
    assert np.isfinite(model.wv.vectors).all() and model.window == 2**30
    before = (model.epochs, model.alpha, model.min_alpha)
    for kwargs, match in (({"start_alpha": -1.0}, "start_alpha"), ({"start_alpha": float("nan")}, "start_alpha"),
                          ({"end_alpha": -5.0}, "end_alpha"), ({"total_words": float("nan")}, "total_words"),
                          ({"checkpoint_every": "abc", "checkpoint_path": "x"}, "interval|checkpoint")):
        with pytest.raises(ValueError, match=match):
            model.train(topic_corpus, total_examples=model.corpus_count, epochs=7, **kwargs)
        assert (model.epochs, model.alpha, model.min_alpha) == before  # a refused call changes nothing
    with pytest.raises(FileNotFoundError, match="output directory"):
        model.train(topic_corpus, total_examples=model.corpus_count, epochs=1, checkpoint_every="10w",
                    checkpoint_path="/nonexistent-dir/c.model")


def test_a_failing_callback_leaves_a_resumable_model(topic_corpus):
    class Boom:
        def on_epoch_end(self, model):
            if model.epoch_stats["epoch"] == 1:
                raise RuntimeError("boom")

    class Nested:
        def on_epoch_begin(self, model):
            model.train(topic_corpus, total_examples=model.corpus_count, epochs=1)

    model = Word2Vec(vector_size=8, min_count=1, workers=1)
    model.build_vocab(topic_corpus)
    with pytest.raises(RuntimeError, match="boom"):
        model.train(topic_corpus, total_examples=model.corpus_count, epochs=4, callbacks=[Boom()])
    assert model.training_interrupted and model.training_state["epoch"] == 2
    _, raw = model.train(topic_corpus, total_examples=model.corpus_count, resume=True)
    assert raw == 2 * model.corpus_total_words and model.training_state is None
    with pytest.raises(RuntimeError, match="already running"):  # one run at a time per model
        model.train(topic_corpus, total_examples=model.corpus_count, epochs=1, callbacks=[Nested()])


@pytest.mark.parametrize("mode", ["w+", "w"])
def test_write_mmap_modes_are_refused_before_any_file_is_opened(tmp_path, topic_corpus, mode):
    model = Word2Vec(topic_corpus, vector_size=8, min_count=1, workers=1, epochs=1)
    model.save(tmp_path / "m")
    sizes = {p.name: p.stat().st_size for p in tmp_path.iterdir()}
    for load in (Word2Vec.load, KeyedVectors.load, Word2Vec.load_gensim, KeyedVectors.load_gensim):
        with pytest.raises(ValueError, match="mmap"):
            load(tmp_path / "m", mmap=mode)
    assert {p.name: p.stat().st_size for p in tmp_path.iterdir()} == sizes
    np.testing.assert_array_equal(Word2Vec.load(tmp_path / "m").wv.vectors, model.wv.vectors)
