"""The data preprocessing lab runs at its defaults and after each control changes, with no exception (AppTest)."""

import re

import pytest
from apptest_helpers import change, failures, figures, open_page
from streamlit.testing.v1 import AppTest

from optiviz.core.optimizers import OPTIMIZERS

PAGE = "pages/preprocessing.py"
FIGURES = ["data", "surfaces", "curves", "sweep", "fig5", "fig5_curves"]


def figure(at: AppTest, name: str) -> dict:
    return figures(at)[FIGURES.index(name)]


@pytest.fixture(scope="module")
def defaults() -> AppTest:
    return open_page(PAGE)


@pytest.fixture
def lab() -> AppTest:
    return change(open_page(PAGE), pp_samples=60, pp_steps=30)


def test_defaults_show_the_four_clouds_surfaces_and_figure_5(defaults):
    assert len(figures(defaults)) == len(FIGURES)
    data = figure(defaults, "data")
    assert [a["text"] for a in data["layout"]["annotations"]] == ["<b>raw</b>", "<b>zero-centred</b>", "<b>normalised</b>",
                                                                  "<b>whitened</b>"]
    assert data["layout"]["yaxis2"]["scaleanchor"] == "x2"  # equal axes
    surfaces = figure(defaults, "surfaces")
    assert sum(t["type"] == "heatmap" for t in surfaces["data"]) == 4
    titles = [a["text"] for a in surfaces["layout"]["annotations"]]
    kappa = [float(re.search(r"κ = ([0-9.e+-]+)", t)[1]) for t in titles]
    assert kappa[-1] == 1 and kappa[0] > 20  # a ravine, then round contours
    assert all("α = " in t for t in titles)  # by default each runs at its own best α
    table = defaults.dataframe[0].value
    assert list(table["preprocessing"]) == ["raw", "zero-centred", "normalised", "whitened"]
    assert "steps at the best α" not in table  # the main runs are at the best α
    taken = [int(s) for s in table["steps to converge"]]
    assert taken[0] > taken[1] > taken[2] > taken[3] == 1  # at its own best α, the steps follow κ
    assert not defaults.warning and not defaults.info
    fig5 = figure(defaults, "fig5")
    near, far = (float(a["text"].split(": ")[1].split("%")[0]) for a in fig5["layout"]["annotations"])
    assert far > 3 * near  # the far cloud's line moves more
    labels = [b.label for b in defaults.get("download_button")]
    assert len(labels) == 6 and all("CSV" in label for label in labels)


def test_a_large_learning_rate_warns_that_raw_data_diverge(lab):
    change(lab, pp_alpha="shared", pp_lr_linear_sgd=1.0)
    warnings = [w.value for w in lab.warning]
    assert any(w.startswith("**raw** diverged") for w in warnings)
    assert not any("whitened" in w for w in warnings)
    assert lab.dataframe[0].value["diverged at step"].iloc[3] == "—"


def test_logistic_model_explains_the_missing_bias(lab):
    change(lab, pp_model="logistic")
    assert any("bias" in i.value for i in lab.info)
    data = figure(lab, "data")
    assert {t["name"] for t in data["data"] if t["type"] == "scatter"} >= {"class 0", "class 1"}


@pytest.mark.parametrize("name", [n for n in OPTIMIZERS if n != "sgd"])
def test_every_optimizer(lab, name):
    change(lab, pp_optimizer=name)
    assert f"{OPTIMIZERS[name].label} for 30 steps from the same w₀ on each surface, each at its own best α" in \
        " ".join(c.value for c in lab.caption)
    change(lab, pp_alpha="shared")
    assert f"{OPTIMIZERS[name].label} with α" in " ".join(c.value for c in lab.caption)


def test_optimizer_hyperparameter(lab):
    change(lab, pp_optimizer="momentum")
    change(lab, pp_momentum_momentum=0.5)
    assert not failures(lab)


@pytest.mark.parametrize("key, values", [
    ("pp_centre_x", [-8.0, 0.0, 8.0]),
    ("pp_centre_y", [-8.0, 0.0]),
    ("pp_correlation", [-0.95, 0.0, 0.95]),
    ("pp_scale", [0.25, 4.0]),
    ("pp_samples", [20, 500]),
    ("pp_seed", [1, 10_000]),
    ("pp_steps", [10, 500]),
    ("pp_start_w1", [-5.0, 5.0]),
    ("pp_start_w2", [-5.0, 5.0]),
    ("pp_alpha", ["shared", "best"]),
    ("pp_lr_linear_sgd", [1e-05, 2.0]),
    ("pp_distance", [1.0, 12.0]),
    ("pp_size", [0.01, 0.3]),
])
def test_each_control(lab, key, values):
    for value in values:
        change(lab, **{key: value})
        assert len(figures(lab)) == len(FIGURES)


def test_the_weight_change_moves_the_dashed_line(lab):
    def dashed(at):
        return [t["x"] for t in figure(at, "fig5")["data"] if t.get("line", {}).get("dash") == "dash"][1]

    before = dashed(lab)
    change(lab, pp_size=0.3)
    assert dashed(lab) != before


def test_whitened_data_at_the_origin_still_run(lab):
    change(lab, pp_centre_x=0.0, pp_centre_y=0.0, pp_correlation=0.0, pp_scale=1.0)
    table = lab.dataframe[0].value
    assert table["condition number"].iloc[0] < 2  # a round cloud at the origin needs no preprocessing
