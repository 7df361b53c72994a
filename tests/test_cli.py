"""The command line: end to end in a subprocess, bad input in-process through main()."""

import subprocess
import sys
from pathlib import Path

import pytest

from optiviz import cli
from optiviz.core.descent import MAX_STEPS, diverged_steps, run
from optiviz.core.optimizers import OPTIMIZERS
from optiviz.core.schedules import SCHEDULES
from optiviz.core.surfaces import SURFACES

ROOT = Path(__file__).resolve().parents[1]
HEADER = "step,x,y,loss,grad_norm,learning_rate"


def optiviz(*args):
    """Run ``python -m optiviz args`` from the project root."""
    return subprocess.run([sys.executable, "-m", "optiviz", *args], cwd=ROOT, capture_output=True, text=True, timeout=60)


def parse(stdout):
    header, *rows = stdout.splitlines()
    return header, [[float(v) for v in row.split(",")] for row in rows]


def test_path_matches_the_engine_exactly():
    args = ["--surface", "rosenbrock", "--optimizer", "momentum", "--steps", "40", "--start", "-1.2", "1",
            "--lr", "0.001", "--momentum", "0.95", "--noise", "0.3", "--seed", "7", "--schedule", "exp", "--decay-rate", "0.01"]
    done = optiviz("path", *args)
    assert done.returncode == 0 and done.stderr == ""
    header, rows = parse(done.stdout)
    assert header == HEADER
    assert len(rows) == 41
    assert rows[0][:3] == [0, -1.2, 1.0]
    expected = run("rosenbrock", "momentum", (-1.2, 1.0), 40, 0.001, momentum=0.95, noise=0.3, seed=7,
                   schedule="exp", decay_rate=0.01)
    assert rows == expected[HEADER.split(",")].values.tolist()  # repr round-trips every float exactly


def test_defaults_are_the_surface_preset_and_rate():
    done = optiviz("path", "--steps", "5")
    assert done.returncode == 0
    header, rows = parse(done.stdout)
    assert header == HEADER and len(rows) == 6
    beale = SURFACES["beale"]
    assert tuple(rows[0][1:3]) == beale.starts[0][1]
    assert {row[5] for row in rows} == {beale.learning_rates["adam"]}


def test_diverging_run_stops_before_the_divergence():
    expected = diverged_steps(run("beale", "sgd", (1.0, 1.5), 50, 0.1), 50)["sgd"]
    done = optiviz("path", "--optimizer", "sgd", "--lr", "0.1", "--steps", "50")
    assert done.returncode == 0
    assert done.stderr.strip() == f"diverged at step {expected}"
    _, rows = parse(done.stdout)
    assert [row[0] for row in rows] == list(range(expected))


def test_bad_input_end_to_end_is_one_line():
    done = optiviz("path", "--lr", "-1")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == "optiviz path: error: --lr must be a finite number > 0, got -1.0\n"


def test_help_describes_the_formulas():
    top, path = optiviz("--help"), optiviz("path", "--help")
    assert top.returncode == path.returncode == 0
    assert "path" in top.stdout
    for text in ["--momentum", "--decay", "--beta1", "W ← W − α g", str(MAX_STEPS), HEADER, *SURFACES, *SCHEDULES]:
        assert text in path.stdout


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
@pytest.mark.parametrize("schedule", SCHEDULES)
def test_every_optimizer_and_schedule_runs(capsys, optimizer, schedule):
    argv = ["path", "--optimizer", optimizer, "--schedule", schedule, "--decay-rate", "0.1", "--steps", "10"]
    assert cli.main(argv) == 0
    out, err = capsys.readouterr()
    assert out.splitlines()[0] == HEADER and len(out.splitlines()) == 12 and err == ""


def test_negative_numbers_in_scientific_notation_are_values(capsys):
    assert cli.main(["path", "--surface", "saddle", "--start", "-1.5", "-1e-3", "--steps", "1"]) == 0
    assert capsys.readouterr().out.splitlines()[1].startswith("0,-1.5,-0.001,")


