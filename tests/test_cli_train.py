"""``python -m optiviz train``: the CSV equals the engine's history, divergence and early stopping
are reported, every flag is accepted, and bad input is one line naming the option."""

import argparse
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from optiviz import cli
from optiviz.cli.common import INIT_PARAM_FLAGS, init_params_of
from optiviz.core.datasets import DATASETS, PREPROCESSINGS, REFLECTIONS, make_dataset, train_val_split
from optiviz.nn import MLP
from optiviz.nn.activations import ACTIVATIONS
from optiviz.nn.initializers import INITIALIZERS
from optiviz.nn.records import HISTORY_COLUMNS
from optiviz.nn.training import MAX_DEPTH, MAX_EPOCHS, MAX_STEP_WORK, MAX_WIDTH, MAX_WORK, OptimizerSetting, train
from optiviz.core.optimizers import OPTIMIZERS
from optiviz.core.schedules import SCHEDULES

ROOT = Path(__file__).resolve().parents[1]
HEADER = "epoch,train_loss,val_loss,train_acc,val_acc"
TINY = ["--samples", "40", "--hidden", "4", "--epochs", "1"]  # the quickest run, for "is this accepted"


def optiviz(*args):
    """Run ``python -m optiviz args`` from the project root."""
    return subprocess.run([sys.executable, "-m", "optiviz", *args], cwd=ROOT, capture_output=True, text=True, timeout=60)


