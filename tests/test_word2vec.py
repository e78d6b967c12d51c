"""Word2Vec end to end: gensim's idioms, reproducibility, both corpus paths, persistence."""
import collections
import hashlib
import os
import subprocess
import sys
import threading

import numpy as np
import pytest

from fastw2v import CallbackAny2Vec, KeyedVectors, StopTraining, Word2Vec

from conftest import PACKAGE_PARENT, TESTS_DIR, assert_gensim_huffman, planted_topics, write_corpus
MODES = [dict(sg=1, hs=0, negative=5), dict(sg=0, hs=0, negative=5), dict(sg=1, hs=1, negative=0),
         dict(sg=0, hs=1, negative=0), dict(sg=1, hs=1, negative=3), dict(sg=0, hs=0, negative=5, cbow_mean=0)]


def topic_precision(wv, n_topics=5, topn=10):
    hits = []
    for t in range(n_topics):
        for w in range(0, 20, 5):
            key = f"t{t}w{w}"
            hits += [k.startswith(f"t{t}w") for k, _ in wv.most_similar(key, topn=topn)]
    return float(np.mean(hits))


@pytest.mark.parametrize("mode", MODES, ids=lambda m: "-".join(f"{k}{v}" for k, v in m.items()))
def test_planted_topics_come_first(topic_corpus, mode):
    model = Word2Vec(topic_corpus, vector_size=24, min_count=1, workers=2, epochs=5, seed=3, **mode)
    assert topic_precision(model.wv) > 0.9


def test_workers_two_with_corpus_file(tmp_path, topic_corpus):
    path = write_corpus(tmp_path / "c.txt", topic_corpus)
    model = Word2Vec(corpus_file=path, vector_size=24, min_count=1, workers=2, epochs=5, sg=1)
    assert topic_precision(model.wv) > 0.9


def test_gensim_three_step_idiom(topic_corpus):
    model = Word2Vec(vector_size=16, min_count=1, workers=1, seed=2)
    model.build_vocab(corpus_iterable=topic_corpus)
    trained, raw = model.train(corpus_iterable=topic_corpus, total_examples=model.corpus_count,
                               epochs=model.epochs)
    assert raw == model.epochs * model.corpus_total_words
    assert 0 < trained <= raw
    assert model.wv.vectors.shape == (100, 16)
    assert model.syn1neg.shape == (100, 16) and model.syn1 is None
    with pytest.raises(ValueError, match="total_examples or total_words"):
        model.train(corpus_iterable=topic_corpus, epochs=1)
    with pytest.raises(ValueError, match="explicit epochs"):
        model.train(corpus_iterable=topic_corpus, total_examples=model.corpus_count)
    with pytest.raises(ValueError, match="total_examples or total_words"):  # gensim checks totals first
        model.train(corpus_iterable=topic_corpus)


def test_train_arguments_become_the_models_as_in_gensim(topic_corpus):
    """gensim's train() keeps the epochs, start_alpha and end_alpha it was given:
    a later train() without them starts from there."""
    gensim = pytest.importorskip("gensim.models")
    models = [lib(vector_size=8, min_count=1, workers=1, seed=1, epochs=3, alpha=0.03, min_alpha=0.001)
              for lib in (Word2Vec, gensim.Word2Vec)]
    for model in models:
        model.build_vocab(topic_corpus[:100])
        model.train(topic_corpus[:100], total_examples=100, epochs=1, start_alpha=0.02, end_alpha=0.01)
        model.train(topic_corpus[:100], total_examples=100, epochs=2, start_alpha=0.015)
    ours, theirs = models
    assert (ours.epochs, ours.alpha, ours.min_alpha) == (theirs.epochs, theirs.alpha, theirs.min_alpha) \
        == (2, 0.015, 0.01)
    # and the next run's schedule runs from the kept rates, not the constructor's:
    # halfway (after the first of 2 epochs) it is at their midpoint
    from fastw2v.callbacks import CallbackAny2Vec

    class FirstEpochAlpha(CallbackAny2Vec):
        def on_epoch_end(self, model):
            self.alpha = getattr(self, "alpha", model.epoch_stats["alpha"])

    seen = FirstEpochAlpha()
    ours.train(topic_corpus[:100], total_examples=100, epochs=ours.epochs, callbacks=[seen])
    assert seen.alpha == pytest.approx((0.015 + 0.01) / 2, abs=0.001)


@pytest.mark.parametrize("mode", MODES[:4], ids=["sg-ns", "cbow-ns", "sg-hs", "cbow-hs"])
def test_iterable_and_file_paths_give_identical_vectors(tmp_path, mode):
    sentences = planted_topics(n_sentences=600, length=12, seed=5)
    sentences += [[f"t0w{i % 20}" for i in range(23000)]]   # split into 10,000-token pieces on both paths
    path = write_corpus(tmp_path / "c.txt", sentences)
    a = Word2Vec(sentences, vector_size=20, min_count=1, workers=1, seed=7, epochs=2, **mode)
    b = Word2Vec(corpus_file=path, vector_size=20, min_count=1, workers=1, seed=7, epochs=2, **mode)
    assert a.wv.index_to_key == b.wv.index_to_key
    np.testing.assert_array_equal(a.wv.vectors, b.wv.vectors)


