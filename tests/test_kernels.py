"""The training kernels against a NumPy reference of each update rule.

Deterministic set-up: no subsampling, no window shrinking and a fixed list of
negatives (the kernel's test hook), so the only thing left is the maths.
"""
import numpy as np
import pytest

from fastw2v import _kernels, _sampling, layout

ISAS = _kernels.supported_isas()


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


LOSS = [0.0]
NEGATIVE = 3


def logistic_step(h, row, grad, label, alpha):
    """One step of either objective: grad += g * row_old; row += g * h; loss -log sigmoid(+-f)."""
    f = h @ row
    g = (label - sigmoid(f)) * alpha
    grad += g * row
    row += g * h
    LOSS[0] += -np.log(sigmoid(f) if label else sigmoid(-f))


def reference_targets(h, word, syn1, syn1neg, paths, negatives, alpha, grad):
    if syn1 is not None:
        for point, code in paths[word]:
            logistic_step(h, syn1[point], grad, 1 - code, alpha)
    if syn1neg is not None:
        logistic_step(h, syn1neg[word], grad, 1, alpha)
        for _ in range(NEGATIVE):
            noise = negatives.pop(0)
            negatives.append(noise)
            if noise != word:
                logistic_step(h, syn1neg[noise], grad, 0, alpha)


def reference_sentence(sent, syn0, syn1, syn1neg, paths, negatives, sg, cbow_mean, window, alpha, lockf):
    n = len(sent)
    for i in range(n):
        ctx = [sent[j] for j in range(max(0, i - window), min(n, i + window + 1)) if j != i]
        if sg:
            for c in ctx:
                grad = np.zeros(syn0.shape[1])
                reference_targets(syn0[c].copy(), sent[i], syn1, syn1neg, paths, negatives, alpha, grad)
                syn0[c] += lockf[c] * grad
        elif ctx:
            h = syn0[ctx].sum(axis=0)
            if cbow_mean:
                h /= len(ctx)
            grad = np.zeros(syn0.shape[1])
            reference_targets(h, sent[i], syn1, syn1neg, paths, negatives, alpha, grad)
            if not cbow_mean:
                grad /= len(ctx)
            for c in ctx:
                syn0[c] += lockf[c] * grad


def reference_sentence_window(sent, syn0, syn1, syn1neg, paths, negatives, window, alpha, lockf,
                              n_negative=NEGATIVE):
    """HogBatch skip-gram: every output row meets a group of context rows at once -- the
    whole window, or with hierarchical softmax at most SG_HS_GROUP contexts (the group
    then moves its contexts before the next group meets the path, and draws its own
    negatives)."""
    n = len(sent)
    group = _kernels.SG_HS_GROUP if syn1 is not None else 2 * window
    for i in range(n):
        window_ctx = [sent[j] for j in range(max(0, i - window), min(n, i + window + 1)) if j != i]
        for c0 in range(0, len(window_ctx), group):
            ctx = window_ctx[c0:c0 + group]
            inputs = syn0[ctx].copy()
            grads = np.zeros_like(inputs)
            rows = []
            if syn1 is not None:
                rows += [(syn1, point, 1 - code) for point, code in paths[sent[i]]]
            if syn1neg is not None:
                rows.append((syn1neg, sent[i], 1))
                for _ in range(n_negative):
                    noise = negatives.pop(0)
                    negatives.append(noise)
                    if noise != sent[i]:
                        rows.append((syn1neg, noise, 0))
            for matrix, r, label in rows:
                f = inputs @ matrix[r]
                g = (label - sigmoid(f)) * alpha
                LOSS[0] += float(np.sum(-np.log(sigmoid(f) if label else sigmoid(-f))))
                grads += np.outer(g, matrix[r])
                matrix[r] += g @ inputs
            for k, c in enumerate(ctx):
                syn0[c] += lockf[c] * grads[k]


