"""Adding an optimizer touches its rule and its registry entry only: a toy signSGD, added to the registry for one
test (tests/toy_optimizer.py), appears in the engine, the LaTeX of the rules, the palette, the CLI and the surfaces'
learning rates. Its page controls and defaults: tests/app/test_registry_toy_optimizer_pages.py."""

import csv
import io

import numpy as np
import pytest

from optiviz import cli
from optiviz.core.descent import descend, race_paths
from optiviz.figures import palette
from optiviz.core.formulas import update_rule
from optiviz.core.optimizers import OPTIMIZERS, make_optimizer
from optiviz.core.surfaces import SURFACES
from tests.toy_optimizer import register

BUILT_IN = ("sgd", "momentum", "nesterov", "rmsprop", "adagrad", "adam")


@pytest.fixture
def toy(monkeypatch):
    return register(monkeypatch)


def test_the_toy_is_in_the_registry_only_while_its_test_runs(toy):
    assert list(OPTIMIZERS) == [*BUILT_IN, "signsgd"]
    assert OPTIMIZERS["signsgd"] is toy


@pytest.mark.parametrize("run", range(2))
def test_no_toy_leaks_between_tests(run):
    assert list(OPTIMIZERS) == list(BUILT_IN)  # also after the tests that added it
    assert "signsgd" not in palette.OPTIMIZER_COLOURS and "signsgd" not in SURFACES["beale"].learning_rates


def test_the_engine_steps_it_as_its_rule_says(toy):
    s = SURFACES["ravine"]
    start = np.array([1.0, -2.5])
    traj = descend(s, make_optimizer("signsgd"), [start], 3, 0.05)
    w, expected = start, [start]
    for _ in range(3):
        w = w - 0.05 * np.sign(s.gradient(w))
        expected.append(w)
    np.testing.assert_allclose(traj.points[:, 0], expected, rtol=0, atol=1e-15)
    # The race's float walk steps x and y as Python floats: the same path, bit for bit
    (path,) = race_paths("ravine", [("signsgd", 0.05, {})], tuple(start), 3)
    np.testing.assert_array_equal(np.stack([path.x, path.y], axis=1), traj.points[:, 0])


def test_its_latex_rule(toy):
    assert update_rule("signsgd", {}) == [r"g_t = \nabla f(W_t)", r"W_{t+1} = W_t - \alpha_t\, \operatorname{sign}(g_t)"]
    assert update_rule("signsgd", {}, lr="0.1")[-1] == r"W_{t+1} = W_t - 0.1\, \operatorname{sign}(g_t)"


def test_its_colour(toy):
    assert palette.colour("signsgd") == palette.OPTIMIZER_COLOURS["signsgd"] == palette.INK["crimson"]
    assert list(palette.OPTIMIZER_COLOURS) == list(OPTIMIZERS)
    assert palette.reads_on_both(palette.colour("signsgd"))


def test_every_surface_has_its_learning_rate_or_the_fallback(toy):
    for name, surface in SURFACES.items():
        assert surface.learning_rates["signsgd"] == toy.rates.get(name, toy.rate)
    assert SURFACES["beale"].learning_rates["signsgd"] == 0.02 and SURFACES["saddle"].learning_rates["signsgd"] == 0.01
    assert toy.learning_rate("train_network") == 0.005 and toy.learning_rate("nowhere") == toy.rate


def cli_output(capsys, *argv) -> tuple[int, str]:
    status = cli.main(list(argv))
    return status, capsys.readouterr().out


def test_the_cli_lists_and_runs_it(toy, capsys):
    status, help_text = cli_output(capsys, "path", "--help")
    assert status == 0
    assert "  signsgd   W ← W − α sign(g)" in help_text and "(sign(0) = 0)" in help_text
    assert "signsgd" in help_text.split("--optimizer {", 1)[1].split("}", 1)[0].split(",")
    status, out = cli_output(capsys, "path", "--surface", "beale", "--optimizer", "signsgd", "--steps", "4")
    assert status == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 5 and {float(r["learning_rate"]) for r in rows} == {0.02}  # beale's rate, from the entry
    status, help_text = cli_output(capsys, "train", "--help")
    assert status == 0 and "signsgd" in help_text.split("--optimizer {", 1)[1].split("}", 1)[0].split(",")


def test_without_the_toy_the_cli_help_lists_the_six(capsys):
    _, help_text = cli_output(capsys, "path", "--help")
    assert "signsgd" not in help_text
    rules = help_text.split("update rules", 1)[1].split("\n\n", 1)[0].splitlines()[1:]
    assert [line.split()[0] for line in rules if not line.startswith("   ")] == list(BUILT_IN)
