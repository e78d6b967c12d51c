"""fastw2v.allreduce: sparse row deltas, int8 with error feedback, the heap tree (dense NumPy oracle)."""
import numpy as np
import pytest

from fastw2v import allreduce
from fastw2v.allreduce import Rows


def random_part(rng, n_rows=60, dim=4, k=25, weight=None, dtype="float32"):
    rows = np.sort(rng.choice(n_rows, k, replace=False)).astype(np.int32)
    values = rng.standard_normal((k, dim)).astype(np.float32)
    return Rows(rows, *allreduce.quantise(values, dtype), None if weight is None else np.full(k, weight, np.float32))


def dense(parts, n_rows=60, dim=4, mean=False):
    total, weight = np.zeros((n_rows, dim)), np.zeros(n_rows)
    for p in parts:
        w = p.weights if mean else np.ones(len(p.rows))
        total[p.rows] += p.decoded().astype(np.float64) * w[:, None]
        weight[p.rows] += w
    return (total / np.maximum(weight, 1e-30)[:, None] if mean else total), weight


@pytest.mark.parametrize("mean", [False, True])
@pytest.mark.parametrize("dtype,tolerance", [("float32", 1e-6), ("int8", 1 / 254)])
def test_add_matches_dense_oracle(mean, dtype, tolerance):
    """Within half a quantisation step of the exact sum (of the already quantised inputs)."""
    rng = np.random.default_rng(0)
    parts = [random_part(rng, weight=w if mean else None, dtype=dtype) for w in (100, 300, 50)]
    merged = allreduce.add(parts, dtype)
    expected, weight = dense(parts, mean=mean)
    np.testing.assert_array_equal(merged.rows, np.flatnonzero(weight))
    scale = np.abs(expected[merged.rows]).max(axis=1, keepdims=True)
    assert np.all(np.abs(merged.decoded() - expected[merged.rows]) <= tolerance * scale + 1e-6)
    if mean:
        np.testing.assert_allclose(merged.weights, weight[merged.rows])


@pytest.mark.parametrize("n", [1, 2, 3, 5, 7, 16, 22])
@pytest.mark.parametrize("mean", [False, True])
@pytest.mark.parametrize("fan_in", [2, 4])
def test_heap_tree_sums_every_shard_once(n, mean, fan_in):
    """Reducing up the heap (each node: its own part plus its children's sums) is the flat sum/mean."""
    rng = np.random.default_rng(n)
    leaves = [random_part(rng, weight=float(rng.integers(1, 100)) if mean else None) for _ in range(n)]
    sums = [None] * n
    for k in reversed(range(n)):
        kids = [sums[c] for c in allreduce.children(k, n, fan_in)]
        sums[k] = allreduce.add([leaves[k], *kids], "float32") if kids else leaves[k]
    expected, weight = dense(leaves, mean=mean)
    np.testing.assert_array_equal(sums[0].rows, np.flatnonzero(weight))
    np.testing.assert_allclose(sums[0].values, expected[sums[0].rows], rtol=1e-5, atol=1e-5)
    # every shard but the root has one parent, and the deepest is depth() hops from the root
    assert sorted(c for k in range(n) for c in allreduce.children(k, n, fan_in)) == list(range(1, n))
    assert all(len(allreduce.children(k, n, fan_in)) <= fan_in for k in range(n))
    hops = [0] * n
    for k in range(1, n):
        assert k in allreduce.children(allreduce.parent(k, fan_in), n, fan_in)
        hops[k] = hops[allreduce.parent(k, fan_in)] + 1
    assert max(hops) == allreduce.depth(n, fan_in)
    assert allreduce.depth(16, 4) == 2 and allreduce.depth(16, 2) == 4


def numpy_quantise(x):
    amax = np.abs(x).max(axis=1)
    scale = amax / 127
    q = np.rint(x / np.where(scale > 0, scale, 1)[:, None])
    return q.astype(np.int8), scale


