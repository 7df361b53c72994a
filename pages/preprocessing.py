"""Data preprocessing: zero-centre, normalise, whiten; the loss surface each gives; Figure 5's sensitivity."""

import pandas as pd
import streamlit as st

from optiviz.core.datasets import PREPROCESSINGS
from optiviz.figures.preprocessing import (TRANSFORM_TITLES, data_panels, excess_curves, loss_panels,
                                           rate_sweep_curves, sensitivity_clouds, sensitivity_curves)
from optiviz.core.linear_models import MODELS
from optiviz.core.optimizers import OPTIMIZERS
from optiviz.labs.preprocessing import TOLERANCE, best_rates, easier_in_order, own_best_rates
from optiviz.ui import charts
from optiviz.ui import preprocessing as cache
from optiviz.ui.controls import LEARNING_RATES, hyperparameter_slider, snap, whole_number

PAGE_MAX_SAMPLES, PAGE_MAX_STEPS = 500, 500
SCALES = (0.25, 0.5, 1.0, 2.0, 4.0)
SIZES = tuple(round(0.01 * k, 2) for k in range(1, 31))
QP = "query-params"
ALPHA_MODES = {"best": "each its own best α", "shared": "the same α for all"}


def steps_text(value, missing: str) -> str:
    return missing if pd.isna(value) else f"{int(value)}"


def surfaces_caption(label: str, alpha: str, lr: float, steps: int, summary: pd.DataFrame, missing: list[str]) -> str:
    """What the four surfaces compare, and the steps each run took, as the table gives them."""
    titles = [TRANSFORM_TITLES[n] for n in summary["preprocessing"]]
    taken = [steps_text(s, "not converged") for s in summary["steps to converge"]]
    if alpha == "best":
        what = (f"{label} for {steps} steps from the same w₀ on each surface, each at its own best α (the fairest "
                "comparison: the best each surface allows): " +
                ", ".join(f"{t} α = {a:g}" for t, a in zip(titles, summary["learning rate"])) + ". ")
        if missing:
            what += f"No α of the sweep converged for {', '.join(missing)}: shown at α = {lr:g}. "
    else:
        what = f"{label} with α = {lr:g} for {steps} steps from the same w₀ on each surface. "
    counts = "Steps to converge: " + ", ".join(f"{t} {n}" for t, n in zip(titles, taken)) + ". "
    if easier_in_order(summary):
        counts += "As κ falls, so do the steps: raw data are the slowest, whitened the fastest. "
    return (what + counts + "Data far from the origin or with correlated features make a narrow “ravine” (a large "
            "condition number κ = λ_max/λ_min of XᵀX/N) where gradient descent zig-zags, or diverges unless α is "
            "small; whitened data make round contours (κ = 1) where it walks straight in. Contour lines: 2.5 per "
            "decade of L − L*.")


def curve_names(summary: pd.DataFrame) -> dict[str, str]:
    """Legend entries: each preprocessing with its α and its steps to converge."""
    return {n: f"{TRANSFORM_TITLES[n]}, α = {a:g}: {steps_text(s, 'not converged')}" +
            ("" if pd.isna(s) else " step" if s == 1 else " steps")
            for n, a, s in zip(summary["preprocessing"], summary["learning rate"], summary["steps to converge"])}


def download(label: str, frame: pd.DataFrame, filename: str, key: str):
    st.download_button(label, lambda: frame.to_csv(index=False), filename, "text/csv", key=key,
                       icon=":material/download:", on_click="ignore")


st.title("Data preprocessing")
st.caption("Lecture: *Data pre-processing* — “You can make the loss surface much nicer by pre-processing: remove the "
           "mean (zero-centre), normalise (divide by the standard deviation), or decorrelate (whiten).” "
           "Move the data cloud in the sidebar and watch the four loss surfaces change.")

