"""Checks at the Python boundary, shared by the modules that take user values
(the nogil code behind them trusts what passes)."""
from __future__ import annotations

import numpy as np


def check_integer(name: str, value, low: int) -> None:
    """ValueError unless ``value`` is an integer (Python or NumPy, not bool) >= ``low``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
