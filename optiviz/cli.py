"""Command line: ``python -m optiviz path ...`` prints one optimizer's path as CSV;
``python -m optiviz train ...`` trains a small network on 2-D data and prints one row per epoch;
``python -m optiviz init-stats ...`` prints each layer's activation and gradient statistics at initialisation;
``python -m optiviz double-descent ...`` prints the median train and test error of min-norm least squares against
the number of features p."""

from __future__ import annotations

import argparse
import inspect
import math
import os
import re
import sys

import numpy as np

from optiviz.datasets import (BOUNDS, DATASETS, MAX_ROTATION, MAX_SAMPLES, MAX_VAL_FRACTION, MIN_SAMPLES,
                               PREPROCESSINGS, REFLECTIONS, make_dataset, train_val_split)
from optiviz import double_descent
from optiviz.descent import MAX_STEPS, run
from optiviz.nn import MLP
from optiviz.nn.activations import ACTIVATIONS, DEFAULT_ALPHA
from optiviz.nn import init_stats
from optiviz.nn.initializers import INITIALIZERS
from optiviz.nn.training import (MAX_DEPTH, MAX_EPOCHS, MAX_STEP_WORK, MAX_WIDTH, MAX_WORK, OptimizerSetting,
                                 max_epochs, train)
from optiviz.optimizers import BETA1, BETA2, DECAY, EPS, MOMENTUM, OPTIMIZERS
from optiviz.schedules import SCHEDULES
from optiviz.surfaces import SURFACES

COLUMNS = ("step", "x", "y", "loss", "grad_norm", "learning_rate")
HYPERPARAMETERS = {MOMENTUM: "G", DECAY: "G", BETA1: "B", BETA2: "B", EPS: "E"}  # and their metavars
# Engine ValueErrors start with a parameter's name; the user knows it by its flag.
ENGINE_NAMES = {"learning_rate": "--lr", "decay_rate": "--decay-rate", "start points": "--start", "steps": "--steps",
                "noise": "--noise", **{h.name: f"--{h.name}" for h in HYPERPARAMETERS}}

SURFACE_LINES = "\n".join(
    f"  {s.name:<12}{s.value_and_grad.__doc__.split(':')[0].rstrip('.')}\n{'':14}"
    f"min {', '.join(f'({x:g}, {y:g})' for x, y in s.minima)}; start ({s.starts[0][1][0]:g}, {s.starts[0][1][1]:g})"
    + "".join(f"\n{'':14}{name} races here with " + ", ".join(f"--{k} {v:g}" for k, v in s.defaults(name).items())
              + " unless given" for name in s.hyperparameters)
    for s in SURFACES.values()
)
DESCRIPTION = """\
Watch gradient-based optimizers walk down 2-D loss surfaces f(x, y) (path),
or train a small network on 2-D toy data with them (train). Each step is
W ← W + ΔW, where ΔW depends on the gradient g = ∇f(W), the learning rate α
and the optimizer's memory of earlier steps."""


def rule_lines() -> str:
    """Each optimizer's rule in plain text, from its registry entry (OptimizerSpec.text and .note)."""
    return "\n".join(f"  {name if k == 0 else '':<10}{line:<47}{spec.note if k == 0 else ''}".rstrip()
                     for name, spec in OPTIMIZERS.items() for k, line in enumerate(spec.text or ("(no rule text)",)))


def path_epilog() -> str:
    """The path command's help below its options: the update rules as the registry holds them now."""
    return PATH_EPILOG.replace("{RULES}", rule_lines())


PATH_EPILOG = f"""\
update rules (g = ∇f(W), α = learning rate, state starts at 0):
{{RULES}}

learning-rate schedules (k = --decay-rate, t = step from 0):
  constant α₀;  exp α₀ e^(−kt);  inv α₀ / (1 + kt);  step α₀ · 2^(−⌊kt⌋)
Under a schedule, momentum and nesterov keep α_t inside the velocity,
v ← γ v − α_t g, as the lecture writes it. PyTorch's SGD with a scheduler
applies it outside (v ← γ v + g; W ← W − α_t v), so the paths differ from
torch.optim.SGD's unless α is constant.

With --noise σ > 0 the optimizer sees g + σ ε, ε ~ N(0, I) (a stand-in for
minibatch noise); the loss and grad_norm columns stay noise-free.

output: CSV with one row per step from step 0 (the start):
  {",".join(COLUMNS)}
learning_rate is the α used for the step from that row to the next. A run
that leaves the surface's box (or overflows) diverges: its rows stop before
that step and "diverged at step N" goes to stderr (exit status still 0).

surfaces (formula; minima; default start):
{SURFACE_LINES}

example:
  python -m optiviz path --surface rosenbrock --optimizer momentum --lr 0.001 --momentum 0.95 > path.csv"""


# --- train ----------------------------------------------------------------------------------------

TRAIN_COLUMNS = ("epoch", "train_loss", "val_loss", "train_acc", "val_acc", "lr", "steps", "penalty")
SPELLINGS = {"center": "centre", "standardize": "standardise"}  # also accepted by --preprocess
# The initializers with a parameter: its flag and the engine's keyword (and its default, read from the engine).
INIT_FLAGS = {"constant": ("--init-constant", "c"), "normal": ("--std", "sigma"), "uniform": ("--init-range", "a")}
INIT_DEFAULTS = {name: inspect.signature(INITIALIZERS[name]).parameters[key].default
                 for name, (_, key) in INIT_FLAGS.items()}
