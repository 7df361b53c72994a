"""Regularization: weight penalties, early stopping, dropout and batch norm, data augmentation."""

import numpy as np
import pandas as pd
import streamlit as st

from optiviz.core.datasets import REFLECTIONS
from optiviz.figures.regularization import (augmentation_points, dropout_network, dropout_scaling,
                                            early_stopping_curves, grid_table, histories_table, network_weights,
                                            patience_risk, patience_spread, regularizer_curves, seed_bands,
                                            weight_paths, weights_at, zero_points)
from optiviz.figures.train_network import decision_boundaries
from optiviz.nn.regularizers import MAX_AUGMENT_EPOCHS, early_stopping
from optiviz.nn.seeds import count_below, final_values, spread_table
from optiviz.labs.regularization import experiments as lab
from optiviz.labs.regularization.experiments import (AUG_EPOCHS, AUG_VAL_POINTS, NET_DATA, PENALTY_RATE, seed_run,
                                                     stopping_spread)
from optiviz.ui import charts
from optiviz.ui import regularization as cache
from optiviz.ui.controls import LEARNING_RATES, log_slider, whole_number

Q = "query-params"
PENALTY_STRENGTHS = tuple(v for v in LEARNING_RATES if 1e-4 <= v <= 0.1)
SEED_COUNTS = (1, 5, 10, 15, 20)


def of_seeds(k: int, total: int) -> str:
    return f"{k} of {total} seed" + ("s" if total != 1 else "")


def download(label: str, frame: pd.DataFrame, name: str, key: str) -> None:
    st.download_button(f"Download {label} (CSV)", lambda: frame.to_csv(index=False), f"optiviz_{name}.csv", "text/csv",
                       key=key, icon=":material/download:", on_click="ignore")


def trained(compute, *args):
    """``compute(*args)``, or None after a warning when the engine refuses the settings (a cap, a bad value)."""
    try:
        return compute(*args)
    except ValueError as error:
        st.warning(f"These settings cannot be trained here: {error}", icon=":material/warning:")
        return None


def data_of(seed: int) -> tuple:
    return (*NET_DATA, seed)


def points_of(split) -> dict:
    return {"train": (split.X_train, split.y_train), "validation": (split.X_val, split.y_val)}


# ---- tab 1: weight penalties ---------------------------------------------------------------------------


