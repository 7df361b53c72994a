"""Tests for optiviz.nn.initializers: empirical moments against each formula, and validation."""

import numpy as np
import pytest

from optiviz.nn.initializers import INITIALIZERS, get_initializer, initializer_params

N_IN, N_OUT = 500, 200  # 100 000 draws: the sample variance is within ~0.5 % (normal), we allow 3 %

VARIANCES = [
    ("normal", {"sigma": 0.3}, 0.09),
    ("uniform", {"a": 0.5}, 0.25 / 3),  # a²/3
    ("xavier", {}, 1 / N_IN),
    ("glorot", {}, 2 / (N_IN + N_OUT)),
    ("he", {}, 2 / N_IN),
]


def test_registry_names():
    assert set(INITIALIZERS) == {"zeros", "constant", "normal", "uniform", "xavier", "glorot", "he"}


@pytest.mark.parametrize("name, params, variance", VARIANCES)
def test_empirical_variance_matches_formula(name, params, variance):
    w = get_initializer(name, **params)((N_IN, N_OUT), np.random.default_rng(0))
    assert w.shape == (N_IN, N_OUT) and w.dtype == np.float64
    assert w.var() == pytest.approx(variance, rel=0.03)
    assert abs(w.mean()) < 5 * np.sqrt(variance / w.size)


def test_uniform_stays_in_its_interval():
    w = INITIALIZERS["uniform"]((50, 40), np.random.default_rng(1), a=0.2)
    assert w.min() >= -0.2 and w.max() <= 0.2
    assert w.min() < -0.19 and w.max() > 0.19


def test_zeros_and_constant():
    assert np.array_equal(INITIALIZERS["zeros"]((3, 4)), np.zeros((3, 4)))
    assert np.array_equal(INITIALIZERS["constant"]((3, 4), None, c=-0.7), np.full((3, 4), -0.7))
    assert np.array_equal(get_initializer("constant", c=2.0)((2, 2), None), np.full((2, 2), 2.0))


@pytest.mark.parametrize("name", ["normal", "uniform", "xavier", "glorot", "he"])
def test_seeded_draws_repeat(name):
    draw = get_initializer(name)
    a = draw((6, 5), np.random.default_rng(7))
    b = draw((6, 5), np.random.default_rng(7))
    c = draw((6, 5), np.random.default_rng(8))
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


def test_initializer_params():
    assert initializer_params("normal") == ("sigma",)
    assert initializer_params("uniform") == ("a",)
    assert initializer_params("constant") == ("c",)
    assert initializer_params("he") == ()


@pytest.mark.parametrize(
    "name, params, match",
    [
        ("normal", {"sigma": -0.1}, "sigma"),
        ("normal", {"sigma": float("nan")}, "sigma"),
        ("normal", {"sigma": float("inf")}, "sigma"),
        ("uniform", {"a": -1.0}, "a must"),
        ("constant", {"c": float("nan")}, "c must"),
        ("constant", {"c": "one"}, "c must"),
        ("normal", {"a": 0.1}, "'normal' has no parameter 'a'"),
        ("he", {"sigma": 0.1}, "'he' has no parameter 'sigma'"),
        ("lecun", {}, "unknown initializer 'lecun'.*zeros.*glorot.*he"),
    ],
)
def test_bad_params_are_named(name, params, match):
    with pytest.raises(ValueError, match=match):
        get_initializer(name, **params)


def test_bad_shape_and_rng():
    with pytest.raises(ValueError, match="shape"):
        INITIALIZERS["xavier"]((0, 5), np.random.default_rng(0))
    with pytest.raises(ValueError, match="shape"):
        INITIALIZERS["he"]((3, 4, 5), np.random.default_rng(0))
    with pytest.raises(ValueError, match="shape"):
        INITIALIZERS["normal"](5, np.random.default_rng(0))
    with pytest.raises(ValueError, match="rng"):
        INITIALIZERS["normal"]((2, 2), 0)
    with pytest.raises(ValueError, match="rng"):
        INITIALIZERS["he"]((2, 2), np.random.RandomState(0))
