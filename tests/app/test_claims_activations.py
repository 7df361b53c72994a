"""The lecture's claims for Figures 4, 8 and 9 and the initialisation Training tab, on the views the page draws.

Each test opens the card's link (optiviz/ui/lecture_figures.py) as a student would, reads the
figures the page sends (plotly JSON), and computes the claim from the drawn data alone.
"""

import math
import re

import numpy as np
import pytest
from apptest_helpers import clean, figures, follow, numbers, open_card

PAGE = "pages/activations_init.py"


def cells(fig: dict) -> dict[tuple[str, int], tuple[np.ndarray, np.ndarray]]:
    """{(scheme label, layer): (bin centres, counts)} of a histogram grid, read from each bar's hover text."""
    out = {}
    for trace in fig["data"]:
        if trace["type"] != "bar" or "hovertemplate" not in trace:
            continue
        scheme, layer = re.match(r"(.+), layer (\d+)<br>", trace["hovertemplate"]).groups()
        out[scheme, int(layer)] = numbers(trace["x"]), numbers(trace["y"])
    return out


def hist_std(x: np.ndarray, counts: np.ndarray) -> float:
    mean = np.average(x, weights=counts)
    return float(np.sqrt(np.average((x - mean) ** 2, weights=counts)))


def share(x: np.ndarray, counts: np.ndarray, where) -> float:
    return float(counts[where(x)].sum() / counts.sum())


# --- Figure 4: the derivatives vanish where the curves are shaded -------------------------------------


@pytest.fixture(scope="module")
def figure4():
    return figures(open_card("4"))[0]


def panels(fig: dict) -> dict[str, tuple[np.ndarray, np.ndarray, list[tuple[float, float]]]]:
    """{title: (z, f'(z), shaded intervals)} for each panel of the activation figure."""
    titles = [a["text"] for a in fig["layout"]["annotations"] if a.get("yref") == "paper" and a.get("yanchor") == "bottom"]
    slopes = [t for t in fig["data"] if t.get("name") == "f′(z)"]
    out = {}
    for k, (title, trace) in enumerate(zip(titles, slopes), start=1):
        axis = "x" if k == 1 else f"x{k}"
        shaded = [(s["x0"], s["x1"]) for s in fig["layout"]["shapes"] if s["xref"] == axis]
        out[title] = numbers(trace["x"]), numbers(trace["y"]), shaded
    return out


def test_figure4_shows_every_candidate_by_its_name(figure4):
    assert list(panels(figure4)) == ["sigmoid", "tanh", "ReLU", "leaky ReLU", "ELU"]


def test_figure4_the_derivatives_vanish_in_the_shaded_regions_and_only_there(figure4):
    for title, (z, slope, shaded) in panels(figure4).items():
        inside = np.zeros(z.shape, bool)
        for a, b in shaded:
            inside |= (z >= a) & (z <= b)
        assert np.all(np.abs(slope[inside]) < 0.05), title
        assert np.all(np.abs(slope[~inside]) >= 0.05), title


def test_figure4_sigmoid_and_tanh_saturate_at_both_ends(figure4):
    p = panels(figure4)
    for title, edge in (("sigmoid", 3.0), ("tanh", 2.2)):
        z, slope, shaded = p[title]
        assert any(a <= -6 + 1e-9 and b < 0 for a, b in shaded) and any(a > 0 and b >= 6 - 1e-9 for a, b in shaded), title
        assert np.all(np.abs(slope[np.abs(z) >= edge]) < 0.05), title
        assert np.abs(slope[np.abs(z) >= 4.3]).max() < 0.06 * np.abs(slope).max(), title  # tails: < 6% of the peak


def test_figure4_relu_is_dead_below_zero_and_leaky_relu_is_not(figure4):
    p = panels(figure4)
    z, slope, shaded = p["ReLU"]
    assert np.all(slope[z < 0] == 0) and np.all(slope[z > 0] == 1)
    assert any(a <= -6 + 1e-9 and b >= -1e-9 for a, b in shaded)  # shaded from −6 up to 0
    z, slope, shaded = p["leaky ReLU"]
    assert not shaded and np.all(slope[z < 0] > 0)  # the small slope αz: it won't die


# --- Figure 8: small σ collapses to 0, large σ piles up at ±1 ----------------------------------------


