"""Arithmetic that runs on one Python float and on NumPy arrays alike, with the same bits.

The race steps a handful of numbers at a time, where NumPy's ~1 µs per call costs more than the
arithmetic; the surfaces and update rules are written once, with these, for both.
"""

import math

import numpy as np


def sqrt(v):
    """√v: ``math.sqrt`` for a float, ``np.sqrt`` for an array (both correctly rounded)."""
    return math.sqrt(v) if isinstance(v, float) else np.sqrt(v)
