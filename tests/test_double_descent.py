"""Double descent engine: min-norm and ridge fits against numpy's lstsq, pinv and the formulas, the known curves, bad input."""

import numpy as np
import pandas as pd
import pytest

from optiviz.labs import double_descent as dd


def gaussian_data(trials=3, n=8, features=14, noise=0.3, seed=1):
    return dd.draw_data(n, features, trials, noise, seed)


# ---- the fits -------------------------------------------------------------------------------------


@pytest.mark.parametrize("n, p", [(10, 4), (10, 10), (10, 25)])
def test_min_norm_fit_equals_lstsq(n, p):
    rng = np.random.default_rng(n + p)
    phi, y = rng.standard_normal((n, p)), rng.standard_normal(n)
    np.testing.assert_allclose(dd.min_norm_fit(phi, y), np.linalg.lstsq(phi, y)[0], rtol=1e-9, atol=1e-12)


def test_min_norm_fit_handles_rank_deficient_features_like_pinv():
    rng = np.random.default_rng(0)
    phi = rng.standard_normal((6, 3)) @ rng.standard_normal((3, 9))  # rank 3
    y = rng.standard_normal(6)
    np.testing.assert_allclose(dd.min_norm_fit(phi, y), np.linalg.pinv(phi) @ y, rtol=1e-8, atol=1e-10)


def test_min_norm_fit_is_batched():
    rng = np.random.default_rng(2)
    phi, y = rng.standard_normal((4, 5, 9)), rng.standard_normal((4, 5))
    batched = dd.min_norm_fit(phi, y, ridge=0.1)
    for k in range(4):
        np.testing.assert_allclose(batched[k], dd.min_norm_fit(phi[k], y[k], ridge=0.1), rtol=1e-12)


@pytest.mark.parametrize("p", [3, 20])
def test_ridge_fit_is_the_formula(p):
    rng = np.random.default_rng(p)
    phi, y, lam = rng.standard_normal((8, p)), rng.standard_normal(8), 0.7
    expected = np.linalg.solve(phi.T @ phi + lam * np.eye(p), phi.T @ y)
    np.testing.assert_allclose(dd.min_norm_fit(phi, y, lam), expected, rtol=1e-10)


def test_ridge_tends_to_the_pseudo_inverse():
    rng = np.random.default_rng(3)
    phi, y = rng.standard_normal((6, 15)), rng.standard_normal(6)
    w0 = dd.min_norm_fit(phi, y)
    gaps = [np.linalg.norm(dd.min_norm_fit(phi, y, lam) - w0) for lam in (1e-1, 1e-3, 1e-5, 1e-8)]
    assert all(a > b for a, b in zip(gaps, gaps[1:]))
    assert gaps[-1] < 1e-6 * np.linalg.norm(w0)


def test_min_norm_interpolant_has_the_smallest_norm():
    rng = np.random.default_rng(4)
    phi, y = rng.standard_normal((6, 15)), rng.standard_normal(6)
    w = dd.min_norm_fit(phi, y)
    np.testing.assert_allclose(phi @ w, y, atol=1e-10)  # it interpolates
    null_space = np.linalg.svd(phi)[2][6:]  # rows spanning {v : Φ v = 0}
    for v in null_space[:5]:
        other = w + 0.3 * v
        np.testing.assert_allclose(phi @ other, y, atol=1e-10)  # another interpolant …
        assert np.linalg.norm(other) > np.linalg.norm(w)  # … with a larger norm
    np.testing.assert_allclose(null_space @ w, 0, atol=1e-10)  # w lies in the row space


# ---- every p at once -----------------------------------------------------------------------------


def lstsq_loop(X, y, beta, noise):
    """The plain reference: one numpy lstsq per trial and per p."""
    trials, n, features = X.shape
    train, test = np.empty((trials, features)), np.empty((trials, features))
    for t in range(trials):
        for p in range(1, features + 1):
            w = np.linalg.lstsq(X[t, :, :p], y[t])[0]
            train[t, p - 1] = np.mean((y[t] - X[t, :, :p] @ w) ** 2)
            full = np.zeros(features)
            full[:p] = w
            test[t, p - 1] = noise**2 + np.sum((beta - full) ** 2)
    return train, test