def run_train(capsys, argv):
    """(exit status, stdout, stderr) of ``main(["train", *argv])``."""
    code = cli.main(["train", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def parse(stdout):
    """(column names, float table) of the CSV."""
    header, *rows = stdout.splitlines()
    return header.split(","), np.array([[float(v) for v in row.split(",")] for row in rows])


def engine(dataset="moons", samples=400, noise=0.1, classes=2, val_fraction=0.25, data_seed=0, *, net, optimizer,
           **settings):
    """The engine's own run for these settings, as the CLI should make it."""
    X, y = make_dataset(dataset, samples, noise, data_seed, classes=classes)
    data = train_val_split(X, y, val_fraction, data_seed)
    return train(net, data, optimizer, record_grid=False, record_params=False, **settings)


def assert_same_as_engine(stdout, result):
    """Every cell of the CSV equals the engine's record exactly (repr round-trips floats; nan equals nan)."""
    names, rows = parse(stdout)
    layers = [n.replace(" ", "") for n in result.layer_names]
    assert names == [*cli.train.TRAIN_COLUMNS, *(f"weight_norm_{n}" for n in layers), *(f"grad_norm_{n}" for n in layers)]
    assert len(rows) == len(result.history)
    for column in HISTORY_COLUMNS[1:]:
        np.testing.assert_array_equal(rows[:, names.index(column)], result.history[column].to_numpy(float))
    k = len(layers)
    np.testing.assert_array_equal(rows[:, len(cli.train.TRAIN_COLUMNS):][:, :k], result.weight_norms)
    np.testing.assert_array_equal(rows[:, len(cli.train.TRAIN_COLUMNS):][:, k:], result.grad_norms)


# --- the command from the issue, end to end ---------------------------------------------------------

SPEC = ["--dataset", "moons", "--hidden", "16", "16", "--activation", "relu", "--init", "he", "--optimizer", "adam",
        "--lr", "0.01", "--batch-size", "32", "--epochs", "12", "--seed", "0", "--samples", "120"]


def test_end_to_end_header_rows_and_engine_values():
    done = optiviz("train", *SPEC)
    assert done.returncode == 0 and done.stderr == ""
    assert done.stdout.startswith(HEADER + ",lr,steps,penalty,weight_norm_hidden1,")
    names, rows = parse(done.stdout)
    assert len(rows) == 12 + 1
    assert rows[:, 0].tolist() == list(range(13))  # epoch 0 first: the network before any update
    assert rows[0, names.index("steps")] == 0 and np.isnan(rows[0, names.index("lr")])
    assert np.isnan(rows[0, names.index("grad_norm_output")])
    lines = done.stdout.splitlines()
    assert lines[1].startswith("0,") and ",nan,0," in lines[1]  # ints as ints, floats by repr
    result = engine(samples=120, net=MLP(2, (16, 16), 1, activation="relu", initializer="he"), optimizer="adam",
                    learning_rate=0.01, batch_size=32, epochs=12, seed=0)
    assert_same_as_engine(done.stdout, result)
    assert rows[-1, names.index("train_loss")] < rows[0, names.index("train_loss")]


def test_defaults_are_documented_values(capsys):
    code, out, err = run_train(capsys, ["--epochs", "2"])
    assert code == 0 and err == ""
    result = engine(net=MLP(2, (16, 16), 1), optimizer="adam", learning_rate=0.01, batch_size=32, epochs=2)
    assert_same_as_engine(out, result)


# --- every flag reaches the engine as documented ------------------------------------------------------

ENGINE_CASES = [
    pytest.param(
        ["--dataset", "spiral", "--classes", "3", "--samples", "90", "--noise", "0.05", "--val-fraction", "0.3",
         "--data-seed", "5", "--seed", "3", "--preprocess", "standardize", "--hidden", "8", "8", "--skip",
         "--batchnorm", "--bn-momentum", "0.8", "--activation", "leaky_relu", "--alpha", "0.1", "--init", "normal",
         "--std", "0.3", "--optimizer", "rmsprop", "--decay", "0.8", "--eps", "1e-6", "--lr", "0.02",
         "--batch-size", "16", "--epochs", "4", "--schedule", "step", "--decay-rate", "0.5", "--l1", "0.001",
         "--l2", "0.01", "--dropout", "0.2", "--early-stopping", "10", "--jitter", "0.02", "--rotation", "15",
         "--reflect", "x"],
        dict(dataset="spiral", classes=3, samples=90, noise=0.05, val_fraction=0.3, data_seed=5,
             net=MLP(2, (8, 8), 3, activation="leaky_relu", alpha=0.1, initializer="normal",
                     init_params={"sigma": 0.3}, skip=True, batch_norm=True, bn_momentum=0.8, keep_prob=1.0 - 0.2),
             optimizer=OptimizerSetting("rmsprop", hyperparameters=(("decay", 0.8), ("eps", 1e-6))),
             learning_rate=0.02, batch_size=16, epochs=4, schedule="step", decay_rate=0.5, l1=0.001, l2=0.01,
             patience=10, jitter=0.02, rotation=15.0, reflect="x", preprocessing="standardise", seed=3),
        id="spiral-everything"),
    pytest.param(
        ["--dataset", "xor", "--samples", "60", "--hidden", "6", "--activation", "tanh", "--init", "constant",
         "--init-constant", "0.2", "--optimizer", "momentum", "--momentum", "0.5", "--lr", "0.1", "--epochs", "3",
         "--schedule", "exp", "--decay-rate", "0.1", "--preprocess", "center", "--seed", "2"],
        dict(dataset="xor", samples=60, data_seed=2,
             net=MLP(2, (6,), 1, activation="tanh", initializer="constant", init_params={"c": 0.2}),
             optimizer=OptimizerSetting("momentum", hyperparameters=(("momentum", 0.5),)), learning_rate=0.1,
             epochs=3, batch_size=32, schedule="exp", decay_rate=0.1, preprocessing="centre", seed=2),
        id="xor-constant-momentum"),
    pytest.param(
        ["--dataset", "blobs", "--classes", "3", "--samples", "45", "--hidden", "5", "--activation", "elu",
         "--alpha", "0.5", "--init", "uniform", "--init-range", "0.4", "--optimizer", "adam", "--beta1", "0.8",
         "--beta2", "0.99", "--batch-size", "full", "--epochs", "3", "--preprocess", "whiten", "--val-fraction", "0"],
        dict(dataset="blobs", classes=3, samples=45, val_fraction=0.0,
             net=MLP(2, (5,), 3, activation="elu", alpha=0.5, initializer="uniform", init_params={"a": 0.4}),
             optimizer=OptimizerSetting("adam", hyperparameters=(("beta1", 0.8), ("beta2", 0.99))),
             learning_rate=0.01, batch_size=None, epochs=3, preprocessing="whiten"),
        id="blobs-full-batch-no-validation"),
    pytest.param(
        ["--dataset", "circles", "--samples", "50", "--hidden", "--activation", "sigmoid", "--init", "glorot",
         "--optimizer", "adagrad", "--lr", "0.5", "--epochs", "3", "--augment", "--schedule", "inv",
         "--decay-rate", "1"],
        dict(dataset="circles", samples=50, net=MLP(2, (), 1, activation="sigmoid", initializer="glorot"),
             optimizer="adagrad", learning_rate=0.5, batch_size=32, epochs=3, schedule="inv", decay_rate=1.0,
             jitter=cli.train.AUGMENT_JITTER, rotation=180.0, reflect="xy"),
        id="circles-augment-preset-logistic-regression"),
    pytest.param(
        ["--dataset", "moons", "--samples", "50", "--hidden", "4", "--epochs", "2", "--augment"],
        dict(samples=50, net=MLP(2, (4,), 1), optimizer="adam", learning_rate=0.01, batch_size=32, epochs=2,
             jitter=cli.train.AUGMENT_JITTER),
        id="moons-augment-preset-is-jitter-only"),
    pytest.param(
        ["--dataset", "circles", "--samples", "50", "--hidden", "4", "--epochs", "2", "--augment", "--jitter", "0.2",
         "--reflect", "none", "--optimizer", "nesterov", "--init", "xavier", "--activation", "linear"],
        dict(dataset="circles", samples=50, net=MLP(2, (4,), 1, activation="linear", initializer="xavier"),
             optimizer="nesterov", learning_rate=0.01, batch_size=32, epochs=2, jitter=0.2, rotation=180.0,
             reflect="none"),
        id="explicit-augmentation-flags-override-the-preset"),
    pytest.param(
        ["--samples", "40", "--hidden", "4", "--epochs", "2", "--init", "zeros", "--optimizer", "sgd", "--lr", "0.3"],
        dict(samples=40, net=MLP(2, (4,), 1, initializer="zeros"), optimizer="sgd", learning_rate=0.3,
             batch_size=32, epochs=2),
        id="zeros-sgd"),
]


@pytest.mark.parametrize("argv, expected", ENGINE_CASES)
def test_values_equal_the_engine_run_with_the_same_settings(capsys, argv, expected):
    code, out, err = run_train(capsys, argv)
    assert code == 0, err
    assert_same_as_engine(out, engine(**expected))


def test_dropout_is_the_drop_probability(capsys):
    """--dropout 0.9 drops 90 % of the units: the same run as keep_prob 0.1, not 0.9."""
    code, out, err = run_train(capsys, ["--samples", "40", "--hidden", "8", "--epochs", "2", "--dropout", "0.9"])
    assert code == 0, err
    kept = engine(samples=40, net=MLP(2, (8,), 1, keep_prob=1.0 - 0.9), optimizer="adam", batch_size=32, epochs=2)
    assert_same_as_engine(out, kept)


# --- divergence and early stopping ---------------------------------------------------------------------


@pytest.mark.parametrize("argv", [
    ["--lr", "100", "--optimizer", "momentum", "--activation", "linear", "--samples", "40", "--epochs", "30"],
    ["--lr", "1e300", "--optimizer", "sgd", "--samples", "40", "--hidden", "4", "--epochs", "5"],
    ["--init", "normal", "--std", "1e300", "--samples", "40", "--hidden", "4", "--epochs", "5"],  # diverged at 0
], ids=["momentum-lr-100", "sgd-lr-1e300", "initial-weights-overflow"])
def test_a_diverging_run_stops_and_says_so_with_exit_0(capsys, argv):
    code, out, err = run_train(capsys, argv)
    assert code == 0
    epoch = int(err.removeprefix("diverged at epoch ").rstrip("\n"))
    assert err == f"diverged at epoch {epoch}\n"
    names, rows = parse(out)
    assert rows[:, 0].tolist() == list(range(max(epoch, 1)))  # the rows before the divergence (epoch 0 always)
    if epoch:
        assert np.isfinite(rows[:, names.index("train_loss")]).all()
    assert epoch < int(argv[argv.index("--epochs") + 1])


def test_divergence_matches_the_engine(capsys):
    argv = ["--lr", "100", "--optimizer", "momentum", "--activation", "linear", "--samples", "40", "--epochs", "30"]
    code, out, err = run_train(capsys, argv)
    result = engine(samples=40, net=MLP(2, (16, 16), 1, activation="linear"), optimizer="momentum",
                    learning_rate=100.0, batch_size=32, epochs=30)
    assert result.diverged_at is not None and 1 < result.diverged_at < 30
    assert err == f"diverged at epoch {result.diverged_at}\n"
    assert_same_as_engine(out, result)


def test_early_stopping_ends_early(capsys):
    argv = ["--early-stopping", "3", "--epochs", "200", "--noise", "0.4", "--samples", "80", "--lr", "0.05"]
    code, out, err = run_train(capsys, argv)
    assert code == 0
    names, rows = parse(out)
    last = int(rows[-1, 0])
    best = int(np.argmin(rows[:, names.index("val_loss")]))
    assert last < 200 and len(rows) == last + 1
    assert last == best + 3  # three epochs without a new lowest validation loss
    assert err == f"stopped early at epoch {last}: best val_loss at epoch {best}\n"


# --- every name and every flag is accepted -------------------------------------------------------------

NAMES = [
    *[["--dataset", name] for name in DATASETS],
    *[["--activation", name] for name in ACTIVATIONS],
    *[["--init", name] for name in INITIALIZERS],
    *[["--optimizer", name] for name in OPTIMIZERS],
    *[["--schedule", name, "--decay-rate", "0.5"] for name in SCHEDULES],
    *[["--preprocess", name] for name in [*PREPROCESSINGS, "center", "standardize"]],
    *[["--reflect", name] for name in REFLECTIONS],
    ["--dataset", "spiral", "--classes", "3"],
    ["--dataset", "blobs", "--classes", "2"],
    ["--batch-size", "1"],
    ["--batch-size", "1000"],
    ["--batchnorm", "--batch-size", "2"],
    ["--hidden", "2", "--skip"],  # the first layer has the input's width, 2: a skip around it
    ["--rotation", "180", "--jitter", "0"],
    ["--dropout", "0"],
    ["--eps", "1"],
    ["--momentum", "0", "--optimizer", "nesterov"],
    ["--decay", "0", "--optimizer", "rmsprop"],
    ["--lr", "1e-3", "--l1", "0", "--l2", "0.5"],
    ["--std", "0", "--init", "normal"],
    ["--init-constant", "-0.5", "--init", "constant"],
    ["--constant", "-0.5", "--init", "constant"],  # the old init-stats spelling, a hidden alias
    ["--init-range", "0", "--init", "uniform"],
    ["--alpha", "0", "--activation", "leaky_relu"],
    ["--alpha", "1", "--activation", "leaky_relu"],
    ["--bn-momentum", "1", "--batchnorm"],
    ["--noise", "0", "--val-fraction", "0.9", "--early-stopping", "1"],
    ["--seed", "123", "--data-seed", "0"],
    ["--help"],
]


@pytest.mark.parametrize("argv", NAMES, ids=" ".join)
def test_every_name_and_boundary_value_is_accepted(capsys, argv):
    code, out, err = run_train(capsys, [*TINY, *argv])
    assert code == 0, err
    if argv != ["--help"]:
        assert out.startswith(HEADER + ",") and len(out.splitlines()) == 3 and err == ""


def test_every_flag_is_used_in_some_run():
    parser = cli.build_parser()
    subcommands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    flags = {s for a in subcommands.choices["train"]._actions for s in a.option_strings if s.startswith("--")}
    used = {token for argv in [SPEC, TINY, *NAMES, *(case.values[0] for case in ENGINE_CASES)] for token in argv}
    assert flags - used == set()


def test_help_teaches_the_formulas_names_and_caps(capsys):
    assert cli.main(["train", "--help"]) == 0
    text = capsys.readouterr().out
    caps = [str(MAX_EPOCHS), str(MAX_DEPTH), str(MAX_WIDTH), f"{MAX_WORK:,}", f"{MAX_STEP_WORK:,}"]
    for word in [HEADER, "DROPPING", "1 − P", "center", "standardize", "N(0, 2/N_in)", "λ₁ Σ|W|", "diverged at epoch",
                 *caps, *DATASETS, *ACTIVATIONS, *INITIALIZERS, *OPTIMIZERS, *SCHEDULES, *PREPROCESSINGS]:
        assert word in text, word
    assert cli.main(["--help"]) == 0
    assert "train" in capsys.readouterr().out


# --- bad input ------------------------------------------------------------------------------------------

FLOAT_OPTIONS = {  # option -> the other flags it needs to apply
    "--lr": [], "--noise": [], "--val-fraction": [], "--decay-rate": [], "--l1": [], "--l2": [], "--dropout": [],
    "--jitter": [], "--rotation": [], "--alpha": ["--activation", "leaky_relu"], "--std": ["--init", "normal"],
    "--init-constant": ["--init", "constant"], "--init-range": ["--init", "uniform"],
    "--bn-momentum": ["--batchnorm"], "--momentum": ["--optimizer", "momentum"],
    "--decay": ["--optimizer", "rmsprop"], "--beta1": [], "--beta2": [], "--eps": [],
}
INT_OPTIONS = ["--samples", "--classes", "--hidden", "--epochs", "--seed", "--data-seed", "--early-stopping",
               "--batch-size"]
HYPER_FLAGS = {"--momentum", "--decay", "--beta1", "--beta2", "--eps"}


def bad(option, *values, extra=()):
    return [*FLOAT_OPTIONS.get(option, []), *extra, option, *values]


BAD_INPUT = [
    *[(bad(option, value), option) for option in FLOAT_OPTIONS for value in ["abc", "nan", "inf", "-inf"]],
    *[([option, value], option) for option in INT_OPTIONS for value in ["x", "1.5", "nan"]],
    *[(["--samples", value], "--samples") for value in ["19", "5001", "-1"]],
    (["--noise", "-0.1"], "--noise"),
    *[(["--val-fraction", value], "--val-fraction") for value in ["-0.1", "0.95"]],
    (["--classes", "3"], "--classes"),  # moons has 2
    (["--dataset", "spiral", "--classes", "4"], "--classes"),
    (["--dataset", "blobs", "--classes", "1"], "--classes"),
    *[(["--hidden", *widths], "--hidden") for widths in [["0"], [str(MAX_WIDTH + 1)], ["8", "-2"],
                                                         ["4"] * (MAX_DEPTH + 1)]],
    (bad("--alpha", "1.5"), "--alpha"),
    (bad("--alpha", "-0.1"), "--alpha"),
    (["--activation", "elu", "--alpha", "0"], "--alpha"),
    *[(["--activation", name, "--alpha", "0.1"], "--alpha") for name in ["relu", "tanh", "sigmoid", "linear"]],
    (bad("--std", "-1"), "--std"),
    (bad("--init-range", "-0.1"), "--init-range"),
    *[(["--init", init, flag, "0.1"], flag) for init, takes in init_params_of().items()
      for param, (flag, _) in INIT_PARAM_FLAGS.items() if param not in takes],
    (bad("--bn-momentum", "1.5"), "--bn-momentum"),
    (["--bn-momentum", "0.5"], "--bn-momentum"),  # without --batchnorm
    (["--hidden", "16", "8", "--skip"], "--skip"),
    (["--hidden", "--skip"], "--skip"),
    *[(bad("--lr", value), "--lr") for value in ["0", "-1"]],
    *[(bad(option, value), option) for option in ["--momentum", "--decay", "--beta1", "--beta2"]
      for value in ["-0.1", "1"]],
    (bad("--eps", "0"), "--eps"),
    *[(["--optimizer", name, option, "0.5"], option) for name, spec in OPTIMIZERS.items() for option in HYPER_FLAGS
      if option[2:] not in {h.name for h in spec.hyperparameters}],
    (["--decay-rate", "-1"], "--decay-rate"),
    *[(["--batch-size", value], "--batch-size") for value in ["0", "-3", "half"]],
    (["--batchnorm", "--batch-size", "1"], "--batch-size"),
    *[(["--epochs", value], "--epochs") for value in ["0", str(MAX_EPOCHS + 1)]],
    (["--samples", "5000", "--hidden", "128", "128", "128", "--epochs", "500"], "--epochs"),  # work cap
    (["--batch-size", "1", "--epochs", "200"], "--batch-size"),  # step cap
    (["--seed", "-1"], "--seed"),
    (["--data-seed", "-1"], "--data-seed"),
    (["--l1", "-1"], "--l1"),
    (["--l2", "-1"], "--l2"),
    *[(["--dropout", value], "--dropout") for value in ["1", "-0.1", "1.5"]],
    (["--early-stopping", "0"], "--early-stopping"),
    (["--early-stopping", "2", "--val-fraction", "0"], "--early-stopping"),
    (["--early-stopping", "2", "--samples", "20", "--val-fraction", "0.01"], "--early-stopping"),  # rounds to none
    (["--jitter", "-1"], "--jitter"),
    *[(["--rotation", value], "--rotation") for value in ["-1", "181"]],
    (["--augment", "--rotation", "-5"], "--rotation"),
    (["--reflect", "z"], "--reflect"),
    (["--preprocess", "pca"], "--preprocess"),
    (["--dataset", "swiss"], "--dataset"),
    (["--activation", "gelu"], "--activation"),
    (["--init", "lecun"], "--init"),
    (["--optimizer", "lion"], "--optimizer"),
    (["--schedule", "cosine"], "--schedule"),
    (["--bogus", "1"], "--bogus"),
    (["--epoch", "3"], "--epoch"),  # no abbreviations
]


@pytest.mark.parametrize("argv, option", BAD_INPUT, ids=lambda v: " ".join(v) if isinstance(v, list) else None)
def test_bad_input_exits_2_with_one_line_naming_the_option(capsys, argv, option):
    code, out, err = run_train(capsys, argv)
    assert code == 2
    assert out == ""
    assert err.startswith("optiviz") and "error: " in err  # unknown flags are the top parser's ("optiviz: error")
    assert err.count("\n") == 1 and err.endswith("\n")
    assert option in err and "Traceback" not in err


def test_bad_input_end_to_end_is_one_line():
    done = optiviz("train", "--dropout", "1")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == "optiviz train: error: --dropout must be a finite number in [0, 1), got 1.0\n"


@pytest.mark.parametrize("message, expected", [
    ("patience must be an integer ≥ 1, got 0", "--early-stopping must be an integer ≥ 1, got 0"),
    ("sigma must be a finite number ≥ 0, got -1", "--std must be a finite number ≥ 0, got -1"),
    ("keep_prob must be a finite number in (0, 1], got 0", "--dropout must be a finite number in (0, 1], got 0"),
    ("classes=4 is not allowed for spiral; choose 2 or 3", "--classes=4 is not allowed for spiral; choose 2 or 3"),
    ("something else went wrong", "something else went wrong"),
])
def test_engine_errors_are_reported_by_flag(capsys, monkeypatch, message, expected):
    def refuse(*args, **kwargs):
        raise ValueError(message)

    monkeypatch.setattr(cli.train, "train", refuse)
    assert cli.main(["train"]) == 2
    assert capsys.readouterr().err == f"optiviz train: error: {expected}\n"
