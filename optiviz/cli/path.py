"""``python -m optiviz path``: one optimizer's path on a 2-D surface as CSV (the descent and race labs)."""

from __future__ import annotations

import sys

from optiviz.core.checks import check_int
from optiviz.cli.common import (add_hyperparameters, csv_lines, engine_errors, given_hyperparameters,
                                hyperparameter_problem, subcommand, write_lines)
from optiviz.core.descent import MAX_STEPS, run
from optiviz.core.optimizers import OPTIMIZERS
from optiviz.core.schedules import SCHEDULES, learning_rate
from optiviz.core.surfaces import SURFACES

COLUMNS = ("step", "x", "y", "loss", "grad_norm", "learning_rate")
RENAMES = {"learning_rate": "lr", "start points": "start"}  # the engine's names whose flags differ


def rule_lines() -> str:
    """Each optimizer's rule in plain text, from its registry entry (OptimizerSpec.text and .note)."""
    return "\n".join(f"  {name if k == 0 else '':<10}{line:<47}{spec.note if k == 0 else ''}".rstrip()
                     for name, spec in OPTIMIZERS.items() for k, line in enumerate(spec.text or ("(no rule text)",)))


def schedule_lines() -> str:
    """The schedules of the registry with their descriptions, and their formulas from the engine's docstring."""
    names = ";  ".join(name if name == text else f"{name} ({text})" for name, (_, text) in SCHEDULES.items())
    formulas = " ".join((learning_rate.__doc__ or "").split("\n\n")[0].split())
    return f"  {names}\n  {formulas.split(': ', 1)[-1]}"


def surface_lines() -> str:
    """Each surface's formula, minima, default start, and the hyperparameters it races with."""
    return "\n".join(
        f"  {s.name:<12}{s.value_and_grad.__doc__.split(':')[0].rstrip('.')}\n{'':14}"
        f"min {', '.join(f'({x:g}, {y:g})' for x, y in s.minima)}; start ({s.starts[0][1][0]:g}, {s.starts[0][1][1]:g})"
        + "".join(f"\n{'':14}{name} races here with " + ", ".join(f"--{k} {v:g}" for k, v in s.defaults(name).items())
                  + " unless given" for name in s.hyperparameters)
        for s in SURFACES.values())


def epilog() -> str:
    """The help below the options, built from the registries as they are now."""
    return f"""\
update rules (g = ∇f(W), α = learning rate, state starts at 0):
{rule_lines()}

learning-rate schedules (k = --decay-rate, t = step from 0):
{schedule_lines()}
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
{surface_lines()}

example:
  python -m optiviz path --surface rosenbrock --optimizer momentum --lr 0.001 --momentum 0.95 > path.csv"""


def add_parser(commands) -> None:
    """The ``path`` subcommand."""
    parser = subcommand(commands, "path", command, epilog(), help="print one optimizer's path on a surface as CSV",
                        description="Run one optimizer from a start point and print its path as CSV.")
    add = parser.add_argument
    add_surface_options(add, 300)
    add("--optimizer", default="adam", choices=OPTIMIZERS, help="update rule (default: adam)")
    add("--lr", type=float, metavar="LR",
        help="learning rate α₀ > 0 (default: a good rate for the surface and optimizer)")
    add_walk_options(parser)


def add_surface_options(add, steps: int) -> None:
    """--surface, --steps and --start (shared with race and sweep)."""
    add("--surface", default="beale", choices=SURFACES, help="loss surface (default: beale)")
    add("--steps", type=int, default=steps, metavar="N", help=f"number of steps, 1 to {MAX_STEPS} (default: {steps})")
    add("--start", type=float, nargs=2, metavar=("X", "Y"), help="start point (default: the surface's first preset)")


def add_walk_options(parser) -> None:
    """The hyperparameters, the schedule, the gradient noise and its seed (shared with race and sweep)."""
    add = parser.add_argument
    add_hyperparameters(parser)
    add("--schedule", default="constant", choices=SCHEDULES, help="learning-rate schedule (default: constant)")
    add("--decay-rate", type=float, default=0.0, metavar="K", help="schedule decay rate k ≥ 0 (default: 0)")
    add("--noise", type=float, default=0.0, metavar="S", help="gradient noise σ ≥ 0 (default: 0)")
    add("--seed", type=int, default=0, metavar="N", help="seed for the noise, ≥ 0 (default: 0)")


def command(args) -> int:
    """Print the path as CSV; report a divergence on stderr."""
    surface = SURFACES[args.surface]
    start = args.start or list(surface.starts[0][1])
    lr = surface.learning_rates[args.optimizer] if args.lr is None else args.lr
    if problem := hyperparameter_problem(args):
        args.parser.error(problem)
    with engine_errors(args, **RENAMES):
        check_int("seed", args.seed, low=0)  # the engine reads the seed only with noise, and numpy names no input
        table = run(args.surface, args.optimizer, start, args.steps, lr, schedule=args.schedule,
                    decay_rate=args.decay_rate, noise=args.noise, seed=args.seed,
                    **surface.defaults(args.optimizer) | given_hyperparameters(args))
    if write_lines(csv_lines(table, COLUMNS)) and len(table) < args.steps + 1:
        print(f"diverged at step {len(table)}", file=sys.stderr)
    return 0
