"""The double descent lab runs at its defaults, after each control changes and at extreme values (AppTest)."""

import numpy as np
import pytest
from apptest_helpers import change, clean, figures, numbers, open_page
from streamlit.testing.v1 import AppTest

from optiviz.labs.double_descent import affordable_trials, null_mse

PAGE = "pages/double_descent.py"


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def thresholds(fig: dict) -> set[float]:
    """The x of every vertical line (the interpolation threshold p = n)."""
    return {s["x0"] for s in fig["layout"].get("shapes", [])}


def label(explorer: dict) -> str:
    """The line of text over the 1-D fit."""
    return named(explorer, "this fit")["text"][0]


def named(fig: dict, name: str) -> dict:
    return next(t for t in fig["data"] if t.get("name", "").startswith(name))


@pytest.fixture(scope="module")
def defaults() -> AppTest:
    return open_page(PAGE)


@pytest.fixture
def lab() -> AppTest:
    return open_page(PAGE)


def test_defaults_show_the_curve_the_snapshots_and_the_explorer(defaults):
    curve, snapshots, explorer = figures(defaults)
    assert thresholds(curve) == {40}
    test = numbers(named(curve, "test error (median)")["y"])
    np.testing.assert_array_equal(numbers(named(curve, "test error (median)")["x"]), np.arange(1, 201))
    assert named(curve, "null model")["name"] == "null model (predict 0): 1.04" and null_mse(0.2) == 1.04
    assert curve["layout"]["yaxis"].get("type", "linear") == "linear" and curve["layout"]["yaxis"]["range"][0] == 0
    top = curve["layout"]["yaxis"]["range"][1]
    assert test[:30].max() < top < test.max()  # the U shows whole; the peak leaves the frame, its height written
    assert any(a["text"] == f"↑ peak {test.max():.3g}" for a in curve["layout"]["annotations"])
    shown = metrics(defaults)
    assert shown["Null model (predict 0)"] == "1.04"
    assert float(shown["Best with p > 80"]) < float(shown["Best with p < n"]) < 1.04 < float(shown["Peak of the test error"])
    delta = {m.label: m.proto.delta for m in defaults.metric}
    assert delta["Peak of the test error"] == "at p = 40"
    assert delta["Best with p > 80"].endswith("% lower")
    best = named(curve, "best models")
    assert numbers(best["y"])[0] == pytest.approx(float(shown["Best with p < n"]), rel=1e-3)
    titles = [a["text"] for a in snapshots["layout"]["annotations"] if a["text"].startswith("p = ")]
    assert titles == ["p = 5 < n: least squares", "p = n = 15: the interpolating fit", "p = 60 > n: min-norm interpolant"]
    assert len(explorer["frames"]) == 60 and explorer["layout"]["sliders"][0]["active"] == 14
    assert label(explorer).startswith("<b>p = n = 15: the interpolating fit</b> · train ≈0")
    play = explorer["layout"]["updatemenus"][0]["buttons"][0]
    assert play["label"] == "▶ Play" and play["args"][1]["fromcurrent"] is True  # Pause, then Play goes on
    assert {b.key for b in defaults.get("download_button")} == {"dd_curve_csv", "dd_fit_csv"}
    every = next(b for b in defaults.get("download_button") if b.key == "dd_fit_csv")
    assert every.proto.label == "Download every fit, p = 1 … 60 (CSV)"  # one file for every frame: never out of step
    assert "dd_fit_features" not in [s.key for s in defaults.slider]  # the figure's own slider is the only p control
    captions = " ".join(c.value for c in defaults.caption)
    for words in ("classical regime, with its U", "interpolation threshold", "over-parameterised", "min-norm",
                  "implicit regularization", "ridge", "below the null model", "polynomials",
                  "with p = 60 many polynomials", "in practice, we let the network get big", "Pause"):
        assert words in captions
    assert not defaults.info and not defaults.warning
    assert "dd_weights" not in [s.key for s in defaults.selectbox]  # the true weights are the linear model's


