"""``python -m optiviz batch-size``: its CSV is the batch-size page's runs at the page's defaults (and the engine's at
other settings), bad input is one line naming the flag, and the help lists the registries."""

import pytest

from optiviz.labs import batch_size as minibatch
from optiviz.core.linear_models import MODELS
from optiviz.core.optimizers import OPTIMIZERS
from optiviz.ui import batch_size as cache
from tests.support.cli import assert_refused, assert_same, assert_help_lists, table

DATA = ("linear", 200, 0, 0.5, 0.5)  # the page's data controls untouched: model, N, seed, ρ, σ


def test_defaults_are_the_pages_first_view(capsys):
    sizes = (("SGD", 1), ("mini-batch", 10), ("full batch", 200))
    expected = cache.batch_sizes(DATA, sizes, 0.1, 20, "sgd", (), True, 0)
    assert_same(table(capsys, ["batch-size"]), expected)


def test_values_equal_the_engine(capsys):
    argv = ["--model", "logistic", "--samples", "60", "--noise", "1", "--correlation", "-0.3", "--data-seed", "5",
            "--no-shuffle", "--optimizer", "adam", "--beta1", "0.8", "--batch-size", "7", "--lr", "0.05",
            "--epochs", "4"]
    problem = minibatch.lab_problem(("logistic", 60, 5, -0.3, 1.0))
    expected = minibatch.compare_batch_sizes(problem, {"SGD": 1, "mini-batch": 7, "full batch": 60}, 0.05, 4,
                                             minibatch.START, "adam", (("beta1", 0.8),), False, 0)
    assert_same(table(capsys, ["batch-size", *argv]), expected)


@pytest.mark.parametrize("argv, flag", [
    (["--model", "probit"], "--model"), (["--samples", "0"], "--samples"), (["--samples", "x"], "--samples"),
    (["--noise", "-1"], "--noise"), (["--noise", "nan"], "--noise"), (["--noise", "101"], "--noise"),
    (["--model", "logistic", "--noise", "0"], "--noise"), (["--correlation", "1"], "--correlation"),
    (["--data-seed", "-1"], "--data-seed"), (["--shuffle-seed", "-1"], "--shuffle-seed"),
    (["--optimizer", "lion"], "--optimizer"), (["--momentum", "0.5"], "--momentum"),
    (["--optimizer", "adam", "--beta2", "1"], "--beta2"), (["--batch-size", "0"], "--batch-size"),
    (["--batch-size", "201"], "--batch-size"), (["--lr", "0"], "--lr"), (["--lr", "inf"], "--lr"),
    (["--epochs", "0"], "--epochs"), (["--epochs", str(minibatch.MAX_EPOCHS + 1)], "--epochs"),
])
def test_bad_input_is_one_line_naming_the_flag(capsys, argv, flag):
    assert_refused(capsys, ["batch-size", *argv], flag)


def test_help_lists_the_registries(capsys):
    assert_help_lists(capsys, "batch-size", [*OPTIMIZERS, *MODELS, ",".join(minibatch.COLUMNS)])
