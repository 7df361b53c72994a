"""Weight initialisation schemes: ``init(shape, rng, **params) -> W``, shape = (N_in, N_out).

Biases are not drawn here: layers start them at zero.

Convention warning: the lecture's "Xavier" scales the variance by 1/N_in (LeCun's
rule, the one derived for tanh); PyTorch's ``xavier_normal_`` is Glorot & Bengio's
2/(N_in + N_out), here :func:`xavier_glorot` (registered as "glorot").
"""

from __future__ import annotations

import functools
import inspect
import math
from types import MappingProxyType
from typing import Callable

import numpy as np

from optiviz.core.checks import check_int, check_number, check_rng

# Allowed range of each initializer parameter, as keyword arguments of check_number.
_PARAM_RANGES = MappingProxyType({"c": {}, "sigma": {"low": 0.0}, "a": {"low": 0.0}})


def _param(name: str, value) -> float:
    return check_number(name, value, **_PARAM_RANGES[name])


def _shape(shape) -> tuple[int, ...]:
    try:
        return tuple(check_int("shape", n, low=0) for n in shape)
    except TypeError:
        raise ValueError(f"shape must be a tuple of sizes such as (n_in, n_out), got {shape!r}") from None


def _fan_in_out(shape) -> tuple[int, int]:
    shape = _shape(shape)
    if len(shape) != 2 or shape[0] < 1:
        raise ValueError(f"shape must be (n_in, n_out) with n_in ≥ 1, got {shape!r}")
    return shape


def zeros(shape, rng=None) -> np.ndarray:
    """W = 0: every unit computes the same thing, and keeps doing so (symmetry is never broken)."""
    return np.zeros(_shape(shape))


def constant(shape, rng=None, c: float = 0.1) -> np.ndarray:
    """W_ij = c: units stay identical and move together ("herding")."""
    return np.full(_shape(shape), _param("c", c))


def normal(shape, rng, sigma: float = 0.01) -> np.ndarray:
    """W_ij ~ N(0, σ²)."""
    sigma = _param("sigma", sigma)
    return check_rng("rng", rng).normal(0.0, sigma, size=_shape(shape))


def uniform(shape, rng, a: float = 0.05) -> np.ndarray:
    """W_ij ~ U[−a, a], variance a²/3."""
    a = _param("a", a)
    return check_rng("rng", rng).uniform(-a, a, size=_shape(shape))


def xavier(shape, rng) -> np.ndarray:
    """Xavier as in the lecture: W_ij ~ N(0, 1/N_in) (LeCun normal), for tanh."""
    n_in, _ = _fan_in_out(shape)
    return normal(shape, rng, math.sqrt(1.0 / n_in))


def xavier_glorot(shape, rng) -> np.ndarray:
    """Glorot & Bengio (2010): W_ij ~ N(0, 2/(N_in + N_out)), PyTorch's ``xavier_normal_``."""
    n_in, n_out = _fan_in_out(shape)
    return normal(shape, rng, math.sqrt(2.0 / (n_in + n_out)))


def he(shape, rng) -> np.ndarray:
    """He et al. (2015): W_ij ~ N(0, 2/N_in), for ReLU (PyTorch's ``kaiming_normal_``)."""
    n_in, _ = _fan_in_out(shape)
    return normal(shape, rng, math.sqrt(2.0 / n_in))


INITIALIZERS = MappingProxyType(
    {
        "zeros": zeros,
        "constant": constant,
        "normal": normal,
        "uniform": uniform,
        "xavier": xavier,
        "glorot": xavier_glorot,
        "he": he,
    }
)


def initializer_params(name: str) -> tuple[str, ...]:
    """The parameter names the initializer ``name`` takes, e.g. ("sigma",) for "normal"."""
    if name not in INITIALIZERS:
        raise ValueError(f"unknown initializer {name!r}; choose one of {', '.join(INITIALIZERS)}")
    return tuple(p for p in inspect.signature(INITIALIZERS[name]).parameters if p not in ("shape", "rng"))


def get_initializer(name: str, **params) -> Callable[[tuple[int, int], np.random.Generator], np.ndarray]:
    """The initializer ``name`` with its ``params`` fixed, as ``init(shape, rng) -> W``.

    Checked now (unknown name or parameter, value out of range), not at first use.
    """
    allowed = initializer_params(name)
    for key, value in params.items():
        if key not in allowed:
            raise ValueError(f"initializer {name!r} has no parameter {key!r}; it takes {', '.join(allowed) or 'none'}")
        _param(key, value)
    return functools.partial(INITIALIZERS[name], **params)
