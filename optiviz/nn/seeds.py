"""Many seeds of one training run: the curves' median, their 10–90% band, and counts over seeds.

One seed can flip a conclusion ("Adam beats SGD") that many seeds settle. ``train_seeds``
trains the same network, data and optimizer once per seed s, each run exactly
``train(net, data, optimizer, seed=s, record_grid=False, **settings)`` (its own initial
weights, shuffles, augmentation draws and dropout masks), and keeps the four curves.

    median_e = median_s L_s(e),   band_e = [q₁₀, q₉₀]_s L_s(e),   "a < b in k of S seeds".

Batched, the runs do the same arithmetic as ``train`` in the same order, up to the summation
order inside a product: the curves agree to about 1e-12. (Where round-off is amplified, it shows
sooner: Adam divides the gradient of a bias just before batch norm, zero up to round-off, by its
own size, so those steps differ from the first epoch on, by about 1e-10.)

Cost: one epoch's shuffled points are gathered once into (S, N, d) and the batches are views;
every seed's Generators come from one vectorised SeedSequence (``_Streams``, the same bits as
``stream``); a step is one batched matmul per layer into buffers kept per batch size; the
evaluation is one forward pass over the training and validation points in L2-sized blocks. What
is left is arithmetic: about 4.5 ms per extra seed of the training page's default network
(2 → 16 → 16 → 1, 280 points, 60 epochs), where one ``train`` costs about 27 ms.

Caps: seeds ≤ MAX_SEEDS; K optimizers × S seeds × (the work of one run without a grid) ≤ the
engine's MAX_WORK; and the memory of a batched step, K × S × B × Σ widths ≤ MAX_STEP_VALUES.
"""

from __future__ import annotations

import math
from typing import Mapping, NamedTuple

import numpy as np
import pandas as pd

from optiviz.core.checks import check_int, check_number
from optiviz.core.datasets import apply, augment, grid_points, view_bounds
from optiviz.core.optimizers import make_optimizer
from optiviz.core.schedules import learning_rate as scheduled_rate
from optiviz.nn.activations import get_activation
from optiviz.nn import losses
from optiviz.nn.layers import dropout_mask
from optiviz.nn.network import MLP
from optiviz.nn.records import HISTORY_COLUMNS, Comparison, Layout, ProgressCallback, TrainingResult, copy_state
from optiviz.nn.regularizers import stop_rule
from optiviz.nn.streams import STREAMS, batch_bounds, stream
from optiviz.nn.training import (DEFAULT_GRID_SIZE, MAX_EPOCHS, MAX_GRID_SIZE, MAX_OPTIMIZERS, MAX_PARAM_VALUES,
                                 MAX_STEP_WORK, MAX_WORK, OptimizerSetting, _check_caps, _check_split, _targets,
                                 check_run, check_network, layer_operations, optimizer_setting, steps_per_epoch,
                                 weight_count, work)

MAX_SEEDS = 20
EVAL_VALUES = 65_536  # values (runs × points × units) of one evaluation block per layer: 512 kB, kept in the L2 cache
MAX_STEP_VALUES = 1_000_000  # runs × batch × Σ widths held by a training step (4 buffers: 32 MB)
CURVES = ("train_loss", "val_loss", "train_acc", "val_acc")
_NOT_ALLOWED = ("seed", "initial", "record_grid", "record_params", "grid_size", "grid_every", "bounds")


class SeedCurves(NamedTuple):
    """The per-epoch curves of S runs that differ only by their seed; row s is seed ``seeds[s]``.

    Each curve is (S, E + 1), epoch 0 first; NaN after a seed diverged (``diverged_at`` ≥ 1,
    -1 = never) or stopped early (``stopped_at``, -1 = never).
    """

    seeds: np.ndarray  # (S,)
    epochs: np.ndarray  # (E + 1,) 0 … E
    train_loss: np.ndarray
    val_loss: np.ndarray
    train_acc: np.ndarray
    val_acc: np.ndarray
    diverged_at: np.ndarray  # (S,) -1 = never
    label: str
    stopped_at: np.ndarray | None = None  # (S,) epoch early stopping fired at, -1 = never


def check_seeds(seeds) -> np.ndarray:
    """The seeds as distinct integers ≥ 0, 1 to MAX_SEEDS of them (ValueError naming ``seeds``)."""
    if isinstance(seeds, (int, np.integer)):
        seeds = range(int(seeds))
    try:
        values = [check_int("seeds", s, low=0) for s in seeds]
    except TypeError:
        raise ValueError(f"seeds must be a list of integers ≥ 0 such as range(10), got {seeds!r}") from None
    if not 1 <= len(values) <= MAX_SEEDS:
        raise ValueError(f"seeds must hold 1 to {MAX_SEEDS} seeds, got {len(values)}")
    if len(set(values)) != len(values):
        raise ValueError("seeds must be distinct")
    return np.array(values, dtype=np.int64)


def seeds_work(net: MLP, n_train: int, n_val: int, epochs: int, seeds: int) -> int:
    """S × epochs × (4 N_train + N_val) × weights: the arithmetic MAX_WORK caps for S seeds (no grid)."""
    return seeds * work(net, n_train, n_val, epochs, None)


def train_seeds(net: MLP, data, optimizer="sgd", *, seeds=range(10), progress: ProgressCallback | None = None,
                **settings) -> SeedCurves:
    """One training run per seed s, each ``train(net, data, optimizer, seed=s, record_grid=False, **settings)``.

    ``settings`` are :func:`optiviz.nn.training.train`'s (learning_rate, batch_size, epochs, …)
    except seed, initial and the grid/parameter recording. ``progress(done, total)`` counts
    epochs. The seeds run together, batched on a leading axis (see :func:`compare_seeds`).
    """
    return compare_seeds(net, data, [optimizer], seeds=seeds, progress=progress, **settings)[0]


