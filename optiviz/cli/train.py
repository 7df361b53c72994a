"""``python -m optiviz train``: train a small network on 2-D toy data and print one row per epoch (the training lab)."""

from __future__ import annotations

import argparse
import math
import sys

from optiviz.core.checks import check_number
from optiviz.cli.common import (activation_lines, add_hyperparameters, add_unit_options, engine_errors,
                                given_hyperparameters, hyperparameter_problem, init_flag_lines, init_param_renames,
                                init_params, subcommand, unit_problem, write_lines)
from optiviz.core.datasets import (BOUNDS, DATASETS, MAX_ROTATION, MAX_SAMPLES, MAX_VAL_FRACTION, MIN_SAMPLES,
                                   PREPROCESSINGS, REFLECTIONS, make_dataset, train_val_split)
from optiviz.nn import MLP
from optiviz.nn.training import (MAX_DEPTH, MAX_EPOCHS, MAX_STEP_WORK, MAX_WIDTH, MAX_WORK, OptimizerSetting,
                                 max_epochs, train)
from optiviz.core.optimizers import OPTIMIZERS
from optiviz.core.schedules import SCHEDULES

TRAIN_COLUMNS = ("epoch", "train_loss", "val_loss", "train_acc", "val_acc", "lr", "steps", "penalty")
SPELLINGS = {"center": "centre", "standardize": "standardise"}  # also accepted by --preprocess
# --augment: jitter for every dataset; rotation and reflection only where they keep every label
# (circles are symmetric under both; they would turn one moon, XOR quadrant, arm or blob into another).
AUGMENT_JITTER = 0.05
SYMMETRIC_DATASETS = ("circles",)
# --noise of train: beyond this the points are noise alone (and near 1e308 they overflow float64).
# The engine takes any finite σ ≥ 0; this cap is the command line's own.
MAX_DATA_NOISE = 1e6
BN_MOMENTUM = MLP.__dataclass_fields__["bn_momentum"].default
DEFAULTS = dict(dataset="moons", samples=400, noise=0.1, val_fraction=0.25, hidden=(16, 16), activation="relu",
                init="he", optimizer="adam", lr=0.01, batch_size=32, epochs=100)
# The engine's names whose flags differ, per engine call (batch norm's "momentum" is --bn-momentum).
DATA_RENAMES = {"seed": "data_seed"}
NET_RENAMES = {"momentum": "bn_momentum", "eps": "bn_eps", "keep_prob": "dropout"}
TRAIN_RENAMES = {"learning_rate": "lr", "patience": "early_stopping", "keep_prob": "dropout"}


