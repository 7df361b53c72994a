"""``python -m optiviz preprocessing``: each experiment's CSV is the pre-processing page's at the page's defaults (and
the engine's at other settings), bad input is one line naming the flag, and the help lists the registries."""

import pandas as pd
import pytest

from optiviz.labs import preprocessing as lab
from optiviz.core.datasets import PREPROCESSINGS
from optiviz.core.linear_models import MODELS
from optiviz.core.optimizers import OPTIMIZERS
from optiviz.ui import preprocessing as cache
from optiviz.ui.controls import LEARNING_RATES, snap
from tests.support.cli import assert_refused, assert_same, assert_help_lists, table

DATA = ("linear", 200, 0, (1.0, 4.0), 0.6, 2.0)  # the page's sidebar untouched: model, N, seed, centre, ρ, σ₂


def page_comparison() -> lab.PreprocessingRuns:
    """What the page computes at its defaults: SGD at each preprocessing's best α of the sweep."""
    lr = snap(OPTIMIZERS["sgd"].learning_rate("preprocessing_linear"), LEARNING_RATES)
    run = ("sgd", lr, 100, (-2.0, 2.0), ())
    best = lab.best_rates(cache.rate_sweep(DATA, run))["learning rate"]
    return cache.comparison(DATA, ("sgd", tuple(lr if pd.isna(a) else float(a) for a in best), *run[2:]))


def test_the_comparison_by_default(capsys):
    assert_same(table(capsys, ["preprocessing"]), page_comparison().summary())


def test_the_paths(capsys):
    assert_same(table(capsys, ["preprocessing", "--experiment", "paths"]), page_comparison().paths())


def test_the_sweep(capsys):
    expected = cache.rate_sweep(DATA, ("sgd", 0.1, 100, (-2.0, 2.0), ()))  # the sweep ignores the run's α
    assert_same(table(capsys, ["preprocessing", "--experiment", "sweep"]), expected)


def test_the_sensitivity(capsys):
    assert_same(table(capsys, ["preprocessing", "--experiment", "sensitivity"]), cache.sensitivity(200, 0, 6.0).table())


def test_values_equal_the_engine(capsys):
    argv = ["--model", "logistic", "--samples", "80", "--seed", "3", "--centre", "-2", "0.5", "--correlation", "-0.4",
            "--scale", "0.5", "--optimizer", "momentum", "--momentum", "0.7", "--lr", "0.3", "--steps", "50",
            "--start", "1", "-1"]
    expected = lab.compare_preprocessings("logistic", 80, 3, (-2.0, 0.5), -0.4, 0.5, optimizer="momentum",
                                          learning_rate=0.3, steps=50, start=(1.0, -1.0),
                                          hyperparameters=(("momentum", 0.7),)).summary()
    assert_same(table(capsys, ["preprocessing", *argv]), expected)


@pytest.mark.parametrize("argv, flag", [
    (["--experiment", "pca"], "--experiment"), (["--model", "svm"], "--model"), (["--samples", "1"], "--samples"),
    (["--samples", str(lab.MAX_SAMPLES + 1)], "--samples"), (["--seed", "-1"], "--seed"),
    (["--centre", "nan", "0"], "--centre"), (["--centre", "0"], "--centre"), (["--correlation", "1"], "--correlation"),
    (["--scale", "0"], "--scale"), (["--scale", "inf"], "--scale"), (["--optimizer", "x"], "--optimizer"),
    (["--beta1", "0.5"], "--beta1"), (["--optimizer", "adam", "--beta1", "1"], "--beta1"), (["--lr", "0"], "--lr"),
    (["--lr", "nan"], "--lr"), (["--experiment", "sweep", "--lr", "0.1"], "--lr"), (["--steps", "0"], "--steps"),
    (["--steps", str(lab.MAX_STEPS + 1)], "--steps"), (["--start", "99", "0"], "--start"),
    (["--distance", "1"], "--distance"), (["--experiment", "sensitivity", "--distance", "-1"], "--distance"),
])
def test_bad_input_is_one_line_naming_the_flag(capsys, argv, flag):
    assert_refused(capsys, ["preprocessing", "--samples", "30", "--steps", "5", *argv], flag)


def test_help_lists_the_registries(capsys):
    assert_help_lists(capsys, "preprocessing", [*OPTIMIZERS, *MODELS, *PREPROCESSINGS, "comparison", "sensitivity"])
