"""The data pre-processing lab: the four preprocessed problems, the same optimizer on each, Figure 5's measure."""

import numpy as np
import pandas as pd
import pytest

from optiviz.core.descent import descend
from optiviz.figures.preprocessing import covariance_ellipse
from optiviz.core.linear_models import TRUE_WEIGHTS, loss_and_grad, optimum
from optiviz.core.optimizers import adam
from optiviz.labs.preprocessing import (MAX_SAMPLES, MAX_STEPS, TRANSFORMS, _batch_surface, best_rates, boundary_direction,
                                        easier_in_order,
                                        compare_preprocessings, condition_number, make_data, preprocess, rate_sweep, second_moment,
                                        sensitivity)

FAR = dict(centre=(1.0, 4.0), correlation=0.6, scale=2.0)  # the page's defaults: far from the origin, correlated


@pytest.fixture(scope="module")
def clouds():
    return preprocess(make_data("linear", 500, 3, **FAR))


def test_make_data_places_and_stretches_the_cloud():
    p = make_data("linear", MAX_SAMPLES, 0, centre=(3.0, -2.0), correlation=-0.5, scale=3.0)
    np.testing.assert_allclose(p.X.mean(axis=0), [3.0, -2.0], atol=0.15)
    np.testing.assert_allclose(p.X.std(axis=0), [1.0, 3.0], rtol=0.05)
    assert np.corrcoef(p.X.T)[0, 1] == pytest.approx(-0.5, abs=0.04)
    # x₂ in other units: the targets are those of w* = (1, −0.5 / s), up to the noise
    np.testing.assert_allclose(optimum(p), [TRUE_WEIGHTS[0], TRUE_WEIGHTS[1] / 3.0], atol=0.03)


def test_zero_centred_cloud_has_zero_mean_and_the_same_covariance(clouds):
    raw, centred = clouds["none"].X, clouds["centre"].X
    np.testing.assert_allclose(centred.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(np.cov(centred.T), np.cov(raw.T), atol=1e-12)


def test_standardised_cloud_has_unit_variances_but_keeps_its_correlation(clouds):
    X = clouds["standardise"].X
    np.testing.assert_allclose(X.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(X.var(axis=0), 1.0, atol=1e-6)
    assert np.corrcoef(X.T)[0, 1] == pytest.approx(np.corrcoef(clouds["none"].X.T)[0, 1], abs=1e-12)


def test_whitened_cloud_has_zero_mean_and_identity_covariance(clouds):
    X = clouds["whiten"].X
    np.testing.assert_allclose(X.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(X.T @ X / len(X), np.eye(2), atol=1e-6)


def test_linear_targets_are_centred_with_the_inputs():
    clouds = preprocess(make_data("linear", 500, 3, centre=(4.0, 0.0)))
    assert clouds["none"].y.mean() == pytest.approx(4.0, abs=0.2)  # ȳ ≈ μ·w* = 4
    for name in ("centre", "standardise", "whiten"):
        assert clouds[name].y.mean() == pytest.approx(0.0, abs=1e-12)
        np.testing.assert_allclose(clouds[name].y, clouds["none"].y - clouds["none"].y.mean())
    logistic = preprocess(make_data("logistic", 100, 0, **FAR))
    assert all(np.array_equal(p.y, logistic["none"].y) for p in logistic.values())  # labels stay 0/1


def test_condition_number_by_hand_and_along_the_preprocessings(clouds):
    X = np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 3.0], [0.0, -3.0]])  # XᵀX/N = diag(0.5, 4.5)
    np.testing.assert_allclose(second_moment(X), np.diag([0.5, 4.5]))
    assert condition_number(X) == pytest.approx(9.0)
    assert condition_number(np.array([[1.0, 2.0], [2.0, 4.0]])) == np.inf  # one direction with no data
    kappa = [condition_number(clouds[name].X) for name in TRANSFORMS]
    assert kappa[0] > 20 and kappa[0] > kappa[1] > kappa[2] > kappa[3]  # far, correlated → … → whitened
    assert kappa[3] == pytest.approx(1.0, abs=1e-6)
    # centred with ρ: the eigenvalues of the correlation matrix are 1 ± ρ
    assert kappa[2] == pytest.approx((1 + 0.6) / (1 - 0.6), rel=0.15)