def reference_cbow_block(sent, syn0, syn1, syn1neg, paths, negatives, cbow_mean, window, alpha, lockf,
                         block=_kernels.CBOW_BLOCK):
    """CBOW in blocks of consecutive centres sharing one set of negatives."""
    n = len(sent)
    for i0 in range(0, n, block):
        members = []
        for i in range(i0, min(n, i0 + block)):
            ctx = [sent[j] for j in range(max(0, i - window), min(n, i + window + 1)) if j != i]
            if ctx:
                h = syn0[ctx].sum(axis=0)
                members.append((i, ctx, h / len(ctx) if cbow_mean else h))
        if not members:
            continue
        hidden = np.array([h for _, _, h in members])
        grads = np.zeros_like(hidden)
        for b, (i, ctx, h) in enumerate(members):
            if syn1 is not None:
                for point, code in paths[sent[i]]:
                    logistic_step(h, syn1[point], grads[b], 1 - code, alpha)
            if syn1neg is not None:
                logistic_step(h, syn1neg[sent[i]], grads[b], 1, alpha)
        for _ in range(NEGATIVE if syn1neg is not None else 0):
            noise = negatives.pop(0)
            negatives.append(noise)
            mask = np.array([sent[i] != noise for i, _, _ in members])
            f = hidden @ syn1neg[noise]
            g = -sigmoid(f) * alpha * mask
            LOSS[0] += float(np.sum(-np.log(sigmoid(-f))[mask]))
            grads += np.outer(g, syn1neg[noise])
            syn1neg[noise] += g @ hidden
        for b, (i, ctx, h) in enumerate(members):
            for c in ctx:
                syn0[c] += lockf[c] * (grads[b] if cbow_mean else grads[b] / len(ctx))


def padded_to(a, width):
    """``a`` as a view into zero-padded rows ``width`` floats long (None: ``a`` itself)."""
    if width is None:
        return a
    buf = np.zeros((a.shape[0], width), dtype=np.float32)
    buf[:, :a.shape[1]] = a
    return buf[:, :a.shape[1]]


def make_params(syn0, syn1, syn1neg, lockf, counts, hs, negative, sg, cbow_mean, window, alpha, isa,
                sample=False, batch_window=False, hs_private=0, compute_loss=True, neg_private=0,
                syn0_private=0):
    V = len(syn0)
    offsets, codes, points = _sampling.build_huffman(counts)
    prob, alias = _sampling.build_alias(counts.astype(float) ** 0.75)
    return _kernels.KernelParams(
        syn0=syn0, syn1=syn1, syn1neg=syn1neg, lockf=lockf,
        keep_threshold=np.full(V, 2 ** 32, dtype=np.uint64), noise_prob=prob, noise_alias=alias,
        path_offsets=offsets, codes=codes, points=points, window=window, negative=negative, hs=hs, sg=sg,
        cbow_mean=cbow_mean, shrink_windows=False, subsample=sample, compute_loss=compute_loss,
        start_alpha=alpha, end_alpha=alpha, total_words=1e9, isa=isa, batch_window=batch_window,
        hs_private=hs_private, neg_private=neg_private, syn0_private=syn0_private), \
        (offsets, codes, points)


@pytest.mark.parametrize("isa", ISAS)
@pytest.mark.parametrize("sg,hs,negative,cbow_mean,batch_window", [
    (1, 0, NEGATIVE, 1, 0), (1, 1, 0, 1, 0), (1, 1, NEGATIVE, 1, 0),
    (0, 0, NEGATIVE, 1, 0), (0, 0, NEGATIVE, 0, 0), (0, 1, 0, 1, 0), (0, 1, 0, 0, 0), (0, 1, NEGATIVE, 0, 0),
    (1, 0, NEGATIVE, 1, 1), (1, 1, 0, 1, 1), (1, 1, NEGATIVE, 1, 1),
    (0, 0, NEGATIVE, 1, 1), (0, 0, NEGATIVE, 0, 1), (0, 1, 0, 1, 1), (0, 1, NEGATIVE, 0, 1),
])
@pytest.mark.parametrize("width", [None, 32])
@pytest.mark.parametrize("window", [2, 5])
def test_update_matches_numpy_reference(sg, hs, negative, cbow_mean, batch_window, isa, width, window):
    """``width``: the matrices as views into zero-padded 32-float rows (fastw2v/layout.py);
    the kernel then runs over all 32 columns and the padding must stay zero. ``window`` 5
    gives up to 10 inputs per group, more than one register tile holds in the AVX2 and
    portable variants (FW2V_UPDATE_CTX)."""
    rng = np.random.default_rng(42)
    V, dim, alpha = 7, 19, 0.05   # dim 19: exercises the SIMD tail
    counts = np.array([30, 20, 12, 9, 5, 3, 2], dtype=np.int64)
    syn0 = padded_to(rng.random((V, dim), dtype=np.float32) - 0.5, width)
    syn1 = padded_to(rng.random((V, dim), dtype=np.float32) - 0.5, width) if hs else None
    syn1neg = padded_to(rng.random((V, dim), dtype=np.float32) - 0.5, width) if negative else None
    lockf = np.array([1, 1, 0.5, 1, 0, 1, 1], dtype=np.float32)
    params, (offsets, codes, points) = make_params(syn0, syn1, syn1neg, lockf, counts, hs, negative, sg,
                                                   cbow_mean, window, alpha, isa, batch_window=batch_window)
    paths = [list(zip(points[offsets[w]:offsets[w + 1]], codes[offsets[w]:offsets[w + 1]])) for w in range(V)]
    negatives = [4, 0, 6, 2, 2, 5, 1]
    sentences = [[0, 3, 1, 4, 0, 6, 2, 2, 5, 3, 1], [2, 5], [1]]  # > one CBOW block

    ref = [None if a is None else a.astype(np.float64) for a in (syn0, syn1, syn1neg)]
    neg_cycle = list(negatives)
    LOSS[0] = 0.0
    for sent in sentences:
        if batch_window and not sg:
            reference_cbow_block(sent, ref[0], ref[1], ref[2], paths, neg_cycle, cbow_mean, window, alpha, lockf)
        elif batch_window:
            reference_sentence_window(sent, ref[0], ref[1], ref[2], paths, neg_cycle, window, alpha, lockf)
        else:
            reference_sentence(sent, ref[0], ref[1], ref[2], paths, neg_cycle, sg, cbow_mean, window, alpha,
                               lockf)

    assert params.width == (width or dim)
    state = _kernels.ThreadState(params.width, 1)
    state.set_fixed_negatives(negatives)
    ids = np.concatenate(sentences).astype(np.int32)
    ends = np.cumsum([len(s) for s in sentences])
    assert _kernels.train_batch(params, state, ids, ends) is False
    for rows in (syn0, syn1, syn1neg):
        if rows is not None and width:
            assert not layout.full(rows)[:, dim:].any()
    np.testing.assert_allclose(syn0, ref[0], atol=1e-5)
    if hs:
        np.testing.assert_allclose(syn1, ref[1], atol=1e-5)
    if negative:
        np.testing.assert_allclose(syn1neg, ref[2], atol=1e-5)
    assert state.words_seen == len(ids) and state.words_trained == len(ids)
    assert state.loss == pytest.approx(LOSS[0], rel=1e-5)