def show_penalties(count: int):
    st.markdown("*As with other models, we can add a penalty on the norm of the weights: L1 penalty, L2 penalty, "
                "combination (ElasticNet).* Below: first a small linear regression, where the paths can be computed "
                "exactly, then a network trained with each penalty.")
    # short lines (J split after its data term; the three penalties one a line): no line wider than a phone
    st.latex(r"\begin{gathered}\begin{aligned}J(w) &= \frac{1}{2N}\lVert y - Xw\rVert^2 \\ "
             r"&\quad + \lambda_1\lVert w\rVert_1 + \frac{\lambda_2}{2}\lVert w\rVert_2^2\end{aligned} \\[4pt] "
             r"\text{L1: } \lambda_1=\lambda,\ \ \text{L2: } \lambda_2=\lambda \\ "
             r"\text{elastic net: } \lambda_1=\alpha\lambda,\ \lambda_2=(1-\alpha)\lambda"
             r"\end{gathered}")
    c = st.columns(6)
    features = c[0].slider("Features p", 2, 10, 6, key="reg_features", bind=Q)
    correlation = c[1].slider("Correlation ρ between features", 0.0, 0.95, 0.5, 0.05, key="reg_correlation", bind=Q,
                              help="Every pair of features is correlated by ρ: correlated features compete for weight.")
    noise = c[2].slider("Noise σ on y", 0.0, 3.0, 1.0, 0.1, key="reg_noise", bind=Q)
    mix = c[3].slider("Elastic-net mix α", 0.05, 0.95, 0.5, 0.05, key="reg_mix", bind=Q,
                      help="The L1 share of the elastic net: α = 1 is L1, α = 0 is L2.")
    ratio = c[4].slider("λ / λ_max (log₁₀)", -3.0, 1.5, -0.5, 0.1, key="reg_lambda", bind=Q,
                        help="The λ marked on the paths and shown in the bars, relative to the λ_max of L1.")
    seed = whole_number("Seed", 0, 10_000, 0, "reg_seed", c[5])
    paths, lam_max, w_true = cache.weight_paths(50, features, correlation, noise, seed, mix)
    chosen = lam_max * 10**ratio

    st.subheader("(a) Weight paths as the penalty grows")
    charts.show(weight_paths(paths, lam_max, chosen, mix), "reg_paths_fig",
                name="Weights against the penalty strength λ")
    zeros = zero_points(paths)
    order = ", ".join(f"w{f}" for f in zeros[zeros["penalty"] == "L1"].sort_values("lambda")["feature"])
    st.caption(f"Follow each weight from left (little penalty: close to least squares) to right. **L1** sets weights "
               f"to exactly 0 one by one (dots; here in the order {order}) and all are 0 from λ_max = max|Xᵀy|/N = "
               f"{lam_max:.3g} on. **L2** shrinks them all smoothly towards 0 but never reaches it. The "
               f"**elastic net** does both. True weights: {', '.join(f'{w:g}' for w in w_true)}.")
    download("paths", paths, "regularization_paths", "reg_paths_csv")
    if not paths["converged"].all():
        st.warning("Coordinate descent did not converge for every λ within its sweep cap: those weights are "
                   "approximate.", icon=":material/warning:")

    fig, shown = weights_at(paths, chosen)
    charts.show(fig, "reg_weights_fig", name="Weights and nonzero count for L1, L2 and elastic net")
    st.caption(f"At λ = {shown:.3g}: the weights of each penalty (bars marked 0 are exactly zero) and, right, how many "
               "weights are nonzero as λ grows. Only the penalties with an L1 part make the model smaller.")
    download("weights at λ", paths[paths["lambda"] == shown], "regularization_weights_at_lambda", "reg_weights_csv")
    with st.expander("How the paths are computed"):
        st.markdown("Ridge has a closed form, evaluated for every λ at once. L1 and the elastic net are solved by "
                    "**coordinate descent**: one weight at a time, the exact minimiser of J in that weight is")
        st.latex(r"\begin{gathered}w_j \leftarrow "
                 r"\frac{S\big(c_j - \sum_{k\ne j} G_{jk} w_k,\ \lambda_1\big)}{G_{jj} + \lambda_2}"
                 r" \\ S(z,\lambda) = \operatorname{sign}(z)\max(|z|-\lambda,\,0) \\ "
                 r"G = \tfrac{1}{N}X^\top X,\ \ c = \tfrac{1}{N}X^\top y\end{gathered}")
        st.markdown("S, the soft-thresholding operator, returns exactly 0 whenever |z| ≤ λ₁: that is where the zeros "
                    "come from. The path starts at the largest λ (all weights 0) and each λ starts from the "
                    "previous solution (warm start); after each sweep the solver jumps to the exact minimiser on the "
                    "weights it found nonzero and keeps it if the optimality (KKT) conditions hold.")

    st.subheader("(b) The same penalties on a network")
    with st.form("reg_net_form"):
        c = st.columns(4)
        with c[0]:
            l1 = log_slider("L1 strength λ₁", PENALTY_STRENGTHS, 0.003, "reg_net_l1", "The L1 run's λ₁.")
        with c[1]:
            l2 = log_slider("L2 strength λ₂", PENALTY_STRENGTHS, 0.03, "reg_net_l2", "The L2 run's λ₂.")
        epochs = c[2].slider("Epochs", 20, 300, 25, 5, key="reg_net_epochs", bind=Q)
        width = c[3].select_slider("Units per hidden layer (2 layers)", (8, 16, 32, 64), 32, key="reg_net_width",
                                   bind=Q)
        st.form_submit_button("Train", type="primary", icon=":material/play_arrow:")
    data = data_of(seed)
    results = trained(cache.penalty_networks, data, (width, width), l1, l2, mix, epochs, PENALTY_RATE, seed)
    if results is None:
        return
    charts.show(decision_boundaries(results, epochs, points_of(cache.dataset(data))), "reg_net_boundaries",
                name="Decision boundaries with each weight penalty")
    st.caption(f"Seed {seed}: the same network ({width} × {width} ReLU units, full-batch Adam, α = {PENALTY_RATE:g}) "
               "and initial weights on 60 noisy moons; "
               "only the penalty differs (elastic net: αλ₁ and (1 − α)λ₂ with the α above). Without a penalty the "
               "boundary wraps around single training points (filled) and misses validation points (rings); a penalty "
               "keeps the weights small and the boundary smooth.")
    download("decision boundaries", grid_table(results), "regularization_boundaries", "reg_net_csv")
    left, right = st.columns([3, 2])
    with left:
        charts.show(network_weights(results), "reg_net_weights",
                    name="Histogram of the network's weights under each penalty")
        st.caption("Every weight of each trained network. The penalties pull the weights to 0; training by "
                   "(sub)gradient steps leaves L1's weights near 0, not exactly 0 (that takes a proximal step, as S "
                   "above).")
    with right:
        last = histories_table(results).groupby("run", sort=False).last()
        st.dataframe(last[["train_loss", "val_loss", "train_acc", "val_acc"]], column_config={
            "train_acc": st.column_config.NumberColumn(format="percent"),
            "val_acc": st.column_config.NumberColumn(format="percent")})
        download("learning curves", histories_table(results), "regularization_penalty_curves", "reg_net_hist_csv")
    curves = trained(cache.penalty_seeds, data, (width, width), l1, l2, mix, epochs, PENALTY_RATE,
                     cache.seeds_of(seed, count))
    if curves is not None:
        st.markdown(f"**The same four networks over {count} seeds**")
        charts.show(seed_bands(curves, log=False, training=False), "reg_net_seeds_fig",
                    name="Validation loss with each weight penalty over many seeds")
        finals = {c.label: final_values(c) for c in curves}
        counts = ", ".join(f"{label} in {of_seeds(count_below(finals[label], finals['no penalty']), count)}"
                           for label in ("L1", "L2", "elastic net"))
        st.caption(f"Validation loss of each penalty over {count} seeds (median, and the band of 10–90% of the seeds; "
                   f"each seed: its own initial weights; full batch). Ends below no penalty: {counts}.")
        download("many-seed curves", spread_table(curves), "regularization_penalty_seeds", "reg_net_seeds_csv")


