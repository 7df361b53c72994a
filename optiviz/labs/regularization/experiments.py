"""The regularization lab's experiments: plain functions of plain settings (``optiviz.ui`` caches them).

Every comparison trains the same network on the same data with the same seed, so its runs differ
only in the regularizer; one seed's runs give the pictures (boundaries, weights, dropout masks),
and :func:`optiviz.nn.seeds.train_seeds` repeats each run over many seeds for the curves' median,
10–90% band and counts ("dropout ends lower in k of S seeds").

``progress(text, done, total)`` (optional) is called as the epochs go by.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import pandas as pd

from optiviz.labs.regularization import penalty_paths as pp
from optiviz.core.checks import check_number
from optiviz.core.datasets import Split, apply, make_dataset
from optiviz.nn import MLP, regularizers
from optiviz.nn.records import TrainingResult
from optiviz.nn.seeds import SeedCurves, count_below, final_values, train_seeds
from optiviz.nn.training import OptimizerSetting, train

LAMBDA_COUNT = 90  # λ values on the path grid
LAMBDA_SPAN = (-3.0, 1.5)  # the grid runs from 10^-3 λ_max to 10^1.5 λ_max
MASKS = 300  # dropout masks averaged in the test-time scaling check
DROPPED_MASKS = 4  # masks averaged per epoch for the training loss with units dropped
SHOWN_STEPS = 40  # training steps drawn on the dropout diagram

# The dropout case, built to overfit: few noisy training points, many validation points, a wide network,
# full-batch Adam for many epochs. Without dropout the validation loss climbs while the training loss falls.
# Chosen so that both claims hold for most data draws, not only seed 0's (see DROPOUT_CHECK): on noisy moons
# (σ = 0.3, Adam α = 0.02, p = ½) dropout won in 81 of 100 runs over data seeds 0–9, and the validation loss
# lay below the dropped training loss in ≥ 75% of the epochs on only 2 of the 10 draws.
DROPOUT_DATA = ("xor", 60, 200, 0.25)  # dataset, training points, validation points, noise
DROPOUT_RATE = 0.04  # Adam's α
DROPOUT_P, DROPOUT_WIDTH, DROPOUT_EPOCHS = 0.7, 32, 60  # the tab's defaults: drop probability, units, epochs
NOTE_FROM = 10  # the note's share counts epochs NOTE_FROM … E (the first epochs, all losses high, say nothing)

AUGMENT_RATE, AUGMENT_BATCH = 0.04, 20  # Adam's α and the batch size of the augmentation runs
SEEDS = 10  # seeds of every comparison by default
NET_DATA = ("moons", 120, 0.3, 2, 0.5)  # the penalties' and early stopping's data: dataset, samples, noise, classes,
# validation fraction (the seed is a control)
PENALTY_RATE = 0.1  # Adam's α for the penalized networks (full batch)
AUG_VAL_POINTS = 200  # validation points of the augmentation tab: many, so its curve is the true generalization
AUG_EPOCHS = 30  # epochs of the augmentation tab by default

Progress = Callable[[str, int, int], None] | None
Run = tuple[str, MLP, tuple[tuple[str, object], ...]]  # (label, network, settings of this run only)
FewPoints = tuple[str, int, int, float]  # (dataset, training points, validation points, noise), as DROPOUT_DATA


def _generator(seed: int, part: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(part,)))


def few_points(name: str, train_points: int, val_points: int, noise: float, seed: int) -> Split:
    """A few training points and many validation points of one toy dataset, drawn independently."""
    X, y = make_dataset(name, train_points, noise, _generator(seed, 0))
    Xv, yv = make_dataset(name, val_points, noise, _generator(seed, 1))
    return Split(X, y, Xv, yv)


def seeds_of(seed: int, count: int) -> tuple[int, ...]:
    """The training seeds of a comparison: the tab's seed and the ``count`` − 1 after it."""
    return tuple(range(seed, seed + count))


# ---- weight penalties ---------------------------------------------------------------------------------