@pytest.mark.parametrize("isa", ISAS)
@pytest.mark.parametrize("window", [3, 9])
def test_window_groups_longer_than_one_group_match_reference(isa, window):
    """Huffman paths and negative lists longer than the kernel's row group (FW2V_ROW_GROUP),
    with repeated negatives inside one window: still the row-by-row HogBatch update.
    ``window`` 9: up to 18 inputs, more than any variant's register tile (FW2V_UPDATE_CTX),
    so every gradient is taken from the old rows before the rows move block by block."""
    rng = np.random.default_rng(7)
    V, dim, alpha, negative = 24, 21, 0.05, 22
    counts = (2 ** np.arange(V, 0, -1)).astype(np.int64)  # powers of two: a path of length V - 1
    syn0 = (rng.random((V, dim), dtype=np.float32) - 0.5) / 4
    syn1 = (rng.random((V, dim), dtype=np.float32) - 0.5) / 4
    syn1neg = (rng.random((V, dim), dtype=np.float32) - 0.5) / 4
    lockf = np.ones(V, dtype=np.float32)
    params, (offsets, codes, points) = make_params(syn0, syn1, syn1neg, lockf, counts, True, negative, True,
                                                   1, window, alpha, isa, batch_window=True)
    assert np.diff(offsets).max() > 16
    paths = [list(zip(points[offsets[w]:offsets[w + 1]], codes[offsets[w]:offsets[w + 1]])) for w in range(V)]
    negatives = [int(x) for x in rng.integers(0, V, size=53)] + [5, 5, 9, 5]
    sentences = [[int(x) for x in rng.integers(0, V, size=25)], [V - 1, 0, V - 1]]
    ref = [a.astype(np.float64) for a in (syn0, syn1, syn1neg)]
    neg_cycle = list(negatives)
    LOSS[0] = 0.0
    for sent in sentences:
        reference_sentence_window(sent, *ref, paths, neg_cycle, window, alpha, lockf, n_negative=negative)
    state = _kernels.ThreadState(dim, 1, window=window, negative=negative)
    state.set_fixed_negatives(negatives)
    ids = np.concatenate(sentences).astype(np.int32)
    assert _kernels.train_batch(params, state, ids, np.cumsum([len(s) for s in sentences])) is False
    for got, want in zip((syn0, syn1, syn1neg), ref):
        np.testing.assert_allclose(got, want, atol=1e-5)
    assert state.loss == pytest.approx(LOSS[0], rel=1e-5)


