"""``python -m optiviz init-stats``: the CSV equals the engine's statistics, and bad input is one line naming the option."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from optiviz import cli
from optiviz.labs.activations_init import statistics as engine
from optiviz.labs.activations_init.statistics import MAX_LAYERS, MAX_SAMPLES, MAX_WIDTH, layer_statistics

ROOT = Path(__file__).resolve().parents[1]
HEADER = "layer,mean,std,zero_fraction,saturated_fraction,grad_std"
SMALL = ["--layers", "3", "--width", "20", "--samples", "30"]


def run(capsys, argv):
    code = cli.main(["init-stats", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def assert_same_as_engine(stdout, result, layers):
    header, *rows = stdout.splitlines()
    assert header == HEADER + ",grad_norm"
    assert len(rows) == layers
    assert [row.split(",")[0] for row in rows] == [str(l) for l in range(1, layers + 1)]
    table = np.array([[float(v) for v in row.split(",")] for row in rows])
    np.testing.assert_array_equal(table, result.stats.to_numpy(float))  # repr round-trips every float


def test_the_command_from_the_issue_end_to_end():
    done = subprocess.run([sys.executable, "-m", "optiviz", "init-stats", "--activation", "tanh", "--init", "xavier",
                           "--layers", "10", "--width", "500", "--samples", "1000", "--seed", "0"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stderr == ""
    assert done.stdout.startswith(HEADER)
    assert_same_as_engine(done.stdout, layer_statistics("tanh", "xavier", layers=10, width=500, samples=1000, seed=0),
                          10)


@pytest.mark.parametrize("argv, expected", [
    (["--activation", "relu", "--init", "he", "--skip", "--seed", "3"],
     dict(activation="relu", initializer="he", skip=True, seed=3)),
    (["--activation", "tanh", "--init", "normal", "--std", "0.3"],
     dict(activation="tanh", initializer="normal", init_params={"sigma": 0.3})),
    (["--activation", "sigmoid", "--init", "constant", "--constant", "-0.2"],
     dict(activation="sigmoid", initializer="constant", init_params={"c": -0.2})),
    (["--activation", "leaky_relu", "--alpha", "0.2", "--init", "uniform", "--init-range", "0.4"],
     dict(activation="leaky_relu", alpha=0.2, initializer="uniform", init_params={"a": 0.4})),
    (["--activation", "linear", "--init", "zeros"], dict(activation="linear", initializer="zeros")),
    (["--activation", "elu", "--init", "glorot"], dict(activation="elu", initializer="glorot")),
])
def test_values_equal_the_engine(capsys, argv, expected):
    code, out, err = run(capsys, [*SMALL, *argv])
    assert code == 0 and err == ""
    expected = dict(expected)
    result = layer_statistics(expected.pop("activation"), expected.pop("initializer"), expected.pop("init_params", None),
                              layers=3, width=20, samples=30, **expected)
    assert_same_as_engine(out, result, 3)


def test_defaults_are_tanh_xavier_10_layers(capsys):
    code, out, err = run(capsys, ["--width", "20", "--samples", "30"])
    assert code == 0
    assert_same_as_engine(out, layer_statistics("tanh", "xavier", layers=10, width=20, samples=30), 10)


def test_overflow_prints_inf_or_nan_and_exits_0(capsys):
    code, out, err = run(capsys, [*SMALL[2:], "--layers", "20", "--activation", "linear", "--init", "normal",
                                  "--std", "1e100"])
    assert code == 0 and err == ""
    assert "nan" in out or "inf" in out


def test_help_names_the_columns_and_caps(capsys):
    code, out, _ = run(capsys, ["--help"])
    assert code == 0
    assert "layer,mean,std,zero_fraction,saturated_fraction,grad_std,grad_norm" in out
    assert f"--layers 1 to {MAX_LAYERS}" in out and "L = Σ h_L ⊙ R" in out


@pytest.mark.parametrize("argv, option", [
    (["--layers", "0"], "--layers"), (["--layers", str(MAX_LAYERS + 1)], "--layers"),
    (["--width", str(MAX_WIDTH + 1)], "--width"), (["--samples", "0"], "--samples"),
    (["--samples", str(MAX_SAMPLES + 1)], "--samples"), (["--seed", "-1"], "--seed"),
    (["--layers", "two"], "--layers"), (["--activation", "swish"], "--activation"),
    (["--init", "orthogonal"], "--init"), (["--init", "normal", "--std", "-1"], "--std"),
    (["--init", "normal", "--std", "nan"], "--std"), (["--std", "0.1"], "--std"),
    (["--init", "constant", "--constant", "inf"], "--constant"), (["--init", "he", "--constant", "1"], "--constant"),
    (["--init", "uniform", "--init-range", "-1"], "--init-range"),
    (["--activation", "tanh", "--alpha", "0.1"], "--alpha"), (["--activation", "leaky_relu", "--alpha", "2"], "--alpha"),
    (["--activation", "elu", "--alpha", "0"], "--alpha"), (["--bogus"], "--bogus"),
])
def test_bad_input_exits_2_with_one_line_naming_the_option(capsys, argv, option):
    code, out, err = run(capsys, argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("optiviz") and "error:" in err and option in err


def test_bad_input_end_to_end_is_one_line():
    done = subprocess.run([sys.executable, "-m", "optiviz", "init-stats", "--layers", "21"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == f"optiviz init-stats: error: --layers must be an integer in [1, {MAX_LAYERS}], got 21\n"


def test_engine_errors_are_reported_by_flag(capsys, monkeypatch):
    def fail(*args, **kwargs):
        raise ValueError("sigma must be a finite number ≥ 0, got -1")

    monkeypatch.setattr(engine, "layer_statistics", fail)
    code, _, err = run(capsys, ["--init", "normal", "--std", "1"])
    assert code == 2 and err == "optiviz init-stats: error: --std must be a finite number ≥ 0, got -1\n"
