"""Batch size: full-batch gradient descent, mini-batch gradient descent and SGD on a two-weight model."""

import numpy as np
import streamlit as st

from optiviz.figures.batch_size import RUN_COLOURS, X_AXES, axis_word, loss_curves, weight_map
from optiviz.labs.batch_size import diverged as blown_up
from optiviz.labs.batch_size import max_epochs
from optiviz.core.optimizers import OPTIMIZERS
from optiviz.ui import charts
from optiviz.ui import batch_size as cache
from optiviz.ui.controls import LEARNING_RATES, log_slider

BATCH_SIZES = (2, 4, 5, 8, 10, 16, 20, 25, 32, 50, 64, 100, 128, 200, 256, 500)
PAGE_MAX_STEPS = 10_000  # SGD's steps (epochs × N) in one rerun

st.title("Batch size")
st.caption("Lecture: *Standard (“batch”) gradient descent*, *Stochastic gradient descent*, *Mini-batch gradient "
           "descent*, *Comparison: batch size* (Figure 10) and *Gradient descent terminology*. Move the batch-size "
           "slider in the sidebar and watch the teal path.")

# ---- controls ---------------------------------------------------------------------------------------
with st.sidebar:
    data = cache.data_controls("bs")

    st.header("Mini-batches")
    batch = st.select_slider("Mini-batch size B", BATCH_SIZES, 10, key="bs_batch", bind="query-params",
                             help="The teal run. Full batch (B = N) and SGD (B = 1) always run beside it.")
    shuffle, shuffle_seed = cache.shuffle_controls("bs")

    st.header("Optimizer")
    optimizer, hyper = cache.optimizer_controls("bs")
    lr = log_slider("Learning rate α", LEARNING_RATES, 0.1, "bs_lr", "The same α for all three runs.")
    epochs = st.slider("Epochs", 1, 100, 20, key="bs_epochs", bind="query-params",
                       help=f"An epoch is N/B steps; SGD's N steps per epoch are capped at {PAGE_MAX_STEPS} in all.")

