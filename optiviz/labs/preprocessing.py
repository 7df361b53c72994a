"""Data pre-processing: one data cloud, four preprocessings, the same optimizer on each; Figure 5's sensitivity.

The lecture: "You can make the loss surface much nicer by pre-processing: remove the mean
(zero-centre), normalise (divide by the standard deviation), or decorrelate (whiten)."
For the two-weight models of ``optiviz.core.linear_models`` the Hessian of the linear model's loss
is the inputs' second moment XᵀX/N = Σ + μμᵀ, so a cloud far from the origin (large μ) or with
correlated features (off-diagonal Σ) gives a ravine with condition number κ(XᵀX/N) ≫ 1, and a
whitened cloud (μ = 0, Σ = I) gives round contours with κ = 1.

Caps: MAX_SAMPLES points, MAX_STEPS steps, MAX_GRID² grid points per loss surface,
MAX_SIZES × MAX_DIRECTIONS weight changes in Figure 5's measure, MAX_SWEEP_RUNS runs in a sweep of α
and MAX_SWEEP_WORK runs × samples × steps (``sweep_rates`` thins the rates to fit), MAX_GRID_WORK grid² × samples
(``compare_preprocessings`` draws coarser grids to fit); a logistic sample counts WORK_COST = 4 times.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import NamedTuple

import numpy as np
import pandas as pd

from optiviz.core.checks import check_int, check_number
from optiviz.core.datasets import PREPROCESSINGS, apply, fit_preprocessing
from optiviz.core.descent import Trajectories, descend
from optiviz.core.linear_models import (MAX_CENTRE, TRUE_WEIGHTS, Problem, check_model, loss_and_grad, loss_grid,
                                        make_problem, optimum)
from optiviz.core.optimizers import make_optimizer
from optiviz.core.surfaces import Surface

TRANSFORMS = tuple(PREPROCESSINGS)  # none, centre, standardise, whiten: the lecture's order
MAX_SAMPLES = 2000
MAX_STEPS = 2000
MAX_GRID = 120
MAX_SCALE = 10.0  # the spread of x₂ relative to x₁, in [1/10, 10]
MAX_START = 20.0  # |w₀| per coordinate
MAX_SIZES, MAX_DIRECTIONS = 201, 360
TOLERANCE = 1e-3  # converged once L − L* ≤ TOLERANCE · (L(w₀) − L*)
VIEW_REACH = 3.0  # a path is framed up to this many start-to-optimum distances from the optimum
NOISE = 0.5  # σ of the targets' noise
SWEEP_RATES = tuple(float(f"{10 ** (k / 10):.2g}") for k in range(-30, 11))  # 0.001 … 10, ten per decade
MAX_SWEEP_RUNS = 400
MAX_SWEEP_WORK = 20_000_000  # runs × samples × steps × WORK_COST in one sweep of α
MAX_GRID_WORK = 2_500_000  # grid² × samples × WORK_COST per loss surface
WORK_COST = MappingProxyType({"linear": 1, "logistic": 4})  # a logistic loss costs three exp/log per sample


def check_centre(centre) -> tuple[float, float]:
    """A 2-D point with |coordinates| ≤ MAX_CENTRE; ValueError naming ``centre`` otherwise."""
    values = np.asarray(centre, dtype=object).ravel()
    if len(values) != 2:
        raise ValueError(f"centre must be a pair (x₁, x₂), got {centre!r}")
    cx, cy = (check_number("centre", c, low=-MAX_CENTRE, high=MAX_CENTRE) for c in values)
    return cx, cy


def make_data(model: str, samples: int, seed, centre=(0.0, 0.0), correlation: float = 0.0, scale: float = 1.0,
              noise: float = NOISE) -> Problem:
    """``make_problem``'s cloud with x₂ measured in other units: x₂ ← s x₂, so its spread is s and w*₂ becomes w*₂ / s.

    The centre is where the cloud ends up (in the new units); MAX_SAMPLES caps ``samples``.
    """
    check_model(model)
    samples = check_int("samples", samples, low=2, high=MAX_SAMPLES)
    cx, cy = check_centre(centre)
    s = check_number("scale", scale, low=1 / MAX_SCALE, high=MAX_SCALE)
    p = make_problem(model, samples, seed, (cx, cy / s), correlation, noise)
    return p._replace(X=p.X * np.array([1.0, s]))


def preprocess(problem: Problem) -> dict[str, Problem]:
    """The inputs x ↦ W (x − μ) of each preprocessing, fitted on these points
    (none: x; centre: x − μ; standardise: (x − μ)/σ; whiten: Σ^(−1/2) (x − μ)).

    The linear model's targets are centred too, y − ȳ, wherever the inputs are: the job a bias
    would do (these models have none), so every problem can reach the same minimum loss.
    """
    out = {}
    for name in TRANSFORMS:
        y = problem.y - problem.y.mean() if problem.model == "linear" and name != "none" else problem.y
        out[name] = Problem(problem.model, apply(fit_preprocessing(name, problem.X), problem.X), y)
    return out


def second_moment(X) -> np.ndarray:
    """XᵀX / N = Σ + μμᵀ: the Hessian of the linear model's loss ½ mean (x·w − y)²."""
    X = np.asarray(X, dtype=float)
    return X.T @ X / len(X)


