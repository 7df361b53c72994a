"""Activations and initialisation: vanishing gradients, dead ReLUs and weight initialisation."""

import numpy as np
import pandas as pd
import streamlit as st

from optiviz.figures.init import activation_panels, gradient_spread, histogram_grid, layer_moments, training_losses, unit_health
from optiviz.nn.activations import ACTIVATIONS, get_activation
from optiviz.nn.init_stats import MAX_LAYERS, MAX_SAMPLES, MAX_WIDTH, SCHEMES, affordable_layers, affordable_samples
from optiviz.ui import cache
from optiviz.ui.controls import whole_number

SHOWN = ("sigmoid", "tanh", "relu", "leaky_relu", "elu")
FORMULAS = {"sigmoid": "1/(1+e⁻ᶻ)", "tanh": "tanh z", "relu": "max(0, z)", "leaky_relu": "max(αz, z)",
            "elu": "z, or α(eᶻ−1) below 0", "linear": "z"}
SIGMAS = (0.001, 0.01, 0.05, 0.1, 0.5, 1.0, 2.0)

st.title("Activations and initialisation")
st.caption("Lecture: *Recall: activation functions*, *Vanishing/exploding gradient*, *Dead ReLU*, *Skip connections*, "
           "*Weight initialization* (Figures 4, 8 and 9). Pick an activation and the schemes to compare in the sidebar.")

with st.sidebar.form("init_settings"):
    st.header("Network")
    activation = st.selectbox("Activation", [a for a in ACTIVATIONS], index=list(ACTIVATIONS).index("tanh"), key="init_activation", bind="query-params")
    alpha = st.slider("Leaky ReLU / ELU slope α", 0.01, 1.0, 0.1, 0.01, key="init_alpha", bind="query-params")
    layers = st.slider("Hidden layers", 1, MAX_LAYERS, 10, key="init_layers", bind="query-params", help=f"At most {MAX_LAYERS}.")
    width = st.select_slider("Units per layer", (10, 50, 100, 200, 500, 1000), 500, key="init_width", bind="query-params",
                             help=f"Every layer is width × width; at most {MAX_WIDTH}.")
    samples = st.select_slider("Samples (inputs ~ N(0, 1))", (100, 250, 500, 1000, 2000), 1000, key="init_samples", bind="query-params",
                               help=f"At most {MAX_SAMPLES}.")
    skip = st.toggle("Skip connections", key="init_skip", bind="query-params", help="h_l = h_{l−1} + f(z_l): the gradient gets a direct path back.")
    seed = whole_number("Seed", 0, 10_000, 0, "init_seed")
    st.header("Schemes")
    schemes = st.multiselect("Compare", list(SCHEMES), default=list(SCHEMES), key="init_schemes", bind="query-params")
    small_sigma = st.select_slider("small normal σ", SIGMAS, 0.01, key="init_small_sigma", bind="query-params")
    large_sigma = st.select_slider("large normal σ", SIGMAS, 1.0, key="init_large_sigma", bind="query-params")
    constant = st.select_slider("constant c", SIGMAS, 0.1, key="init_constant", bind="query-params")
    st.caption("Xavier: N(0, 1/N_in), the lecture's. He: N(0, 2/N_in), for ReLU.")
    st.form_submit_button("Run", type="primary", icon=":material/play_arrow:", use_container_width=True)

slope = alpha if activation in ("leaky_relu", "elu") else None

st.subheader("The activation functions and their derivatives")
z = np.linspace(-6, 6, 601)
curves = {}
for name in SHOWN:
    f = get_activation(name, alpha if name in ("leaky_relu", "elu") else None)
    curves[name] = (f.value(z), f.derivative(z), FORMULAS[name])
st.plotly_chart(activation_panels(z, curves), key="activations", config={"displaylogo": False})
st.caption("Where a curve is flat its derivative is near zero: a unit there passes almost no gradient back "
           "(sigmoid and tanh saturate at both ends; ReLU is dead for every z < 0).")

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

st.subheader(f"The forward pass: {layers} layers of {width} {activation} units")
st.caption("Each cell is the histogram of one layer's activations f(z) for one scheme (as in the lecture's "
           "Figures 8–9). Collapsing to a spike at 0, or piling up at ±1, are the two ways a deep network stops learning.")
tabs = st.tabs(["Histograms", "Mean and spread", "Dead and saturated units", "The backward pass", "Training"],
               key="init_tab", bind="query-params", on_change="rerun")
with tabs[0]:
    if tabs[0].open:
        bounds = {"tanh": (-1.05, 1.05), "sigmoid": (-0.05, 1.05)}.get(activation)
        st.plotly_chart(histogram_grid(stats, "act", bounds), key="act_hist", config={"displaylogo": False})
with tabs[1]:
    if tabs[1].open:
        st.plotly_chart(layer_moments(stats), key="moments", config={"displaylogo": False})
        st.caption("With tanh: a small σ shrinks the spread layer after layer, a large σ saturates it, Xavier keeps it. "
                   "With ReLU: He keeps it steady, Xavier halves the second moment at every layer.")
with tabs[2]:
    if tabs[2].open:
        st.plotly_chart(unit_health(stats), key="health", config={"displaylogo": False})
with tabs[3]:
    if tabs[3].open:
        st.caption("The gradient of a fixed random linear loss with respect to each layer's pre-activations z, from the "
                   "last layer back to the first. Lines falling towards layer 1 are vanishing gradients; switch on skip "
                   "connections in the sidebar and watch them reach the first layers. Exact zeros (zero initialisation) "
                   "cannot be drawn on a log axis and are left out; values below 10⁻²⁰ are drawn at 10⁻²⁰.")
        st.plotly_chart(gradient_spread(stats), key="grad_spread", config={"displaylogo": False})
        st.plotly_chart(histogram_grid(stats, "grad"), key="grad_hist", config={"displaylogo": False})
with tabs[4]:
    if tabs[4].open:
        depth, small = min(layers, 4), min(width, 16)
        st.caption(f"A short training (Adam, α = 0.01, 40 epochs on the moons) of a {depth}-layer, {small}-unit {activation} "
                   "network for each scheme, so it stays quick. Zero initialisation never learns; constant "
                   "initialisation keeps its units identical.")
        if st.button("Train", key="init_train", type="primary", icon=":material/play_arrow:"):
            st.session_state["init_trained"] = True
        if st.session_state.get("init_trained"):
            histories, distinct = cache.scheme_trainings(activation, slope, tuple(schemes), depth, small, seed,
                                                         small_sigma, large_sigma, constant)
            st.plotly_chart(training_losses(histories), key="train_losses", config={"displaylogo": False})
            st.dataframe(pd.DataFrame({"scheme": list(distinct), "distinct units in hidden layer 1": list(distinct.values()),
                                       "of": small,
                                       "final training accuracy": [h["train_acc"].iloc[-1] for h in histories.values()]}),
                         hide_index=True, column_config={"final training accuracy": st.column_config.NumberColumn(format="percent")})
