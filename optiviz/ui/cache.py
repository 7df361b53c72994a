"""Cached engine calls for the pages: hashable arguments, bounded entries."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from optiviz import descent
from optiviz.datasets import Split, make_dataset, train_val_split
from optiviz.nn import MLP, init_stats, init_training, landscape
from optiviz.nn.boundary import compare_drawn_on_demand
from optiviz.nn.records import Comparison
from optiviz.nn.seeds import compare_with_seeds
from optiviz.nn.training import OptimizerSetting
from optiviz.figures.race import Background, surface_layers as _surface_layers
from optiviz.surfaces import get_surface
from optiviz.ui.fair_share import QueueFull, TrainingQueue  # noqa: F401 (QueueFull: for the page)

Hyper = tuple[tuple[str, float], ...]
Run = tuple[str, float, Hyper]  # (optimizer, α₀, hyperparameters)


class _NotCached(Exception):
    """Raised by ``_stored_path`` on a miss; an exception is never cached, so nothing is stored."""


@st.cache_resource(max_entries=256, ttl=3600, show_spinner=False)
def _stored_path(key: str, _computed: descent.Path | None = None) -> descent.Path:
    """The cached Path of the run ``key`` names, or ``_NotCached``; ``_computed`` (not hashed: it starts with _) stores one.

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
    race = dict(surface=surface, start=start, steps=steps, schedule=schedule, decay_rate=decay_rate, noise=noise, seed=seed)
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
                field: _read_only(getattr(path, field)) for field in ("step", "x", "y", "loss", "grad_norm", "learning_rate")}))
    return [found[run] for run in runs]


@st.cache_data(max_entries=32, ttl=3600, show_spinner=False)
def sweep(surface: str, runs: tuple[Run, ...], start: tuple[float, float], steps: int, schedule: str, decay_rate: float,
          noise: float, seed: int, lrs: tuple[float, ...]) -> pd.DataFrame:
    """Final loss against α for every optimizer in ``runs``, one vectorised call each."""
    frames = [
        descent.sweep(surface, n, np.array(lrs), start, steps, schedule, decay_rate, noise, seed, **dict(h)) for n, _, h in runs
    ]
    return pd.concat(frames, ignore_index=True)


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def grid_paths(surface: str, optimizer: str, lrs: tuple[float, ...], start: tuple[float, float], steps: int, schedule: str,
               decay_rate: float, noise: float, seed: int, grids: tuple[tuple[str, tuple[float, ...]], ...]) -> descent.Trajectories:
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


# ---- the training lab ----------------------------------------------------------------------------

Data = tuple[str, int, float, int, float, int]  # (dataset, samples, noise, classes, validation fraction, seed)
OptimizerRuns = tuple[tuple[str, float, Hyper], ...]  # (optimizer, α₀, hyperparameters)


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def dataset(data: Data) -> Split:
    """The seeded toy data, split into training and validation points."""
    name, samples, noise, classes, val_fraction, seed = data
    X, y = make_dataset(name, samples, noise, seed, classes)
    return train_val_split(X, y, val_fraction, seed)


