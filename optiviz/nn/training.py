"""Train an MLP on 2-D data with the optimizer engine: the loop behind the "train a network" lab.

One epoch is one pass over the shuffled training split in mini-batches of ``batch_size``
(``batch_size = N`` full-batch gradient descent, ``1`` single-sample, anything between:
mini-batch). Each step of an epoch does

    g = ∂/∂θ [ L(f(X_b; θ), y_b) + Ω(W) ],   (Δθ, s) = update(g, s, α_e),   θ ← θ + Δθ,

with the update rules of :mod:`optiviz.optimizers` (the same code as the optimizer race)
applied ONCE per step to the whole flat parameter vector θ (see
:class:`optiviz.nn.records.Layout`), and the penalty Ω of :mod:`optiviz.nn.penalties` on
the weights W only (L1 λ₁Σ|W|, L2 (λ₂/2)ΣW², both: elastic net).

Learning-rate schedules count EPOCHS: every step of epoch e (1, 2, …) uses
α_e = learning_rate(schedule, α₀, k, e − 1), so epoch 1 runs at α₀ and "step" decay halves
α every 1/k epochs. Per epoch is the natural clock of a training lab: the curves are per
epoch, and the same k gives the same decay whatever the batch size. (Adam's bias
correction still counts optimizer steps, as in PyTorch.)

Fair comparisons. All randomness comes from ``seed`` through independent streams,
``SeedSequence(seed, spawn_key=(stream, epoch))``: the initial weights (stream "init"),
and for every epoch e its shuffle ("shuffle"), its augmentation draws ("augment") and
its dropout masks ("dropout"). No stream depends on the optimizer, the learning rate or
what happened in earlier epochs, so runs that share a seed start from the same weights and
see the same batches, the same augmented points and the same dropout masks: they differ
only by their update rule. :func:`compare` relies on this.

Recorded after every epoch (epoch 0 = before any update), in evaluation mode (running
batch-norm statistics, no dropout) on the clean, un-augmented points: the training and
validation loss L (the data term, without Ω) and accuracy, Ω itself, the Frobenius norm
‖W_l‖ of each layer, the network's predictions on a grid over the input plane and θ.
Gradient norms are the root mean square over the epoch's steps, √(mean_t ‖∂J/∂W_l‖²),
of the gradient of J = L + Ω that the optimizer used (NaN at epoch 0, before any step).

A loss that becomes non-finite (too large a learning rate) stops training: ``diverged_at``
is that epoch, and every record up to the epoch before is kept (an initial network whose
loss is already non-finite keeps its epoch-0 row, with ``diverged_at = 0``). No NumPy
warning escapes: the loop runs under ``np.errstate(all="ignore")``.

Caps on the work (ValueError naming the input), calibrated on the 2-core machine this runs
on so that one training run stays within about 3 s (one optimizer; compare runs up to 4):

* samples (training + validation) ≤ MAX_SAMPLES, depth ≤ MAX_DEPTH hidden layers,
  widths ≤ MAX_WIDTH, epochs ≤ MAX_EPOCHS;
* arithmetic, ``work`` = epochs × (4 N_train + N_val + G) × weights ≤ MAX_WORK multiply-adds,
  where weights = Σ n_in·n_out, the backward and forward pass of a training point cost about
  3 evaluations, and each epoch evaluates the training, validation and G grid points once
  (~0.3 ns each here, so ≤ 1.5 s);
* Python work of small batches, ``step_work`` = steps × layer operations ≤ MAX_STEP_WORK,
  with one operation per dense layer, activation and dropout, four per batch norm (it costs
  that much), and two per step for the loss gradient and the update (~20 µs each here, ≤ 2 s).

:func:`max_epochs` gives the most epochs these allow, for showing the caps beside the controls.
"""

from __future__ import annotations

import math
from functools import partial
from types import MappingProxyType
from typing import Mapping, NamedTuple, Sequence

import numpy as np
import pandas as pd

from ..checks import check_int, check_number, check_table
from ..datasets import MAX_SAMPLES as DATASET_MAX_SAMPLES
from ..datasets import Split, apply, augment, fit_preprocessing, grid_points, view_bounds
from ..optimizers import OPTIMIZERS, make_optimizer
from ..schedules import learning_rate as scheduled_rate
from .activations import get_activation
from .layers import batch_norm, dropout
from . import losses
from .losses import get_loss
from .network import MLP
from .penalties import elastic_net
from .records import HISTORY_COLUMNS, Comparison, Layout, ProgressCallback, TrainingResult, copy_state, probabilities

