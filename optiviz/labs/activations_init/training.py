"""Training a deep plain network from each initialisation scheme, over many seeds.

The Training tab of the activations and initialisation lab: the lecture's comments on
"Weight initialization" as training curves. Every scheme trains the same network on the same data::

    net        2 → [width] × depth → 1 (no skip connections), sigmoid output, binary cross-entropy
    data       DATA_POINTS two-moons points (noise DATA_NOISE), all used for training, drawn from ``seed``
    optimizer  momentum, v ← γ v − α g, W ← W + v (γ = 0.9, α = LEARNING_RATE), full batch
    seeds      seed, seed + 1, …: seed s draws the initial weights (train's "init" stream)

Full-batch steps draw nothing at random, so zeros and constant initialisation, which draw nothing
either, give one and the same run for every seed (to round-off): they are trained once, and that
run stands for all seeds.

With the defaults (6 tanh layers of 16 units, large σ = 2, 30 epochs, 10 seeds): zeros and
σ = 0.01 stay at the loss ln 2 = 0.693 of a coin (no signal reaches the first layers, or none
leaves them); σ = 2 saturates the units and explodes the gradients, and its loss creeps down;
Xavier and He learn the moons; constant learns what one unit can (all units stay identical).
What is "large" depends on the width: z's spread is σ√N_in times its inputs'. σ = 2 at 16 units is
σ√N_in = 8; σ = 1 (σ√N_in = 4) still trains about as well as Xavier at this depth (6 layers, the
training engine's cap), which is why the lab's large σ is 2.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from optiviz.core.checks import check_int
from optiviz.core.datasets import make_dataset, train_val_split
from optiviz.labs.activations_init.statistics import SCHEMES, distinct_units
from optiviz.nn.network import MLP
from optiviz.nn.records import ProgressCallback
from optiviz.nn.seeds import MAX_SEEDS, SeedCurves, count_below, final_values, spread, train_seeds
from optiviz.nn.training import MAX_DEPTH, train

DATA_POINTS = 100  # few and full batch: 10 seeds × 6 schemes cost what one seed of each cost before
DATA_NOISE = 0.1
LEARNING_RATE = 0.1
MOMENTUM = 0.9
DEPTH = 6  # hidden layers: the training engine's cap (MAX_DEPTH)
WIDTH = 16
MAX_TRAIN_WIDTH = 32
EPOCHS = 30
MAX_TRAIN_EPOCHS = 200
SEEDS = 10
DETERMINISTIC = ("zeros", "constant")  # schemes that draw no random number


class SchemeTrainings(NamedTuple):
    """Every scheme's training curves over the seeds (S = 1 for the deterministic schemes)."""

    curves: dict[str, SeedCurves]  # scheme label -> its curves, in the order asked for
    distinct: dict[str, int]  # zeros and constant: distinct units of hidden layer 1 after training
    depth: int
    width: int
    epochs: int
    seeds: np.ndarray  # (S,) the seeds of the random schemes


def _network(activation: str, alpha, label: str, depth: int, width: int, params: dict) -> MLP:
    initializer, default = SCHEMES[label]
    return MLP(2, (width,) * depth, 1, activation=activation, alpha=alpha, initializer=initializer,
               init_params=params.get(label, default))


def _one_run(result, seed: int, epochs: int) -> SeedCurves:
    """A single ``train`` run as SeedCurves with S = 1 (NaN after a divergence, as train_seeds pads)."""
    h = result.history
    curves = [np.full((1, epochs + 1), np.nan) for _ in range(4)]
    for c, name in zip(curves, ("train_loss", "val_loss", "train_acc", "val_acc")):
        c[0, :len(h)] = h[name].to_numpy(dtype=float)
    diverged = -1 if result.diverged_at is None else result.diverged_at
    return SeedCurves(np.array([seed]), np.arange(epochs + 1), *curves, np.array([diverged]), "momentum",
                      np.array([-1]))


