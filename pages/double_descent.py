"""Double descent: train and test error as the number of features p passes the number of samples n."""

import numpy as np
import streamlit as st

from optiviz.double_descent import MAX_TRIALS, WEIGHTS, affordable_trials, null_mse
from optiviz.figures.double_descent import double_descent_curve, fit_explorer, fit_snapshots
from optiviz.ui import double_descent_cache as cache
from optiviz.ui.controls import whole_number

PAGE_MAX_SAMPLES, PAGE_MAX_FEATURES, PAGE_MAX_FIT_POINTS = 100, 400, 30
RIDGES = (0.0, 1e-6, 1e-5, 1e-4, 1e-3, 0.01, 0.1, 1.0, 10.0, 100.0)
CONFIG = {"displaylogo": False}
CLASSICAL = {
    "equal": "Left of the interpolation threshold p = n is the classical regime. With equal weights each input carries "
             "only a little of the signal, so every extra feature adds more variance than it explains and the test "
             "error only climbs (pick decaying weights to see the classical U shape).",
    "decaying": "Left of the interpolation threshold p = n is the classical U-shaped regime: the first features carry "
                "most of the signal and bring the test error down, then the model starts to fit the noise and it climbs.",
}

st.title("Double descent")
st.caption("Lecture: *Generalization* — *Why don't deep neural networks overfit?*, the *Double descent curve* and "
           "*Double descent: animation* (Figures 17–18). Set the models in the sidebar.")

with st.sidebar:
    st.header("The curve: a linear model")
    n_train = st.slider("Training samples n", 5, PAGE_MAX_SAMPLES, 40, key="dd_n_train", bind="query-params",
                        help="The interpolation threshold is at p = n.")
    max_features = st.slider("Inputs D (the largest p)", 10, PAGE_MAX_FEATURES, 200, 10, key="dd_features",
                             bind="query-params", help="The model uses the first p of the D inputs, p = 1 … D.")
    noise = st.slider("Noise σ", 0.0, 2.0, 0.5, 0.05, key="dd_noise", bind="query-params",
                      help="y = xᵀβ + σε: the part of y no model can predict.")
    weights = st.selectbox("True weights β", list(WEIGHTS), key="dd_weights", bind="query-params",
                           help="; ".join(f"{w}: {text}" for w, text in WEIGHTS.items()) + ". Either way ‖β‖ = 1.")
    trials = st.slider("Trials", 1, MAX_TRIALS, 50, key="dd_trials", bind="query-params",
                       help="Fresh training sets; the curves are the medians over them.")
    ridge = st.select_slider("Ridge λ (0: the min-norm solution)", RIDGES, 0.0, key="dd_ridge", bind="query-params",
                             format_func=lambda v: f"{v:g}",
                             help="ŵ = (XᵀX + λI)⁻¹Xᵀy; λ = 0 is the min-norm solution ŵ = X⁺y.")
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
st.markdown("Fit $y = x^\\top\\beta + \\sigma\\varepsilon$ with $x \\sim \\mathcal N(0, I_D)$ using only the first "
            "$p$ inputs, on $n$ training samples:")
st.latex(r"\hat w = (X_p^\top X_p + \lambda I)^{-1} X_p^\top y \quad\xrightarrow{\ \lambda \to 0\ }\quad \hat w = X_p^{+} y"
         r"\;=\;\arg\min\{\lVert w\rVert : X_p w = y\}\ \text{ once } p \ge n")

most = affordable_trials(n_train, max_features, trials)
if most < trials:
    st.info(f"{trials} trials of n = {n_train} samples and D = {max_features} inputs is a lot of work for a shared "
            f"server: using {most} trials.", icon=":material/speed:")
    trials = most
if n_train >= max_features:
    st.info(f"With D = {max_features} inputs and n = {n_train} samples the model never has more features than "
            "samples: raise D above n to see the over-parameterised regime.", icon=":material/info:")

curve = cache.curve(n_train, max_features, trials, noise, ridge, seed, weights)
null = null_mse(noise)
test = curve["test_mse"].to_numpy()
peak = int(np.argmax(test))
below = curve["features"] < n_train
cols = st.columns(4)
cols[0].metric("Peak of the test error", f"{test[peak]:.3g}", f"at p = {peak + 1}", delta_color="off", delta_arrow="off",
               border=True, help="The largest median test error: at the interpolation threshold p = n when λ = 0.")
if below.any():
    best = int(np.argmin(np.where(below, test, np.inf)))
    cols[1].metric("Best small model (p < n)", f"{test[best]:.3g}", f"at p = {best + 1}", delta_color="off",
                   delta_arrow="off", border=True, help="The bottom of the classical regime.")
