"""The batch-size lab runs at its defaults and after each control changes, with no exception (AppTest)."""

import pytest
from apptest_helpers import change, figures, open_page
from streamlit.testing.v1 import AppTest

from optiviz.core.optimizers import OPTIMIZERS
from optiviz.ui.controls import LEARNING_RATES

PAGE = "pages/batch_size.py"
SMALL = {"bs_samples": 60, "bs_epochs": 4}  # keeps each rerun short


def lines(fig: dict) -> dict[str, dict]:
    return {t["name"]: t for t in fig["data"] if t.get("mode") == "lines" and t["name"] != "contours"}


@pytest.fixture(scope="module")
def defaults() -> AppTest:
    return open_page(PAGE)


@pytest.fixture
def lab() -> AppTest:
    return change(open_page(PAGE), **SMALL)


def test_defaults_race_three_batch_sizes(defaults):
    race, loss = figures(defaults)
    names = list(lines(race))
    assert names == ["SGD (B = 1, 200 steps/epoch)", "mini-batch (B = 10, 20 steps/epoch)",
                     "full batch (B = 200, 1 step/epoch)"]
    assert race["data"][0]["type"] == "heatmap"
    assert any(t["name"] == "minimum w*" for t in race["data"])
    assert loss["layout"]["xaxis"]["title"]["text"].startswith("epochs")
    assert len(loss["data"]) == 3
    table = defaults.dataframe[0].value
    assert list(table["run"]) == ["SGD", "mini-batch", "full batch"]
    assert list(table["steps"]) == [4000, 400, 20]
    assert (table["gradient_evaluations"] == 4000).all()  # 20 epochs of N = 200 for every batch size
    assert not defaults.warning and not defaults.info
    assert defaults.get("download_button")


@pytest.mark.parametrize("x, title", [("step", "steps"), ("gradient_evaluations", "gradient evaluations")])
def test_x_axis_choice(lab, x, title):
    change(lab, bs_x=x)
    loss = figures(lab)[1]
    assert loss["layout"]["xaxis"]["title"]["text"].startswith(title)
    assert loss["layout"]["xaxis"].get("type") == ("log" if x == "step" else None)


def test_log_toggle(lab):
    change(lab, bs_log=True)
    assert figures(lab)[1]["layout"]["yaxis"]["type"] == "log"


@pytest.mark.parametrize("key, values", [
    ("bs_model", ["logistic", "linear"]),
    ("bs_samples", [20, 1000]),
    ("bs_noise", [0.0, 2.0]),
    ("bs_correlation", [-0.9, 0.9]),
    ("bs_data_seed", [7]),
    ("bs_batch", [2, 50]),
    ("bs_shuffle", [False]),
    ("bs_shuffle_seed", [3]),
    ("bs_lr", [LEARNING_RATES[0], 0.5]),
    ("bs_epochs", [1, 100]),
])
def test_each_control(lab, key, values):
    for value in values:
        change(lab, **{key: value})
        assert len(figures(lab)) == 2


def test_the_batch_slider_moves_the_green_path(lab):
    before = lines(figures(lab)[0])
    change(lab, bs_batch=20)
    after = lines(figures(lab)[0])
    assert "mini-batch (B = 20, 3 steps/epoch)" in after
    assert "mini-batch (B = 10, 6 steps/epoch)" in before


@pytest.mark.parametrize("optimizer", [o for o in OPTIMIZERS if o != "sgd"])
def test_every_optimizer(lab, optimizer):
    change(lab, bs_optimizer=optimizer)
    assert len(lines(figures(lab)[0])) == 3
    for h in OPTIMIZERS[optimizer].hyperparameters:
        if h.name not in ("eps", "beta2"):
            change(lab, **{f"bs_{optimizer}_{h.name}": 0.5})


def test_separable_classes_fall_back_with_a_warning(lab):
    change(lab, bs_model="logistic", bs_noise=0.0)
    assert any(w.value.startswith("**Noise σ = 0**") for w in lab.warning)
    assert len(figures(lab)) == 2


def test_a_batch_as_big_as_the_data_is_halved(lab):
    change(lab, bs_samples=50, bs_batch=64)
    assert any("using B = 25" in i.value for i in lab.info)


def test_too_many_sgd_steps_cap_the_epochs(lab):
    change(lab, bs_samples=1000, bs_epochs=100)
    assert any(i.value.startswith("**Epochs**") for i in lab.info)
    assert lab.dataframe[0].value["epochs"].max() == 10


def test_a_huge_learning_rate_diverges_with_a_warning(lab):
    change(lab, bs_lr=LEARNING_RATES[-1], bs_epochs=20)
    assert any("diverged" in w.value and w.value.startswith("**Learning rate α = 2**") for w in lab.warning)
    loss = figures(lab)[1]
    assert any(t.get("text") == ["diverged"] for t in loss["data"])
