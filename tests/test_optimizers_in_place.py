"""Each update rule is written once, growing its state in place: ``update_in_place`` is that rule and ``update``
runs it on a copy of the state. Both give the same bits, on arrays and on floats, for many steps (Adam past the
step where 1 − β₁ᵗ rounds to 1), with per-run hyperparameters, and through zeros, inf and NaN."""

import numpy as np
import pytest

from optiviz.core.optimizers import OPTIMIZERS, make_optimizer
from optiviz.core.surfaces import columns
from tests.support.hyperparameters import PER_RUN

pytestmark = pytest.mark.filterwarnings("error")


STEPS = 400  # Adam with β₁ = 0.9: 1 − β₁ᵗ is exactly 1 from t ≈ 355 on


def same_bits(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return np.array_equal(a, b, equal_nan=True) and np.array_equal(np.signbit(a), np.signbit(b))


def gradients(seed=1):
    """(STEPS, 4, 2) gradients laid out as columns, some zero, some of them inf or NaN."""
    rng = np.random.default_rng(seed)
    g = rng.normal(size=(STEPS, 4, 2)) * np.logspace(-3, 3, STEPS)[:, None, None]
    g[5, 0], g[6, 1], g[7, 2], g[8:12, 3] = [0.0, -0.0], [np.inf, 1.0], [np.nan, -2.0], 0.0
    return g


def states_equal(a, b):
    return len(a) == len(b) and all(same_bits(x, y) for x, y in zip(a, b))


@pytest.mark.parametrize("name", list(OPTIMIZERS))
@pytest.mark.parametrize("per_run", [False, True])
def test_in_place_equals_pure_bit_for_bit(name, per_run):
    hyper = {k: np.array(v) for k, v in PER_RUN[name].items()} if per_run else {}
    opt = make_optimizer(name, **hyper)
    lr = np.array([0.1, 0.01, 0.5, 2.0])
    w = columns(np.zeros(4), np.zeros(4))
    pure, owned = opt.init(w), opt.init(w)
    with np.errstate(all="ignore"):
        for t, g in enumerate(gradients()):
            g = columns(g[:, 0], g[:, 1])
            g_before = g.copy()
            before = [np.array(s, copy=True) for s in pure]
            d_pure, pure_next = opt.update(g, pure, lr)
            assert states_equal(pure, before), "update left the old state alone"
            d_owned, owned = opt.update_in_place(g, owned, lr)
            assert same_bits(g, g_before), "neither touches the gradient"
            assert same_bits(d_owned, d_pure) and states_equal(owned, pure_next), (name, t)
            pure = pure_next


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_in_place_grows_the_state_it_is_given(name):
    """update_in_place writes over the state's arrays (the walk owns them); update does not."""
    opt = make_optimizer(name)
    state = opt.init(np.zeros(3))
    arrays = [s for s in state if isinstance(s, np.ndarray)]
    _, new = opt.update_in_place(np.array([1.0, -2.0, 3.0]), state, 0.1)
    assert all(any(a is n for n in new) for a in arrays)
    _, newer = opt.update(np.array([1.0, -2.0, 3.0]), new, 0.1)
    assert not any(a is n for a in new if isinstance(a, np.ndarray) for n in newer)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_on_python_floats_in_place_is_pure_and_has_the_arrays_bits(name):
    """On floats (the race's walk) the in-place rule is plain arithmetic: the bits of the rule on arrays."""
    opt = make_optimizer(name)
    g_all = gradients(3)[:, 0, 0]
    state_f, state_a = opt.init(0.0), opt.init(np.zeros(1))
    with np.errstate(all="ignore"):
        for g in g_all:
            d_f, state_f = opt.update_in_place(float(g), state_f, 0.05)
            d_a, state_a = opt.update_in_place(np.array([g]), state_a, 0.05)
            assert type(d_f) is float and same_bits(d_f, d_a[0])


def adam_one_line(g, state, lr, b1=0.9, b2=0.999, eps=1e-8):
    t, m, v = state
    t += 1
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * (g * g)
    return -lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps), (t, m, v)


def test_adam_past_the_step_where_its_bias_correction_rounds_to_one_keeps_the_one_line_bits():
    """From t ≈ 355 on, 1 − 0.9ᵗ is exactly 1 and the rule multiplies by −1 rather than divide: the same bits,
    zeros of both signs and NaN included."""
    assert 1 - 0.9**354 != 1 and 1 - 0.9**356 == 1
    opt = make_optimizer("adam")
    lr = np.array([0.1, 0.01, 0.5, 2.0])[:, None]
    w = columns(np.zeros(4), np.zeros(4))
    state, want = opt.init(w), opt.init(w)
    with np.errstate(all="ignore"):
        for g in gradients(7):
            g = columns(g[:, 0], g[:, 1])
            delta, state = opt.update_in_place(g, state, lr.ravel())
            expected, want = adam_one_line(g, want, lr)
            assert same_bits(delta, expected), state[0]
    assert state[0] == STEPS
