"""The activations and initialisation lab runs at its defaults and after each control changes (AppTest)."""

import numpy as np
import pytest
from apptest_helpers import APP, clean, figures, numbers, open_page
from apptest_helpers import submit as submit_form
from streamlit.testing.v1 import AppTest

from optiviz.nn.activations import ACTIVATIONS
from optiviz.labs.activations_init.statistics import SCHEMES

PAGE = "pages/activations_init.py"
SMALL = {"init_layers": 4, "init_width": 50, "init_samples": 250}


def submit(at: AppTest, **values) -> AppTest:
    return submit_form(at, "init_settings", "Run", **values)


@pytest.fixture(scope="module")
def defaults() -> AppTest:
    return open_page(PAGE)


@pytest.fixture
def lab() -> AppTest:
    return submit(open_page(PAGE), **SMALL)


def test_defaults_show_activations_and_the_histogram_grid(defaults):
    activations, grid = figures(defaults)
    titles = [a["text"] for a in activations["layout"]["annotations"]]
    assert any(t.startswith("tanh") for t in titles) and any(t.startswith("ReLU") for t in titles)
    assert any(t.startswith("leaky ReLU") for t in titles) and not any("_" in t for t in titles)  # labels, not names
    assert activations["layout"]["shapes"], "saturated regions are shaded"
    bars = [t for t in grid["data"] if t["type"] == "bar"]
    assert len(bars) == len(SCHEMES) * 10  # schemes × layers


@pytest.mark.parametrize("tab, n_figures", [("Mean and spread", 2), ("Dead and saturated units", 2),
                                            ("The backward pass", 3), ("Training", 2)])
def test_every_tab(lab, tab, n_figures):
    lab.session_state["init_tab"] = tab
    lab.run()
    clean(lab)
    if tab == "Training":
        assert len(figures(lab)) == 1  # nothing trains before the button is pressed
        lab.button(key="init_train").click().run()
        clean(lab)
    assert len(figures(lab)) == n_figures
    if tab == "Training":
        table = lab.dataframe[0].value.set_index("scheme")
        assert list(table.index) == ["zeros", "constant", "small normal", "large normal", "Xavier", "He"]
        assert table.loc["He", "loss_median"] < table.loc["zeros", "loss_median"]
        text = " ".join(c.value for c in lab.caption)
        assert "16 units of hidden layer 1 are **1 distinct unit** under zeros" in text
        assert "and **1 distinct unit** under constant initialisation" in text


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_every_activation(lab, name):
    submit(lab, init_activation=name)


def test_extremes(lab):
    submit(lab, init_layers=1, init_width=10, init_samples=100, init_skip=True, init_alpha=1.0)
    submit(lab, init_small_sigma=0.001, init_large_sigma=2.0, init_constant=2.0, init_activation="linear", init_layers=20)
    submit(lab, init_schemes=["he"])
    assert len([t for t in figures(lab)[1]["data"] if t["type"] == "bar"]) == 10


def test_no_scheme_warns(lab):
    submit(lab, init_schemes=[])
    assert any("Pick at least one scheme" in w.value for w in lab.warning)


def test_backward_histograms_mark_zero_and_vanished_layers_and_keep_ticks_short():
    at = open_page(PAGE)
    at.session_state["init_tab"] = "The backward pass"
    grid = figures(clean(at.run()))[2]
    marks = [a["text"] for a in grid["layout"]["annotations"] if a["text"] in ("0", "≈0")]
    exact_zeros = {"zeros": 9, "constant": 7}  # default view: zeros has ∂L/∂z = 0 below the top; constant underflows to 0
    assert marks.count("0") >= sum(exact_zeros.values()) and "≈0" in marks
    for key, axis in grid["layout"].items():
        if key.startswith("xaxis") and "ticktext" in axis:
            assert all(len(t) <= 5 for t in axis["ticktext"]), axis["ticktext"]  # "2e-5", not "0.00002" or "1e-207"
    drawn = [t for t in grid["data"] if t["type"] == "bar" and "hovertemplate" in t]
    for t in drawn:  # what is drawn is above the floor: no round-off histograms
        assert np.abs(numbers(t["x"])).max() >= 1e-12


@pytest.mark.parametrize("value, seeds", [("5", 5), ("7", 10), ("abc", 10), ("1e9", 10)])
def test_training_seeds_from_a_link(value, seeds):
    at = AppTest.from_file(APP, default_timeout=300).run()
    at.query_params.update({"init_tab": "Training", "init_train_seeds": value, "init_layers": "4", "init_width": "50",
                            "init_schemes": ["Xavier", "large normal"]})
    at = clean(at.switch_page(PAGE).run())
    at.button(key="init_train").click().run()
    clean(at)
    assert at.session_state["init_train_seeds"] == seeds
    bands = [t for t in figures(at)[1]["data"] if "10–90%" in t.get("name", "")]
    assert sorted(b["name"] for b in bands) == [f"Xavier: 10–90% of {seeds} seeds", f"large normal: 10–90% of {seeds} seeds"]
