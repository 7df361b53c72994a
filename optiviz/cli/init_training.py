"""``python -m optiviz init-training``: a deep plain network trained from each initialisation scheme over many
seeds, as CSV (the activations and initialisation lab's Training tab)."""

from __future__ import annotations

import math

import pandas as pd

from optiviz.core.checks import check_number
from optiviz.cli.common import activation_lines, engine_errors, frame_lines, subcommand, write_lines
from optiviz.labs.activations_init import training as it
from optiviz.nn.activations import ACTIVATIONS, DEFAULT_ALPHA
from optiviz.labs.activations_init.statistics import SCHEMES
from optiviz.nn.seeds import MAX_SEEDS, spread_table
from optiviz.nn.training import MAX_DEPTH

RENAMES = {"c": "constant"}
SCHEME_PARAMS = {"small normal": "--small-sigma", "large normal": "--large-sigma", "constant": "--init-constant"}


def curves(runs: it.SchemeTrainings) -> pd.DataFrame:
    """Per scheme and epoch, the median and 10–90% band over the seeds (the chart's lines and bands)."""
    return pd.concat([spread_table([c]).drop(columns="run").assign(scheme=label).iloc[:, [-1, *range(13)]]
                      for label, c in runs.curves.items()], ignore_index=True)


def epilog() -> str:
    schemes = "\n".join(f"  {label:<13}{init}" + (f", {SCHEME_PARAMS[label]}" if label in SCHEME_PARAMS else "")
                        for label, (init, _) in SCHEMES.items())
    return f"""\
network: 2 → [--width] × --depth → 1, no skip connections, sigmoid output, binary
cross-entropy, on {it.DATA_POINTS} two-moons points (noise {it.DATA_NOISE:g}, drawn from --seed, all for
training); full-batch momentum v ← γ v − α g (γ = {it.MOMENTUM:g}, α = {it.LEARNING_RATE:g}).
Seed s of --seed … --seed + --seeds − 1 draws the initial weights. zeros and constant
draw nothing at random: one run stands for every seed.

schemes (--schemes; initializer and its parameters):
{schemes}

activations (--alpha sets α):
{activation_lines()}

output: CSV. --table curves (default): per scheme and epoch the median, 10th and
90th percentile over the seeds of train_loss, val_loss, train_acc and val_acc
(val_* are nan: every point trains):
  scheme,epoch,train_loss_median,train_loss_p10,train_loss_p90,val_loss_median,…
--table summary: per scheme the final training loss's median, p10 and p90
(diverged seeds left out), the median final accuracy, the seeds diverged:
  scheme,loss_median,loss_p10,loss_p90,accuracy_median,diverged

example:
  python -m optiviz init-training --activation relu --schemes xavier he "large normal" > relu.csv"""


def add_parser(commands) -> None:
    """The ``init-training`` subcommand: its defaults are the page's Training tab at the page's defaults."""
    parser = subcommand(commands, "init-training", command, epilog(),
                        help="print a deep network's training loss from each initialisation scheme over many seeds "
                             "as CSV", description="Train the same deep plain network from each initialisation "
                                                   "scheme over many seeds and print its curves or a summary.")
    add = parser.add_argument
    add("--activation", default="tanh", choices=ACTIVATIONS, help="activation of the hidden layers (default: tanh)")
    add("--alpha", type=float, metavar="A", help="α of " + " or ".join(DEFAULT_ALPHA) + " (default: 0.1, the page's)")
    add("--schemes", nargs="+", default=list(SCHEMES), choices=SCHEMES, metavar="NAME",
        help=f"initialisation schemes, of {', '.join(SCHEMES)} (default: all)")
    add("--depth", type=int, default=it.DEPTH, metavar="L",
        help=f"hidden layers, 1 to {MAX_DEPTH} (default: {it.DEPTH})")
    add("--width", type=int, default=it.WIDTH, metavar="N",
        help=f"units per layer, 1 to {it.MAX_TRAIN_WIDTH} (default: {it.WIDTH})")
    add("--epochs", type=int, default=it.EPOCHS, metavar="N",
        help=f"epochs, 1 to {it.MAX_TRAIN_EPOCHS} (default: {it.EPOCHS})")
    add("--seeds", type=int, default=it.SEEDS, metavar="S", help=f"seeds, 1 to {MAX_SEEDS} (default: {it.SEEDS})")
    add("--seed", type=int, default=0, metavar="N", help="the first seed, and the data's (default: 0)")
    add("--small-sigma", type=float, default=0.01, metavar="S", help="σ of small normal, ≥ 0 (default: 0.01)")
    add("--large-sigma", type=float, default=2.0, metavar="S", help="σ of large normal, ≥ 0 (default: 2)")
    add("--init-constant", dest="constant", type=float, default=0.1, metavar="C", help="c of constant (default: 0.1)")
    add("--table", default="curves", choices=("curves", "summary"), help="what to print (default: curves)")


def command(args) -> int:
    """Train every scheme over the seeds and print the table as CSV."""
    if args.alpha is not None and args.activation not in DEFAULT_ALPHA:
        args.parser.error(f"--alpha does not apply to {args.activation} (only to {', '.join(DEFAULT_ALPHA)})")
    alpha = 0.1 if args.alpha is None and args.activation in DEFAULT_ALPHA else args.alpha  # the page's slider
    with engine_errors(args, **RENAMES):
        for name, low in (("small_sigma", 0.0), ("large_sigma", 0.0), ("constant", -math.inf)):
            check_number(name, getattr(args, name), low=low)  # the engine names both σ "sigma", and checks only
            # the parameters of the schemes asked for
        runs = it.scheme_trainings(args.activation, args.schemes, depth=args.depth, width=args.width,
                                   epochs=args.epochs, seeds=args.seeds, seed=args.seed, alpha=alpha,
                                   small_sigma=args.small_sigma, large_sigma=args.large_sigma, constant=args.constant)
    write_lines(frame_lines(curves(runs) if args.table == "curves" else it.summary(runs)))
    return 0
