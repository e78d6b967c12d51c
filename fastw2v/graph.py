"""Graph embeddings: DeepWalk and node2vec walks in C, trained by Word2Vec.

A graph becomes sequences of node numbers (random walks, csrc/walks.c, no
GIL, one range of walks per worker), the sequences become a `Sequences`
corpus keyed by the node labels, and `Word2Vec` trains it on its fast path.
No walk is ever a Python list: the walk buffer filled in C is the corpus.

Inputs (``graph`` argument everywhere): a SciPy sparse adjacency matrix, an
``(E, 2)`` or ``(E, 3)`` integer edge array (third column: weights), the path
of an edge-list file (``u v [w]`` per line, ``#`` comments, whitespace or
commas), a networkx graph, or a `Graph`.

Documented behaviour at the edges of the input:

- undirected (the default, as node2vec and PecanPy): the weight of {u, v} is
  the larger of those given for (u, v) and (v, u); duplicates of one direction
  add up;
- zero-weight edges are missing edges (never walked); negative, NaN or
  infinite weights are an error;
- self-loops are ordinary edges: a walk may stay on a node;
- a walk ends early at a node without out-edges (a sink of a directed graph);
  an isolated node's walks are the node alone, so it gets a vector that has
  seen no training pair (its random initial value);
- edge-array and file node ids may be any int64 values (they become the keys);
  with ``nodes=`` every endpoint must be one of them, and a matrix's ``nodes``
  must have one label per row.

node2vec's second-order steps use precomputed per-edge alias tables when they
fit in ``max_table_bytes`` (O(1) per step), else rejection sampling on the fly
(no extra memory) -- PecanPy's PreComp and SparseOTF modes; ``mode=`` forces one.
"""
from __future__ import annotations

import os
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from fastw2v._walks import WalkGraph
from fastw2v.sequences import Sequences
from fastw2v.validation import check_integer

MODES = ("auto", "precompute", "rejection")
DEFAULT_MAX_TABLE_BYTES = 1 << 30
# node2vec's and PecanPy's training defaults for graphs (min_count=0: every node gets a vector).
GRAPH_WORD2VEC_DEFAULTS = {"vector_size": 128, "window": 10, "min_count": 0, "sg": 1, "epochs": 1}


@dataclass
class Graph:
    """A graph as CSR arrays over nodes numbered 0..n-1, with each node's label.

    ``keys[i]`` is node i's label (an int64 array, or a list for other labels);
    ``weights`` is None for an unweighted graph.
    """
    indptr: np.ndarray
    indices: np.ndarray
    weights: np.ndarray | None
    keys: np.ndarray | list
    directed: bool

    @property
    def n_nodes(self) -> int:
        return len(self.indptr) - 1

    @property
    def n_edges(self) -> int:
        return len(self.indices)


def _from_matrix(matrix, directed: bool, weighted, keys) -> Graph:
    import scipy.sparse as sp

    a = sp.csr_array(matrix)
    if a.ndim != 2 or a.shape[0] != a.shape[1]:
        raise ValueError(f"an adjacency matrix must be square, got shape {a.shape}")
    n = a.shape[0]
    if n == 0:
        raise ValueError("the graph has no nodes")
    if n >= 2 ** 31:
        raise ValueError(f"at most 2^31 - 1 nodes are supported, got {n}")
    data = np.asarray(a.data, dtype=np.float64)
    if not np.isfinite(data).all() or (data < 0).any():
        raise ValueError("edge weights must be finite and >= 0 (zero means no edge)")
    a = sp.csr_array((data, a.indices, a.indptr), shape=a.shape)
    a.sum_duplicates()
    if not directed:
        a = sp.csr_array(a.maximum(a.T))
    a.eliminate_zeros()
    a.sort_indices()
    if weighted is None:
        weighted = bool(len(a.data)) and not np.all(a.data == a.data[0])
    if keys is None:
        keys = np.arange(n, dtype=np.int64)
    elif len(keys) != n:
        raise ValueError(f"nodes= has {len(keys)} labels but the matrix has {n} rows")
    weights = np.ascontiguousarray(a.data, dtype=np.float64) if weighted else None
    return Graph(np.ascontiguousarray(a.indptr, dtype=np.int64), np.ascontiguousarray(a.indices, dtype=np.int32),
                 weights, keys, directed)


