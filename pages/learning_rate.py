"""Learning rate: Figure 11 computed, a learning-rate range test, and annealing the learning rate."""

from functools import partial

import numpy as np
import pandas as pd
import streamlit as st

from optiviz.figures.batch_size import axis_word, loss_curves, map_panels
from optiviz.figures.learning_rate import (RATE_COLOURS, SCHEDULE_COLOURS, distances, range_test, schedule_curves,
                                           settle_curves, zoom_bounds)
from optiviz.core.formulas import schedule_rule
from optiviz.labs.batch_size import max_epochs
from optiviz.labs.learning_rate import LATE, RANGE_MULTIPLES, RATE_MULTIPLES, late_loss
from optiviz.labs.learning_rate import range_table as losses_table
from optiviz.labs.batch_size import diverged as blown_up
from optiviz.core.optimizers import OPTIMIZERS
from optiviz.core.schedules import SCHEDULES
from optiviz.ui import charts
from optiviz.ui import batch_size as two_weight
from optiviz.ui import learning_rate as cache
from optiviz.ui.controls import DECAY_RATES, LEARNING_RATES, log_slider

BATCH_SIZES = (1, 2, 4, 5, 8, 10, 16, 20, 25, 32, 50, 64, 100, "full batch")
SWEEP = RANGE_MULTIPLES  # × 1/L: the range test's rates
ZOOM = 1 / 3  # the annealing maps show the last third of each path


def csv_button(label: str, frame_of, name: str, key: str):
    """A CSV download of ``frame_of()``, made when pressed: the tab keeps its cache arguments, not the table."""
    st.download_button(label, lambda: frame_of().to_csv(index=False), f"optiviz_{name}.csv", "text/csv", key=key,
                       icon=":material/download:", on_click="ignore")


def figure11_frame(sgd_args: tuple, mine_args: tuple) -> pd.DataFrame:
    """Figure 11's four SGD runs and your α, from the cache."""
    return pd.concat([cache.runs(*sgd_args), cache.runs(*mine_args)], ignore_index=True)


def range_table(long_args: tuple, short_args: tuple | None) -> pd.DataFrame:
    """The range test's losses after the long run, and after the short one when there is one, from the cache."""
    return losses_table(cache.range_test(*long_args), None if short_args is None else cache.range_test(*short_args))


def range_caption(test, short, plain: bool, sweep_rates, label: str) -> str:
    """What the range test ran, where its best rates are, and how they meet Figure 11's."""
    run = f"{test.epochs} epoch{'s' if test.epochs > 1 else ''}"
    text = (f"{len(sweep_rates)} rates from {sweep_rates[0]:.1g} to {sweep_rates[-1]:.2g}, each run for {run} from the "
            f"same start with {label}, all in one batched call; the loss is the mean over the last "
            f"{test.last} epoch ends, as Figure 11's runs are read. ")
    if np.isfinite(test.best):
        text += f"Over this run the best α is {test.best:.2g} (★). "
    if np.isfinite(test.blow_up):
        text += f"From α = {test.blow_up:.2g} it blows up (ends above where it started, or diverges: shaded). "
    if short is not None and np.isfinite(short.best):
        text += (f"The dashed short run of {short.epochs} epoch{'s' if short.epochs > 1 else ''} rewards the fastest "
                 f"rate, α = {short.best:.2g}: run long, that rate stalls at its noise floor, as Figure 11's *high* "
                 "does. So pick a few times less than the short run's winner, or anneal. ")
    text += ("The coloured dots are Figure 11's own runs, where they end: *good* sits in the valley of the curve, "
             "*high* on the slope where noise holds it up, *low* where it is still creeping, *very high* ✕ beyond."
             if plain else "The triangles mark Figure 11's four rates (plain SGD, so not on these curves).")
    return text


def settle_caption(dist, names: dict[str, str], per_epoch: int) -> str:
    """How far each schedule ends from w*, as the bold curves end."""
    ends = dist.groupby("run", sort=False)["smoothed"].last()
    text = (f"How far each run is from the minimum, on a log axis: faint, every step; bold, the root-mean-square over "
            f"the last epoch ({per_epoch} steps). At the end: " +
            ", ".join(f"{names.get(r, r)} {d:.2g}" for r, d in ends.items()) + ". ")
    if "constant" in ends and len(ends) > 1:
        closer = [r for r in ends.index if r != "constant" and ends[r] < ends["constant"]]
        if len(closer) == len(ends) - 1:
            text += (f"Every decaying rate ends closer to w* than the constant one, which stays at its noise floor "
                     f"(at least {ends['constant'] / ends.drop('constant').max():.2g}× closer).")
        else:
            text += ("Here " + ", ".join(names.get(r, r) for r in ends.index if r != "constant" and r not in closer) +
                     " does not end closer than the constant rate: α shrinks so fast that it stops short, "
                     "or too slowly.")
    return text


