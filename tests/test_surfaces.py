"""Tests for optiviz.core.surfaces: values, analytic gradients, levels, the divergence box."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optiviz.core.surfaces import RAVINE_SHALLOW, RAVINE_STEEP, SURFACES, get_surface

NAMES = list(SURFACES)
H = 1e-6


def random_view_points(surface, shape, seed):
    """Uniform random points of shape ``shape + (2,)`` inside the surface's view."""
    rng = np.random.default_rng(seed)
    (x0, x1), (y0, y1) = surface.bounds
    x = rng.uniform(x0, x1, shape)
    y = rng.uniform(y0, y1, shape)
    return np.stack([x, y], axis=-1)


def central_differences(surface, points):
    """∂f/∂x and ∂f/∂y by central differences with step H, shape ``points.shape``."""
    ex = np.array([H, 0.0])
    ey = np.array([0.0, H])
    dx = (surface.value(points + ex) - surface.value(points - ex)) / (2 * H)
    dy = (surface.value(points + ey) - surface.value(points - ey)) / (2 * H)
    return np.stack([dx, dy], axis=-1)


def assert_gradient_matches(surface, points):
    """The analytic gradient agrees with central differences to ~1e-6 relative."""
    f, g = surface.value_and_grad(points)
    fd = central_differences(surface, points)
    # Rounding in the difference quotient is about 1e-16 |f| / H, hence the |f| term.
    tol = 1e-6 * np.abs(g) + 1e-8 * (1 + np.abs(f))[..., None]
    bad = np.abs(fd - g) > tol
    assert not bad.any(), f"{surface.name}: gradient mismatch at {points[bad.any(axis=-1)][:3]}"


@pytest.mark.parametrize("name", NAMES)
def test_gradient_matches_central_differences_at_random_points(name):
    """Analytic ∇f equals central differences at 500 random points of the view."""
    s = SURFACES[name]
    assert_gradient_matches(s, random_view_points(s, (500,), seed=1))


@pytest.mark.parametrize("name", NAMES)
def test_gradient_matches_central_differences_on_a_batch_shape(name):
    """The same holds for a (3, 4, 2) batch of points."""
    s = SURFACES[name]
    assert_gradient_matches(s, random_view_points(s, (3, 4), seed=2))


@settings(max_examples=60, deadline=None)
@given(
    name=st.sampled_from(NAMES),
    u=st.floats(0.0, 1.0),
    v=st.floats(0.0, 1.0),
)
def test_gradient_matches_central_differences_property(name, u, v):
    """Hypothesis: at any point of the view the gradient matches central differences."""
    s = SURFACES[name]
    (x0, x1), (y0, y1) = s.bounds
    point = np.array([x0 + u * (x1 - x0), y0 + v * (y1 - y0)])
    assert_gradient_matches(s, point)


@pytest.mark.parametrize("name", NAMES)
def test_value_and_gradient_vanish_at_each_minimum(name):
    """f = 0 and ∇f = 0 at every listed minimum."""
    s = SURFACES[name]
    assert len(s.minima) >= 1
    for m in s.minima:
        f, g = s.value_and_grad(np.array(m))
        assert abs(float(f)) < 1e-12
        assert np.linalg.norm(g) < 1e-12


@pytest.mark.parametrize("name", NAMES)
def test_each_minimum_is_a_strict_local_minimum(name):
    """Small moves away from a minimum in any of 16 directions raise the loss."""
    s = SURFACES[name]
    angles = np.linspace(0, 2 * np.pi, 16, endpoint=False)
    for m in s.minima:
        around = np.array(m) + 1e-3 * np.stack([np.cos(angles), np.sin(angles)], axis=-1)
        assert np.all(s.value(around) > s.value(np.array(m)))


@pytest.mark.parametrize("name", NAMES)
def test_loss_is_nonnegative_in_the_view_and_near_minima(name):
    """Minimum values are 0 (log-axis plots need f ≥ 0), also just next to the minima."""
    s = SURFACES[name]
    _, _, z = s.grid(60)
    assert np.all(z >= 0)
    rng = np.random.default_rng(3)
    for m in s.minima:
        near = np.array(m) + rng.normal(0, 1e-7, (1000, 2))
        assert np.all(s.value(near) >= 0)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("shape", [(), (7,), (3, 4)])