@pytest.mark.parametrize("hs,negative", [(1, 0), (1, 5), (0, 5)])
@pytest.mark.parametrize("sg,batch_window", [(1, 1), (1, 0), (0, 0), (0, 1)])
def test_private_rows_merge_back_into_the_shared_matrices(sg, batch_window, hs, negative):
    """hs_private / neg_private / syn0_private (several workers): the top inner
    nodes and the most frequent words' syn1neg and syn0 rows train on a thread's
    own copies whose changes are added back to syn1 / syn1neg / syn0. Alone, a
    thread must end where shared training ends, and two thread states must both
    see and keep each other's changes."""
    rng = np.random.default_rng(3)
    V, dim = 40, 24
    counts = np.sort(rng.integers(1, 500, size=V))[::-1].astype(np.int64)
    init = [(rng.random((V, dim), dtype=np.float32) - 0.5) / 4 for _ in range(3)]
    sentences = [[int(x) for x in rng.integers(0, V, size=60)] for _ in range(30)]
    ids = np.concatenate(sentences).astype(np.int32)
    ends = np.cumsum([len(s) for s in sentences])
    results = {}
    splits = [(0, 0, 0), (7, 0, 0), (V - 1, 0, 0), (0, 5, 0), (0, V, 0), (7, 5, 0), (V - 1, V, 0),
              (0, 0, 6), (0, 0, V), (7, 5, 6), (V - 1, V, V)]
    for private in splits:
        arrays = [a.copy() for a in init]
        params, _ = make_params(arrays[0], arrays[1] if hs else None, arrays[2] if negative else None,
                                np.ones(V, dtype=np.float32), counts, hs, negative, sg, 1, 3, 0.05, ISAS[-1],
                                batch_window=batch_window, hs_private=private[0], neg_private=private[1],
                                syn0_private=private[2])
        # two thread states taking turns, one batch each: each must start from the
        # other's merged changes
        states = [_kernels.ThreadState(dim, 1, window=3), _kernels.ThreadState(dim, 2, window=3)]
        half = len(ends) // 2
        _kernels.train_batch(params, states[0], ids, ends[:half])
        _kernels.train_batch(params, states[1], ids, ends[half:], first_start=int(ends[half - 1]))
        results[private] = arrays
    for private in splits[1:]:
        for got, want in zip(results[private], results[(0, 0, 0)]):
            np.testing.assert_allclose(got, want, atol=1e-6)
    assert np.abs(results[(0, 0, 0)][0] - init[0])[:6].max() > 1e-3  # the private rows did train
    if hs:
        assert np.abs(results[(0, 0, 0)][1] - init[1])[-7:].max() > 1e-3
    if negative:
        assert np.abs(results[(0, 0, 0)][2] - init[2])[:5].max() > 1e-3


@pytest.mark.parametrize("isa", ISAS)
@pytest.mark.parametrize("sg,batch_window", [(1, 1), (1, 0), (0, 0), (0, 1)])
def test_loss_bookkeeping_does_not_change_the_updates(isa, sg, batch_window):
    """compute_loss=False takes the vectorised gradient path (four scores at a time);
    it must give bit-identical vectors to the scalar path that tallies the loss,
    including scores beyond the saturation limit (large rows here)."""
    rng = np.random.default_rng(11)
    V, dim = 30, 37
    counts = np.sort(rng.integers(1, 300, size=V))[::-1].astype(np.int64)
    init = [(rng.random((V, dim), dtype=np.float32) - 0.5) * 2 for _ in range(3)]
    ids = rng.integers(0, V, size=400).astype(np.int32)
    ends = np.arange(20, 401, 20)
    out = []
    for loss in (True, False):
        arrays = [a.copy() for a in init]
        params, _ = make_params(arrays[0], arrays[1], arrays[2], np.ones(V, dtype=np.float32), counts, True, 4,
                                sg, 1, 3, 0.05, isa, batch_window=batch_window, compute_loss=loss)
        _kernels.train_batch(params, _kernels.ThreadState(dim, 5, window=3, negative=4), ids, ends)
        out.append(arrays)
    for a, b in zip(*out):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("sg,batch_window", [(1, 0), (1, 1), (0, 0), (0, 1)])
def test_one_word_vocabulary_with_hierarchical_softmax(sg, batch_window):
    """One word: its Huffman path is empty and points/codes are zero-length (NULL in C);
    nothing reaches them, prefetches included (UBSan in CI's sanitizer job checks the
    pointer arithmetic)."""
    V, dim = 1, 8
    syn0 = np.random.default_rng(0).random((V, dim), dtype=np.float32)
    before = syn0.copy()
    syn1 = np.zeros((V, dim), np.float32)
    params, (offsets, _, _) = make_params(syn0, syn1, None, np.ones(V, np.float32), np.array([40]), 1, 0, sg,
                                          1, 3, 0.05, ISAS[-1], batch_window=batch_window)
    assert offsets.tolist() == [0, 0]
    assert _kernels.train_batch(params, _kernels.ThreadState(dim, 3), np.zeros(40, np.int32),
                                np.array([40])) is False
    np.testing.assert_array_equal(syn0, before)  # no path: nothing to learn


