"""The two-weight models: gradients, optimum, data cloud, grid."""

import numpy as np
import pytest

from optiviz.core.linear_models import (MAX_SAMPLES, TRUE_WEIGHTS, data_cloud, loss_and_grad, loss_grid, make_problem,
                                        optimum)


@pytest.mark.parametrize("model", ["linear", "logistic"])
def test_gradient_matches_central_differences(model):
    p = make_problem(model, 50, seed=1, centre=(2.0, -1.0), correlation=0.6)
    W = np.random.default_rng(2).normal(size=(4, 3, 2))
    _, grad = loss_and_grad(model, W, p.X, p.y)
    h = 1e-6
    for k in range(2):
        e = np.zeros(2)
        e[k] = h
        numeric = (loss_and_grad(model, W + e, p.X, p.y)[0] - loss_and_grad(model, W - e, p.X, p.y)[0]) / (2 * h)
        np.testing.assert_allclose(grad[..., k], numeric, rtol=1e-6, atol=1e-8)


def test_losses_by_hand():
    X, y, w = np.array([[1.0, 2.0], [3.0, -1.0]]), np.array([1.0, 0.0]), np.array([0.5, 0.25])
    z = np.array([1.0, 1.25])  # x·w
    loss, grad = loss_and_grad("linear", w, X, y)
    assert loss == pytest.approx(0.5 * (0.0**2 + 1.25**2) / 2)
    np.testing.assert_allclose(grad, (X.T @ (z - y)) / 2)
    loss, _ = loss_and_grad("logistic", w, X, y)
    assert loss == pytest.approx(np.mean(np.log1p(np.exp(z)) - y * z))


def test_per_run_batches_broadcast():
    p = make_problem("linear", 12, seed=0)
    W = np.array([[0.1, 0.2], [0.3, -0.4]])
    batches = np.array([[0, 1, 2], [5, 6, 7]])
    loss, grad = loss_and_grad("linear", W, p.X[batches], p.y[batches])
    for r in range(2):
        l1, g1 = loss_and_grad("linear", W[r], p.X[batches[r]], p.y[batches[r]])
        assert loss[r] == pytest.approx(l1)
        np.testing.assert_allclose(grad[r], g1)


@pytest.mark.parametrize("model", ["linear", "logistic"])
def test_optimum_has_zero_gradient_and_is_near_the_truth(model):
    p = make_problem(model, 4000, seed=3, correlation=0.5, noise=0.3)
    w = optimum(p)
    assert np.abs(loss_and_grad(model, w, p.X, p.y)[1]).max() < 1e-10
    if model == "linear":
        np.testing.assert_allclose(w, TRUE_WEIGHTS, atol=0.03)
    else:  # logistic with noise σ recovers w* / σ up to the probit–logit scale (≈ 1.6)
        assert np.dot(w, TRUE_WEIGHTS) / (np.linalg.norm(w) * np.linalg.norm(TRUE_WEIGHTS)) > 0.99


def test_data_cloud_has_the_asked_centre_and_correlation():
    X = data_cloud(MAX_SAMPLES, seed=0, centre=(5.0, -3.0), correlation=0.8)
    np.testing.assert_allclose(X.mean(axis=0), [5.0, -3.0], atol=0.05)
    assert np.corrcoef(X.T)[0, 1] == pytest.approx(0.8, abs=0.015)


def test_loss_grid_matches_pointwise_and_chunks():
    p = make_problem("logistic", 300, seed=4, centre=(1.0, 1.0))
    w1, w2 = np.linspace(-2, 2, 7), np.linspace(-1, 3, 5)
    Z = loss_grid(p, w1, w2)
    assert Z.shape == (5, 7)
    assert Z[3, 2] == pytest.approx(loss_and_grad("logistic", [w1[2], w2[3]], p.X, p.y)[0])


def test_logistic_loss_stays_finite_far_out():
    p = make_problem("logistic", 100, seed=0, centre=(50.0, 50.0))
    loss, grad = loss_and_grad("logistic", np.array([300.0, 300.0]), p.X, p.y)
    assert np.isfinite(loss) and np.isfinite(grad).all()


@pytest.mark.parametrize("call, name", [
    (lambda: make_problem("quadratic", 10, 0), "model"),
    (lambda: make_problem("linear", 0, 0), "samples"),
    (lambda: make_problem("linear", MAX_SAMPLES + 1, 0), "samples"),
    (lambda: make_problem("linear", 10, -1), "seed"),
    (lambda: make_problem("linear", 10, 0, centre=(float("nan"), 0.0)), "centre"),
    (lambda: make_problem("linear", 10, 0, correlation=1.0), "correlation"),
    (lambda: make_problem("linear", 10, 0, noise=float("inf")), "noise"),
    (lambda: loss_grid(make_problem("linear", 10, 0), [0.0, np.nan], [0.0]), "w1"),
])
def test_bad_input_names_the_parameter(call, name):
    with pytest.raises(ValueError, match=f"^{name}"):
        call()