def test_trial_errors_agree_with_a_loop_of_lstsq():
    X, y, beta = gaussian_data()
    errors = dd.trial_errors(X, y, beta, 0.3)
    train, test = lstsq_loop(X, y, beta, 0.3)
    np.testing.assert_allclose(errors.train_mse, train, rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(errors.test_mse, test, rtol=1e-6)


def test_repeated_features_fall_back_to_the_pseudo_inverse():
    X, y, beta = gaussian_data(n=8, features=14)
    X[:, :, 1] = X[:, :, 0]  # X_p is rank-deficient for every p ≥ 2: only the pseudo-inverse defines ŵ
    errors = dd.trial_errors(X, y, beta, 0.3)
    train, test = lstsq_loop(X, y, beta, 0.3)
    np.testing.assert_allclose(errors.test_mse, test, rtol=1e-6)
    np.testing.assert_allclose(errors.train_mse, train, rtol=1e-6, atol=1e-12)


def test_min_norm_fits_interpolate_once_p_reaches_n():
    X, y, beta = gaussian_data(n=8, features=14)
    errors = dd.trial_errors(X, y, beta, 0.3)
    assert np.all(errors.train_mse[:, 7:] < 1e-20)  # p ≥ n = 8
    assert np.all(errors.train_mse[:, :7] > 1e-6)  # least squares with p < n leaves residuals
    assert np.all(np.diff(errors.train_mse[:, :8], axis=1) <= 1e-12)  # more features never fit worse


def test_ridge_weights_on_both_sides_of_the_threshold():
    X, y, beta = gaussian_data(trials=2, n=6, features=12)
    lam = 0.5
    errors = dd.trial_errors(X, y, beta, 0.3, ridge=lam)
    for t in range(2):
        for p in (3, 6, 11):
            w = np.linalg.solve(X[t, :, :p].T @ X[t, :, :p] + lam * np.eye(p), X[t, :, :p].T @ y[t])
            assert errors.weight_norm[t, p - 1] == pytest.approx(np.linalg.norm(w), rel=1e-9)
            assert errors.train_mse[t, p - 1] == pytest.approx(np.mean((y[t] - X[t, :, :p] @ w) ** 2), rel=1e-9)


def test_trial_errors_ridge_tends_to_min_norm():
    X, y, beta = gaussian_data()
    exact = dd.trial_errors(X, y, beta, 0.3).test_mse
    near = dd.trial_errors(X, y, beta, 0.3, ridge=1e-9).test_mse
    np.testing.assert_allclose(near, exact, rtol=1e-4)


def test_batched_trials_equal_one_at_a_time():
    X, y, beta = gaussian_data(trials=4)
    together = dd.trial_errors(X, y, beta, 0.3, ridge=0.01)
    for t in range(4):
        alone = dd.trial_errors(X[t : t + 1], y[t : t + 1], beta, 0.3, ridge=0.01)
        np.testing.assert_allclose(together.test_mse[t], alone.test_mse[0], rtol=1e-10)


def test_the_test_error_formula_matches_fresh_samples():
    """σ² + ‖β − ŵ‖² is the mean squared error on new Gaussian points."""
    X, y, beta = gaussian_data(trials=1, n=8, features=14)
    errors = dd.trial_errors(X, y, beta, 0.3)
    rng = np.random.default_rng(9)
    x_new = rng.standard_normal((200_000, 14))
    y_new = x_new @ beta + 0.3 * rng.standard_normal(200_000)
    for p in (3, 12):
        w = np.linalg.lstsq(X[0, :, :p], y[0])[0]
        empirical = np.mean((y_new - x_new[:, :p] @ w) ** 2)
        assert errors.test_mse[0, p - 1] == pytest.approx(empirical, rel=0.02)


def test_progress_is_reported_up_to_the_end():
    calls = []
    X, y, beta = gaussian_data(features=60)
    dd.trial_errors(X, y, beta, 0.3, progress=lambda done, total: calls.append((done, total)))
    assert 10 <= len(calls) <= 25 and calls[-1] == (60, 60)
    assert [c[0] for c in calls] == sorted(c[0] for c in calls)


# ---- the known result ----------------------------------------------------------------------------


def test_true_weights_have_unit_norm():
    for weights in dd.WEIGHTS:
        beta = dd.true_weights(200, weights)
        assert np.linalg.norm(beta) == pytest.approx(1.0)
    np.testing.assert_allclose(dd.true_weights(4), 0.5)
    assert dd.null_mse(0.5) == pytest.approx(1.25)


def test_the_known_double_descent_peak_at_n_and_second_descent_below_the_null_model():
    """Linear model: D = 200 inputs, n = 40 samples, σ = 0.5, pseudo-inverse on the first p inputs (the old default)."""
    curve = dd.double_descent(n_train=40, max_features=200, trials=50, noise=0.5, seed=0, model="linear")
    assert list(curve.columns) == list(dd.CURVE_COLUMNS) and len(curve) == 200
    test, null = curve["test_mse"].to_numpy(), dd.null_mse(0.5)
    assert curve["features"].iloc[int(np.argmax(test))] == 40  # the peak sits on the interpolation threshold
    assert test[39] > 20 * null  # and it is tall
    assert test[-1] < null  # at p = D the min-norm fit beats predicting 0 …
    assert test[-1] < test[:39].min()  # … and, with equal weights, every model with p < n
    assert curve["features"].iloc[int(np.argmax(curve["weight_norm"]))] == 40  # ‖ŵ‖ peaks there too
    assert (curve["train_mse"].iloc[40:] < 1e-20).all()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_peak_is_within_one_of_n_for_other_seeds(seed):
    curve = dd.double_descent(seed=seed, trials=50, noise=0.5, model="linear")
    assert abs(int(curve["features"].iloc[int(curve["test_mse"].idxmax())]) - 40) <= 1
    assert curve["test_mse"].iloc[-1] < dd.null_mse(0.5)


def test_decaying_weights_show_the_classical_u():
    test = dd.double_descent(weights="decaying", trials=50, noise=0.5, model="linear")["test_mse"].to_numpy()
    best = int(np.argmin(test[:39]))
    assert 1 <= best <= 20 and test[best] < 0.9 * test[0]  # first down …
    assert test[38] > 5 * test[best] and int(np.argmax(test)) == 39  # … then up to the peak at p = n …
    assert test[-1] < dd.null_mse(0.5)  # … and down again


def test_ridge_smooths_the_peak():
    peaks = [dd.double_descent(ridge=lam, trials=50, noise=0.5, model="linear")["test_mse"].max()
             for lam in (0.0, 0.1, 10.0)]
    assert peaks[0] > 5 * peaks[1] and peaks[1] > 2 * peaks[2] and peaks[2] < 2 * dd.null_mse(0.5)


def test_ridge_smooths_the_peak_of_the_network():
    null = dd.null_mse(0.2)
    plain, calm = (dd.double_descent(ridge=lam)["test_mse"].to_numpy() for lam in (0.0, 0.1))
    assert plain.max() > 10 * null and calm.max() < 1.1 * null  # no peak left …
    assert calm[39] < plain[39] / 10 and calm[-1] < null  # … and the big models still learn


@pytest.mark.parametrize("model", list(dd.MODELS))
def test_the_sweep_is_seeded(model):
    a = dd.double_descent(n_train=10, max_features=30, trials=5, seed=7, model=model)
    b = dd.double_descent(10, 30, 5, seed=7, model=model)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(dd.double_descent(10, 30, 5, seed=8, model=model))


@pytest.mark.parametrize("model", list(dd.MODELS))
def test_work_cap(model):
    assert dd.sweep_work(40, 200, 50, model) <= dd.MAX_WORK
    most = dd.affordable_trials(100, 1000, 100, model)
    assert 1 <= most < 100
    assert dd.sweep_work(100, 1000, most, model) <= dd.MAX_WORK < dd.sweep_work(100, 1000, most + 1, model)
    assert dd.affordable_trials(dd.MAX_SAMPLES, dd.MAX_FEATURES, 1, model) == 0
    with pytest.raises(ValueError, match=r"^trials must be at most"):
        dd.double_descent(100, 1000, most + 1, model=model)
    with pytest.raises(ValueError, match=r"^max_features"):
        dd.double_descent(dd.MAX_SAMPLES, dd.MAX_FEATURES, 1, model=model)



# ---- the network: random ReLU features ----------------------------------------------------------


def feature_data(trials=3, n=8, width=20, noise=0.2, seed=1):
    return dd.draw_features(n, width, trials, noise, seed, test_points=50)


def lstsq_features(data, noise, ridge=0.0):
    """The plain reference: per trial and per p, numpy's lstsq (λ = 0) or the ridge normal equations."""
    phi, y, phi_test, f_test = data
    trials, n, width = phi.shape
    train, test, norm = (np.empty((trials, width)) for _ in range(3))
    for t in range(trials):
        for p in range(1, width + 1):
            a = phi[t, :, :p]
            w = np.linalg.lstsq(a, y[t])[0] if ridge == 0 else np.linalg.solve(a.T @ a + ridge * np.eye(p), a.T @ y[t])
            train[t, p - 1] = np.mean((y[t] - a @ w) ** 2)
            test[t, p - 1] = noise**2 + np.mean((f_test[t] - phi_test[t, :, :p] @ w) ** 2)
            norm[t, p - 1] = np.linalg.norm(w)
    return train, test, norm


def test_relu_units_by_hand():
    x = np.array([[0.5, 0.0, 0.0], [-0.5, 1.0, 0.0]])
    v = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])  # unit 1 looks along x₁, unit 2 along x₂
    c = np.array([[0.25, 0.0], [0.0, 0.5], [0.0, 0.0]])
    np.testing.assert_allclose(dd.relu_features(x, v, c), [[0.25, 0.0], [0.0, 0.5]])
    np.testing.assert_allclose(dd.relu_target(np.array([[0.5, 0.0, 0.3], [0.0, 1.0, -1.0]])), [2.0, -1.0], atol=1e-12)


