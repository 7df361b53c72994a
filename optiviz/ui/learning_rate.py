"""The learning-rate lab's cached engine calls (:mod:`optiviz.labs.learning_rate`); its data, batches and optimizer
controls are the batch-size lab's (:mod:`optiviz.ui.batch_size`)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from optiviz.core.linear_models import loss_grid
from optiviz.figures.batch_size import map_layers
from optiviz.labs import batch_size as minibatch
from optiviz.labs import learning_rate as lab
from optiviz.ui.batch_size import GRID, START, Data, Hyper, minimum, problem


@st.cache_data(max_entries=32, ttl=3600, show_spinner=False)
def lecture_rates(data: Data) -> dict[str, float]:
    """Figure 11's four rates, multiples of 1/L."""
    return lab.lecture_rates(problem(data))


@st.cache_data(max_entries=32, ttl=3600, show_spinner=False)
def zoom_background(data: Data, bounds: tuple[tuple[float, float], tuple[float, float]]) -> list[dict]:
    """The map's shaded loss and contour lines on the given bounds (a zoom on the minimum, say)."""
    w1, w2 = (np.linspace(lo, hi, GRID) for lo, hi in bounds)
    return map_layers(w1, w2, loss_grid(problem(data), w1, w2), minimum(data)[1])


@st.cache_data(max_entries=64, ttl=3600, show_spinner=False)
def runs(data: Data, batch_size: int, labels: tuple[str, ...], learning_rates: tuple[float, ...], epochs: int,
         optimizer: str, hyper: Hyper, schedules: tuple[str, ...] | str, decay_rate: float, shuffle: bool,
         seed: int) -> pd.DataFrame:
    """Several runs on the same batches in one batched call, labelled: the tidy per-step table."""
    return minibatch.labelled_runs(problem(data), batch_size, labels, learning_rates, epochs, START, optimizer, hyper,
                                   schedules, decay_rate, shuffle, seed)


@st.cache_data(max_entries=32, ttl=3600, show_spinner=False)
def range_test(data: Data, batch_size: int, learning_rates: tuple[float, ...], epochs: int, optimizer: str,
               hyper: Hyper, shuffle: bool, seed: int, last: int = 1) -> lab.RangeTest:
    """The loss after a run of ``epochs`` epochs (mean over the last ``last`` epoch ends) for every rate, in one
    call."""
    return lab.range_test(problem(data), batch_size, learning_rates, epochs, START, optimizer, hyper, shuffle,
                          seed, last)
