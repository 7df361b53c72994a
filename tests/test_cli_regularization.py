"""``python -m optiviz regularization``: each experiment's CSV is the regularization page's at the page's defaults
(and the engine's at other settings), bad input is one line naming the flag, and the help lists the registries."""

import pytest

from optiviz.labs.regularization import experiments as lab
from optiviz.cli import regularization
from optiviz.core.datasets import DATASETS, REFLECTIONS
from optiviz.nn.seeds import spread_table
from optiviz.nn.seeds import MAX_SEEDS
from optiviz.ui import regularization as cache
from tests.support.cli import assert_refused, assert_same, assert_help_lists, table

SEEDS = lab.seeds_of(0, cache.SEEDS)  # the page's "Seeds per comparison" untouched, from the tabs' seed 0
NET = (*lab.NET_DATA, 0)


def run(capsys, experiment: str, *argv: str):
    return table(capsys, ["regularization", "--experiment", experiment, *argv])


def test_the_weight_paths_by_default(capsys):
    assert_same(table(capsys, ["regularization"]), cache.weight_paths(50, 6, 0.5, 1.0, 0, 0.5)[0])


@pytest.mark.parametrize("experiment, expected", [
    ("penalties", lambda: cache.penalty_seeds(NET, (32, 32), 0.003, 0.03, 0.5, 25, 0.1, SEEDS)),
    ("early-stopping", lambda: [cache.long_run_seeds(NET, (32, 32), 0.1, 20, 50, SEEDS)]),
    ("dropout", lambda: cache.dropout_seeds(lab.DROPOUT_WIDTH, lab.DROPOUT_P, lab.DROPOUT_EPOCHS, SEEDS)),
    ("augmentation", lambda: cache.augmentation_seeds("circles", 20, lab.AUG_VAL_POINTS,
                                                      0.1, 0.05, 180.0, list(REFLECTIONS)[3], 30, SEEDS)),
])
def test_each_tab_at_its_defaults(capsys, experiment, expected):
    assert_same(run(capsys, experiment), spread_table(expected()))


def test_values_equal_the_engine(capsys):
    printed = run(capsys, "augmentation", "--dataset", "moons", "--points", "30", "--noise", "0.2", "--jitter", "0.1",
                  "--rotation", "0", "--reflect", "x", "--epochs", "3", "--seeds", "2", "--seed", "7")
    expected = lab.augmentation_seed_experiment(("moons", 30, 200, 0.2), 0.1, 0.0, "x", 3, (7, 8))
    assert_same(printed, spread_table(expected))
    printed = run(capsys, "paths", "--features", "3", "--correlation", "0.9", "--noise", "0.5", "--mix", "0.2")
    assert_same(printed, lab.weight_paths(50, 3, 0.9, 0.5, 0, 0.2)[0])


@pytest.mark.parametrize("argv, flag", [
    (["--experiment", "weight-decay"], "--experiment"), (["--features", "0"], "--features"),
    (["--correlation", "1"], "--correlation"), (["--noise", "nan"], "--noise"), (["--mix", "0"], "--mix"),
    (["--drop", "0.5"], "--drop"), (["--seed", "-1"], "--seed"),
    (["--experiment", "penalties", "--l1", "-1"], "--l1"), (["--experiment", "penalties", "--l2", "inf"], "--l2"),
    (["--experiment", "penalties", "--mix", "nan"], "--mix"),
    (["--experiment", "penalties", "--width", "0"], "--width"),
    (["--experiment", "penalties", "--lr", "0"], "--lr"), (["--experiment", "penalties", "--epochs", "0"], "--epochs"),
    (["--experiment", "penalties", "--seeds", str(MAX_SEEDS + 1)], "--seeds"),
    (["--experiment", "early-stopping", "--batch-size", "0"], "--batch-size"),
    (["--experiment", "early-stopping", "--width", "8"], "--width"),
    (["--experiment", "dropout", "--drop", "1"], "--drop"), (["--experiment", "dropout", "--seeds", "0"], "--seeds"),
    (["--experiment", "augmentation", "--dataset", "mnist"], "--dataset"),
    (["--experiment", "augmentation", "--points", "5"], "--points"),
    (["--experiment", "augmentation", "--rotation", "181"], "--rotation"),
    (["--experiment", "augmentation", "--reflect", "z"], "--reflect"),
    (["--experiment", "augmentation", "--jitter", "-1"], "--jitter"),
])
def test_bad_input_is_one_line_naming_the_flag(capsys, argv, flag):
    assert_refused(capsys, ["regularization", *argv], flag)


def test_help_lists_the_registries(capsys):
    header = "penalty,lambda,feature,weight,nonzero,converged"
    assert_help_lists(capsys, "regularization", [*regularization.USES, *DATASETS, *REFLECTIONS, header])
