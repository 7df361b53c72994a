"""Lecture figure 11 and the annealing card: each claim, computed from the figures the learning-rate page draws
for the card's link."""

import numpy as np
import pytest
from apptest_helpers import figures, numbers, open_card


FIG11, RANGE, ALPHAS, SETTLE, MAPS = range(5)
RATES = ["very high", "high", "good", "low"]


@pytest.fixture(scope="module")
def figure_11() -> list[dict]:
    return figures(open_card("The choice of learning rate"))


@pytest.fixture(scope="module")
def annealing() -> list[dict]:
    return figures(open_card("Annealing"))


def curves(fig: dict) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Figure 11's lines by their rate's label: (x, L − L*)."""
    return {t["name"].split(":")[0]: (numbers(t["x"]), numbers(t["y"])) for t in fig["data"] if t["mode"] == "lines"}


def test_11_very_high_explodes_high_stalls_good_converges_low_creeps(figure_11):
    fig = figure_11[FIG11]
    assert fig["layout"]["yaxis"]["type"] == "log"  # L − L* as drawn
    lines = curves(fig)
    crosses = [t for t in fig["data"] if t.get("text") == ["diverged"]]
    assert [t["legendgroup"].split(":")[0] for t in crosses] == ["very high"]  # explodes, and only it
    (_, high), (_, good), (_, low) = lines["high"], lines["good"], lines["low"]
    late = {k: lines[k][1][-5:].mean() for k in ("high", "good", "low")}
    assert high[1] < good[1] < low[1]  # after one epoch: high has dropped fastest
    assert late["high"] > 30 * late["good"]  # ... then stalls high, at its noise floor
    assert late["good"] == min(late.values())  # good converges to the lowest loss of the four
    assert late["low"] > 30 * late["good"] and np.all(np.diff(low) < 0)  # low creeps: always down, still far up


def test_11_range_test_places_figure_11s_rates_where_they_end(figure_11):
    """The range test's long run is Figure 11's run: its dots are Figure 11's ends; good sits in its valley."""
    fig, lines = figure_11[RANGE], curves(figure_11[FIG11])
    dots = {t["name"]: t for t in fig["data"] if t.get("legendgroup") == "Figure 11"}
    assert list(dots) == RATES + ["your α"]
    for label in ("high", "good", "low"):
        y = numbers(dots[label]["y"])[0]
        assert y == pytest.approx(lines[label][1][-5:].mean(), rel=1e-5)  # the same number, read the same way
    assert dots["very high"]["marker"]["symbol"] == "x"
    long = next(t for t in fig["data"] if t["name"].startswith("after 30 epochs"))
    best = next(t for t in fig["data"] if t["name"].startswith("best α"))
    alpha, floor = numbers(long["x"]), numbers(long["y"])
    best_alpha, best_y = numbers(best["x"])[0], numbers(best["y"])[0]
    assert best_y == floor.min() and best_alpha == alpha[np.argmin(floor)]
    rate = {k: numbers(dots[k]["x"])[0] for k in RATES}
    assert rate["low"] < best_alpha < rate["high"]  # the best long-run α lies between low and high
    y = {k: numbers(dots[k]["y"])[0] for k in ("high", "good", "low")}
    assert y["good"] < 10 * best_y  # good: in the valley
    assert y["high"] > 100 * best_y and y["low"] > 100 * best_y  # high and low: up its two walls
    fastest = next(t for t in fig["data"] if t["name"].startswith("fastest α"))
    assert numbers(fastest["x"])[0] > rate["high"]  # the one-epoch winner is past Figure 11's high


def test_range_test_markers_do_not_overlap(figure_11):
    """No two vertical markers (lines or shaded edges) within a tenth of a decade of α."""
    fig = figure_11[RANGE]
    xs = [numbers(t["x"])[0] for t in fig["data"] if t["mode"] == "lines" and len(set(numbers(t["x"]))) == 1]
    xs += [s["x0"] for s in fig["layout"]["shapes"] if s.get("xref") == "x"]
    logs = np.sort(np.log10(xs))
    assert np.all(np.diff(logs) > 0.1), xs


def test_annealing_decaying_rates_settle_closer_than_constant(annealing):
    settle = annealing[SETTLE]
    assert settle["layout"]["xaxis"]["title"]["text"].startswith("steps")  # the card's own x axis
    assert settle["layout"]["yaxis"]["type"] == "log"
    bold = {t["name"]: numbers(t["y"]) for t in settle["data"] if t.get("showlegend", True) and t["mode"] == "lines"}
    assert list(bold) == ["constant", "exponential decay", "1/t decay", "step decay (halve every 1/k steps)"]
    end = {k: v[-1] for k, v in bold.items()}
    for name, d in end.items():
        if name != "constant":
            assert d < end["constant"] / 3, (name, end)  # settles at least 3× closer to w*
    faint = [t for t in settle["data"] if t.get("opacity", 1) < 1]
    assert len(faint) == 4 and all(len(numbers(t["y"])) > 500 for t in faint)  # every step is there too


def test_annealing_zoomed_paths_show_the_bouncing(annealing):
    """The zoomed maps: the constant rate's late path spreads wider around w* than every decaying one."""
    spread = {}
    for maps in annealing[MAPS:]:
        star = next(t for t in maps["data"] if t["name"] == "minimum w*")
        w = np.array([star["x"][0], star["y"][0]])
        for t in maps["data"]:
            if t.get("mode") == "lines" and t["name"] != "contours":
                p = np.column_stack([numbers(t["x"]), numbers(t["y"])])
                spread[t["name"]] = np.sqrt(np.mean(np.sum((p - w) ** 2, axis=1)))
    assert list(spread) == ["constant", "exponential decay", "1/t decay", "step decay"]
    for name, s in spread.items():
        if name != "constant":
            assert s < spread["constant"] / 2, spread
    half = maps["layout"]["xaxis"]["range"][1] - w[0]
    assert spread["constant"] > half / 5  # the constant run's scribble fills a good part of the zoom
    assert all(m["layout"]["xaxis"]["range"] == maps["layout"]["xaxis"]["range"] for m in annealing[MAPS:])  # one zoom
