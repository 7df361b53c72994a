"""optiviz.cli, one module per subcommand, relies on the engine's checks: every numeric flag of every subcommand,
found by walking the parsers, gives one line naming the flag and exit status 2 for a bad value (out of range, nan,
±inf, wrong type), never a traceback. The initializer constant has one spelling, --init-constant, everywhere;
the old --constant still works, unlisted."""

import argparse
import ast
import importlib
import tomllib
from pathlib import Path
from types import MappingProxyType

import pytest

from optiviz import cli
from optiviz.cli import common
from optiviz.nn.activations import DEFAULT_ALPHA
from optiviz.core.optimizers import OPTIMIZERS

ROOT = Path(__file__).resolve().parents[1]
# The quickest run of each subcommand, so that an accepted extreme value finishes at once.
QUICK = {
    "path": ["--steps", "3"],
    "train": ["--samples", "40", "--hidden", "4", "--epochs", "1"],
    "init-stats": ["--layers", "2", "--width", "8", "--samples", "8"],
    "double-descent": ["--n-train", "5", "--max-features", "8", "--trials", "2"],
    "race": ["--steps", "3"],
    "sweep": ["--steps", "3", "--rates", "0.01"],
    "batch-size": ["--samples", "20", "--epochs", "1"],
    "learning-rate": ["--samples", "20", "--epochs", "1", "--batch-size", "5"],
    "preprocessing": ["--samples", "20", "--steps", "2"],
    "regularization": ["--experiment", "paths"],
    "init-training": ["--depth", "1", "--width", "2", "--epochs", "1", "--seeds", "1", "--schemes", "xavier"],
}
# The quickest run of each experiment of a subcommand with --experiment (its flags apply to some experiments only).
QUICK_EXPERIMENTS = {
    "regularization": {"penalties": ["--epochs", "1", "--seeds", "1", "--width", "2"],
                       "early-stopping": ["--epochs", "1", "--seeds", "1"],
                       "dropout": ["--epochs", "1", "--seeds", "1", "--width", "2"],
                       "augmentation": ["--epochs", "1", "--seeds", "1"]},
}
# The only numeric flag that takes every finite value: c of W = c (an extreme c diverges, exit status 0).
UNBOUNDED = {"--init-constant", "--constant"}


def subparsers() -> dict[str, argparse.ArgumentParser]:
    parser = cli.build_parser()
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices


def numeric_flags() -> list[tuple[str, argparse.Action]]:
    """(subcommand, action) of every option whose type reads "1" as a number, hidden aliases included."""
    found = []
    for name, parser in subparsers().items():
        for action in parser._actions:
            if action.option_strings and action.type is not None:
                try:
                    number = action.type("1")
                except (TypeError, ValueError, argparse.ArgumentTypeError):
                    continue
                if isinstance(number, (int, float)):
                    found.append((name, action))
    return found


def enabling(command: str, flag: str) -> list[str]:
    """The other flags that make ``flag`` apply, read from the registries (an optimizer, activation or init) and
    from the subcommand's experiments (its module's USES: each experiment's own flags)."""
    name = flag[2:]
    module = importlib.import_module(f"optiviz.cli.{command.replace('-', '_')}")
    for experiment, own in getattr(module, "USES", {}).items():
        if name.replace("-", "_") in own:
            return ["--experiment", experiment, *QUICK_EXPERIMENTS.get(command, {}).get(experiment, [])]
    users = [o for o, spec in OPTIMIZERS.items() if name in {h.name for h in spec.hyperparameters}]
    if users and "--optimizer" in subparsers()[command]._option_string_actions:  # race and sweep: --optimizers
        return ["--optimizer", users[0]]
    if name == "alpha":
        return ["--activation", next(iter(DEFAULT_ALPHA))]
    for param, (spelling, _) in common.INIT_PARAM_FLAGS.items():
        takes_init = "--init" in subparsers()[command]._option_string_actions
        if takes_init and flag in (spelling, common.INIT_PARAM_ALIASES.get(param)):
            return ["--init", next(i for i, takes in common.init_params_of().items() if param in takes)]
    return ["--batchnorm"] if flag == "--bn-momentum" else []


def argv(command: str, action: argparse.Action, value: str) -> list[str]:
    """``command`` quick, with ``value`` (twice for a pair) given to the flag under test."""
    flag, quick = action.option_strings[0], QUICK[command]
    base = [t for k in range(0, len(quick), 2) if quick[k] != flag for t in quick[k:k + 2]]
    values = [value] * action.nargs if isinstance(action.nargs, int) else [value]
    return [command, *base, *enabling(command, flag), flag, *values]


def is_int(action) -> bool:
    return isinstance(action.type("1"), int)


FLAGS = numeric_flags()
IDS = [f"{c} {a.option_strings[0]}" for c, a in FLAGS]


def test_every_subcommand_has_numeric_flags_found():
    found = {c for c, _ in FLAGS}
    assert found == set(QUICK) and len(FLAGS) >= 40


def one_line_naming(capsys, args, flag):
    status = cli.main(args)
    out, err = capsys.readouterr()
    assert status == 2, (args, err)
    assert out == "" and err.count("\n") == 1 and err.startswith("optiviz") and "error: " in err
    assert flag in err and "Traceback" not in err, err
    return err


@pytest.mark.parametrize("command, action", FLAGS, ids=IDS)
@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "abc"])
def test_non_finite_and_non_numbers_name_the_flag(capsys, command, action, value):
    flag = action.option_strings[0]
    err = one_line_naming(capsys, argv(command, action, value), flag)
    if value in ("nan", "inf", "-inf") and not is_int(action):
        assert "finite" in err  # the engine's check said it, not argparse


