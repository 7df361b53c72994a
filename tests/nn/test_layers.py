"""Tests for optiviz.nn.layers: backward by central differences, batch norm and dropout behaviour."""

import copy

import numpy as np
import pytest

from optiviz.nn.layers import activation, batch_norm, dense, dropout, residual, sequential


def check_layer(layer, params, state, x, numgrad, rel_error, training=True, seed=0):
    """Backward of f = Σ out ⊙ R against central differences of f, for x and every param.

    Each forward gets a fresh rng seeded alike, so dropout draws the same mask every time.
    """
    def run():
        return layer.forward(params, state, x, training, np.random.default_rng(seed))

    out, cache, _ = run()
    r = np.random.default_rng(99).normal(size=out.shape)
    f = lambda: float(np.sum(run()[0] * r))  # noqa: E731
    dx, grads = layer.backward(params, cache, r)
    assert dx.shape == x.shape and grads.keys() == params.keys()
    analytic = [dx] + [grads[k] for k in params]
    numeric = [numgrad(f, x)] + [numgrad(f, params[k]) for k in params]
    assert rel_error(analytic, numeric) < 1e-6
    floor = 1e-3 * np.linalg.norm(np.concatenate([np.ravel(a) for a in analytic]))
    for name, a, n in zip(["x", *params], analytic, numeric):
        assert rel_error(a, n, floor) < 1e-6, name


def random_params(layer, rng):
    """Params of ``layer`` moved off their initial values (γ ≠ 1, β ≠ 0, b ≠ 0)."""
    params, state = layer.init(rng)
    return {k: v + rng.normal(0, 0.5, size=v.shape) for k, v in params.items()}, state


@pytest.fixture
def rng():
    return np.random.default_rng(5)


def test_dense_forward_and_backward(rng, numgrad, rel_error):
    layer = dense(3, 4, "xavier")
    params, state = random_params(layer, rng)
    x = rng.normal(size=(6, 3))
    out, _, new_state = layer.forward(params, state, x)
    np.testing.assert_allclose(out, x @ params["W"] + params["b"])
    assert new_state is state
    check_layer(layer, params, state, x, numgrad, rel_error)


def test_dense_starts_with_zero_bias(rng):
    params, state = dense(3, 4, "he").init(rng)
    assert params["W"].shape == (3, 4) and np.array_equal(params["b"], np.zeros(4)) and state == {}


@pytest.mark.parametrize("name, alpha", [("sigmoid", None), ("tanh", None), ("elu", 0.7), ("leaky_relu", 0.1),
                                         ("relu", None), ("linear", None)])
def test_activation_backward(name, alpha, rng, numgrad, rel_error):
    layer = activation(name, alpha)
    x = rng.normal(size=(5, 4))
    x = np.where(np.abs(x) < 1e-3, 0.3, x)  # no kinks inside the difference
    check_layer(layer, {}, {}, x, numgrad, rel_error)


@pytest.mark.parametrize("batch", [2, 3, 8])
def test_batch_norm_training_backward(batch, rng, numgrad, rel_error):
    layer = batch_norm(4)
    params, state = random_params(layer, rng)
    x = rng.normal(2.0, 3.0, size=(batch, 4))
    check_layer(layer, params, state, x, numgrad, rel_error, training=True)


def test_batch_norm_evaluation_backward(rng, numgrad, rel_error):
    layer = batch_norm(4)
    params, _ = random_params(layer, rng)
    state = {"running_mean": rng.normal(size=4), "running_var": rng.uniform(0.5, 2, size=4)}
    check_layer(layer, params, state, rng.normal(size=(5, 4)), numgrad, rel_error, training=False)