def test_first_step_is_gradient_descent_by_hand():
    c = compare_preprocessings("linear", 50, 1, **FAR, optimizer="sgd", learning_rate=0.05, steps=3, start=(-1.0, 0.5))
    for b, p in enumerate(c.problems.values()):
        _, g = loss_and_grad("linear", c.start, p.X, p.y)
        np.testing.assert_allclose(c.trajectories.points[1, b], c.start - 0.05 * g, rtol=1e-12)


def test_batch_of_four_equals_each_run_alone():
    c = compare_preprocessings("logistic", 80, 2, **FAR, optimizer="adam", learning_rate=0.1, steps=20, start=(1.0, -1.0))
    for b, p in enumerate(c.problems.values()):
        alone = descend(_batch_surface([p], c.views[b:b + 1]), adam(), [c.start], 20, 0.1)
        np.testing.assert_allclose(alone.points[:, 0], c.trajectories.points[:, b], rtol=1e-12, atol=1e-14)


def test_gradient_descent_with_unit_rate_solves_whitened_linear_data_in_one_step():
    """XᵀX/N = I, so α = 1 is Newton's step: w₁ = w*."""
    c = compare_preprocessings("linear", 300, 0, **FAR, optimizer="sgd", learning_rate=1.0, steps=5, start=(-2.0, 2.0))
    np.testing.assert_allclose(c.trajectories.points[1, 3], c.optima[3], atol=1e-6)
    assert c.steps_to_converge()[3] == 1


@pytest.mark.parametrize("model", ["linear", "logistic"])
def test_the_same_optimizer_converges_in_fewer_steps_on_whitened_than_on_raw_far_correlated_data(model):
    lr = 0.079 if model == "linear" else 0.5  # about the largest α the raw surface converges with
    c = compare_preprocessings(model, 200, 0, **FAR, optimizer="sgd", learning_rate=lr, steps=400, start=(-2.0, 2.0), grid=2)
    steps = c.steps_to_converge()
    assert (c.trajectories.diverged_at == -1).all()
    assert 0 < steps[3] < steps[0]
    assert c.condition[0] > 30 and c.condition[3] == pytest.approx(1.0, abs=1e-6)


def test_at_its_own_best_rate_each_preprocessing_needs_fewer_steps_down_the_line():
    best = best_rates(rate_sweep("linear", 200, 0, **FAR, optimizer="sgd", steps=200, start=(-2.0, 2.0)))
    assert list(best["preprocessing"]) == list(TRANSFORMS)
    steps = best["steps to converge"].to_numpy(dtype=float)
    assert steps[0] > steps[1] > steps[2] > steps[3] == 1  # the steps follow κ; whitened: one Newton step
    assert best["learning rate"].iloc[3] == 1.0


def test_sweep_agrees_with_single_runs_and_a_large_rate_diverges_where_the_surface_is_steep():
    sweep = rate_sweep("linear", 100, 4, **FAR, optimizer="momentum", steps=150, start=(0.5, 0.5), rates=(0.01, 0.5))
    assert len(sweep) == 8
    for lr in (0.01, 0.5):
        c = compare_preprocessings("linear", 100, 4, **FAR, optimizer="momentum", learning_rate=lr, steps=150, start=(0.5, 0.5))
        rows = sweep[sweep["learning rate"] == lr]
        expected = [s if s >= 0 else None for s in c.steps_to_converge()]
        assert [None if pd.isna(v) else int(v) for v in rows["steps to converge"]] == expected
    c = compare_preprocessings("linear", 100, 4, **FAR, optimizer="sgd", learning_rate=1.1, steps=50, start=(0.5, 0.5))  # 2/λ_max: raw, centred < 1.1 < normalised
    assert c.trajectories.diverged_at[0] > 0 and c.trajectories.diverged_at[3] == -1
    assert c.summary()["diverged at step"].notna().tolist() == [True, True, False, False]
    assert np.isnan(c.summary()["final loss"].iloc[0])


