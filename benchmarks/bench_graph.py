"""node2vec end to end: fastw2v.graph against PecanPy (SparseOTF) + gensim.

Same graph file, same hyperparameters (p=1, q=0.5, 10 walks of 80 steps,
dim 128, window 10, 1 epoch, skip-gram, 5 negatives, min_count 0), same
number of threads. The graph is a generated stochastic block model; node
vectors are scored by logistic regression predicting the block (one fixed
stratified half/half split, the same for both).

PecanPy pins NumPy < 2, so it runs in its own interpreter (PECANPY_PYTHON,
default /work/pecan_env/bin/python) as a subprocess of this script; its JIT
warm-up (a first walk on the same graph object) is not timed.

    python benchmarks/bench_graph.py [--nodes 10000] [--workers 2]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

PEER = r"""
import json, sys, time
import numpy as np
from pecanpy import pecanpy
from gensim.models import Word2Vec
path, out, p, q, workers, walk_length, num_walks = sys.argv[1:8]
p, q, workers, walk_length, num_walks = float(p), float(q), int(workers), int(walk_length), int(num_walks)
t0 = time.perf_counter()
g = pecanpy.SparseOTF(p=p, q=q, workers=workers, verbose=False, random_state=1)
g.read_edg(path, weighted=False, directed=False)
t_load = time.perf_counter() - t0
g.simulate_walks(1, 5)  # JIT warm-up, not timed
t1 = time.perf_counter()
walks = g.simulate_walks(num_walks, walk_length)
t_walks = time.perf_counter() - t1
t2 = time.perf_counter()
model = Word2Vec(walks, vector_size=128, window=10, min_count=0, sg=1, workers=workers, epochs=1, seed=1)
t_train = time.perf_counter() - t2
np.save(out, model.wv[g.nodes].astype(np.float32))
print(json.dumps({"load": t_load, "walks": t_walks, "train": t_train, "nodes": [int(n) for n in g.nodes]}))
"""


def sbm_edges(n_nodes, n_blocks, degree_in, degree_out, seed=0):
    """Undirected SBM without self-loops or duplicate edges, sampled sparsely."""
    rng = np.random.default_rng(seed)
    block = np.arange(n_nodes) % n_blocks
    members = [np.flatnonzero(block == b) for b in range(n_blocks)]
    n_in = int(n_nodes * degree_in / 2)
    n_out = int(n_nodes * degree_out / 2)
    b = rng.integers(n_blocks, size=n_in)
    size = np.array([len(m) for m in members])
    u_in = np.array([members[x][i] for x, i in zip(b, rng.integers(size[b]))])
    v_in = np.array([members[x][i] for x, i in zip(b, rng.integers(size[b]))])
    u_out, v_out = rng.integers(n_nodes, size=n_out), rng.integers(n_nodes, size=n_out)
    u, v = np.concatenate([u_in, u_out]), np.concatenate([v_in, v_out])
    keep = u != v
    pairs = np.unique(np.sort(np.column_stack([u[keep], v[keep]]), axis=1), axis=0)
    return pairs, block


def block_accuracy(vectors, block, seed=0):
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split

    x_train, x_test, y_train, y_test = train_test_split(vectors, block, test_size=0.5, random_state=seed,
                                                        stratify=block)
    clf = LogisticRegression(max_iter=2000).fit(x_train, y_train)
    return float(clf.score(x_test, y_test))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--nodes", type=int, default=10000)
    ap.add_argument("--blocks", type=int, default=10)
    ap.add_argument("--degree-in", type=float, default=10.0)
    ap.add_argument("--degree-out", type=float, default=6.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--p", type=float, default=1.0)
    ap.add_argument("--q", type=float, default=0.5)
    ap.add_argument("--peer-python", default=os.environ.get("PECANPY_PYTHON", "/work/pecan_env/bin/python"))
    ap.add_argument("--skip-peer", action="store_true")
    args = ap.parse_args()

    from fastw2v import Word2Vec
    from fastw2v.graph import load_graph, prepare_walker, random_walks

    edges, block = sbm_edges(args.nodes, args.blocks, args.degree_in, args.degree_out)
    tmp = tempfile.mkdtemp()
    path = os.path.join(tmp, "sbm.edg")
    np.savetxt(path, edges, fmt="%d", delimiter="\t")
    print(f"graph: {args.nodes} nodes, {len(edges)} undirected edges, {args.blocks} blocks; "
          f"{args.workers} threads")
    results = {}

    t0 = time.perf_counter()
    graph = load_graph(path)
    t_load = time.perf_counter() - t0
    t1 = time.perf_counter()
    walks = random_walks(graph, 80, 10, args.p, args.q, mode="auto", workers=args.workers, seed=1)
    t_walks = time.perf_counter() - t1
    t2 = time.perf_counter()
    model = Word2Vec(walks, vector_size=128, window=10, min_count=0, sg=1, workers=args.workers, epochs=1, seed=1)
    t_train = time.perf_counter() - t2
    used = "precompute" if prepare_walker(graph, args.p, args.q, "auto").uses_edge_tables else "rejection"
    results[f"fastw2v (auto: {used})"] = {"load": t_load, "walks": t_walks, "train": t_train,
                                          "accuracy": block_accuracy(model.wv[graph.keys.tolist()],
                                                                     block[graph.keys])}
    other = "rejection" if used == "precompute" else "precompute"
    t1 = time.perf_counter()
    random_walks(graph, 80, 10, args.p, args.q, mode=other, workers=args.workers, seed=1)
    print(f"fastw2v walks with mode={other}: {time.perf_counter() - t1:.2f} s (tables included)")

    if not args.skip_peer:
        out = os.path.join(tmp, "peer.npy")
        env = dict(os.environ, NUMBA_NUM_THREADS=str(args.workers))
        proc = subprocess.run([args.peer_python, "-c", PEER, path, out, str(args.p), str(args.q),
                               str(args.workers), "80", "10"], capture_output=True, text=True, env=env)
        if proc.returncode:
            sys.exit(f"peer failed:\n{proc.stderr[-3000:]}")
        peer = json.loads(proc.stdout.strip().splitlines()[-1])
        nodes = np.asarray(peer.pop("nodes"))
        peer["accuracy"] = block_accuracy(np.load(out), block[nodes])
        results["PecanPy SparseOTF + gensim"] = peer

    print(f"{'system':32s} {'load s':>7s} {'walks s':>8s} {'train s':>8s} {'total s':>8s} {'block acc':>9s}")
    for name, r in results.items():
        r["total"] = r["load"] + r["walks"] + r["train"]
        print(f"{name:32s} {r['load']:7.2f} {r['walks']:8.2f} {r['train']:8.2f} {r['total']:8.2f} "
              f"{r['accuracy']:9.3f}")
    if "PecanPy SparseOTF + gensim" in results:
        peer = results["PecanPy SparseOTF + gensim"]
        for name, r in results.items():
            if name.startswith("fastw2v"):
                print(f"{name}: end-to-end {peer['total'] / r['total']:.2f}x faster, walks "
                      f"{peer['walks'] / r['walks']:.2f}x, accuracy {r['accuracy'] - peer['accuracy']:+.3f}")


if __name__ == "__main__":
    main()
