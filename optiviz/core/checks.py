"""Validate at the boundary: each check returns the clean value or raises ValueError naming the input.

Every check takes the input's ``name`` first, so the message starts with it
("noise must be …"): the command line maps such a leading name to its flag.
Bools are never numbers here, and neither are strings.
"""

from __future__ import annotations

import math
import numbers
import operator

import numpy as np


def _interval(low: float, high: float, low_open: bool, high_open: bool) -> str:
    """" in [0, 1)", " > 0", " ≤ 1" or "" (no bounds), for a message."""
    if low == -math.inf and high == math.inf:
        return ""
    if high == math.inf:
        return f" {'>' if low_open else '≥'} {low:g}"
    if low == -math.inf:
        return f" {'<' if high_open else '≤'} {high:g}"
    return f" in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"


def check_number(name: str, value, *, low: float = -math.inf, high: float = math.inf,
                 low_open: bool = False, high_open: bool = False) -> float:
    """``value`` as a finite float in [low, high]; ``low_open``/``high_open`` exclude that end."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a number, got {value!r}")
    v = float(value)
    above = low < v if low_open else low <= v
    below = v < high if high_open else v <= high
    if not (math.isfinite(v) and above and below):
        raise ValueError(f"{name} must be a finite number{_interval(low, high, low_open, high_open)}, got {value!r}")
    return v


def check_numbers(name: str, value, *, low: float = -math.inf, high: float = math.inf,
                  low_open: bool = False, high_open: bool = False) -> np.ndarray:
    """``value`` (a number or an array of them, e.g. one per run) as float64, every entry finite in [low, high]."""
    if isinstance(value, (bool, np.bool_, str)):
        raise ValueError(f"{name} must be a number, got {value!r}")
    try:
        v = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    above = (low < v) if low_open else (low <= v)
    below = (v < high) if high_open else (v <= high)
    if not np.all(np.isfinite(v) & above & below):
        raise ValueError(f"{name} must be a finite number{_interval(low, high, low_open, high_open)}, got {value!r}")
    return v


def check_int(name: str, value, *, low: int = 1, high: int | None = None) -> int:
    """``value`` as an int in [low, high] (no upper bound when ``high`` is None).

    Only true integers pass (int, np.integer): bools, strings and floats, even 3.0, are rejected.
    """
    try:
        if isinstance(value, (bool, np.bool_)):
            raise TypeError
        v = operator.index(value)
    except TypeError:
        raise ValueError(f"{name} must be an integer, got {value!r}") from None
    if v < low or (high is not None and v > high):
        span = f"≥ {low}" if high is None else f"in [{low}, {high}]"
        raise ValueError(f"{name} must be an integer {span}, got {value!r}")
    return v


def check_rng(name: str, value, *, allow_seed: bool = False) -> np.random.Generator:
    """``value`` if it is a ``np.random.Generator``; with ``allow_seed`` an int seed ≥ 0 gives a fresh one."""
    if isinstance(value, np.random.Generator):
        return value
    if not allow_seed:
        raise ValueError(f"{name} must be a np.random.Generator (np.random.default_rng(seed)), got {value!r}")
    try:
        return np.random.default_rng(check_int(name, value, low=0))
    except ValueError:
        raise ValueError(f"{name} must be an integer seed ≥ 0 or a np.random.Generator, got {value!r}") from None


def check_table(name: str, value, *, width: int | None = None, finite: bool = True) -> np.ndarray:
    """``value`` as a float64 array of shape (n, width) with n ≥ 1 (any width when ``width`` is None).

    With ``finite`` (the default) NaN and ±inf are rejected too.
    """
    try:
        table = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an array of numbers, got {type(value).__name__}") from None
    if table.ndim != 2 or table.shape[0] < 1 or (width is not None and table.shape[1] != width):
        raise ValueError(f"{name} must have shape (n, {'d' if width is None else width}) with n ≥ 1, "
                         f"got shape {table.shape}")
    if finite and not np.isfinite(table).all():
        raise ValueError(f"{name} must be finite (no NaN or ±inf)")
    return table
