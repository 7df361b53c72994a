"""Double descent: train and test error as the number of features p passes the number of samples n."""

import numpy as np
import streamlit as st

from optiviz.labs.double_descent import (MAX_TRIALS, MODELS, TEST_POINTS, WEIGHTS, affordable_trials, best_models,
                                         classical_u, null_mse)
from optiviz.figures.double_descent import double_descent_curve, fit_explorer, fit_snapshots
from optiviz.ui import charts
from optiviz.ui import double_descent as cache
from optiviz.ui.controls import whole_number

PAGE_MAX_SAMPLES, PAGE_MAX_FEATURES, PAGE_MAX_FIT_POINTS = 100, 400, 30
RIDGES = (0.0, 1e-6, 1e-5, 1e-4, 1e-3, 0.01, 0.1, 1.0, 10.0, 100.0)
MODEL_LABELS = {"relu": "ReLU network", "linear": "Linear model"}  # a link spells them so: dd_model=Linear+model
CLASSICAL = {
    "relu": "Left of the interpolation threshold p = n is the classical regime, with its U: the first units bring the "
            "test error down, then the model starts to fit the noise and it climbs.",
    "relu, no U": "Left of the interpolation threshold p = n is the classical regime; with these settings it shows no "
                  "clear U (the default settings do).",
    "equal": "Left of the interpolation threshold p = n is the classical regime. With equal weights each input carries "
             "only a little of the signal, so every extra feature adds more variance than it explains and the test "
             "error only climbs (pick decaying weights to see the classical U shape).",
    "decaying": "Left of the interpolation threshold p = n is the classical U-shaped regime: the first features carry "
                "most of the signal and bring the test error down, then the model starts to fit the noise and it "
                "climbs.",
}

st.title("Double descent")
st.caption("Lecture: *Generalization* — *Why don't deep neural networks overfit?*, the *Double descent curve* and "
           "*Double descent: animation* (Figures 17–18). Set the models in the sidebar.")

with st.sidebar:
    st.header("The curve")
    model = st.selectbox("Model", list(MODELS), key="dd_model", bind="query-params", format_func=MODEL_LABELS.get,
                         help="A network with one hidden layer of p ReLU units, the hidden layer random and frozen "
                              "and only the output weights fitted (as in Belkin et al. 2019); or a linear model on "
                              "the first p of D Gaussian inputs.")
    n_train = st.slider("Training samples n", 5, PAGE_MAX_SAMPLES, 40, key="dd_n_train", bind="query-params",
                        help="The interpolation threshold is at p = n.")
    max_features = st.slider("Largest number of features P", 10, PAGE_MAX_FEATURES, 200, 10, key="dd_features",
                             bind="query-params", help="The model uses the first p of P features (hidden units or "
                                                       "inputs), p = 1 … P.")
    noise = st.slider("Noise σ", 0.0, 2.0, 0.2, 0.05, key="dd_noise", bind="query-params",
                      help="y = f(x) + σε: the part of y no model can predict.")
    weights = "equal"
    if model == "linear":
        weights = st.selectbox("True weights β", list(WEIGHTS), key="dd_weights", bind="query-params",
                               help="; ".join(f"{w}: {text}" for w, text in WEIGHTS.items()) + ". Either way ‖β‖ = 1.")
    trials = st.slider("Trials", 1, MAX_TRIALS, 30, key="dd_trials", bind="query-params",
                       help="Fresh training sets (and fresh hidden units); the curves are the medians over them.")
    ridge = st.select_slider("Ridge λ (0: the min-norm solution)", RIDGES, 0.0, key="dd_ridge", bind="query-params",
                             format_func=lambda v: f"{v:g}",
                             help="ŵ = (ΦᵀΦ + λI)⁻¹Φᵀy; λ = 0 is the min-norm solution ŵ = Φ⁺y.")
    st.header("The picture: a 1-D polynomial")
    fit_points = st.slider("Points n", 5, PAGE_MAX_FIT_POINTS, 15, key="dd_fit_points", bind="query-params")
    fit_noise = st.slider("Noise σ of the points", 0.0, 0.5, 0.1, 0.05, key="dd_fit_noise", bind="query-params",
                          help="y = sin(πx) + σε.")
    fit_ridge = st.select_slider("Ridge λ of the fit (0: min-norm)", RIDGES, 0.0, key="dd_fit_ridge",
                                 bind="query-params", format_func=lambda v: f"{v:g}",
                                 help="The same rule on the polynomial features; their scale differs, so a much "
                                      "smaller λ already calms the fit at p = n.")
    st.header("Both figures")
    seed = whole_number("Seed", 0, 10_000, 0, "dd_seed")