# ---- tab 2: early stopping -------------------------------------------------------------------------------


def show_early_stopping(count: int):
    st.markdown("*Compute validation loss each epoch; stop training when validation loss hasn't improved in a while; "
                "risk of stopping **too** early.* One network (2 → 32 → 32 → 1, SGD with momentum) is trained to the "
                "end here; early stopping with any patience is then read off its validation curve (exactly what "
                "`train(..., patience=P)` does: it stops at the same epoch and restores the same weights).")
    with st.form("reg_es_form"):
        c = st.columns(4)
        epochs = c[0].slider("Epochs", 30, 300, 50, 10, key="reg_es_epochs", bind=Q)
        lr = c[1].select_slider("Learning rate α (momentum γ = 0.9)", (0.005, 0.01, 0.02, 0.05, 0.1), 0.1,
                                key="reg_es_lr", bind=Q)
        batch = c[2].select_slider("Batch size", (5, 10, 20, 60), 20, key="reg_es_batch", bind=Q)
        seed = whole_number("Seed", 0, 10_000, 0, "reg_es_seed", c[3],
                            help="Draws the data and the run shown, and is the first seed of the many-seed sweep.")
        st.form_submit_button("Train", type="primary", icon=":material/play_arrow:")
    curves = trained(cache.long_run_seeds, data_of(seed), (32, 32), lr, batch, epochs, cache.seeds_of(seed, count))
    if curves is None:
        return
    h = seed_run(curves).history
    if curves.diverged_at[0] >= 0:
        st.warning(f"Training diverged at epoch {curves.diverged_at[0]} (the learning rate is too large): "
                   "the curves stop there.", icon=":material/warning:")
    top = max(int(h["epoch"].iloc[-1]), 1)
    patience = st.slider("Patience P (epochs without a new lowest validation loss)", 1, min(top, 60), min(10, top),
                         key="reg_patience", bind=Q)
    rule = early_stopping(h["val_loss"].to_numpy(), np.arange(1, min(top, 60) + 1))
    stop, kept = int(rule.stopped_at[patience - 1]), int(rule.kept_epoch[patience - 1])
    val = h["val_loss"].to_numpy()
    c = st.columns(4)
    c[0].metric("Training stops at epoch", stop if stop >= 0 else "never", border=True,
                help="The first epoch with P epochs since the lowest validation loss so far.")
    c[1].metric("Weights kept from epoch", kept, border=True,
                help="The epoch of the lowest validation loss before the stop.")
    c[2].metric("Validation loss, kept weights", f"{val[kept]:.3f}", f"{val[kept] - val[-1]:+.3f} vs never stopping",
                delta_color="inverse", border=True)
    c[3].metric("Validation loss, best epoch of the run", f"{np.nanmin(val):.3f}", f"epoch {int(np.nanargmin(val))}",
                delta_color="off", delta_arrow="off", border=True)
    left, right = st.columns(2)
    with left:
        charts.show(early_stopping_curves(h, stop, kept, patience), "reg_es_curves",
                    name="Training and validation loss with early stopping")
        st.caption("Training loss keeps falling; validation loss falls, then rises as the network overfits. Early "
                   "stopping waits P epochs after the best validation loss (shaded), stops, and keeps the weights of "
                   "the best epoch (★), not the last ones. The faint curves are what training further would have "
                   "done.")
        download("curves", h, "regularization_early_stopping_curves", "reg_es_csv")
    with right:
        charts.show(patience_risk(rule, patience, float(val[-1]), float(np.nanmin(val))), "reg_es_risk",
                    name="What a patience window risks")
        st.caption("The risk of stopping too early: with a small patience, a bump in the noisy validation curve stops "
                   "training long before the best epoch, and the kept weights are worse. A large enough patience finds "
                   "the best epoch; with no early stopping you keep the overfitted last weights.")
        download("patience sweep", pd.DataFrame(rule._asdict()), "regularization_patience", "reg_es_risk_csv")
    if count > 1:
        many = stopping_spread(curves.val_loss, np.arange(1, min(top, 60) + 1))
        better = count_below(many.kept_loss[:, patience - 1], many.last_loss)
        charts.show(patience_spread(many, patience), "reg_es_seeds_fig", name="Early stopping's choice over many seeds")
        st.caption(f"The same over {count} seeds (seed {seed} above and the {count - 1} after it, each with its own "
                   "initial weights and mini-batches): the validation loss "
                   "of the kept weights against the patience (median and 10–90% band), and where the last epoch's "
                   f"weights end (no early stopping, grey). **With patience {patience}, early stopping keeps weights "
                   f"with a lower validation loss than the last epoch's in {of_seeds(better, count)}.**")
        download("patience sweep over seeds", pd.DataFrame(many.kept_loss, columns=many.patience).assign(
            seed=curves.seeds, last_epoch=many.last_loss), "regularization_patience_seeds", "reg_es_seeds_csv")
    with st.expander("Why does it work? Some ideas (from the lecture)"):
        st.markdown("- The network is effectively *smaller* when we stop training early, because many units are "
                    "still in the linear region of their activation.\n- Earlier layers (simpler features) and the "
                    "layers near the output converge to their final weights first.")