@pytest.mark.parametrize("command, action", [(c, a) for c, a in FLAGS if is_int(a)], ids=lambda v: getattr(
    v, "option_strings", [v])[0])
def test_a_fraction_is_not_an_integer(capsys, command, action):
    one_line_naming(capsys, argv(command, action, "1.5"), action.option_strings[0])


@pytest.mark.parametrize("command, action", FLAGS, ids=IDS)
def test_out_of_range_names_the_flag(capsys, command, action):
    """−huge and +huge: each is refused naming the flag or runs cleanly, and every bounded flag refuses one."""
    flag = action.option_strings[0]
    extremes = ["-1000000000000", "1000000000000"] if is_int(action) else ["-1e300", "1e300"]
    refused = 0
    for value in extremes:
        status = cli.main(argv(command, action, value))
        out, err = capsys.readouterr()
        assert status in (0, 2) and "Traceback" not in err and "Warning" not in err
        if status == 2:
            refused += 1
            assert out == "" and err.count("\n") == 1 and flag in err, err
    assert refused >= 1 or flag in UNBOUNDED


def test_messages_are_the_engines_by_flag(capsys):
    err = one_line_naming(capsys, ["train", *QUICK["train"], "--val-fraction", "0.95"], "--val-fraction")
    assert err == "optiviz train: error: --val-fraction must be a finite number in [0, 0.9], got 0.95\n"
    err = one_line_naming(capsys, ["path", "--lr", "-2"], "--lr")
    assert err == "optiviz path: error: --lr must be a finite number > 0, got -2.0\n"  # np.float64(-2.0) reads -2.0


def test_flag_message_maps_any_destination_generically():
    parser = common.Parser(prog="toy")
    parser.add_argument("--foo-bar", type=float)
    parser.add_argument("--width", type=int, nargs="*")
    parser.add_argument("--rate", type=float)
    assert common.flag_message(parser, "foo_bar must be ≥ 0, got -1") == "--foo-bar must be ≥ 0, got -1"
    assert common.flag_message(parser, "width[2] must be an integer ≥ 1, got 0") == (
        "--width must be an integer ≥ 1, got 0")
    assert common.flag_message(parser, "foo_bar=3 is not allowed") == "--foo-bar=3 is not allowed"
    assert common.flag_message(parser, "eta must be > 0", {"eta": "rate"}) == "--rate must be > 0"
    assert common.flag_message(parser, "trials exceed foo_bar 3") == "trials exceed --foo-bar 3"  # snake_case anywhere
    assert common.flag_message(parser, "widths must be small") == "widths must be small"  # no partial word


@pytest.mark.parametrize("command", ["train", "init-stats"])
def test_one_spelling_of_the_initializer_constant_and_the_old_one_hidden(capsys, command):
    assert cli.main([command, "--help"]) == 0
    text = capsys.readouterr().out
    assert "--init-constant C" in text and "--constant" not in text.replace("--init-constant", "")
    runs = []
    for spelling in ["--init-constant", "--constant"]:
        assert cli.main([command, *QUICK[command], "--init", "constant", spelling, "0.3"]) == 0
        runs.append(capsys.readouterr().out)
    assert runs[0] == runs[1] and runs[0].count("\n") >= 2
    assert cli.main([command, *QUICK[command], "--init", "constant", "--init-constant", "0.2"]) == 0
    assert capsys.readouterr().out != runs[0]  # the value reaches the engine


@pytest.mark.parametrize("spelling", ["--init-constant", "--constant"])
def test_the_message_names_the_spelling_typed(capsys, spelling):
    err = one_line_naming(capsys, ["init-stats", "--init", "constant", spelling, "nan"], spelling)
    assert err.split("error: ")[1].startswith(spelling + " ")
    err = one_line_naming(capsys, ["train", "--init", "he", spelling, "1"], spelling)
    assert err.split("error: ")[1].startswith(f"{spelling} does not apply to --init he")


def test_help_lists_come_from_the_registries(capsys, monkeypatch):
    """A toy initializer with a parameter, added to the registry, shows in the help with a flag of its own."""
    from optiviz.nn import initializers

    def lecun(shape, rng, gain: float = 1.0):
        """W_ij ~ N(0, gain/N_in), a toy initializer for this test."""
        return initializers.normal(shape, rng, gain / shape[0])

    registry = MappingProxyType({**initializers.INITIALIZERS, "lecun": lecun})
    monkeypatch.setattr(initializers, "INITIALIZERS", registry)
    monkeypatch.setattr(common, "INITIALIZERS", registry)
    for command in ["train", "init-stats"]:
        assert cli.main([command, "--help"]) == 0
        text = " ".join(capsys.readouterr().out.split())
        assert "lecun W_ij ~ N(0, gain/N_in)" in text and "gain = --gain (default 1)" in text
        assert "--gain V gain of --init lecun" in text
    one_line_naming(capsys, ["init-stats", "--init", "he", "--gain", "2"], "--gain")


def test_no_function_in_the_cli_is_longer_than_80_lines():
    for path in (ROOT / "optiviz" / "cli").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                assert node.end_lineno - node.lineno + 1 <= 80, f"{path.name}:{node.name}"


def test_the_console_script_and_python_m_use_main(capsys):
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    module, _, name = scripts["optiviz"].partition(":")
    main = getattr(importlib.import_module(module), name)
    assert main is cli.main
    assert main(["double-descent", "--help"]) == 0 and "features,train_mse,test_mse" in capsys.readouterr().out
    assert "from optiviz.cli import main" in (ROOT / "optiviz" / "__main__.py").read_text()
