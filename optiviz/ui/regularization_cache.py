"""Cached engine calls for the regularization lab: hashable arguments, bounded entries, progress bars inside.

Every training here goes through :func:`optiviz.nn.training.train` with one seed, so the runs of a
comparison start from the same initial weights and see the same mini-batches (and augmentation
draws and dropout masks): they differ only in the regularizer.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from optiviz import penalty_paths as pp
from optiviz.datasets import Split, apply, make_dataset
from optiviz.nn import MLP, regularizers
from optiviz.nn.training import OptimizerSetting, train
from optiviz.ui.cache import Data, dataset

LAMBDA_COUNT = 90  # λ values on the path grid
LAMBDA_SPAN = (-3.0, 1.5)  # the grid runs from 10^-3 λ_max to 10^1.5 λ_max
MASKS = 1000  # dropout masks averaged in the test-time scaling check
DROPPED_MASKS = 4  # masks averaged per epoch for the training loss with units dropped
Run = tuple[str, MLP, tuple[tuple[str, object], ...]]  # (label, network, settings of this run only)


@st.cache_data(max_entries=32, ttl=3600, show_spinner=False)
def weight_paths(samples: int, features: int, correlation: float, noise: float, seed: int,
                 mix: float) -> tuple[pd.DataFrame, float, np.ndarray]:
    """(paths table, λ_max, true weights): L1, L2 and elastic net on one λ grid around the lasso's λ_max."""
    X, y, w_true = pp.make_regression(samples, features, correlation, noise, seed)
    top = pp.lambda_max(X, y)
    lambdas = top * np.logspace(*LAMBDA_SPAN, LAMBDA_COUNT)
    return pp.penalty_paths(X, y, lambdas, mix), top, w_true


def _train_all(split: Split, runs: tuple[Run, ...], optimizer: str, text: str, **common) -> tuple:
    """One ``train`` per run, all with the same seed and common settings, under one progress bar."""
    epochs = common["epochs"]
    total = epochs * len(runs)
    bar = st.progress(0.0, text=text)
    results = []
    for i, (label, net, own) in enumerate(runs):
        def progress(epoch, _epochs, offset=i * epochs):
            bar.progress(min((offset + epoch) / total, 1.0), text=f"{text} ({label}: epoch {epoch} of {epochs})")

        results.append(train(net, split, OptimizerSetting(optimizer, label=label), progress=progress,
                             **common, **dict(own)))
    bar.empty()
    return tuple(results)


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def penalty_networks(data: Data, hidden: tuple[int, ...], l1: float, l2: float, mix: float, epochs: int,
                     learning_rate: float, seed: int) -> tuple:
    """No penalty, L1 (λ₁), L2 (λ₂) and elastic net (αλ₁, (1 − α)λ₂): the same network, data and batches."""
    net = MLP(2, hidden, 1)
    runs = (("no penalty", net, ()), ("L1", net, (("l1", l1),)), ("L2", net, (("l2", l2),)),
            ("elastic net", net, (("l1", mix * l1), ("l2", (1 - mix) * l2))))
    return _train_all(dataset(data), runs, "adam", "Training with each penalty…", learning_rate=learning_rate,
                      batch_size=20, epochs=epochs, seed=seed, grid_every=epochs, record_params=False)


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def long_run(data: Data, hidden: tuple[int, ...], learning_rate: float, batch_size: int, epochs: int, seed: int):
    """One training to the last epoch (no early stopping), SGD with momentum: its curves show every patience."""
    runs = (("no early stopping", MLP(2, hidden, 1), ()),)
    return _train_all(dataset(data), runs, "momentum", "Training…", learning_rate=learning_rate,
                      batch_size=batch_size, epochs=epochs, seed=seed, record_grid=False, record_params=False)[0]


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def dropout_and_batch_norm(data: Data, width: int, keep_prob: float, epochs: int, seed: int):
    """(runs, dropped training loss, scaling table): no regularizer, dropout, batch norm on one network.

    The dropped training loss is the dropout run's loss with units dropped after each epoch; the
    scaling table compares each unit's training-time and test-time mean activation in its first
    hidden layer (on the training points, ``MASKS`` masks).
    """
    hidden = (width, width)
    runs = (("no dropout, no batch norm", MLP(2, hidden, 1), ()),
            ("dropout", MLP(2, hidden, 1, keep_prob=keep_prob), ()),
            ("batch norm", MLP(2, hidden, 1, batch_norm=True), ()))
    split = dataset(data)
    results = _train_all(split, runs, "adam", "Training with and without each…", learning_rate=0.01,
                         batch_size=20, epochs=epochs, seed=seed, grid_every=epochs, record_params=True)
    drop = results[1]
    dropped = regularizers.dropped_training_loss(drop, split.X_train, split.y_train, DROPPED_MASKS, seed)
    h = drop.net.hidden_activations(drop.params, drop.state, apply(drop.preprocessing, split.X_train))[0]
    return results, dropped, regularizers.dropout_expectations(h, keep_prob, MASKS, seed)


def _generator(seed: int, part: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(part,)))


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def few_points(name: str, train_points: int, val_points: int, noise: float, seed: int) -> Split:
    """A few training points and many validation points of one toy dataset, drawn independently."""
    X, y = make_dataset(name, train_points, noise, _generator(seed, 0))
    Xv, yv = make_dataset(name, val_points, noise, _generator(seed, 1))
    return Split(X, y, Xv, yv)


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def augmentation_runs(name: str, train_points: int, val_points: int, noise: float, jitter: float, rotation: float,
                      reflect: str, epochs: int, seed: int) -> tuple:
    """Without and with augmentation: the same network, data, initial weights and batches."""
    net = MLP(2, (32, 32), 1)
    runs = (("without augmentation", net, ()),
            ("with augmentation", net, (("jitter", jitter), ("rotation", rotation), ("reflect", reflect))))
    return _train_all(few_points(name, train_points, val_points, noise, seed), runs, "adam",
                      "Training without and with augmentation…", learning_rate=0.01, batch_size=10, epochs=epochs,
                      seed=seed, grid_every=epochs, record_params=False)


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def augmented_points(name: str, train_points: int, val_points: int, noise: float, jitter: float, rotation: float,
                     reflect: str, copies: int, seed: int) -> pd.DataFrame:
    """The augmented training points of the first ``copies`` epochs, as the training run drew them."""
    split = few_points(name, train_points, val_points, noise, seed)
    return regularizers.augmented_copies(split.X_train, split.y_train, copies, seed, jitter, rotation, reflect)