# ---- tab 3: dropout and batch norm -------------------------------------------------------------------------


def defaults(width: int, drop: float, epochs: int, count: int = lab.DROPOUT_CHECK.count) -> bool:
    return (width, drop, epochs, count) == (lab.DROPOUT_WIDTH, lab.DROPOUT_P, lab.DROPOUT_EPOCHS,
                                            lab.DROPOUT_CHECK.count)


def draws_note(width: int, drop: float, epochs: int, count: int) -> str:
    """Dropout's wins over several data draws (lab.DROPOUT_CHECK, made at the tab's defaults)."""
    check = lab.DROPOUT_CHECK
    runs, won = check.count * len(check.wins), sum(check.wins)
    where = ("" if defaults(width, drop, epochs, count) else
             f" (checked at the defaults p = {lab.DROPOUT_P:g}, {lab.DROPOUT_WIDTH} units, "
             f"{lab.DROPOUT_EPOCHS} epochs, {check.count} seeds; not at these settings)")
    least = (f"all {check.count} seeds" if min(check.wins) == check.count
             else f"at least {min(check.wins)} of {check.count} seeds")
    return (f"**Not one lucky data draw:** with the data of seeds {check.data_seeds[0]}–{check.data_seeds[-1]} in "
            f"turn{where}, dropout ends lower in {least} on every draw ({won} of {runs} runs).")


