"""What every subcommand shares: the parser whose errors are one line, engine errors reported by flag,
the optimizer and unit (activation, initializer) options read from their registries, and CSV output.

The command line checks no ranges of its own: the engine validates its inputs (``optiviz.core.checks``)
and raises a ValueError whose message starts with the parameter's name ("noise must be …").
:func:`engine_errors` turns that name into the flag that set it, found among the subcommand's
argparse destinations (``--val-fraction`` sets ``val_fraction``) or in the call's ``renames``.
"""

from __future__ import annotations

import argparse
import inspect
import os
import re
import sys
from contextlib import contextmanager

from optiviz.nn.activations import ACTIVATIONS, DEFAULT_ALPHA
from optiviz.nn.initializers import INITIALIZERS, initializer_params
from optiviz.core.optimizers import OPTIMIZERS


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


# --- engine errors, by flag ---------------------------------------------------------------------------


class Spelled(argparse._StoreAction):
    """Store the value, and remember the spelling used (an alias is named as the user typed it)."""

    def __call__(self, parser, namespace, values, option_string=None):
        super().__call__(parser, namespace, values, option_string)
        namespace.spelled = {**getattr(namespace, "spelled", {}), self.dest: option_string}


def flags_by_dest(parser: argparse.ArgumentParser, spelled: dict[str, str] | None = None) -> dict[str, str]:
    """Each option's destination and the flag that sets it: as typed, else the first long spelling shown."""
    flags = dict(spelled or {})
    for action in parser._actions:
        long = [s for s in action.option_strings if s.startswith("--")]
        if long and action.dest not in flags and action.help != argparse.SUPPRESS:
            flags[action.dest] = long[0]
    return flags


def flag_message(parser: argparse.ArgumentParser, text: str, renames: dict[str, str] | None = None,
                 spelled: dict[str, str] | None = None) -> str:
    """``text`` with its leading engine name (and every snake_case engine name in it) replaced by its flag.

    An engine name is an argparse destination of ``parser`` or a key of ``renames`` (engine name → dest).
    "hidden[1] must be …" names --hidden; a message naming no parameter is returned unchanged.
    """
    flags = flags_by_dest(parser, spelled)
    names = {dest: flag for dest, flag in flags.items()}
    names.update({engine: flags[dest] for engine, dest in (renames or {}).items() if dest in flags})
    for name in sorted(names, key=len, reverse=True):
        lead = re.match(rf"{re.escape(name)}(\[\d+\])?(?=[ =]|$)", text)
        if lead:
            text = names[name] + text[lead.end():]
            break
    text = re.sub(r"np\.\w+\(([^()]*)\)", r"\1", text)  # np.float64(-1.0) reads -1.0
    # snake_case names cannot be ordinary words: name their flags wherever they appear
    return re.sub(r"\b[a-z]+(?:_[a-z0-9]+)+\b", lambda m: names.get(m.group(0), m.group(0)), text)


@contextmanager
def engine_errors(args: argparse.Namespace, **renames: str):
    """Report a ValueError raised inside the block as a one-line error of ``args.parser`` naming the flag
    (exit status 2). ``renames`` maps an engine name to the destination that sets it where they differ
    (learning_rate="lr")."""
    try:
        yield
    except ValueError as error:
        args.parser.error(flag_message(args.parser, str(error), renames, getattr(args, "spelled", None)))


# --- options read from the registries -----------------------------------------------------------------

HYPERPARAMETER_METAVARS = {"momentum": "G", "decay": "G", "beta1": "B", "beta2": "B", "eps": "E"}


def hyperparameters() -> dict:
    """Every optimizer hyperparameter of the registry, once each, in registry order."""
    return {h.name: h for spec in OPTIMIZERS.values() for h in spec.hyperparameters}


