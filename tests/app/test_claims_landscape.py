"""Lecture Figure 3 ("Not convex!"): the card's default view shows it, read off the figures the page draws.

The card opens the Train page's loss-landscape tab with a deep, narrow network. Claims, each computed
from the drawn figure data (not from the engine):

* the random slice of the network without skip connections is not convex: it has several strict
  local minima on the grid (a convex function has at most one), and more than the same network
  with skip connections (Li et al. 2018, Fig. 5);
* the caption states those counts;
* the training path is visible on its PCA plane: it spans a sizeable part of the map;
* every map is square (equal units on both axes and equal extents), and the legend's start marker
  has a dark outline, so it shows on the white legend.
"""

import re

import numpy as np
import pytest
from apptest_helpers import card as lecture_card
from apptest_helpers import clean, figures, follow, numbers, open_card
from streamlit.testing.v1 import AppTest

CARD = lecture_card("3")


@pytest.fixture(scope="module")
def card():
    return open_card("3")


def strict_minima(z) -> int:
    """Interior grid points strictly below all 8 neighbours, counted point by point (NaN: never a minimum)."""
    z = np.where(np.isfinite(z), z, np.inf)
    count = 0
    for i in range(1, z.shape[0] - 1):
        for j in range(1, z.shape[1] - 1):
            around = np.delete(z[i - 1:i + 2, j - 1:j + 2].ravel(), 4)
            count += bool(np.isfinite(z[i, j]) and np.all(z[i, j] < around - 1e-12 * max(abs(z[i, j]), 1e-300)))
    return count


def grid(trace) -> np.ndarray:
    z = trace["z"]
    if isinstance(z, dict):  # a typed array: shape "rows, cols"
        rows, cols = (int(v) for v in z["shape"].split(","))
        return numbers(z).reshape(rows, cols)
    return np.array([[np.nan if v is None else v for v in row] for row in z], dtype=float)


def panel(fig) -> dict:
    """A map's contour grid, its axes and the other traces on it."""
    contour = next(t for t in fig["data"] if t["type"] == "contour")
    return dict(z=grid(contour), x=numbers(contour["x"]), y=numbers(contour["y"]),
                traces=[t for t in fig["data"] if t["type"] == "scatter"], title=fig["layout"]["title"]["text"])


def maps(at):
    """(random slices, path planes) as drawn, left to right."""
    figs = figures(at)
    slices = [panel(f) for f in figs if any(t.get("name") == "local minimum" for t in f["data"])]
    paths = [panel(f) for f in figs if any(str(t.get("name", "")).endswith("'s path") for t in f["data"])]
    return slices, paths


def test_the_card_opens_the_landscape_tab_of_a_deep_narrow_network(card):
    assert card.session_state["train_tab"] == "Loss landscape"
    assert card.session_state["depth"] == 5 and card.session_state["width"] == 4


def test_without_skip_connections_the_slice_is_not_convex_and_rougher_than_with_them(card):
    (plain, skip), _ = maps(card)
    assert plain["title"].startswith("Without skip connections") and skip["title"].startswith("With skip connections")
    n_plain, n_skip = strict_minima(plain["z"]), strict_minima(skip["z"])
    assert n_plain >= 3, n_plain          # a convex slice has at most one strict local minimum
    assert n_plain >= n_skip + 2, (n_plain, n_skip)
    # the crosses drawn are those minima
    for drawn, n in ((plain, n_plain), (skip, n_skip)):
        crosses = next(t for t in drawn["traces"] if t.get("name") == "local minimum")
        assert len(numbers(crosses["x"])) == n
    # the caption and the panel titles state the same numbers
    caption = " ".join(c.value for c in card.caption)
    assert f"the slice has {n_plain} local minima" in caption
    assert f"trained the same way from the same start, has {n_skip} (" in caption
    assert "Not convex!" in caption and "skip connections smooth" in caption
    assert re.match(rf"Without skip connections<br><sup>{n_plain} local minima", plain["title"])


def test_the_path_is_visible_on_its_own_plane(card):
    _, paths = maps(card)
    assert len(paths) == 2
    for panel in paths:
        path = next(t for t in panel["traces"] if str(t.get("name", "")).endswith("'s path"))
        px, py = numbers(path["x"]), numbers(path["y"])
        extent = max(np.ptp(px), np.ptp(py)) / max(np.ptp(panel["x"]), np.ptp(panel["y"]))
        assert extent >= 0.5, extent  # the path spans at least half the map
        assert np.hypot(px[-1], py[-1]) <= 0.05 * np.ptp(panel["x"])  # it ends at θ* = (0, 0), the star
        inside = (px >= panel["x"].min()) & (px <= panel["x"].max()) & (py >= panel["y"].min()) & (py <= panel["y"].max())
        assert inside.all()
    caption = " ".join(c.value for c in card.caption)
    held = [int(v) for v in re.findall(r"which holds (\d+)% and (\d+)% of it", caption)[0]]
    assert min(held) >= 90  # the PCA plane holds the path; a random plane holds a sliver
    sliver = [int(v) for v in re.findall(r"hold only (\d+)% and (\d+)% of the path", caption)[0]]
    assert max(sliver) <= 20


def test_every_map_is_square_and_the_start_marker_shows_in_the_legend(card):
    figs = [f for f in figures(card) if any(t.get("name") == "θ* (trained)" for t in f["data"])]
    assert len(figs) == 4  # two random slices, two path planes
    for fig in figs:
        assert fig["layout"]["yaxis"]["scaleanchor"] == "x" and fig["layout"]["yaxis"].get("scaleratio", 1) == 1
        drawn = panel(fig)
        assert np.ptp(drawn["x"]) == pytest.approx(np.ptp(drawn["y"]), rel=1e-9)
        x_range, y_range = fig["layout"]["xaxis"]["range"], fig["layout"]["yaxis"]["range"]  # no autorange padding
        assert x_range == pytest.approx([drawn["x"].min(), drawn["x"].max()])
        assert y_range == pytest.approx([drawn["y"].min(), drawn["y"].max()])
    for drawn in maps(card)[1]:
        start = next(t for t in drawn["traces"] if t.get("name") == "start")
        assert start.get("showlegend", True)
        line = start["marker"]["line"]
        assert line["width"] >= 2 and line["color"] in ("black", "#000000", "#111111")
        assert "open" not in start["marker"].get("symbol", "")


def open_link(settings: dict) -> AppTest:
    return clean(follow(CARD.page, settings, 180))


@pytest.mark.parametrize("settings, note", [
    ({"depth": "1"}, "add a second hidden layer"),  # no skip connection fits: one network, said so
    ({"depth": "3", "width": "8", "optimizers": ["SGD"], "train_lr_sgd": "2", "activation": "linear"}, None),  # diverges
])
def test_the_tab_copes_without_a_twin_and_after_divergence(settings, note):
    at = open_link({"train_tab": "Loss landscape", **settings})
    assert not [i.value for i in at.info if "cannot be used" in i.value]  # the link was taken whole
    if not note:
        assert any("diverged" in w.value for w in at.warning)
    slices, _ = maps(at)
    assert len(slices) == (1 if note else 2)
    if note:
        assert any(note in c.value for c in at.caption)