def test_draw_features_kinks_lie_inside_the_data():
    phi, y, phi_test, f_test = dd.draw_features(40, 50, 4, 0.0, 3)
    assert phi.shape == (4, 40, 50) and phi_test.shape == (4, dd.TEST_POINTS, 50) and y.shape == (4, 40)
    assert np.all(phi >= 0) and np.all(phi_test >= 0)
    active = np.mean(phi > 0, axis=1)  # share of the training inputs each unit is active on
    assert active.min() > 0.0 and active.max() < 1.0  # every unit bends between the training inputs
    assert np.all(np.linalg.matrix_rank(phi[:, :, :40]) == 40)  # Φ_n is square and of full rank


def test_the_network_null_model_scores_one_plus_noise():
    """E[f(x)²] = 1 for f(x) = sin(πx₁) + cos(πx₂), x uniform on [−1, 1]³."""
    x = np.random.default_rng(0).uniform(-1, 1, (400_000, 3))
    assert np.mean(dd.relu_target(x) ** 2) == pytest.approx(1.0, abs=0.01)
    assert dd.null_mse(0.2) == pytest.approx(1.04)


@pytest.mark.parametrize("ridge", [0.0, 0.3])
def test_feature_errors_agree_with_a_loop_of_lstsq(ridge):
    data = feature_data()
    errors = dd.feature_errors(*data, 0.2, ridge)
    train, test, norm = lstsq_features(data, 0.2, ridge)
    np.testing.assert_allclose(errors.test_mse, test, rtol=1e-6)
    np.testing.assert_allclose(errors.weight_norm, norm, rtol=1e-6)
    np.testing.assert_allclose(errors.train_mse, train, rtol=1e-6, atol=1e-14)