def test_each_preprocessing_at_its_own_rate_equals_its_run_alone():
    kw = dict(model="linear", samples=120, seed=2, **FAR, steps=40, start=(-2.0, 2.0))
    rates = (0.05, 0.2, 0.5, 1.0)
    c = compare_preprocessings(**kw, learning_rate=rates)
    np.testing.assert_array_equal(c.rates, rates)
    np.testing.assert_array_equal(c.summary()["learning rate"], rates)
    for k, rate in enumerate(rates):
        alone = compare_preprocessings(**kw, learning_rate=rate)
        np.testing.assert_allclose(c.trajectories.points[:, k], alone.trajectories.points[:, k], rtol=1e-12)


def test_at_the_sweeps_best_rates_the_main_runs_follow_the_lecture():
    """The page's default: each at its own best α of the sweep. Steps fall from raw to whitened, with κ."""
    kw = dict(model="linear", samples=200, seed=0, **FAR, steps=100, start=(-2.0, 2.0))
    best = best_rates(rate_sweep(**kw))
    c = compare_preprocessings(**kw, learning_rate=tuple(best["learning rate"]))
    steps = c.steps_to_converge()
    np.testing.assert_array_equal(steps, best["steps to converge"].to_numpy(dtype=int))  # the sweep's own count
    assert steps[0] > steps[1] > steps[2] > steps[3] >= 1
    assert np.all(np.diff(c.condition) < 0)


def test_tables_and_grids():
    c = compare_preprocessings("linear", 40, 0, **FAR, optimizer="sgd", learning_rate=0.05, steps=10, start=(-2.0, 2.0), grid=7)
    assert len(c.data()) == 4 * 40 and len(c.surfaces()) == 4 * 49
    assert list(c.paths().columns) == ["preprocessing", "step", "w1", "w2", "loss", "loss − minimum"]
    assert len(c.paths()) == 4 * 11
    for b, (w1, w2, Z) in enumerate(c.grids):
        (lo1, hi1), (lo2, hi2) = c.views[b]
        assert lo1 <= c.start[0] <= hi1 and lo2 <= c.start[1] <= hi2  # the start and the minimum are in view
        assert lo1 <= c.optima[b, 0] <= hi1 and lo2 <= c.optima[b, 1] <= hi2
        assert hi1 - lo1 == pytest.approx(hi2 - lo2)  # square, for equal axes
        p = list(c.problems.values())[b]
        assert Z[5, 2] == pytest.approx(loss_and_grad("linear", [w1[2], w2[5]], p.X, p.y)[0])
    assert (c.surfaces().groupby("preprocessing")["loss"].min().to_numpy() >= c.loss_min.min() - 1e-12).all()


def test_far_from_the_origin_the_same_weight_change_flips_more_points_and_changes_the_loss_more():
    s = sensitivity(400, 0, distance=6.0)
    np.testing.assert_allclose(s.centre, 6.0 * boundary_direction())
    assert s.flipped[:, 0].tolist() == [0.0, 0.0] and s.loss_change[:, 0].tolist() == [0.0, 0.0]
    assert (s.flipped[1, 1:] > s.flipped[0, 1:]).all()
    assert (s.loss_change[1, 1:] > s.loss_change[0, 1:]).all()
    assert s.flipped[1, 10] > 3 * s.flipped[0, 10]  # |Δw|/|w| = 0.1
    # the same classifier on the moved cloud: identical scores before the change
    np.testing.assert_allclose(s.far.X @ s.weights + s.bias[1], s.near.X @ s.weights + s.bias[0], atol=1e-9)


def test_sensitivity_drawn_change_and_its_flips():
    s = sensitivity(300, 1, distance=5.0)
    dw = s.change(0.1)
    assert np.linalg.norm(dw) == pytest.approx(0.1 * np.linalg.norm(s.weights))
    np.testing.assert_allclose(dw / np.linalg.norm(dw), boundary_direction())  # along μ
    flips = s.flips(0.1)
    before = s.far.X @ s.weights + s.bias[1] > 0
    after = s.far.X @ (s.weights + dw) + s.bias[1] > 0
    np.testing.assert_array_equal(flips[1], before != after)
    assert flips[1].mean() > flips[0].mean()
    points = s.points(0.1)
    assert len(points) == 600 and points["flipped"].sum() == flips.sum()
    assert len(s.table()) == 2 * len(s.sizes)


