"""Tests for optiviz.nn.penalties: values from the formulas, gradients by central differences."""

import numpy as np
import pytest

from optiviz.nn import MLP
from optiviz.nn.penalties import PENALTIES, elastic_net, l1, l2, none, penalize

W = np.array([[1.0, -2.0], [0.0, 3.0]])  # Σ|W| = 6, Σ W² = 14


@pytest.mark.parametrize(
    "penalty, value, gradient",
    [
        (l1(0.5), 0.5 * 6, 0.5 * np.sign(W)),
        (l2(0.5), 0.5 / 2 * 14, 0.5 * W),
        (elastic_net(0.5, 0.2), 0.5 * 6 + 0.2 / 2 * 14, 0.5 * np.sign(W) + 0.2 * W),
        (none(), 0.0, np.zeros_like(W)),
    ],
)
def test_values_and_gradients_from_formulas(penalty, value, gradient):
    assert penalty.value(W) == pytest.approx(value, rel=1e-14)
    np.testing.assert_allclose(penalty.gradient(W), gradient, rtol=1e-14)


def test_l1_subgradient_is_zero_at_zero():
    assert l1(1.0).gradient(np.zeros(3)).tolist() == [0.0, 0.0, 0.0]


@pytest.mark.parametrize("penalty", [l1(0.3), l2(0.7), elastic_net(0.3, 0.7)], ids=lambda p: p.name)
def test_gradient_matches_central_differences(penalty, numgrad, rel_error):
    w = np.random.default_rng(2).normal(size=(4, 5))
    w = np.where(np.abs(w) < 1e-3, 0.1, w)  # |W| has a kink at 0
    assert rel_error(penalty.gradient(w), numgrad(lambda: penalty.value(w), w)) < 1e-6


def test_penalize_skips_biases_and_batch_norm():
    net = MLP(3, [4, 4], 2, activation="tanh", batch_norm=True, initializer="normal", init_params={"sigma": 1.0})
    params, _ = net.init(np.random.default_rng(0))
    for block in params:  # make every array non-zero, so skipping is visible
        for key in block:
            block[key] = block[key] + 0.5
    pen = elastic_net(0.1, 0.2)
    value, grads = penalize(pen, params, net.weight_keys)
    assert value == pytest.approx(sum(pen.value(block["W"]) for block in params))
    for block, g in zip(params, grads):
        assert g.keys() == block.keys()
        np.testing.assert_array_equal(g["W"], pen.gradient(block["W"]))
        for key in set(block) - {"W"}:
            np.testing.assert_array_equal(g[key], np.zeros_like(block[key]))


def test_registry_and_validation():
    assert set(PENALTIES) == {"none", "l1", "l2", "elastic_net"}
    assert PENALTIES["l2"](0.1).name == "l2"
    for make, bad in [(l1, -0.1), (l2, float("nan")), (l2, float("inf"))]:
        with pytest.raises(ValueError, match="lam"):
            make(bad)
    with pytest.raises(ValueError, match="lam2"):
        elastic_net(0.1, -1.0)