def test_frozen_row_is_unchanged():
    rng = np.random.default_rng(0)
    V, dim = 5, 8
    syn0 = rng.random((V, dim), dtype=np.float32)
    before = syn0.copy()
    syn1neg = rng.random((V, dim), dtype=np.float32)
    lockf = np.array([1, 0, 1, 1, 1], dtype=np.float32)
    params, _ = make_params(syn0, None, syn1neg, lockf, np.array([5, 4, 3, 2, 1]), 0, 2, 1, 1, 3, 0.1,
                            _kernels.ISA_GENERIC)
    state = _kernels.ThreadState(dim, 3)
    _kernels.train_batch(params, state, np.array([0, 1, 2, 3, 4, 1, 0], np.int32), np.array([7]))
    np.testing.assert_array_equal(syn0[1], before[1])
    assert not np.allclose(syn0[0], before[0])


@pytest.mark.parametrize("isa", ISAS)
@pytest.mark.parametrize("sg,batch_window", [(1, 0), (1, 1), (0, 0), (0, 1)])
def test_drawn_negatives_follow_the_noise_distribution(sg, batch_window, isa):
    """The negatives the kernel really draws (random numbers drawn a set ahead, resolved
    through the alias table the set after) follow counts ** 0.75. Read back from the
    rows: every input is the same frozen row u of word 0, so in the linear regime
    (|f| < 0.01, sigmoid(f) = 1/2 to 0.5%) each draw of v moves syn1neg[v] by the same
    -alpha/2 * u (times the window's inputs, the same for every window of a sentence of
    word 0 but its two ends); draws of word 0 itself are skipped."""
    V, dim, alpha, negative = 7, 4, 2.5e-4, 5
    counts = np.array([3000, 900, 400, 250, 120, 60, 15], dtype=np.int64)
    syn0 = np.full((V, dim), 1e-2, dtype=np.float32)
    syn1neg = np.zeros((V, dim), dtype=np.float32)
    lockf = np.zeros(V, dtype=np.float32)
    params, _ = make_params(syn0, None, syn1neg, lockf, counts, 0, negative, sg, 1, 1, alpha,
                            isa, batch_window=batch_window, compute_loss=False)
    state = _kernels.ThreadState(dim, 11, window=1, negative=negative)
    n = 80000
    ids = np.zeros(n, dtype=np.int32)
    _kernels.train_batch(params, state, ids, np.arange(100, n + 1, 100))
    moved = -syn1neg[1:, 0].astype(np.float64)
    assert (moved > 0).all() and np.abs(syn1neg[1:] @ syn0[0]).max() < 1e-2
    weights = counts[1:] ** 0.75
    # the fewest draws are CBOW blocks': n / 8 * negative * 0.48 (not word 0) = 24k, where
    # 3 sigma of the largest frequency (0.43) is 0.0096; the others draw 8-16x more
    np.testing.assert_allclose(moved / moved.sum(), weights / weights.sum(),
                               atol=1e-2 if (batch_window and not sg) else 4e-3)


@pytest.mark.parametrize("sg,batch_window", [(1, 0), (1, 1), (0, 0), (0, 1)])
def test_isa_variants_agree(sg, batch_window):
    """Every SIMD variant this CPU runs gives the portable path's result to float rounding."""
    if len(ISAS) < 2:
        pytest.skip("no SIMD variant on this CPU")
    rng = np.random.default_rng(1)
    V, dim = 50, 100
    counts = np.sort(rng.integers(1, 100, V))[::-1].astype(np.int64)
    ids = rng.integers(0, V, 2000).astype(np.int32)
    ends = np.arange(20, 2001, 20)
    out = []
    for isa in ISAS:
        syn0 = np.random.default_rng(2).random((V, dim), dtype=np.float32) - 0.5
        syn1neg = np.zeros((V, dim), np.float32)
        syn1 = np.zeros((V, dim), np.float32)
        params, _ = make_params(syn0, syn1, syn1neg, np.ones(V, np.float32), counts, 1, 5, sg, 1, 5, 0.025, isa,
                                batch_window=batch_window)
        _kernels.train_batch(params, _kernels.ThreadState(dim, 7), ids, ends)
        out.append(syn0)
    for other in out[1:]:
        np.testing.assert_allclose(out[0], other, atol=1e-4)


