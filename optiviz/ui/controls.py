"""Widgets shared by the pages. They only return plain values."""

from __future__ import annotations

import numpy as np
import streamlit as st

from optiviz.core.optimizers import Hyperparameter


def log_options(low_exp: float, high_exp: float, per_decade: int = 10) -> tuple[float, ...]:
    """Log-spaced values 10^low … 10^high, rounded to two significant figures."""
    k = np.arange(round(low_exp * per_decade), round(high_exp * per_decade) + 1)
    return tuple(float(f"{v:.2g}") for v in 10.0 ** (k / per_decade))


LEARNING_RATES = log_options(-5, 0.3)  # 1e-5 … 2
DECAY_RATES = log_options(-4, -1, 4)  # k for the schedules
EPSILONS = tuple(10.0**-k for k in range(12, 0, -1))
BETA2S = (0.9, 0.95, 0.99, 0.995, 0.999, 0.9999)


def snap(value: float, options: tuple[float, ...]) -> float:
    """The option nearest to ``value`` on a log scale."""
    if value in options:
        return value
    return min(options, key=lambda o: abs(np.log(o) - np.log(value)))


def log_slider(label: str, options: tuple[float, ...], default: float, key: str, help: str | None = None) -> float:
    """A slider over log-spaced options."""
    return st.select_slider(label, options=options, value=snap(default, options), format_func=lambda v: f"{v:g}",
                            key=key, bind="query-params", help=help)


WORDS = {"beta1": "mean decay", "beta2": "square decay", "eps": "stability"}  # the lecture's words, not code names


def hyperparameter_slider(h: Hyperparameter, key: str, prefix: str = "") -> float:
    """The widget for one optimizer hyperparameter: γ and β₁ linear, β₂ and ε on their usual grids."""
    label = f"{prefix}{WORDS.get(h.name, h.name)} {h.symbol}"  # plain text: a screen reader reads it as written
    if h.name == "eps":
        return log_slider(label, EPSILONS, h.default, key, h.help)
    if h.name == "beta2":
        return st.select_slider(label, options=BETA2S, value=h.default, key=key, bind="query-params", help=h.help)
    return st.slider(label, 0.0, 0.99, h.default, 0.01, key=key, bind="query-params", help=h.help)


def whole_number(label: str, low: int, high: int, default: int, key: str, where=st, **kwargs) -> int:
    """A number input for a whole number such as a seed, bound to the URL; ``where`` is the container.

    It is a float input shown without decimals: Streamlit's integer input fails on a link's ``inf``
    (int(inf)) instead of refusing it, while a float input refuses it. A fraction is rounded, as shown.
    """
    value = where.number_input(label, float(low), float(high), float(default), 1.0, format="%.0f", key=key,
                               bind="query-params", **kwargs)
    return int(round(value))
