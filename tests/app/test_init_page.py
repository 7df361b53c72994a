"""The activations and initialisation lab runs at its defaults and after each control changes (AppTest)."""

import pytest
from apptest_helpers import clean, figures, open_page
from apptest_helpers import submit as submit_form
from streamlit.testing.v1 import AppTest

from optiviz.nn.activations import ACTIVATIONS
from optiviz.nn.init_stats import SCHEMES

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
    assert any(t.startswith("tanh") for t in titles) and any(t.startswith("relu") for t in titles)
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
        assert table.loc["zeros", "distinct units in hidden layer 1"] == 1
        assert table.loc["constant", "distinct units in hidden layer 1"] == 1
        assert table.loc["he", "distinct units in hidden layer 1"] > 1


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
