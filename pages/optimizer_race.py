"""Optimizer race: SGD, momentum, RMSProp and Adam on classic loss surfaces."""

import streamlit as st

from optiviz.core.descent import diverged_steps, paths_table
from optiviz.figures.optimizer_race import MAP_CONFIG, SIZE, race_map
from optiviz.core.optimizers import OPTIMIZERS
from optiviz.ui import charts
from optiviz.ui.optimizer_race import cache
from optiviz.ui.optimizer_race.controls import race_sidebar
from optiviz.ui.optimizer_race.views import rate_sensitivity, results_table, scrub, update_rules, view_3d

st.title("Optimizer race")
st.caption(
    "Lecture: *Optimizers* — gradient descent in a ravine, momentum, RMSProp, Adam. "
    "Pick a surface, tick optimizers and press **▶ Play** under the map."
)

settings = race_sidebar()
surface, runs, steps = settings.surface, settings.runs, settings.steps

# ---- the race -------------------------------------------------------------------------------
heading = st.container(horizontal=True, vertical_alignment="center", gap="medium")  # the formula wraps under on a phone
heading.subheader(surface.title, width="content")
heading.latex(surface.formula, width="content")
if not runs:
    st.caption(surface.caption)
    st.info("Tick at least one optimizer in the sidebar to start the race.")
    st.stop()

paths = cache.race(*settings.race())
for name, step in diverged_steps(paths).items():
    st.warning(f"**{OPTIMIZERS[name].label} diverged at step {step}**: its point left the map or its loss overflowed. "
               "Try a smaller learning rate.", icon=":material/warning:")

# The map at its own width (true angles), the words and numbers beside it; under it where the screen is narrow.
row = st.container(horizontal=True, gap="medium")
charts.show(race_map(surface, paths, steps, cache.surface_layers(surface.name)), "race_map",
            name="Optimizer paths on the loss contours, with each loss under the map",
            where=row, config=MAP_CONFIG, width=SIZE.width(surface))
with row.container(width="stretch"):
    st.caption(surface.caption)
    st.markdown(results_table(paths, surface.name), unsafe_allow_html=True)
    st.download_button("Download paths (CSV)", lambda: paths_table(paths).to_csv(index=False),
                       f"optiviz_{surface.name}_paths.csv", "text/csv", key="download", icon=":material/download:",
                       on_click="ignore")
    st.caption("Under the map, each loss against the step on a log axis; the dotted line is the step shown. "
               "A straight line means the loss shrinks by a constant factor each step; wiggles are oscillation "
               "across a valley. **▶ Play** traces the paths; **❚❚ Pause** and Play again go on from there.")

# Lazy tabs: only the open tab runs.
tabs = st.tabs(["Update rules", "3-D view", "Learning-rate sensitivity", "Scrub α and γ"], key="tab",
               bind="query-params", on_change="rerun")
views = (lambda: update_rules(settings), lambda: view_3d(settings, paths), lambda: rate_sensitivity(settings),
         lambda: scrub(settings))
for tab, show in zip(tabs, views):
    with tab:
        if tab.open:
            show()
