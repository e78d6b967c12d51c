"""2-D projections and plots (fastw2v.projection)."""
import numpy as np
import pytest

from fastw2v.keyedvectors import KeyedVectors


@pytest.fixture
def kv():
    kv = KeyedVectors(5)
    kv.add_vectors([f"k{i}" for i in range(12)], np.random.default_rng(0).standard_normal((12, 5)))
    return kv


def test_pca_matches_reference(kv):
    coords = kv.project_2d(["k1", "k2", "k3", "k4"])
    X = kv[["k1", "k2", "k3", "k4"]].astype(np.float64)
    X -= X.mean(0)
    _, _, vt = np.linalg.svd(X)
    np.testing.assert_allclose(np.abs(coords), np.abs(X @ vt[:2].T), atol=1e-5)
    with pytest.raises(KeyError, match="nope"):
        kv.project_2d(["nope"])


def test_tsne(kv):
    pytest.importorskip("sklearn")
    assert kv.project_2d(method="tsne").shape == (12, 2)


def test_plot_writes_png(kv, tmp_path):
    pytest.importorskip("matplotlib")
    path = tmp_path / "words.png"
    kv.plot(kv.index_to_key, path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 1000


def test_plot_colours_groups_and_checks_their_length(kv, tmp_path):
    pytest.importorskip("matplotlib")
    path = tmp_path / "groups.png"
    keys = kv.index_to_key[:6]
    kv.plot(keys, path, groups=["a", "a", "b", "b", "c", "c"], title="three groups")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match="one label per key"):
        kv.plot(keys, tmp_path / "bad.png", groups=["a"])
    assert not (tmp_path / "bad.png").exists()


def test_plot_format_follows_the_extension_and_single_keys(kv, tmp_path):
    pytest.importorskip("matplotlib")
    keys = list(kv.index_to_key[:4])
    kv.plot(keys, tmp_path / "p.svg")
    assert b"<svg" in (tmp_path / "p.svg").read_bytes()[:400]
    kv.plot(keys, tmp_path / "p")
    assert (tmp_path / "p").read_bytes()[:4] == b"\x89PNG"
    with pytest.raises(ValueError, match="cannot write"):
        kv.plot(keys, tmp_path / "p.nope")
    (tmp_path / "dir").mkdir()
    with pytest.raises(IsADirectoryError):
        kv.plot(keys, tmp_path / "dir")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dir", "p", "p.svg"]  # no temporary left
    one = kv.index_to_key[0]
    np.testing.assert_array_equal(kv.project_2d(one), kv.project_2d([one]))  # a key, not its characters
    pytest.importorskip("sklearn")
    np.testing.assert_array_equal(kv.project_2d([one], method="tsne"), [[0, 0]])