def test_value_and_grad_shapes(name, shape):
    """Points (..., 2) give f of shape (...) and ∇f of shape (..., 2), pointwise as single points."""
    s = SURFACES[name]
    points = random_view_points(s, shape, seed=4)
    f, g = s.value_and_grad(points)
    assert f.shape == shape
    assert g.shape == shape + (2,)
    assert s.value(points).shape == shape and s.gradient(points).shape == shape + (2,)
    for idx in np.ndindex(*shape):
        f1, g1 = s.value_and_grad(points[idx])
        np.testing.assert_allclose(f[idx], f1, rtol=1e-15)
        np.testing.assert_allclose(g[idx], g1, rtol=1e-15)


@pytest.mark.parametrize("name", NAMES)
def test_points_without_a_last_axis_of_two_are_rejected(name):
    """A last axis other than 2 is a ValueError."""
    with pytest.raises(ValueError, match="last axis"):
        SURFACES[name].value_and_grad(np.zeros((4, 3)))


def test_beale_by_hand():
    """Beale: 0 at (3, ½); at (1, 1) f = 1.5² + 2.25² + 2.625², ∂f/∂x = 0, ∂f/∂y = 2(a + 2b + 3c)."""
    s = get_surface("beale")
    f, g = s.value_and_grad(np.array([3.0, 0.5]))
    # a = 1.5 − 3 + 1.5, b = 2.25 − 3 + 0.75, c = 2.625 − 3 + 0.375: all exactly 0
    assert f == 0.0
    np.testing.assert_array_equal(g, [0.0, 0.0])

    a, b, c = 1.5 - 1 + 1 * 1, 2.25 - 1 + 1 * 1**2, 2.625 - 1 + 1 * 1**3  # 1.5, 2.25, 2.625
    expected_f = a**2 + b**2 + c**2  # 2.25 + 5.0625 + 6.890625 = 14.203125
    assert expected_f == 14.203125
    f, g = s.value_and_grad(np.array([1.0, 1.0]))
    assert f == pytest.approx(14.203125, rel=1e-15)
    # ∂/∂x has factors (y − 1), (y² − 1), (y³ − 1), all 0 at y = 1; ∂/∂y = 2x(a + 2by + 3cy²)
    assert g[0] == pytest.approx(0.0, abs=1e-15)
    assert g[1] == pytest.approx(2 * (1.5 + 2 * 2.25 + 3 * 2.625), rel=1e-15)  # 27.75


def test_beale_at_a_second_point_by_hand():
    """Beale at (2, −1): a = 1.5 − 2 − 2, b = 2.25 − 2 + 2, c = 2.625 − 2 − 2."""
    a, b, c = -2.5, 2.25, -1.375
    x, y = 2.0, -1.0
    f, g = get_surface("beale").value_and_grad(np.array([x, y]))
    assert f == pytest.approx(a * a + b * b + c * c, rel=1e-14)
    dx = 2 * (a * (y - 1) + b * (y**2 - 1) + c * (y**3 - 1))
    dy = 2 * x * (a + 2 * b * y + 3 * c * y**2)
    np.testing.assert_allclose(g, [dx, dy], rtol=1e-14)


@pytest.mark.parametrize(
    "name, point, f_expected, g_expected",
    [
        # (1 − 0)² + 100 (0 − 0)² = 1; ∂x = −2(1 − 0) − 0 = −2; ∂y = 0
        ("rosenbrock", (0.0, 0.0), 1.0, (-2.0, 0.0)),
        # (1 + 1)² + 100 (2 − 1)² = 104; ∂x = −2·2 − 400·(−1)·1 = 396; ∂y = 200·1
        ("rosenbrock", (-1.0, 2.0), 104.0, (396.0, 200.0)),
        # ½(12·1 + 0.12·4) = ½(12 + 0.48) = 6.24; ∇ = (12·1, 0.12·2) = (12, 0.24)
        ("ravine", (1.0, 2.0), 6.24, (12.0, 0.24)),
        # u = 0.75, √(1 + u²) = 1.25: 0.3·0.25 + 2·0.25 = 0.575; ∇ = (0.3·0.75/1.25, 4·0.5)
        ("long_valley", (6.75, 0.5), 0.575, (0.18, 2.0)),
        # 1 − 1 + ¼ + 1 = 1.25; ∇ = (2, 1·(1 − 2))
        ("saddle", (1.0, 1.0), 1.25, (2.0, -1.0)),
        # saddle point: f = 1, ∇f = 0
        ("saddle", (0.0, 0.0), 1.0, (0.0, 0.0)),
    ],
)
def test_other_surfaces_by_hand(name, point, f_expected, g_expected):
    """Hand-computed values and gradients of the other surfaces."""
    f, g = get_surface(name).value_and_grad(np.array(point))
    assert f == pytest.approx(f_expected, rel=1e-14)
    np.testing.assert_allclose(g, g_expected, rtol=1e-14, atol=1e-15)