def condition_number(X) -> float:
    """κ = λ_max / λ_min of XᵀX / N: how much narrower the ravine is than it is long, squared (∞ if singular)."""
    lam = np.linalg.eigvalsh(second_moment(X))
    return float(lam[-1] / lam[0]) if lam[0] > 0 else np.inf


def _views(start: np.ndarray, optima: np.ndarray, points: np.ndarray) -> np.ndarray:
    """One square ((w₁ lo, hi), (w₂ lo, hi)) per run around its start, optimum and path (B, 2, 2)."""
    views = np.empty((len(optima), 2, 2))
    for b, w_opt in enumerate(optima):
        reach = max(float(np.abs(start - w_opt).max()), 0.25)
        path = points[:, b][np.all(np.isfinite(points[:, b]), axis=1)]
        path = path[np.abs(path - w_opt).max(axis=1) <= VIEW_REACH * reach]
        shown = np.vstack([start, w_opt, path])
        lo, hi = shown.min(axis=0), shown.max(axis=0)
        half = 0.56 * float((hi - lo).max()) + 0.08 * reach
        mid = (lo + hi) / 2
        views[b] = np.stack([mid - half, mid + half], axis=-1)
    return views


def _steps_to_converge(excess: np.ndarray, tolerance: float) -> np.ndarray:
    """First t with excess[t] ≤ tolerance · excess[0], per run (columns); −1 where it never gets there."""
    tolerance = check_number("tolerance", tolerance, low=0.0, low_open=True, high=1.0)
    with np.errstate(invalid="ignore"):
        done = excess <= tolerance * excess[0]
    return np.where(done.any(axis=0), done.argmax(axis=0), -1)


def check_start(start) -> np.ndarray:
    """w₀ as a (2,) array with |w₀ᵢ| ≤ MAX_START; ValueError naming ``start`` otherwise."""
    values = np.asarray(start, dtype=object).ravel()
    if len(values) != 2:
        raise ValueError(f"start must be a pair (w₁, w₂), got {start!r}")
    return np.array([check_number("start", v, low=-MAX_START, high=MAX_START) for v in values])


