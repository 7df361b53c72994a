"""Optimizer race: SGD, momentum, RMSProp and Adam on classic loss surfaces."""

import pandas as pd
import streamlit as st

from optiviz.descent import diverged_steps, paths_table, summary
from optiviz.figures.palette import colour
from optiviz.figures.race import learning_rate_sweep, loss_curves, race_map, surface_3d
from optiviz.formulas import rules_table, schedule_rule, update_rule
from optiviz.optimizers import OPTIMIZERS
from optiviz.schedules import SCHEDULES
from optiviz.ui import cache
from optiviz.ui.controls import LEARNING_RATES
from optiviz.ui.race_controls import race_sidebar

SWEEP_RATES = LEARNING_RATES[::2]
TOLERANCE = 1e-3

st.title("Optimizer race")
st.caption(
    "Lecture: *Optimizers* — gradient descent in a ravine, momentum, RMSProp, Adam. "
    "Pick a surface, tick optimizers and press **▶ Play** under the map."
)

settings = race_sidebar()
surface, runs, steps, schedule, decay_rate = settings.surface, settings.runs, settings.steps, settings.schedule, settings.decay_rate

# ---- the race -------------------------------------------------------------------------------
st.subheader(surface.title)
st.latex(surface.formula)
st.caption(surface.caption)
if not runs:
    st.info("Tick at least one optimizer in the sidebar to start the race.")
    st.stop()

paths = cache.race(*settings.race())
for name, step in diverged_steps(paths).items():
    st.warning(f"**{OPTIMIZERS[name].label} diverged at step {step}**: its point left the map or its loss overflowed. "
               "Try a smaller learning rate.", icon=":material/warning:")

left, right = st.columns([3, 2])
with left:
    st.plotly_chart(race_map(surface, paths, steps, cache.surface_layers(surface.name)), key="race_map",
                    config={"displaylogo": False})
with right:
    st.plotly_chart(loss_curves(paths), key="loss_curves", config={"displaylogo": False})
    st.caption("Loss against step on a log axis: a straight line means the loss shrinks by a constant factor "
               "each step. Wiggles are oscillation across a valley.")

results = summary(paths, surface.name, tolerance=TOLERANCE)
reached = f"steps to loss < {TOLERANCE:g}"
table = pd.DataFrame(results | {  # as shown: labels, and words where a number is missing
    "optimizer": [OPTIMIZERS[n].label for n in results["optimizer"]],
    reached: ["not reached" if s != s else f"{int(s)}" for s in results[reached]],
    "diverged at step": ["—" if s != s else f"{int(s)}" for s in results["diverged at step"]],
})
st.dataframe(table, hide_index=True, column_config={
    "final loss": st.column_config.NumberColumn(format="%.3e"),
    "distance to minimum": st.column_config.NumberColumn(format="%.3g"),
})
st.download_button("Download paths (CSV)", lambda: paths_table(paths).to_csv(index=False), f"optiviz_{surface.name}_paths.csv",
                   "text/csv", key="download", icon=":material/download:")

def show_update_rules():
    st.caption("The exact rule each optimizer applies at every step, with the values set in the sidebar; "
               f"α_t comes from the schedule ({SCHEDULES[schedule][1]}) and all state starts at 0.")
    rules = [(OPTIMIZERS[name].label, colour(name), [schedule_rule(schedule, lr, decay_rate), *update_rule(name, dict(hyper))])
             for name, lr, hyper in runs]
    half = (len(rules) + 1) // 2
    for column, some in zip(st.columns(2), (rules[:half], rules[half:])):
        if some:
            column.latex(rules_table(some))
    if any(name == "rmsprop" for name, _, _ in runs):
        st.info("RMSProp's ε: the lecture writes α / √(ε + E[g²]), with ε inside the root; PyTorch, and this page, "
                "use α / (√E[g²] + ε), with ε outside. Both only keep the division finite where E[g²] ≈ 0.",
                icon=":material/info:")


def show_3d():
    st.caption("The same paths on the surface itself" + (" (height is log₁₀ loss)." if surface.log_levels else "."))
    st.plotly_chart(surface_3d(surface, paths), key="surface_3d", config={"displaylogo": False})


def show_sweep():
    st.caption(
        f"Each optimizer run from the same start for {steps} steps at {len(SWEEP_RATES)} learning rates in one vectorised "
        "sweep, with its other settings as in the sidebar. Dotted lines mark the α₀ you chose; × marks runs that diverged."
    )
    with st.spinner("Sweeping learning rates…"):
        sweep = cache.sweep(*settings.race(), SWEEP_RATES)
    st.plotly_chart(learning_rate_sweep(sweep, {n: lr for n, lr, _ in runs}), key="lr_sweep", config={"displaylogo": False})


# Lazy tabs: only the open tab runs.
tabs = st.tabs(["Update rules", "3-D view", "Learning-rate sensitivity"], key="tab", bind="query-params", on_change="rerun")
for tab, show in zip(tabs, (show_update_rules, show_3d, show_sweep)):
    with tab:
        if tab.open:
            show()
