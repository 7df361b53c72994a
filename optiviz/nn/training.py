"""Train an MLP on 2-D data with the optimizer engine: the loop behind the "train a network" lab.

One epoch is one pass over the shuffled training split in mini-batches of ``batch_size``
(``batch_size = N`` full-batch gradient descent, ``1`` single-sample, anything between:
mini-batch). Each step of an epoch does

    g = ∂/∂θ [ L(f(X_b; θ), y_b) + Ω(W) ],   (Δθ, s) = update(g, s, α_e),   θ ← θ + Δθ,

with the update rules of :mod:`optiviz.core.optimizers` (the same code as the optimizer race)
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

The code: :func:`_prepare` checks every input once; :func:`_run` loops over the epochs;
:func:`_epoch` runs one epoch of steps through the network's unchecked cores
(``MLP.forward_unchecked``/``backward_unchecked`` with the buffers of ``MLP.buffers``, the
gradient written in place into one flat buffer laid out like θ); :class:`_Recorder` keeps the
records and applies early stopping (``regularizers.stop_rule``); :func:`_result` assembles them.

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

Caps on the work (ValueError naming the input), so that one training run (one optimizer;
compare runs up to 4) stays within a few seconds; ``benchmarks/bench_training.py`` times it:

* samples (training + validation) ≤ MAX_SAMPLES, depth ≤ MAX_DEPTH hidden layers,
  widths ≤ MAX_WIDTH, epochs ≤ MAX_EPOCHS;
* arithmetic, ``work`` = epochs × (4 N_train + N_val + G) × weights ≤ MAX_WORK multiply-adds,
  where weights = Σ n_in·n_out, the backward and forward pass of a training point cost about
  3 evaluations, and each epoch evaluates the training, validation and G grid points once;
* Python work of small batches, ``step_work`` = steps × layer operations ≤ MAX_STEP_WORK,
  with one operation per dense layer, activation and dropout, four per batch norm (it costs
  that much), and two per step for the loss gradient and the update.

:func:`max_epochs` gives the most epochs these allow, for showing the caps beside the controls.
"""

from __future__ import annotations

import math
from typing import Mapping, NamedTuple, Sequence

import numpy as np
import pandas as pd

from optiviz.core.checks import check_int, check_number, check_table
from optiviz.core.datasets import MAX_SAMPLES as DATASET_MAX_SAMPLES
from optiviz.core.datasets import Split, apply, augment, fit_preprocessing, grid_points, view_bounds
from optiviz.core.optimizers import OPTIMIZERS, make_optimizer
from optiviz.core.schedules import learning_rate as scheduled_rate
from optiviz.nn import losses
from optiviz.nn.losses import get_loss
from optiviz.nn.network import MLP
from optiviz.nn.penalties import elastic_net
from optiviz.nn.records import (HISTORY_COLUMNS, Comparison, Layout, ProgressCallback, TrainingResult, copy_state,
                                probabilities)
from optiviz.nn.regularizers import stop_rule
from optiviz.nn.streams import STREAMS, batch_bounds, epoch_batches, stream  # noqa: F401  (STREAMS, epoch_batches: re-exported)

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


# --- the settings of a run ---------------------------------------------------------------------


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


# --- one run, checked once: the inputs of the loop ----------------------------------------------


class _Run(NamedTuple):
    """What one training run needs, checked once by :func:`_prepare`; the loop checks nothing again."""

    net: MLP
    setting: OptimizerSetting
    label: str
    lr0: float
    seed: int
    settings: RunSettings
    batches: list  # (start, stop) of each step's batch in a shuffled epoch
    data: Split  # the raw points (augmentation draws from them)
    X_train: np.ndarray  # preprocessed training points
    Y_train: np.ndarray  # targets for the loss, (n, outputs)
    labels_train: np.ndarray
    Y_val: np.ndarray
    labels_val: np.ndarray
    X_eval: np.ndarray  # training, validation and grid points, preprocessed
    grid: tuple | None  # (grid_x, grid_y, grid_size, grid_every) when grids are recorded
    layout: Layout
    params0: list
    state0: list
    theta0: np.ndarray
    record_params: bool