def add_hyperparameters(group) -> None:
    """--momentum, --decay, --beta1, … (from the optimizer registry), each saying which optimizers take it."""
    for name, h in hyperparameters().items():
        users = ", ".join(o for o, spec in OPTIMIZERS.items() if h in spec.hyperparameters)
        closing = ")" if h.high_open else "]"
        group.add_argument(f"--{name}", type=float, metavar=HYPERPARAMETER_METAVARS.get(name, "V"),
                           help=f"{h.help}; in [{h.low:g}, {h.high:g}{closing}, for {users} (default: {h.default:g})")


def given_hyperparameters(args) -> dict[str, float]:
    """The optimizer hyperparameters set on the command line, by name."""
    return {name: getattr(args, name) for name in hyperparameters() if getattr(args, name, None) is not None}


def hyperparameter_problem(args) -> str | None:
    """A hyperparameter flag given to an optimizer that does not take it (the engine would name no flag)."""
    spec = OPTIMIZERS[args.optimizer]
    for name in given_hyperparameters(args):
        if name not in {h.name for h in spec.hyperparameters}:
            takes = ", ".join(f"--{t.name}" for t in spec.hyperparameters) or "no hyperparameters"
            return f"--{name} does not apply to {spec.name} (it takes {takes})"
    return None


# The initializers' parameters, by the engine's name: the flag (one spelling in every subcommand) and metavar.
INIT_PARAM_FLAGS = {"c": ("--init-constant", "C"), "sigma": ("--std", "S"), "a": ("--init-range", "A")}
INIT_PARAM_ALIASES = {"c": "--constant"}  # the old init-stats spelling: accepted, not shown in the help


def init_params_of() -> dict[str, dict[str, float]]:
    """Each initializer's parameters and their defaults, read from the registry's signatures."""
    return {name: {p: inspect.signature(INITIALIZERS[name]).parameters[p].default for p in initializer_params(name)}
            for name in INITIALIZERS}


def init_flag_lines() -> str:
    """One help line per initializer from its docstring, with the flags of its parameters."""
    lines = []
    for name, params in init_params_of().items():
        doc = " ".join((INITIALIZERS[name].__doc__ or "").split()).replace("``", "").rstrip(".")
        flags = "; ".join(f"{p} = {INIT_PARAM_FLAGS.get(p, (f'--{p}',))[0]} (default {v:g})" for p, v in params.items())
        lines.append(f"  {name:<9} {doc}" + (f"\n{'':12}{flags}" if flags else ""))
    return "\n".join(lines)


def activation_lines() -> str:
    """One help line per activation of the registry: its formula, and α where it has one."""
    lines = []
    for name, act in ACTIVATIONS.items():
        alpha = f"; α = --alpha (default {DEFAULT_ALPHA[name]:g})" if name in DEFAULT_ALPHA else ""
        lines.append(f"  {name:<11} {ACTIVATION_TEXT.get(name, act.formula)}{alpha}")
    return "\n".join(lines)


ACTIVATION_TEXT = {  # plain-text forms of the registry's LaTeX formulas (a new activation shows its LaTeX)
    "sigmoid": "σ(z) = 1 / (1 + e^(−z))", "tanh": "(e^z − e^(−z)) / (e^z + e^(−z))", "relu": "max(0, z)",
    "leaky_relu": "max(αz, z), α in [0, 1]", "linear": "z", "elu": "z if z > 0 else α (e^z − 1), α > 0",
}


def add_unit_options(add, defaults: dict) -> None:
    """--activation, --alpha, --init and the initializers' parameters, shared by train and init-stats."""
    add("--activation", default=defaults["activation"], choices=ACTIVATIONS,
        help=f"activation of the hidden layers (default: {defaults['activation']})")
    add("--alpha", type=float, metavar="A",
        help="α of " + " or ".join(f"{n} (default: {a:g})" for n, a in DEFAULT_ALPHA.items()))
    add("--init", default=defaults["init"], choices=INITIALIZERS,
        help=f"weight initialisation (default: {defaults['init']})")
    for init, params in init_params_of().items():
        for param, default in params.items():
            flag, metavar = INIT_PARAM_FLAGS.get(param, (f"--{param}", "V"))
            formula = re.split(r"[:.]\s", " ".join((INITIALIZERS[init].__doc__ or "").split()))[0]
            add(flag, type=float, metavar=metavar, dest=dest_of(flag), action=Spelled,
                help=f"{param} of --init {init}, {formula} (default: {default:g})")
            if param in INIT_PARAM_ALIASES:
                add(INIT_PARAM_ALIASES[param], type=float, dest=dest_of(flag), action=Spelled, help=argparse.SUPPRESS)


