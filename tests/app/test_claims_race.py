"""Each optimizer-race card on Lecture figures shows its caption's claim in the view the page draws by default.

Every test opens the race with the card's own link settings (AppTest, as a student follows the link) and
computes the claim from the figure Streamlit sends: the paths as the map draws them at the last frame, and the
losses of the strip under it.
"""

import numpy as np
import pytest
from apptest_helpers import clean, figures, numbers, open_card

from optiviz.ui.lecture_figures import LECTURE_FIGURES

CARDS = {f.figures if f.figures != "—" else f.title: f for f in LECTURE_FIGURES if f.page == "pages/optimizer_race.py"}


def drawn_paths(fig: dict) -> dict[str, dict[str, np.ndarray]]:
    """Per optimizer (its label), the path the map draws, x and y (its pieces joined), and its losses f(Wₜ)."""
    pieces, loss = {}, {}
    for t in fig["data"]:
        if t.get("mode") != "lines" or not t.get("legendgroup"):
            continue
        if t.get("yaxis") == "y2":
            loss[t["name"]] = numbers(t["y"])
        else:
            pieces.setdefault(t["name"], []).append(np.stack([numbers(t["x"]), numbers(t["y"])], axis=1))
    paths = {}
    for name, (tail, *blocks) in pieces.items():
        points = [blocks[0][:1] if blocks else tail[:1]]
        for piece in [*blocks, tail]:
            if not (piece == piece[0]).all():  # a piece not reached is one point twice
                points.append(piece[1:])
        xy = np.concatenate(points)
        paths[name] = dict(x=xy[:, 0], y=xy[:, 1], loss=loss[name])
    return paths


def card_view(card: str, **extra):
    """The race opened with the card's settings (and ``extra`` ones): the AppTest and the drawn paths."""
    at = open_card(card, **extra)
    (race_map,) = figures(at)
    return at, drawn_paths(race_map)


def arrival(loss: np.ndarray, tolerance: float = 1e-3) -> float:
    """The first step with loss below ``tolerance`` (inf if none)."""
    below = np.flatnonzero(loss < tolerance)
    return float(below[0]) if below.size else np.inf


def distance(path: dict, minimum) -> np.ndarray:
    return np.hypot(path["x"] - minimum[0], path["y"] - minimum[1])


def test_every_race_card_has_a_claim_test():
    assert set(CARDS) == {"12–13", "14", "15", "16", "A saddle point"}


def test_figures_12_13_gradient_descent_bounces_and_crawls():
    """"Plain gradient descent bounces between the steep walls and crawls along the floor.\""""
    _, paths = card_view("12–13")
    assert set(paths) == {"SGD"}
    sgd = paths["SGD"]
    assert len(sgd["x"]) == 201
    flips = int((np.diff(np.sign(sgd["x"])) != 0).sum())
    across, along = np.abs(np.diff(sgd["x"])).sum(), np.abs(np.diff(sgd["y"])).sum()
    assert flips >= 150  # w₁ changes sign at (almost) every step: it bounces from wall to wall
    assert across > 5 * along  # most of its motion goes across the ravine, not along it
    creep = abs(sgd["y"][200] / sgd["y"][0]) ** (1 / 200)
    assert creep > 0.97  # along the floor, w₂ shrinks by less than 3% a step
    assert arrival(sgd["loss"]) > 100


def test_figure_14_momentum_dampens_the_oscillations_and_arrives_earlier():
    """"Momentum cancels the bouncing across the ravine and builds up speed along it.\" (Lecture: momentum
    dampens oscillations.) Mean |w₁| over steps 5–60 below SGD's, and loss < 10⁻³ reached earlier."""
    _, paths = card_view("14")
    sgd, momentum = paths["SGD"], paths["Momentum"]
    bounce = {name: float(np.abs(p["x"][5:61]).mean()) for name, p in paths.items()}
    assert bounce["Momentum"] < 0.5 * bounce["SGD"]
    assert arrival(momentum["loss"]) < arrival(sgd["loss"]) < np.inf
    speed = {name: float(np.abs(np.diff(p["y"][:61])).mean()) for name, p in paths.items()}
    assert speed["Momentum"] > speed["SGD"]  # faster along the floor (w₂) over the first 60 steps