def _check_grid(net: MLP, loss: str, epochs: int, record_grid, grid_size, grid_every) -> tuple | None:
    """(grid_size, grid_every) checked against the grid cap, or None when no grid is recorded."""
    if not (bool(record_grid) and net.input_dim == 2):
        return None
    grid_size = check_int("grid_size", grid_size, low=2, high=MAX_GRID_SIZE)
    grid_every = check_int("grid_every", grid_every, low=1)
    frames = epochs // grid_every + 2
    per_point = 1 if loss == "binary_cross_entropy" else net.output_dim
    if frames * grid_size**2 * per_point > MAX_GRID_VALUES:
        raise ValueError(f"grid_size must be smaller, or grid_every larger, for {epochs} epochs (cap: frames × "
                         f"grid_size² × outputs ≤ {MAX_GRID_VALUES:,}), got grid_size {grid_size}")
    return grid_size, grid_every


def _initial_network(net: MLP, seed: int, initial, X_train: np.ndarray):
    """(layout, params0, state0, θ0): drawn from the "init" stream, or ``initial`` checked against the network."""
    params0, state0 = net.init(stream(seed, "init"))
    layout = Layout.of(params0, net.weight_keys)  # the network's own structure
    if initial is not None:
        try:
            params0, state0 = initial
        except (TypeError, ValueError):
            raise ValueError("initial must be a pair (params, state) from net.init(rng)") from None
    theta = layout.flatten(params0, "initial params")
    state0 = copy_state(state0)
    try:
        with np.errstate(all="ignore"):
            net.forward(layout.views(theta), state0, X_train[:1])  # checks that params and state fit
    except ValueError as error:
        raise ValueError(f"initial (params, state) does not fit this network: {error}") from None
    return layout, params0, state0, theta


def _prepare(net, data, optimizer, learning_rate, seed, settings, grid_settings, record_params, initial) -> _Run:
    """Every input of :func:`train` checked once (ValueError naming it), and the initial network."""
    net = check_network(net)
    data = _check_split(data, net)
    n_train, n_val = len(data.X_train), len(data.X_val)
    setting = optimizer_setting(optimizer)
    lr0 = setting.learning_rate if setting.learning_rate is not None else learning_rate
    lr0 = check_number("learning_rate", lr0, low=0.0, low_open=True)
    seed = check_int("seed", seed, low=0)
    run = check_run(net, data, lr0, **settings)
    record_grid, grid_size, grid_every, bounds = grid_settings
    grid = _check_grid(net, run.loss, run.epochs, record_grid, grid_size, grid_every)
    _check_caps(net, n_train, n_val, run.batch_size, run.epochs, grid[0] if grid else None)
    Y_train, labels_train = _targets("y_train", data.y_train, n_train, run.loss, net.output_dim)
    Y_val, labels_val = _targets("y_val", data.y_val, n_val, run.loss, net.output_dim)
    X_train = apply(run.preprocessing, data.X_train)
    layout, params0, state0, theta0 = _initial_network(net, seed, initial, X_train)
    if record_params is None:
        record_params = (run.epochs + 1) * layout.size <= MAX_PARAM_VALUES
    elif record_params and (run.epochs + 1) * layout.size > MAX_PARAM_VALUES:
        raise ValueError(f"record_params needs (epochs + 1) × parameters ≤ {MAX_PARAM_VALUES:,}; "
                         f"this run has {(run.epochs + 1) * layout.size:,}")
    # evaluation inputs, preprocessed once: training, validation and grid points in one forward pass
    parts = [X_train, apply(run.preprocessing, data.X_val) if n_val else np.empty((0, net.input_dim))]
    if grid:
        if bounds is None:
            bounds = view_bounds(np.concatenate([data.X_train, data.X_val]))
        grid_x, grid_y, points = grid_points(bounds, grid[0])
        parts.append(apply(run.preprocessing, points.reshape(-1, 2)))
        grid = (grid_x, grid_y, *grid)
    batches = batch_bounds(n_train, run.batch_size, 2 if net.batch_norm else 1)
    return _Run(net, setting, setting.label or setting.name, lr0, seed, run, batches, data, X_train, Y_train,
                labels_train, Y_val, labels_val, np.concatenate(parts), grid, layout, params0, state0, theta0,
                bool(record_params))


