"""``python -m optiviz sweep``: each racer's final loss against the learning rate, as CSV (the optimizer race's
Learning-rate sensitivity tab)."""

from __future__ import annotations

import pandas as pd

from optiviz.core import descent
from optiviz.cli.common import engine_errors, frame_lines, subcommand, write_lines
from optiviz.cli.path import RENAMES
from optiviz.cli.race import add_race_options, epilog, runs_of, start_of
from optiviz.labs.optimizer_race import SWEEP_RATES as RATES  # the page's

COLUMNS = ("optimizer", "learning_rate", "final_loss", "diverged_at")


def add_parser(commands) -> None:
    """The ``sweep`` subcommand."""
    output = f"""output: CSV, one row per optimizer and learning rate:
  {",".join(COLUMNS)}
final_loss is f(W_T) after --steps steps from the same start, all rates of an
optimizer in one vectorised run; diverged_at is the step a run left the box
(or overflowed), nan if it did not (its final_loss is then nan too).
The default rates are the page's {len(RATES)}: {RATES[0]:g}, {RATES[1]:g}, … {RATES[-1]:g}."""
    parser = subcommand(
        commands, "sweep", command, epilog(output, "python -m optiviz sweep --surface rosenbrock --steps 500"),
        help="print each optimizer's final loss against the learning rate as CSV (the race's sensitivity tab)",
        description="Run every optimizer at many learning rates from one start and print the final loss per rate.")
    add_race_options(parser)
    parser.add_argument("--rates", type=float, nargs="+", metavar="LR", default=list(RATES),
                        help=f"the learning rates swept, each > 0 (default: the page's {len(RATES)}, "
                             f"{RATES[0]:g} to {RATES[-1]:g})")


def command(args) -> int:
    """Print the sweep as CSV."""
    runs = runs_of(args)
    with engine_errors(args, learning_rate="rates", **{k: v for k, v in RENAMES.items() if k != "learning_rate"}):
        table = pd.concat([descent.sweep(args.surface, name, args.rates, start_of(args), args.steps, args.schedule,
                                         args.decay_rate, args.noise, args.seed, **hyper) for name, _, hyper in runs],
                          ignore_index=True)
    write_lines(frame_lines(table))
    return 0