def test_min_norm_solution_past_the_threshold_is_the_pseudo_inverse():
    phi, y, phi_test, f_test = feature_data(trials=1, n=8, width=20)
    errors = dd.feature_errors(phi, y, phi_test, f_test, 0.0)
    for p in (9, 14, 20):
        w = np.linalg.pinv(phi[0, :, :p]) @ y[0]
        assert errors.weight_norm[0, p - 1] == pytest.approx(np.linalg.norm(w), rel=1e-8)
        assert errors.test_mse[0, p - 1] == pytest.approx(np.mean((f_test[0] - phi_test[0, :, :p] @ w) ** 2), rel=1e-8)
    assert np.all(errors.train_mse[:, 7:] < 1e-20)  # interpolation from p = n = 8 on
    assert np.all(errors.train_mse[:, :7] > 1e-6)
    assert np.all(np.diff(errors.train_mse[0, :8]) <= 1e-12)  # more units never fit worse
    assert np.all(np.diff(errors.weight_norm[0, 8:]) <= 1e-9)  # past n, each unit adds an interpolant of no larger norm


def test_feature_errors_ridge_tends_to_min_norm():
    data = feature_data()
    exact = dd.feature_errors(*data, 0.2).test_mse
    near = dd.feature_errors(*data, 0.2, ridge=1e-10).test_mse
    np.testing.assert_allclose(near, exact, rtol=1e-3)