def _split_edges(edges, weighted):
    """An (E, 2|3) edge array as int64 endpoints and float64 weights (or None)."""
    edges = np.asarray(edges)
    if edges.ndim != 2 or edges.shape[1] not in (2, 3):
        raise ValueError(f"an edge array must have shape (E, 2) or (E, 3), got {edges.shape}")
    if weighted and edges.shape[1] != 3:
        raise ValueError("weighted=True needs a third column of weights")
    ends = edges[:, :2]
    if ends.dtype.kind == "f":
        if not np.isfinite(ends).all() or (ends != np.round(ends)).any() or np.abs(ends).max(initial=0) > 2 ** 53:
            raise ValueError("node ids in an edge array must be integers")
    elif ends.dtype.kind not in "iu":
        raise TypeError(f"node ids must be integers, got {ends.dtype}")
    elif ends.dtype.kind == "u" and ends.size and ends.max() > np.iinfo(np.int64).max:
        raise OverflowError(f"node id {int(ends.max())} is too large for int64")
    use_weights = edges.shape[1] == 3 and weighted is not False
    return ends.astype(np.int64), (edges[:, 2].astype(np.float64) if use_weights else None)


def _from_edges(ends, weights, directed: bool, weighted, nodes) -> Graph:
    import scipy.sparse as sp

    if nodes is None:
        keys = np.unique(ends)      # sorted
        order = np.arange(len(keys))
    else:
        keys = np.asarray(nodes, dtype=np.int64)
        if len(np.unique(keys)) != len(keys):
            raise ValueError("nodes= holds duplicate ids")
        order = np.argsort(keys, kind="stable")
    if len(keys) == 0:
        raise ValueError("the graph has no nodes")
    sorted_keys = keys[order]
    slot = np.searchsorted(sorted_keys, ends).clip(0, len(keys) - 1)
    found = sorted_keys[slot] == ends
    if not found.all():
        raise ValueError(f"edge endpoint {ends[~found][0]} is not one of the {len(keys)} nodes given in nodes=")
    position = order[slot]
    n = len(keys)
    data = weights if weights is not None else np.ones(len(ends))
    a = sp.coo_array((data, (position[:, 0], position[:, 1])), shape=(n, n))
    graph = _from_matrix(a, directed, weights is not None if weighted is None else weighted, keys)
    if weights is None:
        graph.weights = None
    return graph


