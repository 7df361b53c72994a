"""Widgets shared by the pages. They only return plain values."""

from __future__ import annotations

import streamlit as st

# the values to pick from, re-exported for the pages
from optiviz.core.choices import BETA2S, DECAY_RATES, EPSILONS, LEARNING_RATES, snap  # noqa: F401
from optiviz.core.optimizers import Hyperparameter


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