def weight_paths(samples: int, features: int, correlation: float, noise: float, seed: int,
                 mix: float) -> tuple[pd.DataFrame, float, np.ndarray]:
    """(paths table, λ_max, true weights): L1, L2 and elastic net on one λ grid, λ = λ_max · 10^[-3, 1.5]."""
    X, y, w_true = pp.make_regression(samples, features, correlation, noise, seed)
    top = pp.lambda_max(X, y)
    lambdas = top * np.logspace(*LAMBDA_SPAN, LAMBDA_COUNT)
    return pp.penalty_paths(X, y, lambdas, mix), top, w_true


def train_runs(split: Split, runs: tuple[Run, ...], optimizer: str, progress: Progress = None,
               **common) -> tuple[TrainingResult, ...]:
    """One ``train`` per run, all with the same seed and common settings: they differ only in their own settings."""
    epochs = common["epochs"]
    total = epochs * len(runs)
    results = []
    for i, (label, net, own) in enumerate(runs):
        report = None
        if progress is not None:
            def report(epoch, _epochs, offset=i * epochs, label=label):
                progress(f"{label}: epoch {epoch} of {epochs}", offset + epoch, total)
        results.append(train(net, split, OptimizerSetting(optimizer, label=label), progress=report,
                             **common, **dict(own)))
    return tuple(results)


def seed_runs(split: Split, runs: tuple[Run, ...], optimizer: str, seeds: tuple[int, ...],
              progress: Progress = None, **common) -> tuple[SeedCurves, ...]:
    """Each run over every seed in ``seeds`` (:func:`optiviz.nn.seeds.train_seeds`): the same seeds for every run."""
    results = []
    for i, (label, net, own) in enumerate(runs):
        report = None
        if progress is not None:
            def report(done, total, i=i, label=label):
                progress(f"{label}: {len(seeds)} seeds", i * total + done, len(runs) * total)
        results.append(train_seeds(net, split, OptimizerSetting(optimizer, label=label), seeds=seeds,
                                   progress=report, **common, **dict(own)))
    return tuple(results)


def _penalty_runs(hidden, l1: float, l2: float, mix: float) -> tuple[Run, ...]:
    net = MLP(2, hidden, 1)
    return (("no penalty", net, ()), ("L1", net, (("l1", l1),)), ("L2", net, (("l2", l2),)),
            ("elastic net", net, (("l1", mix * l1), ("l2", (1 - mix) * l2))))


def penalty_networks(split: Split, hidden: tuple[int, ...], l1: float, l2: float, mix: float, epochs: int,
                     learning_rate: float, seed: int, progress: Progress = None) -> tuple[TrainingResult, ...]:
    """No penalty, L1 (λ₁), L2 (λ₂) and elastic net (αλ₁, (1 − α)λ₂): the same network, data and initial weights,
    full-batch Adam."""
    return train_runs(split, _penalty_runs(hidden, l1, l2, mix), "adam", progress, learning_rate=learning_rate,
                      batch_size=None, epochs=epochs, seed=seed, grid_every=epochs, record_params=False)


def penalty_seeds(split: Split, hidden: tuple[int, ...], l1: float, l2: float, mix: float, epochs: int,
                  learning_rate: float, seeds: tuple[int, ...], progress: Progress = None) -> tuple[SeedCurves, ...]:
    """The four runs of :func:`penalty_networks`, each over every seed."""
    return seed_runs(split, _penalty_runs(hidden, l1, l2, mix), "adam", seeds, progress,
                     learning_rate=learning_rate, batch_size=None, epochs=epochs)


# ---- early stopping ------------------------------------------------------------------------------------


def long_run(split: Split, hidden: tuple[int, ...], learning_rate: float, batch_size: int, epochs: int, seed: int,
             progress: Progress = None) -> TrainingResult:
    """One training to the last epoch (no early stopping), SGD with momentum: its curves show every patience."""
    runs = (("no early stopping", MLP(2, hidden, 1), ()),)
    return train_runs(split, runs, "momentum", progress, learning_rate=learning_rate, batch_size=batch_size,
                      epochs=epochs, seed=seed, record_grid=False, record_params=False)[0]