# ---- checks that need several controls --------------------------------------------------------------
data, w_star, loss_star = cache.usable(data)
samples = data[1]
if batch >= samples:
    batch = max(2, samples // 2)
    st.info(f"**Mini-batch size**: a mini-batch must be smaller than the N = {samples} samples; using B = {batch}.",
            icon=":material/info:")
cap = min(max_epochs(samples, 1), PAGE_MAX_STEPS // samples)
if epochs > cap:
    st.info(f"**Epochs**: SGD takes N = {samples} steps per epoch, so {cap} epochs is the most this shared server "
            f"runs at once; showing {cap}.", icon=":material/speed:")
    epochs = cap

# drawn in this order: SGD's scribble at the bottom
sizes = (("SGD", 1), ("mini-batch", batch), ("full batch", samples))
names = {label: f"{label} (B = {b}, {-(-samples // b)} step{'s' if b < samples else ''}/epoch)" for label, b in sizes}
paths = cache.batch_sizes(data, sizes, lr, epochs, optimizer, hyper, shuffle, shuffle_seed)

# ---- the rules -----------------------------------------------------------------------------------------
cols = st.columns(3)
rules = (
    # each rule in short lines, gᵗ then the step: a card is 230 px on a laptop (no formula clipped), and a phone's width
    ("Standard (batch) gradient descent",
     r"\begin{gathered} g^t = \frac{1}{N}\sum_{i=1}^{N} \nabla L_i(W^t) \\ W^{t+1} = W^t - \alpha g^t \end{gathered}",
     "every step uses all N samples: one step per epoch."),
    ("Mini-batch gradient descent",
     r"\begin{gathered} g^t = \frac{1}{|I_t|}\sum_{i \in I_t} \nabla L_i(W^t) \\ "
     r"W^{t+1} = W^t - \alpha g^t \end{gathered}",
     f"|Iₜ| = B = {batch}: N/B = {samples // batch} steps per epoch." if samples % batch == 0 else
     f"|Iₜ| = B = {batch}: N/B = {samples / batch:.3g}, so {-(-samples // batch)} steps per epoch (the last batch "
     f"holds the {samples % batch} samples left over)."),
    ("Stochastic gradient descent",
     r"\begin{gathered} g^t = \nabla L_i(W^t),\ I_t = \{i\} \\ W^{t+1} = W^t - \alpha g^t \end{gathered}",
     f"one sample per step: N = {samples} steps per epoch, many of them in the wrong direction."),
)
for col, (title, formula, note) in zip(cols, rules):
    with col.container(border=True):
        st.markdown(f"**{title}**")
        st.latex(r"\small " + formula)
        st.caption(note)
if optimizer != "sgd":
    st.caption(f"With {OPTIMIZERS[optimizer].label} the mini-batch gradient gᵗ feeds its update rule instead of "
               "Wᵗ⁺¹ = Wᵗ − αgᵗ; the batches are the same.")

diverged = blown_up(paths, epochs)
for run, step in diverged.items():
    st.warning(f"**Learning rate α = {lr:g}**: {run} diverged at step {step}: its weights blew up. Try a smaller "
               "learning rate.", icon=":material/warning:")

# ---- the race ----------------------------------------------------------------------------------------
layers, bounds = cache.background(data)
left, right = st.columns([1, 1])
with left:
    st.subheader("Figure 10, computed: the paths")
    charts.show(weight_map(layers, paths, RUN_COLOURS, w_star, cache.START, bounds, names), "bs_map",
                name="Paths of batch, mini-batch and stochastic gradient descent on the loss contours")
    st.caption(f"All three start at W⁰ (○) and descend the same loss L(W) towards its minimum w* (★) for {epochs} "
               "epochs; a dot marks the end of each epoch. Full batch takes one smooth step per epoch; SGD takes "
               "N steps, many in the wrong direction, and progresses *on average*, bouncing around w* at the end.")
with right:
    st.subheader("The loss")
    # one under the other, not in two columns: beside the radio the toggle's label was cut to "lo…" (40 px of 51)
    x = st.radio("Against", list(X_AXES), index=1, format_func=axis_word, horizontal=True,
                 key="bs_x", bind="query-params")
    log = st.toggle("log L − L*", False, key="bs_log", bind="query-params",
                    help="The height above the lowest loss on a log axis: shows the noise floors.")
    charts.show(loss_curves(paths, x, RUN_COLOURS, loss_star, names, tuple(diverged), log, log_x=x == "step"),
                "bs_loss", name="Loss against steps for each batch size")
    notes = {
        "step": "Steps are on a log axis. Per step, the full batch's exact gradient makes the best progress, but "
                "each of its steps costs N gradient evaluations, SGD's only one.",
        "epoch": "Per epoch (N/B steps), every run has seen each sample once: the small batches are far ahead, "
                 "then level off at a noise floor set by α and B.",
        "gradient_evaluations": "Per gradient evaluation ∇Lᵢ, the real cost: an epoch is N of them whatever B is, so "
                                "this is the epoch axis stretched by N.",
    }
    st.caption(("The height above the lowest loss, L(Wᵗ) − L(w*), on a log axis. " if log else "") + notes[x])

summary = paths.groupby("run", sort=False).agg(
    steps=("step", "max"), epochs=("epoch", "max"), gradient_evaluations=("gradient_evaluations", "max"),
    final_loss=("loss", "last"), w1=("w1", "last"), w2=("w2", "last"))
summary.insert(0, "batch size B", [dict(sizes)[r] for r in summary.index])
summary["distance to w*"] = np.hypot(summary.pop("w1") - w_star[0], summary.pop("w2") - w_star[1])
summary["gradient evaluations per step"] = summary["gradient_evaluations"] / summary["steps"]
st.dataframe(summary.reset_index(), hide_index=True, column_config={
    "run": st.column_config.TextColumn("run"),
    "steps": st.column_config.NumberColumn("steps t"),
    "gradient_evaluations": st.column_config.NumberColumn("gradient evaluations ∇Lᵢ"),
    "gradient evaluations per step": st.column_config.NumberColumn("∇Lᵢ per step", format="%.3g"),
    "final_loss": st.column_config.NumberColumn("final loss L", format="%.5f"),
    "distance to w*": st.column_config.NumberColumn("final distance to w*", format="%.3g"),
    "epochs": st.column_config.NumberColumn(format="%.3g"),
})
st.caption(f"L(w*) = {loss_star:.5f} at w* = ({w_star[0]:.3f}, {w_star[1]:.3f}).")
st.download_button("Download every step of every run (CSV)", lambda: paths.to_csv(index=False),
                   "optiviz_batch_size_paths.csv", "text/csv", key="bs_download", icon=":material/download:",
                   on_click="ignore")