def test_subsampling_keeps_expected_fraction():
    V, dim = 2, 4
    syn0 = np.zeros((V, dim), np.float32)
    syn1neg = np.zeros((V, dim), np.float32)
    params = _kernels.KernelParams(
        syn0=syn0, syn1=None, syn1neg=syn1neg, lockf=np.ones(V, np.float32),
        keep_threshold=np.array([int(0.3 * 2 ** 32), 2 ** 32], dtype=np.uint64),
        noise_prob=np.full(V, 2 ** 32 - 1, np.uint32), noise_alias=np.arange(V, dtype=np.int32),
        path_offsets=None, codes=None, points=None, window=1, negative=1, hs=False, sg=True,
        cbow_mean=True, shrink_windows=True, subsample=True, compute_loss=False,
        start_alpha=0.0, end_alpha=0.0, total_words=1e9, isa=_kernels.ISA_GENERIC)
    state = _kernels.ThreadState(dim, 11)
    n = 100000
    _kernels.train_batch(params, state, np.zeros(n, np.int32), np.array([n]))
    assert abs(state.words_trained / n - 0.3) < 0.01
    state2 = _kernels.ThreadState(dim, 11)
    _kernels.train_batch(params, state2, np.ones(n, np.int32), np.array([n]))
    assert state2.words_trained == n


@pytest.mark.parametrize("sg", [0, 1])
def test_tables_covering_a_prefix_train_like_full_tables(sg):
    """Rows past lockf / keep_threshold train at scale 1 and are always kept, with the
    same random stream as full tables holding 1 and 2**32 there; None is an empty table."""
    rng = np.random.default_rng(5)
    V, dim = 40, 8
    counts = np.sort(rng.integers(1, 500, V))[::-1].astype(np.int64)
    prob, alias = _sampling.build_alias(counts.astype(float) ** 0.75)
    ids = rng.integers(0, V, 5000).astype(np.int32)
    ends = np.arange(50, 5001, 50)

    def train(lockf, keep):
        syn0 = np.random.default_rng(1).random((V, dim), dtype=np.float32) - 0.5
        syn1neg = np.zeros((V, dim), np.float32)
        params = _kernels.KernelParams(
            syn0=syn0, syn1=None, syn1neg=syn1neg, lockf=lockf, keep_threshold=keep,
            noise_prob=prob, noise_alias=alias, path_offsets=None, codes=None, points=None, window=3,
            negative=3, hs=False, sg=bool(sg), cbow_mean=True, shrink_windows=True, subsample=True,
            compute_loss=False, start_alpha=0.05, end_alpha=0.05, total_words=1e9, isa=_kernels.ISA_GENERIC)
        state = _kernels.ThreadState(dim, 3, 3, 3)
        _kernels.train_batch(params, state, ids, ends)
        return syn0, syn1neg, state.words_trained

    lockf = np.ones(V, np.float32)
    lockf[[0, 2]] = [0.0, 0.5]
    keep = np.full(V, 2 ** 32, np.uint64)
    keep[:4] = (np.array([0.2, 0.5, 0.7, 0.9]) * 2 ** 32).astype(np.uint64)
    full, prefix = train(lockf, keep), train(lockf[:3], keep[:4])
    np.testing.assert_array_equal(full[0], prefix[0])
    np.testing.assert_array_equal(full[1], prefix[1])
    assert full[2] == prefix[2] < len(ids)  # the head was subsampled, identically
    ones, empty = train(np.ones(V, np.float32), np.full(V, 2 ** 32, np.uint64)), train(None, None)
    for a, b in zip(ones, empty):
        np.testing.assert_array_equal(a, b)
    assert empty[2] == len(ids)


def test_learning_rate_decays_linearly_over_progress():
    V, dim = 3, 4
    syn0 = np.zeros((V, dim), np.float32)
    params = _kernels.KernelParams(
        syn0=syn0, syn1=None, syn1neg=np.zeros((V, dim), np.float32), lockf=np.ones(V, np.float32),
        keep_threshold=np.full(V, 2 ** 32, np.uint64), noise_prob=np.full(V, 2 ** 32 - 1, np.uint32),
        noise_alias=np.arange(V, dtype=np.int32), path_offsets=None, codes=None, points=None, window=1,
        negative=1, hs=False, sg=True, cbow_mean=True, shrink_windows=False, subsample=False,
        compute_loss=False, start_alpha=0.1, end_alpha=0.0, total_words=1000.0, isa=_kernels.ISA_GENERIC)
    state = _kernels.ThreadState(dim, 1)
    _kernels.train_batch(params, state, np.zeros(500, np.int32), np.arange(10, 501, 10))
    # the last sentence started after 490 of 1000 tokens
    assert state.last_alpha == pytest.approx(0.1 * (1 - 490 / 1000), rel=1e-5)
    assert params.progress == 500


