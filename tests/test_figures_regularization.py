"""The regularization lab's figures: what each one draws from its data."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

from optiviz.labs.regularization import experiments as lab
from optiviz.core.datasets import make_dataset
from optiviz.figures import regularization as fr
from optiviz.figures.palette import INK
from optiviz.nn import MLP
from optiviz.nn import regularizers as rg
from optiviz.nn.seeds import SeedCurves, spread_table
from optiviz.nn.training import OptimizerSetting, train
from tests.support.regularization import example_moons, example_paths


@pytest.fixture(scope="module")
def paths():
    return example_paths()


@pytest.fixture(scope="module")
def runs():
    return tuple(train(MLP(2, (8,), 1), example_moons(), OptimizerSetting("adam", label=label), epochs=20, l1=l1, seed=0,
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
    assert fr.run_colour("L1") != fr.run_colour("no penalty") and fr.run_colour("unknown") == INK["grey"]  # a fallback grey


# ---- many seeds and the dropout network ------------------------------------------------------------------


def _curves(label: str, val: np.ndarray) -> SeedCurves:
    S, E = val.shape
    return SeedCurves(np.arange(S), np.arange(E), val / 2, val, val * 0, val * 0, np.full(S, -1), label)


def test_seed_bands_draw_the_median_the_band_and_each_seed():
    val = np.array([[1.0, 0.5, 0.4], [1.0, 0.7, 0.2], [1.0, 0.6, np.nan]])  # the third seed diverged at epoch 2
    c = _curves("dropout", val)
    c = c._replace(diverged_at=np.array([-1, -1, 2]))
    fig = fr.seed_bands([c, _curves("no dropout", val + 1)])
    names = [t.name for t in fig.data]
    assert names[:4] == ["dropout · validation, 10–90% of 3 seeds", "dropout · validation (median)",
                         "dropout · each seed's last epoch", "dropout · training (median)"]
    band, median, dots = fig.data[:3]
    np.testing.assert_allclose(median.y, [1.0, 0.6, 0.3])
    np.testing.assert_allclose(band.y[:3], np.nanpercentile(val, 90, axis=0))
    np.testing.assert_allclose(band.y[3:], np.nanpercentile(val, 10, axis=0)[::-1])
    assert list(dots.customdata) == [0, 1, 2] and np.isnan(dots.y[2])  # a diverged seed has no dot
    assert fig.data[3].line.dash == "dash" and fig.data[1].line.color == fr.run_colour("dropout")
    table = spread_table([c])
    np.testing.assert_allclose(table["val_loss_median"], [1.0, 0.6, 0.3])


def test_patience_spread(runs):
    val = np.stack([runs[0].history["val_loss"].to_numpy(), runs[1].history["val_loss"].to_numpy()])
    many = lab.stopping_spread(val, np.arange(1, 6))
    fig = fr.patience_spread(many, 3)
    band, median, star = fig.data
    np.testing.assert_allclose(median.y, np.median(many.kept_loss, axis=0))
    assert star.x == (3,) and len(band.x) == 10


def test_dropout_scaling_reads_original_then_inverted():
    table = rg.dropout_expectations(np.ones((4, 3)), 0.25, 10)
    fig = fr.dropout_scaling(table, 0.25)
    titles = [a.text for a in fig.layout.annotations]
    assert titles[0].startswith("original dropout") and "p = 0.25" in titles[0]
    assert titles[1].startswith("inverted dropout")
    np.testing.assert_allclose(fig.data[1].y, 0.75)  # original at test: (1 − p)·h
    np.testing.assert_allclose(fig.data[3].y, 1.0)  # inverted at test: h


def test_dropout_network_redraws_the_masks_each_step():
    masks = rg.dropout_masks(0, 12, 30, 10, (16, 5), 0.5)  # 3 steps per epoch
    fig = fr.dropout_network(masks, (16, 5), 0.5, shown=8)
    assert len(fig.frames) == 36 and [s.label for s in fig.layout.sliders[0].steps][:2] == ["1", "2"]
    assert fig.layout.updatemenus[0].buttons[0].label == "▶ Play"
    for k in (0, 17, 35):
        kept_sizes = np.asarray(fig.frames[k].data[2].marker.size)
        dropped_sizes = np.asarray(fig.frames[k].data[3].marker.size)
        expected = np.r_[True, True, masks[k, 0, :8], masks[k, 1, :5], True]  # input, 8 + 5 hidden shown, output
        np.testing.assert_array_equal(kept_sizes > 0, expected)
        np.testing.assert_array_equal(dropped_sizes > 0, ~expected)
        # a connection is used when both its ends are kept: count the drawn segments
        used = sum(x is None for x in fig.frames[k].data[0].x)
        alive = [expected[:2], expected[2:10], expected[10:15], expected[15:]]
        assert used == sum(int(a.sum()) * int(b.sum()) for a, b in zip(alive, alive[1:]))
    assert "first 8 of 16" in " ".join(a.text for a in fig.layout.annotations)