# ---- controls -------------------------------------------------------------------------------------
with st.sidebar:
    st.header("Data")
    model = st.radio("Model (two weights, no bias)", list(MODELS), format_func=lambda m: MODELS[m], key="pp_model",
                     bind=QP,
                     help="Linear: ŷ = x·w with squared error. Logistic: p = σ(x·w) with cross-entropy, two classes.")
    c1, c2 = st.columns(2)
    cx = c1.slider("centre x₁", -8.0, 8.0, 1.0, 0.5, key="pp_centre_x", bind=QP,
                   help="Where the cloud sits: far from the origin or near it.")
    cy = c2.slider("centre x₂", -8.0, 8.0, 4.0, 0.5, key="pp_centre_y", bind=QP)
    correlation = st.slider("correlation ρ of x₁ and x₂", -0.95, 0.95, 0.6, 0.05, key="pp_correlation", bind=QP,
                            help="Correlated features stretch the cloud along a diagonal.")
    scale = st.select_slider("spread of x₂ (std σ₂; σ₁ = 1)", SCALES, 2.0, key="pp_scale", bind=QP,
                             help="As if x₂ were measured in other units: normalising undoes it.")
    samples = st.slider("samples N", 20, PAGE_MAX_SAMPLES, 200, 10, key="pp_samples", bind=QP,
                        help=f"At most {PAGE_MAX_SAMPLES} here.")
    seed = whole_number("seed", 0, 10_000, 0, "pp_seed", help="Draws the cloud and the targets' noise.")

    st.header("Optimizer")
    optimizer = st.selectbox("optimizer", list(OPTIMIZERS), format_func=lambda n: OPTIMIZERS[n].label,
                             key="pp_optimizer", bind=QP,
                             help="Full batch: every step uses the gradient on all N points.")
    alpha = st.radio("learning rate α", list(ALPHA_MODES), format_func=ALPHA_MODES.get, key="pp_alpha", bind=QP,
                     help="Each its own best α: the one of the sweep (bottom right) that converges in the fewest steps "
                          "on that surface, the fairest comparison. The same α: the slider below for all four.")
    default_lr = OPTIMIZERS[optimizer].learning_rate(f"preprocessing_{model}")  # the registry's α for this model
    lr = st.select_slider("the same α for all", LEARNING_RATES, snap(default_lr, LEARNING_RATES),
                          format_func=lambda v: f"{v:g}", key=f"pp_lr_{model}_{optimizer}", bind=QP,
                          disabled=alpha != "shared", help="One α for all four preprocessings (log scale).")
    hyper = ()
    if OPTIMIZERS[optimizer].hyperparameters:
        with st.expander(f"{OPTIMIZERS[optimizer].label} settings"):
            hyper = tuple((h.name, hyperparameter_slider(h, f"pp_{optimizer}_{h.name}"))
                          for h in OPTIMIZERS[optimizer].hyperparameters)
    steps = st.slider("steps", 10, PAGE_MAX_STEPS, 100, 10, key="pp_steps", bind=QP,
                      help=f"At most {PAGE_MAX_STEPS} here.")
    s1, s2 = st.columns(2)
    w1 = s1.slider("start w₁", -5.0, 5.0, -2.0, 0.5, key="pp_start_w1", bind=QP,
                   help="The same start w₀ on every surface.")
    w2 = s2.slider("start w₂", -5.0, 5.0, 2.0, 0.5, key="pp_start_w2", bind=QP)

data = (model, int(samples), seed, (float(cx), float(cy)), float(correlation), float(scale))
run = (optimizer, float(lr), int(steps), (float(w1), float(w2)), hyper)
sweep = cache.rate_sweep(data, run)
best = best_rates(sweep)
missing = [TRANSFORM_TITLES[n] for n, a in zip(best["preprocessing"], best["learning rate"]) if pd.isna(a)]
if alpha == "best":  # each at its own best α; where none of the sweep's α converged, the slider's α
    run = (optimizer, own_best_rates(sweep, float(lr)), *run[2:])
result = cache.comparison(data, run)

# ---- Figures 6-7: the data ----------------------------------------------------------------------------
st.subheader("The data after each preprocessing (Figures 6–7)")
for col, name in zip(st.columns(4), PREPROCESSINGS):
    col.latex(PREPROCESSINGS[name].formula.split(r",\ ")[0])
charts.show(data_panels(result.problems), "pp_data", name="The data, raw and after each transform")
st.caption("Zero-centring moves the cloud onto the origin; normalising gives each feature unit variance; whitening "
           "also removes the correlation, leaving a round cloud with Σ = I. The dashed ellipse spans two standard "
           "deviations of the data in every direction.")
download("Download the four clouds (CSV)", result.data(), "optiviz_preprocessing_data.csv", "pp_download_data")

# ---- the loss surfaces ------------------------------------------------------------------------------
st.subheader("The loss surface of each, and the same optimizer on it")
st.latex(r"L(w) = \tfrac{1}{2N}\sum_i (x_i \cdot w - y_i)^2,\qquad "
         r"\nabla^2 L = \tfrac{1}{N} X^\top X = \Sigma + \mu\mu^\top"
         if model == "linear" else
         r"L(w) = \tfrac{1}{N}\sum_i \left[\log(1 + e^{x_i \cdot w}) - y_i\, x_i \cdot w\right],\qquad "
         r"\nabla^2 L = \tfrac{1}{N}\sum_i p_i (1 - p_i)\, x_i x_i^\top")
charts.show(loss_panels(result), "pp_surfaces", name="Loss contours on raw and transformed data")
summary = result.summary()
st.caption(surfaces_caption(OPTIMIZERS[optimizer].label, alpha, lr, steps, summary, missing))
for name, step, rate in zip(summary["preprocessing"], summary["diverged at step"], summary["learning rate"]):
    if pd.notna(step):
        st.warning(f"**{TRANSFORM_TITLES[name]}** diverged at step {step}: the learning rate α = {rate:g} is too large "
                   "for its steepest direction. Try a smaller α.", icon=":material/warning:")
if model == "logistic":
    st.info("Without a bias, the logistic model's line must pass through the origin: after zero-centring that is the "
            "cloud's centre. The minimum losses L* therefore differ; compare L − L*.", icon=":material/info:")