class PreprocessingRuns(NamedTuple):
    """The same optimizer and start on the four preprocessed problems (in TRANSFORMS order), each at its α."""

    problems: dict  # name -> Problem, in TRANSFORMS order
    optima: np.ndarray  # (4, 2) w* of each problem
    loss_min: np.ndarray  # (4,) L(w*)
    condition: np.ndarray  # (4,) κ(XᵀX/N)
    start: np.ndarray  # (2,) w₀, the same for all
    trajectories: Trajectories  # points (T + 1, 4, 2), loss (T + 1, 4), ...
    views: np.ndarray  # (4, 2, 2) the square each loss surface is drawn on
    grids: tuple  # per problem (w1 (n,), w2 (n,), Z (n, n)) with Z[j, i] = L(w1[i], w2[j])
    rates: np.ndarray  # (4,) the learning rate α of each run

    def excess_loss(self) -> np.ndarray:
        """L(w_t) − L* (T + 1, 4); NaN after a run diverged."""
        return self.trajectories.loss - self.loss_min

    def steps_to_converge(self, tolerance: float = TOLERANCE) -> np.ndarray:
        """First t with L(w_t) − L* ≤ tolerance · (L(w₀) − L*), per problem; −1 where it never gets there."""
        return _steps_to_converge(self.excess_loss(), tolerance)

    def summary(self, tolerance: float = TOLERANCE) -> pd.DataFrame:
        """Per preprocessing: κ(XᵀX/N), final loss, its excess over L*, steps to converge, the step it diverged at."""
        last = self.trajectories.loss[-1]
        steps = self.steps_to_converge(tolerance)
        diverged = self.trajectories.diverged_at
        return pd.DataFrame({
            "preprocessing": list(self.problems),
            "learning rate": self.rates,
            "condition number": self.condition,
            "minimum loss": self.loss_min,
            "final loss": last,
            "final loss − minimum": last - self.loss_min,
            "steps to converge": pd.array(np.where(steps >= 0, steps, None), dtype="Int64"),
            "diverged at step": pd.array(np.where(diverged >= 0, diverged, None), dtype="Int64"),
        })

    def paths(self) -> pd.DataFrame:
        """Tidy paths: preprocessing, step, w1, w2, loss, loss − minimum (rows after a divergence dropped)."""
        t = self.trajectories
        steps = np.arange(len(t.loss))
        frames = [pd.DataFrame({"preprocessing": name, "step": steps, "w1": t.points[:, b, 0], "w2": t.points[:, b, 1],
                                "loss": t.loss[:, b], "loss − minimum": t.loss[:, b] - self.loss_min[b]})
                  .dropna() for b, name in enumerate(self.problems)]
        return pd.concat(frames, ignore_index=True)

    def data(self) -> pd.DataFrame:
        """Tidy points: preprocessing, x1, x2, y (the target) for every preprocessed cloud."""
        return pd.concat([pd.DataFrame({"preprocessing": name, "x1": p.X[:, 0], "x2": p.X[:, 1], "y": p.y})
                          for name, p in self.problems.items()], ignore_index=True)

    def surfaces(self) -> pd.DataFrame:
        """Tidy loss surfaces: preprocessing, w1, w2, loss on each grid."""
        frames = []
        for name, (w1, w2, Z) in zip(self.problems, self.grids):
            ww1, ww2 = np.meshgrid(w1, w2)
            frames.append(pd.DataFrame({"preprocessing": name, "w1": ww1.ravel(), "w2": ww2.ravel(),
                                        "loss": Z.ravel()}))
        return pd.concat(frames, ignore_index=True)


def _batch_surface(problems: list[Problem], views: np.ndarray) -> Surface:
    """The four problems as one batched Surface for ``descend``: run b sees problem b's data."""
    X = np.stack([p.X for p in problems])
    y = np.stack([p.y for p in problems])
    model = problems[0].model
    lo, hi = views[:, :, 0].min(axis=0), views[:, :, 1].max(axis=0)
    return Surface("preprocessed", "the four preprocessed problems", "", lambda W: loss_and_grad(model, W, X, y),
                   ((lo[0], hi[0]), (lo[1], hi[1])), (), (), MappingProxyType({}), True, "")


