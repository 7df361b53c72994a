"""``python -m optiviz init-training``: its CSV is the activations page's Training tab at the page's defaults (and the
engine's at other settings), bad input is one line naming the flag, and the help lists the registries."""

import pytest

from optiviz.nn.seeds import spread_table
from optiviz.labs.activations_init import training as init_training
from optiviz.nn.activations import ACTIVATIONS
from optiviz.labs.activations_init.statistics import SCHEMES
from optiviz.ui import activations_init as cache
from tests.support.cli import assert_refused, assert_same, assert_help_lists, table


def page_runs() -> init_training.SchemeTrainings:
    """The Training tab with the sidebar untouched: tanh, every scheme, 10 layers of 500 units cut to the training
    engine's 6 of 16, the tab's seeds, σ 0.01 and 2, c = 0.1."""
    depth, width = min(10, init_training.DEPTH), min(500, init_training.WIDTH)
    return cache.scheme_trainings("tanh", None, tuple(SCHEMES), depth, width, init_training.SEEDS, 0, 0.01, 2.0, 0.1)


def assert_curves(printed, runs):
    assert list(printed["scheme"].unique()) == list(runs.curves)
    for label, curves in runs.curves.items():
        assert_same(printed[printed["scheme"] == label].drop(columns="scheme").reset_index(drop=True),
                    spread_table([curves]).drop(columns="run"))


def test_the_curves_by_default(capsys):
    assert_curves(table(capsys, ["init-training"]), page_runs())


def test_the_summary(capsys):
    assert_same(table(capsys, ["init-training", "--table", "summary"]), init_training.summary(page_runs()))


def test_values_equal_the_engine(capsys):
    argv = ["--activation", "leaky_relu", "--alpha", "0.2", "--schemes", "he", "constant", "--depth", "3", "--width",
            "8", "--epochs", "5", "--seeds", "3", "--seed", "4", "--init-constant", "-0.3"]
    runs = init_training.scheme_trainings("leaky_relu", ("he", "constant"), depth=3, width=8, epochs=5, seeds=3, seed=4,
                                          alpha=0.2, constant=-0.3)
    assert_curves(table(capsys, ["init-training", *argv]), runs)


@pytest.mark.parametrize("argv, flag", [
    (["--activation", "swish"], "--activation"), (["--alpha", "0.1"], "--alpha"),
    (["--activation", "elu", "--alpha", "0"], "--alpha"), (["--schemes", "orthogonal"], "--schemes"),
    (["--schemes", "he", "he"], "--schemes"), (["--depth", "0"], "--depth"), (["--depth", "7"], "--depth"),
    (["--width", "0"], "--width"), (["--width", "33"], "--width"), (["--epochs", "0"], "--epochs"),
    (["--epochs", "201"], "--epochs"), (["--seeds", "0"], "--seeds"), (["--seeds", "21"], "--seeds"),
    (["--seed", "-1"], "--seed"), (["--small-sigma", "-1"], "--small-sigma"),
    (["--large-sigma", "nan"], "--large-sigma"),
    (["--init-constant", "inf"], "--init-constant"), (["--table", "plot"], "--table"),
])
def test_bad_input_is_one_line_naming_the_flag(capsys, argv, flag):
    assert_refused(capsys, ["init-training", "--epochs", "1", "--seeds", "1", *argv], flag)


def test_help_lists_the_registries(capsys):
    assert_help_lists(capsys, "init-training", [*ACTIVATIONS, *SCHEMES, "scheme,epoch,train_loss_median"])