# --- caps on the work of one training run (one optimizer) -----------------------------------
MAX_SAMPLES = DATASET_MAX_SAMPLES  # training + validation points
MAX_WIDTH = 128  # units in any layer
MAX_DEPTH = 6  # hidden layers
MAX_EPOCHS = 500
MAX_OPTIMIZERS = 4  # runs in one compare()
MAX_WORK = 5_000_000_000  # epochs × (4 N_train + N_val + grid points) × weights, see the module docstring
MAX_STEP_WORK = 100_000  # optimizer steps × layer operations, see the module docstring
MAX_GRID_SIZE = 200  # grid points per side
MAX_GRID_VALUES = 4_000_000  # recorded grid frames × grid_size² × outputs (float32: 16 MB)
MAX_PARAM_VALUES = 2_000_000  # recorded epochs × parameters (float64: 16 MB)

DEFAULT_GRID_SIZE = 60
# Evaluation runs in blocks of this many points. OpenBLAS (0.3.31 here) computes a product of
# m·n·k ≤ 262,144 multiply-adds on the calling thread and hands larger ones to its worker
# threads; on this small shared machine waking them saves nothing, and when the other core is
# busy a product can wait milliseconds for one. 256 points through a 32 × 32 layer is exactly
# that bound (wider layers still use the threads, where they have more work to share).
EVAL_ROWS = 256
STREAMS = MappingProxyType({"init": 0, "shuffle": 1, "augment": 2, "dropout": 3})  # spawn_key[0]


# --- seeded streams and batches ---------------------------------------------------------------


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


# --- one training step through the engine's layers --------------------------------------------


class _Step:
    """Forward and backward through the network, in training mode (or evaluation mode forward).

    Computes what ``MLP.forward``/``MLP.backward`` compute, in the same order (dense →
    [batch norm] → activation → [dropout], around a skip when the widths match; a dense
    output layer), with the dense and activation arithmetic written out and batch norm and
    dropout from :mod:`optiviz.nn.layers`, but without the per-call checks of the tree API.
    The gradient is written into one flat buffer in :class:`Layout` order, reused by every
    call (the optimizers never keep it). The tests check it equals
    ``MLP.forward``/``MLP.backward`` exactly.
    """

    def __init__(self, net: MLP, layout: Layout):
        self.hidden = []
        for h, skip in zip(net.hidden, net.skips):
            self.hidden.append((
                batch_norm(h, net.bn_momentum, net.bn_eps) if net.batch_norm else None,
                get_activation(net.activation, net.alpha),
                dropout(net.keep_prob) if net.keep_prob < 1 else None,
                skip,
            ))
        # the gradient is written in place into one buffer laid out like θ (no concatenation)
        self.grad = np.zeros(layout.size)
        self.grads = layout.views(self.grad)

    def forward(self, P, S, x, rng, training=True):
        """(logits, caches, new_state) for the batch x; ``training=False`` is evaluation mode, as MLP.forward."""
        caches, new_state = [], []
        for (bn, act, drop, skip), p, s in zip(self.hidden, P, S):
            c_lin = x
            h = x @ p["W"] + p["b"]
            c_bn = c_drop = None
            if bn is not None:
                h, c_bn, s = bn.forward(p, s, h, training)
            z = h
            h = act.value(z)
            if drop is not None and training:
                h, c_drop, _ = drop.forward(p, s, h, True, rng)
            x = x + h if skip else h
            caches.append((c_lin, c_bn, z, c_drop))
            new_state.append(s)
        out = P[-1]
        logits = x @ out["W"] + out["b"]
        caches.append(x)
        new_state.append(S[-1])
        return logits, caches, new_state

    def backward(self, P, caches, dlogits) -> np.ndarray:
        """∂L/∂θ from δ = ∂L/∂logits, in a buffer this step reuses: the next call overwrites it."""
        G = self.grads
        x = caches[-1]
        np.matmul(x.T, dlogits, out=G[-1]["W"])
        dlogits.sum(axis=0, out=G[-1]["b"])
        delta = dlogits @ P[-1]["W"].T
        for i in range(len(self.hidden) - 1, -1, -1):
            bn, act, drop, skip = self.hidden[i]
            c_lin, c_bn, z, c_drop = caches[i]
            d = delta
            if drop is not None:
                d, _ = drop.backward(P[i], c_drop, d)
            d = d * act.derivative(z)
            if bn is not None:
                d, g_bn = bn.backward(P[i], c_bn, d)
                G[i]["gamma"][...] = g_bn["gamma"]
                G[i]["beta"][...] = g_bn["beta"]
            np.matmul(c_lin.T, d, out=G[i]["W"])
            d.sum(axis=0, out=G[i]["b"])
            if i:  # ∂L/∂x of the first layer is not needed
                dx = d @ P[i]["W"].T
                delta = delta + dx if skip else dx
        return self.grad


