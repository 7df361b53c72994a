"""Optimizers on surfaces: many runs in one vectorised loop, returned as per-optimizer Paths or tidy tables."""

from __future__ import annotations

import math
from typing import Mapping, NamedTuple, Sequence

import numpy as np
import pandas as pd

from optiviz.core.arith import traced
from optiviz.core.checks import check_int, check_number
from optiviz.core.optimizers import OPTIMIZERS, Optimizer, make_optimizer
from optiviz.core.schedules import learning_rate as scheduled
from optiviz.core.surfaces import Surface, columns, get_surface

MAX_STEPS = 10_000  # per run; the page allows fewer
MAX_RUNS = 8192  # runs in one batched call
COLUMNS = ["optimizer", "step", "x", "y", "loss", "grad_norm", "learning_rate"]


class Trajectories(NamedTuple):
    """B runs of T steps. Rows after a run diverges are NaN."""

    points: np.ndarray  # (T + 1, B, 2)
    loss: np.ndarray  # (T + 1, B)
    grad_norm: np.ndarray  # (T + 1, B), of the true (noise-free) gradient
    learning_rate: np.ndarray  # (T + 1, B), α_t used for the step from t to t + 1
    diverged_at: np.ndarray  # (B,) first step whose point is non-finite or outside the box; −1 if none


def check_steps(steps) -> int:
    """An int in [1, MAX_STEPS]; ValueError naming ``steps`` otherwise."""
    return check_int("steps", steps, low=1, high=MAX_STEPS)


def _check_learning_rates(learning_rate) -> np.ndarray:
    """α₀ > 0 as a float array shaped like ``learning_rate``: one rate, or one per run."""
    rates = np.asarray(learning_rate)
    if rates.dtype.kind not in "iuf" or rates.size == 0:
        raise ValueError(f"learning_rate must be a number or an array of numbers, got {learning_rate!r}")
    rates = rates.astype(float)
    bad = ~(np.isfinite(rates) & (rates > 0))
    if bad.any():
        check_number("learning_rate", rates[bad].flat[0], low=0.0, low_open=True)  # raises, naming it
    return rates


def _norm(g: np.ndarray) -> np.ndarray:
    """‖g‖ = √(g_x² + g_y²) of (B, 2) gradients (np.hypot is ~3× slower)."""
    gx, gy = g[:, 0], g[:, 1]
    return np.sqrt(gx * gx + gy * gy)


def _checked(surface: Surface, starts, steps, learning_rate, schedule: str, decay_rate: float, noise):
    """The runs' inputs, validated: (starts (B, 2), steps, α_t for t = 0 … T as (T + 1, B), σ).

    A constant α_t = α₀ is a read-only view of α₀ rather than a table (16 MB for a sweep of 4096 runs)."""
    starts = np.array(starts, dtype=float, ndmin=2)
    if starts.ndim != 2 or starts.shape[1] != 2 or not np.all(np.isfinite(starts)):
        raise ValueError(f"start points must be finite (x, y) pairs, got {starts.tolist()!r}")
    if not surface.inside(starts).all():
        raise ValueError(f"start points must lie inside the {surface.name} box around the view, "
                         f"got {starts.tolist()!r}")
    batch = starts.shape[0]
    if batch > MAX_RUNS:
        raise ValueError(f"at most {MAX_RUNS} runs at once, got {batch}")
    steps = check_steps(steps)
    noise = check_number("noise", noise, low=0.0)
    lr0 = np.broadcast_to(_check_learning_rates(learning_rate), (batch,))
    t = np.arange(steps + 1)[:, None]
    if schedule == "constant":
        scheduled(schedule, lr0, decay_rate, t[:1])  # checks decay_rate as for any schedule; α₀ · 1 is α₀
        return starts, steps, np.broadcast_to(lr0, (steps + 1, batch)), noise
    return starts, steps, scheduled(schedule, lr0, decay_rate, t), noise


