"""fastw2v.distributed on a LocalCluster of 2 workers x 1 thread (skipped without dask)."""
import gzip
import os
import signal

import numpy as np
import pytest

pytest.importorskip("distributed")
db = pytest.importorskip("dask.bag")

from fastw2v import Word2Vec  # noqa: E402
from fastw2v import distributed as fd  # noqa: E402
from fastw2v.threads import EncodedCorpus  # noqa: E402
from fastw2v.vocab import RawCounts, scan_corpus  # noqa: E402

from conftest import planted_topics, write_corpus  # noqa: E402


def _cluster():
    from distributed import Client, LocalCluster
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0")
    return Client(cluster)


@pytest.fixture(scope="module")
def client():
    client = _cluster()
    yield client
    cluster = client.cluster
    client.close()
    cluster.close()


def zipf_sentences(n=2000, vocab=3000, seed=3):
    """Many rare words and ties in count, so vocabulary order is a real test."""
    rng = np.random.default_rng(seed)
    return [[f"w{int(x)}" for x in rng.zipf(1.3, size=rng.integers(1, 15)) % vocab] for _ in range(n)]


def single_machine_vocab(sentences, **kw):
    model = Word2Vec(vector_size=8, **kw)
    model.build_vocab(sentences)
    return model


def assert_same_vocab(a, b):
    assert a.wv.index_to_key == b.wv.index_to_key
    np.testing.assert_array_equal(a.wv.expandos["count"], b.wv.expandos["count"])
    assert (a.corpus_count, a.corpus_total_words) == (b.corpus_count, b.corpus_total_words)
    for name, table in a._tables.items():
        np.testing.assert_array_equal(table, b._tables[name])


def test_vocabulary_equals_single_machine_bag(client):
    sentences = zipf_sentences()
    ours = fd.Word2Vec(db.from_sequence(sentences, npartitions=7), client=client, vector_size=8, min_count=2,
                       hs=1, epochs=0, workers=1)
    assert_same_vocab(ours, single_machine_vocab(sentences, min_count=2, hs=1))


def test_vocabulary_equals_single_machine_int_tokens(client):
    sentences = [[int(w[1:]) for w in s] for s in zipf_sentences(seed=4)]
    ours = fd.Word2Vec(db.from_sequence(sentences, npartitions=5), client=client, vector_size=8, min_count=1,
                       epochs=0, workers=1)
    theirs = single_machine_vocab(sentences, min_count=1)
    assert [int(k) for k in ours.wv.index_to_key] == [int(k) for k in theirs.wv.index_to_key]
    np.testing.assert_array_equal(ours.wv.expandos["count"], theirs.wv.expandos["count"])


def test_vocabulary_equals_single_machine_files_and_globs(client, tmp_path):
    sentences = zipf_sentences(seed=5)
    thirds = np.array_split(np.arange(len(sentences)), 3)
    paths = [write_corpus(tmp_path / f"part-{i}.txt", [sentences[j] for j in idx]) for i, idx in enumerate(thirds)]
    with open(paths[2], "rb") as src, gzip.open(tmp_path / "part-2.txt.gz", "wb") as dst:
        dst.write(src.read())
    os.remove(paths[2])
    ours = fd.Word2Vec([str(tmp_path / "part-[01].txt"), str(tmp_path / "part-2.txt.gz")], client=client,
                       vector_size=8, min_count=3, epochs=0, workers=1)
    whole = write_corpus(tmp_path / "whole.txt", sentences)
    theirs = Word2Vec(vector_size=8, min_count=3)
    theirs.build_vocab(corpus_file=whole)
    assert_same_vocab(ours, theirs)


def test_pruned_counts_are_bounded_lower_bounds(client):
    sentences = zipf_sentences(n=3000)
    exact = scan_corpus(sentences).as_dict()
    parts = client.compute(db.from_sequence(sentences, npartitions=6).to_delayed())
    raw = fd.count_vocabulary(client, parts, max_vocab_size=200)
    assert 0 < len(raw.keys) <= 200
    assert all(c <= exact[k] for k, c in zip(raw.keys, raw.counts.tolist()))
    assert raw.min_reduce > 1
    assert raw.total_words == sum(map(len, sentences))