def test_at_distance_zero_near_and_far_are_the_same():
    s = sensitivity(100, 2, distance=0.0)
    np.testing.assert_allclose(s.flipped[0], s.flipped[1])
    np.testing.assert_allclose(s.loss_change[0], s.loss_change[1], atol=1e-12)
    assert np.linalg.norm(s.change(0.1)) == pytest.approx(0.1 * np.linalg.norm(s.weights))  # a turn of w


def test_covariance_ellipse_is_two_sigma_of_the_points():
    X = np.random.default_rng(0).normal(size=(4000, 2)) * [1.0, 3.0] + [2.0, -1.0]
    ex, ey = covariance_ellipse(X, k=2.0)
    assert max(ex) - min(ex) == pytest.approx(4 * X[:, 0].std(), rel=1e-3)
    assert max(ey) - min(ey) == pytest.approx(4 * X[:, 1].std(), rel=1e-3)


@pytest.mark.parametrize("call, name", [
    (lambda: make_data("quadratic", 10, 0), "model"),
    (lambda: make_data("linear", 1, 0), "samples"),
    (lambda: make_data("linear", MAX_SAMPLES + 1, 0), "samples"),
    (lambda: make_data("linear", 10, -1), "seed"),
    (lambda: make_data("linear", 10, 0, centre=(1.0,)), "centre"),
    (lambda: make_data("linear", 10, 0, centre=(float("nan"), 0.0)), "centre"),
    (lambda: make_data("linear", 10, 0, correlation=1.0), "correlation"),
    (lambda: make_data("linear", 10, 0, scale=0.0), "scale"),
    (lambda: compare_preprocessings("linear", 10, 0, steps=MAX_STEPS + 1), "steps"),
    (lambda: compare_preprocessings("linear", 10, 0, steps=0), "steps"),
    (lambda: compare_preprocessings("linear", 10, 0, learning_rate=-1.0), "learning_rate"),
    (lambda: compare_preprocessings("linear", 10, 0, learning_rate=float("inf")), "learning_rate"),
    (lambda: compare_preprocessings("linear", 10, 0, learning_rate=(0.1, 0.2)), "learning_rate"),
    (lambda: compare_preprocessings("linear", 10, 0, learning_rate=(0.1, 0.2, 0.3, float("nan"))), "learning_rate"),
    (lambda: compare_preprocessings("linear", 10, 0, learning_rate="fast"), "learning_rate"),
    (lambda: compare_preprocessings("linear", 10, 0, start=(0.0, 99.0)), "start"),
    (lambda: compare_preprocessings("linear", 10, 0, start=(0.0, 1.0, 2.0)), "start"),
    (lambda: compare_preprocessings("linear", 10, 0, grid=1), "grid"),
    (lambda: compare_preprocessings("linear", 10, 0, optimizer="lbfgs"), "unknown optimizer"),
    (lambda: compare_preprocessings("linear", 10, 0, optimizer="momentum", hyperparameters=(("momentum", 1.5),)), "momentum"),
    (lambda: rate_sweep("linear", 10, 0, rates=()), "rates"),
    (lambda: rate_sweep("linear", 10, 0, rates=(0.1, -0.1)), "rates"),
    (lambda: rate_sweep("linear", 10, 0, rates=np.ones(101)), "rates"),
    (lambda: sensitivity(10, 0, distance=-1.0), "distance"),
    (lambda: sensitivity(10, 0, distance=1.0, max_size=0.0), "max_size"),
    (lambda: sensitivity(10, 0, distance=1.0, sizes=1), "sizes"),
    (lambda: sensitivity(10, 0, distance=1.0, directions=0), "directions"),
    (lambda: sensitivity(10, 0, distance=1.0).change(2.0), "size"),
])
def test_bad_input_names_the_parameter(call, name):
    with pytest.raises(ValueError, match=f"^{name}"):
        call()



def test_easier_in_order_reads_the_lectures_order_off_a_summary():
    ordered = pd.DataFrame({"condition number": [36.0, 8.5, 4.2, 1.0], "steps to converge": [53, 17, 8, 1]})
    assert easier_in_order(ordered)
    assert not easier_in_order(ordered.assign(**{"steps to converge": [53, 72, None, 42]}))  # the old default
    assert not easier_in_order(ordered.assign(**{"condition number": [36.0, 4.2, 8.5, 1.0]}))