# --- settings and checks at the boundary -------------------------------------------------------


class OptimizerSetting(NamedTuple):
    """One optimizer of a comparison: its name, its own α₀ (None: the common one) and hyperparameters."""

    name: str
    learning_rate: float | None = None
    hyperparameters: tuple[tuple[str, float], ...] = ()
    label: str | None = None  # shown on figures; default the name


def optimizer_setting(value) -> OptimizerSetting:
    """An OptimizerSetting from a name, a mapping {"name": …, "learning_rate": …, **hyper} or a setting."""
    if isinstance(value, OptimizerSetting):
        setting = value
    elif isinstance(value, str):
        setting = OptimizerSetting(value)
    elif isinstance(value, Mapping):
        rest = dict(value)
        name = rest.pop("name", None)
        lr = rest.pop("learning_rate", None)
        label = rest.pop("label", None)
        hyper = rest.pop("hyperparameters", None) or rest
        setting = OptimizerSetting(name, lr, tuple(sorted(dict(hyper).items())), label)
    else:
        raise ValueError(f"optimizer must be a name such as 'adam' or an OptimizerSetting, got {value!r}")
    if setting.name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {setting.name!r}; choose one of {', '.join(OPTIMIZERS)}")
    make_optimizer(setting.name, **dict(setting.hyperparameters))  # checks the hyperparameters
    if setting.learning_rate is not None:
        check_number("learning_rate", setting.learning_rate, low=0.0, low_open=True)
    return setting


# --- the work a run does, and the caps on it ----------------------------------------------------


def layer_sizes(net: MLP) -> tuple[int, ...]:
    """(input, hidden…, output) widths of the network."""
    return (net.input_dim, *net.hidden, net.output_dim)


def weight_count(net: MLP) -> int:
    """Σ n_in·n_out over the dense layers: the multiply-adds of one point's forward pass."""
    sizes = layer_sizes(net)
    return sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))


def layer_operations(net: MLP) -> int:
    """Layer calls per step, as counted by the MAX_STEP_WORK cap (see the module docstring)."""
    per_hidden = 2 + 4 * net.batch_norm + (net.keep_prob < 1)
    return len(net.hidden) * per_hidden + 1 + 2


def steps_per_epoch(n_train: int, batch_size: int | None, batch_norm: bool = False) -> int:
    """Optimizer steps in one epoch: ⌈N/B⌉, one fewer when batch norm merges a last batch of 1."""
    return len(batch_bounds(n_train, batch_size or n_train, 2 if batch_norm else 1))


def work(net: MLP, n_train: int, n_val: int, epochs: int, grid_size: int | None = DEFAULT_GRID_SIZE) -> int:
    """epochs × (4 N_train + N_val + grid_size²) × weights, the quantity MAX_WORK caps."""
    return epochs * (4 * n_train + n_val + (grid_size or 0) ** 2) * weight_count(net)


def step_work(net: MLP, n_train: int, batch_size: int | None, epochs: int) -> int:
    """steps × layer operations, the quantity MAX_STEP_WORK caps."""
    return steps_per_epoch(n_train, batch_size, net.batch_norm) * epochs * layer_operations(net)


def max_epochs(net: MLP, n_train: int, n_val: int = 0, batch_size: int | None = None,
               grid_size: int | None = DEFAULT_GRID_SIZE) -> int:
    """The most epochs the caps allow for this network, data, batch size and grid (0: none)."""
    by_work = MAX_WORK // max(1, work(net, n_train, n_val, 1, grid_size))
    by_steps = MAX_STEP_WORK // max(1, step_work(net, n_train, batch_size, 1))
    return int(min(MAX_EPOCHS, by_work, by_steps))