FLOAT_OPTIONS = ["--lr", "--momentum", "--decay", "--beta1", "--beta2", "--eps", "--decay-rate", "--noise"]
OPTIMIZER_FOR = {"--momentum": "momentum", "--decay": "rmsprop", "--beta1": "adam", "--beta2": "adam", "--eps": "adam"}


def bad(option, *values):
    """argv giving ``option`` the ``values``, with an optimizer that takes it."""
    return ["path", "--optimizer", OPTIMIZER_FOR.get(option, "adam"), option, *values]


BAD_INPUT = [
    *[(bad(option, value), option) for option in FLOAT_OPTIONS for value in ["abc", "nan", "inf", "-inf"]],
    *[(["path", "--start", *xy], "--start") for xy in [("a", "1"), ("1", "nan"), ("inf", "1"), ("-inf", "1"), ("1",)]],
    (["path", "--start", "1000", "0"], "--start"),  # outside the divergence box
    (bad("--lr", "-1"), "--lr"),
    (bad("--lr", "0"), "--lr"),
    *[(bad(option, value), option) for option in ["--momentum", "--decay", "--beta1", "--beta2"] for value in ["-0.1", "1"]],
    (bad("--eps", "-1e-8"), "--eps"),
    (bad("--noise", "-0.1"), "--noise"),
    (bad("--decay-rate", "-0.1"), "--decay-rate"),
    *[(["path", "--steps", value], "--steps") for value in ["0", "-5", "2.5", "ten", str(MAX_STEPS + 1)]],
    *[(["path", "--seed", value], "--seed") for value in ["-1", "1.5", "x"]],
    (["path", "--surface", "himmelblau"], "--surface"),
    (["path", "--optimizer", "lion"], "--optimizer"),
    (["path", "--schedule", "cosine"], "--schedule"),
    (["path", "--bogus", "1"], "--bogus"),
    (["fit"], "fit"),  # not a command
    *[(["path", "--optimizer", name, option, "0.5"], option)
      for name, spec in OPTIMIZERS.items() for option in OPTIMIZER_FOR
      if option[2:] not in {h.name for h in spec.hyperparameters}],
]


@pytest.mark.parametrize("argv, option", BAD_INPUT, ids=lambda v: " ".join(v) if isinstance(v, list) else None)
def test_bad_input_exits_2_with_one_line_naming_the_option(capsys, argv, option):
    assert cli.main(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and err.endswith("\n")
    assert option in err and "Traceback" not in err


def test_inapplicable_hyperparameter_message(capsys):
    assert cli.main(["path", "--optimizer", "sgd", "--beta1", "0.5"]) == 2
    assert "--beta1 does not apply to sgd" in capsys.readouterr().err


def test_no_subcommand_is_an_error(capsys):
    assert cli.main([]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_engine_errors_are_reported_by_flag(capsys, monkeypatch):
    def refuse(*args, **kwargs):
        raise ValueError("decay_rate must be a finite number ≥ 0, got -1")

    monkeypatch.setattr(cli.path, "run", refuse)
    assert cli.main(["path"]) == 2
    assert capsys.readouterr().err == "optiviz path: error: --decay-rate must be a finite number ≥ 0, got -1\n"


def test_path_help_names_the_schedule_convention_and_the_surface_defaults():
    done = optiviz("path", "--help")
    text = " ".join(done.stdout.split())
    assert "keep α_t inside the velocity" in text and "torch.optim.SGD" in text
    assert "momentum races here with --momentum 0.5 unless given" in text


def test_path_races_momentum_on_the_ravine_with_the_surface_gamma():
    done = optiviz("path", "--surface", "ravine", "--optimizer", "momentum", "--steps", "30")
    _, rows = parse(done.stdout)
    ravine = SURFACES["ravine"]
    expected = run("ravine", "momentum", ravine.starts[0][1], 30, ravine.learning_rates["momentum"], momentum=0.5)
    assert rows == expected[HEADER.split(",")].values.tolist()
    given = optiviz("path", "--surface", "ravine", "--optimizer", "momentum", "--steps", "30", "--momentum", "0.9")
    assert parse(given.stdout)[1] == run("ravine", "momentum", ravine.starts[0][1], 30, 0.16, momentum=0.9)[
        HEADER.split(",")].values.tolist()
