"""The double descent lab runs at its defaults, after each control changes and at extreme values (AppTest)."""

import numpy as np
import pytest
from apptest_helpers import change, clean, figures, numbers, open_page
from streamlit.testing.v1 import AppTest

from optiviz.double_descent import affordable_trials

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
    np.testing.assert_array_equal(numbers(named(curve, "test error (median)")["x"]), np.arange(1, 201))
    assert named(curve, "null model")["name"] == "null model (predict 0): 1.25"
    assert curve["layout"]["yaxis"]["type"] == "log"
    shown = metrics(defaults)
    assert shown["Null model (predict 0)"] == "1.25"
    assert float(shown["Largest model (p = 200)"]) < 1.25 < float(shown["Peak of the test error"])
    peak = next(m for m in defaults.metric if m.label == "Peak of the test error")
    assert peak.proto.delta == "at p = 40"
    titles = [a["text"] for a in snapshots["layout"]["annotations"] if a["text"].startswith("p = ")]
    assert titles == ["p = 5 < n: least squares", "p = n = 15: the interpolating fit", "p = 60 > n: min-norm interpolant"]
    assert len(explorer["frames"]) == 60 and explorer["layout"]["sliders"][0]["active"] == 14
    assert label(explorer).startswith("<b>p = n = 15: the interpolating fit</b> · train ≈0")
    assert {b.key for b in defaults.get("download_button")} == {"dd_curve_csv", "dd_fit_csv"}
    captions = " ".join(c.value for c in defaults.caption)
    for words in ("classical", "interpolation threshold", "over-parameterised", "min-norm", "implicit regularization",
                  "ridge", "below the null model", "polynomials", "with p = 60 many polynomials"):
        assert words in captions
    assert not defaults.info and not defaults.warning


@pytest.mark.parametrize("key, value", [
    ("dd_n_train", 20), ("dd_features", 100), ("dd_noise", 1.0), ("dd_weights", "decaying"), ("dd_trials", 10),
    ("dd_fit_points", 10), ("dd_fit_noise", 0.3), ("dd_ridge", 0.1), ("dd_fit_ridge", 1e-4), ("dd_seed", 5),
    ("dd_fit_features", 40),
])
def test_each_control(lab, key, value):
    before = figures(lab)
    change(lab, **{key: value})
    after = figures(lab)
    assert len(after) == 3
    changed = [a != b for a, b in zip(after, before)]
    curve_controls = ("dd_n_train", "dd_features", "dd_noise", "dd_weights", "dd_trials", "dd_seed", "dd_ridge")
    fit_controls = ("dd_fit_points", "dd_fit_noise", "dd_fit_ridge", "dd_seed", "dd_fit_features")
    assert changed[0] == (key in curve_controls)
    assert changed[2] == (key in fit_controls)
    if key == "dd_n_train":
        assert thresholds(after[0]) == {20}
    if key == "dd_fit_points":
        assert len(after[2]["frames"]) == 40 and after[2]["layout"]["title"]["text"].startswith("10 points")
    if key == "dd_fit_features":
        assert label(after[2]).startswith("<b>p = 40 > n: min-norm interpolant</b>")
        assert after[2]["layout"]["sliders"][0]["active"] == 39
    if key == "dd_fit_ridge":
        assert label(after[2]).startswith("<b>p = 15 = n: ridge fit</b>")
        assert "no longer pass through every point" in " ".join(c.value for c in lab.caption)


def test_decaying_weights_say_u_shaped(lab):
    change(lab, dd_weights="decaying")
    assert "classical U-shaped regime" in " ".join(c.value for c in lab.caption)
    assert metrics(lab)["Best small model (p < n)"] == "0.95"


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
    most = affordable_trials(100, 400, 100)
    assert any(f"using {most} trials" in i.value for i in lab.info)
    assert f"medians over {most} trials" in " ".join(c.value for c in lab.caption)
    assert thresholds(figures(lab)[0]) == {100}


def test_no_over_parameterised_regime_when_d_is_at_most_n(lab):
    change(lab, dd_n_train=100, dd_features=10)
    assert any("raise D above n" in i.value for i in lab.info)
    assert thresholds(figures(lab)[0]) == set()  # no threshold inside the plot


@pytest.mark.parametrize("settings", [
    dict(dd_n_train=5, dd_features=10, dd_trials=1, dd_noise=0.0),
    dict(dd_noise=2.0, dd_ridge=100.0, dd_fit_ridge=100.0, dd_seed=10_000),
    dict(dd_fit_points=30, dd_fit_features=120, dd_fit_noise=0.5),
    dict(dd_fit_points=5, dd_fit_features=1, dd_fit_noise=0.0),
    dict(dd_ridge=1e-6, dd_n_train=100, dd_features=100),
])
def test_extreme_values(lab, settings):
    change(lab, **settings)
    assert len(figures(lab)) == 3
    assert not lab.warning
    for fig in figures(lab):
        for trace in fig["data"]:
            if trace.get("y") is not None:
                assert np.all(np.isfinite(numbers(trace["y"])))