def compare_preprocessings(model: str, samples: int, seed, centre=(0.0, 0.0), correlation: float = 0.0,
                           scale: float = 1.0, optimizer: str = "sgd", learning_rate: float = 0.1, steps: int = 100,
                           start=(0.0, 0.0), hyperparameters=(), grid: int = 50) -> PreprocessingRuns:
    """Run W_{t+1} = W_t + ΔW(∇L(W_t), α) from the same w₀ on raw, zero-centred, standardised and whitened data.

    One batched run of four: every run has the same optimizer and start; ``learning_rate`` is one α for
    all, or one per preprocessing (in TRANSFORMS order: each at its own best α, say).
    ``hyperparameters`` are (name, value) pairs for the optimizer; ``grid`` (≤ MAX_GRID)
    points a side for each loss surface, fewer where grid² × samples would pass MAX_GRID_WORK. A run diverges
    when its loss overflows or its weights leave a box five times the size of the views; it stops there.
    """
    problems = preprocess(make_data(model, samples, seed, centre, correlation, scale))
    opt = make_optimizer(optimizer, **dict(hyperparameters))
    steps = check_int("steps", steps, low=1, high=MAX_STEPS)
    w0 = check_start(start)
    grid = min(check_int("grid", grid, low=2, high=MAX_GRID),
               max(2, int(np.sqrt(MAX_GRID_WORK / (WORK_COST[model] * samples)))))
    listed = list(problems.values())
    optima = np.array([optimum(p) for p in listed])
    loss_min = loss_and_grad(model, optima, np.stack([p.X for p in listed]), np.stack([p.y for p in listed]))[0]
    first = _views(w0, optima, np.empty((0, len(listed), 2)))
    starts = np.broadcast_to(w0, (len(listed), 2))
    rates = check_rates(learning_rate, len(listed))
    traj = descend(_batch_surface(listed, first), opt, starts, steps, rates)
    views = _views(w0, optima, traj.points)
    axes = [(np.linspace(*v[0], grid), np.linspace(*v[1], grid)) for v in views]
    grids = tuple((w1, w2, loss_grid(p, w1, w2)) for p, (w1, w2) in zip(listed, axes))
    condition = np.array([condition_number(p.X) for p in listed])
    return PreprocessingRuns(problems, optima, loss_min, condition, w0, traj, views, grids, rates)


def check_rates(learning_rate, runs: int) -> np.ndarray:
    """α as ``runs`` finite numbers > 0, from one number or one per run; ValueError naming ``learning_rate``."""
    try:
        rates = np.array(learning_rate, dtype=float, ndmin=1)
    except (TypeError, ValueError):
        raise ValueError(f"learning_rate must be a number or {runs} numbers, got {learning_rate!r}") from None
    if rates.ndim != 1 or len(rates) not in (1, runs) or not np.all(np.isfinite(rates) & (rates > 0)):
        raise ValueError(f"learning_rate must be one number > 0 or {runs} (one per preprocessing), "
                         f"got {learning_rate!r}")
    return np.broadcast_to(rates, (runs,)).copy()


def _sweep_work(model: str, runs: int, samples: int, steps: int) -> int:
    return runs * samples * steps * WORK_COST[check_model(model)]