def test_merge_counts_keeps_first_occurrence_order():
    a = RawCounts(["x", "y"], np.array([2, 1]), 1, 3)
    b = RawCounts(["z", "y", "x"], np.array([5, 1, 1]), 2, 7)
    merged = fd.merge_counts(a, b)
    assert merged.keys == ["x", "y", "z"] and merged.counts.tolist() == [3, 2, 5]
    assert (merged.corpus_count, merged.total_words) == (3, 10)
    pruned = fd.merge_counts(a, b, max_vocab_size=2)
    assert pruned.keys == ["x", "z"] and pruned.counts.tolist() == [3, 5] and pruned.min_reduce == 4


def neighbours_are_topical(model, n_topics=5):
    hits = 0
    for t in range(n_topics):
        top = [w for w, _ in model.wv.most_similar(f"t{t}w0", topn=5)]
        hits += sum(w.startswith(f"t{t}w") for w in top)
    return hits / (5 * n_topics)


@pytest.mark.parametrize("combine,delta_dtype", [("average", "int8"), ("sum", "int8"),
                                                 ("sum", "float32")])
def test_training_gives_topical_neighbours(client, combine, delta_dtype):
    sentences = planted_topics(n_sentences=3000)  # 30,000 words: 3 rounds of 5,000 words on each of 2 shards
    model = fd.Word2Vec(db.from_sequence(sentences, npartitions=4), client=client, vector_size=20, min_count=1,
                        workers=1, epochs=5, sync_every=5_000, combine=combine, delta_dtype=delta_dtype, seed=2)
    assert isinstance(model, Word2Vec)
    assert neighbours_are_topical(model) >= 0.9
    stats = model.distributed_stats
    assert stats["shards"] == 2 and stats["rounds_per_epoch"] == 3 and len(stats["syncs"]) == 15
    assert [s["round"] for s in stats["syncs"]] == list(range(15))
    row_bytes = {"int8": 4 + 20 + 4, "float32": 4 + 80}[delta_dtype]
    for sync in stats["syncs"]:
        assert all(b > 0 for b in sync["leaf_bytes"])
        rows = sum(sync["rows_changed"].values())
        assert sync["total_bytes"] == rows * (row_bytes + (4 if combine == "average" else 0))
        # two shards: shard 1 sends its delta up, shard 0 sends the total down
        assert sync["bytes"] == sync["leaf_bytes"][1] + sync["total_bytes"]
        assert [leaf["shard"] for leaf in sync["leaves"]] == [0, 1]
    assert sum(leaf["trained"] for s in stats["syncs"] for leaf in s["leaves"]) == stats["trained_words"]
    assert len(stats["epochs"]) == 5 and all(len(e["shard_seconds"]) == 2 for e in stats["epochs"])


@pytest.mark.parametrize("overlap", [0, 2])
def test_overlap_rounds(client, overlap):
    """Round r's total applied at round r + 1 + overlap: 0 waits for it, 2 trains two rounds ahead."""
    sentences = planted_topics(n_sentences=3000)
    model = fd.Word2Vec(db.from_sequence(sentences, npartitions=4), client=client, vector_size=20, min_count=1,
                        workers=1, epochs=3, sync_every=2_500, overlap=overlap, seed=5)
    stats = model.distributed_stats
    assert stats["overlap"] == overlap and stats["rounds_per_epoch"] == 6
    assert [s["round"] for s in stats["syncs"]] == list(range(18))
    assert neighbours_are_topical(model) >= 0.9
    with pytest.raises(ValueError, match="overlap"):
        fd.Word2Vec(["x"], client=client, overlap=-1)