def test_feature_errors_are_batched_and_chunked(monkeypatch):
    data = feature_data(trials=4, n=6, width=30)
    together = dd.feature_errors(*data, 0.2, ridge=0.01)
    for t in range(4):
        alone = dd.feature_errors(*(a[t : t + 1] for a in data), 0.2, ridge=0.01)
        np.testing.assert_allclose(together.test_mse[t], alone.test_mse[0], rtol=1e-10)
    monkeypatch.setattr(dd, "CHUNK", 1)  # one p at a time past the threshold
    for a, b in zip(dd.feature_errors(*data, 0.2, ridge=0.01), together):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_rank_deficient_units_fall_back_to_the_pseudo_inverse():
    phi, y, phi_test, f_test = feature_data(n=8, width=20)
    phi[:, :, 2], phi_test[:, :, 2] = phi[:, :, 1], phi_test[:, :, 1]  # a repeated unit: Φ_p has rank p − 1 for p ≥ 3
    errors = dd.feature_errors(phi, y, phi_test, f_test, 0.2)
    train, test, norm = lstsq_features((phi, y, phi_test, f_test), 0.2)
    np.testing.assert_allclose(errors.test_mse[:, :7], test[:, :7], rtol=1e-6)
    np.testing.assert_allclose(errors.weight_norm[:, :7], norm[:, :7], rtol=1e-6)
    np.testing.assert_allclose(errors.test_mse[:, 9:], test[:, 9:], rtol=1e-6)  # past the (moved) threshold


def test_feature_errors_report_progress_to_the_end():
    calls = []
    dd.feature_errors(*feature_data(width=60), 0.2, progress=lambda done, total: calls.append((done, total)))
    assert 5 <= len(calls) <= 25 and calls[0] == (8, 60) and calls[-1] == (60, 60)


def claim(curve, n=40):
    """(peak p, best p < n, its error, best p > 2n, its error, error at p = 1, error at p = n − 1) of a curve."""
    test = curve["test_mse"].to_numpy()
    best = dd.best_models(curve, n)
    return int(np.argmax(test)) + 1, best.small_p, best.small, best.big_p, best.big, test[0], test[n - 2]


def test_the_network_default_shows_belkins_double_descent():
    """The page's and the CLI's default: peak at n, a classical U, and big models ≥ 25 % below the best small one."""
    curve = dd.double_descent()
    assert list(curve.columns) == list(dd.CURVE_COLUMNS) and len(curve) == 200
    peak, small_p, small, big_p, big, first, before = claim(curve)
    assert peak == 40 and curve["weight_norm"].idxmax() + 1 == 40
    assert 5 <= small_p <= 30 and first > 1.5 * small and before > 3 * small  # down, then up: the U
    assert big_p > 80 and big <= 0.75 * small  # Belkin et al. 2019, Fig. 1: the big model wins
    assert curve["test_mse"].iloc[-1] < dd.null_mse(0.2)
    assert (curve["train_mse"].iloc[40:] < 1e-20).all()


def test_the_network_claim_holds_for_most_seeds():
    wins = 0
    for seed in range(1, 11):
        peak, small_p, small, big_p, big, first, before = claim(dd.double_descent(seed=seed))
        wins += peak == 40 and big <= 0.75 * small and first > small < before
    assert wins >= 9, f"the claim held for {wins} of 10 seeds"


def test_best_models_of_a_made_up_curve():
    test = np.array([3.0, 2.0, 1.0, 4.0, 9.0, 5.0, 2.5, 0.5, 0.7, 0.6])
    curve = pd.DataFrame({"features": np.arange(1, 11), "test_mse": test})
    assert dd.best_models(curve, 4) == dd.BestModels(3, 1.0, 10, 0.6, 8)  # big: p > 2n = 8, not the 0.5 at p = 8
    assert dd.best_models(curve, 6).big_from == 6  # the curve stops before 2n: big means p > n
    assert dd.best_models(curve, 1) is None
    assert dd.best_models(curve.iloc[:4], 4).big_p == 0  # no p > n fitted


