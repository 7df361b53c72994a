"""Command line: ``python -m optiviz path ...`` prints one optimizer's path as CSV."""

from __future__ import annotations

import argparse
import math
import os
import re
import sys

from optiviz.descent import MAX_STEPS, run
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
    for s in SURFACES.values()
)
DESCRIPTION = """\
Watch gradient-based optimizers walk down 2-D loss surfaces f(x, y).
Each step is W ← W + ΔW, where ΔW depends on the gradient g = ∇f(W),
the learning rate α and the optimizer's memory of earlier steps."""

PATH_EPILOG = f"""\
update rules (g = ∇f(W), α = learning rate, state starts at 0):
  sgd       W ← W − α g
  momentum  v ← γ v − α g;  W ← W + v                      (γ = --momentum)
  nesterov  v ← γ v − α g;  W ← W + γ v − α g              (γ = --momentum)
  rmsprop   E ← γ E + (1 − γ) g²;  W ← W − α g / (√E + ε)  (γ = --decay)
  adagrad   E ← E + g²;  W ← W − α g / (√E + ε)            (ε = 1e-10, fixed)
  adam      m ← β₁ m + (1 − β₁) g;  v ← β₂ v + (1 − β₂) g²
            W ← W − α m̂ / (√v̂ + ε), m̂ = m / (1 − β₁ᵗ), v̂ = v / (1 − β₂ᵗ)

learning-rate schedules (k = --decay-rate, t = step from 0):
  constant α₀;  exp α₀ e^(−kt);  inv α₀ / (1 + kt);  step α₀ · 2^(−⌊kt⌋)

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


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line on stderr and exit status 2."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Read -1e-3, -.5 and -inf as values, not flags (argparse's own pattern takes only -1 and -1.5).
        self._negative_number_matcher = re.compile(r"^-(\.?\d|inf$|nan$)", re.IGNORECASE)

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {' '.join(message.split())}\n")


def build_parser() -> Parser:
    parser = Parser(prog="optiviz", description=DESCRIPTION, epilog="Run `python -m optiviz path --help` for the options.",
                    formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    path = commands.add_parser(
        "path",
        help="print one optimizer's path on a surface as CSV",
        description="Run one optimizer from a start point and print its path as CSV.",
        epilog=PATH_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,
    )
    path.set_defaults(handler=path_command, parser=path)
    add = path.add_argument
    add("--surface", default="beale", choices=SURFACES, help="loss surface (default: beale)")
    add("--optimizer", default="adam", choices=OPTIMIZERS, help="update rule (default: adam)")
    add("--steps", type=int, default=300, metavar="N", help=f"number of steps, 1 to {MAX_STEPS} (default: 300)")
    add("--start", type=float, nargs=2, metavar=("X", "Y"), help="start point (default: the surface's first preset)")
    add("--lr", type=float, metavar="LR", help="learning rate α₀ > 0 (default: a good rate for the surface and optimizer)")
    for h, metavar in HYPERPARAMETERS.items():
        users = ", ".join(name for name, spec in OPTIMIZERS.items() if h in spec.hyperparameters)
        closing = ")" if h.high_open else "]"
        add(f"--{h.name}", type=float, metavar=metavar,
            help=f"{h.help}; in [{h.low:g}, {h.high:g}{closing}, for {users} (default: {h.default:g})")
    add("--schedule", default="constant", choices=SCHEDULES, help="learning-rate schedule (default: constant)")
    add("--decay-rate", type=float, default=0.0, metavar="K", help="schedule decay rate k ≥ 0 (default: 0)")
    add("--noise", type=float, default=0.0, metavar="S", help="gradient noise σ ≥ 0 (default: 0)")
    add("--seed", type=int, default=0, metavar="N", help="seed for the noise, ≥ 0 (default: 0)")
    return parser


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
    for h in HYPERPARAMETERS:
        value = getattr(args, h.name)
        if value is not None and h not in spec.hyperparameters:
            takes = ", ".join(f"--{t.name}" for t in spec.hyperparameters) or "no hyperparameters"
            found.append(f"--{h.name} does not apply to {spec.name} (it takes {takes})")
        elif value is not None:
            found.append(check(f"--{h.name}", value, h.low, h.high, high_open=h.high_open))
    if all(math.isfinite(v) for v in args.start) and not surface.inside(args.start):
        (cx, cy), (hx, hy) = surface.box
        found.append(f"--start {args.start[0]:g} {args.start[1]:g} is outside the {surface.name} box "
                     f"[{cx - hx:g}, {cx + hx:g}] x [{cy - hy:g}, {cy + hy:g}]")
    return [p for p in found if p]


def path_command(args) -> int:
    """Print the path as CSV; report a divergence on stderr."""
    surface = SURFACES[args.surface]
    args.start = args.start or list(surface.starts[0][1])
    args.lr = surface.learning_rates[args.optimizer] if args.lr is None else args.lr
    if found := problems(args):
        args.parser.error(found[0])
    hyper = {h.name: getattr(args, h.name) for h in HYPERPARAMETERS if getattr(args, h.name) is not None}
    try:
        table = run(args.surface, args.optimizer, args.start, args.steps, args.lr, schedule=args.schedule,
                    decay_rate=args.decay_rate, noise=args.noise, seed=args.seed, **hyper)
    except ValueError as e:
        name = next((n for n in ENGINE_NAMES if str(e).startswith(n + " ")), None)
        args.parser.error(ENGINE_NAMES[name] + str(e)[len(name) :] if name else str(e))
    lines = [",".join(COLUMNS)]
    for row in table[list(COLUMNS)].itertuples(index=False):
        lines.append(",".join([str(int(row[0]))] + [repr(float(v)) for v in row[1:]]))
    try:
        sys.stdout.write("\n".join(lines) + "\n")
        sys.stdout.flush()
    except BrokenPipeError:  # e.g. `| head`: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    if len(table) < args.steps + 1:
        print(f"diverged at step {len(table)}", file=sys.stderr)
    return 0


def main(argv=None) -> int:
    """Run the command line; return the exit status (2 for bad input)."""
    try:
        args = build_parser().parse_args(argv)
        return args.handler(args)
    except SystemExit as stop:  # argparse exits for --help and errors
        return stop.code if isinstance(stop.code, int) else 1