def test_batch_norm_training_statistics(rng):
    layer = batch_norm(3, momentum=0.8, eps=1e-5)
    params = {"gamma": np.array([1.0, 2.0, 0.5]), "beta": np.array([0.0, -1.0, 3.0])}
    state = {"running_mean": np.array([0.1, 0.2, 0.3]), "running_var": np.array([1.0, 2.0, 3.0])}
    saved = copy.deepcopy(state)
    x = rng.normal(5.0, 4.0, size=(10, 3))
    out, _, new_state = layer.forward(params, state, x, training=True)
    # normalised with the batch's own mean and biased variance
    want = params["gamma"] * (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-5) + params["beta"]
    np.testing.assert_allclose(out, want, rtol=1e-12)
    np.testing.assert_allclose(out.mean(0), params["beta"], atol=1e-12)
    # running statistics keep 0.8 of the old value, take 0.2 of the batch's (unbiased variance)
    np.testing.assert_allclose(new_state["running_mean"], 0.8 * saved["running_mean"] + 0.2 * x.mean(0))
    np.testing.assert_allclose(new_state["running_var"], 0.8 * saved["running_var"] + 0.2 * x.var(0, ddof=1))
    for key in state:  # the state passed in is untouched
        np.testing.assert_array_equal(state[key], saved[key])


def test_batch_norm_evaluation_uses_running_statistics(rng):
    layer = batch_norm(3)
    params = {"gamma": np.array([1.0, 2.0, 0.5]), "beta": np.array([0.0, -1.0, 3.0])}
    state = {"running_mean": np.array([0.1, 0.2, 0.3]), "running_var": np.array([1.0, 2.0, 3.0])}
    x = rng.normal(5.0, 4.0, size=(10, 3))
    out, _, new_state = layer.forward(params, state, x, training=False)
    want = params["gamma"] * (x - state["running_mean"]) / np.sqrt(state["running_var"] + 1e-5) + params["beta"]
    np.testing.assert_allclose(out, want, rtol=1e-12)
    assert new_state is state
    again, _, _ = layer.forward(params, state, x, training=False)
    np.testing.assert_array_equal(out, again)  # deterministic
    train, _, _ = layer.forward(params, state, x, training=True)
    assert not np.allclose(out, train)
    # in evaluation an example's output does not depend on the rest of the batch
    np.testing.assert_allclose(layer.forward(params, state, x[:1], training=False)[0], out[:1])


def test_batch_norm_needs_two_examples_in_training():
    layer = batch_norm(2)
    params, state = layer.init(None)
    with pytest.raises(ValueError, match="at least 2"):
        layer.forward(params, state, np.ones((1, 2)), training=True)
    layer.forward(params, state, np.ones((1, 2)), training=False)  # fine in evaluation


@pytest.mark.parametrize("keep_prob", [0.3, 0.8])
def test_dropout_backward_with_fixed_mask(keep_prob, rng, numgrad, rel_error):
    check_layer(dropout(keep_prob), {}, {}, rng.normal(size=(6, 5)), numgrad, rel_error, seed=3)


def test_dropout_training_and_evaluation(rng):
    layer = dropout(0.5)
    x = rng.normal(size=(200, 10))
    out, mask, _ = layer.forward({}, {}, x, training=True, rng=np.random.default_rng(1))
    assert set(np.unique(mask)) == {0.0, 2.0}  # Bernoulli(p)/p
    np.testing.assert_array_equal(out, x * mask)
    assert abs(np.mean(mask > 0) - 0.5) < 0.05
    same, _, _ = layer.forward({}, {}, x, training=True, rng=np.random.default_rng(1))
    np.testing.assert_array_equal(out, same)  # same seed, same mask
    other, _, _ = layer.forward({}, {}, x, training=True, rng=np.random.default_rng(2))
    assert not np.array_equal(out, other)
    ev1, _, _ = layer.forward({}, {}, x, training=False)
    ev2, _, _ = layer.forward({}, {}, x, training=False, rng=np.random.default_rng(3))
    np.testing.assert_array_equal(ev1, x)  # evaluation: identity, deterministic
    np.testing.assert_array_equal(ev2, x)


