"""The sweep's structure-of-arrays layout (issue 15, speed): a batch of runs laid out as contiguous x and y
columns gives the same bits as each setting run alone, and the quick divergence test agrees with the exact one."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optiviz.core.descent import _walk, race_paths, run_ends
from optiviz.core.optimizers import OPTIMIZERS, make_optimizer
from optiviz.core.surfaces import SURFACES, columns, get_surface
from tests.support.hyperparameters import PER_RUN as HYPER

pytestmark = pytest.mark.filterwarnings("error")


def per_run(hyper, b):
    """Run b's hyperparameters as one-element arrays, as the batch holds them: a Python float would take β^t by
    Python's pow, which may differ from NumPy's in the last bit."""
    return {k: np.array(v[b:b + 1]) for k, v in hyper.items()}


@pytest.mark.parametrize("name", list(OPTIMIZERS))
@pytest.mark.parametrize("surface", ["beale", "long_valley", "saddle"])
def test_batched_ends_equal_each_setting_alone_bit_for_bit(name, surface):
    """run_ends on B runs at once (per-run α and hyperparameters, some diverging) gives, run by run, the bits of
    run_ends on that one setting: last point, last loss and the step it diverged at."""
    s = get_surface(surface)
    base = s.learning_rates[name]
    lrs = np.array([base, base / 7, base * 3, base * 300])  # the last may well leave the box
    hyper = {k: np.array(v) for k, v in HYPER[name].items()}
    starts = np.array([s.starts[0][1], s.starts[-1][1], (0.5, 0.25), s.starts[0][1]])
    ends = run_ends(s, make_optimizer(name, **hyper), starts, 150, lrs)
    for b in range(len(lrs)):
        alone = run_ends(s, make_optimizer(name, **per_run(HYPER[name], b)), starts[b:b + 1], 150, lrs[b:b + 1])
        for batched, single in zip(ends, alone):
            np.testing.assert_array_equal(batched[b], single[0], err_msg=f"run {b}")


def test_the_sweep_as_the_sensitivity_tab_runs_it_equals_the_loop():
    """Adam on Beale from (1, 1.5), α log-spaced 1e-4 … 100 (the benchmark's sweep, fewer runs and steps, and
    rates up to where a step leaves the box): every run's end, in one batched call, equals the run alone, bit for
    bit; and the largest rates do diverge."""
    s, opt = get_surface("beale"), make_optimizer("adam")
    lrs = np.logspace(-4, 2, 40)
    ends = run_ends(s, opt, np.tile((1.0, 1.5), (lrs.size, 1)), 300, lrs)
    looped = [run_ends(s, opt, [(1.0, 1.5)], 300, lr) for lr in lrs]
    for k, one in enumerate(looped):
        for batched, single in zip(ends, one):
            np.testing.assert_array_equal(batched[k], single[0], err_msg=f"lr {lrs[k]:g}")
    assert np.all(np.isfinite(ends[0][ends[2] < 0])) and 0 < np.sum(ends[2] >= 0) < lrs.size // 2


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_batched_ends_equal_the_races_float_walk(name):
    """The float walk (two Python floats per run) ends on the bits the columns do."""
    s = get_surface("beale")
    lrs = [s.learning_rates[name], s.learning_rates[name] / 5]
    paths = race_paths("beale", [(name, lr, {}) for lr in lrs], s.starts[0][1], 120)
    ends = run_ends(s, make_optimizer(name), [s.starts[0][1]] * 2, 120, np.array(lrs))
    for b, p in enumerate(paths):
        if p.diverged_at is None:
            assert (p.x[-1], p.y[-1], p.loss[-1]) == (ends[0][b, 0], ends[0][b, 1], ends[1][b])


def test_the_walk_keeps_x_and_y_as_contiguous_columns():
    """On a formula's surface the walk's points and gradients (B, 2) hold x and y each as one contiguous block."""
    s = get_surface("beale")
    starts = np.tile((1.0, 1.5), (64, 1))
    rates = np.full((4, 64), 0.01)
    for w, f, g in _walk(s, make_optimizer("adam"), starts, rates, 0.0, 0):
        for a in (w, g):
            assert a.shape == (64, 2) and a[:, 0].flags.c_contiguous and a[:, 1].flags.c_contiguous
        assert f.shape == (64,)


@pytest.mark.parametrize("shape", [(5,), (3, 4)])
def test_columns_holds_x_and_y(shape):
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=shape), rng.normal(size=shape)
    p = columns(x, y)
    assert p.shape == shape + (2,)
    np.testing.assert_array_equal(p[..., 0], x)
    np.testing.assert_array_equal(p[..., 1], y)
    assert p[..., 0].flags.f_contiguous and p[..., 1].flags.f_contiguous


def edge_points(surface):
    """Points on, just inside and just outside each side of the box, and non-finite ones."""
    (cx, cy), (hx, hy) = surface.box
    xs = [cx - hx, cx + hx, np.nextafter(cx + hx, np.inf), np.nextafter(cx - hx, -np.inf),
          np.nextafter(cx + hx, -np.inf), cx]
    ys = [cy - hy, cy + hy, np.nextafter(cy + hy, np.inf), np.nextafter(cy - hy, -np.inf), cy]
    return [(x, y) for x in xs for y in ys] + [(np.nan, cy), (cx, np.inf), (-np.inf, cy)]


@pytest.mark.parametrize("surface", list(SURFACES))
def test_all_inside_is_the_exact_box_test(surface):
    """all_inside(points) == inside(points).all() for every pair of edge points, and for each alone."""
    s = get_surface(surface)
    pts = edge_points(s)
    for a in pts:
        one = np.array([a])
        assert s.all_inside(one) == bool(s.inside(one).all()), a
        for b in pts[::3]:
            two = columns(*np.array([a, b]).T)
            assert s.all_inside(two) == bool(s.inside(two).all()), (a, b)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(list(SURFACES)),
       st.lists(st.tuples(st.floats(-1e3, 1e3), st.floats(-1e3, 1e3)), min_size=1, max_size=6))
def test_all_inside_agrees_with_inside_on_random_points(surface, points):
    s = get_surface(surface)
    p = np.array(points, dtype=float)
    assert s.all_inside(p) == bool(s.inside(p).all())


def test_a_finite_sum_of_losses_means_every_loss_is_finite():
    """The quick test run_ends tries first: any inf or NaN loss makes the sum non-finite."""
    for bad in (np.inf, -np.inf, np.nan):
        f = np.array([1.0, 2.0, bad, 3.0])
        with np.errstate(all="ignore"):
            assert not math.isfinite(f.sum())
    assert math.isfinite(np.array([1.0, 1e300]).sum())


# --- the in-place forms keep the one-expression bits ---------------------------------------------


def beale_one_line(x, y):
    """Beale's f and ∇f as one expression each (the form before the in-place rewrite), as a reference."""
    y2 = y * y
    p1, p2, p3 = 1 - y, 1 - y2, 1 - y2 * y
    r1, r2, r3 = 1.5 - x * p1, 2.25 - x * p2, 2.625 - x * p3
    return r1 * r1 + r2 * r2 + r3 * r3, (r1 * p1 + r2 * p2 + r3 * p3) * -2, 2 * x * (r1 + y * (2 * r2 + 3 * r3 * y))


