"""The weight paths: L1, L2 and elastic net by coordinate descent and closed form."""

import math

import numpy as np
import pytest

from optiviz.labs.regularization import penalty_paths as pp
from optiviz.nn.penalties import elastic_net


@pytest.fixture(scope="module")
def problem():
    return pp.make_regression(50, 6, 0.5, 1.0, 0)


def objective(X, y, w, lam1, lam2):
    """J(w) = (1/2N)‖y − Xw‖² + Ω(w), with Ω the network engine's own elastic-net penalty."""
    r = y - X @ w
    return r @ r / (2 * len(y)) + elastic_net(lam1, lam2).value(w)


def orthonormal_problem(n=40, p=5, seed=1):
    """X with XᵀX/N = I exactly, so the lasso is the soft-thresholded least-squares fit."""
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.standard_normal((n, p)))
    X = math.sqrt(n) * Q
    y = X @ np.array([2.0, -1.0, 0.5, 0.25, -3.0]) + 0.1 * rng.standard_normal(n)
    return X, y


# ---- soft thresholding and the data -----------------------------------------------------------------


def test_soft_threshold_by_hand():
    z = np.array([3.0, -3.0, 0.5, -0.5, 1.0, -1.0, 0.0])
    np.testing.assert_array_equal(pp.soft_threshold(z, 1.0), [2.0, -2.0, 0.0, 0.0, 0.0, 0.0, 0.0])
    np.testing.assert_array_equal(pp.soft_threshold(z, 0.0), z)