REPRO_SCRIPT = """
import sys, hashlib
sys.path.insert(0, {root!r})
from fastw2v import Word2Vec
sys.path.insert(0, {tests!r})
from conftest import planted_topics
m = Word2Vec(planted_topics(n_sentences=500), vector_size=16, min_count=1, workers=1, seed=11, epochs=2,
             sg={sg}, hs={hs}, negative={neg})
print(hashlib.sha256(m.wv.vectors.tobytes()).hexdigest())
"""


@pytest.mark.parametrize("sg,hs,neg", [(1, 0, 5), (0, 1, 0)])
def test_one_worker_with_seed_is_bit_identical_across_processes(sg, hs, neg):
    script = REPRO_SCRIPT.format(root=PACKAGE_PARENT, tests=TESTS_DIR, sg=sg, hs=hs, neg=neg)
    digests = {subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                              env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("0", "12345")}
    assert len(digests) == 1


def test_different_seeds_differ(topic_corpus):
    a = Word2Vec(topic_corpus[:300], vector_size=8, min_count=1, workers=1, seed=1, epochs=1)
    b = Word2Vec(topic_corpus[:300], vector_size=8, min_count=1, workers=1, seed=2, epochs=1)
    assert not np.array_equal(a.wv.vectors, b.wv.vectors)


def test_integer_corpus_trains_with_integer_keys():
    rng = np.random.default_rng(0)
    clusters = [np.arange(c * 1000, c * 1000 + 15) for c in range(4)]
    sessions = [rng.choice(clusters[rng.integers(4)], size=8) for _ in range(2000)]
    model = Word2Vec(sessions, vector_size=16, min_count=1, workers=2, sg=1, epochs=5)
    assert 1000 in model.wv and "1000" not in model.wv
    near = [k for k, _ in model.wv.most_similar(1003, topn=5)]
    assert all(1000 <= k < 1015 for k in near)
    lists = [s.tolist() for s in sessions]
    a = Word2Vec(sessions, vector_size=8, min_count=1, workers=1, seed=4, epochs=1)
    b = Word2Vec(lists, vector_size=8, min_count=1, workers=1, seed=4, epochs=1)
    np.testing.assert_array_equal(a.wv.vectors, b.wv.vectors)


def test_compute_loss_is_gensims_running_total_and_decreases_per_epoch(topic_corpus):
    seen = []

    class Record(CallbackAny2Vec):
        """gensim's usual loss logger: the running total, differenced per epoch."""
        previous = 0.0

        def on_epoch_end(self, model):
            total = model.get_latest_training_loss()
            seen.append((model.epoch_stats["epoch"], total - self.previous, model.epoch_stats["words_per_sec"]))
            self.previous = total

    model = Word2Vec(topic_corpus, vector_size=16, min_count=1, workers=2, epochs=4, sg=1,
                     compute_loss=True, callbacks=[Record()])
    losses = [l for _, l, _ in seen]
    assert [e for e, _, _ in seen] == [0, 1, 2, 3]
    assert all(l > 0 for l in losses) and losses[-1] < losses[0]
    np.testing.assert_allclose(losses, model.epoch_losses)
    assert model.get_latest_training_loss() == model.running_training_loss == pytest.approx(sum(losses))
    assert all(rate > 0 for _, _, rate in seen)
    # a new train call starts a new total, as in gensim
    model.train(topic_corpus, total_examples=model.corpus_count, epochs=1, compute_loss=True)
    assert model.get_latest_training_loss() == pytest.approx(model.epoch_losses[-1]) and len(model.epoch_losses) == 1


def test_loss_totals_are_of_gensims_size(topic_corpus):
    """Same objective, same corpus: the running totals agree with gensim's to within
    the run-to-run spread (both sum -log sigmoid over every trained pair)."""
    gensim = pytest.importorskip("gensim.models")
    totals = []
    for cls in (gensim.Word2Vec, Word2Vec):
        m = cls(topic_corpus, vector_size=16, min_count=1, workers=1, epochs=3, sg=1, seed=2, compute_loss=True)
        totals.append(m.get_latest_training_loss())
    assert totals[1] == pytest.approx(totals[0], rel=0.1)


def test_callback_order_and_stop_training(topic_corpus):
    events = []

    class Stopper(CallbackAny2Vec):
        def on_train_begin(self, model):
            events.append("train_begin")

        def on_epoch_begin(self, model):
            events.append("epoch_begin")

        def on_epoch_end(self, model):
            events.append("epoch_end")
            if len([e for e in events if e == "epoch_end"]) == 2:
                raise StopTraining

        def on_train_end(self, model):
            events.append("train_end")

    model = Word2Vec(topic_corpus, vector_size=8, min_count=1, workers=2, epochs=10, callbacks=[Stopper()])
    assert events == ["train_begin"] + ["epoch_begin", "epoch_end"] * 2 + ["train_end"]
    assert np.isfinite(model.wv.vectors).all()


