"""The regularization lab: every tab at its defaults, after each control changes, and from a shared link (AppTest)."""

import numpy as np
import pytest
from apptest_helpers import APP, change, clean, failures, figures, numbers, open_page, submit
from streamlit.testing.v1 import AppTest

from optiviz.ui.controls import LEARNING_RATES
from optiviz.ui.links import problems

PAGE = "pages/regularization.py"
TABS = ("Weight penalties", "Early stopping", "Dropout and batch norm", "Data augmentation")
STRENGTHS = tuple(v for v in LEARNING_RATES if 1e-4 <= v <= 0.1)


def open_tab(tab: str) -> AppTest:
    at = open_page(PAGE)
    return at if tab == TABS[0] else change(at, reg_tab=tab)


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def titles(fig: dict) -> list[str]:
    return [a["text"] for a in fig["layout"].get("annotations", [])]


@pytest.fixture(scope="module")
def penalties() -> AppTest:
    return open_tab(TABS[0])


@pytest.fixture(scope="module")
def stopping() -> AppTest:
    return open_tab(TABS[1])


# ---- weight penalties ------------------------------------------------------------------------------------


def test_penalties_default_view(penalties):
    paths, weights, boundaries, histogram, seeds = figures(penalties)
    lines = [t for t in paths["data"] if t["mode"] == "lines"]
    assert len(lines) == 3 * 6
    assert "λ_max" in titles(paths)
    bars = [t for t in weights["data"] if t["type"] == "bar"]
    assert [b["name"] for b in bars] == ["L1", "L2", "elastic net"]
    assert "0" in bars[0]["text"] and "0" not in bars[1]["text"]  # lasso zeros, ridge none
    assert sum(t["type"] == "heatmap" for t in boundaries["data"]) == 4
    first = [t for t in titles(boundaries) if "epoch" in t][0]
    assert first.startswith("no penalty") and "epoch 25 " in first
    assert len(histogram["data"]) == 4
    # the four penalties over 10 seeds: a band, a median and each seed's last value per penalty
    medians = {t["name"]: numbers(t["y"]) for t in seeds["data"] if t["name"].endswith("(median)")}
    assert len(medians) == 4
    dots = [t for t in seeds["data"] if t["name"].endswith("each seed's last epoch")]
    assert [len(numbers(t["y"])) for t in dots] == [10] * 4
    assert medians["L2 · validation (median)"][-1] < medians["no penalty · validation (median)"][-1]
    assert len(penalties.dataframe) == 1 and len(penalties.dataframe[0].value) == 4
    assert len(penalties.get("download_button")) == 5
    assert not penalties.warning and not failures(penalties)
    captions = " ".join(c.value for c in penalties.caption)
    assert "exactly 0 one by one" in captions and "smoothly" in captions
    assert "Ends below no penalty: L1 in " in captions and "of 10 seeds" in captions


def test_path_controls(penalties):
    change(penalties, reg_features=10, reg_correlation=0.95, reg_noise=0.0, reg_mix=0.05, reg_lambda=1.5,
                reg_seed=7)
    paths, weights = figures(penalties)[:2]
    assert len([t for t in paths["data"] if t["mode"] == "lines"]) == 3 * 10
    assert all(t == "0" for t in [b for b in weights["data"] if b["name"] == "L1"][0]["text"])  # λ > λ_max
    change(penalties, reg_features=2, reg_correlation=0.0, reg_noise=3.0, reg_mix=0.95, reg_lambda=-3.0)
    weights = figures(penalties)[1]
    assert "0" not in [b for b in weights["data"] if b["name"] == "L1"][0]["text"]  # λ ≪ λ_max: nothing zeroed yet
    assert not penalties.warning


def test_network_form(penalties):
    submit(penalties, "reg_net_form", "Train", reg_net_l1=STRENGTHS[0], reg_net_l2=STRENGTHS[-1], reg_net_epochs=20,
           reg_net_width=8)
    boundaries = figures(penalties)[2]
    first = [t for t in titles(boundaries) if "epoch" in t][0]
    assert first.startswith("no penalty") and "epoch 20 " in first
    assert "8 × 8" in " ".join(c.value for c in penalties.caption)
    change(penalties, reg_seeds=5)
    seeds = figures(penalties)[4]
    assert [len(numbers(t["y"])) for t in seeds["data"] if t["name"].endswith("last epoch")] == [5] * 4