def test_feature_errors_reject_bad_arrays():
    phi, y, phi_test, f_test = feature_data()
    with pytest.raises(ValueError, match="^features must have shape"):
        dd.feature_errors(phi[0], y, phi_test, f_test, 0.2)
    with pytest.raises(ValueError, match="^test_features must have shape"):
        dd.feature_errors(phi, y, phi_test[:, :, :5], f_test, 0.2)
    with pytest.raises(ValueError, match="^y must"):
        dd.feature_errors(phi, y[:, :3], phi_test, f_test, 0.2)
    with pytest.raises(ValueError, match="^y and test_target must have one row per trial"):
        dd.feature_errors(phi, y[:2], phi_test, f_test, 0.2)
    bad = phi.copy()
    bad[0, 0, 0] = np.inf
    with pytest.raises(ValueError, match="^features must be finite"):
        dd.feature_errors(bad, y, phi_test, f_test, 0.2)
    with pytest.raises(ValueError, match="^noise"):
        dd.feature_errors(phi, y, phi_test, f_test, float("nan"))
    with pytest.raises(ValueError, match="^model"):
        dd.sweep_work(10, 20, 1, "cnn")


# ---- the 1-D picture -----------------------------------------------------------------------------


def test_legendre_features_by_hand():
    x = np.array([-1.0, 0.0, 0.5, 1.0])
    phi = dd.legendre_features(x, 3)
    np.testing.assert_allclose(phi[:, 0], 1.0)
    np.testing.assert_allclose(phi[:, 1], x / 2)
    np.testing.assert_allclose(phi[:, 2], (3 * x**2 - 1) / 2 / 3)


def test_polynomial_fits_wild_at_n_smooth_beyond():
    fits = dd.polynomial_fits(n_points=15, max_features=60, noise=0.1, seed=0)
    assert fits.curves.shape == (60, len(fits.grid)) and fits.at_points.shape == (60, 15)
    assert np.all(fits.train_mse[14:] < 1e-20)  # interpolation from p = n on
    assert abs(int(np.argmax(fits.test_mse)) + 1 - 15) <= 1  # the peak at p = n
    assert fits.test_mse[14] > 100 * fits.test_mse[59]
    assert fits.test_mse[59] < 2 * fits.test_mse[:14].min()  # smooth again, about as good as the best small model
    assert np.all(np.diff(fits.x) > 0) and fits.x[0] > -1 and fits.x[-1] < 1  # spread out in [−1, 1]
    np.testing.assert_allclose(fits.at_points[59], fits.y, atol=1e-9)


def test_polynomial_fits_agree_with_lstsq_and_the_table():
    fits = dd.polynomial_fits(n_points=8, max_features=20, noise=0.2, seed=3)
    for p in (4, 8, 20):
        phi = dd.legendre_features(fits.x, p)
        w = np.linalg.lstsq(phi, fits.y)[0]
        np.testing.assert_allclose(fits.curves[p - 1], dd.legendre_features(fits.grid, p) @ w, atol=1e-7)
        assert fits.weight_norm[p - 1] == pytest.approx(np.linalg.norm(w), rel=1e-6)
    table = fits.table(8)
    assert list(table.columns) == ["features", "kind", "x", "y", "true_f", "fit"]
    assert (table["kind"] == "point").sum() == 8 and (table["kind"] == "grid").sum() == len(fits.grid)
    np.testing.assert_allclose(table.loc[table["kind"] == "point", "fit"], fits.y, atol=1e-9)
    every = fits.every_fit()
    assert list(every.columns) == ["kind", "x", "y", "true_f", *(f"fit_p{p}" for p in range(1, 21))]
    for p in (1, 8, 20):
        np.testing.assert_array_equal(every[f"fit_p{p}"], fits.table(p)["fit"])


def test_ridge_calms_the_polynomial_at_n():
    wild = dd.polynomial_fits(ridge=0.0).test_mse[14]
    calm = dd.polynomial_fits(ridge=1e-3).test_mse[14]
    assert calm < wild / 100


