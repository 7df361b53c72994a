"""Each formula skips f on request (value=False) with the same gradient bits, and every surface that says it is
``bounded`` has a finite f on its whole divergence box: interval arithmetic, rounded outward, bounds the formula
there (on a box twice as wide, so the floating-point box test's rounding is covered too)."""

import math

import numpy as np
import pytest

from optiviz.core.surfaces import SURFACES

pytestmark = pytest.mark.filterwarnings("error")


class Interval:
    """[lo, hi] with every bound rounded outward by one ulp: contains every value the formula takes on the box."""

    __slots__ = ("lo", "hi")

    def __init__(self, lo, hi=None):
        self.lo, self.hi = float(lo), float(lo if hi is None else hi)

    @staticmethod
    def of(values):
        values = [v for v in values]
        lo, hi = min(values), max(values)
        return Interval(math.nextafter(lo, -math.inf), math.nextafter(hi, math.inf))

    @staticmethod
    def wrap(v):
        return v if isinstance(v, Interval) else Interval(v)

    def __add__(self, other):
        o = Interval.wrap(other)
        return Interval.of([self.lo + o.lo, self.hi + o.hi])

    __radd__ = __add__

    def __sub__(self, other):
        o = Interval.wrap(other)
        return Interval.of([self.lo - o.hi, self.hi - o.lo])

    def __rsub__(self, other):
        return Interval.wrap(other) - self

    def __mul__(self, other):
        if other is self:  # x · x ≥ 0
            ends = [self.lo * self.lo, self.hi * self.hi]
            return Interval.of(ends + ([0.0] if self.lo <= 0 <= self.hi else []))
        o = Interval.wrap(other)
        return Interval.of([a * b for a in (self.lo, self.hi) for b in (o.lo, o.hi)])

    def __rmul__(self, other):
        return Interval.wrap(other) * self

    def __truediv__(self, other):
        o = Interval.wrap(other)
        if o.lo <= 0 <= o.hi:
            return Interval(-math.inf, math.inf)
        return Interval.of([a / b for a in (self.lo, self.hi) for b in (o.lo, o.hi)])

    def __rtruediv__(self, other):
        return Interval.wrap(other) / self

    def __neg__(self):
        return Interval(-self.hi, -self.lo)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        assert ufunc is np.sqrt and method == "__call__" and not kwargs.get("out")
        assert self.lo >= 0, "√ of an interval reaching below 0"
        return Interval.of([math.sqrt(self.lo), math.sqrt(self.hi)])

    def __contains__(self, v):
        return self.lo <= v <= self.hi


def wide_box(surface, factor=2.0):
    """The divergence box around the view, made ``factor`` times as wide."""
    (cx, cy), (hx, hy) = surface.box
    return Interval(cx - factor * hx, cx + factor * hx), Interval(cy - factor * hy, cy + factor * hy)


@pytest.mark.parametrize("name", [n for n, s in SURFACES.items() if s.bounded])
def test_a_bounded_surface_has_a_finite_loss_on_its_whole_box(name):
    s = SURFACES[name]
    f, _, _ = s.pointwise(*wide_box(s))
    assert math.isfinite(f.lo) and math.isfinite(f.hi) and f.hi < 1e300, (f.lo, f.hi)
    # the interval holds the loss at points all over the box, corners included (a check of the Interval class)
    (cx, cy), (hx, hy) = s.box
    rng = np.random.default_rng(0)
    xs = np.concatenate([[cx - 2 * hx, cx + 2 * hx], rng.uniform(cx - 2 * hx, cx + 2 * hx, 500)])
    ys = np.concatenate([[cy + 2 * hy, cy - 2 * hy], rng.uniform(cy - 2 * hy, cy + 2 * hy, 500)])
    assert all(s.pointwise(float(x), float(y))[0] in f for x, y in zip(xs, ys))


def test_every_race_surface_is_bounded():
    assert all(s.bounded for s in SURFACES.values())


def test_an_unbounded_formula_is_caught():
    """The test above can fail: f = exp-like growth written as arithmetic, 1/x near 0, overflows on a wide box."""
    x, y = Interval(-1e200, 1e200), Interval(-1.0, 1.0)
    f = x * x * x
    assert not math.isfinite(f.hi)
    assert (1 / y).hi == math.inf


@pytest.mark.parametrize("name", list(SURFACES))
def test_value_false_skips_f_and_keeps_the_gradient_bits(name):
    formula = SURFACES[name].pointwise
    rng = np.random.default_rng(8)
    x, y = rng.normal(size=200) * 3, rng.normal(size=200) * 3
    x[:3], y[:3] = [np.nan, np.inf, -0.0], [1.0, 0.0, -0.0]
    with np.errstate(all="ignore"):
        f, gx, gy = formula(x, y)
        none, gx2, gy2 = formula(x, y, False)
    assert none is None and f.shape == x.shape
    for a, b in ((gx, gx2), (gy, gy2)):
        assert np.array_equal(a, b, equal_nan=True) and np.array_equal(np.signbit(a), np.signbit(b))
    for xf, yf in zip(x[:20].tolist(), y[:20].tolist()):
        with np.errstate(all="ignore"):
            assert formula(xf, yf, False)[0] is None
