"""Learning rate: Figure 11 computed, a learning-rate range test, and annealing the learning rate."""

import numpy as np
import pandas as pd
import streamlit as st

from optiviz.figures.batch_size import axis_word, loss_curves, map_panels
from optiviz.figures.learning_rate import RATE_COLOURS, SCHEDULE_COLOURS, range_test, schedule_curves
from optiviz.formulas import schedule_rule
from optiviz.minibatch import RATE_MULTIPLES, late_loss, max_epochs
from optiviz.minibatch import diverged as blown_up
from optiviz.optimizers import OPTIMIZERS
from optiviz.schedules import SCHEDULES
from optiviz.ui import minibatch_cache as cache
from optiviz.ui.controls import DECAY_RATES, LEARNING_RATES, log_slider

BATCH_SIZES = (1, 2, 4, 5, 8, 10, 16, 20, 25, 32, 50, 64, 100, "full batch")
SWEEP = 10.0 ** np.linspace(-4, np.log10(20), 41)  # × 1/L: the range test's rates
CHART = {"displaylogo": False}


def csv_button(label: str, frame: pd.DataFrame, name: str, key: str):
    st.download_button(label, lambda: frame.to_csv(index=False), f"optiviz_{name}.csv", "text/csv", key=key,
                       icon=":material/download:")


st.title("Learning rate")
st.caption("Lecture: *Selecting the learning rate* (Figure 11) and *Annealing the learning rate*, on the two-weight "
           "model of the batch-size lab, trained with mini-batches.")

# ---- controls ---------------------------------------------------------------------------------------
with st.sidebar:
    data = cache.data_controls("lr")

    st.header("Training")
    batch = st.select_slider("Batch size B", BATCH_SIZES, 10, key="lr_batch", bind="query-params",
                             help="Mini-batches make the gradient noisy: the noise a high learning rate cannot settle.")
    shuffle, shuffle_seed = cache.shuffle_controls("lr")
    optimizer, hyper = cache.optimizer_controls(
        "lr", "Used by your α, the range test and annealing; Figure 11's four rates are plain SGD.")
    lr = log_slider("Your learning rate α", LEARNING_RATES, 0.05, "lr_lr",
                    "A fifth curve in Figure 11, marked on the range test.")
    epochs = st.slider("Epochs", 1, 100, 30, key="lr_epochs", bind="query-params")
    range_epochs = st.slider("Range test: epochs per rate", 1, 30, 1, key="lr_range_epochs", bind="query-params",
                             help="The short run after which the range test reads the loss.")

    st.header("Annealing")
    schedules = st.multiselect("Schedules", [s for s in SCHEDULES if s != "constant"], ["exp", "inv", "step"],
                               format_func=lambda s: SCHEDULES[s][1], key="lr_schedules", bind="query-params",
                               help="Compared with a constant α₀.")
    lr0 = log_slider("Initial learning rate α₀", LEARNING_RATES, 0.5, "lr_lr0")
    decay = log_slider("Decay rate k", DECAY_RATES, 0.005, "lr_decay", "Per step t: αₜ shrinks faster with a larger k.")

# ---- checks that need several controls --------------------------------------------------------------
data, w_star, loss_star = cache.usable(data)
samples = data[1]
B = samples if batch == "full batch" else min(batch, samples)
if batch != "full batch" and batch > samples:
    st.info(f"**Batch size**: B = {batch} is more than the N = {samples} samples; using the full batch.",
            icon=":material/info:")
cap = max_epochs(samples, B, 5)
if epochs > cap:
    st.info(f"**Epochs**: with {-(-samples // B)} steps per epoch, {cap} epochs is the most this shared server runs "
            f"at once; showing {cap}.", icon=":material/speed:")
    epochs = cap
range_cap = max_epochs(samples, B, len(SWEEP))
if range_epochs > range_cap:
    st.info(f"**Range test: epochs per rate**: {len(SWEEP)} runs of {-(-samples // B)} steps per epoch allow at most "
            f"{range_cap} here; using {range_cap}.", icon=":material/speed:")
    range_epochs = range_cap
L = cache.curvature(data)
background, bounds = cache.background(data)
x = st.radio("Loss and α against", ["step", "epoch"], index=1, format_func=axis_word,
             horizontal=True, key="lr_x", bind="query-params")


# ---- Figure 11 -----------------------------------------------------------------------------------------
st.header("Selecting the learning rate")
rates = cache.lecture_rates(data)
sgd_paths = cache.runs(data, B, tuple(rates), tuple(rates.values()), epochs, "sgd", (), "constant", 0.0, shuffle,
                       shuffle_seed)
mine = cache.runs(data, B, ("your α",), (lr,), epochs, optimizer, hyper, "constant", 0.0, shuffle, shuffle_seed)
fig11 = pd.concat([sgd_paths, mine], ignore_index=True)
names = {label: f"{label}: α = {rate:.2g} = {m:g}/L" for (label, rate), m in zip(rates.items(), RATE_MULTIPLES.values())}
names["your α"] = f"your α = {lr:g} ({OPTIMIZERS[optimizer].label})"
diverged = tuple(blown_up(fig11, epochs))