def long_run_seeds(split: Split, hidden: tuple[int, ...], learning_rate: float, batch_size: int, epochs: int,
                   seeds: tuple[int, ...], progress: Progress = None) -> SeedCurves:
    """:func:`long_run` over every seed."""
    runs = (("no early stopping", MLP(2, hidden, 1), ()),)
    return seed_runs(split, runs, "momentum", seeds, progress, learning_rate=learning_rate, batch_size=batch_size,
                     epochs=epochs)[0]


class StopSpread(NamedTuple):
    """Early stopping read off S validation curves, for each patience P (rows: seeds)."""

    patience: np.ndarray  # (K,)
    kept_loss: np.ndarray  # (S, K) validation loss of the weights kept with patience P
    last_loss: np.ndarray  # (S,) validation loss at the last epoch (no early stopping)
    best_loss: np.ndarray  # (S,) the lowest validation loss of the whole run


def stopping_spread(val_loss: np.ndarray, patience) -> StopSpread:
    """:func:`optiviz.nn.regularizers.early_stopping` on each seed's validation curve (rows of ``val_loss``)."""
    v = np.atleast_2d(np.asarray(val_loss, dtype=float))
    rules = [regularizers.early_stopping(row[~np.isnan(row)] if (~np.isnan(row)).any() else row, patience)
             for row in v]
    last = np.array([row[~np.isnan(row)][-1] if (~np.isnan(row)).any() else np.nan for row in v])
    best = np.array([np.nanmin(row) if (~np.isnan(row)).any() else np.nan for row in v])
    return StopSpread(rules[0].patience, np.stack([r.kept_loss for r in rules]), last, best)


# ---- dropout and batch norm ------------------------------------------------------------------------------


def _dropout_runs(width: int, drop: float) -> tuple[Run, ...]:
    hidden = (width, width)
    return (("no dropout", MLP(2, hidden, 1), ()),
            ("dropout", MLP(2, hidden, 1, keep_prob=1.0 - drop), ()),
            ("batch norm", MLP(2, hidden, 1, batch_norm=True), ()))


def check_drop(drop: float) -> float:
    """The drop probability p, 0 ≤ p < 1 (a unit is kept with probability 1 − p)."""
    return check_number("drop probability p", drop, low=0.0, high=1.0, high_open=True)


class DropoutRuns(NamedTuple):
    """One seed of the dropout comparison, with what its pictures need."""

    results: tuple[TrainingResult, ...]  # dropout, then batch norm when asked for
    dropped_loss: np.ndarray  # (E + 1,) the dropout run's training loss WITH units dropped
    scaling: pd.DataFrame  # test-time scaling check on hidden layer 1 (regularizers.dropout_expectations)
    masks: np.ndarray  # (steps, 2, width) bool, True = kept: the first point's masks of the first steps


def dropout_runs(split: Split, width: int, drop: float, epochs: int, seed: int, batch_norm: bool = False,
                 progress: Progress = None) -> DropoutRuns:
    """Dropout with drop probability p (and batch norm, when asked): one seed, full-batch Adam.

    The dropped training loss is the dropout run's loss with units dropped after each epoch; the
    scaling table compares each unit's training-time and test-time mean activation in its first
    hidden layer (``MASKS`` masks); the masks are those the training drew (the "dropout" stream).
    Without dropout, the same seed's run is row 0 of :func:`dropout_seeds`.
    """
    drop = check_drop(drop)
    runs = _dropout_runs(width, drop)[1: 3 if batch_norm else 2]
    results = train_runs(split, runs, "adam", progress, learning_rate=DROPOUT_RATE, batch_size=None, epochs=epochs,
                         seed=seed, record_grid=False, record_params=True)
    run = results[0]
    dropped = regularizers.dropped_training_loss(run, split.X_train, split.y_train, DROPPED_MASKS, seed)
    h = run.net.hidden_activations(run.params, run.state, apply(run.preprocessing, split.X_train))[0]
    scaling = regularizers.dropout_expectations(h, drop, MASKS, seed)
    n = len(split.X_train)
    masks = regularizers.dropout_masks(seed, min(epochs, SHOWN_STEPS), n, n, (width, width), drop)
    return DropoutRuns(results, dropped, scaling, masks)