def scheme_trainings(activation: str = "tanh", schemes=tuple(SCHEMES), *, depth: int = DEPTH, width: int = WIDTH,
                     epochs: int = EPOCHS, seeds: int = SEEDS, seed: int = 0, alpha: float | None = None,
                     small_sigma: float = 0.01, large_sigma: float = 2.0, constant: float = 0.1,
                     progress: ProgressCallback | None = None) -> SchemeTrainings:
    """Train the module docstring's network from each scheme, for seeds seed, …, seed + seeds − 1.

    ``small_sigma``, ``large_sigma`` and ``constant`` set the σ of "small normal" and "large
    normal" and the c of "constant", as in :func:`optiviz.labs.activations_init.statistics.compare_schemes`.
    ``progress(done, total)`` counts runs over all schemes.
    """
    if isinstance(schemes, str) or not hasattr(schemes, "__iter__"):
        raise ValueError(f"schemes must be a sequence of labels from {', '.join(SCHEMES)}, got {schemes!r}")
    schemes = tuple(schemes)
    if not schemes or any(s not in SCHEMES for s in schemes) or len(set(schemes)) != len(schemes):
        raise ValueError(f"schemes must be distinct labels from {', '.join(SCHEMES)}, got {list(schemes)!r}")
    depth = check_int("depth", depth, low=1, high=MAX_DEPTH)
    width = check_int("width", width, low=1, high=MAX_TRAIN_WIDTH)
    epochs = check_int("epochs", epochs, low=1, high=MAX_TRAIN_EPOCHS)
    n_seeds = check_int("seeds", seeds, low=1, high=MAX_SEEDS)
    seed = check_int("seed", seed, low=0)
    params = {"small normal": {"sigma": small_sigma}, "large normal": {"sigma": large_sigma},
              "constant": {"c": constant}}
    X, y = make_dataset("moons", DATA_POINTS, DATA_NOISE, seed, 2)
    split = train_val_split(X, y, 0.0, seed)
    optimizer = {"name": "momentum", "momentum": MOMENTUM}
    settings = dict(learning_rate=LEARNING_RATE, batch_size=None, epochs=epochs)
    seed_list = np.arange(seed, seed + n_seeds)
    total = sum(1 if s in DETERMINISTIC else n_seeds for s in schemes)
    done = 0
    curves, distinct = {}, {}
    for label in schemes:
        net = _network(activation, alpha, label, depth, width, params)
        if label in DETERMINISTIC:
            result = train(net, split, optimizer, seed=seed, record_grid=False, record_params=False, **settings)
            curves[label] = _one_run(result, seed, epochs)
            distinct[label] = distinct_units(result.params[0]["W"])
            done += 1
        else:
            curves[label] = train_seeds(net, split, optimizer, seeds=seed_list, **settings)
            done += n_seeds
        if progress is not None:
            progress(done, total)
    return SchemeTrainings(curves, distinct, depth, width, epochs, seed_list)


def final_losses(runs: SchemeTrainings) -> dict[str, np.ndarray]:
    """Each scheme's final training loss per seed, (S,); a deterministic scheme's one run repeated S times."""
    S = len(runs.seeds)
    return {label: np.broadcast_to(final_values(c, "train_loss"), (S,)) if len(c.seeds) == 1
                   else final_values(c, "train_loss")
            for label, c in runs.curves.items()}


def comparisons(runs: SchemeTrainings, better=("xavier", "he"),
                worse=("large normal", "small normal")) -> list[tuple[str, str, int, int]]:
    """(a, b, k, S): scheme a ends with a lower training loss than scheme b in k of the S seeds."""
    final = final_losses(runs)
    S = len(runs.seeds)
    return [(a, b, count_below(final[a], final[b]), S) for a in better if a in final for b in worse if b in final]


def summary(runs: SchemeTrainings) -> pd.DataFrame:
    """One row per scheme: the median and the 10th and 90th percentiles over seeds of the final training
    loss (diverged seeds left out), the median final training accuracy, and how many seeds diverged."""
    final = final_losses(runs)
    S = len(runs.seeds)
    loss = {label: spread(v[:, None]) for label, v in final.items()}  # NaN-aware; all NaN gives NaN, no warning
    accuracy = {label: spread(final_values(c, "train_acc")[:, None])[0][0] for label, c in runs.curves.items()}
    return pd.DataFrame({
        "scheme": list(final),
        "loss_median": [m[0] for m, _, _ in loss.values()],
        "loss_p10": [lo[0] for _, lo, _ in loss.values()],
        "loss_p90": [hi[0] for _, _, hi in loss.values()],
        "accuracy_median": list(accuracy.values()),
        "diverged": [int(np.sum(c.diverged_at >= 0)) * (S if len(c.seeds) == 1 else 1) for c in runs.curves.values()],
    })