INIT_RANGES = {"c": dict(low=-math.inf), "sigma": dict(low=0.0), "a": dict(low=0.0)}  # as the engine checks them
ALPHA_RANGES = {"leaky_relu": dict(low=0.0, high=1.0), "elu": dict(low=0.0, low_open=True)}  # the activations with α
# --augment: jitter for every dataset; rotation and reflection only where they keep every label
# (circles are symmetric under both; they would turn one moon, XOR quadrant, arm or blob into another).
AUGMENT_JITTER = 0.05
# --noise of train: beyond this the points are noise alone (and near 1e308 they overflow float64).
MAX_DATA_NOISE = 1e6
BN_MOMENTUM = MLP.__dataclass_fields__["bn_momentum"].default
SYMMETRIC_DATASETS = ("circles",)
TRAIN_DEFAULTS = dict(dataset="moons", samples=400, noise=0.1, val_fraction=0.25, hidden=(16, 16), activation="relu",
                      init="he", optimizer="adam", lr=0.01, batch_size=32, epochs=100)
TRAIN_ENGINE_NAMES = {
    "samples": "--samples", "noise": "--noise", "classes": "--classes", "val_fraction": "--val-fraction",
    "seed": "--seed", "hidden": "--hidden", "alpha": "--alpha", "keep_prob": "--dropout", "learning_rate": "--lr",
    "decay_rate": "--decay-rate", "epochs": "--epochs", "batch_size": "--batch-size", "l1": "--l1", "l2": "--l2",
    "patience": "--early-stopping", "jitter": "--jitter", "rotation": "--rotation", "reflect": "--reflect",
    **{key: flag for flag, key in INIT_FLAGS.values()}, **{h.name: f"--{h.name}" for h in HYPERPARAMETERS},
}