def test_one_replica_gives_the_same_vectors_whatever_the_overlap(client):
    """With one shard the total is its own delta, so synchronising must change nothing: the
    background rounds, the staleness bound and the totals applied mid-round leave the vectors
    of the same chunks trained in sequence (float32 wire: total - own is exactly 0)."""
    sentences = planted_topics(n_sentences=1500)
    models = [fd.Word2Vec(db.from_sequence(sentences, npartitions=2), client=client, vector_size=16, min_count=1,
                          workers=1, epochs=3, sync_every=3_000, n_shards=1, overlap=overlap,
                          delta_dtype="float32", seed=6)
              for overlap in (1, 3)]
    rounds = models[0].distributed_stats["rounds_per_epoch"]
    assert rounds == 5
    # the sequential reference: the replica's chunks, alphas and RNG streams, one train() call each
    ref = Word2Vec(vector_size=16, min_count=1, workers=1, epochs=3, seed=6)
    ref.build_vocab(sentences)
    ref.seed = 6 + 7919  # the replica of shard 0
    corpus = ref.encoder.encode_sentences(sentences, 10_000, 0)
    corpus = EncodedCorpus(np.asarray(corpus[0], np.int32), np.asarray(corpus[1], np.int64), int(corpus[2]))
    total = 3 * rounds
    alpha = [ref.alpha - (ref.alpha - ref.min_alpha) * v / total for v in range(total + 1)]
    for v in range(total):
        lo, hi = fd._pieces(corpus, rounds)[v % rounds]
        piece = fd._slice(corpus, lo, hi)
        chunks = fd._pieces(piece, fd.CHUNKS_PER_ROUND) if v else [(0, len(piece.ends))]  # round 0: nothing to wait for
        for k, (c_lo, c_hi) in enumerate(chunks):
            ref.train_count = v * fd.CHUNKS_PER_ROUND + k
            a0 = alpha[v] + (alpha[v + 1] - alpha[v]) * k / len(chunks)
            a1 = alpha[v] + (alpha[v + 1] - alpha[v]) * (k + 1) / len(chunks)
            ref.train(corpus_iterable=fd._Slice(fd._slice(piece, c_lo, c_hi)), epochs=1, start_alpha=a0,
                      end_alpha=a1)
    np.testing.assert_array_equal(models[0].wv.vectors, models[1].wv.vectors)
    np.testing.assert_array_equal(models[0].syn1neg, models[1].syn1neg)
    # the returned model is the client's copy: the start plus every round's delta, added up in
    # float32, so it is the replica's training up to rounding (a change counted twice or lost
    # would be of the size of a round's update, ~1e-2)
    np.testing.assert_allclose(models[0].wv.vectors, ref.wv.vectors, rtol=0, atol=1e-6)
    np.testing.assert_allclose(models[0].syn1neg, ref.syn1neg, rtol=0, atol=1e-6)
    assert np.abs(ref.wv.vectors - Word2Vec(vector_size=16, min_count=1, seed=6, epochs=0,
                                            sentences=sentences).wv.vectors).max() > 1e-2  # it trained


def test_more_shards_than_workers_use_the_tree(client):
    """Seven shards, fan-in 4: shard 0 merges 1-4, shard 1 merges 5 and 6; the total reaches every replica."""
    sentences = planted_topics(n_sentences=3000)
    model = fd.Word2Vec(db.from_sequence(sentences, npartitions=7), client=client, vector_size=20, min_count=1,
                        workers=1, epochs=4, sync_every=1_500, n_shards=7, seed=4)
    stats = model.distributed_stats
    assert stats["shards"] == 7 and stats["tree_depth"] == 2 and stats["rounds_per_epoch"] == 3
    for sync in stats["syncs"]:
        assert sorted(m["shard"] for m in sync["merges"]) == [0, 1]
        assert sorted(leaf["shard"] for leaf in sync["leaves"]) == list(range(7))
    assert neighbours_are_topical(model) >= 0.9


def test_model_is_an_ordinary_model(client, tmp_path):
    sentences = planted_topics(n_sentences=1000)
    model = fd.Word2Vec(db.from_sequence(sentences, npartitions=2), client=client, vector_size=10, min_count=1,
                        workers=1, epochs=1)
    model.save(str(tmp_path / "m.w2v"))
    again = Word2Vec.load(str(tmp_path / "m.w2v"))
    np.testing.assert_array_equal(again.wv.vectors, model.wv.vectors)
    again.train(sentences, total_examples=again.corpus_count, epochs=1)  # continues on one machine


