"""One-hot rows and sinusoidal positions (fastw2v.encoding)."""
import numpy as np
import pytest

from fastw2v.encoding import one_hot, positional_encoding


def test_one_hot_times_matrix_picks_rows():
    E = np.random.default_rng(0).standard_normal((6, 4)).astype(np.float32)
    idx = np.array([3, 0, 5, 3])
    np.testing.assert_array_equal(one_hot(idx, 6) @ E, E[idx])
    assert one_hot(np.array([[1, 2]]), 3).shape == (1, 2, 3)


def test_one_hot_checks_input():
    with pytest.raises(ValueError, match="index 6 is out of range"):
        one_hot([1, 6], 6)
    with pytest.raises(ValueError, match="-1"):
        one_hot([-1], 6)
    with pytest.raises(TypeError, match="integer"):
        one_hot([1.5], 6)


def test_positional_encoding_formula():
    pe = positional_encoding(50, 7)
    pos, i = 13, 2
    assert pe.shape == (50, 7)
    assert pe[pos, 2 * i] == pytest.approx(np.sin(pos / 10000 ** (2 * i / 7)), abs=1e-6)
    assert pe[pos, 2 * i + 1] == pytest.approx(np.cos(pos / 10000 ** (2 * i / 7)), abs=1e-6)
    np.testing.assert_allclose(pe[0], [0, 1, 0, 1, 0, 1, 0])


def test_one_hot_empty_batch_and_integer_classes():
    assert one_hot([], 3).shape == (0, 3)
    with pytest.raises(ValueError, match="num_classes"):
        one_hot([2], 2.5)
