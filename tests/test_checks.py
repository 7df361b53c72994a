"""optiviz.core.checks: good values come back clean, bad ones raise ValueError naming the input."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from optiviz.core.checks import check_int, check_number, check_numbers, check_rng, check_table

# --- check_number ------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [0, 3, -2.5, 1e300, np.float32(0.25), np.int64(7), Fraction(1, 4)])
def test_number_passes_finite_reals_as_float(value):
    out = check_number("x", value)
    assert type(out) is float and out == float(value)


@pytest.mark.parametrize(
    "value", [True, False, np.True_, "0.1", None, [1.0], np.array([1.0]), 1 + 0j, math.nan, math.inf, -math.inf, np.nan]
)
def test_number_rejects_non_numbers_and_non_finite(value):
    with pytest.raises(ValueError, match=r"^speed must be a"):
        check_number("speed", value)


@pytest.mark.parametrize(
    "value, bounds, ok",
    [
        (0.0, dict(low=0.0), True),
        (0.0, dict(low=0.0, low_open=True), False),
        (1e-300, dict(low=0.0, low_open=True), True),
        (-1e-9, dict(low=0.0), False),
        (1.0, dict(high=1.0), True),
        (1.0, dict(high=1.0, high_open=True), False),
        (0.5, dict(low=0.0, high=1.0, low_open=True, high_open=True), True),
        (1.5, dict(low=0.0, high=1.0), False),
        (-0.5, dict(low=0.0, high=1.0), False),
        (math.inf, dict(low=0.0), False),  # an open-ended bound does not let ±inf in
    ],
)
def test_number_bounds(value, bounds, ok):
    if ok:
        assert check_number("rate", value, **bounds) == value
    else:
        with pytest.raises(ValueError, match=r"^rate must be a finite number"):
            check_number("rate", value, **bounds)


@pytest.mark.parametrize(
    "bounds, text",
    [
        ({}, "rate must be a finite number, got nan"),
        (dict(low=0), "rate must be a finite number ≥ 0, got nan"),
        (dict(low=0, low_open=True), "rate must be a finite number > 0, got nan"),
        (dict(high=1), "rate must be a finite number ≤ 1, got nan"),
        (dict(high=1, high_open=True), "rate must be a finite number < 1, got nan"),
        (dict(low=0, high=1, low_open=True), "rate must be a finite number in (0, 1], got nan"),
        (dict(low=0, high=1, high_open=True), "rate must be a finite number in [0, 1), got nan"),
    ],
)
def test_number_message_states_the_interval(bounds, text):
    with pytest.raises(ValueError) as err:
        check_number("rate", math.nan, **bounds)
    assert str(err.value) == text


def test_number_bounds_are_keyword_only():
    with pytest.raises(TypeError):
        check_number("rate", 1.0, 0.0)


# --- check_int ---------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [1, 5, np.int64(3), np.uint8(200), np.array(4)])
def test_int_passes_integers_as_int(value):
    out = check_int("n", value)
    assert type(out) is int and out == int(value)


@pytest.mark.parametrize("value", [True, False, np.True_, 3.0, 2.5, np.float64(3.0), "3", None, [3], math.nan])
def test_int_rejects_bools_floats_and_strings(value):
    with pytest.raises(ValueError, match=r"^n must be an integer, got"):
        check_int("n", value)


def test_int_bounds_are_closed():
    assert check_int("n", 1) == 1  # default low = 1
    assert check_int("n", 0, low=0) == 0
    assert check_int("n", 10, low=2, high=10) == 10
    with pytest.raises(ValueError, match=r"^n must be an integer ≥ 1, got 0$"):
        check_int("n", 0)
    with pytest.raises(ValueError, match=r"^n must be an integer in \[2, 10\], got 11$"):
        check_int("n", 11, low=2, high=10)
    with pytest.raises(ValueError, match=r"^n must be an integer in \[2, 10\], got 1$"):
        check_int("n", 1, low=2, high=10)


# --- check_rng ---------------------------------------------------------------------------------


def test_rng_passes_a_generator_through():
    g = np.random.default_rng(0)
    assert check_rng("rng", g) is g
    assert check_rng("rng", g, allow_seed=True) is g


@pytest.mark.parametrize("value", [0, 7, np.int64(3), None, np.random.RandomState(0), "0"])
def test_rng_rejects_anything_else_without_allow_seed(value):
    with pytest.raises(ValueError, match=r"^gen must be a np\.random\.Generator"):
        check_rng("gen", value)


def test_rng_seed_gives_the_seeded_generator():
    a = check_rng("seed", 5, allow_seed=True)
    b = check_rng("seed", np.int32(5), allow_seed=True)
    assert isinstance(a, np.random.Generator)
    assert a.random() == b.random() == np.random.default_rng(5).random()


@pytest.mark.parametrize("value", [-1, 1.0, 1.5, True, np.bool_(False), None, "1", np.random.RandomState(0)])
def test_rng_rejects_bad_seeds(value):
    with pytest.raises(ValueError, match=r"^seed must be an integer seed ≥ 0 or a np\.random\.Generator"):
        check_rng("seed", value, allow_seed=True)


# --- check_table -------------------------------------------------------------------------------


def test_table_passes_a_float64_copy_of_the_right_shape():
    out = check_table("X", [[1, 2], [3, 4], [5, 6]], width=2)
    assert out.dtype == np.float64 and out.shape == (3, 2)
    np.testing.assert_array_equal(out, [[1, 2], [3, 4], [5, 6]])
    assert check_table("X", np.zeros((1, 7))).shape == (1, 7)  # any width when width is None


@pytest.mark.parametrize(
    "value, width",
    [
        (np.zeros((0, 2)), 2),  # no rows
        (np.zeros((0, 2)), None),
        (np.zeros(4), None),  # 1-D
        (np.zeros((2, 2, 2)), None),  # 3-D
        (np.zeros((4, 3)), 2),  # wrong width
        (5.0, None),
    ],
)
def test_table_rejects_wrong_shapes(value, width):
    with pytest.raises(ValueError, match=r"^pts must have shape \(n, (2|d)\) with n ≥ 1, got shape"):
        check_table("pts", value, width=width)


@pytest.mark.parametrize("value", [[["a", "b"]], [[1.0], [1.0, 2.0]], None])
def test_table_rejects_non_numbers(value):
    with pytest.raises(ValueError, match=r"^pts must "):
        check_table("pts", value)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_table_finiteness_is_optional(bad):
    X = np.array([[0.0, bad], [1.0, 2.0]])
    with pytest.raises(ValueError, match=r"^pts must be finite"):
        check_table("pts", X)
    out = check_table("pts", X, width=2, finite=False)
    np.testing.assert_array_equal(out, X)


def test_check_numbers_takes_one_value_per_run_and_names_the_input():
    np.testing.assert_array_equal(check_numbers("momentum", [0.0, 0.5, 0.9], low=0, high=1, high_open=True),
                                  [0.0, 0.5, 0.9])
    assert check_numbers("momentum", 0.5, low=0, high=1).shape == ()
    for bad in ([0.5, 1.0], [0.5, np.nan], [-0.1], "0.5", True, [[0.5], "x"]):
        with pytest.raises(ValueError, match=r"^momentum must be a (finite )?number"):
            check_numbers("momentum", bad, low=0, high=1, high_open=True)
