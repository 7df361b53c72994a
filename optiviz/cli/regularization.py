"""``python -m optiviz regularization``: weight paths under L1, L2 and the elastic net, or a network trained with
and without a regularizer over many seeds, as CSV (the regularization lab)."""

from __future__ import annotations

from optiviz.labs.regularization import experiments as lab
from optiviz.core.checks import check_int, check_number
from optiviz.cli.common import (add_experiment_option, engine_errors, experiment_settings, frame_lines, subcommand,
                                write_lines)
from optiviz.core.datasets import DATASETS, REFLECTIONS, make_dataset, train_val_split
from optiviz.nn.seeds import MAX_SEEDS, spread_table

USES = {  # each experiment's own flags and their defaults on the page's tab
    "paths": dict(features=6, correlation=0.5, noise=1.0, mix=0.5),
    "penalties": dict(l1=0.003, l2=0.03, mix=0.5, epochs=25, width=32, lr=lab.PENALTY_RATE, seeds=lab.SEEDS),
    "early-stopping": dict(epochs=50, lr=0.1, batch_size=20, seeds=lab.SEEDS),
    "dropout": dict(drop=lab.DROPOUT_P, width=lab.DROPOUT_WIDTH, epochs=lab.DROPOUT_EPOCHS, seeds=lab.SEEDS),
    "augmentation": dict(dataset="circles", points=20, noise=0.1, rotation=180.0, reflect="xy", jitter=0.05,
                         epochs=lab.AUG_EPOCHS, seeds=lab.SEEDS),
}
HELP = dict(features="features p", correlation="correlation ρ between features", noise="noise σ on y or the points",
            mix="elastic-net mix α in (0, 1), the L1 share", l1="L1 strength λ₁", l2="L2 strength λ₂",
            epochs="epochs", width="units per hidden layer (2 layers)", lr="Adam's or momentum's α",
            seeds=f"seeds per comparison, 1 to {MAX_SEEDS}", batch_size="batch size", drop="drop probability p",
            dataset="dataset", points="training points", rotation="rotation ±degrees", reflect="reflection",
            jitter="jitter σ")
RENAMES = {"learning_rate": "lr", "hidden": "width", "drop probability p": "drop", "samples": "points",
           "train_points": "points"}


def net_data(seed: int):
    """The moons of the penalties and early-stopping tabs, split as the pages' cache.dataset splits them."""
    name, samples, noise, classes, val_fraction = lab.NET_DATA
    return train_val_split(*make_dataset(name, samples, noise, seed, classes), val_fraction, seed)


def seeds(s, seed: int) -> tuple[int, ...]:
    return lab.seeds_of(seed, check_int("seeds", s["seeds"], low=1, high=MAX_SEEDS))


EXPERIMENTS = {
    "paths": lambda s, seed: lab.weight_paths(50, s["features"], s["correlation"], s["noise"], seed, s["mix"])[0],
    "penalties": lambda s, seed: lab.penalty_seeds(
        net_data(seed), (s["width"],) * 2, s["l1"], s["l2"], check_number("mix", s["mix"], low=0.0, high=1.0),
        s["epochs"], s["lr"], seeds(s, seed)),
    "early-stopping": lambda s, seed: (lab.long_run_seeds(net_data(seed), (32, 32), s["lr"], s["batch_size"],
                                                          s["epochs"], seeds(s, seed)),),
    "dropout": lambda s, seed: lab.dropout_seed_experiment(s["width"], s["drop"], s["epochs"], seeds(s, seed)),
    "augmentation": lambda s, seed: lab.augmentation_seed_experiment(
        (s["dataset"], s["points"], lab.AUG_VAL_POINTS, s["noise"]), s["jitter"], s["rotation"], s["reflect"],
        s["epochs"], seeds(s, seed)),
}

EPILOG = f"""\
experiments (--experiment), each a tab of the page at its defaults:
  paths           linear regression J(w) = 1/(2N) ‖y − Xw‖² + λ₁‖w‖₁ + (λ₂/2)‖w‖² on 50 samples of
                  --features standardised features (pairwise correlation --correlation, noise
                  --noise), solved exactly on a grid of {lab.LAMBDA_COUNT} λ from 10^{lab.LAMBDA_SPAN[0]:g} to \
10^{lab.LAMBDA_SPAN[1]:g} λ_max:
                  L1 λ₁ = λ; L2 λ₂ = λ; elastic net λ₁ = αλ, λ₂ = (1 − α)λ, α = --mix
  penalties       a 2 → W → W → 1 ReLU network (W = --width) on {lab.NET_DATA[1]} noisy moons, full-batch Adam
                  (α = --lr): no penalty, L1 (--l1), L2 (--l2), elastic net (α --l1, (1 − α) --l2)
  early-stopping  2 → 32 → 32 → 1 on the same moons, SGD with momentum γ = 0.9, trained to the end
  dropout         2 → W → W → 1 on {lab.DROPOUT_DATA[1]} noisy XOR points ({lab.DROPOUT_DATA[2]} to validate), \
full-batch Adam
                  (α = {lab.DROPOUT_RATE:g}), without and with dropout p = --drop (each unit dropped with p)
  augmentation    2 → 32 → 32 → 1 on --points points of --dataset ({lab.AUG_VAL_POINTS} to validate), Adam on batches of
                  {lab.AUGMENT_BATCH}, without and with augmentation: per point and epoch a random mirror
                  (--reflect), rotation in ±--rotation degrees and jitter N(0, --jitter²)
Every network comparison runs over --seeds seeds from --seed (each its own initial weights,
batches, masks and draws; the data are --seed's).

output: CSV. paths: one row per penalty, λ and feature:
  penalty,lambda,feature,weight,nonzero,converged
the others: per run and epoch the median and the 10–90% band over the seeds of
train_loss, val_loss, train_acc and val_acc (the page's many-seed download).

example:
  python -m optiviz regularization --experiment dropout --drop 0.5 --seeds 5 > dropout.csv"""


def add_parser(commands) -> None:
    """The ``regularization`` subcommand."""
    parser = subcommand(commands, "regularization", command, EPILOG,
                        help="print weight paths under L1/L2/elastic net, or networks trained with and without a "
                             "regularizer over many seeds, as CSV",
                        description="Run one experiment of the regularization lab and print its table as CSV.")
    add = parser.add_argument
    add_experiment_option(add, USES, "paths")
    add("--seed", type=int, default=0, metavar="N", help="seed of the data and the first training seed (default: 0)")
    for dest, default in {d: v for own in USES.values() for d, v in own.items()}.items():
        kind = dict(type=type(default)) if dest not in ("dataset", "reflect") else dict(
            choices={"dataset": DATASETS, "reflect": REFLECTIONS}[dest])
        add(f"--{dest.replace('_', '-')}", **kind, metavar=None if "choices" in kind else dest[0].upper(),
            help=f"{HELP[dest]}; default: " + ", ".join(f"{own[dest]} ({e})" for e, own in USES.items() if dest in own))


def command(args) -> int:
    """Print the chosen experiment as CSV."""
    own = experiment_settings(args, USES)
    with engine_errors(args, **RENAMES):
        result = EXPERIMENTS[args.experiment](own, args.seed)
    if args.experiment != "paths":
        result = spread_table(result)
    write_lines(frame_lines(result))
    return 0
