"""Embedding matrices and torch layers (fastw2v.interop)."""
import numpy as np
import pytest

from fastw2v.keyedvectors import KeyedVectors


@pytest.fixture
def kv():
    kv = KeyedVectors(3)
    kv.add_vectors(["a", "b", "c"], np.arange(9, dtype=np.float32).reshape(3, 3))
    return kv


def test_embedding_matrix_order_padding_unknown(kv):
    m = kv.embedding_matrix(["c", "a", "zz"], padding=True, unknown="mean")
    assert m.shape == (5, 3)
    np.testing.assert_array_equal(m[0], 0)
    np.testing.assert_array_equal(m[1:3], kv[["c", "a"]])
    np.testing.assert_array_equal(m[3], kv.vectors.mean(0))
    np.testing.assert_array_equal(m[4], kv.vectors.mean(0))
    np.testing.assert_array_equal(kv.embedding_matrix(), kv.vectors)
    with pytest.raises(KeyError, match="zz"):
        kv.embedding_matrix(["zz"])
    with pytest.raises(ValueError, match="unknown"):
        kv.embedding_matrix(unknown="bogus")


def test_torch_round_trip(kv):
    torch = pytest.importorskip("torch")
    layer = kv.to_torch()
    assert not layer.weight.requires_grad
    np.testing.assert_array_equal(layer(torch.tensor([2, 0])).numpy(), kv[["c", "a"]])
    trainable = kv.to_torch(freeze=False, padding_idx=0)
    assert trainable.weight.requires_grad and trainable.padding_idx == 0
