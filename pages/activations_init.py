"""Activations and initialisation: vanishing gradients, dead ReLUs and weight initialisation."""

import numpy as np
import streamlit as st

from optiviz.figures.activations_init import (activation_label, activation_panels, forward_note, gradient_spread,
                                              histogram_grid, layer_moments, scheme_label, spread_note, training_losses,
                                              unit_health)
from optiviz.labs.activations_init import training as init_training
from optiviz.nn.activations import ACTIVATIONS, get_activation
from optiviz.labs.activations_init.statistics import (MAX_LAYERS, MAX_SAMPLES, MAX_WIDTH, SCHEMES, affordable_layers,
                                                      affordable_samples)
from optiviz.ui import charts
from optiviz.ui import activations_init as cache
from optiviz.ui.controls import whole_number

SHOWN = ("sigmoid", "tanh", "relu", "leaky_relu", "elu")
FORMULAS = {"sigmoid": "1/(1+e⁻ᶻ)", "tanh": "tanh z", "relu": "max(0, z)", "leaky_relu": "max(αz, z)",
            "elu": "z for z ≥ 0, α(eᶻ − 1) below", "linear": "z"}
SIGMAS = (0.001, 0.01, 0.05, 0.1, 0.5, 1.0, 2.0)

st.title("Activations and initialisation")
st.caption("Lecture: *Recall: activation functions*, *Vanishing/exploding gradient*, *Dead ReLU*, *Skip connections*, "
           "*Weight initialization* (Figures 4, 8 and 9). Pick an activation and the schemes to compare "
           "in the sidebar.")

with st.sidebar.form("init_settings"):
    st.header("Network")
    activation = st.selectbox("Activation", [a for a in ACTIVATIONS], index=list(ACTIVATIONS).index("tanh"),
                              format_func=activation_label, key="init_activation", bind="query-params")
    alpha = st.slider("Leaky ReLU / ELU slope α", 0.01, 1.0, 0.1, 0.01, key="init_alpha", bind="query-params")
    layers = st.slider("Hidden layers", 1, MAX_LAYERS, 10, key="init_layers", bind="query-params",
                       help=f"At most {MAX_LAYERS}.")
    width = st.select_slider("Units per layer", (10, 50, 100, 200, 500, 1000), 500, key="init_width",
                             bind="query-params", help=f"Every layer is width × width; at most {MAX_WIDTH}.")
    samples = st.select_slider("Samples (inputs ~ N(0, 1))", (100, 250, 500, 1000, 2000), 1000, key="init_samples",
                               bind="query-params", help=f"At most {MAX_SAMPLES}.")
    skip = st.toggle("Skip connections", key="init_skip", bind="query-params",
                     help="h_l = h_{l−1} + f(z_l): the gradient gets a direct path back.")
    seed = whole_number("Seed", 0, 10_000, 0, "init_seed")
    st.header("Schemes")
    schemes = st.multiselect("Compare", list(SCHEMES), default=list(SCHEMES), format_func=scheme_label,
                             key="init_schemes", bind="query-params")
    small_sigma = st.select_slider("small normal σ", SIGMAS, 0.01, key="init_small_sigma", bind="query-params")
    large_sigma = st.select_slider("large normal σ", SIGMAS, 2.0, key="init_large_sigma", bind="query-params",
                                   help="Large or small compared with Xavier's 1/√Nᵢₙ: σ√Nᵢₙ sets the spread of z.")
    constant = st.select_slider("constant c", SIGMAS, 0.1, key="init_constant", bind="query-params")
    st.caption("Xavier: N(0, 1/Nᵢₙ), the lecture's. He: N(0, 2/Nᵢₙ), for ReLU.")
    st.form_submit_button("Run", type="primary", icon=":material/play_arrow:", use_container_width=True)

slope = alpha if activation in ("leaky_relu", "elu") else None

st.subheader("The activation functions and their derivatives")
z = np.linspace(-6, 6, 601)
curves = {}
for name in SHOWN:
    f = get_activation(name, alpha if name in ("leaky_relu", "elu") else None)
    curves[name] = (f.value(z), f.derivative(z), FORMULAS[name])
charts.show(activation_panels(z, curves), "activations", name="Activation functions and their derivatives")
st.caption(", ".join(f"{activation_label(n)} = {FORMULAS[n]}" for n in SHOWN) + f" (α = {alpha:g}). "
           "Where a curve is flat its derivative is near zero: a unit there passes almost no gradient back "
           "(sigmoid and tanh saturate at both ends; ReLU is dead for every z < 0, leaky ReLU keeps a slope α there).")

if not schemes:
    st.warning("Pick at least one scheme to compare in the sidebar, then press Run.", icon=":material/warning:")
    st.stop()

most = affordable_layers(width, layers, len(schemes))  # drawing the weights alone must fit too
if most < layers:
    st.info(f"{len(schemes)} schemes of {layers} layers of {width} units is a lot of work for a shared server: "
            f"using {most} layers. Compare fewer schemes, or narrower layers, to go deeper.", icon=":material/speed:")
    layers = most
affordable = affordable_samples(layers, width, samples, len(schemes))  # one request stays within ~2 s
if affordable < samples:
    samples = affordable
    st.info(f"{layers} layers of {width} units for {len(schemes)} schemes is a lot of work for a shared server: "
            f"using {samples} samples.", icon=":material/speed:")
stats = cache.init_statistics(activation, slope, tuple(schemes), layers, width, samples, seed, skip,
                              small_sigma, large_sigma, constant)