def read_edge_list(path, weighted=None):
    """An edge-list file (``u v [w]`` lines) as int64 endpoints (E, 2) and float64
    weights (None without a third column, or with ``weighted=False``)."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"edge-list file not found: {path}")
    delimiter, columns = None, 0
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip() and not line.lstrip().startswith("#"):
                delimiter = "," if "," in line else None
                columns = len(line.replace(",", " ").split())
                break
    if columns == 0:
        raise ValueError(f"{path} holds no edges")
    if columns not in (2, 3):
        raise ValueError(f"{path}: expected 'u v' or 'u v weight' per line, found {columns} columns")
    if weighted and columns == 2:
        raise ValueError(f"{path}: weighted=True but the file has no weight column")
    try:
        # every line must have the first data line's column count (loadtxt checks that when
        # it reads all columns): a weight on some lines only is an error, never dropped
        if columns == 2:
            ends = np.loadtxt(path, comments="#", delimiter=delimiter, dtype=np.int64, ndmin=2)
            weights = None
        else:
            ends = np.loadtxt(path, comments="#", delimiter=delimiter, usecols=(0, 1), dtype=np.int64, ndmin=2)
            table = np.loadtxt(path, comments="#", delimiter=delimiter, dtype=np.float64, ndmin=2)
            weights = table[:, 2].copy() if weighted is not False else None
    except ValueError as exc:
        # (loadtxt's "; use `usecols` ..." advice is about its own API, not the file)
        raise ValueError(f"{path}: cannot read edges ({str(exc).split('; use')[0]})") from None
    return ends, weights


def load_graph(graph, *, directed=None, weighted=None, nodes=None) -> Graph:
    """Any supported graph input as a `Graph` (see the module docstring).

    ``directed=None`` means: a networkx graph's own kind, otherwise undirected.
    ``weighted=None`` means: weighted when the input carries weights that differ.
    """
    if isinstance(graph, Graph):
        return graph
    if type(graph).__module__.startswith("networkx"):
        import networkx as nx

        directed = graph.is_directed() if directed is None else directed
        labels = list(graph.nodes())
        matrix = nx.to_scipy_sparse_array(graph, nodelist=labels, weight="weight" if weighted is not False else None)
        if all(isinstance(k, (int, np.integer)) and not isinstance(k, bool) for k in labels):
            labels = np.asarray(labels, dtype=np.int64)
        return _from_matrix(matrix, bool(directed), weighted, labels)
    directed = bool(directed)
    if isinstance(graph, (str, bytes, os.PathLike)):
        return _from_edges(*read_edge_list(graph, weighted), directed, weighted, nodes)
    if hasattr(graph, "tocsr") or type(graph).__module__.startswith("scipy.sparse"):
        keys = None if nodes is None else (list(nodes) if not isinstance(nodes, np.ndarray) else nodes)
        return _from_matrix(graph, directed, weighted, keys)
    if isinstance(graph, (np.ndarray, list, tuple)):
        return _from_edges(*_split_edges(graph, weighted), directed, weighted, nodes)
    raise TypeError(f"unsupported graph input {type(graph).__name__}: pass a SciPy sparse matrix, an (E, 2|3) "
                    "edge array, an edge-list file path or a networkx graph")


def _ranges(weights_cumulative: np.ndarray, parts: int) -> list[tuple[int, int]]:
    """Split 0..n into ``parts`` contiguous ranges of about equal cumulative work."""
    n = len(weights_cumulative) - 1
    targets = np.arange(1, parts) * (weights_cumulative[-1] / parts)
    cuts = np.searchsorted(weights_cumulative, targets).clip(0, n)
    bounds = np.concatenate(([0], cuts, [n])).astype(np.int64)
    return [(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:]) if b > a]


def _parallel(fn, ranges, workers: int):
    if workers == 1 or len(ranges) == 1:
        for lo, hi in ranges:
            fn(lo, hi)
        return
    with ThreadPoolExecutor(workers) as pool:
        for _ in pool.map(lambda r: fn(*r), ranges):
            pass


def prepare_walker(graph: Graph, p=1.0, q=1.0, mode="auto", workers=1, max_table_bytes=None) -> WalkGraph:
    """The C walker of ``graph`` with its sampling tables built (see the module docstring for modes)."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    walker = WalkGraph(graph.indptr, graph.indices, graph.weights)
    walker.build_node_tables()
    walker.set_search_bias(float(p), float(q))
    if not walker.second_order:
        return walker
    offsets = walker.edge_table_offsets()
    table_bytes = 8 * int(offsets[-1]) + 12 * graph.n_edges
    limit = DEFAULT_MAX_TABLE_BYTES if max_table_bytes is None else int(max_table_bytes)
    if mode == "precompute" or (mode == "auto" and table_bytes <= limit):
        walker.allocate_edge_tables(offsets)
        _parallel(walker.build_edge_tables, _ranges(offsets, 4 * workers), workers)
        walker.use_edge_tables(True)
    return walker


