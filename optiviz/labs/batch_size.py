"""Mini-batch gradient descent on a two-weight model (optiviz.core.linear_models), many runs at once.

Each step t takes the next mini-batch I_t of the epoch's order and moves every run:

    g^t = 1/|I_t| Σ_{i ∈ I_t} ∇L_i(W^t),    W^{t+1} = W^t + ΔW(g^t, α_t)   (plain SGD: ΔW = −α_t g^t)

B = N is standard (batch) gradient descent, B = 1 stochastic gradient descent.

An epoch is ⌈N/B⌉ steps over non-overlapping batches that together hold every sample once:
when B does not divide N the last batch of the epoch is the smaller remainder (never dropped,
as ``optiviz.nn.training.batch_bounds`` does), so N/B steps make one epoch exactly when B
divides N. With shuffling on, each epoch draws a fresh permutation (the seed's "shuffle"
stream, as the training lab); with it off every epoch takes the samples in their stored order.

The runs of one call differ only in their settings (learning rate, schedule, decay rate,
start) and see the same batches, so a batched call equals its runs looped. The full-data
loss L(W^t) is recorded at every step, after the loop, in one vectorised pass.
"""

from __future__ import annotations

from typing import NamedTuple, Sequence

import numpy as np
import pandas as pd

from optiviz.core.checks import check_int, check_number, check_table
from optiviz.core.linear_models import Problem, check_model, loss_and_grad, loss_only, make_problem, optimum, residual
from optiviz.nn.training import batch_bounds, stream
from optiviz.core.optimizers import OPTIMIZERS, make_optimizer
from optiviz.core.schedules import SCHEDULES
from optiviz.core.schedules import learning_rate as scheduled

MAX_EPOCHS = 1_000
MAX_STEPS = 20_000  # steps per run (epochs × ⌈N/B⌉)
MAX_RUNS = 256  # runs in one batched call
MAX_WORK = 50_000_000  # steps × runs × samples: the full-data loss recorded at every step
MAX_WEIGHT = 1e6  # a run whose |w| passes this, or whose loss overflows, has diverged
COLUMNS = ["run", "step", "epoch", "gradient_evaluations", "w1", "w2", "loss", "learning_rate"]

# The batch-size and learning-rate labs' experiment (pages/batch_size.py, pages/learning_rate.py)
LabData = tuple[str, int, int, float, float]  # (model, samples N, data seed, input correlation ρ, noise σ)
START = (-1.0, 2.0)  # W⁰ of every run of the labs: up the long valley from the minimum
FALLBACK_NOISE = 0.5  # the noise σ the labs use instead when the classes are separable (no finite minimum)


class Runs(NamedTuple):
    """R runs of T steps with batch size B. Rows from a run's divergence on are NaN."""

    batch_size: int
    steps_per_epoch: int  # ⌈N/B⌉
    step: np.ndarray  # (T + 1,) 0 … T
    epoch: np.ndarray  # (T + 1,) t / ⌈N/B⌉: whole numbers at the end of each epoch
    evaluations: np.ndarray  # (T + 1,) per-sample gradients computed so far (samples seen)
    weights: np.ndarray  # (T + 1, R, 2)
    loss: np.ndarray  # (T + 1, R) full-data loss L(W^t)
    learning_rate: np.ndarray  # (T + 1, R) α_t, used for the step from t to t + 1
    diverged_at: np.ndarray  # (R,) first step with |w| > MAX_WEIGHT or a non-finite loss; −1 if none


def steps_per_epoch(samples: int, batch_size: int) -> int:
    """⌈N/B⌉ steps make one epoch."""
    return len(batch_bounds(samples, batch_size))


