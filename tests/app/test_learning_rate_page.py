"""The learning-rate lab runs at its defaults and after each control changes, with no exception (AppTest)."""

import pytest
from apptest_helpers import change, figures, open_page
from streamlit.testing.v1 import AppTest

from optiviz.labs.learning_rate import RATE_MULTIPLES
from optiviz.core.optimizers import OPTIMIZERS
from optiviz.ui.controls import DECAY_RATES, LEARNING_RATES

PAGE = "pages/learning_rate.py"
SMALL = {"lr_samples": 60, "lr_epochs": 6}
FIG11, RANGE, ALPHAS, ANNEAL_LOSS, ANNEAL_MAP = range(5)  # then one zoomed map per schedule


def names(fig: dict) -> list[str]:
    return [t["name"] for t in fig["data"] if t.get("mode") == "lines" and t.get("name") != "contours"]


@pytest.fixture(scope="module")
def defaults() -> AppTest:
    return open_page(PAGE)


@pytest.fixture
def lab() -> AppTest:
    return change(open_page(PAGE), **SMALL)


def test_defaults_show_figure_11_the_range_test_and_annealing(defaults):
    figs = figures(defaults)
    assert len(figs) == 8
    curves = names(figs[FIG11])
    assert [n.split(":")[0] for n in curves[:4]] == list(RATE_MULTIPLES)
    assert curves[4] == "your α = 0.05 (SGD)"
    assert figs[FIG11]["layout"]["yaxis"]["type"] == "log"
    assert any(t.get("text") == ["diverged"] for t in figs[FIG11]["data"])  # the very high rate explodes
    range_names = [t["name"] for t in figs[RANGE]["data"]]
    assert any(n.startswith("best α") for n in range_names) and any(n.startswith("fastest α") for n in range_names)
    assert any("blows up" in a["text"] for a in figs[RANGE]["layout"]["annotations"])
    assert names(figs[ALPHAS]) == ["constant", "exponential decay", "1/t decay", "step decay (halve every 1/k steps)"]
    assert [f["layout"]["annotations"][0]["text"] for f in figs[ANNEAL_MAP:]] == ["constant", "exponential decay",
                                                                                "1/t decay", "step decay"]
    assert not defaults.warning and not defaults.info  # the very high rate's blow-up is the lesson, not a warning
    assert len(defaults.get("download_button")) == 3


def test_x_axis_in_steps(lab):
    change(lab, lr_x="step")
    for k in (FIG11, ALPHAS, ANNEAL_LOSS):
        assert figures(lab)[k]["layout"]["xaxis"]["title"]["text"].startswith("steps")


def test_linear_loss_axis(lab):
    change(lab, lr_log=False)
    assert figures(lab)[FIG11]["layout"]["yaxis"].get("type") is None


@pytest.mark.parametrize("key, values", [
    ("lr_model", ["logistic", "linear"]),
    ("lr_samples", [20, 1000]),
    ("lr_noise", [0.0, 2.0]),
    ("lr_correlation", [-0.9, 0.9]),
    ("lr_data_seed", [4]),
    ("lr_batch", [1, "full batch", 100]),
    ("lr_shuffle", [False]),
    ("lr_shuffle_seed", [9]),
    ("lr_lr", [LEARNING_RATES[0], 1.0]),
    ("lr_epochs", [1, 100]),
    ("lr_range_epochs", [30]),
    ("lr_schedules", [[], ["step"]]),
    ("lr_lr0", [LEARNING_RATES[0], LEARNING_RATES[-1]]),
    ("lr_decay", [DECAY_RATES[0], DECAY_RATES[-1]]),
])
def test_each_control(lab, key, values):
    for value in values:
        change(lab, **{key: value})
        assert len(figures(lab)) == 5 + len(lab.session_state["lr_schedules"])


@pytest.mark.parametrize("optimizer", [o for o in OPTIMIZERS if o != "sgd"])
def test_every_optimizer(lab, optimizer):
    change(lab, lr_optimizer=optimizer)
    assert names(figures(lab)[FIG11])[-1] == f"your α = 0.05 ({OPTIMIZERS[optimizer].label})"
    dots = [t for t in figures(lab)[RANGE]["data"] if t.get("legendgroup") == "Figure 11"]
    assert all(t["marker"]["symbol"] == "triangle-up" for t in dots)  # plain SGD's rates: not on these curves


def test_annealing_shows_the_chosen_schedules(lab):
    change(lab, lr_schedules=["inv"])
    assert names(figures(lab)[ALPHAS]) == ["constant", "1/t decay"]
    assert [f["layout"]["annotations"][0]["text"] for f in figures(lab)[ANNEAL_MAP:]] == ["constant", "1/t decay"]


def test_your_huge_rate_diverges_with_a_warning(lab):
    change(lab, lr_lr=LEARNING_RATES[-1], lr_epochs=30)
    assert any(w.value.startswith("**Your learning rate α = 2** diverged") for w in lab.warning)


def test_separable_classes_fall_back_with_a_warning(lab):
    change(lab, lr_model="logistic", lr_noise=0.0)
    assert any(w.value.startswith("**Noise σ = 0**") for w in lab.warning)


def test_a_batch_bigger_than_the_data_uses_the_full_batch(lab):
    change(lab, lr_samples=50, lr_batch=64)
    assert any(i.value.startswith("**Batch size**") for i in lab.info)


def test_epochs_are_capped_for_big_work(lab):
    change(lab, lr_samples=1000, lr_batch=1, lr_epochs=100)
    assert any(i.value.startswith("**Epochs**") for i in lab.info)


def test_a_tiny_batch_says_when_good_is_not_the_lowest(lab):
    change(lab, lr_model="logistic", lr_samples=200, lr_batch=1, lr_epochs=30)
    assert any(i.value.startswith("**Batch size B = 1**") and "ends lower than *good*" in i.value for i in lab.info)
    assert any("cannot explode" in c.value for c in lab.caption)
