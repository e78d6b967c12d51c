"""fastw2v.validation: the boundary checks shared by Word2Vec, graph walks and clustering."""
import re

import numpy as np
import pytest

from fastw2v.validation import check_integer


def test_check_integer():
    for value in (0, 3, np.int64(0), np.int32(7)):
        check_integer("n", value, 0)
    for value, low in ((True, 0), (2.0, 0), ("3", 0), (None, 0), (-1, 0), (0, 1), (np.int64(4), 5)):
        with pytest.raises(ValueError, match="^" + re.escape(f"n must be an integer >= {low}, got {value!r}") + "$"):
            check_integer("n", value, low)