def test_stop_flag_stops_at_sentence_boundary():
    V, dim = 3, 4
    params, _ = make_params(np.zeros((V, dim), np.float32), None, np.zeros((V, dim), np.float32),
                            np.ones(V, np.float32), np.array([3, 2, 1]), 0, 1, 1, 1, 1, 0.01,
                            _kernels.ISA_GENERIC)
    params.request_stop()
    state = _kernels.ThreadState(dim, 1)
    n = 5 * _kernels.PUBLISH_EVERY
    assert _kernels.train_batch(params, state, np.zeros(n, np.int32), np.arange(100, n + 1, 100)) is True
    assert state.words_seen == _kernels.PUBLISH_EVERY


def test_boundary_rejects_bad_indices_and_shapes():
    V, dim = 3, 4
    params, _ = make_params(np.zeros((V, dim), np.float32), None, np.zeros((V, dim), np.float32),
                            np.ones(V, np.float32), np.array([3, 2, 1]), 0, 1, 1, 1, 1, 0.01,
                            _kernels.ISA_GENERIC)
    state = _kernels.ThreadState(dim, 1)
    with pytest.raises(ValueError, match="out of range"):
        _kernels.train_batch(params, state, np.array([0, 3], np.int32), np.array([2]))
    with pytest.raises(ValueError, match="non-decreasing"):
        _kernels.train_batch(params, state, np.array([0, 1], np.int32), np.array([2, 1]))
    with pytest.raises(TypeError):
        make_params(np.zeros((V, dim), np.float64), None, np.zeros((V, dim), np.float32),
                    np.ones(V, np.float32), np.array([3, 2, 1]), 0, 1, 1, 1, 1, 0.01, 0)


def test_sentence_weights_scale_the_learning_rate():
    """Weight w on a sentence is the same update as learning rate alpha * w."""
    rng = np.random.default_rng(5)
    V, dim = 6, 10
    counts = np.array([9, 7, 5, 4, 3, 2])
    init = rng.random((V, dim), dtype=np.float32) - 0.5
    sent = np.array([0, 2, 4, 1, 3, 5, 2], np.int32)
    results = []
    for alpha, weight in ((0.05, 1.0), (0.1, 0.5), (0.05, 0.0)):
        syn0, syn1neg = init.copy(), init[::-1].copy()
        params, _ = make_params(syn0, None, syn1neg, np.ones(V, np.float32), counts, 0, 2, 1, 1, 2, alpha,
                                _kernels.ISA_GENERIC)
        state = _kernels.ThreadState(dim, 1)
        state.set_fixed_negatives([3, 1])
        _kernels.train_batch(params, state, sent, np.array([len(sent)]), weights=[weight])
        results.append(syn0)
    np.testing.assert_allclose(results[0], results[1], atol=1e-6)
    np.testing.assert_array_equal(results[2], init)
    with pytest.raises(ValueError, match="one finite value per sentence"):
        _kernels.train_batch(params, state, sent, np.array([len(sent)]), weights=[1.0, 2.0])


def reference_score(sent, syn0, syn1, paths, sg, cbow_mean, window):
    """Taddy's sentence log-likelihood: log sigmoid(+-row . h) over each centre's
    Huffman path, h = each context row (skip-gram) or the window's hidden layer (CBOW)."""
    total, n = 0.0, len(sent)
    syn0, syn1 = syn0.astype(np.float64), syn1.astype(np.float64)
    for i in range(n):
        ctx = [sent[j] for j in range(max(0, i - window), min(n, i + window + 1)) if j != i]
        if not ctx:
            continue
        hs = [syn0[c] for c in ctx] if sg else [syn0[ctx].mean(axis=0) if cbow_mean else syn0[ctx].sum(axis=0)]
        for h in hs:
            for point, code in paths[sent[i]]:
                total += np.log(sigmoid((1 - 2 * int(code)) * (h @ syn1[point])))
    return total


