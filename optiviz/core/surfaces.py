"""Loss surfaces for the optimizer race: value and analytic gradient, vectorised.

Every surface maps points of shape ``(..., 2)`` (the last axis is ``(x, y)``, the
lecture's ``(w1, w2)``) to the loss ``f`` of shape ``(...)`` and the gradient
``∇f`` of shape ``(..., 2)``. All minimum values are 0, so losses plot on a log axis.
Each is one arithmetic formula, which ``pointwise`` also runs on one point as Python floats;
``formula(x, y, value=False)`` skips f (None) for a walk that needs ∇f only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Callable

import numpy as np

from optiviz.core.arith import sqrt
from optiviz.core.optimizers import OPTIMIZERS

Point = tuple[float, float]


def _split(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    points = np.asarray(points, dtype=float)
    if points.shape[-1:] != (2,):
        raise ValueError(f"points must have a last axis of length 2, got shape {points.shape}")
    return points[..., 0], points[..., 1]


def columns(x, y) -> np.ndarray:
    """Points (..., 2) from their x and y, laid out as structure of arrays (Fortran order): ``points[..., 0]``
    and ``points[..., 1]`` are each one contiguous block, so the formulas and update rules read whole columns."""
    out = np.empty(np.shape(x) + (2,), order="F")
    out[..., 0], out[..., 1] = x, y
    return out


def _vectorised(formula: Callable) -> Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """``value_and_grad(points)`` of ``formula(x, y) = (f, ∂f/∂x, ∂f/∂y)``, run on whole arrays of points.

    The formula uses arithmetic only, so it also runs on one point as Python floats (the race does),
    with the same bits.
    """

    def value_and_grad(points):
        x, y = _split(points)
        f, gx, gy = formula(x, y)
        return f, columns(gx, gy)

    value_and_grad.__name__, value_and_grad.__doc__ = formula.__name__, formula.__doc__
    return value_and_grad


BEALE_C = (1.5, 2.25, 2.625)


def beale(x, y, value=True):
    """f = Σₖ rₖ², rₖ = cₖ − x (1 − yᵏ) for k = 1, 2, 3 and c = (1.5, 2.25, 2.625):
    ∂f/∂x = −2 Σₖ rₖ (1 − yᵏ), ∂f/∂y = 2x (r₁ + 2 r₂ y + 3 r₃ y²)."""
    y2 = y * y
    p1, p2, p3 = 1 - y, 1 - y2, 1 - y2 * y
    r1, r2, r3 = BEALE_C[0] - x * p1, BEALE_C[1] - x * p2, BEALE_C[2] - x * p3
    # each sum is made once and grown in place (on floats this is plain arithmetic): same bits as one expression
    f = None
    if value:
        f = r1 * r1
        f += r2 * r2
        f += r3 * r3
    gx = r1 * p1
    gx += r2 * p2
    gx += r3 * p3
    gx *= -2
    gy = 3 * r3  # then 2x (r₁ + y (2 r₂ + 3 r₃ y)) from the inside out
    gy *= y
    gy += 2 * r2
    gy *= y
    gy += r1
    gy *= 2 * x
    return f, gx, gy


def rosenbrock(x, y, value=True):
    """f = (1 − x)² + 100 (y − x²)²."""
    r, d = y - x * x, 1 - x
    return (d * d + 100 * r * r if value else None), -2 * d - 400 * x * r, 200 * r


RAVINE_STEEP, RAVINE_SHALLOW = 12.0, 0.12


def ravine(x, y, value=True):
    """f = ½ (12 w1² + 0.12 w2²): curves 100× more steeply along w1 than along w2."""
    f = 0.5 * (RAVINE_STEEP * x * x + RAVINE_SHALLOW * y * y) if value else None
    return f, RAVINE_STEEP * x, RAVINE_SHALLOW * y


VALLEY_SLOPE, VALLEY_WALLS, VALLEY_END = 0.3, 2.0, 6.0


def long_valley(x, y, value=True):
    """f = 0.3 (√(1 + (x − 6)²) − 1) + 2 y²: a narrow valley whose floor slopes gently."""
    u = x - VALLEY_END
    root = sqrt(1 + u * u)
    f = VALLEY_SLOPE * (root - 1) + VALLEY_WALLS * y * y if value else None
    return f, VALLEY_SLOPE * u / root, 2 * VALLEY_WALLS * y


def saddle(x, y, value=True):
    """f = x² − y² + y⁴/4 + 1: a saddle at the origin between minima at (0, ±√2)."""
    y2 = y * y
    return (x * x - y2 + 0.25 * y2 * y2 + 1 if value else None), 2 * x, y * (y2 - 2)


@dataclass(frozen=True)
class Surface:
    """A loss surface with what the page needs to draw and race on it."""

    name: str
    title: str
    formula: str  # LaTeX
    value_and_grad: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]
    bounds: tuple[Point, Point]  # ((x_min, x_max), (y_min, y_max)), the view
    minima: tuple[Point, ...]
    starts: tuple[tuple[str, Point], ...]  # presets; the first is the default
    # α per optimizer where this surface overrides the registry's rate (OptimizerSpec.rates); the race's surfaces
    # have none: see ``learning_rates``
    rate_overrides: MappingProxyType = field(repr=False)
    log_levels: bool  # contour levels log-spaced when values span decades
    caption: str
    # (f, ∂f/∂x, ∂f/∂y) at one point, or (None, ∂f/∂x, ∂f/∂y) given value=False; also on arrays of points' x and y
    pointwise: Callable[..., tuple] | None = None
    # optimizer → {hyperparameter: value} where this surface races it with other than the optimizer's defaults
    hyperparameters: MappingProxyType = field(default_factory=lambda: MappingProxyType({}), repr=False)
    # f is finite at every point of the divergence box (tests/test_surfaces_bounded.py bounds it by interval
    # arithmetic), so a run inside the box has a finite loss and descent.run_ends need not evaluate it each step
    bounded: bool = False

    def defaults(self, optimizer: str) -> dict[str, float]:
        """The hyperparameters this surface races ``optimizer`` with where they differ from the optimizer's
        own defaults (e.g. momentum's γ on the ravine)."""
        return dict(self.hyperparameters.get(optimizer, {}))

    @property
    def learning_rates(self) -> MappingProxyType:
        """A good α per optimizer on this surface, read from each registry entry's rates (OptimizerSpec.rates)."""
        return MappingProxyType({name: self.rate_overrides.get(name, spec.learning_rate(self.name))
                                 for name, spec in OPTIMIZERS.items()})

    def value(self, points) -> np.ndarray:
        return self.value_and_grad(points)[0]

    def gradient(self, points) -> np.ndarray:
        return self.value_and_grad(points)[1]

    def _box(self) -> tuple[float, float, float, float]:
        (x0, x1), (y0, y1) = self.bounds
        return (x0 + x1) / 2, (y0 + y1) / 2, 5 * (x1 - x0), 5 * (y1 - y0)

    @property
    def box(self) -> tuple[np.ndarray, np.ndarray]:
        """Centre and half-widths of the divergence box: the view's centre ± 5 view-widths."""
        cx, cy, hx, hy = self._box()
        return np.array([cx, cy]), np.array([hx, hy])

    def inside(self, points) -> np.ndarray:
        """True where a point is finite and inside the divergence box."""
        points = np.asarray(points)
        cx, cy, hx, hy = self._box()  # floats: no arrays to build on every step of a sweep
        # column by column: broadcasting against a trailing axis of 2 is ~5× slower in NumPy
        return (np.abs(points[..., 0] - cx) <= hx) & (np.abs(points[..., 1] - cy) <= hy)

    def all_inside(self, points) -> bool:
        """``inside(points).all()`` for points (B, 2), from each column's extremes only: x ↦ fl(x − c) is
        monotone, so the extremes pass the box test exactly when every point does. A NaN is found as an extreme
        and fails it. (argmin/argmax: NumPy's min/max reductions cost several times more here.)"""
        cx, cy, hx, hy = self._box()
        (i0, j0), (i1, j1) = points.argmin(axis=0).tolist(), points.argmax(axis=0).tolist()
        x0, x1, y0, y1 = points.item(i0, 0), points.item(i1, 0), points.item(j0, 1), points.item(j1, 1)
        return abs(x0 - cx) <= hx and abs(x1 - cx) <= hx and abs(y0 - cy) <= hy and abs(y1 - cy) <= hy

    def grid(self, n: int = 120) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """x (n,), y (n,) and the loss on the grid, Z[i, j] = f(x[j], y[i])."""
        x = np.linspace(*self.bounds[0], n)
        y = np.linspace(*self.bounds[1], n)
        xx, yy = np.meshgrid(x, y)
        return x, y, self.value(np.stack([xx, yy], axis=-1))

    def levels(self, n: int = 30) -> np.ndarray:
        """Contour levels: log-spaced for surfaces whose values span decades."""
        _, _, z = self.grid(80)
        top = float(np.quantile(z, 0.9))
        if self.log_levels:
            return np.logspace(-2, np.log10(top), n)
        return np.linspace(top / n, top, n)

    def distance_to_minimum(self, points) -> np.ndarray:
        """Euclidean distance to the nearest minimum."""
        points = np.asarray(points, dtype=float)
        minima = np.asarray(self.minima, dtype=float)
        d = np.linalg.norm(points[..., None, :] - minima, axis=-1)
        return d.min(axis=-1)


def _from_formula(name: str, title: str, latex: str, formula: Callable, bounds, minima, starts, log_levels: bool,
                  caption: str, bounded: bool = True, **hyperparameters) -> Surface:
    """A Surface whose loss is ``formula(x, y) = (f, ∂f/∂x, ∂f/∂y)``: vectorised, and pointwise for the race;
    ``hyperparameters`` maps an optimizer to the settings it races with here (its defaults otherwise). Its
    learning rates are the registry's (OptimizerSpec.rates). ``bounded``: f is finite on the whole divergence
    box (a test proves it for every surface that says so)."""
    return Surface(name, title, latex, _vectorised(formula), bounds, minima, starts, MappingProxyType({}), log_levels,
                   caption, pointwise=formula,
                   hyperparameters=MappingProxyType({k: MappingProxyType(v) for k, v in hyperparameters.items()}),
                   bounded=bounded)


SURFACES = MappingProxyType(
    {
        s.name: s
        for s in (
            _from_formula(
                "beale",
                "Beale",
                r"f = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2",
                beale,
                ((-4.5, 4.5), (-4.5, 4.5)),
                ((3.0, 0.5),),
                (("plateau (1, 1.5)", (1.0, 1.5)), ("steep slope (2, 1.5)", (2.0, 1.5)),
                 ("lower left (−1, −1)", (-1.0, -1.0))),
                True,
                "Lecture Figure 15. The large first gradient sends momentum shooting past the valley and "
                "looping back, while RMSProp follows the valley, much faster than SGD, to the minimum at (3, 0.5) "
                "and then hovers about α from it: its step α g/√E[g²] stays about α long however small g gets, "
                "so at a constant α it does not settle below loss 10⁻³. "
                "After 200 steps SGD is still crawling along the valley floor.",
            ),
            _from_formula(
                "long_valley",
                "Long valley",
                r"f = 0.3\left(\sqrt{1 + (x - 6)^2} - 1\right) + 2y^2",
                long_valley,
                ((-4.0, 8.0), (-3.0, 3.0)),
                ((VALLEY_END, 0.0),),
                (("on the wall (−3, 1.5)", (-3.0, 1.5)), ("on the floor (−3, 0.01)", (-3.0, 0.01))),
                False,
                "Lecture Figure 16. SGD drops to the gently sloping floor and stalls; momentum swings across "
                "the valley until it builds up speed along it; RMSProp, Adam and Adagrad scale each step, "
                "so they head down the valley at once and reach the minimum at (6, 0) first.",
            ),
            _from_formula(
                "ravine",
                "Ravine",
                r"f = \tfrac12\left(12\,w_1^2 + 0.12\,w_2^2\right)",
                ravine,
                ((-3.0, 3.0), (-3.0, 3.0)),
                ((0.0, 0.0),),
                (("steep wall (1, −2.5)", (1.0, -2.5)), ("far end (0.2, 2.8)", (0.2, 2.8)),
                 ("high on the wall (−2, 2)", (-2.0, 2.0))),
                False,
                "Lecture Figures 12–14. The surface curves 100× more steeply in w₁ than in w₂, so SGD "
                "zig-zags between the walls while creeping along w₂. Momentum, at the same α and γ = 0.5 "
                "(the lecture's starting value), adds half of its last step: the w₁ parts of successive steps, "
                "opposite in sign, cancel, the w₂ parts add up, and it reaches the minimum at (0, 0) in about "
                "half SGD's steps.",
                momentum=dict(momentum=0.5),
            ),
            _from_formula(
                "rosenbrock",
                "Rosenbrock",
                r"f = (1 - x)^2 + 100\,(y - x^2)^2",
                rosenbrock,
                ((-2.0, 2.0), (-1.0, 3.0)),
                ((1.0, 1.0),),
                (("valley floor (0, 0)", (0.0, 0.0)), ("classic (−1.2, 1)", (-1.2, 1.0)),
                 ("top left (−1.5, 2.5)", (-1.5, 2.5))),
                True,
                "The ravine of Lecture Figures 12–14, bent into a banana: SGD stalls on the flat floor while "
                "momentum and Adam follow the curve to the minimum at (1, 1). From the classic start "
                "(−1.2, 1) the trip is twice as long.",
            ),
            _from_formula(
                "saddle",
                "Saddle point",
                r"f = x^2 - y^2 + \tfrac14 y^4 + 1",
                saddle,
                ((-2.0, 2.0), (-2.0, 2.0)),
                ((0.0, 2**0.5), (0.0, -(2**0.5))),
                (("near the ridge (1.5, 0.001)", (1.5, 1e-3)), ("off the ridge (−1.5, 0.3)", (-1.5, 0.3))),
                False,
                "The gradient vanishes at the saddle (0, 0). Starting near the ridge, SGD slides into the "
                "saddle and lingers there for about 100 steps; RMSProp, Adam and Adagrad scale up the tiny "
                "sideways gradient (Lecture Figure 16's symmetry breaking) and escape at once to (0, ±√2). "
                "RMSProp's loss then jumps between 10⁻¹² and 10⁻³: its step α g/√E[g²] stays about α long "
                "however small g gets, so at a constant α it hops around the minimum about α away, and a hop "
                "that lands almost on it is a dip of the loss, not convergence. An exponential schedule "
                "(k = 0.01) lets it settle.",
            ),
        )
    }
)


def get_surface(name: str) -> Surface:
    """The surface called ``name``; ValueError naming the choices otherwise."""
    try:
        return SURFACES[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown surface {name!r}; choose one of {', '.join(SURFACES)}") from None