def split_sizes(samples: int, val_fraction: float, classes: int) -> tuple[int, int]:
    """(N_train, N_val) as make_dataset and train_val_split give them: balanced classes, rounded per class."""
    counts = [samples // classes + (k < samples % classes) for k in range(classes)]
    n_val = sum(int(math.floor(val_fraction * n + 0.5)) for n in counts)
    return samples - n_val, n_val


def _cap_example(samples: int, hidden: tuple[int, ...], batch_size: int) -> str:
    n_train, n_val = split_sizes(samples, TRAIN_DEFAULTS["val_fraction"], 2)
    most = max_epochs(MLP(2, hidden, 1), n_train, n_val, batch_size, grid_size=None)
    return f"--samples {samples} --hidden {' '.join(map(str, hidden))} --batch-size {batch_size}: at most {most} epochs"


DATASET_LINES = "\n".join(
    f"  {name:<9}{d.maker.__doc__.split(':')[0].split(',')[0].rstrip('.')}; "
    f"--classes {' or '.join(map(str, d.classes))}" for name, d in DATASETS.items()
)
(_X0, _X1), (_Y0, _Y1) = BOUNDS
TRAIN_EPILOG = f"""\
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
is logistic regression: one straight decision boundary.

activations (--alpha sets α):
  sigmoid     σ(z) = 1 / (1 + e^(−z))      tanh    (e^z − e^(−z)) / (e^z + e^(−z))
  relu        max(0, z)                     linear  z
  leaky_relu  max(αz, z), α in [0, 1] (default {DEFAULT_ALPHA['leaky_relu']:g})
  elu         z if z > 0 else α (e^z − 1), α > 0 (default {DEFAULT_ALPHA['elu']:g})

initialisers (biases start at 0):
  zeros     W = 0: every unit stays the same; symmetry is never broken
  constant  W = c, c = --init-constant (default {INIT_DEFAULTS['constant']:g}): the units stay "herded"
  normal    W ~ N(0, σ²), σ = --std (default {INIT_DEFAULTS['normal']:g})
  uniform   W ~ U[−a, a], a = --init-range (default {INIT_DEFAULTS['uniform']:g})
  xavier    W ~ N(0, 1/N_in), as in the lecture (for tanh)
  glorot    W ~ N(0, 2/(N_in + N_out)), Glorot & Bengio (PyTorch's xavier_normal_)
  he        W ~ N(0, 2/N_in), He/Kaiming (for ReLU)

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
  (the spellings center and standardize work too)

datasets (--noise σ adds N(0, σ²) to every coordinate; noise-free points lie
in [{_X0:g}, {_X1:g}] × [{_Y0:g}, {_Y1:g}]; classes are balanced):
{DATASET_LINES}

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
              {_cap_example(TRAIN_DEFAULTS['samples'], TRAIN_DEFAULTS['hidden'], 1)}

example:
  python -m optiviz train --dataset moons --hidden 16 16 --activation relu --init he \\
      --optimizer adam --lr 0.01 --batch-size 32 --epochs 100 --seed 0 > moons.csv"""


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line on stderr and exit status 2."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Read -1e-3, -.5 and -inf as values, not flags (argparse's own pattern takes only -1 and -1.5).
        self._negative_number_matcher = re.compile(r"^-(\.?\d|inf$|nan$)", re.IGNORECASE)

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {' '.join(message.split())}\n")


def subcommand(commands, name: str, handler, epilog: str, **text) -> Parser:
    """A subcommand whose help keeps its line breaks, with no abbreviated options."""
    parser = commands.add_parser(name, epilog=epilog, formatter_class=argparse.RawDescriptionHelpFormatter,
                                 allow_abbrev=False, **text)
    parser.set_defaults(handler=handler, parser=parser)
    return parser


def add_unit_options(add, d: dict, constant_flag: str) -> None:
    """--activation, --alpha, --init and the initialisers' parameters, shared by train and init-stats."""
    add("--activation", default=d["activation"], choices=ACTIVATIONS,
        help=f"activation of the hidden layers (default: {d['activation']})")
    add("--alpha", type=float, metavar="A",
        help=f"slope α of leaky_relu for z < 0, in [0, 1] (default: {DEFAULT_ALPHA['leaky_relu']:g}), "
             f"or scale α > 0 of elu (default: {DEFAULT_ALPHA['elu']:g})")
    add("--init", default=d["init"], choices=INITIALIZERS, help=f"weight initialisation (default: {d['init']})")
    add("--std", type=float, metavar="S",
        help=f"σ ≥ 0 of --init normal, N(0, σ²) (default: {INIT_DEFAULTS['normal']:g})")
    add(constant_flag, type=float, metavar="C",
        help=f"value c of every weight with --init constant (default: {INIT_DEFAULTS['constant']:g})")
    add("--init-range", type=float, metavar="A",
        help=f"a ≥ 0 of --init uniform, U[−a, a] (default: {INIT_DEFAULTS['uniform']:g})")


def build_parser() -> Parser:
    parser = Parser(prog="optiviz", description=DESCRIPTION,
                    epilog="Run `python -m optiviz COMMAND --help` (path, train, init-stats, double-descent) for the options.",
                    formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    path = subcommand(commands, "path", path_command, path_epilog(),
                      help="print one optimizer's path on a surface as CSV",
                      description="Run one optimizer from a start point and print its path as CSV.")
    add = path.add_argument
    add("--surface", default="beale", choices=SURFACES, help="loss surface (default: beale)")
    add("--optimizer", default="adam", choices=OPTIMIZERS, help="update rule (default: adam)")
    add("--steps", type=int, default=300, metavar="N", help=f"number of steps, 1 to {MAX_STEPS} (default: 300)")
    add("--start", type=float, nargs=2, metavar=("X", "Y"), help="start point (default: the surface's first preset)")
    add("--lr", type=float, metavar="LR", help="learning rate α₀ > 0 (default: a good rate for the surface and optimizer)")
    add_hyperparameters(path)
    add("--schedule", default="constant", choices=SCHEDULES, help="learning-rate schedule (default: constant)")
    add("--decay-rate", type=float, default=0.0, metavar="K", help="schedule decay rate k ≥ 0 (default: 0)")
    add("--noise", type=float, default=0.0, metavar="S", help="gradient noise σ ≥ 0 (default: 0)")
    add("--seed", type=int, default=0, metavar="N", help="seed for the noise, ≥ 0 (default: 0)")
    add_train_parser(commands)
    add_init_stats_parser(commands)
    add_double_descent_parser(commands)
    return parser


def add_hyperparameters(group) -> None:
    """--momentum, --decay, --beta1, --beta2 and --eps, each saying which optimizers take it."""
    for h, metavar in HYPERPARAMETERS.items():
        users = ", ".join(name for name, spec in OPTIMIZERS.items() if h in spec.hyperparameters)
        closing = ")" if h.high_open else "]"
        group.add_argument(f"--{h.name}", type=float, metavar=metavar,
                           help=f"{h.help}; in [{h.low:g}, {h.high:g}{closing}, for {users} (default: {h.default:g})")


def batch_size_type(text: str) -> int | None:
    """An integer, or None for the word "full" (full-batch gradient descent)."""
    if text == "full":
        return None
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer or 'full', got {text!r}") from None


def add_train_parser(commands) -> None:
    """The ``train`` subcommand, its options grouped as on the page: data, network, optimization, regularization."""
    d = TRAIN_DEFAULTS
    train_parser = subcommand(
        commands, "train", train_command, TRAIN_EPILOG,
        help="train a small network on 2-D toy data; print its losses per epoch as CSV",
        description="Train a multilayer perceptron on a 2-D toy dataset with one optimizer and print\n"
                    "its training and validation loss and accuracy after every epoch as CSV.")

    add = train_parser.add_argument_group("data").add_argument
    add("--dataset", default=d["dataset"], choices=DATASETS, help=f"2-D toy dataset (default: {d['dataset']})")
    add("--samples", type=int, default=d["samples"], metavar="N",
        help=f"points in all, training + validation, {MIN_SAMPLES} to {MAX_SAMPLES} (default: {d['samples']})")
    add("--classes", type=int, metavar="K", help="number of classes: 2, or 3 for spiral and blobs (default: 2)")
    add("--noise", type=float, default=d["noise"], metavar="S",
        help=f"σ of the Gaussian noise on every point, 0 to {MAX_DATA_NOISE:g}, in data units "
             f"(default: {d['noise']:g})")
    add("--val-fraction", type=float, default=d["val_fraction"], metavar="F",
        help=f"share of each class held out for validation, 0 to {MAX_VAL_FRACTION:g} (default: {d['val_fraction']:g})")
    add("--preprocess", default="none", type=lambda text: SPELLINGS.get(text, text), choices=PREPROCESSINGS,
        help="input preprocessing, fitted on the training split (default: none)")
    add("--data-seed", type=int, metavar="N", help="seed of the data and its split, ≥ 0 (default: --seed)")

    add = train_parser.add_argument_group("network").add_argument
    add("--hidden", type=int, nargs="*", default=list(d["hidden"]), metavar="W",
        help=f"widths of the hidden layers, at most {MAX_DEPTH} layers of 1 to {MAX_WIDTH} units; "
             f"none: logistic regression (default: {' '.join(map(str, d['hidden']))})")
    add_unit_options(add, d, constant_flag="--init-constant")
    add("--skip", action="store_true", help="add x + layer(x) skip connections around hidden layers of equal width")
    add("--batchnorm", action="store_true", help="batch normalisation after each hidden dense layer")
    add("--bn-momentum", type=float, metavar="M",
        help=f"share m of the running batch-norm statistics kept at each step, in [0, 1] (default: {BN_MOMENTUM:g})")

    group = train_parser.add_argument_group("optimization")
    add = group.add_argument
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

    add = train_parser.add_argument_group("regularization").add_argument
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


def check(flag: str, value, low: float, high: float = math.inf, low_open=False, high_open=False) -> str | None:
    """Why ``value`` is not a finite number in the given range, or None if it is."""
    if isinstance(value, float) and not math.isfinite(value):
        return f"{flag} must be a finite number, got {value}"
    if value < low or (low_open and value == low) or value > high or (high_open and value == high):
        got = f"{value:g}" if isinstance(value, float) else value
        if high == math.inf:
            return f"{flag} must be {'>' if low_open else '>='} {low:g}, got {got}"
        return f"{flag} must be in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}, got {got}"
    return None


def problems(args) -> list[str]:
    """What is wrong with the parsed ``path`` options (empty when they are fine)."""
    surface, spec = SURFACES[args.surface], OPTIMIZERS[args.optimizer]
    found = [check("--lr", args.lr, 0, low_open=True), check("--decay-rate", args.decay_rate, 0),
             check("--noise", args.noise, 0), check("--seed", args.seed, 0),
             check("--steps", args.steps, 1, MAX_STEPS)]
    found += [check("--start", v, -math.inf) for v in args.start]
    found += hyperparameter_problems(args, spec)
    if all(math.isfinite(v) for v in args.start) and not surface.inside(args.start):
        (cx, cy), (hx, hy) = surface.box
        found.append(f"--start {args.start[0]:g} {args.start[1]:g} is outside the {surface.name} box "
                     f"[{cx - hx:g}, {cx + hx:g}] x [{cy - hy:g}, {cy + hy:g}]")
    return [p for p in found if p]


def hyperparameter_problems(args, spec) -> list[str | None]:
    """Optimizer hyperparameters out of range, or given to an optimizer that does not take them."""
    found = []
    for h in HYPERPARAMETERS:
        value = getattr(args, h.name)
        if value is not None and h not in spec.hyperparameters:
            takes = ", ".join(f"--{t.name}" for t in spec.hyperparameters) or "no hyperparameters"
            found.append(f"--{h.name} does not apply to {spec.name} (it takes {takes})")
        elif value is not None:
            found.append(check(f"--{h.name}", value, h.low, h.high, high_open=h.high_open))
    return found


def given_hyperparameters(args) -> dict[str, float]:
    """The optimizer hyperparameters set on the command line, by name."""
    return {h.name: getattr(args, h.name) for h in HYPERPARAMETERS if getattr(args, h.name) is not None}


def engine_error(parser: Parser, error: ValueError, names: dict[str, str]):
    """Report an engine ValueError as a parser error, its leading parameter name replaced by the flag."""
    text = str(error)
    name = next((n for n in names if text.startswith((n + " ", n + "="))), None)
    parser.error(names[name] + text[len(name) :] if name else text)


def write_lines(lines: list[str]) -> bool:
    """Write the CSV lines to stdout; False if the reader went away (e.g. `| head`)."""
    try:
        sys.stdout.write("\n".join(lines) + "\n")
        sys.stdout.flush()
    except BrokenPipeError:  # stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return False
    return True


def path_command(args) -> int:
    """Print the path as CSV; report a divergence on stderr."""
    surface = SURFACES[args.surface]
    args.start = args.start or list(surface.starts[0][1])
    args.lr = surface.learning_rates[args.optimizer] if args.lr is None else args.lr
    if found := problems(args):
        args.parser.error(found[0])
    try:
        table = run(args.surface, args.optimizer, args.start, args.steps, args.lr, schedule=args.schedule,
                    decay_rate=args.decay_rate, noise=args.noise, seed=args.seed,
                    **surface.defaults(args.optimizer) | given_hyperparameters(args))
    except ValueError as e:
        engine_error(args.parser, e, ENGINE_NAMES)
    lines = [",".join(COLUMNS)]
    for row in table[list(COLUMNS)].itertuples(index=False):
        lines.append(",".join([str(int(row[0]))] + [repr(float(v)) for v in row[1:]]))
    if write_lines(lines) and len(table) < args.steps + 1:
        print(f"diverged at step {len(table)}", file=sys.stderr)
    return 0


def augmentation(args) -> dict:
    """jitter, rotation and reflect for the engine: each flag as given, else --augment's preset, else off."""
    preset = dict(jitter=0.0, rotation=0.0, reflect="none")
    if args.augment:
        preset["jitter"] = AUGMENT_JITTER
        if args.dataset in SYMMETRIC_DATASETS:
            preset.update(rotation=MAX_ROTATION, reflect="xy")
    return {key: preset[key] if getattr(args, key) is None else getattr(args, key) for key in preset}


def init_flag_value(flag: str, args) -> float | None:
    """The value of an initializer flag such as --init-range (None when not given)."""
    return getattr(args, flag[2:].replace("-", "_"))


def train_problems(args, augment: dict) -> list[str]:
    """What is wrong with the parsed ``train`` options (empty when they are fine; the engine checks the caps)."""
    dataset, spec = DATASETS[args.dataset], OPTIMIZERS[args.optimizer]
    found = [check("--samples", args.samples, MIN_SAMPLES, MAX_SAMPLES),
             check("--noise", args.noise, 0, MAX_DATA_NOISE), check("--val-fraction", args.val_fraction, 0, MAX_VAL_FRACTION)]
    if args.data_seed is not None:
        found.append(check("--data-seed", args.data_seed, 0))
    if args.classes not in dataset.classes:
        found.append(f"--classes {args.classes} is not allowed for {args.dataset}; "
                     f"choose {' or '.join(map(str, dataset.classes))}")
    if len(args.hidden) > MAX_DEPTH:
        found.append(f"--hidden must list at most {MAX_DEPTH} widths (depth cap), got {len(args.hidden)}")
    found += [check("--hidden", width, 1, MAX_WIDTH) for width in args.hidden]
    found += unit_problems(args, INIT_FLAGS)
    if args.bn_momentum is not None and not args.batchnorm:
        found.append("--bn-momentum needs --batchnorm")
    elif args.bn_momentum is not None:
        found.append(check("--bn-momentum", args.bn_momentum, 0, 1))
    found += [check("--lr", args.lr, 0, low_open=True), *hyperparameter_problems(args, spec),
              check("--decay-rate", args.decay_rate, 0), check("--epochs", args.epochs, 1, MAX_EPOCHS),
              check("--seed", args.seed, 0), check("--l1", args.l1, 0), check("--l2", args.l2, 0),
              check("--dropout", args.dropout, 0, 1, high_open=True), check("--jitter", augment["jitter"], 0),
              check("--rotation", augment["rotation"], 0, MAX_ROTATION)]
    if args.batch_size is not None:
        found.append(check("--batch-size", args.batch_size, 1))
    if args.early_stopping is not None:
        found.append(check("--early-stopping", args.early_stopping, 1))
    found = [p for p in found if p]
    if found:
        return found
    # only once the numbers are fine: the checks that combine them
    widths = (2, *args.hidden)
    if args.skip and not any(a == b for a, b in zip(widths[:-1], widths[1:])):
        found.append(f"--skip needs a hidden layer whose input and output widths are equal (x + layer(x)); "
                     f"--hidden {' '.join(map(str, args.hidden)) or '(none)'} has none")
    if args.early_stopping is not None and split_sizes(args.samples, args.val_fraction, args.classes)[1] == 0:
        found.append(f"--early-stopping needs validation points: --val-fraction {args.val_fraction:g} "
                     f"of {args.samples} samples leaves none")
    return found


def train_command(args) -> int:
    """Train the network, print its history as CSV; report divergence and early stopping on stderr."""
    args.classes = DATASETS[args.dataset].classes[0] if args.classes is None else args.classes
    augment = augmentation(args)
    if found := train_problems(args, augment):
        args.parser.error(found[0])
    args.data_seed = args.seed if args.data_seed is None else args.data_seed
    init_params = {key: init_flag_value(flag, args) for name, (flag, key) in INIT_FLAGS.items()
                   if name == args.init and init_flag_value(flag, args) is not None}
    batch_norm = {} if args.bn_momentum is None else {"bn_momentum": args.bn_momentum}
    optimizer = OptimizerSetting(args.optimizer, hyperparameters=tuple(sorted(given_hyperparameters(args).items())))
    try:
        X, y = make_dataset(args.dataset, args.samples, args.noise, args.data_seed, classes=args.classes)
        data = train_val_split(X, y, args.val_fraction, args.data_seed)
        net = MLP(2, tuple(args.hidden), 1 if args.classes == 2 else args.classes, activation=args.activation,
                  alpha=args.alpha, initializer=args.init, init_params=init_params, skip=args.skip,
                  batch_norm=args.batchnorm, keep_prob=1.0 - args.dropout, **batch_norm)
        result = train(net, data, optimizer, learning_rate=args.lr, schedule=args.schedule,
                       decay_rate=args.decay_rate, batch_size=args.batch_size, epochs=args.epochs, l1=args.l1,
                       l2=args.l2, patience=args.early_stopping, preprocessing=args.preprocess, seed=args.seed,
                       record_grid=False, record_params=False, **augment)
    except ValueError as e:
        engine_error(args.parser, e, TRAIN_ENGINE_NAMES)
    layers = [name.replace(" ", "") for name in result.layer_names]  # hidden1, …, output
    header = [*TRAIN_COLUMNS, *(f"weight_norm_{n}" for n in layers), *(f"grad_norm_{n}" for n in layers)]
    lines = [",".join(header)]
    history = result.history[list(TRAIN_COLUMNS)]
    for row, w_norms, g_norms in zip(history.itertuples(index=False), result.weight_norms, result.grad_norms):
        floats = [row.train_loss, row.val_loss, row.train_acc, row.val_acc, row.lr]
        lines.append(",".join([str(int(row.epoch)), *(repr(float(v)) for v in floats), str(int(row.steps)),
                               repr(float(row.penalty)), *(repr(float(v)) for v in (*w_norms, *g_norms))]))
    if not write_lines(lines):
        return 0
    if result.diverged_at is not None:
        print(f"diverged at epoch {result.diverged_at}", file=sys.stderr)
    elif result.stopped_at is not None:
        print(f"stopped early at epoch {result.stopped_at}: best val_loss at epoch {result.best_epoch}",
              file=sys.stderr)
    return 0


# --- init-stats -----------------------------------------------------------------------------------

INIT_STATS_COLUMNS = ("layer", "mean", "std", "zero_fraction", "saturated_fraction", "grad_std", "grad_norm")
# The initializers with a parameter: its flag here and the engine's keyword.
INIT_STATS_FLAGS = {"constant": ("--constant", "c"), "normal": ("--std", "sigma"), "uniform": ("--init-range", "a")}
INIT_STATS_DEFAULTS = dict(activation="tanh", init="xavier", layers=10, width=500, samples=1000)
INIT_STATS_ENGINE_NAMES = {"layers": "--layers", "width": "--width", "samples": "--samples", "seed": "--seed",
                           "alpha": "--alpha", **{key: flag for flag, key in INIT_STATS_FLAGS.values()}}

INIT_STATS_EPILOG = f"""\
network: inputs X ~ N(0, 1) of shape (samples, width), biases 0, L = --layers
hidden layers of width × width weights W_l from the initialiser:
  z_l = h_(l−1) W_l,  a_l = f(z_l),  h_0 = X
  h_l = a_l;  with --skip  h_1 = a_1 and h_l = h_(l−1) + a_l for l ≥ 2
backward: a fixed, seeded random linear loss L = Σ h_L ⊙ R, R ~ N(0, 1), so
∂L/∂h_L = R and ∂L/∂z_l = ∂L/∂h_l ⊙ f'(z_l), ∂L/∂h_(l−1) = ∂L/∂z_l W_lᵀ (+ ∂L/∂h_l with --skip).
--seed draws X and R from one stream and the weights from another.

initialisers: zeros; constant W = c (--constant, default {INIT_DEFAULTS['constant']:g});
  normal N(0, σ²) (--std, default {INIT_DEFAULTS['normal']:g}); uniform U[−a, a] (--init-range, default
  {INIT_DEFAULTS['uniform']:g}); xavier N(0, 1/N_in) as in the lecture; glorot N(0, 2/(N_in + N_out));
  he N(0, 2/N_in).

output: CSV on stdout, one row per hidden layer l = 1..L:
  {",".join(INIT_STATS_COLUMNS)}
mean, std        of the activations a_l = f(z_l) over all samples and units
                 (population std; without --skip a_l = h_l)
zero_fraction    share of a_l exactly 0 (dead ReLUs)
saturated_fraction  share within {init_stats.SATURATION_MARGIN:g} of a bound of f (tanh ±1, sigmoid 0
                 and 1, elu −α); 0 for relu, leaky_relu and linear
grad_std         std of ∂L/∂z_l over all samples and units: watch it vanish or explode
grad_norm        ‖∂L/∂z_l‖_F / √samples, the root mean square of each sample's gradient norm
An overflow shows as inf or nan (no error).

caps: --layers 1 to {init_stats.MAX_LAYERS}, --width 1 to {init_stats.MAX_WIDTH}, --samples 1 to {init_stats.MAX_SAMPLES}.

example:
  python -m optiviz init-stats --activation tanh --init normal --std 0.01 --layers 10 > tanh-small.csv"""


def add_init_stats_parser(commands) -> None:
    """The ``init-stats`` subcommand."""
    d = INIT_STATS_DEFAULTS
    parser = subcommand(
        commands, "init-stats", init_stats_command, INIT_STATS_EPILOG,
        help="print each layer's activation and gradient statistics of a deep network at initialisation as CSV",
        description="Push N(0, 1) inputs through a deep plain network at initialisation and back, and print\n"
                    "each hidden layer's activation and gradient statistics as CSV.")
    add = parser.add_argument
    add_unit_options(add, d, constant_flag="--constant")
    add("--layers", type=int, default=d["layers"], metavar="L",
        help=f"hidden layers, 1 to {init_stats.MAX_LAYERS} (default: {d['layers']})")
    add("--width", type=int, default=d["width"], metavar="N",
        help=f"units per layer (and inputs), 1 to {init_stats.MAX_WIDTH} (default: {d['width']})")
    add("--samples", type=int, default=d["samples"], metavar="N",
        help=f"input samples, 1 to {init_stats.MAX_SAMPLES} (default: {d['samples']})")
    add("--seed", type=int, default=0, metavar="N", help="seed of the inputs, the loss and the weights, ≥ 0 (default: 0)")
    add("--skip", action="store_true", help="skip connections h_l = h_(l−1) + f(z_l) around layers 2..L")


def unit_problems(args, init_flags) -> list[str]:
    """What is wrong with --alpha and the initialisers' parameters for this --activation and --init."""
    found = []
    if args.alpha is not None and args.activation not in ALPHA_RANGES:
        found.append(f"--alpha does not apply to {args.activation} (only to {', '.join(ALPHA_RANGES)})")
    elif args.alpha is not None:
        found.append(check("--alpha", args.alpha, **ALPHA_RANGES[args.activation]))
    for name, (flag, key) in init_flags.items():
        value = init_flag_value(flag, args)
        if value is not None and name != args.init:
            found.append(f"{flag} does not apply to --init {args.init} (it sets {key} of --init {name})")
        elif value is not None:
            found.append(check(flag, value, **INIT_RANGES[key]))
    return found


def init_stats_problems(args) -> list[str]:
    """What is wrong with the parsed ``init-stats`` options (empty when they are fine)."""
    found = [check("--layers", args.layers, 1, init_stats.MAX_LAYERS), check("--width", args.width, 1, init_stats.MAX_WIDTH),
             check("--samples", args.samples, 1, init_stats.MAX_SAMPLES), check("--seed", args.seed, 0)]
    found += unit_problems(args, INIT_STATS_FLAGS)
    return [p for p in found if p]


def init_stats_command(args) -> int:
    """Print the per-layer statistics as CSV."""
    if found := init_stats_problems(args):
        args.parser.error(found[0])
    init_params = {key: init_flag_value(flag, args) for name, (flag, key) in INIT_STATS_FLAGS.items()
                   if name == args.init and init_flag_value(flag, args) is not None}
    try:
        result = init_stats.layer_statistics(args.activation, args.init, init_params, layers=args.layers,
                                             width=args.width, samples=args.samples, seed=args.seed, skip=args.skip,
                                             alpha=args.alpha)
    except ValueError as e:
        engine_error(args.parser, e, INIT_STATS_ENGINE_NAMES)
    lines = [",".join(INIT_STATS_COLUMNS)]
    for row in result.stats[list(INIT_STATS_COLUMNS)].itertuples(index=False):
        lines.append(",".join([str(int(row[0])), *(repr(float(v)) for v in row[1:])]))
    write_lines(lines)
    return 0


# --- double-descent -------------------------------------------------------------------------------

DD_COLUMNS = ("features", "train_mse", "test_mse")
DD_DEFAULTS = dict(n_train=40, max_features=200, trials=30, noise=0.2, ridge=0.0, weights="equal", model="relu")
DD_ENGINE_NAMES = {"n_train": "--n-train", "max_features": "--max-features", "trials": "--trials", "noise": "--noise",
                   "ridge": "--ridge", "seed": "--seed"}

DD_EPILOG = f"""\
models (--model):
  relu    (default) a network with one hidden layer of P = --max-features ReLU
          units φ_j(x) = max(0, v_jᵀ(x − c_j)), drawn at random and frozen
          (v_j uniform on the unit sphere, c_j uniform in [−½, ½]³), learning
          f(x) = sin(πx₁) + cos(πx₂) of x uniform on [−1, 1]³ from y = f(x) + σ ε.
  linear  a Gaussian linear model y = xᵀβ + σ ε with D = --max-features inputs
          x ~ N(0, I) and ‖β‖ = 1 (--weights equal: β_j = 1/√D; decaying: β_j ∝ 1/√j).
ε ~ N(0, 1), σ = --noise. Each trial draws n = --n-train training samples (and
fresh units) and fits the output weights on the FIRST p features Φ_p, for
every p = 1 … P, by ridge regression
  ŵ = (Φ_pᵀΦ_p + λI)⁻¹ Φ_pᵀ y,   λ = --ridge
and for λ = 0 by the pseudo-inverse ŵ = Φ_p⁺ y (X_p⁺ y for the linear model):
least squares while p < n, the interpolating solution of smallest norm ‖ŵ‖ once p ≥ n.

output: CSV on stdout, one row per p = 1 … P:
  {",".join(DD_COLUMNS)}
train_mse  (1/n) ‖y − Φ_p ŵ‖², 0 up to rounding once the fit interpolates (p ≥ n, λ = 0)
test_mse   relu: σ² + the mean of (f̂ − f)² over {double_descent.TEST_POINTS} fresh inputs per trial;
           linear: σ² + ‖β − ŵ‖², the exact expected squared error on a fresh point
each the median over the trials. The null model (predict 0) scores E[y²] = 1 + σ².
With the defaults test_mse falls then rises (the classical U), peaks at p = n,
and falls again: its lowest value past p = 2n is about half the lowest below p = n.

caps: --n-train 1 to {double_descent.MAX_SAMPLES}, --max-features 1 to {double_descent.MAX_FEATURES}, \
--trials 1 to {double_descent.MAX_TRIALS},
--noise 0 to {double_descent.MAX_NOISE:g}, --ridge 0 to {double_descent.MAX_RIDGE:g}; and the work of one sweep
(linear: trials × Σ_p (min(n, p)³/3 + 2np)) at most {double_descent.MAX_WORK:.0e} (about 2 s): with
--n-train 100 --max-features 400, {double_descent.affordable_trials(100, 400, double_descent.MAX_TRIALS)} trials \
(linear: {double_descent.affordable_trials(100, 400, double_descent.MAX_TRIALS, "linear")}).

examples:
  python -m optiviz double-descent > double-descent.csv
  python -m optiviz double-descent --model linear --noise 0.5 --trials 50 --seed 0"""


def add_double_descent_parser(commands) -> None:
    """The ``double-descent`` subcommand."""
    d = DD_DEFAULTS
    parser = subcommand(
        commands, "double-descent", double_descent_command, DD_EPILOG,
        help="print the median train and test error of min-norm least squares against the number of features as CSV",
        description="Fit a network's output weights on its first p random ReLU units (or a linear model on its\n"
                    "first p inputs), p = 1 … P, by min-norm least squares (or ridge) over seeded trials, and\n"
                    "print the median train and test error per p as CSV.")
    add = parser.add_argument
    add("--n-train", type=int, default=d["n_train"], metavar="N",
        help=f"training samples n: the interpolation threshold p = n, 1 to {double_descent.MAX_SAMPLES} "
             f"(default: {d['n_train']})")
    add("--model", default=d["model"], choices=double_descent.MODELS,
        help="relu: random ReLU features of a 3-D input; linear: Gaussian inputs (default: relu)")
    add("--max-features", type=int, default=d["max_features"], metavar="P",
        help=f"features P (hidden units or inputs), the largest p, 1 to {double_descent.MAX_FEATURES} "
             f"(default: {d['max_features']})")
    add("--trials", type=int, default=d["trials"], metavar="T",
        help=f"training sets drawn, 1 to {double_descent.MAX_TRIALS} (default: {d['trials']})")
    add("--noise", type=float, default=d["noise"], metavar="S",
        help=f"σ of the label noise, 0 to {double_descent.MAX_NOISE:g} (default: {d['noise']:g})")
    add("--ridge", type=float, default=d["ridge"], metavar="L",
        help=f"ridge λ, 0 to {double_descent.MAX_RIDGE:g}; 0 is the min-norm pseudo-inverse (default: 0)")
    add("--weights", default=d["weights"], choices=double_descent.WEIGHTS,
        help="true weights β of the linear model (default: equal)")
    add("--seed", type=int, default=0, metavar="N", help="seed of the training sets, ≥ 0 (default: 0)")


def double_descent_command(args) -> int:
    """Print the median errors per number of features as CSV."""
    found = [check("--n-train", args.n_train, 1, double_descent.MAX_SAMPLES),
             check("--max-features", args.max_features, 1, double_descent.MAX_FEATURES),
             check("--trials", args.trials, 1, double_descent.MAX_TRIALS),
             check("--noise", args.noise, 0, double_descent.MAX_NOISE),
             check("--ridge", args.ridge, 0, double_descent.MAX_RIDGE), check("--seed", args.seed, 0)]
    if found := [p for p in found if p]:
        args.parser.error(found[0])
    most = double_descent.affordable_trials(args.n_train, args.max_features, args.trials, args.model)
    if most == 0:
        args.parser.error(f"--max-features {args.max_features} with --n-train {args.n_train} exceeds the work cap "
                          "even for one trial; lower either")
    if most < args.trials:
        args.parser.error(f"--trials must be at most {most} with --n-train {args.n_train} --max-features "
                          f"{args.max_features} (work cap), got {args.trials}")
    try:
        curve = double_descent.double_descent(args.n_train, args.max_features, args.trials, args.noise, args.ridge,
                                              args.seed, args.weights, model=args.model)
    except ValueError as e:
        engine_error(args.parser, e, DD_ENGINE_NAMES)
    lines = [",".join(DD_COLUMNS)]
    for row in curve[list(DD_COLUMNS)].itertuples(index=False):
        lines.append(",".join([str(int(row[0])), *(repr(float(v)) for v in row[1:])]))
    write_lines(lines)
    return 0


def main(argv=None) -> int:
    """Run the command line; return the exit status (2 for bad input)."""
    try:
        args = build_parser().parse_args(argv)
        # An overflow is a divergence (reported as "diverged at ..."), not a RuntimeWarning with a source line.
        with np.errstate(all="ignore"):
            return args.handler(args)
    except SystemExit as stop:  # argparse exits for --help and errors
        return stop.code if isinstance(stop.code, int) else 1