def check_network(net) -> MLP:
    """``net`` if it is an MLP within the depth and width caps (ValueError naming ``hidden`` otherwise)."""
    if not isinstance(net, MLP):
        raise ValueError(f"net must be an optiviz.nn.MLP, got {type(net).__name__}")
    if len(net.hidden) > MAX_DEPTH:
        raise ValueError(f"hidden must have at most {MAX_DEPTH} layers (depth cap), got {len(net.hidden)}")
    if max(layer_sizes(net)) > MAX_WIDTH:
        raise ValueError(f"hidden must have widths of at most {MAX_WIDTH} units (width cap), "
                         f"got layer sizes {layer_sizes(net)}")
    return net


def _check_caps(net, n_train, n_val, batch_size, epochs, grid_size) -> None:
    if work(net, n_train, n_val, epochs, grid_size) > MAX_WORK:
        most = max_epochs(net, n_train, n_val, batch_size, grid_size)
        raise ValueError(
            f"epochs must be at most {most} for {n_train + n_val} samples, layer sizes {layer_sizes(net)}"
            f"{f' and a {grid_size}² grid' if grid_size else ''} (work cap: epochs × (4 N_train + N_val + grid"
            f" points) × weights ≤ {MAX_WORK:,}); use fewer epochs, samples or units, got {epochs}")
    if step_work(net, n_train, batch_size, epochs) > MAX_STEP_WORK:
        least = next((b for b in range(batch_size, n_train + 1)
                      if step_work(net, n_train, b, epochs) <= MAX_STEP_WORK), None)
        hint = f"at least {least}" if least else "larger, or use fewer epochs"
        raise ValueError(
            f"batch_size must be {hint} for {n_train} training points, {epochs} epochs and this network "
            f"(step cap: steps × layer operations ≤ {MAX_STEP_WORK:,}), got {batch_size}")


def _check_split(data, net: MLP) -> Split:
    try:
        X_train, y_train, X_val, y_val = data
    except (TypeError, ValueError):
        raise ValueError("data must be a Split (X_train, y_train, X_val, y_val), e.g. from train_val_split") from None
    X_train = check_table("X_train", X_train, width=net.input_dim)
    if X_val is None or len(X_val) == 0:
        X_val, y_val = np.empty((0, net.input_dim)), np.empty(0, dtype=np.int64)
    else:
        X_val = check_table("X_val", X_val, width=net.input_dim)
    samples = len(X_train) + len(X_val)
    if samples > MAX_SAMPLES:
        raise ValueError(f"samples (training + validation) must be at most {MAX_SAMPLES}, got {samples}")
    return Split(X_train, np.asarray(y_train), X_val, np.asarray(y_val))


def _loss_name(loss, net: MLP) -> str:
    if loss is None:
        return "binary_cross_entropy" if net.output_dim == 1 else "softmax_cross_entropy"
    get_loss(loss)  # ValueError naming the choices
    if loss == "softmax_cross_entropy" and net.output_dim < 2:
        raise ValueError("loss softmax_cross_entropy needs output_dim ≥ 2 (one logit per class)")
    if loss == "binary_cross_entropy" and net.output_dim != 1:
        raise ValueError("loss binary_cross_entropy needs output_dim = 1")
    return loss


def _targets(name: str, y, n: int, loss: str, outputs: int) -> tuple[np.ndarray, np.ndarray]:
    """(targets for the loss, labels for accuracy): BCE (n, 1) floats, softmax one-hot (n, C), MSE (n, K)."""
    y = np.asarray(y)
    if loss == "mean_squared_error":
        t = np.asarray(y, dtype=float) if y.dtype.kind in "iufb" else None
        if t is not None and t.shape == (n,) and outputs == 1:
            t = t.reshape(n, 1)
        if t is None or t.shape != (n, outputs) or not np.isfinite(t).all():
            raise ValueError(f"{name} must hold {n} finite targets of width {outputs}, got shape {y.shape}")
        return t, t
    classes = 2 if loss == "binary_cross_entropy" else outputs
    ok = y.shape == (n,) and y.dtype.kind in "iufb"
    if ok and n:
        ok = bool(np.all(y == np.round(y)) and y.min() >= 0 and y.max() < classes)
    if not ok:
        raise ValueError(f"{name} must hold {n} class labels in 0..{classes - 1} (shape ({n},))")
    labels = y.astype(np.int64)
    if loss == "binary_cross_entropy":
        return labels[:, None].astype(float), labels
    return np.eye(classes)[labels], labels


