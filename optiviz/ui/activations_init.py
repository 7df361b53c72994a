"""The activations and initialisation lab's cached engine calls: hashable arguments, bounded entries."""

from __future__ import annotations

import streamlit as st

from optiviz.labs.activations_init import statistics as init_stats
from optiviz.labs.activations_init import training as init_training

Schemes = tuple[str, ...]


@st.cache_data(max_entries=8, ttl=3600, show_spinner="Forward and backward through every scheme…")
def init_statistics(activation: str, alpha: float | None, schemes: Schemes, layers: int, width: int, samples: int,
                    seed: int, skip: bool, small_sigma: float, large_sigma: float, constant: float) -> dict:
    """Per-layer statistics and histograms of a deep plain network, for each initialisation scheme."""
    return init_stats.compare_schemes(activation, schemes, layers=layers, width=width, samples=samples, seed=seed,
                                      skip=skip, alpha=alpha, small_sigma=small_sigma, large_sigma=large_sigma,
                                      constant=constant)


@st.cache_data(max_entries=8, ttl=3600, show_spinner=False)
def scheme_trainings(activation: str, alpha: float | None, schemes: Schemes, depth: int, width: int, seeds: int,
                     seed: int, small_sigma: float, large_sigma: float,
                     constant: float) -> init_training.SchemeTrainings:
    """Every scheme's training curves over ``seeds`` seeds (``init_training.scheme_trainings``), with a progress bar."""
    bar = st.progress(0.0, text="Training each scheme…")

    def progress(done: int, total: int):
        bar.progress(min(done / total, 1.0), text=f"Training each scheme… {done} of {total} runs")

    runs = init_training.scheme_trainings(activation, schemes, depth=depth, width=width, seeds=seeds, seed=seed,
                                          alpha=alpha, small_sigma=small_sigma, large_sigma=large_sigma,
                                          constant=constant, progress=progress)
    bar.empty()
    return runs