def _walk(surface: Surface, optimizer: Optimizer, starts: np.ndarray, rates: np.ndarray, noise: float, seed: int,
          losses: bool = True):
    """(W_t, f(W_t), ∇f(W_t)) for t = 0 … T, where W_{t+1} = W_t + ΔW(g̃_t, α_t) and g̃ = ∇f + σ ε.

    W_t, and ∇f(W_t) on a formula's surface, are arrays (B, 2) updated in place from step to step: copy what you
    keep. Without ``losses``, f(W_t) is None at 0 < t < T on a formula's surface (its formula skips f)."""
    rng = np.random.default_rng(seed)
    # the walk owns the optimizer's state, so the rule may grow it in place
    update = optimizer.update_in_place or optimizer.update
    if surface.pointwise:  # x and y as contiguous columns (structure of arrays), ∇f written into one buffer
        w = columns(starts[:, 0], starts[:, 1])
        value_and_grad = _formula_steps(surface.pointwise, w, {True, losses})
    else:  # rows
        w = starts.copy()

        def value_and_grad(value: bool):
            return surface.value_and_grad(w)

    f, g = value_and_grad(True)
    state = optimizer.init(w)
    yield w, f, g
    last = len(rates) - 2
    for t, rate in enumerate(rates[:-1]):
        g_seen = g + noise * rng.standard_normal(2) if noise else g
        delta, state = update(g_seen, state, rate)
        w += delta
        f, g = value_and_grad(losses or t == last)
        yield w, f, g


def _formula_steps(formula, w: np.ndarray, kinds: set[bool]):
    """``value_and_grad(value)`` -> (f(W) or None, ∇f(W)) for the walk's points ``w`` (B, 2) laid out as columns:
    ∇f is written into one buffer (B, 2), the same each step. The formula is traced once per kind of step (with
    and without f) and run as in-place NumPy calls into buffers made here (:func:`optiviz.core.arith.traced`); one
    that cannot be traced (other than arithmetic) is evaluated as it is and copied in."""
    g = np.empty_like(w)
    x, y, gx, gy = w[:, 0], w[:, 1], g[:, 0], g[:, 1]
    try:
        runs = {value: traced(formula, (x, y), (None, gx, gy), value) for value in kinds}
    except (TypeError, ValueError):

        def value_and_grad(value: bool):
            f, gx[...], gy[...] = formula(x, y, value)
            return f, g
    else:

        def value_and_grad(value: bool):
            return runs[value]()[0], g

    return value_and_grad


def descend(
    surface: Surface,
    optimizer: Optimizer,
    starts,
    steps: int,
    learning_rate,
    schedule: str = "constant",
    decay_rate: float = 0.0,
    noise: float = 0.0,
    seed: int = 0,
) -> Trajectories:
    """Run B optimizers from ``starts`` (B, 2) for ``steps`` steps: W_{t+1} = W_t + ΔW(g̃_t, α_t).

    ``learning_rate`` and the optimizer's hyperparameters may hold one value per run (B,).
    With ``noise`` σ > 0 the optimizer sees g̃ = ∇f + σ ε, ε ~ N(0, I) drawn from ``seed``; every
    run sees the same ε_t, so runs differ only by their settings and a batch equals its runs looped.
    A run diverges at the first step t whose point W_t leaves the box (or is not finite) or whose loss
    f(W_t) is not finite; its rows from t on are NaN.
    """
    starts, steps, rates, noise = _checked(surface, starts, steps, learning_rate, schedule, decay_rate, noise)
    points = np.empty((steps + 1, len(starts), 2))
    loss = np.empty((steps + 1, len(starts)))
    grads = np.empty((steps + 1, len(starts), 2))
    with np.errstate(all="ignore"):
        for t, (w, f, g) in enumerate(_walk(surface, optimizer, starts, rates, noise, seed)):
            points[t], loss[t], grads[t] = w, f, g
    return _trajectories(surface, points, loss, grads, np.array(rates))  # a table of its own, writable


