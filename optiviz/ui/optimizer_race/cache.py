"""The optimizer race's cached engine calls: hashable arguments, bounded entries."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from optiviz.core import descent
from optiviz.core.surfaces import get_surface
from optiviz.figures.optimizer_race import Background, surface_layers as _surface_layers

Hyper = tuple[tuple[str, float], ...]
Run = tuple[str, float, Hyper]  # (optimizer, α₀, hyperparameters)


class _NotCached(Exception):
    """Raised by ``_stored_path`` on a miss; an exception is never cached, so nothing is stored."""


@st.cache_resource(max_entries=256, ttl=3600, show_spinner=False)
def _stored_path(key: str, _computed: descent.Path | None = None) -> descent.Path:
    """The cached Path of the run ``key`` names, or ``_NotCached``; ``_computed`` (not hashed: it starts with _) stores
    one.

    ``key`` is the repr of the run's settings: one string hashes ~5× faster than the nested tuples.
    A resource: every session shares the one Path, whose arrays are read-only, so nothing is
    pickled on a store or unpickled on a hit.
    """
    if _computed is None:
        raise _NotCached
    return _computed


def _read_only(values: np.ndarray) -> np.ndarray:
    values.flags.writeable = False
    return values


def race(surface: str, runs: tuple[Run, ...], start: tuple[float, float], steps: int, schedule: str, decay_rate: float,
         noise: float, seed: int) -> list[descent.Path]:
    """Every optimizer's Path, each cached on its own: moving one optimizer's slider reruns only that
    optimizer, and whichever runs are not cached are computed together (``descent.race_paths``)."""
    race = dict(surface=surface, start=start, steps=steps, schedule=schedule, decay_rate=decay_rate, noise=noise,
                seed=seed)
    keys = {run: repr((run, race)) for run in runs}  # floats' reprs round-trip, so equal keys mean equal runs
    found = {}
    for run, key in keys.items():
        try:
            found[run] = _stored_path(key)
        except _NotCached:
            pass
    missing = [run for run in runs if run not in found]
    if missing:
        computed = descent.race_paths(runs=[(name, lr, dict(hyper)) for name, lr, hyper in missing], **race)
        for run, path in zip(missing, computed):
            found[run] = _stored_path(keys[run], _computed=path._replace(**{
                field: _read_only(getattr(path, field))
                for field in ("step", "x", "y", "loss", "grad_norm", "learning_rate")}))
    return [found[run] for run in runs]


@st.cache_data(max_entries=32, ttl=3600, show_spinner=False)
def sweep(surface: str, runs: tuple[Run, ...], start: tuple[float, float], steps: int, schedule: str, decay_rate: float,
          noise: float, seed: int, lrs: tuple[float, ...]) -> pd.DataFrame:
    """Final loss against α for every optimizer in ``runs``, one vectorised call each."""
    frames = [
        descent.sweep(surface, n, np.array(lrs), start, steps, schedule, decay_rate, noise, seed, **dict(h))
        for n, _, h in runs
    ]
    return pd.concat(frames, ignore_index=True)


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def grid_paths(surface: str, optimizer: str, lrs: tuple[float, ...], start: tuple[float, float], steps: int,
               schedule: str, decay_rate: float, noise: float, seed: int,
               grids: tuple[tuple[str, tuple[float, ...]], ...]) -> descent.Trajectories:
    """Every (hyperparameter values, α) run of ``optimizer`` in one vectorised call (``descent.grid_paths``)."""
    return descent.grid_paths(surface, optimizer, np.array(lrs), start, steps, schedule, decay_rate, noise, seed,
                              **{name: np.array(values) for name, values in grids})


@st.cache_resource(max_entries=16, show_spinner=False)
def surface_layers(surface: str) -> Background:
    """The race map's background (the shaded loss, its contour lines, the colour bar), drawn once per surface.

    A resource, not data: every session gets this same object (no copy to unpickle on every rerun),
    which ``race_map`` only reads.
    """
    return _surface_layers(get_surface(surface))