@pytest.fixture(scope="module")
def figure8():
    return cells(figures(open_card("8"))[1])


def test_figure8_small_sigma_shrinks_towards_zero_with_depth(figure8):
    spread = [hist_std(*figure8["small normal", layer]) for layer in range(1, 11)]
    assert all(b < a for a, b in zip(spread, spread[1:])), spread
    assert spread[-1] < 1e-4 * spread[0], spread
    x, counts = figure8["small normal", 10]
    assert np.abs(x).max() < 1e-3  # a spike at 0


def test_figure8_large_sigma_piles_up_at_plus_minus_one(figure8):
    for layer in range(1, 11):
        assert share(*figure8["large normal", layer], lambda x: np.abs(x) > 0.9) > 0.9, layer


# --- Figure 9: Xavier keeps the activations alive --------------------------------------------------


@pytest.fixture(scope="module")
def figure9():
    at = open_card("9")
    grid = cells(figures(at)[1])
    at.session_state["init_tab"] = "Dead and saturated units"
    health = figures(clean(at.run()))[1]
    return grid, health


def test_figure9_xavier_spread_shrinks_less_than_threefold_over_ten_layers(figure9):
    grid, _ = figure9
    spread = [hist_std(*grid["Xavier", layer]) for layer in range(1, 11)]
    assert max(spread) / min(spread) < 3, spread
    assert max(spread[1:]) / min(spread[1:]) < 2.2, spread  # from layer 2 on: within about 2×
    assert min(spread) > 0.2  # no spike at 0


def test_figure9_xavier_is_neither_a_spike_nor_a_wall(figure9):
    grid, health = figure9
    for layer in range(1, 11):
        x, counts = grid["Xavier", layer]
        assert share(x, counts, lambda v: np.abs(v) > 0.9) < 0.2, layer
        assert share(x, counts, lambda v: np.abs(v) < 0.05) < 0.2, layer
    saturated = next(t for t in health["data"] if t["name"] == "Xavier" and t["xaxis"] == "x2")
    assert numbers(saturated["y"]).max() < 0.01  # under 1% of any layer within 0.01 of ±1


# --- The Training tab: Xavier and He learn, σ = 0.01 and large σ stall, zeros never learns -----------


@pytest.fixture(scope="module")
def training():
    at = clean(follow(PAGE, {"init_tab": "Training"}, 300))
    at.button(key="init_train").click().run()
    clean(at)
    fig = next(f for f in figures(at) if f["layout"]["yaxis"].get("type") == "log" and
               any(t.get("name", "").startswith("zeros") for t in f["data"]))
    text = "\n".join(m.value for m in at.markdown)
    return fig, text


def curve(fig: dict, name: str) -> np.ndarray:
    return numbers(next(t for t in fig["data"] if t.get("name") == name)["y"])


def band(fig: dict, name: str) -> tuple[np.ndarray, np.ndarray]:
    """(upper, lower) edges of a scheme's 10–90% band, each per epoch."""
    y = numbers(next(t for t in fig["data"] if t.get("name", "").startswith(f"{name}: 10–90%"))["y"])
    n = len(y) // 2
    return y[:n], y[n:][::-1]


def test_training_zeros_never_learns(training):
    fig, _ = training
    assert np.allclose(curve(fig, "zeros (every seed)"), math.log(2), atol=1e-6)


def test_training_xavier_and_he_end_below_large_and_small_normal_in_most_seeds(training):
    fig, text = training
    for good in ("Xavier", "He"):
        high_good, _ = band(fig, good)
        for bad in ("large normal", "small normal"):
            _, low_bad = band(fig, bad)
            # ≥ 90% of good's seeds end below high_good, ≥ 90% of bad's above low_bad: ≥ 80% of seeds in order
            assert high_good[-1] < low_bad[-1], (good, bad)
            assert curve(fig, good)[-1] < 0.1 * curve(fig, bad)[-1], (good, bad)
            k, n = map(int, re.search(rf"\*\*{good}\*\* ends with a lower training loss than \*\*{bad}\*\* in "
                                      rf"\*\*(\d+) of (\d+)\*\* seeds", text).groups())
            assert n >= 10 and k >= 0.8 * n, (good, bad, k, n)


def test_training_small_normal_stalls_at_a_coin_toss(training):
    fig, _ = training
    assert curve(fig, "small normal")[-1] > 0.99 * math.log(2)
