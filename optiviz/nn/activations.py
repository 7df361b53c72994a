"""Activation functions, each written beside its derivative: f(z) and f'(z), elementwise.

Every activation is an :class:`Activation` with ``value(z)`` and ``derivative(z)``; both
take arrays of any shape and return float64 arrays of that shape, without warnings for
any finite z (the sigmoid never evaluates e^z for large z).

At a kink the derivative takes PyTorch's value: relu'(0) = 0, leaky_relu'(0) = α,
elu'(0) = α.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Callable, NamedTuple

import numpy as np

from ..checks import check_number


class Activation(NamedTuple):
    """An elementwise activation f with ``value(z) = f(z)`` and ``derivative(z) = f'(z)``."""

    name: str
    value: Callable[[np.ndarray], np.ndarray]
    derivative: Callable[[np.ndarray], np.ndarray]
    formula: str  # LaTeX, for the pages


def _sigmoid(z) -> np.ndarray:
    """σ(z) = 1 / (1 + e^{−z}), computed as e^{z}/(1 + e^{z}) for z < 0 so nothing overflows."""
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))  # in (0, 1]
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _tanh(z) -> np.ndarray:
    """tanh(z) = (e^z − e^{−z}) / (e^z + e^{−z}) = 2σ(2z) − 1."""
    return np.tanh(np.asarray(z, dtype=float))


def _sigmoid_derivative(z) -> np.ndarray:
    """σ'(z) = σ(z)(1 − σ(z)) = σ(z)σ(−z) = 1/(1 + e) · e/(1 + e) with e = e^{−|z|}: exact where σ(z) ≈ 1.

    The last form is σ(z)σ(−z) as :func:`_sigmoid` computes each factor, in one pass (same bits).
    """
    e = np.exp(-np.abs(np.asarray(z, dtype=float)))
    return (1.0 / (1.0 + e)) * (e / (1.0 + e))


def _tanh_derivative(z) -> np.ndarray:
    """tanh'(z) = 1 − tanh²(z) = 4σ(2z)σ(−2z); the second form stays exact where tanh(z) ≈ ±1."""
    return 4.0 * _sigmoid_derivative(2.0 * np.asarray(z, dtype=float))


sigmoid = Activation("sigmoid", _sigmoid, _sigmoid_derivative, r"\sigma(z) = \frac{1}{1 + e^{-z}}")

tanh = Activation("tanh", _tanh, _tanh_derivative, r"\tanh(z) = \frac{e^{z} - e^{-z}}{e^{z} + e^{-z}}")

relu = Activation(
    "relu",
    lambda z: np.maximum(np.asarray(z, dtype=float), 0.0),
    lambda z: (np.asarray(z, dtype=float) > 0).astype(float),  # 1 if z > 0 else 0
    r"\mathrm{relu}(z) = \max(0, z)",
)

linear = Activation(
    "linear",
    lambda z: np.array(z, dtype=float),
    lambda z: np.ones_like(np.asarray(z, dtype=float)),
    r"f(z) = z",
)


def leaky_relu(alpha: float = 0.01) -> Activation:
    """Leaky ReLU: f(z) = max(αz, z) for 0 ≤ α ≤ 1; f'(z) = 1 if z > 0 else α."""
    a = check_number("alpha", alpha, low=0.0, high=1.0)

    def value(z):
        z = np.asarray(z, dtype=float)
        return np.where(z > 0, z, a * z)

    def derivative(z):
        return np.where(np.asarray(z, dtype=float) > 0, 1.0, a)

    return Activation("leaky_relu", value, derivative, rf"f(z) = \max({a:g}\,z,\ z)")


def elu(alpha: float = 1.0) -> Activation:
    """ELU: f(z) = z if z > 0 else α(e^z − 1); f'(z) = 1 if z > 0 else α e^z (α > 0)."""
    a = check_number("alpha", alpha, low=0.0, low_open=True)

    def value(z):
        z = np.asarray(z, dtype=float)
        return np.where(z > 0, z, a * np.expm1(np.minimum(z, 0.0)))  # min: no overflow in the unused branch

    def derivative(z):
        z = np.asarray(z, dtype=float)
        return np.where(z > 0, 1.0, a * np.exp(np.minimum(z, 0.0)))

    return Activation("elu", value, derivative, rf"f(z) = z \text{{ if }} z > 0 \text{{ else }} {a:g}\,(e^{{z}} - 1)")


DEFAULT_ALPHA = MappingProxyType({"leaky_relu": 0.01, "elu": 1.0})

ACTIVATIONS = MappingProxyType(
    {
        "sigmoid": sigmoid,
        "tanh": tanh,
        "relu": relu,
        "leaky_relu": leaky_relu(DEFAULT_ALPHA["leaky_relu"]),
        "linear": linear,
        "elu": elu(DEFAULT_ALPHA["elu"]),
    }
)


def get_activation(name: str, alpha: float | None = None) -> Activation:
    """The activation called ``name``; ``alpha`` sets α of leaky_relu (default 0.01) and elu (default 1).

    ``alpha`` is ignored by the activations without one.
    """
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; choose one of {', '.join(ACTIVATIONS)}")
    if alpha is None or name not in DEFAULT_ALPHA:
        return ACTIVATIONS[name]
    return {"leaky_relu": leaky_relu, "elu": elu}[name](alpha)
