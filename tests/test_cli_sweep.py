"""``python -m optiviz sweep``: its CSV is the race page's Learning-rate sensitivity tab at the page's defaults (and
the engine's at other settings), bad input is one line naming the flag, and the help lists the registries."""

import numpy as np
import pandas as pd
import pytest

from optiviz.core import descent
from optiviz.cli import sweep
from optiviz.core.optimizers import OPTIMIZERS
from optiviz.core.schedules import SCHEDULES
from optiviz.core.surfaces import SURFACES
from optiviz.ui.optimizer_race import cache
from optiviz.ui.optimizer_race.controls import default_settings
from optiviz.ui.optimizer_race.views import SWEEP_RATES
from tests.support.cli import assert_refused, assert_same, assert_help_lists, table


def test_defaults_are_the_pages_first_view(capsys):
    assert_same(table(capsys, ["sweep"]), cache.sweep(*default_settings().race(), SWEEP_RATES))


def test_values_equal_the_engine(capsys):
    argv = ["--surface", "rosenbrock", "--optimizers", "momentum", "adam", "--momentum", "0.8", "--steps", "60",
            "--rates", "0.001", "0.01", "0.3", "--noise", "0.2", "--seed", "3", "--schedule", "inv",
            "--decay-rate", "0.1"]
    start = SURFACES["rosenbrock"].starts[0][1]
    expected = pd.concat([descent.sweep("rosenbrock", name, np.array([0.001, 0.01, 0.3]), start, 60, "inv", 0.1, 0.2, 3,
                                        **hyper) for name, hyper in [("momentum", {"momentum": 0.8}), ("adam", {})]],
                         ignore_index=True)
    printed = table(capsys, ["sweep", *argv])
    assert_same(printed, expected)
    assert printed["diverged_at"].notna().any() and printed["diverged_at"].isna().any()  # both kinds of rows


@pytest.mark.parametrize("argv, flag", [
    (["--rates", "0"], "--rates"), (["--rates", "nan"], "--rates"), (["--rates"], "--rates"),
    (["--rates", "0.1", "x"], "--rates"), (["--surface", "bowl"], "--surface"), (["--optimizers", "x"], "--optimizers"),
    (["--steps", "0"], "--steps"), (["--start", "inf", "0"], "--start"), (["--momentum", "-0.1"], "--momentum"),
    (["--optimizers", "sgd", "--eps", "0.1"], "--eps"), (["--noise", "-1"], "--noise"), (["--seed", "-2"], "--seed"),
    (["--decay-rate", "inf"], "--decay-rate"), (["--schedule", "x"], "--schedule"), (["--lr", "0.1"], "--lr"),
])
def test_bad_input_is_one_line_naming_the_flag(capsys, argv, flag):
    assert_refused(capsys, ["sweep", "--steps", "3", *argv], flag)


def test_help_lists_the_registries(capsys):
    assert_help_lists(capsys, "sweep", [*OPTIMIZERS, *SURFACES, *SCHEDULES, ",".join(sweep.COLUMNS)])
