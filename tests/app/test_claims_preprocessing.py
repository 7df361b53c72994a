"""Lecture figures 5 and 6–7: each card's claim, computed from the figures the preprocessing page draws for its link."""

import re

import numpy as np
import pytest
from apptest_helpers import figures, numbers, open_card

from optiviz.labs.preprocessing import TOLERANCE

FIGURES = ["data", "surfaces", "curves", "sweep", "fig5", "fig5_curves"]
ORDER = ["raw", "zero-centred", "normalised", "whitened"]


@pytest.fixture(scope="module")
def figures_6_7() -> dict:
    return dict(zip(FIGURES, figures(open_card("6–7"))))


def steps_to_converge(y: np.ndarray) -> float:
    """The first step where L − L* ≤ TOLERANCE × its start (inf if never), as the page defines converged."""
    done = np.flatnonzero(y <= TOLERANCE * y[0])
    return float(done[0]) if done.size else np.inf


def test_6_7_whitened_converges_fastest_and_raw_slowest(figures_6_7):
    """The excess-loss curves as drawn: raw needs the most steps, then zero-centred, normalised, whitened."""
    curves = [t for t in figures_6_7["curves"]["data"] if t["type"] == "scatter"]
    assert [t["name"].split(",")[0] for t in curves] == ORDER
    steps = [steps_to_converge(numbers(t["y"])) for t in curves]
    raw, centred, normalised, whitened = steps
    assert whitened < normalised and whitened < centred  # whitening is easiest
    assert raw > max(centred, normalised, whitened)  # raw data are the slowest
    assert raw > centred > normalised > whitened  # each transform helps (53, 17, 8, 1 at the defaults)
    assert all(np.isfinite(steps))  # every run converges: no surface is left behind by a shared α
    for t, n in zip(curves, steps):  # the legend says the same
        assert t["name"].endswith(f": {int(n)} step" + ("s" if n != 1 else ""))


def test_6_7_surfaces_get_rounder(figures_6_7):
    """The condition number of XᵀX/N, from the points drawn in each panel, falls at every transform, to 1."""
    panels = {}
    for t in figures_6_7["data"]["data"]:
        if t["mode"] == "markers":
            axis = t.get("xaxis", "x")
            panels.setdefault(axis, []).append(np.column_stack([numbers(t["x"]), numbers(t["y"])]))
    kappas = []
    for axis in ("x", "x2", "x3", "x4"):
        X = np.vstack(panels[axis])
        lam = np.linalg.eigvalsh(X.T @ X / len(X))
        kappas.append(lam[-1] / lam[0])
    assert np.all(np.diff(kappas) < 0), kappas
    assert kappas[0] > 20 and kappas[-1] == pytest.approx(1.0, abs=1e-6)
    titles = [a["text"] for a in figures_6_7["surfaces"]["layout"]["annotations"]]
    shown = [float(re.search(r"κ = ([0-9.e+-]+)", t)[1]) for t in titles]
    np.testing.assert_allclose(shown, kappas, rtol=2e-3)  # the panel titles give the same κ


def test_6_7_each_runs_at_the_alpha_the_sweep_rings(figures_6_7):
    """The main runs use the α the sweep rings: the one with the fewest steps for that preprocessing."""
    titles = [a["text"] for a in figures_6_7["surfaces"]["layout"]["annotations"]]
    used = [float(re.search(r"α = ([0-9.e+-]+)", t)[1]) for t in titles]
    sweep = figures_6_7["sweep"]["data"]
    rings = [t for t in sweep if t.get("marker", {}).get("symbol") == "circle-open"]
    assert len(rings) == 4
    lines = [t for t in sweep if t.get("mode") == "lines+markers"]
    for ring, line, alpha in zip(rings, lines, used):
        y = numbers(line["y"])
        assert numbers(ring["x"])[0] == pytest.approx(alpha)
        assert numbers(ring["y"])[0] == np.nanmin(y)  # no α of the sweep converges in fewer steps
    assert not figures_6_7["sweep"]["layout"]["shapes"]  # no shared α to mark


def test_5_far_cloud_flips_more_points_than_near():
    fig = dict(zip(FIGURES, figures(open_card("5"))))
    curves = fig["fig5_curves"]
    flipped = [t for t in curves["data"] if t.get("xaxis", "x") == "x"]
    assert [t["name"] for t in flipped] == ["near the origin", "far from the origin"]
    sizes = numbers(flipped[0]["x"])
    near, far = (numbers(t["y"]) for t in flipped)
    size = curves["layout"]["shapes"][0]["x0"]  # the drawn weight change
    k = int(np.argmin(abs(sizes - size)))
    assert far[k] > 3 * near[k] and far[k] > 0.1  # many more points flip far from the origin
    assert np.all(far[1:] > near[1:])  # at every size of the change
    clouds = fig["fig5"]
    rings = [t for t in clouds["data"] if t.get("name") == "changed class"]
    counts = [len(numbers(t["x"])) for t in rings]
    assert len(counts) == 2 and counts[1] > 3 * max(counts[0], 1)  # the ringed points of the picture agree
    titles = [a["text"] for a in clouds["layout"]["annotations"]]
    shown = [float(t.split(": ")[1].split("%")[0]) for t in titles]
    assert shown[1] > 3 * shown[0]  # and so do the panel titles