def dest_of(flag: str) -> str:
    return flag[2:].replace("-", "_")


def init_param_renames() -> dict[str, str]:
    """The initializers' parameter names → the destinations of their flags."""
    return {param: dest_of(INIT_PARAM_FLAGS.get(param, (f"--{param}",))[0])
            for params in init_params_of().values() for param in params}


def unit_problem(args) -> str | None:
    """--alpha or an initializer parameter given where it does not apply (the engine would ignore it)."""
    if args.alpha is not None and args.activation not in DEFAULT_ALPHA:
        return f"--alpha does not apply to {args.activation} (only to {', '.join(DEFAULT_ALPHA)})"
    takes = init_params_of()[args.init]
    for param, dest in init_param_renames().items():
        if getattr(args, dest) is not None and param not in takes:
            owner = next(name for name, params in init_params_of().items() if param in params)
            flag = getattr(args, "spelled", {}).get(dest, f"--{dest.replace('_', '-')}")
            return f"{flag} does not apply to --init {args.init} (it sets {param} of --init {owner})"
    return None


def init_params(args) -> dict[str, float]:
    """The chosen initializer's parameters given on the command line, by the engine's names."""
    return {param: getattr(args, init_param_renames()[param]) for param in init_params_of()[args.init]
            if getattr(args, init_param_renames()[param]) is not None}


# --- output ---------------------------------------------------------------------------------------


def csv_lines(table, columns, ints: int = 1) -> list[str]:
    """The header and one line per row; the first ``ints`` columns as integers, floats by repr (exact)."""
    lines = [",".join(columns)]
    for row in table[list(columns)].itertuples(index=False):
        lines.append(",".join([*(str(int(v)) for v in row[:ints]), *(repr(float(v)) for v in row[ints:])]))
    return lines


def write_lines(lines: list[str]) -> bool:
    """Write the CSV lines to stdout; False if the reader went away (e.g. `| head`)."""
    try:
        sys.stdout.write("\n".join(lines) + "\n")
        sys.stdout.flush()
    except BrokenPipeError:  # stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return False
    return True


def frame_lines(frame) -> list[str]:
    """A tidy table as CSV lines, as the pages' downloads write it: floats by repr (exact), NaN and NA as nan."""
    return frame.to_csv(index=False, na_rep="nan", lineterminator="\n").rstrip("\n").split("\n")


# --- options that apply to some experiments only -----------------------------------------------------


def add_experiment_option(add, uses: dict[str, dict], default: str) -> None:
    """--experiment, each choice listed with the flags it reads."""
    reads = {name: " ".join("--" + d.replace("_", "-") for d in flags) or "no options" for name, flags in uses.items()}
    add("--experiment", default=default, choices=uses,
        help="; ".join(f"{name}: {flags}" for name, flags in reads.items()) + f" (default: {default})")


def experiment_settings(args, uses: dict[str, dict]) -> dict:
    """The chosen experiment's settings (each flag as given, else its default there); a one-line error of
    ``args.parser`` for a flag given that the experiment does not read."""
    flags = {d for own in uses.values() for d in own}
    own = uses[args.experiment]
    for dest in sorted(flags - set(own)):
        if getattr(args, dest) is not None:
            args.parser.error(f"--{dest.replace('_', '-')} does not apply to --experiment {args.experiment}")
    return {d: default if getattr(args, d) is None else getattr(args, d) for d, default in own.items()}
