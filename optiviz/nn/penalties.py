"""Weight penalties added to the loss: ``value(W)`` and its (sub)gradient ``gradient(W)``.

Conventions: L1 is λ Σ|W|; L2 is (λ/2) Σ W², so its gradient is λW, the same as
``weight_decay=λ`` in PyTorch's SGD (some texts write λ Σ W², whose gradient is 2λW).
Penalties apply to weights only: :func:`penalize` skips biases and batch-norm γ, β.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Callable, NamedTuple, Sequence

import numpy as np

from optiviz.core.checks import check_number
from optiviz.nn.tree import Tree


class Penalty(NamedTuple):
    """A penalty Ω(W) with ``value(W) = Ω(W)`` and ``gradient(W) = ∂Ω/∂W``."""

    name: str
    value: Callable[[np.ndarray], float]
    gradient: Callable[[np.ndarray], np.ndarray]


def elastic_net(lam1: float = 0.0, lam2: float = 0.0, name: str = "elastic_net") -> Penalty:
    """Elastic net: Ω(W) = λ₁ Σ|W| + (λ₂/2) Σ W²;  ∂Ω/∂W = λ₁ sign(W) + λ₂ W, with sign(0) = 0."""
    l1 = check_number("lam1", lam1, low=0.0)
    l2 = check_number("lam2", lam2, low=0.0)

    def value(w):
        w = np.asarray(w, dtype=float)
        return float(l1 * np.sum(np.abs(w)) + 0.5 * l2 * np.sum(w * w))

    def gradient(w):
        w = np.asarray(w, dtype=float)
        return l1 * np.sign(w) + l2 * w

    return Penalty(name, value, gradient)


def l1(lam: float = 0.0) -> Penalty:
    """L1 (lasso): Ω(W) = λ Σ|W|;  ∂Ω/∂W = λ sign(W) (subgradient 0 at W = 0)."""
    return elastic_net(check_number("lam", lam, low=0.0), 0.0, "l1")


def l2(lam: float = 0.0) -> Penalty:
    """L2 (ridge): Ω(W) = (λ/2) Σ W²;  ∂Ω/∂W = λ W."""
    return elastic_net(0.0, check_number("lam", lam, low=0.0), "l2")


def none() -> Penalty:
    """No penalty: Ω(W) = 0."""
    return elastic_net(0.0, 0.0, "none")


PENALTIES = MappingProxyType({"none": none, "l1": l1, "l2": l2, "elastic_net": elastic_net})


def penalize(penalty: Penalty, params: Tree, weight_keys: Sequence[str] = ("W",)) -> tuple[float, list[dict]]:
    """Σ Ω(W) over the arrays whose key is in ``weight_keys``, and its gradient as a tree shaped like ``params``.

    Every other array (biases, γ, β) gets a zero gradient.
    """
    total, grads = 0.0, []
    for block in params:
        g = {}
        for key, array in block.items():
            if key in weight_keys:
                total += penalty.value(array)
                g[key] = penalty.gradient(array)
            else:
                g[key] = np.zeros_like(array, dtype=float)
        grads.append(g)
    return total, grads