# --- the loop: evaluation, one epoch, the recorder ----------------------------------------------


def _evaluate(r: _Run, theta: np.ndarray, state, with_grid: bool, P=None, buffers: dict | None = None):
    """([train_loss, val_loss, train_acc, val_acc, Ω], ‖W_l‖ per layer, grid predictions or None), evaluation mode.

    ``P``: the parameter tree viewing ``theta``, when the caller holds one; ``buffers``: a dict the caller keeps
    across calls, where the blocks' buffers are made once (:func:`_eval_blocks`).
    """
    n_train, n_seen = len(r.Y_train), len(r.Y_train) + len(r.Y_val)
    x = r.X_eval if with_grid else r.X_eval[:n_seen]
    P, loss = r.layout.views(theta) if P is None else P, r.settings.loss
    logits, blocks = _eval_blocks(r.net, len(x), {} if buffers is None else buffers)
    for rows, work in blocks:
        r.net.forward_unchecked(P, state, x[rows], buffers=work)
    zt, zv = logits[:n_train], logits[n_train:n_seen]
    w = theta[:r.layout.n_weights]
    penalized = r.settings.l1 > 0 or r.settings.l2 > 0
    row = [losses.mean(loss, zt, r.Y_train), losses.mean(loss, zv, r.Y_val) if len(zv) else math.nan,
           _accuracy(loss, zt, r.labels_train), _accuracy(loss, zv, r.labels_val),
           r.settings.penalty.value(w) if penalized else 0.0]
    grid = None
    if with_grid:
        size = r.grid[2]
        p = probabilities(loss, logits[n_seen:])
        grid = p.reshape((size, size) + p.shape[1:]).astype(np.float32)
    return row, np.sqrt(np.add.reduceat(w * w, r.layout.weight_offsets)), grid


def _eval_blocks(net: MLP, n: int, buffers: dict) -> tuple[np.ndarray, list]:
    """(logits (n, outputs), [(rows, MLP.Buffers)]) for evaluating n points in blocks of EVAL_ROWS: small products
    stay on one BLAS thread (see EVAL_ROWS), and each block writes its logits straight into its own rows.

    Made once per n and kept in ``buffers``; the blocks of one size share their other buffers.
    """
    if ("eval", n) not in buffers:
        logits, blocks = np.empty((n, net.output_dim)), []
        for a in range(0, n, EVAL_ROWS):
            rows = slice(a, min(a + EVAL_ROWS, n))
            size = rows.stop - a
            if ("eval block", size) not in buffers:
                buffers["eval block", size] = net.buffers(size)
            blocks.append((rows, buffers["eval block", size]._replace(logits=logits[rows])))
        buffers["eval", n] = logits, blocks
    return buffers["eval", n]


def _epoch_points(r: _Run, epoch: int) -> tuple[np.ndarray, np.ndarray]:
    """Epoch ``epoch``'s shuffled training points and targets (augmented afresh when augmenting)."""
    order = stream(r.seed, "shuffle", epoch).permutation(len(r.X_train))
    if r.settings.augmenting:  # raw points, transformed, then preprocessed as fitted on the clean split
        points = augment(r.data.X_train[order], stream(r.seed, "augment", epoch), **r.settings.augmentation)
        return apply(r.settings.preprocessing, points), r.Y_train.take(order, axis=0)
    return r.X_train.take(order, axis=0), r.Y_train.take(order, axis=0)  # take: X[order]'s copy, ~7× faster


class _Loop(NamedTuple):
    """The loop's working arrays: θ and the gradient buffer g, with the parameter trees viewing them, and the
    network's buffers for each batch size (``MLP.buffers``: a step makes no new arrays for its layers)."""

    theta: np.ndarray
    params: list  # views into θ
    grad: np.ndarray  # ∂J/∂θ of the last step, written in place by every step
    grads: list  # views into grad
    buffers: dict  # batch size → MLP.Buffers; and the evaluation's, see _eval_blocks

    @classmethod
    def of(cls, layout: Layout, theta: np.ndarray, net: MLP | None = None, batches=()) -> "_Loop":
        grad = np.zeros(layout.size)
        sizes = sorted({b - a for a, b in batches})
        return cls(theta, layout.views(theta), grad, layout.views(grad), {n: net.buffers(n) for n in sizes})


