"""Cached engine calls for the pages: hashable arguments, bounded entries."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from optiviz import descent
from optiviz.figures.race import surface_layers as _surface_layers
from optiviz.surfaces import get_surface

Hyper = tuple[tuple[str, float], ...]
Run = tuple[str, float, Hyper]  # (optimizer, α₀, hyperparameters)


@st.cache_data(max_entries=256, show_spinner=False)
def _path(surface: str, run: Run, start: tuple[float, float], steps: int, schedule: str, decay_rate: float,
          noise: float, seed: int) -> pd.DataFrame:
    name, lr, hyper = run
    return descent.race(surface, [(name, lr, dict(hyper))], start, steps, schedule, decay_rate, noise, seed)


def race(surface: str, runs: tuple[Run, ...], start: tuple[float, float], steps: int, schedule: str, decay_rate: float,
         noise: float, seed: int) -> pd.DataFrame:
    """The race table; each optimizer's path is cached on its own, so moving one slider reruns one optimizer."""
    paths = [_path(surface, run, start, steps, schedule, decay_rate, noise, seed) for run in runs]
    return pd.concat(paths, ignore_index=True) if paths else pd.DataFrame(columns=descent.COLUMNS)


@st.cache_data(max_entries=32, show_spinner=False)
def sweep(surface: str, runs: tuple[Run, ...], start: tuple[float, float], steps: int, schedule: str, decay_rate: float,
          noise: float, seed: int, lrs: tuple[float, ...]) -> pd.DataFrame:
    """Final loss against α for every optimizer in ``runs``, one vectorised call each."""
    frames = [
        descent.sweep(surface, n, np.array(lrs), start, steps, schedule, decay_rate, noise, seed, **dict(h)) for n, _, h in runs
    ]
    return pd.concat(frames, ignore_index=True)


@st.cache_data(max_entries=16, show_spinner=False)
def surface_layers(surface: str) -> list[dict]:
    """The race map's background (heatmap and contour lines), drawn once per surface."""
    return _surface_layers(get_surface(surface))