class SeedRun(NamedTuple):
    """One seed's curves of a many-seed run, shaped as the figures read a training result."""

    optimizer: str  # the run's label
    history: pd.DataFrame  # epoch, train_loss, val_loss, train_acc, val_acc


def seed_run(curves: SeedCurves, row: int = 0) -> SeedRun:
    """Row ``row`` (one seed) of ``curves`` as a history table; epochs after a divergence are left out."""
    table = pd.DataFrame({"epoch": np.asarray(curves.epochs), **{
        name: np.asarray(getattr(curves, name))[row] for name in ("train_loss", "val_loss", "train_acc", "val_acc")}})
    return SeedRun(curves.label, table[~np.isnan(table["train_loss"].to_numpy())].reset_index(drop=True))


def dropout_seeds(split: Split, width: int, drop: float, epochs: int, seeds: tuple[int, ...],
                  progress: Progress = None) -> tuple[SeedCurves, SeedCurves]:
    """Without and with dropout (drop probability p), each over every seed: full-batch Adam."""
    runs = _dropout_runs(width, check_drop(drop))[:2]
    return seed_runs(split, runs, "adam", seeds, progress, learning_rate=DROPOUT_RATE, batch_size=None,
                     epochs=epochs)


def dropout_experiment(width: int, drop: float, epochs: int, seed: int, batch_norm: bool = False,
                       progress: Progress = None) -> DropoutRuns:
    """The dropout tab's one seed: :func:`dropout_runs` on the dropout case's data (DROPOUT_DATA) drawn with
    ``seed``."""
    return dropout_runs(few_points(*DROPOUT_DATA, seed), width, drop, epochs, seed, batch_norm, progress)


def dropout_seed_experiment(width: int, drop: float, epochs: int, seeds: tuple[int, ...],
                            progress: Progress = None) -> tuple[SeedCurves, SeedCurves]:
    """The dropout tab's many seeds: :func:`dropout_seeds` on the data of the first seed (as its one-seed run)."""
    return dropout_seeds(few_points(*DROPOUT_DATA, seeds[0]), width, drop, epochs, seeds, progress)


def note_share(val_loss, dropped_loss) -> float:
    """The share of epochs e ≥ NOTE_FROM with validation loss < training loss with units dropped (the lecture's
    note)."""
    v, d = np.asarray(val_loss, dtype=float)[NOTE_FROM:], np.asarray(dropped_loss, dtype=float)[NOTE_FROM:]
    n = min(len(v), len(d))
    return float(np.mean(v[:n] < d[:n])) if n else float("nan")


def overfitting_gap(curves: SeedCurves) -> float:
    """Median over seeds of the last epoch's validation − training loss: how far the network overfits."""
    return float(np.nanmedian(final_values(curves) - final_values(curves, "train_loss")))


def scaling_gap(scaling: pd.DataFrame) -> float:
    """max |E[m⊙h/(1−p)] − h| / max |h|: how far inverted dropout's mean activation is from the test activation."""
    return float(np.max(np.abs(scaling["inverted: training m⊙h/(1−p)"] - scaling["test h"]))
                 / max(scaling["test h"].abs().max(), 1e-12))


class DropoutCheck(NamedTuple):
    """Both dropout claims on several data draws, each as the tab draws it for that seed s (data s,
    seeds s … s + S − 1)."""

    data_seeds: tuple[int, ...]
    # per data seed: network seeds (of ``count``) where dropout ends with the lower validation loss
    wins: tuple[int, ...]
    count: int  # network seeds per data seed
    shares: tuple[float, ...]  # per data seed: note_share of seed s's own dropout run, in whole percent
    gaps: tuple[tuple[float, float], ...] | None = None  # per data seed: median val − train loss, (dropout, none)


