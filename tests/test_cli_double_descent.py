"""``python -m optiviz double-descent``: the CSV equals the engine's curve, and bad input is one line naming the option."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from optiviz import cli
from optiviz.labs import double_descent as dd

ROOT = Path(__file__).resolve().parents[1]
HEADER = "features,train_mse,test_mse"
SMALL = ["--n-train", "10", "--max-features", "30", "--trials", "5"]


def run(capsys, argv):
    code = cli.main(["double-descent", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def table(stdout: str, rows: int) -> np.ndarray:
    header, *lines = stdout.splitlines()
    assert header == HEADER
    assert len(lines) == rows
    assert [line.split(",")[0] for line in lines] == [str(p) for p in range(1, rows + 1)]
    return np.array([[float(v) for v in line.split(",")] for line in lines])


def test_the_command_with_no_options_shows_double_descent_end_to_end():
    """Issue 13: with no options the big models clearly beat the best small one, past a peak at p = n."""
    done = subprocess.run([sys.executable, "-m", "optiviz", "double-descent"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0 and done.stderr == ""
    values = table(done.stdout, 200)
    expected = dd.double_descent()[["features", "train_mse", "test_mse"]].to_numpy(float)
    np.testing.assert_array_equal(values, expected)  # repr round-trips every float
    p, test = values[:, 0], values[:, 2]
    small, big = test[p < 40].min(), test[p > 80].min()
    assert int(np.argmax(test)) + 1 == 40  # the peak at the interpolation threshold
    assert big <= 0.75 * small  # ≥ 25 % lower test error past p = 2n than at the bottom of the classical regime
    assert test[0] > small < test[38]  # the classical U: down, then up towards the peak
    assert test[-1] < dd.null_mse(0.2)


def test_the_linear_model_end_to_end():
    done = subprocess.run([sys.executable, "-m", "optiviz", "double-descent", "--model", "linear", "--noise", "0.5",
                           "--trials", "50", "--seed", "0"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stderr == ""
    values = table(done.stdout, 200)
    expected = dd.double_descent(40, 200, 50, 0.5, 0.0, 0, model="linear")[["features", "train_mse", "test_mse"]]
    np.testing.assert_array_equal(values, expected.to_numpy(float))
    assert int(np.argmax(values[:, 2])) + 1 == 40 and values[-1, 2] < dd.null_mse(0.5)


@pytest.mark.parametrize("argv, kwargs", [
    ([], dict()),
    (["--seed", "3", "--noise", "0.2"], dict(seed=3, noise=0.2)),
    (["--ridge", "0.5"], dict(ridge=0.5)),
    (["--weights", "decaying", "--noise", "0"], dict(weights="decaying", noise=0.0)),
    (["--trials", "1", "--ridge", "1e-3"], dict(trials=1, ridge=1e-3)),
    (["--model", "linear"], dict(model="linear")),
    (["--model", "linear", "--weights", "decaying", "--ridge", "0.5"], dict(model="linear", weights="decaying", ridge=0.5)),
    (["--model", "relu", "--seed", "4"], dict(model="relu", seed=4)),
])
def test_values_equal_the_engine(capsys, argv, kwargs):
    code, out, err = run(capsys, [*SMALL, *argv])
    assert code == 0 and err == ""
    settings = dict(n_train=10, max_features=30, trials=5, noise=0.2, ridge=0.0, seed=0) | kwargs
    expected = dd.double_descent(**settings)[["features", "train_mse", "test_mse"]].to_numpy(float)
    np.testing.assert_array_equal(table(out, 30), expected)


def test_help_names_the_columns_the_model_and_caps(capsys):
    code, out, _ = run(capsys, ["--help"])
    assert code == 0
    assert HEADER in out and "X_p⁺ y" in out and "Φ_p⁺ y" in out and f"--max-features 1 to {dd.MAX_FEATURES}" in out
    assert "sin(πx₁) + cos(πx₂)" in out and "--model" in out
    assert "double-descent" in cli.build_parser().format_help()


@pytest.mark.parametrize("argv, option", [
    (["--n-train", "forty"], "--n-train"), (["--n-train", "0"], "--n-train"), (["--n-train", "-5"], "--n-train"),
    (["--n-train", str(dd.MAX_SAMPLES + 1)], "--n-train"), (["--n-train", "4.5"], "--n-train"),
    (["--max-features", "0"], "--max-features"), (["--max-features", "1e3"], "--max-features"),
    (["--max-features", str(dd.MAX_FEATURES + 1)], "--max-features"),
    (["--trials", "0"], "--trials"), (["--trials", str(dd.MAX_TRIALS + 1)], "--trials"), (["--trials", "x"], "--trials"),
    (["--noise", "nan"], "--noise"), (["--noise", "-0.1"], "--noise"), (["--noise", "inf"], "--noise"),
    (["--noise", "1e9"], "--noise"), (["--noise", "a"], "--noise"),
    (["--ridge", "-1"], "--ridge"), (["--ridge", "inf"], "--ridge"), (["--ridge", "NaN"], "--ridge"),
    (["--ridge", "1e300"], "--ridge"), (["--seed", "-1"], "--seed"), (["--seed", "1.5"], "--seed"),
    (["--weights", "zipf"], "--weights"), (["--bogus"], "--bogus"), (["--model", "cnn"], "--model"),
    (["--n-train", "100", "--max-features", "1000", "--trials", "100"], "--trials"),
    (["--n-train", str(dd.MAX_SAMPLES), "--max-features", str(dd.MAX_FEATURES), "--trials", "1"], "--max-features"),
])
def test_bad_input_exits_2_with_one_line_naming_the_option(capsys, argv, option):
    code, out, err = run(capsys, argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("optiviz") and "error:" in err and option in err


def test_bad_input_end_to_end_is_one_line():
    done = subprocess.run([sys.executable, "-m", "optiviz", "double-descent", "--noise", "nan"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == f"optiviz double-descent: error: --noise must be a finite number in [0, {dd.MAX_NOISE:g}], got nan\n"


def test_engine_errors_are_reported_by_flag(capsys, monkeypatch):
    def fail(*args, **kwargs):
        raise ValueError("ridge must be a finite number in [0, 10000], got -1")

    monkeypatch.setattr(dd, "double_descent", fail)
    code, _, err = run(capsys, SMALL)
    assert code == 2 and err == "optiviz double-descent: error: --ridge must be a finite number in [0, 10000], got -1\n"
