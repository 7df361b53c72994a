"""Train a network, default view: the optimizer comparison is over many seeds, drawn as median + band, and the
count statement says what the drawn data say (recomputed here from the figure's own traces)."""

import re

import numpy as np
import pytest
from apptest_helpers import figures, numbers, open_page

PAGE = "pages/train_network.py"
STATEMENT = re.compile(r"\*\*(?P<winner>[^*]+)\*\* ends (?P<rest>.*)")
PART = re.compile(r"below (?P<other>[A-Za-z]+) in \*\*(?P<k>\d+) of (?P<n>\d+)\*\*")


@pytest.fixture(scope="module")
def page():
    return open_page(PAGE)


def curves_figure(at) -> dict:
    return next(f for f in figures(at) if f["layout"]["annotations"][0]["text"] == "loss")


def finals(fig) -> dict[str, dict[int, float]]:
    """Each optimizer's final loss per seed, from the dots at the right of the loss panel (customdata = seed)."""
    out = {}
    for t in fig["data"]:
        if t.get("mode") == "markers" and "final" in t.get("name", ""):
            name = t["name"].split(":")[0]
            y = numbers(t["y"]) if t.get("y") is not None else np.array([])
            seeds = numbers(t["customdata"]).astype(int)
            out[name] = dict(zip(seeds, y))
    return out


def test_the_comparison_is_over_many_seeds_with_bands(page):
    fig = curves_figure(page)
    bands = [t for t in fig["data"] if t.get("fill") == "toself"]
    medians = [t for t in fig["data"] if t.get("mode") == "lines" and "(median)" in t.get("name", "")]
    names = {"SGD", "Momentum", "RMSProp", "Adam"}
    assert {t["name"].split(" · ")[0] for t in bands} == names
    assert all(re.search(r"10–90% of (\d+) seeds", t["name"]).group(1) == "10" for t in bands)
    assert {t["name"].split(" · ")[0] for t in medians} == names
    # every band encloses its median, and is a real band (the seeds differ)
    for band in bands:
        name, split = band["name"].split(":")[0].split(" · ")
        median = next(t for t in medians if t["name"].startswith(f"{name} · {split}") and t["yaxis"] == band["yaxis"])
        x, y, m = numbers(band["x"]), numbers(band["y"]), numbers(median["y"])
        half = len(x) // 2
        high, low = y[:half], y[half:][::-1]
        assert np.all(low <= m + 1e-12) and np.all(m <= high + 1e-12)
        assert np.any(high - low > 1e-3)
    per_seed = finals(fig)
    assert set(per_seed) == names and all(len(v) == 10 for v in per_seed.values())


def test_the_count_statement_matches_the_drawn_finals(page):
    fig = curves_figure(page)
    per_seed = finals(fig)
    text = next(m.value for m in page.markdown if "ends below" in m.value)
    found = STATEMENT.search(text)
    winner, parts = found["winner"], PART.findall(found["rest"])
    assert {other for other, _, _ in parts} == set(per_seed) - {winner}
    for other, k, n in parts:
        a, b = per_seed[winner], per_seed[other]
        seeds = sorted(a)
        below = sum((a[s] if np.isfinite(a[s]) else np.inf) < (b[s] if np.isfinite(b[s]) else np.inf) for s in seeds)
        assert (int(k), int(n)) == (below, len(seeds))
    # the winner is the optimizer with the lowest median final loss, as drawn
    medians = {name: np.median([v for v in d.values() if np.isfinite(v)]) for name, d in per_seed.items()}
    assert winner == min(medians, key=medians.get)


def test_one_seed_cannot_flip_the_default_conclusion(page):
    """The lecture's point on the default view: Adam ends below SGD in most seeds, not just the drawn one."""
    per_seed = finals(curves_figure(page))
    a, b = per_seed["Adam"], per_seed["SGD"]
    assert sum(a[s] < b[s] for s in a) >= 8


def test_the_loss_axis_has_several_ticks(page):
    axis = curves_figure(page)["layout"]["yaxis"]
    assert axis["type"] == "log"
    lo, hi = min(axis["tickvals"]), max(axis["tickvals"])
    drawn = [v for t in curves_figure(page)["data"] if t.get("yaxis") == "y" for v in numbers(t["y"]) if np.isfinite(v)]
    inside = [v for v in axis["tickvals"] if min(drawn) <= v <= max(drawn)]
    assert len(inside) >= 3 and lo <= min(drawn) and hi >= max(drawn)