def _trajectories(surface: Surface, points: np.ndarray, loss: np.ndarray, grads: np.ndarray,
                  rates: np.ndarray) -> Trajectories:
    """The runs' rows, each cut (to NaN) from the first step whose point leaves the box or whose loss is not finite.

    Runs are independent (the noise does not depend on them), so a diverged run may have run on with
    inf and NaN: its first bad step is found here, once, and everything from it is cut.
    """
    with np.errstate(all="ignore"):
        ok = surface.inside(points) & np.isfinite(loss)  # (T + 1, B)
        ok[0] = True  # the start was checked on entry
        diverged_at = np.where(ok.all(axis=0), -1, np.argmin(ok, axis=0))
        grad_norm = _norm(grads.reshape(-1, 2)).reshape(loss.shape)
        for b in np.flatnonzero(diverged_at >= 0):
            points[diverged_at[b] :, b] = np.nan
            loss[diverged_at[b] :, b] = np.nan
            grad_norm[diverged_at[b] :, b] = np.nan
    return Trajectories(points, loss, grad_norm, rates, diverged_at)


def run_ends(
    surface: Surface,
    optimizer: Optimizer,
    starts,
    steps: int,
    learning_rate,
    schedule: str = "constant",
    decay_rate: float = 0.0,
    noise: float = 0.0,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(W_T, f(W_T), diverged_at) of :func:`descend`'s runs, its last rows (NaN and −1 where there are none),
    keeping no path: each step is checked for divergence as it is taken. For sweeps over many runs.

    On a ``bounded`` surface a point inside the box has a finite loss, so the walk skips f until the last step
    and the box alone decides."""
    starts, steps, rates, noise = _checked(surface, starts, steps, learning_rate, schedule, decay_rate, noise)
    diverged_at = np.full(len(starts), -1)
    with np.errstate(all="ignore"):
        for t, (w, f, _) in enumerate(_walk(surface, optimizer, starts, rates, noise, seed, not surface.bounded)):
            if (f is None or math.isfinite(f.sum())) and surface.all_inside(w):  # a finite sum has no inf or NaN
                continue  # the common case, from a few reductions; the exact test per run otherwise
            gone = ~surface.inside(w) if f is None else ~(surface.inside(w) & np.isfinite(f))
            if t and gone.any():  # the start was checked on entry
                diverged_at[gone & (diverged_at < 0)] = t
    gone = diverged_at >= 0
    return np.where(gone[:, None], np.nan, w), np.where(gone, np.nan, f), diverged_at


class Path(NamedTuple):
    """One optimizer's run as arrays, from step 0 (the start) up to the step before it diverged.

    Row t holds W_t = (x, y), f(W_t), ‖∇f(W_t)‖ and α_t; all arrays have the same length n.
    """

    optimizer: str
    step: np.ndarray  # (n,) 0, 1, …, n − 1
    x: np.ndarray  # (n,)
    y: np.ndarray  # (n,)
    loss: np.ndarray  # (n,) f(W_t)
    grad_norm: np.ndarray  # (n,) ‖∇f(W_t)‖ of the true gradient
    learning_rate: np.ndarray  # (n,) α_t, used for the step from t to t + 1
    diverged_at: int | None  # the first step whose point left the box or whose loss overflowed (= n); None if none


def _path(name: str, traj: Trajectories, b: int) -> Path:
    """Run ``b`` of ``traj`` cut before its divergence, as contiguous arrays."""
    diverged = int(traj.diverged_at[b])
    end = diverged if diverged >= 0 else len(traj.loss)
    columns = (traj.points[..., 0], traj.points[..., 1], traj.loss, traj.grad_norm, traj.learning_rate)
    return Path(name, np.arange(end), *(np.ascontiguousarray(c[:end, b]) for c in columns),
                diverged if diverged >= 0 else None)


def _walk_floats(surface: Surface, optimizer: Optimizer, start: tuple[float, float], rates: list[float], kicks):
    """One run of :func:`_walk` on Python floats, with the surface's pointwise formula: rows (x, y, f, ∂f/∂x, ∂f/∂y)
    for t = 0 … T. The same arithmetic gives the same bits as NumPy, ~6× faster for one point (NumPy costs
    ~1 µs a call). ``kicks`` holds σ εₜ per step, or is None without noise."""
    x, y = start
    update = optimizer.update_in_place or optimizer.update  # on floats (immutable) the in-place rule is pure
    sx, sy = optimizer.init(x), optimizer.init(y)
    f, gx, gy = surface.pointwise(x, y)
    rows = [(x, y, f, gx, gy)]
    for t, rate in enumerate(rates):
        if kicks:  # the optimizer sees g̃ = ∇f + σ ε; the rows keep ∇f
            gx, gy = gx + kicks[t][0], gy + kicks[t][1]
        dx, sx = update(gx, sx, rate)
        dy, sy = update(gy, sy, rate)
        x, y = x + dx, y + dy
        f, gx, gy = surface.pointwise(x, y)
        rows.append((x, y, f, gx, gy))
    return rows


def race_paths(
    surface: str,
    runs: Sequence[tuple[str, float, Mapping[str, float]]],
    start,
    steps: int,
    schedule: str = "constant",
    decay_rate: float = 0.0,
    noise: float = 0.0,
    seed: int = 0,
) -> list[Path]:
    """Each ``(optimizer, learning_rate, hyperparameters)`` from the same start: one Path each.

    Each run steps on Python floats (:func:`_walk_floats`) and equals :func:`descend` of its optimizer
    alone, bit for bit; every optimizer sees the same gradient noise. Caps: ``steps`` ≤ MAX_STEPS,
    at most MAX_RUNS runs.
    """
    if not runs:
        return []
    s = get_surface(surface)
    optimizers = [make_optimizer(name, **hyper) for name, _, hyper in runs]
    starts, steps, rates, noise = _checked(s, [start] * len(runs), steps, [lr for _, lr, _ in runs], schedule,
                                           decay_rate, noise)
    # the noise as _walk draws it
    kicks = (noise * np.random.default_rng(seed).standard_normal((steps, 2))).tolist() if noise else None
    with np.errstate(all="ignore"):
        rows = np.array([_walk_floats(s, opt, tuple(starts[b].tolist()), rates[:-1, b].tolist(), kicks)
                         for b, opt in enumerate(optimizers)]).transpose(1, 0, 2)  # (T + 1, B, 5)
    traj = _trajectories(s, rows[..., :2], rows[..., 2], rows[..., 3:], rates)
    return [_path(name, traj, b) for b, (name, _, _) in enumerate(runs)]


def paths_table(paths: Sequence[Path]) -> pd.DataFrame:
    """The tidy table of some Paths: columns COLUMNS, one row per optimizer and step, the paths one after another."""
    if not paths:
        return pd.DataFrame(columns=COLUMNS)
    table = {"optimizer": np.repeat([p.optimizer for p in paths], [len(p.step) for p in paths])}
    table |= {column: np.concatenate([getattr(p, column) for p in paths]) for column in COLUMNS[1:]}
    return pd.DataFrame(table, columns=COLUMNS)


def race(surface: str, runs: Sequence[tuple[str, float, Mapping[str, float]]], start, steps: int,
         **options) -> pd.DataFrame:
    """Each ``(optimizer, learning_rate, hyperparameters)`` from the same start: a tidy table.

    One row per optimizer and step, from step 0 (the start) up to the step before it diverged:
    ``paths_table(race_paths(...))``; ``options`` are schedule, decay_rate, noise and seed.
    """
    return paths_table(race_paths(surface, runs, start, steps, **options))


def run(surface: str, optimizer: str, start, steps: int, learning_rate: float, **options) -> pd.DataFrame:
    """One optimizer's path as a tidy table; ``options`` are schedule, decay_rate, noise, seed and hyperparameters."""
    common = {k: options.pop(k) for k in ("schedule", "decay_rate", "noise", "seed") if k in options}
    return race(surface, [(optimizer, learning_rate, options)], start, steps, **common)


def diverged_steps(paths: Sequence[Path] | pd.DataFrame, steps: int | None = None) -> dict[str, int]:
    """The step at which each optimizer diverged (those that did), from its Path's ``diverged_at``.

    A race table (:func:`race`) has no such column: give its ``steps``; a run whose last row is
    step t < steps diverged at t + 1.
    """
    if isinstance(paths, pd.DataFrame):
        steps = check_steps(steps)
        last = paths.groupby("optimizer", sort=False)["step"].max()
        return {name: int(s) + 1 for name, s in last.items() if s < steps}
    return {p.optimizer: p.diverged_at for p in paths if p.diverged_at is not None}


def summary(paths: Sequence[Path], surface: str, *, tolerance: float = 1e-3) -> dict[str, list]:
    """Per optimizer, as columns: final loss f(W_T), distance ‖W_T − W*‖ to the nearest minimum W*, the first
    step t with f(W_t) < tolerance, and the step it diverged at (NaN where there is none; a diverged run
    has no final loss or distance)."""
    s = get_surface(surface)
    gone = [p.diverged_at is not None for p in paths]
    reached = [np.flatnonzero(p.loss < tolerance)[:1] for p in paths]
    return {
        "optimizer": [p.optimizer for p in paths],
        "final loss": [np.nan if g else float(p.loss[-1]) for p, g in zip(paths, gone)],
        "distance to minimum": [np.nan if g or not s.minima else float(s.distance_to_minimum([p.x[-1], p.y[-1]]))
                                for p, g in zip(paths, gone)],
        f"steps to loss < {tolerance:g}": [int(r[0]) if r.size else np.nan for r in reached],
        "diverged at step": [p.diverged_at if g else np.nan for p, g in zip(paths, gone)],
    }


def summarize(paths: Sequence[Path], surface: str, *, tolerance: float = 1e-3) -> pd.DataFrame:
    """:func:`summary` as a table, one row per optimizer."""
    return pd.DataFrame(summary(paths, surface, tolerance=tolerance))


def sweep(
    surface: str,
    optimizer: str,
    learning_rates,
    start,
    steps: int,
    schedule: str = "constant",
    decay_rate: float = 0.0,
    noise: float = 0.0,
    seed: int = 0,
    **hyperparameters,
) -> pd.DataFrame:
    """Final loss against the learning rate, all rates run in one vectorised call."""
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {optimizer!r}; choose one of {', '.join(OPTIMIZERS)}")
    lrs = _check_learning_rates(np.atleast_1d(learning_rates))
    starts = np.broadcast_to(np.asarray(start, dtype=float), (lrs.size, 2))
    _, loss, diverged_at = run_ends(
        get_surface(surface), make_optimizer(optimizer, **hyperparameters), starts, steps, lrs, schedule, decay_rate,
        noise, seed
    )
    return pd.DataFrame(
        {"optimizer": optimizer, "learning_rate": lrs, "final_loss": loss,
         "diverged_at": np.where(diverged_at >= 0, diverged_at, np.nan)}
    )


def grid_paths(
    surface: str,
    optimizer: str,
    learning_rates,
    start,
    steps: int,
    schedule: str = "constant",
    decay_rate: float = 0.0,
    noise: float = 0.0,
    seed: int = 0,
    **grids,
) -> Trajectories:
    """Every combination of a learning rate and the hyperparameter values in ``grids`` (e.g. ``momentum=[0, 0.5,
    0.9]``), run from one start in ONE vectorised :func:`descend` call.

    Run b = (i₁, …, iₖ, a) in C order over the grids as given, then the rates: with one grid of G values and
    A rates the trajectories' run axis reshapes to (G, A). Each run equals :func:`descend` of its settings alone.
    """
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {optimizer!r}; choose one of {', '.join(OPTIMIZERS)}")
    lrs = _check_learning_rates(np.atleast_1d(learning_rates)).ravel()
    values = [np.atleast_1d(np.asarray(v, dtype=float)).ravel() for v in grids.values()]
    mesh = np.meshgrid(*values, lrs, indexing="ij")
    hyper = {name: m.ravel() for name, m in zip(grids, mesh[:-1])}
    starts = np.broadcast_to(np.asarray(start, dtype=float), (mesh[-1].size, 2))
    return descend(get_surface(surface), make_optimizer(optimizer, **hyper), starts, steps, mesh[-1].ravel(),
                   schedule, decay_rate, noise, seed)