@st.cache_data(max_entries=8, ttl=3600, show_spinner=False)
def comparison(data: Data, net: MLP, optimizers: OptimizerRuns, options: tuple[tuple[str, object], ...],
               seed: int) -> Comparison:
    """Every optimizer trained from the same initial weights on the same batches, with a progress bar.

    An option ``("seeds", S)`` with S > 1 trains every optimizer from the seeds seed … seed + S − 1 at
    once (``optiviz.nn.seeds.compare_with_seeds``): the runs are seed ``seed``'s, ``.seeds`` the curves
    of all. The bar is made here, not by the caller: a cache hit replays what the function drew.
    """
    runs = [OptimizerSetting(name, lr, hyper) for name, lr, hyper in optimizers]
    settings = dict(options)
    seeds = settings.pop("seeds", 1)
    bar = st.progress(0.0, text="Training…")
    what = f"all optimizers × {seeds} seeds" if seeds > 1 else "all optimizers"

    shown = [-1]  # the last tenth of the run drawn: each update is a message through the event loop (~1 ms under load)

    def progress(done: int, total: int):
        tenth = min(10 * done // max(total, 1), 10)
        if tenth > shown[0]:
            shown[0] = tenth
            bar.progress(min(done / total, 1.0), text=f"Training… epoch {done} of {total} ({what})")

    def waiting(ahead: int):  # the fair share: at most TRAINING_SLOTS trainings at once in this process
        bar.progress(0.0, text=f"Waiting for {ahead} training run{'s' if ahead != 1 else ''} ahead of yours "
                               f"(this server trains {training_queue().slots} at a time)…")

    with training_queue().turn(session_id(), waiting):
        if seeds > 1:  # seed ``seed``'s grids are drawn on demand (TrainingResult.grid_at)
            result = compare_with_seeds(net, dataset(data), runs, seed=seed, seeds=seeds, progress=progress, **settings)
        else:  # likewise where θ alone is enough (optiviz.nn.boundary), else grids recorded every epoch
            result = compare_drawn_on_demand(net, dataset(data), runs, seed=seed, progress=progress, **settings)
    bar.empty()
    return result


TRAINING_SLOTS = 1  # trainings at once per server process; the others queue (docs/limits.md)
TRAINING_WAITING = 64  # trainings that may wait; one more is refused with a message


@st.cache_resource(max_entries=1, show_spinner=False)
def training_queue() -> TrainingQueue:
    """The process's one queue of trainings (``optiviz.ui.fair_share``): TRAINING_SLOTS at once, one per session.

    Made once per process, at its first training.
    ``OPTIVIZ_TRAINING_SLOTS`` in the environment overrides TRAINING_SLOTS (e.g. 2 on a 4-core server with 2
    replicas); ``OPTIVIZ_FAIR_SHARE=0`` turns the queue off (the behaviour before issue 16 §4, for
    benchmarks/bench_load.py to compare, with ``OPTIVIZ_BLAS_THREADS=0``).
    """
    if os.environ.get("OPTIVIZ_FAIR_SHARE", "1").strip() == "0":
        return TrainingQueue(slots=1_000_000, per_session=1_000_000, max_waiting=1_000_000)
    return TrainingQueue(slots=max(_env_count("OPTIVIZ_TRAINING_SLOTS", TRAINING_SLOTS), 1), per_session=1,
                         max_waiting=TRAINING_WAITING)


def _env_count(name: str, default: int) -> int:
    """A whole number ≥ 0 from the environment variable ``name``; ``default`` when unset or not one."""
    text = os.environ.get(name, "").strip()
    return int(text) if text.isdigit() else default


def session_id() -> str:
    """This script run's session (one browser tab); "bare" outside a Streamlit server."""
    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else "bare"


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def loss_landscape(data: Data, net: MLP, optimizers: OptimizerRuns, options: tuple[tuple[str, object], ...], seed: int,
                   label: str, n: int = 25, span: float = 1.0) -> landscape.Landscape:
    """One optimizer's trained network and its twin with skip connections toggled: slices and path planes (optiviz.nn.landscape)."""
    return landscape.skip_landscapes(comparison(data, net, optimizers, options, seed)[label], dataset(data), n, span, seed)


# ---- the activations and initialisation lab ---------------------------------------------------------

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
                     seed: int, small_sigma: float, large_sigma: float, constant: float) -> init_training.SchemeTrainings:
    """Every scheme's training curves over ``seeds`` seeds (``init_training.scheme_trainings``), with a progress bar."""
    bar = st.progress(0.0, text="Training each scheme…")

    def progress(done: int, total: int):
        bar.progress(min(done / total, 1.0), text=f"Training each scheme… {done} of {total} runs")

    runs = init_training.scheme_trainings(activation, schemes, depth=depth, width=width, seeds=seeds, seed=seed,
                                          alpha=alpha, small_sigma=small_sigma, large_sigma=large_sigma,
                                          constant=constant, progress=progress)
    bar.empty()
    return runs