def compare_seeds(net: MLP, data, optimizers=("sgd", "adam"), *, seeds=range(10),
                  progress: ProgressCallback | None = None, **settings) -> tuple[SeedCurves, ...]:
    """:func:`train_seeds` for K optimizers at once: K × S runs, batched on leading (optimizer, seed) axes.

    Run (k, s) is ``train(net, data, optimizers[k], seed=s, record_grid=False, **settings)``. All K × S
    networks go through each step together: weights stacked as (K, S, n_in, n_out), one batched
    matmul per layer, and each optimizer's update rule on its (S, P) block of flat parameters θ
    (the rules are elementwise). Seed s's shuffles, augmentation draws and dropout masks are drawn
    once from its own streams, as ``train`` draws them, and shared by the K optimizers (``train``
    gives every optimizer the same ones). A run that diverges or stops early is frozen (its θ set
    to 0, its curves NaN from then on) and the others go on. A repeated label gets a number, as in
    ``compare``. ``progress(done, total)`` counts epochs.
    """
    net = check_network(net)
    return _compare(net, data, optimizers, seeds, progress, settings)[0]


def _compare(net, data, optimizers, seeds, progress, settings, record_first=None):
    """compare_seeds's checks, then the batched runs."""
    if isinstance(optimizers, (str, Mapping, OptimizerSetting)):
        optimizers = [optimizers]
    setups = [optimizer_setting(o) for o in optimizers]
    if not 1 <= len(setups) <= MAX_OPTIMIZERS:
        raise ValueError(f"optimizers must list 1 to {MAX_OPTIMIZERS} optimizers, got {len(setups)}")
    seen: dict[str, int] = {}
    for k, setup in enumerate(setups):
        label = setup.label or setup.name
        seen[label] = seen.get(label, 0) + 1
        setups[k] = setup._replace(label=label if seen[label] == 1 else f"{label} ({seen[label]})")
    seeds = check_seeds(seeds)
    for key in _NOT_ALLOWED:
        if key in settings:
            raise ValueError(f"{key} is not a setting of train_seeds (each seed draws its own run; "
                             "no grid is recorded)")
    unknown = set(settings) - set(_DEFAULTS)
    if unknown:
        raise ValueError(f"unknown setting {sorted(unknown)[0]!r}; train_seeds takes {', '.join(_DEFAULTS)}")
    return _batched(net, data, setups, seeds, progress, record_first=record_first, **{**_DEFAULTS, **settings})


_DEFAULTS = dict(learning_rate=0.01, schedule="constant", decay_rate=0.0, batch_size=32, epochs=50, loss=None, l1=0.0,
                 l2=0.0, patience=None, jitter=0.0, rotation=0.0, reflect=False, preprocessing="none")


def seeds_step_work(net: MLP, n_train: int, batch_size: int | None, epochs: int, seeds: int) -> int:
    """steps × (layer operations + S per dropout layer): the Python work MAX_STEP_WORK caps for S batched seeds.

    The batched step costs about what one run's does, except dropout, which draws each seed's mask.
    """
    drops = len(net.hidden) * (net.keep_prob < 1)
    return steps_per_epoch(n_train, batch_size, net.batch_norm) * epochs * (layer_operations(net) + seeds * drops)


def step_values(net: MLP, n_train: int, batch_size: int | None, runs: int) -> int:
    """runs × B × Σ widths: the values one buffer set of a batched training step holds."""
    batch = n_train if batch_size is None else min(batch_size, n_train)
    return runs * batch * (sum(net.hidden) + net.output_dim)