def same_bits(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return np.array_equal(a, b, equal_nan=True) and np.array_equal(np.signbit(a), np.signbit(b))


def test_beale_grown_in_place_has_the_bits_of_its_one_line_form():
    """Including the signs of zeros (at the minimum (3, 0.5)), NaN and inf, on arrays and on floats."""
    from optiviz.core.surfaces import beale

    rng = np.random.default_rng(5)
    x, y = rng.normal(size=3000) * 3, rng.normal(size=3000) * 3
    x[:6], y[:6] = [3.0, 0.0, -0.0, np.inf, np.nan, 1e200], [0.5, 0.0, 1.0, 1.0, 1.0, 1e100]
    with np.errstate(all="ignore"):
        for got, want in zip(beale(x, y), beale_one_line(x, y)):
            assert same_bits(got, want)
        for k in range(0, 3000, 37):
            got = beale(float(x[k]), float(y[k]))
            assert all(type(v) is float for v in got) and same_bits(got, beale_one_line(float(x[k]), float(y[k])))


def adam_one_line(g, state, lr, b1, b2, eps):
    t, m, v = state
    t += 1
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * (g * g)
    return -lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps), (t, m, v)


def rmsprop_one_line(g, state, lr, decay, eps):
    (e,) = state
    e = decay * e + (1 - decay) * (g * g)
    return -lr * g / (np.sqrt(e) + eps), (e,)


def momentum_one_line(g, state, lr, gamma, look_ahead):
    (v,) = state
    v = gamma * v - lr * g
    return (gamma * v - lr * g if look_ahead else v), (v,)


def test_update_rules_grown_in_place_have_the_bits_of_their_one_line_forms():
    """Adam, RMSProp, momentum and Nesterov with per-run α and hyperparameters (B, 1) on columns (B, 2)."""
    rng = np.random.default_rng(9)
    lr = np.array([0.1, 0.01, 0.5])[:, None]
    b1, b2, eps = np.array([0.9, 0.0, 0.5])[:, None], np.array([0.999, 0.9, 0.5])[:, None], np.array([1e-8, 1e-3, 0.2])[:, None]
    gamma = np.array([0.0, 0.5, 0.9])[:, None]
    cases = [
        (make_optimizer("adam", beta1=b1.ravel(), beta2=b2.ravel(), eps=eps.ravel()),
         lambda g, s: adam_one_line(g, s, lr, b1, b2, eps)),
        (make_optimizer("rmsprop", decay=b2.ravel(), eps=eps.ravel()), lambda g, s: rmsprop_one_line(g, s, lr, b2, eps)),
        (make_optimizer("momentum", momentum=gamma.ravel()), lambda g, s: momentum_one_line(g, s, lr, gamma, False)),
        (make_optimizer("nesterov", momentum=gamma.ravel()), lambda g, s: momentum_one_line(g, s, lr, gamma, True)),
    ]
    w = columns(rng.normal(size=3), rng.normal(size=3))
    for opt, reference in cases:
        state = want_state = opt.init(w)
        for g in rng.normal(size=(5, 3, 2)):
            g = columns(g[:, 0], g[:, 1])
            delta, state = opt.update(g, state, lr.ravel())
            want, want_state = reference(g, want_state)
            assert same_bits(delta, want), opt.name
