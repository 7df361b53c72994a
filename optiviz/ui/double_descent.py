"""Cached engine calls for the double descent lab: hashable arguments, bounded entries."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from optiviz.labs import double_descent
from optiviz.labs.double_descent import PolynomialFits


@st.cache_data(max_entries=32, ttl=3600, show_spinner=False)
def curve(n_train: int, max_features: int, trials: int, noise: float, ridge: float, seed: int,
          weights: str, model: str = "relu") -> pd.DataFrame:
    """The median train and test error against p (see optiviz.labs.double_descent.double_descent), with a progress bar.

    The bar is made here, not by the caller: a cache hit replays what the function drew.
    """
    bar = st.progress(0.0, text="Fitting every p for every trial…")

    def progress(done: int, total: int):
        bar.progress(done / total, text=f"Fitting every p for every trial… p = {done} of {total}")

    table = double_descent.double_descent(n_train, max_features, trials, noise, ridge, seed, weights, progress, model)
    bar.empty()
    return table


@st.cache_data(max_entries=32, ttl=3600, show_spinner=False)
def fits(n_points: int, max_features: int, noise: float, ridge: float, seed: int) -> PolynomialFits:
    """The 1-D Legendre fits for p = 1 … max_features (see optiviz.labs.double_descent.polynomial_fits)."""
    return double_descent.polynomial_fits(n_points, max_features, noise, ridge, seed)