def test_ravine_uses_its_exported_constants():
    """The ravine is f = ½(RAVINE_STEEP·w1² + RAVINE_SHALLOW·w2²), ∇f = (RAVINE_STEEP·w1, RAVINE_SHALLOW·w2)."""
    s = get_surface("ravine")
    points = random_view_points(s, (50,), seed=6)
    x, y = points[..., 0], points[..., 1]
    f, g = s.value_and_grad(points)
    np.testing.assert_allclose(f, 0.5 * (RAVINE_STEEP * x**2 + RAVINE_SHALLOW * y**2), rtol=1e-14)
    np.testing.assert_allclose(g, np.stack([RAVINE_STEEP * x, RAVINE_SHALLOW * y], axis=-1), rtol=1e-14)
    # the lecture's ravine curves 100× more steeply along w1 than along w2 (12 / 0.12)
    assert RAVINE_STEEP / RAVINE_SHALLOW == pytest.approx(100.0)


@pytest.mark.parametrize("name", NAMES)
def test_grid_layout(name):
    """grid(n): x and y span the view and Z[i, j] = f(x[j], y[i])."""
    s = SURFACES[name]
    x, y, z = s.grid(9)
    assert x.shape == (9,) and y.shape == (9,) and z.shape == (9, 9)
    assert (x[0], x[-1]) == s.bounds[0] and (y[0], y[-1]) == s.bounds[1]
    for i, j in [(0, 0), (2, 7), (8, 3)]:
        assert z[i, j] == pytest.approx(float(s.value(np.array([x[j], y[i]]))), rel=1e-15)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("n", [30, 12])
def test_levels_increasing_and_positive(name, n):
    """levels(n): n strictly increasing positive levels, within the range of the loss in the view."""
    s = SURFACES[name]
    levels = s.levels(n)
    assert levels.shape == (n,)
    assert np.all(levels > 0)
    assert np.all(np.diff(levels) > 0)
    _, _, z = s.grid(80)
    assert levels[-1] <= z.max()


@pytest.mark.parametrize("name", NAMES)
def test_levels_log_or_linear_spacing(name):
    """log_levels surfaces get geometric levels from 0.01; the rest get evenly spaced levels."""
    s = SURFACES[name]
    levels = s.levels(20)
    if s.log_levels:
        ratios = levels[1:] / levels[:-1]
        np.testing.assert_allclose(ratios, ratios[0], rtol=1e-9)
        assert ratios[0] > 1
        assert levels[0] == pytest.approx(1e-2)
    else:
        steps = np.diff(levels)
        np.testing.assert_allclose(steps, steps[0], rtol=1e-9)
        assert levels[0] == pytest.approx(steps[0])  # linspace(top/n, top, n)


def test_log_levels_only_where_values_span_decades():
    """The surfaces drawn with log levels are Beale and Rosenbrock."""
    assert {n for n, s in SURFACES.items() if s.log_levels} == {"beale", "rosenbrock"}


@pytest.mark.parametrize("name", NAMES)
def test_inside_view_and_margin(name):
    """Every point of the view, and one view-width beyond it, is inside the divergence box."""
    s = SURFACES[name]
    (x0, x1), (y0, y1) = s.bounds
    wx, wy = x1 - x0, y1 - y0
    points = np.array(
        [[x0, y0], [x1, y1], [x0, y1], [x1, y0], [x0 - wx, y0 - wy], [x1 + wx, y1 + wy]]
    )
    assert s.inside(points).tolist() == [True] * 6
    assert s.inside(random_view_points(s, (5, 6), seed=5)).all()
    assert s.inside(np.array([x0, y0])).shape == ()


