"""``python -m optiviz race``: its CSV is the race page's paths at the page's defaults (and the engine's at other
settings), bad input is one line naming the flag, and the help lists the registries."""

import pytest

from optiviz.core import descent
from optiviz.core.optimizers import OPTIMIZERS
from optiviz.core.schedules import SCHEDULES
from optiviz.core.surfaces import SURFACES
from optiviz.ui.optimizer_race import cache
from optiviz.ui.optimizer_race.controls import default_settings
from tests.support.cli import assert_refused, assert_same, assert_help_lists, run, table


def test_defaults_are_the_pages_first_view(capsys):
    settings = default_settings()
    assert_same(table(capsys, ["race"]), descent.paths_table(cache.race(*settings.race())))


@pytest.mark.parametrize("argv, surface, runs, options", [
    (["--surface", "ravine", "--optimizers", "sgd", "momentum", "--lr", "0.01", "--momentum", "0.5", "--steps", "30"],
     "ravine", [("sgd", 0.01, {}), ("momentum", 0.01, {"momentum": 0.5})], dict(steps=30)),
    (["--optimizers", "adam", "rmsprop", "--lr", "0.1", "0.02", "--eps", "1e-6", "--noise", "0.3", "--seed", "4",
      "--schedule", "exp", "--decay-rate", "0.01", "--start", "-1", "1", "--steps", "40"],
     "beale", [("adam", 0.1, {"eps": 1e-6}), ("rmsprop", 0.02, {"eps": 1e-6})],
     dict(steps=40, start=(-1.0, 1.0), noise=0.3, seed=4, schedule="exp", decay_rate=0.01)),
])
def test_values_equal_the_engine(capsys, argv, surface, runs, options):
    options = dict(options)
    start, steps = options.pop("start", SURFACES[surface].starts[0][1]), options.pop("steps")
    runs = [(n, lr, SURFACES[surface].defaults(n) | h) for n, lr, h in runs]
    assert_same(table(capsys, ["race", *argv]), descent.race(surface, runs, start, steps, **options))


def test_a_divergence_goes_to_stderr(capsys):
    code, out, err = run(capsys, ["race", "--optimizers", "sgd", "adam", "--lr", "0.1", "--steps", "50"])
    paths = descent.race_paths("beale", [("sgd", 0.1, {}), ("adam", 0.1, {})], SURFACES["beale"].starts[0][1], 50)
    gone = descent.diverged_steps(paths)
    assert code == 0 and list(gone) == ["sgd"] and err.splitlines() == [f"sgd diverged at step {gone['sgd']}"]
    assert out.count("\nsgd,") == gone["sgd"] and out.count("\nadam,") == 51


@pytest.mark.parametrize("argv, flag", [
    (["--surface", "bowl"], "--surface"), (["--optimizers", "lbfgs"], "--optimizers"),
    (["--optimizers"], "--optimizers"), (["--steps", "0"], "--steps"),
    (["--steps", str(descent.MAX_STEPS + 1)], "--steps"), (["--steps", "1.5"], "--steps"),
    (["--start", "nan", "1"], "--start"), (["--start", "1"], "--start"), (["--lr", "-1"], "--lr"),
    (["--lr", "0.1", "0.2"], "--lr"), (["--lr", "inf"], "--lr"), (["--momentum", "1"], "--momentum"),
    (["--optimizers", "sgd", "--beta1", "0.5"], "--beta1"), (["--eps", "0"], "--eps"), (["--decay", "nan"], "--decay"),
    (["--beta2", "-1"], "--beta2"), (["--schedule", "cosine"], "--schedule"), (["--decay-rate", "-1"], "--decay-rate"),
    (["--noise", "nan"], "--noise"), (["--seed", "-1"], "--seed"), (["--seed", "x"], "--seed"),
])
def test_bad_input_is_one_line_naming_the_flag(capsys, argv, flag):
    assert_refused(capsys, ["race", "--steps", "3", *argv], flag)


def test_help_lists_the_registries(capsys):
    assert_help_lists(capsys, "race", [*OPTIMIZERS, *SURFACES, *SCHEDULES, ",".join(descent.COLUMNS)])