def test_regression_is_standardised_and_correlated():
    X, y, w_true = pp.make_regression(2000, 4, 0.6, 0.5, 3)
    np.testing.assert_allclose(X.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(X.std(axis=0), 1, atol=1e-12)
    assert abs(y.mean()) < 1e-12
    corr = np.corrcoef(X, rowvar=False)[np.triu_indices(4, 1)]
    np.testing.assert_allclose(corr, 0.6, atol=0.05)
    np.testing.assert_array_equal(w_true, [3.0, -2.0, 0.0, 1.5])
    X2, y2, _ = pp.make_regression(2000, 4, 0.6, 0.5, 3)
    np.testing.assert_array_equal(X, X2)  # seeded


@pytest.mark.parametrize("kwargs, name", [
    (dict(features=pp.MAX_FEATURES + 1), "features"), (dict(samples=pp.MAX_SAMPLES + 1), "samples"),
    (dict(correlation=1.0), "correlation"), (dict(noise=-1.0), "noise"), (dict(seed=-1), "seed")])
def test_regression_checks_its_inputs(kwargs, name):
    with pytest.raises(ValueError, match=f"^{name}"):
        pp.make_regression(**kwargs)


def test_caps_and_bad_inputs(problem):
    X, y, _ = problem
    with pytest.raises(ValueError, match="^lambdas"):
        pp.ridge_path(X, y, np.ones(pp.MAX_LAMBDAS + 1))
    with pytest.raises(ValueError, match="^lambdas"):
        pp.elastic_net_path(X, y, [-1.0])
    with pytest.raises(ValueError, match="^X"):
        pp.lambda_max(np.ones((10, pp.MAX_FEATURES + 1)), np.ones(10))
    with pytest.raises(ValueError, match="^y"):
        pp.lambda_max(X, y[:-1])
    with pytest.raises(ValueError, match="^mix"):
        pp.elastic_net_path(X, y, [1.0], mix=1.5)
    with pytest.raises(ValueError, match="^max_sweeps"):
        pp.coordinate_descent(np.eye(2), np.ones(2), 0.1, 0.0, max_sweeps=pp.MAX_SWEEPS + 1)


def test_sweep_cap_is_reported_not_looped(problem):
    X, y, _ = problem
    G, c = X.T @ X / len(y), X.T @ y / len(y)
    cd = pp.coordinate_descent(G, c, [0.01], [0.0], tol=0.0, max_sweeps=1)
    assert cd.sweeps == 1
    assert not cd.converged[0] or pp.kkt_violation(X, y, cd.weights[0], 0.01) < 1e-12


# ---- L1: exact zeros, λ_max, KKT ----------------------------------------------------------------------


def test_lasso_on_an_orthonormal_design_is_soft_thresholding():
    X, y = orthonormal_problem()
    c = X.T @ y / len(y)
    lambdas = pp.lambda_grid(pp.lambda_max(X, y), 30, 1e-3)
    (path,) = pp.elastic_net_path(X, y, lambdas)
    np.testing.assert_allclose(path.weights, pp.soft_threshold(c[None, :], lambdas[:, None]), atol=1e-12)
    # the closed form of ridge there: w = c / (1 + λ)
    np.testing.assert_allclose(pp.ridge_path(X, y, lambdas), c[None, :] / (1 + lambdas[:, None]), atol=1e-12)


def test_lasso_sets_weights_to_exact_zeros_one_by_one(problem):
    X, y, _ = problem
    lam_max = pp.lambda_max(X, y)
    lambdas = lam_max * np.logspace(-3, 0.5, 80)
    (path,) = pp.elastic_net_path(X, y, lambdas)
    nonzero = (path.weights != 0).sum(axis=1)
    assert nonzero[0] == X.shape[1] and nonzero[-1] == 0
    assert (np.diff(nonzero) <= 0).all(), "the number of nonzero weights falls as λ grows (this problem)"
    assert (np.abs(np.diff(nonzero)) <= 1).all(), "one by one: never two at once on this fine grid"
    assert (path.weights[lambdas >= lam_max] == 0.0).all()  # exactly 0.0, not merely small


def test_lambda_max_is_exactly_where_every_weight_is_zero(problem):
    X, y, _ = problem
    lam_max = pp.lambda_max(X, y)
    assert lam_max == pytest.approx(np.max(np.abs(X.T @ y)) / len(y))
    above, below = pp.elastic_net_path(X, y, [lam_max, lam_max * (1 - 1e-6)])[0].weights
    assert (above == 0).all()
    assert (below != 0).sum() == 1  # the feature most correlated with y enters first
    assert np.argmax(np.abs(below)) == np.argmax(np.abs(X.T @ y))
    assert pp.lambda_max(X, y, 0.5) == pytest.approx(2 * lam_max)
    assert pp.lambda_max(X, y, 0.0) == math.inf


@pytest.mark.parametrize("rho", [0.0, 0.5, 0.9, 0.95])
@pytest.mark.parametrize("mix", [1.0, 0.5, 0.1])
def test_every_solution_satisfies_the_kkt_conditions(rho, mix):
    X, y, _ = pp.make_regression(50, 8, rho, 1.0, 2)
    lambdas = pp.lambda_max(X, y) * np.logspace(-3, 1.5, 40)
    (path,) = pp.elastic_net_path(X, y, lambdas, mix)
    assert path.converged.all()
    for lam, w in zip(lambdas, path.weights):
        assert pp.kkt_violation(X, y, w, mix * lam, (1 - mix) * lam) < 1e-10


def test_the_kkt_check_can_fail(problem):
    X, y, _ = problem
    lam = 0.1 * pp.lambda_max(X, y)
    (path,) = pp.elastic_net_path(X, y, [lam])
    w = path.weights[0].copy()
    w[np.flatnonzero(w)[0]] += 0.01
    assert pp.kkt_violation(X, y, w, lam) > 1e-3
    assert pp.kkt_violation(X, y, np.zeros_like(w), lam) > 1e-3  # 0 is not the solution below λ_max


def test_the_smooth_gradient_matches_central_differences(problem):
    """kkt_violation uses g = c − Gw − λ₂w = −∇[(1/2N)‖y − Xw‖² + (λ₂/2)‖w‖²]."""
    X, y, _ = problem
    rng = np.random.default_rng(0)
    w, lam2, h = rng.standard_normal(X.shape[1]), 0.3, 1e-6
    c, G = X.T @ y / len(y), X.T @ X / len(y)
    numeric = np.array([(objective(X, y, w + h * e, 0, lam2) - objective(X, y, w - h * e, 0, lam2)) / (2 * h)
                        for e in np.eye(len(w))])
    np.testing.assert_allclose(-(c - G @ w - lam2 * w), numeric, rtol=1e-7, atol=1e-9)
    # and the KKT measure is exactly |g| − λ₁ on zeros, |g − λ₁ sign w| elsewhere
    assert pp.kkt_violation(X, y, np.zeros_like(w), 0.0) == pytest.approx(np.max(np.abs(c)))


def test_solutions_are_minima_of_the_objective(problem):
    X, y, _ = problem
    rng = np.random.default_rng(1)
    for mix in (1.0, 0.5):
        lam = 0.2 * pp.lambda_max(X, y)
        w = pp.elastic_net_path(X, y, [lam], mix)[0].weights[0]
        best = objective(X, y, w, mix * lam, (1 - mix) * lam)
        for _ in range(200):
            other = w + 1e-3 * rng.standard_normal(w.shape)
            assert objective(X, y, other, mix * lam, (1 - mix) * lam) > best


# ---- L2 and the elastic net ------------------------------------------------------------------------------


def test_ridge_path_is_the_closed_form(problem):
    X, y, _ = problem
    lambdas = np.logspace(-3, 2, 25)
    expected = [np.linalg.solve(X.T @ X / len(y) + lam * np.eye(X.shape[1]), X.T @ y / len(y)) for lam in lambdas]
    np.testing.assert_allclose(pp.ridge_path(X, y, lambdas), expected, rtol=1e-10, atol=1e-12)
    assert (pp.ridge_path(X, y, lambdas) != 0).all()  # ridge never zeroes a weight


def test_ridge_needs_a_positive_lambda_when_singular():
    X = np.ones((5, 2))
    X[:, 1] = X[:, 0]
    with pytest.raises(ValueError, match="^lambdas"):
        pp.ridge_path(X, np.arange(5.0), [0.0])


def test_elastic_net_interpolates_between_lasso_and_ridge(problem):
    X, y, _ = problem
    lambdas = pp.lambda_max(X, y) * np.logspace(-3, 1, 30)
    lasso, ridge_cd = pp.elastic_net_path(X, y, lambdas, (1.0, 0.0))
    nets = pp.elastic_net_path(X, y, lambdas, (0.999, 0.5, 0.01))
    np.testing.assert_allclose(ridge_cd.weights, pp.ridge_path(X, y, lambdas), atol=1e-9)
    gaps_to_ridge = [np.abs(n.weights - ridge_cd.weights).max() for n in nets]
    gaps_to_lasso = [np.abs(n.weights - lasso.weights).max() for n in nets]
    assert gaps_to_ridge[0] > gaps_to_ridge[1] > gaps_to_ridge[2]  # α → 0: ridge
    assert gaps_to_lasso[0] < gaps_to_lasso[1] < gaps_to_lasso[2]  # α → 1: lasso
    assert gaps_to_lasso[0] < 0.05 and gaps_to_ridge[2] < 0.2
    # any α > 0 keeps exact zeros at large λ; ridge has none
    assert (nets[1].weights[-1] == 0).all() and (ridge_cd.weights != 0).all()


def test_warm_starts_find_the_same_path_in_fewer_sweeps(problem):
    X, y, _ = problem
    lambdas = pp.lambda_max(X, y) * np.logspace(-3, 1, 50)
    warm, = pp.elastic_net_path(X, y, lambdas, 0.5)
    cold, = pp.elastic_net_path(X, y, lambdas, 0.5, warm_start=False)
    np.testing.assert_allclose(warm.weights, cold.weights, atol=1e-9)
    assert warm.sweeps.sum() < cold.sweeps.sum()


def test_batched_equals_looped(problem):
    X, y, _ = problem
    G, c = X.T @ X / len(y), X.T @ y / len(y)
    lam1, lam2 = np.array([0.05, 0.3, 1.0, 0.0]), np.array([0.0, 0.1, 0.5, 0.2])
    batched = pp.coordinate_descent(G, c, lam1, lam2).weights
    looped = [pp.coordinate_descent(G, c, [a], [b]).weights[0] for a, b in zip(lam1, lam2)]
    np.testing.assert_allclose(batched, looped, atol=1e-12)


def test_penalty_paths_table(problem):
    X, y, _ = problem
    lambdas = np.logspace(-2, 1, 7)
    table = pp.penalty_paths(X, y, lambdas, 0.5)
    assert list(table["penalty"].unique()) == list(pp.PENALTY_NAMES)
    assert len(table) == 3 * 7 * X.shape[1]
    assert (table["nonzero"] == (table["weight"] != 0)).all()
    assert table["converged"].all()
    with pytest.raises(ValueError, match="^mix"):
        pp.penalty_paths(X, y, lambdas, 1.0)