def _accuracy(loss: str, logits: np.ndarray, labels: np.ndarray) -> float:
    """Share of points whose predicted class (σ(z) > ½, i.e. z > 0, or the argmax) is the label.

    NaN for mean squared error (a regression) and for an empty set.
    """
    if loss == "mean_squared_error" or len(labels) == 0:
        return math.nan
    predicted = logits[:, 0] > 0 if loss == "binary_cross_entropy" else np.argmax(logits, axis=1)
    return float(np.mean(predicted == labels))


# --- the entry points ---------------------------------------------------------------------------


class RunSettings(NamedTuple):
    """One training run's settings after :func:`check_run`: clamped, named and fitted."""

    epochs: int
    batch_size: int
    loss: str
    l1: float
    l2: float
    penalty: object  # the elastic net Ω of (l1, l2)
    patience: int | None
    augmentation: dict
    augmenting: bool
    preprocessing: object  # fitted on the training split


def check_run(net: MLP, data: Split, learning_rate: float, *, schedule, decay_rate, epochs, batch_size, loss, l1, l2,
              patience, jitter, rotation, reflect, preprocessing) -> RunSettings:
    """The settings :func:`train` takes, checked once (ValueError naming the input); B ≥ N is full batch."""
    n_train, n_val = len(data.X_train), len(data.X_val)
    scheduled_rate(schedule, learning_rate, decay_rate, 0)  # checks the schedule's name and k
    epochs = check_int("epochs", epochs, low=1, high=MAX_EPOCHS)
    batch_size = n_train if batch_size is None else min(check_int("batch_size", batch_size, low=1), n_train)
    if net.batch_norm and batch_size < 2:
        raise ValueError("batch_size must be at least 2 with batch norm (batch statistics need two points)")
    loss = _loss_name(loss, net)
    l1, l2 = check_number("l1", l1, low=0.0), check_number("l2", l2, low=0.0)
    if patience is not None:
        patience = check_int("patience", patience, low=1)
        if n_val == 0:
            raise ValueError("patience (early stopping) needs validation points: set a validation fraction > 0")
    augmentation = dict(jitter=jitter, rotation=rotation, reflect=reflect)
    augment(np.zeros((1, 2)), 0, **augmentation)  # checks the three settings, naming a bad one
    augmenting = bool(jitter or rotation or reflect not in (False, "none"))
    if augmenting and net.input_dim != 2:
        raise ValueError("jitter, rotation and reflect augment 2-D points only")
    return RunSettings(epochs, batch_size, loss, l1, l2, elastic_net(l1, l2), patience, augmentation, augmenting,
                       fit_preprocessing(preprocessing, data.X_train))


