"""Activation functions, each written beside its derivative: f(z) and f'(z), elementwise.

Every activation is an :class:`Activation` with ``value(z)`` and ``derivative(z)``; both
take arrays of any shape and return float64 arrays of that shape, without warnings for
any finite z (the sigmoid never evaluates e^z for large z).

Both also write in place: ``value(z, out=out, scratch=scratch)`` puts f(z) into ``out`` and
returns it, with the same bits as ``value(z)``. ``z`` must then be a float64 array and ``out``
one of its shape; ``out`` may be ``z`` itself (z ← f(z)). ``scratch``, of the same shape and
distinct from both, holds intermediate values (sigmoid, tanh; leaky_relu and elu values written
over z); without it they allocate one. The large arrays of the initialisation lab
(:mod:`optiviz.labs.activations_init.statistics`) reuse their buffers this way.

At a kink the derivative takes PyTorch's value: relu'(0) = 0, leaky_relu'(0) = α,
elu'(0) = α.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Callable, NamedTuple

import numpy as np

from optiviz.core.checks import check_number


class Activation(NamedTuple):
    """An elementwise activation f with ``value(z) = f(z)`` and ``derivative(z) = f'(z)``.

    Both accept ``out=`` and ``scratch=`` (see the module docstring).
    """

    name: str
    value: Callable[..., np.ndarray]
    derivative: Callable[..., np.ndarray]
    formula: str  # LaTeX, for the pages


def _buffers(z, out, scratch=False):
    """(z as float64, the output array: ``out`` or a new one[, a scratch array: ``scratch`` or a new one])."""
    z = np.asarray(z, dtype=float)
    out = np.empty_like(z) if out is None else out
    if scratch is False:
        return z, out
    return z, out, np.empty_like(z) if scratch is None else scratch


# 0 as a read-only 0-d array: NumPy converts it faster than the float 0.0 (about 0.14 µs a call), the same value
_ZERO = np.zeros(())
_ZERO.setflags(write=False)


def _bell(e: np.ndarray, scratch: np.ndarray) -> np.ndarray:
    """e ← 1/(1 + e) · e/(1 + e), in place: σ(z)σ(−z) for e = e^{−|z|}."""
    den = np.add(e, 1.0, out=scratch)
    np.divide(e, den, out=e)
    np.divide(1.0, den, out=den)
    return np.multiply(e, den, out=e)


def _sigmoid(z, out=None, scratch=None) -> np.ndarray:
    """σ(z) = 1 / (1 + e^{−z}), computed as e^{min(z, 0)} / (1 + e^{−|z|}) so nothing overflows.

    That is 1/(1 + e) for z ≥ 0 and e/(1 + e) for z < 0, with e = e^{−|z|}: the same bits as either branch.
    """
    z, out, scratch = _buffers(z, out, scratch)
    num = np.minimum(z, _ZERO, out=scratch)  # before out (maybe z) is overwritten
    np.exp(num, out=num)  # e for z < 0, else 1
    e = np.copysign(z, -1.0, out=out)  # −|z|
    np.exp(e, out=e)  # in (0, 1]
    np.add(e, 1.0, out=e)
    return np.divide(num, e, out=e)


def _tanh(z, out=None, scratch=None) -> np.ndarray:
    """tanh(z) = (e^z − e^{−z}) / (e^z + e^{−z}) = 2σ(2z) − 1."""
    return np.tanh(np.asarray(z, dtype=float), out=out)


def _sigmoid_derivative(z, out=None, scratch=None) -> np.ndarray:
    """σ'(z) = σ(z)(1 − σ(z)) = σ(z)σ(−z) = 1/(1 + e) · e/(1 + e) with e = e^{−|z|}: exact where σ(z) ≈ 1.

    The last form is σ(z)σ(−z) as :func:`_sigmoid` computes each factor, in one pass (same bits).
    """
    z, out, scratch = _buffers(z, out, scratch)
    e = np.copysign(z, -1.0, out=out)  # −|z|
    return _bell(np.exp(e, out=e), scratch)


def _tanh_derivative(z, out=None, scratch=None) -> np.ndarray:
    """tanh'(z) = 1 − tanh²(z) = 4σ(2z)σ(−2z); the second form stays exact where tanh(z) ≈ ±1.

    With e = e^{−2|z|}: 4 · 1/(1 + e) · e/(1 + e), the bits of 4σ'(2z).
    """
    z, out, scratch = _buffers(z, out, scratch)
    e = np.multiply(z, 2.0, out=out)
    np.copysign(e, -1.0, out=e)  # −|2z|
    _bell(np.exp(e, out=e), scratch)
    return np.multiply(e, 4.0, out=e)


def _relu(z, out=None, scratch=None) -> np.ndarray:
    """relu(z) = max(0, z)."""
    return np.maximum(np.asarray(z, dtype=float), _ZERO, out=out)


def _relu_derivative(z, out=None, scratch=None) -> np.ndarray:
    """relu'(z) = 1 if z > 0 else 0."""
    z = np.asarray(z, dtype=float)
    return np.greater(z, _ZERO, out=np.empty_like(z) if out is None else out)