# ---- early stopping -----------------------------------------------------------------------------------------


def test_early_stopping_default_view(stopping):
    curves, risk, many = figures(stopping)
    star = [t for t in curves["data"] if t["mode"] == "markers"][0]
    kept = int(metric(stopping, "Weights kept from epoch"))
    assert numbers(star["x"])[0] == kept
    stop = int(metric(stopping, "Training stops at epoch"))
    assert stop - kept == 10  # patience 10: ten epochs without a new best
    best = float(metric(stopping, "Validation loss, best epoch of the run"))
    assert float(metric(stopping, "Validation loss, kept weights")) >= best
    assert min(numbers(risk["data"][0]["y"])) == pytest.approx(best, abs=1e-3)
    band, median = many["data"][:2]
    assert len(numbers(median["y"])) == 50 and len(numbers(band["y"])) == 100  # patience 1 … 50 (the epochs)
    assert len(stopping.get("download_button")) == 3
    captions = " ".join(c.value for c in stopping.caption)
    assert "early stopping keeps weights with a lower validation loss than the last epoch's in" in captions


def test_a_small_patience_stops_too_early(stopping):
    best = float(metric(stopping, "Validation loss, best epoch of the run"))
    change(stopping, reg_patience=1)
    assert int(metric(stopping, "Training stops at epoch")) - int(metric(stopping, "Weights kept from epoch")) == 1
    assert float(metric(stopping, "Validation loss, kept weights")) > best + 0.05  # the risk: stopped on a bump
    change(stopping, reg_patience=10)


def test_early_stopping_form(stopping):
    submit(stopping, "reg_es_form", "Train", reg_es_epochs=30, reg_es_lr=0.1, reg_es_batch=5, reg_es_seed=3)
    curves = figures(stopping)[0]
    assert max(numbers(curves["data"][0]["x"])) <= 30
    submit(stopping, "reg_es_form", "Train", reg_es_epochs=300, reg_es_lr=0.005, reg_es_batch=60)
    assert len(figures(stopping)) == 3 and not stopping.warning


# ---- dropout and batch norm ------------------------------------------------------------------------------------


def test_dropout_default_view_and_form():
    at = open_tab(TABS[2])
    network, seeds, curves, scaling = figures(at)
    assert len(network["frames"]) == 40 and network["layout"]["sliders"][0]["steps"][0]["label"] == "1"
    assert "Play" in network["layout"]["updatemenus"][0]["buttons"][0]["label"]
    assert [a for a in titles(curves)][:2] == ["no dropout", "dropout"]
    dropped = [t for t in curves["data"] if t["name"] == "dropout · training, units dropped"][0]
    validation = [t for t in curves["data"] if t["name"] == "dropout · validation"][0]
    assert (numbers(validation["y"])[10:] < numbers(dropped["y"])[10:]).mean() > 0.8  # validation below training
    assert any("Why is the validation loss better" in i.value for i in at.info)
    assert len([t for t in scaling["data"] if t["type"] == "bar"]) == 4
    assert titles(scaling)[0].startswith("original dropout") and titles(scaling)[1].startswith("inverted dropout")
    assert "p = 0.7" in titles(scaling)[0]
    assert len(at.get("download_button")) == 3
    captions = " ".join(c.value for c in at.caption)
    assert "Dropout ends with the lower validation loss in" in captions and "of 10 seeds" in captions
    assert "Not one lucky data draw" in captions and "not at these settings" not in captions
    assert at.session_state["reg_drop_p"] == 0.7
    submit(at, "reg_drop_form", "Train", reg_drop_p=0.9, reg_drop_width=8, reg_drop_epochs=20, reg_drop_seed=2,
           reg_drop_bn=True)
    network, seeds, curves, scaling = figures(at)
    assert max(numbers(curves["data"][0]["x"])) == 20
    assert titles(curves)[:3] == ["no dropout", "dropout", "batch norm"]
    assert "p = 0.9" in titles(scaling)[0]
    dropped = np.array([numbers(f["data"][3]["marker"]["size"]) > 0 for f in network["frames"]])
    assert len(dropped) == 20 and dropped.mean() > 0.6  # drop probability 0.9: most units are dropped
    assert len(at.get("download_button")) == 3
    assert "not at these settings" in " ".join(c.value for c in at.caption)  # the data-draw check was made elsewhere