def test_stop_mid_epoch_from_batch_callback(topic_corpus):
    class StopNow(CallbackAny2Vec):
        def on_batch_end(self, model):
            raise StopTraining

    corpus = topic_corpus * 20
    model = Word2Vec(vector_size=8, min_count=1, workers=2)
    model.build_vocab(corpus)
    trained, raw = model.train(corpus, total_examples=model.corpus_count, epochs=5, callbacks=[StopNow()])
    assert raw < model.corpus_total_words  # stopped inside the first epoch
    assert np.isfinite(model.wv.vectors).all()


def test_stop_training_from_another_thread(tmp_path, topic_corpus):
    path = write_corpus(tmp_path / "big.txt", topic_corpus * 30)
    model = Word2Vec(vector_size=50, min_count=1, workers=2, sg=1)
    model.build_vocab(corpus_file=path)
    timer = threading.Timer(0.3, model.stop_training)
    timer.start()
    model.train(corpus_file=path, total_words=model.corpus_total_words, epochs=50)
    timer.cancel()
    assert model.training_progress < 0.9


def test_save_load_round_trip_and_continue(tmp_path, topic_corpus):
    model = Word2Vec(topic_corpus, vector_size=12, min_count=1, workers=1, hs=1, negative=2, epochs=1)
    path = str(tmp_path / "m.model")
    model.save(path)
    loaded = Word2Vec.load(path)
    assert loaded.wv.index_to_key == model.wv.index_to_key
    np.testing.assert_array_equal(loaded.wv.vectors, model.wv.vectors)
    np.testing.assert_array_equal(loaded.syn1, model.syn1)
    np.testing.assert_array_equal(loaded.syn1neg, model.syn1neg)
    for name in ("keep_threshold", "noise_prob", "noise_alias", "codes", "points"):
        np.testing.assert_array_equal(loaded._tables[name], model._tables[name])
    assert (loaded.sg, loaded.hs, loaded.negative, loaded.corpus_count) == (0, 1, 2, model.corpus_count)
    before = loaded.wv.vectors.copy()
    loaded.train(topic_corpus, total_examples=loaded.corpus_count, epochs=1)
    assert not np.array_equal(before, loaded.wv.vectors)
    mapped = Word2Vec.load(path, mmap="r")
    assert isinstance(mapped.wv.vectors, np.memmap)
    np.testing.assert_array_equal(mapped.wv.vectors, model.wv.vectors)
    with pytest.raises(ValueError, match="read-only"):
        mapped.train(topic_corpus, total_examples=mapped.corpus_count, epochs=1)
    # scoring only reads: a mapped model scores as the model it maps, and keeps its mapped arrays
    np.testing.assert_array_equal(mapped.score(topic_corpus[:50]), model.score(topic_corpus[:50]))
    assert isinstance(mapped.wv.vectors, np.memmap) and isinstance(mapped.syn1, np.memmap)


def test_model_file_is_not_pickle(tmp_path, topic_corpus):
    model = Word2Vec(topic_corpus[:100], vector_size=4, min_count=1, epochs=1)
    path = tmp_path / "m.model"
    model.save(str(path))
    assert path.read_bytes().startswith(b"{")
    path.write_bytes(b"\x80\x04\x95" + b"\x00" * 20)
    with pytest.raises(ValueError, match="pickle"):
        Word2Vec.load(str(path))


def test_build_vocab_update_keeps_trained_vectors(topic_corpus):
    model = Word2Vec(topic_corpus, vector_size=12, min_count=1, workers=1, epochs=1)
    old = model.wv.vectors.copy()
    old_count = model.wv.get_vecattr("t0w0", "count")
    extra = [["brand", "new", "words", "t0w0"]] * 10
    model.build_vocab(extra, update=True)
    assert len(model.wv) == 103 and "brand" in model.wv
    np.testing.assert_array_equal(model.wv.vectors[:100], old)
    assert model.wv.get_vecattr("t0w0", "count") == old_count + 10
    assert model.syn1neg.shape == (103, 12)
    model.train(extra, total_examples=len(extra), epochs=2)
    assert np.isfinite(model.wv.vectors).all()


@pytest.mark.parametrize("ns_exponent", [0.75, 0.0, 1.0, -0.5])
def test_cum_table_is_gensims(topic_corpus, ns_exponent):
    gensim = pytest.importorskip("gensim.models")
    kw = dict(vector_size=8, min_count=1, workers=1, epochs=1, ns_exponent=ns_exponent)
    ours, theirs = Word2Vec(topic_corpus, **kw), gensim.Word2Vec(topic_corpus, **kw)
    assert ours.wv.index_to_key == theirs.wv.index_to_key
    assert ours.cum_table.dtype == np.uint32
    np.testing.assert_array_equal(ours.cum_table, theirs.cum_table)
    ours.make_cum_table(domain=1000)
    theirs.make_cum_table(domain=1000)
    np.testing.assert_array_equal(ours.cum_table, theirs.cum_table)
    ours.build_vocab([["brand", "new"]] * 3, update=True)  # the table follows the vocabulary
    assert len(ours.cum_table) == len(ours.wv) and ours.cum_table[-1] == 2**31 - 1