def train(
    net: MLP,
    data: Split,
    optimizer="sgd",
    *,
    learning_rate: float = 0.01,
    schedule: str = "constant",
    decay_rate: float = 0.0,
    batch_size: int | None = 32,
    epochs: int = 50,
    loss: str | None = None,
    l1: float = 0.0,
    l2: float = 0.0,
    patience: int | None = None,
    jitter: float = 0.0,
    rotation: float = 0.0,
    reflect=False,
    preprocessing: str = "none",
    seed: int = 0,
    grid_size: int = DEFAULT_GRID_SIZE,
    grid_every: int = 1,
    bounds=None,
    record_grid: bool = True,
    record_params: bool | None = None,
    initial: tuple[list, list] | None = None,
    progress: ProgressCallback | None = None,
) -> TrainingResult:
    """Train ``net`` on ``data`` with one optimizer, recording every epoch (see the module docstring).

    Parameters
    ----------
    net : the MLP (caps: depth ≤ MAX_DEPTH, widths ≤ MAX_WIDTH).
    data : Split (X_train, y_train, X_val, y_val) of RAW points; X_val may be empty.
    optimizer : a name from ``optiviz.optimizers.OPTIMIZERS``, a mapping
        ``{"name": "momentum", "momentum": 0.9, "learning_rate": 0.1}`` or an OptimizerSetting.
    learning_rate, schedule, decay_rate : α₀ (unless the optimizer carries its own) and the
        per-epoch schedule α_e = learning_rate(schedule, α₀, k, e − 1).
    batch_size : B; None or ≥ N is full batch, 1 single-sample. Batch norm needs B ≥ 2, and
        merges a last batch of 1 into the one before.
    loss : None picks binary cross-entropy (one output) or softmax cross-entropy (C ≥ 2 outputs);
        "mean_squared_error" trains a regression (accuracy is NaN).
    l1, l2 : λ₁, λ₂ of Ω(W) = λ₁Σ|W| + (λ₂/2)ΣW², on weights only.
    patience : early stopping: stop once ``patience`` epochs pass without a new lowest validation
        loss, and restore the weights and batch-norm state of the best epoch (epoch 0 included).
    jitter, rotation, reflect : augmentation (``datasets.augment``) of the training points, drawn
        afresh every epoch for every point; never applied to validation or to the recorded losses.
    preprocessing : none, centre, standardise or whiten; fitted on the training split only.
    seed : int ≥ 0 seeding every stream (initial weights, shuffles, augmentation, dropout).
    grid_size, grid_every, bounds, record_grid : predictions on a grid_size × grid_size grid over
        ``bounds`` ((x0, x1), (y0, y1)) of the raw input plane (default: ``view_bounds`` of all the
        points), every ``grid_every`` epochs and at the last one, as float32; 2-D inputs only.
    record_params : keep θ after every epoch (None: when (epochs + 1) × |θ| ≤ MAX_PARAM_VALUES).
    initial : (params, state) to start from, instead of drawing them from the "init" stream.
    progress : called as progress(epoch, epochs) after each recorded epoch 0, 1, … .
    """
    net = check_network(net)
    data = _check_split(data, net)
    n_train, n_val = len(data.X_train), len(data.X_val)
    setting = optimizer_setting(optimizer)
    label = setting.label or setting.name
    lr0 = setting.learning_rate if setting.learning_rate is not None else learning_rate
    lr0 = check_number("learning_rate", lr0, low=0.0, low_open=True)
    seed = check_int("seed", seed, low=0)
    run = check_run(net, data, lr0, schedule=schedule, decay_rate=decay_rate, epochs=epochs, batch_size=batch_size,
                    loss=loss, l1=l1, l2=l2, patience=patience, jitter=jitter, rotation=rotation, reflect=reflect,
                    preprocessing=preprocessing)
    epochs, batch_size, loss, l1, l2, penalty, patience, augmentation, augmenting, prep = run
    grid_on = bool(record_grid) and net.input_dim == 2
    if grid_on:
        grid_size = check_int("grid_size", grid_size, low=2, high=MAX_GRID_SIZE)
        grid_every = check_int("grid_every", grid_every, low=1)
        frames = epochs // grid_every + 2
        per_point = 1 if loss == "binary_cross_entropy" else net.output_dim
        if frames * grid_size**2 * per_point > MAX_GRID_VALUES:
            raise ValueError(f"grid_size must be smaller, or grid_every larger, for {epochs} epochs (cap: frames × "
                             f"grid_size² × outputs ≤ {MAX_GRID_VALUES:,}), got grid_size {grid_size}")
    _check_caps(net, n_train, n_val, batch_size, epochs, grid_size if grid_on else None)
    Y_train, labels_train = _targets("y_train", data.y_train, n_train, loss, net.output_dim)
    Y_val, labels_val = _targets("y_val", data.y_val, n_val, loss, net.output_dim)

    # the initial network
    params0, state0 = net.init(stream(seed, "init"))
    layout = Layout.of(params0, net.weight_keys)  # the network's own structure
    if initial is not None:
        try:
            params0, state0 = initial
        except (TypeError, ValueError):
            raise ValueError("initial must be a pair (params, state) from net.init(rng)") from None
    theta = layout.flatten(params0, "initial params")
    state0 = copy_state(state0)
    X_train = apply(prep, data.X_train)
    try:
        with np.errstate(all="ignore"):
            net.forward(layout.views(theta), state0, X_train[:1])  # checks that params and state fit
    except ValueError as error:
        raise ValueError(f"initial (params, state) does not fit this network: {error}") from None
    if record_params is None:
        record_params = (epochs + 1) * layout.size <= MAX_PARAM_VALUES
    elif record_params and (epochs + 1) * layout.size > MAX_PARAM_VALUES:
        raise ValueError(f"record_params needs (epochs + 1) × parameters ≤ {MAX_PARAM_VALUES:,}; "
                         f"this run has {(epochs + 1) * layout.size:,}")

    # evaluation inputs, preprocessed once: training, validation and grid points in one forward pass
    parts = [X_train, apply(prep, data.X_val) if n_val else np.empty((0, net.input_dim))]
    grid_x = grid_y = None
    if grid_on:
        if bounds is None:
            bounds = view_bounds(np.concatenate([data.X_train, data.X_val]))
        grid_x, grid_y, points = grid_points(bounds, grid_size)
        parts.append(apply(prep, points.reshape(-1, 2)))
    X_eval = np.concatenate(parts)
    loss_fn, gradient_fn = partial(losses.mean, loss), partial(losses.gradient, loss)
    n_w, w_starts = layout.n_weights, layout.weight_offsets
    penalized = l1 > 0 or l2 > 0

    n_seen = n_train + n_val

    def evaluate(theta_, state_, with_grid):
        """[train_loss, val_loss, train_acc, val_acc, Ω], weight norms and (with_grid) grid predictions."""
        x = X_eval if with_grid else X_eval[:n_seen]
        P = views if theta_ is theta else layout.views(theta_)
        # in blocks of EVAL_ROWS points: small products stay on one BLAS thread (see EVAL_ROWS)
        logits = np.concatenate([step.forward(P, state_, x[a:a + EVAL_ROWS], None, False)[0]
                                 for a in range(0, len(x), EVAL_ROWS)])
        zt, zv = logits[:n_train], logits[n_train:n_seen]
        row = [loss_fn(zt, Y_train), loss_fn(zv, Y_val) if n_val else math.nan,
               _accuracy(loss, zt, labels_train), _accuracy(loss, zv, labels_val),
               penalty.value(theta_[:n_w]) if penalized else 0.0]
        w = theta_[:n_w]
        grid = None
        if with_grid:
            p = probabilities(loss, logits[n_seen:])
            grid = p.reshape((grid_size, grid_size) + p.shape[1:]).astype(np.float32)
        return row, np.sqrt(np.add.reduceat(w * w, w_starts)), grid

    opt = make_optimizer(setting.name, **dict(setting.hyperparameters))
    step = _Step(net, layout)
    batches = batch_bounds(n_train, batch_size, 2 if net.batch_norm else 1)
    views, state = layout.views(theta), state0
    opt_state = opt.init(theta)
    rows, weight_norms, grad_norms, grids, grid_epochs, thetas = [], [], [], [], [], []
    best = kept = None  # (epoch, θ, state) of the lowest validation loss / of the last recorded epoch
    best_loss, stopped_at, diverged_at, total_steps = math.inf, None, None, 0
    no_gradient = np.full(len(w_starts), math.nan)
    with np.errstate(all="ignore"):  # overflow is a lesson here: it is reported as diverged_at
        for epoch in range(epochs + 1):
            lr, g_norms = math.nan, no_gradient
            if epoch:
                lr = float(scheduled_rate(schedule, lr0, decay_rate, epoch - 1))
                order = stream(seed, "shuffle", epoch).permutation(n_train)
                if augmenting:  # raw points, transformed, then preprocessed as fitted on the clean split
                    Xe = apply(prep, augment(data.X_train[order], stream(seed, "augment", epoch), **augmentation))
                else:
                    Xe = X_train[order]
                Ye = Y_train[order]
                rng = stream(seed, "dropout", epoch) if net.keep_prob < 1 else None
                squares = np.zeros(n_w)
                for a, b in batches:
                    logits, caches, state = step.forward(views, state, Xe[a:b], rng)
                    g = step.backward(views, caches, gradient_fn(logits, Ye[a:b]))
                    if penalized:
                        g[:n_w] += penalty.gradient(theta[:n_w])
                    gw = g[:n_w]
                    squares += gw * gw
                    delta, opt_state = opt.update(g, opt_state, lr)
                    theta += delta
                total_steps += len(batches)
                g_norms = np.sqrt(np.add.reduceat(squares, w_starts) / len(batches))
            row, w_norms, grid = evaluate(theta, state, grid_on and epoch % grid_every == 0)
            finite = math.isfinite(row[0]) and bool(np.isfinite(theta).all())
            if epoch and not finite:
                diverged_at = epoch
                break
            rows.append([label, epoch, total_steps, lr, *row])
            weight_norms.append(w_norms)
            grad_norms.append(g_norms)
            if grid is not None:
                grid_epochs.append(epoch)
                grids.append(grid)
            if record_params:
                thetas.append(theta.copy())
            kept = (epoch, thetas[-1] if record_params else theta.copy(), copy_state(state))
            if progress is not None:
                progress(epoch, epochs)
            if not finite:  # the initial network itself (e.g. σ = 1e300): nothing to train
                diverged_at = 0
                break
            if patience is not None:
                if row[1] < best_loss:
                    best_loss, best = row[1], kept
                elif epoch - best[0] >= patience:
                    stopped_at = epoch
                    break
        if grid_on and grid_epochs[-1] != kept[0]:  # the grid of the last recorded epoch, too
            grid_epochs.append(kept[0])
            grids.append(evaluate(kept[1], kept[2], True)[2])
    final_epoch, final_theta, final_state = best if best is not None else kept

    n_layers = len(w_starts)
    return TrainingResult(
        optimizer=label,
        history=pd.DataFrame(rows, columns=HISTORY_COLUMNS),
        layer_names=tuple([f"hidden {i + 1}" for i in range(len(net.hidden))] + ["output"]),
        weight_norms=np.array(weight_norms).reshape(len(rows), n_layers),
        grad_norms=np.array(grad_norms).reshape(len(rows), n_layers),
        grid_x=grid_x,
        grid_y=grid_y,
        grids=np.stack(grids) if grid_on else None,
        grid_epochs=np.array(grid_epochs, dtype=np.int64) if grid_on else None,
        param_vectors=np.stack(thetas) if record_params else None,
        layout=layout,
        params=layout.unflatten(final_theta),
        state=copy_state(final_state),
        initial_params=layout.unflatten(layout.flatten(params0)),
        initial_state=state0,
        best_epoch=int(final_epoch),
        stopped_at=stopped_at,
        diverged_at=diverged_at,
        net=net,
        preprocessing=prep,
        loss=loss,
        settings=dict(optimizer=setting.name, hyperparameters=dict(setting.hyperparameters), learning_rate=lr0,
                      schedule=schedule, decay_rate=decay_rate, batch_size=batch_size, epochs=epochs, loss=loss,
                      l1=l1, l2=l2, patience=patience, jitter=jitter, rotation=rotation, reflect=reflect,
                      preprocessing=preprocessing, seed=seed, grid_size=grid_size if grid_on else None,
                      grid_every=grid_every if grid_on else None, record_params=bool(record_params)),
    )