def test_an_old_keep_probability_link_is_refused():
    """The page used to take the keep probability as reg_keep; it now takes the drop probability p (reg_drop_p)."""
    at = follow({"reg_tab": "Dropout and batch norm", "reg_keep": "0.8"})
    assert "reg_keep" not in at.session_state and at.session_state["reg_drop_p"] == 0.7
    # what app.py's link note says of it (AppTest does not pass this page's link to app.py: the browser test reads
    # the note itself)
    lines = problems({"reg_keep": ["0.8"]}, {}, {k: at.session_state[k] for k in ("reg_keep",) if k in at.session_state})
    assert lines and "`reg_keep=0.8` is not a setting of this page" in lines[0]
    at = follow({"reg_tab": "Dropout and batch norm", "reg_drop_p": "0.2"})
    assert at.session_state["reg_drop_p"] == 0.2
    assert "p = 0.2" in titles(figures(at)[3])[0]
    assert not [i.value for i in at.info if "cannot be used" in i.value]


# ---- data augmentation -------------------------------------------------------------------------------------------


def test_augmentation_default_view_and_controls():
    at = open_tab(TABS[3])
    points, curves, boundaries = figures(at)
    augmented = [t for t in points["data"] if "augmented" in t["name"]]
    assert sum(len(numbers(t["x"])) for t in augmented) == 5 * 20
    median = {t["name"]: numbers(t["y"]) for t in curves["data"] if t["name"].endswith("validation (median)")}
    assert median["with augmentation · validation (median)"][-1] < median["without augmentation · validation (median)"][-1]
    assert sum(t["type"] == "heatmap" for t in boundaries["data"]) == 2
    assert "Augmentation ends with the lower validation loss in" in " ".join(c.value for c in at.caption)
    assert not at.info
    change(at, reg_aug_copies=1)
    assert sum(len(numbers(t["x"])) for t in figures(at)[0]["data"] if "augmented" in t["name"]) == 20
    submit(at, "reg_aug_form", "Train", reg_aug_dataset="moons", reg_aug_points=100, reg_aug_noise=0.0,
           reg_aug_rotation=0, reg_aug_reflect="none", reg_aug_jitter=0.3, reg_aug_epochs=20, reg_aug_seed=1)
    assert not at.info and len(figures(at)) == 3
    submit(at, "reg_aug_form", "Train", reg_aug_dataset="spiral", reg_aug_rotation=90, reg_aug_reflect="x")
    assert any("can change what a point means" in i.value for i in at.info)


# ---- a shared link ------------------------------------------------------------------------------------------------


def follow(settings: dict) -> AppTest:
    """The app opened at this page with ``settings`` in the URL, as a shared link opens it."""
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.query_params.clear()
    at.query_params.update(settings)
    return clean(at.switch_page(PAGE).run())


def test_a_link_opens_a_tab_with_its_settings():
    at = follow({"reg_tab": "Early stopping", "reg_patience": "3", "reg_es_lr": "0.05", "reg_seeds": "5"})
    assert at.session_state["reg_tab"] == "Early stopping"
    assert at.session_state["reg_es_lr"] == 0.05 and at.session_state["reg_seeds"] == 5
    stop, kept = int(metric(at, "Training stops at epoch")), int(metric(at, "Weights kept from epoch"))
    assert stop - kept == 3
    assert not [i.value for i in at.info if "cannot be used" in i.value]


def test_a_bad_link_falls_back():
    at = follow({"reg_tab": "Augmentation!", "reg_features": "99"})
    assert at.session_state["reg_tab"] == "Weight penalties"
    assert at.session_state["reg_features"] == 6
    assert len(figures(at)) == 5