def test_init_weights_and_update_weights_as_gensim(topic_corpus):
    model = Word2Vec(vector_size=12, min_count=1, workers=1, seed=5, epochs=1)
    model.build_vocab(topic_corpus)
    initial = model.wv.vectors.copy()
    model.train(topic_corpus, total_examples=model.corpus_count, epochs=1)
    assert not np.array_equal(model.wv.vectors, initial)
    model.init_weights()  # back to the seed's starting point, vocabulary kept
    np.testing.assert_array_equal(model.wv.vectors, initial)
    assert not model.syn1neg.any() and len(model.wv) == 100
    model.train(topic_corpus, total_examples=model.corpus_count, epochs=1)
    trained = model.wv.vectors.copy()
    # a key appended by hand (as gensim's add_null_word does) gets its rows
    model.wv.key_to_index["\0"] = len(model.wv)
    model.wv.index_to_key.append("\0")
    model.update_weights()
    assert model.wv.vectors.shape == model.syn1neg.shape == (101, 12)
    np.testing.assert_array_equal(model.wv.vectors[:100], trained)
    assert not model.syn1neg[100].any() and model.wv.vectors[100].any()
    model.train(topic_corpus, total_examples=model.corpus_count, epochs=1)
    assert np.isfinite(model.wv.vectors).all()
    with pytest.raises(RuntimeError, match="no prior vocabulary"):
        Word2Vec(vector_size=4).update_weights()


def test_generators_are_refused_before_training():
    def gen():
        yield ["a", "b"]

    with pytest.raises(TypeError, match="iterator"):
        Word2Vec(gen(), min_count=1)
    with pytest.raises(TypeError, match="iterator"):
        Word2Vec(iter([["a", "b"]]), min_count=1)


