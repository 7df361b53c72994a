"""Optimizer update rules as pure ``(init, update)`` pairs, in the lecture's notation.

An optimizer works on a parameter array ``W`` of any shape. ``init(W)`` returns its
state; ``update(g, state, α)`` returns ``(ΔW, state)`` and the caller applies
``W ← W + ΔW``. ``update`` is pure (it leaves g and the old state alone). Each rule is written once,
growing its state in place (``m *= β₁`` then ``m += (1 − β₁) g``): ``update_in_place`` is that rule, for
a caller that owns the state and keeps no old one (the descent walk); ``update`` runs it on a copy
of the state. On a float the in-place forms are plain arithmetic; on an array they save NumPy a
temporary per operation, with the same bits.
Hyperparameters and the learning rate may be floats or arrays with
one value per run along the leading (batch) axis, so many settings run in one call.
Every rule is elementwise arithmetic, so it also runs on one Python float ``W`` (with float
hyperparameters and α), with the same bits as in an array: the race steps its few numbers so.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Callable, Mapping, NamedTuple

import numpy as np

from optiviz.core.arith import sqrt
from optiviz.core.checks import check_numbers


class Optimizer(NamedTuple):
    name: str
    init: Callable[[np.ndarray], tuple]
    update: Callable[[np.ndarray, tuple, object], tuple[np.ndarray, tuple]]  # pure
    # the same rule overwriting the state's arrays (None: use update); ΔW may share memory with the new state
    update_in_place: Callable[[np.ndarray, tuple, object], tuple[np.ndarray, tuple]] | None = None


def _copied(state) -> list:
    """The state with each array copied (floats and step counts are immutable), as a list (the rules unpack it)."""
    return [s.copy() if isinstance(s, np.ndarray) else s for s in state]


def _from_rule(name: str, init, rule) -> Optimizer:
    """An Optimizer from ``rule(g, state, α) -> (ΔW, state)``, which grows the state's arrays in place:
    ``update`` runs it on a copy of the state, ``update_in_place`` as it is."""

    def update(g, state, lr):
        return rule(g, _copied(state), lr)

    return Optimizer(name, init, update, rule)


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
        """Raise ValueError naming the hyperparameter if ``value`` (one, or one per run) is out of range."""
        check_numbers(self.name, value, low=self.low, high=self.high, high_open=self.high_open)


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

    def rule(g, state, lr):
        (v,) = state
        gm = _per_run(gamma, g)
        step = _per_run(lr, g) * g
        v *= gm
        v -= step
        return (gm * v - step if look_ahead else v), (v,)

    return _from_rule(name, init, rule)


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

    def rule(g, state, lr):
        (e,) = state
        e = accumulate(e, g * g)
        root = sqrt(e)
        root += _per_run(eps, g)
        return -_per_run(lr, g) * g / root, (e,)

    return _from_rule(name, init, rule)


def rmsprop(decay: float = DECAY.default, eps: float = EPS.default) -> Optimizer:
    """RMSProp: E ← γ E + (1 − γ) g²; W ← W − α g / (√E + ε).

    The lecture puts ε inside the root, α / √(ε + E); PyTorch (and this code) outside.
    """

    def ewma(e, g2):
        gm = _per_run(decay, g2)
        e *= gm
        g2 *= 1 - gm
        e += g2
        return e

    return _scaled_by_root(ewma, "rmsprop", eps)


def adagrad(eps: float = 1e-10) -> Optimizer:
    """Adagrad: E ← E + g²; W ← W − α g / (√E + ε)."""

    def add(e, g2):
        e += g2
        return e

    return _scaled_by_root(add, "adagrad", eps)


def adam(beta1: float = BETA1.default, beta2: float = BETA2.default, eps: float = EPS.default) -> Optimizer:
    """Adam: m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²; m̂ = m/(1 − β₁ᵗ); v̂ = v/(1 − β₂ᵗ);
    W ← W − α m̂ / (√v̂ + ε), with t counting from 1 (Kingma & Ba 2014, PyTorch)."""

    def init(params):
        return 0, _zeros(params), _zeros(params)

    def rule(g, state, lr):
        t, m, v = state
        t += 1
        b1, b2 = _per_run(beta1, g), _per_run(beta2, g)
        m *= b1
        m += (1 - b1) * g
        v *= b2
        g2 = g * g
        g2 *= 1 - b2
        v += g2
        root = v / (1 - b2**t)  # v̂
        root = sqrt(root, out=root)  # √v̂
        root += _per_run(eps, g)
        c1 = -(1 - b1**t)  # the sign of −α on this number rather than on α's array: the same bits
        # −m̂ = m / c1; once β₁ᵗ ≤ 2⁻⁵⁴, c1 rounds to −1 and m · (−1), faster, has the bits of m / (−1), NaN included
        step = m * c1 if isinstance(c1, float) and c1 == -1 else m / c1
        step *= _per_run(lr, g)
        step /= root
        return step, (t, m, v)

    return _from_rule("adam", init, rule)


def _sgd_latex(n, lr):
    return [rf"W_{{t+1}} = W_t - {lr}\, g_t"]


def _momentum_latex(n, lr):
    return [rf"v_{{t+1}} = {n['momentum']}\, v_t - {lr}\, g_t", r"W_{t+1} = W_t + v_{t+1}"]


def _nesterov_latex(n, lr):
    return [rf"v_{{t+1}} = {n['momentum']}\, v_t - {lr}\, g_t",
            rf"W_{{t+1}} = W_t + {n['momentum']}\, v_{{t+1}} - {lr}\, g_t"]


def _rmsprop_latex(n, lr):
    return [rf"E[g^2]_t = {n['decay']}\, E[g^2]_{{t-1}} + {n['1-decay']}\, g_t^2",
            rf"W_{{t+1}} = W_t - \frac{{{lr}}}{{\sqrt{{E[g^2]_t}} + {n['eps']}}}\, g_t"]


def _adagrad_latex(n, lr):
    return [r"G_t = G_{t-1} + g_t^2", rf"W_{{t+1}} = W_t - \frac{{{lr}}}{{\sqrt{{G_t}} + 10^{{-10}}}}\, g_t"]


def _adam_latex(n, lr):
    return [
        rf"m_t = {n['beta1']}\, m_{{t-1}} + {n['1-beta1']}\, g_t",  # one short line each: a phone's width
        rf"\hat m_t = \frac{{m_t}}{{1 - {n['beta1']}^t}}",
        rf"v_t = {n['beta2']}\, v_{{t-1}} + {n['1-beta2']}\, g_t^2",
        rf"\hat v_t = \frac{{v_t}}{{1 - {n['beta2']}^t}}",
        rf"W_{{t+1}} = W_t - {lr}\, \frac{{\hat m_t}}{{\sqrt{{\hat v_t}} + {n['eps']}}}",
    ]


class OptimizerSpec(NamedTuple):
    """Everything about one named optimizer: how to build it, and what every page, figure and the CLI show of it.

    Adding an optimizer means writing its rule and adding one entry to OPTIMIZERS; the race, the pages' controls
    and defaults, the LaTeX of its rule, its colour and the CLI's help all read it from here. Its rule must be
    elementwise (see OPTIMIZERS).
    """

    name: str
    label: str  # as the pages name it
    factory: Callable[..., Optimizer]
    hyperparameters: tuple[Hyperparameter, ...]
    colour: str = "grey"  # an ink of optiviz.figures.palette.INK (the palette checks contrast and ΔE)
    # LaTeX lines of the update after g_t = ∇f(W_t): latex(n, α) with n[h] the value of hyperparameter h and
    # n["1-h"] that of 1 − h, both already LaTeX numbers, and α the learning rate's LaTeX
    latex: Callable[[Mapping[str, str], str], list[str]] = lambda n, lr: [rf"W_{{t+1}} = W_t + \Delta W({lr}, g_t)"]
    text: tuple[str, ...] = ()  # the rule in plain text for the CLI's help, one line each
    note: str = ""  # what the CLI's help adds after the rule, e.g. "(γ = --momentum)"
    # a good learning rate per place: a surface's name, "train_network", "preprocessing_linear" or
    # "preprocessing_logistic" (the pages' defaults); ``rate`` elsewhere
    rates: Mapping[str, float] = MappingProxyType({})
    rate: float = 0.01

    def learning_rate(self, where: str) -> float:
        """A good α for this optimizer at ``where`` (a surface's or a page's name): its rate there, or ``rate``."""
        return self.rates.get(where, self.rate)


def _rates(beale, long_valley, ravine, rosenbrock, saddle, train_network, linear, logistic) -> Mapping[str, float]:
    """A good α on each of the race's surfaces, for the network page, and for the preprocessing page's two models."""
    return MappingProxyType(dict(beale=beale, long_valley=long_valley, ravine=ravine, rosenbrock=rosenbrock,
                                 saddle=saddle, train_network=train_network, preprocessing_linear=linear,
                                 preprocessing_logistic=logistic))


_REGISTRY: dict[str, OptimizerSpec] = {
    s.name: s
    for s in (
        OptimizerSpec("sgd", "SGD", sgd, (), "blue", _sgd_latex, ("W ← W − α g",), "",
                      _rates(0.0032, 0.025, 0.16, 1e-3, 0.016, 0.3, 0.079, 1.0)),
        OptimizerSpec("momentum", "Momentum", momentum, (MOMENTUM,), "ochre", _momentum_latex,
                      ("v ← γ v − α g;  W ← W + v",), "(γ = --momentum)",
                      _rates(0.0032, 0.025, 0.16, 0.0016, 0.016, 0.05, 0.02, 0.2)),
        OptimizerSpec("nesterov", "Nesterov", nesterov, (MOMENTUM,), "plum", _nesterov_latex,
                      ("v ← γ v − α g;  W ← W + γ v − α g",), "(γ = --momentum)",
                      _rates(0.0032, 0.025, 0.025, 1e-3, 0.016, 0.05, 0.02, 0.2)),
        OptimizerSpec("rmsprop", "RMSProp", rmsprop, (DECAY, EPS), "green", _rmsprop_latex,
                      ("E ← γ E + (1 − γ) g²;  W ← W − α g / (√E + ε)",), "(γ = --decay)",
                      _rates(0.032, 0.1, 0.025, 0.02, 0.032, 0.01, 0.05, 0.05)),
        OptimizerSpec("adagrad", "Adagrad", adagrad, (), "sky", _adagrad_latex,
                      ("E ← E + g²;  W ← W − α g / (√E + ε)",), "(ε = 1e-10, fixed)",
                      _rates(1.6, 0.63, 0.32, 0.5, 0.32, 0.1, 0.5, 1.0)),
        OptimizerSpec("adam", "Adam", adam, (BETA1, BETA2, EPS), "rust", _adam_latex,
                      ("m ← β₁ m + (1 − β₁) g;  v ← β₂ v + (1 − β₂) g²",
                       "W ← W − α m̂ / (√v̂ + ε), m̂ = m / (1 − β₁ᵗ), v̂ = v / (1 − β₂ᵗ)"), "",
                      _rates(0.4, 0.13, 0.05, 0.16, 0.05, 0.01, 0.1, 0.1)),
    )
}
OPTIMIZERS = MappingProxyType(_REGISTRY)
"""The registry of optimizers, by name, in the pages' order: a read-only view of one dict, to which a test may add
an entry for its own duration with ``monkeypatch.setitem(optimizers._REGISTRY, name, spec)``.

The race's float walk (``descent._walk_floats``, 12.5× faster than arrays and bit-identical) steps x and y as
two Python floats, one ``update`` call each. So every update rule must be elementwise: ΔW[i] may depend only
on g[i], on its own state[i] and on scalars (hyperparameters, α, a step count), never on norms, sums or dot
products over W's entries; and it must be arithmetic that runs on a Python float as on an array, with the same bits.
"""
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