def test_figure_15_beale_momentum_overshoots_rmsprop_hovers_adam_arrives():
    at, paths = card_view("15")
    minimum = (3.0, 0.5)
    d = {name: distance(p, minimum) for name, p in paths.items()}
    overshoot = {name: float((e - np.minimum.accumulate(e)).max()) for name, e in d.items()}
    # momentum shoots far past the valley (its distance grows again by > 0.5 after its closest approach) ...
    assert overshoot["Momentum"] > 0.5 and overshoot["Momentum"] == max(overshoot.values())
    assert d["Momentum"][-1] < 0.05  # ... and loops back
    alpha = at.select_slider(key="lr_beale_rmsprop").value
    assert (d["RMSProp"][-50:] < 3 * alpha).all() and d["RMSProp"][-1] < 1.5 * alpha  # hovers a few α from it
    assert arrival(paths["RMSProp"]["loss"]) == np.inf  # the table's "not reached", as the caption says
    assert arrival(paths["Adam"]["loss"]) < 200
    assert d["SGD"][-1] > 0.5  # still on its way


def test_figure_16_long_valley_sgd_barely_moves_along_the_floor():
    _, paths = card_view("16")
    moved = {name: p["x"] - p["x"][0] for name, p in paths.items()}
    assert moved["SGD"][200] < 0.25 * min(moved["RMSProp"][100], moved["Adam"][100])
    assert arrival(paths["SGD"]["loss"]) == np.inf
    assert max(arrival(paths["RMSProp"]["loss"]), arrival(paths["Adam"]["loss"])) < 100


def test_the_saddle_card_sgd_lingers_adaptive_steps_roll_off():
    _, paths = card_view("A saddle point")
    near = {name: int((np.hypot(p["x"], p["y"]) < 0.2).sum()) for name, p in paths.items()}
    off = {name: float(np.flatnonzero(np.abs(p["y"]) > 0.5)[:1].tolist()[0]) if (np.abs(p["y"]) > 0.5).any() else np.inf
           for name, p in paths.items()}
    assert near["SGD"] >= 80  # lingers by the saddle for about 100 steps
    assert near["RMSProp"] == near["Adam"] == 0 and max(off["RMSProp"], off["Adam"]) < 20  # roll off at once
    assert off["SGD"] > 150


def test_the_saddle_card_noise_lets_sgd_roll_off_sooner_over_seeds():
    """With gradient noise σ = 0.2 SGD leaves the saddle (|w₂| > 0.5) sooner than without, counted over 20 seeds."""
    at, paths = card_view("A saddle point", optimizers=["SGD"])
    calm = float(np.flatnonzero(np.abs(paths["SGD"]["y"]) > 0.5)[0])
    at.slider(key="noise").set_value(0.2)
    clean(at.run())  # the seed shows once σ > 0
    sooner, lingering = 0, []
    for seed in range(20):
        at.number_input(key="seed").set_value(seed)
        clean(at.run())
        sgd = drawn_paths(figures(at)[0])["SGD"]
        off = np.flatnonzero(np.abs(sgd["y"]) > 0.5)
        sooner += bool(off.size) and off[0] < calm
        lingering.append(int((np.hypot(sgd["x"], sgd["y"]) < 0.2).sum()))
    assert sooner >= 15, f"SGD with noise rolls off sooner in {sooner} of 20 seeds"
    assert np.median(lingering) < 0.5 * int((np.hypot(paths["SGD"]["x"], paths["SGD"]["y"]) < 0.2).sum())


@pytest.mark.parametrize("card", ["14"])
def test_the_ravine_claim_holds_in_the_path_cli_defaults(card):
    """`python -m optiviz path --surface ravine --optimizer sgd|momentum`, no other options: the same claim."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    rows = {}
    for name in ("sgd", "momentum"):
        done = subprocess.run([sys.executable, "-m", "optiviz", "path", "--surface", "ravine", "--optimizer", name],
                              cwd=root, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0 and done.stderr == ""
        rows[name] = np.array([[float(v) for v in line.split(",")] for line in done.stdout.splitlines()[1:]])
    bounce = {name: np.abs(r[5:61, 1]).mean() for name, r in rows.items()}
    assert bounce["momentum"] < 0.5 * bounce["sgd"]
    assert arrival(rows["momentum"][:, 3]) < arrival(rows["sgd"][:, 3]) < np.inf
