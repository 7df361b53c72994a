"""Optimizer race: SGD, momentum, RMSProp and Adam on classic loss surfaces."""

import streamlit as st

from optiviz.descent import diverged_steps, paths_table, summarize
from optiviz.figures.palette import colour
from optiviz.figures.race import learning_rate_sweep, loss_curves, race_map, surface_3d
from optiviz.formulas import schedule_rule, update_rule
from optiviz.optimizers import LECTURE_OPTIMIZERS, OPTIMIZERS
from optiviz.schedules import SCHEDULES
from optiviz.surfaces import SURFACES
from optiviz.ui import cache
from optiviz.ui.controls import DECAY_RATES, LEARNING_RATES, hyperparameter_slider, log_slider

PAGE_MAX_STEPS = 1000
SWEEP_RATES = LEARNING_RATES[::2]
TOLERANCE = 1e-3

st.title("Optimizer race")
st.caption(
    "Lecture: *Optimizers* — gradient descent in a ravine, momentum, RMSProp, Adam. "
    "Pick a surface, tick optimizers and press **▶ Play** under the map."
)

# ---- controls -------------------------------------------------------------------------------
with st.sidebar:
    st.header("Surface")
    surface_name = st.selectbox("Loss surface", list(SURFACES), format_func=lambda n: SURFACES[n].title, key="surface", bind="query-params")
    surface = SURFACES[surface_name]
    presets = dict(surface.starts)
    start_label = st.selectbox("Start point", [*presets, "custom…"], key=f"start_{surface_name}", bind="query-params")
    if start_label == "custom…":
        (x0, x1), (y0, y1) = surface.bounds
        default = surface.starts[0][1]
        c1, c2 = st.columns(2)
        sx = c1.number_input("x₀", x0, x1, default[0], 0.1, key=f"sx_{surface_name}", bind="query-params")
        sy = c2.number_input("y₀", y0, y1, default[1], 0.1, key=f"sy_{surface_name}", bind="query-params")
        start = (float(sx), float(sy))
    else:
        start = presets[start_label]
    steps = st.slider("Steps", 10, PAGE_MAX_STEPS, 200, 10, key="steps", bind="query-params", help=f"At most {PAGE_MAX_STEPS} steps per run.")

    st.header("Optimizers")
    chosen = st.multiselect(
        "Optimizers", list(OPTIMIZERS), default=list(LECTURE_OPTIMIZERS), format_func=lambda n: OPTIMIZERS[n].label,
        key="optimizers", bind="query-params", help="Nesterov and Adagrad are extras from Radford's animations.",
    )
    same_lr = st.toggle("Same learning rate for all", key="same_lr", bind="query-params", help="Race every optimizer with one α₀.")
    if same_lr:
        shared_lr = log_slider("learning rate α₀", LEARNING_RATES, surface.learning_rates["adam"], f"lr_{surface_name}_all")
    runs = []
    for name in chosen:
        spec = OPTIMIZERS[name]
        with st.expander(f":material/tune: {spec.label}", expanded=False):
            if same_lr:
                lr = shared_lr
                st.caption(f"α₀ = {lr:g} (shared)")
            else:
                lr = log_slider("learning rate α₀", LEARNING_RATES, surface.learning_rates[name], f"lr_{surface_name}_{name}")
            hyper = tuple((h.name, hyperparameter_slider(h, f"{name}_{h.name}")) for h in spec.hyperparameters)
        runs.append((name, lr, hyper))
    runs = tuple(runs)

    st.header("Schedule and noise")
    schedule = st.selectbox("Learning-rate schedule", list(SCHEDULES), format_func=lambda s: SCHEDULES[s][1], key="schedule", bind="query-params")
    decay_rate = 0.0
    if schedule != "constant":
        decay_rate = log_slider("decay rate k", DECAY_RATES, 0.01, "decay_rate", "How fast α_t shrinks with the step t.")
    st.latex(SCHEDULES[schedule][0])
    noise = st.slider("Gradient noise σ", 0.0, 2.0, 0.0, 0.05, key="noise", bind="query-params",
                      help="Each step sees g̃ = ∇f + σε with ε ~ N(0, I): a stand-in for mini-batch gradients.")
    seed = st.number_input("Noise seed", 0, 2**31 - 1, 0, key="seed", bind="query-params", disabled=noise == 0)

# ---- the race -------------------------------------------------------------------------------
st.subheader(surface.title)
st.latex(surface.formula)
st.caption(surface.caption)
if not runs:
    st.info("Tick at least one optimizer in the sidebar to start the race.")
    st.stop()

args = (surface_name, runs, start, steps, schedule, decay_rate, noise, int(seed))
paths = cache.race(*args)
for name, step in diverged_steps(paths).items():
    st.warning(f"**{OPTIMIZERS[name].label} diverged at step {step}**: its point left the map or its loss overflowed. "
               "Try a smaller learning rate.", icon=":material/warning:")

left, right = st.columns([3, 2])
with left:
    st.plotly_chart(race_map(surface, paths, steps, cache.surface_layers(surface_name)), key="race_map",
                    config={"displaylogo": False})
with right:
    st.plotly_chart(loss_curves(paths), key="loss_curves", config={"displaylogo": False})
    st.caption("Loss against step on a log axis: a straight line means the loss shrinks by a constant factor "
               "each step. Wiggles are oscillation across a valley.")

table = summarize(paths, surface_name, tolerance=TOLERANCE)
reached = f"steps to loss < {TOLERANCE:g}"
table = table.assign(**{  # one copy with plain lists: Series.map per column costs twice as much
    "optimizer": [OPTIMIZERS[n].label for n in table["optimizer"]],
    reached: ["not reached" if s is None or s != s else f"{int(s)}" for s in table[reached]],
    "diverged at step": ["—" if s is None or s != s else f"{int(s)}" for s in table["diverged at step"]],
})
st.dataframe(table, hide_index=True, column_config={
    "final loss": st.column_config.NumberColumn(format="%.3e"),
    "distance to minimum": st.column_config.NumberColumn(format="%.3g"),
})
st.download_button("Download paths (CSV)", lambda: paths_table(paths).to_csv(index=False), f"optiviz_{surface_name}_paths.csv",
                   "text/csv", key="download", icon=":material/download:")

def show_update_rules():
    st.caption("The exact rule each optimizer applies at every step, with the values set in the sidebar; "
               f"α_t comes from the schedule ({SCHEDULES[schedule][1]}) and all state starts at 0.")
    cols = st.columns(2)
    for i, (name, lr, hyper) in enumerate(runs):
        with cols[i % 2].container(border=True):
            st.markdown(f"<span style='color:{colour(name)};font-weight:700'>● {OPTIMIZERS[name].label}</span>",
                        unsafe_allow_html=True)
            lines = [schedule_rule(schedule, lr, decay_rate), *update_rule(name, dict(hyper))]
            st.latex(r"\begin{gathered}" + r" \\[2pt] ".join(lines) + r"\end{gathered}")
    if "rmsprop" in chosen:
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
        sweep = cache.sweep(*args, SWEEP_RATES)
    st.plotly_chart(learning_rate_sweep(sweep, {n: lr for n, lr, _ in runs}), key="lr_sweep", config={"displaylogo": False})


# Lazy tabs: only the open tab runs.
tabs = st.tabs(["Update rules", "3-D view", "Learning-rate sensitivity"], key="tab", bind="query-params", on_change="rerun")
for tab, show in zip(tabs, (show_update_rules, show_3d, show_sweep)):
    with tab:
        if tab.open:
            show()
