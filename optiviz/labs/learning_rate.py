"""The learning-rate lab: Figure 11's rates, the learning-rate range test, and reading a run's late loss.

Every run is mini-batch gradient descent on the two-weight model (:mod:`optiviz.labs.batch_size`), with
α in multiples of 1/L, L = λ_max(∇²L(w*)) the steepest curvature at the minimum.
"""

from __future__ import annotations

from typing import NamedTuple, Sequence

import numpy as np
import pandas as pd

from optiviz.core.checks import check_int
from optiviz.core.linear_models import Problem
from optiviz.labs.batch_size import curvature, descend_in_batches, diverged

LATE = 5  # Figure 11's runs and the long range test are read as the mean loss over the last five epoch ends
RATE_MULTIPLES = {"very high": 2.5, "high": 1.0, "good": 0.1, "low": 0.005}  # α × L, with L = curvature(problem)
RANGE_MULTIPLES = 10.0 ** np.linspace(-4, np.log10(20), 41)  # α × L: the learning-rate range test's rates


def lecture_rates(problem: Problem) -> dict[str, float]:
    """The four rates of the lecture's Figure 11, α = m / L for m in RATE_MULTIPLES (very high is past 2/L)."""
    L = curvature(problem)
    return {label: m / L for label, m in RATE_MULTIPLES.items()}


class RangeTest(NamedTuple):
    """The loss after a run of a few epochs against the learning rate."""

    table: pd.DataFrame  # learning_rate, loss (NaN where diverged), diverged
    start_loss: float  # L(W⁰)
    best: float  # the rate with the lowest loss
    blow_up: float  # the smallest rate above ``best`` that ends above L(W⁰) or diverges; NaN if none
    epochs: int = 1  # the length of each run
    last: int = 1  # the loss is the mean of L at the ends of the last ``last`` epochs


def range_test(problem: Problem, batch_size: int, learning_rates, epochs: int, start=(0.0, 0.0),
               optimizer: str = "sgd", hyperparameters: Sequence[tuple[str, float]] = (), shuffle: bool = True,
               seed: int = 0, last: int = 1) -> RangeTest:
    """A learning-rate range test: every rate of ``learning_rates`` run for ``epochs`` epochs in one batched call.

    Each rate's loss is the mean of L(Wᵗ) at the ends of its last min(``last``, epochs) epochs (``late_loss``
    with last = 5 reads Figure 11's curves the same way); a run that diverged has none.
    """
    rates = np.sort(np.array(learning_rates, dtype=float, ndmin=1))
    last = min(check_int("last", last, low=1), check_int("epochs", epochs, low=1))
    runs = descend_in_batches(problem, batch_size, rates, epochs, start, optimizer, hyperparameters, shuffle=shuffle,
                              seed=seed, record="epochs")
    ends = runs.loss[::runs.steps_per_epoch][-last:]  # (last, R): L at the ends of the last epochs
    final, diverged = ends.mean(axis=0), runs.diverged_at >= 0
    best = float(rates[np.nanargmin(np.where(diverged, np.inf, final))]) if not diverged.all() else float("nan")
    worse = (diverged | (final > runs.loss[0])) & ~(rates <= best)  # every rate when all diverged
    blow_up = float(rates[worse.argmax()]) if worse.any() else float("nan")
    frame = pd.DataFrame({"learning_rate": rates, "loss": final, "diverged": diverged})
    return RangeTest(frame, float(runs.loss[0, 0]), best, blow_up, epochs, last)


def range_table(long: RangeTest, short: RangeTest | None = None) -> pd.DataFrame:
    """The range test's loss per α after ``long.epochs`` epochs, and after ``short.epochs`` when there is a short
    one."""
    table = long.table.rename(columns={"loss": f"loss after {long.epochs} epochs"})
    if short is not None:
        table[f"loss after {short.epochs} epochs"] = short.table["loss"].to_numpy()
    return table


def late_loss(frame: pd.DataFrame, epochs: int, last: int = LATE) -> pd.Series:
    """Each run's mean loss at the ends of its last ``last`` epochs (of ``epochs``); NaN for a run that diverged."""
    ends = frame[np.isclose(frame["epoch"], np.round(frame["epoch"])) & (frame["epoch"] > max(epochs - last, 0))]
    late = ends.groupby("run", sort=False)["loss"].mean().reindex(frame["run"].unique())
    return late.where(~late.index.isin(list(diverged(frame, epochs))))