# ---- the curve -------------------------------------------------------------------------------------
st.subheader("The double descent curve")
if model == "relu":
    st.markdown("A network with one hidden layer of $p$ ReLU units $\\varphi_j(x) = \\max(0, v_j^\\top(x - c_j))$, "
                "the hidden layer drawn at random and frozen, learns $f(x) = \\sin(\\pi x_1) + \\cos(\\pi x_2)$ of "
                "$x \\in [-1, 1]^3$ from $n$ noisy samples $y = f(x) + \\sigma\\varepsilon$. Only the output "
                "weights $w$ are fitted, with $\\Phi_p$ the $n \\times p$ matrix of the first $p$ units:")
else:
    st.markdown("Fit $y = x^\\top\\beta + \\sigma\\varepsilon$ with $x \\sim \\mathcal N(0, I_D)$ using only the first "
                "$p$ inputs, on $n$ training samples ($\\Phi_p = X_p$):")
st.latex(r"\hat w = (\Phi_p^\top \Phi_p + \lambda I)^{-1} \Phi_p^\top y \quad\xrightarrow{\ \lambda \to 0\ }\quad "
         r"\hat w = \Phi_p^{+} y \;=\;\arg\min\{\lVert w\rVert : \Phi_p w = y\}\ \text{ once } p \ge n")

most = affordable_trials(n_train, max_features, trials, model)
if most < trials:
    st.info(f"{trials} trials of n = {n_train} samples and P = {max_features} features is a lot of work for a shared "
            f"server: using {most} trials.", icon=":material/speed:")
    trials = most
if n_train >= max_features:
    st.info(f"With P = {max_features} features and n = {n_train} samples the model never has more features than "
            "samples: raise P above n to see the over-parameterised regime.", icon=":material/info:")

curve = cache.curve(n_train, max_features, trials, noise, ridge, seed, weights, model)
null = null_mse(noise)
test = curve["test_mse"].to_numpy()
peak = int(np.argmax(test))
best = best_models(curve, n_train)
cols = st.columns(4)
cols[0].metric("Peak of the test error", f"{test[peak]:.3g}", f"at p = {peak + 1}", delta_color="off",
               delta_arrow="off", border=True,
               help="The largest median test error: at the interpolation threshold p = n when λ = 0.")
if best is not None:
    cols[1].metric("Best with p < n", f"{best.small:.3g}", f"at p = {best.small_p}", delta_color="off",
                   delta_arrow="off", border=True, help="The bottom of the classical regime.")
if best is not None and best.big_p:
    change = best.big / best.small - 1
    cols[2].metric(f"Best with p > {best.big_from}", f"{best.big:.3g}",
                   f"p = {best.big_p}, {abs(change):.0%} {'lower' if change < 0 else 'higher'}",
                   delta_color="off", delta_arrow="off", border=True,
                   help="The lowest median test error well past the threshold (p > 2n), and how much lower or "
                        "higher it is than the best small model's (p < n).")
else:
    cols[2].metric(f"Largest model (p = {max_features})", f"{test[-1]:.3g}",
                   f"{'below' if test[-1] < null else 'above'} the null model", delta_color="off", delta_arrow="off",
                   border=True, help="The median test error with every feature.")
cols[3].metric("Null model (predict 0)", f"{null:.3g}", "E[y²] = E[f²] + σ²", delta_color="off", delta_arrow="off",
               border=True, help="What a model that knows nothing scores: beat it or learn nothing.")

charts.show(double_descent_curve(curve, n_train, null, best), "dd_curve",
            name="Test error against the number of features p: double descent")
u_shaped = classical_u(curve, n_train)
classical = CLASSICAL[("relu" if u_shaped else "relu, no U") if model == "relu" else weights]
if best is not None and best.big_p:
    verdict = (f" The best big model (p = {best.big_p}) has {abs(best.big / best.small - 1):.0%} "
               f"{'less' if best.big < best.small else 'more'} test error than the best small one "
               f"(p = {best.small_p}): "
               + ("in practice, we let the network get big." if best.big <= 0.75 * best.small else
                  "here the big models do not clearly beat the small ones."))