cols[2].metric(f"Largest model (p = {max_features})", f"{test[-1]:.3g}",
               f"{'below' if test[-1] < null else 'above'} the null model", delta_color="off", delta_arrow="off",
               border=True, help="The median test error with every input.")
cols[3].metric("Null model (predict 0)", f"{null:.3g}", "E[y²] = ‖β‖² + σ²", delta_color="off", delta_arrow="off",
               border=True, help="What a model that knows nothing scores: beat it or learn nothing.")

st.plotly_chart(double_descent_curve(curve, n_train, null), key="dd_curve", config=CONFIG)
st.caption(
    f"{CLASSICAL[weights]} At p = n the model is just big enough to fit the training data exactly; the only "
    "interpolating weights are huge (‖ŵ‖ peaks, bottom panel) and so is the test error. Beyond it, in the "
    "over-parameterised regime, many weight vectors fit the data and the min-norm solution picks the smallest one: an "
    "implicit regularization, and the test error descends a second time"
    f"{', here below the null model' if test[-1] < null else ''}. A ridge λ > 0 smooths the peak"
    f"{f' (here λ = {ridge:g}: no fit interpolates exactly)' if ridge > 0 else ''}."
)
st.caption("Train errors below 10⁻⁴ (0 once the fit interpolates) are drawn at the bottom of the axis, “≈0”. "
           "The test error is the exact expected error σ² + ‖β − ŵ‖² "
           f"on a fresh point. Lines are medians over {trials} trials, the band their middle half.")
st.download_button("Download the curve (CSV)", lambda: curve.to_csv(index=False), "double_descent_curve.csv",
                   "text/csv", key="dd_curve_csv", icon=":material/download:")

# ---- the fit ---------------------------------------------------------------------------------------
st.subheader("The fit itself: a polynomial before and after the threshold")
st.markdown(f"Fit $n = {fit_points}$ noisy points of $\\sin(\\pi x)$ with the scaled Legendre features "
            "$\\varphi_k(x) = P_k(x)/(k+1)$, $k = 0, \\dots, p-1$, by the same rule. Dividing by $k+1$ makes "
            "the min-norm solution prefer low degrees.")
top = 4 * fit_points
fits = cache.fits(fit_points, top, fit_noise, fit_ridge, seed)
small = max(fit_points // 3, 1)
st.plotly_chart(fit_snapshots(fits, (small, fit_points, top)), key="dd_snapshots", config=CONFIG)
at_threshold = (f"at p = n = {fit_points} it passes through every point and swings wildly between them (it leaves "
                f"the frame); with p = {top} many polynomials fit the points and the min-norm one is smooth again"
                if fit_ridge == 0 else
                f"with ridge λ = {fit_ridge:g} the fits no longer pass through every point, and the swing at p = n = "
                f"{fit_points} is smoothed away: set λ back to 0 to see it")
st.caption(f"With p = {small} features the polynomial under-fits; {at_threshold}. One-dimensional polynomials show the "
           "picture, not the curve: their test error peaks at p = n but rarely comes back below the best small model's.")


@st.fragment
def explorer():
    """The slider over p and the animated fit: moving p reruns only this part of the page."""
    p = st.slider("Features p of the fit", 1, top, fit_points, key="dd_fit_features", bind="query-params",
                  help="Or press ▶ Play under the figure to run p from 1 to 4n.")
    st.plotly_chart(fit_explorer(fits, p), key="dd_explorer", config=CONFIG)
    st.caption("Drag the slider, or press ▶ Play to watch the fit as p grows: it bends more and more to follow the "
               "noise until p = n, then calms down as the min-norm solution spreads its weight over more features. "
               "The dots on the right mark the errors of the fit shown.")
    st.download_button(f"Download the fit with p = {p} (CSV)", lambda: fits.table(p).to_csv(index=False),
                       f"double_descent_fit_p{p}.csv", "text/csv", key="dd_fit_csv", icon=":material/download:")


explorer()

with st.expander("Why the second descent? (Boaz Barak's explanation, from the lecture)"):
    st.markdown(
        "When the model is too small we under-fit. As $p$ grows towards $n$ we fit more and more of the noise, until "
        "at $p = n$ a single interpolating model remains: perfect training, very poor test performance. When $p$ "
        "grows beyond $n$, more than one model fits the data, and (under certain conditions) SGD selects the minimal "
        "norm one, which makes the interpolation smoother and smoother and actually results in better performance. "
        "Gradient descent started from $w = 0$ on least squares converges to exactly this $\\hat w = X^{+}y$: "
        "its steps never leave the row space of $X$."
    )