left, right = st.columns(2)
with left:
    st.subheader("Figure 11, computed")
    log = st.toggle("log L − L*", True, key="lr_log", bind="query-params",
                    help="The height above the lowest loss on a log axis; off: the loss itself.")
    st.plotly_chart(loss_curves(fig11, x, RATE_COLOURS, loss_star, names, diverged, log, ("your α",), x == "epoch"),
                    key="lr_fig11", config=CHART)
    very_high = "explodes" if "very high" in diverged else \
        "bounces far above the rest (the cross-entropy grows only linearly in w, so it cannot explode)"
    st.caption(("Loss at the end of each epoch. " if x == "epoch" else "") +
               f"Mini-batch SGD, Wᵗ⁺¹ = Wᵗ − α gᵗ with B = {B}, at four rates set by the curvature at the minimum, "
               f"L = λ_max(∇²L(w*)) = {L:.3g}. Very high (past 2/L) {very_high}; high drops fast, then stalls where "
               "the mini-batch noise keeps it bouncing; good reaches the lowest loss; low creeps down slowly.")
    csv_button("Download Figure 11 (CSV)", fig11, "learning_rate_figure11", "lr_download_fig11")
with right:
    st.subheader("A learning-rate range test")
    sweep_rates = tuple(float(r) for r in SWEEP / L)
    test = cache.range_test(data, B, sweep_rates, range_epochs, optimizer, hyper, shuffle, shuffle_seed)
    marks = {"your α": (lr, RATE_COLOURS["your α"]), "2/L": (2 / L, "#888888")}
    st.plotly_chart(range_test(test, loss_star, range_epochs, marks), key="lr_range", config=CHART)
    blow = f"it blows up (ends above where it started, or diverges) from α = {test.blow_up:.2g}" \
        if np.isfinite(test.blow_up) else "none of these rates blows up"
    st.caption(f"{len(SWEEP)} rates from {sweep_rates[0]:.1g} to {sweep_rates[-1]:.2g}, each run for {range_epochs} "
               f"epoch{'s' if range_epochs > 1 else ''} from the same start with {OPTIMIZERS[optimizer].label}, all in "
               f"one batched call. The lowest loss is at α = {test.best:.2g}; {blow}. A short run rewards the fastest "
               "rate; over a long run its noise floor costs (Figure 11's high), so pick a few times less, or anneal. "
               "Lengthen the run in the sidebar and watch the best rate move down.")
    csv_button("Download the range test (CSV)", test.table, "learning_rate_range_test", "lr_download_range")
late = late_loss(fig11, epochs).drop("your α")
if late.notna().any() and late.idxmin() != "good":
    st.info(f"**Batch size B = {B}**: here *{late.idxmin()}* ends lower than *good*. The rates come from the "
            "curvature alone, but the noise floor of mini-batch SGD grows with α/B: a small batch needs a smaller "
            "rate (or annealing), and a short run favours the faster rates.", icon=":material/info:")
for run in diverged:  # the very high rate is meant to blow up: its cross in Figure 11 says so
    if run == "your α":
        st.warning(f"**Your learning rate α = {lr:g}** diverged: the weights blew up. Try a smaller one.",
                   icon=":material/warning:")
    elif run != "very high":
        st.info(f"**{names[run]}** diverged with B = {B}: small batches make the gradient so noisy that even this "
                "rate blows up. Try a larger batch size.", icon=":material/info:")

# ---- annealing -------------------------------------------------------------------------------------------
st.header("Annealing the learning rate")
runs = ("constant", *schedules)
anneal = cache.runs(data, B, runs, (lr0,), epochs, optimizer, hyper, runs, decay, shuffle, shuffle_seed)
schedule_names = {s: SCHEDULES[s][1] for s in runs}
st.latex(r"\qquad ".join(schedule_rule(s, lr0, decay) for s in runs))
st.caption(f"α₀ = {lr0:g}, k = {decay:g}, t counts steps ({-(-samples // B)} per epoch). Decaying α slowly lets "
           "mini-batch SGD take big steps early and small ones later, so it settles instead of bouncing around "
           "the minimum.")
left, right = st.columns(2)
with left:
    st.plotly_chart(schedule_curves(anneal, x, SCHEDULE_COLOURS, schedule_names), key="lr_schedule", config=CHART)
    st.caption("αₜ of each schedule. Step decay halves α every 1/k steps.")
with right:
    st.plotly_chart(loss_curves(anneal, x, SCHEDULE_COLOURS, loss_star, schedule_names, tuple(blown_up(anneal, epochs)),
                                True, every_epoch=x == "epoch"), key="lr_anneal_loss", config=CHART)
    st.caption("The loss above its minimum: with a constant α it stalls at the noise floor; the decaying rates "
               "keep going down (unless α shrinks so fast that it stops short).")
st.plotly_chart(map_panels(background, anneal, SCHEDULE_COLOURS, w_star, cache.START, bounds, schedule_names),
                key="lr_anneal_map", config=CHART)
st.caption("Each schedule's path in weight space from W⁰ (○) to the minimum w* (★), over the loss contours: the "
           "constant rate keeps bouncing around w*, the annealed ones settle close to it.")
csv_button("Download the annealing runs (CSV)", anneal, "learning_rate_annealing", "lr_download_anneal")