def _epoch(r: _Run, loop: _Loop, state, opt, opt_state, lr: float, epoch: int):
    """One epoch of steps g = ∂/∂θ [L(f(X_b; θ), y_b) + Ω(W)], (Δθ, s) = update(g, s, α), θ ← θ + Δθ.

    Returns (state, opt_state, ‖∂J/∂W_l‖ root mean square over the steps).
    """
    net, loss, n_w = r.net, r.settings.loss, r.layout.n_weights
    penalty = r.settings.penalty if r.settings.l1 > 0 or r.settings.l2 > 0 else None
    X, Y = _epoch_points(r, epoch)
    rng = stream(r.seed, "dropout", epoch) if net.keep_prob < 1 else None
    theta, P, g, G = loop.theta, loop.params, loop.grad, loop.grads
    gw, squares, square = g[:n_w], np.zeros(n_w), np.empty(n_w)
    update = opt.update_in_place or opt.update  # the loop owns its optimizer state
    for a, b in r.batches:
        work = loop.buffers[b - a]
        logits, caches, state = net.forward_unchecked(P, state, X[a:b], True, rng, work)
        dlogits = losses.gradient(loss, logits, Y[a:b], logits, work.scratch)  # over the logits: not needed again
        net.backward_unchecked(P, caches, dlogits, G, work)
        if penalty is not None:
            gw += penalty.gradient(theta[:n_w])
        np.multiply(gw, gw, out=square)
        squares += square
        delta, opt_state = update(g, opt_state, lr)
        theta += delta
    return state, opt_state, np.sqrt(np.add.reduceat(squares, r.layout.weight_offsets) / len(r.batches))


class _Recorder:
    """The per-epoch records of one run, early stopping and the weights it keeps."""

    def __init__(self, r: _Run):
        self.r = r
        self.rows, self.weight_norms, self.grad_norms, self.thetas = [], [], [], []
        self.grids, self.grid_epochs = [], []
        self.val_loss: list[float] = []
        self.kept = self.best = None  # (epoch, θ, state) of the last recorded epoch / of early stopping's best
        self.stopped_at = self.diverged_at = None

    def record(self, epoch: int, steps: int, lr: float, evaluated, g_norms, theta, state) -> bool:
        """Keep epoch ``epoch``'s records; True when training goes on, False when it stops here.

        A non-finite loss or θ after an update ends the run before its records (``diverged_at``);
        an initial network that is not finite keeps its records and ends it too.
        """
        row, w_norms, grid = evaluated
        finite = math.isfinite(row[0]) and bool(np.isfinite(theta).all())
        if epoch and not finite:
            self.diverged_at = epoch
            return False
        self.rows.append([self.r.label, epoch, steps, lr, *row])
        self.weight_norms.append(w_norms)
        self.grad_norms.append(g_norms)
        if grid is not None:
            self.grid_epochs.append(epoch)
            self.grids.append(grid)
        if self.r.record_params:
            self.thetas.append(theta.copy())
        self.kept = (epoch, self.thetas[-1] if self.r.record_params else theta.copy(), copy_state(state))
        if not finite:  # the initial network itself (e.g. σ = 1e300): nothing to train
            self.diverged_at = 0
            return False
        return self._patience(epoch, row[1])

    def _patience(self, epoch: int, val_loss: float) -> bool:
        """Early stopping (``regularizers.stop_rule``): stop once ``patience`` epochs pass without a new lowest loss."""
        patience = self.r.settings.patience
        if patience is None:
            return True
        self.val_loss.append(val_loss)
        stopped, best = stop_rule(np.array(self.val_loss), patience)
        if best == epoch:
            self.best = self.kept
        if stopped == epoch:
            self.stopped_at = epoch
            return False
        return True

    def last_grid(self) -> None:
        """The grid of the last recorded epoch, when ``grid_every`` skipped it."""
        if self.r.grid and self.grid_epochs[-1] != self.kept[0]:
            self.grid_epochs.append(self.kept[0])
            self.grids.append(_evaluate(self.r, self.kept[1], self.kept[2], True)[2])