def dropout_check(data_seeds, width: int = DROPOUT_WIDTH, drop: float = DROPOUT_P, epochs: int = DROPOUT_EPOCHS,
                  count: int = 10) -> DropoutCheck:
    """:func:`dropout_seeds` and :func:`dropout_runs` for each data seed s, as the tab computes them for seed s."""
    wins, shares, gaps = [], [], []
    for s in data_seeds:
        plain, dropped = dropout_seed_experiment(width, drop, epochs, seeds_of(s, count))
        wins.append(count_below(final_values(dropped), final_values(plain)))
        gaps.append((overfitting_gap(dropped), overfitting_gap(plain)))
        run = dropout_experiment(width, drop, epochs, s)
        shares.append(round(100 * note_share(run.results[0].history["val_loss"], run.dropped_loss)))
    return DropoutCheck(tuple(int(s) for s in data_seeds), tuple(wins), count, tuple(shares), tuple(gaps))


# dropout_check(range(10)) at the tab's defaults (without its gaps), kept here so the page can state it without
# training 200 networks; tests/test_regularization_experiments.py recomputes it.
DROPOUT_CHECK = DropoutCheck(tuple(range(10)), (10,) * 10, 10, (100, 94, 96, 100, 98, 100, 73, 98, 96, 86))


# ---- data augmentation ---------------------------------------------------------------------------------------


def _augmentation_runs(jitter: float, rotation: float, reflect: str) -> tuple[Run, ...]:
    net = MLP(2, (32, 32), 1)
    return (("without augmentation", net, ()),
            ("with augmentation", net, (("jitter", jitter), ("rotation", rotation), ("reflect", reflect))))


def augmentation_runs(split: Split, jitter: float, rotation: float, reflect: str, epochs: int, seed: int,
                      progress: Progress = None) -> tuple[TrainingResult, ...]:
    """Without and with augmentation: the same network, data, initial weights and batches."""
    return train_runs(split, _augmentation_runs(jitter, rotation, reflect), "adam", progress,
                      learning_rate=AUGMENT_RATE, batch_size=AUGMENT_BATCH, epochs=epochs, seed=seed, grid_every=epochs,
                      record_params=False)


def augmentation_seeds(split: Split, jitter: float, rotation: float, reflect: str, epochs: int,
                       seeds: tuple[int, ...], progress: Progress = None) -> tuple[SeedCurves, SeedCurves]:
    """:func:`augmentation_runs` over every seed."""
    return seed_runs(split, _augmentation_runs(jitter, rotation, reflect), "adam", seeds, progress,
                     learning_rate=AUGMENT_RATE, batch_size=AUGMENT_BATCH, epochs=epochs)


def augmented_points(split: Split, jitter: float, rotation: float, reflect: str, copies: int,
                     seed: int) -> pd.DataFrame:
    """The augmented training points of the first ``copies`` epochs, as the training run drew them."""
    return regularizers.augmented_copies(split.X_train, split.y_train, copies, seed, jitter, rotation, reflect)


def augmentation_experiment(data: FewPoints, jitter: float, rotation: float, reflect: str, epochs: int, seed: int,
                            progress: Progress = None) -> tuple[TrainingResult, ...]:
    """The augmentation tab's one seed: :func:`augmentation_runs` on ``few_points(*data, seed)``."""
    return augmentation_runs(few_points(*data, seed), jitter, rotation, reflect, epochs, seed, progress)


def augmentation_seed_experiment(data: FewPoints, jitter: float, rotation: float, reflect: str, epochs: int,
                                 seeds: tuple[int, ...], progress: Progress = None) -> tuple[SeedCurves, SeedCurves]:
    """The augmentation tab's many seeds: :func:`augmentation_seeds` on the data of the first seed."""
    return augmentation_seeds(few_points(*data, seeds[0]), jitter, rotation, reflect, epochs, seeds, progress)
