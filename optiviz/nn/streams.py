"""The seeded random streams and the mini-batches of a training run.

All randomness of a run comes from ``seed`` through independent streams,
``SeedSequence(seed, spawn_key=(stream, epoch))``: the initial weights ("init"), and for
every epoch e its shuffle ("shuffle"), its augmentation draws ("augment") and its dropout
masks ("dropout"). No stream depends on the optimizer or on earlier epochs.
"""

from __future__ import annotations

from types import MappingProxyType

import numpy as np

STREAMS = MappingProxyType({"init": 0, "shuffle": 1, "augment": 2, "dropout": 3})  # spawn_key[0]


def stream(seed: int, name: str, epoch: int = 0) -> np.random.Generator:
    """The Generator of stream ``name`` ("init", "shuffle", "augment", "dropout") for ``epoch``.

    Seeded by ``SeedSequence(seed, spawn_key=(stream, epoch))``: independent of every other
    stream and epoch, so the same seed gives the same draws whatever the optimizer.
    """
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(STREAMS[name], epoch)))


def batch_bounds(n: int, batch_size: int, min_batch: int = 1) -> list[tuple[int, int]]:
    """(start, stop) of the mini-batches of an epoch over n shuffled points: ⌈n/B⌉ batches.

    A last batch smaller than ``min_batch`` (batch norm needs 2) is merged into the one before.
    """
    batch_size = min(batch_size, n)
    bounds = [(a, min(a + batch_size, n)) for a in range(0, n, batch_size)]
    if len(bounds) > 1 and bounds[-1][1] - bounds[-1][0] < min_batch:
        bounds[-2:] = [(bounds[-2][0], n)]
    return bounds


def epoch_batches(n: int, batch_size: int, seed: int, epoch: int, min_batch: int = 1) -> list[np.ndarray]:
    """The index arrays (into the training split) of the batches of ``epoch`` (1, 2, …), in order."""
    order = stream(seed, "shuffle", epoch).permutation(n)
    return [order[a:b] for a, b in batch_bounds(n, batch_size, min_batch)]