def max_epochs(samples: int, batch_size: int, runs: int = 1) -> int:
    """The most epochs ``descend_in_batches`` accepts for this N, B and number of runs (0 when one epoch is too
    much work)."""
    steps = steps_per_epoch(samples, batch_size)
    return min(MAX_EPOCHS, MAX_STEPS // steps, MAX_WORK // (steps * runs * samples))


def epoch_orders(samples: int, epochs: int, shuffle: bool, seed: int) -> np.ndarray:
    """(E, N) sample order of each epoch: a fresh permutation per epoch, or 0 … N−1 every epoch without shuffling."""
    if shuffle:
        return np.stack([stream(seed, "shuffle", e).permutation(samples) for e in range(1, epochs + 1)])
    return np.broadcast_to(np.arange(samples), (epochs, samples))


def _per_run(name: str, value, runs: int, low: float, low_open: bool) -> np.ndarray:
    """``value`` (one number or one per run) as R checked floats; ValueError naming ``name`` otherwise."""
    try:
        values = np.array(value, dtype=float, ndmin=1)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number or one number per run, got {value!r}") from None
    if values.ndim != 1 or len(values) not in (1, runs):
        raise ValueError(f"{name} must be a number or {runs} numbers (one per run), got shape {values.shape}")
    for v in values:
        check_number(name, float(v), low=low, low_open=low_open)
    return np.broadcast_to(values, (runs,))


def _runs(learning_rate, schedule, decay_rate, start) -> int:
    """R: the longest of the per-run arguments (the others hold one value or R)."""
    sizes = [np.size(learning_rate), np.size(decay_rate), 1 if isinstance(schedule, str) else len(schedule)]
    sizes.append(np.size(start) // 2)
    return max(sizes)


def _check_start(start, runs: int) -> np.ndarray:
    try:
        table = np.reshape(np.asarray(start, dtype=float), (-1, 2))
    except (TypeError, ValueError):
        raise ValueError(f"start must be a (w1, w2) pair or one per run, got {start!r}") from None
    table = check_table("start", table, width=2)
    if len(table) not in (1, runs) or np.abs(table).max() > MAX_WEIGHT:
        raise ValueError(f"start must be one (w1, w2) pair or {runs}, each |w| ≤ {MAX_WEIGHT:g}, got {start!r}")
    return np.broadcast_to(table, (runs, 2)).copy()


def _rate_table(schedule, lr0: np.ndarray, decay_rate: np.ndarray, steps: int) -> np.ndarray:
    """(T + 1, R) α_t of each run's schedule."""
    names = [schedule] * len(lr0) if isinstance(schedule, str) else list(schedule)
    if len(names) != len(lr0) or any(n not in SCHEDULES for n in names):
        raise ValueError(f"schedule must be one of {', '.join(SCHEDULES)} or one such name per run, got {schedule!r}")
    t = np.arange(steps + 1, dtype=float)
    return np.stack([scheduled(n, a, k, t) for n, a, k in zip(names, lr0, decay_rate)], axis=1)


def batch_gradient(model: str, W: np.ndarray, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """g = 1/|I| Σᵢ ∇Lᵢ(W) = 1/|I| (ŷ − y) X for R runs W (R, 2) on one batch X (|I|, 2), y (|I|,).

    The gradient of linear_models.loss_and_grad without its loss, as two 2-D matrix products:
    about twice as fast, and this is the inner loop.
    """
    return np.dot(residual(model, np.dot(W, X.T), y), X) * (1.0 / len(X))


def full_loss(problem: Problem, weights: np.ndarray) -> np.ndarray:
    """L(W) on all N samples for weights (..., 2) (``linear_models.loss_only``: no gradient, no batched matmul)."""
    with np.errstate(all="ignore"):
        return loss_only(problem.model, weights, problem.X, problem.y)


def descend_in_batches(problem: Problem, batch_size: int, learning_rate, epochs: int, start=(0.0, 0.0),
                       optimizer: str = "sgd", hyperparameters: Sequence[tuple[str, float]] = (),
                       schedule="constant", decay_rate=0.0, shuffle: bool = True, seed: int = 0,
                       record: str = "steps") -> Runs:
    """R runs of mini-batch gradient descent on the same batches: g^t = 1/|I_t| Σ_{i∈I_t} ∇L_i(W^t),
    W^{t+1} = W^t + ΔW(g^t, α_t).

    ``learning_rate`` (α₀ > 0), ``schedule`` (a name of optiviz.core.schedules.SCHEDULES), ``decay_rate``
    (k ≥ 0) and ``start`` hold one value or one per run; α_t counts t in steps. ``optimizer`` is a
    name of optiviz.core.optimizers.OPTIMIZERS with ``hyperparameters`` as (name, value) pairs.
    Caps: epochs ≤ MAX_EPOCHS, epochs × ⌈N/B⌉ ≤ MAX_STEPS, runs ≤ MAX_RUNS and
    steps × runs × N ≤ MAX_WORK (``max_epochs`` gives the most epochs allowed). With ``record="epochs"``
    the full-data loss is computed only at the start and the end of each epoch (NaN at the other steps),
    ⌈N/B⌉ times less work; a run still diverges at the first step whose |w| passes MAX_WEIGHT.
    """
    if record not in ("steps", "epochs"):
        raise ValueError(f"record must be 'steps' or 'epochs', got {record!r}")
    if not isinstance(problem, Problem):
        raise ValueError(f"problem must be a linear_models.Problem, got {type(problem).__name__}")
    check_model(problem.model)
    samples = len(problem.X)
    batch_size = check_int("batch_size", batch_size, low=1, high=samples)
    epochs = check_int("epochs", epochs, low=1, high=MAX_EPOCHS)
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {', '.join(OPTIMIZERS)}, got {optimizer!r}")
    opt = make_optimizer(optimizer, **dict(hyperparameters))
    if not isinstance(shuffle, (bool, np.bool_)):
        raise ValueError(f"shuffle must be True or False, got {shuffle!r}")
    seed = check_int("seed", seed, low=0)
    runs = _runs(learning_rate, schedule, decay_rate, start)
    if runs > MAX_RUNS:
        raise ValueError(f"learning_rate, schedule, decay_rate and start give {runs} runs; at most {MAX_RUNS} at once")
    lr0 = _per_run("learning_rate", learning_rate, runs, 0.0, True)
    k = _per_run("decay_rate", decay_rate, runs, 0.0, False)
    W = _check_start(start, runs)
    per_epoch = steps_per_epoch(samples, batch_size)
    allowed = max_epochs(samples, batch_size, runs)
    if epochs > allowed:
        raise ValueError(f"epochs must be ≤ {allowed} for N = {samples}, B = {batch_size} and {runs} runs "
                         f"(caps: {MAX_STEPS} steps, {MAX_WORK:g} loss evaluations), got {epochs}")
    steps = epochs * per_epoch
    rates = _rate_table(schedule, lr0, k, steps)
    bounds = batch_bounds(samples, batch_size)

    weights = np.empty((steps + 1, runs, 2))
    weights[0] = W
    state, update = opt.init(W), opt.update_in_place or opt.update  # the loop owns its optimizer state
    t = 0
    with np.errstate(all="ignore"):  # a run blowing up is a lesson here, not an error
        for order in epoch_orders(samples, epochs, bool(shuffle), seed):
            Xe, ye = problem.X[order], problem.y[order]
            for a, b in bounds:
                delta, state = update(batch_gradient(problem.model, W, Xe[a:b], ye[a:b]), state, rates[t])
                W = W + delta
                t += 1
                weights[t] = W
    recorded = np.zeros(steps + 1, dtype=bool)
    recorded[::per_epoch if record == "epochs" else 1] = True
    loss = np.full((steps + 1, runs), np.nan)
    loss[recorded] = full_loss(problem, weights[recorded])
    bad = (~np.isfinite(loss) & recorded[:, None]) | ~(np.abs(weights).max(axis=-1) <= MAX_WEIGHT)
    diverged_at = np.where(bad.any(axis=0), bad.argmax(axis=0), -1)
    for r in np.flatnonzero(diverged_at >= 0):
        weights[diverged_at[r]:, r] = np.nan
        loss[diverged_at[r]:, r] = np.nan
    sizes = np.array([b - a for a, b in bounds])
    evaluations = np.concatenate([[0], np.cumsum(np.tile(sizes, epochs))])
    step = np.arange(steps + 1)
    return Runs(batch_size, per_epoch, step, step / per_epoch, evaluations, weights, loss, rates, diverged_at)


def table(runs: Runs, labels: Sequence[str]) -> pd.DataFrame:
    """A tidy table, one row per run and step (up to the step before the run diverged)."""
    if len(labels) != runs.weights.shape[1]:
        raise ValueError(f"labels must name each of the {runs.weights.shape[1]} runs, got {len(labels)}")
    frames = []
    for r, label in enumerate(labels):
        end = runs.diverged_at[r] if runs.diverged_at[r] >= 0 else len(runs.step)
        frames.append(pd.DataFrame({
            "run": label, "step": runs.step[:end], "epoch": runs.epoch[:end],
            "gradient_evaluations": runs.evaluations[:end], "w1": runs.weights[:end, r, 0],
            "w2": runs.weights[:end, r, 1], "loss": runs.loss[:end, r], "learning_rate": runs.learning_rate[:end, r],
        }, columns=COLUMNS))
    return pd.concat(frames, ignore_index=True)


def lab_problem(data: LabData) -> Problem:
    """The labs' seeded two-weight problem: N samples, inputs of correlation ρ, targets with noise σ
    (``make_problem``)."""
    model, samples, seed, correlation, noise = data
    return make_problem(model, samples, seed, correlation=correlation, noise=noise)


def labelled_runs(problem: Problem, batch_size: int, labels: Sequence[str], learning_rates, epochs: int,
                  start=START, optimizer: str = "sgd", hyperparameters: Sequence[tuple[str, float]] = (),
                  schedule="constant", decay_rate=0.0, shuffle: bool = True, seed: int = 0) -> pd.DataFrame:
    """Several labelled runs on the same batches in one batched :func:`descend_in_batches` call: the tidy :func:`table`.

    ``learning_rates``, ``schedule`` and ``decay_rate`` hold one value or one per label
    (see :func:`descend_in_batches`).
    """
    runs = descend_in_batches(problem, batch_size, np.array(learning_rates, dtype=float), epochs, start, optimizer,
                              hyperparameters, schedule, decay_rate, shuffle, seed)
    return table(runs, labels)


def diverged(frame: pd.DataFrame, epochs: int) -> dict[str, int]:
    """The runs of a ``table`` that stop before ``epochs``, each with the step at which it diverged."""
    last = frame.groupby("run", sort=False)[["epoch", "step"]].max()
    return {run: int(row.step) + 1 for run, row in last.iterrows() if row.epoch < epochs}


def curvature(problem: Problem) -> float:
    """L = λ_max(∇²L(w*)), the steepest curvature at the minimum: ∇²L = XᵀX/N (linear), XᵀDX/N with D = σ'(x·w*)
    (logistic).

    Near w* full-batch gradient descent converges for α < 2/L and moves away from w* above it.
    """
    X = problem.X
    if problem.model == "linear":
        hessian = X.T @ X / len(X)
    else:
        p = np.exp(-np.logaddexp(0.0, -(X @ minimum(problem)[0])))
        hessian = (X * (p * (1 - p))[:, None]).T @ X / len(X)
    return float(np.linalg.eigvalsh(hessian)[-1])


def minimum(problem: Problem, max_norm: float = 100.0) -> tuple[np.ndarray, float]:
    """(w*, L(w*)); ValueError naming ``noise`` when the classes are separable (no finite minimum)."""
    w = optimum(problem)
    loss, grad = loss_and_grad(problem.model, w, problem.X, problem.y)
    if not (np.all(np.isfinite(w)) and np.linalg.norm(w) <= max_norm and np.abs(grad).max() < 1e-6):
        raise ValueError("noise is too small: the two classes are separable, so the cross-entropy has no finite "
                         "minimum (it keeps falling as |w| grows)")
    return w, float(loss)


def compare_batch_sizes(problem: Problem, batch_sizes: dict[str, int], learning_rate: float, epochs: int,
                        start=(0.0, 0.0), optimizer: str = "sgd", hyperparameters: Sequence[tuple[str, float]] = (),
                        shuffle: bool = True, seed: int = 0) -> pd.DataFrame:
    """One run per labelled batch size B from the same start, all for ``epochs`` epochs of ⌈N/B⌉ steps: a tidy table.

    The runs see each epoch's samples in the same order (the seed's permutation), cut into batches of their own size.
    """
    if not batch_sizes or len(batch_sizes) > 8:
        raise ValueError(f"batch_sizes must label 1 to 8 batch sizes, got {len(batch_sizes)}")
    return pd.concat([table(descend_in_batches(problem, b, learning_rate, epochs, start, optimizer, hyperparameters,
                                               shuffle=shuffle, seed=seed), [label])
                      for label, b in batch_sizes.items()],
                     ignore_index=True)