@pytest.mark.parametrize("isa", ISAS)
@pytest.mark.parametrize("sg,cbow_mean", [(1, 1), (0, 1), (0, 0)])
@pytest.mark.parametrize("width", [None, 32])
@pytest.mark.parametrize("window", [2, 5])
def test_score_matches_numpy_reference_and_writes_nothing(isa, sg, cbow_mean, width, window):
    """Window 5: up to 10 context rows per centre, more than a score tile holds;
    27 words: Huffman paths longer than one group of FW2V_ROW_GROUP rows would
    need a deeper tree, so the counts are Fibonacci-like (the deepest tree)."""
    rng = np.random.default_rng(3)
    V, dim = 27, 19
    fib = [1, 1]
    while len(fib) < V:
        fib.append(fib[-1] + fib[-2])
    counts = np.array(fib[::-1], dtype=np.int64)
    syn0 = padded_to(rng.random((V, dim), dtype=np.float32) * 2 - 1, width)
    syn1 = padded_to(rng.random((V, dim), dtype=np.float32) * 2 - 1, width)
    before = (syn0.copy(), syn1.copy())
    params, (offsets, codes, points) = make_params(syn0, syn1, None, np.ones(V, np.float32), counts, 1, 0, sg,
                                                   cbow_mean, window, 0.05, isa)
    assert np.diff(offsets).max() > 16  # a path longer than one row group
    paths = [list(zip(points[offsets[w]:offsets[w + 1]], codes[offsets[w]:offsets[w + 1]])) for w in range(V)]
    sentences = [list(rng.integers(0, V, 13)), [V - 1, 0, 5], [4], [], list(rng.integers(0, V, 30))]
    ids = np.concatenate([np.asarray(s, dtype=np.int32) for s in sentences])
    ends = np.cumsum([len(s) for s in sentences])
    got = _kernels.score_batch(params, _kernels.ThreadState(params.width, 1, window, 0), ids, ends)
    want = [reference_score(s, syn0, syn1, paths, sg, cbow_mean, window) for s in sentences]
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
    assert got[2] == 0 and got[3] == 0 and (got[[0, 1, 4]] < 0).all()
    np.testing.assert_array_equal(syn0, before[0])
    np.testing.assert_array_equal(syn1, before[1])


@pytest.mark.parametrize("sg", [1, 0])
def test_score_reads_shared_rows_after_training_on_copies(sg):
    """A state that trained with private syn0 rows (several workers) holds copies
    of the previous batch; scoring with it must read the shared rows as they are
    now, as a fresh state does."""
    rng = np.random.default_rng(5)
    V, dim = 20, 16
    counts = np.sort(rng.integers(1, 300, size=V))[::-1].astype(np.int64)
    syn0 = rng.random((V, dim), dtype=np.float32) - 0.5
    syn1 = rng.random((V, dim), dtype=np.float32) - 0.5
    params, _ = make_params(syn0, syn1, None, np.ones(V, np.float32), counts, 1, 0, sg, 1, 3, 0.05, ISAS[-1],
                            syn0_private=V)
    ids = rng.integers(0, V, size=120).astype(np.int32)
    ends = np.arange(20, 121, 20)
    used = _kernels.ThreadState(dim, 1, window=3, negative=0)
    _kernels.train_batch(params, used, ids, ends)
    syn0 *= 3  # the state's copies are now stale
    fresh = _kernels.score_batch(params, _kernels.ThreadState(dim, 2, window=3, negative=0), ids, ends)
    np.testing.assert_allclose(_kernels.score_batch(params, used, ids, ends), fresh, rtol=1e-6)


def test_score_checks_its_inputs():
    V, dim = 5, 8
    counts = np.arange(V, 0, -1, dtype=np.int64)
    syn0 = np.zeros((V, dim), np.float32)
    params, _ = make_params(syn0, np.zeros((V, dim), np.float32), np.zeros((V, dim), np.float32),
                            np.ones(V, np.float32), counts, 1, 2, 1, 1, 3, 0.05, _kernels.ISA_GENERIC)
    state = _kernels.ThreadState(dim, 1, 3, 2)
    with pytest.raises(ValueError, match="out of range"):
        _kernels.score_batch(params, state, np.array([0, V], np.int32), np.array([2]))
    with pytest.raises(ValueError, match="within ids"):
        _kernels.score_batch(params, state, np.array([0, 1], np.int32), np.array([3]))
    with pytest.raises(ValueError, match="smaller window"):
        _kernels.score_batch(params, _kernels.ThreadState(dim, 1, 2, 2), np.array([0, 1], np.int32), np.array([2]))
    ns_only, _ = make_params(syn0, None, np.zeros((V, dim), np.float32), np.ones(V, np.float32), counts, 0, 2, 1,
                             1, 3, 0.05, _kernels.ISA_GENERIC)
    with pytest.raises(ValueError, match="hierarchical-softmax"):
        _kernels.score_batch(ns_only, state, np.array([0, 1], np.int32), np.array([2]))


@pytest.mark.parametrize("name", ["hs_private", "neg_private", "syn0_private"])
def test_private_row_counts_must_not_be_negative(name):
    rng = np.random.default_rng(0)
    V, dim = 8, 4
    counts = np.arange(V, 0, -1, dtype=np.int64)
    rows = [rng.random((V, dim), dtype=np.float32) for _ in range(3)]
    with pytest.raises(ValueError, match=f"{name} must be >= 0"):
        make_params(*rows, np.ones(V, np.float32), counts, 1, 5, 1, 1, 2, 0.05, ISAS[-1], **{name: -1})
