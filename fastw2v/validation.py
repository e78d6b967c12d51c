"""Checks at the Python boundary, shared by the modules that take user values
(the nogil code behind them trusts what passes)."""
from __future__ import annotations

import numpy as np


#: the kernels hold counts such as the window and the dimension in C ints
INT32_MAX = 2**31 - 1


MMAP_MODES = (None, "r", "r+", "c")


def check_mmap(mmap) -> None:
    """np.load's mmap modes that leave the file as it is ('w+' would create it anew: the saved data is gone)."""
    if mmap not in MMAP_MODES:
        raise ValueError(f"mmap must be None, 'r', 'r+' or 'c', got {mmap!r}")


def check_integer(name: str, value, low: int, high: int | None = None) -> None:
    """ValueError unless ``value`` is an integer (Python or NumPy, not bool) in ``[low, high]``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
    if high is not None and value > high:
        raise ValueError(f"{name} must be an integer <= {high}, got {value!r}")