table = summary.copy()
table.insert(0, "preprocessing", table.pop("preprocessing").map(TRANSFORM_TITLES))
table["steps to converge"] = table["steps to converge"].map(lambda s: steps_text(s, "not within the steps"))
table["diverged at step"] = table["diverged at step"].map(lambda s: steps_text(s, "—"))
if alpha == "shared":
    table["best α"] = best["learning rate"].to_numpy()
    table["steps at the best α"] = best["steps to converge"].map(lambda s: steps_text(s, "none converged")).to_numpy()
st.dataframe(table, hide_index=True, column_config={
    "learning rate": st.column_config.NumberColumn("α", format="%g"),
    "condition number": st.column_config.NumberColumn("κ(XᵀX/N)", format="%.3g"),
    "minimum loss": st.column_config.NumberColumn("L*", format="%.4g"),
    "final loss": st.column_config.NumberColumn("final L", format="%.4g"),
    "final loss − minimum": st.column_config.NumberColumn("final L − L*", format="%.2e"),
    "steps to converge": st.column_config.TextColumn("steps to converge"),
    "best α": st.column_config.NumberColumn(format="%g"),
})
st.caption(f"Converged: the first step where L − L* has fallen below {TOLERANCE:g} of its value at the start. " +
           ("Each preprocessing runs at its own best α, the largest its steepest direction allows: then the steps "
            "follow κ." if alpha == "best" else
            "With one α for all, what matters is whether α suits each surface's steepest direction. The last two "
            "columns give each preprocessing its own best α (from the sweep on the right), as the default view does."))
paths = result.paths()
left, right = st.columns(2)
with left:
    charts.show(excess_curves(paths, curve_names(summary)), "pp_curves",
                name="Loss against steps on raw and transformed data")
    st.caption("How far each run is above its minimum, step by step, on a log axis: a straight line is a constant "
               "factor per step, and the steeper the better. The legend gives each run's α and its steps to converge.")
    c1, c2 = st.columns(2)
    with c1:
        download("Paths (CSV)", paths, "optiviz_preprocessing_paths.csv", "pp_download_paths")
    with c2:
        download("Loss surfaces (CSV)", result.surfaces(), "optiviz_preprocessing_surfaces.csv", "pp_download_surfaces")
with right:
    picked = dict(zip(summary["preprocessing"], summary["learning rate"])) if alpha == "best" else None
    charts.show(rate_sweep_curves(sweep, None if picked else lr, steps, picked), "pp_sweep",
                name="Final loss against the learning rate for each transform")
    st.caption(f"Steps to converge for each preprocessing at {sweep['learning rate'].nunique()} learning rates, "
               f"{steps} steps each (" + ("ringed: the α each run above uses" if picked else "dotted: your α") +
               "; × on top: diverged; gaps: not converged in time). The raw data's range of working α is narrow and "
               "small; whitening widens it, and at its best α the whitened run needs the fewest steps.")
    download("Steps against α (CSV)", sweep, "optiviz_preprocessing_rate_sweep.csv", "pp_download_sweep")

# ---- Figure 5 ---------------------------------------------------------------------------------------------
st.subheader("Figure 5: far from the origin, a small weight change moves the classifier more")
st.caption("The lecture asks: for a binary classification of a data cloud far from the origin vs one close to it, in "
           "which case does the loss react more to a small change in the weights? Here a round cloud of N points "
           "gets a classifier p = σ(w·x + b) fitted at the origin; the far cloud is the same cloud moved along its "
           "decision line, with the same classifier moved along (b = −w·μ). Both then get the same small change Δw "
           "of the weights.")
c1, c2 = st.columns(2)
distance = c1.slider("distance |μ| of the far cloud from the origin", 1.0, 12.0, 6.0, 0.5, key="pp_distance", bind=QP,
                     help="In units of the cloud's standard deviation.")
size = c2.select_slider("weight change |Δw| / |w|", SIZES, 0.1, key="pp_size", bind=QP,
                        format_func=lambda v: f"{v:.0%}")
sens = cache.sensitivity(int(samples), seed, float(distance))
charts.show(sensitivity_clouds(sens, size), "pp_fig5", name="A small weight change flips points far from the origin")
st.caption(f"Solid: the line w·x + b = 0 before; dashed: after the change Δw (here along μ, a small turn of the line "
           f"about the origin). At the far cloud, {distance:g} away, the line shifts by about |Δw|·|μ|/|w|, so many "
           "more points (ringed) change class there than near the origin.")
charts.show(sensitivity_curves(sens, size), "pp_fig5_curves",
            name="Share of points flipped against the distance from the origin")
st.caption("Averaged over every direction of Δw: the far cloud's predictions and loss react more to the same small "
           "change of the weights, which makes its loss surface steep and narrow. Zero-centring brings every cloud to "
           "the origin.")
c1, c2 = st.columns(2)
with c1:
    download("Figure 5 points (CSV)", sens.points(size), "optiviz_preprocessing_figure5_points.csv", "pp_download_fig5")
with c2:
    download("Sensitivity curves (CSV)", sens.table(), "optiviz_preprocessing_sensitivity.csv", "pp_download_sens")
st.caption("The lecture adds: whitening is not applied to image data; there we subtract the mean image or the "
           "per-colour mean.")