@pytest.mark.parametrize("name", NAMES)
def test_inside_false_for_non_finite_and_far_points(name):
    """NaN or ±inf in either coordinate, and points far off, are outside."""
    s = SURFACES[name]
    (x0, x1), (y0, y1) = s.bounds
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    far = 100 * max(x1 - x0, y1 - y0)
    points = np.array(
        [
            [np.nan, cy],
            [cx, np.nan],
            [np.inf, cy],
            [cx, -np.inf],
            [np.nan, np.nan],
            [cx + far, cy],
            [cx, cy - far],
            [1e300, -1e300],
        ]
    )
    result = s.inside(points)
    assert result.shape == (8,)
    assert not result.any()


@pytest.mark.parametrize("name", NAMES)
def test_starts_and_minima_lie_in_the_view(name):
    """Presets and minima are drawn on the page, so they lie in the view."""
    s = SURFACES[name]
    (x0, x1), (y0, y1) = s.bounds
    for _, (x, y) in s.starts:
        assert x0 <= x <= x1 and y0 <= y <= y1
    for x, y in s.minima:
        assert x0 <= x <= x1 and y0 <= y <= y1


def test_distance_to_minimum():
    """Euclidean distance to the nearest minimum, by hand."""
    ravine = get_surface("ravine")
    assert ravine.distance_to_minimum([3.0, 4.0]) == pytest.approx(5.0)
    rosen = get_surface("rosenbrock")
    assert rosen.distance_to_minimum([4.0, 5.0]) == pytest.approx(5.0)  # (3, 4) from (1, 1)
    saddle = get_surface("saddle")
    r2 = math.sqrt(2)
    assert saddle.distance_to_minimum([0.0, 0.0]) == pytest.approx(r2)
    assert saddle.distance_to_minimum([1.0, 2.0]) == pytest.approx(math.hypot(1.0, 2.0 - r2))
    assert saddle.distance_to_minimum([1.0, -2.0]) == pytest.approx(math.hypot(1.0, -2.0 + r2))
    d = saddle.distance_to_minimum(np.array([[[0.0, r2], [0.0, -r2]], [[3.0, r2], [0.0, 0.5]]]))
    assert d.shape == (2, 2)
    np.testing.assert_allclose(d, [[0.0, 0.0], [3.0, r2 - 0.5]], atol=1e-15)


@pytest.mark.parametrize("name", NAMES)
def test_distance_zero_at_each_minimum(name):
    """distance_to_minimum is 0 at each listed minimum."""
    s = SURFACES[name]
    np.testing.assert_array_equal(s.distance_to_minimum(np.array(s.minima)), 0.0)


def test_get_surface_known_names():
    """get_surface returns the registered surface for each name."""
    for name, s in SURFACES.items():
        assert get_surface(name) is s
        assert s.name == name


@pytest.mark.parametrize("bad", ["himmelblau", "Beale", "", None, 3])
def test_get_surface_unknown_name(bad):
    """Unknown names raise ValueError quoting the name and listing the choices."""
    with pytest.raises(ValueError) as info:
        get_surface(bad)
    message = str(info.value)
    assert repr(bad) in message
    assert "rosenbrock" in message


@pytest.mark.parametrize("name", list(SURFACES))
def test_pointwise_on_python_floats_gives_the_same_bits_as_vectorised(name):
    """The race evaluates one point at a time on Python floats: the same formula as the vectorised one, the same
    bits, non-finite and overflowing points included."""
    s = get_surface(name)
    rng = np.random.default_rng(3)
    many = np.concatenate([rng.uniform(-5, 5, (40, 2)), [[np.inf, 0.0], [np.nan, 1.0], [1e200, -1e200], [-1e308, 2.0]]])
    with np.errstate(all="ignore"):
        f_many, g_many = s.value_and_grad(many)
    for (x, y), f, (gx, gy) in zip(many.tolist(), f_many, g_many):
        got = s.pointwise(x, y)
        assert all(type(v) is float for v in got)
        np.testing.assert_array_equal(got, (f, gx, gy))
    f_one, g_one = s.value_and_grad(np.array([0.3, -0.7]))  # one point, no batch axis
    assert f_one.shape == () and g_one.shape == (2,)
    assert s.value_and_grad(np.empty((0, 2)))[1].shape == (0, 2)