@pytest.mark.parametrize("keep_prob", [0.2, 0.5, 0.9])
def test_inverted_dropout_preserves_the_expectation(keep_prob):
    x = np.array([[1.0, -2.0, 0.5, 3.0]])
    many = np.repeat(x, 40_000, axis=0)  # 40 000 masks at once
    out, _, _ = dropout(keep_prob).forward({}, {}, many, training=True, rng=np.random.default_rng(0))
    stderr = np.abs(x) * np.sqrt((1 - keep_prob) / keep_prob / len(many))
    assert np.all(np.abs(out.mean(axis=0) - x) < 5 * stderr)


def test_dropout_validation():
    for bad in (0.0, -0.1, 1.5, float("nan")):
        with pytest.raises(ValueError, match="keep_prob"):
            dropout(bad)
    with pytest.raises(ValueError, match="rng"):
        dropout(0.5).forward({}, {}, np.ones((2, 2)), training=True)
    out, _, _ = dropout(1.0).forward({}, {}, np.ones((2, 2)), training=True)  # p = 1: nothing dropped, no rng
    np.testing.assert_array_equal(out, np.ones((2, 2)))


def test_residual_adds_the_input(rng, numgrad, rel_error):
    layer = residual(dense(4, 4), batch_norm(4), activation("tanh"), dropout(0.7))
    params, state = random_params(layer, rng)
    x = rng.normal(size=(6, 4))
    inner = sequential(dense(4, 4), batch_norm(4), activation("tanh"), dropout(0.7))
    out, _, _ = layer.forward(params, state, x, True, np.random.default_rng(0))
    fx, _, _ = inner.forward(params, state, x, True, np.random.default_rng(0))
    np.testing.assert_allclose(out, x + fx)
    check_layer(layer, params, state, x, numgrad, rel_error, training=True)


def test_residual_gradient_highway():
    """With F ≡ 0 (zero weights) the gradient still reaches x unchanged: ∂L/∂x = δ."""
    layer = residual(dense(3, 3, "zeros"), activation("tanh"))
    params, state = layer.init(None)
    x = np.arange(6.0).reshape(2, 3)
    out, cache, _ = layer.forward(params, state, x)
    np.testing.assert_array_equal(out, x)
    delta = np.array([[1.0, 2.0, 3.0], [-1.0, 0.5, 0.0]])
    dx, _ = layer.backward(params, cache, delta)
    np.testing.assert_array_equal(dx, delta)


def test_residual_needs_equal_widths():
    with pytest.raises(ValueError, match="equal input and output widths, got 3 → 4"):
        residual(dense(3, 4), activation("relu"))
    width_free = residual(activation("tanh"))
    out, _, _ = width_free.forward({}, {}, np.zeros((2, 5)))
    assert out.shape == (2, 5)


def test_sequential_checks_keys_and_widths(rng, numgrad, rel_error):
    with pytest.raises(ValueError, match="distinct keys"):
        sequential(dense(3, 3), dense(3, 3))
    with pytest.raises(ValueError, match="width 5.*gives 4"):
        sequential(dense(3, 4), activation("tanh"), batch_norm(5))
    stack = sequential(dense(3, 4), batch_norm(4), activation("sigmoid"))
    assert (stack.n_in, stack.n_out) == (3, 4)
    assert stack.param_keys == ("W", "b", "gamma", "beta")
    assert stack.state_keys == ("running_mean", "running_var")
    params, state = random_params(stack, rng)
    check_layer(stack, params, state, rng.normal(size=(5, 3)), numgrad, rel_error)


def test_layers_name_bad_inputs():
    with pytest.raises(ValueError, match="x must have shape \\(n, 3\\)"):
        layer = dense(3, 2)
        layer.forward(*layer.init(np.random.default_rng(0)), np.ones((4, 2)))
    with pytest.raises(ValueError, match="n_out"):
        dense(3, 0)
    with pytest.raises(ValueError, match="momentum"):
        batch_norm(3, momentum=1.5)
    with pytest.raises(ValueError, match="eps"):
        batch_norm(3, eps=0.0)
    with pytest.raises(ValueError, match="unknown initializer"):
        dense(3, 2, "orthogonal")