def test_quantise_matches_numpy_and_stays_within_half_a_step():
    rng = np.random.default_rng(5)
    x = (rng.standard_normal((200, 7)) * rng.uniform(1e-6, 1, (200, 1))).astype(np.float32)
    x[3] = 0.0
    q, scale = allreduce.quantise(x, "int8")
    expected_q, expected_scale = numpy_quantise(x)
    np.testing.assert_allclose(scale, expected_scale, rtol=1e-6)
    assert np.abs(q.astype(int) - expected_q).max() <= 1  # ties may round either way in float32
    decoded = allreduce.Rows(np.arange(200, dtype=np.int32), q, scale, None).decoded()
    assert np.all(np.abs(decoded - x) <= 0.5 * scale[:, None] * 1.0001 + 1e-12)
    assert np.abs(q).max() == 127 and not q[3].any()


def test_encode_changes_sends_changed_rows_with_error_feedback():
    """Quantising each round alone loses a small steady drift; with the carry-over the sent total tracks it."""
    rng = np.random.default_rng(1)
    start = rng.standard_normal((12, 3)).astype(np.float32)
    current, residual = start.copy(), np.zeros_like(start)
    exact_total, sent, naive = np.zeros((12, 3)), np.zeros((12, 3)), np.zeros((12, 3))
    for _ in range(2000):
        step = (rng.standard_normal((12, 3)) * 1e-3).astype(np.float32)
        step[:, 0] = 1e-6  # a small change beside large ones in the same row: int8 rounds it to 0 every time
        step[11] = 0.0     # an untouched row is not sent
        before = current.copy()
        current += step
        exact = (current - before).astype(np.float64)
        exact_total += exact
        part = allreduce.encode_changes(current, start, residual, "int8")
        assert part.rows.tolist() == list(range(11))
        np.testing.assert_array_equal(start, current)  # start caught up
        sent[part.rows] += part.decoded()
        q, scale = numpy_quantise(exact[:11].astype(np.float32))
        naive[:11] += q * scale[:, None]
    np.testing.assert_allclose(sent + residual, exact_total, atol=1e-5)
    error = np.abs(sent - exact_total).max()
    assert error < 3e-5  # about one step of a 1e-3-sized change, after 2000 rounds
    assert np.abs(naive - exact_total).max() > 10 * error


def test_encode_changes_float32_is_exact():
    rng = np.random.default_rng(3)
    start = rng.standard_normal((8, 4)).astype(np.float32)
    current = start.copy()
    current[[2, 5]] += 0.25
    expected = current[[2, 5]] - start[[2, 5]]
    part = allreduce.encode_changes(current, start, None, "float32", weight=40)
    assert part.rows.tolist() == [2, 5] and part.scale is None and part.weights.tolist() == [40, 40]
    np.testing.assert_array_equal(part.values, expected)
    assert allreduce.nbytes({"vectors": part}) == 2 * 4 + 2 * 4 * 4 + 2 * 4


@pytest.mark.parametrize("dtype", ["int8", "float32"])
def test_apply_adds_the_total_less_own_part(dtype):
    rng = np.random.default_rng(2)
    array = rng.standard_normal((60, 4)).astype(np.float32)
    own = random_part(rng, dtype=dtype)
    other = random_part(rng, dtype=dtype)
    total = allreduce.add([own, other], dtype)
    before = array.copy()
    array[own.rows] += own.decoded()  # the replica has its own change already
    start = array.copy()
    start[::3] += 1.0  # a replica in mid-round: its own changes since start must survive
    pending = array - start
    allreduce.apply(array, total, own, start=start)
    expected = before + dense([total], n_rows=60)[0] if dtype == "int8" else before.copy()
    if dtype == "float32":
        expected[own.rows] += own.values
        expected[other.rows] += other.values
    np.testing.assert_allclose(array, expected, atol=1e-5)
    np.testing.assert_allclose(array - start, pending, atol=1e-5)


