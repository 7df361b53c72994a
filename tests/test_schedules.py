"""Tests for optiviz.core.schedules.learning_rate."""

import math

import numpy as np
import pytest

from optiviz.core.schedules import SCHEDULES, learning_rate

TIMES = [0, 1, 2, 3, 5, 10, 37]


def test_schedule_names():
    """The four schedules are registered with a formula and a label."""
    assert set(SCHEDULES) == {"constant", "exp", "inv", "step"}
    for formula, label in SCHEDULES.values():
        assert formula.startswith(r"\alpha_t") and label


@pytest.mark.parametrize("t", TIMES)
def test_constant(t):
    """constant: α_t = α₀ whatever k."""
    assert learning_rate("constant", 0.1, 0.5, t) == pytest.approx(0.1, rel=1e-15)


@pytest.mark.parametrize("t", TIMES)
@pytest.mark.parametrize("k", [0.0, 0.05, 0.3])
def test_exp(t, k):
    """exp: α_t = α₀ e^(−kt)."""
    assert learning_rate("exp", 0.2, k, t) == pytest.approx(0.2 * math.exp(-k * t), rel=1e-14)


@pytest.mark.parametrize("t", TIMES)
@pytest.mark.parametrize("k", [0.0, 0.05, 0.3])
def test_inv(t, k):
    """inv: α_t = α₀ / (1 + kt)."""
    assert learning_rate("inv", 0.2, k, t) == pytest.approx(0.2 / (1 + k * t), rel=1e-14)


def test_inv_by_literal_numbers():
    """α₀ = 1, k = ½: 1, 2/3, 1/2, 2/5 at t = 0…3."""
    np.testing.assert_allclose(learning_rate("inv", 1.0, 0.5, np.arange(4)), [1, 2 / 3, 1 / 2, 2 / 5], rtol=1e-15)


@pytest.mark.parametrize("t", TIMES)
@pytest.mark.parametrize("k", [0.0, 0.1, 0.25])
def test_step(t, k):
    """step: α_t = α₀ · 2^(−⌊kt⌋)."""
    assert learning_rate("step", 0.2, k, t) == pytest.approx(0.2 * 2.0 ** -math.floor(k * t), rel=1e-15)


def test_step_halves_every_one_over_k_steps():
    """k = ¼ halves α every 4 steps: 1 for t < 4, ½ for 4 ≤ t < 8, ¼ at t = 8."""
    got = learning_rate("step", 1.0, 0.25, np.arange(9))
    np.testing.assert_array_equal(got, [1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25])


@pytest.mark.parametrize("schedule", list(SCHEDULES))
def test_zero_decay_rate_is_constant(schedule):
    """With k = 0 every schedule is constant."""
    np.testing.assert_allclose(learning_rate(schedule, 0.03, 0.0, np.arange(50)), 0.03, rtol=1e-15)


@pytest.mark.parametrize("schedule", ["exp", "inv", "step"])
def test_decaying_schedules_never_increase(schedule):
    """Decaying schedules are non-increasing and positive over 10 000 steps."""
    rates = learning_rate(schedule, 0.1, 0.01, np.arange(10_001))
    assert np.all(np.diff(rates) <= 0)
    assert rates[0] == 0.1
    assert rates[-1] < rates[0]
    assert np.all(rates >= 0)


@pytest.mark.parametrize("schedule", list(SCHEDULES))
def test_broadcast_steps_against_runs(schedule):
    """t (T, 1) with α₀ (B,) and k (B,) gives a (T, B) table: column b is run b's schedule."""
    t = np.arange(6)[:, None]
    lr0 = np.array([0.1, 0.02, 1.0])
    k = np.array([0.0, 0.2, 0.5])
    table = learning_rate(schedule, lr0, k, t)
    assert table.shape == (6, 3)
    for b in range(3):
        np.testing.assert_allclose(table[:, b], learning_rate(schedule, lr0[b], k[b], np.arange(6)), rtol=1e-15)


def test_broadcast_with_scalar_decay_rate():
    """t (T, 1) with α₀ (B,) and a scalar k: entry [t, b] = α₀[b] e^(−kt)."""
    t = np.arange(4)[:, None]
    lr0 = np.array([0.1, 0.5])
    table = learning_rate("exp", lr0, 0.1, t)
    assert table.shape == (4, 2)
    for i in range(4):
        for b in range(2):
            assert table[i, b] == pytest.approx(lr0[b] * math.exp(-0.1 * i), rel=1e-14)
    assert learning_rate("constant", lr0, 0.1, t).shape == (4, 2)


@pytest.mark.parametrize("bad", ["linear", "Exp", "", "cosine"])
def test_unknown_schedule(bad):
    """Unknown schedules raise ValueError quoting the name."""
    with pytest.raises(ValueError, match=f"unknown schedule {bad!r}"):
        learning_rate(bad, 0.1, 0.1, 0)


@pytest.mark.parametrize("bad", [-0.1, float("nan"), float("inf"), [0.1, -1e-9]])
@pytest.mark.parametrize("schedule", ["constant", "exp", "inv", "step"])
def test_bad_decay_rate(bad, schedule):
    """Negative, NaN or infinite decay rates raise ValueError naming decay_rate."""
    with pytest.raises(ValueError, match="decay_rate"):
        learning_rate(schedule, 0.1, bad, np.arange(3))
