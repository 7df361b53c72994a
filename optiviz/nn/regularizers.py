"""Regularizers read from training runs: early stopping, dropout's masks and scaling, augmented points.

Caps (ValueError naming the input): dropout masks ≤ MAX_MASKS and masks × values ≤ MAX_MASK_VALUES,
augmented epochs ≤ MAX_AUGMENT_EPOCHS, mask steps ≤ MAX_MASK_STEPS.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from optiviz.core.checks import check_int, check_number, check_rng, check_table
from optiviz.core.datasets import apply, augment
from optiviz.nn.losses import get_loss
from optiviz.nn.records import TrainingResult
from optiviz.nn.streams import batch_bounds, stream

MAX_MASKS = 2000
MAX_MASK_VALUES = 20_000_000
MAX_AUGMENT_EPOCHS = 50  # epochs of augmented copies drawn
MAX_MASK_STEPS = 2000  # training steps of dropout masks drawn


# --- early stopping, read from a validation curve ---------------------------------------------------


class StopRule(NamedTuple):
    """Where early stopping with each patience P stops, and whose weights it keeps."""

    patience: np.ndarray  # (K,) the patiences
    stopped_at: np.ndarray  # (K,) the epoch training stops at; -1 when it never stops
    kept_epoch: np.ndarray  # (K,) the epoch whose weights are kept (the best validation loss so far)
    kept_loss: np.ndarray  # (K,) the validation loss of the kept weights


def stop_rule(val_loss: np.ndarray, patience) -> tuple[np.ndarray, np.ndarray]:
    """(stop, kept) of early stopping along the last axis of ``val_loss`` (…, E), patience P (…) ≥ 1. Unchecked.

    best(e) is the epoch of the lowest validation loss among 0 … e (the first one on ties; NaN never
    improves). Training stops at the first epoch e with e − best(e) ≥ P (stop = −1: never) and keeps
    best(stop)'s weights, or best(E − 1)'s when it never stops (training restores the best). The one
    rule of :func:`early_stopping`, of :func:`optiviz.nn.training.train` (which calls it after every
    epoch: it stops at the epoch the rule fires) and of the batched seeds.
    """
    clean = np.where(np.isnan(val_loss), np.inf, val_loss)
    running = np.minimum.accumulate(clean, axis=-1)
    epochs = np.arange(clean.shape[-1])
    improved = np.concatenate([np.ones(clean.shape[:-1] + (1,), dtype=bool), clean[..., 1:] < running[..., :-1]],
                              axis=-1)  # a new lowest loss (strictly lower); epoch 0 is the first best
    best = np.maximum.accumulate(np.where(improved, epochs, 0), axis=-1)
    fired = epochs - best >= np.asarray(patience)[..., None]
    stop = np.where(fired.any(axis=-1), fired.argmax(axis=-1), -1)
    kept = np.take_along_axis(best, np.where(stop >= 0, stop, epochs[-1])[..., None], axis=-1)[..., 0]
    return stop, kept


def early_stopping(val_loss, patience) -> StopRule:
    """For each patience P: stop at the first epoch e with e − best(e) ≥ P, keep best(e)'s weights.

    best(e) is the epoch of the lowest validation loss among 0 … e (the first one on ties; NaN never
    improves), the rule of :func:`optiviz.nn.training.train` (:func:`stop_rule`, applied to each P).
    A patience that never fires keeps best(last epoch) (training with early stopping restores the best).
    """
    v = np.asarray(val_loss, dtype=float).reshape(-1)
    if v.size == 0:
        raise ValueError("val_loss must hold at least one epoch")
    P = np.atleast_1d(np.asarray(patience))
    if P.ndim != 1 or P.dtype.kind not in "iu" or (P < 1).any():
        raise ValueError(f"patience must be integers ≥ 1, got {patience!r}")
    stop, kept = stop_rule(np.broadcast_to(v, (P.size, v.size)), P)
    return StopRule(P.astype(np.int64), stop, kept, v[kept])


# --- dropout: training-time masks against test-time scaling ------------------------------------------


def dropout_expectations(activations, drop: float, masks: int, seed: int = 0) -> pd.DataFrame:
    """Each unit's mean activation at training time (averaged over ``masks`` random masks) and at test time.

    With drop probability p, a unit is kept with probability 1 − p: for activations h (B, units) and
    masks m with m_ij ~ Bernoulli(1 − p),

    * original dropout: training m ⊙ h, whose expectation is (1 − p)·h, so test time uses (1 − p)·h;
    * inverted dropout: training m ⊙ h / (1 − p), whose expectation is h, so test time uses h unchanged.

    One row per unit: ``test h`` (mean of h over the batch), the mean over the batch and the masks of
    each convention's training activation, and the original's test activation (1 − p)·h.
    """
    h = check_table("activations", activations)
    p = check_number("drop probability p", drop, low=0.0, high=1.0, high_open=True)
    keep = 1.0 - p
    masks = check_int("masks", masks, low=1, high=MAX_MASKS)
    if masks * h.size > MAX_MASK_VALUES:
        raise ValueError(f"masks must be at most {MAX_MASK_VALUES // h.size} for {h.size} activations (cap)")
    rng = check_rng("seed", seed, allow_seed=True)
    per_draw = max(1, min(masks, MAX_MASK_VALUES // 20 // h.size))  # masks drawn at once (bounded memory)
    total = np.zeros(h.shape[1])  # Σ over masks and points of m ⊙ h
    done = 0
    while done < masks:
        k = min(per_draw, masks - done)
        total += np.einsum("kbu,bu->u", rng.random((k, *h.shape)) < keep, h)
        done += k
    dropped = total / (masks * len(h))
    mean_h = h.mean(axis=0)
    return pd.DataFrame({
        "unit": np.arange(1, h.shape[1] + 1),
        "test h": mean_h,
        "inverted: training m⊙h/(1−p)": dropped / keep,
        "original: training m⊙h": dropped,
        "original: test (1−p)·h": keep * mean_h,
    })


def dropout_masks(seed: int, epochs: int, n_train: int, batch_size: int | None, widths, drop: float,
                  min_batch: int = 1) -> np.ndarray:
    """(steps, layers, max width) bool, True = kept: the dropout masks of the first point of each mini-batch.

    Drawn as :func:`optiviz.nn.training.train` draws them: epoch e uses the "dropout" stream of
    (seed, e); each mini-batch of B points draws, hidden layer after hidden layer, u ~ U(0, 1) of shape
    (B, width), and a unit is kept where u < 1 − p. Layers narrower than the widest are padded with False.
    Cap: epochs × mini-batches ≤ MAX_MASK_STEPS.
    """
    p = check_number("drop probability p", drop, low=0.0, high=1.0, high_open=True)
    epochs = check_int("epochs", epochs, low=1)
    n_train = check_int("n_train", n_train, low=1)
    batch_size = n_train if batch_size is None else min(check_int("batch_size", batch_size, low=1), n_train)
    widths = tuple(check_int("widths", w, low=1) for w in widths)
    bounds = batch_bounds(n_train, batch_size, min_batch)
    if epochs * len(bounds) > MAX_MASK_STEPS:
        raise ValueError(f"epochs must be at most {MAX_MASK_STEPS // len(bounds)} for {len(bounds)} mini-batches "
                         "per epoch (cap)")
    out = np.zeros((epochs * len(bounds), len(widths), max(widths, default=0)), dtype=bool)
    if p == 0.0:  # train draws no masks without dropout: every unit is kept
        for i, w in enumerate(widths):
            out[:, i, :w] = True
        return out
    step = 0
    for e in range(1, epochs + 1):
        rng = stream(seed, "dropout", e)
        for a, b in bounds:
            for i, w in enumerate(widths):
                out[step, i, :w] = rng.random((b - a, w))[0] < 1.0 - p
            step += 1
    return out


def dropped_training_loss(result: TrainingResult, X, y, masks: int = 4, seed: int = 0) -> np.ndarray:
    """(E,) the training loss WITH units dropped, of the network after each recorded epoch.

    The recorded ``train_loss`` is measured like the validation loss, on the full network (no
    dropout). This is the loss the optimizer is minimising instead: a training-mode forward pass
    (fresh dropout masks, batch statistics) over the raw points X, repeated ``masks`` times and
    averaged. Needs the run's θ per epoch (``param_vectors``); cap: epochs × masks × N ≤ MAX_MASK_VALUES.
    """
    if result.param_vectors is None:
        raise ValueError("result must record its parameters (train(..., record_params=True))")
    masks = check_int("masks", masks, low=1, high=MAX_MASKS)
    x = apply(result.preprocessing, check_table("X", X, width=result.net.input_dim))
    if len(result.param_vectors) * masks * len(x) > MAX_MASK_VALUES:
        raise ValueError(f"masks must be smaller for {len(result.param_vectors)} epochs of {len(x)} points (cap)")
    x = np.tile(x, (masks, 1))
    targets = np.tile(np.asarray(y), masks)
    loss = get_loss(result.loss)
    rng = check_rng("seed", seed, allow_seed=True)
    values = np.empty(len(result.param_vectors))
    with np.errstate(all="ignore"):
        for e, theta in enumerate(result.param_vectors):
            logits, _, _ = result.net.forward(result.layout.unflatten(theta), result.initial_state, x, True, rng)
            values[e] = loss(logits, targets)[0]
    return values


# --- data augmentation: the points the network saw -----------------------------------------------


def augmented_copies(X, y, epochs: int, seed: int = 0, jitter: float = 0.0, rotation: float = 0.0,
                     reflect="none") -> pd.DataFrame:
    """The augmented training points of epochs 1 … ``epochs``, drawn exactly as ``train`` draws them.

    Epoch e shuffles the points with the "shuffle" stream of ``seed`` and transforms them with its
    "augment" stream (:func:`optiviz.core.datasets.augment`). Columns: epoch, x, y, label.
    """
    X = check_table("X", X, width=2)
    labels = np.asarray(y)
    epochs = check_int("epochs", epochs, low=1, high=MAX_AUGMENT_EPOCHS)
    frames = []
    for e in range(1, epochs + 1):
        order = stream(seed, "shuffle", e).permutation(len(X))
        points = augment(X[order], stream(seed, "augment", e), jitter=jitter, rotation=rotation, reflect=reflect)
        frames.append(pd.DataFrame({"epoch": e, "x": points[:, 0], "y": points[:, 1], "label": labels[order]}))
    return pd.concat(frames, ignore_index=True)