def show_dropout(count: int):
    st.markdown("*During each training step some portion of neurons are randomly dropped; during each test step "
                "none are dropped, but activations are scaled by the dropout probability* (Figure 19). *Batch norm "
                "re-centres and re-scales between layers: mini-batch statistics in training, fixed statistics at "
                f"test.* Here a case built to overfit: {lab.DROPOUT_DATA[1]} noisy XOR points (four clusters, "
                f"noise σ = {lab.DROPOUT_DATA[3]:g}) to train on, {lab.DROPOUT_DATA[2]} to validate on, a wide "
                f"network, full-batch Adam (α = {lab.DROPOUT_RATE:g}) for many epochs.")
    with st.form("reg_drop_form"):
        c = st.columns(4)
        drop = c[0].slider("Drop probability p (dropout)", 0.0, 0.9, lab.DROPOUT_P, 0.05, key="reg_drop_p", bind=Q,
                           help="Each hidden unit is dropped with probability p in each training step (kept with "
                                "1 − p), as PyTorch's nn.Dropout(p), the Train page and the CLI's --dropout take it.")
        width = c[1].select_slider("Units per hidden layer (2 layers)", (8, 16, 32, 64), lab.DROPOUT_WIDTH,
                                   key="reg_drop_width", bind=Q)
        epochs = c[2].slider("Epochs", 20, 200, lab.DROPOUT_EPOCHS, 10, key="reg_drop_epochs", bind=Q)
        seed = whole_number("Seed", 0, 10_000, 0, "reg_drop_seed", c[3],
                            help="Draws the data, and the first seed of the many-seed comparison.")
        norm = st.checkbox("Also train with batch norm (one seed)", False, key="reg_drop_bn", bind=Q,
                           help="Adds a third run to (c): the same network with batch norm instead of dropout.")
        st.form_submit_button("Train", type="primary", icon=":material/play_arrow:")
    out = trained(cache.dropout_runs, width, drop, epochs, seed, norm)
    curves = trained(cache.dropout_seeds, width, drop, epochs, cache.seeds_of(seed, count))
    if out is None:
        return

    st.subheader("(a) Each training step drops different units")
    charts.show(dropout_network(out.masks, (width, width), drop), "reg_drop_network",
                name="A network with units dropped at random")
    st.caption(f"The network being trained below, redrawn for its first {len(out.masks)} training steps (▶ Play, or "
               f"drag the slider): each unit is dropped (grey, ×) with probability p = {drop:g} and its connections "
               "with it; a new mask is drawn every step. These are the masks of the first training point, drawn from "
               "the same seeded random stream as the training run itself. At test time no unit is dropped.")

    st.subheader("(b) Dropout against overfitting, over many seeds")
    if curves is not None:
        plain, dropped_runs = curves
        charts.show(seed_bands(curves, log=False), "reg_drop_seeds_fig",
                    name="Validation loss with and without dropout over many seeds")
        val_plain, val_drop = final_values(plain), final_values(dropped_runs)
        gap_plain, gap_drop = lab.overfitting_gap(plain), lab.overfitting_gap(dropped_runs)
        wins = count_below(val_drop, val_plain)
        st.caption(f"The same data, network and initial weights with and without dropout, for {count} seeds (each "
                   "seed: its own initial weights and masks); lines are the medians, the shaded bands hold 10–90% of "
                   f"the seeds. Without dropout the training loss (dashed) falls towards 0 while the validation loss "
                   f"(solid) climbs back up: overfitting. **Dropout ends with the lower validation loss in "
                   f"{of_seeds(wins, count)}**; the overfitting gap (validation − training loss at the last epoch, "
                   f"median) is {gap_drop:.3f} with dropout against {gap_plain:.3f} without. " + draws_note(
                       width, drop, epochs, count))
        download("many-seed curves", spread_table(curves), "regularization_dropout_seeds", "reg_drop_seeds_csv")

    st.subheader("(c) Why can the validation loss look better than the training loss?")
    results = out.results if curves is None else (seed_run(curves[0]), *out.results)
    dropped, first = out.dropped_loss, 0 if curves is None else 1  # first: the dropout run's place
    charts.show(regularizer_curves(results, dropped), "reg_drop_curves",
                name="Training and validation loss with dropout and batch norm")
    val = results[first].history["val_loss"].to_numpy()
    below = lab.note_share(val, dropped)
    check = lab.DROPOUT_CHECK
    runs = ", ".join((["without dropout"] if curves is not None else []) + ["with dropout"]
                     + (["with batch norm"] if norm else []))
    st.caption(f"Seed {seed} alone: the same network, data and initial weights ({runs}; full-batch Adam). With "
               "dropout the validation loss lies **below** the training loss with units dropped (dotted: the loss "
               f"the optimizer sees) in {below:.0%} of the epochs from epoch {lab.NOTE_FROM} on: the lecture's note. "
               f"At the defaults{'' if defaults(width, drop, epochs) else ' (not these settings)'} it shows in at "
               f"least {min(check.shares)}% of those epochs on each data draw of seeds {check.data_seeds[0]}–"
               f"{check.data_seeds[-1]}. It *may* happen, the lecture says: only when the thinned networks predict "
               "clearly worse than the full one. Try p = 0.5: more units are kept, and it shows less often."
               + (" Batch norm re-centres and re-scales each layer; it thins nothing, so it has no such gap." if norm
                  else ""))
    st.info("**Why is the validation loss better than the training loss with dropout?** The training loss is measured "
            "with units dropped: each step trains a thinned network, which predicts worse. The validation loss is "
            "measured on the full network, which averages all those thinned networks (an ensemble with shared "
            "weights). Measured on the full network too (dashed), the training loss is below the validation loss "
            "as usual.", icon=":material/lightbulb:")
    download("learning curves", histories_table(results).assign(
        dropped_train_loss=np.r_[np.full(sum(len(r.history) for r in results[:first]), np.nan), dropped,
                                 np.full(sum(len(r.history) for r in results[first + 1:]), np.nan)]),
             "regularization_dropout_curves", "reg_drop_csv")

    st.subheader("(d) Test-time scaling")
    scaling = out.scaling
    left, right = st.columns(2)
    left.markdown("**Original dropout** (the lecture): scale at test time")
    left.latex(r"\begin{gathered}\text{train: } \tilde h = m \odot h \\ m_i \sim \text{Bernoulli}(1-p) \\ "
               r"\mathbb{E}[\tilde h] = (1-p)\,h \\ \text{test: } (1-p)\,h\quad (W \leftarrow (1-p)\,W)"
               r"\end{gathered}")
    right.markdown("**Inverted dropout** (this engine, PyTorch, Keras): scale while training")
    right.latex(r"\begin{gathered}\text{train: } \tilde h = \frac{m \odot h}{1-p} \\ m_i \sim \text{Bernoulli}(1-p) \\ "
                r"\mathbb{E}[\tilde h] = h \\ \text{test: } h\quad (\text{no scaling})\end{gathered}")
    charts.show(dropout_scaling(scaling, drop), "reg_drop_scaling",
                name="Dropout's scaling at training and at test time")
    gap = lab.scaling_gap(scaling)
    st.caption(f"Each unit of the trained dropout network's first hidden layer: its mean activation over the training "
               f"points, averaged over {cache.MASKS} random masks (training time), next to its test-time activation; "
               f"p is the drop probability, so a unit is kept with probability 1 − p = {1 - drop:.2g}. Both "
               f"conventions match in expectation (largest gap {gap:.1%} of the largest activation, from sampling); "
               f"the original without its test-time 1 − p (×) would be 1/(1 − p) = {1 / (1 - drop):.2g} times too "
               "large.")
    download("activations", scaling, "regularization_dropout_scaling", "reg_drop_scaling_csv")


