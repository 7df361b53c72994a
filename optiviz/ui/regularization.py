"""Cached calls of the regularization lab (:mod:`optiviz.labs.regularization.experiments`): hashable arguments, bounded
entries, a progress bar inside (a cache hit replays what the function drew)."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from optiviz.labs.regularization import experiments as lab
from optiviz.core.datasets import Split
from optiviz.ui.train_network import Data, dataset

MASKS = lab.MASKS
SEEDS = lab.SEEDS  # seeds of every comparison by default
seeds_of = lab.seeds_of  # the training seeds of a comparison: the tab's seed and the count − 1 after it


def _with_bar(text: str, compute: Callable, *args):
    """``compute(*args, progress)`` under one progress bar, removed when done."""
    bar = st.progress(0.0, text=text)

    def progress(what: str, done: int, total: int) -> None:
        bar.progress(min(done / max(total, 1), 1.0), text=f"{text} ({what})")

    try:
        return compute(*args, progress)
    finally:
        bar.empty()


@st.cache_data(max_entries=32, ttl=3600, show_spinner=False)
def weight_paths(samples: int, features: int, correlation: float, noise: float, seed: int, mix: float):
    """(paths table, λ_max, true weights) of :func:`optiviz.labs.regularization.experiments.weight_paths`."""
    return lab.weight_paths(samples, features, correlation, noise, seed, mix)


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def penalty_networks(data: Data, hidden: tuple[int, ...], l1: float, l2: float, mix: float, epochs: int,
                     learning_rate: float, seed: int) -> tuple:
    return _with_bar("Training with each penalty…", lab.penalty_networks, dataset(data), hidden, l1, l2, mix,
                     epochs, learning_rate, seed)


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def penalty_seeds(data: Data, hidden: tuple[int, ...], l1: float, l2: float, mix: float, epochs: int,
                  learning_rate: float, seeds: tuple[int, ...]) -> tuple:
    return _with_bar(f"Training each penalty over {len(seeds)} seeds…", lab.penalty_seeds, dataset(data), hidden,
                     l1, l2, mix, epochs, learning_rate, seeds)


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def long_run_seeds(data: Data, hidden: tuple[int, ...], learning_rate: float, batch_size: int, epochs: int,
                   seeds: tuple[int, ...]):
    return _with_bar(f"Training over {len(seeds)} seeds…", lab.long_run_seeds, dataset(data), hidden,
                     learning_rate, batch_size, epochs, seeds)


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def few_points(name: str, train_points: int, val_points: int, noise: float, seed: int) -> Split:
    return lab.few_points(name, train_points, val_points, noise, seed)


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def dropout_runs(width: int, drop: float, epochs: int, seed: int, batch_norm: bool = False) -> lab.DropoutRuns:
    return _with_bar("Training with dropout…", lab.dropout_experiment, width, drop, epochs, seed, batch_norm)


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def dropout_seeds(width: int, drop: float, epochs: int, seeds: tuple[int, ...]) -> tuple:
    return _with_bar(f"Training with and without dropout over {len(seeds)} seeds…", lab.dropout_seed_experiment,
                     width, drop, epochs, seeds)


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def augmentation_runs(name: str, train_points: int, val_points: int, noise: float, jitter: float, rotation: float,
                      reflect: str, epochs: int, seed: int) -> tuple:
    return _with_bar("Training without and with augmentation…", lab.augmentation_experiment,
                     (name, train_points, val_points, noise), jitter, rotation, reflect, epochs, seed)


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def augmentation_seeds(name: str, train_points: int, val_points: int, noise: float, jitter: float, rotation: float,
                       reflect: str, epochs: int, seeds: tuple[int, ...]) -> tuple:
    return _with_bar(f"Training without and with augmentation over {len(seeds)} seeds…",
                     lab.augmentation_seed_experiment, (name, train_points, val_points, noise), jitter, rotation,
                     reflect, epochs, seeds)


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def augmented_points(name: str, train_points: int, val_points: int, noise: float, jitter: float, rotation: float,
                     reflect: str, copies: int, seed: int) -> pd.DataFrame:
    split = few_points(name, train_points, val_points, noise, seed)
    return lab.augmented_points(split, jitter, rotation, reflect, copies, seed)
