"""The batch-size lab's cached engine calls, and the controls it shares with the learning-rate lab
(:mod:`optiviz.labs.batch_size`)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from optiviz.labs import batch_size as minibatch
from optiviz.figures.batch_size import map_bounds, map_layers
from optiviz.core.linear_models import MODELS, Problem, loss_grid
from optiviz.core.optimizers import OPTIMIZERS
from optiviz.ui.controls import hyperparameter_slider, whole_number

Data = minibatch.LabData  # (model, samples N, data seed, correlation, noise)
Hyper = tuple[tuple[str, float], ...]
START = minibatch.START  # W⁰ of every run: up the long valley from the minimum
GRID = 90
FALLBACK_NOISE = minibatch.FALLBACK_NOISE  # when the classes are separable


def data_controls(prefix: str) -> Data:
    """The sidebar's data controls (keys ``<prefix>_model`` …): a plain (model, N, seed, ρ, σ) tuple."""
    st.header("Data")
    model = st.selectbox("Model", list(MODELS), format_func=MODELS.get, key=f"{prefix}_model", bind="query-params",
                         help="Two weights and no bias, so the whole loss surface fits on the map.")
    samples = st.slider("Samples N", 20, 1000, 200, 10, key=f"{prefix}_samples", bind="query-params")
    noise = st.slider("Noise σ", 0.0, 2.0, 0.5, 0.05, key=f"{prefix}_noise", bind="query-params",
                      help="Noise on the targets, y = x·w + σε (linear) or y = 1[x·w + σε > 0] (logistic): it sets "
                           "how much the samples' gradients disagree near the minimum.")
    correlation = st.slider("Input correlation ρ", -0.9, 0.9, 0.5, 0.1, key=f"{prefix}_correlation",
                            bind="query-params", help="Correlated inputs stretch the contours into a valley.")
    seed = whole_number("Data seed", 0, 10_000, 0, f"{prefix}_data_seed", help="Draw another set of N samples.")
    return model, samples, seed, correlation, noise


def shuffle_controls(prefix: str) -> tuple[bool, int]:
    """(shuffle every epoch?, shuffle seed), keys ``<prefix>_shuffle`` and ``<prefix>_shuffle_seed``."""
    shuffle = st.toggle("Shuffle every epoch", True, key=f"{prefix}_shuffle", bind="query-params",
                        help="On: a fresh random order of the samples each epoch. Off: the same order, so the same "
                             "batches, every epoch.")
    return shuffle, whole_number("Shuffle seed", 0, 10_000, 0, f"{prefix}_shuffle_seed", disabled=not shuffle)


def optimizer_controls(prefix: str, help: str | None = None) -> tuple[str, Hyper]:
    """(optimizer, its hyperparameters as (name, value) pairs), keys ``<prefix>_optimizer``, ``<prefix>_<name>_<h>``."""
    optimizer = st.selectbox("Optimizer", list(OPTIMIZERS), format_func=lambda n: OPTIMIZERS[n].label,
                             key=f"{prefix}_optimizer", bind="query-params", help=help)
    return optimizer, tuple((h.name, hyperparameter_slider(h, f"{prefix}_{optimizer}_{h.name}"))
                            for h in OPTIMIZERS[optimizer].hyperparameters)


def usable(data: Data) -> tuple[Data, np.ndarray, float]:
    """(data, w*, L(w*)); when the classes are separable, a warning naming the noise and σ = FALLBACK_NOISE instead."""
    try:
        return data, *minimum(data)
    except ValueError as error:
        st.warning(f"**Noise σ = {data[-1]:g}**: {error}. Using σ = {FALLBACK_NOISE}.", icon=":material/warning:")
        data = (*data[:-1], FALLBACK_NOISE)
        return data, *minimum(data)


@st.cache_data(max_entries=32, ttl=3600, show_spinner=False)
def problem(data: Data) -> Problem:
    """The seeded two-weight problem: N samples with correlated inputs and noisy targets."""
    return minibatch.lab_problem(data)


@st.cache_data(max_entries=32, ttl=3600, show_spinner=False)
def minimum(data: Data) -> tuple[np.ndarray, float]:
    """(w*, L(w*)); ValueError naming the noise when the classes are separable."""
    return minibatch.minimum(problem(data))


@st.cache_data(max_entries=32, ttl=3600, show_spinner=False)
def curvature(data: Data) -> float:
    """L = λ_max(∇²L(w*))."""
    return minibatch.curvature(problem(data))


@st.cache_data(max_entries=32, ttl=3600, show_spinner=False)
def background(data: Data) -> tuple[list[dict], tuple]:
    """The weight-space map's shaded loss and contour lines, and its bounds."""
    w_star, loss_star = minimum(data)
    bounds = map_bounds(START, w_star)
    w1, w2 = (np.linspace(lo, hi, GRID) for lo, hi in bounds)
    return map_layers(w1, w2, loss_grid(problem(data), w1, w2), loss_star), bounds


@st.cache_data(max_entries=64, ttl=3600, show_spinner=False)
def batch_sizes(data: Data, sizes: tuple[tuple[str, int], ...], learning_rate: float, epochs: int, optimizer: str,
                hyper: Hyper, shuffle: bool, seed: int) -> pd.DataFrame:
    """Full batch, mini-batch and SGD from the same start: the tidy per-step table."""
    return minibatch.compare_batch_sizes(problem(data), dict(sizes), learning_rate, epochs, START, optimizer, hyper,
                                         shuffle, seed)
