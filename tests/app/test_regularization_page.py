"""The regularization lab: every tab at its defaults, after each control changes, and from a shared link (AppTest)."""

import pytest
from apptest_helpers import APP, change, clean, failures, figures, numbers, open_page, submit
from streamlit.testing.v1 import AppTest

from optiviz.ui.controls import LEARNING_RATES

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
    paths, weights, boundaries, histogram = figures(penalties)
    lines = [t for t in paths["data"] if t["mode"] == "lines"]
    assert len(lines) == 3 * 6
    assert "λ_max" in titles(paths)
    bars = [t for t in weights["data"] if t["type"] == "bar"]
    assert [b["name"] for b in bars] == ["L1", "L2", "elastic net"]
    assert "0" in bars[0]["text"] and "0" not in bars[1]["text"]  # lasso zeros, ridge none
    assert sum(t["type"] == "heatmap" for t in boundaries["data"]) == 4
    assert [t for t in titles(boundaries) if "epoch" in t][0].startswith("no penalty · epoch 100")
    assert len(histogram["data"]) == 4
    assert len(penalties.dataframe) == 1 and len(penalties.dataframe[0].value) == 4
    assert len(penalties.get("download_button")) == 4
    assert not penalties.warning and not failures(penalties)
    captions = " ".join(c.value for c in penalties.caption)
    assert "exactly 0 one by one" in captions and "smoothly" in captions


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
    assert [t for t in titles(boundaries) if "epoch" in t][0].startswith("no penalty · epoch 20")
    assert "8 × 8" in " ".join(c.value for c in penalties.caption)


# ---- early stopping -----------------------------------------------------------------------------------------


def test_early_stopping_default_view(stopping):
    curves, risk = figures(stopping)
    star = [t for t in curves["data"] if t["mode"] == "markers"][0]
    kept = int(metric(stopping, "Weights kept from epoch"))
    assert numbers(star["x"])[0] == kept
    stop = int(metric(stopping, "Training stops at epoch"))
    assert stop - kept == 10  # patience 10: ten epochs without a new best
    best = float(metric(stopping, "Validation loss, best epoch of the run"))
    assert float(metric(stopping, "Validation loss, kept weights")) >= best
    assert min(numbers(risk["data"][0]["y"])) == pytest.approx(best, abs=1e-3)
    assert len(stopping.get("download_button")) == 2


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
    assert len(figures(stopping)) == 2


# ---- dropout and batch norm ------------------------------------------------------------------------------------


def test_dropout_default_view_and_form():
    at = open_tab(TABS[2])
    curves, scaling = figures(at)
    assert [a for a in titles(curves)][:3] == ["no dropout, no batch norm", "dropout", "batch norm"]
    dropped = [t for t in curves["data"] if t["name"] == "dropout · training, units dropped"][0]
    validation = [t for t in curves["data"] if t["name"] == "dropout · validation"][0]
    assert (numbers(validation["y"])[10:] < numbers(dropped["y"])[10:]).mean() > 0.8  # validation below training
    assert any("Why is the validation loss better" in i.value for i in at.info)
    assert len([t for t in scaling["data"] if t["type"] == "bar"]) == 4
    assert len(at.get("download_button")) == 2
    submit(at, "reg_drop_form", "Train", reg_keep=0.2, reg_drop_width=8, reg_drop_epochs=20, reg_drop_seed=2)
    curves, scaling = figures(at)
    assert max(numbers(curves["data"][0]["x"])) == 20
    assert "p = 0.2" in titles(scaling)[1]


# ---- data augmentation -------------------------------------------------------------------------------------------


def test_augmentation_default_view_and_controls():
    at = open_tab(TABS[3])
    points, curves, boundaries = figures(at)
    augmented = [t for t in points["data"] if "augmented" in t["name"]]
    assert sum(len(numbers(t["x"])) for t in augmented) == 5 * 20
    accuracy = {t["name"]: numbers(t["y"])[-1] for t in curves["data"] if t["xaxis"] == "x2" and "validation" in t["name"]}
    assert accuracy["with augmentation · validation"] > accuracy["without augmentation · validation"] + 0.1
    assert sum(t["type"] == "heatmap" for t in boundaries["data"]) == 2
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
    at = follow({"reg_tab": "Early stopping", "reg_patience": "3", "reg_es_lr": "0.02"})
    assert at.session_state["reg_tab"] == "Early stopping"
    assert at.session_state["reg_es_lr"] == 0.02
    stop, kept = int(metric(at, "Training stops at epoch")), int(metric(at, "Weights kept from epoch"))
    assert stop - kept == 3
    assert not [i.value for i in at.info if "cannot be used" in i.value]


def test_a_bad_link_falls_back():
    at = follow({"reg_tab": "Augmentation!", "reg_features": "99"})
    assert at.session_state["reg_tab"] == "Weight penalties"
    assert at.session_state["reg_features"] == 6
    assert len(figures(at)) == 4