def test_bad_arguments(client):
    with pytest.raises(ValueError, match="combine"):
        fd.Word2Vec(["x"], client=client, combine="median")
    with pytest.raises(ValueError, match="delta_dtype"):
        fd.Word2Vec(["x"], client=client, delta_dtype="int4")
    with pytest.raises(FileNotFoundError, match="nothing-here"):
        fd.Word2Vec(["/nothing-here/*.txt"], client=client)
    with pytest.raises(TypeError, match="dask.bag"):
        fd.Word2Vec([["a", "b"]], client=client)


def test_killed_worker_does_not_fail_the_run():
    client = _cluster()
    try:
        pids = client.run(os.getpid)
        killed = []

        def kill_one(sync):
            if sync["round"] == 1 and not killed:  # mid first epoch (3 rounds an epoch)
                address = sorted(pids)[0]
                killed.append(address)
                os.kill(pids[address], signal.SIGKILL)

        sentences = planted_topics(n_sentences=3000)
        model = fd.Word2Vec(db.from_sequence(sentences, npartitions=4), client=client, vector_size=20,
                            min_count=1, workers=1, epochs=4, sync_every=5_000, seed=3, on_round=kill_one)
        assert killed
        assert model.distributed_stats["recoveries"] >= 1
        assert [s["round"] for s in model.distributed_stats["syncs"]] == list(range(12))
        assert neighbours_are_topical(model) >= 0.9
    finally:
        cluster = client.cluster
        client.close()
        cluster.close()


def test_train_like_a_template_and_a_scheduler_address(client, tmp_path):
    """What ``fastw2v train --scheduler ADDRESS`` does: the CLI's settings, a file, an address."""
    path = write_corpus(tmp_path / "c.txt", planted_topics(n_sentences=1000))
    template = Word2Vec(vector_size=12, min_count=1, workers=1, epochs=2, window=3)
    model = fd.train_like(template, path, client=client.scheduler.address, sync_every=5000)
    assert (model.vector_size, model.window, model.epochs) == (12, 3, 2)
    assert model.distributed_stats["rounds_per_epoch"] == 2 and len(model.distributed_stats["syncs"]) == 4


def test_dask_dataframe_text_column(client):
    dd = pytest.importorskip("dask.dataframe")
    pd = pytest.importorskip("pandas")
    sentences = zipf_sentences(seed=6)
    frame = dd.from_pandas(pd.DataFrame({"id": range(len(sentences)), "text": [" ".join(s) for s in sentences]}),
                           npartitions=3)
    ours = fd.Word2Vec(frame, client=client, text_column="text", vector_size=8, min_count=2, epochs=1, workers=1)
    assert_same_vocab(ours, single_machine_vocab(sentences, min_count=2))
    with pytest.raises(ValueError, match="text_column"):
        fd.Word2Vec(frame, client=client, min_count=2)


def test_series_missing_text_and_refused_options(client):
    """A Dask Series of text is a corpus; missing values are no words; options the
    cluster cannot honour are refused instead of silently ignored."""
    pd = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe")
    lines = [" ".join(s) for s in zipf_sentences(n=300)]
    texts = pd.Series([line if i % 7 else None for i, line in enumerate(lines)], name="text")
    ours = fd.Word2Vec(dd.from_pandas(texts, npartitions=3), client=client, epochs=0, min_count=1, vector_size=8)
    theirs = single_machine_vocab([line.split() for line in texts if isinstance(line, str)], min_count=1)
    assert_same_vocab(ours, theirs)
    assert "<NA>" not in ours.wv and "None" not in ours.wv
    with pytest.raises(TypeError, match="compute_loss"):
        fd.Word2Vec(dd.from_pandas(texts, npartitions=3), client=client, compute_loss=True)
    for bad in ({"sync_every": 2.5}, {"n_shards": -1}):
        with pytest.raises(ValueError):
            fd.Word2Vec(dd.from_pandas(texts, npartitions=3), client=client, **bad)