def _result(r: _Run, rec: _Recorder, settings: dict) -> TrainingResult:
    """The TrainingResult of a finished run (the best weights when early stopping kept them)."""
    final_epoch, final_theta, final_state = rec.best if rec.best is not None else rec.kept
    n_rows, n_layers = len(rec.rows), len(r.layout.weight_offsets)
    grid_x, grid_y, grid_size, grid_every = r.grid or (None, None, None, None)
    return TrainingResult(
        optimizer=r.label,
        history=pd.DataFrame(rec.rows, columns=HISTORY_COLUMNS),
        layer_names=tuple([f"hidden {i + 1}" for i in range(len(r.net.hidden))] + ["output"]),
        weight_norms=np.array(rec.weight_norms).reshape(n_rows, n_layers),
        grad_norms=np.array(rec.grad_norms).reshape(n_rows, n_layers),
        grid_x=grid_x,
        grid_y=grid_y,
        grids=np.stack(rec.grids) if r.grid else None,
        grid_epochs=np.array(rec.grid_epochs, dtype=np.int64) if r.grid else None,
        param_vectors=np.stack(rec.thetas) if r.record_params else None,
        layout=r.layout,
        params=r.layout.unflatten(final_theta),
        state=copy_state(final_state),
        initial_params=r.layout.unflatten(r.layout.flatten(r.params0)),
        initial_state=r.state0,
        best_epoch=int(final_epoch),
        stopped_at=rec.stopped_at,
        diverged_at=rec.diverged_at,
        net=r.net,
        preprocessing=r.settings.preprocessing,
        loss=r.settings.loss,
        settings=dict(optimizer=r.setting.name, hyperparameters=dict(r.setting.hyperparameters), learning_rate=r.lr0,
                      **settings, seed=r.seed, grid_size=grid_size, grid_every=grid_every,
                      record_params=r.record_params),
    )


def _run(r: _Run, rate, progress: ProgressCallback | None) -> _Recorder:
    """Epoch 0 (the initial network), then epochs 1, 2, … at α_e = ``rate(e)``: each trained, evaluated and
    recorded, until the last epoch, divergence or early stopping."""
    epochs = r.settings.epochs
    loop = _Loop.of(r.layout, r.theta0.copy(), r.net, r.batches)
    opt = make_optimizer(r.setting.name, **dict(r.setting.hyperparameters))
    state, opt_state, rec = r.state0, opt.init(loop.theta), _Recorder(r)
    no_gradient = np.full(len(r.layout.weight_offsets), math.nan)
    with np.errstate(all="ignore"):  # overflow is a lesson here: it is reported as diverged_at
        for epoch in range(epochs + 1):
            lr, g_norms = math.nan, no_gradient
            if epoch:
                lr = rate(epoch)
                state, opt_state, g_norms = _epoch(r, loop, state, opt, opt_state, lr, epoch)
            with_grid = r.grid is not None and epoch % r.grid[3] == 0
            evaluated = _evaluate(r, loop.theta, state, with_grid, loop.params, loop.buffers)
            going = rec.record(epoch, epoch * len(r.batches), lr, evaluated, g_norms, loop.theta, state)
            if progress is not None and len(rec.rows) == epoch + 1:  # this epoch was recorded
                progress(epoch, epochs)
            if not going:
                break
        rec.last_grid()
    return rec


# --- the entry points ---------------------------------------------------------------------------


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
    optimizer : a name from ``optiviz.core.optimizers.OPTIMIZERS``, a mapping
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
    settings = dict(schedule=schedule, decay_rate=decay_rate, batch_size=batch_size, epochs=epochs, loss=loss, l1=l1,
                    l2=l2, patience=patience, jitter=jitter, rotation=rotation, reflect=reflect,
                    preprocessing=preprocessing)
    r = _prepare(net, data, optimizer, learning_rate, seed, settings, (record_grid, grid_size, grid_every, bounds),
                 record_params, initial)
    rec = _run(r, lambda epoch: float(scheduled_rate(schedule, r.lr0, decay_rate, epoch - 1)), progress)
    return _result(r, rec, settings | dict(epochs=r.settings.epochs, batch_size=r.settings.batch_size,
                                           loss=r.settings.loss, l1=r.settings.l1, l2=r.settings.l2,
                                           patience=r.settings.patience))


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