def _check_walk_args(walk_length, num_walks, workers):
    for name, value in (("walk_length", walk_length), ("num_walks", num_walks), ("workers", workers)):
        check_integer(name, value, 1)
    if walk_length >= 2 ** 31:
        raise ValueError(f"walk_length must be < 2^31, got {walk_length}")


def random_walks(graph, walk_length=80, num_walks=10, p=1.0, q=1.0, *, directed=None, weighted=None, nodes=None,
                 mode="auto", max_table_bytes=None, workers=1, seed=1) -> Sequences:
    """Random walks from every node (node2vec's; DeepWalk's when p = q = 1).

    Parameters
    ----------
    graph : SciPy sparse matrix, (E, 2|3) edge array, edge-list path, networkx graph or Graph
    walk_length : int
        Nodes per walk (shorter only when a walk reaches a node without out-edges).
    num_walks : int
        Walks started from each node; each round visits the nodes in a new random order.
    p, q : float
        node2vec's return and in-out parameters (see csrc/walks.h).
    directed, weighted, nodes :
        How to read ``graph`` (see `load_graph`).
    mode : {"auto", "precompute", "rejection"}
        How second-order steps are drawn; "auto" precomputes when the tables fit in
        ``max_table_bytes`` (default 1 GiB).
    workers : int
        Threads generating walks (C, no GIL).
    seed : int
        The walks depend on the seed only, not on ``workers``.

    Returns
    -------
    Sequences
        One sequence per walk, keyed by node label (pass it to `fastw2v.Word2Vec`).

    Examples
    --------
    >>> import numpy as np
    >>> walks = random_walks(np.array([[0, 1], [1, 2], [2, 0]]), walk_length=5, num_walks=2)
    >>> len(walks), len(walks[0])
    (6, 5)
    """
    _check_walk_args(walk_length, num_walks, workers)
    g = load_graph(graph, directed=directed, weighted=weighted, nodes=nodes)
    walker = prepare_walker(g, p, q, mode, workers, max_table_bytes)
    n = g.n_nodes
    rng = np.random.default_rng(seed)
    starts = np.concatenate([rng.permutation(n) for _ in range(num_walks)]).astype(np.int32)
    n_walks = len(starts)
    out = np.empty(n_walks * walk_length, dtype=np.int32)
    lengths = np.empty(n_walks, dtype=np.int32)
    walk_seed = int(np.random.SeedSequence([int(seed) & 0xFFFFFFFF, 2]).generate_state(1, np.uint64)[0])
    # more ranges than workers: a range of walks through dense regions must not leave a thread idle
    bounds = np.linspace(0, n_walks, 8 * workers + 1).astype(np.int64)
    ranges = [(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:]) if b > a]
    _parallel(lambda lo, hi: walker.walk_range(starts, lo, hi, walk_length, walk_seed, out, lengths),
              ranges, workers)
    if (lengths == walk_length).all():
        offsets = np.arange(0, n_walks * walk_length + 1, walk_length, dtype=np.int64)
        ids = out
    else:
        ids = out.reshape(n_walks, walk_length)[np.arange(walk_length) < lengths[:, None]]
        offsets = np.concatenate(([0], np.cumsum(lengths, dtype=np.int64)))
    return Sequences(ids, offsets, keys=g.keys)


def _train(walks: Sequences, workers, seed, word2vec_kwargs):
    from fastw2v.word2vec import Word2Vec

    kwargs = dict(GRAPH_WORD2VEC_DEFAULTS)
    kwargs.update(word2vec_kwargs)
    return Word2Vec(walks, workers=workers, seed=seed, **kwargs)


