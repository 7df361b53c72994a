"""Optimizers on surfaces: many runs in one vectorised loop, returned as tidy tables."""

from __future__ import annotations

from typing import Mapping, NamedTuple, Sequence

import numpy as np
import pandas as pd

from optiviz.checks import check_int, check_number
from optiviz.optimizers import OPTIMIZERS, Optimizer, make_optimizer
from optiviz.schedules import learning_rate as scheduled
from optiviz.surfaces import Surface, get_surface

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
    A run diverges at the first step whose point is not finite or leaves the box; it stops there.
    """
    starts = np.array(starts, dtype=float, ndmin=2)
    if starts.ndim != 2 or starts.shape[1] != 2 or not np.all(np.isfinite(starts)):
        raise ValueError(f"start points must be finite (x, y) pairs, got {starts.tolist()!r}")
    if not surface.inside(starts).all():
        raise ValueError(f"start points must lie inside the {surface.name} box around the view, got {starts.tolist()!r}")
    batch = starts.shape[0]
    if batch > MAX_RUNS:
        raise ValueError(f"at most {MAX_RUNS} runs at once, got {batch}")
    steps = check_steps(steps)
    noise = check_number("noise", noise, low=0.0)
    lr0 = np.broadcast_to(_check_learning_rates(learning_rate), (batch,))
    rates = scheduled(schedule, lr0, decay_rate, np.arange(steps + 1)[:, None])  # (T + 1, B)
    rng = np.random.default_rng(seed)

    points = np.full((steps + 1, batch, 2), np.nan)
    loss = np.full((steps + 1, batch), np.nan)
    grad_norm = np.full((steps + 1, batch), np.nan)
    diverged_at = np.full(batch, -1)
    active = np.ones(batch, dtype=bool)

    with np.errstate(all="ignore"):
        w = starts.copy()
        f, g = surface.value_and_grad(w)
        state = optimizer.init(w)
        points[0], loss[0], grad_norm[0] = w, f, _norm(g)
        for t in range(steps):
            g_seen = g + noise * rng.standard_normal(2) if noise else g
            delta, state = optimizer.update(g_seen, state, rates[t])
            w_new = w + delta
            f_new, g_new = surface.value_and_grad(w_new)
            if not (surface.inside(w_new).all() and np.isfinite(f_new).all()):  # rare: a run diverged
                ok = surface.inside(w_new) & np.isfinite(f_new)
                diverged_at[active & ~ok] = t + 1
                active &= ok
                keep = ~active[:, None]
                w_new = np.where(keep, w, w_new)
                f_new = np.where(active, f_new, f)
                g_new = np.where(keep, 0.0, g_new)
            w, f, g = w_new, f_new, g_new
            points[t + 1], loss[t + 1], grad_norm[t + 1] = w, f, _norm(g)
        for b in np.flatnonzero(diverged_at >= 0):
            points[diverged_at[b] :, b] = np.nan
            loss[diverged_at[b] :, b] = np.nan
            grad_norm[diverged_at[b] :, b] = np.nan
    return Trajectories(points, loss, grad_norm, rates, diverged_at)


def _trajectory_frame(name: str, traj: Trajectories, b: int) -> pd.DataFrame:
    end = traj.diverged_at[b] if traj.diverged_at[b] >= 0 else len(traj.loss)
    return pd.DataFrame(
        {
            "optimizer": name,
            "step": np.arange(end),
            "x": traj.points[:end, b, 0],
            "y": traj.points[:end, b, 1],
            "loss": traj.loss[:end, b],
            "grad_norm": traj.grad_norm[:end, b],
            "learning_rate": traj.learning_rate[:end, b],
        },
        columns=COLUMNS,
    )


def race(
    surface: str,
    runs: Sequence[tuple[str, float, Mapping[str, float]]],
    start,
    steps: int,
    schedule: str = "constant",
    decay_rate: float = 0.0,
    noise: float = 0.0,
    seed: int = 0,
) -> pd.DataFrame:
    """Each ``(optimizer, learning_rate, hyperparameters)`` from the same start: a tidy table.

    One row per optimizer and step, from step 0 (the start) up to the step before it
    diverged. Every optimizer sees the same gradient noise.
    """
    s = get_surface(surface)
    frames = [
        _trajectory_frame(name, descend(s, make_optimizer(name, **hyper), [start], steps, lr, schedule, decay_rate, noise, seed), 0)
        for name, lr, hyper in runs
    ]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COLUMNS)


def run(surface: str, optimizer: str, start, steps: int, learning_rate: float, **options) -> pd.DataFrame:
    """One optimizer's path as a tidy table; ``options`` are schedule, decay_rate, noise, seed and hyperparameters."""
    common = {k: options.pop(k) for k in ("schedule", "decay_rate", "noise", "seed") if k in options}
    return race(surface, [(optimizer, learning_rate, options)], start, steps, **common)


def diverged_steps(paths: pd.DataFrame, steps: int) -> dict[str, int]:
    """The step at which each optimizer in a race table diverged (those that did)."""
    last = paths.groupby("optimizer", sort=False)["step"].max()
    return {name: int(s) + 1 for name, s in last.items() if s < steps}


def summarize(paths: pd.DataFrame, surface: str, steps: int, tolerance: float = 1e-3) -> pd.DataFrame:
    """Per optimizer: final loss, distance to the minimum, first step with loss < tolerance, diverged-at step."""
    s = get_surface(surface)
    diverged = diverged_steps(paths, steps)
    rows = []
    for name, group in paths.groupby("optimizer", sort=False):
        last = group.iloc[-1]
        below = group.loc[group["loss"] < tolerance, "step"]
        rows.append(
            {
                "optimizer": name,
                "final loss": np.nan if name in diverged else last["loss"],
                "distance to minimum": np.nan if name in diverged or not s.minima else float(s.distance_to_minimum([last["x"], last["y"]])),
                f"steps to loss < {tolerance:g}": int(below.iloc[0]) if len(below) else None,
                "diverged at step": diverged.get(name),
            }
        )
    return pd.DataFrame(rows)


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
    traj = descend(
        get_surface(surface), make_optimizer(optimizer, **hyperparameters), starts, steps, lrs, schedule, decay_rate, noise, seed
    )
    return pd.DataFrame(
        {
            "optimizer": optimizer,
            "learning_rate": lrs,
            "final_loss": traj.loss[-1],
            "diverged_at": np.where(traj.diverged_at >= 0, traj.diverged_at, np.nan),
        }
    )