def split_sizes(samples: int, val_fraction: float, classes: int) -> tuple[int, int]:
    """(N_train, N_val) as make_dataset and train_val_split give them: balanced classes, rounded per class."""
    counts = [samples // classes + (k < samples % classes) for k in range(classes)]
    n_val = sum(int(math.floor(val_fraction * n + 0.5)) for n in counts)
    return samples - n_val, n_val


def _cap_example(samples: int, hidden: tuple[int, ...], batch_size: int) -> str:
    n_train, n_val = split_sizes(samples, DEFAULTS["val_fraction"], 2)
    most = max_epochs(MLP(2, hidden, 1), n_train, n_val, batch_size, grid_size=None)
    return f"--samples {samples} --hidden {' '.join(map(str, hidden))} --batch-size {batch_size}: at most {most} epochs"


def dataset_lines() -> str:
    return "\n".join(f"  {name:<9}{d.maker.__doc__.split(':')[0].split(',')[0].rstrip('.')}; "
                     f"--classes {' or '.join(map(str, d.classes))}" for name, d in DATASETS.items())


TRAINING_TEXT = """\
training: one epoch is one pass over the shuffled training points in
mini-batches of B = --batch-size (B ≥ N_train or 'full': full-batch gradient
descent; B = 1: single-sample): ⌈N_train / B⌉ steps, the last batch holding
what is left. With --batchnorm a last batch of a single point is merged into
the one before (batch statistics need two points): ⌈N_train / B⌉ − 1 steps.
Each batch takes one step
  g = ∂/∂θ [ L(f(X_b; θ), y_b) + Ω(W) ],   θ ← θ + Δθ
with Δθ from the update rule (see `python -m optiviz path --help`), and
  Ω(W) = λ₁ Σ|W| + (λ₂/2) Σ W²   (λ₁ = --l1, λ₂ = --l2; both: elastic net)
on the weights W only, never the biases. L is binary cross-entropy with 2
classes (one output logit) and softmax cross-entropy with 3 (one per class).
The schedule counts epochs: epoch e = 1, 2, … runs at α(e − 1), so k =
--decay-rate is per epoch ("step" halves α every 1/k epochs). Momentum and
nesterov keep α_e inside the velocity, v ← γ v − α_e g, as the lecture writes
it; PyTorch's SGD with a scheduler applies it outside (v ← γ v + g;
W ← W − α_e v), so the runs differ from torch.optim's once α changes.
RMSProp (and Adam) divide by √E + ε, ε outside the root as in PyTorch; the
lecture writes RMSProp's α / √(ε + E[g²]), ε inside: either way ε only keeps
the division finite.
--seed seeds the initial weights, the shuffles, augmentation and dropout (and
the data, unless --data-seed is given): two runs with the same seed differ
only by what you changed.

network: 2 inputs → the --hidden widths → the output. Each hidden layer is
  z = x W + b → [batch norm] → activation → [dropout]
and with --skip it becomes x + layer(x) wherever its input and output widths
are equal (--hidden 16 16 16: around layers 2 and 3). --hidden with no widths
is logistic regression: one straight decision boundary."""


def regularisation_text() -> str:
    return f"""\
regularisation:
  --dropout P   inverted dropout: P is the probability of DROPPING a unit
                (keep probability 1 − P); kept units are scaled by 1/(1 − P)
                while training, and evaluation uses every unit as it is
  --batchnorm   x̂ = (x − μ) / √(σ² + ε), out = γ x̂ + β with learned γ and β;
                μ, σ² of the batch in training, running averages in
                evaluation (μ_run ← m μ_run + (1 − m) μ, m = --bn-momentum)
  --early-stopping P  stop once P epochs pass without a new lowest val_loss;
                the network keeps the weights of its best epoch

augmentation (training batches only, drawn afresh every epoch; the losses in
the output are those of the clean points). Per point, in this order:
  --reflect x|y|xy  mirror across the x-axis, the y-axis or each of them, with probability ½
  --rotation D      rotate about the origin by φ ~ U[−D, D] degrees, 0 ≤ D ≤ {MAX_ROTATION:g}
  --jitter S        add S z, z ~ N(0, I)
  --augment         shorthand for --jitter {AUGMENT_JITTER:g}, and for {', '.join(SYMMETRIC_DATASETS)} also
                    --rotation {MAX_ROTATION:g} --reflect xy: rotations and reflections keep
                    every label only there (they turn one moon, XOR quadrant,
                    spiral arm or blob into another); the flags above override it

preprocessing (fitted on the training split only, applied to every point):
  none x;  centre x − μ;  standardise (x − μ) / √(σ² + ε);  whiten Σ^(−1/2) (x − μ) (ZCA)
  (the spellings center and standardize work too)"""


def output_text() -> str:
    (x0, x1), (y0, y1) = BOUNDS
    return f"""\
datasets (--noise σ adds N(0, σ²) to every coordinate; noise-free points lie
in [{x0:g}, {x1:g}] × [{y0:g}, {y1:g}]; classes are balanced):
{dataset_lines()}

output: CSV with one row per epoch from epoch 0 (the network before any update):
  {",".join(TRAIN_COLUMNS)},
  weight_norm_hidden1, …, weight_norm_output, grad_norm_hidden1, …, grad_norm_output
train_loss and val_loss are L alone (Ω is the penalty column), measured after
the epoch in evaluation mode on the clean points; acc is the share of points
classified right. lr is the α of the epoch, steps the optimizer steps so far,
weight_norm ‖W‖ of each layer and grad_norm the root mean square over the
epoch's steps of ‖∂(L + Ω)/∂W‖: watch it vanish or explode. lr and grad_norm
are nan at epoch 0, val_loss and val_acc with --val-fraction 0. A loss that
becomes non-finite stops training: the rows end before that epoch and
"diverged at epoch N" goes to stderr (exit status still 0). Early stopping
writes "stopped early at epoch N: best val_loss at epoch M" to stderr.

caps on the work of one run (more is refused with exit status 2):
  samples {MIN_SAMPLES} to {MAX_SAMPLES}; at most {MAX_DEPTH} hidden layers of at most {MAX_WIDTH} units;
  epochs ≤ {MAX_EPOCHS}; --noise ≤ {MAX_DATA_NOISE:g};
  work:  epochs × (4 N_train + N_val) × Σ n_in·n_out ≤ {MAX_WORK:,} (multiply-adds)
  steps: epochs × ⌈N_train / B⌉ × operations ≤ {MAX_STEP_WORK:,}, where each hidden layer
         counts 2 operations (+1 with dropout, +4 with batch norm) and each step 3 more
  for example {_cap_example(5000, (128, 128, 128), 32)};
              {_cap_example(DEFAULTS['samples'], DEFAULTS['hidden'], 1)}

example:
  python -m optiviz train --dataset moons --hidden 16 16 --activation relu --init he \\
      --optimizer adam --lr 0.01 --batch-size 32 --epochs 100 --seed 0 > moons.csv"""


def epilog() -> str:
    """The help below the options, its lists of activations, initialisers and datasets from the registries."""
    return (f"{TRAINING_TEXT}\n\nactivations (--alpha sets α):\n{activation_lines()}\n\n"
            f"initialisers (biases start at 0):\n{init_flag_lines()}\n\n{regularisation_text()}\n\n{output_text()}")


def batch_size_type(text: str) -> int | None:
    """An integer, or None for the word "full" (full-batch gradient descent)."""
    if text == "full":
        return None
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer or 'full', got {text!r}") from None


def add_parser(commands) -> None:
    """The ``train`` subcommand, its options grouped as on the page: data, network, optimization, regularization."""
    parser = subcommand(
        commands, "train", command, epilog(),
        help="train a small network on 2-D toy data; print its losses per epoch as CSV",
        description="Train a multilayer perceptron on a 2-D toy dataset with one optimizer and print\n"
                    "its training and validation loss and accuracy after every epoch as CSV.")
    add_data_options(parser.add_argument_group("data").add_argument)
    add_network_options(parser.add_argument_group("network").add_argument)
    add_optimization_options(parser.add_argument_group("optimization"))
    add_regularization_options(parser.add_argument_group("regularization").add_argument)


def add_data_options(add) -> None:
    d = DEFAULTS
    add("--dataset", default=d["dataset"], choices=DATASETS, help=f"2-D toy dataset (default: {d['dataset']})")
    add("--samples", type=int, default=d["samples"], metavar="N",
        help=f"points in all, training + validation, {MIN_SAMPLES} to {MAX_SAMPLES} (default: {d['samples']})")
    add("--classes", type=int, metavar="K", help="number of classes: " + "; ".join(
        f"{' or '.join(map(str, ds.classes))} for {name}" for name, ds in DATASETS.items()) + " (default: the first)")
    add("--noise", type=float, default=d["noise"], metavar="S",
        help=f"σ of the Gaussian noise on every point, 0 to {MAX_DATA_NOISE:g}, in data units "
             f"(default: {d['noise']:g})")
    add("--val-fraction", type=float, default=d["val_fraction"], metavar="F",
        help=f"share of each class held out for validation, 0 to {MAX_VAL_FRACTION:g} (default: {d['val_fraction']:g})")
    add("--preprocess", default="none", type=lambda text: SPELLINGS.get(text, text), choices=PREPROCESSINGS,
        help="input preprocessing, fitted on the training split (default: none)")
    add("--data-seed", type=int, metavar="N", help="seed of the data and its split, ≥ 0 (default: --seed)")


def add_network_options(add) -> None:
    d = DEFAULTS
    add("--hidden", type=int, nargs="*", default=list(d["hidden"]), metavar="W",
        help=f"widths of the hidden layers, at most {MAX_DEPTH} layers of 1 to {MAX_WIDTH} units; "
             f"none: logistic regression (default: {' '.join(map(str, d['hidden']))})")
    add_unit_options(add, d)
    add("--skip", action="store_true", help="add x + layer(x) skip connections around hidden layers of equal width")
    add("--batchnorm", action="store_true", help="batch normalisation after each hidden dense layer")
    add("--bn-momentum", type=float, metavar="M",
        help=f"share m of the running batch-norm statistics kept at each step, in [0, 1] (default: {BN_MOMENTUM:g})")


def add_optimization_options(group) -> None:
    d, add = DEFAULTS, group.add_argument
    add("--optimizer", default=d["optimizer"], choices=OPTIMIZERS, help=f"update rule (default: {d['optimizer']})")
    add("--lr", type=float, default=d["lr"], metavar="LR", help=f"learning rate α₀ > 0 (default: {d['lr']:g})")
    add_hyperparameters(group)
    add("--batch-size", type=batch_size_type, default=d["batch_size"], metavar="B",
        help=f"points per step, ≥ 1, or 'full' for full-batch gradient descent (default: {d['batch_size']})")
    add("--epochs", type=int, default=d["epochs"], metavar="N",
        help=f"passes over the training points, 1 to {MAX_EPOCHS} and within the caps below (default: {d['epochs']})")
    add("--schedule", default="constant", choices=SCHEDULES,
        help="learning-rate schedule, per epoch; momentum and nesterov keep α inside the velocity, as the lecture "
             "(see below) (default: constant)")
    add("--decay-rate", type=float, default=0.0, metavar="K", help="schedule decay rate k ≥ 0 per epoch (default: 0)")
    add("--seed", type=int, default=0, metavar="N",
        help="seed of the initial weights, shuffles, augmentation and dropout, ≥ 0 (default: 0)")


def add_regularization_options(add) -> None:
    add("--l1", type=float, default=0.0, metavar="L1", help="L1 penalty λ₁ Σ|W| on the weights, λ₁ ≥ 0 (default: 0)")
    add("--l2", type=float, default=0.0, metavar="L2",
        help="L2 penalty (λ₂/2) Σ W² on the weights, λ₂ ≥ 0 (default: 0)")
    add("--dropout", type=float, default=0.0, metavar="P",
        help="probability P of DROPPING each hidden unit while training (keep probability 1 − P), "
             "0 ≤ P < 1 (default: 0)")
    add("--early-stopping", type=int, metavar="PATIENCE",
        help="stop after PATIENCE ≥ 1 epochs without a new lowest val_loss; keep the best weights (default: off)")
    add("--augment", action="store_true",
        help=f"augment the training points: --jitter {AUGMENT_JITTER:g}, plus --rotation {MAX_ROTATION:g} "
             f"--reflect xy for {', '.join(SYMMETRIC_DATASETS)} (see below)")
    add("--jitter", type=float, metavar="S", help="augmentation: add S z, z ~ N(0, I), S ≥ 0 (default: 0)")
    add("--rotation", type=float, metavar="DEG",
        help=f"augmentation: rotate by a random angle in [−DEG, DEG] degrees, 0 ≤ DEG ≤ {MAX_ROTATION:g} "
             "(default: 0)")
    add("--reflect", choices=REFLECTIONS, help="augmentation: random mirror images (default: none)")


def augmentation(args) -> dict:
    """jitter, rotation and reflect for the engine: each flag as given, else --augment's preset, else off."""
    preset = dict(jitter=0.0, rotation=0.0, reflect="none")
    if args.augment:
        preset["jitter"] = AUGMENT_JITTER
        if args.dataset in SYMMETRIC_DATASETS:
            preset.update(rotation=MAX_ROTATION, reflect="xy")
    return {key: preset[key] if getattr(args, key) is None else getattr(args, key) for key in preset}


def cli_problem(args) -> str | None:
    """What only the command line can see: flags that do not apply, and the inputs it transforms or caps itself."""
    widths = (2, *args.hidden)
    if problem := hyperparameter_problem(args) or unit_problem(args):
        return problem
    if args.bn_momentum is not None and not args.batchnorm:
        return "--bn-momentum needs --batchnorm"
    if args.skip and not any(a == b for a, b in zip(widths[:-1], widths[1:])) and min(widths) >= 1:
        return (f"--skip needs a hidden layer whose input and output widths are equal (x + layer(x)); "
                f"--hidden {' '.join(map(str, args.hidden)) or '(none)'} has none")
    return None


def check_own(args) -> None:
    """The two inputs the engine cannot name as given: the drop probability P (it takes 1 − P) and the
    data noise cap (it takes any finite σ ≥ 0). Checked with the engine's own check, by their flags' names."""
    check_number("dropout", args.dropout, low=0.0, high=1.0, high_open=True)
    check_number("noise", args.noise, low=0.0, high=MAX_DATA_NOISE)


def command(args) -> int:
    """Train the network, print its history as CSV; report divergence and early stopping on stderr."""
    classes = DATASETS[args.dataset].classes[0] if args.classes is None else args.classes
    if problem := cli_problem(args):
        args.parser.error(problem)
    with engine_errors(args):
        check_own(args)
    data_seed, renames = (args.seed, {}) if args.data_seed is None else (args.data_seed, DATA_RENAMES)
    with engine_errors(args, **renames):
        X, y = make_dataset(args.dataset, args.samples, args.noise, data_seed, classes=classes)
        data = train_val_split(X, y, args.val_fraction, data_seed)
    batch_norm = {} if args.bn_momentum is None else {"bn_momentum": args.bn_momentum}
    with engine_errors(args, **NET_RENAMES, **init_param_renames()):
        net = MLP(2, tuple(args.hidden), 1 if classes == 2 else classes, activation=args.activation,
                  alpha=args.alpha, initializer=args.init, init_params=init_params(args), skip=args.skip,
                  batch_norm=args.batchnorm, keep_prob=1.0 - args.dropout, **batch_norm)
    with engine_errors(args, **TRAIN_RENAMES, **init_param_renames()):
        optimizer = OptimizerSetting(args.optimizer, hyperparameters=tuple(sorted(given_hyperparameters(args).items())))
        result = train(net, data, optimizer, learning_rate=args.lr, schedule=args.schedule,
                       decay_rate=args.decay_rate, batch_size=args.batch_size, epochs=args.epochs, l1=args.l1,
                       l2=args.l2, patience=args.early_stopping, preprocessing=args.preprocess, seed=args.seed,
                       record_grid=False, record_params=False, **augmentation(args))
    if not write_lines(history_lines(result)):
        return 0
    if result.diverged_at is not None:
        print(f"diverged at epoch {result.diverged_at}", file=sys.stderr)
    elif result.stopped_at is not None:
        print(f"stopped early at epoch {result.stopped_at}: best val_loss at epoch {result.best_epoch}",
              file=sys.stderr)
    return 0


def history_lines(result) -> list[str]:
    """The CSV: one line per epoch, with each layer's weight norm and gradient norm."""
    layers = [name.replace(" ", "") for name in result.layer_names]  # hidden1, …, output
    header = [*TRAIN_COLUMNS, *(f"weight_norm_{n}" for n in layers), *(f"grad_norm_{n}" for n in layers)]
    lines = [",".join(header)]
    history = result.history[list(TRAIN_COLUMNS)]
    for row, w_norms, g_norms in zip(history.itertuples(index=False), result.weight_norms, result.grad_norms):
        floats = [row.train_loss, row.val_loss, row.train_acc, row.val_acc, row.lr]
        lines.append(",".join([str(int(row.epoch)), *(repr(float(v)) for v in floats), str(int(row.steps)),
                               repr(float(row.penalty)), *(repr(float(v)) for v in (*w_norms, *g_norms))]))
    return lines