def node2vec(graph, p=1.0, q=1.0, walk_length=80, num_walks=10, *, directed=None, weighted=None, nodes=None,
             mode="auto", max_table_bytes=None, workers=3, seed=1, **word2vec_kwargs):
    """node2vec (Grover & Leskovec 2016): biased second-order walks, then skip-gram.

    Parameters are those of `random_walks`; ``word2vec_kwargs`` go to
    `fastw2v.Word2Vec`, with graph defaults vector_size=128, window=10,
    min_count=0, sg=1, epochs=1 (node2vec's and PecanPy's).

    Returns
    -------
    Word2Vec
        Trained, ``model.wv`` keyed by node label. With ``workers=1`` and a seed,
        walks and vectors are reproducible.

    Examples
    --------
    >>> import numpy as np
    >>> ring = np.array([[i, (i + 1) % 20] for i in range(20)])
    >>> model = node2vec(ring, p=1.0, q=0.5, walk_length=10, num_walks=5, vector_size=8, workers=1)
    >>> model.wv[3].shape
    (8,)
    """
    walks = random_walks(graph, walk_length, num_walks, p, q, directed=directed, weighted=weighted, nodes=nodes,
                         mode=mode, max_table_bytes=max_table_bytes, workers=workers, seed=seed)
    return _train(walks, workers, seed, word2vec_kwargs)


def deepwalk(graph, walk_length=80, num_walks=10, *, directed=None, weighted=None, nodes=None, workers=3, seed=1,
             **word2vec_kwargs):
    """DeepWalk (Perozzi et al. 2014): uniform (or weight-proportional) walks, then skip-gram.

    Same parameters and defaults as `node2vec` with p = q = 1.

    Examples
    --------
    >>> import numpy as np
    >>> ring = np.array([[i, (i + 1) % 20] for i in range(20)])
    >>> deepwalk(ring, walk_length=10, num_walks=5, vector_size=8, workers=1).wv[0].shape
    (8,)
    """
    walks = random_walks(graph, walk_length, num_walks, 1.0, 1.0, directed=directed, weighted=weighted,
                         nodes=nodes, workers=workers, seed=seed)
    return _train(walks, workers, seed, word2vec_kwargs)


def cli_main(argv=None) -> int:
    """``fastw2v graph``: node2vec/DeepWalk vectors of an edge-list file, word2vec format out."""
    from fastw2v.cli import EXIT_USAGE, UsageError, _Parser
    parser = _Parser(prog="fastw2v graph", description=cli_main.__doc__, allow_abbrev=False)
    parser.add_argument("--edges", required=True, help="edge list: 'u v [weight]' per line")
    parser.add_argument("--output", required=True, help="vectors file (word2vec text format; .gz compresses)")
    parser.add_argument("--p", type=float, default=1.0, help="return parameter (default 1)")
    parser.add_argument("--q", type=float, default=1.0, help="in-out parameter (default 1)")
    parser.add_argument("--walk-length", type=int, default=80)
    parser.add_argument("--num-walks", type=int, default=10)
    parser.add_argument("--weighted", action="store_true", help="read weights from the third column")
    parser.add_argument("--directed", action="store_true")
    parser.add_argument("--mode", choices=MODES, default="auto", help="second-order sampling (default auto)")
    parser.add_argument("--dim", type=int, default=128, help="vector size (default 128)")
    parser.add_argument("--window", type=int, default=10)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--negative", type=int, default=5)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--binary", action="store_true", help="write the binary word2vec format")
    try:
        args = parser.parse_args(argv)
    except UsageError as exc:  # one line, as the other commands'
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    try:
        model = node2vec(args.edges, p=args.p, q=args.q, walk_length=args.walk_length, num_walks=args.num_walks,
                         directed=args.directed, weighted=args.weighted, mode=args.mode, workers=args.workers,
                         seed=args.seed, vector_size=args.dim, window=args.window, epochs=args.epochs,
                         negative=args.negative)
        model.wv.save_word2vec_format(args.output, binary=args.binary)
    except (ValueError, TypeError, OSError, MemoryError) as exc:
        print(f"fastw2v graph: error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(cli_main())