def compare(
    net: MLP,
    data: Split,
    optimizers: Sequence = ("sgd", "momentum", "rmsprop", "adam"),
    *,
    seed: int = 0,
    progress: ProgressCallback | None = None,
    **settings,
) -> Comparison:
    """Train ``net`` with up to MAX_OPTIMIZERS optimizers, fairly.

    Every run starts from the same initial weights (drawn once from the "init" stream of
    ``seed``) and sees the same shuffles, augmentation draws and dropout masks (see the
    module docstring): the runs differ only by their update rule.

    ``optimizers`` are names, mappings or OptimizerSettings (each may carry its own learning
    rate and hyperparameters); ``settings`` are the other keyword arguments of :func:`train`.
    A repeated label gets a number: a second "adam" is "adam (2)". ``progress(done, total)``
    counts epochs over all the runs.
    """
    net = check_network(net)
    if isinstance(optimizers, (str, Mapping, OptimizerSetting)):
        optimizers = [optimizers]
    setups = [optimizer_setting(o) for o in optimizers]
    if not 1 <= len(setups) <= MAX_OPTIMIZERS:
        raise ValueError(f"optimizers must list 1 to {MAX_OPTIMIZERS} optimizers, got {len(setups)}")
    for key in ("optimizer", "initial"):
        if key in settings:
            raise ValueError(f"{key} is chosen by compare itself: pass optimizers=[...] instead")
    seed = check_int("seed", seed, low=0)
    epochs = check_int("epochs", settings.get("epochs", 50), low=1, high=MAX_EPOCHS)
    initial = net.init(stream(seed, "init"))
    seen: dict[str, int] = {}
    results = []
    total = epochs * len(setups)
    for i, setup in enumerate(setups):
        label = setup.label or setup.name
        seen[label] = seen.get(label, 0) + 1
        if seen[label] > 1:
            label = f"{label} ({seen[label]})"
        def report(epoch, _epochs, offset=i * epochs):
            progress(offset + epoch, total)

        results.append(train(net, data, setup._replace(label=label), seed=seed, initial=initial,
                             progress=report if progress is not None else None, **settings))
        if progress is not None:
            progress((i + 1) * epochs, total)
    return Comparison(tuple(results))