@pytest.mark.parametrize("kwargs,match", [
    ({"vector_size": 0}, "vector_size"), ({"window": 0}, "window"), ({"negative": -1}, "negative"),
    ({"hs": 0, "negative": 0}, "no training objective"), ({"sample": -1}, "sample"),
    ({"alpha": 0}, "alpha"), ({"workers": 0}, "workers"),
])
def test_invalid_parameters_raise(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Word2Vec(**kwargs)


def test_train_without_vocabulary_raises(topic_corpus):
    with pytest.raises(RuntimeError, match="build vocabulary"):
        Word2Vec().train(topic_corpus, total_examples=1, epochs=1)


def test_null_word_and_predict_output_word(topic_corpus):
    model = Word2Vec(topic_corpus, vector_size=16, min_count=1, null_word=1, epochs=3, workers=1)
    assert model.wv.index_to_key[-1] == "\0"
    predicted = model.predict_output_word(["t2w1", "t2w5"], topn=5)
    assert len(predicted) == 5 and sum(p for _, p in predicted) <= 1.0
    assert np.mean([k.startswith("t2") for k, _ in predicted]) >= 0.8


@pytest.mark.parametrize("sorted_vocab", [1, 0])
def test_null_word_takes_gensims_place_in_the_vocabulary(sorted_vocab):
    """gensim adds '\0' (count 1) as the newest word before sorting: among words
    seen once it comes first; unsorted, last."""
    gensim = pytest.importorskip("gensim.models")
    corpus = [["a", "b", "a", "c", "once1"], ["d", "a", "b", "once2", "c"], ["once3", "d", "e", "e"]] * 1
    corpus += [["a", "b", "c", "d"]] * 3
    kw = dict(vector_size=4, min_count=1, null_word=1, sorted_vocab=sorted_vocab, workers=1, epochs=1)
    ours, theirs = Word2Vec(corpus, **kw), gensim.Word2Vec(corpus, **kw)
    assert ours.wv.index_to_key == theirs.wv.index_to_key
    assert "\0" in ours.wv.index_to_key[:-1] if sorted_vocab else ours.wv.index_to_key[-1] == "\0"


@pytest.mark.parametrize("hs,negative", [(0, 5), (1, 0), (1, 5)])
def test_estimate_memory_reports_gensims_keys_and_the_real_arrays(topic_corpus, hs, negative):
    model = Word2Vec(topic_corpus, vector_size=10, min_count=1, workers=1, epochs=1, hs=hs, negative=negative)
    report = model.estimate_memory()
    gensim = pytest.importorskip("gensim.models")
    theirs = gensim.Word2Vec(vector_size=10, min_count=1, hs=hs, negative=negative)
    theirs.build_vocab(topic_corpus)
    assert report.keys() == theirs.estimate_memory().keys()
    arrays = [model.wv.vectors] + [a for a in (model.syn1, model.syn1neg) if a is not None]
    # the padded rows, as allocated
    assert report["vectors"] + report.get("syn1", 0) + report.get("syn1neg", 0) == \
        sum(a.shape[0] * a.strides[0] for a in arrays)
    assert report["total"] == sum(v for k, v in report.items() if k != "total")
    assert model.estimate_memory(vocab_size=2 * len(model.wv))["vectors"] == 2 * report["vectors"]


def test_lockf_zero_freezes_rows(topic_corpus):
    model = Word2Vec(vector_size=8, min_count=1, workers=1)
    model.build_vocab(topic_corpus)
    model.wv.vectors_lockf[model.wv.key_to_index["t1w1"]] = 0.0
    before = model.wv["t1w1"].copy()
    model.train(topic_corpus, total_examples=model.corpus_count, epochs=1)
    np.testing.assert_array_equal(model.wv["t1w1"], before)
    assert not np.array_equal(model.wv["t1w2"], before)
    # a 1-element lockf applies to every row, as gensim's kernels read it (its default is np.ones(1))
    model.wv.vectors_lockf = np.zeros(1)
    frozen = model.wv.vectors.copy()
    model.train(topic_corpus, total_examples=model.corpus_count, epochs=1)
    np.testing.assert_array_equal(model.wv.vectors, frozen)
    model.wv.vectors_lockf = np.ones(1)
    model.train(topic_corpus, total_examples=model.corpus_count, epochs=1)
    assert not np.array_equal(model.wv.vectors[0], frozen[0])


@pytest.mark.parametrize("sg,hs,negative,batch_mode", [
    (1, 0, 5, "pair"), (1, 0, 5, "window"), (1, 1, 0, "pair"), (1, 1, 0, "window"),
    (0, 0, 5, "pair"), (0, 0, 5, "window"), (0, 1, 0, "pair"), (0, 1, 0, "window"),
])
@pytest.mark.parametrize("source", ["iterable", "corpus_file"])
def test_pretrained_rows_frozen_by_intersect_in_every_kernel(tmp_path, topic_corpus, sg, hs, negative,
                                                              batch_mode, source):
    """intersect_word2vec_format(lockf=0) then training: the copied rows stay bit-identical in every mode."""
    pretrained = KeyedVectors(8)
    pretrained.add_vectors(["t1w1", "t2w3", "not-in-corpus"], np.arange(24, dtype=np.float32).reshape(3, 8) / 24)
    pretrained.save_word2vec_format(tmp_path / "pre.bin", binary=True)
    model = Word2Vec(vector_size=8, min_count=1, workers=2, sg=sg, hs=hs, negative=negative,
                     batch_mode=batch_mode, seed=3)
    path = write_corpus(tmp_path / "c.txt", topic_corpus)
    model.build_vocab(corpus_file=path) if source == "corpus_file" else model.build_vocab(topic_corpus)
    assert model.wv.intersect_word2vec_format(tmp_path / "pre.bin", lockf=0.0, binary=True) == 2
    frozen = model.wv[["t1w1", "t2w3"]].copy()
    free = model.wv["t1w2"].copy()
    kwargs = {"corpus_file": path, "total_words": model.corpus_total_words} if source == "corpus_file" else {
        "corpus_iterable": topic_corpus, "total_examples": model.corpus_count}
    model.train(epochs=2, **kwargs)
    np.testing.assert_array_equal(model.wv[["t1w1", "t2w3"]], frozen)
    np.testing.assert_array_equal(frozen, pretrained[["t1w1", "t2w3"]])
    assert not np.array_equal(model.wv["t1w2"], free)


def test_generic_isa_forced_by_environment(topic_corpus):
    script = ("import sys; sys.path.insert(0, %r)\n"
              "from fastw2v import Word2Vec, _kernels\n"
              "from fastw2v.word2vec import _isa\n"
              "print(_isa() == _kernels.ISA_GENERIC)\n") % PACKAGE_PARENT
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                         env={**os.environ, "FASTW2V_ISA": "generic"}).stdout
    assert out.strip() == "True"


@pytest.mark.parametrize("hs,negative", [(0, 5), (1, 0)])
def test_keys_added_to_wv_by_hand_save_load_and_train(tmp_path, topic_corpus, hs, negative):
    """wv.add_vector after training leaves the output layer a row short; the model
    must still save to a file that loads, and train, with a zero output row for
    the new key (gensim's start for a new word's output row)."""
    model = Word2Vec(topic_corpus[:200], vector_size=8, min_count=1, workers=1, seed=1, epochs=1,
                     hs=hs, negative=negative)
    out = model.syn1 if hs else model.syn1neg
    trained = out.copy()
    added = np.arange(8, dtype=np.float32)
    model.wv.add_vector("added-by-hand", added)
    model.save(tmp_path / "m")
    loaded = Word2Vec.load(tmp_path / "m")
    np.testing.assert_array_equal(loaded.wv["added-by-hand"], added)
    grown = loaded.syn1 if hs else loaded.syn1neg
    assert grown.shape == (len(model.wv), 8)
    np.testing.assert_array_equal(grown[:len(trained)], trained)
    assert not grown[len(trained):].any()
    if hs:  # a key never seen has no leaf: every other word keeps its Huffman path
        old, new = model._tables, loaded._tables
        n = len(trained)
        assert new["path_offsets"][n] == new["path_offsets"][n + 1] == old["path_offsets"][n]
        np.testing.assert_array_equal(new["path_offsets"][:n + 1], old["path_offsets"])
        np.testing.assert_array_equal(new["points"], old["points"])
        np.testing.assert_array_equal(new["codes"], old["codes"])
    # both the loaded model and the original one (never saved since) train on
    for m in (loaded, Word2Vec(topic_corpus[:200], vector_size=8, min_count=1, workers=1, seed=1, epochs=1,
                               hs=hs, negative=negative)):
        m.wv.add_vector("added-by-hand", added)
        m.train(topic_corpus[:50] + [["added-by-hand", "t0w1"] * 5], total_examples=51, epochs=1)
        assert np.isfinite(m.wv.vectors).all()
        assert not np.array_equal(m.wv["added-by-hand"], added)  # it trained as an input word