@pytest.mark.parametrize("key, value", [
    ("dd_n_train", 20), ("dd_features", 100), ("dd_noise", 1.0), ("dd_model", "linear"), ("dd_trials", 10),
    ("dd_fit_points", 10), ("dd_fit_noise", 0.3), ("dd_ridge", 0.1), ("dd_fit_ridge", 1e-4), ("dd_seed", 5),
])
def test_each_control(lab, key, value):
    before = figures(lab)
    change(lab, **{key: value})
    after = figures(lab)
    assert len(after) == 3
    changed = [a != b for a, b in zip(after, before)]
    curve_controls = ("dd_n_train", "dd_features", "dd_noise", "dd_model", "dd_trials", "dd_seed", "dd_ridge")
    fit_controls = ("dd_fit_points", "dd_fit_noise", "dd_fit_ridge", "dd_seed")
    assert changed[0] == (key in curve_controls)
    assert changed[2] == (key in fit_controls)
    if key == "dd_n_train":
        assert thresholds(after[0]) == {20}
    if key == "dd_fit_points":
        assert len(after[2]["frames"]) == 40 and after[2]["layout"]["title"]["text"].startswith("10 points")
    if key == "dd_model":
        assert "dd_weights" in [s.key for s in lab.selectbox]
    if key == "dd_fit_ridge":
        assert label(after[2]).startswith("<b>p = 15 = n: ridge fit</b>")
        assert "no longer pass through every point" in " ".join(c.value for c in lab.caption)


def test_the_linear_model_with_decaying_weights_says_u_shaped(lab):
    change(lab, dd_model="linear")
    equal = figures(lab)[0]
    change(lab, dd_weights="decaying")
    assert "classical U-shaped regime" in " ".join(c.value for c in lab.caption)
    test = numbers(named(figures(lab)[0], "test error (median)")["y"])
    assert figures(lab)[0] != equal
    best = int(np.argmin(test[:39]))
    assert 0 < best < 30 and test[best] < test[0] and test[38] > test[best]  # down, then up
    assert metrics(lab)["Best with p < n"] == f"{test[best]:.3g}"


def test_the_fit_ridge_calms_the_polynomial(lab):
    wild = float(label(figures(lab)[2]).split("test ")[1].split(" ")[0])
    lab.select_slider(key="dd_fit_ridge").set_value(1e-3).run()
    clean(lab)
    assert float(label(figures(lab)[2]).split("test ")[1].split(" ")[0]) < wild / 100


def test_ridge_smooths_the_peak(lab):
    peak = float(metrics(lab)["Peak of the test error"])
    lab.select_slider(key="dd_ridge").set_value(10.0).run()
    clean(lab)
    assert float(metrics(lab)["Peak of the test error"]) < peak / 10


def test_too_much_work_uses_fewer_trials(lab):
    change(lab, dd_n_train=100, dd_features=400, dd_trials=100)
    most = affordable_trials(100, 400, 100, "relu")
    assert any(f"using {most} trials" in i.value for i in lab.info)
    assert f"medians over {most} trials" in " ".join(c.value for c in lab.caption)
    assert thresholds(figures(lab)[0]) == {100}


def test_no_over_parameterised_regime_when_d_is_at_most_n(lab):
    change(lab, dd_n_train=100, dd_features=10)
    assert any("raise P above n" in i.value for i in lab.info)
    assert thresholds(figures(lab)[0]) == set()  # no threshold inside the plot


@pytest.mark.parametrize("settings", [
    dict(dd_n_train=5, dd_features=10, dd_trials=1, dd_noise=0.0),
    dict(dd_noise=2.0, dd_ridge=100.0, dd_fit_ridge=100.0, dd_seed=10_000),
    dict(dd_fit_points=30, dd_fit_noise=0.5),
    dict(dd_fit_points=5, dd_fit_noise=0.0),
    dict(dd_ridge=1e-6, dd_n_train=100, dd_features=100),
    dict(dd_model="linear", dd_weights="decaying", dd_n_train=100, dd_features=400, dd_trials=100, dd_noise=2.0),
    dict(dd_n_train=5, dd_features=400, dd_ridge=100.0, dd_noise=0.0),
])
def test_extreme_values(lab, settings):
    change(lab, **settings)
    assert len(figures(lab)) == 3
    assert not lab.warning
    for fig in figures(lab):
        for trace in fig["data"]:
            if trace.get("y") is not None:
                assert np.all(np.isfinite(numbers(trace["y"])))


def test_the_captions_follow_what_the_curve_shows(lab):
    """With much noise the network's classical regime has no U and the big models do not win: the captions say so."""
    change(lab, dd_noise=2.0)
    captions = " ".join(c.value for c in lab.caption)
    assert "shows no clear U" in captions and "with its U" not in captions
    assert "do not clearly beat the small ones" in captions and "let the network get big" not in captions
    delta = {m.label: m.proto.delta for m in lab.metric}
    assert delta["Best with p > 80"].endswith("% higher")
