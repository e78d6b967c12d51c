"""Graph walks (fastw2v/graph.py, csrc/walks.c) against node2vec's transition formula."""
import numpy as np
import pytest
import scipy.sparse as sp
from scipy import stats

from fastw2v.graph import cli_main, deepwalk, load_graph, node2vec, random_walks

MODES = ["precompute", "rejection"]


def small_graph(directed):
    """Six nodes, weighted, with a triangle, a square and differing weights."""
    edges = np.array([[0, 1, 1.0], [1, 2, 2.0], [2, 0, 0.5], [2, 3, 1.5], [3, 4, 1.0], [4, 5, 3.0],
                      [5, 2, 1.0], [1, 4, 0.7], [0, 3, 2.5]])
    if directed:  # a few reverse edges so second-order steps have choices
        edges = np.vstack([edges, [[1, 0, 1.0], [3, 2, 1.0], [4, 1, 2.0], [2, 5, 0.3], [3, 0, 1.0], [4, 3, 1.0],
                                   [5, 4, 1.0], [2, 1, 1.0]]])
    return edges


def dense_weights(edges, directed, n=6):
    w = np.zeros((n, n))
    for u, v, x in edges:
        w[int(u), int(v)] = x
        if not directed:
            w[int(v), int(u)] = max(w[int(v), int(u)], x)
    return w


def expected_step(w, t, v, p, q):
    """node2vec's formula: P(x | t, v) ~ w(v, x) * alpha(t, x)."""
    alpha = np.where(w[t] > 0, 1.0, 1.0 / q)
    alpha[t] = 1.0 / p
    prob = w[v] * alpha
    return prob / prob.sum()


@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("p,q", [(0.5, 2.0), (2.0, 0.25)])
def test_transition_frequencies_match_node2vec_formula(directed, mode, p, q):
    edges = small_graph(directed)
    w = dense_weights(edges, directed)
    walks = random_walks(edges, walk_length=3, num_walks=30000, p=p, q=q, directed=directed, mode=mode,
                         workers=2, seed=7)
    triples = walks.ids.reshape(-1, 3)  # node numbers == labels here (nodes 0..5)
    # first step: first-order, proportional to the edge weight
    for t in range(6):
        seen = np.bincount(triples[triples[:, 0] == t, 1], minlength=6)
        expected = w[t] / w[t].sum() * seen.sum()
        assert (seen[w[t] == 0] == 0).all()
        assert stats.chisquare(seen[w[t] > 0], expected[w[t] > 0]).pvalue > 1e-4
    checked = 0
    for t in range(6):
        for v in np.flatnonzero(w[t]):
            rows = triples[(triples[:, 0] == t) & (triples[:, 1] == v)]
            if len(rows) < 500 or not w[v].any():
                continue
            seen = np.bincount(rows[:, 2], minlength=6)
            expected = expected_step(w, t, v, p, q) * len(rows)
            assert (seen[expected == 0] == 0).all()
            assert stats.chisquare(seen[expected > 0], expected[expected > 0]).pvalue > 1e-4, (t, v)
            checked += 1
    assert checked >= 8