st.title("Learning rate")
st.caption("Lecture: *Selecting the learning rate* (Figure 11) and *Annealing the learning rate*, on the two-weight "
           "model of the batch-size lab, trained with mini-batches.")

# ---- controls ---------------------------------------------------------------------------------------
with st.sidebar:
    data = two_weight.data_controls("lr")

    st.header("Training")
    batch = st.select_slider("Batch size B", BATCH_SIZES, 10, key="lr_batch", bind="query-params",
                             help="Mini-batches make the gradient noisy: the noise a high learning rate cannot settle.")
    shuffle, shuffle_seed = two_weight.shuffle_controls("lr")
    optimizer, hyper = two_weight.optimizer_controls(
        "lr", "Used by your α, the range test and annealing; Figure 11's four rates are plain SGD.")
    lr = log_slider("Your learning rate α", LEARNING_RATES, 0.05, "lr_lr",
                    "A fifth curve in Figure 11, marked on the range test.")
    epochs = st.slider("Epochs", 1, 100, 30, key="lr_epochs", bind="query-params")
    range_epochs = st.slider("Range test: epochs of the short run", 1, 30, 1, key="lr_range_epochs",
                             bind="query-params", help="The range test also runs every rate as long as Figure 11 "
                                                       "(the epochs above); this is its dashed short run.")

    st.header("Annealing")
    schedules = st.multiselect("Schedules", [s for s in SCHEDULES if s != "constant"], ["exp", "inv", "step"],
                               format_func=lambda s: SCHEDULES[s][1], key="lr_schedules", bind="query-params",
                               help="Compared with a constant α₀.")
    lr0 = log_slider("Initial learning rate α₀", LEARNING_RATES, 0.5, "lr_lr0")
    decay = log_slider("Decay rate k", DECAY_RATES, 0.005, "lr_decay", "Per step t: αₜ shrinks faster with a larger k.")

# ---- checks that need several controls --------------------------------------------------------------
data, w_star, loss_star = two_weight.usable(data)
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
L = two_weight.curvature(data)
x = st.radio("Loss and α against", ["step", "epoch"], index=1, format_func=axis_word,
             horizontal=True, key="lr_x", bind="query-params")


# ---- Figure 11 -----------------------------------------------------------------------------------------
st.header("Selecting the learning rate")
rates = cache.lecture_rates(data)
sgd_args = (data, B, tuple(rates), tuple(rates.values()), epochs, "sgd", (), "constant", 0.0, shuffle, shuffle_seed)
mine_args = (data, B, ("your α",), (lr,), epochs, optimizer, hyper, "constant", 0.0, shuffle, shuffle_seed)
fig11 = figure11_frame(sgd_args, mine_args)
names = {label: f"{label}: α = {rate:.2g} = {m:g}/L"
         for (label, rate), m in zip(rates.items(), RATE_MULTIPLES.values())}
names["your α"] = f"your α = {lr:g} ({OPTIMIZERS[optimizer].label})"
diverged = tuple(blown_up(fig11, epochs))

left, right = st.columns(2)
with left:
    st.subheader("Figure 11, computed")
    log = st.toggle("log L − L*", True, key="lr_log", bind="query-params",
                    help="The height above the lowest loss on a log axis; off: the loss itself.")
    charts.show(loss_curves(fig11, x, RATE_COLOURS, loss_star, names, diverged, log, ("your α",), x == "epoch"),
                "lr_fig11", name="Loss against epochs for four learning rates")
    very_high = "explodes" if "very high" in diverged else \
        "bounces far above the rest (the cross-entropy grows only linearly in w, so it cannot explode)"
    st.caption(("Loss at the end of each epoch. " if x == "epoch" else "") +
               f"Mini-batch SGD, Wᵗ⁺¹ = Wᵗ − α gᵗ with B = {B}, at four rates set by the curvature at the minimum, "
               f"L = λ_max(∇²L(w*)) = {L:.3g}. Very high (past 2/L = {2 / L:.2g}) {very_high}; high drops fast, then "
               "stalls where the mini-batch noise keeps it bouncing; good reaches the lowest loss of the four; low "
               "creeps down slowly.")
    csv_button("Download Figure 11 (CSV)", partial(figure11_frame, sgd_args, mine_args), "learning_rate_figure11",
               "lr_download_fig11")
