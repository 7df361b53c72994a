"""The regularization lab's figures: what each one draws from its data."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

from optiviz import penalty_paths as pp
from optiviz.datasets import make_dataset, train_val_split
from optiviz.figures import regularization as fr
from optiviz.nn import MLP
from optiviz.nn import regularizers as rg
from optiviz.nn.training import OptimizerSetting, train


@pytest.fixture(scope="module")
def paths():
    X, y, _ = pp.make_regression(50, 4, 0.3, 1.0, 0)
    lam_max = pp.lambda_max(X, y)
    return pp.penalty_paths(X, y, lam_max * np.logspace(-3, 1.5, 40), 0.5), lam_max


@pytest.fixture(scope="module")
def runs():
    X, y = make_dataset("moons", 80, 0.2, 0)
    split = train_val_split(X, y, 0.5, 0)
    return tuple(train(MLP(2, (8,), 1), split, OptimizerSetting("adam", label=label), epochs=20, l1=l1, seed=0,
                       grid_size=20, grid_every=20) for label, l1 in (("no penalty", 0.0), ("L1", 0.01)))


def test_zero_points_by_hand():
    table = pd.DataFrame({
        "penalty": "L1", "feature": [1] * 4 + [2] * 4, "lambda": [1.0, 2.0, 3.0, 4.0] * 2,
        "nonzero": [True, True, False, False, True, False, True, True]})
    zeros = fr.zero_points(table)
    assert zeros.to_dict("records") == [{"penalty": "L1", "feature": 1, "lambda": 3.0}]  # w2 is still nonzero at the end


def test_weight_paths(paths):
    table, lam_max = paths
    fig = fr.weight_paths(table, lam_max, lam_max / 10, 0.5)
    lines = [t for t in fig.data if t.mode == "lines"]
    assert len(lines) == 3 * 4  # every feature on every penalty
    dots = [t for t in fig.data if t.mode == "markers"]
    assert len(dots) == 2 and all((np.asarray(d.y) == 0).all() for d in dots)  # L1 and elastic net only
    assert {t.xaxis for t in dots} == {"x", "x3"}
    texts = [a.text for a in fig.layout.annotations]
    assert "λ_max" in texts and "λ_max/α" in texts
    lam_at = [a.x for a in fig.layout.annotations if a.text == "λ_max"][0]
    assert lam_at == pytest.approx(np.log10(lam_max))  # log axes take log10 positions


def test_weights_at_snaps_to_the_grid(paths):
    table, lam_max = paths
    fig, shown = fr.weights_at(table, lam_max * 1.01)
    assert shown in set(table["lambda"])
    bars = [t for t in fig.data if t.type == "bar"]
    assert [b.name for b in bars] == ["L1", "L2", "elastic net"]
    assert list(bars[0].text) == ["0"] * 4  # above λ_max every lasso weight is exactly 0
    assert "0" not in list(bars[1].text)  # ridge never is


def test_network_figures(runs):
    fig = fr.network_weights(runs)
    assert [t.name.split(":")[0] for t in fig.data] == ["no penalty", "L1"]
    assert sum(fig.data[0].y) == runs[0].layout.n_weights
    grid = fr.grid_table(runs)
    assert len(grid) == 2 * 20 * 20 and grid["p_class_1"].between(0, 1).all()
    assert set(fr.histories_table(runs)["run"]) == {"no penalty", "L1"}


def test_early_stopping_curves_mark_the_kept_weights(runs):
    h = runs[0].history
    rule = rg.early_stopping(h["val_loss"].to_numpy(), np.arange(1, 6))
    stop, kept = int(rule.stopped_at[1]), int(rule.kept_epoch[1])
    fig = fr.early_stopping_curves(h, stop, kept, 2)
    star = [t for t in fig.data if t.mode == "markers"][0]
    assert star.x == (kept,) and star.y[0] == pytest.approx(h["val_loss"].iloc[kept])
    if stop >= 0:
        assert fig.layout.shapes[0].x0 == kept and fig.layout.shapes[0].x1 == stop
        assert any("never run" in t.name for t in fig.data)
    risk = fr.patience_risk(rule, 2, float(h["val_loss"].iloc[-1]), float(h["val_loss"].min()))
    assert list(risk.data[0].x) == [1, 2, 3, 4, 5]
    assert risk.data[1].x == (2,)


def test_dropout_figures(runs):
    dropped = runs[0].history["train_loss"].to_numpy() * 2
    assert len(fr.regularizer_curves(runs, dropped).data) == 4  # no run called dropout: no "units dropped" curve
    fig = fr.regularizer_curves((runs[0], dataclasses.replace(runs[1], optimizer="dropout")), dropped)
    assert len(fig.data) == 5 and fig.data[-1].line.dash == "dot"
    np.testing.assert_allclose(fig.data[-1].y, dropped)
    table = rg.dropout_expectations(np.ones((4, 3)), 0.5, 10)
    scaling = fr.dropout_scaling(table, 0.5)
    assert [t.type for t in scaling.data] == ["bar"] * 4 + ["scatter"]


def test_augmentation_points_and_curves(runs):
    X, y = make_dataset("circles", 20, 0.1, 0)
    copies = rg.augmented_copies(X, y, 3, rotation=90.0)
    fig = fr.augmentation_points(X, y, copies)
    augmented = [t for t in fig.data if "augmented" in t.name]
    assert sum(len(t.x) for t in augmented) == 60
    curves = fr.validation_curves(runs)
    assert len(curves.data) == 2 * 2 * 2  # runs × (loss, accuracy) × (training, validation)
    assert fr.run_colour("L1") != fr.run_colour("no penalty") and fr.run_colour("unknown") == "#666666"
