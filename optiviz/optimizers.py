"""Optimizer update rules as pure ``(init, update)`` pairs, in the lecture's notation.

An optimizer works on a parameter array ``W`` of any shape. ``init(W)`` returns its
state; ``update(g, state, α)`` returns ``(ΔW, state)`` and the caller applies
``W ← W + ΔW``. Hyperparameters and the learning rate may be floats or arrays with
one value per run along the leading (batch) axis, so many settings run in one call.
Every rule is elementwise arithmetic, so it also runs on one Python float ``W`` (with float
hyperparameters and α), with the same bits as in an array: the race steps its few numbers so.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Callable, NamedTuple

import numpy as np

from optiviz.arith import sqrt


class Optimizer(NamedTuple):
    name: str
    init: Callable[[np.ndarray], tuple]
    update: Callable[[np.ndarray, tuple, object], tuple[np.ndarray, tuple]]


class Hyperparameter(NamedTuple):
    """A hyperparameter's name (as in the CLI), symbol (plain text, as labels show it), default and allowed range."""

    name: str
    symbol: str
    default: float
    low: float
    high: float
    high_open: bool  # True when the range is [low, high)
    help: str

    def check(self, value) -> None:
        """Raise ValueError naming the hyperparameter if ``value`` is out of range."""
        try:
            v = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise ValueError(f"{self.name} must be a number, got {value!r}") from None
        bad = ~np.isfinite(v) | (v < self.low) | ((v >= self.high) if self.high_open else (v > self.high))
        if np.any(bad):
            closing = ")" if self.high_open else "]"
            raise ValueError(
                f"{self.name} must be a finite number in [{self.low:g}, {self.high:g}{closing}, got {value!r}"
            )


MOMENTUM = Hyperparameter("momentum", "γ", 0.9, 0.0, 1.0, True, "velocity decay γ: how much of the last step is kept")
DECAY = Hyperparameter("decay", "γ", 0.9, 0.0, 1.0, True, "EWMA decay γ of the squared gradient E[g²]")
BETA1 = Hyperparameter("beta1", "β₁", 0.9, 0.0, 1.0, True, "EWMA decay β₁ of the gradient (first moment)")
BETA2 = Hyperparameter("beta2", "β₂", 0.999, 0.0, 1.0, True, "EWMA decay β₂ of the squared gradient (second moment)")
EPS = Hyperparameter("eps", "ε", 1e-8, 1e-12, 1.0, False, "ε keeps the division finite where E[g²] ≈ 0")


def _per_run(value, like):
    """Broadcast a per-run value of shape (B,) against ``like``, an array with a leading batch axis."""
    if isinstance(value, float):
        return value
    value = np.asarray(value, dtype=float)
    return value.reshape(value.shape + (1,) * (np.ndim(like) - value.ndim)) if value.ndim else value


def _zeros(params):
    """0 shaped like ``params``: an array, or one float."""
    return 0.0 if isinstance(params, float) else np.zeros_like(params, dtype=float)


def _velocity_rule(gamma, look_ahead: bool, name: str) -> Optimizer:
    """v ← γ v − α g, then W ← W + v, or W ← W + γ v − α g when looking ahead (Nesterov)."""

    def init(params):
        return (_zeros(params),)

    def update(g, state, lr):
        (v,) = state
        gm, a = _per_run(gamma, g), _per_run(lr, g)
        step = a * g
        v = gm * v - step
        return (gm * v - step if look_ahead else v), (v,)

    return Optimizer(name, init, update)


def sgd() -> Optimizer:
    """Gradient descent: W ← W − α g (momentum with γ = 0)."""
    return _velocity_rule(0.0, False, "sgd")


def momentum(momentum: float = MOMENTUM.default) -> Optimizer:
    """Classical momentum: v ← γ v − α g; W ← W + v, with v₀ = 0.

    α_t stays inside v as the lecture writes it; PyTorch's SGD (v ← γ v + g; W ← W − α v) gives the same path
    at a constant α only."""
    return _velocity_rule(momentum, False, "momentum")


