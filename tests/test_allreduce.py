"""fastw2v.allreduce: sparse row deltas, float16 with error feedback, the heap tree (dense NumPy oracle)."""
import numpy as np
import pytest

from fastw2v import allreduce
from fastw2v.allreduce import Rows


def random_part(rng, n_rows=60, dim=4, k=25, weight=None, dtype=np.float32):
    rows = np.sort(rng.choice(n_rows, k, replace=False)).astype(np.int32)
    values = rng.standard_normal((k, dim)).astype(dtype)
    return Rows(rows, values, None if weight is None else np.full(k, weight, dtype=np.float32))


def dense(parts, n_rows=60, dim=4, mean=False):
    total, weight = np.zeros((n_rows, dim)), np.zeros(n_rows)
    for p in parts:
        w = p.weights if mean else np.ones(len(p.rows))
        total[p.rows] += p.values.astype(np.float64) * w[:, None]
        weight[p.rows] += w
    return (total / np.maximum(weight, 1e-30)[:, None] if mean else total), weight


@pytest.mark.parametrize("mean", [False, True])
def test_add_matches_dense_oracle(mean):
    rng = np.random.default_rng(0)
    parts = [random_part(rng, weight=w if mean else None) for w in (100, 300, 50)]
    merged = allreduce.add(parts, np.float32)
    expected, weight = dense(parts, mean=mean)
    np.testing.assert_array_equal(merged.rows, np.flatnonzero(weight))
    np.testing.assert_allclose(merged.values, expected[merged.rows], rtol=1e-6, atol=1e-6)
    if mean:
        np.testing.assert_allclose(merged.weights, weight[merged.rows])


@pytest.mark.parametrize("n", [1, 2, 3, 7, 16])
@pytest.mark.parametrize("mean", [False, True])
def test_heap_tree_sums_every_shard_once(n, mean):
    """Reducing up the heap (each node: its own part plus its children's sums) is the flat sum/mean."""
    rng = np.random.default_rng(n)
    leaves = [random_part(rng, weight=float(rng.integers(1, 100)) if mean else None) for _ in range(n)]
    sums = [None] * n
    for k in reversed(range(n)):
        kids = [sums[c] for c in allreduce.children(k, n)]
        sums[k] = allreduce.add([leaves[k], *kids], np.float32) if kids else leaves[k]
    expected, weight = dense(leaves, mean=mean)
    np.testing.assert_array_equal(sums[0].rows, np.flatnonzero(weight))
    np.testing.assert_allclose(sums[0].values, expected[sums[0].rows], rtol=1e-5, atol=1e-5)
    # every shard but the root has one parent, and the deepest is depth() hops from the root
    assert sorted(c for k in range(n) for c in allreduce.children(k, n)) == list(range(1, n))
    hops = [0] * n
    for k in range(1, n):
        hops[k] = hops[allreduce.parent(k)] + 1
    assert max(hops) == allreduce.depth(n)


def test_error_feedback_keeps_the_sent_sum_within_one_step():
    """float16 alone loses small changes for good; with the carry-over the sent total tracks the exact one."""
    rng = np.random.default_rng(1)
    rows = np.arange(10, dtype=np.int32)
    residual = np.zeros((10, 3), dtype=np.float32)
    exact_total = np.zeros((10, 3))
    sent, naive = np.zeros((10, 3)), np.zeros((10, 3))
    start = np.full((10, 3), 1.0, dtype=np.float32)
    for _ in range(2000):
        step = (rng.standard_normal((10, 3)) * 1e-4 + 3e-5).astype(np.float32)  # drift below float16's step at 1.0
        exact_total += step
        sent += allreduce.encode(step, rows, residual, np.float16)
        naive += (start + step).astype(np.float16).astype(np.float32) - start  # rounding the weights themselves
    np.testing.assert_allclose(sent + residual, exact_total, atol=1e-5)
    assert np.abs(sent - exact_total).max() < 2e-3  # one float16 step of a 1e-4-sized change
    assert np.abs(naive - exact_total).max() > 10 * np.abs(sent - exact_total).max()


def test_apply_adds_the_total_less_own_part():
    rng = np.random.default_rng(2)
    array = rng.standard_normal((60, 4)).astype(np.float32)
    own = random_part(rng)
    other = random_part(rng)
    total = allreduce.add([own, other], np.float32)
    before = array.copy()
    array[own.rows] += own.values  # the replica has its own change already
    written = allreduce.apply(array, total, own)
    expected = before.copy()
    expected[own.rows] += own.values
    expected[other.rows] += other.values
    np.testing.assert_allclose(array, expected, atol=1e-5)
    np.testing.assert_array_equal(written, total.rows)


def test_changed_rows_and_nbytes():
    start = np.zeros((5, 3), dtype=np.float32)
    current = start.copy()
    current[[1, 4], 2] = 0.5
    rows = allreduce.changed_rows(current, start)
    assert rows.tolist() == [1, 4] and rows.dtype == np.int32
    delta = {"vectors": Rows(rows, (current[rows] - start[rows]).astype(np.float16), None)}
    assert allreduce.nbytes(delta) == 2 * 4 + 2 * 3 * 2
