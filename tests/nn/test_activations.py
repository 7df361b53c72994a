"""Tests for optiviz.nn.activations: values from the formulas, derivatives by central differences."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optiviz.nn.activations import ACTIVATIONS, elu, get_activation, leaky_relu, sigmoid

CHOICES = {
    **ACTIVATIONS,
    "leaky_relu(0.2)": leaky_relu(0.2),
    "leaky_relu(0)": leaky_relu(0.0),
    "elu(0.5)": elu(0.5),
}


def test_registry_names():
    assert set(ACTIVATIONS) == {"sigmoid", "tanh", "relu", "leaky_relu", "linear", "elu"}
    for name, f in ACTIVATIONS.items():
        assert f.name == name


@pytest.mark.parametrize("key", list(CHOICES))
def test_derivative_matches_central_differences(key):
    f = CHOICES[key]
    z = np.random.default_rng(1).normal(0.0, 3.0, size=(7, 9))
    z = np.where(np.abs(z) < 1e-3, 0.5, z)  # away from the kink at 0
    h = 1e-6
    numeric = (f.value(z + h) - f.value(z - h)) / (2 * h)
    analytic = f.derivative(z)
    assert analytic.shape == z.shape
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-9)


E = math.e
VALUES = [
    ("sigmoid", 0.0, 0.5, 0.25),
    ("sigmoid", math.log(3), 0.75, 0.75 * 0.25),
    ("sigmoid", -math.log(3), 0.25, 0.75 * 0.25),
    ("tanh", 0.0, 0.0, 1.0),
    ("tanh", math.log(2), 0.6, 1 - 0.36),  # (2 − 1/2)/(2 + 1/2)
    ("relu", -2.0, 0.0, 0.0),
    ("relu", 3.0, 3.0, 1.0),
    ("relu", 0.0, 0.0, 0.0),
    ("leaky_relu", -2.0, -0.02, 0.01),
    ("leaky_relu", 0.0, 0.0, 0.01),
    ("leaky_relu", 5.0, 5.0, 1.0),
    ("linear", -1.5, -1.5, 1.0),
    ("elu", -1.0, 1 / E - 1, 1 / E),
    ("elu", 2.0, 2.0, 1.0),
]


@pytest.mark.parametrize("name, z, value, derivative", VALUES)
def test_values_from_formulas(name, z, value, derivative):
    f = ACTIVATIONS[name]
    assert f.value(np.array([z]))[0] == pytest.approx(value, rel=1e-12, abs=1e-15)
    assert f.derivative(np.array([z]))[0] == pytest.approx(derivative, rel=1e-12, abs=1e-15)


def test_alpha_sets_the_negative_slope():
    assert get_activation("leaky_relu", alpha=0.3).value(np.array([-2.0]))[0] == pytest.approx(-0.6)
    assert get_activation("elu", alpha=2.0).value(np.array([-1.0]))[0] == pytest.approx(2 * (1 / E - 1))
    assert get_activation("tanh", alpha=0.3) is ACTIVATIONS["tanh"]  # α ignored where there is none


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_extreme_inputs_are_finite_without_warnings(name):
    f = ACTIVATIONS[name]
    z = np.array([-1e300, -1000.0, -745.0, -40.0, 0.0, 40.0, 745.0, 1000.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        v, d = f.value(z), f.derivative(z)
    assert np.all(np.isfinite(v)) and np.all(np.isfinite(d))


def test_sigmoid_saturates_exactly():
    assert sigmoid.value(np.array([1000.0]))[0] == 1.0
    assert sigmoid.value(np.array([-1000.0]))[0] == 0.0
    assert sigmoid.derivative(np.array([-1000.0, 1000.0])).tolist() == [0.0, 0.0]  # vanishing gradient


@pytest.mark.parametrize("z", [-40.0, 40.0, 300.0])
def test_saturated_derivatives_keep_their_precision(z):
    """Far out, σ'(z) ≈ e^{−|z|} and tanh'(z) ≈ 4e^{−2|z|}: tiny, but not rounded to 0 (log-scale figures)."""
    assert ACTIVATIONS["sigmoid"].derivative(np.array([z]))[0] == pytest.approx(math.exp(-abs(z)), rel=1e-12)
    assert ACTIVATIONS["tanh"].derivative(np.array([z / 2]))[0] == pytest.approx(4 * math.exp(-abs(z)), rel=1e-12)


@settings(max_examples=60, deadline=None)
@given(st.floats(-800, 800))
def test_sigmoid_symmetry_and_range(z):
    s = sigmoid.value(np.array([z, -z]))
    assert 0.0 <= s[0] <= 1.0
    assert s[0] + s[1] == pytest.approx(1.0, abs=1e-15)


def test_unknown_name_lists_the_choices():
    with pytest.raises(ValueError, match="unknown activation 'swish'.*sigmoid.*leaky_relu.*elu"):
        get_activation("swish")


@pytest.mark.parametrize("name, alpha", [("leaky_relu", -0.1), ("leaky_relu", 1.5), ("leaky_relu", float("nan")),
                                         ("elu", 0.0), ("elu", float("inf")), ("leaky_relu", "big")])
def test_bad_alpha_is_named(name, alpha):
    with pytest.raises(ValueError, match="alpha"):
        get_activation(name, alpha)


def test_relu_and_its_derivative_have_the_bits_of_the_textbook_forms():
    """relu(z) = max(z, 0) and relu'(z) = [z > 0], bit for bit, at ±0, ±inf, NaN and subnormals too."""
    z = np.concatenate([np.random.default_rng(1).standard_normal(200),
                        [0.0, -0.0, np.inf, -np.inf, np.nan, 5e-324, -5e-324, 1e-310, -1e-310]])
    relu = get_activation("relu")
    for got, want in ((relu.value(z), np.maximum(z, 0.0)), (relu.derivative(z), (z > 0).astype(float)),
                      (relu.value(z, out=np.empty_like(z)), np.maximum(z, 0.0))):
        assert got.dtype == np.float64
        np.testing.assert_array_equal(got.view(np.int64), want.view(np.int64))
