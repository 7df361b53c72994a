"""The walk's in-place machinery keeps descent's bits: run_ends on a bounded surface (f skipped between the first
and last steps) equals run_ends checking f every step and descend's last rows, diverging runs included; a formula
that cannot be traced is evaluated as it is, with the same result; descend equals the race's float walk."""

import dataclasses

import numpy as np
import pytest

from optiviz.core import surfaces
from optiviz.core.descent import _walk, descend, race_paths, run_ends
from optiviz.core.optimizers import OPTIMIZERS, make_optimizer
from optiviz.core.surfaces import SURFACES, get_surface, ravine

pytestmark = pytest.mark.filterwarnings("error")


def same(a, b):
    return all(np.array_equal(x, y, equal_nan=True) for x, y in zip(a, b))


def runs(surface, name):
    """Starts and learning rates from the surface's good α up to ones that leave the box."""
    s = get_surface(surface)
    lrs = s.learning_rates[name] * np.logspace(-1, 3, 24)
    starts = np.array([s.starts[k % len(s.starts)][1] for k in range(lrs.size)])
    return s, starts, lrs


@pytest.mark.parametrize("name", list(OPTIMIZERS))
@pytest.mark.parametrize("surface", list(SURFACES))
def test_skipping_f_on_a_bounded_surface_changes_no_bit(name, surface):
    s, starts, lrs = runs(surface, name)
    checked = dataclasses.replace(s, bounded=False)
    opt = make_optimizer(name)
    fast = run_ends(s, opt, starts, 120, lrs)
    slow = run_ends(checked, opt, starts, 120, lrs)
    paths = descend(s, opt, starts, 120, lrs)
    assert same(fast, slow) and same(fast, (paths.points[-1], paths.loss[-1], paths.diverged_at))
    if surface == "beale":
        assert 0 < np.sum(fast[2] >= 0) < lrs.size  # some runs diverge, some do not


def test_the_walk_without_losses_yields_f_at_the_first_and_last_steps_only():
    s = get_surface("beale")
    rates = np.full((6, 3), 0.01)
    fs = [f for _, f, _ in _walk(s, make_optimizer("adam"), np.tile((1.0, 1.5), (3, 1)), rates, 0.0, 0, False)]
    assert fs[0] is not None and fs[-1] is not None and all(f is None for f in fs[1:-1]) and len(fs) == 6


def ravine_untraceable(x, y, value=True):
    """The ravine through a ufunc the tracer refuses (fmax with −inf is the identity on numbers)."""
    f, gx, gy = ravine(x, y, value)
    return f, np.fmax(gx, -np.inf), gy


def test_a_formula_that_cannot_be_traced_runs_as_it_is():
    s = get_surface("ravine")
    odd = dataclasses.replace(s, pointwise=ravine_untraceable, value_and_grad=surfaces._vectorised(ravine_untraceable))
    starts, lrs = np.array([(1.0, -2.5), (0.2, 2.8)]), np.array([0.05, 0.3])
    for opt in (make_optimizer("momentum"), make_optimizer("adam")):
        a, b = descend(odd, opt, starts, 50, lrs), descend(s, opt, starts, 50, lrs)
        assert same(a, b)
        assert same(run_ends(odd, opt, starts, 50, lrs), run_ends(s, opt, starts, 50, lrs))


@pytest.mark.parametrize("noise", [0.0, 0.5])
def test_descend_equals_the_race_float_walk_with_and_without_noise(noise):
    s = get_surface("beale")
    for name in OPTIMIZERS:
        lr = s.learning_rates[name]
        (path,) = race_paths("beale", [(name, lr, {})], s.starts[0][1], 80, noise=noise, seed=3)
        traj = descend(s, make_optimizer(name), [s.starts[0][1]], 80, lr, noise=noise, seed=3)
        n = len(path.x)
        np.testing.assert_array_equal(np.stack([path.x, path.y], axis=1), traj.points[:n, 0])
        np.testing.assert_array_equal(path.loss, traj.loss[:n, 0])