# ---- bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize("kwargs, name", [
    (dict(n_train=0), "n_train"), (dict(n_train=dd.MAX_SAMPLES + 1), "n_train"), (dict(n_train=4.0), "n_train"),
    (dict(max_features=0), "max_features"), (dict(max_features=dd.MAX_FEATURES + 1), "max_features"),
    (dict(trials=0), "trials"), (dict(trials=dd.MAX_TRIALS + 1), "trials"), (dict(trials=True), "trials"),
    (dict(noise=-0.1), "noise"), (dict(noise=float("nan")), "noise"), (dict(noise=dd.MAX_NOISE * 2), "noise"),
    (dict(ridge=-1.0), "ridge"), (dict(ridge=float("inf")), "ridge"), (dict(ridge="0"), "ridge"),
    (dict(seed=-1), "seed"), (dict(seed="a"), "seed"), (dict(weights="random"), "weights"),
    (dict(weights="random", model="linear"), "weights"), (dict(model="cnn"), "model"), (dict(model=None), "model"),
])
def test_double_descent_rejects_bad_input(kwargs, name):
    with pytest.raises(ValueError, match=rf"^{name}\b"):
        dd.double_descent(**{**dict(n_train=10, max_features=20, trials=2), **kwargs})


@pytest.mark.parametrize("kwargs, name", [
    (dict(n_points=0), "n_points"), (dict(n_points=dd.MAX_FIT_POINTS + 1), "n_points"),
    (dict(max_features=0), "max_features"), (dict(max_features=dd.MAX_FIT_FEATURES + 1), "max_features"),
    (dict(noise=float("inf")), "noise"), (dict(ridge=-1e-9), "ridge"), (dict(grid=1), "grid"),
    (dict(grid=dd.MAX_GRID + 1), "grid"), (dict(seed=1.5), "seed"),
])
def test_polynomial_fits_reject_bad_input(kwargs, name):
    with pytest.raises(ValueError, match=rf"^{name}\b"):
        dd.polynomial_fits(**kwargs)


def test_fit_functions_reject_bad_arrays():
    X, y, beta = gaussian_data()
    with pytest.raises(ValueError, match="^X must have shape"):
        dd.trial_errors(X[0], y, beta, 0.3)
    with pytest.raises(ValueError, match="^y must"):
        dd.trial_errors(X, y[:, :3], beta, 0.3)
    with pytest.raises(ValueError, match="^y must have one row per trial"):
        dd.trial_errors(X, y[:2], beta, 0.3)
    with pytest.raises(ValueError, match="^beta must"):
        dd.trial_errors(X, y, beta[:5], 0.3)
    bad = X.copy()
    bad[0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="^X must be finite"):
        dd.trial_errors(bad, y, beta, 0.3)
    with pytest.raises(ValueError, match="^features must have shape"):
        dd.min_norm_fit(np.ones((3, 2)), np.ones(4))
    with pytest.raises(ValueError, match="^features must have shape"):
        dd.min_norm_fit(np.ones((3, 0)), np.ones(3))
    with pytest.raises(ValueError, match="^features must have at most"):
        dd.min_norm_fit(np.zeros((dd.MAX_ELEMENTS // 10 + 1, 10)), np.zeros(dd.MAX_ELEMENTS // 10 + 1))
    with pytest.raises(ValueError, match="^features and targets must be finite"):
        dd.min_norm_fit(np.ones((3, 2)), np.array([1.0, np.inf, 0.0]))
    with pytest.raises(ValueError, match="^ridge"):
        dd.min_norm_fit(np.ones((3, 2)), np.ones(3), ridge=-1)
    with pytest.raises(ValueError, match="^features must be an integer"):
        dd.polynomial_fits(n_points=5, max_features=10).table(11)
    with pytest.raises(ValueError, match="^weights"):
        dd.true_weights(10, "zipf")


def test_classical_u_needs_a_fall_and_a_rise_below_the_threshold():
    p = np.arange(1, 61)
    u = pd.DataFrame({"features": p, "test_mse": 1 + ((p - 10) / 10.0) ** 2})  # falls to p = 10, rises towards n = 40
    falling = pd.DataFrame({"features": p, "test_mse": 2.0 / p})  # no rise before the threshold
    assert dd.classical_u(u, 40)
    assert not dd.classical_u(falling, 40)