def affordable_seeds(net: MLP, n_train: int, n_val: int, batch_size: int | None, epochs: int, optimizers: int,
                     wanted: int = MAX_SEEDS, share: float = 1.0) -> int:
    """The most seeds (≤ ``wanted``) that K = ``optimizers`` optimizers may train at once within ``share`` of the caps.

    The work cap counts K × S runs, the step cap S dropout masks per layer and step, the memory cap
    K × S × B × Σ widths; and
    :func:`compare_with_seeds` keeps θ after every epoch ((epochs + 1) × |θ| ≤ MAX_PARAM_VALUES).
    1 means one seed only (then ``compare`` is the way).
    """
    size = weight_count(net) + sum(net.hidden) * (1 + 2 * net.batch_norm) + net.output_dim
    if (epochs + 1) * size > MAX_PARAM_VALUES:
        return 1
    per_run = seeds_work(net, n_train, n_val, epochs, optimizers)
    by_work = int(share * MAX_WORK // max(per_run, 1))
    steps = steps_per_epoch(n_train, batch_size, net.batch_norm) * epochs
    drops = len(net.hidden) * (net.keep_prob < 1)
    by_steps = int((share * MAX_STEP_WORK / max(steps, 1) - layer_operations(net)) // drops) if drops else MAX_SEEDS
    by_memory = MAX_STEP_VALUES // max(step_values(net, n_train, batch_size, optimizers), 1)
    return int(max(1, min(wanted, MAX_SEEDS, by_work, by_steps, by_memory)))


def _batched(net, data, setups, seeds, progress, *, learning_rate, schedule, decay_rate, batch_size, epochs, loss, l1,
             l2, patience, jitter, rotation, reflect, preprocessing, record_first=None):
    """The K × S runs, checked as ``train`` checks one: the curves, and with ``record_first`` (grid settings) the
    first seed's runs as TrainingResults, else None."""
    data = _check_split(data, net)
    lr0 = [check_number("learning_rate", s.learning_rate if s.learning_rate is not None else learning_rate,
                        low=0.0, low_open=True) for s in setups]
    run = check_run(net, data, lr0[0], schedule=schedule, decay_rate=decay_rate, epochs=epochs, batch_size=batch_size,
                    loss=loss, l1=l1, l2=l2, patience=patience, jitter=jitter, rotation=rotation, reflect=reflect,
                    preprocessing=preprocessing)
    epochs, batch_size = run.epochs, run.batch_size
    _check_seed_caps(net, len(data.X_train), len(data.X_val), batch_size, epochs, len(setups), len(seeds))
    runs = _Runs(net, data, setups, seeds, lr0, run, record_first is not None)
    rates = np.asarray(lr0)
    with np.errstate(all="ignore"):  # overflow is a lesson here: it is reported as diverged_at
        for epoch in range(epochs + 1):
            lrs = None
            if epoch:  # α_t of every optimizer, one schedule call (the same numbers as one call each)
                lrs = [float(a) for a in scheduled_rate(schedule, rates, decay_rate, epoch - 1)]
                runs.train_epoch(epoch, lrs)
            runs.record(epoch, lrs)
            if progress is not None:
                progress(epoch, epochs)
            if not runs.active.any():
                break
    if progress is not None:
        progress(epochs, epochs)
    names = np.asarray(seeds)
    out = tuple(SeedCurves(names, np.arange(epochs + 1), *runs.curves[:, k], runs.diverged[k], setup.label,
                           runs.stopped[k]) for k, setup in enumerate(setups))
    if runs.first is None:
        return out, None
    settings = dict(schedule=schedule, decay_rate=decay_rate, batch_size=batch_size, epochs=epochs, loss=run.loss,
                    l1=run.l1, l2=run.l2, patience=run.patience, jitter=jitter, rotation=rotation, reflect=reflect,
                    preprocessing=preprocessing)
    results = runs.first.results(data, run.preprocessing, run.loss, int(seeds[0]), settings, runs.diverged[:, 0],
                                 runs.stopped[:, 0], **record_first)
    return out, results


class _Runs:
    """The K × S batched runs of one :func:`_batched` call: θ (K, S, P), the state, the optimizers and the curves.

    ``train_epoch`` takes every active run through one epoch's steps, ``record`` evaluates them and freezes the
    runs that diverged or stopped early (θ = 0, their curves NaN from then on).
    """

    def __init__(self, net, data, setups, seeds, lr0, run, record_first: bool):
        K, S, epochs = len(setups), len(seeds), run.epochs
        self.net, self.run, self.n_train = net, run, len(data.X_train)
        self.Y_train, labels_train = _targets("y_train", data.y_train, self.n_train, run.loss, net.output_dim)
        Y_val, labels_val = _targets("y_val", data.y_val, len(data.X_val), run.loss, net.output_dim)
        self.layout, self.theta, self.state = _initial_runs(net, seeds, K)
        self.raw_X, self.X_train = data.X_train, apply(run.preprocessing, data.X_train)
        X_val = apply(run.preprocessing, data.X_val) if len(data.X_val) else np.empty((0, net.input_dim))
        self.X_eval = np.concatenate([self.X_train, X_val])
        self.Y_eval = np.concatenate([self.Y_train, Y_val])
        self.labels_eval = np.concatenate([labels_train, labels_val])
        self.step = _BatchedStep(net, self.layout, K, S)
        self.views = self.step.views(self.theta)
        self.opts = [make_optimizer(s.name, **dict(s.hyperparameters)) for s in setups]
        self.opt_states = [opt.init(self.theta[k]) for k, opt in enumerate(self.opts)]
        self.batches = batch_bounds(self.n_train, run.batch_size, 2 if net.batch_norm else 1)
        self.penalized = run.l1 > 0 or run.l2 > 0
        self.curves = np.full((4, K, S, epochs + 1), math.nan)  # train_loss, val_loss, train_acc, val_acc
        self.diverged = np.full((K, S), -1, dtype=np.int64)
        self.stopped = np.full((K, S), -1, dtype=np.int64)
        self.active = np.ones((K, S), dtype=bool)
        self.frozen = False  # some runs are frozen: not active.all()
        self.first = _FirstSeed(net, self.layout, setups, lr0, self.theta, self.state, len(self.batches), run.penalty,
                                self.penalized) if record_first else None
        self.streams = _Streams(seeds, epochs)

    def train_epoch(self, epoch: int, lrs: list[float]) -> None:
        """One epoch of every run: its seed's shuffled batches, each a batched step and each optimizer's update."""
        run, step, theta, first, n_w = self.run, self.step, self.theta, self.first, self.layout.n_weights
        Xe, Ye = _shuffled(self.streams, epoch, self.X_train, self.Y_train, self.raw_X, run.preprocessing,
                           run.augmentation if run.augmenting else None)
        rngs = self.streams("dropout", epoch) if self.net.keep_prob < 1 else None
        for a, b in self.batches:
            logits, caches, self.state = step.forward(self.views, self.state, Xe[:, a:b], rngs)
            g = step.backward(self.views, caches, step.loss_gradient(run.loss, logits, Ye[:, a:b]))
            if self.penalized:
                g[..., :n_w] += run.penalty.gradient(theta[..., :n_w])
            if first is not None:
                first.step(g)
            for k, opt in enumerate(self.opts):
                delta, self.opt_states[k] = (opt.update_in_place or opt.update)(g[k], self.opt_states[k], lrs[k])
                theta[k] += delta
            if self.frozen:
                theta[~self.active] = 0.0  # frozen runs stay finite and cheap

    def record(self, epoch: int, lrs: list[float] | None) -> None:
        """Epoch ``epoch``'s curves of the active runs; then the runs that diverged or stopped early are frozen."""
        run, active, theta = self.run, self.active, self.theta
        rows = _evaluate(self.step, self.views, self.state, self.X_eval, self.n_train, run.loss, self.Y_eval,
                         self.labels_eval)
        finite = np.isfinite(rows[0]) & np.isfinite(theta).all(axis=-1)
        bad = active & ~finite
        keep = active & (finite | (epoch == 0))  # epoch 0 is recorded even when it is not finite
        self.curves[:, keep, epoch] = rows[:, keep]
        self.diverged[bad] = epoch
        if self.first is not None:
            self.first.epoch(epoch, lrs, rows, theta, self.state, keep[:, 0], finite[:, 0])
        active &= finite
        if run.patience is not None:  # train's rule, on every run's validation curve so far
            fired, kept = stop_rule(self.curves[1, ..., :epoch + 1], run.patience)
            stop = active & (fired == epoch)
            self.stopped[stop] = epoch
            active &= ~stop
            if self.first is not None:
                self.first.keep_best(kept[:, 0])
        self.frozen = not active.all()
        if self.frozen:
            _freeze(theta, self.opt_states, active)


def _check_seed_caps(net, n_train: int, n_val: int, batch_size: int, epochs: int, K: int, S: int) -> None:
    """One run's caps, then those of K × S batched runs (ValueError naming ``seeds``)."""
    _check_caps(net, n_train, n_val, batch_size, epochs, None)
    if seeds_work(net, n_train, n_val, epochs, K * S) > MAX_WORK:
        raise ValueError(f"seeds must be fewer for {K} optimizer(s), {epochs} epochs of this network and data (work "
                         f"cap: optimizers × seeds × epochs × (4 N_train + N_val) × weights ≤ {MAX_WORK:,}), got {S}")
    if step_values(net, n_train, batch_size, K * S) > MAX_STEP_VALUES:
        raise ValueError(f"seeds must be fewer for {K} optimizer(s) and batches of {batch_size} (memory cap: "
                         f"optimizers × seeds × batch × units ≤ {MAX_STEP_VALUES:,}), got {S}")
    if seeds_step_work(net, n_train, batch_size, epochs, S) > MAX_STEP_WORK:
        raise ValueError(f"seeds must be fewer with dropout for {epochs} epochs of batches of {batch_size} (step cap: "
                         f"steps × (layer operations + seeds × dropout layers) ≤ {MAX_STEP_WORK:,}), got {S}")


def _initial_runs(net, seeds, K: int):
    """(layout, θ (K, S, P), state): seed s's weights from its own "init" stream, the same for every optimizer."""
    inits = [net.init(stream(int(s), "init")) for s in seeds]
    layout = Layout.of(inits[0][0], net.weight_keys)
    theta = np.empty((K, len(seeds), layout.size))
    theta[:] = np.stack([layout.flatten(p) for p, _ in inits])
    state = [{key: np.broadcast_to(np.asarray(v, dtype=float), (K, len(seeds), 1, len(v))).copy()
              for key, v in block.items()} for block in inits[0][1]]
    return layout, theta, state


def _shuffled(streams, epoch: int, X_train, Y_train, raw_X, prep, augmentation: dict | None):
    """(X (S, N, d), Y (S, N, outputs)): every seed's shuffled (and, with ``augmentation``, augmented) epoch."""
    orders = np.stack([rng.permutation(len(X_train)) for rng in streams("shuffle", epoch)])  # (S, N)
    if augmentation is not None:
        X = np.stack([apply(prep, augment(raw_X[o], rng, **augmentation))
                      for rng, o in zip(streams("augment", epoch), orders)])
    else:
        X = np.take(X_train, orders, axis=0)  # (S, N, d), gathered once: the batches are views
    return X, np.take(Y_train, orders, axis=0)  # (take: 10× faster than X_train[orders], the same copy)


def _freeze(theta, opt_states: list, active) -> None:
    """The runs no longer active get θ = 0 and zero optimizer state: they stay finite and cheap."""
    theta[~active] = 0.0
    for k, st in enumerate(opt_states):
        opt_states[k] = tuple(_zero_rows(v, ~active[k]) for v in st)


class _FirstSeed:
    """What ``train`` records beyond the curves, for the first seed of every optimizer (row s = 0).

    The history row (steps, α, penalty), the weight and gradient norms, θ and (with batch norm) the
    state after every epoch, and the weights early stopping keeps; grids are left to be drawn on
    demand (``TrainingResult.grid_at``).
    """

    def __init__(self, net, layout, setups, lr0, theta, state, steps, penalty, penalized):
        K = len(setups)
        self.net, self.layout, self.setups, self.lr0 = net, layout, setups, lr0
        self.steps, self.penalty, self.penalized = steps, penalty, penalized
        self.n_w, self.starts = layout.n_weights, layout.weight_offsets
        self.theta0, self.state0 = theta[:, 0].copy(), _row_state(state, 0)
        self.squares = np.zeros((K, self.n_w))
        self.rows = [[] for _ in range(K)]
        self.weight_norms = [[] for _ in range(K)]
        self.grad_norms = [[] for _ in range(K)]
        self.thetas = [[] for _ in range(K)]
        self.states = [[] for _ in range(K)] if net.batch_norm else None
        self.best = [None] * K  # index of the epoch early stopping keeps (None: the last)
        self.open = np.ones(K, dtype=bool)  # still recording

    def step(self, g):
        gw = g[:, 0, :self.n_w]
        self.squares += gw * gw

    def epoch(self, epoch, lrs, rows, theta, state, keep, finite):
        """Record row 0 of every optimizer whose run is still recorded (``keep``)."""
        no_gradient = np.full(len(self.starts), math.nan)
        grad_norms = np.sqrt(np.add.reduceat(self.squares, self.starts, axis=1) / self.steps) if epoch else None
        self.squares[:] = 0.0
        for k, setup in enumerate(self.setups):
            if not (self.open[k] and keep[k]):
                self.open[k] = False
                continue
            t = theta[k, 0]
            w = t[:self.n_w]
            penalty = self.penalty.value(w) if self.penalized else 0.0
            self.rows[k].append([setup.label, epoch, epoch * self.steps, lrs[k] if epoch else math.nan,
                                 *(float(v) for v in rows[:, k, 0]), penalty])
            self.weight_norms[k].append(np.sqrt(np.add.reduceat(w * w, self.starts)))
            self.grad_norms[k].append(grad_norms[k] if epoch else no_gradient)
            self.thetas[k].append(t.copy())
            if self.states is not None:
                self.states[k].append(_row_state(state, k))
            if not finite[k]:  # an initial network that is not finite: nothing to train
                self.open[k] = False

    def keep_best(self, kept):
        """The epoch early stopping keeps (``stop_rule``), for every optimizer whose run is still recorded."""
        for k in np.flatnonzero(self.open):
            self.best[k] = int(kept[k])

    def results(self, data, prep, loss, seed, settings, diverged, stopped, grid_size, bounds):
        """One TrainingResult per optimizer, as ``compare(..., seed=seed)`` gives, with grids drawn on demand."""
        if bounds is None:
            bounds = view_bounds(np.concatenate([data.X_train, data.X_val]))
        grid_x, grid_y, _ = grid_points(bounds, grid_size)
        layer_names = tuple([f"hidden {i + 1}" for i in range(len(self.net.hidden))] + ["output"])
        initial_params = self.layout.unflatten(self.theta0[0])
        out = []
        for k, setup in enumerate(self.setups):
            last = len(self.thetas[k]) - 1
            final = self.best[k] if self.best[k] is not None else last
            state = self.states[k][final] if self.states is not None else self.state0
            out.append(TrainingResult(
                optimizer=setup.label,
                history=pd.DataFrame(self.rows[k], columns=HISTORY_COLUMNS),
                layer_names=layer_names,
                weight_norms=np.array(self.weight_norms[k]),
                grad_norms=np.array(self.grad_norms[k]),
                grid_x=grid_x, grid_y=grid_y, grids=None, grid_epochs=None,
                param_vectors=np.stack(self.thetas[k]),
                layout=self.layout,
                params=self.layout.unflatten(self.thetas[k][final]),
                state=copy_state(state),
                initial_params=initial_params,
                initial_state=copy_state(self.state0),
                best_epoch=int(final),
                stopped_at=None if stopped[k] < 0 else int(stopped[k]),
                diverged_at=None if diverged[k] < 0 else int(diverged[k]),
                net=self.net,
                preprocessing=prep,
                loss=loss,
                settings=dict(optimizer=setup.name, hyperparameters=dict(setup.hyperparameters),
                              learning_rate=self.lr0[k], seed=seed, grid_size=grid_size, grid_every=None,
                              record_params=True, **settings),
                epoch_states=self.states[k] if self.states is not None else None,
            ))
        return out


def _row_state(state, k: int) -> list[dict]:
    """Run (k, 0)'s state tree (batch-norm running statistics) from the stacked one."""
    return [{key: np.array(v[k, 0, 0]) for key, v in block.items()} for block in state]


def compare_with_seeds(net: MLP, data, optimizers=("sgd", "momentum", "rmsprop", "adam"), *, seed: int = 0,
                       seeds: int = 10, grid_size: int = DEFAULT_GRID_SIZE, bounds=None,
                       progress: ProgressCallback | None = None, **settings) -> Comparison:
    """``compare(net, data, optimizers, seed=seed, **settings)`` and, in ``.seeds``, each optimizer over ``seeds``
    seeds.

    One batched training of K optimizers × the seeds ``seed, seed + 1, …`` (see :func:`compare_seeds`).
    The results are seed ``seed``'s runs, as ``compare`` records them (history, norms, θ every epoch),
    except that the grid predictions are not stored: ``TrainingResult.grid_at(epoch)`` draws them
    when a figure asks. Needs (epochs + 1) × |θ| ≤ MAX_PARAM_VALUES.
    """
    net = check_network(net)
    seed = check_int("seed", seed, low=0)
    n = check_int("seeds", seeds, low=1, high=MAX_SEEDS)
    grid_size = check_int("grid_size", grid_size, low=2, high=MAX_GRID_SIZE)
    if net.input_dim != 2:
        raise ValueError("compare_with_seeds draws decision boundaries: the inputs must be 2-D")
    epochs = check_int("epochs", settings.get("epochs", _DEFAULTS["epochs"]), low=1, high=MAX_EPOCHS)
    size = sum(int(np.prod(s)) for s in Layout.of(net.init(np.random.default_rng(0))[0], net.weight_keys).shapes)
    if (epochs + 1) * size > MAX_PARAM_VALUES:
        raise ValueError(f"epochs must be fewer to keep θ after every epoch ((epochs + 1) × parameters ≤ "
                         f"{MAX_PARAM_VALUES:,}; this network has {size:,} parameters), got {epochs}")
    curves, results = _compare(net, data, optimizers, range(seed, seed + n), progress, settings,
                               dict(grid_size=grid_size, bounds=bounds))
    return Comparison(tuple(results), curves)


# --- the seeds' random streams ----------------------------------------------------------------------------------

_MASK32, _MASK128 = 0xFFFF_FFFF, (1 << 128) - 1
_INIT_A, _MULT_A, _INIT_B, _MULT_B = 0x43B0D7E5, 0x931E8875, 0x8B51F9DD, 0x58F38DED  # NumPy's SeedSequence
_MIX_L, _MIX_R, _SHIFT = 0xCA01F9DD, 0x4973F715, np.uint32(16)
_PCG_MULT = 0x2360ED051FC65DA44385DF649FCCF645  # PCG64's 128-bit LCG multiplier


def _seed_words(seeds: np.ndarray, key: tuple) -> np.ndarray:
    """(n, 4) uint64: ``SeedSequence(seeds[i], spawn_key=key[i]).generate_state(4, np.uint64)``, all i at once.

    ``seeds`` (n,) < 2³²; ``key`` a tuple of ints or (n,) arrays < 2³². NumPy's SeedSequence algorithm,
    vectorised: the entropy words [s, 0, 0, 0, *key] are hash-mixed into a pool of 4 words, which is
    hashed out into 8 words (read in pairs as uint64). All arithmetic is on uint32, modulo 2³².
    """
    hash_const = _INIT_A

    def hashmix(v):
        nonlocal hash_const
        v = v ^ np.uint32(hash_const)
        hash_const = hash_const * _MULT_A & _MASK32
        v = v * np.uint32(hash_const)
        return v ^ (v >> _SHIFT)

    def mix(x, y):
        r = np.uint32(_MIX_L) * x - np.uint32(_MIX_R) * y
        return r ^ (r >> _SHIFT)

    n = len(seeds)
    words = [np.broadcast_to(np.asarray(w, dtype=np.uint32), (n,)) for w in (seeds, 0, 0, 0, *key)]
    pool = [hashmix(w) for w in words[:4]]
    for i in range(4):
        for j in range(4):
            if i != j:
                pool[j] = mix(pool[j], hashmix(pool[i]))
    for w in words[4:]:
        for j in range(4):
            pool[j] = mix(pool[j], hashmix(w))
    hash_const, out = _INIT_B, []
    for i in range(8):
        v = pool[i % 4] ^ np.uint32(hash_const)
        hash_const = hash_const * _MULT_B & _MASK32
        v = v * np.uint32(hash_const)
        out.append(v ^ (v >> _SHIFT))
    return np.stack(out, axis=1).astype("<u4").view("<u8")


def _pcg64_state(words) -> dict:
    """The state ``PCG64`` seeds itself to from the 4 words (initial state, stream): two LCG steps s ← s M + inc."""
    initial, sequence = int(words[0]) << 64 | int(words[1]), int(words[2]) << 64 | int(words[3])
    inc = (sequence << 1 | 1) & _MASK128
    state = ((inc + initial) * _PCG_MULT + inc) & _MASK128
    return {"bit_generator": "PCG64", "state": {"state": state, "inc": inc}, "has_uint32": 0, "uinteger": 0}


class _Streams:
    """``streams(name, epoch)``: the seeds' Generators ``[stream(s, name, epoch) for s in seeds]``, made cheaply.

    ``stream`` builds a SeedSequence and a PCG64 per seed and epoch (about 20 µs each: with 20 seeds, a
    third of a batched run). Here one vectorised SeedSequence gives the words of every seed and epoch
    0 … ``epochs`` of a stream at once, and they are set into S Generators that are reused: a call's
    Generators hold until the next call. The draws are the same bits; the first seed is checked against
    ``stream`` itself (else, or for seeds ≥ 2³², the slow way).
    """

    def __init__(self, seeds: np.ndarray, epochs: int):
        self.seeds, self.epochs, self.words = seeds, epochs, {}
        self.fast = bool(np.all(seeds < 2**32))
        if self.fast:
            sequence = np.random.SeedSequence(int(seeds[0]), spawn_key=(STREAMS["shuffle"], 1))
            words = self._words("shuffle")[1, 0]
            self.fast = (np.array_equal(words, sequence.generate_state(4, np.uint64))
                         and _pcg64_state(words)["state"] == np.random.PCG64(sequence).state["state"])
        self.generators = [np.random.Generator(np.random.PCG64(0)) for _ in seeds] if self.fast else None

    def _words(self, name: str) -> np.ndarray:
        """(epochs + 1, S, 4) seed words of stream ``name``, computed on first use."""
        if name not in self.words:
            epoch, seed = np.meshgrid(np.arange(self.epochs + 1), self.seeds, indexing="ij")
            words = _seed_words(seed.ravel(), (STREAMS[name], epoch.ravel()))
            self.words[name] = words.reshape(self.epochs + 1, len(self.seeds), 4)
        return self.words[name]

    def __call__(self, name: str, epoch: int) -> list[np.random.Generator]:
        if not self.fast:
            return [stream(int(s), name, epoch) for s in self.seeds]
        for rng, words in zip(self.generators, self._words(name)[epoch]):
            rng.bit_generator.state = _pcg64_state(words)
        return self.generators


def _zero_rows(value, rows):
    """An optimizer state entry with the frozen runs' rows set to 0 (counters and floats unchanged)."""
    if isinstance(value, np.ndarray) and value.ndim == 2:
        value = value.copy()
        value[rows] = 0.0
    return value


def _batched_correct(loss: str, z, labels) -> np.ndarray | None:
    """1 where a point's predicted class (z > 0, or the argmax) is its label, else 0, (K, S, n); None for a
    regression."""
    if loss == "mean_squared_error":
        return None
    predicted = z[..., 0] > 0 if loss == "binary_cross_entropy" else np.argmax(z, axis=-1)
    return predicted == labels


def _evaluate(step, views, state, X_eval, n_train, loss, Y_eval, labels_eval):
    """(4, K, S): training and validation loss and accuracy of every run, in evaluation mode.

    One forward pass over the training and validation points (rows of X_eval, training first), then
    each split's mean of the points' loss terms and of their correct predictions; NaN for no points.
    """
    rows = max(1, EVAL_VALUES // (step.K * step.S * step.widest))  # points per block: bounded memory
    if rows >= len(X_eval):  # one block: its buffer is read before the next evaluation writes it
        logits = step.evaluate(views, state, X_eval)
    else:  # each block's logits copied out before the next block overwrites its buffer
        logits = step.eval_logits(len(X_eval))
        for a in range(0, len(X_eval), rows):
            block = step.evaluate(views, state, X_eval[a:a + rows])
            logits[..., a:a + block.shape[-2], :] = block
    terms, correct = losses.terms(loss, logits, Y_eval), _batched_correct(loss, logits, labels_eval)
    out = np.full((4,) + logits.shape[:2], math.nan)
    for i, part in enumerate((slice(0, n_train), slice(n_train, len(X_eval)))):
        n = part.stop - part.start
        if n:
            out[i] = terms[..., part].sum(axis=-1) / n
            if correct is not None:
                out[2 + i] = np.count_nonzero(correct[..., part], axis=-1) / n
    return out


class _BatchedStep:
    """Forward and backward of K × S networks at once: ``MLP.forward_unchecked``/``backward_unchecked`` with
    leading (K, S) axes (batched matmuls into buffers; the tests hold the curves to ``train``'s).

    Weights are views (K, S, n_in, n_out) into θ (K, S, P), biases, γ and β (K, S, 1, n); inputs
    (S, B, n_in) broadcast over the optimizers. The gradient is written into one (K, S, P) buffer.

    Shared with the layers: the activations, the losses and ``dropout_mask``. The dense and batch-norm
    formulas are written again here because the cores in :mod:`optiviz.nn.layers` reduce over axis 0 (the
    optimizers here, not the batch) and return fresh arrays (a big network's step then page-faults).
    """

    def __init__(self, net: MLP, layout: Layout, K: int, S: int):
        self.K, self.S, self.layout = K, S, layout
        self.hidden = [(net.batch_norm, get_activation(net.activation, net.alpha), net.keep_prob < 1, skip)
                       for skip in net.skips]
        self.m, self.eps, self.keep = net.bn_momentum, net.bn_eps, net.keep_prob
        self.widths = net.hidden + (net.output_dim,)
        self.widest = max(self.widths)
        self.buffers: dict = {}  # evaluation buffers by block size, and ("logits", n) for n points in blocks
        self.step_buffers: dict[int, tuple] = {}  # training-step buffers by batch size
        self.ones: dict[int, np.ndarray] = {}
        self.transposed: dict[int, np.ndarray] = {}  # Wᵀ per hidden layer
        self.grad = np.zeros((K, S, layout.size))
        self.grads = self.views(self.grad)

    def views(self, theta: np.ndarray) -> list[dict]:
        """The parameter trees of every run, as views into θ (K, S, P)."""
        tree = [dict.fromkeys(keys) for keys in self.layout.blocks]
        for name, shape, start in zip(self.layout.names, self.layout.shapes, self.layout.offsets):
            i, key = name.split(".", 1)
            part = theta[..., start:start + int(np.prod(shape))]
            view = part.reshape(part.shape[:2] + (shape if len(shape) == 2 else (1,) + shape))
            if not np.shares_memory(view, theta):  # pragma: no cover - numpy always gives a view here
                raise RuntimeError("a parameter view is a copy")
            tree[int(i)][key] = view
        return tree

    def forward(self, P, state, x, rngs, training=True):
        """(logits (K, S, B, out), caches, new_state) for the batches x (S, B, n_in) or points (B, n_in)."""
        caches, new_state = [], []
        Z, H, _, _, out_buffer, _ = self._step_buffers(x.shape[-2])
        for (bn, act, drop, skip), p, s, z_buffer, h_buffer in zip(self.hidden, P, state, Z, H):
            c_lin = x
            h = np.matmul(x, p["W"], out=z_buffer)
            h += p["b"]
            c_bn = c_drop = None
            if bn:
                if training:
                    batch = h.shape[-2]
                    mu, var = h.mean(axis=-2, keepdims=True), h.var(axis=-2, keepdims=True)
                    s = {"running_mean": self.m * s["running_mean"] + (1 - self.m) * mu,
                         "running_var": self.m * s["running_var"] + (1 - self.m) * var * batch / (batch - 1)}
                else:
                    mu, var = s["running_mean"], s["running_var"]
                inv_std = 1.0 / np.sqrt(var + self.eps)
                x_hat = (h - mu) * inv_std
                h = p["gamma"] * x_hat + p["beta"]
                c_bn = (x_hat, inv_std)
            z = h
            h = act.value(z, out=h_buffer)
            if drop and training:
                c_drop = np.stack([dropout_mask(rng, h.shape[-2:], self.keep) for rng in rngs])
                h = h * c_drop
            x = x + h if skip else h
            caches.append((c_lin, c_bn, z, c_drop))
            new_state.append(s)
        out = P[-1]
        logits = np.matmul(x, out["W"], out=out_buffer)
        logits += out["b"]
        caches.append(x)
        new_state.append(state[-1])
        return logits, caches, new_state

    def evaluate(self, P, state, x) -> np.ndarray:
        """Logits (K, S, n, out) of the points x (n, n_in) in evaluation mode: ``forward`` without caches.

        In place, in buffers kept per block size: big temporary arrays cost page faults, not arithmetic.
        The result is such a buffer: the next call with as many points overwrites it.
        """
        n = len(x)
        if n not in self.buffers:
            self.buffers[n] = [np.empty((self.K, self.S, n, w)) for w in self.widths]
        buffers = self.buffers[n]
        for (bn, act, _, skip), p, s, buf in zip(self.hidden, P, state, buffers):
            h = np.matmul(x, p["W"], out=buf)
            h += p["b"]
            if bn:
                h -= s["running_mean"]
                h *= 1.0 / np.sqrt(s["running_var"] + self.eps)
                h *= p["gamma"]
                h += p["beta"]
            h = act.value(h, out=h)
            x = x + h if skip else h
        logits = np.matmul(x, P[-1]["W"], out=buffers[-1])
        logits += P[-1]["b"]
        return logits

    def eval_logits(self, n: int) -> np.ndarray:
        """A (K, S, n, out) buffer for the logits of n points evaluated in blocks, kept per n."""
        key = ("logits", n)
        if key not in self.buffers:
            self.buffers[key] = np.empty((self.K, self.S, n, self.widths[-1]))
        return self.buffers[key]

    def backward(self, P, caches, dlogits) -> np.ndarray:
        """∂L/∂θ (K, S, P) from δ = ∂L/∂logits, in a buffer the next call overwrites."""
        G = self.grads
        _, _, D, E, _, _ = self._step_buffers(dlogits.shape[-2])
        x = caches[-1]
        self._weight_gradient(x, dlogits, G[-1])
        W_out = P[-1]["W"].swapaxes(-1, -2)
        if W_out.shape[-2] == 1:  # one output: δ Wᵀ is an outer product, the same numbers without a matmul
            delta = np.multiply(dlogits, W_out, out=D[-1])
        else:
            delta = np.matmul(dlogits, np.ascontiguousarray(W_out), out=D[-1])
        for i in range(len(self.hidden) - 1, -1, -1):
            bn, act, drop, skip = self.hidden[i]
            c_lin, c_bn, z, c_drop = caches[i]
            d = delta
            if drop:
                d = d * c_drop
            slope = act.derivative(z, out=E[i])
            d = np.multiply(d, slope, out=slope)
            if bn:
                x_hat, inv_std = c_bn
                d_hat = d * P[i]["gamma"]
                G[i]["gamma"][...] = (d * x_hat).sum(axis=-2, keepdims=True)
                G[i]["beta"][...] = d.sum(axis=-2, keepdims=True)
                d = inv_std * (d_hat - d_hat.mean(axis=-2, keepdims=True)
                               - x_hat * (d_hat * x_hat).mean(axis=-2, keepdims=True))
            self._weight_gradient(c_lin, d, G[i])
            if i:  # ∂L/∂x of the first layer is not needed
                dx = np.matmul(d, self._transposed(i, P[i]["W"]), out=D[i - 1])
                delta = delta + dx if skip else dx
        return self.grad

    def _weight_gradient(self, x, d, g):
        """∂L/∂W = xᵀ δ and ∂L/∂b = Σ_batch δ into the views g, per run (x may lack the optimizer axis)."""
        np.matmul(x.swapaxes(-1, -2), d, out=g["W"])
        np.matmul(self._ones(d.shape[-2]), d, out=g["b"])  # 1ᵀδ: a product is much faster than sum over this axis

    def _transposed(self, i: int, W: np.ndarray) -> np.ndarray:
        """Wᵀ of layer i per run, copied into a contiguous buffer: a product with it is faster than with the
        strided view, and a buffer kept per layer spares a big network's step a fresh array (page faults)."""
        if i not in self.transposed:
            self.transposed[i] = np.empty(W.shape[:-2] + W.shape[:-3:-1])
        np.copyto(self.transposed[i], W.swapaxes(-1, -2))
        return self.transposed[i]

    def _ones(self, rows: int) -> np.ndarray:
        """A (1, rows) row of ones, kept per batch size."""
        if rows not in self.ones:
            self.ones[rows] = np.ones((1, rows))
        return self.ones[rows]

    def loss_gradient(self, loss: str, logits: np.ndarray, y: np.ndarray) -> np.ndarray:
        """δ = ∂L/∂logits (``losses.gradient``) of a step's logits, written over them: only the backward reads it."""
        return losses.gradient(loss, logits, y, logits, self._step_buffers(logits.shape[-2])[5])

    def _step_buffers(self, rows: int):
        """(Z, H, D, E, logits, scratch) buffers (K, S, rows, width) of a training step: z, f(z), δ into and after
        f' per layer, the logits and the loss gradient's scratch.

        A step's forward fills Z, H and the logits; its backward reads them (the caches) and fills D and E,
        before the next step's forward writes them again. Kept per batch size (an epoch has at most two).
        """
        if rows not in self.step_buffers:
            shape = (self.K, self.S, rows)
            hidden = self.widths[:-1]
            layers = [[np.empty(shape + (w,)) for w in hidden] for _ in range(4)]
            out = shape + (self.widths[-1],)
            self.step_buffers[rows] = (*layers, np.empty(out), np.empty(out))
        return self.step_buffers[rows]


# --- reading many seeds -------------------------------------------------------------------------


def spread(values) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(median, 10th percentile, 90th percentile) over the seeds (axis 0) of (S, E + 1) values, ignoring NaN.

    Linear interpolation between the sorted finite values v₍₀₎ ≤ … ≤ v₍ₙ₋₁₎ of each epoch, at
    position q (n − 1) (NumPy's default ``percentile``); an epoch where every seed is NaN gives NaN.
    """
    v = np.asarray(values, dtype=float)
    if v.ndim == 1:
        v = v[:, None]
    v = np.sort(v, axis=0)  # NaN last
    n = np.sum(~np.isnan(v), axis=0)
    columns = np.arange(v.shape[1])
    out = []
    for q in (0.5, 0.1, 0.9):
        pos = q * np.maximum(n - 1, 0)
        lo = np.floor(pos).astype(np.intp)
        hi = np.minimum(lo + 1, np.maximum(n - 1, 0))
        a, b = v[lo, columns], v[hi, columns]
        with np.errstate(invalid="ignore"):
            value = np.where(hi > lo, a + (pos - lo) * (b - a), a)
        out.append(np.where(n > 0, value, math.nan))
    return out[0], out[1], out[2]


def spread_table(curves) -> pd.DataFrame:
    """Median and 10–90% band of each run's curves over its seeds, per epoch (:func:`spread`), as a tidy table: the
    data the regularization lab's seed bands draw, and its download."""
    frames = []
    for c in curves:
        columns = {"run": c.label, "epoch": np.asarray(c.epochs)}
        for name in ("train_loss", "val_loss", "train_acc", "val_acc"):
            med, low, high = spread(getattr(c, name))
            columns |= {f"{name}_median": med, f"{name}_p10": low, f"{name}_p90": high}
        frames.append(pd.DataFrame(columns))
    return pd.concat(frames, ignore_index=True)


def final_values(curves: SeedCurves, name: str = "val_loss") -> np.ndarray:
    """(S,) each seed's last recorded value of the curve ``name``; NaN for a seed that diverged."""
    v = np.asarray(getattr(curves, name), dtype=float)
    recorded = ~np.isnan(v)
    last = np.where(recorded.any(axis=1), v.shape[1] - 1 - np.argmax(recorded[:, ::-1], axis=1), 0)
    out = v[np.arange(len(v)), last]
    return np.where(np.asarray(curves.diverged_at) >= 0, math.nan, out)


def count_below(a, b) -> int:
    """The number of seeds with a_s < b_s (final values, (S,) each); NaN (diverged) counts as +∞."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    a, b = np.where(np.isnan(a), math.inf, a), np.where(np.isnan(b), math.inf, b)
    return int(np.sum(a < b))