def test_load_gensim_model_and_continue_training(tmp_path, topic_corpus):
    gensim = pytest.importorskip("gensim.models")
    theirs = gensim.Word2Vec(topic_corpus, vector_size=12, min_count=1, workers=1, epochs=1, hs=1, negative=3)
    path = str(tmp_path / "g.model")
    theirs.save(path)
    ours = Word2Vec.load_gensim(path)
    assert ours.wv.index_to_key == theirs.wv.index_to_key
    np.testing.assert_array_equal(ours.wv.vectors, theirs.wv.vectors)
    np.testing.assert_array_equal(ours.syn1neg, theirs.syn1neg)
    np.testing.assert_array_equal(ours.syn1, theirs.syn1)
    # syn1's rows are inner nodes of gensim's Huffman tree: ours must be that tree
    assert_gensim_huffman(ours, theirs)
    assert (ours.hs, ours.negative, ours.window) == (1, 3, theirs.window)
    ours.train(topic_corpus, total_examples=ours.corpus_count, epochs=1)
    assert not np.array_equal(ours.wv.vectors, theirs.wv.vectors)
    kv_path = str(tmp_path / "g.kv")
    theirs.wv.save(kv_path)
    with pytest.raises(ValueError, match="not a gensim Word2Vec"):
        Word2Vec.load_gensim(kv_path)


@pytest.mark.parametrize("sg", [1, 0])
def test_score_prefers_sentences_like_the_training_data(topic_corpus, sg):
    """Taddy's use of score: a one-topic sentence (as trained on) is likelier than
    the same number of words drawn across topics; the model is not changed."""
    model = Word2Vec(topic_corpus, vector_size=16, min_count=1, hs=1, negative=0, sg=sg, workers=2, seed=1,
                     epochs=3)
    before = (model.wv.vectors.copy(), model.syn1.copy())
    rng = np.random.default_rng(5)
    coherent = [[f"t{t}w{i}" for i in rng.integers(0, 20, 8)] for t in rng.integers(0, 5, 50)]
    mixed = [[f"t{t}w{i}" for t, i in zip(rng.integers(0, 5, 8), rng.integers(0, 20, 8))] for _ in range(50)]
    scores = model.score(coherent + mixed, total_sentences=100)
    assert scores.dtype == np.float32 and scores.shape == (100,)
    assert scores[:50].mean() > scores[50:].mean() + 5 and (scores < 0).all()
    np.testing.assert_array_equal(model.wv.vectors, before[0])
    np.testing.assert_array_equal(model.syn1, before[1])
    # one worker or two, in jobs of any size: the same scores in the same order
    model.workers = 1
    np.testing.assert_array_equal(model.score(iter(coherent + mixed), chunksize=7), scores)


def test_score_agrees_with_gensim_on_gensims_model(tmp_path, topic_corpus):
    """The same trained model (gensim's, loaded) scored by both libraries. gensim
    reads log sigmoid from a table whose index uses integer division (83 instead
    of 83.3 steps per unit), biasing each term low, and skips nodes beyond +-6; we
    compute each term exactly, so the two agree in order and to a few percent."""
    gensim = pytest.importorskip("gensim.models")
    for sg in (1, 0):
        theirs = gensim.Word2Vec(topic_corpus[:500], vector_size=12, min_count=1, hs=1, negative=0, sg=sg,
                                 workers=1, seed=2, epochs=1, alpha=0.005)
        theirs.save(str(tmp_path / "g.model"))
        ours = Word2Vec.load_gensim(str(tmp_path / "g.model"))
        test = topic_corpus[500:560] + [[], ["unseen"], ["unseen", "t0w1", "t0w2"], ("t1w1", "t1w2", "t1w3")]
        a, b = theirs.score(test, total_sentences=len(test)), ours.score(test)
        assert a.shape == b.shape == (len(test),)
        assert a[60] == b[60] == 0 and a[61] == b[61] == 0          # nothing known: nothing to predict
        np.testing.assert_allclose(b, a, rtol=0.05)
        # and exactly the sum gensim's own arrays (its Huffman codes and points) define
        wv, codes, points = theirs.wv, theirs.wv.expandos["code"], theirs.wv.expandos["point"]
        for k, sentence in enumerate(test):
            ids = [wv.key_to_index[w] for w in sentence if w in wv.key_to_index]
            want = 0.0
            for i, centre in enumerate(ids):
                ctx = ids[max(0, i - 5):i] + ids[i + 1:i + 6]
                hidden = [wv.vectors[c] for c in ctx] if sg else [wv.vectors[ctx].mean(axis=0)] if ctx else []
                for h in hidden:
                    f = theirs.syn1[points[centre]].astype(np.float64) @ h
                    want += np.sum(-np.logaddexp(0, -(1 - 2 * codes[centre].astype(np.int64)) * f))
            assert b[k] == pytest.approx(want, rel=1e-5, abs=1e-5)