else:
    verdict = ""
st.caption(
    f"{classical} At p = n the model is just big enough to fit the training data exactly; the only "
    "interpolating weights are huge (‖ŵ‖ peaks, bottom panel) and so is the test error. Beyond it, in the "
    "over-parameterised regime, many weight vectors fit the data and the min-norm solution picks the smallest one: an "
    "implicit regularization, and the test error descends a second time"
    f"{', here below the null model' if test[-1] < null else ''}.{verdict} A ridge λ > 0 smooths the peak"
    f"{f' (here λ = {ridge:g}: no fit interpolates exactly)' if ridge > 0 else ''}."
)
measured = (f"σ² plus the mean of (f̂ − f)² over {TEST_POINTS} fresh inputs per trial" if model == "relu" else
            "the exact expected error σ² + ‖β − ŵ‖² on a fresh point")
st.caption(f"The test error is {measured}. Lines are medians over {trials} trials, the band their middle half; the "
           "dotted level is the best small model's test error.")
st.download_button("Download the curve (CSV)", lambda: curve.to_csv(index=False), "double_descent_curve.csv",
                   "text/csv", key="dd_curve_csv", icon=":material/download:", on_click="ignore")

# ---- the fit ---------------------------------------------------------------------------------------
st.subheader("The fit itself: a polynomial before and after the threshold")
st.markdown(f"Fit $n = {fit_points}$ noisy points of $\\sin(\\pi x)$ with the scaled Legendre features "
            "$\\varphi_k(x) = P_k(x)/(k+1)$, $k = 0, \\dots, p-1$, by the same rule. Dividing by $k+1$ makes "
            "the min-norm solution prefer low degrees.")
top = 4 * fit_points
fits = cache.fits(fit_points, top, fit_noise, fit_ridge, seed)
small = max(fit_points // 3, 1)
charts.show(fit_snapshots(fits, (small, fit_points, top)), "dd_snapshots",
            name="Fits below, at and beyond the interpolation threshold")
at_threshold = (f"at p = n = {fit_points} it passes through every point and swings wildly between them (it leaves "
                f"the frame); with p = {top} many polynomials fit the points and the min-norm one is smooth again"
                if fit_ridge == 0 else
                f"with ridge λ = {fit_ridge:g} the fits no longer pass through every point, and the swing at p = n = "
                f"{fit_points} is smoothed away: set λ back to 0 to see it")
st.caption(f"With p = {small} features the polynomial under-fits; {at_threshold}. One-dimensional polynomials show the "
           "picture, not the curve: their test error peaks at p = n but rarely comes back below the best small "
           "model's.")

charts.show(fit_explorer(fits, fit_points), "dd_explorer", name="The min-norm fit at each p, with a player")
st.caption(f"Press ▶ Play to watch the fit as p grows from 1 to {top}, ❚❚ Pause to stop on a frame (▶ Play goes on "
           "from there), or drag the slider under the figure. The fit bends more and more to follow the noise until "
           "p = n, "
           "then calms down as the min-norm solution spreads its weight over more features. The dots on the right "
           "mark the errors of the fit shown.")
st.download_button(f"Download every fit, p = 1 … {top} (CSV)", lambda: fits.every_fit().to_csv(index=False),
                   "double_descent_fits.csv", "text/csv", key="dd_fit_csv", icon=":material/download:",
                   on_click="ignore",
                   help="One row per training point and grid point, one column fit_p1 … "
                        f"fit_p{top} per number of features.")

with st.expander("Why the second descent? (Boaz Barak's explanation, from the lecture)"):
    st.markdown(
        "When the model is too small we under-fit. As $p$ grows towards $n$ we fit more and more of the noise, until "
        "at $p = n$ a single interpolating model remains: perfect training, very poor test performance. When $p$ "
        "grows beyond $n$, more than one model fits the data, and (under certain conditions) SGD selects the minimal "
        "norm one, which makes the interpolation smoother and smoother and actually results in better performance. "
        "Gradient descent started from $w = 0$ on least squares converges to exactly this $\\hat w = \\Phi^{+}y$: "
        "its steps never leave the row space of $\\Phi$."
    )
