"""Cached engine calls for the data pre-processing lab: hashable arguments, bounded entries."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from optiviz.labs import preprocessing as lab

Data = tuple[str, int, int, tuple[float, float], float, float]  # (model, samples, seed, centre, correlation, scale)
Run = tuple[str, float, int, tuple[float, float], tuple[tuple[str, float], ...]]  # (optimizer, α, steps, w₀, hyper)


@st.cache_data(max_entries=64, ttl=3600, show_spinner=False)
def comparison(data: Data, run: Run) -> lab.PreprocessingRuns:
    """The same optimizer from the same start on the raw, zero-centred, normalised and whitened data."""
    optimizer, learning_rate, steps, start, hyper = run
    return lab.compare_preprocessings(*data, optimizer=optimizer, learning_rate=learning_rate, steps=steps, start=start,
                       hyperparameters=hyper)


@st.cache_data(max_entries=32, ttl=3600, show_spinner=False)
def rate_sweep(data: Data, run: Run) -> pd.DataFrame:
    """Steps to converge against α for each preprocessing (the run's own α is ignored)."""
    optimizer, _, steps, start, hyper = run
    return lab.rate_sweep(*data, optimizer=optimizer, steps=steps, start=start, hyperparameters=hyper)


@st.cache_data(max_entries=32, ttl=3600, show_spinner=False)
def sensitivity(samples: int, seed: int, distance: float) -> lab.Sensitivity:
    """Figure 5's measure: the same round cloud, classifier and weight changes near the origin and ``distance`` away."""
    return lab.sensitivity(samples, seed, distance)
