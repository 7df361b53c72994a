"""``python -m optiviz learning-rate``: Figure 11, the learning-rate range test or the annealing schedules on the
two-weight model, as CSV (the learning-rate lab)."""

from __future__ import annotations

import pandas as pd

from optiviz.labs import batch_size as minibatch
from optiviz.labs import learning_rate as lab
from optiviz.core.checks import check_int
from optiviz.cli.batch_size import DATA_TEXT, add_data_options, problem_of, run_options
from optiviz.cli.common import (add_experiment_option, engine_errors, experiment_settings, frame_lines, subcommand,
                                write_lines)
from optiviz.core.schedules import SCHEDULES

RANGE = lab.RANGE_MULTIPLES  # × 1/L
ANNEALED = tuple(s for s in SCHEDULES if s != "constant")
USES = {  # each experiment's own flags and their defaults on the page
    "figure11": {"lr": 0.05},
    "range-test": {"range_epochs": 1},
    "annealing": {"schedules": ["exp", "inv", "step"], "lr0": 0.5, "decay_rate": 0.005},
}
RENAMES = dict(learning_rate="lr", seed="shuffle_seed")


def figure11(problem, args, own) -> pd.DataFrame:
    """The lecture's four SGD rates (multiples of 1/L) and your α with --optimizer, on the same batches."""
    rates = lab.lecture_rates(problem)
    return pd.concat([
        minibatch.labelled_runs(problem, args.batch_size, tuple(rates), tuple(rates.values()), args.epochs,
                                **run_options(args) | dict(optimizer="sgd", hyperparameters=())),
        minibatch.labelled_runs(problem, args.batch_size, ("your α",), (own["lr"],), args.epochs, **run_options(args)),
    ], ignore_index=True)


def range_test(problem, args, own) -> pd.DataFrame:
    """The loss after --epochs (and after --range-epochs, when fewer) at every rate RANGE / L."""
    rates = tuple(float(r) for r in RANGE / minibatch.curvature(problem))
    tests = [lab.range_test(problem, args.batch_size, rates, e, last=lab.LATE, **run_options(args))
             for e in dict.fromkeys((args.epochs, min(own["range_epochs"], args.epochs)))]
    return lab.range_table(*tests)


def annealing(problem, args, own) -> pd.DataFrame:
    """A constant α₀ and each schedule of --schedules from the same α₀, on the same batches."""
    runs = ("constant", *own["schedules"])
    return minibatch.labelled_runs(problem, args.batch_size, runs, (own["lr0"],), args.epochs, **run_options(args)
                                   | dict(schedule=runs, decay_rate=own["decay_rate"]))


EXPERIMENTS = {"figure11": figure11, "range-test": range_test, "annealing": annealing}


def add_parser(commands) -> None:
    """The ``learning-rate`` subcommand."""
    schedules = "\n".join(f"  {name:<9}{text}" for name, (_, text) in SCHEDULES.items())
    parser = subcommand(commands, "learning-rate", command, f"""\
experiments (--experiment):
  figure11    the lecture's Figure 11: plain SGD at α = m/L for m = {", ".join(
      f"{m:g} ({k})" for k, m in lab.RATE_MULTIPLES.items())},
              L = λ_max(∇²L(w*)), and "your α" = --lr with --optimizer
  range-test  every α of {len(RANGE)} from {RANGE[0]:g}/L to {RANGE[-1]:g}/L run for --epochs (and for
              --range-epochs when fewer), in one batched call; the loss is the mean
              of L at the last {lab.LATE} epoch ends; diverged runs have none
  annealing   a constant α₀ = --lr0 and each of --schedules from it, k = --decay-rate
              per step t
schedules (--schedules):
{schedules}

{DATA_TEXT}

output: CSV; figure11 and annealing one row per run and step:
  {",".join(minibatch.COLUMNS)}
range-test one row per rate: learning_rate, loss after E epochs, …, diverged.

example:
  python -m optiviz learning-rate --experiment annealing --schedules exp step --lr0 0.5""",
        help="print Figure 11, the learning-rate range test or the annealing schedules on a two-weight model as CSV",
        description="Run mini-batch gradient descent on the two-weight model at several learning rates or\n"
                    "schedules from the same start on the same batches, and print the runs as CSV.")
    add_data_options(parser, "update rule of your α, the range test and annealing; Figure 11's four are sgd")
    add = parser.add_argument
    add_experiment_option(add, USES, "figure11")
    add("--batch-size", type=int, default=10, metavar="B", help="batch size B, 1 to N (default: 10)")
    add("--epochs", type=int, default=30, metavar="N", help="epochs of every run (default: 30)")
    add("--lr", type=float, metavar="LR", help="figure11: your α > 0 (default: 0.05)")
    add("--range-epochs", type=int, metavar="N", help="range-test: epochs of the short run (default: 1)")
    add("--schedules", nargs="+", choices=ANNEALED, metavar="NAME",
        help=f"annealing: schedules beside the constant α₀, of {', '.join(ANNEALED)} (default: exp inv step)")
    add("--lr0", type=float, metavar="LR", help="annealing: initial learning rate α₀ > 0 (default: 0.5)")
    add("--decay-rate", type=float, metavar="K", help="annealing: decay rate k ≥ 0 per step (default: 0.005)")


def command(args) -> int:
    """Print the chosen experiment as CSV."""
    own = experiment_settings(args, USES)
    problem = problem_of(args)
    with engine_errors(args, **RENAMES | ({"learning_rate": "lr0"} if args.experiment == "annealing" else {})):
        check_int("range_epochs", own.get("range_epochs", 1), low=1)
        table = EXPERIMENTS[args.experiment](problem, args, own)
    write_lines(frame_lines(table))
    return 0