st.subheader(f"The forward pass: {layers} layers of {width} {activation_label(activation)} units")
st.caption("Each cell is the histogram of one layer's activations f(z) for one scheme (as in the lecture's "
           "Figures 8–9). A spike at 0 (the signal dies out) and a wall at the bounds (the units saturate) are "
           "the two ways a deep network stops learning; see the Training tab.")
tabs = st.tabs(["Histograms", "Mean and spread", "Dead and saturated units", "The backward pass", "Training"],
               key="init_tab", bind="query-params", on_change="rerun")
with tabs[0]:
    if tabs[0].open:
        bounds = {"tanh": (-1.05, 1.05), "sigmoid": (-0.05, 1.05)}.get(activation)
        charts.show(histogram_grid(stats, "act", bounds), "act_hist", name="Histograms of each layer's activations")
        st.caption(forward_note(stats, activation, small_sigma, large_sigma))
with tabs[1]:
    if tabs[1].open:
        charts.show(layer_moments(stats), "moments", name="Mean and spread of the activations in each layer")
        st.caption(spread_note(stats, activation))
with tabs[2]:
    if tabs[2].open:
        charts.show(unit_health(stats), "health", name="Share of dead and saturated units in each layer")
with tabs[3]:
    if tabs[3].open:
        st.caption("The gradient of a fixed random linear loss with respect to each layer's pre-activations z, from "
                   "the last layer back to the first. Lines falling towards layer 1 are vanishing gradients; switch on "
                   "skip connections in the sidebar and watch them reach the first layers. Exact zeros (zero "
                   "initialisation) cannot be drawn on a log axis and are left out; values below 10⁻¹² are drawn at "
                   "10⁻¹², the floor below which we call a gradient vanished. In the histograms, a layer whose "
                   "gradients are exactly 0 is marked “0”, and one whose gradients are all below 10⁻¹² (the loss's own "
                   "gradient is of size 1) is marked “≈0”, vanished: no update could use them.")
        charts.show(gradient_spread(stats), "grad_spread", name="Spread of the gradients in each layer")
        charts.show(histogram_grid(stats, "grad"), "grad_hist", name="Histograms of each layer's gradients")
with tabs[4]:
    if tabs[4].open:
        depth, small = min(layers, init_training.DEPTH), min(width, init_training.WIDTH)
        n_seeds = st.select_slider("Seeds", (5, 10, 20), init_training.SEEDS, key="init_train_seeds",
                                   bind="query-params",
                                   help="Each seed draws other initial weights; the band shows how much that matters.")
        st.caption(f"Each scheme trains the same deep network: {depth} hidden layers of {small} "
                   f"{activation_label(activation)} units on {init_training.DATA_POINTS} two-moons points, full-batch "
                   f"momentum (γ = 0.9, α = {init_training.LEARNING_RATE:g}) for {init_training.EPOCHS} epochs, "
                   f"from {n_seeds} seeds of the initial weights. Lines: the median over the seeds; bands: 10–90% of "
                   "the seeds. Zeros and constant draw nothing at random, so one run stands for every seed.")
        if st.button("Train", key="init_train", type="primary", icon=":material/play_arrow:"):
            st.session_state["init_trained"] = True
        if st.session_state.get("init_trained"):
            runs = cache.scheme_trainings(activation, slope, tuple(schemes), depth, small, n_seeds, seed,
                                          small_sigma, large_sigma, constant)
            charts.show(training_losses(runs.curves), "train_losses", name="Training loss for each initialisation")
            st.caption("Read it beside the histograms: where the activations collapse to a spike at 0 (small σ), no "
                       "signal reaches the output and no gradient the first layers, so the loss stays at ln 2, a coin "
                       "toss; " + ("where they pile up at the bounds (large σ), the units are saturated and the "
                                   "gradients explode, and the loss creeps down."
                                   if activation in ("tanh", "sigmoid") else
                                   "where they grow layer after layer (large σ), so do the gradients, and training "
                                   "may diverge (see the table)."))
            counts = init_training.comparisons(runs)
            if counts:
                st.markdown("  \n".join(f"**{scheme_label(a)}** ends with a lower training loss than "
                                        f"**{scheme_label(b)}** in **{k} of {n}** seeds." for a, b, k, n in counts))
            table = init_training.summary(runs)
            table["scheme"] = table["scheme"].map(scheme_label)
            loss = st.column_config.NumberColumn
            st.dataframe(table, hide_index=True, column_config={
                "scheme": "scheme", "loss_median": loss("final training loss (median)", format="%.4f"),
                "loss_p10": loss("10% of seeds", format="%.4f"), "loss_p90": loss("90% of seeds", format="%.4f"),
                "accuracy_median": loss("final training accuracy (median)", format="percent"),
                "diverged": st.column_config.NumberColumn(f"diverged (of {len(runs.seeds)} seeds)")})
            if runs.distinct:
                st.caption(f"After training, the {small} units of hidden layer 1 are "
                           + " and ".join(f"**{d} distinct unit{'s' if d != 1 else ''}** under {scheme_label(s)}"
                                          for s, d in runs.distinct.items())
                           + " initialisation."
                           + (" Started equal, the units get equal gradients and stay equal: symmetry is never broken."
                              if all(d == 1 for d in runs.distinct.values()) else ""))
            st.caption(f"How large is too large depends on the layers' width: z's spread is σ√Nᵢₙ times that of the "
                       f"layer's inputs, and Xavier's σ = 1/√Nᵢₙ keeps it. Here Nᵢₙ = {small}, so σ = {large_sigma:g} "
                       f"gives σ√Nᵢₙ = {large_sigma * np.sqrt(small):.1f}; the histograms' {width} units give "
                       f"{large_sigma * np.sqrt(width):.1f}.")