def test_bad_input_is_refused():
    rng = np.random.default_rng(4)
    part = random_part(rng)
    array = np.zeros((10, 4), dtype=np.float32)
    with pytest.raises(ValueError, match="out of bounds"):
        allreduce.apply(array, part)
    unsorted = part._replace(rows=part.rows[::-1].copy())
    with pytest.raises(ValueError, match="sorted"):
        allreduce.add([unsorted, part], "float32")
    with pytest.raises(ValueError, match="shape"):
        allreduce.add([part._replace(values=part.values[:, :2]), part], "float32")
    with pytest.raises(ValueError, match="residual"):
        allreduce.encode_changes(array, array.copy(), None, "int8")
    with pytest.raises(ValueError, match="float32"):
        allreduce.encode_changes(array.astype(np.float64), array, None, "float32")
    stranger = part._replace(rows=np.array([59], np.int32), values=part.values[:1])
    with pytest.raises(ValueError, match="subset"):
        allreduce.apply(np.zeros((60, 4), np.float32), part, stranger)


@pytest.mark.parametrize("overlap", [0, 1, 3])
def test_totals_landing_mid_round_count_every_change_once(overlap):
    """Bounded staleness (fastw2v.distributed's overlap): replicas keep training while their
    deltas travel and apply each total whenever it lands -- before, between or after pieces
    of later rounds, at most ``overlap`` rounds late. Once every total has landed, every
    replica equals the sequential sum of all replicas' changes (float32 wire: exactly, up to
    float rounding), whatever the landing times."""
    rng = np.random.default_rng(overlap)
    n, rounds, n_rows, dim = 3, 9, 40, 5
    init = rng.standard_normal((n_rows, dim)).astype(np.float32)
    arrays = [init.copy() for _ in range(n)]
    starts = [init.copy() for _ in range(n)]
    sent = [{} for _ in range(n)]
    totals, applied = {}, [set() for _ in range(n)]
    expected = init.astype(np.float64)

    def land(i, version):
        if version in totals and version not in applied[i]:
            allreduce.apply(arrays[i], totals[version], sent[i].pop(version), start=starts[i])
            applied[i].add(version)

    for r in range(rounds):
        for i in range(n):
            for v in range(r - overlap):  # round r may not start before round r - 1 - overlap's total
                land(i, v)
            for piece in range(2):  # training in two pieces; any total still in flight may land between
                rows = rng.choice(n_rows, 12, replace=False)
                step = (rng.standard_normal((12, dim)) * 0.1).astype(np.float32)
                arrays[i][rows] += step
                np.add.at(expected, rows, step.astype(np.float64))
                for v in range(max(r - overlap, 0), r):
                    if rng.random() < 0.5:
                        land(i, v)
            sent[i][r] = allreduce.encode_changes(arrays[i], starts[i], None, "float32")
        totals[r] = allreduce.add([sent[i][r] for i in range(n)], "float32")
    for i in range(n):
        for v in range(rounds):
            land(i, v)
        np.testing.assert_allclose(arrays[i], expected, atol=1e-4)
        np.testing.assert_array_equal(starts[i], arrays[i])  # nothing left unsent


def test_int8_merge_is_the_float32_merge_quantised():
    """The merge quantises each summed row as it goes: the same as summing in float32, then quantising."""
    rng = np.random.default_rng(6)
    parts = [random_part(rng, n_rows=300, dim=37, k=200, dtype=d) for d in ("int8", "float32", "int8", "int8")]
    fused = allreduce.add(parts, "int8")
    exact = allreduce.add(parts, "float32")
    q, scale = allreduce.quantise(exact.values, "int8")
    np.testing.assert_array_equal(fused.rows, exact.rows)
    np.testing.assert_array_equal(fused.values, q)
    np.testing.assert_array_equal(fused.scale, scale)
