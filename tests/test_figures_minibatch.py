"""Figures of the batch-size and learning-rate labs: what they draw from the engine's tables."""

import numpy as np
import pytest

from optiviz.figures.batch_size import (FLOOR, RUN_COLOURS, contour_levels, loss_curves, map_bounds, map_layers,
                                        map_panels, weight_map)
from optiviz.figures.learning_rate import RATE_COLOURS, distances, range_test, schedule_curves, settle_curves, zoom_bounds
from optiviz.core.linear_models import loss_grid, make_problem
from optiviz.labs.batch_size import compare_batch_sizes, descend_in_batches, minimum, table
from optiviz.labs.learning_rate import range_test as run_range_test

START = (-1.0, 2.0)


@pytest.fixture(scope="module")
def problem():
    return make_problem("linear", 60, 0, correlation=0.5, noise=0.5)


@pytest.fixture(scope="module")
def paths(problem):
    return compare_batch_sizes(problem, {"SGD": 1, "mini-batch": 10, "full batch": 60}, 0.1, 3, START)


def test_map_bounds_hold_start_and_minimum_in_a_square():
    (x0, x1), (y0, y1) = map_bounds(START, (1.0, -0.5))
    assert x1 - x0 == pytest.approx(y1 - y0)
    assert x0 < -1.0 < 1.0 < x1 and y0 < -0.5 < 2.0 < y1


def test_contour_levels_rise_from_the_minimum(problem):
    w_star, loss_star = minimum(problem)
    w = np.linspace(-2, 2, 30)
    Z = loss_grid(problem, w, w)
    levels = contour_levels(Z, loss_star)
    assert levels[0] > loss_star and np.all(np.diff(levels) > 0)
    heat, lines = map_layers(w, w, Z, loss_star)
    assert heat["type"] == "heatmap" and np.nanmax(heat["z"]) <= levels[-1] * (1 + 1e-6)
    assert np.isnan(lines["x"]).sum() > 10  # many segments, NaN-separated


def test_weight_map_draws_each_path_and_its_epoch_ends(problem, paths):
    fig = weight_map([], paths, RUN_COLOURS, (1.0, -0.5), START, map_bounds(START, (1.0, -0.5)))
    lines = {t.name: t for t in fig.data if t.mode == "lines"}
    assert list(lines) == ["SGD", "mini-batch", "full batch"]
    assert len(lines["SGD"].x) == 181 and len(lines["full batch"].x) == 4
    dots = [t for t in fig.data if t.name and t.name.endswith("end of each epoch")]
    assert [len(t.x) for t in dots] == [3, 3, 3]
    assert lines["mini-batch"].line.color == RUN_COLOURS["mini-batch"]


def test_map_panels_one_per_run(paths):
    fig = map_panels([], paths, RUN_COLOURS, (1.0, -0.5), START, map_bounds(START, (1.0, -0.5)))
    assert [a.text for a in fig.layout.annotations] == ["SGD", "mini-batch", "full batch"]


@pytest.mark.parametrize("x", ["step", "epoch", "gradient_evaluations"])
def test_loss_curves_against_each_axis(paths, x):
    fig = loss_curves(paths, x, RUN_COLOURS, 0.1)
    sgd = fig.data[0]
    np.testing.assert_array_equal(sgd.x, paths.loc[paths["run"] == "SGD", x])
    np.testing.assert_allclose(sgd.y, paths.loc[paths["run"] == "SGD", "loss"], rtol=1e-6)


def test_log_loss_is_the_height_above_the_minimum_and_every_epoch_samples(paths):
    fig = loss_curves(paths, "epoch", RUN_COLOURS, 0.1, log=True, every_epoch=True)
    assert fig.layout.yaxis.type == "log"
    assert [len(t.x) for t in fig.data] == [4, 4, 4]
    np.testing.assert_array_equal(fig.data[0].x, [0, 1, 2, 3])
    ends = paths[(paths["run"] == "SGD") & (paths["epoch"] % 1 == 0)]["loss"].to_numpy()
    np.testing.assert_allclose(fig.data[0].y, np.maximum(ends - 0.1, FLOOR), rtol=1e-6)