def nesterov(momentum: float = MOMENTUM.default) -> Optimizer:
    """Nesterov momentum in Sutskever's form: v ← γ v − α g; W ← W + γ v − α g.

    W here is the look-ahead point (the point the gradient is taken at), so the path drawn is the look-ahead
    points. At a constant α this is PyTorch's ``SGD(nesterov=True)`` step for step; under a schedule α_t stays
    inside v as the lecture writes it, while PyTorch multiplies the whole step by α_t, so the paths differ.
    """
    return _velocity_rule(momentum, True, "nesterov")


def _scaled_by_root(accumulate, name: str, eps: float) -> Optimizer:
    """W ← W − α g / (√E + ε), where E ← accumulate(E, g²) starts at 0 (ε outside the root, as PyTorch)."""

    def init(params):
        return (_zeros(params),)

    def update(g, state, lr):
        (e,) = state
        e = accumulate(e, g * g)
        return -_per_run(lr, g) * g / (sqrt(e) + _per_run(eps, g)), (e,)

    return Optimizer(name, init, update)


def rmsprop(decay: float = DECAY.default, eps: float = EPS.default) -> Optimizer:
    """RMSProp: E ← γ E + (1 − γ) g²; W ← W − α g / (√E + ε).

    The lecture puts ε inside the root, α / √(ε + E); PyTorch (and this code) outside.
    """

    def ewma(e, g2):
        gm = _per_run(decay, g2)
        return gm * e + (1 - gm) * g2

    return _scaled_by_root(ewma, "rmsprop", eps)


def adagrad(eps: float = 1e-10) -> Optimizer:
    """Adagrad: E ← E + g²; W ← W − α g / (√E + ε)."""
    return _scaled_by_root(lambda e, g2: e + g2, "adagrad", eps)


def adam(beta1: float = BETA1.default, beta2: float = BETA2.default, eps: float = EPS.default) -> Optimizer:
    """Adam: m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²; m̂ = m/(1 − β₁ᵗ); v̂ = v/(1 − β₂ᵗ);
    W ← W − α m̂ / (√v̂ + ε), with t counting from 1 (Kingma & Ba 2014, PyTorch)."""

    def init(params):
        return 0, _zeros(params), _zeros(params)

    def update(g, state, lr):
        t, m, v = state
        t += 1
        b1, b2 = _per_run(beta1, g), _per_run(beta2, g)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * (g * g)
        m_hat = m / (1 - b1**t)
        v_hat = v / (1 - b2**t)
        return -_per_run(lr, g) * m_hat / (sqrt(v_hat) + _per_run(eps, g)), (t, m, v)

    return Optimizer("adam", init, update)


class OptimizerSpec(NamedTuple):
    """How to build one named optimizer, and what the page and CLI say about it."""

    name: str
    label: str
    factory: Callable[..., Optimizer]
    hyperparameters: tuple[Hyperparameter, ...]


OPTIMIZERS = MappingProxyType(
    {
        s.name: s
        for s in (
            OptimizerSpec("sgd", "SGD", sgd, ()),
            OptimizerSpec("momentum", "Momentum", momentum, (MOMENTUM,)),
            OptimizerSpec("nesterov", "Nesterov", nesterov, (MOMENTUM,)),
            OptimizerSpec("rmsprop", "RMSProp", rmsprop, (DECAY, EPS)),
            OptimizerSpec("adagrad", "Adagrad", adagrad, ()),
            OptimizerSpec("adam", "Adam", adam, (BETA1, BETA2, EPS)),
        )
    }
)
LECTURE_OPTIMIZERS = ("sgd", "momentum", "rmsprop", "adam")


def make_optimizer(name: str, **hyperparameters) -> Optimizer:
    """Build a named optimizer after checking its hyperparameters (ValueError names the bad one).

    A single value becomes a Python float, so that the rule also steps Python floats as floats."""
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZERS)}")
    spec = OPTIMIZERS[name]
    allowed = {h.name: h for h in spec.hyperparameters}
    given = {k: v for k, v in hyperparameters.items() if v is not None}
    for key, value in given.items():
        if key not in allowed:
            raise ValueError(f"{name} has no hyperparameter {key!r}; it takes {', '.join(allowed) or 'none'}")
        allowed[key].check(value)
    return spec.factory(**{k: float(v) if np.ndim(v) == 0 else v for k, v in given.items()})