def test_score_limits_and_errors(topic_corpus, caplog):
    model = Word2Vec(topic_corpus[:300], vector_size=8, min_count=1, hs=1, negative=0, workers=1, epochs=1)
    with caplog.at_level("WARNING", logger="fastw2v.word2vec"):
        assert model.score(topic_corpus[:300], total_sentences=120).shape == (120,)
    assert "terminating after 120 sentences" in caplog.text
    assert model.score([]).shape == (0,)
    with pytest.raises(RuntimeError, match="hierarchical softmax"):
        Word2Vec(topic_corpus[:300], vector_size=8, min_count=1, workers=1, epochs=1).score(topic_corpus[:3])
    with pytest.raises(RuntimeError, match="build vocabulary"):
        Word2Vec(vector_size=8, hs=1, negative=0).score(topic_corpus[:3])
    with pytest.raises(ValueError, match="total_sentences"):
        model.score(topic_corpus[:3], total_sentences=-1)


def test_bad_corpora_raise_what_gensim_raises(tmp_path, topic_corpus):
    """Code written against gensim catches our errors: an empty vocabulary is
    gensim's RuntimeError (and a ValueError), two corpora at once its TypeError."""
    gensim = pytest.importorskip("gensim.models")
    path = write_corpus(tmp_path / "c.txt", topic_corpus[:10])
    cases = [(dict(sentences=[["a", "b"]], min_count=5), RuntimeError),
             (dict(sentences=[[]]), RuntimeError),
             (dict(sentences=[["a"]], corpus_file=path), TypeError)]
    for kwargs, expected in cases:
        for lib in (gensim.Word2Vec, Word2Vec):
            with pytest.raises(expected):
                lib(workers=1, **kwargs)
    with pytest.raises(ValueError, match="vocabulary is empty"):
        Word2Vec([["a", "b"]], min_count=5)


def test_reset_from_takes_the_vocabulary_and_starts_fresh(topic_corpus):
    """gensim's reset_from: a second model borrows the first's vocabulary instead of
    scanning the corpus again; its weights are fresh, so it trains as if it had
    built that vocabulary itself (one worker: the same vectors)."""
    first = Word2Vec(topic_corpus, vector_size=8, min_count=1, workers=1, seed=4, epochs=1)
    settings = dict(vector_size=8, min_count=1, workers=1, seed=9, hs=1, negative=0, sg=1)
    second = Word2Vec(**settings)
    second.reset_from(first)
    fresh = Word2Vec(**settings)
    fresh.build_vocab(topic_corpus)
    assert second.wv.index_to_key == fresh.wv.index_to_key and second.corpus_count == fresh.corpus_count
    np.testing.assert_array_equal(second.wv.vectors, fresh.wv.vectors)
    assert second.syn1.shape == fresh.syn1.shape and second.syn1neg is None
    for model in (second, fresh):
        model.train(topic_corpus, total_examples=model.corpus_count, epochs=2)
    np.testing.assert_array_equal(second.wv.vectors, fresh.wv.vectors)
    assert first.wv.vectors.shape == (100, 8)  # the donor is untouched
    with pytest.raises(RuntimeError, match="vocabulary"):
        Word2Vec(vector_size=8).reset_from(Word2Vec(vector_size=8))
    with pytest.deprecated_call():
        second.init_sims(replace=True)
    np.testing.assert_allclose(np.linalg.norm(second.wv.vectors, axis=1), 1, rtol=1e-5)


def test_gensim_callbacks_and_copies_work(topic_corpus):
    """A gensim 4 callback defines no batch hooks (gensim never calls them); models deep-copy and pickle."""
    import copy
    import pickle
    callbacks = pytest.importorskip("gensim.models.callbacks")

    class Epochs(callbacks.CallbackAny2Vec):
        def __init__(self):
            self.seen = 0

        def on_epoch_end(self, model):
            self.seen += 1

    class Bare:  # any object with some of the hooks
        def on_train_begin(self, model):
            self.began = True

    counter, bare = Epochs(), Bare()
    model = Word2Vec(topic_corpus, vector_size=8, min_count=1, workers=1, epochs=2, callbacks=[counter, bare])
    assert counter.seen == 2 and bare.began
    model.callbacks = ()  # (local classes do not pickle)
    for original in (model, Word2Vec([[i, i + 1, i + 2] for i in range(50)] * 4, vector_size=8, min_count=1,
                                     workers=1, epochs=1)):
        twin = copy.deepcopy(original)
        np.testing.assert_array_equal(twin.wv.vectors, original.wv.vectors)
        assert twin.wv.index_to_key == original.wv.index_to_key
        again = pickle.loads(pickle.dumps(original))
        again.train([list(original.wv.index_to_key[:5])] * 10, total_examples=10, epochs=1)
        assert np.isfinite(again.wv.vectors).all()


