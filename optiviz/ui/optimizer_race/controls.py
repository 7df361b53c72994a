"""The optimizer race's sidebar: every control, bound to the URL, read into one RaceSettings."""

from __future__ import annotations

from typing import NamedTuple

import streamlit as st

from optiviz.core.optimizers import LECTURE_OPTIMIZERS, OPTIMIZERS, Hyperparameter
from optiviz.core.schedules import SCHEDULES
from optiviz.core.surfaces import SURFACES, Surface
from optiviz.ui.optimizer_race.cache import Run
from optiviz.labs.optimizer_race import STEPS
from optiviz.ui.controls import (DECAY_RATES, EPSILONS, LEARNING_RATES, hyperparameter_slider, log_slider, snap,
                                 whole_number)

PAGE_MAX_STEPS = 1000


class RaceSettings(NamedTuple):
    """What the sidebar asks for: the surface, the start, and each optimizer's (name, α₀, hyperparameters)."""

    surface: Surface
    start: tuple[float, float]
    steps: int
    runs: tuple[Run, ...]
    schedule: str
    decay_rate: float
    noise: float
    seed: int

    def race(self) -> tuple:
        """The arguments of ``cache.race`` (and, with the rates, ``cache.sweep``)."""
        return (self.surface.name, self.runs, self.start, self.steps, self.schedule, self.decay_rate, self.noise,
                self.seed)


def _start(surface: Surface) -> tuple[float, float]:
    """A preset start point, or one typed in within the view."""
    presets = dict(surface.starts)
    label = st.selectbox("Start point", [*presets, "custom…"], key=f"start_{surface.name}", bind="query-params")
    if label != "custom…":
        return presets[label]
    (x0, x1), (y0, y1) = surface.bounds
    default = surface.starts[0][1]
    c1, c2 = st.columns(2)
    sx = c1.number_input("x₀", x0, x1, default[0], 0.1, key=f"sx_{surface.name}", bind="query-params")
    sy = c2.number_input("y₀", y0, y1, default[1], 0.1, key=f"sy_{surface.name}", bind="query-params")
    return float(sx), float(sy)


def _here(h: Hyperparameter, surface: Surface, optimizer: str) -> Hyperparameter:
    """``h`` with the default this surface races ``optimizer`` with (momentum's γ = 0.5 on the ravine)."""
    return h._replace(default=surface.defaults(optimizer).get(h.name, h.default))


def _runs(surface: Surface) -> tuple[Run, ...]:
    """The ticked optimizers, each with its α₀ (its own, or one shared) and hyperparameters."""
    chosen = st.multiselect(
        "Optimizers", list(OPTIMIZERS), default=list(LECTURE_OPTIMIZERS), format_func=lambda n: OPTIMIZERS[n].label,
        key="optimizers", bind="query-params", help="Nesterov and Adagrad are extras from Radford's animations.",
    )
    same_lr = st.toggle("Same learning rate for all", key="same_lr", bind="query-params",
                        help="Race every optimizer with one α₀.")
    if same_lr:
        shared_lr = log_slider("learning rate α₀ (all)", LEARNING_RATES, surface.learning_rates["adam"],
                               f"lr_{surface.name}_all")
    rates = {name: shared_lr if same_lr else log_slider(f"{OPTIMIZERS[name].label} · learning rate α₀", LEARNING_RATES,
                                                         surface.learning_rates[name], f"lr_{surface.name}_{name}")
             for name in chosen}
    tuned = [name for name in chosen if OPTIMIZERS[name].hyperparameters]
    hyper = {}
    if tuned:
        with st.expander(":material/tune: Other hyperparameters: γ, β₁, β₂, ε", expanded=False):
            hyper = {name: tuple((h.name, hyperparameter_slider(_here(h, surface, name),
                                                                f"{surface.name}_{name}_{h.name}",
                                                                f"{OPTIMIZERS[name].label} · "))
                                 for h in OPTIMIZERS[name].hyperparameters) for name in tuned}
    return tuple((name, rates[name], hyper.get(name, ())) for name in chosen)


def race_sidebar() -> RaceSettings:
    """Draw the sidebar and read it."""
    with st.sidebar:
        st.header("Surface")
        surface = SURFACES[st.selectbox("Loss surface", list(SURFACES), format_func=lambda n: SURFACES[n].title,
                                        key="surface", bind="query-params")]
        start = _start(surface)
        steps = st.slider("Steps", 10, PAGE_MAX_STEPS, STEPS, 10, key="steps", bind="query-params",
                          help=f"At most {PAGE_MAX_STEPS} steps per run.")
        st.header("Optimizers")
        runs = _runs(surface)
        st.header("Schedule and noise")
        schedule = st.selectbox("Learning-rate schedule", list(SCHEDULES), format_func=lambda s: SCHEDULES[s][1],
                                key="schedule", bind="query-params")
        decay_rate = 0.0
        if schedule != "constant":
            decay_rate = log_slider("decay rate k", DECAY_RATES, 0.01, "decay_rate",
                                    "How fast α_t shrinks with the step t.")
        st.latex(SCHEDULES[schedule][0])
        if schedule != "constant" and any(name in ("momentum", "nesterov") for name, _, _ in runs):
            st.caption("Momentum and Nesterov keep α_t inside the velocity, v ← γv − α_t g, as the lecture writes "
                       "it. PyTorch's SGD with a scheduler multiplies the whole velocity by α_t instead, so its "
                       "paths differ from these unless α is constant.")
        noise = st.slider("Gradient noise σ", 0.0, 2.0, 0.0, 0.05, key="noise", bind="query-params",
                          help="Each step sees g̃ = ∇f + σε with ε ~ N(0, I): a stand-in for mini-batch gradients. "
                          "Above 0, a seed below picks the draws.")
        seed = whole_number("Noise seed", 0, 2**31 - 1, 0, "seed") if noise else 0  # kept while hidden (bound)
    return RaceSettings(surface, start, steps, runs, schedule, decay_rate, noise, seed)


def default_settings(surface: str = "beale") -> RaceSettings:
    """What ``race_sidebar`` reads from untouched controls on ``surface`` (a link's first view): the start-up
    warm-up computes it before anyone asks."""
    s = SURFACES[surface]
    runs = tuple((name, snap(s.learning_rates[name], LEARNING_RATES),
                  tuple((h.name, snap(h.default, EPSILONS) if h.name == "eps" else _here(h, s, name).default)
                        for h in OPTIMIZERS[name].hyperparameters))
                 for name in LECTURE_OPTIMIZERS)
    return RaceSettings(s, s.starts[0][1], STEPS, runs, "constant", 0.0, 0.0, 0)
