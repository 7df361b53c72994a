"""What a training run records, and how to read it back: the flat parameter layout and the results.

The training loop (:mod:`optiviz.nn.training`) keeps every learned array of a network in
ONE float64 vector θ, so an optimizer takes one update per step on the whole of it
(the optimizers work on arrays of any shape). :class:`Layout` says where each array
lives in θ: all weight matrices W first (the arrays penalties apply to), block by
block, then the other arrays (b, γ, β) block by block. ``θ[:layout.n_weights]`` is
therefore every weight and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, NamedTuple

import numpy as np
import pandas as pd

from optiviz.core.datasets import Preprocessing, apply
from optiviz.nn.activations import sigmoid
from optiviz.nn.losses import softmax
from optiviz.nn.network import MLP
from optiviz.nn.tree import Tree

HISTORY_COLUMNS = ["optimizer", "epoch", "steps", "lr", "train_loss", "val_loss", "train_acc", "val_acc", "penalty"]


class Layout(NamedTuple):
    """Where each array of a parameter tree lives in the flat vector θ (weights first)."""

    blocks: tuple[tuple[str, ...], ...]  # keys of block i, in the tree's order, e.g. ("W", "b", "gamma", "beta")
    names: tuple[str, ...]  # "i.key" of each segment, in θ order
    shapes: tuple[tuple[int, ...], ...]
    offsets: tuple[int, ...]  # start of each segment; offsets[-1] + its size = size
    n_weights: int  # θ[:n_weights] holds every W and nothing else
    size: int

    @classmethod
    def of(cls, params: Tree, weight_keys=("W",)) -> "Layout":
        """The layout of ``params`` (a list of dicts of arrays, as ``MLP.init`` returns)."""
        blocks = tuple(tuple(block) for block in params)
        order = [(i, k) for i, keys in enumerate(blocks) for k in keys if k in weight_keys]
        n_w = len(order)
        order += [(i, k) for i, keys in enumerate(blocks) for k in keys if k not in weight_keys]
        shapes = tuple(tuple(np.shape(params[i][k])) for i, k in order)
        sizes = [int(np.prod(s)) for s in shapes]
        offsets = tuple(int(o) for o in np.cumsum([0] + sizes[:-1]))
        n_weights = offsets[n_w] if n_w < len(order) else sum(sizes)
        return cls(blocks, tuple(f"{i}.{k}" for i, k in order), shapes, offsets, int(n_weights), int(sum(sizes)))

    def _segments(self):
        for name, shape, start in zip(self.names, self.shapes, self.offsets):
            i, key = name.split(".", 1)
            yield int(i), key, shape, start, start + int(np.prod(shape))

    def segments(self) -> list[tuple[int, str, tuple[int, ...], slice]]:
        """``(block i, key, shape, slice of θ)`` of every array, in θ order: ``θ[slice]`` is
        ``params[i][key].ravel()``."""
        return [(i, key, shape, slice(a, b)) for i, key, shape, a, b in self._segments()]

    def views(self, theta: np.ndarray) -> list[dict]:
        """A parameter tree whose arrays are views into ``theta``: ``theta += Δ`` moves them all."""
        tree = [dict.fromkeys(keys) for keys in self.blocks]
        for i, key, shape, a, b in self._segments():
            tree[i][key] = theta[a:b].reshape(shape)
        return tree

    def unflatten(self, theta) -> list[dict]:
        """A parameter tree of fresh arrays from the vector ``theta`` (size ``self.size``)."""
        theta = np.asarray(theta, dtype=float)
        if theta.shape != (self.size,):
            raise ValueError(f"theta must have shape ({self.size},), got shape {theta.shape}")
        return self.views(theta.copy())

    def flatten(self, params: Tree, name: str = "params") -> np.ndarray:
        """θ from a parameter tree shaped like this layout (ValueError naming ``name`` otherwise)."""
        if len(params) != len(self.blocks) or any(set(p) != set(k) for p, k in zip(params, self.blocks)):
            raise ValueError(f"{name} does not fit this network; build it with net.init(rng)")
        theta = np.empty(self.size)
        for i, key, shape, a, b in self._segments():
            array = np.asarray(params[i][key], dtype=float)
            if array.shape != shape:
                raise ValueError(f"{name}[{i}][{key!r}] must have shape {shape}, got shape {array.shape}")
            theta[a:b] = array.ravel()
        return theta

    @property
    def weight_offsets(self) -> np.ndarray:
        """Start of each W segment inside θ[:n_weights], for ``np.add.reduceat`` per-layer sums."""
        return np.array([o for o, n in zip(self.offsets, self.names) if o < self.n_weights], dtype=np.intp)


def copy_state(state: Tree) -> list[dict]:
    """A copy of a state tree (BatchNorm running statistics)."""
    return [{k: np.array(v, dtype=float) for k, v in block.items()} for block in state]


def probabilities(loss: str, logits: np.ndarray) -> np.ndarray:
    """What the network predicts: σ(z) (B,) for binary cross-entropy, softmax(z) (B, C) for
    softmax cross-entropy, the output itself for mean squared error ((B,) when one output)."""
    if loss == "binary_cross_entropy":
        return sigmoid.value(logits[:, 0])
    if loss == "softmax_cross_entropy":
        return softmax(logits, axis=1)
    return logits[:, 0] if logits.shape[1] == 1 else logits


@dataclass(frozen=True, eq=False)
class TrainingResult:
    """One optimizer's training run. Row/index e of every per-epoch record is the network
    after epoch e; epoch 0 is the network before any update.

    Per-epoch arrays have ``len(history)`` rows (fewer than ``epochs + 1`` after early
    stopping or divergence). ``grad_norms[0]`` is NaN: no step has been taken yet.
    Grid frames are the rows of ``grids``, taken at the epochs ``grid_epochs``.
    """

    optimizer: str  # the label shown on figures, e.g. "momentum"
    history: pd.DataFrame  # columns HISTORY_COLUMNS, one row per recorded epoch
    layer_names: tuple[str, ...]  # "hidden 1", …, "output": the columns of the norm arrays
    weight_norms: np.ndarray  # (E, L) Frobenius norm ‖W_l‖ at the end of each epoch
    grad_norms: np.ndarray  # (E, L) root mean square over the epoch's steps of ‖∂J/∂W_l‖
    grid_x: np.ndarray | None  # (g,) raw input coordinates of the grid columns
    grid_y: np.ndarray | None  # (g,) raw input coordinates of the grid rows
    grids: np.ndarray | None  # (F, g, g) P(class 1), (F, g, g, C) class probabilities, or MSE outputs; float32
    grid_epochs: np.ndarray | None  # (F,) the epoch of each grid frame (every epoch unless grid_every > 1)
    param_vectors: np.ndarray | None  # (E, P) θ after each epoch (layout order), None if not recorded
    layout: Layout
    params: list[dict]  # the weights the run ends with: the best ones when early stopping restored them
    state: list[dict]
    initial_params: list[dict]
    initial_state: list[dict]
    best_epoch: int  # epoch whose weights ``params`` holds
    stopped_at: int | None  # epoch at which early stopping fired, else None
    diverged_at: int | None  # first epoch whose training loss (or weights) became non-finite, else None
    net: MLP
    preprocessing: Preprocessing  # fitted on the training split; maps raw inputs to network inputs
    loss: str
    settings: dict = field(default_factory=dict)  # the arguments the run was made with
    # batch-norm state after each recorded epoch, for grids drawn on demand (None: no batch norm, or grids recorded)
    epoch_states: list | None = None

    @property
    def epochs_run(self) -> int:
        """The last recorded epoch."""
        return int(self.history["epoch"].to_numpy()[-1])

    def predict_proba(self, X) -> np.ndarray:
        """Predictions of the final network for raw inputs X (n, d), as in :func:`probabilities`."""
        x = apply(self.preprocessing, X)
        with np.errstate(all="ignore"):
            logits, _, _ = self.net.forward(self.params, self.state, x, training=False)
            return probabilities(self.loss, logits)

    def neuron_responses(self, layer: int) -> np.ndarray:
        """(units, g, g): each unit of hidden layer ``layer`` (from 0), f(z) over the recorded grid, final weights."""
        if self.grid_x is None:
            raise ValueError("neuron_responses needs a recorded grid (record_grid=True)")
        if not 0 <= layer < len(self.net.hidden):
            raise ValueError(f"layer must be in [0, {len(self.net.hidden) - 1}], got {layer!r}")
        xx, yy = np.meshgrid(self.grid_x, self.grid_y)
        x = apply(self.preprocessing, np.stack([xx.ravel(), yy.ravel()], axis=1))
        with np.errstate(all="ignore"):
            values = self.net.hidden_activations(self.params, self.state, x)[layer]
        return values.T.reshape(-1, len(self.grid_y), len(self.grid_x))

    def neuron_tiles(self, layer: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(x (g,), y (g,), responses (units, g, g)): ``neuron_responses`` on a square grid.

        The square is centred on the recorded grid and as wide as its wider side, so every tile
        is a square with the input plane's true proportions.
        """
        if self.grid_x is None:
            raise ValueError("neuron_tiles needs a recorded grid (record_grid=True)")
        if not 0 <= layer < len(self.net.hidden):
            raise ValueError(f"layer must be in [0, {len(self.net.hidden) - 1}], got {layer!r}")
        half = max(self.grid_x[-1] - self.grid_x[0], self.grid_y[-1] - self.grid_y[0]) / 2
        cx, cy = (self.grid_x[0] + self.grid_x[-1]) / 2, (self.grid_y[0] + self.grid_y[-1]) / 2
        gx = np.linspace(cx - half, cx + half, len(self.grid_x))
        gy = np.linspace(cy - half, cy + half, len(self.grid_x))
        xx, yy = np.meshgrid(gx, gy)
        x = apply(self.preprocessing, np.stack([xx.ravel(), yy.ravel()], axis=1))
        with np.errstate(all="ignore"):
            values = self.net.hidden_activations(self.params, self.state, x)[layer]
        return gx, gy, values.T.reshape(-1, len(gy), len(gx))

    def grid_at(self, epoch: int) -> np.ndarray:
        """The predictions on the grid after ``epoch`` (float32, as ``grids`` holds them).

        The recorded frame at or before ``epoch`` when the run recorded its grids; otherwise computed
        now, on demand, from θ after that epoch (``param_vectors``) in evaluation mode, exactly as the
        training loop computes a frame. Epochs beyond the last recorded one give the last.
        """
        if self.grids is not None:
            frame = int(np.searchsorted(self.grid_epochs, min(epoch, self.epochs_run), side="right") - 1)
            return self.grids[max(frame, 0)]
        if self.grid_x is None or self.param_vectors is None:
            raise ValueError("grid_at needs a grid (grid_x, grid_y) and either recorded grids or param_vectors")
        e = int(np.clip(epoch, 0, len(self.param_vectors) - 1))
        state = self.epoch_states[e] if self.epoch_states is not None else self.initial_state
        xx, yy = np.meshgrid(self.grid_x, self.grid_y)
        x = apply(self.preprocessing, np.stack([xx, yy], axis=-1).reshape(-1, 2))
        with np.errstate(all="ignore"):
            logits, _, _ = self.net.forward(self.layout.views(self.param_vectors[e]), state, x, training=False)
            p = probabilities(self.loss, logits)
        return p.reshape((len(self.grid_y), len(self.grid_x)) + p.shape[1:]).astype(np.float32)

    def predict(self, X) -> np.ndarray:
        """Class labels (cross-entropy losses) or outputs (mean squared error) for raw inputs X."""
        p = self.predict_proba(X)
        if self.loss == "binary_cross_entropy":
            return (p > 0.5).astype(np.int64)
        if self.loss == "softmax_cross_entropy":
            return np.argmax(p, axis=-1)
        return p


@dataclass(frozen=True, eq=False)
class Comparison:
    """Several optimizers trained from the same initial weights on the same mini-batches.

    ``seeds``, when present, holds each optimizer's curves over many seeds (``optiviz.nn.seeds.SeedCurves``,
    in the order of ``results``), the first of which is the seed of ``results``.
    """

    results: tuple[TrainingResult, ...]
    seeds: tuple | None = None

    @property
    def history(self) -> pd.DataFrame:
        """All runs' histories in one tidy table (column ``optimizer`` tells them apart)."""
        return pd.concat([r.history for r in self.results], ignore_index=True)

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(r.optimizer for r in self.results)

    def __getitem__(self, label_or_index) -> TrainingResult:
        if isinstance(label_or_index, str):
            for r in self.results:
                if r.optimizer == label_or_index:
                    return r
            raise KeyError(label_or_index)
        return self.results[label_or_index]

    def __len__(self) -> int:
        return len(self.results)

    def __iter__(self):
        return iter(self.results)


ProgressCallback = Callable[[int, int], object]