def test_a_diverged_run_gets_a_cross(problem):
    runs = descend_in_batches(problem, 60, [0.1, 5.0], 40, START)
    frame = table(runs, ["good", "very high"])
    fig = loss_curves(frame, "step", RATE_COLOURS, 0.1, diverged=("very high",))
    crosses = [t for t in fig.data if t.mode == "markers+text"]
    assert len(crosses) == 1 and crosses[0].text == ("diverged",)
    assert crosses[0].x[0] == frame.loc[frame["run"] == "very high", "step"].max()


def test_loss_curves_reject_an_unknown_axis(paths):
    with pytest.raises(ValueError, match="^x"):
        loss_curves(paths, "seconds", RUN_COLOURS, 0.1)


def test_range_test_draws_both_runs_figure_11s_points_and_the_blow_up(problem):
    rates = 10.0 ** np.linspace(-3, 1.5, 20)
    long = run_range_test(problem, 60, rates, 10, START, last=5)
    short = run_range_test(problem, 60, rates, 1, START)
    points = {"good": (0.05, 1e-3, RATE_COLOURS["good"]), "very high": (20.0, np.nan, RATE_COLOURS["very high"])}
    fig = range_test(long, 0.1, points, short)
    names = [t.name for t in fig.data]
    assert names[0] == "after 10 epochs (Figure 11's run)" and "after 1 epoch" in names
    assert f"best α {long.best:.2g}" in names and f"fastest α {short.best:.2g}" in names
    crosses = [t for t in fig.data if t.name == "diverged"]
    assert len(crosses[0].x) == long.table["diverged"].sum() > 0
    good = next(t for t in fig.data if t.name == "good")
    assert good.legendgroup == "Figure 11" and good.y[0] == pytest.approx(1e-3) and good.marker.symbol == "circle"
    assert next(t for t in fig.data if t.name == "very high").marker.symbol == "x"  # diverged: on top
    shaded = [s for s in fig.layout.shapes if s.type == "rect"]
    assert len(shaded) == 1 and shaded[0].x0 == long.blow_up
    assert not [t for t in fig.data if t.mode == "lines" and len(set(t.x)) == 1]  # no vertical lines to overlap
    off = range_test(long, 0.1, points, None, on_curve=False)
    assert next(t for t in off.data if t.name == "good").marker.symbol == "triangle-up"


def test_distances_and_their_running_rms(problem):
    runs = descend_in_batches(problem, 10, [0.05, 0.5], 3, START)
    frame = table(runs, ["slow", "fast"])
    w = np.array([0.9, -0.4])
    d = distances(frame, w, 6)
    slow = d[d["run"] == "slow"]
    exact = np.hypot(runs.weights[:, 0, 0] - w[0], runs.weights[:, 0, 1] - w[1])
    np.testing.assert_allclose(slow["distance"], exact)
    k = 10  # the RMS over steps 5 … 10
    assert slow["smoothed"].iloc[k] == pytest.approx(np.sqrt(np.mean(exact[k - 5:k + 1] ** 2)))
    assert slow["smoothed"].iloc[0] == pytest.approx(exact[0])
    fig = settle_curves(d, "step", {"fast": "#123456"}, {"fast": "fast run"})
    assert fig.layout.yaxis.type == "log"
    bold = [t for t in fig.data if t.showlegend is not False]
    assert [t.name for t in bold] == ["slow", "fast run"] and bold[1].line.color == "#123456"
    (x0, x1), (y0, y1) = zoom_bounds(d, w, 2.0)
    late = d[d["epoch"] >= 2.0]["distance"].max()
    assert x1 - w[0] == pytest.approx(y1 - w[1]) and late < x1 - w[0] < 1.25 * late


def test_schedule_curves_show_each_alpha(problem):
    runs = descend_in_batches(problem, 10, 0.5, 2, START, schedule=["constant", "exp"], decay_rate=0.1)
    fig = schedule_curves(table(runs, ["constant", "exp"]), "step", {}, {"exp": "exponential decay"})
    assert [t.name for t in fig.data] == ["constant", "exponential decay"]
    np.testing.assert_allclose(fig.data[1].y, 0.5 * np.exp(-0.1 * np.arange(13)), rtol=1e-6)