def test_vocabulary_update_counts_every_known_word_as_gensim():
    gensim = pytest.importorskip("gensim.models")
    counts = []
    for cls in (gensim.Word2Vec, Word2Vec):
        m = cls([["a", "b", "c"]] * 5 + [["a"]] * 3, min_count=3, vector_size=4, workers=1, epochs=1)
        m.build_vocab([["a", "a", "a", "b", "zz", "zz", "zz", "yy"]], update=True)  # b below min_count here
        counts.append({k: m.wv.get_vecattr(k, "count") for k in m.wv.index_to_key})
    assert counts[1] == counts[0] and counts[1]["b"] == 6 and "yy" not in counts[1]
    with pytest.raises(RuntimeError, match="no prior vocabulary"):
        Word2Vec(vector_size=4).build_vocab([["a"]], update=True)


def test_callbacks_steer_learning_rate_and_lockf_between_epochs(topic_corpus):
    """gensim reads model.alpha / min_alpha and vectors_lockf as it trains: a callback
    that changes them at an epoch's start governs that epoch."""
    class Freeze:
        def __init__(self, how):
            self.how, self.snapshots = how, []

        def on_epoch_begin(self, model):
            self.snapshots.append(model.wv.vectors.copy())
            if len(self.snapshots) == 3:  # the second epoch begins
                if self.how == "alpha":
                    model.alpha = model.min_alpha = 1e-30
                else:
                    model.wv.vectors_lockf = np.zeros(len(model.wv), dtype=np.float32)

        def on_epoch_end(self, model):
            self.snapshots.append(model.wv.vectors.copy())

    for how in ("alpha", "lockf"):
        cb = Freeze(how)
        model = Word2Vec(vector_size=8, min_count=1, workers=1, seed=1)
        model.build_vocab(topic_corpus)
        model.train(topic_corpus, total_examples=model.corpus_count, epochs=2, callbacks=[cb])
        first, second = cb.snapshots[1] - cb.snapshots[0], cb.snapshots[3] - cb.snapshots[2]
        assert np.abs(first).max() > 1e-3 and np.abs(second).max() < 1e-6, how


def test_predict_output_word_follows_cbow_mean_as_gensim(topic_corpus):
    gensim = pytest.importorskip("gensim.models")
    theirs = gensim.Word2Vec(topic_corpus, vector_size=8, min_count=1, workers=1, epochs=1, cbow_mean=0)
    ours = Word2Vec(vector_size=8, min_count=1, workers=1, epochs=1, cbow_mean=0)
    ours.build_vocab(topic_corpus)
    ours.wv.vectors[:] = theirs.wv.vectors[[theirs.wv.key_to_index[k] for k in ours.wv.index_to_key]]
    ours.syn1neg[:] = theirs.syn1neg[[theirs.wv.key_to_index[k] for k in ours.wv.index_to_key]]
    context = ["t0w0", "t0w1", "t0w2"]
    mine, gensims = ours.predict_output_word(context, topn=5), theirs.predict_output_word(context, topn=5)
    assert [w for w, _ in mine] == [w for w, _ in gensims]
    np.testing.assert_allclose([p for _, p in mine], [p for _, p in gensims], rtol=1e-5)
    assert all(isinstance(p, np.float32) for _, p in mine)


def test_gensim_semantics_of_train_and_constructor_arguments(topic_corpus, caplog):
    gensim = pytest.importorskip("gensim.models")
    # seed=None: a random start, as in gensim
    assert len(Word2Vec(topic_corpus, vector_size=4, min_count=1, workers=1, epochs=1, seed=None).wv) == 100
    # a constructor without a corpus keeps neither trim_rule nor callbacks (gensim 4 warns the same)
    seen = []

    class Count:
        def on_epoch_end(self, model):
            seen.append(1)

    m = Word2Vec(vector_size=4, min_count=1, workers=1, trim_rule=lambda w, c, mc: 1 if w == "t0w0" else 2,
                 callbacks=[Count()])
    assert "ignored" in caplog.text
    m.build_vocab(topic_corpus)
    assert "t0w0" in m.wv
    m.train(topic_corpus, total_examples=m.corpus_count, epochs=1, compute_loss=True)
    assert not seen and m.compute_loss  # train's compute_loss is stored, as gensim's
    with pytest.raises(TypeError):
        m.train(topic_corpus, total_examples=m.corpus_count, epochs=1, compute_los=True)
    m.train(topic_corpus, total_examples=m.corpus_count, epochs=1, start_alpha=0, end_alpha=0)
    assert (m.alpha, m.min_alpha) == (0.025, 0.0001)  # 0 is "not given", as gensim's `or`
    assert m.estimate_memory(vocab_size=0) == m.estimate_memory()
    for cls in (gensim.Word2Vec, Word2Vec):
        model = cls(topic_corpus, vector_size=4, min_count=0, max_final_vocab=10, workers=1, epochs=1)
        assert str(model) == f"{cls.__name__}<vocab={len(model.wv)}, vector_size=4, alpha=0.025>"
        seen.append(model.effective_min_count)
        assert isinstance(model.raw_vocab, collections.defaultdict) and model.raw_vocab["unseen"] == 0
    assert seen[0] == seen[1]
