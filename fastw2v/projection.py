"""Pictures of embeddings: 2-D projections (PCA, or t-SNE with scikit-learn) and a labelled plot.

PCA needs only NumPy: centre the rows and keep the first two right
singular vectors. t-SNE (scikit-learn, optional) preserves neighbourhoods
better but is slow and stochastic; ``seed`` fixes it.
"""
from __future__ import annotations

import os

import numpy as np

from .key_index import key_list
from .native import _atomic_write

REAL = np.float32
METHODS = ("pca", "tsne")
#: up to this many points t-SNE runs its exact O(n^2) method
EXACT_TSNE_MAX = 1000


def project_2d(kv, keys=None, method="pca", seed=0) -> np.ndarray:
    """(len(keys), 2) coordinates of the vectors of ``keys`` (default: every key).

    Raises
    ------
    KeyError
        A key is unknown.
    ImportError
        ``method='tsne'`` without scikit-learn.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    keys = kv.index_to_key if keys is None else key_list(keys)
    vectors = np.asarray(kv[keys], dtype=np.float64).reshape(len(keys), kv.vector_size)
    if method == "pca":
        centred = vectors - vectors.mean(axis=0)
        _, _, vt = np.linalg.svd(centred, full_matrices=False)
        coords = centred @ vt[:2].T
        if coords.shape[1] < 2:
            coords = np.pad(coords, ((0, 0), (0, 2 - coords.shape[1])))
        return coords.astype(REAL)
    try:
        from sklearn.manifold import TSNE
    except ImportError:
        raise ImportError("method='tsne' needs scikit-learn: pip install scikit-learn") from None
    if len(keys) < 2:  # t-SNE needs two points; one sits at the origin, as with PCA
        return np.zeros((len(keys), 2), dtype=REAL)
    perplexity = min(30.0, max(1.0, (len(keys) - 1) / 3))
    # Exact t-SNE is O(n^2) but for the few hundred words one plots it is far faster
    # than Barnes-Hut (measured 0.02 s vs 35 s for 12 points on 2 cores).
    method = "exact" if len(keys) <= EXACT_TSNE_MAX else "barnes_hut"
    return TSNE(n_components=2, perplexity=perplexity, random_state=seed, init="pca",
                method=method).fit_transform(vectors).astype(REAL)


def plot(kv, keys, path, method="pca", seed=0, figsize=(8, 8), dpi=100, groups=None, title=None) -> None:
    """Write a scatter plot of ``keys`` projected to 2-D, each point labelled, to ``path``
    (in the format its extension names: PNG, SVG, PDF...; PNG without one).

    Parameters
    ----------
    kv : KeyedVectors
    keys : sequence of keys
    path : str or path
    method : {'pca', 'tsne'}
    seed : int
        Fixes t-SNE.
    figsize, dpi :
        Picture size in inches and dots per inch.
    groups : sequence, optional
        One label per key (e.g. ``'colours'``): each group gets its own colour
        and a legend entry, so one sees whether related words cluster.
    title : str, optional

    Needs matplotlib (extra ``plot``); uses the non-interactive Agg backend.
    """
    try:
        import matplotlib
        matplotlib.use("Agg", force=False)
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError("plot needs matplotlib: pip install 'fastw2v[plot]'") from None
    keys = key_list(keys)
    fmt = os.path.splitext(os.fspath(path))[1][1:].lower() or "png"
    if groups is not None:
        groups = list(groups)
        if len(groups) != len(keys):
            raise ValueError(f"groups must have one label per key ({len(keys)}), got {len(groups)}")
    coords = project_2d(kv, keys, method=method, seed=seed)
    fig = Figure(figsize=figsize, dpi=dpi)
    ax = fig.add_subplot()
    if groups is None:
        ax.scatter(coords[:, 0], coords[:, 1], s=12)
        colours = ["C0"] * len(keys)
    else:
        names = list(dict.fromkeys(groups))  # first-seen order
        colour_of = {g: f"C{i % 10}" for i, g in enumerate(names)}
        for g in names:
            sel = np.array([x == g for x in groups])
            ax.scatter(coords[sel, 0], coords[sel, 1], s=18, color=colour_of[g], label=str(g))
        ax.legend(loc="best", fontsize=9)
        colours = [colour_of[g] for g in groups]
    for key, (x, y), colour in zip(keys, coords, colours):
        ax.annotate(str(key), (x, y), fontsize=9, xytext=(3, 3), textcoords="offset points", color=colour)
    ax.set_title(title or f"{method.upper()} projection of {len(keys)} vectors")
    fig.tight_layout()
    if fmt not in fig.canvas.get_supported_filetypes():
        raise ValueError(f"{path}: matplotlib cannot write {fmt!r} pictures; use one of "
                         f"{', '.join(sorted(fig.canvas.get_supported_filetypes()))}")
    # the format follows the extension, as matplotlib's savefig; written atomically
    _atomic_write(os.fspath(path), lambda fh: fig.savefig(fh, format=fmt))