def _linear(z, out=None, scratch=None) -> np.ndarray:
    """f(z) = z (a copy)."""
    return np.positive(np.asarray(z, dtype=float), out=out)


def _linear_derivative(z, out=None, scratch=None) -> np.ndarray:
    """f'(z) = 1."""
    z, out = _buffers(z, out)
    out[...] = 1.0
    return out


sigmoid = Activation("sigmoid", _sigmoid, _sigmoid_derivative, r"\sigma(z) = \frac{1}{1 + e^{-z}}")

tanh = Activation("tanh", _tanh, _tanh_derivative, r"\tanh(z) = \frac{e^{z} - e^{-z}}{e^{z} + e^{-z}}")

relu = Activation("relu", _relu, _relu_derivative, r"\mathrm{relu}(z) = \max(0, z)")

linear = Activation("linear", _linear, _linear_derivative, r"f(z) = z")


def _branch(z: np.ndarray, out: np.ndarray, scratch) -> np.ndarray:
    """Where to compute the z ≤ 0 branch: ``out`` unless it overlaps z (then ``scratch``, or a new array)."""
    if not np.may_share_memory(out, z):
        return out
    return np.empty_like(z) if scratch is None else scratch


def _settle(t: np.ndarray, out: np.ndarray) -> np.ndarray:
    if t is not out:
        np.copyto(out, t)
    return out


def leaky_relu(alpha: float = 0.01) -> Activation:
    """Leaky ReLU: f(z) = max(αz, z) for 0 ≤ α ≤ 1; f'(z) = 1 if z > 0 else α."""
    a = check_number("alpha", alpha, low=0.0, high=1.0)

    def value(z, out=None, scratch=None):
        z, out = _buffers(z, out)
        positive = z > 0
        t = np.multiply(z, a, out=_branch(z, out, scratch))  # α z, kept where z ≤ 0 (or nan)
        np.putmask(t, positive, z)
        return _settle(t, out)

    def derivative(z, out=None, scratch=None):
        z, out = _buffers(z, out)
        positive = z > 0
        out[...] = a
        np.putmask(out, positive, 1.0)
        return out

    return Activation("leaky_relu", value, derivative, rf"f(z) = \max({a:g}\,z,\ z)")


def elu(alpha: float = 1.0) -> Activation:
    """ELU: f(z) = z if z > 0 else α(e^z − 1); f'(z) = 1 if z > 0 else α e^z (α > 0).

    e^z is evaluated at min(z, 0), so nothing overflows in the branch not taken.
    """
    a = check_number("alpha", alpha, low=0.0, low_open=True)

    def value(z, out=None, scratch=None):
        z, out = _buffers(z, out)
        positive = z > 0
        t = np.minimum(z, 0.0, out=_branch(z, out, scratch))
        np.expm1(t, out=t)
        np.multiply(t, a, out=t)
        np.putmask(t, positive, z)
        return _settle(t, out)

    def derivative(z, out=None, scratch=None):
        z, out = _buffers(z, out)
        positive = z > 0
        t = np.minimum(z, 0.0, out=out)
        np.exp(t, out=t)
        np.multiply(t, a, out=t)
        np.putmask(t, positive, 1.0)
        return t

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
