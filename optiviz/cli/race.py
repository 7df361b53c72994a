"""``python -m optiviz race``: several optimizers from one start on one surface, as CSV (the optimizer race)."""

from __future__ import annotations

import sys

from optiviz.core import descent
from optiviz.core.checks import check_int
from optiviz.cli.common import engine_errors, frame_lines, given_hyperparameters, subcommand, write_lines
from optiviz.cli.path import RENAMES, add_surface_options, add_walk_options, rule_lines, schedule_lines, surface_lines
from optiviz.core.optimizers import LECTURE_OPTIMIZERS, OPTIMIZERS
from optiviz.core.surfaces import SURFACES
from optiviz.labs.optimizer_race import STEPS  # the page's first view



def epilog(output: str, example: str) -> str:
    """The help below the options: the rules, schedules and surfaces of the registries, then ``output``."""
    return f"""\
update rules (g = ∇f(W), α = learning rate, state starts at 0):
{rule_lines()}

learning-rate schedules (k = --decay-rate, t = step from 0):
{schedule_lines()}

surfaces (formula; minima; default start):
{surface_lines()}

Every optimizer starts from the same point and, with --noise σ > 0, sees the
same gradient noise g + σ ε. A hyperparameter flag applies to every chosen
optimizer that takes it; the others keep the surface's race defaults.

{output}

example:
  {example}"""


def add_race_options(parser) -> None:
    """--surface, --optimizers, --steps, --start and the walk's options (shared with sweep)."""
    add = parser.add_argument
    add_surface_options(add, STEPS)
    add("--optimizers", nargs="+", default=list(LECTURE_OPTIMIZERS), choices=OPTIMIZERS, metavar="NAME",
        help=f"the racers, one or more of {', '.join(OPTIMIZERS)} (default: {' '.join(LECTURE_OPTIMIZERS)})")
    add_walk_options(parser)


def runs_of(args, rates=None) -> list[tuple[str, float | None, dict]]:
    """(optimizer, α₀, hyperparameters) per racer: the surface's defaults, overridden by the flags given."""
    surface, given = SURFACES[args.surface], given_hyperparameters(args)
    takes = {name: {h.name for h in OPTIMIZERS[name].hyperparameters} for name in args.optimizers}
    for name in given:
        if not any(name in t for t in takes.values()):
            args.parser.error(f"--{name} does not apply to any of --optimizers {' '.join(args.optimizers)}")
    if rates is not None and len(rates) not in (1, len(args.optimizers)):
        args.parser.error(f"--lr takes one rate or one per optimizer ({len(args.optimizers)}), got {len(rates)}")
    rates = [surface.learning_rates.get(n) for n in args.optimizers] if rates is None else \
        list(rates) * (len(args.optimizers) // len(rates))
    with engine_errors(args, **RENAMES):
        check_int("seed", args.seed, low=0)  # the engine reads the seed only with noise
    return [(name, lr, surface.defaults(name) | {k: v for k, v in given.items() if k in takes[name]})
            for name, lr in zip(args.optimizers, rates)]


def start_of(args) -> list[float]:
    return args.start or list(SURFACES[args.surface].starts[0][1])


def add_parser(commands) -> None:
    """The ``race`` subcommand."""
    output = f"""output: CSV, one row per optimizer and step from step 0 (the start):
  {",".join(descent.COLUMNS)}
a racer that leaves the surface's box (or overflows) stops before that step,
and "NAME diverged at step N" goes to stderr (exit status still 0)."""
    parser = subcommand(
        commands, "race", command, epilog(output, "python -m optiviz race --surface ravine --optimizers sgd momentum"),
        help="print several optimizers' paths on one surface as CSV (the optimizer race)",
        description="Race optimizers from one start on a 2-D surface and print their paths as CSV.")
    add_race_options(parser)
    parser.add_argument("--lr", type=float, nargs="+", metavar="LR",
                        help="learning rate α₀ > 0: one for all, or one per optimizer (default: each optimizer's "
                             "good rate for the surface)")


def command(args) -> int:
    """Print the race as CSV; report each divergence on stderr."""
    runs = runs_of(args, args.lr)
    with engine_errors(args, **RENAMES):
        table = descent.race(args.surface, runs, start_of(args), args.steps, schedule=args.schedule,
                             decay_rate=args.decay_rate, noise=args.noise, seed=args.seed)
    if write_lines(frame_lines(table)):
        for name, step in descent.diverged_steps(table, args.steps).items():
            print(f"{name} diverged at step {step}", file=sys.stderr)
    return 0
