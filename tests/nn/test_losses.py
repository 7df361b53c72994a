"""Tests for optiviz.nn.losses: values from the formulas, dlogits by central differences, stability."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optiviz.nn.losses import (
                               LOSSES,
                               binary_cross_entropy,
                               get_loss,
                               mean_squared_error,
                               softmax,
                               softmax_cross_entropy,
                               )


def check_gradient(loss, z, y, numgrad, rel_error):
    value, dz = loss(z, y)
    assert dz.shape == z.shape
    numeric = numgrad(lambda: loss(z, y)[0], z)
    assert rel_error(dz, numeric) < 1e-6


@settings(max_examples=25, deadline=None)
@given(batch=st.integers(1, 9), classes=st.integers(2, 7), seed=st.integers(0, 2**32 - 1), onehot=st.booleans())
def test_softmax_cross_entropy_gradient(numgrad, rel_error, batch, classes, seed, onehot):
    rng = np.random.default_rng(seed)
    z = rng.normal(0, 1.5, size=(batch, classes))  # wider makes ∂L/∂z so small that differencing loses digits
    y = rng.integers(0, classes, size=batch)
    if onehot:
        y = np.eye(classes)[y]
    check_gradient(softmax_cross_entropy, z, y, numgrad, rel_error)


@settings(max_examples=25, deadline=None)
@given(batch=st.integers(1, 9), outputs=st.integers(0, 4), seed=st.integers(0, 2**32 - 1))
def test_binary_cross_entropy_gradient(numgrad, rel_error, batch, outputs, seed):
    rng = np.random.default_rng(seed)
    shape = (batch,) if outputs == 0 else (batch, outputs)
    z = rng.normal(0, 1.5, size=shape)
    y = rng.uniform(0, 1, size=shape)  # soft labels too
    check_gradient(binary_cross_entropy, z, y, numgrad, rel_error)


@settings(max_examples=25, deadline=None)
@given(batch=st.integers(1, 9), outputs=st.integers(1, 4), seed=st.integers(0, 2**32 - 1))
def test_mean_squared_error_gradient(numgrad, rel_error, batch, outputs, seed):
    rng = np.random.default_rng(seed)
    z = rng.normal(0, 3, size=(batch, outputs))
    y = rng.normal(0, 3, size=(batch, outputs))
    check_gradient(mean_squared_error, z, y, numgrad, rel_error)


def test_binary_cross_entropy_values():
    assert binary_cross_entropy(np.zeros(5), np.array([0, 1, 1, 0, 1]))[0] == pytest.approx(math.log(2))
    assert binary_cross_entropy([2.0], [1.0])[0] == pytest.approx(math.log(1 + math.exp(-2)))
    assert binary_cross_entropy([2.0], [0.0])[0] == pytest.approx(math.log(1 + math.exp(2)))
    value, dz = binary_cross_entropy([[0.0], [math.log(3)]], [1.0, 0.0])  # (B, 1) logits, (B,) labels
    assert value == pytest.approx((math.log(2) + math.log(4)) / 2)
    np.testing.assert_allclose(dz, [[(0.5 - 1) / 2], [0.75 / 2]])


def test_softmax_cross_entropy_values():
    assert softmax_cross_entropy(np.zeros((4, 5)), [0, 1, 2, 4])[0] == pytest.approx(math.log(5))
    value, dz = softmax_cross_entropy([[1.0, 2.0, 3.0]], [2])
    s = math.exp(1) + math.exp(2) + math.exp(3)
    assert value == pytest.approx(math.log(s) - 3)
    np.testing.assert_allclose(dz, [[math.exp(1) / s, math.exp(2) / s, math.exp(3) / s - 1]])


def test_indices_and_one_hot_agree():
    z = np.random.default_rng(3).normal(size=(6, 4))
    y = np.array([0, 3, 1, 1, 2, 0])
    a, da = softmax_cross_entropy(z, y)
    b, db = softmax_cross_entropy(z, np.eye(4)[y])
    assert a == pytest.approx(b, rel=1e-14)
    np.testing.assert_allclose(da, db, rtol=1e-14)


def test_mean_squared_error_values():
    value, dz = mean_squared_error([[1.0, 2.0], [0.0, -1.0]], [[0.0, 0.0], [0.0, 1.0]])
    assert value == pytest.approx((1 + 4 + 0 + 4) / 2)
    np.testing.assert_allclose(dz, [[1.0, 2.0], [0.0, -2.0]])  # 2(ŷ − y)/B


def test_huge_logits_are_finite_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", divide="raise", invalid="raise"):
            value, dz = binary_cross_entropy([1000.0, -1000.0, 1000.0, -1000.0], [1.0, 1.0, 0.0, 0.0])
            ce, dce = softmax_cross_entropy([[1000.0, -1000.0], [-1000.0, 1000.0]], [0, 0])
            s = softmax([[1000.0, -1000.0, 999.0]])
    assert value == pytest.approx((0 + 1000 + 1000 + 0) / 4)  # per example log(1 + e^z) − y z
    np.testing.assert_allclose(dz, [0.0, -0.25, 0.25, 0.0], atol=1e-300)
    assert ce == pytest.approx(2000 / 2)
    np.testing.assert_allclose(dce, [[0.0, 0.0], [-0.5, 0.5]], atol=1e-300)
    np.testing.assert_allclose(s, [[1 / (1 + math.exp(-1)), 0.0, math.exp(-1) / (1 + math.exp(-1))]])


def test_registry_and_validation():
    assert set(LOSSES) == {"binary_cross_entropy", "softmax_cross_entropy", "mean_squared_error"}
    assert get_loss("mean_squared_error") is mean_squared_error
    with pytest.raises(ValueError, match="unknown loss 'hinge'.*binary_cross_entropy"):
        get_loss("hinge")
    with pytest.raises(ValueError, match="y must have the shape"):
        mean_squared_error(np.zeros((3, 2)), np.zeros((3, 3)))
    with pytest.raises(ValueError, match="y must hold labels in \\[0, 1\\]"):
        binary_cross_entropy(np.zeros(2), [0.0, 2.0])
    with pytest.raises(ValueError, match="class indices 0..2"):
        softmax_cross_entropy(np.zeros((2, 3)), [0, 3])
    with pytest.raises(ValueError, match="class indices"):
        softmax_cross_entropy(np.zeros((2, 3)), [0, 1.5])
    with pytest.raises(ValueError, match="probability row"):
        softmax_cross_entropy(np.zeros((2, 3)), np.ones((2, 3)))
    with pytest.raises(ValueError, match="logits must have shape \\(B, C\\)"):
        softmax_cross_entropy(np.zeros(3), [0, 1, 2])
    with pytest.raises(ValueError, match="logits"):
        binary_cross_entropy(np.zeros((0,)), np.zeros((0,)))
