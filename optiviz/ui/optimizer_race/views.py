"""What the optimizer race page shows under its map: the results table and the three tabs."""

from __future__ import annotations

import numpy as np
import streamlit as st

from optiviz.core.descent import Path, summary
from optiviz.figures.palette import colour
from optiviz.figures.optimizer_race import learning_rate_sweep, surface_3d
from optiviz.figures.scrub import MAX_STEPS as SCRUB_STEPS, SCRUB_SIZE, scrub_map
from optiviz.core.formulas import rules_table, schedule_rule, update_rule
from optiviz.core.optimizers import OPTIMIZERS
from optiviz.core.schedules import SCHEDULES
from optiviz.labs.optimizer_race import SWEEP_RATES
from optiviz.ui import charts
from optiviz.ui.optimizer_race import cache
from optiviz.ui.controls import LEARNING_RATES
from optiviz.ui.optimizer_race.controls import RaceSettings

TOLERANCE = 1e-3


def _short(value: float) -> str:
    """A number in at most 7 characters: 0.754, 1.61e−4 (— where missing)."""
    if value != value:
        return "—"
    if value == 0 or 0.01 <= abs(value) < 1000:
        return f"{value:.3g}"
    mantissa, exponent = f"{value:.2e}".split("e")
    return f"{mantissa}e{int(exponent)}".replace("-", "−")  # the minus sign: no line break after it


def results_table(paths: list[Path], surface: str) -> str:
    """``descent.summary`` as a Markdown table, each optimizer in its colour, words where a number is missing;
    the column "diverged at step" only when a run diverged. Short numbers: it fits in the column beside the map."""
    results = summary(paths, surface, tolerance=TOLERANCE)
    gone = any(d == d for d in results["diverged at step"])
    reached = "steps to loss < 10⁻³" if TOLERANCE == 1e-3 else f"steps to loss < {TOLERANCE:g}"
    lines = [f"| optimizer | final loss | distance to min. | {reached} |" + (" diverged at step |" if gone else ""),
             "|:--|--:|--:|--:|" + ("--:|" if gone else "")]
    for name, loss, distance, steps, diverged in zip(*results.values()):
        lines.append(
            f"| <span style='color:{colour(name)}'>●</span>&nbsp;**{OPTIMIZERS[name].label}** "
            f"| {_short(loss)} | {_short(distance)} "
            f"| {'not reached' if steps != steps else int(steps)} |"
            + (f" {'—' if diverged != diverged else int(diverged)} |" if gone else "")
        )
    table = "\n".join(lines)
    return f"<div style='font-size: 0.875rem'>\n\n{table}\n\n</div>"  # a little smaller: no header wraps word by word


RMSPROP_EPS_NOTE = ("RMSProp's ε: the lecture writes α / √(ε + E[g²]), with ε inside the root; PyTorch, and this page, "
                    "use α / (√E[g²] + ε), with ε outside. Both only keep the division finite where E[g²] ≈ 0.")


def update_rules(settings: RaceSettings) -> None:
    """Each optimizer's update rule with the sidebar's values, in two columns."""
    st.caption("The exact rule each optimizer applies at every step, with the values set in the sidebar; "
               f"α_t comes from the schedule ({SCHEDULES[settings.schedule][1]}) and all state starts at 0.")
    rules = [(OPTIMIZERS[name].label, colour(name),
              [schedule_rule(settings.schedule, lr, settings.decay_rate), *update_rule(name, dict(hyper))])
             for name, lr, hyper in settings.runs]
    half = (len(rules) + 1) // 2
    for column, some in zip(st.columns(2), (rules[:half], rules[half:])):
        if some:
            column.latex(rules_table(some))
    if any(name == "rmsprop" for name, _, _ in settings.runs):
        st.info(RMSPROP_EPS_NOTE, icon=":material/info:")


def view_3d(settings: RaceSettings, paths: list[Path]) -> None:
    """The paths on the surface itself."""
    surface = settings.surface
    st.caption("The same paths on the surface itself" + (" (height is log₁₀ loss)." if surface.log_levels else "."))
    charts.show(surface_3d(surface, paths), "surface_3d", name="Optimizer paths on the 3-D loss surface")


def rate_sensitivity(settings: RaceSettings) -> None:
    """Final loss against α₀ for each optimizer, from one vectorised sweep each."""
    st.caption(
        f"Each optimizer run from the same start for {settings.steps} steps at {len(SWEEP_RATES)} learning rates "
        "in one vectorised sweep, with its other settings as in the sidebar. Dotted lines mark the α₀ you chose; "
        "× marks runs that diverged."
    )
    with st.spinner("Sweeping learning rates…"):
        sweep = cache.sweep(*settings.race(), SWEEP_RATES)
    charts.show(learning_rate_sweep(sweep, {n: lr for n, lr, _ in settings.runs}), "lr_sweep",
                name="Final loss against the learning rate for each optimizer")


SCRUB_MOMENTA = (0.0, 0.5, 0.9)  # γ = 0 is plain gradient descent


def scrub_rates(surface_rate: float) -> tuple[float, ...]:
    """The α grid a scrub sweeps: the sidebar's options from 1/30 of the surface's α for momentum to 4× it."""
    return tuple(lr for lr in LEARNING_RATES if surface_rate / 30 <= lr <= 4 * surface_rate)


def scrub(settings: RaceSettings) -> None:
    """Distill's momentum figure: a slider over α that redraws in the browser, every γ's path at each α."""
    surface = settings.surface
    rates = scrub_rates(surface.learning_rates["momentum"])
    steps = min(settings.steps, SCRUB_STEPS)
    st.caption(
        f"Gradient descent with momentum from the race's start, {steps} steps, at {len(rates)} learning rates α and "
        f"γ = {', '.join(f'{g:g}' for g in SCRUB_MOMENTA)}, all computed at once: **drag the α slider** under the map "
        "and the paths redraw in your browser, with no wait. Too small an α creeps; too large an α zig-zags across "
        "the valley, then leaves the map (the path stops where it diverged). At the same α, momentum goes further "
        "along the valley. The buttons show every γ or one; the schedule and noise are the sidebar's."
    )
    traj = cache.grid_paths(surface.name, "momentum", rates, settings.start, steps, settings.schedule,
                            settings.decay_rate, settings.noise, settings.seed, (("momentum", SCRUB_MOMENTA),))
    base = surface.learning_rates["momentum"]
    active = min(range(len(rates)), key=lambda a: abs(np.log(rates[a] / base)))
    charts.show(scrub_map(surface, traj, rates, SCRUB_MOMENTA, cache.surface_layers(surface.name), active), "scrub",
                name="Paths of gradient descent with momentum at the learning rate the slider picks",
                width=SCRUB_SIZE.width(surface))
