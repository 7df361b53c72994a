"""The training lab's cached engine calls, and its fair share of the server: hashable arguments, bounded entries."""

from __future__ import annotations

import os

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from optiviz.core.datasets import Split, make_dataset, train_val_split
from optiviz.labs import train_network as lab
from optiviz.nn import MLP, landscape
from optiviz.nn.records import Comparison
from optiviz.nn.training import OptimizerSetting
from optiviz.ui.fair_share import QueueFull, TrainingQueue  # noqa: F401 (QueueFull: for the page)
from optiviz.ui.optimizer_race.cache import Hyper

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
    once (``optiviz.labs.train_network.comparison``): the runs are seed ``seed``'s, ``.seeds`` the curves
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
        result = lab.comparison(net, dataset(data), runs, seed=seed, seeds=seeds, progress=progress, **settings)
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
    """One optimizer's trained network and its twin with skip connections toggled: slices and path planes
    (optiviz.nn.landscape)."""
    return landscape.skip_landscapes(comparison(data, net, optimizers, options, seed)[label], dataset(data),
                                     n, span, seed)