# ---- tab 4: data augmentation ------------------------------------------------------------------------------------


def show_augmentation(count: int):
    st.markdown("*Data augmentation doesn't restrict network capacity, but it helps generalization by increasing the "
                "size of your training set! Apply rotation, crops, scales, ... during training* (Figure 20). Here the "
                "'images' are points: each epoch every training point is reflected, rotated and jittered afresh.")
    with st.form("reg_aug_form"):
        c = st.columns(4)
        name = c[0].selectbox("Dataset", ("circles", "moons", "xor", "spiral"), key="reg_aug_dataset", bind=Q)
        points = c[0].slider("Training points", 20, 100, 20, 5, key="reg_aug_points", bind=Q)
        noise = c[1].slider("Noise", 0.0, 0.3, 0.1, 0.01, key="reg_aug_noise", bind=Q)
        rotation = c[1].slider("Rotation ±degrees", 0, 180, 180, 5, key="reg_aug_rotation", bind=Q)
        reflect = c[2].selectbox("Reflection", list(REFLECTIONS), index=3, key="reg_aug_reflect", bind=Q,
                                 help="x: across the x-axis, y: across the y-axis, xy: both, each with probability ½.")
        jitter = c[2].slider("Jitter σ", 0.0, 0.3, 0.05, 0.01, key="reg_aug_jitter", bind=Q)
        epochs = c[3].slider("Epochs", 20, 300, AUG_EPOCHS, 10, key="reg_aug_epochs", bind=Q)
        seed = whole_number("Seed", 0, 10_000, 0, "reg_aug_seed", c[3],
                            help="Draws the data, and the first seed of the many-seed comparison.")
        st.form_submit_button("Train", type="primary", icon=":material/play_arrow:")
    if (rotation or reflect != "none") and name != "circles":
        st.info(f"Rotating or reflecting {name} can change what a point means (a moon rotated by 180° lands on the "
                "other moon): an augmentation must keep the label true. Circles are symmetric under both; try jitter "
                "alone.", icon=":material/info:")
    args = (name, points, AUG_VAL_POINTS, noise, jitter, float(rotation), reflect)
    copies = st.slider("Epochs of augmented points drawn", 1, min(10, MAX_AUGMENT_EPOCHS), 5, key="reg_aug_copies",
                       bind=Q)
    split = cache.few_points(name, points, AUG_VAL_POINTS, noise, seed)
    augmented = cache.augmented_points(*args, copies, seed)
    charts.show(augmentation_points(split.X_train, split.y_train, augmented), "reg_aug_points_fig",
                name="The training points and their augmented copies")
    st.caption(f"Left: the {points} training points. Right: the same points as the network saw them in the first "
               f"{copies} epochs (faint), drawn from the training run's own random streams. The network never sees the "
               f"same point twice; the {AUG_VAL_POINTS} validation points are never augmented.")
    download("augmented points", augmented, "regularization_augmented_points", "reg_aug_points_csv")
    curves = trained(cache.augmentation_seeds, *args, epochs, cache.seeds_of(seed, count))
    if curves is not None:
        without, with_ = curves
        charts.show(seed_bands(curves), "reg_aug_curves",
                    name="Validation loss with and without augmentation over many seeds")
        wins = count_below(final_values(with_), final_values(without))
        st.caption(f"Validation loss (solid: median over {count} seeds, band: 10–90%) and training loss (dashed, "
                   "median) with and without augmentation: the same network (32 × 32 ReLU, Adam on mini-batches of "
                   "20), data, and for each seed the same initial weights and batches. Without it the training loss "
                   "goes to 0 while the validation loss climbs (overfitting); with it both stay together. "
                   "**Augmentation ends with the lower validation loss in "
                   f"{of_seeds(wins, count)}.**")
        download("many-seed curves", spread_table(curves), "regularization_augmentation_curves", "reg_aug_curves_csv")
    results = trained(cache.augmentation_runs, *args, epochs, seed)
    if results is None:
        return
    charts.show(decision_boundaries(results, epochs, points_of(split)), "reg_aug_boundaries",
                name="Decision boundaries with and without data augmentation")
    st.caption(f"Seed {seed}: the decision boundaries after training. Filled dots: the training points; rings: "
               "validation points.")
    download("decision boundaries", grid_table(results), "regularization_augmentation_boundaries", "reg_aug_bound_csv")


# ---- the page ----------------------------------------------------------------------------------------------------

st.title("Regularization")
st.caption("Lecture: *Generalization* and *Regularization* — weight penalties, early stopping, dropout, batch norm "
           "and data augmentation (Figures 19–20). *In practice, we let the network get big and use other methods to "
           "help select a good set of weights from all these candidates.* Each tab is one of those methods.")
seeds = st.select_slider("Seeds per comparison", SEED_COUNTS, cache.SEEDS, key="reg_seeds", bind=Q,
                         help="Every comparison (with against without a regularizer) is trained once per seed: its own "
                              "initial weights, mini-batches, masks and augmentation draws. Curves show the median and "
                              "the 10–90% band over the seeds; one seed alone can flip a conclusion.")
tabs = st.tabs(["Weight penalties", "Early stopping", "Dropout and batch norm", "Data augmentation"], key="reg_tab",
               on_change="rerun", bind=Q)
for tab, show in zip(tabs, (show_penalties, show_early_stopping, show_dropout, show_augmentation)):
    with tab:
        if tab.open:
            show(seeds)
