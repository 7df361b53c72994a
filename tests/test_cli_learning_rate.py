"""``python -m optiviz learning-rate``: each experiment's CSV is the learning-rate page's at the page's defaults (and
the engine's at other settings), bad input is one line naming the flag, and the help lists the registries."""

import pandas as pd
import pytest

from optiviz.labs import batch_size as minibatch
from optiviz.labs import learning_rate as lab
from optiviz.core.optimizers import OPTIMIZERS
from optiviz.core.schedules import SCHEDULES
from optiviz.ui import batch_size as two_weight
from optiviz.ui import learning_rate as cache
from tests.support.cli import assert_refused, assert_same, assert_help_lists, table

DATA = ("linear", 200, 0, 0.5, 0.5)  # the page's data controls untouched: model, N, seed, ρ, σ
BATCHES = (True, 0)  # shuffle, shuffle seed


def test_figure11_by_default(capsys):
    rates = cache.lecture_rates(DATA)
    expected = pd.concat([cache.runs(DATA, 10, tuple(rates), tuple(rates.values()), 30, "sgd", (), "constant", 0.0,
                                     *BATCHES),
                          cache.runs(DATA, 10, ("your α",), (0.05,), 30, "sgd", (), "constant", 0.0, *BATCHES)])
    assert_same(table(capsys, ["learning-rate"]), expected)


def test_the_range_test_as_the_page_downloads_it(capsys):
    rates = tuple(float(r) for r in lab.RANGE_MULTIPLES / two_weight.curvature(DATA))
    long_epochs = min(30, minibatch.max_epochs(200, 10, len(rates)))  # the page's cap; 30 fits
    long, short = (cache.range_test(DATA, 10, rates, e, "sgd", (), *BATCHES, 5) for e in (long_epochs, 1))
    expected = long.table.rename(columns={"loss": "loss after 30 epochs"})
    expected["loss after 1 epochs"] = short.table["loss"].to_numpy()
    assert_same(table(capsys, ["learning-rate", "--experiment", "range-test"]), expected)


def test_annealing(capsys):
    runs = ("constant", "exp", "inv", "step")
    expected = cache.runs(DATA, 10, runs, (0.5,), 30, "sgd", (), runs, 0.005, *BATCHES)
    assert_same(table(capsys, ["learning-rate", "--experiment", "annealing"]), expected)


def test_values_equal_the_engine(capsys):
    argv = ["--experiment", "annealing", "--model", "logistic", "--samples", "80", "--data-seed", "2", "--noise", "1",
            "--optimizer", "momentum", "--momentum", "0.5", "--batch-size", "8", "--epochs", "5", "--schedules", "step",
            "--lr0", "0.2", "--decay-rate", "0.05", "--shuffle-seed", "9"]
    problem = minibatch.lab_problem(("logistic", 80, 2, 0.5, 1.0))
    expected = minibatch.labelled_runs(problem, 8, ("constant", "step"), (0.2,), 5, minibatch.START, "momentum",
                                       (("momentum", 0.5),), ("constant", "step"), 0.05, True, 9)
    assert_same(table(capsys, ["learning-rate", *argv]), expected)


@pytest.mark.parametrize("argv, flag", [
    (["--experiment", "warmup"], "--experiment"), (["--lr", "0"], "--lr"), (["--lr", "nan"], "--lr"),
    (["--experiment", "annealing", "--lr", "0.1"], "--lr"), (["--range-epochs", "2"], "--range-epochs"),
    (["--experiment", "range-test", "--range-epochs", "0"], "--range-epochs"),
    (["--experiment", "annealing", "--schedules", "constant"], "--schedules"),
    (["--experiment", "annealing", "--lr0", "-1"], "--lr0"), (["--lr0", "1"], "--lr0"),
    (["--experiment", "annealing", "--decay-rate", "nan"], "--decay-rate"), (["--batch-size", "0"], "--batch-size"),
    (["--epochs", "0"], "--epochs"), (["--epochs", "1001"], "--epochs"), (["--samples", "-1"], "--samples"),
    (["--noise", "inf"], "--noise"), (["--correlation", "-2"], "--correlation"), (["--optimizer", "x"], "--optimizer"),
    (["--optimizer", "rmsprop", "--eps", "2"], "--eps"), (["--shuffle-seed", "-1"], "--shuffle-seed"),
])
def test_bad_input_is_one_line_naming_the_flag(capsys, argv, flag):
    assert_refused(capsys, ["learning-rate", *argv], flag)


def test_help_lists_the_registries(capsys):
    names = [*OPTIMIZERS, *SCHEDULES, *lab.RATE_MULTIPLES, ",".join(minibatch.COLUMNS)]
    assert_help_lists(capsys, "learning-rate", names)