with right:
    st.subheader("A learning-rate range test")
    sweep_rates = tuple(float(r) for r in SWEEP / L)
    long_epochs = min(epochs, range_cap)
    long_args = (data, B, sweep_rates, long_epochs, optimizer, hyper, shuffle, shuffle_seed, LATE)
    short_args = None if range_epochs >= long_epochs else \
        (data, B, sweep_rates, range_epochs, optimizer, hyper, shuffle, shuffle_seed, LATE)
    test = cache.range_test(*long_args)
    short = None if short_args is None else cache.range_test(*short_args)
    late_all = late_loss(fig11, epochs, LATE) - loss_star
    plain = optimizer == "sgd" and not hyper and long_epochs == epochs
    points = {label: (rate, float(late_all[label]), RATE_COLOURS[label]) for label, rate in rates.items()}
    points["your α"] = (lr, float(late_all["your α"]), RATE_COLOURS["your α"])
    charts.show(range_test(test, loss_star, points, short, plain), "lr_range", name="Learning-rate range test")
    st.caption(range_caption(test, short, plain, sweep_rates, OPTIMIZERS[optimizer].label))
    csv_button("Download the range test (CSV)", partial(range_table, long_args, short_args),
               "learning_rate_range_test", "lr_download_range")
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
anneal_args = (data, B, runs, (lr0,), epochs, optimizer, hyper, runs, decay, shuffle, shuffle_seed)
anneal = cache.runs(*anneal_args)
schedule_names = {s: SCHEDULES[s][1] for s in runs}
for col, s in zip(st.columns(len(runs)), runs):  # side by side; stacked on a phone
    col.latex(schedule_rule(s, lr0, decay))
st.caption(f"α₀ = {lr0:g}, k = {decay:g}, t counts steps ({-(-samples // B)} per epoch). Decaying α slowly lets "
           "mini-batch SGD take big steps early and small ones later, so it settles instead of bouncing around "
           "the minimum.")
dist = distances(anneal, w_star, -(-samples // B))
since = epochs * (1 - ZOOM)
zoom = zoom_bounds(dist, w_star, since)
left, right = st.columns(2)
with left:
    charts.show(schedule_curves(anneal, x, SCHEDULE_COLOURS, schedule_names), "lr_schedule",
                name="Learning rate against steps for each schedule")
    st.caption("αₜ of each schedule. Step decay halves α every 1/k steps.")
with right:
    charts.show(settle_curves(dist, x, SCHEDULE_COLOURS, schedule_names, tuple(blown_up(anneal, epochs))),
                "lr_anneal_loss", name="Distance to the minimum under each learning-rate schedule")
    st.caption(settle_caption(dist, schedule_names, -(-samples // B)))
shown = anneal[anneal["epoch"] >= since]
zoom_layers = cache.zoom_background(data, zoom)
# side by side; stacked on a phone
for col, (run, path) in zip(st.columns(len(runs)), shown.groupby("run", sort=False)):
    with col:
        charts.show(map_panels(zoom_layers, path, SCHEDULE_COLOURS, w_star, two_weight.START, zoom,
                               {run: schedule_names[run].split(" (")[0]}, height=250, star=10),
                    f"lr_anneal_map_{run}",
                    name=f"Zoom on the minimum: the last third of {schedule_names[run]}'s path")
st.caption(f"Zoom on the minimum w* (★), ±{zoom[0][1] - w_star[0]:.2g} on each axis: each schedule's path over its "
           f"last {epochs - since:.3g} epochs (from epoch {since:.3g}), over the loss contours. The constant rate "
           "keeps bouncing around w*; the decaying ones settle close to it.")
csv_button("Download the annealing runs (CSV)", partial(cache.runs, *anneal_args), "learning_rate_annealing",
           "lr_download_anneal")

# ---- nothing computed stays with the session ------------------------------------------------------------
# The download buttons' callables keep this page's globals alive as long as the tab: drop the tables (each
# cache_data call returned the page its own copy); the callables read them from the cache again when pressed.
for _big in ("fig11", "test", "short", "late_all", "late", "anneal", "dist", "shown", "path", "zoom_layers", "points"):
    globals().pop(_big, None)