def sweep_rates(model: str, samples: int, steps: int) -> tuple[float, ...]:
    """Every k-th of SWEEP_RATES, with the smallest k that keeps the sweep's work within MAX_SWEEP_WORK."""
    fit = MAX_SWEEP_WORK // _sweep_work(model, len(TRANSFORMS), check_int("samples", samples),
                                        check_int("steps", steps))
    k = max(1, -(-len(SWEEP_RATES) // max(fit, 1)))
    return SWEEP_RATES[::k]


def rate_sweep(model: str, samples: int, seed, centre=(0.0, 0.0), correlation: float = 0.0, scale: float = 1.0,
               optimizer: str = "sgd", steps: int = 100, start=(0.0, 0.0), hyperparameters=(), rates=None,
               tolerance: float = TOLERANCE) -> pd.DataFrame:
    """Steps to converge against the learning rate α for each preprocessing: len(rates) × 4 runs in one batch.

    ``rates`` defaults to ``sweep_rates(model, samples, steps)``. One row per (preprocessing, α): steps to reach
    L − L* ≤ tolerance · (L(w₀) − L*) (NA if not within ``steps``), and the step the run diverged at
    (NA if it did not). At most MAX_SWEEP_RUNS runs.
    """
    problems = preprocess(make_data(model, samples, seed, centre, correlation, scale))
    opt = make_optimizer(optimizer, **dict(hyperparameters))
    steps = check_int("steps", steps, low=1, high=MAX_STEPS)
    w0 = check_start(start)
    rates = np.asarray(sweep_rates(model, samples, steps) if rates is None else rates, dtype=float).ravel()
    if (not (1 <= rates.size and rates.size * len(problems) <= MAX_SWEEP_RUNS)
            or not np.all(np.isfinite(rates) & (rates > 0))):
        raise ValueError(f"rates must be 1 to {MAX_SWEEP_RUNS // len(problems)} finite numbers > 0, got {rates.size}")
    if _sweep_work(model, rates.size * len(problems), samples, steps) > MAX_SWEEP_WORK:
        raise ValueError(f"rates: {rates.size} rates of {steps} steps on {samples} samples is more work than this "
                         f"sweep allows; use sweep_rates({model!r}, {samples}, {steps})")
    listed = list(problems.values())
    optima = np.array([optimum(p) for p in listed])
    runs = [p for p in listed for _ in rates]  # problem-major: run b = problem b // K at rate b % K
    views = np.repeat(_views(w0, optima, np.empty((0, len(listed), 2))), rates.size, axis=0)
    traj = descend(_batch_surface(runs, views), opt, np.broadcast_to(w0, (len(runs), 2)), steps,
                   np.tile(rates, len(listed)))
    loss_min = np.repeat(loss_and_grad(model, optima, np.stack([p.X for p in listed]),
                                       np.stack([p.y for p in listed]))[0],
                         rates.size)
    converged = _steps_to_converge(traj.loss - loss_min, tolerance)
    return pd.DataFrame({
        "preprocessing": np.repeat(list(problems), rates.size),
        "learning rate": np.tile(rates, len(listed)),
        "steps to converge": pd.array(np.where(converged >= 0, converged, None), dtype="Int64"),
        "diverged at step": pd.array(np.where(traj.diverged_at >= 0, traj.diverged_at, None), dtype="Int64"),
    })


def easier_in_order(summary: pd.DataFrame) -> bool:
    """Whether the lecture's order holds in a :meth:`PreprocessingRuns.summary`: κ falls from row to row, and so do the
    steps to converge (raw slowest, whitened fastest), every transform converging."""
    kappa, done = summary["condition number"].to_numpy(), summary["steps to converge"]
    return bool(np.all(np.diff(kappa) < 0) and done.notna().all() and np.all(np.diff(done.to_numpy(dtype=float)) < 0))


def best_rates(sweep: pd.DataFrame) -> pd.DataFrame:
    """Per preprocessing, the α of ``rate_sweep`` that converges in the fewest steps (the largest such α on ties);
    NA where no α converged."""
    done = sweep.dropna(subset=["steps to converge"]).sort_values(["steps to converge", "learning rate"],
                                                                   ascending=[True, False])
    best = done.groupby("preprocessing", sort=False).head(1).set_index("preprocessing")
    return best.reindex(pd.unique(sweep["preprocessing"]))[["learning rate", "steps to converge"]].reset_index()


def own_best_rates(sweep: pd.DataFrame, fallback: float) -> tuple[float, ...]:
    """Each preprocessing's own best α of ``sweep`` (:func:`best_rates`), in TRANSFORMS order; ``fallback`` where
    none of the sweep's α converged."""
    return tuple(fallback if pd.isna(a) else float(a) for a in best_rates(sweep)["learning rate"])


# ---- Figure 5: far from the origin, the same small weight change moves the classifier more ---------


class Sensitivity(NamedTuple):
    """A linear classifier p = σ(w·x + b) fitted to a cloud at the origin ("near") and the same classifier
    moved with the cloud to its centre μ ("far": b = −w·μ), under weight changes w ← w + Δw."""

    near: Problem  # logistic labels; the far cloud is near.X + centre with the same labels
    centre: np.ndarray  # μ
    weights: np.ndarray  # w (2,) fitted on the near cloud
    bias: np.ndarray  # (near, far) = (0, −w·μ)
    sizes: np.ndarray  # (E,) relative sizes ε = |Δw| / |w|
    flipped: np.ndarray  # (2, E) fraction of points whose predicted class flips, averaged over the directions of Δw
    loss_change: np.ndarray  # (2, E) L(w + Δw, b) − L(w, b), averaged over the directions of Δw

    @property
    def far(self) -> Problem:
        return self.near._replace(X=self.near.X + self.centre)

    def change(self, size: float) -> np.ndarray:
        """The drawn Δw of relative size ε: along μ, the direction that moves the far cloud's scores w·x + b most
        (perpendicular to w, a turn of the line, when μ = 0)."""
        size = check_number("size", size, low=0.0, high=float(self.sizes[-1]))
        norm = float(np.linalg.norm(self.centre))
        u = (self.centre / norm if norm > 0
             else np.array([-self.weights[1], self.weights[0]]) / np.linalg.norm(self.weights))
        return size * float(np.linalg.norm(self.weights)) * u

    def flips(self, size: float) -> np.ndarray:
        """(2, N) True where the drawn change flips a point's predicted class, near and far."""
        dw = self.change(size)
        out = []
        for X, b in ((self.near.X, self.bias[0]), (self.far.X, self.bias[1])):
            out.append((X @ self.weights + b > 0) != (X @ (self.weights + dw) + b > 0))
        return np.array(out)

    def table(self) -> pd.DataFrame:
        """Tidy measure: cloud, relative weight change, fraction flipped, loss change."""
        return pd.concat([pd.DataFrame({"cloud": cloud, "relative weight change |Δw|/|w|": self.sizes,
                                        "fraction flipped": self.flipped[k], "loss change": self.loss_change[k]})
                          for k, cloud in enumerate(("near the origin", "far from the origin"))], ignore_index=True)

    def points(self, size: float) -> pd.DataFrame:
        """Tidy points of both clouds with their labels and whether the drawn change flips them."""
        flips = self.flips(size)
        return pd.concat([pd.DataFrame({"cloud": cloud, "x1": X[:, 0], "x2": X[:, 1], "y": self.near.y,
                                        "flipped": flips[k]})
                          for k, (cloud, X) in enumerate((("near the origin", self.near.X),
                                                          ("far from the origin", self.far.X)))], ignore_index=True)


def boundary_direction() -> np.ndarray:
    """The unit vector along the true decision line x·w* = 0: (−w*₂, w*₁) / |w*|."""
    w = np.asarray(TRUE_WEIGHTS, dtype=float)
    return np.array([-w[1], w[0]]) / np.linalg.norm(w)


def sensitivity(samples: int, seed, distance: float, correlation: float = 0.0, scale: float = 1.0,
                max_size: float = 0.3, sizes: int = 31, directions: int = 36, noise: float = NOISE) -> Sensitivity:
    """How much a small weight change moves the classifier, for the same labelled cloud near and far from the origin.

    The far cloud's centre is μ = distance · u along the true decision line (``boundary_direction``), as in the
    lecture's figure. Labels y = 1[(x − μ)·w* + σε > 0]; w fitted by logistic regression on the cloud at the origin.
    For each ε in [0, max_size] and each of ``directions`` evenly spread unit vectors u,
    Δw = ε |w| u changes the scores by Δz = Δw·x: about Δw·μ at a cloud around μ, so the far cloud's
    decision line moves by ~ε |μ| while the near one turns about its centre. Reported: the fraction of
    points whose class flips, and the change in the cross-entropy loss, averaged over u.
    """
    near = make_data("logistic", samples, seed, (0.0, 0.0), correlation, scale, noise)
    mu = check_number("distance", distance, low=0.0, high=MAX_CENTRE) * boundary_direction()
    max_size = check_number("max_size", max_size, low=0.0, low_open=True, high=1.0)
    sizes = np.linspace(0.0, max_size, check_int("sizes", sizes, low=2, high=MAX_SIZES))
    directions = check_int("directions", directions, low=1, high=MAX_DIRECTIONS)
    w = optimum(near)
    theta = 2 * np.pi * np.arange(directions) / directions
    u = np.stack([np.cos(theta), np.sin(theta)], axis=-1)
    changed = w + sizes[:, None, None] * np.linalg.norm(w) * u  # (E, K, 2)
    bias = np.array([0.0, -float(w @ mu)])
    flipped, loss_change = [], []
    for X, b in ((near.X, bias[0]), (near.X + mu, bias[1])):
        Xa = np.column_stack([X, np.ones(len(X))])  # a bias is a weight on a constant input 1
        Wa = np.concatenate([changed, np.full(changed.shape[:-1] + (1,), b)], axis=-1)
        before = X @ w + b > 0
        flipped.append((((Xa @ Wa[..., None])[..., 0] > 0) != before).mean(axis=(-2, -1)))
        loss = loss_and_grad("logistic", Wa, Xa, near.y)[0]
        loss_change.append((loss - loss_and_grad("logistic", np.append(w, b), Xa, near.y)[0]).mean(axis=-1))
    return Sensitivity(near, mu, w, bias, sizes, np.array(flipped), np.array(loss_change))
