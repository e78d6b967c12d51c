"""fastw2v.layout: padded, aligned model rows, and what trains and reads them."""
import numpy as np
import pytest

from fastw2v import Word2Vec, _kernels, allreduce, layout
from fastw2v.allreduce import Rows


def test_padded_width_rule():
    assert [layout.padded_width(d) for d in (8, 10, 50, 100, 128, 300)] == [8, 10, 56, 112, 128, 304]
    for dim in range(1, 700):
        w = layout.padded_width(dim)
        assert w >= dim and (w - dim) * 8 <= dim
        assert w == dim or w % 8 == 0
        if -(-dim // 16) * 16 - dim <= dim / 8:
            assert w % 16 == 0  # 16 floats whenever cheap enough


def test_zeros_rows_is_an_aligned_view_with_zero_padding():
    rows = layout.zeros_rows(5, 100)
    assert rows.shape == (5, 100) and rows.dtype == np.float32 and not rows.any()
    assert rows.strides == (112 * 4, 4) and rows.ctypes.data % 64 == 0
    assert layout.row_width(rows) == 112 and layout.has_kernel_layout(rows)
    whole = layout.full(rows)
    assert whole.shape == (5, 112) and np.shares_memory(whole, rows)
    packed = layout.zeros_rows(3, 8)
    assert packed.flags.c_contiguous and layout.row_width(packed) == 8


def test_row_width_refuses_what_a_kernel_must_not_run_over():
    rows = layout.zeros_rows(4, 50)
    layout.full(rows)[2, 53] = 1.0  # a non-zero padding column would leak into every dot product
    assert layout.row_width(rows) is None
    assert layout.row_width(np.zeros((4, 6), dtype=np.float64)) is None
    assert layout.row_width(np.zeros((4, 6), dtype=np.float32)[:, ::2]) is None  # gaps inside a row
    ro = np.zeros((4, 6), dtype=np.float32)
    ro.flags.writeable = False
    assert layout.row_width(ro) is None
    # strides promising padding past the end of the buffer
    short = np.zeros(4 * 6, dtype=np.float32)
    tricky = np.lib.stride_tricks.as_strided(short, shape=(4, 6), strides=(8 * 4, 4))
    assert layout.row_width(tricky) is None


def test_padded_copies_once_and_keeps_values():
    rng = np.random.default_rng(0)
    packed = rng.random((7, 100), dtype=np.float32)
    rows = layout.padded(packed)
    assert layout.has_kernel_layout(rows) and not np.shares_memory(rows, packed)
    np.testing.assert_array_equal(rows, packed)
    assert layout.padded(rows) is rows
    again = layout.padded(rows, copy=True)
    assert again is not rows and not np.shares_memory(again, rows)
    np.testing.assert_array_equal(again, rows)
    with pytest.raises(ValueError):
        layout.full(packed[:, :50][:, ::2])


def test_kernel_params_need_one_layout(topic_corpus):
    model = Word2Vec(vector_size=100, min_count=1, negative=2, hs=1, workers=1)
    model.build_vocab(topic_corpus)
    assert layout.has_kernel_layout(model.wv.vectors) and layout.has_kernel_layout(model.syn1neg)
    assert layout.has_kernel_layout(model.syn1)
    params = model._kernel_params(0.025, 0.0001, 1000, False)
    assert params.width == 112
    t = model._tables
    common = dict(lockf=None, keep_threshold=t["keep_threshold"], noise_prob=t["noise_prob"],
                  noise_alias=t["noise_alias"], path_offsets=t["path_offsets"], codes=t["codes"],
                  points=t["points"], window=5, negative=2, hs=True, sg=True, cbow_mean=True,
                  shrink_windows=True, subsample=False, compute_loss=False, start_alpha=0.025,
                  end_alpha=0.0001, total_words=1000.0, isa=_kernels.ISA_GENERIC)
    with pytest.raises(ValueError, match="one layout"):
        _kernels.KernelParams(syn0=model.wv.vectors, syn1=model.syn1,
                              syn1neg=np.ascontiguousarray(model.syn1neg), **common)
    dirty = layout.padded(model.wv.vectors, copy=True)
    layout.full(dirty)[0, -1] = 1.0
    with pytest.raises(TypeError, match="zero padding"):
        _kernels.KernelParams(syn0=dirty, syn1=model.syn1, syn1neg=model.syn1neg, **common)


@pytest.mark.parametrize("sg,hs,negative", [(1, 0, 5), (0, 0, 5), (1, 1, 0), (0, 1, 0)])
def test_training_keeps_padding_zero_and_loaded_models_train_the_same(tmp_path, topic_corpus, sg, hs, negative):
    """A saved model loads packed and is copied into the padded layout by train(): continuing
    it gives the very vectors of continuing the original (same rows, same sums)."""
    model = Word2Vec(topic_corpus, vector_size=50, min_count=1, workers=1, seed=3, sg=sg, hs=hs,
                     negative=negative, epochs=1)
    for rows in (model.wv.vectors, model.syn1, model.syn1neg):
        if rows is not None:
            assert layout.has_kernel_layout(rows) and not layout.full(rows)[:, 50:].any()
    path = str(tmp_path / "m.model")
    model.save(path)
    loaded = Word2Vec.load(path)
    assert loaded.wv.vectors.flags.c_contiguous
    for m in (model, loaded):
        m.train(topic_corpus, total_examples=m.corpus_count, epochs=1)
    assert layout.has_kernel_layout(loaded.wv.vectors)
    np.testing.assert_array_equal(loaded.wv.vectors, model.wv.vectors)
    assert not layout.full(model.wv.vectors)[:, 50:].any()


def test_vectors_api_on_padded_rows(tmp_path, topic_corpus):
    model = Word2Vec(topic_corpus, vector_size=100, min_count=1, workers=1, seed=1, epochs=2)
    wv = model.wv
    assert not wv.vectors.flags.c_contiguous
    word = wv.index_to_key[0]
    np.testing.assert_array_equal(wv[word], wv.vectors[0])
    packed = np.ascontiguousarray(wv.vectors)
    sims = wv.most_similar(word, topn=5)
    norm = packed / np.linalg.norm(packed, axis=1, keepdims=True)
    expected = np.argsort(-(norm @ norm[0]))[1:6]
    assert [wv.index_to_key[i] for i in expected] == [w for w, _ in sims]
    path = str(tmp_path / "v.bin")
    wv.save_word2vec_format(path, binary=True)
    from fastw2v import KeyedVectors
    np.testing.assert_array_equal(KeyedVectors.load_word2vec_format(path, binary=True).vectors, packed)


def test_allreduce_reads_and_writes_padded_rows():
    rng = np.random.default_rng(5)
    start = rng.standard_normal((9, 50)).astype(np.float32)
    current = layout.padded(start)
    current[[1, 4, 7]] += rng.standard_normal((3, 50)).astype(np.float32)
    packed = np.ascontiguousarray(current)
    a = allreduce.encode_changes(current, start.copy(), None, "float32")
    b = allreduce.encode_changes(packed, start.copy(), None, "float32")
    np.testing.assert_array_equal(a.rows, [1, 4, 7])
    np.testing.assert_array_equal(a.values, b.values)
    total = Rows(np.array([0, 4], np.int32), rng.standard_normal((2, 50)).astype(np.float32), None, None)
    allreduce.apply(current, total)
    allreduce.apply(packed, total)
    np.testing.assert_array_equal(current, packed)
    assert not layout.full(current)[:, 50:].any()