@pytest.mark.parametrize("mode,p,q", [("precompute", 0.5, 2.0), ("rejection", 0.5, 2.0), ("auto", 1.0, 1.0)])
def test_no_step_follows_a_missing_edge(mode, p, q):
    rng = np.random.default_rng(3)
    a = sp.random(200, 200, density=0.03, random_state=4, format="csr")
    a.data[: len(a.data) // 10] = 0.0  # zero-weight edges are missing edges
    walks = random_walks(a, walk_length=20, num_walks=5, p=p, q=q, directed=True, mode=mode, seed=int(rng.integers(99)))
    dense = a.toarray()
    for s in range(len(walks)):
        walk = walks.ids[walks.offsets[s]:walks.offsets[s + 1]]
        assert (dense[walk[:-1], walk[1:]] > 0).all()
        # a walk ends early only at a node without out-edges
        if len(walk) < 20:
            assert not (dense[walk[-1]] > 0).any()


def test_walks_reproducible_whatever_the_workers():
    edges = small_graph(False)
    one = random_walks(edges, 10, 4, p=0.5, q=2.0, workers=1, seed=11)
    two = random_walks(edges, 10, 4, p=0.5, q=2.0, workers=2, seed=11)
    other = random_walks(edges, 10, 4, p=0.5, q=2.0, workers=1, seed=12)
    np.testing.assert_array_equal(one.ids, two.ids)
    assert not np.array_equal(one.ids, other.ids)
    m1 = node2vec(edges, 0.5, 2.0, 10, 4, workers=1, seed=5, vector_size=8)
    m2 = node2vec(edges, 0.5, 2.0, 10, 4, workers=1, seed=5, vector_size=8)
    np.testing.assert_array_equal(m1.wv.vectors, m2.wv.vectors)


def test_inputs_agree(tmp_path):
    nx = pytest.importorskip("networkx")
    edges = small_graph(False)
    path = tmp_path / "g.edg"
    np.savetxt(path, edges, fmt=["%d", "%d", "%.3f"], header="u v w")
    matrix = sp.coo_array((edges[:, 2], (edges[:, 0].astype(int), edges[:, 1].astype(int))), shape=(6, 6))
    g = nx.Graph()
    g.add_weighted_edges_from([(int(u), int(v), x) for u, v, x in edges])
    g = nx.relabel_nodes(g, {k: k for k in range(6)})
    ref = random_walks(edges, 8, 3, p=0.5, q=2.0, seed=2).ids
    for source in (str(path), matrix, nx.convert_node_labels_to_integers(g, ordering="sorted")):
        np.testing.assert_array_equal(random_walks(source, 8, 3, p=0.5, q=2.0, seed=2).ids, ref)


def test_edge_cases_are_documented_behaviour():
    # isolated node 9 (given in nodes=), self-loop on 0, zero-weight edge 1-2
    edges = np.array([[0, 0, 1.0], [0, 1, 1.0], [1, 2, 0.0], [2, 3, 1.0]])
    walks = random_walks(edges, 6, 2, nodes=[0, 1, 2, 3, 9], seed=1)
    by_start = {int(w[0]): list(w) for w in walks}
    assert by_start[9] == [9]
    walk_1 = np.asarray(by_start[1])
    assert 2 not in walk_1 and 3 not in walk_1  # 1-2 has weight 0: not an edge
    model = deepwalk(edges, 5, 2, nodes=[0, 1, 2, 3, 9], workers=1, vector_size=4)
    assert 9 in model.wv.key_to_index
    # a sink of a directed graph ends the walk
    walks = random_walks(np.array([[0, 1], [1, 2]]), 5, 1, directed=True)
    assert sorted(len(w) for w in walks) == [1, 2, 3]


@pytest.mark.parametrize("graph,kwargs,error,match", [
    (np.array([[0, 1], [1, 5]]), {"nodes": [0, 1, 2]}, ValueError, "endpoint 5"),
    (np.array([[0, 1, -1.0]]), {}, ValueError, "finite and >= 0"),
    (np.array([[0, 1, np.nan]]), {}, ValueError, "finite and >= 0"),
    (sp.csr_array(np.ones((2, 3))), {}, ValueError, "square"),
    (sp.csr_array(np.ones((3, 3))), {"nodes": [1, 2]}, ValueError, "2 labels but the matrix has 3"),
    (np.array([[0.5, 1]]), {}, ValueError, "integers"),
    ({"a": 1}, {}, TypeError, "unsupported graph input"),
    (np.array([[0, 1]]), {"weighted": True}, ValueError, "third column"),
    (np.array([[2**64 - 1, 1]], dtype=np.uint64), {}, OverflowError, "too large for int64"),
])
def test_bad_inputs_raise_clear_errors(graph, kwargs, error, match):
    with pytest.raises(error, match=match):
        random_walks(graph, 5, 1, **kwargs)


def test_bad_parameters_raise():
    edges = np.array([[0, 1], [1, 2]])
    with pytest.raises(ValueError, match="p and q"):
        random_walks(edges, 5, 1, p=0.0)
    with pytest.raises(ValueError, match="walk_length"):
        random_walks(edges, 0, 1)
    with pytest.raises(ValueError, match="mode"):
        random_walks(edges, 5, 1, p=2.0, mode="fast")


def sbm(sizes, p_in, p_out, seed):
    rng = np.random.default_rng(seed)
    block = np.repeat(np.arange(len(sizes)), sizes)
    n = len(block)
    prob = np.where(block[:, None] == block[None, :], p_in, p_out)
    upper = np.triu(rng.random((n, n)) < prob, 1)
    u, v = np.nonzero(upper)
    return np.column_stack([u, v]), block


def test_stochastic_block_model_blocks_separate():
    edges, block = sbm([100, 100, 100], 0.1, 0.005, seed=0)
    model = node2vec(edges, p=1.0, q=0.5, walk_length=20, num_walks=5, vector_size=32, window=5, workers=2,
                     nodes=np.arange(300), epochs=3)
    vectors = model.wv[list(range(300))]
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    sims = unit @ unit.T
    np.fill_diagonal(sims, -np.inf)
    top = np.argsort(-sims, axis=1)[:, :10]
    assert (block[top] == block[:, None]).mean() > 0.9


def test_cli(tmp_path, capsys):
    edges = small_graph(False)
    path = tmp_path / "g.txt"
    np.savetxt(path, edges[:, :2], fmt="%d")
    out = tmp_path / "vec.txt"
    assert cli_main(["--edges", str(path), "--output", str(out), "--p", "0.5", "--q", "2", "--walk-length", "10",
                     "--num-walks", "3", "--dim", "8", "--workers", "1"]) == 0
    lines = out.read_text().splitlines()
    assert lines[0] == "6 8" and len(lines) == 7
    assert cli_main(["--edges", str(tmp_path / "missing.txt"), "--output", str(out)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not found" in err[0]
    assert cli_main(["--output", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--edges" in err[0]  # a usage error is one line too


def test_load_graph_undirected_takes_the_larger_direction():
    g = load_graph(np.array([[0, 1, 2.0], [1, 0, 5.0], [1, 2, 1.0], [1, 2, 1.0]]))
    dense = sp.csr_array((g.weights, g.indices, g.indptr)).toarray()
    np.testing.assert_array_equal(dense, [[0, 5, 0], [5, 0, 2], [0, 2, 0]])


@pytest.mark.parametrize("text", ["1 2\n2 3 0.5\n3 1\n", "1 2 0.5\n2 3 4 5\n"])
def test_edge_files_with_changing_columns_are_refused(tmp_path, text):
    """A weight on some lines only is an error, never silently dropped (nor are extra columns)."""
    path = tmp_path / "edges.txt"
    path.write_text(text)
    with pytest.raises(ValueError, match="number of columns changed.*row 2"):
        load_graph(str(path))
